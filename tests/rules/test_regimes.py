import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sccgames.rules.regimes import DRAWS_PER_ACT, NoRegime, SocialCredit


def _open_regime(**kwargs):
    """A regime whose scores never reach a bound, a blacklist or a red list."""
    return SocialCredit(
        score_start=0.0,
        score_min=-1e6,
        score_max=1e6,
        blacklist_threshold=-1e5,
        redlist_threshold=1e5,
        score_decay=0.0,
        **kwargs,
    )


@given(
    coverage=st.floats(0.05, 1.0),
    reward=st.floats(0.0, 5.0),
    fine=st.floats(0.0, 10.0),
    fp=st.floats(0.0, 0.4),
    fn=st.floats(0.0, 0.4),
    up=st.floats(0.0, 3.0),
    down=st.floats(0.0, 6.0),
    appeal=st.floats(0.0, 1.0),
    score_value=st.floats(0.0, 1.0),
)
def test_expected_incentive_matches_monte_carlo(
    coverage, reward, fine, fp, fn, up, down, appeal, score_value
):
    """ΔX (what a rational actor sees) equals the mean extra payoff the regime pays for C.

    200,000 acts of each kind; the tolerance is five standard errors of the difference.
    """
    regime = _open_regime(
        coverage=coverage,
        reward=reward,
        fine=fine,
        false_positive=fp,
        false_negative=fn,
        score_up=up,
        score_down=down,
        appeal=appeal,
    )
    n = 200_000
    rng = np.random.default_rng(12345)
    scores = regime.initial_scores(n)
    value = {}
    spread = {}
    for act in (True, False):
        step = regime.step(np.full(n, act), coverage, scores, rng)
        gain = step.transfer + score_value * (step.score - scores)
        value[act], spread[act] = gain.mean(), gain.std() / math.sqrt(n)
    context = regime.context("default")
    expected = context.incentive(score_value)
    tolerance = 5 * math.hypot(spread[True], spread[False]) + 1e-12
    assert value[True] - value[False] == pytest.approx(expected, abs=tolerance)


@given(
    seed=st.integers(0, 2**32 - 1),
    coverage=st.floats(0.0, 1.0),
    fp=st.floats(0.0, 0.5),
    fn=st.floats(0.0, 0.5),
    start=st.floats(0.0, 100.0),
    decay=st.floats(0.0, 1.0),
    periods=st.integers(1, 30),
)
def test_scores_stay_within_bounds_and_transfers_add_up(
    seed, coverage, fp, fn, start, decay, periods
):
    regime = SocialCredit(
        coverage=coverage,
        false_positive=fp,
        false_negative=fn,
        score_start=start,
        score_min=0.0,
        score_max=100.0,
        score_decay=decay,
        score_down=20.0,
        score_up=7.0,
        blacklist_threshold=30.0,
        redlist_threshold=70.0,
    )
    rng = np.random.default_rng(seed)
    scores = regime.initial_scores(50)
    for _ in range(periods):
        acts = rng.random(50) < 0.5
        step = regime.step(acts, coverage, scores, rng)
        assert np.all((step.score >= 0.0) & (step.score <= 100.0))
        np.testing.assert_allclose(
            step.transfer, step.reward - step.fine - step.blacklist_cost + step.redlist_bonus
        )
        np.testing.assert_array_equal(step.blacklisted, scores < 30.0)
        np.testing.assert_array_equal(step.redlisted, scores >= 70.0)
        # errors only where observed, and of the right kind
        assert not np.any(step.false_positive & ~acts)
        assert not np.any(step.false_negative & acts)
        assert not np.any((step.false_positive | step.false_negative) & ~step.observed)
        assert not np.any(step.reward > 0) or np.all(step.observed[step.reward > 0])
        scores = step.score


