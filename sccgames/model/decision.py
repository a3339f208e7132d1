"""The decision rule and the state it reads and updates, shared by both engines.

:func:`motive_utilities` and :func:`p_cooperate` turn a profile, a state, a context and a
game into ``P(C)``; :func:`update_state` moves the state after a period. They only combine
the elementwise functions of :mod:`sccgames.model.motives`, reading their inputs by attribute, so
one :class:`MotiveAgent` (floats) and a whole society (arrays with the same field names) run
this same code (``docs/model.md`` §2, §5).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np

from sccgames._reprs import plain_repr
from sccgames.model import motives
from sccgames.model.profiles import Profile, RationalParams

Number = Any


@dataclass(frozen=True)
class Context:
    """What an agent knows before it moves (``docs/model.md`` §1–§2).

    Parameters
    ----------
    domain : str, default "default"
        The sphere of life this act belongs to.
    coverage : float, default 0
        Probability m that the regime observes this act (known from the domain).
    reward, fine : float, default 0
        Paid for a recorded C, charged for a recorded D.
    false_positive, false_negative : float, default 0
        ε⁺ (a C recorded as D, net of appeals) and ε⁻ (a D recorded as C).
    score_up, score_down : float, default 0
        Score steps for a recorded C and a recorded D (both >= 0).
    visibility : float, default 0
        v, how visible the act is to peers (public scores make monitored acts visible).
    partner_signal : float, default 0
        The partner's public score as a signal in [−1, 1] (0: none shown).
    in_group : float, default 0
        1 if the partner belongs to the agent's group.
    remaining : float, default inf
        Turns known or expected to remain after this one (``inf``: unknown length; 0:
        one-shot).
    known_end : float, default 0
        1 if the end is known (a match of announced length, a design of so many rounds), 0
        if the relationship ends by chance: backward induction unravels only a known end
        (:func:`sccgames.model.motives.future_weight`).
    peer_sanction : float, default 0
        Expected fines from peers for a D (peer punishment): part of ``ΔX`` but not of the
        salience ``S``, since informal sanctions carry disapproval rather than a price and
        crowd out less than formal fines [BowlesPolaniaReyes2012]_.
    others : float, default 1
        How many others an act affects: 1 in a pair, ``k − 1`` in a group of k, where a
        contribution withheld harms every other member; the moral norm weighs the harm to
        all of them (``docs/model.md`` §2), while the emotions compare with one
        representative partner [FehrSchmidt1999]_.
    score_persistence : float, default 0
        Share ``1 − d`` of a score point that survives a period's forgiveness (0: no score).
    signal_slope : float, default 0
        How far one score point moves the public signal partners see (0: scores private).
    status_price : float, default 0
        Money one score point is worth per period through the blacklist's cost and the red
        list's bonus, each spread over the points between the start and its threshold.
    status_exclusion : float, default 0
        Share of interactions one score point nearer the blacklist loses per period.
    standing_stake : float, default 0
        How much higher, in expectation, the public signal of my standing in a community
        is after a C than after a D (peers see the act with probability v, misjudge it
        with probability e, and the assessment norm judges it against the partner's
        reputation): in [−2, 2], 0 without a community.
    standing_persistence : float, default 0
        Share ``1 − v`` of periods a standing lasts (until peers see the next act).

    The last six describe the material future a regime attaches to a score or a standing;
    only a reputation-aware rational agent reads them (:func:`score_value`,
    :func:`standing_value`, ``RationalParams.reputation``). Without a regime they are 0
    and a score is worth nothing beyond the free λ.

    """

    domain: str = "default"
    coverage: Number = 0.0
    reward: Number = 0.0
    fine: Number = 0.0
    false_positive: Number = 0.0
    false_negative: Number = 0.0
    score_up: Number = 0.0
    score_down: Number = 0.0
    visibility: Number = 0.0
    partner_signal: Number = 0.0
    in_group: Number = 0.0
    remaining: Number = np.inf
    peer_sanction: Number = 0.0
    known_end: Number = 0.0
    others: Number = 1.0
    score_persistence: Number = 0.0
    signal_slope: Number = 0.0
    status_price: Number = 0.0
    status_exclusion: Number = 0.0
    standing_stake: Number = 0.0
    standing_persistence: Number = 0.0

    __repr__ = plain_repr

    @cached_property
    def salience(self) -> Number:
        """``S = m (r + f)``, how present the incentive is (computed once per context)."""
        return motives.salience(self.coverage, self.reward, self.fine)

    def incentive(self, score_value: Number) -> Number:
        """``ΔX`` for an actor who values a score point at ``score_value``."""
        formal = motives.incentive(
            self.coverage,
            self.reward,
            self.fine,
            self.false_positive,
            self.false_negative,
            self.score_up,
            self.score_down,
            score_value,
        )
        if motives.is_number(self.peer_sanction, 0.0):
            return formal  # no peers punishing: skip an array operation per period
        return formal + self.peer_sanction


@dataclass(frozen=True)
class State:
    """An agent's changing state (floats for one agent, arrays for a population).

    ``habit`` h, ``norm`` n, ``anger`` A, ``resentment`` Q, ``legitimacy`` L, perceived
    ``compliance`` ē; what it learned about strangers (generalized trust): the discounted
    counts ``stranger_c`` of ``stranger_moves`` of the earlier partners' shares of C (see
    :func:`new_partner`); and what it knows of its current partner
    (:data:`PARTNER_FIELDS`, dropped by :func:`new_partner` when the partner changes): counts
    of the partner's moves (``partner_c`` of ``partner_moves``) and of its replies to my
    previous move (``c_then_c`` of ``after_c``, ``d_then_c`` of ``after_d``), anger at it,
    and ``last_cooperated``, my last move to it (1, 0, or −1 before the first).
    """

    habit: Number
    norm: Number
    anger: Number
    resentment: Number
    legitimacy: Number
    compliance: Number
    stranger_c: Number = 0.0
    stranger_moves: Number = 0.0
    partner_c: Number = 0.0
    partner_moves: Number = 0.0
    c_then_c: Number = 0.0
    after_c: Number = 0.0
    d_then_c: Number = 0.0
    after_d: Number = 0.0
    last_cooperated: Number = -1.0

    __repr__ = plain_repr


@dataclass(frozen=True)
class Observation:
    """What an agent learns after a period.

    Indicators may be floats (0 or 1) or booleans; the update reads them as numbers.

    Parameters
    ----------
    cooperated, partner_cooperated : float or bool
        1 if the agent (the partner) played C, as played after noise.
    salience : float
        ``S`` of the context the act was taken in.
    unjust_sanction : float, default 0
        1 if the agent's C was recorded as D.
    corrected : float, default 0
        1 if an appeal corrected that error.
    fair_reward : float, default 0
        1 if the agent's C was recorded as C and rewarded.
    impunity : float, default 0
        1 if the partner defected in a watched domain and was not sanctioned.
    reply : float, default 1
        1 if the partner's move answers my previous one (the same partner as last period);
        0 for a stranger, whose move says nothing about how partners respond to mine, so
        that the counts behind responsiveness are left as they are.
    moved, partner_moved : float, default 1
        1 if the agent (the partner) had a move this period; 0 for a role without one (the
        owner of a lost wallet). A move not made teaches nothing: the agent's habit and last
        move stay as they were, and nothing is learned about a partner who did not move.

    """

    cooperated: Number
    partner_cooperated: Number
    salience: Number = 0.0
    unjust_sanction: Number = 0.0
    corrected: Number = 0.0
    fair_reward: Number = 0.0
    impunity: Number = 0.0
    reply: Number = 1.0
    moved: Number = 1.0
    partner_moved: Number = 1.0

    __repr__ = plain_repr


class Utilities(NamedTuple):
    """Each deliberative motive's ``Δu_k`` and the incentive ``ΔX`` it saw."""

    rational: Number
    moral: Number
    emotion: Number
    social: Number
    incentive: Number


