"""One round of a society, as named steps.

``_Run`` is the mutable world behind :meth:`~sccgames.engines.society.Society.stream`: the
citizens' struct of arrays (``docs/model.md`` §5), the regimes' records and the random
streams. Each round (``_Run._play``) is a short sequence of steps, each a method handing the
next what it needs:

1. match: who meets whom (pairs or groups), who meets a stranger, roles, who has a move;
2. decide: each act's domain and coverage, what each citizen knows, its P(C) and its act
   (:func:`~sccgames.model.decision.p_cooperate`), and the stage game's payoffs;
3. enforce: the regime watches, rewards, fines and scores;
4. update: every citizen's state moves on what it saw
   (:func:`~sccgames.model.decision.update_state`);
5. sanction: peers punish (out of the state just updated) and a community keeps reputations;
6. pay: each citizen's payoff and each act's welfare;
7. record: the ledger's totals, the round's figures and its :class:`RoundState`;

then, under :class:`~sccgames.engines.society.Imitation`, citizens copy profiles.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd
from scipy.special import expit
from threadpoolctl import ThreadpoolController

from sccgames._validation import check_probability
from sccgames.engines.metrics import (
    FEW_CELLS,
    GINI_SAMPLE,
    METRIC_COLUMNS,
    cell_sums,
    ginis,
)
from sccgames.model import motives
from sccgames.model.decision import (
    Context,
    Observation,
    State,
    new_partner,
    p_cooperate,
    update_state,
)
from sccgames.model.draws import uniform
from sccgames.model.population import Population, cast_profile
from sccgames.rules.games import society_game
from sccgames.rules.institutions import Combined, PeerPunishment, schedule
from sccgames.rules.matching import FixedPartners, resolve_matching
from sccgames.rules.regimes import DRAWS_PER_ACT, NoRegime, RegimeStep, SocialCredit

if TYPE_CHECKING:
    from sccgames.engines.society import Imitation, Society


#: Columns of :attr:`~sccgames.engines.society.SocietyResults.by_type` after ``round`` and ``type``.
TYPE_COLUMNS = (
    "agents",
    "cooperation",
    "trust",
    "norm",
    "legitimacy",
    "score",
    "blacklisted",
    "payoff",
)


@dataclass(frozen=True)
class RoundState:
    """One round of a society: its figures and a view of its citizens.

    Attributes
    ----------
    round, phase : int
    regime : str
        Name of the regime in force.
    figures, type_figures : dict
        This round's rows of the run's
        :attr:`~sccgames.engines.society.SocietyResults.metrics` and ``.by_type``, as
        columns (the ``metrics`` and ``by_type`` properties make them DataFrames).
    community_figures : dict
        This round's rows of ``.by_community`` (empty without communities).
    p_cooperate : numpy.ndarray
        Each citizen's P(C) this round.
    cooperated : numpy.ndarray of bool
        Each citizen's act (False for those who sat out).
    context : Context
        What each citizen knew when it decided (a Context of arrays).
    state : State
        Each citizen's state when it decided (a field everybody shares, such as what is
        known of a stranger just met, may be one number).
    partner : numpy.ndarray or None
        Each citizen's partner (−1: sat out) in a pairwise game; None for group games.
    role : numpy.ndarray or None
        Each citizen's role in a game with roles (0: trustor, finder; 1: trustee, owner);
        None for a game without roles.
    score : numpy.ndarray or None
        Each citizen's social credit score after this round (NaN in a run with no social
        credit regime in any phase); ``None`` only for a state built by hand.

    """

    round: int
    phase: int
    regime: str
    figures: dict[str, Any]
    type_figures: dict[str, Any]
    p_cooperate: np.ndarray
    cooperated: np.ndarray
    context: Context
    state: State
    partner: np.ndarray | None
    role: np.ndarray | None = None
    community_figures: dict[str, Any] = field(default_factory=dict)
    score: np.ndarray | None = None

    @property
    def metrics(self) -> pd.DataFrame:
        """The round's rows of the run's ``metrics`` (built when asked for)."""
        return pd.DataFrame(self.figures)

    @property
    def by_type(self) -> pd.DataFrame:
        """The round's rows of the run's ``by_type`` (built when asked for)."""
        return pd.DataFrame(self.type_figures)

    @property
    def cooperation(self) -> float:
        """Share of acts that were C this round, over all domains."""
        return float(self.figures["cooperation"][-1])


class _Interactions:
    """Who meets whom this round: pairs (a partner array) or groups (an index array)."""

    def __init__(
        self, me: np.ndarray, partner: np.ndarray | None, groups: np.ndarray | None
    ) -> None:
        # me: the citizens' own indices, 0 … n − 1 (kept by the run, not rebuilt each round)
        self.n = n = me.size
        if partner is not None:
            self.k = 2
            self.active = partner >= 0
            # those who sit out are their own partner (so that gathers stay in range)
            self.partner = partner if self.active.all() else np.where(self.active, partner, me)
            self.leader = np.minimum(me, self.partner)
            self.neighbour = self.partner
        else:
            assert groups is not None
            g, self.k = groups.shape
            gid = np.full(n, g)  # a dummy group for those who sit out
            gid[groups.ravel()] = np.repeat(np.arange(g), self.k)
            self.gid, self.g, self.groups = gid, g, groups
            self.active = gid < g
            first = np.append(groups[:, 0], 0)
            self.leader = np.where(self.active, first[gid], me)
            nxt = np.empty(n, dtype=np.int64)
            nxt[groups.ravel()] = np.roll(groups, -1, axis=1).ravel()
            self.neighbour = np.where(self.active, nxt, me)
        self.everyone = bool(self.active.all())

    def others(self, x: np.ndarray) -> np.ndarray:
        """Mean of ``x`` over each citizen's partners (the partner's value in a pair)."""
        if self.k == 2:
            return np.take(x, self.partner)  # (faster than x[self.partner])
        sums = np.bincount(self.gid, weights=x, minlength=self.g + 1)
        return ((sums[self.gid] - x) / (self.k - 1)).astype(x.dtype, copy=False)

    def share(self, flags: np.ndarray, dtype: Any) -> np.ndarray:
        """Share of each citizen's partners whose ``flags`` hold, in ``dtype``.

        In a pair, the partner's flag gathered as a byte and then converted: a third less
        memory traffic than gathering the converted floats.
        """
        if self.k == 2:
            return np.take(flags, self.partner).astype(dtype)
        return self.others(flags.astype(dtype))


class _Meeting(NamedTuple):
    """What the match hands on: who meets whom, and with which role and state."""

    meet: _Interactions
    state: State  # each citizen's state, a new partner being a stranger
    role: np.ndarray | None  # each citizen's role (None: the game has none)
    acting: np.ndarray  # who moves: those who play, but not a role without a move
    passive: bool  # whether the game has a role without a move


class _Decision(NamedTuple):
    """What the decision hands on: what each citizen knew and did, and what it earned."""

    domain: np.ndarray  # each act's domain
    coverage: np.ndarray  # the regime's coverage of each act (0 for those who do not move)
    in_group: Any  # whether (or how many of) one's partners are of one's community
    context: Context
    state: State  # each citizen's state when it decided
    p: np.ndarray  # each citizen's P(C)
    acts: np.ndarray  # each citizen's act (True = C)
    others_c: np.ndarray  # share of each citizen's partners who played C
    material: np.ndarray  # the stage game's payoff


def _domain_shares(domains: Mapping[str, float] | None) -> tuple[list[str], np.ndarray]:
    if domains is None:
        return ["default"], np.ones(1)
    if not isinstance(domains, Mapping) or not domains:
        raise ValueError(f"domains must map domain names to shares, got {domains!r}")
    names = list(domains)
    for name in names:
        check_probability(f"domains[{name!r}]", domains[name])
    shares = np.array([domains[n] for n in names], float)
    if abs(shares.sum() - 1.0) > 1e-6:
        raise ValueError(f"domain shares must sum to 1, got {shares.sum()!r}")
    return names, shares


def domain_of(cuts: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Each act's domain from a uniform ``u``: the number of ``cuts`` at or below it.

    ``np.searchsorted(cuts, u, "right")``, counted with one comparison per cut when there are
    few: for a society's few domains, about three times faster than a binary search per act,
    and counted in int8 (a quarter of the memory traffic of the figures that read it).
    """
    if cuts.size > 8:
        return np.searchsorted(cuts, u, "right")
    if cuts.size == 1:  # two domains: the comparison's bytes are the domains
        return (u >= cuts[0]).view(np.int8)
    domain = np.zeros(u.shape, np.int8)
    for cut in cuts:
        domain += u >= cut
    return domain


