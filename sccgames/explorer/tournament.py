"""The tournament page: a round robin of motive presets and axelrod's classics under a regime.

Its setup is a :class:`TournamentSetup`; :func:`to_config` makes it the config of a
``kind = "tournament"`` experiment file, which the page builds and plays
(:meth:`sccgames.Tournament.play`) in a worker thread. It draws the ranked payoff box plot,
each player's cooperation in the watched and the unwatched domain, and an evolution (Moran
process or replicator dynamics, :mod:`sccgames.engines.evolution`) of the same players,
computed from the tournament's payoff matrix.

The evolution's settings (an :class:`EvolutionSetup`) have no place in an experiment file:
the exported file reproduces the tournament, and the page computes the evolution from its
results.

Stop gives the page back at once (Run works again) and discards the run; the tournament
itself stops after the chunk of matches it is playing
(:meth:`~sccgames.Tournament.play`'s ``on_progress``), and the evolution is not started.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sccgames.engines import evolution
from sccgames.engines.tournament import Tournament
from sccgames.experiments.config import ConfigError
from sccgames.explorer.setups import PRESETS, check_shown, default, kind_of, rest
from sccgames.rules.regimes import SocialCredit

#: A handful of axelrod's classics, by axelrod's names (all obey axelrod's rules, so the
#: batch kernel plays them).
CLASSICS = (
    "Tit For Tat",
    "Defector",
    "Cooperator",
    "Random",
    "Grudger",
    "Win-Stay Lose-Shift",
    "Tit For 2 Tats",
    "Suspicious Tit For Tat",
    "Forgiving Tit For Tat",
    "Alternator",
)
#: Every player the page can seat.
PLAYERS = (*PRESETS, *CLASSICS)
#: The 2x2 games a tournament plays, by their experiment-file names.
GAMES = ("pd", "stag_hunt", "snowdrift", "harmony")
#: The regimes a tournament page offers (the only ones a tournament file takes).
REGIMES = ("none", "social_credit")
#: The page's fields of the social credit system.
SOCIAL_CREDIT_FIELDS = (
    "coverage_watched",
    "coverage_unwatched",
    "reward",
    "fine",
    "false_positive",
    "false_negative",
)
#: The page's two domains: one the regime watches, one it need not.
DOMAINS = ("watched", "unwatched")
#: The most generations the page evolves: a Moran process of this many birth-death events
#: takes about two seconds; chosen so that an evolution never holds the page up for long.
MAX_GENERATIONS = 100_000


@dataclass(frozen=True)
class TournamentSetup:
    """What the tournament page's inputs hold; each default says where it comes from.

    Attributes
    ----------
    name : str
        The experiment's name (its run folder's, with ``sccgames run``).
    seed : int
        The tournament's seed; the same seed gives the same tournament on the page and from
        the exported file. Default 2026, the example file's (``configs/tournament.toml``).
    players : tuple of str
        Names from :data:`PLAYERS`, in its order (:func:`seating`). Default four presets and
        four classics, chosen so that motives meet axelrod's strategies and the default
        tournament plays in well under a second.
    turns : int
        Turns per match. Default 100, chosen so that a default tournament finishes in a few
        seconds on a loaded machine while a match is still long enough for reciprocity.
    repetitions : int
        Default 5, chosen (like ``turns``) so that the box plot has five points per player
        and the tournament stays quick.
    noise : float
        Chance that a move flips. Default :class:`~sccgames.Tournament`'s, 0.
    game : str
        Default ``"pd"``, the experiment files'.
    watched_share : float
        Share of turns in the watched domain (the rest are unwatched). Default 0.5, the
        example file's, chosen so that the two domains are compared on equal numbers of turns.
    regime : str
        ``"none"`` or ``"social_credit"``. Default a social credit system, the example file's.
    coverage_watched, coverage_unwatched : float
        The social credit system's coverage of each domain. Defaults 1 and 0, chosen so that
        one domain is always watched and the other never.
    reward, fine, false_positive, false_negative
        The social credit system's; defaults :class:`~sccgames.SocialCredit`'s.

    """

    name: str = "tournament"
    seed: int = 2026
    players: tuple[str, ...] = (
        "HomoEconomicus",
        "Moralist",
        "ConditionalCooperator",
        "Citizen",
        "Tit For Tat",
        "Defector",
        "Cooperator",
        "Grudger",
    )
    turns: int = 100
    repetitions: int = 5
    noise: float = default(Tournament, "noise")
    game: str = "pd"
    watched_share: float = 0.5
    regime: str = "social_credit"
    coverage_watched: float = 1.0
    coverage_unwatched: float = 0.0
    reward: float = default(SocialCredit, "reward")
    fine: float = default(SocialCredit, "fine")
    false_positive: float = default(SocialCredit, "false_positive")
    false_negative: float = default(SocialCredit, "false_negative")


@dataclass(frozen=True)
class EvolutionSetup:
    """The evolution the page runs on a tournament's payoff matrix (not in the file).

    Attributes
    ----------
    dynamics : str
        ``"moran"`` or ``"replicator"``. Default :func:`~sccgames.evolve`'s, Moran.
    generations : int
        Birth-death events (Moran) or generations (replicator), at most
        :data:`MAX_GENERATIONS`. Default :func:`~sccgames.evolve`'s, 500.
    population : int
        The Moran population, split as evenly as possible among the players (earlier ones
        get the remainder), as :func:`~sccgames.evolve` splits it. Default its, 50.
    selection, mutation : float
        The Moran process's; defaults :func:`~sccgames.engines.evolution.moran_process`'s.

    """

    dynamics: str = default(evolution.evolve, "dynamics").value
    generations: int = default(evolution.evolve, "generations")
    population: int = default(evolution.evolve, "population")
    selection: float = default(evolution.moran_process, "selection")
    mutation: float = default(evolution.moran_process, "mutation")


# ----------------------------------------------------------------------------- the file
def to_config(setup: TournamentSetup) -> tuple[dict[str, Any], dict[str, str]]:
    """The experiment config of ``setup``, and which field writes each key path.

    The second mapping places an error's key path
    (:class:`~sccgames.experiments.config.ConfigError`) next to the field it came from.
    """
    s = setup
    where = {
        "name": "name",
        "seed": "seed",
        "tournament.players": "players",
        "tournament.turns": "turns",
        "tournament.repetitions": "repetitions",
        "tournament.noise": "noise",
        "tournament.game": "game",
        "tournament.domains": "watched_share",
        "tournament.regime": "regime",
    }
    tournament: dict[str, Any] = {
        "players": list(s.players),
        "turns": s.turns,
        "repetitions": s.repetitions,
        "noise": s.noise,
        "game": s.game,
        "domains": {"watched": s.watched_share, "unwatched": rest(s.watched_share)},
        "regime": "none",
    }
    if s.regime == "social_credit":
        tournament["regime"] = {
            "kind": "social_credit",
            "coverage": {"watched": s.coverage_watched, "unwatched": s.coverage_unwatched},
            "reward": s.reward,
            "fine": s.fine,
            "false_positive": s.false_positive,
            "false_negative": s.false_negative,
        }
        where |= {f"tournament.regime.{k}": k for k in SOCIAL_CREDIT_FIELDS[2:]}
        where |= {f"tournament.regime.coverage.{d}": f"coverage_{d}" for d in DOMAINS}
    elif s.regime != "none":
        tournament["regime"] = s.regime  # the file's check names what is allowed
    config = {"kind": "tournament", "name": s.name, "seed": s.seed, "tournament": tournament}
    return config, where


def from_config(raw: Mapping[str, Any]) -> TournamentSetup:
    """The setup of a checked tournament config (``Experiment.raw``).

    A file without a regime and one with ``regime = "none"`` are the same tournament; the
    page shows both and exports the second.

    Raises
    ------
    ConfigError
        If the config sets anything the page cannot show (a player the page does not offer,
        a game's own payoffs, a third domain, a regime setting the page has no field for, a
        sweep, …): its key path and value.

    """
    tournament = dict(raw.get("tournament") or {})
    unshown = unshown_players(tournament.get("players") or ())
    if unshown is not None:
        raise ConfigError(unshown[1], unshown[0])
    domains = tournament.get("domains") or {}
    regime = tournament.get("regime")
    values: dict[str, Any] = {
        "name": raw.get("name"),
        "seed": raw.get("seed"),
        "players": tuple(tournament.get("players") or ()),
        "turns": tournament.get("turns"),
        "repetitions": tournament.get("repetitions"),
        "noise": tournament.get("noise"),
        "game": kind_of(tournament.get("game")),
        "watched_share": domains.get("watched"),
        "regime": kind_of(regime),
    }
    if kind_of(regime) == "none":
        tournament["regime"] = "none"
    elif isinstance(regime, Mapping):
        coverage = regime.get("coverage")
        if isinstance(coverage, Mapping):
            values["coverage_watched"] = coverage.get("watched")
            values["coverage_unwatched"] = coverage.get("unwatched")
        for key in ("reward", "fine", "false_positive", "false_negative"):
            values[key] = regime.get(key)
    setup = TournamentSetup(**{k: v for k, v in values.items() if v is not None})
    check_shown({**raw, "tournament": tournament}, to_config(setup)[0], "tournament")
    return setup


def unshown_players(players: Any) -> tuple[str, str] | None:
    """The key path and one-line reason the page cannot seat ``players``, or ``None``.

    The page seats players in the order of :data:`PLAYERS` (its list shows them so), and the
    order is part of a tournament: it decides which seed each match draws.
    """
    for k, player in enumerate(players):
        path = f"tournament.players[{k}]"
        if player not in PLAYERS:
            return path, (
                f"the tournament page does not offer {player!r} (it offers the motive presets "
                "and axelrod's classics listed on the page); run the file with 'sccgames run'"
            )
        if player in players[:k]:
            return path, f"the tournament page seats each player once; {player!r} is twice"
        if k and PLAYERS.index(player) < PLAYERS.index(players[k - 1]):
            return path, (
                f"the tournament page seats players in the order of its list, {player!r} "
                f"before {players[k - 1]!r}; run the file with 'sccgames run'"
            )
    return None


def seating(players: Any) -> tuple[str, ...]:
    """``players`` in the page's order (:data:`PLAYERS`)."""
    return tuple(p for p in PLAYERS if p in players)


