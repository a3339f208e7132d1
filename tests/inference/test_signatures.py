"""Signature tests (issue 6): hand computations, errors, invariants, size, power, published data.

Statistical claims use fixed seeds and state their tolerance; claims about rejection rates
are counted over many seeds, never read off one random stream.
"""

import inspect
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import sccgames as scc
from sccgames.inference import findings, signatures
from sccgames.inference.compare import choices_from_society
from sccgames.inference.signatures import (
    NO_REASON_COLUMNS,
    cooperation_without_reason,
    money_effect,
    no_return,
    sanction_drop,
    to_frame,
)

ALPHA = 0.05


def unwatched(cooperated, **columns):
    """Choices with no material reason to cooperate, unless ``columns`` says otherwise."""
    n = len(cooperated)
    context = {name: np.zeros(n) for name in NO_REASON_COLUMNS}
    context.update({k: np.broadcast_to(v, (n,)) for k, v in columns.items()})
    return pd.DataFrame({"cooperated": np.asarray(cooperated, bool), **context})


def phased(*phases, subjects=None):
    """One row per choice: phase k (a ``(cooperations, choices)`` pair) is ``round`` k."""
    rows = []
    for k, (c, n) in enumerate(phases):
        rows.append(pd.DataFrame({"round": k, "cooperated": np.arange(n) < c}))
    data = pd.concat(rows, ignore_index=True)
    if subjects is not None:
        data["subject"] = subjects
    return data


def clustered(before, later):
    """Counts data: cluster i has rate ``before[i]`` in round 0 and ``later[i]`` in round 1."""
    k = len(before)
    rates = np.r_[before, later]
    return pd.DataFrame(
        {
            "subject": np.tile(np.arange(k), 2),
            "round": np.repeat([0, 1], k),
            "trials": 100,
            "defections": np.round(100 * (1 - rates)).astype(int),
        }
    )


# --------------------------------------------------------------------------- by hand
def test_binomial_p_value_by_hand_and_only_rows_without_reason():
    data = unwatched([True] * 8 + [False] * 2)
    test = cooperation_without_reason(data)
    assert test.p_value == pytest.approx((45 + 10 + 1) / 1024, rel=1e-12)
    assert (test.statistic, test.n, test.estimate["rate"]) == (8, 10, 0.8)
    # cooperation with a reason is not counted: a future, an incentive, an audience, peers
    reasons = [
        {"remaining": 3.0},
        {"coverage": 1.0, "fine": 1.0},
        {"coverage": 0.5, "score_up": 1.0},
        {"visibility": 0.5},
        {"peer_sanction": 1.0},
    ]
    more = pd.concat([data, *(unwatched([True] * 5, **r) for r in reasons)], ignore_index=True)
    assert cooperation_without_reason(more).p_value == test.p_value
    # an incentive nobody can see (coverage 0) is no reason
    blind = unwatched([True] * 8 + [False] * 2, fine=5.0, reward=1.0)
    assert cooperation_without_reason(blind).p_value == test.p_value
    # a tremble-rate null: P(X >= 8 | 10, 0.1)
    hand = sum(math.comb(10, k) * 0.1**k * 0.9 ** (10 - k) for k in range(8, 11))
    assert cooperation_without_reason(data, null=0.1).p_value == pytest.approx(hand, rel=1e-9)
    # counts work the same way
    counts = (
        unwatched([False, False])
        .drop(columns="cooperated")
        .assign(trials=[6, 4], defections=[1, 1])
    )
    assert cooperation_without_reason(counts).p_value == pytest.approx(test.p_value, rel=1e-12)


def test_two_proportion_z_by_hand():
    data = phased((60, 100), (40, 100))
    test = sanction_drop(data, data["round"].eq(0).to_numpy(), (1, 2))
    z = (0.4 - 0.6) / math.sqrt(0.5 * 0.5 * (1 / 100 + 1 / 100))
    assert test.statistic == pytest.approx(z, rel=1e-12)
    assert test.p_value == pytest.approx(stats.norm.cdf(z), rel=1e-12)
    assert test.p_value == pytest.approx(0.0023389, abs=1e-6)
    assert dict(test.estimate) == pytest.approx(
        {"rate_before": 0.6, "rate_during": 0.4, "difference": -0.2}
    )
    assert test.method.startswith("two-proportion z") and test.n == 200 and test.clusters == 0
    after = no_return(phased((60, 100), (0, 0), (40, 100)), range(0, 1), range(2, 3))
    assert after.p_value == test.p_value and after.estimate["rate_after"] == 0.4


