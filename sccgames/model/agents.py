"""Motive-driven agents: one general ``axelrod.Player`` and its named presets.

:class:`MotiveAgent` plays from a :class:`~sccgames.model.profiles.Profile` through the shared
decision rule (:mod:`sccgames.model.decision`); each preset is a subclass that fixes a profile and
takes no required arguments, the way axelrod's ``TitForTat`` presets ``MemoryOnePlayer``.
:data:`motive_strategies` lists the presets, derived from the classes defined here.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, ClassVar

import axelrod as axl

from sccgames.model.decision import (
    Context,
    Observation,
    State,
    initial_state,
    p_cooperate,
    update_state,
)
from sccgames.model.profiles import (
    EmotionParams,
    HabitParams,
    Horizon,
    MoralParams,
    Profile,
    RationalParams,
    SocialParams,
    Weights,
)
from sccgames.rules.games import society_game

C, D = axl.Action.C, axl.Action.D

_NO_OUTCOME: dict[str, float] = {}


class MotiveAgent(axl.Player):
    """An agent that acts from five motives: rational, habit, moral, emotion, sociality.

    Each turn it computes ``P(C)`` from its profile, its state and the context (game, domain,
    regime, partner's public score) with :func:`sccgames.model.decision.p_cooperate`, and draws its
    move with its own axelrod random generator. After the turn it updates habit, beliefs
    about the partner, anger, perceived compliance, legitimacy and its norm
    (:func:`sccgames.model.decision.update_state`). In :class:`sccgames.Match` the regime also tells
    it what it did (rewards, sanctions, errors); in axelrod's own matches and tournaments it
    plays with no regime. ``reset()`` (called at the start of every match) restores the
    initial state.

    Parameters
    ----------
    profile : Profile, optional
        Motive weights and parameters; the default is ``Profile()`` (every motive present,
        see :mod:`sccgames.model.profiles` for each default's source).
    group : int, optional
        The agent's community; ``None`` (default) belongs to none. A partner in the same
        group triggers the belonging term of sociality [BowlesGintis2011]_.

    Attributes
    ----------
    state : State
        The current motive state.
    last_p_cooperate : float or None
        ``P(C)`` of the most recent decision (None before the first).
    last_decision : tuple of (Context, State) or None
        What the most recent decision was made from (for
        :func:`sccgames.inference.compare.choices_from_match`).

    """

    name = "Motive Agent"
    classifier: ClassVar[dict[str, Any]] = {
        "memory_depth": float("inf"),
        "stochastic": True,
        "makes_use_of": {"game", "length"},
        "long_run_time": False,
        "inspects_source": False,
        "manipulates_source": False,
        "manipulates_state": False,
    }
    #: The profile a preset plays with when no profile is given.
    preset_profile: ClassVar[Profile] = Profile()

    def __init__(self, profile: Profile | None = None, group: int | None = None) -> None:
        super().__init__()
        self.profile = self.preset_profile if profile is None else profile
        self.group = group
        self.state: State = initial_state(self.profile)
        self.last_p_cooperate: float | None = None
        self.last_decision: tuple[Context, State] | None = None
        self._context: Context | None = None
        self._outcome: dict[str, float] = _NO_OUTCOME
        self._moves = (1.0, 1.0)  # whether it, and its partner, have a move

    def receive_match_attributes(self) -> None:
        """Read the game's payoffs once per match (axelrod calls this hook).

        Kept as nested tuples of floats: cheaper to index than arrays, and comparable, so
        axelrod's player equality works. A game whose two players differ (the lost wallet's
        finder and owner, the trust game) waits for :meth:`take_role`, which
        :class:`sccgames.Match` calls.
        """
        try:
            view = society_game(self.match_attributes["game"])
        except ValueError:
            view = None
        same = view is not None and not view.has_roles and all(view.movers)
        self._payoffs = view.motive_payoffs(None) if same else None
        self._moves = (1.0, 1.0)

    def take_role(self, role: int, game: Any) -> None:
        """Play ``role`` (0: the row player, 1: the column player) of ``game``.

        Reads that role's payoffs and whether it, and its partner, have a move.
        """
        view = society_game(game)
        self._payoffs = view.motive_payoffs(role)
        self._moves = (float(view.movers[role]), float(view.movers[1 - role]))

    # ------------------------------------------------------------ what the match tells it
    def observe_context(self, context: Context) -> None:
        """Be told the context of the coming turn (domain, regime, partner's signal)."""
        self._context = context

    def receive_outcome(
        self,
        *,
        unjust_sanction: bool = False,
        corrected: bool = False,
        fair_reward: bool = False,
        impunity: bool = False,
    ) -> None:
        """Be told what the regime did this turn, before the history is updated."""
        self._outcome = {
            "unjust_sanction": float(unjust_sanction),
            "corrected": float(corrected),
            "fair_reward": float(fair_reward),
            "impunity": float(impunity),
        }

    def remaining_turns(self) -> float:
        """Turns known to remain after the current one (``inf`` when the length is unknown)."""
        length = self.match_attributes["length"]
        if length is None or length < 0 or math.isinf(length):
            return math.inf
        return float(max(length - len(self.history) - 1, 0))

    def _turn_context(self, opponent: axl.Player) -> Context:
        if self._context is not None:
            return self._context
        same_group = self.group is not None and getattr(opponent, "group", None) == self.group
        remaining = self.remaining_turns()
        return Context(
            remaining=remaining,
            in_group=float(same_group),
            known_end=float(not math.isinf(remaining)),
        )

    # ------------------------------------------------------------ axelrod's player contract
    def strategy(self, opponent: axl.Player) -> axl.Action:
        """Cooperate with probability ``P(C)`` from the shared decision rule."""
        context = self._turn_context(opponent)
        if self._payoffs is None:
            raise ValueError(
                f"{self.match_attributes['game']!r} gives its two players different roles: "
                "play it in sccgames.Match, which tells each player its role"
            )
        p = float(p_cooperate(self.profile, self.state, context, self._payoffs))
        self.last_p_cooperate = p
        self.last_decision = (context, self.state)
        return self._random.random_choice(p)

    def update_history(self, play: axl.Action, coplay: axl.Action) -> None:
        """Record the turn, then learn from it (habit, beliefs, emotions, norm)."""
        super().update_history(play, coplay)
        context = self._context if self._context is not None else Context()
        observation = Observation(
            cooperated=float(play == C),
            partner_cooperated=float(coplay == C),
            salience=context.salience,
            moved=self._moves[0],
            partner_moved=self._moves[1],
            **self._outcome,
        )
        self.state = update_state(self.profile, self.state, observation)
        self._context = None
        self._outcome = _NO_OUTCOME


def _profile(**parts: Any) -> Profile:
    return replace(Profile(), **parts)


class HomoEconomicus(MotiveAgent):
    """Rational calculation alone: the textbook *homo economicus*.

    Names:

    - Homo economicus, expected-payoff maximizer with a shadow of the future: [Axelrod1984]_
    - Near-best response through a precise logit (β = 10): [McKelveyPalfrey1995]_

    Defects in a one-shot prisoner's dilemma and keeps a lost wallet; cooperates with
    reciprocators while the future is long; complies when ``ΔX`` outweighs the gain.
    """

    name = "Homo Economicus"
    preset_profile = _profile(beta=10.0, weights=Weights(1.0, 0.0, 0.0, 0.0, 0.0))

    def __init__(self, group: int | None = None) -> None:
        super().__init__(group=group)


class SubgamePerfect(MotiveAgent):
    """Rational calculation with backward induction: the subgame-perfect benchmark.

    Names:

    - Backward induction in the finitely repeated prisoner's dilemma: [Axelrod1984]_
    - Precise logit response (β = 10): [McKelveyPalfrey1995]_

    Puts no value on the future when the end is known (every ``Match``, a design of
    announced rounds), so it defects throughout a prisoner's dilemma or a public goods game
    unless the regime's incentive ``ΔX`` alone makes C pay; when the relationship ends by
    chance, it values the future as δ says.
    """

    name = "Subgame Perfect"
    preset_profile = _profile(
        beta=10.0,
        weights=Weights(1.0, 0.0, 0.0, 0.0, 0.0),
        rational=RationalParams(horizon=Horizon.BACKWARD_INDUCTION),
    )

    def __init__(self, group: int | None = None) -> None:
        super().__init__(group=group)


class ReputationAware(MotiveAgent):
    """Rational calculation that values a score by the material future the regime gives it.

    Names:

    - Reputation as a material asset: a good name draws others' cooperation (indirect
      reciprocity) [NowakSigmund1998]_
    - Precise logit response (β = 10): [McKelveyPalfrey1995]_

    A :class:`HomoEconomicus` whose value of a score point is not a free constant (λ = 0)
    but what the regime attaches to the point (``RationalParams.reputation = 1``): partners'
    trust through a public score, the blacklist's cost and exclusion, the red list's
    bonus, discounted over the periods the point lasts
    (:func:`sccgames.model.decision.score_value`); and a community's standing by the
    partners' trust it draws until peers see the next act
    (:func:`sccgames.model.decision.standing_value`). Without a scoring regime it is the
    textbook egoist; under one it is the rational account of "behaving for the score".
    """

    name = "Reputation Aware"
    preset_profile = _profile(
        beta=10.0,
        weights=Weights(1.0, 0.0, 0.0, 0.0, 0.0),
        rational=RationalParams(score_value=0.0, reputation=1.0),
    )

    def __init__(self, group: int | None = None) -> None:
        super().__init__(group=group)


class Habitual(MotiveAgent):
    """Habit: value-free repetition of a cooperative routine.

    Names:

    - Habits without values: [MillerShenhavLudvig2019]_

    Starts with a formed cooperative habit (h = 0.9, habit weight 0.9), so incentives move
    only the small deliberative remainder of its choices; deliberation is rational.
    """

    name = "Habitual"
    preset_profile = _profile(
        weights=Weights(rational=1.0, habit=0.9, moral=0.0, emotion=0.0, social=0.0),
        habit=HabitParams(initial=0.9, learning_rate=0.05),
    )

    def __init__(self, group: int | None = None) -> None:
        super().__init__(group=group)


class Moralist(MotiveAgent):
    """A strong, unconditional moral norm on top of rational calculation.

    Names:

    - Intrinsic motivation, not crowded out (framing 0): [FreyJegen2001]_
    - Norm weighted by the harm a violation does, so fuller wallets come back more often:
      [Cohn2019]_

    Norm n = 3 (payoff units), conditionality 0, harm weight μ = 0.5: cooperates in a
    one-shot prisoner's dilemma and returns the lost wallet.
    """

    name = "Moralist"
    preset_profile = _profile(
        weights=Weights(rational=1.0, habit=0.0, moral=1.0, emotion=0.0, social=0.0),
        moral=MoralParams(norm=3.0, conditionality=0.0, harm_weight=0.5, framing=0.0),
    )

    def __init__(self, group: int | None = None) -> None:
        super().__init__(group=group)


class ConditionalCooperator(MotiveAgent):
    """A norm followed only when enough others follow it.

    Names:

    - Conditional cooperation in public goods games: [FischbacherGachter2010]_
    - Conditional norm following (empirical and normative expectations): [Bicchieri2006]_

    Norm n = 2.5, fully conditional (k = 1) on a perceived compliance above one half.
    """

    name = "Conditional Cooperator"
    preset_profile = _profile(
        weights=Weights(rational=1.0, habit=0.0, moral=1.0, emotion=0.0, social=0.0),
        moral=MoralParams(norm=2.5, conditionality=1.0, threshold=0.5),
    )

    def __init__(self, group: int | None = None) -> None:
        super().__init__(group=group)


class Empath(MotiveAgent):
    """Emotion: sympathy, inequity aversion, warm glow, and anger at exploitation.

    Names:

    - Inequity aversion: [FehrSchmidt1999]_
    - Warm glow: [Andreoni1990]_

    Sympathy σ = 0.5, guilt β = 0.6, warm glow g = 1; anger at an exploiter turns sympathy
    into spite.
    """

    name = "Empath"
    preset_profile = _profile(
        weights=Weights(rational=1.0, habit=0.0, moral=0.0, emotion=1.0, social=0.0),
        emotion=EmotionParams(sympathy=0.5, guilt=0.6, warm_glow=1.0),
    )

    def __init__(self, group: int | None = None) -> None:
        super().__init__(group=group)


class SocialAnimal(MotiveAgent):
    """Evolved sociality: esteem, conformity and belonging.

    Names:

    - Parochial, evolved sociality: [BowlesGintis2011]_
    - Image motivation and its crowding-out by incentives: [BenabouTirole2006]_

    Esteem ν = 2, conformity χ = 1.5, belonging ι = 1: cooperates when seen and when others
    do, and more with its own group.
    """

    name = "Social Animal"
    preset_profile = _profile(
        weights=Weights(rational=1.0, habit=0.0, moral=0.0, emotion=0.0, social=1.0),
        social=SocialParams(esteem=2.0, conformity=1.5, belonging=1.0),
    )

    def __init__(self, group: int | None = None) -> None:
        super().__init__(group=group)


class Citizen(MotiveAgent):
    """A mixed profile: every motive at its documented default.

    Names:

    - Mixed motives and the crowding of social preferences by incentives:
      [BowlesPolaniaReyes2012]_
    - Motivation crowding theory: [FreyJegen2001]_

    Weights (1, 0.3, 1, 1, 1) and the defaults of :mod:`sccgames.model.profiles`.
    """

    name = "Citizen"
    preset_profile = Profile()

    def __init__(self, group: int | None = None) -> None:
        super().__init__(group=group)


#: The named presets, in the order they are defined (the way axelrod exports ``strategies``).
motive_strategies: list[type[MotiveAgent]] = [
    cls for cls in MotiveAgent.__subclasses__() if cls.__module__ == __name__
]
