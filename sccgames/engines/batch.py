"""The vectorized batch kernel: many matches played at once, one numpy step per turn.

The two sides of ``B`` matches form one population of ``2B`` players, each one's partner the
other player of its match. Motive agents are a struct of arrays: their decisions, the regime
and their learning go through the very functions a single :class:`~sccgames.MotiveAgent`
uses (:func:`~sccgames.model.decision.p_cooperate`, the institutions in force through
:class:`~sccgames.rules.institutions.PairInstitutions`,
:func:`~sccgames.rules.regimes.regime_observation`, :func:`~sccgames.model.decision.update_state`),
so the batch and the per-turn :class:`~sccgames.Match` are one model under every regime; only the
random streams differ. Any of axelrod's strategies can sit in a batch too: it is asked for its move
in Python, against a stand-in that carries its partner's history, while everything else stays
vectorized.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import axelrod as axl
import numpy as np
import pandas as pd

from sccgames.model.agents import MotiveAgent
from sccgames.model.decision import initial_state, p_cooperate, update_state
from sccgames.model.profiles import stack_profiles
from sccgames.rules.games import society_game
from sccgames.rules.institutions import PairInstitutions, check_regime
from sccgames.rules.regimes import DRAWS_PER_ACT, regime_observation

C, D = axl.Action.C, axl.Action.D

#: Uniforms each match draws per turn from its own seed, by column: the domain, each side's
#: decision and noise, and the regime's draw (observation, error and appeal) per side.
DRAW_COLUMNS = (
    "domain",
    "decision_0",
    "decision_1",
    "noise_0",
    "noise_1",
    "regime_0",
    "regime_1",
)
#: Further uniforms per turn, drawn only when a community or peer punishment is part of the
#: regime (after those of :data:`DRAW_COLUMNS`, so that the others do not change): the
#: community's observation and error of each side's act, and each side's punishment draw.
#: Two more, once per match, give the sides' initial reputations.
BOTTOM_UP_COLUMNS = (
    "seen_0",
    "seen_1",
    "misperceived_0",
    "misperceived_1",
    "punish_0",
    "punish_1",
)

#: Per-match, per-side totals a batch returns (see :func:`play_batch`).
BATCH_COLUMNS = (
    "side",
    "index",
    "turns",
    "material_payoff",
    "transfers",
    "cooperations",
    "watched_turns",
    "watched_cooperations",
    "fines",
    "false_positives",
    "score",
    "peer_costs",
    "peer_fines",
    "reputation",
)


@dataclass(frozen=True)
class BatchTrace:
    """Per-turn arrays of a batch, shape ``(turns, 2B)``, kept when ``trace=True``.

    ``p_cooperate`` is NaN for axelrod's strategies. ``intended`` is the act chosen before
    noise; ``motive`` the indices (in ``[*first, *second]`` order) of the motive agents, and
    ``contexts`` and ``states`` what they decided from each turn (arrays over ``motive``),
    which :func:`sccgames.inference.compare.choices_from_batch` turns into choice data.
    """

    p_cooperate: np.ndarray
    cooperated: np.ndarray
    coverage: np.ndarray
    intended: np.ndarray | None = None
    motive: np.ndarray | None = None
    contexts: tuple[Any, ...] = ()
    states: tuple[Any, ...] = ()


class _Stand(axl.Player):
    """What an axelrod strategy sees of a motive agent in a batch: its name and history."""

    name = "Stand-in"

    def strategy(self, opponent: axl.Player) -> axl.Action:  # pragma: no cover - never asked
        raise RuntimeError("a stand-in only carries a history")


class _Others:
    """Axelrod's strategies in a batch, each with its opponent object."""

    def __init__(
        self,
        players: list[axl.Player],
        partner: np.ndarray,
        motive: np.ndarray,
        turns: int,
        game: axl.Game,
        noise: float,
        seeds: np.ndarray,
    ) -> None:
        self.index = np.flatnonzero(~motive)
        self.players: dict[int, axl.Player] = {}
        for i in self.index:
            player = players[i].clone()
            player.set_match_attributes(length=turns, game=game, noise=noise)
            if axl.Classifiers["stochastic"](player):
                player.set_seed(int(seeds[i]))
            self.players[i] = player
        self.stands = {j: _Stand() for j in partner[self.index] if motive[j]}
        for j, stand in self.stands.items():
            stand.name = str(players[j])
        self.opponent = {
            i: self.players.get(partner[i], self.stands.get(partner[i])) for i in self.index
        }

    def moves(self) -> np.ndarray:
        return np.array(
            [self.players[i].strategy(self.opponent[i]) == C for i in self.index], dtype=bool
        )

    def record(self, cooperated: np.ndarray, partner: np.ndarray) -> None:
        act = np.where(cooperated, C, D)
        for i, player in self.players.items():
            player.update_history(act[i], act[partner[i]])
        for j, stand in self.stands.items():
            stand.update_history(act[j], act[partner[j]])


