import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sccgames.model import motives
from sccgames.model.decision import (
    PARTNER_FIELDS,
    Context,
    Observation,
    Payoffs,
    belief,
    initial_state,
    motive_utilities,
    new_partner,
    p_cooperate,
    score_value,
    update_state,
)
from sccgames.model.profiles import Horizon, Profile, RationalParams, Weights, _stack
from sccgames.rules.games import payoff_matrices, prisoners_dilemma
from tests.strategies import contexts, payoff_pairs, profiles, states


@given(data=st.data())
def test_p_cooperate_is_finite_and_a_probability(data):
    profile = data.draw(profiles())
    state = data.draw(states(profile))
    context = data.draw(contexts())
    payoffs = data.draw(payoff_pairs())
    p = p_cooperate(profile, state, context, payoffs)
    assert np.isfinite(p)
    assert 0.0 <= p <= 1.0


@given(data=st.data())
def test_update_state_keeps_state_in_range(data):
    profile = data.draw(profiles())
    state = data.draw(states(profile))
    obs = Observation(
        cooperated=float(data.draw(st.booleans())),
        partner_cooperated=float(data.draw(st.booleans())),
        salience=data.draw(st.floats(0, 100)),
        unjust_sanction=float(data.draw(st.booleans())),
        corrected=float(data.draw(st.booleans())),
        fair_reward=float(data.draw(st.booleans())),
        impunity=float(data.draw(st.booleans())),
    )
    new = update_state(profile, state, obs)
    assert 0.0 <= new.habit <= 1.0
    assert 0.0 <= new.norm <= profile.moral.norm_max
    assert 0.0 <= new.legitimacy <= 1.0
    assert 0.0 <= new.compliance <= 1.0
    assert new.anger >= 0 and new.resentment >= 0
    assert new.partner_moves == state.partner_moves + 1
    assert new.after_c + new.after_d == state.after_c + state.after_d + (state.last_cooperated >= 0)


COUNTS = ("c_then_c", "after_c", "d_then_c", "after_d")


def test_a_strangers_move_teaches_nothing_about_responsiveness():
    """reply = 0: the counts behind ρ̂ stay; 1: they grow; an array weighs each agent."""
    profile = _stack([Profile()] * 4)
    start = replace(
        initial_state(profile),
        **{k: np.full(4, 3.0, np.float32) for k in COUNTS},
        last_cooperated=np.array([1.0, 0.0, 1.0, -1.0], np.float32),
    )
    seen = {
        "cooperated": np.ones(4, np.float32),
        "partner_cooperated": np.array([1.0, 1.0, 0.0, 1.0], np.float32),
    }
    kept = update_state(profile, start, Observation(**seen, reply=0.0))
    learnt = update_state(profile, start, Observation(**seen))
    mixed = update_state(profile, start, Observation(**seen, reply=np.array([1.0, 0, 1, 0])))
    for name in COUNTS:
        np.testing.assert_array_equal(getattr(kept, name), getattr(start, name))
    # my last move C, D, C, none; the partner then played C, C, D, C
    np.testing.assert_array_equal(learnt.c_then_c, [4.0, 3.0, 3.0, 3.0])
    np.testing.assert_array_equal(learnt.after_c, [4.0, 3.0, 4.0, 3.0])
    np.testing.assert_array_equal(learnt.d_then_c, [3.0, 4.0, 3.0, 3.0])
    np.testing.assert_array_equal(learnt.after_d, [3.0, 4.0, 3.0, 3.0])
    np.testing.assert_array_equal(mixed.after_c, [4.0, 3.0, 4.0, 3.0])
    np.testing.assert_array_equal(mixed.after_d, [3.0, 3.0, 3.0, 3.0])
    # everything else is learnt from strangers too
    assert np.array_equal(kept.partner_moves, learnt.partner_moves)
    assert np.array_equal(kept.habit, learnt.habit)


def test_rational_term_of_an_agent_that_knows_a_tit_for_tat_partner():
    """With beliefs learnt from a reciprocator, Δu_R tends to R − T + δ(R − P)/(1 − δ)."""
    game = prisoners_dilemma()
    payoffs = payoff_matrices(game)
    r, p, _, t = game.RPST()
    delta = 0.8
    profile = Profile(rational=RationalParams(delta=delta))
    state = replace(
        initial_state(profile),
        partner_c=1e6,
        partner_moves=1e6,
        c_then_c=1e6,
        after_c=1e6,
        d_then_c=0.0,
        after_d=1e6,
    )
    u = motive_utilities(profile, state, Context(), payoffs)
    assert u.rational == pytest.approx(r - t + delta * (r - p) / (1 - delta), rel=1e-5)