@given(
    seed=st.integers(0, 2**32 - 1),
    coverage=st.floats(0.05, 1.0),
    fp=st.floats(0.02, 0.5),
    fn=st.floats(0.02, 0.5),
    appeal=st.floats(0.0, 1.0),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_one_draw_per_act_gives_the_joint_law_of_independent_draws(
    seed, coverage, fp, fn, appeal, dtype
):
    """Observation, error given observation, and appeal given a false positive happen at
    their rates, each conditional on the one before, and an unwatched domain is never seen.

    Half the acts are in a domain of coverage m, half in one of coverage 0; 400,000 acts;
    each frequency within five standard errors of its probability.
    """
    regime = SocialCredit(false_positive=fp, false_negative=fn, appeal=appeal)
    n = 400_000
    rng = np.random.default_rng(seed)
    acts = np.arange(n) % 2 == 0
    watched = np.arange(n) % 4 < 2
    step = regime.step(
        acts,
        np.where(watched, coverage, 0.0).astype(dtype),
        regime.initial_scores(n).astype(dtype),
        rng.random((DRAWS_PER_ACT, n), dtype=dtype),
    )
    assert not step.observed[~watched].any()

    def near(hits, chances, p):
        hits, chances = np.count_nonzero(hits & chances), np.count_nonzero(chances)
        se = math.sqrt(p * (1 - p) / chances) + 1 / chances
        assert hits / chances == pytest.approx(p, abs=5 * se)

    near(step.observed, watched, coverage)
    near(step.false_positive, step.observed & acts, fp)
    near(step.false_negative, step.observed & ~acts, fn)
    near(step.appealed, step.false_positive, appeal)
    near(step.recorded_c, step.observed & acts, 1 - fp + fp * appeal)
    near(step.recorded_c, step.observed & ~acts, fn)


def test_step_records_errors_and_appeals():
    rng = np.random.default_rng(0)
    regime = SocialCredit(coverage=1.0, false_positive=1.0, false_negative=0.0, appeal=0.0)
    step = regime.step(np.array([True, False]), 1.0, regime.initial_scores(2), rng)
    assert step.false_positive.tolist() == [True, False]
    assert step.recorded_c.tolist() == [False, False]
    assert step.fine.tolist() == [3.0, 3.0]
    appealed = SocialCredit(coverage=1.0, false_positive=1.0, false_negative=0.0, appeal=1.0)
    step = appealed.step(np.array([True]), 1.0, appealed.initial_scores(1), rng)
    assert step.appealed.tolist() == [True]
    assert step.recorded_c.tolist() == [True]
    assert step.reward.tolist() == [0.5]


def test_step_draws_a_fixed_number_of_uniforms():
    for regime in (NoRegime(), SocialCredit(coverage=0.3, appeal=0.5)):
        rng = np.random.default_rng(1)
        regime.step(np.ones(7, dtype=bool), 0.3, regime.initial_scores(7), rng)
        reference = np.random.default_rng(1)
        reference.random((DRAWS_PER_ACT, 7))
        assert rng.random() == reference.random()


def test_no_regime_does_nothing():
    regime = NoRegime()
    step = regime.step(
        np.array([True, False]), 0.0, regime.initial_scores(2), np.random.default_rng(0)
    )
    assert not step.observed.any()
    assert (step.transfer == 0).all()
    assert np.isnan(step.score).all()
    assert regime.coverage_for("anything") == 0.0
    context = regime.context("private", remaining=3.0)
    assert context.coverage == 0.0 and context.remaining == 3.0 and context.salience == 0.0


def test_context_of_social_credit():
    regime = SocialCredit(coverage={"economic": 0.8, "private": 0.0}, appeal=0.5)
    context = regime.context("economic", partner_score=200.0)
    assert context.coverage == 0.8
    assert context.visibility == 0.8
    assert context.partner_signal == 1.0
    assert context.false_positive == pytest.approx(0.025)
    assert regime.context("private", partner_score=0.0).partner_signal == -1.0
    assert regime.context("private").partner_signal == 0.0
    private = SocialCredit(public_scores=False)
    hidden = private.context("default", partner_score=200.0)
    assert hidden.partner_signal == 0.0 and hidden.visibility == 0.0


def test_unknown_domain_is_a_clear_error():
    regime = SocialCredit(coverage={"economic": 0.8})
    with pytest.raises(ValueError, match="no domain 'private'.*give coverage 0"):
        regime.check_domains(["economic", "private"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"coverage": 1.5}, r"SocialCredit.coverage must be in \[0, 1\], got 1.5"),
        ({"coverage": {"a": -0.1}}, r"SocialCredit.coverage\['a'\] must be in"),
        ({"coverage": {}}, "at least one domain"),
        ({"coverage": {1: 0.5}}, "domain names"),
        ({"fine": -1.0}, "SocialCredit.fine must be in"),
        ({"false_positive": 0.6, "false_negative": 0.6}, "at most 1"),
        ({"score_start": 300.0}, "score_min <= score_start <= score_max"),
        ({"score_min": math.inf}, "SocialCredit.score_min"),
        ({"public_scores": "yes"}, "public_scores must be True or False"),
        ({"appeal": 2.0}, "SocialCredit.appeal"),
    ],
)
def test_bad_regime_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SocialCredit(**kwargs)


