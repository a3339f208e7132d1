"""The lost wallet page: one finder's five reasons to return a wallet, taken apart.

A finder of one preset finds a wallet holding some money (:class:`~sccgames.LostWallet`)
while nobody, its neighbours (:class:`~sccgames.CommunityReputation`) or the state
(:class:`~sccgames.SocialCredit`) watches. The page shows what each motive adds to returning
it, in payoff units (``w_k · Δu_k``, ``docs/model.md`` §2), and habit's arbitration weight θ,
all computed by the functions the engines decide with
(:func:`~sccgames.model.decision.motive_utilities`,
:func:`~sccgames.model.decision.p_cooperate`) in the context a society's engine gives a
first-time finder under that watcher (:func:`finder_context`).

Its setup is a :class:`WalletSetup`; :func:`to_config` makes it a ``kind = "society"``
experiment of one round of the lost wallet among citizens of that preset, which the page
runs in a worker thread to show the share of wallets returned, and which ``sccgames run``
reproduces from the exported file.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

import numpy as np

from sccgames.experiments.config import ConfigError
from sccgames.explorer.setups import PRESETS, check_shown, default, kind_of
from sccgames.model import motives
from sccgames.model.decision import (
    Context,
    initial_state,
    motive_utilities,
    new_partner,
    p_cooperate,
)
from sccgames.model.population import resolve_preset
from sccgames.model.profiles import Profile
from sccgames.rules.games import LostWallet, society_game
from sccgames.rules.institutions import schedule
from sccgames.rules.matching import resolve_matching
from sccgames.rules.regimes import NoRegime, SocialCredit

#: Who can watch the find.
WATCHERS = ("nobody", "neighbours", "the state")
#: The four deliberative motives, in the order the page draws them.
MOTIVES = ("rational", "moral", "emotion", "social")
#: Points on the money axis of the page's lines: chosen so that the default axis, 0 to 14,
#: has a point every quarter of a payoff unit.
MONEY_POINTS = 57
#: The money axis ends at this many times the default money at least: Cohn et al.'s "big
#: money" wallet held seven times their "money" wallet (LostWallet's docstring).
BIG_MONEY = 7.0


@dataclass(frozen=True)
class WalletSetup:
    """What the lost wallet page's inputs hold; each default says where it comes from.

    Attributes
    ----------
    name : str
        The experiment's name (its run folder's, with ``sccgames run``). Default
        ``"lost_wallet"``, the game's name in experiment files.
    seed : int
        The society's seed; the same seed gives the same share returned on the page and
        from the exported file. Default 1, the society page's.
    finder : str
        The preset every citizen is (of :data:`PRESETS`). Default ``"Citizen"``, chosen so
        that the finder has every motive at its calibrated default.
    money, effort, owner_value : float
        The wallet's; defaults :class:`~sccgames.LostWallet`'s.
    watcher : str
        Who watches the find (of :data:`WATCHERS`). Default ``"nobody"``: the find as
        Cohn et al.'s wallets were found, unwatched and unpaid.
    citizens : int
        The society's size: citizens meet in pairs and one of each pair finds the other's
        wallet, so half of them are finders. Default 10 000, chosen so that the share
        returned of its 5 000 finds has a standard error below 0.01.
    visibility : float
        The neighbours' (:class:`~sccgames.CommunityReputation`'s): the chance peers see the
        find. Default 1, chosen so that, as in ``notebooks/1_lost_wallet.ipynb``, the
        neighbours see every find.
    coverage : float
        The state's (:class:`~sccgames.SocialCredit`'s): the chance it records the find.
        Default 1, chosen so that, as in ``notebooks/1_lost_wallet.ipynb``, the state
        records every find.
    reward, fine, false_positive, false_negative, public_scores
        The state's; defaults :class:`~sccgames.SocialCredit`'s.

    """

    name: str = "lost_wallet"
    seed: int = 1
    finder: str = "Citizen"
    money: float = default(LostWallet, "money")
    effort: float = default(LostWallet, "effort")
    owner_value: float = default(LostWallet, "owner_value")
    watcher: str = "nobody"
    citizens: int = 10_000
    visibility: float = 1.0
    coverage: float = 1.0
    reward: float = default(SocialCredit, "reward")
    fine: float = default(SocialCredit, "fine")
    false_positive: float = default(SocialCredit, "false_positive")
    false_negative: float = default(SocialCredit, "false_negative")
    public_scores: bool = default(SocialCredit, "public_scores")


#: The state's fields, each the SocialCredit parameter of the same name.
STATE_FIELDS = ("coverage", "reward", "fine", "false_positive", "false_negative", "public_scores")


def _regime(setup: WalletSetup) -> Any:
    """The config value of the setup's watcher."""
    if setup.watcher == "neighbours":
        return {"kind": "community_reputation", "visibility": setup.visibility}
    if setup.watcher == "the state":
        return {"kind": "social_credit", **{k: getattr(setup, k) for k in STATE_FIELDS}}
    if setup.watcher == "nobody":
        return "none"
    return setup.watcher  # (not a watcher: the config's check names it)