def test_backward_induction_puts_no_value_on_a_known_end():
    payoffs = payoff_matrices()
    profile = Profile(rational=RationalParams(horizon="backward_induction"))
    assert profile.rational.horizon is Horizon.BACKWARD_INDUCTION
    for remaining in (1.0, 9.0, 1e6):
        known = Context(remaining=remaining, known_end=1.0)
        u = motive_utilities(profile, initial_state(profile), known, payoffs)
        # prior p = 0.5: 0.5 (R - T) + 0.5 (S - P) = -1.5, whatever delta and responsiveness
        assert u.rational == pytest.approx(-1.5)


def test_backward_induction_values_a_future_that_ends_by_chance_as_discounting_does():
    """With no known last round there is nothing to unravel from: the future counts."""
    payoffs = payoff_matrices()
    induction = Profile(rational=RationalParams(horizon="backward_induction"))
    discounted = Profile(rational=RationalParams(horizon="discounted"))
    for remaining in (np.inf, 4.0):
        chance = Context(remaining=remaining)  # known_end 0
        u = motive_utilities(induction, initial_state(induction), chance, payoffs)
        v = motive_utilities(discounted, initial_state(discounted), chance, payoffs)
        assert u.rational == pytest.approx(v.rational)
        assert u.rational > -1.5  # the prior's responsiveness 0.5 is worth something
    # a population half of which knows the end: the weights mix elementwise
    known = np.array([1.0, 0.0])
    u = motive_utilities(induction, initial_state(induction), Context(known_end=known), payoffs)
    assert u.rational[0] == pytest.approx(-1.5) and u.rational[1] > -1.5


@pytest.mark.parametrize("n", [None, 50])
def test_responsiveness_counts_only_where_there_is_a_future(n):
    """One-shot (remaining 0): what the partner did after my moves cannot matter, so Δu_R
    is the same whatever those counts; with a future, a reciprocator is worth more."""
    payoffs = payoff_matrices()
    profile = Profile(rational=RationalParams(delta=0.8))
    start = initial_state(profile)

    def counts(c_then_c, d_then_c):
        values = {"c_then_c": c_then_c, "after_c": 10.0, "d_then_c": d_then_c, "after_d": 10.0}
        if n is not None:  # a population: arrays of counts, float32
            values = {k: np.full(n, v, np.float32) for k, v in values.items()}
        return replace(start, **values)

    reciprocator, indifferent = counts(10.0, 0.0), counts(5.0, 5.0)
    for remaining, differs in ((0.0, False), (np.inf, True), (3.0, True)):
        context = Context(remaining=remaining)
        a = motive_utilities(profile, reciprocator, context, payoffs).rational
        b = motive_utilities(profile, indifferent, context, payoffs).rational
        assert bool(np.all(a > b)) is differs and bool(np.all(a == b)) is not differs


def test_incentive_enters_rational_term_and_image():
    payoffs = payoff_matrices()
    profile = Profile()
    state = initial_state(profile)
    context = Context(coverage=1.0, fine=3.0, remaining=0.0, visibility=1.0)
    without = motive_utilities(profile, state, Context(remaining=0.0, visibility=1.0), payoffs)
    with_fine = motive_utilities(profile, state, context, payoffs)
    assert with_fine.incentive == pytest.approx(3.0)
    assert with_fine.rational - without.rational == pytest.approx(3.0)
    # image crowding out: the esteem term shrinks when C pays
    assert with_fine.social < without.social
    # framing: the norm is partly a price now
    assert with_fine.moral < without.moral


def test_strong_habit_makes_an_agent_deaf_to_incentives():
    payoffs = payoff_matrices()
    profile = Profile(weights=Weights(habit=1.0))
    state = replace(initial_state(profile), habit=0.0)
    fined = Context(coverage=1.0, fine=100.0)
    assert p_cooperate(profile, state, fined, payoffs) == pytest.approx(0.0)
    weak = Profile(weights=Weights(habit=0.0))
    assert p_cooperate(weak, state, fined, payoffs) == pytest.approx(1.0)


@given(data=st.data(), n=st.integers(1, 8))
def test_population_arrays_give_the_same_p_cooperate_as_one_agent(data, n):
    horizon = data.draw(st.sampled_from(list(Horizon)))
    profs = [
        replace(p, rational=replace(p.rational, horizon=horizon))
        for p in data.draw(st.lists(profiles(), min_size=n, max_size=n))
    ]
    sts = [data.draw(states(p)) for p in profs]
    ctxs = [replace(data.draw(contexts()), domain="d") for _ in range(n)]
    payoffs = data.draw(payoff_pairs())
    one_by_one = [p_cooperate(p, s, c, payoffs) for p, s, c in zip(profs, sts, ctxs, strict=True)]
    together = p_cooperate(_stack(profs), _stack(sts), _stack(ctxs), payoffs)
    np.testing.assert_allclose(together, one_by_one, rtol=1e-12, atol=1e-15)