@given(
    seed=st.integers(0, 2**32 - 1),
    reward=st.floats(0.0, 10.0),
    fine=st.floats(0.0, 10.0),
    score_up=st.floats(0.0, 50.0),
    score_down=st.floats(0.0, 50.0),
)
def test_a_float32_ledger_stays_float32_and_agrees_with_float64(
    seed, reward, fine, score_up, score_down
):
    """Same draws, two precisions: the same acts recorded, amounts equal to float32 rounding."""
    # probabilities exact in float32, so both precisions compare draws with the same numbers
    regime = SocialCredit(
        coverage=0.75,
        false_positive=0.0625,
        false_negative=0.125,
        appeal=0.5,
        reward=reward,
        fine=fine,
        score_up=score_up,
        score_down=score_down,
        blacklist_threshold=95.0,
        redlist_threshold=105.0,
        blacklist_cost=0.3,
        redlist_bonus=0.2,
        enforcement_cost=0.1,
    )
    rng = np.random.default_rng(seed)
    acts = rng.random(200) < 0.5
    draws = rng.random((DRAWS_PER_ACT, 200)).astype(np.float32)
    scores = 100.0 + rng.normal(0.0, 5.0, 200).astype(np.float32)
    wide = regime.step(acts, 0.75, scores.astype(np.float64), draws.astype(np.float64))
    narrow = regime.step(acts, 0.75, scores, draws)
    for name in ("reward", "fine", "blacklist_cost", "redlist_bonus", "transfer", "score"):
        value = getattr(narrow, name)
        assert value.dtype == np.float32, name
        np.testing.assert_allclose(value, getattr(wide, name), rtol=1e-6, atol=1e-5, err_msg=name)
    assert narrow.enforcement_cost.dtype == np.float32
    for name in ("observed", "recorded_c", "false_positive", "false_negative", "appealed"):
        np.testing.assert_array_equal(getattr(narrow, name), getattr(wide, name), err_msg=name)
    # float64 amounts are exactly the parameters times the records
    np.testing.assert_array_equal(wide.reward, reward * wide.recorded_c)
    np.testing.assert_array_equal(wide.fine, fine * (wide.observed & ~wide.recorded_c))


