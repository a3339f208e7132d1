import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sccgames.model import motives
from sccgames.rules.games import payoff_matrices, prisoners_dilemma

finite = st.floats(-1e3, 1e3)
unit = st.floats(0.0, 1.0)


@given(
    r=st.floats(-100, 100),
    t=st.floats(-100, 100),
    p=st.floats(-100, 100),
    s=st.floats(-100, 100),
    delta=st.floats(0.0, 0.99),
)
def test_rational_term_against_tit_for_tat_is_the_textbook_condition(r, t, p, s, delta):
    own = np.array([[r, s], [t, p]])
    shadow = motives.shadow_of_future(delta, math.inf)
    value = motives.rational_utility(1.0, own, shadow, 1.0, 0.0)
    expected = r - t + delta * (r - p) / (1 - delta)
    assert value == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_shadow_of_future_is_capped_by_remaining_turns():
    assert motives.shadow_of_future(0.9, math.inf) == pytest.approx(9.0)
    assert motives.shadow_of_future(0.9, 3.0) == 3.0
    assert motives.shadow_of_future(0.9, 0.0) == 0.0
    assert motives.shadow_of_future(0.0, math.inf) == 0.0


def test_incentive_formula_and_salience():
    value = motives.incentive(0.5, 1.0, 3.0, 0.1, 0.05, 1.0, 5.0, 0.2)
    assert value == pytest.approx(0.5 * 0.85 * (1.0 + 3.0 + 0.2 * 6.0))
    assert motives.salience(0.5, 1.0, 3.0) == pytest.approx(2.0)
    # errors that sum to one make the record uninformative: no incentive at all
    assert motives.incentive(1.0, 1.0, 3.0, 0.5, 0.5, 1.0, 1.0, 1.0) == 0.0


def test_responsiveness_prior_and_learning():
    # with no data, the estimate is the prior
    assert motives.responsiveness(0, 0, 0, 0, 0.4, 2.0) == pytest.approx(0.4)
    # a perfect reciprocator observed often: close to 1
    assert motives.responsiveness(1000, 1000, 0, 1000, 0.0, 2.0) == pytest.approx(1.0, abs=2e-3)
    # an unconditional cooperator: close to 0
    assert motives.responsiveness(1000, 1000, 1000, 1000, 0.5, 2.0) == pytest.approx(0.0, abs=2e-3)


def test_trust_prior_moves_toward_signal():
    assert motives.trust_prior(0.5, 0.5, 0.0) == 0.5
    assert motives.trust_prior(0.5, 0.5, 1.0) == pytest.approx(0.75)
    assert motives.trust_prior(0.5, 0.5, -1.0) == pytest.approx(0.25)
    assert motives.trust_prior(0.2, 1.0, 1.0) == pytest.approx(1.0)


def test_habit_learning_and_strength():
    h = 0.5
    for _ in range(200):
        h = motives.habit_update(h, 0.05, 1.0)
    assert h > 0.99
    assert motives.habit_strength(0.8, 0.5) == 0.0
    assert motives.habit_strength(0.8, 1.0) == pytest.approx(0.8)
    assert motives.habit_strength(0.8, 0.0) == pytest.approx(0.8)


def test_habit_arbitration_ignores_incentives_when_strong():
    # a full habit with full weight: P(C) is the habit whatever the utility
    for utility in (-100.0, 0.0, 100.0):
        assert motives.choice_probability(2.0, utility, 1.0, 1.0) == pytest.approx(1.0)
    # no habit formed: pure logit
    assert motives.choice_probability(2.0, 1.0, 1.0, 0.5) == pytest.approx(1 / (1 + math.exp(-2)))


def test_conditionality_switches_at_threshold():
    assert motives.conditionality(0.9, 1.0, 0.5, 0.05) > 0.99
    assert motives.conditionality(0.1, 1.0, 0.5, 0.05) < 0.01
    assert motives.conditionality(0.1, 0.0, 0.5, 0.05) == 1.0


def test_framing_turns_norm_into_price():
    assert motives.framed_norm(2.0, 0.5, 0.0, 1.0) == 2.0
    assert motives.framed_norm(2.0, 0.5, 1.0, 1.0) == pytest.approx(1.5)
    assert motives.framed_norm(2.0, 1.0, 1e12, 1.0) == pytest.approx(0.0, abs=1e-9)


def test_moral_utility_grows_with_harm_and_ignores_negative_harm():
    low = motives.moral_utility(1.0, 1.0, 0.5, 1.0)
    high = motives.moral_utility(1.0, 1.0, 0.5, 10.0)
    assert high > low
    assert motives.moral_utility(1.0, 1.0, 0.5, -10.0) == 1.0


def test_expected_harm_in_prisoners_dilemma():
    payoffs = payoff_matrices(prisoners_dilemma())
    # partner cooperates: my defection costs them R - S = 3; partner defects: T - P = 4
    assert motives.expected_harm(1.0, payoffs.other) == pytest.approx(3.0)
    assert motives.expected_harm(0.0, payoffs.other) == pytest.approx(4.0)


def test_norm_update_crowds_in_and_out_and_is_hysteretic():
    args = dict(baseline=1.0, maximum=5.0, rate=0.01, legitimacy_threshold=0.5)
    up = motives.norm_update(1.0, salience_=3.0, legitimacy=0.9, recovery=0.0, **args)
    down = motives.norm_update(1.0, salience_=3.0, legitimacy=0.1, recovery=0.0, **args)
    assert up > 1.0 > down
    # without incentive the norm relaxes toward baseline at rate psi only
    relaxed = motives.norm_update(0.2, salience_=0.0, legitimacy=0.1, recovery=0.1, **args)
    assert relaxed == pytest.approx(0.2 + 0.1 * 0.8)
    stuck = motives.norm_update(0.2, salience_=0.0, legitimacy=0.1, recovery=0.0, **args)
    assert stuck == 0.2
    # bounds
    assert motives.norm_update(0.0, salience_=100.0, legitimacy=0.0, recovery=0.0, **args) == 0.0
    assert motives.norm_update(5.0, salience_=100.0, legitimacy=1.0, recovery=0.0, **args) == 5.0


def test_inequity_aversion_matches_fehr_schmidt():
    # envy: behind by 5
    assert motives.inequity_utility(0.0, 5.0, 0.0, 0.0, 0.85, 0.3) == pytest.approx(-0.85 * 5)
    # guilt: ahead by 5
    assert motives.inequity_utility(5.0, 0.0, 0.0, 0.0, 0.85, 0.3) == pytest.approx(-0.3 * 5)
    # anger above sympathy is spite
    assert motives.inequity_utility(1.0, 1.0, 0.1, 1.0, 0.0, 0.0) == pytest.approx(-0.9)


def test_emotion_utility_in_prisoners_dilemma():
    payoffs = payoff_matrices(prisoners_dilemma())
    # partner surely cooperates; sympathy s, guilt b: (R - S) s + b (T - S) + warm glow
    value = motives.emotion_utility(1.0, payoffs.own, payoffs.other, 0.2, 0.0, 0.85, 0.3, 0.5)
    assert value == pytest.approx(0.2 * 3 + 0.3 * 5 + 0.5)


def test_anger_and_resentment_decay():
    a = motives.decay_update(0.0, 0.2, 1.0, 1.0)
    assert a == 1.0
    assert motives.decay_update(a, 0.2, 1.0, 0.0) == pytest.approx(0.8)


def test_image_crowding_out_and_social_terms():
    assert motives.image_value(0.0, 1.0) == 1.0
    assert motives.image_value(1.0, 1.0) == pytest.approx(0.5)
    assert motives.image_value(-5.0, 1.0) == 1.0
    value = motives.social_utility(2.0, 0.5, 0.5, 1.0, 0.75, 1.0, 1.0)
    assert value == pytest.approx(2.0 * 0.5 * 0.5 + 1.0 * 0.5 + 1.0)