# ----------------------------------------------------------------------------- the evolution
def check_evolution(evo: EvolutionSetup, players: int) -> tuple[str, str] | None:
    """The field and one-line message of a bad evolution setting, or ``None``.

    The evolution engine's own checks (:func:`~sccgames.engines.evolution.iter_moran`,
    :func:`~sccgames.engines.evolution.iter_replicator`) run on a stand-in payoff matrix of
    ``players`` types, so the page says what the engine would say.
    """
    if evo.dynamics not in {d.value for d in evolution.Dynamics}:
        allowed = ", ".join(d.value for d in evolution.Dynamics)
        return "dynamics", f"dynamics must be one of {allowed}, got {evo.dynamics!r}"
    if isinstance(evo.generations, int) and evo.generations > MAX_GENERATIONS:
        return "generations", (
            f"the page evolves at most {MAX_GENERATIONS} generations, got {evo.generations}; "
            "use sccgames.evolve for more"
        )
    names = [f"player {k}" for k in range(max(players, 2))]
    payoffs = pd.DataFrame(np.zeros((len(names), len(names))), index=names, columns=names)
    try:
        if evo.dynamics == evolution.Dynamics.REPLICATOR.value:
            evolution.iter_replicator(payoffs, generations=evo.generations)
        else:
            evolution.iter_moran(
                payoffs,
                _counts(names, evo.population),
                evo.generations,
                evo.selection,
                evo.mutation,
            )
    except (TypeError, ValueError) as exc:
        message = str(exc)
        for field in ("generations", "selection", "mutation"):
            if message.startswith(field):
                return field, message
        return "population", f"population must be at least 2, got {evo.population!r}"
    return None