@given(
    start=st.floats(-50.0, 50.0),
    below=st.floats(0.0, 100.0),
    above=st.floats(0.0, 100.0),
    scores=st.lists(st.one_of(st.floats(-300.0, 300.0), st.just(math.nan)), min_size=1),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_score_signal_is_the_gap_over_its_side_of_the_scale(start, below, above, scores, dtype):
    """±1 at the bounds, 0 at the start, linear on each side; NaN (no score) gives 0. The
    symmetric scale's shortcut and the general formula agree, on arrays and on floats."""
    regime = SocialCredit(score_start=start, score_min=start - below, score_max=start + above)
    up = max(above, math.ulp(1.0))
    down = max(below, math.ulp(1.0))
    x = np.array(scores, dtype=dtype)
    gap = x - dtype(start)
    with np.errstate(invalid="ignore"):
        wanted = np.where(gap > 0, gap / up, np.where(gap < 0, gap / down, 0.0))
    wanted = np.clip(np.nan_to_num(wanted, nan=0.0), -1.0, 1.0)
    got = regime.score_signal(x)
    assert got.dtype == dtype and not np.isnan(got).any()
    np.testing.assert_allclose(got, wanted, rtol=1e-6, atol=1e-6)
    for score, value in zip(scores, wanted, strict=True):
        one = regime.score_signal(score)
        assert not math.isnan(one) and -1.0 <= one <= 1.0
        assert one == pytest.approx(float(value), rel=1e-6, abs=1e-6)


def test_score_signal_on_a_symmetric_scale_is_the_general_formula_exactly():
    regime = SocialCredit()  # 0 … 100 … 200
    x = np.array([-5.0, 0.0, 37.5, 100.0, 150.0, 200.0, 250.0, math.nan], np.float32)
    gap = x - np.float32(100.0)
    general = np.clip(np.fmax(gap, 0.0) / 100.0 + np.fmin(gap, 0.0) / 100.0, -1.0, 1.0)
    np.testing.assert_array_equal(regime.score_signal(x), general)
    assert regime.score_signal(math.nan) == 0.0


# --------------------------------------------------------------------------- per community
def test_error_rates_per_community_are_each_communitys_own():
    """Monte Carlo: each community's realized ε⁺ and ε⁻ are its own rate.

    200,000 acts of each kind split over two communities; the tolerance is five binomial
    standard errors of each realized rate.
    """
    fp, fn = (0.3, 0.02), (0.01, 0.2)
    regime = _open_regime(coverage=0.5, false_positive=fp, false_negative=fn)
    n = 200_000
    community = np.arange(n) % 2
    rng = np.random.default_rng(7)
    scores = regime.initial_scores(n)
    for act, rates, field in ((True, fp, "false_positive"), (False, fn, "false_negative")):
        step = regime.step(np.full(n, act), 0.5, scores, rng, community=community)
        for c, rate in enumerate(rates):
            seen = step.observed & (community == c)
            realized = getattr(step, field)[seen].mean()
            se = math.sqrt(rate * (1 - rate) / seen.sum())
            assert realized == pytest.approx(rate, abs=5 * se)


def test_fines_and_coverage_per_community_are_each_communitys_own():
    regime = _open_regime(coverage=[1.0, {"default": 0.0}], fine=[1.0, 4.0], false_negative=0.0)
    community = np.array([0, 1, 0, 1])
    acts = np.zeros(4, dtype=bool)
    coverage = np.array([regime.coverage_for("default", c) for c in community])
    step = regime.step(
        acts, coverage, regime.initial_scores(4), np.random.default_rng(1), community
    )
    assert coverage.tolist() == [1.0, 0.0, 1.0, 0.0]
    assert step.observed.tolist() == [True, False, True, False]
    assert step.fine.tolist() == [1.0, 0.0, 1.0, 0.0]
    watched = _open_regime(coverage=1.0, fine=[1.0, 4.0], false_negative=0.0)
    step = watched.step(acts, 1.0, watched.initial_scores(4), np.random.default_rng(1), community)
    assert step.fine.tolist() == [1.0, 4.0, 1.0, 4.0]


def test_each_citizen_expects_its_own_communitys_regime():
    """ΔX per citizen is the scalar regime's ΔX at its community's rates."""
    fp, fn, fine = (0.3, 0.02), (0.05, 0.1), (3.0, 1.0)
    regime = SocialCredit(false_positive=fp, false_negative=fn, fine=fine, appeal=0.5)
    community = np.array([0, 1, 1, 0])
    coverage = np.full(4, 0.5)
    context = regime.context_for(
        coverage, np.nan, remaining=np.inf, in_group=0.0, community=community
    )
    for i, c in enumerate(community):
        alone = SocialCredit(false_positive=fp[c], false_negative=fn[c], fine=fine[c], appeal=0.5)
        assert context.incentive(0.1)[i] == pytest.approx(alone.context().incentive(0.1))
        assert context.salience[i] == pytest.approx(alone.context().salience)


def test_rates_per_community_equal_to_the_scalar_give_the_scalars_step():
    n = 10_000
    community = np.arange(n) % 3
    acts = np.random.default_rng(3).random(n) < 0.6
    scalar = SocialCredit(appeal=0.3)
    per = SocialCredit(
        appeal=0.3,
        coverage=[0.5] * 3,
        fine=[3.0] * 3,
        false_positive=[0.05] * 3,
        false_negative=[0.05] * 3,
    )
    for dtype in (np.float32, np.float64):
        draws = np.random.default_rng(5).random((DRAWS_PER_ACT, n)).astype(dtype)
        scores = scalar.initial_scores(n).astype(dtype)
        coverage = np.full(n, 0.5, dtype)
        a = scalar.step(acts, coverage, scores, draws).columns()
        b = per.step(acts, coverage, scores, draws, community=community).columns()
        for name in a:
            np.testing.assert_array_equal(a[name], b[name], err_msg=name)
            assert a[name].dtype == b[name].dtype, name


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"false_positive": [0.1, 0.2], "fine": [1.0, 2.0, 3.0]}, "one entry per community"),
        ({"false_positive": []}, "got an empty sequence"),
        ({"false_positive": [0.1, 1.5]}, r"SocialCredit.false_positive\[1\] must be in"),
        ({"fine": [1.0, -1.0]}, r"SocialCredit.fine\[1\]"),
        ({"coverage": [0.5, {"x": 2.0}]}, r"SocialCredit.coverage\[1\]\['x'\]"),
        ({"false_positive": [0.6, 0.1], "false_negative": 0.5}, r"at most 1 \(community 0\)"),
    ],
)
def test_bad_rates_per_community_are_one_clear_line(kwargs, message):
    with pytest.raises(ValueError, match=message) as info:
        SocialCredit(**kwargs)
    assert "\n" not in str(info.value)


