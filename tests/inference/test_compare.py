"""Maximum-likelihood tests of the rational model against the motive model (docs/model.md §7).

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
from sccgames.inference import compare as inf
from sccgames.model.decision import Context, Payoffs, State, motive_utilities, p_cooperate
from sccgames.model.profiles import (
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
    first = Profile().moral.initial_compliance  # before any move, the default belief
    compliance = np.where(moves > 0, history["partner_c"] / np.maximum(moves, 1), first)
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
    # history counts are counts: among strangers, those of the partners met before, each
    # discounted by 1 − φ per partner met since (RationalParams.forgetting = 0.1)
    met = (1 - 0.9 ** d["round"]) / 0.1
    np.testing.assert_allclose(d["partner_moves"], met, rtol=1e-5)
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
    theta |= {"sympathy": 0.2, "envy": 0.6, "guilt": 0.3, "esteem": 0.9, "habit": 0.0}
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
    with pytest.raises(ValueError, match="starts must be an integer >= 0"):
        inf.fit("rational", citizen_data, starts=-1)
    with pytest.raises(ValueError, match="screen must be an integer >= 1"):
        inf.fit("rational", citizen_data, screen=0)


def test_habit_is_the_societys_and_arbitrates_as_the_decision_rule() -> None:
    """The habit computed from the choice data is each citizen's own state (float64), and
    with a habit weight the motive model's P(C) is the decision rule's, arbitration included."""
    from sccgames.inference import likelihood as lk

    def build() -> scc.Society:
        return society({"Citizen": 1.0}, 150, 10, seed=4, matching="fixed", dtype=np.float64)

    data = inf.choices_from_society(build())
    run = build().stream()
    habits = []
    for rs in run:
        played = rs.partner >= 0 if rs.partner is not None else np.ones(rs.cooperated.size, bool)
        habits.append(np.broadcast_to(rs.state.habit, played.shape)[played])
    trace = lk.habit_trace(data)
    np.testing.assert_allclose(trace, np.concatenate(habits), rtol=0, atol=1e-12)
    assert "habit" in inf.parameter_names("motive", data)
    assert "habit" not in inf.parameter_names("motive", data.drop(columns=["round", "habit"]))
    np.testing.assert_array_equal(data["habit"], trace)  # carried, so a split keeps it

    theta = {"beta": 1.3, "trust": 0.4, "score_value": 0.2, "delta": 0.5, "norm": 1.5}
    theta |= {"warm_glow": 0.7, "sympathy": 0.2, "envy": 0.6, "guilt": 0.3, "esteem": 0.9}
    theta |= {"habit": 0.4}
    profile = replace(
        Profile(),
        beta=1.3,
        weights=Weights(rational=1.0, habit=0.4, moral=1.0, emotion=1.0, social=1.0),
        rational=RationalParams(trust=0.4, score_value=0.2, delta=0.5),
        emotion=EmotionParams(sympathy=0.2, envy=0.6, guilt=0.3, warm_glow=0.7),
        social=SocialParams(esteem=0.9, conformity=0.0, belonging=0.0),
        moral=MoralParams(norm=1.5),
    )
    state, context, payoffs = contexts_of(data)
    state = replace(state, norm=np.full(len(data), 1.5), habit=trace)
    expected = p_cooperate(profile, state, context, payoffs)
    np.testing.assert_allclose(lk.probability("motive", theta, data), expected, rtol=1e-12)
    y = data["cooperated"].to_numpy()
    np.testing.assert_allclose(
        inf.loglik_terms("motive", theta, data), log_probabilities(expected, y), rtol=1e-10
    )
    fitted = inf.FitResult("motive", theta, 0, 9, len(data), 0, 0, {}, True)
    np.testing.assert_allclose(inf.predict(fitted, data), expected, rtol=1e-12)


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
def _lr_p_values(shares: dict[str, float], seed: int) -> tuple[float, float]:
    """(χ², bootstrap with 19 draws) p-values of the LR test on 2000 choices."""
    data = inf.choices_from_society(society(shares, 100, 20, seed=seed))
    rational = inf.fit("rational", data, starts=2, seed=seed)
    motive = inf.fit("motive", data, starts=2, seed=seed, init=rational.params)
    assert motive.loglik >= rational.loglik - 1e-6  # nested: never worse
    chi2 = inf.likelihood_ratio_test(rational, motive)
    boot = inf.likelihood_ratio_test(rational, motive, data, draws=19, seed=seed)
    assert boot.statistic == chi2.statistic and boot.df == chi2.df
    return chi2.p_value, boot.p_value


def test_lr_test_size_and_power() -> None:
    """The bootstrap LR test holds its size on rational data and rejects mixed-motive data.

    20 data sets of purely rational citizens (HomoEconomicus): with 19 draws the Monte Carlo
    test rejects at 5% with probability exactly 0.05, so more than 4 rejections has
    probability 0.003; its p-values are uniform on {0.05, …, 1} (mean 0.525, standard error
    0.065 over 20), so a mean outside [0.3, 0.75] fails — as the χ² reference does (mean
    about 0.95: the boundary and collinear motive terms make χ² conservative). 5 mixed
    (Citizen/Moralist) data sets must all be rejected. README: benchmarks/calibration_lr.py
    runs the same with 100 data sets.
    """
    null = np.array([_lr_p_values({"HomoEconomicus": 1.0}, seed) for seed in range(20)])
    mixed = np.array([_lr_p_values({"Citizen": 0.5, "Moralist": 0.5}, seed) for seed in range(5)])
    print(
        f"LR size: bootstrap {np.sum(null[:, 1] <= 0.05)}/20, chi2 {np.sum(null[:, 0] <= 0.05)}/20"
    )
    print(
        f"LR mean p under the null: bootstrap {null[:, 1].mean():.3f}, chi2 {null[:, 0].mean():.3f}"
    )
    print(f"LR power: bootstrap {np.sum(mixed[:, 1] <= 0.05)}/5")
    assert np.sum(null[:, 1] <= 0.05) <= 4, null[:, 1]
    assert 0.3 <= null[:, 1].mean() <= 0.75, null[:, 1]
    assert null[:, 0].mean() > 0.75  # the χ² reference is conservative: why the bootstrap
    assert np.all(mixed[:, 1] <= 0.05), mixed


def test_lr_bootstrap_errors_and_determinism(citizen_data: pd.DataFrame) -> None:
    data = citizen_data.iloc[:1000].copy()
    data.attrs = dict(citizen_data.attrs)
    rational = inf.fit("rational", data, starts=1)
    motive = inf.fit("motive", data, starts=0, init=rational.params)
    first = inf.likelihood_ratio_test(rational, motive, data, draws=3, seed=4)
    assert first == inf.likelihood_ratio_test(rational, motive, data, draws=3, seed=4)
    assert first.p_value in {0.25, 0.5, 0.75, 1.0}
    with pytest.raises(ValueError, match="draws"):
        inf.likelihood_ratio_test(rational, motive, data, draws=0)
    other = inf.FitResult(
        "motive", {"beta": 1.0, "x": 1.0, "y": 2.0, "z": 0.0}, 0, 4, 1000, 0, 0, {}, True
    )
    with pytest.raises(ValueError, match="not nested"):
        inf.likelihood_ratio_test(rational, other)


def test_likelihood_ratio_by_hand() -> None:
    small = inf.FitResult("rational", {}, -100.0, 3, 50, 0, 0, {}, True)
    big = inf.FitResult("motive", {}, -95.0, 5, 50, 0, 0, {}, True)
    statistic, df, p = inf.likelihood_ratio_test(small, big)
    assert (statistic, df) == (10.0, 2)
    assert inf.likelihood_ratio_test(small, big).p_value == p
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
    # a difference at rounding level, all of one sign, is no evidence: equivalent models
    nudged = inf.FitResult(
        "rational", {**truth, "beta": 1.5 + 1e-9}, 0, 3, len(data), 0, 0, {}, True
    )
    assert inf.vuong_test(data, nudged, good) == (0.0, 1.0)
    assert inf.vuong_test(data, nudged, good, tolerance=0.0).z != 0.0  # what it would say
    with pytest.raises(ValueError, match="tolerance"):
        inf.vuong_test(data, good, coin, tolerance=-1.0)


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


# --------------------------------------------------------------------------- gradient
@pytest.mark.parametrize("model", inf.MODELS)
@pytest.mark.parametrize("draw", range(3))
def test_gradient_is_the_derivative(citizen_data: pd.DataFrame, model: str, draw: int) -> None:
    """The exact gradient agrees with central differences of the objective (random θ)."""
    from sccgames.inference import likelihood as lk

    data = citizen_data.iloc[:3000].copy()
    data.attrs = dict(citizen_data.attrs)
    names = inf.parameter_names(model, data)
    rng = np.random.default_rng(draw)
    theta = np.array([rng.uniform(*inf.START_BOX[k]) for k in names])
    f = lk.objective(names, data, model=model)
    value, gradient = f(theta)
    assert value == pytest.approx(
        -inf.loglik(model, dict(zip(names, theta, strict=True)), data) / 3000
    )
    h = 1e-6
    numeric = [(f(theta + h * e)[0] - f(theta - h * e)[0]) / (2 * h) for e in np.eye(len(names))]
    np.testing.assert_allclose(gradient, numeric, rtol=1e-5, atol=1e-8)


def test_gradient_across_kinks() -> None:
    """Fixed partners (δ; the shadow capped by the turns left) and a harm that changes sign."""
    from sccgames.inference import likelihood as lk

    data = inf.choices_from_society(society({"Citizen": 1.0}, 200, 8, seed=2, matching="fixed"))
    # defecting on a defector helps it here, so E[harm] changes sign as p̂ goes from 0 to 1
    data[["other_cc", "other_cd", "other_dc", "other_dd"]] = (3.0, -1.0, 0.0, 1.0)
    assert lk._prepare(data).design.moral_affine is None
    names = inf.parameter_names("motive", data)
    assert "delta" in names
    theta = np.array([1.2, 0.5, 0.3, 0.6, 0.8, 0.4, 0.3, 0.2, 0.1, 0.5, 0.3, 0.2][: len(names)])
    f = lk.objective(names, data)
    h = 1e-6
    numeric = [(f(theta + h * e)[0] - f(theta - h * e)[0]) / (2 * h) for e in np.eye(len(names))]
    np.testing.assert_allclose(f(theta)[1], numeric, rtol=1e-4, atol=1e-7)
    # the reputation model's δ discounts both the partner's future and the score's
    names = inf.parameter_names("reputation", data)
    assert names == ("beta", "trust", "delta")
    f = lk.objective(names, data, model="reputation")
    theta = np.array([1.2, 0.5, 0.7])
    numeric = [(f(theta + h * e)[0] - f(theta - h * e)[0]) / (2 * h) for e in np.eye(3)]
    np.testing.assert_allclose(f(theta)[1], numeric, rtol=1e-4, atol=1e-7)
    info = inf.information(names, theta, data, model="reputation")
    assert not np.allclose(info, inf.information(names, theta, data))  # λ is not 0


def test_information_is_the_curvature_at_the_optimum(citizen_data: pd.DataFrame) -> None:
    """Expected information ≈ observed (Hessian) at the MLE of correctly specified data."""
    truth = {"beta": 1.5, "trust": 0.6, "score_value": 0.3}
    data = simulate(citizen_data, truth, seed=3)
    result = inf.fit("rational", data, starts=1)
    names = tuple(result.params)
    theta = np.array(list(result.params.values()))
    info = inf.information(names, theta, data)
    from sccgames.inference import likelihood as lk

    f = lk.objective(names, data)
    observed = inf.gradient_hessian(lambda t: f(t)[1] * len(data), theta, np.arange(len(names)))
    np.testing.assert_allclose(info, observed, rtol=0.1, atol=1e-6 * np.abs(info).max())
    se = np.sqrt(np.diag(np.linalg.inv(info)))
    np.testing.assert_allclose(se, [result.se[k] for k in names], rtol=0.1)


def test_screening_finds_the_same_optimum(citizen_data: pd.DataFrame) -> None:
    """Starts screened on a subsample reach the optimum of starts run on all rows."""
    screened = inf.fit("motive", citizen_data, starts=4, seed=1, screen=3000)
    full = inf.fit("motive", citizen_data, starts=4, seed=1, screen=None)
    assert screened.loglik == pytest.approx(full.loglik, abs=1e-4)
    assert screened.converged


# --------------------------------------------------------------------------- bootstrap
def test_bootstrap_of_a_mean_matches_its_standard_error() -> None:
    """Resampling 400 independent subjects: the bootstrap SE of a mean is σ/√n within 15%."""
    rng = np.random.default_rng(0)
    data = pd.DataFrame(
        {"subject": np.repeat(np.arange(400), 5), "cooperated": rng.random(2000) < 0.3}
    )
    by_subject = data.groupby("subject")["cooperated"].mean()
    table = inf.bootstrap(data, lambda d: {"rate": d["cooperated"].mean()}, n_boot=300, seed=1)
    row = table.set_index("statistic").loc["rate"]
    assert row["estimate"] == pytest.approx(data["cooperated"].mean())
    assert row["se"] == pytest.approx(by_subject.std(ddof=1) / np.sqrt(400), rel=0.15)
    assert row["ci_low"] < row["estimate"] < row["ci_high"]
    assert list(table.columns) == ["statistic", "estimate", "se", "ci_low", "ci_high", "n_boot"]
    again = inf.bootstrap(data, lambda d: {"rate": d["cooperated"].mean()}, n_boot=300, seed=1)
    pd.testing.assert_frame_equal(table, again)


def test_bootstrap_relabels_clusters_and_checks_input() -> None:
    data = pd.DataFrame({"subject": [0, 0, 1], "cooperated": [True, False, True]})
    data.attrs["payoffs"] = "kept"
    seen = []

    def statistic(d: pd.DataFrame) -> dict[str, float]:
        seen.append((d.attrs.get("payoffs"), d.groupby("subject").size().tolist()))
        return {"n": float(len(d))}

    inf.bootstrap(data, statistic, n_boot=20, seed=0)
    assert all(attrs == "kept" for attrs, _ in seen)
    # a subject drawn twice is two subjects: group sizes are the original ones, 2 or 1
    assert all(set(sizes) <= {1, 2} for _, sizes in seen[1:])
    rows = inf.bootstrap(data, statistic, n_boot=5, cluster=None)
    assert rows["estimate"].iloc[0] == 3.0
    with pytest.raises(ValueError, match="n_boot"):
        inf.bootstrap(data, statistic, n_boot=1)
    with pytest.raises(ValueError, match="level"):
        inf.bootstrap(data, statistic, level=1.5)
    with pytest.raises(ValueError, match="centre"):
        inf.bootstrap(data, statistic, cluster="centre")


def test_maximize_with_function_values_only(citizen_data: pd.DataFrame) -> None:
    """Finite-difference gradients and the value Hessian reach the exact-gradient fit."""
    from sccgames.inference import likelihood as lk

    # rational choices, so that the fit is interior and its standard errors finite
    truth = {"beta": 1.5, "trust": 0.6, "score_value": 0.3}
    data = simulate(citizen_data.iloc[:4000], truth, seed=13)
    exact = inf.fit("rational", data, starts=1, seed=2)
    names = tuple(exact.params)
    d = lk._prepare(data)

    def mean_nll(theta: np.ndarray) -> float:
        return -inf.loglik("rational", dict(zip(names, theta, strict=True)), d) / d.n

    start = [np.array(list(exact.params.values())) * 0.8]
    bounds = [inf.BOUNDS[k] for k in names]
    numeric = inf.maximize("rational", names, mean_nll, start, bounds, d.n)
    assert numeric.loglik == pytest.approx(exact.loglik, abs=1e-3)
    assert any(np.isfinite(v) for v in exact.se.values())
    for name in names:
        assert numeric.se[name] == pytest.approx(exact.se[name], rel=0.05, nan_ok=True)
    with pytest.raises(ValueError, match="at least one start"):
        inf.maximize("rational", names, mean_nll, [], bounds, d.n)


def test_choices_from_match_are_the_agents_own_decisions() -> None:
    """Each row's P(C) under the motive model at the agent's own parameters is the P(C)
    the agent played with (a Citizen against tit-for-tat under social credit, with noise)."""
    import axelrod as axl

    def against_tit_for_tat(agent: scc.MotiveAgent, seed: int) -> scc.Match:
        return scc.Match(
            [agent, axl.TitForTat()],
            turns=60,
            regime=scc.SocialCredit(coverage={"work": 0.8, "home": 0.0}),
            domains={"work": 0.5, "home": 0.5},
            noise=0.05,
            seed=seed,
        )

    # a Citizen without conformity, which the motive model fixes at 0 (its pull χ (2ē − 1)
    # is not 0 at the default first belief ē₀)
    citizen = scc.Citizen().profile
    agent = scc.MotiveAgent(replace(citizen, social=replace(citizen.social, conformity=0.0)))
    match = against_tit_for_tat(agent, 3)
    data = inf.choices_from_match(match)
    assert len(data) == 60 and set(data["subject"]) == {0}
    played = [turn.p_cooperate[0] for turn in match._turns]
    profile = agent.profile
    assert profile.weights.rational == 1.0  # the motive model fixes w_R = 1
    w = profile.weights
    theta = {
        "beta": profile.beta,
        "trust": profile.rational.trust,
        "score_value": profile.rational.score_value,
        "delta": profile.rational.delta,
        "norm": w.moral * profile.moral.norm,
        "warm_glow": w.emotion * profile.emotion.warm_glow,
        "sympathy": w.emotion * profile.emotion.sympathy,
        "envy": w.emotion * profile.emotion.envy,
        "guilt": w.emotion * profile.emotion.guilt,
        "esteem": w.social * profile.social.esteem,
        "habit": w.habit,
    }
    names = inf.parameter_names("motive", data)
    from sccgames.inference import likelihood as lk

    p = lk.probability("motive", {k: theta[k] for k in names}, data)
    # the motive model leaves out conformity, belonging, anger and the norm's dynamics
    # (latent states); at the start they have not moved, so the first turn must agree
    assert p[0] == pytest.approx(played[0], rel=1e-9)
    # a purely rational agent has none of them: every turn agrees
    calculator = scc.HomoEconomicus()
    match = against_tit_for_tat(calculator, 4)
    data = inf.choices_from_match(match)
    r = calculator.profile.rational
    params = {"beta": calculator.profile.beta, "trust": r.trust, "score_value": r.score_value}
    params["delta"] = r.delta
    p = lk.probability("rational", params, data)
    np.testing.assert_allclose(p, [turn.p_cooperate[0] for turn in match._turns], rtol=1e-9)
    with pytest.raises(ValueError, match="MotiveAgent"):
        inf.choices_from_match(scc.Match([axl.TitForTat(), axl.Defector()], turns=3, seed=1))


def test_choices_from_the_tournament_batch_kernel() -> None:
    """The batch kernel's choice data: a purely rational agent's P(C) is the rational
    model's at its own parameters in every row; seats are subjects; axelrod is history."""
    import axelrod as axl

    from sccgames.inference import likelihood as lk

    calculators = [scc.HomoEconomicus() for _ in range(3)]
    opponents = [axl.TitForTat(), scc.Citizen(), axl.Random()]
    regime = scc.SocialCredit(coverage={"work": 0.8, "home": 0.0})
    args = (calculators, opponents, 40, regime, None, {"work": 0.5, "home": 0.5}, 0.05, 7)
    data = inf.choices_from_batch(*args)
    assert sorted(set(data["subject"])) == [0, 1, 2, 4]  # the Citizen sits at 3 + 1
    assert len(data) == 4 * 40
    _, trace = scc.batch.play_batch(*args, trace=True)
    r = calculators[0].profile.rational
    params = {"beta": calculators[0].profile.beta, "trust": r.trust, "score_value": r.score_value}
    params["delta"] = r.delta
    rational = data["type"] == calculators[0].name
    p = lk.probability("rational", params, data[rational])
    expected = trace.p_cooperate[data["round"][rational], data["subject"][rational]]
    np.testing.assert_allclose(p, expected, rtol=1e-9)
    with pytest.raises(ValueError, match="MotiveAgent"):
        inf.choices_from_batch([axl.TitForTat()], [axl.Defector()], 3)