def _counts(names: list[str], population: Any) -> dict[str, int]:
    """The Moran population split as evenly as possible, earlier types taking the rest."""
    if not isinstance(population, int) or isinstance(population, bool) or population < 2:
        return {name: 0 for name in names}  # refused by the engine's check, with a message
    base, extra = divmod(population, len(names))
    return {name: base + (k < extra) for k, name in enumerate(names)}


def evolution_seed(seed: int) -> np.random.SeedSequence:
    """The Moran process's seed: a child of the setup's seed.

    Chosen so that it is not the tournament's own stream and the same setup always evolves
    the same way.
    """
    return np.random.SeedSequence(seed).spawn(1)[0]


def evolve(payoffs: pd.DataFrame, evo: EvolutionSetup, seed: int) -> pd.DataFrame:
    """Each player's share, generation by generation, from a tournament's payoff matrix.

    Columns ``generation``, ``type``, ``share`` (and ``count`` for the Moran process).
    """
    if evo.dynamics == evolution.Dynamics.REPLICATOR.value:
        return evolution.replicator_dynamics(payoffs, generations=evo.generations)
    return evolution.moran_process(
        payoffs,
        _counts(list(payoffs.index), evo.population),
        evo.generations,
        evo.selection,
        evo.mutation,
        seed=evolution_seed(seed),
    )


