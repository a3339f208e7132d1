"""Peer punishment, combined regimes and schedules of regimes."""

import doctest
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sccgames.model.decision import initial_state
from sccgames.model.population import Population
from sccgames.model.profiles import Profile, Weights
from sccgames.rules import institutions as institutions_module
from sccgames.rules.community import CommunityReputation
from sccgames.rules.institutions import (
    Combined,
    PairInstitutions,
    PeerPunishment,
    Schedule,
    check_regime,
    check_schedule_fits,
    combined,
    schedule,
)
from sccgames.rules.regimes import NoRegime, SocialCredit

CREDIT = SocialCredit(fine=2.0)
COMMUNITY = CommunityReputation(visibility=0.3)
PEERS = PeerPunishment(cost=0.4, fine=1.2)


# --------------------------------------------------------------------------- PeerPunishment


def test_peer_punishment_defaults():
    peers = PeerPunishment()
    assert (peers.cost, peers.fine, peers.prior) == (0.5, 1.5, 0.2)
    # one punishment takes back a free rider's private gain in the default public goods
    # game, (1 - 0.4) * 2.5 = 1.5
    assert peers.fine == pytest.approx((1 - 0.4) * 2.5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cost": -0.1}, r"PeerPunishment.cost must be in \[0, inf\), got -0.1"),
        ({"cost": math.inf}, r"PeerPunishment.cost must be in \[0, inf\)"),
        ({"fine": -1.0}, r"PeerPunishment.fine must be in \[0, inf\), got -1.0"),
        ({"fine": float("nan")}, r"PeerPunishment.fine must be a number in \[0, inf\), got NaN"),
        ({"prior": 1.5}, r"PeerPunishment.prior must be in \[0, 1\], got 1.5"),
        ({"prior": -0.01}, r"PeerPunishment.prior must be in \[0, 1\], got -0.01"),
        ({"cost": "cheap"}, r"PeerPunishment.cost must be a number, got 'cheap'"),
    ],
)
def test_peer_punishment_rejects_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PeerPunishment(**kwargs)


def test_peer_punishment_accepts_bounds():
    peers = PeerPunishment(cost=0.0, fine=0.0, prior=1.0)
    assert (peers.cost, peers.fine, peers.prior) == (0.0, 0.0, 1.0)


def test_urge_by_hand():
    """``U = w_M n c + w_E A − w_R cost``."""
    profile = Profile(weights=Weights(rational=2.0, moral=1.5, emotion=0.5))
    peers = PeerPunishment(cost=0.5)
    # 1.5 * 2 * 0.8 + 0.5 * 3 - 2 * 0.5 = 2.4 + 1.5 - 1.0
    assert peers.urge(profile, norm=2.0, condition=0.8, anger=3.0) == pytest.approx(2.9)
    # no norm, no anger: only the cost
    assert peers.urge(profile, norm=0.0, condition=1.0, anger=0.0) == pytest.approx(-1.0)
    # a free punishment by a calm agent without a norm: no urge at all
    assert PeerPunishment(cost=0.0).urge(profile, 0.0, 0.0, 0.0) == 0.0


def test_urge_of_a_purely_rational_agent_is_minus_the_cost():
    rational = Profile(beta=10.0, weights=Weights(1.0, 0.0, 0.0, 0.0, 0.0))
    peers = PeerPunishment(cost=0.5)
    for norm, condition, anger in [(0.0, 0.0, 0.0), (5.0, 1.0, 10.0), (1.0, 0.3, 2.0)]:
        assert peers.urge(rational, norm, condition, anger) == pytest.approx(-0.5)
    # so it (almost) never pays to punish: logistic(10 * -0.5)
    p = peers.probability(rational.beta, peers.urge(rational, 5.0, 1.0, 10.0))
    assert p == pytest.approx(1 / (1 + math.exp(5.0)))
    assert p < 0.01


