"""The society page: a whole society under a regime that comes and goes, round by round.

Its setup is a :class:`SocietySetup`; :func:`to_config` makes it the config of a
``kind = "society"`` experiment file, which the page builds and streams
(:meth:`sccgames.Society.stream`) in a worker thread, drawing each round as it comes.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sccgames.experiments.config import ConfigError
from sccgames.explorer.setups import PRESETS, check_shown, default, kind_of, rest
from sccgames.model.population import Population
from sccgames.rules.community import CommunityReputation
from sccgames.rules.institutions import PeerPunishment
from sccgames.rules.matching import RandomMatching
from sccgames.rules.regimes import SocialCredit

#: Games a society can play, by their experiment-file names.
GAMES = ("pd", "stag_hunt", "snowdrift", "harmony", "trust", "public_goods", "lost_wallet")
#: The regimes a page can switch on together (a ``combined`` regime when several are on).
REGIMES = ("social_credit", "community_reputation", "peer_punishment")
#: The first line of an exported file.
EXPORT_NOTE = "Exported by sccgames explore; run it with: sccgames run <this file>"
#: The two domains of a page's society: one the regime watches, one it need not.
DOMAINS = ("watched", "unwatched")


def _default_shares() -> dict[str, float]:
    """The default population's mix (:class:`~sccgames.Population`'s own)."""
    return {str(k): float(v) for k, v in Population(2).shares.items()}


@dataclass(frozen=True)
class SocietySetup:
    """What the society page's inputs hold; each default says where it comes from.

    Attributes
    ----------
    name : str
        The experiment's name (its run folder's, with ``sccgames run``).
    seed : int
        The run's seed; the same seed gives the same run on the page and from the file.
    rounds : int
        Default 50, chosen so that a run shows a society before, under and after its regime.
    size : int
        Citizens. Default 10 000: a society as large as the page draws at speed.
    shares : dict of str to float
        Each preset's share. Default: the default population's mix.
    communities : int
        Default 1, :class:`~sccgames.Population`'s.
    homophily : float
        Share of citizens who meet inside their community. Default 0,
        :class:`~sccgames.RandomMatching`'s.
    game : str
        Default ``"pd"``, :class:`~sccgames.Society`'s.
    watched_share : float
        Share of acts in the watched domain (the rest are unwatched). Default 0.5, chosen so
        that the two domains are compared on equal numbers of acts.
    coverage_watched, coverage_unwatched : float
        The social credit system's coverage of each domain. Defaults 1 and 0, chosen so that
        one domain is always watched and the other never.
    regimes : tuple of str
        The regimes on (of :data:`REGIMES`). Default a social credit system.
    reward, fine, false_positive, false_negative, appeal, public_scores, blacklist_threshold
        The social credit system's; defaults :class:`~sccgames.SocialCredit`'s.
    visibility, assessment
        Community reputation's; defaults :class:`~sccgames.CommunityReputation`'s.
    punishment_cost, punishment_fine
        Peer punishment's ``cost`` and ``fine``; defaults :class:`~sccgames.PeerPunishment`'s.
    introduce : int
        The round the regimes start. Default 10, chosen so that the run starts with a baseline.
    remove : int or None
        The round they end (``None``: never). Default 35, chosen so that 15 rounds show
        what stays after them.

    """

    name: str = "society"
    seed: int = 1
    rounds: int = 50
    size: int = 10_000
    shares: dict[str, float] = dataclasses.field(default_factory=_default_shares)
    communities: int = 1
    homophily: float = default(RandomMatching, "homophily")
    game: str = "pd"
    watched_share: float = 0.5
    coverage_watched: float = 1.0
    coverage_unwatched: float = 0.0
    regimes: tuple[str, ...] = ("social_credit",)
    reward: float = default(SocialCredit, "reward")
    fine: float = default(SocialCredit, "fine")
    false_positive: float = default(SocialCredit, "false_positive")
    false_negative: float = default(SocialCredit, "false_negative")
    appeal: float = default(SocialCredit, "appeal")
    public_scores: bool = default(SocialCredit, "public_scores")
    blacklist_threshold: float = default(SocialCredit, "blacklist_threshold")
    visibility: float = default(CommunityReputation, "visibility")
    assessment: str = default(CommunityReputation, "norm").value
    punishment_cost: float = default(PeerPunishment, "cost")
    punishment_fine: float = default(PeerPunishment, "fine")
    introduce: int = 10
    remove: int | None = 35


def _regime(setup: SocietySetup, path: str, where: dict[str, str]) -> Any:
    """The setup's regime as a config value, recording which field writes which key."""
    parts: list[dict[str, Any]] = []
    for kind in REGIMES:
        if kind not in setup.regimes:
            continue
        if kind == "social_credit":
            fields = {
                "coverage": {
                    "watched": setup.coverage_watched,
                    "unwatched": setup.coverage_unwatched,
                },
                "reward": setup.reward,
                "fine": setup.fine,
                "false_positive": setup.false_positive,
                "false_negative": setup.false_negative,
                "appeal": setup.appeal,
                "public_scores": setup.public_scores,
                "blacklist_threshold": setup.blacklist_threshold,
            }
            names = {k: k for k in fields} | {
                "coverage.watched": "coverage_watched",
                "coverage.unwatched": "coverage_unwatched",
            }
            names.pop("coverage")
        elif kind == "community_reputation":
            fields = {"visibility": setup.visibility, "norm": setup.assessment}
            names = {"visibility": "visibility", "norm": "assessment"}
        else:
            fields = {"cost": setup.punishment_cost, "fine": setup.punishment_fine}
            names = {"cost": "punishment_cost", "fine": "punishment_fine"}
        here = f"{path}.parts[{len(parts)}]" if len(setup.regimes) > 1 else path
        where.update({f"{here}.{key}": name for key, name in names.items()})
        parts.append({"kind": kind, **fields})
    if not parts:
        return "none"
    return parts[0] if len(parts) == 1 else {"kind": "combined", "parts": parts}