def test_small_counts_use_fishers_exact_test_by_hand():
    test = sanction_drop(phased((4, 5), (1, 5)), (0, 1), (1, 2))
    # 5 cooperations among 10 choices, 5 of them in the second phase: P(X <= 1)
    hand = (math.comb(5, 0) * math.comb(5, 5) + math.comb(5, 1) * math.comb(5, 4)) / math.comb(
        10, 5
    )
    assert test.p_value == pytest.approx(hand, rel=1e-12)
    assert test.method.startswith("Fisher")
    assert test.statistic == pytest.approx((1 * 1) / (4 * 4))  # odds ratio, phase 2 : phase 1
    # no variation at all: no evidence
    assert sanction_drop(phased((0, 50), (0, 50)), (0, 1), (1, 2)).p_value == 1.0


def test_cluster_wilcoxon_by_hand():
    # 5 clusters, differences -0.1, -0.2, -0.3, +0.4, -0.5: ranks 1..5, W+ = 4; the exact
    # null distribution of W+ puts 7 of the 32 sign patterns at W+ <= 4
    data = clustered([0.5] * 5, [0.4, 0.3, 0.2, 0.9, 0.0])
    test = sanction_drop(data, (0, 1), (1, 2), cluster="subject")
    assert test.statistic == 4 and test.p_value == pytest.approx(7 / 32, rel=1e-12)
    assert (test.cluster, test.clusters, test.n) == ("subject", 5, 1000)
    assert test.estimate["difference"] == pytest.approx(-0.14)
    # six clusters that all fall: 1 / 2**6, the smallest p-value six clusters can give
    six = clustered([0.5] * 6, [0.4, 0.3, 0.2, 0.1, 0.05, 0.0])
    assert no_return(six, (0, 1), (1, 2), "subject").p_value == pytest.approx(1 / 64)
    # clusters without choices in both phases are left out; all ties give p = 1
    one_sided = pd.concat([six, clustered([0.5], [0.5]).iloc[:1].assign(subject=99)])
    assert sanction_drop(one_sided, (0, 1), (1, 2), "subject").clusters == 6
    assert sanction_drop(clustered([0.3] * 4, [0.3] * 4), (0, 1), (1, 2), "subject").p_value == 1


def test_cochran_armitage_trend_by_hand():
    counts = pd.DataFrame({"money": [0, 1, 2], "trials": 10, "defections": [8, 5, 2]})
    test = money_effect(counts)
    # N = 30, p = 1/2, mean money 1: T = -2 + 8 = 6, S_xx = 20, Z = 6 / sqrt(5)
    assert test.statistic == pytest.approx(6 / math.sqrt(5), rel=1e-12)
    assert test.p_value == pytest.approx(stats.norm.sf(6 / math.sqrt(5)), rel=1e-12)
    assert dict(test.estimate) == pytest.approx(
        {"slope": 0.3, "rate_least_money": 0.2, "rate_most_money": 0.8}
    )
    # the same as one row per choice
    rows = pd.DataFrame(
        {
            "wallet": np.repeat([0, 1, 2], 10),
            "cooperated": np.r_[np.arange(10) < 2, np.arange(10) < 5, np.arange(10) < 8],
        }
    )
    assert money_effect(rows, "wallet").statistic == pytest.approx(test.statistic, rel=1e-12)
    # fewer returns with more money: no evidence for the signature
    assert money_effect(counts.assign(money=[2, 1, 0])).p_value > 0.99
    # no variation in the outcome: Z = 0 and p = 1
    flat = money_effect(counts.assign(defections=10))
    assert (flat.statistic, flat.p_value) == (0.0, 1.0)


