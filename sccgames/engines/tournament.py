"""Regime-aware round-robin tournaments of motive agents and axelrod's strategies.

Every pair of players (and each player against its own clone) meets ``repetitions`` times.
All matches are played by the batch kernel (:mod:`sccgames.engines.batch`), a chunk of up to
:data:`BATCH_CHUNK` matches at a time, one numpy step per turn: motive agents as arrays,
axelrod's strategies asked for their moves in Python.

Seeds: one ``numpy.random.SeedSequence`` at the top spawns a child for every match, from
which the match draws all its randomness, so the results are identical whatever the number
of processes and however matches are chunked.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import axelrod as axl
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from sccgames._validation import check_integer, check_probability
from sccgames.engines.batch import play_batch_columns
from sccgames.engines.match import _check_domains
from sccgames.engines.metrics import payoff_matrix
from sccgames.engines.workers import worker_pool
from sccgames.model.agents import motive_strategies
from sccgames.rules.games import society_game
from sccgames.rules.institutions import PairInstitutions, check_regime, check_schedule_fits
from sccgames.rules.regimes import NoRegime

#: Matches per batch-kernel chunk: large enough to amortize numpy's per-call cost, small
#: enough to spread over processes. Every match draws from its own seed, so results never
#: depend on how matches are chunked, nor on ``processes``.
BATCH_CHUNK = 512
#: At most this many turns × matches in one chunk (bounds the memory of pre-drawn uniforms,
#: 88 bytes per match-turn).
BATCH_DRAWS = 200_000

#: Columns of :attr:`TournamentResults.matches`.
MATCH_COLUMNS = (
    "match",
    "repetition",
    "player",
    "name",
    "opponent",
    "opponent_name",
    "turns",
    "payoff",
    "material_payoff",
    "transfers",
    "cooperation",
    "cooperation_watched",
    "cooperation_unwatched",
    "score",
    "fines",
    "false_positives",
    "peer_costs",
    "peer_fines",
    "reputation",
    "cooperations",
    "watched_turns",
    "watched_cooperations",
)
#: Columns of :attr:`TournamentResults.summary`.
SUMMARY_COLUMNS = (
    "name",
    "payoff",
    "material_payoff",
    "transfers",
    "cooperation",
    "cooperation_watched",
    "cooperation_unwatched",
    "score",
    "fines",
    "false_positives",
    "peer_costs",
    "peer_fines",
    "reputation",
    "rank",
)


# ----------------------------------------------------------------------------- players
def _strategy_lookup() -> dict[str, type[axl.Player]]:
    lookup: dict[str, type[axl.Player]] = {}
    for cls in [*axl.all_strategies, *motive_strategies]:
        lookup.setdefault(cls.name, cls)
        lookup.setdefault(cls.__name__, cls)
    return lookup


def resolve_player(spec: Any) -> axl.Player:
    """A player from an instance, a class taking no arguments, or a name.

    Names are axelrod's (``"Tit For Tat"``) or class names (``"TitForTat"``,
    ``"HomoEconomicus"``), for axelrod's strategies and the motive presets alike.

    Raises
    ------
    ValueError
        For an unknown name (with the closest known names) or anything else.

    """
    if isinstance(spec, axl.Player):
        return spec
    if isinstance(spec, type) and issubclass(spec, axl.Player):
        return spec()
    if isinstance(spec, str):
        lookup = _strategy_lookup()
        if spec in lookup:
            return lookup[spec]()
        close = difflib.get_close_matches(spec, list(lookup), n=3)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(
            f"unknown strategy {spec!r}{hint} (names are axelrod's, e.g. 'Tit For Tat', or "
            "class names, e.g. 'TitForTat', 'HomoEconomicus')"
        )
    raise ValueError(
        f"a player must be an axelrod player, a player class or a strategy name, got {spec!r}"
    )


# ----------------------------------------------------------------------------- jobs
@dataclass(frozen=True)
class _Pairing:
    match: int
    repetition: int
    first: int
    second: int


def _play_chunk(task: tuple[Any, ...]) -> dict[str, np.ndarray]:
    """Play one chunk; its totals, labelled with each row's match, repetition and players."""
    players, pairings, seeds, settings = task
    totals, _ = play_batch_columns(
        [players[p.first] for p in pairings],
        [players[p.second] for p in pairings],
        seeds=seeds,
        **settings,
    )
    k = totals["index"]
    first = np.array([p.first for p in pairings])[k]
    second = np.array([p.second for p in pairings])[k]
    side0 = totals["side"] == 0
    return {
        **totals,
        "match": np.array([p.match for p in pairings])[k],
        "repetition": np.array([p.repetition for p in pairings])[k],
        "player": np.where(side0, first, second),
        "opponent": np.where(side0, second, first),
    }