def to_config(setup: SocietySetup) -> tuple[dict[str, Any], dict[str, str]]:
    """The experiment config of ``setup``, and which field writes each key path.

    The second mapping places an error's key path
    (:class:`~sccgames.experiments.config.ConfigError`) next to the field it came from.
    """
    s = setup
    where = {
        "name": "name",
        "seed": "seed",
        "society.rounds": "rounds",
        "society.population.size": "size",
        "society.population.shares": "shares",
        "society.population.communities": "communities",
        "society.matching.homophily": "homophily",
        "society.game": "game",
        "society.domains": "watched_share",
    }
    society: dict[str, Any] = {
        "rounds": s.rounds,
        "game": s.game,
        "domains": {"watched": s.watched_share, "unwatched": rest(s.watched_share)},
        "matching": {"kind": "random", "homophily": s.homophily},
        "population": {
            "size": s.size,
            "shares": {k: v for k, v in s.shares.items() if v != 0},
            "communities": s.communities,
        },
    }
    if not s.regimes or (s.introduce == 0 and s.remove is None):
        society["regime"] = _regime(s, "society.regime", where)
    else:
        schedule: list[dict[str, Any]] = []
        if s.introduce != 0:
            schedule.append({"start": 0, "regime": "none"})
        where[f"society.schedule[{len(schedule)}].start"] = "introduce"
        schedule.append({"start": s.introduce, "regime": None})
        index = len(schedule) - 1
        if s.remove is not None:
            where[f"society.schedule[{len(schedule)}].start"] = "remove"
            schedule.append({"start": s.remove, "regime": "none"})
        where["society.schedule"] = "introduce"
        schedule[index]["regime"] = _regime(s, f"society.schedule[{index}].regime", where)
        society["schedule"] = schedule
    config = {"kind": "society", "name": s.name, "seed": s.seed, "society": society}
    return config, where


