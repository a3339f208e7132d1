"""Measures of social capital for a society's rounds (``docs/model.md`` §6), and of a tournament.

The names of a society's figures, sums over (type, domain) cells, and the Gini coefficient
of payoffs. The society engine computes every figure per domain and per motive type from
the sums of :func:`cell_sums`, so no Python loop runs over agents. :func:`payoff_matrix`
measures a tournament: the mean payoff of each type against each, which the evolutionary
dynamics of :mod:`sccgames.engines.evolution` run on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

#: Columns of :attr:`SocietyResults.metrics` after ``round``, ``phase``, ``regime``, ``domain``.
METRIC_COLUMNS = (
    "agents",
    "cooperation",
    "trust",
    "trust_in_group",
    "trust_out_group",
    "norm",
    "legitimacy",
    "score",
    "blacklisted",
    "welfare",
    "gini",
)


#: Columns of :attr:`SocietyResults.by_community` after ``round``, ``phase`` and
#: ``community`` (a society with communities only): ``agents``; ``cooperation`` (share of
#: acts that were C); the means over the community's citizens of ``trust`` (in strangers),
#: ``trust_in_group`` (bonding) and ``trust_out_group`` (bridging), ``norm``,
#: ``legitimacy``, ``compliance`` (the compliance ē its citizens perceive) and ``score``;
#: and what the regime did to it, measured from outside: ``coverage`` (mean coverage its
#: acts faced), ``observed`` (share of its acts seen), ``false_positive`` (share of its
#: observed C recorded as D: its realized ε⁺), ``false_sanctions`` (false positives per
#: citizen this round) and ``fines`` (fines paid per citizen this round).
COMMUNITY_COLUMNS = (
    "agents",
    "cooperation",
    "trust",
    "trust_in_group",
    "trust_out_group",
    "norm",
    "legitimacy",
    "compliance",
    "score",
    "coverage",
    "observed",
    "false_positive",
    "false_sanctions",
    "fines",
)


#: Most cells :func:`cell_sums` sums with a product by a 0/1 matrix rather than a bincount.
FEW_CELLS = 4


def cell_sums(
    cells: np.ndarray, size: int, out: np.ndarray | None = None
) -> Callable[[np.ndarray | None], np.ndarray]:
    """A function summing per-citizen values over ``size`` cells (and counting without).

    ``cell_sums(cells, size)(values)`` is ``np.bincount(cells, weights=values,
    minlength=size)``: float64 sums of each cell's values (counts, as integers, without
    values). A weighted bincount adds one value at a time into a few accumulators; for a
    society's usual few cells (one type, a domain or two and those who sat out) a product of
    the values by a float64 0/1 matrix built once per round is about three times faster for
    each figure, and booleans (acts, blacklistings) are counted cell by cell, exactly and
    faster still. Above :data:`FEW_CELLS` cells the matrix would cost more than it saves,
    and the bincount is used. The ways differ only in the order of additions (rounding).

    Parameters
    ----------
    cells : numpy.ndarray
        Each citizen's cell, integers in ``[0, size)``.
    size : int
        Number of cells.
    out : numpy.ndarray, optional
        A float64 array of shape ``(size, len(cells))`` to hold the 0/1 matrix, reused from
        round to round (a fresh matrix of a few MB each round costs its page faults).

    """
    if size > FEW_CELLS:
        # (astype: numpy gives integers for an empty weighted bincount)
        return lambda values=None: (
            np.bincount(cells, minlength=size)
            if values is None
            else np.bincount(cells, weights=values, minlength=size).astype(float, copy=False)
        )
    inside = [cells == j for j in range(size)]  # counting by comparison: a bincount is slower
    counts = np.array([np.count_nonzero(m) for m in inside])
    member = np.empty((size, cells.size)) if out is None else out  # [cell, citizen]
    for row, m in zip(member, inside, strict=True):
        np.copyto(row, m)  # 1.0 in the citizen's cell

    def sums(values: np.ndarray | None = None) -> np.ndarray:
        if values is None:
            return counts.copy()
        if values.dtype == bool:  # a count per cell, exact (no float64 copy of the bools)
            return np.array([np.count_nonzero(values & m) for m in inside], dtype=float)
        return member @ values

    return sums


#: Largest number of values :func:`gini` sorts; above it, an evenly spaced subsample.
GINI_SAMPLE = 20_000


def gini(values: np.ndarray, sample: int = GINI_SAMPLE) -> float:
    """Gini coefficient of ``values`` (0: all equal; shifted to be non-negative first).

    ``G = Σ_i (2i − n − 1) x_(i) / (n Σ x)`` over the sorted values; payoffs can be negative
    (fines), so they are shifted by their minimum, which measures inequality of the gains
    above the worst-off. 0 when all values are equal; NaN for fewer than two values. Above
    ``sample`` values it is estimated from an evenly spaced subsample of ``sample`` of them
    (values come in no particular order; the estimate's standard error is below 0.01 for
    any distribution of payoffs bounded by a few times their mean), which keeps a round of a
    million citizens from being dominated by a sort.
    """
    x = np.asarray(values).ravel()
    if x.size > sample:
        x = x[:: -(-x.size // sample)]
    return _gini_of_sorted(np.sort(x))


def _gini_of_sorted(x: np.ndarray) -> float:
    """:func:`gini` of values already sorted in ascending order (any real dtype).

    Sorting comes first, in the values' own precision (float32 sorts as fast and converts
    to the same order), then sums in float64: ``G = (2 Σ_i i x_(i) / Σ x − (n + 1)) / n``.
    """
    n = x.size
    if n < 2:
        return float("nan")
    low, high = float(x[0]), float(x[-1])
    if low == high:
        return 0.0  # all equal (negative payoffs included)
    x = np.subtract(x, low, dtype=float) if low < 0 else x.astype(float, copy=False)
    total = x.sum()  # > 0: the values differ and the least is 0 or more
    weighted = np.dot(np.arange(1.0, n + 1.0), x)
    return float((2.0 * weighted / total - (n + 1)) / n)


def ginis(values: np.ndarray, groups: np.ndarray, count: int) -> np.ndarray:
    """Gini of the values of each group ``0 … count − 1``, then of those groups together.

    ``[gini(values[groups == j]) for j in range(count)]`` followed by
    ``gini(values[groups < count])``: values of groups ``count`` and above (those who sat
    out a round) count in neither. Groups are selected with ``np.compress`` (about four
    times faster than a boolean index for a random mask) from contiguous copies (a strided
    subsample is copied once, not read with its stride once per group). No subsample is
    taken: pass at most :data:`GINI_SAMPLE` values.

    Parameters
    ----------
    values : numpy.ndarray
        One value per citizen.
    groups : numpy.ndarray
        Each citizen's group (non-negative integers).
    count : int
        Number of groups measured.

    """
    values, groups = np.ascontiguousarray(values), np.ascontiguousarray(groups)
    each = [_gini_of_sorted(np.sort(np.compress(groups == j, values))) for j in range(count)]
    counted = groups < count
    whole = values if counted.all() else np.compress(counted, values)
    return np.array([*each, _gini_of_sorted(np.sort(whole))])


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python number it holds, for readable error messages."""
    return value.item() if isinstance(value, np.generic) else value