# ----------------------------------------------------------------------------- results
def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Elementwise share, NaN where there was nothing to share."""
    out = np.full(np.shape(numerator), np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def _matches_frame(names: list[str], chunks: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    """The tidy matches frame from labelled totals (a self-play match keeps one row)."""
    col = {key: np.concatenate([chunk[key] for chunk in chunks]) for key in chunks[0]}
    keep = (col["side"] == 0) | (col["player"] != col["opponent"])
    col = {key: value[keep] for key, value in col.items()}
    order = np.lexsort((col["player"], col["match"], col["repetition"]))
    col = {key: value[order] for key, value in col.items()}
    label = np.array(names, dtype=object)
    turns = col["turns"].astype(float)
    unwatched = turns - col["watched_turns"]
    derived = {
        "name": label[col["player"]],
        "opponent_name": label[col["opponent"]],
        "payoff": (
            col["material_payoff"] + col["transfers"] - col["peer_costs"] - col["peer_fines"]
        )
        / turns,
        "material_payoff": col["material_payoff"] / turns,
        "transfers": col["transfers"] / turns,
        "peer_costs": col["peer_costs"] / turns,
        "peer_fines": col["peer_fines"] / turns,
        "cooperation": col["cooperations"] / turns,
        "cooperation_watched": _ratio(col["watched_cooperations"], col["watched_turns"]),
        "cooperation_unwatched": _ratio(
            col["cooperations"] - col["watched_cooperations"], unwatched
        ),
    }
    return pd.DataFrame({key: derived.get(key, col.get(key)) for key in MATCH_COLUMNS})


def summarize(names: list[str], matches: pd.DataFrame) -> pd.DataFrame:
    """One row per player: means over its matches, ranked by payoff (1 = best).

    ``payoff``, ``material_payoff``, ``transfers``, ``peer_costs`` and ``peer_fines`` are
    mean per-turn values (``payoff`` is material payoff plus transfers, less what was paid
    to punish and fined by peers); ``cooperation`` shares are pooled over turns (watched:
    domains with coverage > 0); ``score`` is the mean final credit score and ``reputation``
    the share of matches ended with a good reputation (NaN without a community); ``fines``
    the mean fine paid per turn; ``false_positives`` the mean number of unjust sanctions
    per match.
    """
    player = matches["player"].to_numpy()
    k = len(names)

    def total(column: str) -> np.ndarray:
        return np.bincount(player, weights=matches[column].to_numpy(dtype=float), minlength=k)

    count = np.bincount(player, minlength=k).astype(float)
    turns, watched, cooperations = total("turns"), total("watched_turns"), total("cooperations")
    played = np.flatnonzero(count)
    summary = pd.DataFrame(
        {
            "player": np.arange(k),
            "name": names,
            "payoff": total("payoff") / count,
            "material_payoff": total("material_payoff") / count,
            "transfers": total("transfers") / count,
            "cooperation": cooperations / turns,
            "cooperation_watched": _ratio(total("watched_cooperations"), watched),
            "cooperation_unwatched": _ratio(
                cooperations - total("watched_cooperations"), turns - watched
            ),
            "score": total("score") / count,
            "fines": total("fines") / turns,
            "false_positives": total("false_positives") / count,
            "peer_costs": total("peer_costs") / count,
            "peer_fines": total("peer_fines") / count,
            "reputation": total("reputation") / count,
        }
    ).iloc[played]
    summary = summary.sort_values("payoff", ascending=False, kind="stable")
    summary["rank"] = np.arange(1, len(summary) + 1)
    return summary.reset_index(drop=True)[["player", *SUMMARY_COLUMNS]]


@dataclass(frozen=True)
class TournamentResults:
    """What a tournament produced.

    Attributes
    ----------
    names : list of str
        The players' names, by index.
    matches : pandas.DataFrame
        One row per match, repetition and player (columns in :data:`MATCH_COLUMNS`; a
        self-play match has one row).
    summary : pandas.DataFrame
        One row per player, ranked (columns ``player`` and :data:`SUMMARY_COLUMNS`).

    """

    names: list[str]
    matches: pd.DataFrame
    summary: pd.DataFrame

    def payoff_matrix(self) -> pd.DataFrame:
        """Mean payoff per turn of each player (rows) against each other (columns)."""
        return payoff_matrix(self.matches)

    def plot_payoffs(self, ax: Any = None) -> Any:
        """Box plot of each player's payoff over repetitions, in ranked order."""
        from sccgames.experiments.plots import payoff_boxplot

        return payoff_boxplot(self.matches, ax=ax)

    def plot_cooperation(self, ax: Any = None) -> Any:
        """Cooperation in watched and unwatched domains, per player."""
        from sccgames.experiments.plots import cooperation_by_domain

        return cooperation_by_domain(self.summary, ax=ax)


