"""Plots of tournaments and of evolutionary dynamics, with matplotlib.

Every function draws onto the ``ax`` it is given (or onto a new figure's axes) and returns
those axes, with a title, labelled axes and a legend wherever there is more than one
series. matplotlib is imported only when a plot is drawn, so importing sccgames never picks
a backend.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Width of one bar in :func:`cooperation_by_domain`, as a share of a player's slot; chosen
#: so that the two bars of a player touch and a gap separates players.
BAR_WIDTH = 0.4


def _check_frame(name: str, frame: Any, columns: tuple[str, ...]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks the columns {missing}; it needs {list(columns)}")
    if frame.empty:
        raise ValueError(f"{name} must have at least one row, got an empty frame")


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots()[1]


def _name_ticks(ax: Axes, positions: np.ndarray, names: list[Any]) -> None:
    ax.set_xticks(positions, [str(n) for n in names], rotation=30, ha="right")


def payoff_boxplot(matches: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Box plot of each player's payoff over repetitions, best player first.

    Parameters
    ----------
    matches : pandas.DataFrame
        A tournament's tidy ``matches`` frame, with at least the columns ``repetition``,
        ``player``, ``name`` and ``payoff`` (mean total payoff per turn).
    ax : matplotlib.axes.Axes, optional
        Where to draw; ``None`` draws on a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        One box per player: the distribution, over repetitions, of its mean ``payoff`` over
        its matches in that repetition; boxes ranked by median (highest first, ties in
        ``player`` order), player names as tick labels.

    """
    _check_frame("matches", matches, ("repetition", "player", "name", "payoff"))
    per_repetition = matches.groupby(["player", "repetition"])["payoff"].mean()
    names = matches.groupby("player")["name"].first()
    players = sorted(
        names.index, key=lambda p: -np.median(per_repetition.loc[p].to_numpy(dtype=float))
    )
    ax = _axes(ax)
    positions = np.arange(1, len(players) + 1)
    ax.boxplot([per_repetition.loc[p].to_numpy(dtype=float) for p in players], positions=positions)
    _name_ticks(ax, positions, [names[p] for p in players])
    ax.set_title("Payoff per player over repetitions")
    ax.set_xlabel("player (ranked by median)")
    ax.set_ylabel("mean payoff per turn")
    return ax


def cooperation_by_domain(summary: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Grouped bars: each player's cooperation where it was watched and where it was not.

    Parameters
    ----------
    summary : pandas.DataFrame
        A tournament's ``summary`` frame, one row per player in the order to plot (ranked),
        with at least ``name``, ``cooperation_watched`` and ``cooperation_unwatched``
        (shares of turns played C; NaN, drawn as no bar, where there were no such turns).
    ax : matplotlib.axes.Axes, optional
        Where to draw; ``None`` draws on a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        Two bars per player, labelled "watched" and "unwatched" in the legend.

    """
    columns = ("name", "cooperation_watched", "cooperation_unwatched")
    _check_frame("summary", summary, columns)
    ax = _axes(ax)
    positions = np.arange(len(summary))
    for offset, column, label in ((-0.5, columns[1], "watched"), (0.5, columns[2], "unwatched")):
        heights = summary[column].to_numpy(dtype=float)
        ax.bar(positions + offset * BAR_WIDTH, heights, BAR_WIDTH, label=label)
    _name_ticks(ax, positions, summary["name"].to_list())
    ax.set_ylim(0.0, 1.0)
    ax.set_title("Cooperation where watched and where not")
    ax.set_xlabel("player")
    ax.set_ylabel("share of turns cooperated")
    ax.legend(title="domain")
    return ax


def population_shares(shares: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Stacked areas: the share of each type in the population, generation by generation.

    Parameters
    ----------
    shares : pandas.DataFrame
        Tidy output of :func:`sccgames.engines.evolution.replicator_dynamics` or
        :func:`sccgames.engines.evolution.moran_process`: columns ``generation``, ``type``,
        ``share``, one row per type and generation.
    ax : matplotlib.axes.Axes, optional
        Where to draw; ``None`` draws on a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        One band per type (in order of first appearance), stacked to 1; a legend of the
        types when there is more than one.

    """
    _check_frame("shares", shares, ("generation", "type", "share"))
    if shares.duplicated(["generation", "type"]).any():
        raise ValueError("shares must have one row per generation and type, got duplicates")
    types = list(pd.unique(shares["type"]))
    wide = shares.pivot(index="generation", columns="type", values="share")
    wide = wide.reindex(columns=types).sort_index().fillna(0.0)
    ax = _axes(ax)
    generations = wide.index.to_numpy()
    ax.stackplot(generations, wide.to_numpy(dtype=float).T, labels=[str(t) for t in types])
    if len(generations) > 1:
        ax.set_xlim(generations.min(), generations.max())
    ax.set_ylim(0.0, 1.0)
    ax.set_title("Population shares over generations")
    ax.set_xlabel("generation")
    ax.set_ylabel("share of the population")
    if len(types) > 1:
        ax.legend(title="type", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


def society_over_rounds(
    metrics: pd.DataFrame, figure: str = "cooperation", ax: Axes | None = None
) -> Axes:
    """One line per domain: a society's ``figure`` round by round, phases shaded.

    Parameters
    ----------
    metrics : pandas.DataFrame
        A society's tidy ``metrics`` frame (columns ``round``, ``phase``, ``regime``,
        ``domain`` and the figure).
    figure : str, default "cooperation"
        Any figure column: cooperation, trust, norm, legitimacy, score, welfare, gini, …
    ax : matplotlib.axes.Axes, optional
        Where to draw; ``None`` draws on a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        A line per domain (``all`` in black), every other phase shaded and labelled by its
        regime.

    """
    _check_frame("metrics", metrics, ("round", "phase", "regime", "domain", figure))
    ax = _axes(ax)
    for domain, rows in metrics.groupby("domain", sort=False):
        style = {"color": "black", "linewidth": 2} if domain == "all" else {}
        ax.plot(rows["round"], rows[figure], label=str(domain), **style)
    phases = metrics.groupby("phase").agg(
        start=("round", "min"), end=("round", "max"), regime=("regime", "first")
    )
    for k, (_, phase) in enumerate(phases.iterrows()):
        if k % 2:
            ax.axvspan(phase.start - 0.5, phase.end + 0.5, color="0.9", zorder=0)
        ax.annotate(
            phase.regime,
            (phase.start, 1.0),
            xycoords=("data", "axes fraction"),
            va="top",
            fontsize="small",
        )
    ax.set_title(f"{figure.replace('_', ' ').capitalize()} by round")
    ax.set_xlabel("round")
    ax.set_ylabel(figure.replace("_", " "))
    ax.legend(title="domain", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax
