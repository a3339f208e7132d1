"""Testing the claim: can a purely rational model account for the choices? (``docs/model.md`` §7).

Choice data (one row per citizen and round, :func:`choices_from_society`) are fitted by
maximum likelihood with the two nested logit models of :mod:`sccgames.inference.likelihood`
(``"rational"`` and ``"motive"``; its docstring states both), with exact gradients, several
starts and standard errors from the Hessian (:func:`fit`); the models are compared by a
likelihood-ratio test whose null distribution accounts for the motive parameters lying on
their bound 0 under the rational model (:func:`likelihood_ratio_test`), by Vuong's test
(:func:`vuong_test`), and out of sample (:func:`predict`, :func:`log_loss`, :func:`brier`);
:func:`bootstrap` gives percentile intervals of any statistic of the fits by resampling
subjects. A finite mixture of types is in :mod:`sccgames.inference.mixture`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from axelrod import Action
from scipy import optimize, stats
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

from sccgames._validation import check_integer
from sccgames.engines.batch import play_batch
from sccgames.inference.likelihood import (
    BOUNDS,
    CONTEXT_COLUMNS,
    HISTORY_COLUMNS,
    LEARNING_PARAMETERS,
    MODELS,
    MOTIVE_PARAMETERS,
    PAYOFF_COLUMNS,
    RATIONAL_PARAMETERS,
    RIVALS,
    START_BOX,
    Model,
    _prepare,
    habit_trace,
    information,
    loglik,
    loglik_terms,
    objective,
    parameter_names,
    probability,
    resolve_model,
    utility,
)
from sccgames.model.agents import MotiveAgent
from sccgames.model.decision import evidence
from sccgames.model.profiles import Profile
from sccgames.rules.games import payoff_tuples, society_game

C = Action.C

__all__ = [
    "BOUNDS",
    "CONTEXT_COLUMNS",
    "HISTORY_COLUMNS",
    "LEARNING_PARAMETERS",
    "MODELS",
    "MOTIVE_PARAMETERS",
    "PAYOFF_COLUMNS",
    "RATIONAL_PARAMETERS",
    "RIVALS",
    "START_BOX",
    "FitResult",
    "LRTest",
    "Model",
    "VuongTest",
    "bootstrap",
    "brier",
    "choices_from_batch",
    "choices_from_match",
    "choices_from_society",
    "fit",
    "gradient_hessian",
    "habit_trace",
    "information",
    "likelihood_ratio_test",
    "log_loss",
    "loglik",
    "loglik_terms",
    "maximize",
    "parameter_names",
    "predict",
    "probability",
    "resolve_model",
    "rival_test",
    "utility",
    "vuong_test",
]


# --------------------------------------------------------------------------- data
def _history(state: Any, name: str) -> Any:
    """A history column of ``state``.

    The counts behind the belief about the partner are :func:`~sccgames.model.decision.evidence`:
    what strangers taught plus this partner's moves.
    """
    if name == "partner_c":
        return evidence(state)[0]
    if name == "partner_moves":
        return evidence(state)[1]
    return getattr(state, name)


def choices_from_society(society: Any) -> pd.DataFrame:
    """Run a pairwise :class:`~sccgames.Society` and return its tidy choice data.

    Parameters
    ----------
    society : sccgames.Society
        A society playing a symmetric pairwise game (a 2×2 ``axelrod.Game`` or the wallet).

    Returns
    -------
    pandas.DataFrame
        One row per citizen who played, per round: ``subject``, ``type`` (at decision time),
        ``round``, ``cooperated`` (bool), :data:`CONTEXT_COLUMNS` and
        :data:`HISTORY_COLUMNS` (counts of observed moves, which are data, not latent
        states; ``docs/model.md`` §7), as float64, and ``habit``: each row's habit before the
        choice, computed from the subject's own earlier choices
        (:func:`~sccgames.inference.likelihood.habit_trace`), and the game in every row,
        :data:`PAYOFF_COLUMNS`, so that the data of several games (stakes, say) can be
        concatenated and fitted together. ``attrs["payoffs"]`` holds the same game's ``(own,
        other)`` payoffs as nested tuples, indexed ``[my action, partner's action]``.

    Raises
    ------
    ValueError
        For a game played in groups or with roles (no shared pairwise payoffs).

    """
    game = society_game(society.game)
    if game.group_size != 2 or type(game).__name__ == "TrustGame":
        raise ValueError(
            f"choices_from_society needs a symmetric pairwise game, got {type(game).__name__}"
        )
    own, other = game.motive_payoffs(None)
    payoffs = tuple(tuple(tuple(float(x) for x in row) for row in m) for m in (own, other))
    run = society.stream()
    rounds = iter(run)
    parts = []
    while True:
        types = np.asarray(run.type_names, dtype=object)[run.type_index]  # before imitation
        try:
            rs = next(rounds)
        except StopIteration:
            break
        n = rs.cooperated.size
        played = rs.partner >= 0 if rs.partner is not None else np.ones(n, bool)
        played &= np.isfinite(rs.p_cooperate)  # a role without a move makes no choice
        columns: dict[str, Any] = {
            "subject": np.arange(n),
            "type": types,
            "round": np.full(n, rs.round),
            "cooperated": np.asarray(rs.cooperated, bool),
        }
        for name in CONTEXT_COLUMNS:
            columns[name] = np.broadcast_to(np.asarray(getattr(rs.context, name), float), (n,))
        for name in HISTORY_COLUMNS:
            columns[name] = np.broadcast_to(np.asarray(_history(rs.state, name), float), (n,))
        parts.append(pd.DataFrame(columns)[played])
    data = pd.concat(parts, ignore_index=True)
    habit = habit_trace(data)
    if habit is not None:  # from the whole panel, so that any split of rows keeps it
        data["habit"] = habit
    return _with_payoffs(data, payoffs)


def _with_payoffs(data: pd.DataFrame, payoffs: Any) -> pd.DataFrame:
    """``data`` with the game ``(own, other)`` in :data:`PAYOFF_COLUMNS` and ``attrs``."""
    own, other = (np.asarray(m, float).reshape(2, 2) for m in payoffs)
    for name, value in zip(PAYOFF_COLUMNS, (*own.ravel(), *other.ravel()), strict=True):
        data[name] = float(value)
    data.attrs["payoffs"] = tuple(tuple(tuple(map(float, row)) for row in m) for m in (own, other))
    return data


# --------------------------------------------------------------------------- fitting
def choices_from_match(match: Any) -> pd.DataFrame:
    """Play a :class:`~sccgames.Match` turn by turn and return its motive agents' choices.

    Parameters
    ----------
    match : sccgames.Match
        A match with at least one :class:`~sccgames.MotiveAgent` (axelrod strategies may be
        the partners; their moves are history, not choices).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`choices_from_society`, one row per turn and motive agent
        (``subject`` is the seat, 0 or 1; ``type`` the agent's name). ``cooperated`` is the
        *intended* action, the one the decision rule chose (noise then flips the played one);
        ``habit`` is the agent's habit, which learns from the played actions.

    """
    movers = society_game(match.game).movers
    agents = [
        i for i, player in enumerate(match.players) if isinstance(player, MotiveAgent) and movers[i]
    ]
    if not agents:
        raise ValueError("choices_from_match needs a match with at least one MotiveAgent")
    rows = []
    for turn in match.stream():
        for i in agents:
            player = match.players[i]
            context, state = player.last_decision
            rows.append(
                {"subject": i, "type": player.name, "round": turn.turn}
                | {"cooperated": turn.intended[i] == C}
                | {name: float(getattr(context, name)) for name in CONTEXT_COLUMNS}
                | {name: float(_history(state, name)) for name in HISTORY_COLUMNS}
                | {"habit": float(state.habit)}
            )
    data = pd.DataFrame(rows)
    payoffs = match.players[agents[0]]._payoffs
    return _with_payoffs(data, (payoffs.own, payoffs.other))


def choices_from_batch(
    first: Sequence[Any],
    second: Sequence[Any],
    turns: int,
    regime: Any = None,
    game: Any = None,
    domains: Mapping[str, float] | None = None,
    noise: float = 0.0,
    seeds: Any = None,
) -> pd.DataFrame:
    """Play matches in the tournament's batch kernel and return the motive agents' choices.

    The arguments are those of :func:`sccgames.engines.batch.play_batch` (``first[k]`` meets
    ``second[k]``); the same seeds give the same matches as a :class:`~sccgames.Tournament`
    plays. Returns the columns of :func:`choices_from_match`, one row per turn and motive
    agent, ``subject`` being the agent's position in ``[*first, *second]`` (each match's
    seats are separate subjects) and ``cooperated`` the intended act.
    """
    _, trace = play_batch(first, second, turns, regime, game, domains, noise, seeds, trace=True)
    assert trace is not None and trace.motive is not None
    if trace.motive.size == 0:
        raise ValueError("choices_from_batch needs at least one MotiveAgent")
    players = [*first, *second]
    names = np.array([players[i].name for i in trace.motive], dtype=object)
    parts = []
    for t, (context, state) in enumerate(zip(trace.contexts, trace.states, strict=True)):
        m = trace.motive.size
        columns: dict[str, Any] = {
            "subject": trace.motive,
            "type": names,
            "round": np.full(m, t),
            "cooperated": trace.intended[t, trace.motive],
        }
        for name in CONTEXT_COLUMNS:
            columns[name] = np.broadcast_to(np.asarray(getattr(context, name), float), (m,))
        for name in HISTORY_COLUMNS:
            columns[name] = np.broadcast_to(np.asarray(_history(state, name), float), (m,))
        columns["habit"] = np.broadcast_to(np.asarray(state.habit, float), (m,))
        parts.append(pd.DataFrame(columns))
    data = pd.concat(parts, ignore_index=True)
    payoffs = payoff_tuples(game)
    return _with_payoffs(data, (payoffs.own, payoffs.other))


@dataclass(frozen=True)
class FitResult:
    """A maximum-likelihood fit (``docs/model.md`` §7).

    Attributes
    ----------
    model : str
        ``"rational"`` or ``"motive"``.
    params : dict
        Estimates by parameter name.
    loglik : float
        Maximized log-likelihood.
    n_params, n_obs : int
    aic, bic : float
        ``2k − 2 log L`` and ``k log n − 2 log L``.
    se : dict
        Standard errors from the inverse numerical Hessian of the negative log-likelihood;
        NaN for a parameter on a bound or in a direction the data do not identify.
    converged : bool
        Whether the best start's optimizer reported success.

    """

    model: str
    params: dict[str, float]
    loglik: float
    n_params: int
    n_obs: int
    aic: float
    bic: float
    se: dict[str, float]
    converged: bool

    def ci(self, level: float = 0.95) -> dict[str, tuple[float, float]]:
        """Wald confidence intervals ``estimate ± z · SE``."""
        z = stats.norm.ppf(0.5 + level / 2.0)
        return {k: (v - z * self.se[k], v + z * self.se[k]) for k, v in self.params.items()}


#: Where the motive and learning models' own parameters reduce them to the rational model.
_NESTED = dict.fromkeys(MOTIVE_PARAMETERS, 0.0) | {
    "prior_strength": float(Profile().rational.prior_strength)
}

#: L-BFGS-B's stopping rules in :func:`fit`: tight, as the gradient is exact.
FIT_OPTIONS = {"ftol": 1e-12, "gtol": 1e-7, "maxiter": 1000}


def fit(
    model: str,
    data: pd.DataFrame,
    starts: int = 5,
    seed: int = 0,
    init: Mapping[str, float] | None = None,
    screen: int | None = 20_000,
) -> FitResult:
    """Fit ``model`` to choice data by maximum likelihood (L-BFGS-B within :data:`BOUNDS`).

    Parameters
    ----------
    model : {"rational", "learning", "reputation", "motive"}
        Which model (see :mod:`sccgames.inference.likelihood`).
    data : pandas.DataFrame
        Choice data as from :func:`choices_from_society`.
    starts : int, default 5
        Random starting points, drawn uniformly in :data:`START_BOX`.
    seed : int, default 0
        Seed of the random starts and of the screening subsample (two child streams of
        ``numpy.random.SeedSequence(seed)``).
    init : mapping, optional
        One extra start (say the rational estimates, when fitting the motive or the
        learning model, so that its optimum is never below the nested one's). Missing
        motive parameters start at 0 and a missing prior strength at the profile's (where
        both reduce to the rational model); other missing names are drawn.
    screen : int or None, default 20 000
        With more rows than this and more than two starts, every start is first run on a
        random subsample of ``screen`` rows and only the best two go on to all the data
        (from near an optimum, few iterations remain): multi-start search at a fraction of
        its cost, chosen so that fitting both models to 10⁵ choices takes a few seconds.
        ``None`` runs every start on all the rows.

    Returns
    -------
    FitResult

    """
    check_integer("starts", starts, 0)
    if screen is not None:
        check_integer("screen", screen, 1)
    d = _prepare(data)
    names = parameter_names(model, d)
    bounds = [BOUNDS[k] for k in names]
    start_seed, screen_seed = np.random.SeedSequence(seed).spawn(2)
    rng = np.random.default_rng(start_seed)
    points = [np.array([rng.uniform(*START_BOX[k]) for k in names]) for _ in range(starts)]
    if init is not None:
        extra = [
            float(init[k])
            if k in init
            else _NESTED[k]
            if k in _NESTED
            else rng.uniform(*START_BOX[k])
            for k in names
        ]
        points.append(np.clip(extra, [b[0] for b in bounds], [b[1] for b in bounds]))
    if not points:
        raise ValueError("fit needs at least one start")
    if screen is not None and d.n > screen and len(points) > 2 and isinstance(data, pd.DataFrame):
        rows = np.sort(np.random.default_rng(screen_seed).choice(d.n, screen, replace=False))
        sample = data.iloc[rows]
        sample.attrs = dict(data.attrs)
        screen_options = {"ftol": 1e-9, "gtol": 1e-5, "maxiter": 1000}
        screened = _minimize(
            objective(names, sample, model=model), points, bounds, True, screen_options
        )
        points = [res.x for res in sorted(screened, key=lambda res: res.fun)[:2]]
    return _maximize_exact(resolve_model(model).value, names, d, points)


def maximize(
    model: str,
    names: Sequence[str],
    mean_nll: Any,
    starts: Sequence[np.ndarray],
    bounds: Sequence[tuple[float, float]],
    n_obs: int,
    *,
    jac: bool = False,
    options: Mapping[str, Any] | None = None,
    standard_errors: bool = True,
) -> FitResult:
    """Maximum likelihood from several starts: the best L-BFGS-B optimum, as a FitResult.

    ``mean_nll(theta)`` is the negative log-likelihood per observation (with ``jac=True``
    it returns ``(value, gradient)``); standard errors come from the numerical Hessian of
    the total negative log-likelihood at the best optimum (NaN when not asked for).
    """
    results = _minimize(mean_nll, starts, bounds, jac, options)
    if not results:
        raise ValueError("maximize needs at least one start")
    best = min(results, key=lambda res: res.fun)
    theta = np.asarray(best.x, float)
    ll = -best.fun * n_obs
    if not standard_errors:
        se = np.full(theta.size, np.nan)
    elif jac:

        def gradient(t: np.ndarray) -> np.ndarray:
            return np.asarray(mean_nll(t)[1], float) * n_obs

        se = _standard_errors(lambda idx: gradient_hessian(gradient, theta, idx), theta, bounds)
    else:

        def total(t: np.ndarray) -> float:
            return float(mean_nll(t)) * n_obs

        def restricted(idx: np.ndarray) -> np.ndarray:
            def f(t: np.ndarray) -> float:
                full = theta.copy()
                full[idx] = t
                return total(full)

            return numerical_hessian(f, theta[idx])

        se = _standard_errors(restricted, theta, bounds)
    k = len(names)
    return FitResult(
        model=model,
        params={n: float(v) for n, v in zip(names, theta, strict=True)},
        loglik=float(ll),
        n_params=k,
        n_obs=n_obs,
        aic=float(2 * k - 2 * ll),
        bic=float(k * np.log(n_obs) - 2 * ll),
        se={n: float(v) for n, v in zip(names, se, strict=True)},
        converged=bool(best.success),
    )


def numerical_hessian(f: Any, x: np.ndarray, step: float = 1e-4) -> np.ndarray:
    """Central-difference Hessian of ``f`` at ``x`` (steps ``step · max(1, |x_i|)``)."""
    x = np.asarray(x, float)
    k = x.size
    h = step * np.maximum(1.0, np.abs(x))
    hess = np.empty((k, k))
    f0 = f(x)
    for i in range(k):
        ei = np.zeros(k)
        ei[i] = h[i]
        hess[i, i] = (f(x + ei) - 2.0 * f0 + f(x - ei)) / h[i] ** 2
        for j in range(i):
            ej = np.zeros(k)
            ej[j] = h[j]
            value = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (
                4.0 * h[i] * h[j]
            )
            hess[i, j] = hess[j, i] = value
    return hess


def _minimize(
    fun: Any,
    starts: Sequence[np.ndarray],
    bounds: Sequence[tuple[float, float]],
    jac: bool,
    options: Mapping[str, Any] | None,
) -> list[optimize.OptimizeResult]:
    """L-BFGS-B from every start, with BLAS on one thread.

    L-BFGS-B makes many tiny BLAS calls; OpenBLAS threads would only wait for each other
    (and, on a busy machine, for a free core: steps were five times slower).
    """
    with threadpool_limits(limits=1, user_api="blas"):
        return [
            optimize.minimize(
                fun, x0, jac=jac, method="L-BFGS-B", bounds=bounds, options=dict(options or {})
            )
            for x0 in starts
        ]


def gradient_hessian(
    gradient: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    index: np.ndarray,
    step: float = 1e-5,
) -> np.ndarray:
    """Hessian block ``index × index`` by central differences of an exact gradient."""
    x = np.asarray(x, float)
    hess = np.empty((index.size, index.size))
    for col, i in enumerate(index):
        h = step * max(1.0, abs(x[i]))
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        hess[:, col] = (gradient(up)[index] - gradient(down)[index]) / (2.0 * h)
    return (hess + hess.T) / 2.0


def _standard_errors(
    hessian: Callable[[np.ndarray], np.ndarray],
    theta: np.ndarray,
    bounds: Sequence[tuple[float, float]],
    tol: float = 1e-8,
) -> np.ndarray:
    """SEs from the Hessian over interior parameters; NaN on bounds and in flat directions.

    ``hessian(index)`` returns the Hessian of the total negative log-likelihood over the
    parameters ``index`` (the others held at ``theta``).
    """
    se = np.full(theta.size, np.nan)
    low, high = np.array(bounds).T
    scale = np.maximum(1.0, np.abs(theta))
    interior = np.flatnonzero((theta - low > 1e-6 * scale) & (high - theta > 1e-6 * scale))
    if interior.size == 0:
        return se
    hess = hessian(interior)
    keep = np.arange(interior.size)
    while keep.size:
        h = hess[np.ix_(keep, keep)]
        values, vectors = np.linalg.eigh(h)
        if not np.all(np.isfinite(values)):
            return se
        flat = values <= tol * max(values.max(), tol)
        if not flat.any():
            cov = np.linalg.inv(h)
            se[interior[keep]] = np.sqrt(np.diag(cov))
            return se
        involved = np.any(np.abs(vectors[:, flat]) > 1e-3, axis=1)
        keep = keep[~involved]
    return se


# --------------------------------------------------------------------------- tests
class LRTest(NamedTuple):
    """A likelihood-ratio test: ``statistic``, degrees of freedom ``df`` and ``p_value``."""

    statistic: float
    df: int
    p_value: float


class VuongTest(NamedTuple):
    """Vuong's test: ``z > 0`` favours the first model; two-sided ``p_value``."""

    z: float
    p_value: float


def likelihood_ratio_test(
    restricted: FitResult,
    full: FitResult,
    data: pd.DataFrame | None = None,
    *,
    draws: int = 99,
    seed: int = 0,
    progress_bar: bool = False,
) -> LRTest:
    """Likelihood-ratio test of a nested model against a fuller one (``docs/model.md`` §7).

    ``statistic = 2 (log L_full − log L_restricted)`` (floored at 0), ``df = k_full −
    k_restricted``. Under the rational model the motive parameters sit on their bound 0 and
    several of them are nearly collinear in a 2×2 game, so the statistic is far from χ²_df
    (nor is it the chi-bar-squared law of [SelfLiang1987]_, which assumes every direction
    identified): referred to χ²_df the test rejects much less often than it should. With
    ``data`` the p-value comes instead from a parametric bootstrap [EfronTibshirani1993]_:
    ``draws`` data sets of choices drawn from the fitted restricted model on the observed
    contexts (a bootstrap conditional on what each chooser saw), each refitted by both
    models (the restricted from its estimates, the full from the refitted restricted
    estimates and from its own estimates, without standard errors), and
    ``p = (1 + #{LR* ≥ LR}) / (1 + draws)``, a Monte Carlo test whose size is the nominal
    one when ``α (1 + draws)`` is a whole number [Dufour2006]_ (19, 39, 99, … draws at 5%).

    Parameters
    ----------
    restricted, full : FitResult
        Fits on the same data; ``restricted``'s parameters a subset of ``full``'s.
    data : pandas.DataFrame, optional
        The choice data of both fits. Without it the p-value is the χ²_df tail, which is
        conservative here.
    draws : int, default 99
        Bootstrap data sets (99: p-values on a grid of 0.01, exact size at 1%, 5% and 10%).
    seed : int, default 0
        Seed of the simulated choices.
    progress_bar : bool, default False
        Show a tqdm bar over the draws.

    Returns
    -------
    LRTest

    """
    if restricted.n_obs != full.n_obs:
        raise ValueError("the two fits must be on the same data")
    df = full.n_params - restricted.n_params
    if df <= 0:
        raise ValueError(f"the full model must have more parameters, got df = {df}")
    missing = set(restricted.params) - set(full.params)
    if missing:
        raise ValueError(f"the models are not nested: {sorted(missing)} only in the restricted")
    statistic = max(0.0, 2.0 * (full.loglik - restricted.loglik))
    if data is None:
        return LRTest(statistic, df, float(stats.chi2.sf(statistic, df)))
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    p = _bootstrap_p(restricted, full, data, statistic, draws, seed, progress_bar, "LR bootstrap")
    return LRTest(statistic, df, p)


def rival_test(
    rival: FitResult,
    motive: FitResult,
    data: pd.DataFrame,
    *,
    draws: int = 99,
    seed: int = 0,
    progress_bar: bool = False,
) -> LRTest:
    """Test whether the motive model fits better than a rational rival can by chance.

    The rival need not be nested in the motive model (the learner is not). The statistic is
    ``2 (log L_motive − log L_rival)`` and its null law is a parametric bootstrap under the
    fitted rival [EfronTibshirani1993]_, as in :func:`likelihood_ratio_test`: ``draws`` data
    sets of choices drawn from the rival's P(C) on the observed contexts, both models refitted
    (each from its own estimates and the refitted rival's), ``p = (1 + #{T* ≥ T}) / (1 +
    draws)`` — a Monte Carlo test of exact size when ``α (1 + draws)`` is a whole number
    [Dufour2006]_. ``df`` is the difference in free parameters (for information only).

    Parameters
    ----------
    rival, motive : FitResult
        Fits of a rational model and of the motive model on ``data``.
    data : pandas.DataFrame
        The choice data of both fits.
    draws : int, default 99
        Bootstrap data sets.
    seed : int, default 0
        Seed of the simulated choices.
    progress_bar : bool, default False
        Show a tqdm bar over the draws.

    """
    if rival.n_obs != motive.n_obs or rival.n_obs != len(data):
        raise ValueError("the two fits must be on the same data, and data the rows they fitted")
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    statistic = 2.0 * (motive.loglik - rival.loglik)
    p = _bootstrap_p(rival, motive, data, statistic, draws, seed, progress_bar, "rival bootstrap")
    return LRTest(statistic, motive.n_params - rival.n_params, p)


def _bootstrap_p(
    null: FitResult,
    other: FitResult,
    data: pd.DataFrame,
    statistic: float,
    draws: int,
    seed: int,
    progress_bar: bool,
    desc: str,
) -> float:
    """The parametric-bootstrap p-value of ``statistic`` under the fitted ``null`` model.

    ``(1 + #{T* ≥ T}) / (1 + draws)``, ``T* = 2 (log L_other − log L_null)`` on choices
    drawn from ``null`` on the contexts of ``data``, both models refitted (``null`` from its
    estimates, ``other`` from the refitted null's and its own).
    """
    p_null = predict(null, data)
    rng = np.random.default_rng(seed)
    exceed = 0
    for _ in tqdm(range(draws), desc=desc, disable=not progress_bar):
        sample = data.copy()
        sample["cooperated"] = rng.random(len(data)) < p_null
        sample.attrs = dict(data.attrs)
        again = _refit(null.model, sample, [null.params])
        again_other = _refit(other.model, sample, [again.params, other.params])
        exceed += 2.0 * (again_other.loglik - again.loglik) >= statistic - 1e-9
    return float((1 + exceed) / (1 + draws))


def _refit(model: str, data: pd.DataFrame, inits: Sequence[Mapping[str, float]]) -> FitResult:
    """Maximum likelihood from given starting values only, without standard errors."""
    d = _prepare(data)
    names = parameter_names(model, d)
    low, high = np.array([BOUNDS[k] for k in names]).T
    points = [np.clip([init.get(k, 0.0) for k in names], low, high) for init in inits]
    return _maximize_exact(model, names, d, points, standard_errors=False)


def _maximize_exact(
    model: str,
    names: Sequence[str],
    d: Any,
    points: Sequence[np.ndarray],
    standard_errors: bool = True,
) -> FitResult:
    """:func:`maximize` of the likelihood of :mod:`~.likelihood`, exact gradients."""
    bounds = [BOUNDS[k] for k in names]
    return maximize(
        model,
        names,
        objective(names, d, model=model),
        points,
        bounds,
        d.n,
        jac=True,
        options=FIT_OPTIONS,
        standard_errors=standard_errors,
    )


def vuong_test(
    data: pd.DataFrame, fit_a: FitResult, fit_b: FitResult, tolerance: float = 1e-6
) -> VuongTest:
    """Vuong's closeness test of two fitted models on the same data [Vuong1989]_.

    ``z = √n · mean(m) / sd(m)`` of the per-observation log-likelihood differences
    ``m_i = log P_a(y_i) − log P_b(y_i)``; ``z > 0`` favours ``fit_a``.

    When the two models give every choice the same probability (``mean |m_i| <
    tolerance``) they are observationally equivalent and z is not defined (Vuong's
    statistic needs ``ω² > 0``): the result is ``z = 0``, ``p = 1``. The default 1e-6 is
    chosen so that differences at the level of optimizer rounding — two models that both fit
    near-deterministic choices agree to about 1e-7 per choice, all of one sign, which would
    otherwise give an enormous z — are not read as evidence.
    """
    if tolerance < 0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance}")
    d = _prepare(data)
    m = loglik_terms(fit_a.model, fit_a.params, d) - loglik_terms(fit_b.model, fit_b.params, d)
    sd = m.std(ddof=1)
    if not sd > 0 or np.mean(np.abs(m)) < tolerance:
        return VuongTest(0.0, 1.0)
    z = float(np.sqrt(m.size) * m.mean() / sd)
    return VuongTest(z, float(2.0 * stats.norm.sf(abs(z))))