def test_urge_elementwise_on_a_population():
    """Each citizen's urge from its own weights (struct-of-arrays profile)."""
    profile = (
        Population(4, shares={"HomoEconomicus": 0.5, "Moralist": 0.5})
        .build(np.random.default_rng(0))
        .profile
    )
    w = profile.weights
    norm = np.array([1.0, 2.0, 3.0, 4.0])
    condition = np.array([1.0, 0.5, 0.25, 0.0])
    anger = np.array([0.0, 1.0, 2.0, 3.0])
    urge = PEERS.urge(profile, norm, condition, anger)
    assert urge.shape == (4,)
    for i in range(4):
        wr, wm, we = (float(np.broadcast_to(x, (4,))[i]) for x in (w.rational, w.moral, w.emotion))
        expected = wm * norm[i] * condition[i] + we * anger[i] - wr * 0.4
        assert urge[i] == pytest.approx(expected), i


@pytest.mark.parametrize(
    ("beta", "urge", "expected"),
    [
        (2.0, 0.5, 1 / (1 + math.exp(-1.0))),  # 0.7310585786…
        (1.0, 0.0, 0.5),
        (0.0, 123.0, 0.5),  # no precision: a coin flip
        (3.0, -1.0, 1 / (1 + math.exp(3.0))),
        (1.0, 800.0, 1.0),  # no overflow
        (1.0, -800.0, 0.0),
    ],
)
def test_probability_is_logistic_of_beta_times_urge(beta, urge, expected):
    assert PEERS.probability(beta, urge) == pytest.approx(expected, abs=1e-15)


def test_probability_elementwise():
    beta = np.array([0.0, 1.0, 2.0])
    urge = np.array([5.0, math.log(3.0), -math.log(2.0) / 2])
    np.testing.assert_allclose(PEERS.probability(beta, urge), [0.5, 0.75, 1 / 3])


def test_punish_never_self_and_only_defectors():
    k = 4
    probability = np.ones((2, k))
    defected = np.array([[True, False, True, False], [True, True, True, True]])
    draws = np.zeros((2, k, k))  # every draw below every probability
    out = PeerPunishment().punish(probability, defected, draws)
    assert out.shape == (2, k, k)
    assert out.dtype == bool
    expected = defected[:, None, :] & ~np.eye(k, dtype=bool)
    np.testing.assert_array_equal(out, expected)
    # nobody punishes without the will to
    assert not PeerPunishment().punish(np.zeros((2, k)), defected, draws).any()


@given(
    groups=st.integers(1, 6),
    k=st.integers(2, 6),
    seed=st.integers(0, 2**32),
)
def test_punish_properties(groups, k, seed):
    rng = np.random.default_rng(seed)
    probability = rng.random((groups, k))
    defected = rng.random((groups, k)) < 0.5
    draws = rng.random((groups, k, k))
    out = PeerPunishment().punish(probability, defected, draws)
    assert out.shape == (groups, k, k)
    assert not out[:, np.arange(k), np.arange(k)].any()  # never self
    assert not (out & ~defected[:, None, :]).any()  # cooperators are never punished
    # i punishes defector j exactly when i's draw against j is below i's probability
    for g in range(groups):
        for i in range(k):
            for j in range(k):
                expected = i != j and defected[g, j] and draws[g, i, j] < probability[g, i]
                assert out[g, i, j] == expected


def test_punish_frequency_matches_probability():
    """With uniform draws, i punishes each defecting group-mate with i's probability.

    20,000 groups of 4, seed fixed; each (punisher, target) cell has 20,000 trials, so its
    standard error is at most 0.0036: the tolerance is 0.015 (over four standard errors).
    """
    groups, k = 20_000, 4
    rng = np.random.default_rng(17)
    p = np.array([0.05, 0.4, 0.7, 0.95])
    probability = np.broadcast_to(p, (groups, k))
    defected = np.ones((groups, k), dtype=bool)
    out = PeerPunishment().punish(probability, defected, rng.random((groups, k, k)))
    rate = out.mean(axis=0)
    for i in range(k):
        for j in range(k):
            if i == j:
                assert rate[i, j] == 0.0
            else:
                assert rate[i, j] == pytest.approx(p[i], abs=0.015), (i, j)
    # and against cooperators never, whatever the probability
    defected[:, 1] = False
    out = PeerPunishment().punish(probability, defected, rng.random((groups, k, k)))
    assert not out[:, :, 1].any()
    assert out[:, 0, 2].mean() == pytest.approx(p[0], abs=0.015)