class Payoffs(NamedTuple):
    """Material payoffs indexed ``[my action, partner's action]`` (0 = C, 1 = D)."""

    own: np.ndarray
    other: np.ndarray


def initial_state(profile: Profile) -> State:
    """The state an agent with ``profile`` starts from."""
    return State(
        habit=profile.habit.initial,
        norm=profile.moral.norm,
        anger=0.0 * profile.legitimacy.initial,
        resentment=0.0 * profile.legitimacy.initial,
        legitimacy=profile.legitimacy.initial,
        compliance=profile.moral.initial_compliance,
    )


#: State fields that describe the current partner, and their values before it has moved.
PARTNER_FIELDS = {
    "partner_c": 0.0,
    "partner_moves": 0.0,
    "c_then_c": 0.0,
    "after_c": 0.0,
    "d_then_c": 0.0,
    "after_d": 0.0,
    "anger": 0.0,
    "last_cooperated": -1.0,
}


def new_partner(profile: Profile, state: State, fresh: Any = True) -> State:
    """``state`` on meeting a new partner where ``fresh``: the last one becomes a memory.

    What was known of the last partner (:data:`PARTNER_FIELDS`) is dropped: the belief about
    the new one starts from generalized trust, its responsiveness from the prior ρ₀, anger
    from 0, and its first move answers nothing of mine. The last partner, if it moved at
    all, joins what strangers taught as one more stranger met: its share of C is added to
    the counts ``stranger_c`` of ``stranger_moves``, which are first discounted by ``1 − φ``
    (``RationalParams.forgetting``), so generalized trust rests on about the last ``1 / φ``
    partners and no partner is counted twice.

    ``fresh`` is True (everybody: strangers), or a boolean array (fixed partners, where only
    some pairs are new). With ``fresh`` True the partner's fields become numbers, shared by
    everybody (a population then spares a pass per field).
    """
    moves = state.partner_moves
    met = moves > 0 if fresh is True else (moves > 0) & fresh
    if isinstance(met, np.ndarray):  # (a bool array times a float would be float64)
        met = met.astype(np.result_type(state.stranger_c, moves), copy=False)
    if motives.is_number(moves, 1.0):  # strangers met once: their one move is their share
        share = state.partner_c
    else:
        share = state.partner_c / np.maximum(moves, 1.0)
    if isinstance(met, bool | np.bool_):
        if met:
            keep = 1.0 - profile.rational.forgetting
            state = replace(
                state,
                stranger_c=keep * state.stranger_c + share,
                stranger_moves=keep * state.stranger_moves + 1.0,
            )
    elif np.any(met):
        keep = 1.0 - profile.rational.forgetting * met
        state = replace(
            state,
            stranger_c=keep * state.stranger_c + met * share,
            stranger_moves=keep * state.stranger_moves + met,
        )
    if fresh is True:
        return replace(state, **PARTNER_FIELDS)
    if not np.any(fresh):
        return state
    return replace(
        state,
        **{
            name: np.where(fresh, value, getattr(state, name)).astype(
                np.result_type(getattr(state, name)), copy=False
            )
            for name, value in PARTNER_FIELDS.items()
        },
    )