def bootstrap(
    data: pd.DataFrame,
    statistic: Callable[[pd.DataFrame], Mapping[str, float]],
    n_boot: int = 200,
    seed: int = 0,
    cluster: str | None = "subject",
    level: float = 0.95,
) -> pd.DataFrame:
    """Percentile bootstrap intervals of named statistics, resampling whole clusters.

    Parameters
    ----------
    data : pandas.DataFrame
        Choice data (its ``attrs`` are kept on every resample).
    statistic : callable
        ``statistic(data) → {name: value}``, say the estimates of a fit.
    n_boot : int, default 200
        Resamples (a percentile interval needs a few hundred [EfronTibshirani1993]_).
    seed : int, default 0
        Seed of the resampling.
    cluster : str or None, default "subject"
        Column whose groups are resampled whole (a subject's choices are not independent);
        each drawn group gets a new label, so a subject drawn twice counts as two. ``None``
        resamples rows.
    level : float, default 0.95
        Coverage of the percentile intervals.

    Returns
    -------
    pandas.DataFrame
        One row per statistic: ``statistic``, ``estimate`` (on ``data``), ``se`` (standard
        deviation of the replicates), ``ci_low``, ``ci_high``, ``n_boot``.

    """
    if n_boot < 2:
        raise ValueError(f"bootstrap needs n_boot >= 2, got {n_boot}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    if cluster is not None and cluster not in data:
        raise ValueError(f"no column {cluster!r} to resample by; columns are {list(data)}")
    estimate = dict(statistic(data))
    rng = np.random.default_rng(seed)
    labels = data[cluster].to_numpy() if cluster is not None else np.arange(len(data))
    groups, inverse = np.unique(labels, return_inverse=True)
    rows_of = np.split(np.argsort(inverse, kind="stable"), np.cumsum(np.bincount(inverse))[:-1])
    replicates = []
    for _ in range(n_boot):
        drawn = rng.integers(0, groups.size, groups.size)
        rows = np.concatenate([rows_of[g] for g in drawn])
        sample = data.iloc[rows].reset_index(drop=True)
        if cluster is not None:
            sample[cluster] = np.repeat(np.arange(drawn.size), [rows_of[g].size for g in drawn])
        sample.attrs = dict(data.attrs)
        replicates.append(statistic(sample))
    table = pd.DataFrame(replicates)
    alpha = (1.0 - level) / 2.0
    return pd.DataFrame(
        {
            "statistic": list(estimate),
            "estimate": [float(estimate[k]) for k in estimate],
            "se": [float(table[k].std(ddof=1)) for k in estimate],
            "ci_low": [float(table[k].quantile(alpha)) for k in estimate],
            "ci_high": [float(table[k].quantile(1.0 - alpha)) for k in estimate],
            "n_boot": n_boot,
        }
    )


def predict(fit_: FitResult, data: pd.DataFrame) -> np.ndarray:
    """P(C) in each row of ``data`` under a fitted model (out-of-sample prediction).

    Raises
    ------
    ValueError
        If the data need a parameter the fit did not estimate (say λ when the fit saw no
        score steps).

    """
    return probability(fit_.model, fit_.params, data)


def log_loss(p: Any, y: Any, eps: float = 1e-15) -> float:
    """Mean negative log-likelihood of outcomes ``y`` (0/1) under probabilities ``p``."""
    p = np.clip(np.asarray(p, float), eps, 1.0 - eps)
    y = np.asarray(y, float)
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log1p(-p)))


def brier(p: Any, y: Any) -> float:
    """Brier score: mean squared difference of probabilities ``p`` and outcomes ``y``."""
    return float(np.mean((np.asarray(p, float) - np.asarray(y, float)) ** 2))