def test_legitimacy_update_directions():
    base = dict(
        unjust=0.0,
        impunity=0.0,
        fair_reward=0.0,
        resentment=0.0,
        unjust_rate=0.1,
        impunity_rate=0.05,
        reward_rate=0.05,
        resentment_rate=0.1,
    )
    assert motives.legitimacy_update(0.6, **base) == 0.6
    sanction = motives.unjust_weight(1.0, 0.0, 0.5)
    after_appeal = motives.unjust_weight(1.0, 1.0, 0.5)
    assert (sanction, after_appeal) == (1.0, 0.5)
    sanctioned = motives.legitimacy_update(0.6, **{**base, "unjust": sanction})
    appealed = motives.legitimacy_update(0.6, **{**base, "unjust": after_appeal})
    assert sanctioned == pytest.approx(0.54)
    assert sanctioned < appealed < 0.6
    assert motives.legitimacy_update(0.6, **{**base, "impunity": 1.0}) < 0.6
    assert motives.legitimacy_update(0.6, **{**base, "fair_reward": 1.0}) > 0.6
    assert motives.legitimacy_update(0.6, **{**base, "resentment": 1.0}) < 0.6


@given(
    beta=st.floats(0.0, 1e300),
    utility=st.floats(-1e300, 1e300),
    weight=unit,
    habit=unit,
)
def test_choice_probability_is_a_probability(beta, utility, weight, habit):
    p = motives.choice_probability(beta, utility, weight, habit)
    assert np.isfinite(p)
    assert 0.0 <= p <= 1.0


@given(st.lists(st.tuples(st.floats(0, 1e3), finite, unit, unit), min_size=1, max_size=20))
def test_functions_are_elementwise(rows):
    """The same function on arrays equals it applied to each scalar: one math, two engines."""
    beta, utility, weight, habit = (np.array(col) for col in zip(*rows, strict=True))
    vector = motives.choice_probability(beta, utility, weight, habit)
    scalars = [motives.choice_probability(*row) for row in rows]
    np.testing.assert_allclose(vector, scalars, rtol=0, atol=0)
    vector = motives.norm_update(utility, 1.0, 1e3, weight, beta, habit, 0.5, weight)
    scalars = [motives.norm_update(u, 1.0, 1e3, w, b, h, 0.5, w) for b, u, w, h in rows]
    np.testing.assert_allclose(vector, scalars, rtol=0, atol=0)


