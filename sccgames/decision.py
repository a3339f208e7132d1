"""The decision rule and the state it reads and updates, shared by both engines.

:func:`motive_utilities` and :func:`p_cooperate` turn a profile, a state, a context and a
game into ``P(C)``; :func:`update_state` moves the state after a period. They only combine
the elementwise functions of :mod:`sccgames.motives`, reading their inputs by attribute, so
one :class:`MotiveAgent` (floats) and a whole society (arrays with the same field names) run
this same code (``DESIGN.md`` §2, §5).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np

from sccgames import motives
from sccgames._reprs import plain_repr
from sccgames.profiles import Profile

Number = Any


@dataclass(frozen=True)
class Context:
    """What an agent knows before it moves (``DESIGN.md`` §1–§2).

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
        Turns known to remain after this one (``inf``: unknown length; 0: one-shot).
    peer_sanction : float, default 0
        Expected fines from peers for a D (peer punishment): part of ``ΔX`` but not of the
        salience ``S``, since informal sanctions carry disapproval rather than a price and
        crowd out less than formal fines [BowlesPolaniaReyes2012]_.

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
    ``compliance`` ē; counts of the partner's moves (``partner_c`` of ``partner_moves``);
    and of its replies to my previous move (``c_then_c`` of ``after_c``, ``d_then_c`` of
    ``after_d``); ``last_cooperated`` is 1, 0, or −1 before the first move.
    """

    habit: Number
    norm: Number
    anger: Number
    resentment: Number
    legitimacy: Number
    compliance: Number
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

    """

    cooperated: Number
    partner_cooperated: Number
    salience: Number = 0.0
    unjust_sanction: Number = 0.0
    corrected: Number = 0.0
    fair_reward: Number = 0.0
    impunity: Number = 0.0
    reply: Number = 1.0

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


def belief(profile: Profile, state: State, context: Context) -> Number:
    """``p̂``: posterior mean that the partner cooperates (Beta prior from trust τ)."""
    r = profile.rational
    prior = motives.trust_prior(r.trust, r.score_trust, context.partner_signal)
    return motives.beta_mean(prior, r.prior_strength, state.partner_c, state.partner_moves)


def motive_utilities(
    profile: Profile, state: State, context: Context, payoffs: Payoffs
) -> Utilities:
    """Every deliberative motive's preference for C over D in this context."""
    r, m, e, s = profile.rational, profile.moral, profile.emotion, profile.social
    p_hat = belief(profile, state, context)
    delta_x = context.incentive(r.score_value)
    # the horizon's value is its weight on the future: 1 discounted, 0 backward induction
    shadow = motives.shadow_of_future(r.delta, context.remaining) * r.horizon
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
    harm = motives.expected_harm(p_hat, payoffs.other)
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
    return State(
        habit=motives.habit_update(state.habit, profile.habit.learning_rate, own),
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
        anger=motives.decay_update(state.anger, e.anger_decay, e.anger_gain, own * (1.0 - other)),
        resentment=resentment,
        legitimacy=legitimacy,
        compliance=motives.ewma(state.compliance, m.compliance_learning, other),
        partner_c=state.partner_c + other,
        partner_moves=state.partner_moves + 1.0,
        **_responses(state, observation),
        last_cooperated=motives.scaled(1.0, own),  # as a float (a float array is kept)
    )


def _responses(state: State, observation: Observation) -> dict[str, Number]:
    """The counts of the partner's C after my C and after my D, and of those chances."""
    reply, other = observation.reply, observation.partner_cooperated
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