def evidence(state: State) -> tuple[Number, Number]:
    """Counts behind the belief about the partner: ``(C seen, moves seen)``.

    What the partners met before taught (generalized trust, see :func:`new_partner`) plus
    the moves of the current partner.
    """
    if motives.is_number(state.partner_moves, 0.0):  # a new partner: generalized trust alone
        return state.stranger_c, state.stranger_moves
    return state.stranger_c + state.partner_c, state.stranger_moves + state.partner_moves


def belief(profile: Profile, state: State, context: Context) -> Number:
    """``p̂``: posterior mean that the partner cooperates.

    A Beta belief: the prior mean τ (generalized trust, moved by the partner's public
    signal) worth ``prior_strength`` draws, plus :func:`evidence`.
    """
    r = profile.rational
    prior = motives.trust_prior(r.trust, r.score_trust, context.partner_signal)
    return motives.beta_mean(prior, r.prior_strength, *evidence(state))


def point_worth(rational: RationalParams, context: Context, own: np.ndarray) -> Number:
    """``V``: what one score point buys a period, as a rational agent judges others.

    :func:`~sccgames.model.motives.score_worth` of the context's regime terms, with others'
    trust and responsiveness judged by the agent's own ζ, ρ₀, prior strength and forgetting.
    Shared by the agent (:func:`score_value`) and the reputation model's likelihood.
    """
    r = rational
    return motives.score_worth(
        context.signal_slope,
        context.status_price,
        context.status_exclusion,
        r.score_trust,
        r.responsiveness,
        motives.prior_share(r.prior_strength, r.forgetting),
        own,
    )


def standing_worth(rational: RationalParams, context: Context, own: np.ndarray) -> Number:
    """``T``: what a C's standing buys over a D's a period, judged as in :func:`point_worth`.

    :func:`~sccgames.model.motives.trust_worth` of the swing ``Context.standing_stake``.
    """
    r = rational
    return motives.trust_worth(
        context.standing_stake,
        r.score_trust,
        r.responsiveness,
        motives.prior_share(r.prior_strength, r.forgetting),
        own,
    )