# --------------------------------------------------------------------------- a game per row
def test_row_payoffs_columns_attrs_and_stakes() -> None:
    """Columns win over attrs, an empty row takes attrs, stakes multiply; one game is 2×2."""
    from sccgames.inference import likelihood as lk

    pd_game = (((3.0, 0.0), (5.0, 1.0)), ((3.0, 5.0), (0.0, 1.0)))
    data = pd.DataFrame({"cooperated": [True, False, True]})
    data.attrs["payoffs"] = pd_game
    own, other = lk.row_payoffs(data)
    assert own.shape == other.shape == (2, 2)  # one game: the motive math runs on numbers
    np.testing.assert_array_equal(own, pd_game[0])
    data["stakes"] = [1.0, 2.0, 7.0]
    own, other = lk.row_payoffs(data)
    assert own.shape == (2, 2, 3)
    np.testing.assert_array_equal(own[1][0], [5.0, 10.0, 35.0])  # T × stakes
    np.testing.assert_array_equal(other[0][1], [5.0, 10.0, 35.0])
    cells = np.array([[4.0, 0.0, 6.0, 1.0, 4.0, 6.0, 0.0, 1.0]] * 3)
    cells[1] = np.nan  # row 2 has no game of its own: attrs give it
    data[list(lk.PAYOFF_COLUMNS)] = cells
    own, other = lk.row_payoffs(data)
    np.testing.assert_array_equal(own[0][0], [4.0, 6.0, 28.0])  # R: columns, attrs, columns
    np.testing.assert_array_equal(other[1][1], [1.0, 2.0, 7.0])  # P
    with pytest.raises(ValueError, match=r"data row 2 has no payoffs"):
        lk.row_payoffs(_no_attrs(data.copy()))
    with pytest.raises(ValueError, match=r"data row 1: payoff column\(s\) \['own_dd'\] are empty"):
        lk.row_payoffs(data.assign(own_dd=[np.nan, np.nan, 1.0]))
    with pytest.raises(ValueError, match=r"need all of .*missing \['other_dd'\]"):
        lk.row_payoffs(data.drop(columns=["other_dd"]))
    with pytest.raises(ValueError, match=r"the columns \['own_cc'.* or data.attrs"):
        lk.row_payoffs(_no_attrs(pd.DataFrame({"cooperated": [True]})))
    with pytest.raises(ValueError, match=r'attrs\["payoffs"\] must be \(own, other\), two 2×2'):
        ragged = pd.DataFrame({"cooperated": [True]})
        ragged.attrs["payoffs"] = ((1, 2), (3,))
        lk.row_payoffs(ragged)
    with pytest.raises(ValueError, match=r"data row 3, column 'own_cc': inf is outside"):
        lk.check_choice_columns(data.assign(own_cc=[1.0, np.nan, np.inf]))
    with pytest.raises(ValueError, match=r"data row 1, column 'stakes': -1.0 is outside"):
        lk.check_choice_columns(data.assign(stakes=-1.0))


