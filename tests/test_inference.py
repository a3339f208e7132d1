"""Maximum-likelihood tests of the rational model against the motive model (DESIGN.md §7).

Every statistical check has a fixed seed and a stated tolerance, and each can fail: the
likelihood is checked against the decision rule itself, estimates against their known true
values, the likelihood-ratio test against data with and without motives.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import sccgames as scc
from sccgames import inference as inf
from sccgames.decision import Context, Payoffs, State, motive_utilities, p_cooperate
from sccgames.profiles import (
    EmotionParams,
    MoralParams,
    Profile,
    RationalParams,
    SocialParams,
    Weights,
)

REGIME = scc.Schedule({0: scc.NoRegime(), 5: scc.SocialCredit(coverage={"work": 0.8, "home": 0.3})})
DOMAINS = {"work": 0.5, "home": 0.5}


def society(shares: dict[str, float], size: int, rounds: int, seed: int, **kw) -> scc.Society:
    kw.setdefault("regime", REGIME)
    kw.setdefault("domains", DOMAINS)
    return scc.Society(scc.Population(size, shares=shares), rounds=rounds, seed=seed, **kw)


def contexts_of(data: pd.DataFrame) -> tuple[State, Context, Payoffs]:
    """The decision module's view of the choice data (latent states at neutral values)."""
    n = len(data)
    history = {k: data[k].to_numpy(float) for k in inf.HISTORY_COLUMNS}
    moves = history["partner_moves"]
    compliance = np.where(moves > 0, history["partner_c"] / np.maximum(moves, 1), 0.5)
    state = State(
        habit=np.full(n, 0.5),
        norm=np.zeros(n),
        anger=np.zeros(n),
        resentment=np.zeros(n),
        legitimacy=np.full(n, 0.6),
        compliance=compliance,
        **history,
    )
    context = Context(**{k: data[k].to_numpy(float) for k in inf.CONTEXT_COLUMNS})
    own, other = (np.asarray(m, float) for m in data.attrs["payoffs"])
    return state, context, Payoffs(own, other)


def log_probabilities(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.where(y, np.log(p), np.log1p(-p))


@pytest.fixture(scope="module")
def citizen_data() -> pd.DataFrame:
    """20 000 choices of a Citizen society: the contexts simulations draw from."""
    return inf.choices_from_society(society({"Citizen": 1.0}, 1000, 20, seed=7))


def simulate(data: pd.DataFrame, params: dict[str, float], seed: int) -> pd.DataFrame:
    """Choices drawn from the rational model's own P(C) on the contexts of ``data``."""
    truth = inf.FitResult("rational", params, 0.0, len(params), len(data), 0, 0, {}, True)
    p = inf.predict(truth, data)
    out = data.copy()
    out["cooperated"] = np.random.default_rng(seed).random(len(data)) < p
    out.attrs = dict(data.attrs)
    return out


# --------------------------------------------------------------------------- the data
def test_choice_data_columns_and_rows(citizen_data: pd.DataFrame) -> None:
    d = citizen_data
    assert len(d) == 20_000  # everyone plays in random pairs: 1000 citizens × 20 rounds
    for name in ("subject", "type", "round", "cooperated", *inf.CONTEXT_COLUMNS):
        assert name in d
    for name in inf.HISTORY_COLUMNS:
        assert name in d
    assert d["cooperated"].dtype == bool
    assert set(d["type"]) == {"Citizen"}
    assert d.attrs["payoffs"] == (((3.0, 0.0), (5.0, 1.0)), ((3.0, 5.0), (0.0, 1.0)))
    # history counts are counts: the partner moves seen equal the rounds played before
    assert (d["partner_moves"] == d["round"]).all()
    assert (d["partner_c"] <= d["partner_moves"]).all()
    assert (d.loc[d["round"] < 5, "coverage"] == 0).all()  # no regime before round 5
    watched = np.unique(d.loc[d["round"] >= 5, "coverage"])  # float32 values of 0.3 and 0.8
    np.testing.assert_allclose(watched, [0.3, 0.8], rtol=1e-6)


def test_group_games_are_refused() -> None:
    with pytest.raises(ValueError, match="pairwise"):
        inf.choices_from_society(scc.Society(20, rounds=2, game="public_goods", seed=1))


# --------------------------------------------------------------------------- likelihood
@pytest.mark.parametrize("matching", ["random", "fixed"])
def test_rational_likelihood_is_the_decision_rule(matching: str) -> None:
    """log L of the rational model = Σ log P from decision.p_cooperate, to 1e-9."""
    data = inf.choices_from_society(
        society({"Citizen": 0.5, "HomoEconomicus": 0.5}, 300, 12, seed=3, matching=matching)
    )
    params = {"beta": 1.7, "trust": 0.6, "score_value": 0.3, "delta": 0.8}
    profile = replace(
        Profile(),
        beta=1.7,
        weights=Weights(1.0, 0.0, 0.0, 0.0, 0.0),
        rational=RationalParams(trust=0.6, score_value=0.3, delta=0.8),
    )
    state, context, payoffs = contexts_of(data)
    y = data["cooperated"].to_numpy()
    expected = log_probabilities(p_cooperate(profile, state, context, payoffs), y)
    got = inf.loglik_terms("rational", params, data)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=0)
    assert inf.loglik("rational", params, data) == pytest.approx(expected.sum(), abs=1e-9)
    assert ("delta" in inf.parameter_names("rational", data)) == (matching == "fixed")


