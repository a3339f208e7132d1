"""Model selection among the rational rivals and the motive model, and recovery.

Data simulated from each model's own choice probabilities (on the contexts of a Citizen
society) are fitted by every model; BIC must choose the true one, and each true parameter
must lie in its 95% interval, as often as stated.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sccgames as scc
from sccgames.inference import compare as inf
from sccgames.inference import selection


def _condition(credit: scc.SocialCredit, seed: int) -> pd.DataFrame:
    """10 000 choices of a Citizen society in random pairs, ``credit`` from round 5."""
    society = scc.Society(
        scc.Population(500, shares={"Citizen": 1.0}),
        rounds=20,
        regime=scc.Schedule({0: scc.NoRegime(), 5: credit}),
        domains={"work": 0.5, "home": 0.5},
        seed=seed,
    )
    return inf.choices_from_society(society)


@pytest.fixture(scope="module")
def contexts() -> pd.DataFrame:
    """20 000 choices in two conditions: the default social credit, and one whose score
    has a harsher material future (a blacklist costing 4) that fades faster (forgiveness
    0.2); the same coverage, fine and score steps."""
    coverage = {"work": 0.8, "home": 0.3}
    default = _condition(scc.SocialCredit(coverage=coverage), 7)
    harsh = _condition(scc.SocialCredit(coverage=coverage, blacklist_cost=4.0, score_decay=0.2), 8)
    data = pd.concat([default, harsh], ignore_index=True)
    data.attrs = dict(default.attrs)
    return data


@pytest.fixture(scope="module")
def recovered(contexts: pd.DataFrame) -> pd.DataFrame:
    return selection.recovery(contexts, sets=20, seed=0)


def test_best_rival_is_the_rational_model_with_the_lowest_bic() -> None:
    def result(model: str, bic: float) -> inf.FitResult:
        return inf.FitResult(model, {}, 0.0, 1, 100, 0.0, bic, {}, True)

    fits = {"rational": result("rational", 10.0), "learning": result("learning", 9.0)}
    assert selection.best_rival(fits) == "learning"
    fits["motive"] = result("motive", 1.0)  # not a rival, however good
    assert selection.best_rival(fits) == "learning"
    fits["learning"] = result("learning", 10.0)
    assert selection.best_rival(fits) == "rational"  # a tie goes to the static model
    with pytest.raises(ValueError, match="no rational model among the fits"):
        selection.best_rival({"motive": fits["motive"]})


def test_bic_chooses_the_true_model_in_at_least_90_percent(recovered: pd.DataFrame) -> None:
    """20 data sets of 20 000 choices per model: the diagonal of the confusion matrix is at
    least 18 of 20 for every model (the README quotes the matrix)."""
    matrix = selection.confusion(recovered)
    print(matrix)
    assert list(matrix.index) == ["rational", "learning", "reputation", "motive"]
    assert (matrix.sum(axis=1) == 20).all()
    for model in matrix.index:
        assert matrix.loc[model, model] >= 18, matrix


def test_each_rivals_parameters_lie_in_their_intervals(recovered: pd.DataFrame) -> None:
    """Each true parameter of the static and the learning model is in its 95% Wald interval
    in at least 16 of 20 data sets (under correct coverage, fewer than 16 has probability
    0.3%). The motive model is chosen on its own data, but its parameters are only partly
    identified in a 2×2 game (docs/model.md §7), so its intervals are not held to this."""
    rivals = recovered[recovered["truth"].isin(["rational", "learning", "reputation"])]
    covered = rivals.groupby(["truth", "parameter"])["covered"].sum()
    print(covered)
    assert len(covered) == 3 + 4 + 3
    assert (covered >= 16).all(), covered


def test_fit_all_nests_the_larger_models_at_the_static_estimates(contexts: pd.DataFrame) -> None:
    data = contexts.iloc[:4000].copy()
    data.attrs = dict(contexts.attrs)
    fits = selection.fit_all(data, starts=1, seed=3)
    assert list(fits) == ["rational", "learning", "reputation", "motive"]
    assert fits["learning"].loglik >= fits["rational"].loglik - 1e-6
    assert fits["motive"].loglik >= fits["rational"].loglik - 1e-6
    with pytest.raises(ValueError, match="unknown model"):
        selection.fit_all(data, models=["bayesian"])


def test_the_readme_quotes_the_confusion_matrix(recovered: pd.DataFrame) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    matrix = selection.confusion(recovered)
    for model, row in matrix.iterrows():
        cells = " | ".join(str(int(v)) for v in row.to_numpy())
        assert f"| {model} | {cells} |" in readme, (model, cells)
    assert np.trace(matrix.to_numpy()) >= 72


def _rival_p_value(data: pd.DataFrame, seed: int) -> float:
    """The motive model against the rival BIC prefers: the bootstrap test's p (19 draws)."""
    fits = selection.fit_all(data, starts=1, seed=seed)
    rival = fits[selection.best_rival(fits)]
    return inf.rival_test(rival, fits["motive"], data, draws=19, seed=seed).p_value


def test_the_test_against_the_best_rival_holds_its_size_and_has_power(
    contexts: pd.DataFrame,
) -> None:
    """20 data sets of 2000 choices drawn from the learning model (the rival the data then
    choose): at 5% the Monte Carlo test rejects with probability 0.05, so more than 4
    rejections has probability 0.016, and its p-values are uniform on {0.05, …, 1} (mean
    0.525, standard error 0.065): a mean outside [0.3, 0.75] fails. 5 data sets of a mixed
    Citizen/Moralist society must all be rejected."""
    truth = selection.TRUTHS["learning"]
    law = inf.FitResult("learning", dict(truth), 0.0, 4, 2000, 0.0, 0.0, {}, True)
    null = []
    for seed in range(20):
        data = contexts.sample(2000, random_state=seed).reset_index(drop=True)
        data.attrs = dict(contexts.attrs)
        draw = np.random.default_rng(1000 + seed).random(len(data))
        data["cooperated"] = draw < inf.predict(law, data)
        null.append(_rival_p_value(data, seed))
    mixed = []
    for seed in range(5):
        society = scc.Society(
            scc.Population(100, shares={"Citizen": 0.5, "Moralist": 0.5}), rounds=20, seed=seed
        )
        mixed.append(_rival_p_value(inf.choices_from_society(society), seed))
    null, mixed = np.array(null), np.array(mixed)
    print(
        f"size {np.sum(null <= 0.05)}/20, mean p {null.mean():.3f}; power {np.sum(mixed <= 0.05)}/5"
    )
    assert np.sum(null <= 0.05) <= 4, null
    assert 0.3 <= null.mean() <= 0.75, null
    assert np.all(mixed <= 0.05), mixed


def test_rival_test_refuses_fits_of_other_data(contexts: pd.DataFrame) -> None:
    data = contexts.iloc[:500].copy()
    data.attrs = dict(contexts.attrs)
    fits = selection.fit_all(data, starts=1)
    with pytest.raises(ValueError, match="same data"):
        inf.rival_test(fits["learning"], fits["motive"], contexts.iloc[:400])
    with pytest.raises(ValueError, match="draws"):
        inf.rival_test(fits["learning"], fits["motive"], data, draws=0)