# ----------------------------------------------------------------------------- the figures
def boxes(matches: pd.DataFrame) -> pd.DataFrame:
    """One row per player, ranked by median: its payoffs over repetitions as a box.

    Each player's payoff in a repetition is its mean payoff per turn over its matches in
    that repetition (as :func:`sccgames.experiments.plots.payoff_boxplot` draws it). Columns
    ``name``, ``rank``, ``q1``, ``median``, ``q3``, ``lower``, ``upper`` (whiskers: the
    furthest values within 1.5 interquartile ranges of the box, never inside it, as
    :func:`matplotlib.cbook.boxplot_stats` has them) and ``mean``.
    """
    per_repetition = matches.groupby(["player", "repetition"])["payoff"].mean()
    names = matches.groupby("player")["name"].first()
    rows = []
    for player in names.index:
        values = per_repetition.loc[player].to_numpy(dtype=float)
        q1, median, q3 = np.quantile(values, [0.25, 0.5, 0.75])
        reach = 1.5 * (q3 - q1)
        rows.append(
            {
                "player": int(player),
                "name": str(names[player]),
                "q1": q1,
                "median": median,
                "q3": q3,
                "lower": min(values[values >= q1 - reach].min(), q1),
                "upper": max(values[values <= q3 + reach].max(), q3),
                "mean": float(values.mean()),
            }
        )
    frame = pd.DataFrame(rows).sort_values(["median", "player"], ascending=[False, True])
    frame["rank"] = np.arange(1, len(frame) + 1)
    return frame.reset_index(drop=True)


def points(matches: pd.DataFrame) -> pd.DataFrame:
    """Each player's payoff in each repetition (columns ``name``, ``repetition``, ``payoff``)."""
    per = matches.groupby(["player", "repetition"], as_index=False).agg(
        name=("name", "first"), payoff=("payoff", "mean")
    )
    return per[["name", "repetition", "payoff"]]


def cooperation(summary: pd.DataFrame, order: list[str]) -> dict[str, list[Any]]:
    """The cooperation chart's columns: one bar per player and domain, players in ``order``."""
    rows = summary.set_index("name")
    x, share, domain = [], [], []
    for name in order:
        for label in DOMAINS:
            x.append((name, label))
            share.append(float(rows.loc[name, f"cooperation_{label}"]))
            domain.append(label)
    return {"x": x, "share": share, "domain": domain}