def _no_attrs(data: pd.DataFrame) -> pd.DataFrame:
    data.attrs = {}
    return data


def _per_row(data: pd.DataFrame, seed: int) -> pd.DataFrame:
    """``data`` with stakes 1, 2 or 7 per row and, in some rows, a partner's payoff that
    makes E[harm] change sign on [0, 1] (the norm's kink)."""
    rng = np.random.default_rng(seed)
    out = data.copy()
    out["stakes"] = rng.choice([1.0, 2.0, 7.0], len(out))
    out.loc[rng.random(len(out)) < 0.3, "other_cd"] = -1.0
    return out


@pytest.mark.parametrize("model", inf.MODELS)
def test_a_game_per_row_is_each_rows_own_game(citizen_data: pd.DataFrame, model: str) -> None:
    """Every row's log-likelihood is the one its game gives on its own, to 1e-12."""
    data = _per_row(citizen_data.iloc[:4000], seed=5)
    theta = {"beta": 0.9, "trust": 0.5, "score_value": 0.3, "delta": 0.4, "norm": 1.2}
    theta |= {"warm_glow": 0.3, "sympathy": 0.4, "envy": 0.5, "guilt": 0.2, "esteem": 0.6}
    theta |= {"habit": 0.3, "prior_strength": 3.0}
    terms = inf.loglik_terms(model, theta, data)
    games = data.groupby(["stakes", "other_cd"]).groups
    assert len(games) == 6
    for (stakes, other_cd), rows in games.items():
        alone = data.loc[rows].drop(columns=[*inf.PAYOFF_COLUMNS, "stakes"])
        own = np.array([[3.0, 0.0], [5.0, 1.0]]) * stakes
        other = np.array([[3.0, other_cd], [0.0, 1.0]]) * stakes
        alone.attrs = {"payoffs": (own.tolist(), other.tolist())}
        expected = inf.loglik_terms(model, theta, alone)
        np.testing.assert_allclose(terms[data.index.get_indexer(rows)], expected, rtol=1e-12)


