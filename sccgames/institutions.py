"""Bottom-up sanctions, combined regimes and schedules of regimes over time (``DESIGN.md`` §3).

:class:`PeerPunishment` lets citizens fine one another at a cost after the stage game;
:class:`Combined` runs a top-down and bottom-up regime together; :class:`Schedule` maps the
round each phase starts to the regime in force (baseline, introduced, removed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit

from sccgames._validation import check_integer, check_nonnegative, check_probability
from sccgames.community import CommunityReputation
from sccgames.regimes import NoRegime, SocialCredit


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


Institution = NoRegime | SocialCredit | CommunityReputation | PeerPunishment


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

    @property
    def credit(self) -> SocialCredit | None:
        """The social credit part, if any."""
        return self._get(SocialCredit)

    @property
    def community(self) -> CommunityReputation | None:
        """The community reputation part, if any."""
        return self._get(CommunityReputation)

    @property
    def peers(self) -> PeerPunishment | None:
        """The peer punishment part, if any."""
        return self._get(PeerPunishment)

    @property
    def name(self) -> str:
        """A short label: the kinds in force, joined by ``+``."""
        names = [type(p).__name__ for p in self.parts if not isinstance(p, NoRegime)]
        return "+".join(names) or "NoRegime"


def combined(regime: Any) -> Combined:
    """Any regime as a :class:`Combined` (``None`` is no regime)."""
    if regime is None:
        return Combined(NoRegime())
    if isinstance(regime, Combined):
        return regime
    return Combined(regime)


@dataclass(frozen=True)
class Schedule:
    """Regimes by phase: ``{first round: regime}`` (``DESIGN.md`` §3).

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

    def check_rounds(self, rounds: int) -> None:
        """Raise ``ValueError`` if a phase starts at or after round ``rounds`` (never in force).

        A society of ``rounds`` rounds plays rounds ``0 .. rounds - 1``.
        """
        late = [start for start in self.phases if start >= rounds]
        if late:
            raise ValueError(
                f"Schedule has a phase starting at round {late[0]}, after the last round "
                f"({rounds - 1}) of a society of {rounds} rounds; phases start at "
                f"{self.starts}"
            )

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
