"""Parameter sets: an agent's motive weights and each motive's own parameters.

Frozen dataclasses, one per motive, gathered in a :class:`Profile`. Values are stored as
given; ``__post_init__`` only checks them, raising one ``ValueError`` that names the
parameter, the value and the allowed range. Fields are real numbers (one agent; a string, a
boolean or an array is refused by name) or, in a population's stacked profile built by
:func:`stack_profiles`, :func:`stack_types` and :class:`~sccgames.Population`, numpy arrays
(struct of arrays, one entry per member, checked element by element): the motive math works
on both.

Every default says where it comes from. "Chosen so that …" marks a modelling choice, not an
estimate; the named presets in :mod:`sccgames.agents` override what they need.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

import numpy as np

from sccgames._validation import (
    check_nonnegative,
    check_probability,
    check_range,
    population_arrays,
)

Number = Any  # float, or a numpy array in a population


class Horizon(float, enum.Enum):
    """How a rational agent values the future of a relationship.

    ``DISCOUNTED``: ``δ / (1 − δ)`` further rounds, capped by the turns known to remain (0 in a
    one-shot game): a rational agent who expects its partner to answer it (ρ̂) builds a
    reputation until the end comes near. ``BACKWARD_INDUCTION``: the subgame-perfect
    benchmark: no value on the future when the end is known (a known finite prisoner's
    dilemma is defected throughout), the discounted value when the relationship ends by
    chance, where there is no last round to unravel from
    (:func:`sccgames.motives.future_weight`).

    Each member's value is the weight it puts on the shadow of the future (1 or 0), so a
    population's horizons are a plain float array and the math needs no branch. Members are
    also found by name: ``Horizon("backward_induction")``.
    """

    DISCOUNTED = 1.0
    BACKWARD_INDUCTION = 0.0

    @classmethod
    def _missing_(cls, value: object) -> Horizon | None:
        if isinstance(value, str):
            for member in cls:
                if member.name.lower() == value.strip().lower():
                    return member
        return None

    @classmethod
    def allowed(cls) -> str:
        """The accepted spellings, for error messages."""
        return ", ".join(repr(member.name.lower()) for member in cls)


def _check_all(obj: Any, prefix: str, rules: dict[str, Any]) -> None:
    for name, rule in rules.items():
        rule(f"{prefix}.{name}", getattr(obj, name))


def _unit(name: str, value: Any) -> None:
    check_probability(name, value)


def _positive(name: str, value: Any) -> None:
    check_range(name, value, 0.0, math.inf, low_open=True, high_open=True)


@dataclass(frozen=True)
class Weights:
    """Motive weights ``(w_R, w_H, w_M, w_E, w_S)`` (``docs/model.md`` §2).

    Parameters
    ----------
    rational, moral, emotion, social : float, default 1.0
        Weights of the deliberative motives, ``>= 0``. Chosen so that, by default, every
        motive is present and none dominates; presets set their own.
    habit : float, default 0.3
        Habit arbitration weight in [0, 1]: the most a fully formed habit can take over.
        Chosen so that a strong habit decides about a third of choices.

    """

    rational: Number = 1.0
    habit: Number = 0.3
    moral: Number = 1.0
    emotion: Number = 1.0
    social: Number = 1.0

    def __post_init__(self) -> None:
        _check_all(
            self,
            "weights",
            {
                "rational": check_nonnegative,
                "habit": _unit,
                "moral": check_nonnegative,
                "emotion": check_nonnegative,
                "social": check_nonnegative,
            },
        )


@dataclass(frozen=True)
class RationalParams:
    """Rational calculation R: beliefs, the shadow of the future and the value of a score.

    Parameters
    ----------
    delta : float, default 0.9
        Probability the relationship continues, in [0, 1). Chosen so that the future is worth
        at most ``δ / (1 − δ) = 9`` further rounds, enough for reciprocity in the default
        prisoner's dilemma (``δ > (T − R) / (T − P) = 0.5``) [Axelrod1984]_.
    horizon : Horizon, default ``Horizon.DISCOUNTED``
        ``BACKWARD_INDUCTION`` gives the subgame-perfect benchmark. A string
        (``"backward_induction"``) is accepted and stored as the enum.
    trust : float, default 0.5
        Generalized trust τ, the prior belief that a stranger cooperates. Chosen so that a
        stranger is a coin flip.
    prior_strength : float, default 2.0
        How many observations the priors are worth (Laplace's rule of succession).
    responsiveness : float, default 0.5
        Prior ρ₀ on ``P(C | my C) − P(C | my D)`` of a partner, in [−1, 1]. Chosen so that a
        new partner is expected to reciprocate half the time.
    score_value : float, default 0.1
        λ, payoff value of one credit-score point (what a good score buys later). Chosen so
        that the default score steps (1 up, 5 down) add 0.6 to the incentive, a fifth of
        the default fine.
    score_trust : float, default 0.5
        ζ in [0, 1], how far a public score moves trust toward 1 (good) or 0 (bad). Chosen
        so that the best score closes half the distance to full trust.
    forgetting : float, default 0.1
        φ in [0, 1], how fast what was learned about strangers fades. Generalized trust is
        a Beta belief: τ worth ``prior_strength`` draws plus, for each earlier partner, its
        share of C as one draw, the counts discounted by ``1 − φ`` whenever a partner is
        added, so it rests on about the last ``1 / φ`` partners. Chosen so that generalized trust
        rests on about the last ten partners. 0 never forgets, 1 remembers only the last
        partner.
    reputation : float, default 0
        r in [0, 1], the share of a score's material future that is added to λ: what the
        regime attaches to a point through partners' trust, the blacklist (its cost and
        exclusion) and the red list, computed from the regime
        (:func:`sccgames.model.decision.score_value`, ``docs/model.md`` §2); and the same
        share of what a community's standing is worth
        (:func:`sccgames.model.decision.standing_value`). 1 is the
        reputation-aware rational agent (:class:`~sccgames.ReputationAware`). Chosen as 0 so
        that the calibrated agents keep the free λ they were calibrated with.

    """

    delta: Number = 0.9
    horizon: Horizon = Horizon.DISCOUNTED
    trust: Number = 0.5
    prior_strength: Number = 2.0
    responsiveness: Number = 0.5
    score_value: Number = 0.1
    score_trust: Number = 0.5
    forgetting: Number = 0.1
    reputation: Number = 0.0

    def __post_init__(self) -> None:
        if isinstance(self.horizon, np.ndarray):  # a population: weights on the future
            if not np.isin(self.horizon, [0.0, 1.0]).all():
                raise ValueError(
                    "rational.horizon must hold Horizon values (1 = discounted, "
                    f"0 = backward induction), got {self.horizon!r}"
                )
        else:
            try:
                object.__setattr__(self, "horizon", Horizon(self.horizon))
            except ValueError:
                raise ValueError(
                    f"rational.horizon must be one of {Horizon.allowed()}, got {self.horizon!r}"
                ) from None
        check_range("rational.delta", self.delta, 0.0, 1.0, high_open=True)
        _check_all(
            self,
            "rational",
            {
                "trust": _unit,
                "prior_strength": _positive,
                "score_value": check_nonnegative,
                "score_trust": _unit,
                "forgetting": _unit,
                "reputation": _unit,
            },
        )
        check_range("rational.responsiveness", self.responsiveness, -1.0, 1.0)


@dataclass(frozen=True)
class HabitParams:
    """Habit H [MillerShenhavLudvig2019]_.

    Parameters
    ----------
    initial : float, default 0.5
        Starting habit h in [0, 1]; 0.5 is no habit at all (θ = 0).
    learning_rate : float, default 0.05
        α_H in [0, 1]. Chosen so that a habit takes about twenty repetitions to form.

    """

    initial: Number = 0.5
    learning_rate: Number = 0.05

    def __post_init__(self) -> None:
        _check_all(self, "habit", {"initial": _unit, "learning_rate": _unit})


@dataclass(frozen=True)
class MoralParams:
    """Moral norm M: strength, conditionality, harm, framing and internalization.

    Parameters
    ----------
    norm : float, default 0.066
        Baseline norm strength n₀, payoff units, in [0, norm_max]. Calibrated: estimated
        with the other defaults marked so by the robust calibration
        (``benchmarks/calibrate_robust.py``, ``docs/calibration.md``): the default person's
        norm is weak, and its moral concern is the harm a violation does (``harm_weight``).
    norm_max : float, default 5.0
        Ceiling n_max of a fully internalized norm. Chosen so that a maximal norm outweighs
        the largest gain from defection in the default prisoner's dilemma (``T − S = 5``).
    conditionality : float, default 0.5
        k in [0, 1], the conditional share of the norm [Bicchieri2006]_. Chosen halfway
        between unconditional duty and pure conformity.
    threshold : float, default 0.403
        t in [0, 1], the compliance the conditional part needs [Bicchieri2006]_. Calibrated:
        estimated with the other defaults marked so by the robust calibration
        (``benchmarks/calibrate_robust.py``, ``docs/calibration.md``).
    width : float, default 0.05
        Softness of that threshold (``docs/model.md`` §2), ``> 0``.
    harm_weight : float, default 2.74
        μ >= 0 per payoff unit of harm to the other side (to every group-mate in a group
        game) [Cohn2019]_. Calibrated: estimated with the other defaults marked so by the
        robust calibration (``benchmarks/calibrate_robust.py``, ``docs/calibration.md``).
    framing : float, default 0.5
        κ in [0, 1]: the largest share of the norm a present incentive turns into a price
        [GneezyRustichini2000]_. Chosen so that a salient fine halves the norm at most.
    framing_half : float, default 0.1
        S½ > 0, the salience at which framing reaches half its effect. Chosen small, so that
        even a small fine turns much of the norm into a price, as Gneezy and Rustichini's
        small fine did [GneezyRustichini2000]_, while a large one pays for itself ("pay
        enough or don't pay at all"): framing saturates at κ, the incentive keeps growing.
    internalization : float, default 0.005
        η_M >= 0 per unit salience per period [FreyJegen2001]_. Chosen so that a legitimacy
        gap of 0.5 under the default fine moves the norm about 1% of n_max per period.
    legitimacy_threshold : float, default 0.5
        L* in [0, 1]: above it a regime builds the norm, below it erodes it
        [BowlesPolaniaReyes2012]_.
    recovery : float, default 0.005
        ψ in [0, 1] per period without incentive. Chosen small, so that removing a fine does
        not bring the norm back within a study's length (hysteresis, [GneezyRustichini2000]_).
    compliance_learning : float, default 0.465
        Rate in [0, 1] at which the perceived compliance ē follows what the agent sees.
        Calibrated: estimated with the other defaults marked so by the robust calibration
        (``benchmarks/calibrate_robust.py``, ``docs/calibration.md``): beliefs about others
        follow what one sees within a few rounds.
    initial_compliance : float, default 0.9
        Starting ē in [0, 1]. Calibrated: estimated with the other defaults marked so by the
        robust calibration (``benchmarks/calibrate_robust.py``, ``docs/calibration.md``):
        strangers are first expected to keep the norm.

    """

    norm: Number = 0.066
    norm_max: Number = 5.0
    conditionality: Number = 0.5
    threshold: Number = 0.403
    width: Number = 0.05
    harm_weight: Number = 2.74
    framing: Number = 0.5
    framing_half: Number = 0.1
    internalization: Number = 0.005
    legitimacy_threshold: Number = 0.5
    recovery: Number = 0.005
    compliance_learning: Number = 0.465
    initial_compliance: Number = 0.9

    def __post_init__(self) -> None:
        _check_all(
            self,
            "moral",
            {
                "norm_max": check_nonnegative,
                "conditionality": _unit,
                "threshold": _unit,
                "width": _positive,
                "harm_weight": check_nonnegative,
                "framing": _unit,
                "framing_half": _positive,
                "internalization": check_nonnegative,
                "legitimacy_threshold": _unit,
                "recovery": _unit,
                "compliance_learning": _unit,
                "initial_compliance": _unit,
            },
        )
        check_nonnegative("moral.norm", self.norm)
        check_nonnegative("moral.norm_max - moral.norm", _difference(self.norm_max, self.norm))


def _difference(a: Any, b: Any) -> Any:
    return np.asarray(a, dtype=float) - np.asarray(b, dtype=float)


@dataclass(frozen=True)
class EmotionParams:
    """Emotion E: sympathy, inequity aversion, warm glow, anger and resentment.

    Parameters
    ----------
    sympathy : float, default 0.1
        σ >= 0, weight on the partner's payoff. Chosen small: a little altruism.
    envy : float, default 0.85
        Fehr–Schmidt α >= 0, the mean of their estimated distribution [FehrSchmidt1999]_.
    guilt : float, default 0.816
        Fehr–Schmidt β in [0, 1) [FehrSchmidt1999]_. Calibrated: estimated with the other
        defaults marked so by the robust calibration (``benchmarks/calibrate_robust.py``,
        ``docs/calibration.md``): the aversion to being ahead of the other side that, with
        the harm weight, makes fuller wallets come back more often [Cohn2019]_; within the
        range of Fehr and Schmidt's estimates (β < 1).
    warm_glow : float, default 0.037
        g >= 0, the joy of giving itself [Andreoni1990]_. Calibrated: estimated with the
        other defaults marked so by the robust calibration
        (``benchmarks/calibrate_robust.py``, ``docs/calibration.md``): next to nothing once
        concern for the other side is counted.
    anger_gain, anger_decay : float, default 1.0, 0.2
        γ_A >= 0 and λ_A in [0, 1]: one exploitation raises anger by one payoff weight, which
        fades by a fifth each period. Chosen so that anger turns sympathy into spite at once
        and lasts a few rounds.
    resentment_gain, resentment_decay : float, default 1.0, 0.1
        γ_Q >= 0 and λ_Q in [0, 1]: resentment of an unjust sanction, slower to fade than
        anger. Chosen so that it lasts about ten periods.

    """

    sympathy: Number = 0.1
    envy: Number = 0.85
    guilt: Number = 0.816
    warm_glow: Number = 0.037
    anger_gain: Number = 1.0
    anger_decay: Number = 0.2
    resentment_gain: Number = 1.0
    resentment_decay: Number = 0.1

    def __post_init__(self) -> None:
        _check_all(
            self,
            "emotion",
            {
                "sympathy": check_nonnegative,
                "envy": check_nonnegative,
                "warm_glow": check_nonnegative,
                "anger_gain": check_nonnegative,
                "anger_decay": _unit,
                "resentment_gain": check_nonnegative,
                "resentment_decay": _unit,
            },
        )
        check_range("emotion.guilt", self.guilt, 0.0, 1.0, high_open=True)


@dataclass(frozen=True)
class SocialParams:
    """Evolved sociality S: esteem, conformity and belonging [BowlesGintis2011]_.

    Parameters
    ----------
    esteem : float, default 1.0
        ν >= 0, the worth of being seen to cooperate. Chosen as one payoff unit.
    image_half : float, default 1.0
        X½ > 0, the incentive at which its image value halves [BenabouTirole2006]_.
    conformity : float, default 1.19
        χ >= 0, pull toward what most others do. Calibrated: estimated with the other
        defaults marked so by the robust calibration (``benchmarks/calibrate_robust.py``,
        ``docs/calibration.md``): with the conditional norm, it makes contributions follow
        others' [FischbacherGachterFehr2001]_.
    belonging : float, default 0.5
        ι >= 0, extra wish to cooperate with one's own group (parochial sociality).

    """

    esteem: Number = 1.0
    image_half: Number = 1.0
    conformity: Number = 1.19
    belonging: Number = 0.5

    def __post_init__(self) -> None:
        _check_all(
            self,
            "social",
            {
                "esteem": check_nonnegative,
                "image_half": _positive,
                "conformity": check_nonnegative,
                "belonging": check_nonnegative,
            },
        )


@dataclass(frozen=True)
class LegitimacyParams:
    """Legitimacy L, the agent's reading of how fair the regime is.

    Parameters
    ----------
    initial : float, default 0.6
        L₀ in [0, 1], the cultural baseline. Chosen slightly above the default threshold
        L* = 0.5: a regime starts neutral-to-favourable; a history of distrust means lower.
    unjust_sanction : float, default 0.1
        φ⁺ in [0, 1], share of L lost to one unjust sanction (a false positive).
    impunity : float, default 0.02
        φ⁻ in [0, 1], share of L lost when a partner's violation goes unpunished.
    fair_reward : float, default 0.02
        φ_r in [0, 1], share of the distance to 1 gained with a fair reward.
    appeal_restore : float, default 0.5
        Share in [0, 1] of an unjust sanction's damage that a successful appeal undoes.
    resentment_weight : float, default 0.01
        φ_Q >= 0, pull of resentment on L per period.

    Rates are chosen so that one unjust sanction weighs as much as five fair rewards
    (losses loom larger) and a sanction stays in memory for tens of periods.

    """

    initial: Number = 0.6
    unjust_sanction: Number = 0.1
    impunity: Number = 0.02
    fair_reward: Number = 0.02
    appeal_restore: Number = 0.5
    resentment_weight: Number = 0.01

    def __post_init__(self) -> None:
        _check_all(
            self,
            "legitimacy",
            {
                "initial": _unit,
                "unjust_sanction": _unit,
                "impunity": _unit,
                "fair_reward": _unit,
                "appeal_restore": _unit,
                "resentment_weight": check_nonnegative,
            },
        )


@dataclass(frozen=True)
class Profile:
    """An agent's motive weights, logit precision and every motive's parameters.

    Parameters
    ----------
    beta : float, default 0.62
        Logit precision β >= 0 of deliberation [McKelveyPalfrey1995]_: a one-unit difference
        in preference is chosen about 65% of the time. Calibrated: estimated with the other
        defaults marked so by the robust calibration (``benchmarks/calibrate_robust.py``,
        ``docs/calibration.md``).
    weights, rational, habit, moral, emotion, social, legitimacy
        The parameter sets above, each with its documented defaults.

    Examples
    --------
    >>> from sccgames import Profile, Weights, MoralParams
    >>> Profile(weights=Weights(moral=2.0), moral=MoralParams(norm=3.0)).moral.norm
    3.0

    """

    beta: Number = 0.62
    weights: Weights = field(default_factory=Weights)
    rational: RationalParams = field(default_factory=RationalParams)
    habit: HabitParams = field(default_factory=HabitParams)
    moral: MoralParams = field(default_factory=MoralParams)
    emotion: EmotionParams = field(default_factory=EmotionParams)
    social: SocialParams = field(default_factory=SocialParams)
    legitimacy: LegitimacyParams = field(default_factory=LegitimacyParams)

    def __post_init__(self) -> None:
        check_nonnegative("beta", self.beta)
        for part in fields(self)[1:]:
            value = getattr(self, part.name)
            if not isinstance(value, part.default_factory):  # type: ignore[arg-type]
                raise ValueError(
                    f"{part.name} must be a {part.default_factory.__name__}, "  # type: ignore[union-attr]
                    f"got {value!r}"
                )


def stack_profiles(profiles: Sequence[Profile]) -> Profile:
    """One :class:`Profile` of arrays (a population, struct of arrays) from many profiles.

    Every numeric field that differs between profiles becomes a float array with one entry
    per profile (horizons become their weights on the future), so the motive math runs on
    the whole population at once. A field every profile shares stays one float: the math on
    it is then plain Python arithmetic rather than an array operation per period, which is
    most of what a period costs in small populations.
    """
    if not profiles:
        raise ValueError("stack_profiles needs at least one profile")
    # populations repeat a few profiles: stack each distinct one once, then spread them
    distinct: dict[int, int] = {}
    index = np.array([distinct.setdefault(id(p), len(distinct)) for p in profiles])
    unique = list({id(p): p for p in profiles}.values())
    return _take(_stack(unique), index)


def stack_types(profiles: Sequence[Profile], index: np.ndarray) -> Profile:
    """A population whose member ``i`` has ``profiles[index[i]]`` (no loop over members)."""
    if not profiles:
        raise ValueError("stack_types needs at least one profile")
    return _take(_stack(list(profiles)), np.asarray(index))


def _take(stacked: Any, index: np.ndarray) -> Any:
    values = {}
    for f in fields(stacked):
        value = getattr(stacked, f.name)
        if is_dataclass(value):
            values[f.name] = _take(value, index)
        elif isinstance(value, np.ndarray):
            values[f.name] = value[index]
        else:
            values[f.name] = value
    return _assemble(type(stacked), values)


def _assemble(cls: type, values: dict[str, Any]) -> Any:
    """``cls(**values)`` without running its ``__post_init__`` again.

    Only for rows taken from a stack that was checked (and normalized) when it was built:
    spreading a few distinct profiles over a few hundred players otherwise spends most of
    its time re-checking every array (a tournament's fixed cost).
    """
    obj = object.__new__(cls)
    for name, value in values.items():
        object.__setattr__(obj, name, value)
    return obj


def _stack(objects: list[Any]) -> Any:
    first = objects[0]
    values = {}
    for f in fields(first):
        column = [getattr(o, f.name) for o in objects]
        if is_dataclass(column[0]):
            values[f.name] = _stack(column)
        elif isinstance(column[0], str):  # a label such as a context's domain
            values[f.name] = column[0]
        else:
            array = np.array(column, dtype=float)
            shared = bool((array == array[0]).all()) and not np.isnan(array[0])
            values[f.name] = float(array[0]) if shared else array
    with population_arrays():  # (the arrays are a population's: checked element by element)
        return type(first)(**values)
