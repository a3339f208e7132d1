"""The finite mixture of types: recovery of shares, parameters and each subject's type."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sccgames as scc
from sccgames.inference import compare as inf
from sccgames.inference.mixture import fit_mixture

TYPES = (
    {"beta": 4.0, "trust": 0.5, "score_value": 0.3},  # calculating: defects, complies when watched
    {"beta": 0.5, "trust": 0.5, "score_value": 0.3},  # noisy: half-hearted either way
)


@pytest.fixture(scope="module")
def contexts() -> pd.DataFrame:
    """8000 choices of 400 citizens (20 rounds), a social credit system from round 5."""
    regime = scc.Schedule({0: scc.NoRegime(), 5: scc.SocialCredit(coverage={"work": 0.8})})
    society = scc.Society(
        scc.Population(400, shares={"Citizen": 1.0}),
        rounds=20,
        regime=regime,
        domains={"work": 1.0},
        seed=5,
    )
    return inf.choices_from_society(society)


def two_types(contexts: pd.DataFrame, share: float, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Choices drawn from the rational model, each subject of type 0 with probability share."""
    rng = np.random.default_rng(seed)
    subjects = contexts["subject"].to_numpy()
    kind = (rng.random(subjects.max() + 1) >= share).astype(int)
    p = np.empty(len(contexts))
    for k, params in enumerate(TYPES):
        truth = inf.FitResult("rational", params, 0, 3, len(contexts), 0, 0, {}, True)
        rows = kind[subjects] == k
        p[rows] = inf.predict(truth, contexts)[rows]
    data = contexts.copy()
    data["cooperated"] = rng.random(len(data)) < p
    data.attrs = dict(contexts.attrs)
    return data, kind


def test_two_types_are_recovered(contexts: pd.DataFrame) -> None:
    """Shares within 0.06 of the realized ones (binomial SE of a share ≈ 0.024), each type's
    choice probabilities over the observed contexts within 0.04 of its true ones on average,
    ≥ 95% of subjects classified right, and BIC prefers two types to one.

    The probabilities, not β and λ one by one, are what this design pins down: β, trust τ
    and λ trade off (a one-type fit to 8000 such choices has standard errors of about 0.4
    for τ and 0.1 for λ, and the mixture often puts τ at its bound), and over eight data
    sets the types' λ ranged 0.19–1.43 and 0.34–0.45 (truth 0.3) and the noisy type's β
    0.38–0.45 (truth 0.5), while the mean gap in probabilities stayed below 0.02 and the
    sharp type's β̂ was at least seven times the noisy type's."""
    data, kind = two_types(contexts, share=0.6, seed=1)
    mix = fit_mixture("rational", data, types=2, starts=2, seed=0)
    one = inf.fit("rational", data, starts=2)
    assert mix.converged and mix.types == 2 and mix.n_subjects == 400
    realized = np.mean(kind == 0)
    assert mix.shares[0] == pytest.approx(realized, abs=0.06)
    sharp = max(range(2), key=lambda k: mix.components[k].params["beta"])
    assert mix.components[sharp].params["beta"] > 3 * mix.components[1 - sharp].params["beta"]
    for k, params in zip((sharp, 1 - sharp), TYPES, strict=True):
        truth = inf.FitResult("rational", params, 0, 3, len(contexts), 0, 0, {}, True)
        gap = inf.predict(mix.components[k], contexts) - inf.predict(truth, contexts)
        assert np.mean(np.abs(gap)) < 0.04, params
    guessed = np.where(mix.posterior["type"].to_numpy() == sharp, 0, 1)
    assert np.mean(guessed == kind) >= 0.95
    assert mix.bic < one.bic and mix.loglik > one.loglik
    assert mix.n_params == 2 * 3 + 1
    assert mix.aic == pytest.approx(2 * 7 - 2 * mix.loglik)
    frame = mix.params_frame()
    assert list(frame.columns) == ["type", "share", "parameter", "estimate"] and len(frame) == 6
    np.testing.assert_allclose(mix.posterior[["type_0", "type_1"]].sum(axis=1), 1.0)


def test_one_type_is_the_ordinary_fit(contexts: pd.DataFrame) -> None:
    data, _ = two_types(contexts, share=1.0, seed=2)
    mix = fit_mixture("rational", data, types=1, starts=1)
    one = inf.fit("rational", data, starts=2)
    assert mix.shares == (1.0,)
    assert mix.loglik == pytest.approx(one.loglik, abs=1e-4)
    for name, value in one.params.items():
        assert mix.components[0].params[name] == pytest.approx(value, abs=1e-3)


def test_same_seed_same_mixture_and_bad_input(contexts: pd.DataFrame) -> None:
    data, _ = two_types(contexts.iloc[:2000], share=0.5, seed=3)
    data.attrs = dict(contexts.attrs)
    a = fit_mixture("rational", data, types=2, starts=1, seed=4, max_iter=5)
    b = fit_mixture("rational", data, types=2, starts=1, seed=4, max_iter=5)
    assert a.loglik == b.loglik and a.shares == b.shares
    assert a.iterations <= 5
    with pytest.raises(ValueError, match="at least 1"):
        fit_mixture("rational", data, types=0)
    with pytest.raises(ValueError, match="centre"):
        fit_mixture("rational", data, cluster="centre")
    with pytest.raises(ValueError, match="cannot make"):
        fit_mixture("rational", data.iloc[:1], types=2)
    with pytest.raises(ValueError, match="unknown model"):
        fit_mixture("bayesian", data)
    with pytest.raises(ValueError, match="max_iter must be an integer >= 1"):
        fit_mixture("rational", data, max_iter=0)
    with pytest.raises(ValueError, match="tol"):
        fit_mixture("rational", data, tol=-1.0)