@pytest.mark.parametrize("model", inf.MODELS)
@pytest.mark.parametrize("draw", range(2))
def test_gradient_with_a_game_per_row(citizen_data: pd.DataFrame, model: str, draw: int) -> None:
    """The exact gradient agrees with central differences when the game varies by row."""
    from sccgames.inference import likelihood as lk

    data = _per_row(citizen_data.iloc[:3000], seed=draw)
    d = lk._prepare(data)
    assert d.own.shape == (2, 2, 3000) and d.design.moral_affine is None
    names = inf.parameter_names(model, data)
    rng = np.random.default_rng(10 + draw)
    theta = np.array([rng.uniform(*inf.START_BOX[k]) for k in names])
    f = lk.objective(names, data)
    h = 1e-6
    numeric = [(f(theta + h * e)[0] - f(theta - h * e)[0]) / (2 * h) for e in np.eye(len(names))]
    np.testing.assert_allclose(f(theta)[1], numeric, rtol=1e-5, atol=1e-8)
    info = inf.information(names, theta, data)
    assert info.shape == (len(names), len(names)) and np.all(np.isfinite(info))


def test_gradient_with_a_game_per_row_and_a_future() -> None:
    """Fixed partners (δ's shadow of the future scales with each row's game) and habit."""
    from sccgames.inference import likelihood as lk

    fixed = society({"Citizen": 1.0}, 200, 8, seed=2, matching="fixed")
    data = _per_row(inf.choices_from_society(fixed), seed=4)
    names = inf.parameter_names("motive", data)
    assert {"delta", "habit"} <= set(names)
    theta = np.array([1.2, 0.5, 0.3, 0.6, 0.8, 0.4, 0.3, 0.2, 0.1, 0.5, 0.3, 0.2][: len(names)])
    f = lk.objective(names, data)
    h = 1e-6
    numeric = [(f(theta + h * e)[0] - f(theta - h * e)[0]) / (2 * h) for e in np.eye(len(names))]
    np.testing.assert_allclose(f(theta)[1], numeric, rtol=1e-4, atol=1e-7)


