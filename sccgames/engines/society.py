"""The society engine: a whole population under a schedule of regimes, vectorized.

N persistent citizens, a struct of arrays (``docs/model.md`` §5): every round they are matched
(strangers, fixed partners or a network; in pairs, or in groups for public goods), each
interaction falls in a domain with its own coverage, every citizen decides through
:func:`~sccgames.model.decision.p_cooperate` (the one decision rule every engine uses), the regimes
in force observe, pay, fine, score and judge, and every state moves through
:func:`~sccgames.model.decision.update_state`. Nothing loops over citizens in Python.

:meth:`Society.stream` yields one :class:`RoundState` per round, so a notebook can stream,
stop or plot a run; :meth:`Society.run` collects them into :class:`SocietyResults`. The round
itself, as named steps, is in :mod:`sccgames.engines.round`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from sccgames._validation import check_integer, check_nonnegative, check_probability
from sccgames.engines.round import TYPE_COLUMNS, RoundState, _domain_shares, _Run
from sccgames.model.population import Population
from sccgames.rules.games import society_game
from sccgames.rules.institutions import check_schedule_fits, schedule
from sccgames.rules.matching import FixedPartners, RandomMatching, resolve_matching

__all__ = [
    "TYPE_COLUMNS",
    "Imitation",
    "RoundState",
    "Society",
    "SocietyResults",
    "WordOfMouth",
]


@dataclass(frozen=True)
class Imitation:
    """Cultural evolution: citizens copy the profiles of others [BowlesGintis2011]_.

    Each round a share ``rate`` of citizens revise. With probability ``conformity`` a
    reviser looks at three random citizens and adopts the type two of them share (if any):
    conformist transmission. Otherwise it looks at one random citizen and adopts its type
    with probability ``logistic(selection · (π_model − π_self))`` on last round's payoffs:
    payoff-biased transmission (the pairwise comparison rule of [TraulsenShoreshNowak2008]_).
    A reviser takes the model's whole profile and type; its learned state is kept.

    Parameters
    ----------
    rate : float, default 0.05
        Share revising per round, in [0, 1]. Chosen so that profiles change over tens of
        rounds, slower than beliefs and emotions.
    selection : float, default 1.0
        Intensity of payoff bias (>= 0); 0 copies at random. Chosen so that a one-unit
        payoff advantage is copied about 73% of the time.
    conformity : float, default 0.0
        Share of revisions that are conformist, in [0, 1]. Chosen so that transmission is
        payoff-biased unless asked.

    """

    rate: float = 0.05
    selection: float = 1.0
    conformity: float = 0.0

    def __post_init__(self) -> None:
        check_probability("Imitation.rate", self.rate)
        check_nonnegative("Imitation.selection", self.selection)
        check_probability("Imitation.conformity", self.conformity)


@dataclass(frozen=True)
class WordOfMouth:
    """Citizens tell their partners what the regime did to them (``docs/model.md`` §2).

    Each round every citizen tells whoever it meets its story: what it carried from earlier
    rounds, faded by ``forgetting``, plus what just happened to it (``e = +1`` a fair
    reward, ``−1`` an unjust sanction, less the share an appeal undid, ``−1`` for a
    violation it saw go unpunished): ``T = clip((1 − φ_m) s + e, −1, 1)``
    (:func:`~sccgames.model.motives.story_told`). A hearer believes it in proportion to its
    trust in people like the teller (its generalized trust in the teller's community), and
    ``outsider`` times less when the teller is of another community:
    ``h = trust · (1 or γ) · T`` (the mean over a group's other members, in a group game).
    Its legitimacy moves toward the teller's reading
    (:func:`~sccgames.model.motives.word_of_mouth`),
    ``L ← clip(L − ω (λ · max(−h, 0) · L − max(h, 0) · (1 − L)), 0, 1)``, and it retells
    what it heard, less by ``retelling``: its story becomes ``clip(T + ρ h, −1, 1)``.

    Parameters
    ----------
    weight : float, default 0.0
        ω in [0, 1], how far a story heard moves legitimacy. Chosen as 0, no word of mouth:
        the model without it is the default (with ω = 0 nothing is computed); 0.1 makes a
        fully believed story of an unjust sanction cost a tenth of the hearer's legitimacy,
        as one's own costs ``LegitimacyParams.unjust_sanction`` (0.1) at λ = 1.
    negativity : float, default 2.0
        λ >= 0, how much more bad news weighs than good: bad is stronger than good
        [Baumeister2001]_. Chosen as 2, a conservative ratio (the review gives no single
        value), so that bad news moves a hearer twice as far as good news of the same size.
    outsider : float, default 0.5
        γ in [0, 1], the credence given to a teller of another community relative to one
        of one's own. Chosen so that an outsider's story counts half as much.
    retelling : float, default 0.5
        ρ in [0, 1], the share of a story heard that is passed on: each retelling halves
        it (and the hearer's credence shrinks it further). Chosen so that a story fades
        within two or three tellings.
    forgetting : float, default 0.2
        φ_m in [0, 1], the share of one's story forgotten each round. Chosen so that a story
        is told for about five rounds (1 / φ_m).

    """

    weight: float = 0.0
    negativity: float = 2.0
    outsider: float = 0.5
    retelling: float = 0.5
    forgetting: float = 0.2

    def __post_init__(self) -> None:
        check_probability("WordOfMouth.weight", self.weight)
        check_nonnegative("WordOfMouth.negativity", self.negativity)
        check_probability("WordOfMouth.outsider", self.outsider)
        check_probability("WordOfMouth.retelling", self.retelling)
        check_probability("WordOfMouth.forgetting", self.forgetting)

    @property
    def on(self) -> bool:
        """Whether anyone listens (ω > 0)."""
        return self.weight > 0


@dataclass(frozen=True)
class SocietyResults:
    """What a society run produced (tidy DataFrames).

    Attributes
    ----------
    metrics : pandas.DataFrame
        One row per round and domain (and domain ``"all"``): ``round``, ``phase``,
        ``regime``, ``domain`` and :data:`~sccgames.engines.metrics.METRIC_COLUMNS`.
    by_type : pandas.DataFrame
        One row per round and motive type: ``round``, ``phase``, ``type`` and
        :data:`~sccgames.engines.round.TYPE_COLUMNS`.
    agents : pandas.DataFrame
        The final state of every citizen: type, community, every state field, score,
        reputation, belief about peer punishment, total payoff, and the ledger's totals
        (fines paid, rewards received, false positives, ever falsely sanctioned).
    by_community : pandas.DataFrame
        With communities (``Population(communities=k)``, k > 1), one row per round and
        community: ``round``, ``phase``, ``community`` and
        :data:`~sccgames.engines.metrics.COMMUNITY_COLUMNS` (how each community lives and
        reads the regime, and what the regime did to it); empty without communities.

    """

    metrics: pd.DataFrame
    by_type: pd.DataFrame
    agents: pd.DataFrame
    by_community: pd.DataFrame = field(default_factory=pd.DataFrame)


class Society:
    """A population living through rounds of a game under a schedule of regimes.

    Parameters
    ----------
    population : Population or int
        Who lives here (an int: that many citizens of the default ``Citizen`` profile).
    rounds : int
        Number of rounds (>= 1).
    regime : regime, Combined or Schedule, optional
        ``NoRegime()``, ``SocialCredit(...)``, ``CommunityReputation(...)``,
        ``PeerPunishment(...)``, a ``Combined(...)`` of them, or a ``Schedule({round:
        regime})``. Default: no regime throughout.
    game : str or game, default "pd"
        ``"pd"``, ``"stag_hunt"``, ``"snowdrift"``, ``"harmony"``, ``"lost_wallet"``,
        ``"two_wallets"``, ``"trust"``, ``"public_goods"``, an ``axelrod.Game``,
        ``LostWallet(...)`` (in each pair the citizen of higher index is the owner, who has
        no move: owners are counted as sitting out of the cooperation figures),
        ``TrustGame(...)`` or ``PublicGoods(...)``.
    domains : mapping, optional
        Domain name to its share of interactions (shares sum to 1); a social credit regime
        must give each a coverage. Default: one domain, ``"default"``.
    matching : str or matching, default "random"
        ``"random"`` (strangers each round), ``"fixed"`` (partners or groups kept,
        rematched with a probability), or ``RandomMatching``/``FixedPartners``/
        ``NetworkMatching`` objects. The future citizens weigh is the one the matching gives
        (``FixedPartners(rematch=0, known_end=True)``: the rounds known to remain, as in a
        Match of known length).
    seed : int, optional
        The one seed every random stream is spawned from.
    imitation : Imitation, optional
        Cultural evolution of profiles; none by default.
    word_of_mouth : WordOfMouth, optional
        Citizens tell their partners what the regime did to them, and legitimacy moves with
        what is told; none by default (nor with ``weight`` 0).
    dtype : numpy float dtype, default float32
        Precision of the state and profile arrays. float32 halves memory and time; every
        figure the model reports is far coarser than float32's 1e-7 relative precision.

    Examples
    --------
    >>> import sccgames as scc
    >>> results = scc.Society(1000, rounds=20, seed=1).run(progress_bar=False)
    >>> sorted(results.metrics.columns)[:3]
    ['agents', 'blacklisted', 'cooperation']

    """

    def __init__(
        self,
        population: Population | int,
        rounds: int,
        regime: Any = None,
        game: Any = "pd",
        domains: Mapping[str, float] | None = None,
        matching: Any = "random",
        seed: int | None = None,
        imitation: Imitation | None = None,
        dtype: Any = np.float32,
        word_of_mouth: WordOfMouth | None = None,
    ) -> None:
        self.population = population
        self.rounds = rounds
        self.regime = regime
        self.game = game
        self.domains = domains
        self.matching = matching
        self.seed = seed
        self.imitation = imitation
        self.dtype = dtype
        self.word_of_mouth = word_of_mouth
        self._check()

    def _check(self) -> None:
        if not isinstance(self.population, Population | int) or isinstance(self.population, bool):
            raise ValueError(
                f"population must be a sccgames.Population or a size, got {self.population!r}"
            )
        check_integer("rounds", self.rounds, low=1)
        game = society_game(self.game)
        plan = schedule(self.regime)
        matching = resolve_matching(self.matching)
        # limits checked before work starts (sccgames.limits): groups can form
        size = self.population if isinstance(self.population, int) else self.population.size
        if 2 <= size < game.group_size:  # (a size below 2 is Population's to report)
            raise ValueError(
                f"game.group_size ({game.group_size}) must be at most the society's size ({size})"
            )
        check_schedule_fits(plan, self.rounds, unit="round")
        names, _ = _domain_shares(self.domains)
        communities = 1 if isinstance(self.population, int) else self.population.communities
        for start in plan.starts:
            credit = plan.regime_at(start).credit
            if credit is not None:
                credit.check_communities(communities)
                credit.check_domains(names)
        if game.group_size > 2 and not isinstance(matching, RandomMatching | FixedPartners):
            raise ValueError(f"{type(game).__name__} is played in groups; {matching!r} only pairs")
        if np.dtype(self.dtype) not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise ValueError(f"dtype must be float32 or float64, got {self.dtype!r}")
        if self.imitation is not None and not isinstance(self.imitation, Imitation):
            raise ValueError(f"imitation must be an Imitation(...), got {self.imitation!r}")
        if self.word_of_mouth is not None and not isinstance(self.word_of_mouth, WordOfMouth):
            raise ValueError(
                f"word_of_mouth must be a WordOfMouth(...), got {self.word_of_mouth!r}"
            )
        if self.seed is not None:
            check_integer("seed", self.seed)

    # ------------------------------------------------------------------ running
    def run(self, progress_bar: bool = True) -> SocietyResults:
        """Play every round and collect the results."""
        metrics, by_type, by_community = [], [], []
        rounds = self.stream()
        for state in tqdm(rounds, total=self.rounds, disable=not progress_bar, desc="Society"):
            metrics.append(state.figures)
            by_type.append(state.type_figures)
            if state.community_figures:
                by_community.append(state.community_figures)
        return SocietyResults(
            metrics=_frame(metrics),
            by_type=_frame(by_type),
            agents=rounds.final_agents(),
            by_community=_frame(by_community, "agents") if by_community else pd.DataFrame(),
        )

    def stream(self) -> _Run:
        """A fresh run of this society, iterable round by round."""
        return _Run(self)

    def __iter__(self) -> Iterator[RoundState]:
        return iter(_Run(self))


def _frame(rows: list[dict[str, Any]], sized_by: str = "cooperation") -> pd.DataFrame:
    """One DataFrame from per-round column dicts (scalars repeat over a round's rows)."""
    lengths = [len(r[sized_by]) for r in rows]
    columns = {}
    for name in rows[0]:
        parts = [np.broadcast_to(r[name], (k,)) for r, k in zip(rows, lengths, strict=True)]
        columns[name] = np.concatenate(parts)
    return pd.DataFrame(columns)