def test_to_frame_is_one_row_per_test_with_named_columns():
    data = phased((60, 100), (40, 100), (30, 100))
    tests = [
        sanction_drop(data, (0, 1), (1, 2)),
        no_return(data, (0, 1), (2, 3), cluster=None),
        cooperation_without_reason(unwatched([True, False])),
    ]
    frame = to_frame(tests)
    assert len(frame) == 3
    assert list(frame.columns[:11]) == [
        "name",
        "method",
        "statistic",
        "p_value",
        "n",
        "alternative",
        "rational",
        "description",
        "cluster",
        "clusters",
        "rate_before",
    ]
    assert frame["rate_after"].isna().tolist() == [True, False, True]
    assert frame.loc[2, "rate"] == 0.5
    assert list(to_frame([]).columns) == list(frame.columns[:10])
    assert isinstance(hash(tests[0]), int)  # frozen, hashable; estimates read-only
    with pytest.raises(TypeError):
        tests[0].estimate["rate_before"] = 1.0  # type: ignore[index]


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: cooperation_without_reason([1, 0]), "needs a pandas DataFrame"),
        (
            lambda: cooperation_without_reason(pd.DataFrame({"cooperated": [True]})),
            r"needs column\(s\) \['remaining', 'coverage'",
        ),
        (lambda: cooperation_without_reason(unwatched([True]), null=0.7), r"in \[0, 0.5\]"),
        (lambda: cooperation_without_reason(unwatched([True], remaining=2.0)), "remaining == 0"),
        (
            lambda: cooperation_without_reason(unwatched([True]).drop(columns="cooperated")),
            "needs a bool 'cooperated' column .* or 'trials' and 'defections'",
        ),
        (
            lambda: cooperation_without_reason(unwatched([True]).assign(cooperated=2)),
            "'cooperated' must be bool",
        ),
        (lambda: sanction_drop(phased((1, 2)), (0, 1), (5, 9)), r"during selects no rows"),
        (
            lambda: sanction_drop(phased((1, 2), (1, 2)), [True, False], (1, 2)),
            r"before must be a boolean mask .*shape \(2,\) for 4 rows",
        ),
        (
            lambda: sanction_drop(phased((1, 2), (1, 2)), np.arange(4), (1, 2)),
            "dtype int64",
        ),
        (lambda: sanction_drop(phased((1, 2)), (0, 1, 2), (1, 2)), r"a \(start, stop\) of 'round'"),
        (
            lambda: sanction_drop(phased((1, 2)), range(0, 4, 2), (1, 2)),
            r"\(step 1\), got range\(0, 4, 2\)",
        ),
        (lambda: sanction_drop(phased((1, 2), (1, 2)), (0, 2), (1, 2)), "overlap"),
        (
            lambda: sanction_drop(phased((1, 2), (1, 2)).drop(columns="round"), (0, 1), (1, 2)),
            r"range of rounds\) needs column\(s\) \['round'\]",
        ),
        (
            lambda: sanction_drop(phased((1, 2), (1, 2)), (0, 1), (1, 2), cluster="centre"),
            r"cluster='centre' needs column\(s\) \['centre'\]",
        ),
        (
            lambda: no_return(
                phased((1, 2), (1, 2), subjects=[0, 0, 1, 1]), (0, 1), (1, 2), "subject"
            ),
            "no 'subject' has choices in both before and after",
        ),
        (
            lambda: sanction_drop(
                clustered([0.5], [0.5]).assign(trials=[0, 5], defections=[0, 2]), (0, 1), (1, 2)
            ),
            "a phase has no choices",
        ),
        (
            lambda: sanction_drop(
                clustered([0.5], [0.5]).assign(defections=[101, 0]), (0, 1), (1, 2)
            ),
            "0 <= defections <= trials",
        ),
        (lambda: money_effect(phased((1, 2))), r"needs column\(s\) \['money'\]"),
        (lambda: money_effect(phased((1, 2)).assign(money=3.0)), "at least two distinct"),
        (lambda: money_effect(phased((1, 2)).assign(money=[1, np.inf])), "finite amounts"),
    ],
)
def test_bad_input_gets_one_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_one_shot_test_refuses_a_game_where_cooperating_can_pay():
    stag = choices_from_society(scc.Society(50, 1, game="stag_hunt", seed=1))
    with pytest.raises(ValueError, match="defection must strictly pay"):
        cooperation_without_reason(stag)
    pd_data = choices_from_society(scc.Society(50, 1, seed=1))
    assert 0 <= cooperation_without_reason(pd_data).p_value <= 1
    wallet = choices_from_society(scc.Society(50, 1, game=scc.LostWallet(money=1.0), seed=1))
    assert 0 <= cooperation_without_reason(wallet).p_value <= 1
    # a game per row (concatenated conditions): every row's game is checked
    both = pd.concat([pd_data, stag], ignore_index=True)
    with pytest.raises(ValueError, match=f"in data row {len(pd_data) + 1} the chooser's payoffs"):
        cooperation_without_reason(both)
    wallets = pd.concat([pd_data, wallet], ignore_index=True)
    assert 0 <= cooperation_without_reason(wallets).p_value <= 1