# --------------------------------------------------------------------------- Combined


def test_combined_parts_and_accessors():
    both = Combined(CREDIT, PEERS)
    assert both.parts == (CREDIT, PEERS)
    assert both.credit is CREDIT
    assert both.peers is PEERS
    assert both.community is None
    assert both.name == "SocialCredit+PeerPunishment"
    everything = Combined(PEERS, NoRegime(), COMMUNITY, CREDIT)
    assert (everything.credit, everything.community, everything.peers) == (CREDIT, COMMUNITY, PEERS)
    assert everything.name == "PeerPunishment+CommunityReputation+SocialCredit"


def test_combined_of_no_regime():
    nothing = Combined(NoRegime())
    assert nothing.name == "NoRegime"
    assert (nothing.credit, nothing.community, nothing.peers) == (None, None, None)
    assert Combined().name == "NoRegime"
    # NoRegime is not a kind of regime in force: it may appear with others, or twice
    assert Combined(NoRegime(), NoRegime()).name == "NoRegime"
    assert Combined(NoRegime(), COMMUNITY).name == "CommunityReputation"


@pytest.mark.parametrize(
    "parts",
    [
        (SocialCredit(), SocialCredit(fine=1.0)),
        (COMMUNITY, CREDIT, CommunityReputation()),
        (PEERS, PEERS),
    ],
)
def test_combined_takes_at_most_one_of_each_kind(parts):
    with pytest.raises(ValueError, match="Combined takes at most one regime of each kind"):
        Combined(*parts)


@pytest.mark.parametrize("part", ["credit", None, 3, Combined(CREDIT), Profile()])
def test_combined_rejects_non_regimes(part):
    with pytest.raises(
        ValueError,
        match="Combined takes NoRegime, SocialCredit, CommunityReputation and PeerPunishment, got",
    ):
        Combined(CREDIT, part)


def test_combined_is_frozen_and_compares_by_parts():
    assert Combined(CREDIT, PEERS) == Combined(CREDIT, PEERS)
    assert Combined(CREDIT, PEERS) != Combined(PEERS, CREDIT)
    with pytest.raises(AttributeError):
        Combined(CREDIT).parts = ()


def test_combined_docstring_example():
    globs = dict(vars(institutions_module))
    runner = doctest.DocTestRunner()
    tests = doctest.DocTestFinder().find(Combined, "Combined", globs=globs)
    assert sum(len(t.examples) for t in tests) >= 2
    for test in tests:
        runner.run(test, out=lambda _: None)
    assert runner.summarize(verbose=False).failed == 0


def test_combined_function():
    nothing = combined(None)
    assert isinstance(nothing, Combined)
    assert nothing.parts == (NoRegime(),)
    assert nothing.name == "NoRegime"
    both = Combined(CREDIT, COMMUNITY)
    assert combined(both) is both
    for regime in (NoRegime(), CREDIT, COMMUNITY, PEERS):
        wrapped = combined(regime)
        assert isinstance(wrapped, Combined)
        assert wrapped.parts == (regime,)
    assert combined(CREDIT).credit is CREDIT
    with pytest.raises(ValueError, match="Combined takes NoRegime"):
        combined("social credit")


# --------------------------------------------------------------------------- Schedule


def test_schedule_phases_are_sorted():
    plan = Schedule({60: NoRegime(), 0: NoRegime(), 20: CREDIT})
    assert plan.starts == [0, 20, 60]
    assert list(plan.phases) == [0, 20, 60]
    assert plan.phases[20] is CREDIT