def to_config(setup: WalletSetup) -> tuple[dict[str, Any], dict[str, str]]:
    """The experiment config of ``setup``, and which field writes each key path.

    One round of the lost wallet among ``citizens`` finders and owners, all of the preset
    ``finder``, under the watcher's regime: every finder decides at its first find.
    """
    s = setup
    where = {
        "name": "name",
        "seed": "seed",
        "society.game.money": "money",
        "society.game.effort": "effort",
        "society.game.owner_value": "owner_value",
        "society.game": "money",
        "society.population.size": "citizens",
        "society.population.shares": "finder",
        "society.regime": "watcher",
    }
    if s.watcher == "neighbours":
        where["society.regime.visibility"] = "visibility"
    elif s.watcher == "the state":
        where.update({f"society.regime.{k}": k for k in STATE_FIELDS})
    society: dict[str, Any] = {
        "rounds": 1,
        "game": {
            "kind": "lost_wallet",
            "money": s.money,
            "effort": s.effort,
            "owner_value": s.owner_value,
        },
        "population": {"size": s.citizens, "shares": {s.finder: 1.0}},
        "regime": _regime(s),
    }
    config = {"kind": "society", "name": s.name, "seed": s.seed, "society": society}
    return config, where


def from_config(raw: dict[str, Any]) -> WalletSetup:
    """The setup of a checked society config (``Experiment.raw``).

    The parameters of the watchers the file does not use take their defaults.

    Raises
    ------
    ConfigError
        If the config sets anything the page cannot show (more rounds, a mix of presets,
        another game or regime, a schedule, …): its key path and value.

    """
    raw = copy.deepcopy(raw)
    society = raw.get("society") or {}
    if society.get("regime") is None and society.get("schedule") is None:
        society["regime"] = "none"  # no regime, written either way
    if society.get("game") == "lost_wallet":  # the game by name: its defaults
        society["game"] = {"kind": "lost_wallet"} | {
            k: default(LostWallet, k) for k in ("money", "effort", "owner_value")
        }
    game = society.get("game") if isinstance(society.get("game"), dict) else {}
    shares = (society.get("population") or {}).get("shares") or {}
    values: dict[str, Any] = {
        "name": raw.get("name"),
        "seed": raw.get("seed"),
        "citizens": (society.get("population") or {}).get("size"),
        "finder": max(shares, key=lambda k: shares[k]) if shares else None,
        **{k: game.get(k) for k in ("money", "effort", "owner_value")},
    }
    regime = society.get("regime")
    kind = kind_of(regime)
    if kind == "community_reputation":
        values |= {"watcher": "neighbours", "visibility": regime.get("visibility")}
    elif kind == "social_credit":
        values |= {"watcher": "the state", **{k: regime.get(k) for k in STATE_FIELDS}}
    else:
        values["watcher"] = "nobody"
    if values["finder"] is not None and values["finder"] not in PRESETS:
        raise ConfigError(
            f"the lost wallet page's finder is one of {', '.join(PRESETS)}, "
            f"got {values['finder']!r}",
            f"society.population.shares.{values['finder']}",
        )
    setup = WalletSetup(**{k: v for k, v in values.items() if v is not None})
    check_shown(raw, to_config(setup)[0], "lost wallet")
    return setup


