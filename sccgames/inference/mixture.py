"""A finite mixture of types: each subject is one of K types, each type its own parameters.

The choices of one subject all come from one type (a *panel* mixture, as in the type
analyses of public goods data [FischbacherGachter2010]_): with type shares ``π_k`` and the
likelihood ``L_ik`` of subject ``i``'s choices under type ``k``'s parameters (either model of
:mod:`sccgames.inference.likelihood`),

    ``log L = Σ_i log Σ_k π_k L_ik``.

It is maximized by expectation–maximization [Dempster1977]_ [McLachlanPeel2000]_: the E
step computes each subject's posterior type probabilities, the M step refits each type by
weighted maximum likelihood (every row weighted by its subject's posterior; exact gradients,
warm-started from the previous step) and sets ``π_k`` to the mean posterior. EM climbs the
likelihood monotonically but can stop at a local maximum, so it runs from several random
starts (random posterior weights) and keeps the best. Types are reported in order of
decreasing share.

>>> # mix = fit_mixture("rational", data, types=2); mix.shares, mix.params_frame()
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import logsumexp

from sccgames._validation import check_integer, check_nonnegative
from sccgames.inference.compare import FIT_OPTIONS, FitResult, _minimize
from sccgames.inference.likelihood import (
    BOUNDS,
    START_BOX,
    Model,
    _prepare,
    loglik_terms,
    objective,
    parameter_names,
    resolve_model,
)


@dataclass(frozen=True)
class MixtureResult:
    """A fitted finite mixture of types.

    Attributes
    ----------
    model : str
        The model every type follows (``"rational"`` or ``"motive"``).
    shares : tuple of float
        Type shares ``π_k``, largest first.
    components : tuple of FitResult
        Each type's estimates (``loglik`` is its weighted log-likelihood at the optimum;
        standard errors are not computed, NaN).
    loglik : float
        The mixture's maximized log-likelihood.
    n_params : int
        ``K k + K − 1``: every type's parameters and the free shares.
    n_obs, n_subjects : int
        Choices and subjects.
    aic, bic : float
        ``2 k − 2 log L`` and ``k log n − 2 log L``, with ``n`` the number of choices, as
        in :class:`~sccgames.inference.compare.FitResult` (so that they compare with one-type fits).
    posterior : pandas.DataFrame
        One row per subject: ``subject``, then ``type_0`` … ``type_{K−1}`` (posterior
        probabilities) and ``type`` (the most probable).
    iterations : int
        EM iterations of the best start.
    converged : bool
        Whether the best start stopped by its tolerance rather than ``max_iter``.

    """

    model: str
    shares: tuple[float, ...]
    components: tuple[FitResult, ...]
    loglik: float
    n_params: int
    n_obs: int
    n_subjects: int
    aic: float
    bic: float
    posterior: pd.DataFrame
    iterations: int
    converged: bool

    @property
    def types(self) -> int:
        """The number of types K."""
        return len(self.shares)

    def params_frame(self) -> pd.DataFrame:
        """Tidy estimates: one row per type and parameter.

        Columns ``type``, ``share``, ``parameter``, ``estimate``.
        """
        rows = [
            {"type": k, "share": share, "parameter": name, "estimate": value}
            for k, (share, comp) in enumerate(zip(self.shares, self.components, strict=True))
            for name, value in comp.params.items()
        ]
        return pd.DataFrame(rows)


def fit_mixture(
    model: Model | str,
    data: pd.DataFrame,
    types: int = 2,
    starts: int = 3,
    seed: int = 0,
    cluster: str = "subject",
    max_iter: int = 200,
    tol: float = 1e-7,
) -> MixtureResult:
    """Fit a K-type mixture of ``model`` to choice data by EM (module docstring).

    Parameters
    ----------
    model : {"rational", "motive"}
        The model of every type.
    data : pandas.DataFrame
        Choice data as from :func:`sccgames.inference.compare.choices_from_society`.
    types : int, default 2
        K ≥ 1 (K = 1 is the ordinary fit, by EM's M step).
    starts : int, default 3
        Random starts of EM (posterior weights drawn from a flat Dirichlet per subject;
        type parameters from :data:`~sccgames.inference.likelihood.START_BOX`). Chosen so that a
        start stuck at a local maximum is outvoted at three times the cost of one EM run;
        raise it for more types or flat likelihoods.
    seed : int, default 0
        Seed of the starts.
    cluster : str, default "subject"
        The column naming whose choices share a type.
    max_iter : int, default 200
        EM iterations per start at most (chosen well above the 10–30 the tests' two-type
        fits need; ``converged`` says whether it was reached).
    tol : float, default 1e-7
        Stop when the log-likelihood rises by less than ``tol · |log L|`` in an iteration
        (chosen so that the shares and estimates are stable to about 1e-4).

    Returns
    -------
    MixtureResult

    Raises
    ------
    ValueError
        For ``types`` < 1, ``starts`` < 1, ``max_iter`` < 1, a negative ``tol``, a missing
        ``cluster`` column, or fewer subjects than types.

    """
    model = resolve_model(model)
    check_integer("max_iter", max_iter, 1)
    check_nonnegative("tol", tol)
    if types < 1 or starts < 1:
        raise ValueError(f"types and starts must be at least 1, got {types} and {starts}")
    if cluster not in data:
        raise ValueError(f"no column {cluster!r} naming subjects; columns are {list(data)}")
    subjects, index = np.unique(data[cluster].to_numpy(), return_inverse=True)
    if subjects.size < types:
        raise ValueError(f"{subjects.size} subjects cannot make {types} types")
    d = _prepare(data)
    names = parameter_names(model, d)
    rng = np.random.default_rng(seed)
    best = None
    for _ in range(starts):
        weights = rng.dirichlet(np.ones(types), size=subjects.size)
        params = [{k: rng.uniform(*START_BOX[k]) for k in names} for _ in range(types)]
        run = _em(model, d, names, index, weights, params, max_iter, tol)
        if best is None or run[0] > best[0]:
            best = run
    assert best is not None
    loglik, shares, params, weights, iterations, converged = best
    order = np.argsort(-shares, kind="stable")
    k = types * len(names) + types - 1
    components = tuple(
        FitResult(
            model=model.value,
            params=params[j],
            loglik=float(np.sum(weights[index, j] * loglik_terms(model, params[j], d))),
            n_params=len(names),
            n_obs=d.n,
            aic=np.nan,
            bic=np.nan,
            se=dict.fromkeys(names, np.nan),
            converged=converged,
        )
        for j in order
    )
    posterior = pd.DataFrame({cluster: subjects})
    for new, j in enumerate(order):
        posterior[f"type_{new}"] = weights[:, j]
    posterior["type"] = np.argmax(weights[:, order], axis=1)
    return MixtureResult(
        model=model.value,
        shares=tuple(float(shares[j]) for j in order),
        components=components,
        loglik=float(loglik),
        n_params=k,
        n_obs=d.n,
        n_subjects=int(subjects.size),
        aic=float(2 * k - 2 * loglik),
        bic=float(k * np.log(d.n) - 2 * loglik),
        posterior=posterior,
        iterations=iterations,
        converged=converged,
    )


def _em(
    model: Model,
    d: object,
    names: tuple[str, ...],
    index: np.ndarray,
    weights: np.ndarray,
    params: list[Mapping[str, float]],
    max_iter: int,
    tol: float,
) -> tuple[float, np.ndarray, list[dict[str, float]], np.ndarray, int, bool]:
    """EM from subject weights (an M step first); returns the fitted state."""
    bounds = [BOUNDS[k] for k in names]
    types = weights.shape[1]
    params = [dict(p) for p in params]
    previous = -np.inf
    loglik = -np.inf
    shares = weights.mean(axis=0)
    for iteration in range(1, max_iter + 1):
        # M step: every type by weighted maximum likelihood, warm-started
        for j in range(types):
            fun = objective(names, d, weights=weights[index, j], model=model)  # type: ignore[arg-type]
            x0 = np.array([params[j][k] for k in names])
            (res,) = _minimize(fun, [x0], bounds, True, FIT_OPTIONS)
            params[j] = {k: float(v) for k, v in zip(names, res.x, strict=True)}
        shares = np.clip(weights.mean(axis=0), 1e-12, None)
        # E step: each subject's log-likelihood under each type, then its posterior
        per_subject = np.stack(
            [
                np.bincount(index, weights=loglik_terms(model, params[j], d))  # type: ignore[arg-type]
                for j in range(types)
            ],
            axis=1,
        )
        joint = np.log(shares)[None, :] + per_subject
        total = logsumexp(joint, axis=1)
        loglik = float(total.sum())
        weights = np.exp(joint - total[:, None])
        if loglik - previous < tol * abs(loglik):
            return loglik, shares, params, weights, iteration, True
        previous = loglik
    return loglik, shares, params, weights, max_iter, False