def score_value(
    profile: Profile, context: Context, payoffs: Payoffs, weight: Number = 1.0
) -> Number:
    """λ, what a score point is worth: the free ``score_value`` plus the regime's part.

    ``λ = λ₀ + r · w · F(δ) · V``: a share ``r`` (``RationalParams.reputation``) of the
    material future the regime attaches to a point — ``V`` a period (:func:`point_worth`)
    for ``F(δ)`` discounted periods (:func:`~sccgames.model.motives.score_future`) —
    weighted by ``w``, the weight the agent puts on the future
    (:func:`~sccgames.model.motives.future_weight`).
    """
    r = profile.rational
    if motives.is_number(r.reputation, 0.0):
        return r.score_value  # (the default agents: no pass over a population)
    worth = point_worth(r, context, payoffs.own)
    future = motives.score_future(r.delta, context.score_persistence)
    return r.score_value + motives.scaled(r.reputation, motives.scaled(weight, future * worth))


def standing_value(
    profile: Profile, context: Context, payoffs: Payoffs, weight: Number = 1.0
) -> Number:
    """What a C is worth over a D through the standing a community gives for it.

    ``r · w · F(δ) · T``: the swing ``Context.standing_stake`` of the signal partners see,
    worth ``T`` a period through their trust (:func:`standing_worth`), for
    ``F(δ) = δ / (1 − δ (1 − v))`` discounted periods
    (:func:`~sccgames.model.motives.score_future` with the standing's persistence: it lasts
    until peers see the next act). 0 for an agent that is not reputation-aware, and
    without a community.
    """
    r = profile.rational
    if motives.is_number(r.reputation, 0.0) or motives.is_number(context.standing_stake, 0.0):
        return 0.0
    worth = standing_worth(r, context, payoffs.own)
    future = motives.score_future(r.delta, context.standing_persistence)
    return motives.scaled(r.reputation, motives.scaled(weight, future * worth))


def motive_utilities(
    profile: Profile, state: State, context: Context, payoffs: Payoffs
) -> Utilities:
    """Every deliberative motive's preference for C over D in this context."""
    r, m, e, s = profile.rational, profile.moral, profile.emotion, profile.social
    p_hat = belief(profile, state, context)
    weight = motives.future_weight(r.horizon, context.known_end)
    delta_x = context.incentive(score_value(profile, context, payoffs, weight))
    standing = standing_value(profile, context, payoffs, weight)
    if not motives.is_number(standing, 0.0):
        delta_x = delta_x + standing
    shadow = motives.scaled(weight, motives.shadow_of_future(r.delta, context.remaining))
    # a partner met once (strangers, a one-shot game) has no future in which to answer my
    # move: its responsiveness multiplies 0, so it is not estimated (a society of strangers
    # is spared seven passes over its citizens every round)
    rho_hat = (
        0.0
        if motives.is_number(shadow, 0.0)
        else motives.responsiveness(
            state.c_then_c,
            state.after_c,
            state.d_then_c,
            state.after_d,
            r.responsiveness,
            r.prior_strength,
        )
    )
    rational = motives.rational_utility(p_hat, payoffs.own, shadow, rho_hat, delta_x)

    salience = context.salience
    effective_norm = motives.framed_norm(state.norm, m.framing, salience, m.framing_half)
    condition = motives.conditionality(state.compliance, m.conditionality, m.threshold, m.width)
    # a group game's partner stands for each of the others: the norm weighs the harm to all
    harm = motives.scaled(context.others, motives.expected_harm(p_hat, payoffs.other))
    moral = motives.moral_utility(effective_norm, condition, m.harm_weight, harm)

    emotion = motives.emotion_utility(
        p_hat, payoffs.own, payoffs.other, e.sympathy, state.anger, e.envy, e.guilt, e.warm_glow
    )
    image = motives.image_value(delta_x, s.image_half)
    social = motives.social_utility(
        s.esteem,
        context.visibility,
        image,
        s.conformity,
        state.compliance,
        s.belonging,
        context.in_group,
    )
    return Utilities(rational, moral, emotion, social, delta_x)