# ----------------------------------------------------------------------------- the decision
def finder_context(society: Any) -> Context:
    """What a society's engine tells a finder at its first find (its first round).

    The same call, with the same inputs, as the society engine's first round
    (``sccgames/engines/round.py``): :meth:`~sccgames.rules.institutions.Combined.context_for`
    of the regime in force at round 0, with the coverage of the first domain, the partner's
    starting score and starting reputation, the peers' prior belief, a pair, the future the
    matching promises after the first of ``rounds`` rounds, and no in-group (one
    community).

    Parameters
    ----------
    society : Society
        A society of one community, whose regime at round 0 gives every partner the same
        starting reputation (a community's ``initial_good`` of 0 or 1) and whose social
        credit rates, if any, are the same for everyone.

    Raises
    ------
    ValueError
        For a society whose first-round context differs between finders.

    """
    regime = schedule(society.regime).regime_at(0)
    credit, community, peers = regime.credit, regime.community, regime.peers
    domain = next(iter(society.domains)) if society.domains else "default"
    if credit is not None and credit.communities is not None:
        raise ValueError("the finder's context differs by community: rates per community")
    if community is not None and community.initial_good not in (0.0, 1.0):
        raise ValueError("the finder's context differs by its partner's drawn reputation")
    matching = resolve_matching(society.matching)
    context = regime.context_for(
        (credit or NoRegime()).coverage_for(domain),
        float(credit.initial_scores(1)[0]) if credit is not None else np.nan,
        partner_good=float(community.initial_good) if community is not None else True,
        peer_belief=peers.prior if peers is not None else 0.5,
        group_size=society_game(society.game).group_size,
        remaining=matching.future(society.rounds - 1),
        in_group=0.0,
    )
    if getattr(matching, "known_end", False):
        context = replace(context, known_end=1.0)
    return context


class Reasons(NamedTuple):
    """One finder's reasons to return a wallet, and what it does.

    Attributes
    ----------
    rational, moral, emotion, social : float
        Each deliberative motive's weighted preference for returning, ``w_k · Δu_k``, in
        payoff units (> 0 favours returning).
    deliberation : float
        Their sum, ``Σ_k w_k Δu_k``.
    habit : float
        h, the act habit favours (the probability of returning by habit).
    habit_weight : float
        θ = w_H |2h − 1|, the weight habit takes from deliberation.
    p_deliberate : float
        P(return) by deliberation alone, ``logistic(β Σ_k w_k Δu_k)`` (θ = 0).
    p_return : float
        P(return) = θ h + (1 − θ) · ``p_deliberate``.

    """

    rational: float
    moral: float
    emotion: float
    social: float
    deliberation: float
    habit: float
    habit_weight: float
    p_deliberate: float
    p_return: float


def finder_profile(finder: str) -> Profile:
    """The profile of the preset named ``finder``, as a society's population gives it."""
    return resolve_preset(finder)[1]