def test_motive_model_is_the_decision_rule_and_nests_the_rational_one(
    citizen_data: pd.DataFrame,
) -> None:
    """The motive utility equals decision.motive_utilities; at 0 it is the rational one."""
    d = citizen_data
    theta = {"beta": 1.3, "trust": 0.4, "score_value": 0.2, "norm": 1.5, "warm_glow": 0.7}
    theta |= {"sympathy": 0.2, "envy": 0.6, "guilt": 0.3, "esteem": 0.9}
    profile = replace(
        Profile(),
        rational=RationalParams(trust=0.4, score_value=0.2),
        emotion=EmotionParams(sympathy=0.2, envy=0.6, guilt=0.3, warm_glow=0.7),
        social=SocialParams(esteem=0.9, conformity=0.0, belonging=0.0),
        moral=MoralParams(norm=1.5),
    )
    state, context, payoffs = contexts_of(d)
    u = motive_utilities(profile, replace(state, norm=np.full(len(d), 1.5)), context, payoffs)
    expected = u.rational + u.moral + u.emotion + u.social
    np.testing.assert_allclose(inf.utility("motive", theta, d), expected, rtol=1e-12)
    zero = {k: (0.0 if k in inf.MOTIVE_PARAMETERS else v) for k, v in theta.items()}
    np.testing.assert_allclose(
        inf.loglik_terms("motive", zero, d), inf.loglik_terms("rational", theta, d), rtol=1e-12
    )


def test_missing_parameter_is_an_error(citizen_data: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="score_value"):
        inf.loglik("rational", {"beta": 1.0, "trust": 0.5}, citizen_data)
    with pytest.raises(ValueError, match="model"):
        inf.fit("bayesian", citizen_data)


# --------------------------------------------------------------------------- recovery
def test_parameter_recovery(citizen_data: pd.DataFrame) -> None:
    """Each true value lies in its 95% Wald interval (n = 20 000, seed 11)."""
    truth = {"beta": 1.5, "trust": 0.6, "score_value": 0.3}
    data = simulate(citizen_data, truth, seed=11)
    result = inf.fit("rational", data, starts=3, seed=0)
    assert result.converged
    assert result.n_obs == 20_000 and result.n_params == 3
    for name, value in truth.items():
        low, high = result.ci()[name]
        assert low <= value <= high, (name, value, result.params[name], result.se[name])
        assert result.se[name] < 0.2 * max(value, 0.1)  # and the interval is informative
    assert result.aic == pytest.approx(6 - 2 * result.loglik)
    assert result.bic == pytest.approx(3 * np.log(20_000) - 2 * result.loglik)


def test_beta_interval_coverage(citizen_data: pd.DataFrame) -> None:
    """20 simulations (n = 5000 each): the 95% interval of β covers it ≥ 16 times.

    Under correct coverage P(fewer than 16 of 20) = 0.3%.
    """
    truth = {"beta": 1.5, "trust": 0.6, "score_value": 0.3}
    sample = citizen_data.sample(5000, random_state=0)
    sample.attrs = dict(citizen_data.attrs)
    covered = 0
    for seed in range(20):
        result = inf.fit("rational", simulate(sample, truth, seed=100 + seed), starts=2, seed=seed)
        low, high = result.ci()["beta"]
        covered += low <= truth["beta"] <= high
    assert covered >= 16, covered


