"""Bottom-up sanctions, combined regimes and schedules of regimes over time (``docs/model.md`` §3).

:class:`PeerPunishment` lets citizens fine one another at a cost after the stage game;
:class:`Combined` runs a top-down and bottom-up regime together; :class:`Schedule` maps the
round each phase starts to the regime in force (baseline, introduced, removed).
:meth:`Combined.context_for` is where the parts' contexts meet, for every engine, and
:class:`PairInstitutions` runs a schedule over players met in pairs for both the per-turn
:class:`~sccgames.Match` and the tournaments' batch kernel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np
from scipy.special import expit

from sccgames._validation import check_integer, check_nonnegative, check_probability
from sccgames.model import motives
from sccgames.model.decision import Context
from sccgames.rules.community import CommunityReputation
from sccgames.rules.regimes import NoRegime, RegimeStep, SocialCredit


@dataclass(frozen=True)
class PeerPunishment:
    """Costly peer punishment after the stage game [FehrGachter2000]_.

    Every member of an interaction group may punish each group-mate who defected: it pays
    ``cost`` to take ``fine`` from them. Whether it does is itself a motivated choice: the
    urge to punish is ``U = w_M n c(ē) + w_E A − w_R cost`` (the norm, as far as others keep
    it, and the anger of the exploited, against the material cost), punished with
    probability ``logistic(β U)``; a purely rational agent never pays to punish. Each member
    expects a defector to be punished by each group-mate with probability q̂, learned from
    the punishments it sees (an exponentially weighted average at the agent's compliance
    learning rate, from ``prior``); the expected fine ``q̂ (k − 1) fine`` enters its ``ΔX``
    as :attr:`~sccgames.Context.peer_sanction`.

    Parameters
    ----------
    cost : float, default 0.5
        What one punishment costs the punisher (>= 0).
    fine : float, default 1.5
        What it takes from the punished (>= 0). The 1 : 3 ratio of cost to fine is the one
        most studies since Fehr and Gächter use [FehrGachter2000]_; the level is chosen so
        that one punishment takes back a free rider's private gain in the default public
        goods game (1.5).
    prior : float, default 0.2
        q̂ before any punishment is seen, in [0, 1]. Chosen so that the mere possibility of
        punishment raises first-round contributions a little above those without it, as in
        Fehr and Gächter's experiment [FehrGachter2000]_, leaving the rest to be learned.

    """

    cost: float = 0.5
    fine: float = 1.5
    prior: float = 0.2

    def __post_init__(self) -> None:
        check_nonnegative("PeerPunishment.cost", self.cost)
        check_nonnegative("PeerPunishment.fine", self.fine)
        check_probability("PeerPunishment.prior", self.prior)

    def urge(self, profile: Any, norm: Any, condition: Any, anger: Any) -> Any:
        """``U = w_M n c(ē) + w_E A − w_R cost`` (elementwise)."""
        w = profile.weights
        return w.moral * norm * condition + w.emotion * anger - w.rational * self.cost

    def punish(
        self, probability: np.ndarray, defected: np.ndarray, draws: np.ndarray
    ) -> np.ndarray:
        """Who punishes whom in each group: ``out[g, i, j]`` (i ≠ j, j defected).

        ``probability`` and ``defected`` have shape (groups, k); ``draws`` (groups, k, k).
        """
        k = defected.shape[1]
        others = ~np.eye(k, dtype=bool)
        return (draws < probability[:, :, None]) & defected[:, None, :] & others

    def probability(self, beta: Any, urge: Any) -> Any:
        """``logistic(β U)``."""
        return expit(beta * urge)

    def probability_for(self, profile: Any, state: Any) -> Any:
        """Each member's probability of punishing a defector, from its profile and state.

        ``logistic(β U)`` with the urge :meth:`urge` read from the member's norm, its
        conditionality on the perceived compliance ē, and its anger (elementwise: one agent
        or a population).
        """
        m = profile.moral
        condition = motives.conditionality(state.compliance, m.conditionality, m.threshold, m.width)
        return self.probability(
            profile.beta, self.urge(profile, state.norm, condition, state.anger)
        )

    def expected_fine(self, belief: Any, group_size: int = 2) -> Any:
        """The fine a D is expected to draw from peers: ``q̂ (k − 1) fine`` (elementwise)."""
        return belief * ((group_size - 1) * self.fine)

    def in_pairs(
        self, probability: np.ndarray, defected: np.ndarray, partner: np.ndarray, draws: np.ndarray
    ) -> np.ndarray:
        """Who punishes its partner's defection in pairs: ``out[i]`` if i punished ``partner[i]``.

        ``probability``, ``defected``, ``partner`` and ``draws`` (uniforms) have one entry per
        player.
        """
        return (draws < probability) & defected[partner]

    def learn(self, belief: Any, rate: Any, seen: Any, chances: Any) -> Any:
        """q̂ after a period: a step toward the share of chances to punish that were taken.

        ``seen`` punishments of defectors out of ``chances`` (elementwise); without a chance,
        q̂ stays as it was. The step is the agent's compliance learning rate.
        """
        target = np.where(chances > 0, seen / np.maximum(chances, 1), belief)
        return motives.ewma(belief, rate, target)


@dataclass(frozen=True, init=False)
class Combined:
    """Top-down and bottom-up regimes in force together (at most one of each kind).

    Examples
    --------
    >>> from sccgames import SocialCredit, CommunityReputation, Combined
    >>> Combined(SocialCredit(), CommunityReputation()).credit.fine
    3.0

    """

    parts: tuple[Any, ...]

    def __init__(self, *parts: Any) -> None:
        object.__setattr__(self, "parts", tuple(parts))
        self.__post_init__()

    def __post_init__(self) -> None:
        kinds = [type(p) for p in self.parts if not isinstance(p, NoRegime)]
        for part in self.parts:
            if not isinstance(part, NoRegime | SocialCredit | CommunityReputation | PeerPunishment):
                raise ValueError(
                    "Combined takes NoRegime, SocialCredit, CommunityReputation and "
                    f"PeerPunishment, got {part!r}"
                )
        if len(set(kinds)) != len(kinds):
            raise ValueError(f"Combined takes at most one regime of each kind, got {self.parts}")

    def _get(self, kind: type) -> Any:
        return next((p for p in self.parts if isinstance(p, kind)), None)

    @cached_property
    def credit(self) -> SocialCredit | None:
        """The social credit part, if any."""
        return self._get(SocialCredit)

    @cached_property
    def community(self) -> CommunityReputation | None:
        """The community reputation part, if any."""
        return self._get(CommunityReputation)

    @cached_property
    def peers(self) -> PeerPunishment | None:
        """The peer punishment part, if any."""
        return self._get(PeerPunishment)

    @property
    def name(self) -> str:
        """A short label: the kinds in force, joined by ``+``."""
        names = [type(p).__name__ for p in self.parts if not isinstance(p, NoRegime)]
        return "+".join(names) or "NoRegime"

    def context_for(
        self,
        coverage: Any,
        partner_score: Any,
        *,
        partner_good: Any = True,
        peer_belief: Any = 0.0,
        group_size: int = 2,
        remaining: Any,
        in_group: Any,
        domain: str = "",
        community_of: Any = None,
    ) -> Context:
        """The context of acts under every part in force (elementwise: arrays for a population).

        The one place where the parts meet, for every engine. The top-down part (social
        credit, or none) gives coverage, incentives and the partner's score signal
        (:meth:`SocialCredit.context_for`); the community (:meth:`CommunityReputation.
        context_for`) adds peers' eyes, the visibility being the larger of the two, and the
        partner's reputation, averaged with a public score's signal or alone; peer punishment
        adds the fine a D is expected to draw (:meth:`PeerPunishment.expected_fine`).

        Parameters
        ----------
        coverage, partner_score
            Each act's coverage and its partner's credit score (NaN: none).
        partner_good : bool, float or array, default True
            The partner's good reputation, or the share of good reputations among a group's
            other members (its mean signal is then ``2 share − 1``).
        peer_belief : float or array, default 0
            q̂, the belief that a defector is punished by each group-mate.
        group_size : int, default 2
            k, members per interaction group: an act affects ``k − 1`` others
            (:attr:`~sccgames.Context.others`).
        remaining, in_group, domain
            As in :meth:`SocialCredit.context_for`.
        community_of : array of int, optional
            Each actor's community (its ``community`` in :meth:`SocialCredit.context_for`),
            needed only by a social credit part with rates per community.

        """
        credit, community, peers = self.credit, self.community, self.peers
        if credit is None and community is not None:
            context = community.context_for(
                coverage, partner_good, remaining=remaining, in_group=in_group, domain=domain
            )
        else:
            if credit is not None:
                context = credit.context_for(
                    coverage,
                    partner_score,
                    remaining=remaining,
                    in_group=in_group,
                    domain=domain,
                    community=community_of,
                )
            else:
                context = NoRegime().context_for(
                    coverage, partner_score, remaining=remaining, in_group=in_group, domain=domain
                )
            if community is not None:
                seen = community.context_for(
                    coverage, partner_good, remaining=remaining, in_group=in_group, domain=domain
                )
                signal, stake = seen.partner_signal, seen.standing_stake
                slope = context.signal_slope
                if credit is not None and credit.public_scores:
                    # partners see the mean of the two signals: each moves it half as far
                    signal = (context.partner_signal + signal) * 0.5
                    stake, slope = stake * 0.5, slope * 0.5
                context = replace(
                    context,
                    visibility=_larger(context.visibility, seen.visibility),
                    partner_signal=signal,
                    signal_slope=slope,
                    standing_stake=stake,
                    standing_persistence=seen.standing_persistence,
                )
        if peers is not None:
            context = replace(context, peer_sanction=peers.expected_fine(peer_belief, group_size))
        if group_size != 2:  # each of the others is harmed by a contribution withheld
            context = replace(context, others=float(group_size - 1))
        return context


def _larger(a: Any, b: Any) -> Any:
    """The elementwise maximum; a Python float for two Python numbers."""
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(max(a, b))
    return np.maximum(a, b)


def combined(regime: Any) -> Combined:
    """Any regime as a :class:`Combined` (``None`` is no regime)."""
    if regime is None:
        return Combined(NoRegime())
    if isinstance(regime, Combined):
        return regime
    return Combined(regime)


@dataclass(frozen=True)
class Schedule:
    """Regimes by phase: ``{first round: regime}`` (``docs/model.md`` §3).

    ``Schedule({0: NoRegime(), 20: SocialCredit(), 60: NoRegime()})`` is a baseline, a
    social credit system introduced in round 20, and its removal in round 60. The first
    phase must start at round 0. A regime may be any single regime or a :class:`Combined`.
    """

    phases: Mapping[int, Any]

    def __post_init__(self) -> None:
        if not isinstance(self.phases, Mapping) or not self.phases:
            raise ValueError(
                f"Schedule needs a mapping of first round to regime, got {self.phases!r}"
            )
        for start, regime in self.phases.items():
            check_integer("Schedule round", start)
            combined(regime)  # raises for anything that is not a regime
        if 0 not in self.phases:
            raise ValueError(
                f"Schedule must say what holds from round 0; phases start at {sorted(self.phases)}"
            )
        object.__setattr__(self, "phases", dict(sorted(self.phases.items())))

    @property
    def starts(self) -> list[int]:
        """First round of each phase, in order."""
        return list(self.phases)

    def phase_at(self, round_: int) -> int:
        """Index of the phase in force in ``round_`` (>= 0)."""
        check_integer("round", round_)
        return int(np.searchsorted(self.starts, round_, side="right") - 1)

    def regime_at(self, round_: int) -> Combined:
        """The regime in force in ``round_``, as a :class:`Combined`."""
        return combined(list(self.phases.values())[self.phase_at(round_)])


def schedule(regime: Any) -> Schedule:
    """Any regime (or ``None``) as a one-phase :class:`Schedule`; a schedule as it is."""
    if isinstance(regime, Schedule):
        return regime
    return Schedule({0: NoRegime() if regime is None else regime})


# --------------------------------------------------------------------------- in force
#: What every engine accepts as a regime (or ``None``, no regime).
REGIME_TYPES = (NoRegime, SocialCredit, CommunityReputation, PeerPunishment, Combined, Schedule)


def check_regime(regime: Any, where: str = "regime") -> Schedule:
    """Any regime (``None`` is no regime) as a :class:`Schedule`; one clear error otherwise."""
    if regime is not None and not isinstance(regime, REGIME_TYPES):
        raise ValueError(
            f"{where} must be NoRegime(), SocialCredit(...), CommunityReputation(...), "
            "PeerPunishment(...), Combined(...) of them or Schedule({round: regime}), "
            f"got {regime!r}"
        )
    return schedule(regime)


def check_schedule_fits(plan: Schedule, turns: int, unit: str = "turn") -> None:
    """Raise ``ValueError`` if a phase of ``plan`` starts after the last of ``turns``."""
    late = [start for start in plan.starts if start >= turns]
    if late:
        raise ValueError(
            f"the Schedule has a phase starting at {unit} {late[0]}, but there are only "
            f"{turns} {unit}s (0 to {turns - 1}): that phase would never be in force"
        )


def _first(regimes: Sequence[Combined], kind: str) -> Any:
    return next((getattr(r, kind) for r in regimes if getattr(r, kind) is not None), None)


class PairInstitutions:
    """The institutions in force over players met in pairs, turn by turn.

    What :class:`~sccgames.Match` and the batch kernel (:mod:`sccgames.engines.batch`) share, so the
    regimes work the same in both: the schedule's phase each turn, each domain's coverage,
    the context (:meth:`Combined.context_for`), and what the institutions remember: credit
    scores, reputations in the community, and each player's belief q̂ that a defector is
    punished. A turn is :meth:`enforce` (the top-down regime records, pays and scores),
    then, once the players have learned, :meth:`punish` (peers fine defectors) and
    :meth:`judge` (the community updates reputations), in the order of the society engine.

    Scores, reputations and beliefs persist across phases; the first social credit,
    community and peer punishment part in the schedule sets where they start.

    Parameters
    ----------
    regime : regime, Combined or Schedule, optional
        As every engine accepts it.
    partner : array of int
        Each player's partner (an involution: ``partner[partner] == arange(n)``).
    domains : sequence of str
        The domain names, in the order of the domain indices the engine draws.
    draws : numpy.random.Generator or array of shape (n,), optional
        Uniforms (or the stream to draw them from) for the initial reputations; needed only
        when a part of the schedule is a community.

    """

    def __init__(
        self,
        regime: Any,
        partner: np.ndarray,
        domains: Sequence[str],
        draws: np.random.Generator | np.ndarray | None = None,
    ) -> None:
        self.plan = check_regime(regime)
        self.regimes = [self.plan.regime_at(start) for start in self.plan.starts]
        for r in self.regimes:
            if r.credit is not None:
                r.credit.check_communities(None, "a Match or a tournament")
        self.partner = partner = np.asarray(partner)
        n = partner.size
        self.coverages = [
            np.array([(r.credit or NoRegime()).coverage_for(d) for d in domains], dtype=float)
            for r in self.regimes
        ]
        credit = _first(self.regimes, "credit")
        community = _first(self.regimes, "community")
        peers = _first(self.regimes, "peers")
        self.scores = credit.initial_scores(n) if credit is not None else np.full(n, np.nan)
        self.community = community is not None
        self.peers = peers is not None
        self.good = (
            community.initial_reputation(n, draws) if community is not None else np.ones(n, bool)
        )
        self.belief = np.full(n, peers.prior if peers is not None else 0.0)

    @staticmethod
    def check_domains(regime: Any, domains: Sequence[str]) -> None:
        """Raise ``ValueError`` unless every social credit part covers every domain.

        Players met in pairs belong to no community: a social credit part with rates per
        community is refused.
        """
        plan = check_regime(regime)
        for start in plan.starts:
            credit = plan.regime_at(start).credit
            if credit is not None:
                credit.check_communities(None, "a Match or a tournament")
                credit.check_domains(list(domains))

    def phase(self, t: int) -> int:
        """Index of the phase in force in turn ``t``."""
        return self.plan.phase_at(t) if len(self.regimes) > 1 else 0

    def regime_at(self, t: int) -> Combined:
        """The regime in force in turn ``t``."""
        return self.regimes[self.phase(t)]

    def coverage(self, t: int, domain: Any) -> Any:
        """Coverage of each act in turn ``t`` from its domain index (a float for one)."""
        coverage = self.coverages[self.phase(t)][domain]
        return float(coverage) if np.ndim(coverage) == 0 else coverage

    def context(
        self,
        t: int,
        coverage: Any,
        players: Any,
        *,
        remaining: Any,
        in_group: Any,
        domain: str = "",
    ) -> Context:
        """What ``players`` (an index, an index array or a slice) know before they move.

        For one player (an integer index) the context holds Python floats.
        """
        partner = self.partner[players]
        score, good, belief = self.scores[partner], self.good[partner], self.belief[players]
        if np.ndim(score) == 0:
            score, good, belief = float(score), bool(good), float(belief)
        return self.regime_at(t).context_for(
            coverage,
            score,
            partner_good=good,
            peer_belief=belief,
            remaining=remaining,
            in_group=in_group,
            domain=domain,
        )

    def enforce(
        self,
        t: int,
        cooperated: np.ndarray,
        coverage: Any,
        draws: np.ndarray | np.random.Generator,
    ) -> RegimeStep:
        """The top-down regime's step on every player's act (no regime: nothing happens)."""
        credit = self.regime_at(t).credit
        top = credit if credit is not None else NoRegime()
        step = top.step(cooperated, coverage, self.scores, draws)
        self.scores = step.score
        return step

    def punish(
        self,
        t: int,
        cooperated: np.ndarray,
        probability: np.ndarray,
        learning_rate: Any,
        draws: np.ndarray | np.random.Generator,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Peers punish defecting partners; each player learns q̂ from its own defections.

        ``probability`` is each player's probability of punishing (0 for one that never
        does, such as an axelrod strategy); ``draws`` one uniform per player (drawn only
        when peer punishment is in force in turn ``t``). Returns the cost each paid and the
        fine each received (zeros when no peer punishment is in force).
        """
        n = self.partner.size
        peers = self.regime_at(t).peers
        if peers is None:
            return np.zeros(n), np.zeros(n)
        if isinstance(draws, np.random.Generator):
            draws = draws.random(n)
        defected = ~np.asarray(cooperated, dtype=bool)
        punishes = peers.in_pairs(probability, defected, self.partner, draws)
        received = punishes[self.partner]
        # in a pair one sees only whether one's own defection was punished
        self.belief = peers.learn(self.belief, learning_rate, received, defected)
        return peers.cost * punishes, peers.fine * received

    def judge(
        self,
        t: int,
        cooperated: np.ndarray,
        draws: np.ndarray | np.random.Generator,
        acting: np.ndarray | None = None,
    ) -> None:
        """The community judges each act (when a community is in force in turn ``t``).

        ``draws`` are the ``(2, n)`` uniforms of :meth:`CommunityReputation.update`, drawn
        only then. ``acting`` (default: everyone) marks who made a move: a role without one
        (the lost wallet's owner) did nothing to be judged for, and keeps its reputation.
        """
        community = self.regime_at(t).community
        if community is not None:
            partner = self.partner if acting is None else np.where(acting, self.partner, -1)
            self.good = community.update(self.good, cooperated, partner, draws)

    def reputation(self) -> np.ndarray:
        """Each player's reputation (1.0 good, 0.0 bad); NaN without a community."""
        if not self.community:
            return np.full(self.partner.size, np.nan)
        return self.good.astype(float)
