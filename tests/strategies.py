"""Hypothesis strategies shared by the tests: profiles, contexts, states and games."""

import math

import numpy as np
from hypothesis import strategies as st

from sccgames.model.decision import Context, Payoffs, State
from sccgames.model.profiles import (
    EmotionParams,
    HabitParams,
    Horizon,
    LegitimacyParams,
    MoralParams,
    Profile,
    RationalParams,
    SocialParams,
    Weights,
)

unit = st.floats(0.0, 1.0)
nonneg = st.floats(0.0, 50.0)
payoff = st.floats(-1e3, 1e3)


@st.composite
def profiles(draw, beta=st.floats(0.0, 1e6)):
    norm_max = draw(st.floats(0.0, 20.0))
    return Profile(
        beta=draw(beta),
        weights=Weights(draw(nonneg), draw(unit), draw(nonneg), draw(nonneg), draw(nonneg)),
        rational=RationalParams(
            delta=draw(st.floats(0.0, 0.999)),
            horizon=draw(st.sampled_from(list(Horizon))),
            trust=draw(unit),
            prior_strength=draw(st.floats(0.01, 100.0)),
            responsiveness=draw(st.floats(-1.0, 1.0)),
            score_value=draw(nonneg),
            score_trust=draw(unit),
            reputation=draw(unit),
        ),
        habit=HabitParams(initial=draw(unit), learning_rate=draw(unit)),
        moral=MoralParams(
            norm=draw(st.floats(0.0, 1.0)) * norm_max,
            norm_max=norm_max,
            conditionality=draw(unit),
            threshold=draw(unit),
            width=draw(st.floats(1e-4, 1.0)),
            harm_weight=draw(nonneg),
            framing=draw(unit),
            framing_half=draw(st.floats(1e-3, 10.0)),
            internalization=draw(st.floats(0.0, 1.0)),
            legitimacy_threshold=draw(unit),
            recovery=draw(unit),
            compliance_learning=draw(unit),
            initial_compliance=draw(unit),
        ),
        emotion=EmotionParams(
            sympathy=draw(nonneg),
            envy=draw(nonneg),
            guilt=draw(st.floats(0.0, 0.999)),
            warm_glow=draw(nonneg),
            anger_gain=draw(nonneg),
            anger_decay=draw(unit),
            resentment_gain=draw(nonneg),
            resentment_decay=draw(unit),
        ),
        social=SocialParams(
            esteem=draw(nonneg),
            image_half=draw(st.floats(1e-3, 10.0)),
            conformity=draw(nonneg),
            belonging=draw(nonneg),
        ),
        legitimacy=LegitimacyParams(
            initial=draw(unit),
            unjust_sanction=draw(unit),
            impunity=draw(unit),
            fair_reward=draw(unit),
            appeal_restore=draw(unit),
            resentment_weight=draw(st.floats(0.0, 1.0)),
        ),
    )


@st.composite
def contexts(draw):
    fp = draw(unit)
    return Context(
        coverage=draw(unit),
        reward=draw(nonneg),
        fine=draw(nonneg),
        false_positive=fp,
        false_negative=draw(st.floats(0.0, 1.0 - fp)),
        score_up=draw(nonneg),
        score_down=draw(nonneg),
        visibility=draw(unit),
        partner_signal=draw(st.floats(-1.0, 1.0)),
        in_group=float(draw(st.booleans())),
        remaining=draw(st.one_of(st.just(math.inf), st.integers(0, 1000).map(float))),
        score_persistence=draw(unit),
        signal_slope=draw(st.floats(0.0, 1.0)),
        status_price=draw(st.floats(0.0, 10.0)),
        status_exclusion=draw(unit),
        standing_stake=draw(st.floats(-2.0, 2.0)),
        standing_persistence=draw(unit),
    )


@st.composite
def states(draw, profile):
    moves = draw(st.integers(0, 500))
    after_c = draw(st.integers(0, moves))
    return State(
        habit=draw(unit),
        norm=draw(st.floats(0.0, 1.0)) * profile.moral.norm_max,
        anger=draw(st.floats(0.0, 100.0)),
        resentment=draw(st.floats(0.0, 100.0)),
        legitimacy=draw(unit),
        compliance=draw(unit),
        partner_c=float(draw(st.integers(0, moves))),
        partner_moves=float(moves),
        c_then_c=float(draw(st.integers(0, after_c))),
        after_c=float(after_c),
        d_then_c=float(draw(st.integers(0, moves - after_c))),
        after_d=float(moves - after_c),
        last_cooperated=float(draw(st.sampled_from([-1, 0, 1]))),
    )


@st.composite
def payoff_pairs(draw):
    own = np.array([[draw(payoff), draw(payoff)], [draw(payoff), draw(payoff)]])
    return Payoffs(own=own, other=own.T.copy())