# ----------------------------------------------------------------------------- the page
def page() -> Any:
    """A fresh tournament page for one browser session."""
    import panel as pn
    from bokeh.models import ColumnDataSource, FactorRange, Whisker
    from bokeh.palettes import Category10_10, Category20_20
    from bokeh.plotting import figure
    from bokeh.transform import factor_cmap

    from sccgames.engines.metrics import payoff_matrix
    from sccgames.experiments.config import ConfigError, parse
    from sccgames.explorer.common import (
        Form,
        Worker,
        download_button,
        load_setup,
        toml_text,
    )

    start, evo_start = TournamentSetup(), EvolutionSetup()
    num, integer = pn.widgets.FloatInput, pn.widgets.IntInput
    fields: dict[str, Any] = {
        "name": pn.widgets.TextInput(label="Name", value=start.name),
        "seed": integer(label="Seed", value=start.seed),
        "players": pn.widgets.MultiChoice(
            label="Players (motive presets and axelrod's classics)",
            options=list(PLAYERS),
            value=list(start.players),
        ),
        "turns": integer(label="Turns per match", value=start.turns, step=50),
        "repetitions": integer(label="Repetitions", value=start.repetitions),
        "noise": num(label="Noise (chance a move flips)", value=start.noise, step=0.01),
        "game": pn.widgets.Select(label="Game", options=list(GAMES), value=start.game),
        "watched_share": num(
            label="Share of turns in the watched domain", value=start.watched_share, step=0.1
        ),
        "regime": pn.widgets.Select(label="Regime", options=list(REGIMES), value=start.regime),
        "coverage_watched": num(
            label="Coverage, watched domain", value=start.coverage_watched, step=0.1
        ),
        "coverage_unwatched": num(
            label="Coverage, unwatched domain", value=start.coverage_unwatched, step=0.1
        ),
        "reward": num(label="Reward", value=start.reward, step=0.1),
        "fine": num(label="Fine", value=start.fine, step=0.1),
        "false_positive": num(label="False positives", value=start.false_positive, step=0.01),
        "false_negative": num(label="False negatives", value=start.false_negative, step=0.01),
        "dynamics": pn.widgets.Select(
            label="Dynamics",
            options=[d.value for d in evolution.Dynamics],
            value=evo_start.dynamics,
        ),
        "generations": integer(label="Generations", value=evo_start.generations, step=100),
        "population": integer(label="Moran population", value=evo_start.population, step=10),
        "selection": num(label="Selection intensity", value=evo_start.selection, step=0.1),
        "mutation": num(label="Mutation", value=evo_start.mutation, step=0.01),
    }
    form = Form(fields)
    evo_fields = [f.name for f in dataclasses.fields(EvolutionSetup)]

    def setups() -> tuple[TournamentSetup, EvolutionSetup]:
        values = form.values()
        evo = EvolutionSetup(**{k: values.pop(k) for k in evo_fields})
        values["players"] = seating(values["players"])
        return TournamentSetup(**values), evo

    def fill(setup: TournamentSetup) -> None:
        values = dataclasses.asdict(setup)
        values["players"] = list(values["players"])
        form.set_values(values)

    # the charts
    box_source = ColumnDataSource(
        {k: [] for k in ("name", "rank", "q1", "median", "q3", "lower", "upper", "mean")},
        name="tournament-boxes",
    )
    point_source = ColumnDataSource(
        {"name": [], "repetition": [], "payoff": []}, name="tournament-points"
    )
    coop_source = ColumnDataSource({"x": [], "share": [], "domain": []}, name="tournament-coop")
    evo_source = ColumnDataSource(
        {"xs": [], "ys": [], "type": [], "color": []}, name="tournament-evolution"
    )
    box_fig = figure(
        title="Payoff per player over repetitions, ranked by median",
        x_range=FactorRange(),
        height=300,
        width=900,
        tools="save,hover",
        tooltips=[("player", "@name"), ("median", "@median{0.000}"), ("mean", "@mean{0.000}")],
        y_axis_label="mean payoff per turn",
        name="chart-boxes",
    )
    box_fig.vbar("name", 0.6, "median", "q3", source=box_source, fill_color="#9ecae1")
    box_fig.vbar("name", 0.6, "q1", "median", source=box_source, fill_color="#9ecae1")
    box_fig.add_layout(Whisker(base="name", upper="upper", lower="q3", source=box_source))
    box_fig.add_layout(Whisker(base="name", upper="q1", lower="lower", source=box_source))
    box_fig.scatter("name", "payoff", source=point_source, size=4, color="black", alpha=0.4)
    box_fig.xaxis.major_label_orientation = 0.6

    coop_fig = figure(
        title="Cooperation: share of C where watched (coverage above 0) and where not",
        x_range=FactorRange(),
        y_range=(0, 1),
        height=300,
        width=900,
        tools="save",
        y_axis_label="share of turns cooperating",
        name="chart-cooperation",
    )
    coop_fig.vbar(
        "x",
        0.9,
        "share",
        source=coop_source,
        legend_field="domain",
        fill_color=factor_cmap("domain", ["#1f77b4", "#ff7f0e"], list(DOMAINS), start=1),
        line_color=None,
    )
    coop_fig.xaxis.major_label_orientation = 0.6
    coop_fig.xaxis.group_label_orientation = 0.6
    coop_fig.add_layout(coop_fig.legend[0], "right")

    evo_fig = figure(
        title="Evolution of the same players (computed from the tournament's payoffs)",
        height=300,
        width=900,
        y_range=(0, 1),
        tools="save",
        x_axis_label="generation",
        y_axis_label="share",
        name="chart-evolution",
    )
    evo_fig.multi_line(
        "xs", "ys", source=evo_source, color="color", line_width=2, legend_field="type"
    )
    evo_fig.add_layout(evo_fig.legend[0], "right")

    status = pn.pane.Markdown("Choose the players and press Run.", css_classes=["status"])
    note = pn.pane.Markdown(
        "The evolution is computed from the tournament's results (its payoff matrix); its "
        "settings are not part of the experiment file, which reproduces the tournament.",
        css_classes=["evolution-note"],
    )
    run_button = pn.widgets.Button(label="Run", color="primary", css_classes=["run"])
    stop_button = pn.widgets.Button(label="Stop", disabled=True, css_classes=["stop"])
    upload = pn.widgets.FileInput(
        accept=".toml", label="Load an experiment file", css_classes=["load"]
    )
    session: dict[str, Any] = {"generation": 0, "result": None, "started": 0.0}
    holder: dict[str, Worker] = {}

    def checked() -> tuple[dict[str, Any], TournamentSetup, EvolutionSetup] | None:
        """The form's config and setups, or None with the error shown by its field."""
        try:
            setup, evo = setups()
        except (TypeError, ValueError) as exc:  # pragma: no cover - widgets give typed values
            form.say(str(exc))
            return None
        if form.show_empty() is not None:
            return None
        config, where = to_config(setup)
        try:
            parse(config, "the page").build()
        except ConfigError as exc:
            form.show(exc, where)
            return None
        bad = check_evolution(evo, len(setup.players))
        if bad is not None:
            form.clear()
            form.messages[bad[0]].object, form.messages[bad[0]].visible = bad[1], True
            return None
        form.clear()
        return config, setup, evo

    def validate(*_: Any) -> None:
        for name in SOCIAL_CREDIT_FIELDS:  # a regime's settings count only with the regime
            fields[name].disabled = fields["regime"].value == "none"
        ok = checked() is not None
        run_button.disabled = not ok or session.get("running", False)
        export.disabled = not ok

    def draw_tournament(results: Any) -> None:
        box = boxes(results.matches)
        order = list(box["name"])
        box_fig.x_range.factors = order
        box_source.data = {k: list(box[k]) for k in box_source.data}
        per = points(results.matches)
        point_source.data = {k: list(per[k]) for k in point_source.data}
        coop_fig.x_range.factors = [(n, d) for n in order for d in DOMAINS]
        coop_source.data = cooperation(results.summary, order)

    def draw_evolution(frame: pd.DataFrame) -> None:
        types = list(dict.fromkeys(frame["type"]))
        palette = Category10_10 if len(types) <= 10 else Category20_20
        xs, ys = [], []
        for name in types:
            rows = frame[frame["type"] == name]
            xs.append(rows["generation"].tolist())
            ys.append(rows["share"].tolist())
        evo_source.data = {
            "xs": xs,
            "ys": ys,
            "type": types,
            "color": [palette[k % len(palette)] for k in range(len(types))],
        }

    def on_items(batch: list[Any]) -> None:
        try:
            draw(batch)
        except Exception as exc:  # a figure's error is the page's to show, never the server's
            session["generation"] += 1
            session["running"] = False
            new_worker()
            stop_button.disabled = True
            status.object = f"stopped: the results could not be drawn ({exc})"
            validate()

    def draw(batch: list[Any]) -> None:
        for generation, kind, item in batch:
            if generation != session["generation"]:
                continue  # a stopped run's
            elapsed = time.perf_counter() - session["started"]
            if kind == "tournament":
                session["result"] = item
                draw_tournament(item)
                status.object = (
                    f"tournament played in {elapsed:.1f} s · evolving "
                    f"({session['evolution'].dynamics})…"
                )
            else:
                session["evolved"] = item
                draw_evolution(item)

    def on_end(ending: str) -> None:
        session["running"] = False
        stop_button.disabled = True
        if ending.startswith("error"):
            status.object = f"stopped by an {ending}"
        elif ending == "finished" and session.get("evolved") is not None:
            elapsed = time.perf_counter() - session["started"]
            players = len(session["result"].names)
            status.object = f"finished: {players} players in {elapsed:.1f} s"
        else:
            status.object = "stopped"
        validate()

    def new_worker() -> Worker:
        old = holder.get("worker")
        if old is not None:
            old.stop()
            if old.callback is not None:
                old.callback.stop()
        holder["worker"] = Worker(on_items, on_end)
        return holder["worker"]

    new_worker()

    def run(*_: Any) -> None:
        made = checked()
        if made is None or session.get("running"):
            return
        config, setup, evo = made
        session["generation"] += 1
        session.update(result=None, evolved=None, evolution=evo, running=True)
        session["started"] = time.perf_counter()
        worker = holder["worker"] if not holder["worker"].busy else new_worker()
        worker.start(
            _computation(
                config, setup.seed, evo, session["generation"], payoff_matrix, worker.halt
            )
        )
        run_button.disabled = True
        stop_button.disabled = False
        status.object = f"running a tournament of {len(setup.players)} players…"

    def stop(*_: Any) -> None:
        if not session.get("running"):
            return
        session["generation"] += 1  # whatever the stopped run yields is dropped
        session["running"] = False
        new_worker()  # the old worker's tournament stops at its next chunk of matches
        stop_button.disabled = True
        status.object = "stopped: the run was discarded"
        validate()

    run_button.on_click(run)
    stop_button.on_click(stop)

    def exported() -> str | None:
        made = checked()
        note = "Exported by sccgames explore; run it with: sccgames run <this file>\n"
        note += "The page's evolution is computed from this tournament's results."
        return None if made is None else toml_text(made[0], note)

    def summary() -> str:
        result = session.get("result")
        return (result.summary if result is not None else pd.DataFrame()).to_csv(index=False)

    export = download_button(
        "tournament.toml", "Export experiment file", exported, "export", color="success"
    )
    download = download_button(
        "summary.csv", "Download the tournament's summary", summary, "summary"
    )

    def load(event: Any) -> None:
        if not event.new:
            return
        try:
            setup = load_setup(
                event.new, upload.filename or "the file", "tournament", "tournament", from_config
            )
        except ConfigError as exc:
            form.say(f"not loaded: {exc}")
            return
        stop()
        fill(setup)
        validate()
        status.object = f"loaded {upload.filename or 'the file'}; press Run."

    upload.param.watch(load, "value")
    for widget in fields.values():
        widget.param.watch(validate, "value")
    pn.state.on_session_destroyed(lambda _context: holder["worker"].stop())

    item = form.item
    controls = pn.Column(
        pn.Row(run_button, stop_button),
        form.general,
        pn.Card(item("name"), item("seed"), item("players"), title="Players"),
        pn.Card(
            item("turns"),
            item("repetitions"),
            item("noise"),
            item("game"),
            item("watched_share"),
            title="Matches",
        ),
        pn.Card(
            item("regime"),
            item("coverage_watched"),
            item("coverage_unwatched"),
            item("reward"),
            item("fine"),
            item("false_positive"),
            item("false_negative"),
            title="Regime",
        ),
        pn.Card(
            item("dynamics"),
            item("generations"),
            item("population"),
            item("selection"),
            item("mutation"),
            title="Evolution",
            collapsed=True,
        ),
        pn.Card(upload, export, download, title="Experiment file"),
        width=360,
    )
    validate()
    return pn.Row(
        controls,
        pn.Column(
            status,
            pn.pane.Bokeh(box_fig),
            pn.pane.Bokeh(coop_fig),
            pn.pane.Bokeh(evo_fig),
            note,
        ),
    )


def _computation(
    config: dict[str, Any],
    seed: int,
    evo: EvolutionSetup,
    generation: int,
    payoff_matrix: Any,
    halt: threading.Event,
) -> Iterator[tuple[int, str, Any]]:
    """The run, in the worker: the tournament's results, then the evolution's shares.

    Both are built in the worker thread; each is tagged with the run it belongs to. The
    tournament stops at its next chunk of matches once ``halt`` is set.
    """
    from sccgames.experiments.config import parse
    from sccgames.explorer.common import stop_point

    tournament = parse(config, "the page").build()
    results = tournament.play(progress_bar=False, on_progress=stop_point(halt))
    yield generation, "tournament", results
    yield generation, "evolution", evolve(payoff_matrix(results.matches), evo, seed)
