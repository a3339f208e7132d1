"""Evolutionary dynamics over player types: which strategies spread when the better paid do.

Both dynamics run on a square DataFrame ``A`` whose ``A.loc[i, j]`` is the mean per-turn
payoff of type ``i`` against type ``j`` (:func:`payoff_matrix` builds it from a tournament):
the replicator dynamics of an infinite population [TaylorJonker1978]_ [Weibull1995]_ and the
Moran process of a finite one [Moran1958]_ [Nowak2004]_. Each is a pure numpy step
(:func:`replicator_step`, :func:`moran_step`) that a generator (:func:`iter_replicator`,
:func:`iter_moran`) repeats, one state per generation so that a notebook can stream it; the
DataFrame functions (:func:`replicator_dynamics`, :func:`moran_process`) consume them.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from itertools import accumulate
from typing import Any

import numpy as np
import pandas as pd

from sccgames._validation import check_integer, check_nonnegative, check_probability, check_range

# payoff_matrix lives with the other measures, below both the tournament and the dynamics
from sccgames.engines.metrics import MATCH_COLUMNS as MATCH_COLUMNS
from sccgames.engines.metrics import _plain, payoff_matrix


class Dynamics(enum.Enum):
    """Which evolutionary dynamics to run on a payoff matrix.

    ``REPLICATOR``: deterministic shares of an infinite population
    (:func:`replicator_dynamics`). ``MORAN``: stochastic counts of a finite population
    (:func:`moran_process`). :data:`DYNAMICS` maps each to its function.
    """

    MORAN = "moran"
    REPLICATOR = "replicator"


# --------------------------------------------------------------------------- validation
def _check_payoffs(payoffs: Any) -> tuple[list[Any], np.ndarray]:
    """Return the type names and the payoff matrix as a float array, or raise."""
    if not isinstance(payoffs, pd.DataFrame):
        raise ValueError(
            f"payoffs must be a pandas DataFrame (see payoff_matrix), got {type(payoffs).__name__}"
        )
    types = list(payoffs.index)
    if not types or not payoffs.index.equals(payoffs.columns) or payoffs.index.has_duplicates:
        raise ValueError(
            "payoffs must be square, with the same distinct type names in the same order on its "
            f"index and columns; got index {types} and columns {list(payoffs.columns)}"
        )
    try:
        matrix = payoffs.to_numpy(dtype=float)
    except (TypeError, ValueError):  # something not a number: coerce it to NaN, found below
        matrix = payoffs.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    bad = np.argwhere(~np.isfinite(matrix))
    if len(bad):
        value = _plain(payoffs.iat[bad[0][0], bad[0][1]])
        where = f"payoffs.loc[{types[bad[0][0]]!r}, {types[bad[0][1]]!r}]"
        raise ValueError(f"{where} must be a finite number, got {value!r}")
    return types, matrix


def _check_mapping(
    name: str, mapping: Any, types: list[Any], check: Callable[[str, Any], None]
) -> np.ndarray:
    """Values of ``mapping`` in the order of ``types`` (0 for a type it leaves out)."""
    if not isinstance(mapping, Mapping) or not mapping:
        example = {t: 1 for t in types[:2]}
        raise ValueError(f"{name} must be a non-empty mapping such as {example}, got {mapping!r}")
    unknown = [key for key in mapping if key not in types]
    if unknown:
        raise ValueError(f"{name} names unknown types {unknown}; the types are {types}")
    for key, value in mapping.items():
        check(f"{name}[{key!r}]", value)
    return np.array([mapping.get(t, 0) for t in types], dtype=float)


def _check_seed(seed: Any) -> np.random.Generator:
    if seed is not None and not isinstance(seed, np.random.SeedSequence):
        check_integer("seed", seed, low=0)
    return np.random.default_rng(seed)


def _tidy(types: list[Any], states: np.ndarray, column: str) -> pd.DataFrame:
    n, k = states.shape
    generation, kind = np.repeat(np.arange(n), k), np.tile(np.asarray(types, dtype=object), n)
    return pd.DataFrame({"generation": generation, "type": kind, column: states.ravel()})


# --------------------------------------------------------------------------- replicator
def replicator_step(shares: np.ndarray, payoffs: np.ndarray, step: float) -> np.ndarray:
    """One generation of the discrete-time replicator dynamics.

    ``x_i' = x_i (1 + step·f_i) / (1 + step·f̄)`` with ``f = Â x``, ``f̄ = x·f`` and ``Â`` the
    payoff matrix rescaled to [0, 1] (``(A − min A) / (max A − min A)``, zero when ``A`` is
    constant). This is the discrete replicator dynamics with background fitness ``1/step``
    [Weibull1995]_: a share grows exactly when its type earns more than the population's
    mean, as in [TaylorJonker1978]_, and every factor is positive, so shares stay on the
    simplex. Rescaling makes the path the same for any positive affine transformation of the
    payoffs, which changes neither best replies nor the continuous dynamics' orbits.
    """
    spread = np.ptp(payoffs)
    scaled = (payoffs - payoffs.min()) / spread if spread > 0 else np.zeros_like(payoffs)
    grown = shares * (1.0 + step * (scaled @ shares))
    return grown / grown.sum()


def iter_replicator(
    payoffs: pd.DataFrame,
    initial_shares: Mapping[Any, float] | None = None,
    generations: int = 100,
    step: float = 1.0,
) -> Iterator[np.ndarray]:
    """Stream the replicator dynamics: one array of shares (in ``payoffs`` order) a generation.

    Arguments are those of :func:`replicator_dynamics` and checked at once, before the first
    ``next``; the first array is the initial state, ``generations + 1`` arrays in all.
    """
    types, matrix = _check_payoffs(payoffs)
    if initial_shares is None:
        shares = np.full(len(types), 1.0 / len(types))
    else:
        shares = _check_mapping("initial_shares", initial_shares, types, check_nonnegative)
        if shares.sum() <= 0:
            raise ValueError(f"initial_shares must not all be 0, got {dict(initial_shares)!r}")
        shares = shares / shares.sum()
    check_integer("generations", generations, low=0)
    check_range("step", step, 0.0, math.inf, low_open=True, high_open=True)
    step = float(step)
    return accumulate(
        range(generations), lambda x, _: replicator_step(x, matrix, step), initial=shares
    )


def replicator_dynamics(
    payoffs: pd.DataFrame,
    initial_shares: Mapping[Any, float] | None = None,
    generations: int = 100,
    step: float = 1.0,
) -> pd.DataFrame:
    """Shares of each type under the discrete-time replicator dynamics.

    Parameters
    ----------
    payoffs : pandas.DataFrame
        Square payoff matrix of type against type (see :func:`payoff_matrix`).
    initial_shares : mapping of type name to float, optional
        Shares at generation 0, normalised to sum to 1; a type left out starts (and stays)
        at 0. ``None`` (default) is equal shares: chosen so that no type is favoured.
    generations : int, default 100
        Generations after the initial one (>= 0). Chosen so that a type earning a fifth of
        the payoff range less than another (C against D in Axelrod's prisoner's dilemma)
        falls from an equal share to below 10⁻⁴: its odds shrink by >= 1.1 a generation.
    step : float, default 1.0
        ``> 0``, the inverse background fitness of :func:`replicator_step`: small steps
        approach the continuous dynamics, large ones the multiplicative ``x_i f_i / f̄``.
        Chosen so that one generation changes a share by at most a factor of 2.

    Returns
    -------
    pandas.DataFrame
        Tidy: columns ``generation``, ``type``, ``share``, one row per type and generation
        (0 to ``generations``); the shares of each generation sum to 1.

    Examples
    --------
    >>> import pandas as pd
    >>> pd_game = pd.DataFrame([[3, 0], [5, 1]], index=["C", "D"], columns=["C", "D"])
    >>> shares = replicator_dynamics(pd_game)
    >>> round(shares.query("generation == 100 and type == 'D'")["share"].item(), 6)
    1.0

    """
    types = _check_payoffs(payoffs)[0]
    states = np.array(list(iter_replicator(payoffs, initial_shares, generations, step)))
    return _tidy(types, states, "share")


# --------------------------------------------------------------------------- Moran
def moran_fitness(counts: np.ndarray, payoffs: np.ndarray) -> np.ndarray:
    """Fitness of one individual of each type: ``f_i = (Σ_j n_j A_ij − A_ii) / (N − 1)``.

    The mean payoff against everybody else in a population of ``N`` with counts ``n``; no one
    plays themself [Nowak2004]_.
    """
    return (payoffs @ counts - payoffs.diagonal()) / (counts.sum() - 1)


def reproduction_probabilities(
    counts: np.ndarray, fitness: np.ndarray, selection: float
) -> np.ndarray:
    """Probability that the next parent is of each type: ``∝ n_i exp(selection · f_i)``.

    The exponential mapping from payoff to fitness [TraulsenShoreshNowak2008]_ is positive
    for any payoff, so negative payoffs (fines) need no shift; ``selection = 0`` is neutral
    drift. Computed relative to the fittest present type, so it cannot overflow.
    """
    logits = np.where(counts > 0, selection * fitness, -np.inf)
    weights = counts * np.exp(logits - logits.max())
    return weights / weights.sum()


def _draw(weights: np.ndarray, uniform: float) -> int:
    """Index ``i`` with probability ``weights[i] / Σ weights``, from one uniform in [0, 1)."""
    cumulative = weights.cumsum()
    index = int(np.count_nonzero(cumulative <= uniform * cumulative[-1]))  # never a zero weight
    return index if index < len(weights) else int(np.flatnonzero(weights)[-1])  # rounding


def moran_step(
    counts: np.ndarray, u: np.ndarray, payoffs: np.ndarray, selection: float, mutation: float
) -> np.ndarray:
    """The counts after one birth-death event, drawn from four uniforms ``u`` in [0, 1).

    ``u[0]`` picks the parent (:func:`reproduction_probabilities`), ``u[1]`` the individual
    replaced (uniformly, the parent included), ``u[2] < mutation`` makes the offspring a
    mutant and ``u[3]`` its type (uniformly among the other types) [Nowak2004]_.
    """
    k = len(counts)
    fitness = moran_fitness(counts, payoffs)
    child = _draw(reproduction_probabilities(counts, fitness, selection), u[0])
    if k > 1 and u[2] < mutation:
        child = (child + 1 + min(int(u[3] * (k - 1)), k - 2)) % k
    after = counts.copy()
    after[_draw(counts, u[1])] -= 1
    after[child] += 1
    return after


def iter_moran(
    payoffs: pd.DataFrame,
    counts: Mapping[Any, int],
    generations: int,
    selection: float = 1.0,
    mutation: float = 0.0,
    seed: int | np.random.SeedSequence | None = None,
) -> Iterator[np.ndarray]:
    """Stream the Moran process: one integer array of counts (in ``payoffs`` order) a step.

    Arguments are those of :func:`moran_process` and checked at once, before the first
    ``next``; the first array is the initial state, ``generations + 1`` arrays in all.
    """
    types, matrix = _check_payoffs(payoffs)
    start = _check_mapping("counts", counts, types, check_integer).astype(np.int64)
    if start.sum() < 2:
        raise ValueError(f"counts must add up to a population of at least 2, got {dict(counts)!r}")
    check_integer("generations", generations, low=0)
    check_range("selection", selection, 0.0, math.inf, high_open=True)
    check_probability("mutation", mutation)
    rng, selection, mutation = _check_seed(seed), float(selection), float(mutation)
    uniforms = (rng.random(4) for _ in range(generations))
    step = partial(moran_step, payoffs=matrix, selection=selection, mutation=mutation)
    return accumulate(uniforms, step, initial=start)


def moran_process(
    payoffs: pd.DataFrame,
    counts: Mapping[Any, int],
    generations: int,
    selection: float = 1.0,
    mutation: float = 0.0,
    seed: int | np.random.SeedSequence | None = None,
) -> pd.DataFrame:
    """Counts of each type under the frequency-dependent Moran process [Nowak2004]_.

    Each step is one birth-death event (:func:`moran_step`), as in [Nowak2004]_ and
    ``axelrod.MoranProcess``: a parent is chosen with probability ``∝ exp(selection · f)``
    (:func:`moran_fitness`); its offspring, with probability ``mutation`` of a uniformly
    chosen other type, replaces an individual chosen uniformly from the whole population.

    Parameters
    ----------
    payoffs : pandas.DataFrame
        Square payoff matrix of type against type (see :func:`payoff_matrix`).
    counts : mapping of type name to int
        Individuals of each type at step 0 (>= 0, adding up to N >= 2); a type left out
        starts at 0.
    generations : int
        Birth-death events after the initial state (>= 0); ``N`` of them replace each
        individual once on average.
    selection : float, default 1.0
        Intensity of selection ``>= 0``; 0 is neutral drift. Chosen so that fitness is
        ``exp(payoff)``: a one-point edge (``P − S`` in Axelrod's prisoner's dilemma)
        multiplies the odds of reproducing by ``e``, strong selection.
    mutation : float, default 0.0
        Probability in [0, 1] that an offspring mutates. Chosen 0 so that types fix.
    seed : int or numpy.random.SeedSequence, optional
        Seed of the one random generator: the same seed, the same path (``None``: fresh).

    Returns
    -------
    pandas.DataFrame
        Tidy: columns ``generation``, ``type``, ``count``, ``share``, one row per type and
        step (0 to ``generations``).

    """
    types = _check_payoffs(payoffs)[0]
    states = np.array(
        list(iter_moran(payoffs, counts, generations, selection, mutation, seed)), dtype=np.int64
    )
    frame = _tidy(types, states, "count")
    frame["share"] = frame["count"] / states[0].sum()
    return frame


#: The function that runs each :class:`Dynamics`.
DYNAMICS: dict[Dynamics, Callable[..., pd.DataFrame]] = {
    Dynamics.MORAN: moran_process,
    Dynamics.REPLICATOR: replicator_dynamics,
}


def evolve(
    players: Sequence[Any],
    dynamics: Dynamics | str = Dynamics.MORAN,
    generations: int = 500,
    population: int = 50,
    selection: float = 1.0,
    mutation: float = 0.0,
    seed: int | None = None,
    progress_bar: bool = True,
    **tournament: Any,
) -> pd.DataFrame:
    """A regime-aware evolutionary run over player types.

    Fitness is each type's mean payoff per turn against each other type, the regime's
    transfers and peer punishment included, from a :class:`~sccgames.Tournament` under the
    given regime (any regime, ``Combined`` or ``Schedule``); the chosen dynamics then spread
    the better-paid types.

    Parameters
    ----------
    players : sequence
        The types, as for :class:`~sccgames.Tournament` (instances, classes or names).
    dynamics : Dynamics or str, default ``Dynamics.MORAN``
        ``MORAN`` (finite population, stochastic) or ``REPLICATOR`` (infinite, deterministic).
    generations : int, default 500
        Moran birth-death events, or replicator generations. Chosen as ten times the default
        population: each individual is replaced about ten times.
    population : int, default 50
        Moran population size, split as evenly as possible among the types (earlier types
        get the remainder). Chosen so that drift is visible but selection on payoff
        differences of order one dominates.
    selection, mutation : float
        As in :func:`moran_process` (unused by the replicator dynamics).
    seed : int, optional
        The one seed: it seeds the tournament and the Moran process (``None``: fresh).
    progress_bar : bool, default True
        Show the tournament's progress.
    **tournament
        Passed to :class:`~sccgames.Tournament`: ``turns``, ``repetitions``, ``regime``,
        ``game``, ``domains``, ``noise``, ``processes``.

    Returns
    -------
    pandas.DataFrame
        Tidy shares per generation (``generation``, ``type``, ``share``, and ``count`` for
        the Moran process), as :func:`population_shares
        <sccgames.experiments.plots.population_shares>` plots them.

    """
    from sccgames.engines.tournament import Tournament

    try:
        dynamics = Dynamics(dynamics)
    except ValueError:
        allowed = ", ".join(repr(d.value) for d in Dynamics)
        raise ValueError(f"dynamics must be one of {allowed}, got {dynamics!r}") from None
    check_integer("population", population, low=2)
    if seed is not None:
        check_integer("seed", seed, low=0)
    tournament_seed, dynamics_seed = np.random.SeedSequence(seed).generate_state(2)
    results = Tournament(players, seed=int(tournament_seed), **tournament).play(
        progress_bar=progress_bar
    )
    payoffs = payoff_matrix(results.matches)
    types = list(payoffs.index)
    if dynamics is Dynamics.REPLICATOR:
        return replicator_dynamics(payoffs, generations=generations)
    base, extra = divmod(population, len(types))
    counts = {name: base + (k < extra) for k, name in enumerate(types)}
    return moran_process(payoffs, counts, generations, selection, mutation, seed=int(dynamics_seed))