def play_batch(
    first: Sequence[axl.Player],
    second: Sequence[axl.Player],
    turns: int,
    regime: Any = None,
    game: axl.Game | None = None,
    domains: Mapping[str, float] | None = None,
    noise: float = 0.0,
    seeds: Sequence[int | np.random.SeedSequence] | int | np.random.SeedSequence | None = None,
    trace: bool = False,
) -> tuple[pd.DataFrame, BatchTrace | None]:
    """Play ``B`` matches, ``first[k]`` against ``second[k]``, all at once.

    Parameters
    ----------
    first, second : sequences of axelrod players, length B
        The two sides of each match: motive agents (their profiles and groups are read; the
        agents themselves are not changed) or any of axelrod's strategies (cloned).
    turns, regime, game, domains, noise
        As in :class:`sccgames.Match`.
    seeds : sequence of B seeds, or one seed, optional
        Each match's own seed (int or SeedSequence), or one seed from which B are spawned.
        A match draws every uniform it needs (:data:`DRAW_COLUMNS`, each turn) and its
        axelrod players' seeds from its own seed alone, so its result does not depend on
        which other matches share its batch.
    trace : bool, default False
        Also return every turn's ``P(C)``, acts and coverage.

    Returns
    -------
    totals : pandas.DataFrame
        One row per match and side (``side`` 0 for ``first``, 1 for ``second``; ``index``
        the match's position) with the columns of :data:`BATCH_COLUMNS`: totals over the
        match and the final ``score``.
    trace : BatchTrace or None

    """
    columns, traced = play_batch_columns(
        first, second, turns, regime, game, domains, noise, seeds, trace
    )
    return pd.DataFrame(columns, columns=list(BATCH_COLUMNS)), traced