@given(st.lists(st.floats(width=32, allow_nan=False), min_size=1, max_size=50))
def test_logistic_in_float32_agrees_with_expit_to_float32_precision(values):
    """The float32 shortcut 1 / (1 + e^{−x}) is expit within a few float32 ulps, overflow too."""
    from scipy.special import expit

    x = np.array(values, dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow of e^{−x} must not warn
        fast = motives.logistic(x)
    assert fast.dtype == np.float32
    exact = expit(x.astype(np.float64))
    np.testing.assert_allclose(fast, exact, rtol=4 * np.finfo(np.float32).eps, atol=1e-38)


@given(st.lists(finite, min_size=1, max_size=20))
def test_logistic_elsewhere_is_expit_bit_for_bit(values):
    from scipy.special import expit

    x = np.array(values)
    np.testing.assert_array_equal(motives.logistic(x), expit(x))
    assert motives.logistic(values[0]) == expit(values[0])


@given(
    st.lists(st.floats(width=32, allow_nan=False), min_size=1, max_size=50),
    st.sampled_from([np.float32, np.float64]),
)
def test_logistic_of_negative_is_logistic_of_minus_z_bit_for_bit(values, dtype):
    z = np.array(values, dtype=dtype)
    kept = z.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow of e^{z} must not warn
        got = motives.logistic_of_negative(z)
    np.testing.assert_array_equal(got, motives.logistic(-z))
    np.testing.assert_array_equal(z, kept)  # the input is left alone unless overwrite=True
    assert motives.logistic_of_negative(float(values[0])) == motives.logistic(-float(values[0]))
    if dtype == np.float32:
        assert motives.logistic_of_negative(z, overwrite=True) is z


@given(trust=unit, score_trust=unit, signal=st.floats(-1.0, 1.0))
def test_trust_prior_moves_a_share_of_the_way_to_one_or_zero(trust, score_trust, signal):
    """τ + ζ s (1 − τ) for a good score, τ + ζ s τ for a bad one (the cases written out)."""
    room = 1.0 - trust if signal > 0 else trust
    expected = trust + score_trust * signal * room
    assert motives.trust_prior(trust, score_trust, signal) == pytest.approx(expected, abs=1e-12)
    as_float32 = motives.trust_prior(trust, score_trust, np.array([signal], np.float32))
    assert as_float32.dtype == np.float32  # a float32 society stays float32


@given(
    st.lists(st.floats(allow_nan=False), min_size=1, max_size=30),
    st.floats(-1e3, 1e3),
    st.floats(0.0, 1e3),
)
def test_bounded_and_positive_part_are_the_same_on_arrays_and_scalars(values, low, width):
    """np.clip on arrays, two ufuncs on scalars: the same numbers either way."""
    high = low + width
    x = np.resize(np.array(values), motives.LARGE + len(values))  # the np.clip path too
    values = x.tolist()
    np.testing.assert_array_equal(
        motives.bounded(x, low, high), [motives.bounded(v, low, high) for v in values]
    )
    np.testing.assert_array_equal(
        motives.bounded(x, low, high), np.minimum(np.maximum(x, low), high)
    )
    np.testing.assert_array_equal(motives.positive_part(x), np.maximum(x, 0.0))
    np.testing.assert_array_equal(
        motives.positive_part(x), [motives.positive_part(v) for v in values]
    )
    assert motives.positive_part(np.float32([-1.5, 2.0])).dtype == np.float32


@given(
    factor=st.one_of(st.just(1.0), st.just(1), st.floats(-5.0, 5.0), st.just(np.float64(1.0))),
    values=st.lists(st.floats(width=32), min_size=1, max_size=20),
    dtype=st.sampled_from([np.float32, np.float64, bool]),
)
def test_scaled_is_the_product_in_value_and_dtype(factor, values, dtype):
    """``scaled(f, x)`` equals ``f * x`` bit for bit and in dtype (NaN included); a float array
    scaled by the Python number 1 is returned itself, anything else is a fresh product."""
    x = np.array(values).astype(dtype)
    got, product = motives.scaled(factor, x), factor * x
    assert got.dtype == product.dtype
    np.testing.assert_array_equal(got, product)
    shortcut = type(factor) in (float, int) and factor == 1 and x.dtype.kind == "f"
    assert (got is x) == shortcut
    assert motives.scaled(factor, float(values[0])) == factor * float(values[0]) or np.isnan(
        values[0]
    )


@given(
    signals=hnp.arrays(np.float32, st.integers(1, 40), elements=st.floats(-1.0, 1.0, width=32)),
    score_trust=unit,
)
def test_trust_prior_at_trust_one_half_is_the_general_formula_bit_for_bit(signals, score_trust):
    """τ = ½ skips the asymmetry term, which is then 0: the very numbers of the full formula."""
    general = 0.5 + score_trust * (signals * 0.5 + 0.0 * np.clip(signals, 0.0, np.inf))
    np.testing.assert_array_equal(motives.trust_prior(0.5, score_trust, signals), general)
    np.testing.assert_array_equal(
        motives.trust_prior(np.float32(0.5), score_trust, signals), general
    )  # (a numpy number takes the general path)


def test_is_number_is_a_plain_number_equal_to_the_value_never_an_array():
    assert motives.is_number(0.0, 0.0) and motives.is_number(0, 0.0)
    assert motives.is_number(1, 1.0) and not motives.is_number(0.5, 0.0)
    assert not motives.is_number(np.zeros(3), 0.0)  # an array of zeros still takes its pass
    assert not motives.is_number(np.zeros(1, np.float32)[0], 0.0)  # nor a float32 number


# --------------------------------------------------------------------------- word of mouth
@given(
    legitimacy=st.floats(0.0, 1.0),
    heard=st.floats(-1.0, 1.0),
    weight=st.floats(0.0, 1.0),
    negativity=st.floats(0.0, 5.0),
)
def test_word_of_mouth_moves_legitimacy_toward_the_story_and_stays_in_bounds(
    legitimacy, heard, weight, negativity
):
    new = motives.word_of_mouth(legitimacy, heard, weight=weight, negativity=negativity)
    assert 0.0 <= new <= 1.0
    if heard < 0:
        expected = legitimacy - weight * negativity * -heard * legitimacy
        assert new == pytest.approx(max(expected, 0.0), abs=1e-12)
        assert new <= legitimacy
    else:
        assert new == pytest.approx(legitimacy + weight * heard * (1 - legitimacy), abs=1e-12)
        assert new >= legitimacy
    assert motives.word_of_mouth(legitimacy, heard, weight=0.0, negativity=negativity) == (
        legitimacy
    )


def test_bad_news_weighs_negativity_times_good_news():
    down = 0.5 - motives.word_of_mouth(0.5, -0.4, weight=0.1, negativity=2.0)
    up = motives.word_of_mouth(0.5, 0.4, weight=0.1, negativity=2.0) - 0.5
    assert down == pytest.approx(2.0 * up)


def test_a_story_fades_and_is_at_most_one_sanction():
    assert motives.story_told(-0.5, 0.0, 0.2) == pytest.approx(-0.4)
    assert motives.story_told(-0.5, -1.0, 0.2) == -1.0
    assert motives.story_told(0.9, 1.0, 0.0) == 1.0


# --------------------------------------------------------------------------- reputation
@given(st.floats(0.0, 0.99), st.floats(0.0, 1.0))
def test_score_future_is_the_discounted_life_of_a_point(delta, persistence):
    """δ / (1 − δ q) = Σ_{t≥1} δ^t q^{t−1}, summed far enough for the tail to vanish."""
    t = np.arange(1, 4000)
    expected = float(np.sum(delta**t * persistence ** (t - 1)))
    assert motives.score_future(delta, persistence) == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_score_worth_adds_the_regimes_channels_by_hand():
    own = np.array([[3.0, 0.0], [5.0, 1.0]])
    # partners' trust alone: σ · ζ/2 · share · ρ₀ · ½[(R − S) + (T − P)]
    trust = motives.score_worth(0.01, 0.0, 0.0, 0.5, 0.5, 1 / 6, own)
    assert trust == pytest.approx(0.01 * 0.25 * (1 / 6) * 0.5 * 3.5)
    # status and exclusion: P + X · mean payoff
    assert motives.score_worth(0.0, 0.2, 0.1, 0.5, 0.5, 1.0, own) == pytest.approx(0.2 + 0.1 * 2.25)
    # nothing attached to a score: worth nothing, whatever the game
    assert motives.score_worth(0.0, 0.0, 0.0, 1.0, 1.0, 1.0, own * 7) == 0.0
    # per-row games broadcast
    rows = np.stack([own, 2 * own], axis=-1)
    np.testing.assert_allclose(
        motives.score_worth(0.0, 0.0, 0.1, 0.5, 0.5, 1.0, rows), [0.225, 0.45]
    )


def test_prior_share_is_the_priors_weight_once_experience_settles():
    """A prior worth k draws beside Σ (1 − φ)^j = 1/φ remembered partners."""
    k, phi = 2.0, 0.1
    remembered = sum((1 - phi) ** j for j in range(5000))
    assert motives.prior_share(k, phi) == pytest.approx(k / (k + remembered))
    assert motives.prior_share(k, 0.0) == 0.0  # experience outweighs any prior
    assert motives.prior_share(k, 1.0) == pytest.approx(2 / 3)  # one partner remembered


def test_trust_worth_is_the_partners_extra_cooperation_priced():
    own = np.array([[3.0, 0.0], [5.0, 1.0]])
    # a swing of 2 in the signal: prior + ζ, a share 1/6 of belief, followed by ρ₀, worth G
    assert motives.trust_worth(2.0, 0.5, 0.5, 1 / 6, own) == pytest.approx(
        2 * 0.25 * (1 / 6) * 0.5 * 3.5
    )
    assert motives.trust_worth(-1.0, 0.5, 0.5, 1.0, own) < 0  # a stake against C