def _full_state(profile: Any, n: int, dtype: Any) -> State:
    start = State(
        habit=profile.habit.initial,
        norm=profile.moral.norm,
        anger=0.0,
        resentment=0.0,
        legitimacy=profile.legitimacy.initial,
        compliance=profile.moral.initial_compliance,
    )
    return State(**{f.name: np.full(n, getattr(start, f.name), dtype) for f in fields(State)})


class _Run:
    """One run of a society: the world behind :meth:`~sccgames.engines.society.Society.stream`."""

    def __init__(self, society: Society) -> None:
        s = society
        self.society = s
        self.dt = np.dtype(s.dtype)
        self.game = society_game(s.game)
        self.plan = schedule(s.regime)
        self.matching = resolve_matching(s.matching)
        self.domain_names, shares = _domain_shares(s.domains)
        # in the draws' precision: comparing float32 draws with float64 cuts would convert
        # every draw (a float32 cut moves a domain's share by at most 2⁻²⁵)
        self.cut = np.cumsum(shares)[:-1].astype(self.dt)
        population = Population(s.population) if isinstance(s.population, int) else s.population
        streams = np.random.SeedSequence(s.seed).spawn(5)
        rng_pop, self.rng_match, self.rng_act, self.rng_regime, self.rng_imitate = (
            np.random.default_rng(x) for x in streams
        )
        citizens = population.build(rng_pop)
        self.n = n = citizens.size
        self.profile = cast_profile(citizens.profile, self.dt)
        self.type_index = citizens.type_index.copy()
        self.type_names = citizens.type_names
        self.community = citizens.community
        self.communities = population.communities
        zeros = np.zeros(n, self.dt)
        # with communities, generalized trust in insiders and in outsiders: discounted counts
        # (C seen, strangers seen) of the first moves of the strangers met in each
        self.insiders = self.outsiders = (zeros, zeros)
        self.state = _full_state(self.profile, n, self.dt)
        # each phase's regime, and the coverage of each domain under it (looked up per round)
        self.regimes = regimes = [self.plan.regime_at(start) for start in self.plan.starts]
        self.coverages = [self._coverage_table(r.credit) for r in regimes]
        # each citizen's row of a coverage table given per community: community × domains
        self.coverage_row = self.community.astype(np.int64) * len(self.domain_names)
        credit = next((r.credit for r in regimes if r.credit is not None), None)
        community = next((r.community for r in regimes if r.community is not None), None)
        peers = next((r.peers for r in regimes if r.peers is not None), None)
        self.scores = (
            credit.initial_scores(n).astype(self.dt) if credit else np.full(n, np.nan, self.dt)
        )
        self.good = (
            community.initial_reputation(n, self.rng_regime)
            if community
            else np.ones(n, dtype=bool)
        )
        self.q_hat = np.full(n, peers.prior if peers else 0.5, self.dt)
        self.partner: np.ndarray | None = None
        self.groups: np.ndarray | None = None
        self.last_in_group: Any = 0.0  # whether each one's last partner was an insider
        # who meets a new partner this round: True (everybody) or a boolean array
        self.fresh: Any = True
        self.role_key: np.ndarray | None = None  # draws that give each pair its roles
        self.ever_false_positive = np.zeros(n, dtype=bool)
        # word of mouth: what each citizen has to tell (None: nobody listens, nothing kept)
        mouth = s.word_of_mouth
        self.mouth = mouth if mouth is not None and mouth.on else None
        self.story = np.zeros(n, self.dt) if self.mouth is not None else None
        # the ledger's totals per citizen: what the regime took, paid and got wrong
        self.fines_paid = np.zeros(n)
        self.rewards_received = np.zeros(n)
        self.false_positives = np.zeros(n, dtype=np.int64)
        self.total_payoff = np.zeros(n)
        self.cell_matrix: np.ndarray | None = None  # the figures' 0/1 matrix, reused
        self.last_per: dict[str, Any] = {}  # this round's figures per citizen
        # sums over the communities (built at the first round that needs them)
        self.community_sum: Any = None
        self.me = np.arange(n)
        self.blas = ThreadpoolController()
        self.round = 0

    def __iter__(self) -> Iterator[RoundState]:
        while self.round < self.society.rounds:
            yield self.step()

    def _coverage_table(self, credit: SocialCredit | None) -> np.ndarray:
        """Each domain's coverage under ``credit``; per community, communities × domains, flat."""
        names = self.domain_names
        if credit is None or not isinstance(credit.coverage, tuple):
            return np.array([(credit or NoRegime()).coverage_for(d) for d in names], self.dt)
        return np.array(
            [credit.coverage_for(d, c) for c in range(self.communities) for d in names], self.dt
        )

    def _communities_of(self, credit: SocialCredit | None) -> np.ndarray | None:
        """Each citizen's community if ``credit`` has rates per community (else None)."""
        return self.community if credit is not None and credit.communities is not None else None

    # ------------------------------------------------------------------ one round
    def _meet(self, credit: SocialCredit | None) -> _Interactions:
        n, k = self.n, self.game.group_size
        if k > 2:
            if isinstance(self.matching, FixedPartners):
                groups, kept = self.matching.regroup(self.rng_match, self.community, k, self.groups)
                stays = np.zeros(n, dtype=bool)
                stays[groups[kept].ravel()] = True
                self.fresh = True if not stays.any() else ~stays
            else:
                groups = self.matching.groups(self.rng_match, self.community, k)
            self.groups = groups
            return _Interactions(self.me, None, groups)
        previous = self.partner
        partner = self.matching.pairs(self.rng_match, self.community, previous)
        if credit is not None and credit.blacklist_exclusion > 0:
            # a blacklisted citizen is shut out of a share of its interactions (and its
            # partner with it): the pair does not meet this round
            shut = (self.scores < credit.blacklist_threshold) & (
                self.rng_regime.random(n) < credit.blacklist_exclusion
            )
            matched = partner >= 0
            shut[matched] |= shut[partner[matched]]
            partner = np.where(shut, -1, partner)
        if isinstance(self.matching, FixedPartners) and previous is not None:
            fresh = partner != previous  # what was known of the old partner is dropped
            self.fresh = True if fresh.all() else fresh
        self.partner = partner
        return _Interactions(self.me, partner, None)

    def step(self, force: np.ndarray | None = None) -> RoundState:
        """Play one round and return what it produced.

        On one thread: the round's few BLAS calls (sums over a handful of cells) gain nothing
        from more, and would only take other cores from a sweep's other runs.

        Parameters
        ----------
        force : numpy.ndarray of bool, optional
            Acts to play instead of those drawn (True = C), one per citizen: replays a
            given history. Every P(C) is computed as usual, and the draws are made all the
            same, so the rest of the run's randomness does not change.

        """
        if force is not None:
            force = np.asarray(force)
            if force.shape != (self.n,) or force.dtype != bool:
                raise ValueError(f"force must be {self.n} booleans, one per citizen")
        with self.blas.limit(limits=1, user_api="blas"):
            return self._play(force)

    def _play(self, force: np.ndarray | None = None) -> RoundState:
        """One round: match, decide, enforce, update, sanction, pay, record (and imitate)."""
        phase = self.plan.phase_at(self.round)
        regime = self.regimes[phase]
        met = self._match(regime.credit)
        decision = self._decide(phase, regime, met, force)
        step = self._enforce(regime.credit, decision)
        self._update(regime.credit, met, decision, step)
        punished = self._sanction(regime, met, decision.acts)
        payoff, welfare = self._pay(met, decision, step, punished)
        played = self._record(phase, regime, met, decision, step, payoff, welfare)
        if self.society.imitation is not None:
            self._imitate(self.society.imitation, payoff)
        self.round += 1
        return played

    def _match(self, credit: SocialCredit | None) -> _Meeting:
        """Who meets whom, who meets a stranger, and who has which role and a move."""
        meet = self._meet(credit)
        # a new partner is a stranger: the last one becomes a memory of strangers
        if self.communities > 1:
            self._remember_communities(self.state, self.fresh)
        state = new_partner(self.profile, self.state, self.fresh)
        # roles (trust game, lost wallet): a role without a move (the owner) acts as C, unseen
        game = self.game
        role = self._roles(meet.partner) if game.has_roles else None
        passive = not all(game.movers)
        acting = meet.active & (role == 0) if passive else meet.active
        return _Meeting(meet, state, role, acting, passive)

    def _context(self, phase: int, regime: Combined, met: _Meeting) -> tuple[Any, ...]:
        """Each act's domain and coverage, and what each citizen knows when it decides."""
        meet, dt = met.meet, self.dt
        # (the leader's domain gathered as a byte, not its draw as a float)
        domain = np.take(domain_of(self.cut, uniform(self.rng_act, self.n, dt)), meet.leader)
        table = self.coverages[phase]
        if table.size == len(self.domain_names):
            coverage = np.take(table, domain)
        else:  # coverage per community: each citizen's own community's row
            coverage = np.take(table, self.coverage_row + domain)
        if not meet.everyone or met.passive:
            coverage = coverage * met.acting
        if self.communities == 1:
            in_group = 0.0  # no communities: strangers are no one's in-group, as in the lab
        elif meet.k == 2:
            in_group = (self.community == np.take(self.community, meet.partner)).astype(dt)
        else:
            in_group = self._in_group_share(meet)
        # every part's context, combined as in every engine (Combined.context_for); a
        # group's other members show their mean reputation
        context = regime.context_for(
            coverage,
            meet.others(self.scores),
            partner_good=meet.share(self.good, dt) if regime.community is not None else True,
            peer_belief=self.q_hat,
            group_size=meet.k,
            remaining=self.matching.future(self.society.rounds - self.round - 1),
            in_group=in_group,
            community_of=self._communities_of(regime.credit),
        )
        if getattr(self.matching, "known_end", False):  # an announced number of rounds
            context = replace(context, known_end=1.0)
        return domain, coverage, in_group, context

    def _decide(
        self, phase: int, regime: Combined, met: _Meeting, force: np.ndarray | None
    ) -> _Decision:
        """Every citizen's P(C) and act, and the stage game's material payoffs."""
        domain, coverage, in_group, context = self._context(phase, regime, met)
        meet, state, dt = met.meet, met.state, self.dt
        if self.communities > 1:
            # generalized trust in insiders and in outsiders is kept apart: bonding and
            # bridging trust
            state = replace(
                state,
                stranger_c=in_group * self.insiders[0] + (1 - in_group) * self.outsiders[0],
                stranger_moves=in_group * self.insiders[1] + (1 - in_group) * self.outsiders[1],
            )
        p = p_cooperate(self.profile, state, context, self.game.motive_payoffs(met.role))
        acts = uniform(self.rng_act, self.n, dt) < p
        if force is not None:
            acts = force.copy()
        if met.passive:
            p = np.where(met.acting, p, np.nan).astype(dt, copy=False)
            acts |= meet.active & ~met.acting
        if not meet.everyone:
            acts &= meet.active
        others_c = meet.share(acts, dt)
        material = self.game.material(acts, others_c, met.role, dt)
        return _Decision(domain, coverage, in_group, context, state, p, acts, others_c, material)

    def _enforce(self, credit: SocialCredit | None, decision: _Decision) -> RegimeStep:
        """The regime watches, rewards, fines and scores (a :class:`RegimeStep`)."""
        top = credit if credit is not None else NoRegime()
        draws = uniform(self.rng_regime, (DRAWS_PER_ACT, self.n), self.dt)
        step = top.step(
            decision.acts, decision.coverage, self.scores, draws, self._communities_of(credit)
        )
        self.scores = step.score
        return step

    def _update(
        self, credit: SocialCredit | None, met: _Meeting, decision: _Decision, step: RegimeStep
    ) -> None:
        """Every citizen's state moves on what it saw (those who sat out keep theirs)."""
        meet, acts, dt = met.meet, decision.acts, self.dt
        sanctioned = step.observed & ~step.recorded_c
        appeals = credit is not None and credit.appeal > 0
        fair_reward = acts & (step.reward > 0)
        if appeals:
            fair_reward &= ~step.appealed
        # a partner's D in a watched domain that went unsanctioned (a pair shares its domain)
        impunity = meet.share(~(acts | sanctioned) & (decision.coverage > 0), dt)
        seen = Observation(
            cooperated=acts.astype(dt),
            partner_cooperated=decision.others_c,
            salience=decision.context.salience,
            unjust_sanction=step.false_positive.astype(dt),
            # (without appeals nothing is corrected: one number, not an array of zeros)
            corrected=step.appealed.astype(dt) if appeals else 0.0,
            fair_reward=fair_reward.astype(dt),
            impunity=impunity,
            # only a partner kept from last round answers my last move (docs/model.md §2: ρ̂ is
            # this partner's responsiveness); strangers and neighbours met once teach none
            reply=1.0 if isinstance(self.matching, FixedPartners) else 0.0,
        )
        if met.passive:
            seen = replace(
                seen, moved=met.acting.astype(dt), partner_moved=meet.share(met.acting, dt)
            )
        new = update_state(self.profile, met.state, seen)
        if self.mouth is not None:
            new = self._tell(met, decision, seen, new)
        self.last_in_group = decision.in_group
        self.state = new if meet.everyone else self._keep(new, met.state, meet.active)

    def _tell(self, met: _Meeting, decision: _Decision, seen: Observation, new: State) -> State:
        """Word of mouth: partners tell each other their stories and believe them in part.

        Each hearer's legitimacy moves with what it believes, after its own experience has
        moved it (:class:`~sccgames.engines.society.WordOfMouth`).
        """
        mouth, meet, dt = self.mouth, met.meet, self.dt
        assert mouth is not None and self.story is not None
        unjust = motives.unjust_weight(
            seen.unjust_sanction, seen.corrected, self.profile.legitimacy.appeal_restore
        )
        own = seen.fair_reward - unjust - seen.impunity
        told = motives.story_told(self.story, own, mouth.forgetting)
        spoken = told if meet.everyone else told * meet.active  # who sat out tells nothing
        # credence: trust in people like the teller, less for a teller of another community
        r, state = self.profile.rational, decision.state
        trust = motives.beta_mean(r.trust, r.prior_strength, state.stranger_c, state.stranger_moves)
        if self.communities == 1:
            credence = trust
        else:  # an insider counts fully, an outsider γ (in a group, the mix of its members)
            inside = decision.in_group
            credence = trust * (inside + mouth.outsider * (1.0 - inside))
        heard = (credence * meet.others(spoken)).astype(dt, copy=False)
        if not meet.everyone:
            heard = heard * meet.active
        legitimacy = motives.word_of_mouth(
            new.legitimacy, heard, weight=mouth.weight, negativity=mouth.negativity
        )
        story = motives.bounded(told + mouth.retelling * heard, -1.0, 1.0).astype(dt, copy=False)
        # who sat out met no one: it keeps its story, untold, for the next partner
        self.story = story if meet.everyone else np.where(meet.active, story, self.story)
        return replace(new, legitimacy=legitimacy.astype(dt, copy=False))

    def _sanction(
        self, regime: Combined, met: _Meeting, acts: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Citizens judge one another: peers punish, and a community keeps its reputations.

        After the update: a punisher's urge reads its norm, the compliance it perceives and its
        anger, as this round's acts just moved them.
        Returns what punishing cost each citizen and the fines it received, if peers punish.
        """
        meet, punished = met.meet, None
        if regime.peers is not None:
            punished = self._punish(regime.peers, self.state, acts, meet)
        if regime.community is not None:
            self.good = regime.community.update(
                self.good,
                acts,
                np.where(meet.active, meet.neighbour, -1),
                uniform(self.rng_regime, (2, self.n), self.dt),
            )
        return punished

    def _pay(
        self,
        met: _Meeting,
        decision: _Decision,
        step: RegimeStep,
        punished: tuple[np.ndarray, np.ndarray] | None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each citizen's payoff and each act's welfare (zero for those who sat out)."""
        meet, material = met.meet, decision.material
        payoff = material + step.transfer
        # with a role that has no move, an act's welfare is its pair's mean payoff
        welfare = 0.5 * (material + np.take(material, meet.partner)) if met.passive else material
        if punished is not None:
            punish_cost, punish_fine = punished
            payoff = payoff - punish_cost - punish_fine
            welfare = welfare - punish_cost - punish_fine
        welfare = welfare - step.enforcement_cost
        if not meet.everyone:
            payoff = payoff * meet.active
            welfare = welfare * meet.active
        return payoff, welfare

    def _record(
        self,
        phase: int,
        regime: Combined,
        met: _Meeting,
        decision: _Decision,
        step: RegimeStep,
        payoff: np.ndarray,
        welfare: np.ndarray,
    ) -> RoundState:
        """The ledger's totals per citizen, and the round's figures and view of its citizens."""
        self.ever_false_positive |= step.false_positive
        if regime.credit is not None:
            self.fines_paid += step.fine
            self.rewards_received += step.reward
            # (rare: counted where they happened, not added over every citizen as int64)
            self.false_positives[np.flatnonzero(step.false_positive)] += 1
        self.total_payoff += payoff
        t, d = self.round, decision
        figures = self._figures(
            t, phase, regime.name, d.domain, d.acts, met.acting, step, welfare, payoff
        )
        return RoundState(
            t,
            phase,
            regime.name,
            *figures,
            p_cooperate=np.asarray(d.p),
            cooperated=d.acts,
            context=d.context,
            state=d.state,
            partner=self.partner if met.meet.k == 2 else None,
            role=met.role,
            community_figures=(
                self._community_figures(t, phase, d, met.acting, step)
                if self.communities > 1
                else {}
            ),
            score=self.scores.copy(),
        )

    def _community_figures(
        self, t: int, phase: int, decision: _Decision, acting: np.ndarray, step: RegimeStep
    ) -> dict[str, Any]:
        """The round's figures by community (:data:`~sccgames.engines.metrics.COMMUNITY_COLUMNS`).

        One sum per figure over the communities (:func:`~sccgames.engines.metrics.cell_sums`,
        built once: communities never change), from the per-citizen values the round's other
        figures used: what the regime did to each community, and how each lives and reads
        it, so that unequal treatment is measured from outside.
        """
        if self.community_sum is None:
            self.community_sum = cell_sums(self.community, self.communities)
        total, per = self.community_sum, self.last_per
        agents = total(None).astype(float)
        acts = per["cooperation"]  # (owners without a move count as C: keep the movers')
        if not bool(acting.all()):
            acts = acts & acting
        acts_made = total(acting)
        seen_c = total(step.observed & acts)
        false_positives = total(step.false_positive)
        with np.errstate(invalid="ignore", divide="ignore"):
            figures: dict[str, Any] = {
                "round": t,
                "phase": phase,
                "community": np.arange(self.communities),
                "agents": agents.astype(np.int64),
                "cooperation": total(acts) / acts_made,
            }
            for name in ("trust", "trust_in_group", "trust_out_group", "norm", "legitimacy"):
                figures[name] = total(per[name]) / agents
            figures["compliance"] = total(self.state.compliance) / agents
            figures["score"] = total(self.scores) / agents
            # (coverage is 0 for those who do not move, and so nothing of theirs is observed)
            figures["coverage"] = total(decision.coverage) / acts_made
            figures["observed"] = total(step.observed) / acts_made
            figures["false_positive"] = false_positives / seen_c
            figures["false_sanctions"] = false_positives / agents
            figures["fines"] = total(step.fine) / agents
        return figures

    def _roles(self, partner: np.ndarray) -> np.ndarray:
        """Each citizen's role: in each pair, role 1 (trustee, owner) to one at random.

        A pair's roles are drawn when it forms (a uniform key per citizen, the higher key
        takes role 1, the higher index on a tie) and kept while it lasts, so that a fixed
        pair plays its roles throughout and strangers draw theirs at every meeting; a
        citizen's type or place in the population never decides its role.
        """
        fresh = self.fresh
        if self.role_key is None or fresh is True:
            self.role_key = self.rng_match.random(self.n)
        else:
            self.role_key[fresh] = self.rng_match.random(int(np.count_nonzero(fresh)))
        mine, theirs = self.role_key, np.take(self.role_key, partner)
        return ((mine > theirs) | ((mine == theirs) & (self.me > partner))).astype(np.int8)

    def _in_group_share(self, meet: _Interactions) -> np.ndarray:
        """Share of each member's group-mates in its own community."""
        groups = int(self.community.max()) + 1
        key = meet.gid * groups + self.community
        counts = np.bincount(key, minlength=(meet.g + 1) * groups)
        return ((counts[key] - 1) / (meet.k - 1)).astype(self.dt)

    def _remember_communities(self, state: State, fresh: Any) -> None:
        """Generalized trust in insiders and outsiders: the last partner joins one.

        The rule of :func:`~sccgames.model.decision.new_partner`, kept apart by whether the last
        partner was of one's own community.
        """
        moves = np.broadcast_to(np.asarray(state.partner_moves, self.dt), (self.n,))
        met = (moves > 0) & fresh
        if not met.any():
            return
        share = np.asarray(state.partner_c, self.dt) / np.maximum(moves, 1.0)
        weight = met.astype(self.dt)
        phi = self.profile.rational.forgetting
        inside = self.last_in_group
        for side, w in (("insiders", weight * inside), ("outsiders", weight * (1 - inside))):
            c, seen = getattr(self, side)
            keep = 1.0 - phi * w
            c = (keep * c + w * share).astype(self.dt, copy=False)
            setattr(self, side, (c, (keep * seen + w).astype(self.dt, copy=False)))

    def _keep(self, new: State, old: State, active: np.ndarray) -> State:
        """Who sat out keeps its state."""
        return State(
            **{
                f.name: np.where(active, getattr(new, f.name), getattr(old, f.name)).astype(
                    self.dt, copy=False
                )
                for f in fields(State)
            }
        )

    def _punish(
        self, peers: PeerPunishment, state: State, acts: np.ndarray, meet: _Interactions
    ) -> tuple[np.ndarray, np.ndarray]:
        """Costs paid and fines received from peer punishment; learn q̂ from what is seen."""
        probability = peers.probability_for(self.profile, state)
        defected = ~acts & meet.active
        draws = uniform(self.rng_regime, self.n, self.dt)
        if meet.k == 2:
            punishes = peers.in_pairs(probability, defected, meet.partner, draws) & meet.active
            received = punishes[meet.partner].astype(self.dt)
            given = punishes.astype(self.dt)
            seen = received  # in a pair one sees only whether one's own defection was punished
            chances = defected.astype(self.dt)
        else:
            groups, k = meet.groups, meet.k
            d = defected[groups]
            punishes = peers.punish(
                probability[groups], d, uniform(self.rng_regime, (len(groups), k, k), self.dt)
            )  # [group, punisher, target]
            given = np.zeros(self.n, self.dt)
            received = np.zeros(self.n, self.dt)
            given[groups] = punishes.sum(axis=2)
            received[groups] = punishes.sum(axis=1)
            # punishments of defectors by the others, and the chances they had to punish
            seen = np.zeros(self.n, self.dt)
            chances = np.zeros(self.n, self.dt)
            seen[groups] = punishes.sum(axis=(1, 2))[:, None] - punishes.sum(axis=2)
            chances[groups] = (k - 2) * d.sum(axis=1, keepdims=True) + d
        del draws
        rate = self.profile.moral.compliance_learning
        self.q_hat = peers.learn(self.q_hat, rate, seen, chances).astype(self.dt)
        return peers.cost * given, peers.fine * received

    def _figures(
        self,
        t: int,
        phase: int,
        regime: str,
        domain: np.ndarray,
        acts: np.ndarray,
        active: np.ndarray,
        step: RegimeStep,
        welfare: np.ndarray,
        payoff: np.ndarray,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The round's figures by domain (and "all") and by motive type, as columns.

        One sum per figure over the (type, domain) cells
        (:func:`~sccgames.engines.metrics.cell_sums`) gives both breakdowns; those who sat out form
        an extra domain cell counted only in "all".
        """
        d, types = len(self.domain_names), len(self.type_names)
        everyone = bool(active.all())
        # each citizen's place: its domain, or d if it sat out (a cell only when someone did)
        place = domain if everyone else np.where(active, domain, d)
        width = d if everyone else d + 1
        cells = self.type_index * width + place if types > 1 else place
        size = types * width

        matrix = self.cell_matrix
        if size <= FEW_CELLS and (matrix is None or matrix.shape[0] != size):
            matrix = self.cell_matrix = np.empty((size, self.n))
        cell_sum = cell_sums(cells, size, out=matrix if size <= FEW_CELLS else None)

        def sums(values: Any) -> np.ndarray:
            return cell_sum(values).reshape(types, width)

        agents = sums(None)
        per = self.last_per = self._per_citizen(acts, step, welfare)
        names = list(per)
        totals = np.stack([sums(values) for values in per.values()])  # [figure, type, place]
        with np.errstate(invalid="ignore", divide="ignore"):
            figures = {"round": t, "phase": phase, "regime": regime}
            figures.update(self._domain_figures(names, totals, agents, place, payoff))
            type_figures = {"round": t, "phase": phase}
            type_figures.update(self._type_figures(names, totals, agents, sums(payoff)))
        return figures, type_figures

    def _per_citizen(
        self, acts: np.ndarray, step: RegimeStep, welfare: np.ndarray
    ) -> dict[str, Any]:
        """Each figure's value per citizen, to be summed over the cells."""
        state, r = self.state, self.profile.rational
        # generalized trust: what each citizen believes of a stranger
        trust = motives.beta_mean(r.trust, r.prior_strength, state.stranger_c, state.stranger_moves)
        per = {
            "cooperation": acts,
            "trust": trust,
            "norm": state.norm,
            "legitimacy": state.legitimacy,
            "score": self.scores,
            "blacklisted": step.blacklisted,
            "welfare": welfare,
        }
        if self.communities > 1:
            per["trust_in_group"] = motives.beta_mean(r.trust, r.prior_strength, *self.insiders)
            per["trust_out_group"] = motives.beta_mean(r.trust, r.prior_strength, *self.outsiders)
        return per

    def _domain_figures(
        self,
        names: list[str],
        totals: np.ndarray,
        agents: np.ndarray,
        place: np.ndarray,
        payoff: np.ndarray,
    ) -> dict[str, Any]:
        """The rows by domain and "all", from the figures' sums ``[figure, type, place]``."""
        d = len(self.domain_names)
        by_domain = agents.sum(axis=0)
        acting = max(float(by_domain[:d].sum()), 1.0)
        placed = totals.sum(axis=1)  # [figure, place]
        # acts and welfare are per interaction; the rest describe every citizen
        per_act = np.array([name in ("cooperation", "welfare") for name in names])
        acted, everybody = placed[:, :d].sum(axis=1) / acting, placed.sum(axis=1) / self.n
        whole = np.where(per_act, acted, everybody)
        table = np.column_stack([placed[:, :d] / by_domain[:d], whole])  # [figure, place]
        rows = dict(zip(names, table, strict=True))
        figures: dict[str, Any] = {
            "domain": np.array([*self.domain_names, "all"], dtype=object),
            "agents": np.append(by_domain[:d], self.n),
        }
        for name in METRIC_COLUMNS[1:]:
            # (bonding and bridging trust need communities)
            figures[name] = rows[name] if name in rows else np.full(d + 1, np.nan)
        # Gini from an evenly spaced subsample of at most GINI_SAMPLE citizens (see gini)
        every = -(-self.n // GINI_SAMPLE)
        figures["gini"] = ginis(payoff[::every], place[::every], d)
        return figures

    def _type_figures(
        self, names: list[str], totals: np.ndarray, agents: np.ndarray, payoffs: np.ndarray
    ) -> dict[str, Any]:
        """The rows by motive type, from the figures' and the payoffs' sums over the cells."""
        d = len(self.domain_names)
        typed_agents = agents.sum(axis=1)
        typed = dict(zip(names, totals.sum(axis=2) / typed_agents, strict=True))  # per type
        figures: dict[str, Any] = {
            "type": np.array(self.type_names, dtype=object),
            "agents": typed_agents,
        }
        for name in TYPE_COLUMNS[1:]:
            if name == "payoff":
                figures[name] = payoffs.sum(axis=1) / typed_agents
            elif name == "cooperation":  # per act, like the domains' figure
                acts_of = totals[names.index(name), :, :d].sum(axis=1)
                figures[name] = acts_of / agents[:, :d].sum(axis=1)
            else:
                figures[name] = typed[name]
        return figures

    def _imitate(self, imitation: Imitation, payoff: np.ndarray) -> None:
        rng, n, me = self.rng_imitate, self.n, self.me
        revise = rng.random(n) < imitation.rate
        conform = rng.random(n) < imitation.conformity
        models = rng.integers(n, size=(3, n))
        t = self.type_index[models]
        majority = np.where((t[0] == t[1]) | (t[0] == t[2]), models[0], -1)
        majority = np.where((majority < 0) & (t[1] == t[2]), models[1], majority)
        copy_p = expit(imitation.selection * (payoff[models[0]] - payoff))
        payoff_biased = revise & ~conform & (rng.random(n) < copy_p)
        source = np.where(payoff_biased, models[0], me)
        source = np.where(revise & conform & (majority >= 0), majority, source)
        if (source == me).all():
            return
        self.type_index = self.type_index[source]
        _copy_rows(self.profile, source)

    def final_agents(self) -> pd.DataFrame:
        """Every citizen's state after the last round played."""
        state = {
            f.name: np.broadcast_to(np.asarray(getattr(self.state, f.name)), (self.n,))
            for f in fields(State)
        }
        return pd.DataFrame(
            {
                "agent": np.arange(self.n),
                "type": np.asarray(self.type_names, dtype=object)[self.type_index],
                "community": self.community,
                **state,
                "score": self.scores,
                "good_reputation": self.good,
                "punishment_belief": self.q_hat,
                "payoff": self.total_payoff,
                "fines": self.fines_paid,
                "rewards": self.rewards_received,
                "false_positives": self.false_positives,
                "ever_falsely_sanctioned": self.ever_false_positive,
            }
        )


def _copy_rows(obj: Any, source: np.ndarray) -> None:
    """Copy every citizen's profile row from ``source`` in place (arrays only)."""
    for f in fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, np.ndarray):
            value[...] = value[source]
        elif hasattr(value, "__dataclass_fields__"):
            _copy_rows(value, source)