def play_batch_columns(
    first: Sequence[axl.Player],
    second: Sequence[axl.Player],
    turns: int,
    regime: Any = None,
    game: axl.Game | None = None,
    domains: Mapping[str, float] | None = None,
    noise: float = 0.0,
    seeds: Sequence[int | np.random.SeedSequence] | int | np.random.SeedSequence | None = None,
    trace: bool = False,
) -> tuple[dict[str, np.ndarray], BatchTrace | None]:
    """:func:`play_batch` with its totals as a dict of arrays (what a tournament combines)."""
    b = len(first)
    if b != len(second) or b == 0:
        raise ValueError(f"a batch needs two equal, non-empty sides, got {b} and {len(second)}")
    plan = check_regime(regime)
    bottom_up = any(r.community or r.peers for r in map(plan.regime_at, plan.starts))
    game = axl.Game() if game is None else game
    # every engine's view of the game: side 0 plays role 0 (trustor, finder), side 1 role 1
    view = society_game(game)
    if view.group_size != 2:
        raise ValueError(f"a match has two players; {game!r} is played in groups")
    if not isinstance(game, axl.AsymmetricGame):  # axelrod's players read an axelrod game
        own_tables = view.tables()
        game = axl.AsymmetricGame(own_tables[0], own_tables[1].T)
    names = ["default"] if domains is None else list(domains)
    shares = np.ones(1) if domains is None else np.array([domains[n] for n in names], float)
    players: list[Any] = [*first, *second]
    n = 2 * b
    partner = np.concatenate([np.arange(b, n), np.arange(b)])
    role = np.repeat(np.arange(2, dtype=np.int8), b)
    # a role without a move (the lost wallet's owner) acts as C, unwatched, unasked
    mover = np.asarray(view.movers)[role]
    passive = not mover.all()
    motive = np.array([isinstance(p, MotiveAgent) for p in players])
    mi = np.flatnonzero(motive)
    payoffs = view.motive_payoffs(role[mi] if view.has_roles else None)
    pick = slice(None) if mi.size == n else mi  # a view, not a copy, when all are motive
    groups = [getattr(p, "group", None) for p in players]
    in_group: Any = np.array(
        [float(groups[i] is not None and groups[i] == groups[partner[i]]) for i in mi]
    )
    if not in_group.any():
        in_group = 0.0  # nobody meets its own group: one float, not an array op per turn

    draws, extra, player_seeds = _draws(
        seeds, b, turns, player_seeds=not motive.all(), bottom_up=bottom_up
    )
    cut = np.cumsum(shares / shares.sum())[:-1]
    # draws is (b, turns, column); each block below is laid out per turn, side 0 of every
    # match first, then side 1 (one copy per block)
    domain_index = np.searchsorted(cut, draws[:, :, 0].T, side="right")  # (turns, b)
    decision = draws[:, :, 1:3].transpose(1, 2, 0).reshape(turns, n)
    # noise flips an act; at noise 0 nothing flips (the noise draws are made all the same,
    # so a match's other draws do not depend on its noise)
    flip = draws[:, :, 3:5].transpose(1, 2, 0).reshape(turns, n) < noise if noise > 0 else None
    regime_draws = (
        draws[:, :, 5:]
        .reshape(b, turns, 2, DRAWS_PER_ACT)
        .transpose(1, 3, 2, 0)
        .reshape(turns, DRAWS_PER_ACT, n)
    )
    others = _Others(players, partner, motive, turns, game, noise, player_seeds.T.ravel())
    if extra is not None:  # (b, turns + 1, 6): per turn, then the initial reputations
        per_turn = extra[:, :turns].reshape(b, turns, 3, 2).transpose(1, 2, 3, 0)
        community_draws = per_turn[:, :2].reshape(turns, 2, n)  # (observation, error) rows
        punish_draws = per_turn[:, 2].reshape(turns, n)
        initial = extra[:, turns, :2].T.ravel()
    else:
        community_draws = punish_draws = initial = None
    institutions = PairInstitutions(plan, partner, names, initial)

    profile = stack_profiles([players[i].profile for i in mi]) if mi.size else None
    state = initial_state(profile) if profile is not None else None
    punishing = np.zeros(n)  # each player's P(punish): axelrod's strategies never punish
    learning = np.zeros(n)
    if profile is not None:
        learning[pick] = profile.moral.compliance_learning
    totals = {
        key: np.zeros(n)
        for key in ("transfers", "fines", "false_positives", "peer_costs", "peer_fines")
    }
    kept: dict[str, list[Any]] | None = None
    if trace:
        kept = {"p": [], "c": [], "m": [], "i": [], "context": [], "state": []}
    p = np.full(n, np.nan)
    # each turn's coverages, (turns, n), under the regime of that turn's phase
    phases = np.array([institutions.phase(t) for t in range(turns)])
    coverage_by_turn = np.tile(np.array(institutions.coverages)[phases[:, None], domain_index], 2)
    watched_by_turn = coverage_by_turn * mover if passive else coverage_by_turn
    acts = np.empty((turns, n), dtype=bool)
    # The loop makes no reference cycles; pausing the cyclic collector keeps a large Python
    # heap (axelrod's ~240 strategy classes, say) from being rescanned every few turns.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for t in range(turns):
            coverage = coverage_by_turn[t]
            intended = np.empty(n, dtype=bool)
            if profile is not None:
                context = replace(  # a match's length is announced to its players
                    institutions.context(
                        t,
                        coverage[pick],
                        pick,
                        remaining=float(turns - t - 1),
                        in_group=in_group,
                    ),
                    known_end=1.0,
                )
                p[pick] = p_cooperate(profile, state, context, payoffs)
                intended[pick] = decision[t, pick] < p[pick]
                if kept is not None:  # what the decision was made from (new objects each turn)
                    kept["context"].append(context)
                    kept["state"].append(state)
            if others.index.size:
                intended[others.index] = others.moves()
            if passive:
                intended |= ~mover
                p[~mover] = np.nan
            if flip is None:
                acts[t] = intended
                cooperated = acts[t]
            else:
                flips = flip[t] & mover if passive else flip[t]
                cooperated = np.not_equal(intended, flips, out=acts[t])
            step = institutions.enforce(t, cooperated, watched_by_turn[t], regime_draws[t])
            if profile is not None:
                seen = regime_observation(
                    step,
                    cooperated,
                    partner,
                    coverage,
                    context.salience,
                    select=pick,
                )
                if passive:
                    seen = replace(
                        seen,
                        moved=mover[pick].astype(float),
                        partner_moved=mover[partner][pick].astype(float),
                    )
                state = update_state(profile, state, seen)
            if others.index.size:
                others.record(cooperated, partner)
            if punish_draws is not None:
                peers = institutions.regime_at(t).peers
                if peers is not None and profile is not None:
                    punishing[pick] = peers.probability_for(profile, state)
                cost, fine = institutions.punish(
                    t, cooperated, punishing, learning, punish_draws[t]
                )
                totals["peer_costs"] += cost
                totals["peer_fines"] += fine
                institutions.judge(
                    t, cooperated, community_draws[t], acting=mover if passive else None
                )
            totals["transfers"] += step.transfer
            totals["fines"] += step.fine
            totals["false_positives"] += step.false_positive
            if kept is not None:
                kept["p"].append(p.copy())
                kept["c"].append(cooperated)
                kept["m"].append(coverage)
                kept["i"].append(intended)
    finally:
        if collecting:
            gc.enable()
    columns = totals_columns(
        acts,
        watched_by_turn > 0,
        material=view.material(acts, acts[:, partner], role).sum(axis=0),
        score=institutions.scores,
        reputation=institutions.reputation(),
        **totals,
    )
    traced = None
    if kept is not None:
        traced = BatchTrace(
            np.array(kept["p"]),
            np.array(kept["c"]),
            np.array(kept["m"]),
            intended=np.array(kept["i"]),
            motive=mi,
            contexts=tuple(kept["context"]),
            states=tuple(kept["state"]),
        )
    return columns, traced