# --------------------------------------------------------------------------- payoff matrix
#: Columns :func:`payoff_matrix` reads from a tournament's ``matches`` frame.
MATCH_COLUMNS = ("player", "name", "opponent", "opponent_name", "payoff")


def _player_names(matches: pd.DataFrame) -> pd.Series:
    as_player = matches[["opponent", "opponent_name"]].set_axis(["player", "name"], axis=1)
    pairs = pd.concat([matches[["player", "name"]], as_player]).drop_duplicates()
    pairs = pairs.sort_values("player", kind="stable")
    if pairs["player"].duplicated().any() or pairs["name"].duplicated().any():
        raise ValueError(
            "matches must give each player one name of its own (names label the types), got "
            f"(player, name) pairs {list(pairs.itertuples(index=False, name=None))}"
        )
    return pd.Series(pairs["name"].to_numpy(), index=pairs["player"].to_numpy())


def payoff_matrix(matches: pd.DataFrame) -> pd.DataFrame:
    """Mean per-turn payoff of each player type against each, from a tournament.

    Parameters
    ----------
    matches : pandas.DataFrame
        A tournament's tidy ``matches`` frame, one row per match, repetition and player, with
        at least the columns of :data:`MATCH_COLUMNS`; ``payoff`` is the mean total payoff
        per turn (transfers included). A self-play match has one row per repetition, with
        ``player == opponent``.

    Returns
    -------
    pandas.DataFrame
        Square: ``loc[i, j]`` is the mean ``payoff`` of ``i`` against ``j`` over every
        repetition (self-play on the diagonal); index and columns are the player names in the
        order of the ``player`` index. A ``ValueError`` says if a column is missing, a payoff
        is not finite, a player has several names, two share one, or a pair never met.

    """
    if not isinstance(matches, pd.DataFrame) or matches.empty:
        got = "an empty one" if isinstance(matches, pd.DataFrame) else type(matches).__name__
        raise ValueError(f"matches must be a non-empty pandas DataFrame, got {got}")
    missing = [c for c in MATCH_COLUMNS if c not in matches.columns]
    if missing:
        raise ValueError(f"matches lacks the columns {missing}; it needs {list(MATCH_COLUMNS)}")
    payoff = pd.to_numeric(matches["payoff"], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(payoff).all():
        row = matches.index[np.argmin(np.isfinite(payoff))]
        value = _plain(matches.loc[row, "payoff"])
        raise ValueError(f"matches['payoff'] must be a finite number, got {value!r} in row {row!r}")
    names = _player_names(matches)
    means = (
        matches.assign(payoff=payoff)
        .groupby(["player", "opponent"])["payoff"]
        .mean()
        .unstack()
        .reindex(index=names.index, columns=names.index)
    )
    missing = [(names.iloc[i], names.iloc[j]) for i, j in np.argwhere(means.isna().to_numpy())]
    if missing:
        raise ValueError(
            f"matches lacks the (player, opponent) pairs {missing}: every type must have met "
            "every type, itself included"
        )
    labels = names.to_list()
    index, columns = pd.Index(labels, name="player"), pd.Index(labels, name="opponent")
    return pd.DataFrame(means.to_numpy(), index=index, columns=columns)