def reasons(profile: Profile, context: Context, game: Any) -> Reasons:
    """A finder's reasons at its first find, by the functions the engines decide with.

    Parameters
    ----------
    profile : Profile
        The finder's.
    context : Context
        What it knows of the regime (:func:`finder_context`).
    game : LostWallet
        The wallet; the finder is its role 0.

    """
    state = new_partner(profile, initial_state(profile))  # a stranger: nothing known yet
    payoffs = society_game(game).motive_payoffs(0)
    u = motive_utilities(profile, state, context, payoffs)
    w = profile.weights
    pulls = [float(getattr(w, k) * getattr(u, k)) for k in MOTIVES]
    deliberate = replace(profile, weights=replace(w, habit=0.0))
    return Reasons(
        *pulls,
        deliberation=float(sum(pulls)),
        habit=float(state.habit),
        habit_weight=float(motives.habit_strength(w.habit, state.habit)),
        p_deliberate=float(p_cooperate(deliberate, state, context, payoffs)),
        p_return=float(p_cooperate(profile, state, context, payoffs)),
    )


def money_axis(money: float) -> np.ndarray:
    """The money the page's lines run over: from 0 to at least seven times the default."""
    top = max(BIG_MONEY * default(LostWallet, "money"), 2.0 * float(money))
    return np.linspace(0.0, top, MONEY_POINTS)


def money_lines(
    profile: Profile, context: Context, game: LostWallet, moneys: Sequence[float]
) -> dict[str, list[float]]:
    """:func:`reasons` at each amount of money in ``game``'s wallet, as columns."""
    rows = [
        reasons(profile, context, LostWallet(float(m), game.effort, game.owner_value))
        for m in moneys
    ]
    return {"money": [float(m) for m in moneys]} | {
        field: [getattr(r, field) for r in rows] for field in Reasons._fields
    }


def share_returned(state: Any) -> tuple[float, int]:
    """A lost wallet round's share of wallets returned and its number of finders.

    The society counts only the finders' acts (the owner has no move): the ``all`` row of
    its figures.
    """
    figures = state.figures
    finders = int(np.sum(figures["agents"][:-1]))  # the domains' acts, not "all"'s citizens
    return float(figures["cooperation"][-1]), finders


# ----------------------------------------------------------------------------- the page
HABIT_TEXT = """
**How habit enters.** Rational calculation, the moral norm, emotion and the social motive
each weigh returning against keeping, in payoff units: their weighted terms `w_k · Δu_k`
add up, and deliberation returns the wallet with probability `logistic(β · Σ w_k Δu_k)`.
Habit is not one more term in that sum: it *arbitrates*. A habit `h` (here the finder's
starting habit, the probability of returning by habit) takes a weight
`θ = w_H · |2h − 1|` from deliberation, and
`P(return) = θ · h + (1 − θ) · logistic(β · Σ w_k Δu_k)` (`docs/model.md` §2). So the
habit bar is a weight in [0, 1], not payoff units; the right-hand chart shows P(return)
with and without it.
"""