# --------------------------------------------------------------------------- LR test
def _lr_p_value(shares: dict[str, float], seed: int) -> float:
    data = inf.choices_from_society(society(shares, 400, 20, seed=seed))
    rational = inf.fit("rational", data, starts=2, seed=seed)
    motive = inf.fit("motive", data, starts=0, seed=seed, init=rational.params)
    assert motive.loglik >= rational.loglik - 1e-6  # nested: never worse
    return inf.likelihood_ratio_test(rational, motive)[2]


def test_lr_test_calibration_and_power() -> None:
    """At 5%: rational data (HomoEconomicus) rarely reject, Citizen/Moralist data always.

    10 seeds each, 8000 choices per data set. Tolerance: at most 3 of 10 false rejections
    (the boundary-constrained χ² is conservative, so the expected rate is below 5%).
    """
    rational = [_lr_p_value({"HomoEconomicus": 1.0}, seed) for seed in range(10)]
    motive = [_lr_p_value({"Citizen": 0.5, "Moralist": 0.5}, seed) for seed in range(10)]
    false_rejections = sum(p < 0.05 for p in rational)
    print(f"LR p-values: rational data {np.round(rational, 3)}, motive data {motive}")
    print(
        f"LR rejection rate: rational data {false_rejections}/10, motive data "
        f"{sum(p < 0.05 for p in motive)}/10"
    )
    assert false_rejections <= 3, rational
    assert all(p < 0.05 for p in motive), motive


def test_likelihood_ratio_by_hand() -> None:
    small = inf.FitResult("rational", {}, -100.0, 3, 50, 0, 0, {}, True)
    big = inf.FitResult("motive", {}, -95.0, 5, 50, 0, 0, {}, True)
    statistic, df, p = inf.likelihood_ratio_test(small, big)
    assert (statistic, df) == (10.0, 2)
    assert p == pytest.approx(np.exp(-5.0), rel=1e-12)  # χ²₂ survival is exp(−x/2)
    with pytest.raises(ValueError):
        inf.likelihood_ratio_test(big, small)


# --------------------------------------------------------------------------- scores
def test_vuong_sign_and_value(citizen_data: pd.DataFrame) -> None:
    truth = {"beta": 1.5, "trust": 0.6, "score_value": 0.3}
    data = simulate(citizen_data.iloc[:2000], truth, seed=5)
    data.attrs = dict(citizen_data.attrs)
    good = inf.FitResult("rational", truth, 0.0, 3, len(data), 0, 0, {}, True)
    coin = inf.FitResult("rational", {**truth, "beta": 0.0}, 0.0, 3, len(data), 0, 0, {}, True)
    z, p = inf.vuong_test(data, good, coin)
    pa, y = inf.predict(good, data), data["cooperated"].to_numpy()
    m = log_probabilities(pa, y) - np.log(0.5)
    assert z == pytest.approx(np.sqrt(m.size) * m.mean() / m.std(ddof=1), rel=1e-9)
    assert z > 3 and p < 0.01
    z_swapped, p_swapped = inf.vuong_test(data, coin, good)
    assert z_swapped == pytest.approx(-z) and p_swapped == pytest.approx(p)


def test_scores_by_hand() -> None:
    p, y = np.array([0.8, 0.3, 0.5]), np.array([1, 0, 1])
    assert inf.log_loss(p, y) == pytest.approx(-(np.log(0.8) + np.log(0.7) + np.log(0.5)) / 3)
    assert inf.brier(p, y) == pytest.approx((0.04 + 0.09 + 0.25) / 3)
    assert inf.brier([1.0, 0.0], [1, 0]) == 0.0
    assert np.isfinite(inf.log_loss([0.0, 1.0], [1, 0]))  # clipped, not infinite


def test_predict_out_of_sample_scores_better_than_a_coin(citizen_data: pd.DataFrame) -> None:
    truth = {"beta": 1.5, "trust": 0.6, "score_value": 0.3}
    data = simulate(citizen_data, truth, seed=21)
    train, test = data[data["round"] < 14], data[data["round"] >= 14]
    train.attrs, test.attrs = dict(data.attrs), dict(data.attrs)
    result = inf.fit("rational", train, starts=2)
    p, y = inf.predict(result, test), test["cooperated"].to_numpy()
    assert inf.log_loss(p, y) < np.log(2) - 0.05
    assert inf.brier(p, y) < 0.25 - 0.02