def p_cooperate(profile: Profile, state: State, context: Context, payoffs: Payoffs) -> Number:
    """``P(C)``: logit deliberation over the weighted motives, arbitrated with habit."""
    w = profile.weights
    u = motive_utilities(profile, state, context, payoffs)
    deliberative = (
        motives.scaled(w.rational, u.rational)
        + motives.scaled(w.moral, u.moral)
        + motives.scaled(w.emotion, u.emotion)
        + motives.scaled(w.social, u.social)
    )
    return motives.choice_probability(profile.beta, deliberative, w.habit, state.habit)


def update_state(profile: Profile, state: State, observation: Observation) -> State:
    """The state after one period: habit, beliefs, emotions, legitimacy and the norm."""
    m, e, g = profile.moral, profile.emotion, profile.legitimacy
    own, other = observation.cooperated, observation.partner_cooperated
    # an unjust sanction, less what a successful appeal undid: feeds resentment and legitimacy
    unjust = motives.unjust_weight(
        observation.unjust_sanction, observation.corrected, g.appeal_restore
    )
    resentment = motives.decay_update(
        state.resentment, e.resentment_decay, e.resentment_gain, unjust
    )
    legitimacy = motives.legitimacy_update(
        state.legitimacy,
        unjust=unjust,
        impunity=observation.impunity,
        fair_reward=observation.fair_reward,
        resentment=resentment,
        unjust_rate=g.unjust_sanction,
        impunity_rate=g.impunity,
        reward_rate=g.fair_reward,
        resentment_rate=g.resentment_weight,
    )
    moved, seen = observation.moved, observation.partner_moved
    all_moved = motives.is_number(moved, 1.0) and motives.is_number(seen, 1.0)
    if all_moved:  # (the usual case: both moved, no weights to apply)
        habit = motives.habit_update(state.habit, profile.habit.learning_rate, own)
        compliance = motives.ewma(state.compliance, m.compliance_learning, other)
        anger_event = own * (1.0 - other)
        partner_c, partner_moves = state.partner_c + other, state.partner_moves + 1.0
        last = motives.scaled(1.0, own)  # as a float (a float array is kept)
    else:
        habit = motives.habit_update(state.habit, profile.habit.learning_rate * moved, own)
        compliance = motives.ewma(state.compliance, m.compliance_learning * seen, other)
        anger_event = own * (1.0 - other) * seen
        partner_c, partner_moves = state.partner_c + other * seen, state.partner_moves + seen
        last = state.last_cooperated + moved * (own - state.last_cooperated)
    return State(
        habit=habit,
        norm=motives.norm_update(
            state.norm,
            m.norm,
            m.norm_max,
            m.internalization,
            observation.salience,
            legitimacy,
            m.legitimacy_threshold,
            m.recovery,
        ),
        anger=motives.decay_update(state.anger, e.anger_decay, e.anger_gain, anger_event),
        resentment=resentment,
        legitimacy=legitimacy,
        compliance=compliance,
        stranger_c=state.stranger_c,
        stranger_moves=state.stranger_moves,
        partner_c=partner_c,
        partner_moves=partner_moves,
        **_responses(state, observation),
        last_cooperated=last,
    )


def _responses(state: State, observation: Observation) -> dict[str, Number]:
    """The counts of the partner's C after my C and after my D, and of those chances."""
    reply, other = observation.reply, observation.partner_cooperated
    if not motives.is_number(observation.partner_moved, 1.0):  # no move, no reply
        reply = reply * observation.partner_moved
    if motives.is_number(reply, 0.0):  # a stranger's move answers nothing
        return {
            "c_then_c": state.c_then_c,
            "after_c": state.after_c,
            "d_then_c": state.d_then_c,
            "after_d": state.after_d,
        }
    last = state.last_cooperated
    # last is 1 (C), 0 (D) or −1 (no move yet); written with abs so its dtype is kept
    moved = abs(last)  # 1 if I have moved
    last_c = (last + moved) * 0.5  # 1 if my last move was C
    last_d = 1.0 - moved  # 1 if it was D
    if not (isinstance(reply, float | int) and reply == 1):  # replies of some partners only
        last_c, last_d = last_c * reply, last_d * reply
    return {
        "c_then_c": state.c_then_c + last_c * other,
        "after_c": state.after_c + last_c,
        "d_then_c": state.d_then_c + last_d * other,
        "after_d": state.after_d + last_d,
    }