def test_initial_state_reads_profile():
    profile = Profile()
    state = initial_state(profile)
    assert state.habit == profile.habit.initial
    assert state.norm == profile.moral.norm
    assert state.legitimacy == profile.legitimacy.initial
    assert state.last_cooperated == -1.0
    assert math.isinf(Context().remaining)
    assert motives.salience(0.5, 1.0, 1.0) == Context(coverage=0.5, reward=1.0, fine=1.0).salience


# --------------------------------------------------------------------------- partners
def test_new_partner_drops_the_last_one_and_remembers_it_as_a_stranger():
    profile = Profile()
    phi = profile.rational.forgetting
    state = replace(
        initial_state(profile),
        stranger_c=1.0,
        stranger_moves=2.0,
        partner_c=3.0,
        partner_moves=4.0,
        c_then_c=1.0,
        after_c=2.0,
        anger=0.7,
        last_cooperated=1.0,
    )
    new = new_partner(profile, state)
    for name, value in PARTNER_FIELDS.items():
        assert getattr(new, name) == value
    # the last partner, who cooperated 3 times in 4, is one more stranger met
    assert new.stranger_c == pytest.approx((1 - phi) * 1.0 + 0.75)
    assert new.stranger_moves == pytest.approx((1 - phi) * 2.0 + 1.0)
    assert new.habit == state.habit and new.norm == state.norm
    # a partner who never moved teaches nothing
    assert new_partner(profile, new).stranger_moves == new.stranger_moves


def test_new_partner_only_where_fresh():
    profile = Profile()
    state = replace(
        initial_state(profile),
        stranger_c=np.zeros(2),
        stranger_moves=np.zeros(2),
        partner_c=np.array([1.0, 2.0]),
        partner_moves=np.array([2.0, 2.0]),
        anger=np.array([0.5, 0.5]),
        last_cooperated=np.array([1.0, 0.0]),
    )
    new = new_partner(profile, state, np.array([True, False]))
    np.testing.assert_array_equal(new.partner_moves, [0.0, 2.0])
    np.testing.assert_array_equal(new.anger, [0.0, 0.5])
    np.testing.assert_array_equal(new.last_cooperated, [-1.0, 0.0])
    np.testing.assert_array_equal(new.stranger_c, [0.5, 0.0])
    np.testing.assert_array_equal(new.stranger_moves, [1.0, 0.0])


def test_belief_adds_the_partners_record_to_what_strangers_taught():
    profile = Profile()
    state = replace(initial_state(profile), stranger_c=1.0, stranger_moves=3.0)
    s = profile.rational.prior_strength
    assert belief(profile, state, Context()) == pytest.approx((0.5 * s + 1.0) / (s + 3.0))
    kept = replace(state, partner_c=2.0, partner_moves=2.0)
    assert belief(profile, kept, Context()) == pytest.approx((0.5 * s + 3.0) / (s + 5.0))


def test_a_partner_without_a_move_teaches_nothing():
    """The lost wallet's finder learns nothing of the owner, who has no move; the owner
    keeps its habit (it did not act) but sees what the finder did."""
    profile = Profile()
    start = initial_state(profile)
    finder = update_state(
        profile, start, Observation(cooperated=1.0, partner_cooperated=1.0, partner_moved=0.0)
    )
    assert finder.partner_moves == 0.0 and finder.compliance == start.compliance
    assert finder.habit != start.habit and finder.last_cooperated == 1.0
    owner = update_state(
        profile, start, Observation(cooperated=1.0, partner_cooperated=0.0, moved=0.0)
    )
    assert owner.habit == start.habit and owner.last_cooperated == -1.0
    assert owner.partner_moves == 1.0 and owner.partner_c == 0.0