def totals_columns(
    acts: np.ndarray,
    watched: np.ndarray,
    *,
    material: np.ndarray,
    transfers: np.ndarray,
    fines: np.ndarray,
    false_positives: np.ndarray,
    score: np.ndarray,
    peer_costs: np.ndarray,
    peer_fines: np.ndarray,
    reputation: np.ndarray,
) -> dict[str, np.ndarray]:
    """Per-match, per-side totals (:data:`BATCH_COLUMNS`) of ``B`` matches' ``2B`` players.

    ``acts`` and ``watched`` are per turn and player, shape ``(turns, 2B)`` (side 0 of every
    match first); the other arrays are already totalled per player. Shared by the batch
    kernel and :meth:`sccgames.Match.totals`, so both report in one schema: ``transfers``
    are the social credit regime's net payments, ``peer_costs`` what a player paid to punish
    and ``peer_fines`` what peers took from it, ``score`` and ``reputation`` (1 good, 0
    bad, NaN without a community) are final.
    """
    b = acts.shape[1] // 2
    return {
        "side": np.repeat([0, 1], b),
        "index": np.tile(np.arange(b), 2),
        "turns": np.full(2 * b, acts.shape[0]),
        "material_payoff": material,
        "transfers": transfers,
        "cooperations": acts.sum(axis=0),
        "watched_turns": watched.sum(axis=0),
        "watched_cooperations": (acts & watched).sum(axis=0),
        "fines": fines,
        "false_positives": false_positives,
        "score": score,
        "peer_costs": peer_costs,
        "peer_fines": peer_fines,
        "reputation": reputation,
    }


def totals_frame(acts: np.ndarray, watched: np.ndarray, **totals: np.ndarray) -> pd.DataFrame:
    """:func:`totals_columns` as a DataFrame."""
    return pd.DataFrame(totals_columns(acts, watched, **totals), columns=list(BATCH_COLUMNS))


def _draws(
    seeds: Sequence[int | np.random.SeedSequence] | int | np.random.SeedSequence | None,
    b: int,
    turns: int,
    player_seeds: bool = True,
    bottom_up: bool = False,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Every match's uniforms, shape ``(b, turns, len(DRAW_COLUMNS))``, and player seeds.

    With ``bottom_up`` (a community or peer punishment in the regime), also the uniforms of
    :data:`BOTTOM_UP_COLUMNS`, shape ``(b, turns + 1, 6)`` (the last row: the initial
    reputations of the two sides, then unused), drawn after the others; else None. The seeds
    of axelrod's players are drawn last, so leaving them out (``player_seeds=False``, a
    batch of motive agents only) changes no uniform.
    """
    if seeds is None or isinstance(seeds, int | np.integer | np.random.SeedSequence):
        root = seeds if isinstance(seeds, np.random.SeedSequence) else np.random.SeedSequence(seeds)
        seeds = root.spawn(b)
    if len(seeds) != b:
        raise ValueError(f"seeds must give one seed per match ({b}), got {len(seeds)}")
    uniforms = np.empty((b, turns, len(DRAW_COLUMNS)))
    extra = np.empty((b, turns + 1, len(BOTTOM_UP_COLUMNS))) if bottom_up else None
    players = np.zeros((b, 2), dtype=np.uint64)
    for k, seed in enumerate(seeds):
        rng = np.random.default_rng(seed)
        rng.random(out=uniforms[k])
        if extra is not None:
            rng.random(out=extra[k])
        if player_seeds:
            players[k] = rng.bit_generator.random_raw(2) >> np.uint64(32)  # two 32-bit seeds
    return uniforms, extra, players