# ----------------------------------------------------------------------------- the tournament
class Tournament:
    """A round robin under an incentive regime.

    Parameters
    ----------
    players : sequence
        Motive agents, presets, or any of axelrod's strategies, as instances, classes or
        names (``"Tit For Tat"``, ``"TitForTat"``, ``"Moralist"``). At least two.
    turns : int, default 200
        Turns per match, as in axelrod's tournaments.
    repetitions : int, default 10
        Times each pair meets, as in axelrod's tournaments.
    regime, game, domains, noise
        As in :class:`sccgames.Match`: any regime, a ``Combined`` of them or a
        ``Schedule({turn: regime})``, whose phases start at those turns of every match.
    seed : int, optional
        The one seed; ``None`` draws fresh entropy once, so ``play()`` replays.
    processes : int, default 1
        Worker processes. Results are identical for any value.

    """

    def __init__(
        self,
        players: Sequence[Any],
        turns: int = 200,
        repetitions: int = 10,
        regime: Any = None,
        game: axl.Game | None = None,
        domains: Mapping[str, float] | None = None,
        noise: float = 0,
        seed: int | None = None,
        processes: int = 1,
    ) -> None:
        if isinstance(players, str | bytes) or len(players) < 2:
            raise ValueError(f"a tournament needs at least two players, got {players!r}")
        self.players = [resolve_player(p) for p in players]
        for player in self.players:
            if not axl.Classifiers.obey_axelrod(player):
                raise ValueError(
                    f"{player} inspects or manipulates its opponent, which the batch kernel "
                    "cannot offer; tournaments play strategies that obey axelrod's rules "
                    "(axelrod.Classifiers.obey_axelrod), as axelrod's own `strategies` list does"
                )
        check_integer("turns", turns, low=1)
        check_integer("repetitions", repetitions, low=1)
        check_integer("processes", processes, low=1)
        check_probability("noise", noise)
        self.turns, self.repetitions, self.noise, self.processes = (
            turns,
            repetitions,
            noise,
            processes,
        )
        check_schedule_fits(check_regime(regime), turns)
        self.regime = NoRegime() if regime is None else regime
        self.game = axl.Game() if game is None else game
        if society_game(self.game).group_size != 2:  # validates the game
            raise ValueError(f"a tournament pairs players; {self.game!r} is played in groups")
        self.domains = domains
        PairInstitutions.check_domains(self.regime, _check_domains(domains)[0])
        if seed is not None:
            check_integer("seed", seed, low=0)
        self.seed = seed
        self._entropy = np.random.SeedSequence(seed).entropy

    @property
    def names(self) -> list[str]:
        """The players' names, by index."""
        return [str(p) for p in self.players]

    def _pairings(self) -> list[_Pairing]:
        pairs = list(itertools.combinations_with_replacement(range(len(self.players)), 2))
        return [
            _Pairing(match=k, repetition=r, first=i, second=j)
            for r in range(self.repetitions)
            for k, (i, j) in enumerate(pairs)
        ]

    def _tasks(self, pairings: list[_Pairing]) -> list[tuple[Any, ...]]:
        seeds = np.random.SeedSequence(self._entropy).spawn(len(pairings))
        size = max(1, min(BATCH_CHUNK, BATCH_DRAWS // self.turns))
        chunks = [slice(k, k + size) for k in range(0, len(pairings), size)]
        settings = {
            "turns": self.turns,
            "regime": self.regime,
            "game": self.game,
            "domains": self.domains,
            "noise": self.noise,
        }
        return [(self.players, pairings[chunk], seeds[chunk], settings) for chunk in chunks]

    def play(
        self,
        progress_bar: bool = True,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> TournamentResults:
        """Play every match and return the :class:`TournamentResults`.

        Parameters
        ----------
        progress_bar : bool, default True
            Show a progress bar of the matches.
        on_progress : callable, optional
            Called with (matches played, matches in all) after each chunk of matches. An
            exception it raises stops the tournament (queued chunks are cancelled, worker
            processes stopped) and propagates: a caller's way to stop a long tournament.

        """
        pairings = self._pairings()
        tasks = self._tasks(pairings)
        bar = tqdm(total=len(pairings), desc="matches", disable=not progress_bar)
        totals: list[dict[str, np.ndarray]] = []
        if self.processes == 1:
            outputs = map(_play_chunk, tasks)
            pool = None
        else:  # workers that ignore Ctrl-C and die with this process
            pool = worker_pool(self.processes)
            outputs = pool.map(_play_chunk, tasks)
        played = 0
        try:
            for output in outputs:
                totals.append(output)
                bar.update(len(output["side"]) // 2)
                played += len(output["side"]) // 2
                if on_progress is not None:
                    on_progress(played, len(pairings))
        except BaseException:  # Ctrl-C: cancel the queued chunks and stop the workers now
            if pool is not None:
                pool.stop()
                pool = None
            raise
        finally:
            bar.close()
            if pool is not None:
                pool.shutdown()
        matches = _matches_frame(self.names, totals)
        return TournamentResults(
            names=self.names, matches=matches, summary=summarize(self.names, matches)
        )
