import dataclasses
import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sccgames.model.decision import Context
from sccgames.rules.community import DRAWS_PER_ACT, Assessment, CommunityReputation, assess
from sccgames.rules.regimes import SocialCredit

# The full table of each norm, as (act, recipient good) -> actor good.
TRUTH = {
    Assessment.IMAGE_SCORING: {(1, 1): 1, (0, 1): 0, (1, 0): 1, (0, 0): 0},
    Assessment.STANDING: {(1, 1): 1, (0, 1): 0, (1, 0): 1, (0, 0): 1},
    Assessment.STERN_JUDGING: {(1, 1): 1, (0, 1): 0, (1, 0): 0, (0, 0): 1},
}
ALGEBRA = {
    Assessment.IMAGE_SCORING: lambda c, g: c,
    Assessment.STANDING: lambda c, g: c | ~g,
    Assessment.STERN_JUDGING: lambda c, g: ~(c ^ g),
}


@st.composite
def periods(draw, min_size=0):
    """A period of n agents: reputations, acts and partner indices (-1 for none)."""
    n = draw(st.integers(min_size, 30))
    bools = st.lists(st.booleans(), min_size=n, max_size=n)
    good = np.array(draw(bools), dtype=bool)
    cooperated = np.array(draw(bools), dtype=bool)
    partner = np.array(draw(st.lists(st.integers(-1, max(n - 1, -1)), min_size=n, max_size=n)))
    return good, cooperated, partner.astype(np.int64)


def _binomial_tolerance(p, n, k=5.0):
    """k standard errors of a share of n Bernoulli(p) trials (plus rounding slack)."""
    return k * math.sqrt(p * (1.0 - p) / n) + 1e-9


# ---------------------------------------------------------------- the norms
@pytest.mark.parametrize("norm", list(Assessment))
@pytest.mark.parametrize(("act", "recipient"), [(1, 1), (0, 1), (1, 0), (0, 0)])
def test_truth_table(norm, act, recipient):
    expected = bool(TRUTH[norm][act, recipient])
    assert bool(assess(norm, bool(act), bool(recipient))) is expected
    assert norm.table[act, recipient] == expected
    vectorized = assess(norm, np.array([act, act]), np.array([recipient, recipient]))
    assert vectorized.dtype == bool
    assert vectorized.tolist() == [expected, expected]


def test_norms_share_the_leading_eight_core_and_differ_elsewhere():
    # all three: C to good is good, D to good is bad; they differ only toward bad recipients
    tables = [norm.table for norm in Assessment]
    assert all(t[1, 1] and not t[0, 1] for t in tables)
    assert len({t.tobytes() for t in tables}) == 3


@given(norm=st.sampled_from(list(Assessment)), data=periods())
def test_assess_is_elementwise_boolean_algebra(norm, data):
    _, cooperated, _ = data
    recipient = cooperated[::-1].copy()
    result = assess(norm, cooperated, recipient)
    assert result.shape == cooperated.shape
    np.testing.assert_array_equal(result, ALGEBRA[norm](cooperated, recipient))


def test_assess_broadcasts_and_accepts_names():
    result = assess("stern judging", np.array([[True], [False]]), np.array([True, False]))
    np.testing.assert_array_equal(result, [[True, False], [False, True]])


def test_tables_are_read_only():
    with pytest.raises(ValueError, match="read-only"):
        Assessment.STANDING.table[0, 0] = False


@pytest.mark.parametrize(
    ("name", "member"),
    [
        ("stern judging", Assessment.STERN_JUDGING),
        ("STANDING", Assessment.STANDING),
        ("Image-Scoring", Assessment.IMAGE_SCORING),
        ("  image_scoring ", Assessment.IMAGE_SCORING),
        ("STERN_JUDGING", Assessment.STERN_JUDGING),
        (Assessment.STANDING, Assessment.STANDING),
    ],
)
def test_names_accepted_case_insensitively(name, member):
    assert Assessment(name) is member
    assert CommunityReputation(norm=name).norm is member


@pytest.mark.parametrize("bad", ["standin", "", "image scoring!", 3, None])
def test_unknown_names_rejected_with_the_allowed_ones(bad):
    allowed = "choose one of 'image_scoring', 'standing', 'stern_judging'"
    with pytest.raises(ValueError, match=re.escape(f"unknown assessment norm {bad!r}; {allowed}")):
        Assessment(bad)
    with pytest.raises(ValueError, match=f"^CommunityReputation.norm: .*{allowed}"):
        CommunityReputation(norm=bad)