def test_concatenated_conditions_fit_jointly() -> None:
    """Two stake levels simulated apart and concatenated: the joint log-likelihood is the
    sum of the two, at any parameters, for both models, and the joint fit runs."""
    pd1, pd3 = (scc.prisoners_dilemma(3 * k, 0, 5 * k, k) for k in (1, 3))
    a = inf.choices_from_society(society({"Citizen": 1.0}, 200, 6, seed=1, game=pd1))
    b = inf.choices_from_society(society({"Citizen": 1.0}, 200, 6, seed=2, game=pd3))
    assert a.attrs["payoffs"] != b.attrs["payoffs"]
    both = pd.concat([a, b], ignore_index=True)
    assert "payoffs" not in both.attrs  # pandas drops attrs that differ: the columns carry it
    theta = {"beta": 0.8, "trust": 0.5, "score_value": 0.3, "norm": 1.1, "warm_glow": 0.2}
    theta |= {
        "sympathy": 0.3,
        "envy": 0.4,
        "guilt": 0.1,
        "esteem": 0.5,
        "habit": 0.2,
        "prior_strength": 4.0,
        "delta": 0.6,
    }
    for model in inf.MODELS:
        joint = inf.loglik(model, theta, both)
        assert joint == pytest.approx(inf.loglik(model, theta, a) + inf.loglik(model, theta, b))
    fitted = inf.fit("rational", both, starts=1)
    assert fitted.n_obs == len(a) + len(b) and fitted.converged


# --------------------------------------------------------------------------- the learning rival
@pytest.mark.parametrize("strength", [0.3, 7.0])
def test_learning_likelihood_is_the_decision_rule_of_a_learner(strength: float) -> None:
    """log L of the learning model = Σ log P of the decision rule for a rational agent whose
    prior is worth ``strength`` observed moves (to 1e-9): the agent simulates, the same code
    fits."""
    data = inf.choices_from_society(
        society({"Citizen": 0.5, "HomoEconomicus": 0.5}, 300, 12, seed=3, matching="fixed")
    )
    params = {"beta": 1.7, "trust": 0.6, "score_value": 0.3, "delta": 0.8}
    profile = replace(
        Profile(),
        beta=1.7,
        weights=Weights(1.0, 0.0, 0.0, 0.0, 0.0),
        rational=RationalParams(trust=0.6, score_value=0.3, delta=0.8, prior_strength=strength),
    )
    state, context, payoffs = contexts_of(data)
    y = data["cooperated"].to_numpy()
    expected = log_probabilities(p_cooperate(profile, state, context, payoffs), y)
    got = inf.loglik_terms("learning", params | {"prior_strength": strength}, data)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=0)
    assert inf.parameter_names("learning", data) == (
        *inf.parameter_names("rational", data),
        "prior_strength",
    )


def test_learning_nests_the_static_model_at_the_profiles_prior_strength(
    citizen_data: pd.DataFrame,
) -> None:
    theta = {"beta": 1.3, "trust": 0.4, "score_value": 0.2}
    k = Profile().rational.prior_strength
    np.testing.assert_allclose(
        inf.loglik_terms("learning", theta | {"prior_strength": k}, citizen_data),
        inf.loglik_terms("rational", theta, citizen_data),
        rtol=1e-12,
    )
    assert not np.allclose(
        inf.loglik_terms("learning", theta | {"prior_strength": 0.5}, citizen_data),
        inf.loglik_terms("rational", theta, citizen_data),
    )
    one_shot = citizen_data[citizen_data["round"] == 0].copy()
    one_shot.attrs = dict(citizen_data.attrs)
    assert "prior_strength" not in inf.parameter_names("learning", one_shot)  # nothing seen


def test_learning_recovery(citizen_data: pd.DataFrame) -> None:
    """Data from a learner whose prior is worth 0.3 moves: each true value in its 95% Wald
    interval (n = 20 000, seed 13). Which model such data choose: test_selection.py."""
    truth = {"beta": 1.5, "trust": 0.6, "score_value": 0.3, "prior_strength": 0.3}
    law = inf.FitResult("learning", truth, 0.0, 4, len(citizen_data), 0, 0, {}, True)
    data = citizen_data.copy()
    rng = np.random.default_rng(13)
    data["cooperated"] = rng.random(len(data)) < inf.predict(law, citizen_data)
    data.attrs = dict(citizen_data.attrs)
    static = inf.fit("rational", data, starts=2, seed=0)
    result = inf.fit("learning", data, starts=2, seed=0, init=static.params)
    assert result.converged and result.n_params == 4
    for name, value in truth.items():
        low, high = result.ci()[name]
        assert low <= value <= high, (name, value, result.params[name], result.se[name])
    assert result.loglik >= static.loglik


# --------------------------------------------------------------------------- reputation
def _two_regimes(**kw) -> pd.DataFrame:
    """A Citizen society under the default social credit and under a harsher, faster-fading
    one (a blacklist costing 4, forgiveness 0.2) beside a community that judges by
    standing, concatenated."""
    harsh = scc.Schedule(
        {
            0: scc.NoRegime(),
            5: scc.Combined(
                scc.SocialCredit(
                    coverage={"work": 0.8, "home": 0.3}, blacklist_cost=4.0, score_decay=0.2
                ),
                scc.CommunityReputation(visibility=0.6, error=0.1),
            ),
        }
    )
    a = inf.choices_from_society(society({"Citizen": 1.0}, 300, 12, seed=3, **kw))
    b = inf.choices_from_society(society({"Citizen": 1.0}, 300, 12, seed=4, regime=harsh, **kw))
    data = pd.concat([a, b], ignore_index=True)
    data.attrs = dict(a.attrs)
    return data


@pytest.mark.parametrize("matching", ["random", "fixed"])
def test_reputation_likelihood_is_the_decision_rule_of_a_reputation_aware_agent(
    matching: str,
) -> None:
    """log L of the reputation model = Σ log P of the decision rule of a rational agent
    with λ₀ = 0 and reputation 1 (to 1e-9), strangers (δ discounts the score and the
    standing) and fixed partners (δ discounts every future): the agent simulates, the same
    code fits."""
    data = _two_regimes(matching=matching)
    assert (data["standing_stake"] != 0).any()
    params = {"beta": 1.7, "trust": 0.6, "delta": 0.8}
    profile = replace(
        Profile(),
        beta=1.7,
        weights=Weights(1.0, 0.0, 0.0, 0.0, 0.0),
        rational=RationalParams(trust=0.6, score_value=0.0, delta=0.8, reputation=1.0),
    )
    state, context, payoffs = contexts_of(data)
    y = data["cooperated"].to_numpy()
    expected = log_probabilities(p_cooperate(profile, state, context, payoffs), y)
    np.testing.assert_allclose(
        inf.loglik_terms("reputation", params, data), expected, rtol=1e-9, atol=0
    )
    assert inf.parameter_names("reputation", data) == ("beta", "trust", "delta")


def test_reputation_model_is_the_static_one_where_a_score_buys_nothing() -> None:
    """No regime: no score, no λ; the reputation model is the static model at λ = 0 and, for
    strangers, has no δ to fit."""
    data = inf.choices_from_society(society({"Citizen": 1.0}, 200, 6, seed=5, regime=None))
    assert inf.parameter_names("reputation", data) == ("beta", "trust")
    theta = {"beta": 1.3, "trust": 0.4}
    np.testing.assert_allclose(
        inf.loglik_terms("reputation", theta, data),
        inf.loglik_terms("rational", theta | {"score_value": 0.0}, data),
        rtol=1e-12,
    )
    # under one regime it is the static model at λ = F(δ) V: the same likelihood
    one = inf.choices_from_society(society({"Citizen": 1.0}, 200, 10, seed=5))
    from sccgames.inference import likelihood as lk

    d = lk._prepare(one)
    watched = d.context.coverage * (1 - d.context.false_positive - d.context.false_negative) > 0
    worth = np.unique(d.worth[watched])
    assert worth.size == 1
    lam = 0.7 / (1 - 0.7 * 0.99) * worth[0]
    np.testing.assert_allclose(
        inf.loglik_terms("reputation", theta | {"delta": 0.7}, one),
        inf.loglik_terms("rational", theta | {"score_value": lam}, one),
        rtol=1e-9,
    )
