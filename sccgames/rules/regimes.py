"""Incentive regimes: who is watched, how acts are recorded, rewarded, fined and scored.

A regime is a frozen dataclass of parameters with two pure, vectorized methods used by every
engine: :meth:`~SocialCredit.context` tells an agent what it faces before it moves, and
:meth:`~SocialCredit.step` says what the regime did to each of ``n`` acts (arrays of length
``n``), drawing its noise from a generator the environment owns (``docs/model.md`` §3).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cached_property
from types import MappingProxyType
from typing import Any

import numpy as np

from sccgames._validation import check_finite, check_integer, check_nonnegative, check_probability
from sccgames.model.decision import Context, Observation
from sccgames.model.motives import bounded

#: Uniform draws a regime makes per act and period: one, which decides observation, error
#: and appeal as nested events (see :meth:`SocialCredit.step`); fixed so that random streams
#: stay aligned whatever the parameters.
DRAWS_PER_ACT = 1


def uniforms(draws: np.ndarray | np.random.Generator, n: int) -> np.ndarray:
    """The ``(DRAWS_PER_ACT, n)`` uniforms a regime's step uses: given, or drawn now."""
    if isinstance(draws, np.random.Generator):
        check_integer("n", n)
        return draws.random((DRAWS_PER_ACT, n))
    return draws