@pytest.mark.parametrize(
    ("round_", "phase", "name"),
    [
        (0, 0, "NoRegime"),
        (1, 0, "NoRegime"),
        (19, 0, "NoRegime"),
        (20, 1, "SocialCredit"),
        (21, 1, "SocialCredit"),
        (59, 1, "SocialCredit"),
        (60, 2, "SocialCredit+PeerPunishment"),
        (10**9, 2, "SocialCredit+PeerPunishment"),
    ],
)
def test_schedule_phase_and_regime_at_boundaries(round_, phase, name):
    plan = Schedule({0: None, 20: CREDIT, 60: Combined(CREDIT, PEERS)})
    assert plan.phase_at(round_) == phase
    assert isinstance(plan.phase_at(round_), int)
    regime = plan.regime_at(round_)
    assert isinstance(regime, Combined)
    assert regime.name == name


def test_schedule_regime_at_keeps_the_regimes_themselves():
    both = Combined(CREDIT, PEERS)
    plan = Schedule({0: NoRegime(), 5: CREDIT, 9: both})
    assert plan.regime_at(5).credit is CREDIT
    assert plan.regime_at(9) is both


@given(
    starts=st.sets(st.integers(1, 500), max_size=8),
    round_=st.integers(0, 600),
)
def test_schedule_phase_at_is_the_last_phase_started(starts, round_):
    ordered = sorted({0, *starts})
    regimes = [SocialCredit(fine=float(i)) for i in range(len(ordered))]
    plan = Schedule(dict(zip(reversed(ordered), reversed(regimes), strict=True)))
    expected = max(i for i, s in enumerate(ordered) if s <= round_)
    assert plan.phase_at(round_) == expected
    assert plan.regime_at(round_).credit is regimes[expected]


def test_schedule_accepts_numpy_integer_rounds():
    plan = Schedule({np.int64(0): NoRegime(), np.int32(3): CREDIT})
    assert plan.phase_at(3) == 1


@pytest.mark.parametrize(
    ("phases", "message"),
    [
        ([NoRegime()], r"Schedule needs a mapping of first round to regime, got \[NoRegime\(\)\]"),
        ({}, r"Schedule needs a mapping of first round to regime, got \{\}"),
        (None, r"Schedule needs a mapping of first round to regime, got None"),
        ({0.0: NoRegime()}, r"Schedule round must be an integer >= 0, got 0.0"),
        ({0: NoRegime(), "5": CREDIT}, r"Schedule round must be an integer >= 0, got '5'"),
        ({0: NoRegime(), True: CREDIT}, r"Schedule round must be an integer >= 0, got True"),
        ({0: NoRegime(), -5: CREDIT}, r"Schedule round must be an integer >= 0, got -5"),
        ({0: NoRegime(), 2.5: CREDIT}, r"Schedule round must be an integer >= 0, got 2.5"),
        ({3: NoRegime(), 7: CREDIT}, r"Schedule must say what holds from round 0; .* \[3, 7\]"),
        ({0: "credit"}, r"Combined takes NoRegime, .*got 'credit'"),
        ({0: NoRegime(), 4: 1.0}, r"Combined takes NoRegime, .*got 1.0"),
        ({0: Combined(CREDIT), 4: (CREDIT, CREDIT)}, r"Combined takes NoRegime"),
    ],
)
def test_schedule_rejects_bad_phases(phases, message):
    with pytest.raises(ValueError, match=message):
        Schedule(phases)


def test_schedule_rejects_negative_rounds():
    plan = Schedule({0: NoRegime(), 5: CREDIT})
    with pytest.raises(ValueError):
        plan.regime_at(-1)