def test_rates_per_community_need_communities():
    regime = SocialCredit(false_positive=[0.1, 0.2])
    assert regime.communities == 2 and SocialCredit().communities is None
    with pytest.raises(ValueError, match="has none") as info:
        regime.check_communities(None, "a Match")
    assert "\n" not in str(info.value)
    with pytest.raises(ValueError, match="give 2 entries, but the Population has 3"):
        regime.check_communities(3)
    regime.check_communities(2)
    with pytest.raises(ValueError, match="need each actor's community"):
        regime.step(np.ones(2, bool), 0.5, regime.initial_scores(2), np.random.default_rng(1))
    with pytest.raises(ValueError, match="coverage is given per community"):
        SocialCredit(coverage=[0.1, 0.2]).context("default")


# --------------------------------------------------------------------------- reputation
def test_reputation_terms_of_the_default_regime():
    terms = SocialCredit().reputation_terms
    assert terms["score_persistence"] == pytest.approx(0.99)
    assert terms["signal_slope"] == pytest.approx(0.01)  # 100 points to either bound
    # blacklist 1 over 20 points, red list 0.5 over 20 points
    assert terms["status_price"] == pytest.approx(1.0 / 20 + 0.5 / 20)
    assert terms["status_exclusion"] == 0.0
    excluding = SocialCredit(blacklist_exclusion=0.4, blacklist_threshold=90.0).reputation_terms
    assert excluding["status_exclusion"] == pytest.approx(0.4 / 10)
    assert excluding["status_price"] == pytest.approx(1.0 / 10 + 0.5 / 20)


def test_reputation_terms_vanish_with_what_gives_a_score_its_future():
    private = SocialCredit(public_scores=False).reputation_terms
    assert private["signal_slope"] == 0.0 and private["status_price"] > 0
    # thresholds the score cannot reach, and lists that cost nothing
    unreachable = SocialCredit(blacklist_threshold=0.0, redlist_threshold=250.0)
    assert unreachable.reputation_terms["status_price"] == 0.0
    free = SocialCredit(blacklist_cost=0.0, redlist_bonus=0.0).reputation_terms
    assert free["status_price"] == 0.0
    # a threshold at the start is one point away, not zero
    at_start = SocialCredit(blacklist_threshold=100.0, redlist_bonus=0.0).reputation_terms
    assert at_start["status_price"] == pytest.approx(1.0)
    # an asymmetric scale averages the signal's slope on the two sides
    lopsided = SocialCredit(score_max=150.0).reputation_terms
    assert lopsided["signal_slope"] == pytest.approx(0.5 * (1 / 50 + 1 / 100))
    # a start at a bound: the one side with room
    at_top = SocialCredit(score_max=100.0, redlist_threshold=100.0).reputation_terms
    assert at_top["signal_slope"] == pytest.approx(1 / 100)


def test_contexts_carry_the_reputation_terms():
    regime = SocialCredit(score_decay=0.2, blacklist_cost=4.0)
    context = regime.context_for(
        np.array([0.5, 0.1]), np.array([100.0, 90.0]), remaining=0.0, in_group=0.0
    )
    for name, value in regime.reputation_terms.items():
        assert getattr(context, name) == pytest.approx(value)
    none = NoRegime().context_for(0.5, np.nan, remaining=0.0, in_group=0.0)
    for name in regime.reputation_terms:
        assert getattr(none, name) == 0.0


def test_reputation_terms_are_read_only_and_the_regime_pickles_after_use():
    import pickle

    regime = SocialCredit(blacklist_cost=2.0)
    regime.context_for(0.5, 100.0, remaining=0.0, in_group=0.0)  # computes the terms
    with pytest.raises(TypeError):
        regime.reputation_terms["status_price"] = 0.0  # type: ignore[index]
    again = pickle.loads(pickle.dumps(regime))
    assert again == regime and dict(again.reputation_terms) == dict(regime.reputation_terms)