@dataclass(frozen=True)
class RegimeStep:
    """What a regime did to ``n`` acts in one period (each field an array of length ``n``).

    ``observed``: the act was seen. ``recorded_c``: it was recorded as C (meaningful where
    observed). ``false_positive``: a C recorded as D; ``false_negative``: a D recorded as C;
    ``appealed``: a false positive corrected on appeal (then recorded as C). ``reward``,
    ``fine``, ``blacklist_cost``, ``redlist_bonus``: amounts paid (>= 0); ``transfer``: their
    net effect on the actor's payoff; ``score``: the score after the period;
    ``enforcement_cost``: what observing cost the regime (for welfare).
    """

    observed: np.ndarray
    recorded_c: np.ndarray
    false_positive: np.ndarray
    false_negative: np.ndarray
    appealed: np.ndarray
    reward: np.ndarray
    fine: np.ndarray
    blacklisted: np.ndarray
    redlisted: np.ndarray
    blacklist_cost: np.ndarray
    redlist_bonus: np.ndarray
    transfer: np.ndarray
    score: np.ndarray
    enforcement_cost: np.ndarray

    def __len__(self) -> int:
        return len(self.observed)

    def columns(self) -> dict[str, np.ndarray]:
        """The fields as a mapping of column name to array."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


#: The parameters of :class:`SocialCredit` that may be given per community.
_PER_COMMUNITY = ("coverage", "fine", "false_positive", "false_negative")


def _check_coverage(name: str, coverage: Any) -> None:
    """One coverage: a probability, or a non-empty mapping of domain name to probability."""
    if isinstance(coverage, Mapping):
        if not coverage:
            raise ValueError(f"{name} must name at least one domain")
        for domain, value in coverage.items():
            if not isinstance(domain, str):
                raise ValueError(f"{name} keys must be domain names (str), got {domain!r}")
            check_probability(f"{name}[{domain!r}]", value)
    else:
        check_probability(name, coverage)


def _domain_names(domains: Mapping[str, float] | Sequence[str] | None) -> list[str]:
    if domains is None:
        return ["default"]
    return list(domains)


class _Regime:
    """What every regime shares: the context of an act in a named domain."""

    def context(
        self,
        domain: str = "default",
        partner_score: Any = np.nan,
        *,
        remaining: Any = np.inf,
        in_group: Any = 0.0,
    ) -> Context:
        """What an agent acting in ``domain`` knows of this regime before it moves."""
        return self.context_for(  # type: ignore[attr-defined]
            self.coverage_for(domain),  # type: ignore[attr-defined]
            partner_score,
            remaining=remaining,
            in_group=in_group,
            domain=domain,
        )


@dataclass(frozen=True)
class NoRegime(_Regime):
    """No incentive institution: nothing is watched, recorded, paid or scored."""

    def coverage_for(self, domain: str) -> float:
        """Coverage of ``domain``: always 0."""
        return 0.0

    def check_domains(self, domains: Mapping[str, float] | Sequence[str] | None) -> None:
        """Every domain is allowed (and unwatched)."""

    def initial_scores(self, n: int) -> np.ndarray:
        """No scores: NaN for each of ``n`` agents."""
        check_integer("n", n)
        return np.full(n, np.nan)

    def context_for(
        self,
        coverage: Any,
        partner_score: Any,
        *,
        remaining: Any,
        in_group: Any,
        domain: str = "",
    ) -> Context:
        """The context of acts with the given coverages (arrays for a population)."""
        return Context(domain=domain, remaining=remaining, in_group=in_group)

    def step(
        self,
        cooperated: np.ndarray,
        coverage: Any,
        scores: np.ndarray,
        draws: np.ndarray | np.random.Generator,
        community: np.ndarray | None = None,
    ) -> RegimeStep:
        """Nothing happens; the draws are still made so that streams stay aligned."""
        cooperated = np.asarray(cooperated, dtype=bool)
        uniforms(draws, cooperated.size)
        false = np.zeros(cooperated.size, dtype=bool)
        zero = np.zeros(cooperated.size)
        return RegimeStep(
            observed=false,
            recorded_c=false,
            false_positive=false,
            false_negative=false,
            appealed=false,
            reward=zero,
            fine=zero,
            blacklisted=false,
            redlisted=false,
            blacklist_cost=zero,
            redlist_bonus=zero,
            transfer=zero,
            score=np.array(scores, dtype=np.result_type(scores, 0.0), copy=True),
            enforcement_cost=zero,
        )


@dataclass(frozen=True)
class SocialCredit(_Regime):
    """A top-down social credit system (``docs/model.md`` §3).

    Per domain, the regime observes an act with probability m (its coverage). An observed C
    is recorded as D with probability ε⁺ (a false positive) and an observed D as C with
    probability ε⁻. A recorded C earns ``reward`` and ``score_up`` points; a recorded D costs
    ``fine`` and ``score_down`` points. Scores decay toward ``score_start`` (forgiveness) and
    stay within bounds. Below ``blacklist_threshold`` a citizen pays ``blacklist_cost`` in
    every interaction (and, in a society, is excluded from a share ``blacklist_exclusion``
    of them); at or above ``redlist_threshold`` it earns ``redlist_bonus``. Blacklist and red
    list apply in every domain, watched or not: they are a status, not an observation. A
    false positive is corrected on appeal with probability ``appeal``, and is then treated
    as a true C. Every observation costs the regime ``enforcement_cost``.

    Parameters
    ----------
    coverage : float, mapping of str to float, or sequence of them, default 0.5
        Probability an act is observed: one value for every domain, or one per domain name
        (a domain the regime does not watch must be given coverage 0). Chosen so that half
        of all acts are seen: a regime that sees everything leaves no compliance gap. A
        sequence gives one such entry per community (entry ``c`` for community ``c``): a
        regime that watches some communities more than others (see below).
    reward : float, default 0.5
        Paid for a recorded C, >= 0. Chosen as a sixth of the fine: the regime mostly
        sanctions.
    fine : float or sequence of float, default 3.0
        Charged for a recorded D, >= 0 (a sequence: one per community). Chosen so that
        under full coverage the default incentive (``ΔX = 0.9 · (0.5 + 3 + 0.1 · 6) ≈
        3.7``) exceeds the largest one-shot gain from defecting in the default prisoner's
        dilemma (``T − R = 2``), while at the default coverage (``ΔX ≈ 1.8``) it does not
        always do so.
    false_positive, false_negative : float or sequence of float, default 0.05
        ε⁺ and ε⁻ in [0, 1] with ε⁺ + ε⁻ <= 1 (a sequence: one per community). Chosen small
        but not zero: no monitoring is perfect.
    score_start : float, default 100
        Every citizen's starting score, and the point scores decay toward. Chosen as a round
        scale.
    score_min, score_max : float, default 0, 200
        Bounds of the score.
    score_up, score_down : float, default 1, 5
        Points gained per recorded C and lost per recorded D (both >= 0). Chosen so that one
        recorded violation undoes five recorded compliances.
    score_decay : float, default 0.01
        Share in [0, 1] of the distance to ``score_start`` forgiven each period.
    public_scores : bool, default True
        Whether partners see each other's score (feeding score-conditional trust) and peers
        see monitored acts (their visibility becomes the coverage).
    blacklist_threshold : float, default 80
        Scores below it are blacklisted: four net recorded violations below the start.
    blacklist_cost : float, default 1.0
        Per-interaction cost of being blacklisted, >= 0. Chosen as the default P.
    blacklist_exclusion : float, default 0.0
        Share in [0, 1] of interactions a blacklisted citizen is excluded from. Only a
        population has interactions to exclude from; a two-player match applies the cost.
    redlist_threshold : float, default 120
        Scores at or above it are red-listed.
    redlist_bonus : float, default 0.5
        Per-interaction bonus of the red list, >= 0. Chosen equal to the reward.
    appeal : float, default 0.0
        Probability in [0, 1] that a false positive is corrected. Chosen as no appeals, the
        harshest regime; set it to study due process.
    enforcement_cost : float, default 0.1
        Cost to the regime of one observation, >= 0, counted against welfare. Chosen as a
        tenth of a payoff unit.

    Notes
    -----
    **Discriminatory enforcement.** ``coverage``, ``fine``, ``false_positive`` and
    ``false_negative`` may each be a sequence with one entry per community of a
    :class:`~sccgames.Population` (``Population(communities=k)``: entry ``c`` applies to the
    citizens of community ``c``); the sequences given must all have ``k`` entries, and a
    scalar still applies to everyone. Each citizen is watched, misrecorded and fined at its
    own community's rates, and decides on them (its ``ΔX``). Only a
    :class:`~sccgames.Society` has communities: a :class:`~sccgames.Match` or a
    tournament refuses such a regime. With every entry equal to the scalar, a run is the
    scalar regime's draw for draw (in float64 exactly; in float32 up to the rounding of
    ``1 − ε⁺ − ε⁻``, done in float32 per citizen rather than once in float64).

    """

    coverage: float | Mapping[str, float] | Sequence[float | Mapping[str, float]] = 0.5
    reward: float = 0.5
    fine: float | Sequence[float] = 3.0
    false_positive: float | Sequence[float] = 0.05
    false_negative: float | Sequence[float] = 0.05
    score_start: float = 100.0
    score_min: float = 0.0
    score_max: float = 200.0
    score_up: float = 1.0
    score_down: float = 5.0
    score_decay: float = 0.01
    public_scores: bool = True
    blacklist_threshold: float = 80.0
    blacklist_cost: float = 1.0
    blacklist_exclusion: float = 0.0
    redlist_threshold: float = 120.0
    redlist_bonus: float = 0.5
    appeal: float = 0.0
    enforcement_cost: float = 0.1

    def __post_init__(self) -> None:
        for name in _PER_COMMUNITY:  # a sequence is one entry per community, kept as a tuple
            value = getattr(self, name)
            if isinstance(value, np.ndarray) and value.ndim == 1:
                value = value.tolist()
            if isinstance(value, Sequence) and not isinstance(value, str):
                if not value:
                    raise ValueError(
                        f"SocialCredit.{name} per community needs one entry per community, "
                        "got an empty sequence"
                    )
                object.__setattr__(self, name, tuple(value))
        lengths = {len(getattr(self, n)) for n in _PER_COMMUNITY if self._by_community(n)}
        if len(lengths) > 1:
            given = ", ".join(
                f"{n}: {len(getattr(self, n))}" for n in _PER_COMMUNITY if self._by_community(n)
            )
            raise ValueError(
                "SocialCredit rates per community must all give one entry per community, "
                f"got {given} entries"
            )
        coverages = self.coverage if self._by_community("coverage") else (self.coverage,)
        for c, coverage in enumerate(coverages):
            where = f"[{c}]" if self._by_community("coverage") else ""
            _check_coverage(f"SocialCredit.coverage{where}", coverage)
        for name in (
            "reward",
            "score_up",
            "score_down",
            "blacklist_cost",
            "redlist_bonus",
            "enforcement_cost",
        ):
            check_nonnegative(f"SocialCredit.{name}", getattr(self, name))
        for name in ("score_decay", "blacklist_exclusion", "appeal"):
            check_probability(f"SocialCredit.{name}", getattr(self, name))
        for name, check in (
            ("fine", check_nonnegative),
            ("false_positive", check_probability),
            ("false_negative", check_probability),
        ):
            for c, value in enumerate(self._entries(name)):
                where = f"[{c}]" if self._by_community(name) else ""
                check(f"SocialCredit.{name}{where}", value)
        k = self.communities or 1
        for c, (fp, fn) in enumerate(
            zip(self._entries("false_positive", k), self._entries("false_negative", k), strict=True)
        ):
            if fp + fn > 1:
                where = f" (community {c})" if self.communities is not None else ""
                raise ValueError(
                    f"SocialCredit.false_positive + false_negative must be at most 1{where}, "
                    f"got {fp!r} + {fn!r}"
                )
        for name in (
            "score_start",
            "score_min",
            "score_max",
            "blacklist_threshold",
            "redlist_threshold",
        ):
            check_finite(f"SocialCredit.{name}", getattr(self, name))
        if not self.score_min <= self.score_start <= self.score_max:
            raise ValueError(
                "SocialCredit needs score_min <= score_start <= score_max, got "
                f"{self.score_min!r} <= {self.score_start!r} <= {self.score_max!r}"
            )
        if not isinstance(self.public_scores, bool):
            raise ValueError(
                f"SocialCredit.public_scores must be True or False, got {self.public_scores!r}"
            )

    # ---------------------------------------------------------------- communities
    def _by_community(self, name: str) -> bool:
        """Whether parameter ``name`` is given per community (a tuple)."""
        return isinstance(getattr(self, name), tuple)

    @property
    def communities(self) -> int | None:
        """How many communities the rates are given for; None when they are everyone's."""
        for name in _PER_COMMUNITY:
            if self._by_community(name):
                return len(getattr(self, name))
        return None

    def _entries(self, name: str, k: int = 1) -> tuple[Any, ...]:
        """Parameter ``name`` per community, or its one value repeated ``k`` times."""
        value = getattr(self, name)
        return value if isinstance(value, tuple) else (value,) * k

    def _per_citizen(self, name: str, community: Any, dtype: Any, scale: float = 1.0) -> Any:
        """Parameter ``name`` (times ``scale``) for each citizen of ``community``.

        A scalar stays a Python float (numpy treats it as weak: a float32 population stays
        float32); per community, each entry is computed as the scalar would be and then
        gathered in ``dtype``, so equal entries give the scalar's values bit for bit.
        """
        value = getattr(self, name)
        if not isinstance(value, tuple):
            return value * scale if scale != 1.0 else value
        table = np.array([float(v) * scale if scale != 1.0 else v for v in value], dtype)
        return np.take(table, community)

    def check_communities(self, communities: int | None, where: str = "") -> None:
        """Raise ``ValueError`` unless the rates fit an engine with ``communities``.

        ``None`` is an engine without communities (a Match, a tournament): it refuses rates
        given per community.
        """
        k = self.communities
        if k is None:
            return
        names = ", ".join(n for n in _PER_COMMUNITY if self._by_community(n))
        if communities is None:
            raise ValueError(
                f"SocialCredit rates per community ({names}) need a Society whose Population "
                f"has communities; {where or 'this engine'} has none (give one value each)"
            )
        if k != communities:
            raise ValueError(
                f"SocialCredit rates per community ({names}) give {k} entries, but the "
                f"Population has {communities} communities (give one entry per community)"
            )

    # ---------------------------------------------------------------- domains
    def coverage_for(self, domain: str, community: int | None = None) -> float:
        """Coverage m of ``domain`` (for ``community``, when coverage is per community).

        Raises
        ------
        ValueError
            If coverage is given per domain and ``domain`` is not among them, or per
            community and ``community`` is not given.

        """
        coverage = self.coverage
        if isinstance(coverage, tuple):
            if community is None:
                raise ValueError(
                    "SocialCredit.coverage is given per community: say which community "
                    "(only a Society with communities can use it)"
                )
            coverage = coverage[community]
        if not isinstance(coverage, Mapping):
            return float(coverage)
        try:
            return float(coverage[domain])
        except KeyError:
            known = ", ".join(repr(d) for d in coverage)
            raise ValueError(
                f"SocialCredit.coverage has no domain {domain!r}; it covers {known} "
                "(give coverage 0 to a domain the regime does not watch)"
            ) from None

    def check_domains(self, domains: Mapping[str, float] | Sequence[str] | None) -> None:
        """Raise ``ValueError`` unless every domain in ``domains`` has a coverage."""
        for community in range(self.communities if self._by_community("coverage") else 1):
            for domain in _domain_names(domains):
                self.coverage_for(domain, community if self._by_community("coverage") else None)

    # ---------------------------------------------------------------- scores
    def initial_scores(self, n: int) -> np.ndarray:
        """Starting scores of ``n`` citizens."""
        check_integer("n", n)
        return np.full(n, float(self.score_start))

    def score_signal(self, score: Any) -> Any:
        """A score as a signal in [−1, 1]: 0 at the start (or unknown), ±1 at the bounds."""
        up = max(self.score_max - self.score_start, math.ulp(1.0))
        down = max(self.score_start - self.score_min, math.ulp(1.0))
        gap = score - self.score_start
        if up != down:
            # fmax/fmin ignore NaN: an unknown score (NaN) is no signal at all
            return bounded(np.fmax(gap, 0.0) / up + np.fmin(gap, 0.0) / down, -1.0, 1.0)
        # the same on a symmetric scale (the default), in a third of the time for a society
        # (np.fmax against a scalar is not vectorized): one division, and NaN made 0 after
        signal = bounded(gap / up, -1.0, 1.0)
        if isinstance(signal, np.ndarray):
            np.copyto(signal, 0.0, where=np.isnan(signal))  # (nan_to_num also seeks infinities)
            return signal
        return 0.0 if math.isnan(signal) else signal

    @property
    def reputation_terms(self) -> Mapping[str, float]:
        """The material future this regime attaches to a score point, as Context fields.

        Linearized at ``score_start`` (``docs/model.md`` §2, "The reputation-aware rival"):
        ``score_persistence = 1 − score_decay``; ``signal_slope``, the public signal's
        change per point averaged over the two sides of the start (0 with private scores);
        ``status_price``, the blacklist's cost and the red list's bonus each divided by the
        points between the start and its threshold (at least one; 0 for a threshold beyond
        the score's bounds); ``status_exclusion``, ``blacklist_exclusion`` divided alike.
        Read only by a reputation-aware agent (``RationalParams.reputation``).
        """
        return MappingProxyType(self._reputation_terms)

    @cached_property
    def _reputation_terms(self) -> dict[str, float]:
        """:attr:`reputation_terms`, computed once (a plain dict: the regime stays picklable)."""
        # the signal's slope on each side of the start that has room (a start at a bound
        # leaves one side; the signal is then ±1 at the other bound)
        rooms = (self.score_max - self.score_start, self.score_start - self.score_min)
        slopes = [1.0 / r for r in rooms if r > 0]
        slope = sum(slopes) / len(slopes) if self.public_scores and slopes else 0.0

        def per_point(threshold: float) -> float:
            """1 / (points from the start to ``threshold``), 0 if it cannot be reached."""
            if not self.score_min < threshold <= self.score_max:
                return 0.0
            return 1.0 / max(abs(self.score_start - threshold), 1.0)

        black, red = per_point(self.blacklist_threshold), per_point(self.redlist_threshold)
        return {
            "score_persistence": 1.0 - self.score_decay,
            "signal_slope": slope,
            "status_price": self.blacklist_cost * black + self.redlist_bonus * red,
            "status_exclusion": self.blacklist_exclusion * black,
        }

    @property
    def effective_false_positive(self) -> Any:
        """ε⁺ net of appeals: a corrected false positive is no error to the actor.

        Per community (a tuple of ε⁺), a tuple of one value per community.
        """
        if isinstance(self.false_positive, tuple):
            return tuple(fp * (1.0 - self.appeal) for fp in self.false_positive)
        return self.false_positive * (1.0 - self.appeal)

    def context_for(
        self,
        coverage: Any,
        partner_score: Any,
        *,
        remaining: Any,
        in_group: Any,
        domain: str = "",
        community: Any = None,
    ) -> Context:
        """The context of acts with the given coverages (elementwise: arrays for a population).

        Public scores make a monitored act visible to peers (visibility = coverage) and show
        the partner's score as a signal in [−1, 1]. With rates per community, ``community``
        (each actor's community, an int array) picks each actor's own fine and error rates:
        the regime each citizen faces is the one it expects.
        """
        if self.communities is not None and community is None:
            raise ValueError(
                "SocialCredit rates per community need each actor's community "
                "(only a Society with communities can use them)"
            )
        dtype = getattr(coverage, "dtype", np.float64)
        if self.public_scores:
            signal = self.score_signal(partner_score)
            visibility = coverage
        else:
            signal, visibility = 0.0, 0.0
        return Context(
            domain=domain,
            coverage=coverage,
            reward=self.reward,
            fine=self._per_citizen("fine", community, dtype),
            false_positive=self._per_citizen(
                "false_positive", community, dtype, scale=1.0 - self.appeal
            ),
            false_negative=self._per_citizen("false_negative", community, dtype),
            score_up=self.score_up,
            score_down=self.score_down,
            visibility=visibility,
            partner_signal=signal,
            in_group=in_group,
            remaining=remaining,
            **self._reputation_terms,  # (computed once per regime, not per round)
        )

    # ---------------------------------------------------------------- the period
    def step(
        self,
        cooperated: np.ndarray,
        coverage: Any,
        scores: np.ndarray,
        draws: np.ndarray | np.random.Generator,
        community: np.ndarray | None = None,
    ) -> RegimeStep:
        """Observe, record, pay and score ``n`` acts (vectorized; no loop over agents).

        Parameters
        ----------
        cooperated : array of bool, shape (n,)
            The acts as played (after noise).
        coverage : float or array, shape (n,)
            Each act's domain coverage.
        scores : array, shape (n,)
            Scores at the start of the period.
        draws : array of shape (DRAWS_PER_ACT, n), or numpy.random.Generator
            Uniforms in [0, 1), one per act, or the environment's stream to draw exactly
            those ``n`` from.
        community : array of int, shape (n,), optional
            Each actor's community: needed, and used, only when the fine or error rates are
            given per community (each act is then judged at its actor's community's rates;
            ``coverage`` is already each act's own).

        """
        cooperated = np.asarray(cooperated, dtype=bool)
        scores = np.asarray(scores, dtype=np.result_type(scores, 0.0))
        u = uniforms(draws, cooperated.size)[0]
        if self.communities is not None and community is None:
            raise ValueError(
                "SocialCredit rates per community need each actor's community "
                "(only a Society with communities can use them)"
            )
        # One uniform per act decides, as nested events, whether the act is seen (u < m),
        # misrecorded once seen (u < m ε, so that P(error | seen) = ε) and, a false positive,
        # corrected on appeal (u < m ε⁺ a): the joint law of independent draws for each, from
        # a third of the draws. Scaled once, v = u / m is uniform on [0, 1) given that the act
        # was seen (u / 0 is inf or nan: never seen), and the rest compares v with scalars.
        observed = u < coverage
        with np.errstate(divide="ignore", invalid="ignore"):
            v = u / coverage
        # (scalars, or per community each actor's own rate, gathered in the draws' precision)
        precision = getattr(v, "dtype", np.float64)
        fp = self._per_citizen("false_positive", community, precision)
        false_positive = observed & cooperated & (v < fp)
        false_negative = (
            observed & ~cooperated & (v < self._per_citizen("false_negative", community, precision))
        )
        appealed = false_positive & (
            v < self._per_citizen("false_positive", community, precision, scale=self.appeal)
            if self._by_community("false_positive")
            else v < self.false_positive * self.appeal
        )
        recorded_c = (cooperated ^ false_positive ^ false_negative) | appealed
        rewarded = observed & recorded_c
        fined = observed & ~recorded_c
        blacklisted = scores < self.blacklist_threshold
        redlisted = scores >= self.redlist_threshold
        # amounts in the ledger's precision: a bool times a Python float would be float64
        # (a float32 ledger stays float32; its sums are kept in float64 by the caller)
        money = float if scores.dtype == np.float64 else scores.dtype.type
        reward = rewarded * money(self.reward)
        fine = (
            fined * self._per_citizen("fine", community, scores.dtype)
            if self._by_community("fine")
            else fined * money(self.fine)
        )
        blacklist_cost = blacklisted * money(self.blacklist_cost)
        redlist_bonus = redlisted * money(self.redlist_bonus)
        # scores drift back to the start: s + d (s₀ − s), as s (1 − d) + d s₀ (two passes)
        forgiven = scores * (1.0 - self.score_decay) + self.score_decay * self.score_start
        steps = rewarded * money(self.score_up) - fined * money(self.score_down)
        new_scores = bounded(forgiven + steps, self.score_min, self.score_max)
        return RegimeStep(
            observed=observed,
            recorded_c=recorded_c & observed,
            false_positive=false_positive,
            false_negative=false_negative,
            appealed=appealed,
            reward=reward,
            fine=fine,
            blacklisted=blacklisted,
            redlisted=redlisted,
            blacklist_cost=blacklist_cost,
            redlist_bonus=redlist_bonus,
            transfer=reward - fine - blacklist_cost + redlist_bonus,
            score=new_scores,
            enforcement_cost=observed * money(self.enforcement_cost),
        )