def test_schedule_function():
    plan = Schedule({0: NoRegime(), 3: CREDIT})
    assert schedule(plan) is plan
    nothing = schedule(None)
    assert isinstance(nothing, Schedule)
    assert nothing.starts == [0]
    assert nothing.regime_at(0).name == "NoRegime"
    assert nothing.regime_at(1000).name == "NoRegime"
    one = schedule(PEERS)
    assert one.starts == [0]
    assert one.regime_at(0).peers is PEERS
    assert one.regime_at(10**6).peers is PEERS
    both = Combined(CREDIT, COMMUNITY)
    assert schedule(both).regime_at(7) is both
    with pytest.raises(ValueError, match="Combined takes NoRegime"):
        schedule("credit")


# --------------------------------------------------------------------------- contexts
def test_combined_context_of_credit_and_community_by_hand():
    """Public scores: visibility the larger of coverage and v; the two signals averaged."""
    credit = SocialCredit(coverage=0.4, fine=2.0)
    community = CommunityReputation(visibility=0.7)
    context = Combined(credit, community).context_for(
        0.4, 150.0, partner_good=False, remaining=3.0, in_group=1.0, domain="work"
    )
    # a score of 150 on the 0-200 scale is a signal of +0.5; a bad reputation -1
    assert context.partner_signal == pytest.approx((0.5 - 1.0) / 2)
    assert context.visibility == 0.7 and context.coverage == 0.4 and context.fine == 2.0
    assert (context.remaining, context.in_group, context.domain) == (3.0, 1.0, "work")
    assert context.peer_sanction == 0.0
    coverage = np.array([0.9, 0.1])
    both = Combined(credit, community).context_for(
        coverage,
        np.array([100.0, 0.0]),
        partner_good=np.array([True, True]),
        remaining=np.inf,
        in_group=0.0,
    )
    np.testing.assert_allclose(both.visibility, [0.9, 0.7])
    np.testing.assert_allclose(both.partner_signal, [0.5, 0.0])


def test_combined_context_with_private_scores_shows_only_the_reputation():
    credit = SocialCredit(coverage=0.4, public_scores=False)
    context = Combined(credit, CommunityReputation(visibility=0.2)).context_for(
        0.4, 190.0, partner_good=True, remaining=0.0, in_group=0.0
    )
    assert context.partner_signal == 1.0 and context.visibility == 0.2
    assert context.coverage == 0.4


def test_combined_context_of_the_community_alone_is_its_own():
    community = CommunityReputation(visibility=0.3)
    ours = Combined(community).context_for(
        0.5, np.nan, partner_good=False, remaining=2.0, in_group=1.0
    )
    assert ours == community.context_for(0.5, False, remaining=2.0, in_group=1.0)
    # a group's mean reputation: three of four others good is a mean signal of +0.5
    group = Combined(community).context_for(
        0.5, np.nan, partner_good=0.75, remaining=0.0, in_group=0.0
    )
    assert group.partner_signal == pytest.approx(0.5)


def test_combined_context_adds_the_expected_peer_fine():
    """``q̂ (k − 1) fine``: 0.4 · 3 · 1.2 in a group of four."""
    context = Combined(PEERS).context_for(
        0.0, np.nan, peer_belief=0.4, group_size=4, remaining=0.0, in_group=0.0
    )
    assert context.peer_sanction == pytest.approx(1.44)
    assert context.incentive(0.0) == pytest.approx(1.44)
    assert context.salience == 0.0  # informal sanctions are no price
    none = Combined(NoRegime()).context_for(0.0, np.nan, remaining=5.0, in_group=1.0)
    assert none.peer_sanction == 0.0 and none.visibility == 0.0 and none.remaining == 5.0


def test_peer_punishment_probability_for_a_profile_and_state_by_hand():
    profile = Profile(beta=2.0, weights=Weights(rational=1.0, moral=1.0, emotion=0.5))
    state = initial_state(profile)
    peers = PeerPunishment(cost=0.5)
    m = profile.moral
    condition = (1 - m.conditionality) + m.conditionality / (
        1 + math.exp(-(m.initial_compliance - m.threshold) / m.width)
    )
    urge = 1.0 * m.norm * condition + 0.5 * 0.0 - 1.0 * 0.5
    assert peers.probability_for(profile, state) == pytest.approx(1 / (1 + math.exp(-2 * urge)))