# ---------------------------------------------------------------- parameters
def test_defaults():
    community = CommunityReputation()
    assert community.norm is Assessment.STANDING
    assert (community.visibility, community.error, community.initial_good) == (0.5, 0.0, 1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        community.visibility = 1.0


@pytest.mark.parametrize("name", ["visibility", "error", "initial_good"])
@pytest.mark.parametrize("value", [-0.1, 1.5, math.nan, "high", np.array([0.2, 1.2])])
def test_probabilities_validated(name, value):
    with pytest.raises(ValueError, match=f"^CommunityReputation.{name} must be"):
        CommunityReputation(**{name: value})


def test_array_parameters_accepted():
    visibility = np.array([0.0, 1.0], dtype=np.float32)
    community = CommunityReputation(norm="image scoring", visibility=visibility)
    draws = np.full((2, 2), 0.5, dtype=np.float32)
    new = community.update([True, True], [False, False], [1, 0], draws)
    np.testing.assert_array_equal(new, [True, False])


# ---------------------------------------------------------------- reputations
@pytest.mark.parametrize("share", [0.0, 0.3, 1.0])
def test_initial_reputation_share(share):
    n = 100_000
    good = CommunityReputation(initial_good=share).initial_reputation(n, np.random.default_rng(1))
    assert good.dtype == bool and good.shape == (n,)
    assert abs(good.mean() - share) <= _binomial_tolerance(share, n)
    if share in (0.0, 1.0):
        assert good.all() == bool(share) and good.any() == bool(share)


def test_initial_reputation_reproducible_and_validated():
    community = CommunityReputation(initial_good=0.5)
    first = community.initial_reputation(50, np.random.default_rng(7))
    np.testing.assert_array_equal(first, community.initial_reputation(50, np.random.default_rng(7)))
    with pytest.raises(ValueError, match="n must be an integer >= 0, got -1"):
        community.initial_reputation(-1, np.random.default_rng(7))


def test_initial_reputation_from_given_uniforms():
    community = CommunityReputation(initial_good=0.5)
    good = community.initial_reputation(3, np.array([0.1, 0.5, 0.9]))
    np.testing.assert_array_equal(good, [True, False, False])
    with pytest.raises(ValueError, match="needs 3 uniforms, got shape \\(2,\\)"):
        community.initial_reputation(3, np.array([0.1, 0.2]))


def test_signal_of_a_share_of_good_partners_is_their_mean_signal():
    community = CommunityReputation()
    shares = np.array([0.0, 0.25, 1.0], dtype=np.float32)
    signal = community.signal(shares)
    assert signal.dtype == np.float32
    np.testing.assert_allclose(signal, [-1.0, -0.5, 1.0])
    assert community.signal(0.75) == 0.5 and type(community.signal(True)) is float


def test_signal():
    community = CommunityReputation()
    signal = community.signal(np.array([True, False, True]))
    assert signal.dtype.kind == "f"
    np.testing.assert_array_equal(signal, [1.0, -1.0, 1.0])
    assert community.signal(True) == 1.0 and community.signal(False) == -1.0


# ---------------------------------------------------------------- the context
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_context_has_no_incentive_and_shows_reputation(dtype):
    community = CommunityReputation(visibility=0.7)
    coverage = np.array([0.5, 0.9, 0.0], dtype=dtype)
    context = community.context_for(
        coverage,
        np.array([True, False, True]),
        remaining=np.array([3.0, np.inf, 0.0]),
        in_group=np.array([1.0, 0.0, 1.0]),
        domain="work",
    )
    assert isinstance(context, Context)
    assert context.domain == "work"
    assert context.reward == 0.0 and context.fine == 0.0
    assert context.score_up == 0.0 and context.score_down == 0.0
    assert context.visibility == 0.7
    np.testing.assert_array_equal(context.partner_signal, [1.0, -1.0, 1.0])
    # the community covers nothing of its own: zero coverage, shaped and typed like the input
    assert context.coverage.dtype == dtype
    np.testing.assert_array_equal(context.coverage, np.zeros(3))
    np.testing.assert_array_equal(context.salience, np.zeros(3))
    np.testing.assert_array_equal(context.incentive(10.0), np.zeros(3))
    np.testing.assert_array_equal(context.remaining, [3.0, np.inf, 0.0])
    np.testing.assert_array_equal(context.in_group, [1.0, 0.0, 1.0])


def test_context_for_scalars():
    context = CommunityReputation(visibility=0.2).context_for(
        0.5, False, remaining=np.inf, in_group=0.0
    )
    assert context.coverage == 0.0 and context.partner_signal == -1.0
    assert context.visibility == 0.2 and context.domain == ""


# ---------------------------------------------------------------- the update
@given(norm=st.sampled_from(list(Assessment)), data=periods(), seed=st.integers(0, 2**32 - 1))
def test_invisible_acts_keep_every_reputation(norm, data, seed):
    good, cooperated, partner = data
    community = CommunityReputation(norm=norm, visibility=0.0, error=0.5)
    new = community.update(good, cooperated, partner, np.random.default_rng(seed))
    np.testing.assert_array_equal(new, good)


@given(norm=st.sampled_from(list(Assessment)), data=periods(), seed=st.integers(0, 2**32 - 1))
def test_full_visibility_without_error_applies_the_norm_exactly(norm, data, seed):
    good, cooperated, partner = data
    community = CommunityReputation(norm=norm, visibility=1.0, error=0.0)
    new = community.update(good, cooperated, partner, np.random.default_rng(seed))
    assert new.dtype == bool and new.shape == good.shape
    for i in range(good.size):  # the reference: one actor at a time, from the table
        if partner[i] < 0:
            assert new[i] == good[i]
        else:
            assert new[i] == TRUTH[norm][int(cooperated[i]), int(good[partner[i]])]


def test_reputations_at_the_start_of_the_period_are_used():
    # 0 helps bad 1 (stern judging: 0 turns bad); 1 helps 0, good at the start: 1 turns good.
    community = CommunityReputation(norm="stern judging", visibility=1.0)
    new = community.update([True, False], [True, True], [1, 0], np.zeros((2, 2)))
    np.testing.assert_array_equal(new, [False, True])


def test_unmatched_actors_keep_theirs():
    community = CommunityReputation(norm="image scoring", visibility=1.0, error=1.0)
    good = np.array([True, False, True, False])
    new = community.update(good, [False, True, True, False], [-1, -1, -1, -1], np.zeros((2, 4)))
    np.testing.assert_array_equal(new, good)
    # the same acts, matched, are all judged (and all misperceived)
    new = community.update(good, [False, True, True, False], [1, 0, 3, 2], np.zeros((2, 4)))
    np.testing.assert_array_equal(new, [True, False, False, True])


@pytest.mark.parametrize(
    ("norm", "expected"),
    [("image scoring", False), ("standing", True), ("stern judging", True)],
)
def test_justified_defection(norm, expected):
    """A good defector paired with a bad partner: image scoring condemns it, standing not."""
    community = CommunityReputation(norm=norm, visibility=1.0)
    new = community.update([True, False], [False, True], [1, -1], np.zeros((2, 2)))
    assert bool(new[0]) is expected
    assert not new[1]  # unmatched, stays bad


@pytest.mark.parametrize("visibility", [0.1, 0.5, 0.9])
def test_observed_share_matches_visibility(visibility):
    """Everyone good defects on a good partner: exactly the observed turn bad.

    200,000 acts; the observed share must lie within five binomial standard errors of v.
    """
    n = 200_000
    community = CommunityReputation(norm="image scoring", visibility=visibility)
    good = np.ones(n, dtype=bool)
    partner = np.roll(np.arange(n), 1)
    new = community.update(good, np.zeros(n, dtype=bool), partner, np.random.default_rng(11))
    observed_share = 1.0 - new.mean()
    assert abs(observed_share - visibility) <= _binomial_tolerance(visibility, n)


@pytest.mark.parametrize("norm", ["image scoring", "stern judging"])
@pytest.mark.parametrize("error", [0.02, 0.2])
def test_error_flips_assessments_at_its_rate(norm, error):
    """Everyone good helps a good partner, all seen: a share ≈ error is judged bad.

    200,000 acts; within five binomial standard errors of the error rate.
    """
    n = 200_000
    community = CommunityReputation(norm=norm, visibility=1.0, error=error)
    good = np.ones(n, dtype=bool)
    partner = np.roll(np.arange(n), 1)
    new = community.update(good, np.ones(n, dtype=bool), partner, np.random.default_rng(12))
    assert abs((1.0 - new.mean()) - error) <= _binomial_tolerance(error, n)


def test_error_is_a_misperception_of_the_act():
    """Under standing an act toward a bad recipient is good whatever peers think they saw."""
    community = CommunityReputation(norm="standing", visibility=1.0, error=1.0)
    new = community.update([False, False, False], [True, False, True], [2, 2, 0], np.zeros((2, 3)))
    # 0 and 1 act toward bad 2: good either way; 2 helps bad 0: seen as D, still good
    np.testing.assert_array_equal(new, [True, True, True])
    new = community.update([True, True], [True, False], [1, 0], np.zeros((2, 2)))
    np.testing.assert_array_equal(new, [False, True])  # C to good seen as D; D seen as C


def test_generator_draws_exactly_the_given_uniforms():
    community = CommunityReputation(norm="stern judging", visibility=0.5, error=0.3)
    n = 1_000
    rng = np.random.default_rng(5)
    good, cooperated = rng.random(n) < 0.5, rng.random(n) < 0.5
    partner = rng.integers(-1, n, n)
    from_generator = community.update(good, cooperated, partner, np.random.default_rng(9))
    draws = np.random.default_rng(9).random((DRAWS_PER_ACT, n))
    np.testing.assert_array_equal(
        from_generator, community.update(good, cooperated, partner, draws)
    )
    assert DRAWS_PER_ACT == 2


def test_float32_draws_work_and_inputs_are_not_modified():
    community = CommunityReputation(norm="image scoring", visibility=np.float32(0.5))
    good = np.array([True, True, False])
    draws = np.array([[0.4, 0.6, 0.1], [0.9, 0.9, 0.9]], dtype=np.float32)
    new = community.update(good, [False, False, True], [1, 2, 0], draws)
    np.testing.assert_array_equal(new, [False, True, True])
    np.testing.assert_array_equal(good, [True, True, False])


def test_empty_population():
    new = CommunityReputation().update([], [], [], np.zeros((2, 0)))
    assert new.shape == (0,) and new.dtype == bool


@pytest.mark.parametrize(
    ("good", "cooperated", "partner", "draws", "message"),
    [
        ([True, True], [True], [1, 0], np.zeros((2, 2)), "one shape"),
        ([True, True], [True, True], [1], np.zeros((2, 2)), "one shape"),
        ([[True, True]], [True, True], [1, 0], np.zeros((2, 2)), "one shape"),
        ([True, True], [True, True], [1, 0], np.zeros((3, 2)), r"draws of shape \(2, 2\)"),
        ([True, True], [True, True], [1, 2], np.zeros((2, 2)), r"indices in \[-1, 1\]"),
        ([True, True], [True, True], [1, -2], np.zeros((2, 2)), r"indices in \[-1, 1\]"),
        ([True, True], [True, True], [1.0, 0.0], np.zeros((2, 2)), "integer partner"),
    ],
)
def test_update_validates_shapes_and_partners(good, cooperated, partner, draws, message):
    with pytest.raises(ValueError, match=f"^CommunityReputation.update needs .*{message}"):
        CommunityReputation().update(good, cooperated, partner, draws)


@pytest.mark.parametrize(
    ("norm", "to_good", "to_bad"),
    [("image_scoring", 1.0, 1.0), ("standing", 1.0, 0.0), ("stern_judging", 1.0, -1.0)],
)
def test_standing_stake_is_the_expected_swing_of_my_signal(norm, to_good, to_bad):
    """2 v (1 − 2e) × (the norm's verdict on C minus that on D): checked against the table
    by simulation-free enumeration of the four cases, and by a Monte Carlo of update()."""
    community = CommunityReputation(norm=norm, visibility=0.6, error=0.1)
    factor = 2 * 0.6 * (1 - 2 * 0.1)
    assert community.standing_stake(True) == pytest.approx(factor * to_good)
    assert community.standing_stake(False) == pytest.approx(factor * to_bad)
    shares = np.array([0.0, 0.25, 1.0])
    np.testing.assert_allclose(
        community.standing_stake(shares), factor * (to_bad + (to_good - to_bad) * shares)
    )
    # Monte Carlo: the mean signal after a C minus after a D, everyone (recipients and
    # actors) starting with the same reputation
    n, rng = 200_000, np.random.default_rng(5)
    partner = np.roll(np.arange(n), 1)
    for good_recipient, expected in ((True, to_good), (False, to_bad)):
        good = np.full(n, good_recipient)
        after = {}
        for act in (True, False):
            new = community.update(good, np.full(n, act), partner, rng)
            after[act] = np.mean(np.where(new, 1.0, -1.0))
        # an unseen act keeps the old reputation, the same after C and after D
        swing = after[True] - after[False]
        assert swing == pytest.approx(factor * expected, abs=5 * 2 * 2 / np.sqrt(n))


def test_standing_lasts_until_peers_see_the_next_act_and_halves_beside_a_public_score():
    from sccgames.rules.institutions import Combined

    community = CommunityReputation(visibility=0.3)
    context = community.context_for(0.5, True, remaining=0.0, in_group=0.0)
    assert context.standing_persistence == pytest.approx(0.7)
    assert context.standing_stake == pytest.approx(2 * 0.3)
    both = Combined(SocialCredit(), community).context_for(
        0.5, 100.0, partner_good=True, remaining=0.0, in_group=0.0
    )
    # partners see the mean of the score's signal and the standing's: each moves it half
    assert both.standing_stake == pytest.approx(0.3)
    assert both.signal_slope == pytest.approx(0.5 * SocialCredit().reputation_terms["signal_slope"])
    private = Combined(SocialCredit(public_scores=False), community).context_for(
        0.5, 100.0, partner_good=True, remaining=0.0, in_group=0.0
    )
    assert private.standing_stake == pytest.approx(0.6) and private.signal_slope == 0.0