# --------------------------------------------------------------------------- invariants
@st.composite
def two_phases(draw):
    n = [draw(st.integers(1, 60)), draw(st.integers(1, 60))]
    x = [draw(st.integers(0, n[0])), draw(st.integers(0, n[1]))]
    return phased((x[0], n[0]), (x[1], n[1]))


@given(data=two_phases())
def test_phase_tests_give_probabilities_and_swapping_phases_flips_the_direction(data):
    forward = sanction_drop(data, (0, 1), (1, 2))
    backward = sanction_drop(data, (1, 2), (0, 1))
    assert 0 <= forward.p_value <= 1 and 0 <= backward.p_value <= 1
    assert forward.estimate["difference"] == -backward.estimate["difference"]
    # one-sided p-values of opposite alternatives: they sum to 1 (z test) or to 1 plus the
    # probability of the observed table (Fisher), so at most one of them is below 1/2
    assert forward.p_value + backward.p_value >= 1 - 1e-9
    if forward.method.startswith("two-proportion"):
        assert forward.statistic == pytest.approx(-backward.statistic)
        assert forward.p_value + backward.p_value == pytest.approx(1.0)
    assert no_return(data, (0, 1), (1, 2)).p_value == forward.p_value


@settings(max_examples=30)  # scipy's exact Wilcoxon enumerates sign patterns when tied
@given(rates=st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=8))
def test_cluster_test_gives_probabilities_and_flips_with_the_phases(rates):
    before, later = np.array(rates).T
    data = clustered(before, later)
    forward = sanction_drop(data, (0, 1), (1, 2), "subject")
    backward = sanction_drop(data, (1, 2), (0, 1), "subject")
    assert 0 <= forward.p_value <= 1 and 0 <= backward.p_value <= 1
    assert forward.p_value + backward.p_value >= 1 - 1e-9


@given(
    counts=st.lists(st.tuples(st.integers(1, 40), st.floats(0, 1)), min_size=2, max_size=6),
    scale=st.floats(1e-3, 1e3),
    shift=st.floats(-1e3, 1e3),
)
def test_trend_test_is_invariant_to_rescaling_money(counts, scale, shift):
    trials = np.array([n for n, _ in counts])
    data = pd.DataFrame(
        {
            "money": np.arange(len(counts), dtype=float),
            "trials": trials,
            "defections": np.round(trials * np.array([r for _, r in counts])).astype(int),
        }
    )
    test = money_effect(data)
    moved = money_effect(data.assign(money=shift + scale * data["money"]))
    assert 0 <= test.p_value <= 1
    assert moved.statistic == pytest.approx(test.statistic, rel=1e-6, abs=1e-6)
    assert moved.p_value == pytest.approx(test.p_value, rel=1e-6, abs=1e-9)
    # the slope is per unit of money, so its rounding error is too: 1e-9 per original unit
    assert moved.estimate["slope"] == pytest.approx(
        test.estimate["slope"] / scale, rel=1e-6, abs=1e-9 / scale
    )


@given(k=st.integers(0, 30), n=st.integers(1, 30), null=st.floats(0.0, 0.5))
def test_binomial_test_gives_probabilities(k, n, null):
    data = unwatched(np.arange(n) < min(k, n))
    assert 0 <= cooperation_without_reason(data, null=null).p_value <= 1