Regime = NoRegime | SocialCredit


def regime_observation(
    step: RegimeStep,
    cooperated: np.ndarray,
    partner: np.ndarray,
    coverage: Any,
    salience: Any,
    select: np.ndarray | None = None,
) -> Observation:
    """What each actor learns of a period: its own and its partner's act, and the regime.

    One function for every engine. ``partner[i]`` is the index of i's partner. An unjust
    sanction is a false positive (``corrected`` if an appeal undid it); a fair reward is a
    true C rewarded; impunity is a partner's D, in a watched domain, that went unsanctioned.

    Parameters
    ----------
    step : RegimeStep
        What the regime did this period.
    cooperated : array of bool
        Each actor's act as played.
    partner : array of int
        Index of each actor's partner.
    coverage : float or array
        Coverage of each actor's domain.
    salience : float or array
        Salience ``S`` of each selected actor's context.
    select : array of int or slice, optional
        Only these actors (say, the motive agents among axelrod's strategies); all if None.

    """
    pick = slice(None) if select is None else select
    partner_c = cooperated[partner]
    sanctioned = step.observed & ~step.recorded_c
    return Observation(  # indicators stay boolean: the update math reads them as 0 and 1
        cooperated=cooperated[pick],
        partner_cooperated=partner_c[pick],
        salience=salience,
        unjust_sanction=step.false_positive[pick],
        corrected=step.appealed[pick],
        fair_reward=(cooperated & (step.reward > 0) & ~step.appealed)[pick],
        impunity=(~partner_c & ~sanctioned[partner] & (np.asarray(coverage) > 0))[pick],
    )
