"""Measures of social capital for a society's rounds (``DESIGN.md`` §6).

The names of a society's figures, sums over (type, domain) cells, and the Gini coefficient
of payoffs. The society engine computes every figure per domain and per motive type from
the sums of :func:`cell_sums`, so no Python loop runs over agents.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

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
    each figure. Above :data:`FEW_CELLS` cells the matrix would cost more than it saves, and
    the bincount is used. The two differ only in the order of additions (rounding).

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
    member = np.empty((size, cells.size)) if out is None else out  # [cell, citizen]
    np.equal(np.arange(size)[:, None], cells, out=member)  # 1.0 in the citizen's cell
    counts = np.bincount(cells, minlength=size)
    return lambda values=None: counts.copy() if values is None else member @ values


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
    x = np.asarray(values, dtype=float).ravel()
    if x.size > sample:
        x = x[:: -(-x.size // sample)]
    x = np.sort(x)
    n = x.size
    if n < 2:
        return float("nan")
    if x[0] == x[-1]:
        return 0.0  # all equal (negative payoffs included)
    x = x - min(x[0], 0.0)
    total = x.sum()  # > 0: the values differ and the least is 0 or more
    rank = np.arange(1, n + 1)
    return float(((2 * rank - n - 1) * x).sum() / (n * total))