# --------------------------------------------------------------------------- size
def test_every_test_rejects_a_true_null_at_about_the_nominal_rate():
    """Choices drawn with the same P(C) in both phases (or at every amount), 300 times.

    The z and trend tests are asymptotic: their rejection rate at 5% must be within
    [1.5%, 9%] (about three binomial standard errors, 0.0126, of 300 replications); the
    exact binomial test (at its boundary P(C) = 1/2) and the Wilcoxon test at most 9%.
    """
    rng = np.random.default_rng(2024)
    reps = 300
    rejected = dict.fromkeys(("z", "wilcoxon", "trend", "binomial"), 0)
    for _ in range(reps):
        p = rng.uniform(0.2, 0.8)
        data = phased((rng.binomial(300, p), 300), (rng.binomial(300, p), 300))
        rejected["z"] += sanction_drop(data, (0, 1), (1, 2)).p_value < ALPHA
        # 30 clusters with their own rate, the same in both phases, 20 choices per phase
        q = rng.beta(2, 2, size=30)
        counts = pd.DataFrame(
            {
                "subject": np.tile(np.arange(30), 2),
                "round": np.repeat([0, 1], 30),
                "trials": 20,
                "defections": rng.binomial(20, 1 - np.tile(q, 2)),
            }
        )
        rejected["wilcoxon"] += no_return(counts, (0, 1), (1, 2), "subject").p_value < ALPHA
        money = np.repeat([0.0, 2.0, 14.0], 200)
        wallets = pd.DataFrame({"money": money, "cooperated": rng.random(600) < p})
        rejected["trend"] += money_effect(wallets).p_value < ALPHA
        one_shot = unwatched(rng.random(200) < 0.5)
        rejected["binomial"] += cooperation_without_reason(one_shot).p_value < ALPHA
    rates = {k: v / reps for k, v in rejected.items()}
    assert 0.015 <= rates["z"] <= 0.09, rates
    assert 0.015 <= rates["trend"] <= 0.09, rates
    assert rates["wilcoxon"] <= 0.09 and rates["binomial"] <= 0.09, rates


# --------------------------------------------------------------------------- simulated
SEEDS = (0, 1, 2)


def test_run_defaults_reuse_the_crowding_out_design():
    """``run`` must not invent a new design: its defaults are those of the finding."""
    defaults = inspect.signature(findings.crowding_out).parameters
    ours = inspect.signature(signatures.run).parameters
    assert ours["fine"].default == defaults["fine"].default
    assert ours["window"].default == defaults["window"].default
    population = signatures.crowding_out_population()
    assert population.distributions["legitimacy.initial"].values == (
        defaults["legitimacy"].default,
    )
    assert signatures.PHASES == (20, 60, 100)


@pytest.fixture(scope="module")
def citizens():
    """The crowding-out population (low-legitimacy Citizens), with the no-fine placebo."""
    return {seed: signatures.run(seed=seed, control=True).set_index("name") for seed in SEEDS}


def test_citizens_show_the_sanction_drop_and_no_return(citizens):
    for table in citizens.values():
        for name in ("sanction_drop", "no_return"):
            assert table.loc[name, "p_value"] < 0.01
            assert table.loc[name, "cluster"] == "subject" and table.loc[name, "clusters"] > 900
        # the fine takes cooperation further down than time alone (the finding, paired by
        # seed) ...
        for name in ("sanction_drop", "no_return"):
            fined, placebo = (
                table.loc[name, "difference"],
                table.loc[f"{name} (control)", "difference"],
            )
            assert fined < placebo < 0
            # ... but among strangers Citizens' cooperation decays without any fine too: the
            # placebo is rejected as well, so within one society the test cannot say the
            # drop is the fine's (a control group can, as in the day-care data)
            assert table.loc[f"{name} (control)", "p_value"] < 0.01


def test_citizens_one_shot_cooperation_is_above_one_half(citizens):
    """Citizens alone cooperate one-shot with P(C) = 0.56 (a majority of them, as the
    conditional cooperators of the default population): the robust test (null 1/2, any β)
    rejects the rational model in every seed.

    Tolerance: the observed rate of 1000 choices within 0.05 (three standard errors) of 0.56.
    """
    state = next(iter(scc.Society(signatures.crowding_out_population(), 1, seed=0).stream()))
    assert 0.55 < state.p_cooperate.mean() < 0.57
    for table in citizens.values():
        row = table.loc["cooperation_without_reason (prisoner's dilemma)"]
        assert abs(row["rate"] - 0.56) < 0.05 and row["p_value"] < 0.01


def test_citizens_return_more_wallets_with_more_money(citizens):
    for table in citizens.values():
        row = table.loc["money_effect"]
        assert row["slope"] > 0 and row["p_value"] < 1e-10
        assert row["rate_most_money"] > row["rate_least_money"]
        assert table.loc["cooperation_without_reason", "p_value"] < 1e-10  # in the wallets


@pytest.fixture(scope="module")
def default_society():
    """The default population, ``scc.Population(1000)``, as a user builds it."""
    return {
        seed: signatures.run(scc.Population(1000), seed=seed).set_index("name") for seed in SEEDS
    }


def test_the_default_society_shows_cooperation_without_reason_and_the_money_effect(
    default_society,
):
    """In the lost wallet (one-shot, unwatched: keeping always pays) more than half return
    it, and more with more money, in every seed (p < 0.001). In the one-shot prisoner's
    dilemma the population cooperates less than half the time (0.44, as people do): there
    the robust test cannot reject, and that is reported, not hidden."""
    for table in default_society.values():
        assert table.loc["cooperation_without_reason", "p_value"] < 1e-3
        assert table.loc["cooperation_without_reason", "rate"] > 0.5
        assert table.loc["money_effect", "p_value"] < 1e-3
        assert table.loc["money_effect", "slope"] > 0
        pd_row = table.loc["cooperation_without_reason (prisoner's dilemma)"]
        assert pd_row["rate"] < 0.5 and pd_row["p_value"] > ALPHA


def test_moral_populations_show_one_shot_cooperation_and_the_money_effect():
    mixed = scc.Population(1000, shares={"Citizen": 0.5, "Moralist": 0.5})
    harm = scc.Population(1000, shares={"Moralist": 0.5, "Empath": 0.5})
    for seed in SEEDS:
        one_shot = choices_from_society(scc.Society(mixed, 1, seed=seed))
        assert cooperation_without_reason(one_shot).p_value < 0.01
        wallets = [  # each amount found by a fresh, independent society
            choices_from_society(
                scc.Society(harm, 1, game=scc.LostWallet(money=w), seed=10 * seed + k)
            ).assign(money=w)
            for k, w in enumerate(signatures.MONEY)
        ]
        test = money_effect(pd.concat(wallets, ignore_index=True))
        assert test.p_value < 0.01 and test.estimate["slope"] > 0


@pytest.fixture(scope="module")
def rational():
    """Noisy homo economicus (logit precision β = 0.3, so its choices are not all D)."""
    population = scc.Population(
        300,
        shares={"HomoEconomicus": 1.0},
        distributions={"beta": scc.Discrete((0.3,), (1.0,))},
    )
    return pd.concat(
        [signatures.run(population, seed=seed).assign(seed=seed) for seed in range(10)],
        ignore_index=True,
    )


def test_rational_agents_pass_every_signature_test(rational):
    rejections = rational[rational["p_value"] < ALPHA].groupby("name").size()
    assert rejections.get("sanction_drop", 0) <= 2 and rejections.get("no_return", 0) <= 2
    assert rejections.get("cooperation_without_reason", 0) == 0
    assert rejections.get("money_effect", 0) == 0
    assert (rational.query("name == 'cooperation_without_reason'")["rate"] < 0.5).all()
    # and the precise homo economicus (β = 10) cooperates almost never
    precise = signatures.run(scc.Population(300, shares={"HomoEconomicus": 1.0}), seed=3)
    assert (precise["p_value"] > ALPHA).all()


@pytest.mark.parametrize("strength", [0.2, 20.0])
def test_rational_learners_pass_every_signature_test_in_these_designs(strength):
    """The learning rival (noisy homo economicus whose prior about others is worth 0.2 or 20
    moves) over ten seeds: no signature test rejects more often than the static rational
    agent may (at most 2 of 10 for the phase tests, none for the others)."""
    population = scc.Population(
        300,
        shares={"HomoEconomicus": 1.0},
        distributions={
            "beta": scc.Discrete((0.3,), (1.0,)),
            "rational.prior_strength": scc.Discrete((strength,), (1.0,)),
        },
    )
    table = pd.concat(
        [signatures.run(population, seed=seed).assign(seed=seed) for seed in range(10)],
        ignore_index=True,
    )
    rejections = table[table["p_value"] < ALPHA].groupby("name").size()
    assert rejections.get("sanction_drop", 0) <= 2 and rejections.get("no_return", 0) <= 2
    assert rejections.get("cooperation_without_reason", 0) == 0
    assert rejections.get("money_effect", 0) == 0


def test_the_reputation_aware_rival_passes_every_signature_test_under_a_scored_regime():
    """The reputation-aware rival (noisy homo economicus, β = 0.3, valuing a score by what
    the regime attaches to it) over ten seeds: in the designed experiments (a private fine
    without a score, where its λ is 0) and in the crowding-out design with a public scored
    regime instead of the private fine (where its λ is the regime's), no phase test rejects
    more often than the static rational agent may (2 of 10), and it never cooperates
    without a material reason or returns more wallets for more money."""
    population = scc.Population(
        300,
        shares={"ReputationAware": 1.0},
        distributions={"beta": scc.Discrete((0.3,), (1.0,))},
    )
    scored = scc.SocialCredit(fine=0.25, reward=0.0, blacklist_cost=2.0)
    first, second, end = signatures.PHASES
    plan = scc.Schedule({0: scc.NoRegime(), first: scored, second: scc.NoRegime()})
    rows = []
    for seed in range(10):
        rows.append(signatures.run(population, seed=seed).assign(seed=seed))
        data = choices_from_society(scc.Society(population, end, regime=plan, seed=seed))
        before, during, after = ((e - 20, e) for e in signatures.PHASES)
        found = [
            signatures.sanction_drop(data, before, during, "subject"),
            signatures.no_return(data, before, after, "subject"),
        ]
        rows.append(
            signatures.to_frame(found).assign(seed=seed, name=lambda t: t["name"] + " (scored)")
        )
        # the scored regime does move it: more cooperation while it lasts
        rates = [
            data[data["round"].between(a, b - 1)]["cooperated"].mean() for a, b in (before, during)
        ]
        assert rates[1] > rates[0]
    table = pd.concat(rows, ignore_index=True)
    rejections = table[table["p_value"] < ALPHA].groupby("name").size()
    for name in ("sanction_drop", "no_return", "sanction_drop (scored)", "no_return (scored)"):
        assert rejections.get(name, 0) <= 2, rejections
    assert rejections.get("cooperation_without_reason", 0) == 0
    assert rejections.get("money_effect", 0) == 0


# --------------------------------------------------------------------------- published
def test_gneezy_rustichini_fine_centres_show_both_signatures_pooled():
    table = signatures.gneezy_rustichini()
    assert len(table) == 8 and list(table.columns[:2]) == ["centres", "name"]
    pooled = table[table["cluster"].isna()].set_index(["centres", "name"])
    by_centre = table[table["cluster"].notna()].set_index(["centres", "name"])
    # punctual pick-ups: 76.2% before the fine, 51.2% with it, 44.7% after it
    assert pooled.loc[("fine", "sanction_drop"), "p_value"] < 1e-20
    assert pooled.loc[("fine", "no_return"), "p_value"] < 1e-20
    assert pooled.loc[("fine", "sanction_drop"), "rate_before"] == pytest.approx(0.762, abs=1e-3)
    assert pooled.loc[("fine", "no_return"), "rate_after"] == pytest.approx(0.447, abs=1e-3)
    # every fined centre falls, the best six clusters can do: 1/64
    for name in ("sanction_drop", "no_return"):
        assert by_centre.loc[("fine", name), "p_value"] == pytest.approx(1 / 64)
        assert by_centre.loc[("fine", name), "clusters"] == 6
    # the control centres, never fined, show neither (a placebo)
    assert (table.loc[table["centres"] == "control", "p_value"] > 0.5).all()