def page() -> Any:
    """A fresh lost wallet page for one browser session."""
    import panel as pn
    from bokeh.models import ColumnDataSource, FactorRange, Range1d, Span
    from bokeh.palettes import Category10_10
    from bokeh.plotting import figure

    from sccgames.experiments.config import ConfigError, parse
    from sccgames.explorer.common import (
        Form,
        Worker,
        download_button,
        load_setup,
        tagged,
        toml_text,
    )

    start = WalletSetup()
    num, integer = pn.widgets.FloatInput, pn.widgets.IntInput
    fields: dict[str, Any] = {
        "finder": pn.widgets.Select(
            label="Finder (preset)", options=list(PRESETS), value=start.finder
        ),
        "money": num(label="Money in the wallet, w", value=start.money, step=0.5),
        "watcher": pn.widgets.RadioButtonGroup(
            label="Who watches", options=list(WATCHERS), value=start.watcher
        ),
        "effort": num(label="Effort of returning it, e", value=start.effort, step=0.05),
        "owner_value": num(
            label="Worth to the owner beyond the money, v", value=start.owner_value, step=0.05
        ),
        "visibility": num(label="Neighbours: visibility", value=start.visibility, step=0.1),
        "coverage": num(label="State: coverage", value=start.coverage, step=0.1),
        "reward": num(label="State: reward", value=start.reward, step=0.1),
        "fine": num(label="State: fine", value=start.fine, step=0.5),
        "false_positive": num(
            label="State: false positives ε⁺", value=start.false_positive, step=0.01
        ),
        "false_negative": num(
            label="State: false negatives ε⁻", value=start.false_negative, step=0.01
        ),
        "public_scores": pn.widgets.Checkbox(
            label="State: public scores", value=start.public_scores
        ),
        "citizens": integer(label="Citizens (half of them find)", value=start.citizens, step=1000),
        "seed": integer(label="Seed", value=start.seed),
        "name": pn.widgets.TextInput(label="Name", value=start.name),
    }
    form = Form(fields)

    def setup_of() -> WalletSetup:
        return WalletSetup(**form.values())

    # the charts: every source named, for the browser tests
    palette = dict(zip([*MOTIVES, "deliberation"], Category10_10, strict=False))
    pull_labels = [*MOTIVES, "Σ (all four)"]
    pulls = ColumnDataSource(
        {"motive": pull_labels, "value": [0.0] * 5, "color": [*palette.values()]},
        name="wallet-pulls",
    )
    decision_labels = ["habit h", "habit weight θ", "deliberation alone", "P(return)"]
    decision = ColumnDataSource(
        {"label": decision_labels, "value": [0.0] * 4, "color": list(Category10_10[5:9])},
        name="wallet-decision",
    )
    lines = ColumnDataSource({"money": [], **{f: [] for f in Reasons._fields}}, name="wallet-money")
    watchers = ColumnDataSource(
        {"watcher": list(WATCHERS), "p_return": [0.0] * 3, "p_deliberate": [0.0] * 3},
        name="wallet-watchers",
    )
    society_share = ColumnDataSource({"watcher": [], "share": []}, name="wallet-society")

    fig_pulls = figure(
        x_range=FactorRange(*pull_labels),
        height=280,
        width=430,
        tools="save",
        title="Each motive's pull toward returning, w_k · Δu_k",
        y_axis_label="payoff units (> 0: return)",
        name="chart-pulls",
    )
    fig_pulls.vbar(x="motive", top="value", width=0.7, color="color", source=pulls)
    fig_pulls.add_layout(Span(location=0, dimension="width", line_color="black", line_width=1))
    fig_decision = figure(
        x_range=FactorRange(*decision_labels),
        y_range=Range1d(0, 1.05),
        height=280,
        width=430,
        tools="save",
        title="Habit and the decision",
        y_axis_label="probability or weight",
        name="chart-decision",
    )
    fig_decision.vbar(x="label", top="value", width=0.7, color="color", source=decision)

    money_mark = [Span(location=start.money, dimension="height", line_dash="dotted") for _ in "ab"]
    fig_lines = figure(
        height=280,
        width=430,
        tools="save",
        title="Pulls as the money varies",
        x_axis_label="money in the wallet, w",
        y_axis_label="w_k · Δu_k",
        name="chart-money-pulls",
    )
    for key in [*MOTIVES, "deliberation"]:
        fig_lines.line(
            "money",
            key,
            source=lines,
            color=palette[key],
            line_width=2,
            legend_label="Σ (all four)" if key == "deliberation" else key,
        )
    fig_lines.add_layout(money_mark[0])
    fig_lines.legend.location = "top_left"
    fig_lines.legend.background_fill_alpha = 0.5
    fig_p = figure(
        height=280,
        width=430,
        x_range=fig_lines.x_range,
        y_range=Range1d(-0.02, 1.05),
        tools="save",
        title="P(return) as the money varies",
        x_axis_label="money in the wallet, w",
        name="chart-money-p",
    )
    for key, label, color in (
        ("p_return", "P(return)", Category10_10[8]),
        ("p_deliberate", "deliberation alone", Category10_10[7]),
        ("habit_weight", "habit weight θ", Category10_10[6]),
    ):
        fig_p.line("money", key, source=lines, color=color, line_width=2, legend_label=label)
    fig_p.add_layout(money_mark[1])
    fig_p.legend.location = "right"
    fig_p.legend.background_fill_alpha = 0.5
    fig_watchers = figure(
        x_range=FactorRange(*WATCHERS),
        y_range=Range1d(0, 1.05),
        height=310,
        width=430,
        tools="save",
        title="P(return) by who watches",
        y_axis_label="probability",
        name="chart-watchers",
    )
    fig_watchers.vbar(
        x="watcher",
        top="p_return",
        width=0.6,
        color=Category10_10[8],
        source=watchers,
        legend_label="P(return)",
    )
    fig_watchers.scatter(
        x="watcher",
        y="p_deliberate",
        size=10,
        marker="diamond",
        color=Category10_10[7],
        source=watchers,
        legend_label="deliberation alone",
    )
    fig_watchers.scatter(
        x="watcher",
        y="share",
        size=12,
        marker="x",
        line_width=3,
        color="black",
        source=society_share,
        legend_label="share returned in the society",
    )
    legend = fig_watchers.legend[0]
    legend.orientation = "horizontal"
    legend.label_text_font_size = "9pt"
    fig_watchers.add_layout(legend, "below")  # (the bars reach 1: no room inside)
    fig_watchers.legend.background_fill_alpha = 0.5

    status = pn.pane.Markdown("", css_classes=["status"])
    returned = pn.pane.Markdown(
        "Press Run to let the society find its wallets.", css_classes=["returned"]
    )
    run_button = pn.widgets.Button(label="Run the society", color="primary", css_classes=["run"])
    upload = pn.widgets.FileInput(
        accept=".toml", label="Load an experiment file", css_classes=["load"]
    )
    session: dict[str, Any] = {"generation": 0, "config": None}

    def checked() -> tuple[WalletSetup, dict[str, Any], dict[str, Any]] | None:
        """The setup, its config and each watcher's society; None with the error shown."""
        try:
            setup = setup_of()
        except (TypeError, ValueError) as exc:  # pragma: no cover - widgets give typed values
            form.say(str(exc))
            return None
        if form.show_empty() is not None:
            return None
        made: dict[str, Any] = {}
        # the chosen watcher first: its error is the one shown
        for watcher in sorted(WATCHERS, key=lambda w: w != setup.watcher):
            config, where = to_config(replace(setup, watcher=watcher))
            try:
                made[watcher] = parse(config, "the page").build()
            except ConfigError as exc:
                form.show(exc, where)
                return None
        form.clear()
        return setup, to_config(setup)[0], made

    def draw(*_: Any) -> None:
        made = checked()
        ok = made is not None
        run_button.disabled = not ok or worker.busy
        export.disabled = not ok
        if made is None:
            status.object = "Fix the value marked in red."
            return
        setup, config, societies = made
        profile = finder_profile(setup.finder)
        chosen = societies[setup.watcher]
        here = reasons(profile, finder_context(chosen), chosen.game)
        pulls.data = dict(pulls.data) | {
            "value": [getattr(here, k) for k in MOTIVES] + [here.deliberation]
        }
        decision.data = dict(decision.data) | {
            "value": [here.habit, here.habit_weight, here.p_deliberate, here.p_return]
        }
        lines.data = money_lines(
            profile, finder_context(chosen), chosen.game, money_axis(setup.money)
        )
        for mark in money_mark:
            mark.location = setup.money
        by_watcher = [
            reasons(profile, finder_context(societies[w]), societies[w].game) for w in WATCHERS
        ]
        watchers.data = {
            "watcher": list(WATCHERS),
            "p_return": [r.p_return for r in by_watcher],
            "p_deliberate": [r.p_deliberate for r in by_watcher],
        }
        status.object = (
            f"A {setup.finder} finds a wallet holding {setup.money:g}, watched by "
            f"{setup.watcher}: **P(return) = {here.p_return:.4f}** (deliberation alone "
            f"{here.p_deliberate:.4f}; habit weight θ = {here.habit_weight:.3f}). "
            f"Run: {setup.citizens} citizens, seed {setup.seed}."
        )
        if config != session["config"] and society_share.data["share"]:
            society_share.data = {"watcher": [], "share": []}  # that run was of another setup
            returned.object = "The setup changed: press Run to find the wallets again."

    def on_items(batch: list[Any]) -> None:
        for generation, state in batch:
            if generation != session["generation"]:
                continue
            if to_config(setup_of())[0] != session["config"]:
                returned.object = "The setup changed during the run: press Run again."
                continue
            share, finders = share_returned(state)
            count = round(share * finders)
            society_share.data = {"watcher": [session["watcher"]], "share": [share]}
            returned.object = (
                f"**Share returned in the society: {share:.4f}** ({count} of {finders} "
                f"finders, seed {session['seed']}), against P(return) "
                f"{session['p_return']:.4f}."
            )

    def on_end(ending: str) -> None:
        run_button.disabled = export.disabled
        if ending.startswith("error"):
            returned.object = f"The run stopped: {ending}"

    worker = Worker(on_items, on_end)

    def run(*_: Any) -> None:
        made = checked()
        if made is None or worker.busy:
            return
        setup, config, societies = made
        session["generation"] += 1
        session.update(
            config=config,
            watcher=setup.watcher,
            seed=setup.seed,
            p_return=reasons(
                finder_profile(setup.finder),
                finder_context(societies[setup.watcher]),
                societies[setup.watcher].game,
            ).p_return,
        )
        society_share.data = {"watcher": [], "share": []}
        returned.object = f"running {setup.citizens} citizens…"
        if worker.start(tagged(societies[setup.watcher], session["generation"])):
            run_button.disabled = True

    run_button.on_click(run)

    def exported() -> str | None:
        made = checked()
        note = "Exported by sccgames explore (lost wallet); run it with: sccgames run <this file>"
        return None if made is None else toml_text(made[1], note)

    export = download_button(
        "lost_wallet.toml", "Export experiment file", exported, "export", color="success"
    )

    def load(event: Any) -> None:
        if not event.new:
            return
        try:
            setup = load_setup(
                event.new, upload.filename or "the file", "society", "lost wallet", from_config
            )
        except ConfigError as exc:
            form.say(f"not loaded: {exc}")
            return
        session["loading"] = True
        try:
            form.set_values(dataclasses.asdict(setup))
        finally:
            session["loading"] = False
        draw()

    def changed(*_: Any) -> None:
        if not session.get("loading"):
            draw()

    upload.param.watch(load, "value")
    for widget in fields.values():
        widget.param.watch(changed, "value")
    pn.state.on_session_destroyed(lambda _context: worker.stop())

    item = form.item
    controls = pn.Column(
        form.general,
        pn.Card(
            item("finder"),
            item("money"),
            pn.pane.Markdown("Who watches the find", margin=(5, 10, 0, 10)),
            item("watcher"),
            item("effort"),
            item("owner_value"),
            title="The find",
        ),
        pn.Card(
            item("visibility"),
            *(item(k) for k in STATE_FIELDS),
            title="The watchers",
        ),
        pn.Card(run_button, item("citizens"), item("seed"), item("name"), title="The society"),
        pn.Card(upload, export, title="Experiment file"),
        width=340,
    )
    draw()
    return pn.Row(
        controls,
        pn.Column(
            status,
            pn.GridBox(
                pn.pane.Bokeh(fig_pulls),
                pn.pane.Bokeh(fig_decision),
                pn.pane.Bokeh(fig_lines),
                pn.pane.Bokeh(fig_p),
                pn.pane.Bokeh(fig_watchers),
                pn.Column(returned, pn.pane.Markdown(HABIT_TEXT), width=430),
                ncols=2,
            ),
        ),
    )