def test_punishment_in_pairs_and_learning_by_hand():
    probability = np.array([0.9, 0.9, 0.1, 0.0])
    defected = np.array([True, False, True, True])
    partner = np.array([1, 0, 3, 2])
    draws = np.array([0.5, 0.5, 0.05, 0.0])
    # 0 punishes 1? 1 cooperated: no. 1 punishes 0 (0.5 < 0.9, 0 defected): yes.
    # 2 punishes 3 (0.05 < 0.1): yes. 3 never punishes (probability 0).
    np.testing.assert_array_equal(
        PEERS.in_pairs(probability, defected, partner, draws), [False, True, True, False]
    )
    belief = np.array([0.2, 0.2, 0.5])
    learned = PEERS.learn(
        belief, 0.1, seen=np.array([1.0, 0.0, 0.0]), chances=np.array([1.0, 1.0, 0.0])
    )
    np.testing.assert_allclose(learned, [0.2 + 0.1 * 0.8, 0.2 - 0.1 * 0.2, 0.5])


# --------------------------------------------------------------------------- in force
def test_pair_institutions_follow_the_schedule_and_keep_scores_across_phases():
    credit = SocialCredit(coverage=1.0, false_positive=0.0, false_negative=0.0, score_decay=0.0)
    seen = CommunityReputation(visibility=1.0)
    plan = Schedule({0: credit, 2: seen, 4: Combined(credit, PEERS)})
    rng = np.random.default_rng(0)
    inside = PairInstitutions(plan, np.array([1, 0]), ["default"], rng)
    assert [inside.phase(t) for t in range(6)] == [0, 0, 1, 1, 2, 2]
    acts = np.array([True, False])
    for t in range(6):
        coverage = inside.coverage(t, 0)
        assert coverage == (0.0 if t in (2, 3) else 1.0)
        inside.enforce(t, acts, coverage, rng)
        inside.punish(t, acts, np.array([1.0, 0.0]), np.array([0.1, 0.1]), rng)
        inside.judge(t, acts, rng)
    # four recorded turns (0, 1, 4, 5): +1 each for C, -5 each for D; none while unwatched
    np.testing.assert_allclose(inside.scores, [104.0, 80.0])
    assert inside.regime_at(5).peers is PEERS and inside.regime_at(3).community is seen
    context = inside.context(5, 1.0, 0, remaining=0.0, in_group=0.0)
    assert context.peer_sanction == pytest.approx(PEERS.prior * PEERS.fine)  # never defected
    # the partner's score 80 is a signal of (80 - 100) / 100; no community in force now
    assert context.partner_signal == pytest.approx(-0.2)
    # the defector learned from two punished defections (turns 4 and 5)
    expected = PEERS.prior
    for _ in range(2):
        expected += 0.1 * (1.0 - expected)
    assert inside.belief[1] == pytest.approx(expected)
    # judged in turns 2 and 3 only: a D to a good partner is bad standing, and it stays
    np.testing.assert_array_equal(inside.reputation(), [1.0, 0.0])


def test_check_regime_and_schedule_fits():
    assert check_regime(None) == Schedule({0: NoRegime()})
    assert check_regime(CREDIT).regime_at(0).credit is CREDIT
    with pytest.raises(ValueError, match=r"^regime must be NoRegime\(\), SocialCredit"):
        check_regime("credit")
    with pytest.raises(ValueError, match=r"match\.regime must be"):
        check_regime(3, where="match.regime")
    check_schedule_fits(Schedule({0: CREDIT, 9: NoRegime()}), 10)
    with pytest.raises(ValueError, match="phase starting at round 10, but there are only 10"):
        check_schedule_fits(Schedule({0: CREDIT, 10: NoRegime()}), 10, unit="round")