def test_a_group_games_norm_weighs_the_harm_to_every_other_member():
    """Context.others = k − 1: the moral term counts the harm to each group-mate, by the
    formula n c (1 + μ (k − 1) E[harm]); the emotions still compare with one partner."""
    import sccgames as scc
    from sccgames.model import decision
    from sccgames.model.decision import motive_utilities

    profile = scc.Profile()
    state = decision.initial_state(profile)
    payoffs = scc.PublicGoods().motive_payoffs(None)
    pair = motive_utilities(profile, state, decision.Context(remaining=0.0), payoffs)
    group = motive_utilities(profile, state, decision.Context(remaining=0.0, others=3.0), payoffs)
    m = profile.moral
    condition = motives.conditionality(m.initial_compliance, m.conditionality, m.threshold, m.width)
    harm = motives.expected_harm(profile.rational.trust, payoffs.other)
    assert group.moral == pytest.approx(m.norm * condition * (1 + m.harm_weight * 3 * harm))
    assert pair.moral == pytest.approx(m.norm * condition * (1 + m.harm_weight * harm))
    assert group.emotion == pair.emotion and group.rational == pair.rational


# --------------------------------------------------------------------------- reputation
def _pd() -> Payoffs:
    own, other = payoff_matrices(prisoners_dilemma())
    return Payoffs(np.asarray(own, float), np.asarray(other, float))


def test_score_value_is_the_free_lambda_unless_the_agent_is_reputation_aware():
    from sccgames.rules.regimes import SocialCredit

    context = SocialCredit().context_for(0.5, 100.0, remaining=math.inf, in_group=0.0)
    assert score_value(Profile(), context, _pd()) == Profile().rational.score_value
    aware = replace(Profile(), rational=RationalParams(score_value=0.0, reputation=1.0))
    # docs/model.md §2: V ≈ 0.076 under the default regime, λ ≈ 0.63 at δ = 0.9
    worth = 1 / 20 + 0.5 / 20 + 0.01 * 0.25 * (0.2 / 1.2) * 0.5 * 3.5
    future = 0.9 / (1 - 0.9 * 0.99)
    assert score_value(aware, context, _pd()) == pytest.approx(future * worth, rel=1e-12)
    assert future * worth == pytest.approx(0.63, abs=0.005)
    assert worth == pytest.approx(0.076, abs=0.0005)
    # half the weight, on top of a free λ₀
    half = replace(aware, rational=RationalParams(score_value=0.2, reputation=0.5))
    assert score_value(half, context, _pd()) == pytest.approx(0.2 + 0.5 * future * worth)
    # backward induction at a known end puts no weight on the score's future
    known = replace(context, known_end=1.0)
    backward = replace(
        aware,
        rational=RationalParams(
            score_value=0.0, reputation=1.0, horizon=Horizon.BACKWARD_INDUCTION
        ),
    )
    assert score_value(backward, known, _pd(), weight=0.0) == 0.0
    utilities = motive_utilities(backward, initial_state(backward), known, _pd())
    assert utilities.incentive == pytest.approx(context.incentive(0.0))


def test_a_reputation_aware_agent_complies_more_where_the_score_buys_more():
    """Same coverage, fine and steps: a harsher blacklist raises its P(C); a score that buys
    nothing (private, no lists) leaves it the egoist with λ = 0."""
    from sccgames.model.agents import ReputationAware
    from sccgames.rules.regimes import SocialCredit

    profile = replace(ReputationAware().profile, beta=1.0)  # (β = 10 would saturate P)
    state = initial_state(profile)

    def p(regime: SocialCredit, who: Profile = profile) -> float:
        context = regime.context_for(0.5, 100.0, remaining=0.0, in_group=0.0)
        return float(p_cooperate(who, state, context, _pd()))

    default, harsh = SocialCredit(), SocialCredit(blacklist_cost=4.0)
    assert p(harsh) > p(default) + 0.01
    nothing = SocialCredit(public_scores=False, blacklist_cost=0.0, redlist_bonus=0.0)
    egoist = replace(profile, rational=RationalParams(score_value=0.0))
    assert p(nothing) == p(nothing, egoist)
    assert p(default) > p(default, egoist)


def test_standing_value_is_the_standings_future_priced_by_partners_trust():
    from sccgames.model.decision import standing_value
    from sccgames.rules.community import CommunityReputation

    context = CommunityReputation(visibility=0.5).context_for(
        0.0, True, remaining=0.0, in_group=0.0
    )
    aware = replace(Profile(), rational=RationalParams(score_value=0.0, reputation=1.0))
    swing = 2 * 0.5  # v = 0.5, no error, standing judges C good and D bad
    per_period = swing * 0.25 * (0.2 / 1.2) * 0.5 * 3.5
    future = 0.9 / (1 - 0.9 * 0.5)
    assert standing_value(aware, context, _pd()) == pytest.approx(future * per_period)
    assert standing_value(Profile(), context, _pd()) == 0.0  # not reputation-aware
    u = motive_utilities(aware, initial_state(aware), context, _pd())
    assert u.incentive == pytest.approx(future * per_period)