def check(setup: SocietySetup) -> None:
    """What the page asks beyond the file: the regimes end after they start.

    (A file's schedule lists phases in any order; on the page a removal before the
    introduction is a typing slip.)

    Raises
    ------
    ConfigError
        At the removal's key path.

    """
    if setup.regimes and setup.remove is not None and setup.remove <= setup.introduce:
        path = next(p for p, name in to_config(setup)[1].items() if name == "remove")
        raise ConfigError(
            f"the regimes must be removed after they are introduced (round {setup.introduce}), "
            f"got round {setup.remove}",
            path,
        )


def from_config(raw: dict[str, Any]) -> SocietySetup:
    """The setup of a checked society config (``Experiment.raw``).

    Raises
    ------
    ConfigError
        If the config sets anything the page cannot show (a sweep, a third domain, a
        schedule of more phases, …): its key path and value.

    """
    society = raw.get("society") or {}
    population = society.get("population") or {}
    domains = _table(society.get("domains"))
    values: dict[str, Any] = {
        "name": raw.get("name"),
        "seed": raw.get("seed"),
        "rounds": society.get("rounds"),
        "size": population.get("size"),
        "shares": {p: float(v) for p, v in (population.get("shares") or {}).items() if v != 0},
        "communities": population.get("communities"),
        "homophily": _table(society.get("matching")).get("homophily", 0.0),
        "game": kind_of(society.get("game")),
        "watched_share": domains.get("watched", 1.0),
        "introduce": 0,
        "remove": None,
    }
    regime = society.get("regime")
    schedule = society.get("schedule")
    if schedule:
        phases = [p for p in schedule if kind_of(p["regime"]) != "none"]
        if phases:
            regime = phases[0]["regime"]
            values["introduce"] = phases[0]["start"]
            after = [p["start"] for p in schedule if p["start"] > phases[0]["start"]]
            values["remove"] = after[0] if after else None
    values.update(_regime_values(regime))
    setup = SocietySetup(**{k: v for k, v in values.items() if v is not None or k == "remove"})
    check_shown(raw, to_config(setup)[0], "society")
    return setup


def _table(value: Any) -> dict[str, Any]:
    """A config table, or an empty one for a bare name or nothing."""
    return value if isinstance(value, dict) else {}


def _regime_values(regime: Any) -> dict[str, Any]:
    """The page's fields of a regime config (a single regime or a combined one)."""
    kind = kind_of(regime)
    parts = regime.get("parts", []) if kind == "combined" else [] if kind == "none" else [regime]
    values: dict[str, Any] = {"regimes": tuple(kind_of(p) for p in parts)}
    for part in parts:
        kind = kind_of(part)
        if kind == "social_credit":
            coverage = part.get("coverage")
            if isinstance(coverage, dict):
                values["coverage_watched"] = coverage.get("watched", 1.0)
                values["coverage_unwatched"] = coverage.get("unwatched", 0.0)
            keys = ("reward", "fine", "false_positive", "false_negative", "appeal")
            values |= {k: part[k] for k in (*keys, "public_scores", "blacklist_threshold")}
        elif kind == "community_reputation":
            values |= {"visibility": part["visibility"], "assessment": part["norm"]}
        elif kind == "peer_punishment":
            values |= {"punishment_cost": part["cost"], "punishment_fine": part["fine"]}
    return values


# ----------------------------------------------------------------------------- the run's figures
#: The charts' series: (chart, series label, the figure read, the domain it is read in).
SERIES = (
    ("cooperation", "watched", "cooperation", "watched"),
    ("cooperation", "unwatched", "cooperation", "unwatched"),
    ("trust", "trust", "trust", "all"),
    ("trust", "in group", "trust_in_group", "all"),
    ("trust", "out of group", "trust_out_group", "all"),
    ("norms", "norm", "norm", "all"),
    ("norms", "legitimacy", "legitimacy", "all"),
    ("inequality", "Gini", "gini", "all"),
    ("inequality", "blacklisted", "blacklisted", "all"),
)
#: Quantiles of the citizens' scores drawn each round.
SCORE_QUANTILES = (0.1, 0.5, 0.9)


def round_points(state: Any) -> dict[str, float]:
    """One round's points for every chart series, keyed ``chart/label``, plus ``round``."""
    figures = state.figures
    domains = list(figures["domain"])
    point = {"round": float(state.round)}
    for chart, label, figure, domain in SERIES:  # NaN for a domain the society lacks
        found = domain in domains
        point[f"{chart}/{label}"] = (
            float(figures[figure][domains.index(domain)]) if found else float("nan")
        )
    score = state.score
    quantiles = (
        np.quantile(score, SCORE_QUANTILES)
        if score is not None and not np.isnan(score).all()
        else [np.nan] * len(SCORE_QUANTILES)
    )
    for q, value in zip(SCORE_QUANTILES, quantiles, strict=True):
        point[f"scores/{q:.0%}"] = float(value)
    return point


# ----------------------------------------------------------------------------- the page
def page() -> Any:
    """A fresh society page for one browser session."""
    import panel as pn
    from bokeh.models import BoxAnnotation, ColumnDataSource, Range1d
    from bokeh.palettes import Category10_10
    from bokeh.plotting import figure

    from sccgames.experiments.config import parse
    from sccgames.explorer.common import (
        Form,
        Worker,
        download_button,
        load_setup,
        tagged,
        toml_text,
    )

    start = SocietySetup()
    num, integer = pn.widgets.FloatInput, pn.widgets.IntInput
    fields: dict[str, Any] = {
        "name": pn.widgets.TextInput(label="Name", value=start.name),
        "seed": integer(label="Seed", value=start.seed),
        "rounds": integer(label="Rounds", value=start.rounds, step=10),
        "size": integer(label="Citizens", value=start.size, step=1000),
        **{
            f"share_{p}": num(label=f"{p} share", value=start.shares.get(p, 0.0), step=0.05)
            for p in PRESETS
        },
        "communities": integer(label="Communities", value=start.communities),
        "homophily": num(label="Homophily", value=start.homophily, step=0.1),
        "game": pn.widgets.Select(label="Game", options=list(GAMES), value=start.game),
        "watched_share": num(
            label="Share of acts in the watched domain", value=start.watched_share, step=0.1
        ),
        "regimes": pn.widgets.CheckBoxGroup(
            label="Regimes", options=list(REGIMES), value=list(start.regimes)
        ),
        "introduce": integer(label="Introduce at round", value=start.introduce),
        "remove": integer(label="Remove at round (empty: never)", value=start.remove),
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
        "appeal": num(
            label="Appeals (share of false sanctions undone)", value=start.appeal, step=0.1
        ),
        "public_scores": pn.widgets.Checkbox(label="Public scores", value=start.public_scores),
        "blacklist_threshold": num(
            label="Blacklist below score", value=start.blacklist_threshold, step=5
        ),
        "visibility": num(label="Visibility to peers", value=start.visibility, step=0.1),
        "assessment": pn.widgets.Select(
            label="Assessment norm",
            options=["image_scoring", "standing", "stern_judging"],
            value=start.assessment,
        ),
        "punishment_cost": num(
            label="Punishing costs the punisher", value=start.punishment_cost, step=0.1
        ),
        "punishment_fine": num(label="Punishment fine", value=start.punishment_fine, step=0.1),
    }
    form = Form(fields)

    def setup_of() -> SocietySetup:
        values = form.values()
        shares = {p: values.pop(f"share_{p}") for p in PRESETS}
        values["regimes"] = tuple(values["regimes"])
        return SocietySetup(shares=shares, **values)

    def fill(setup: SocietySetup) -> None:
        values = dataclasses.asdict(setup)
        shares = values.pop("shares")
        values["regimes"] = list(values["regimes"])
        form.set_values(values | {f"share_{p}": shares.get(p, 0.0) for p in PRESETS})

    def share_field(where: dict[str, str]) -> dict[str, str]:
        # an error in the shares is shown under the first preset's share
        return {k: (f"share_{PRESETS[0]}" if v == "shares" else v) for k, v in where.items()}

    # the charts: one ColumnDataSource, one figure per chart
    charts = {
        "cooperation": "Cooperation by domain",
        "trust": "Trust: generalized, in and out of group",
        "norms": "Norm and legitimacy",
        "scores": "Scores: 10th, 50th and 90th percentile",
        "inequality": "Gini of payoffs; share blacklisted",
    }
    keys = [f"{c}/{label}" for c, label, _, _ in SERIES] + [
        f"scores/{q:.0%}" for q in SCORE_QUANTILES
    ]
    source = ColumnDataSource({"round": [], **{k: [] for k in keys}}, name="society-rounds")
    x_range = Range1d(0, start.rounds)
    shades = []
    figures = []
    for chart, title in charts.items():
        fig = figure(
            title=title,
            height=230,
            width=470,
            x_range=x_range,
            tools="save",
            x_axis_label="round",
            name=f"chart-{chart}",
        )
        shade = BoxAnnotation(fill_alpha=0.12, fill_color="#d62728", line_alpha=0)
        fig.add_layout(shade)
        shades.append(shade)
        lines = [k for k in keys if k.startswith(chart + "/")]
        for color, key in zip(Category10_10, lines, strict=False):
            fig.line(
                "round",
                key,
                source=source,
                color=color,
                line_width=2,
                legend_label=key.split("/", 1)[1],
            )
        fig.legend.location = "top_left"
        fig.legend.background_fill_alpha = 0.5
        figures.append(fig)

    status = pn.pane.Markdown("Set up a society and press Run.", css_classes=["status"])
    run_button = pn.widgets.Button(label="Run", color="primary", css_classes=["run"])
    pause_button = pn.widgets.Button(label="Pause", disabled=True, css_classes=["pause"])
    step_button = pn.widgets.Button(label="Step", css_classes=["step"])
    reset_button = pn.widgets.Button(label="Reset", css_classes=["reset"])
    upload = pn.widgets.FileInput(
        accept=".toml", label="Load an experiment file", css_classes=["load"]
    )
    session: dict[str, Any] = {"run": None, "config": None, "frames": [], "generation": 0}
    pending: dict[str, Any] = {}  # chart changes for the next refresh

    def checked() -> tuple[dict[str, Any], Any] | None:
        """The form's config and society, or None with the error shown by its field."""
        try:
            setup = setup_of()
        except (TypeError, ValueError) as exc:  # pragma: no cover - widgets give typed values
            form.say(str(exc))
            return None
        if form.show_empty(optional=("remove",)) is not None:  # empty removal: never
            return None
        config, where = to_config(setup)
        try:
            check(setup)
            society = parse(config, "the page").build()
        except ConfigError as exc:
            form.show(exc, share_field(where))
            return None
        form.clear()
        return config, society

    def validate(*_: Any) -> None:
        ok = checked() is not None
        run_button.disabled = step_button.disabled = not ok or worker.busy
        export.disabled = not ok

    def on_tick() -> None:
        if pending.pop("reset", None) is not None:
            _reset_charts()

    def on_items(batch: list[Any]) -> None:
        batch = [state for generation, state in batch if generation == session["generation"]]
        if not batch:
            return
        session["frames"].extend(state.metrics for state in batch)
        points = [round_points(state) for state in batch]
        source.stream({k: [p[k] for p in points] for k in points[0]})
        done = batch[-1].round + 1
        elapsed = time.perf_counter() - session["started"]
        session["shown"] = session.get("shown", 0) + len(batch)
        rate = session["shown"] / elapsed if elapsed > 0 else float("nan")
        status.object = f"round {done} of {session['rounds']} · {rate:.0f} rounds/s"

    def on_end(ending: str) -> None:
        run_button.disabled = step_button.disabled = False
        pause_button.disabled = True
        if ending.startswith("error"):
            status.object = f"{status.object} · {ending}"
        elif session["run"] is not None and len(session["frames"]) >= session["rounds"]:
            status.object = f"round {session['rounds']} of {session['rounds']} · finished"
        elif session["run"] is not None:
            status.object = f"{status.object} · paused"

    worker = Worker(on_items, on_end, on_tick)

    def _reset_charts() -> None:
        source.data = {"round": [], **{k: [] for k in keys}}
        rounds = session["rounds"] or 1  # (a reset while the rounds field is empty)
        x_range.start, x_range.end = 0, rounds
        setup = session["setup"]
        for shade in shades:
            shade.visible = bool(setup.regimes) and setup.introduce is not None
            shade.left = setup.introduce or 0
            shade.right = setup.remove if setup.remove is not None else rounds

    def begin(limit: int | None) -> None:
        made = checked()
        if made is None:
            return
        config, society = made
        finished = session["run"] is not None and len(session["frames"]) >= session["rounds"]
        if session["run"] is None or config != session["config"] or finished:  # a new run
            session["generation"] += 1
            generation = session["generation"]
            session.update(
                run=tagged(society, generation),
                config=config,
                frames=[],
                rounds=society.rounds,
                setup=setup_of(),
                shown=0,
            )
            pending["reset"] = True
        session["started"] = time.perf_counter()
        session["shown"] = 0
        if worker.start(session["run"], limit):
            run_button.disabled = step_button.disabled = True
            pause_button.disabled = False
            status.object = "running…"

    def reset(*_: Any) -> None:
        worker.stop()
        session.update(run=None, config=None, frames=[])
        session["generation"] += 1
        status.object = "Set up a society and press Run."
        if "setup" in session:  # the charts were drawn: clear them at the next refresh
            pending["reset"] = True
            session["setup"] = setup_of()
            session["rounds"] = session["setup"].rounds
            worker.wake()

    run_button.on_click(lambda _e: begin(None))
    step_button.on_click(lambda _e: begin(1))
    pause_button.on_click(lambda _e: worker.stop())
    reset_button.on_click(reset)

    def exported() -> str | None:
        made = checked()
        return None if made is None else toml_text(made[0], EXPORT_NOTE)

    def metrics() -> str:
        frames = session["frames"]
        return (pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()).to_csv(
            index=False
        )

    export = download_button(
        "society.toml", "Export experiment file", exported, "export", color="success"
    )
    download = download_button("metrics.csv", "Download the run's metrics", metrics, "metrics")

    def load(event: Any) -> None:
        if not event.new:
            return
        try:
            setup = load_setup(
                event.new, upload.filename or "the file", "society", "society", from_config
            )
        except ConfigError as exc:
            form.say(f"not loaded: {exc}")
            return
        fill(setup)
        reset()
        validate()

    upload.param.watch(load, "value")
    for widget in fields.values():
        widget.param.watch(validate, "value")
    pn.state.on_session_destroyed(lambda _context: worker.stop())

    item = form.item
    controls = pn.Column(
        pn.Row(run_button, pause_button, step_button, reset_button),
        form.general,
        pn.Card(item("name"), item("seed"), item("rounds"), item("size"), title="Run"),
        pn.Card(
            *(item(f"share_{p}") for p in PRESETS),
            item("communities"),
            item("homophily"),
            title="Population",
        ),
        pn.Card(item("game"), item("watched_share"), title="Game and domains"),
        pn.Card(
            item("regimes"),
            item("introduce"),
            item("remove"),
            pn.pane.Markdown("**Social credit**"),
            item("coverage_watched"),
            item("coverage_unwatched"),
            item("reward"),
            item("fine"),
            item("false_positive"),
            item("false_negative"),
            item("appeal"),
            item("public_scores"),
            item("blacklist_threshold"),
            pn.pane.Markdown("**Community reputation**"),
            item("visibility"),
            item("assessment"),
            pn.pane.Markdown("**Peer punishment**"),
            item("punishment_cost"),
            item("punishment_fine"),
            title="Regime and schedule",
        ),
        pn.Card(upload, export, download, title="Experiment file"),
        width=340,
    )
    validate()
    return pn.Row(
        controls,
        pn.Column(status, pn.GridBox(*(pn.pane.Bokeh(f) for f in figures), ncols=2)),
    )
