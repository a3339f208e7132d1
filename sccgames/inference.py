"""Testing the claim: can a purely rational model account for the choices? (``DESIGN.md`` §7).

Choice data (one row per citizen and round) are fitted by maximum likelihood with two nested
logit (quantal response, [McKelveyPalfrey1995]_) models that reuse the motive math of
:mod:`sccgames.motives` and :class:`sccgames.decision.Context` (no formula is written twice):

``"rational"``
    ``P(C) = logistic(β Δu_R)``, with ``Δu_R`` from :func:`~sccgames.motives.rational_utility`.
    The belief p̂ is the Beta posterior (:func:`~sccgames.motives.trust_prior`,
    :func:`~sccgames.motives.beta_mean`) of the observed partner moves, with free generalized
    trust τ; ``ΔX`` comes from :meth:`Context.incentive <sccgames.decision.Context.incentive>`
    with a free score value λ; the shadow of the future has a free δ. Free: β ∈ [0, 50],
    τ ∈ [0, 1], λ ∈ [0, 10] and δ ∈ [0, 0.99].
``"motive"``
    ``P(C) = logistic(β (Δu_R + Δu_M + Δu_E + Δu_S))``: the motive terms that need no latent
    state, with free norm n, warm glow g, sympathy σ, envy α, guilt β_g ∈ [0, 1) and esteem
    ν (the weights ``w_M``, ``w_E``, ``w_S`` are absorbed in these linear parameters, and
    ``w_R = 1`` fixes the scale β, which would otherwise not be identified). Anger is 0, the
    perceived compliance ē is the partner-C share of the history (the
    ``initial_compliance`` default before any move), conformity χ and belonging ι are fixed
    at 0 so that the model reduces exactly to the rational one when the six free motive
    parameters are 0; the other parameters keep their :class:`~sccgames.Profile` defaults.

A parameter that cannot move the likelihood on the data at hand is not free (λ without score
steps, δ in one-shot data, ν when no act is visible), so that the Hessian and the
likelihood-ratio degrees of freedom count only parameters the data can speak to. Inequity
aversion [FehrSchmidt1999]_ and warm glow are still only partly identified in a 2×2 game
(they enter through an affine function of p̂): their standard errors are then NaN and the
likelihood-ratio test is conservative.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats
from scipy.special import expit, log_expit

from sccgames import motives
from sccgames.decision import Context
from sccgames.games import society_game
from sccgames.profiles import Profile


class Model(enum.StrEnum):
    """The two models of a choice (see the module docstring); strings name them too."""

    RATIONAL = "rational"
    MOTIVE = "motive"


#: Both models, rational first.
MODELS = tuple(Model)


def resolve_model(model: Model | str) -> Model:
    """``model`` as a :class:`Model`; one ``ValueError`` naming the models otherwise."""
    try:
        return Model(model)
    except ValueError:
        names = ", ".join(repr(m.value) for m in Model)
        raise ValueError(f"unknown model {model!r}; choose one of {names}") from None


#: Context columns of the choice data, as named in :class:`~sccgames.decision.Context`.
CONTEXT_COLUMNS = (
    "coverage",
    "reward",
    "fine",
    "false_positive",
    "false_negative",
    "score_up",
    "score_down",
    "visibility",
    "partner_signal",
    "in_group",
    "remaining",
    "peer_sanction",
)
#: Observable history counts (from :class:`~sccgames.decision.State`).
HISTORY_COLUMNS = ("partner_c", "partner_moves", "c_then_c", "after_c", "d_then_c", "after_d")

#: Bounds of every parameter (the optimizer's box) and the box random starts are drawn from.
BOUNDS: dict[str, tuple[float, float]] = {
    "beta": (0.0, 50.0),
    "trust": (0.0, 1.0),
    "score_value": (0.0, 10.0),
    "delta": (0.0, 0.99),
    "norm": (0.0, 10.0),
    "warm_glow": (0.0, 10.0),
    "sympathy": (0.0, 5.0),
    "envy": (0.0, 5.0),
    "guilt": (0.0, 0.999),
    "esteem": (0.0, 10.0),
}
START_BOX: dict[str, tuple[float, float]] = {
    "beta": (0.2, 5.0),
    "trust": (0.05, 0.95),
    "score_value": (0.0, 1.0),
    "delta": (0.1, 0.9),
    "norm": (0.0, 2.0),
    "warm_glow": (0.0, 2.0),
    "sympathy": (0.0, 1.0),
    "envy": (0.0, 1.0),
    "guilt": (0.0, 0.5),
    "esteem": (0.0, 2.0),
}
RATIONAL_PARAMETERS = ("beta", "trust", "score_value", "delta")
MOTIVE_PARAMETERS = ("norm", "warm_glow", "sympathy", "envy", "guilt", "esteem")

_DEFAULT = Profile()


# --------------------------------------------------------------------------- data
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
        states; ``DESIGN.md`` §7), as float64. ``attrs["payoffs"]`` holds the game's
        ``(own, other)`` payoffs as nested tuples, indexed ``[my action, partner's action]``.

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
        columns: dict[str, Any] = {
            "subject": np.arange(n),
            "type": types,
            "round": np.full(n, rs.round),
            "cooperated": np.asarray(rs.cooperated, bool),
        }
        for name in CONTEXT_COLUMNS:
            columns[name] = np.broadcast_to(np.asarray(getattr(rs.context, name), float), (n,))
        for name in HISTORY_COLUMNS:
            columns[name] = np.broadcast_to(np.asarray(getattr(rs.state, name), float), (n,))
        parts.append(pd.DataFrame(columns)[played])
    data = pd.concat(parts, ignore_index=True)
    data.attrs["payoffs"] = payoffs
    return data


@dataclass(frozen=True)
class _Data:
    """Choice data as float arrays, with the Context the motive functions read."""

    y: np.ndarray
    context: Context
    history: dict[str, np.ndarray]
    compliance: np.ndarray
    own: np.ndarray
    other: np.ndarray

    @property
    def n(self) -> int:
        return self.y.size

    # what the data alone decide, computed once rather than at every likelihood evaluation
    @cached_property
    def needed(self) -> dict[str, bool]:
        """Whether λ, δ and ν can move the likelihood on these data."""
        c = self.context
        watched = c.coverage * (1 - c.false_positive - c.false_negative)
        return {
            "score_value": bool(np.any(watched * (c.score_up + c.score_down) != 0)),
            "delta": bool(np.any(np.asarray(c.remaining) > 0)),
            "esteem": bool(np.any(np.asarray(c.visibility) != 0)),
        }

    @cached_property
    def rho_hat(self) -> np.ndarray:
        """The partner's estimated responsiveness (history only, default prior)."""
        h, r = self.history, _DEFAULT.rational
        return motives.responsiveness(
            h["c_then_c"],
            h["after_c"],
            h["d_then_c"],
            h["after_d"],
            r.responsiveness,
            r.prior_strength,
        )

    @cached_property
    def condition(self) -> np.ndarray:
        """Bicchieri's conditionality of the norm at the perceived compliance (defaults)."""
        m = _DEFAULT.moral
        return motives.conditionality(self.compliance, m.conditionality, m.threshold, m.width)


def _prepare(data: pd.DataFrame) -> _Data:
    if "payoffs" not in data.attrs:
        raise ValueError('choice data need the game\'s payoffs in data.attrs["payoffs"]')
    own, other = (np.asarray(m, float) for m in data.attrs["payoffs"])
    context = Context(
        **{
            name: data[name].to_numpy(float) if name in data else getattr(Context(), name)
            for name in CONTEXT_COLUMNS
        }
    )
    history = {name: data[name].to_numpy(float) for name in HISTORY_COLUMNS}
    moves = history["partner_moves"]
    compliance = np.where(
        moves > 0,
        history["partner_c"] / np.maximum(moves, 1.0),
        _DEFAULT.moral.initial_compliance,
    )
    y = data["cooperated"].to_numpy(bool)
    return _Data(y, context, history, compliance, own, other)


def parameter_names(model: str, data: pd.DataFrame | _Data) -> tuple[str, ...]:
    """The free parameters of ``model`` on ``data`` (those the likelihood depends on).

    λ is free only if some row has a score step under watch, δ only if some row has turns
    remaining, ν only if some act is visible.
    """
    model = resolve_model(model)
    d = data if isinstance(data, _Data) else _prepare(data)
    needed = d.needed
    names = RATIONAL_PARAMETERS + (MOTIVE_PARAMETERS if model == "motive" else ())
    return tuple(name for name in names if needed.get(name, True))


# --------------------------------------------------------------------------- likelihood
def utility(model: str, params: Mapping[str, float], data: pd.DataFrame | _Data) -> np.ndarray:
    """The deliberative utility of C over D in each row (before β), ``DESIGN.md`` §2.

    A parameter missing from ``params`` that the data do not need (λ, δ, ν; see
    :func:`parameter_names`) is taken as 0, as are the motive parameters of the rational
    model.
    """
    model = resolve_model(model)
    d = data if isinstance(data, _Data) else _prepare(data)
    missing = set(parameter_names(model, d)) - set(params)
    if missing:
        raise ValueError(f"the {model} model on these data needs parameters {sorted(missing)}")

    def get(name: str) -> float:
        return float(params.get(name, 0.0))

    r, m, s = _DEFAULT.rational, _DEFAULT.moral, _DEFAULT.social
    h, c = d.history, d.context
    prior = motives.trust_prior(get("trust"), r.score_trust, c.partner_signal)
    p_hat = motives.beta_mean(prior, r.prior_strength, h["partner_c"], h["partner_moves"])
    delta_x = c.incentive(get("score_value"))
    shadow = motives.shadow_of_future(get("delta"), c.remaining)
    u = motives.rational_utility(p_hat, d.own, shadow, d.rho_hat, delta_x)
    if model == "rational":
        return np.broadcast_to(u, (d.n,))
    effective = motives.framed_norm(get("norm"), m.framing, c.salience, m.framing_half)
    condition = d.condition
    harm = motives.expected_harm(p_hat, d.other)
    moral = motives.moral_utility(effective, condition, m.harm_weight, harm)
    emotion = motives.emotion_utility(
        p_hat,
        d.own,
        d.other,
        get("sympathy"),
        0.0,
        get("envy"),
        get("guilt"),
        get("warm_glow"),
    )
    image = motives.image_value(delta_x, s.image_half)
    social = motives.social_utility(get("esteem"), c.visibility, image, 0.0, d.compliance, 0.0, 0.0)
    return np.broadcast_to(u + moral + emotion + social, (d.n,))


def loglik_terms(model: str, params: Mapping[str, float], data: pd.DataFrame | _Data) -> np.ndarray:
    """Per-row log-likelihood ``log P(a_i)`` with ``P(C) = logistic(β · u)``.

    Computed as ``log_expit(±β u)``, finite for any β ≥ 0 and finite utility
    [McKelveyPalfrey1995]_.
    """
    d = data if isinstance(data, _Data) else _prepare(data)
    x = float(params["beta"]) * utility(model, params, d)
    return log_expit(np.where(d.y, x, -x))


def loglik(model: str, params: Mapping[str, float], data: pd.DataFrame | _Data) -> float:
    """Total log-likelihood of the choices under ``model`` at ``params``."""
    return float(loglik_terms(model, params, data).sum())


# --------------------------------------------------------------------------- fitting
@dataclass(frozen=True)
class FitResult:
    """A maximum-likelihood fit (``DESIGN.md`` §7).

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


def fit(
    model: str,
    data: pd.DataFrame,
    starts: int = 5,
    seed: int = 0,
    init: Mapping[str, float] | None = None,
) -> FitResult:
    """Fit ``model`` to choice data by maximum likelihood (L-BFGS-B within :data:`BOUNDS`).

    Parameters
    ----------
    model : {"rational", "motive"}
        Which model (see the module docstring).
    data : pandas.DataFrame
        Choice data as from :func:`choices_from_society`.
    starts : int, default 5
        Random starting points, drawn uniformly in :data:`START_BOX` from one
        ``numpy.random.default_rng(seed)``.
    seed : int, default 0
        Seed of the random starts.
    init : mapping, optional
        One extra start (say the rational estimates, motive terms 0, when fitting the motive
        model, so that its optimum is never below the nested one's). Missing motive
        parameters start at 0, other missing names are drawn.

    Returns
    -------
    FitResult

    """
    d = _prepare(data)
    names = parameter_names(model, d)
    bounds = [BOUNDS[k] for k in names]
    rng = np.random.default_rng(seed)
    points = [np.array([rng.uniform(*START_BOX[k]) for k in names]) for _ in range(starts)]
    if init is not None:
        extra = [
            float(init[k])
            if k in init
            else (0.0 if k in MOTIVE_PARAMETERS else rng.uniform(*START_BOX[k]))
            for k in names
        ]
        points.append(np.clip(extra, [b[0] for b in bounds], [b[1] for b in bounds]))
    if not points:
        raise ValueError("fit needs at least one start")

    def mean_nll(theta: np.ndarray) -> float:
        return -loglik(model, dict(zip(names, theta, strict=True)), d) / d.n

    return maximize(
        model,
        names,
        mean_nll,
        points,
        bounds,
        d.n,
        options={"ftol": 1e-11, "gtol": 1e-6, "maxiter": 1000},
    )


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
    best = None
    for x0 in starts:
        res = optimize.minimize(
            mean_nll, x0, jac=jac, method="L-BFGS-B", bounds=bounds, options=dict(options or {})
        )
        if best is None or res.fun < best.fun:
            best = res
    if best is None:
        raise ValueError("maximize needs at least one start")
    theta = np.asarray(best.x, float)
    ll = -best.fun * n_obs
    if standard_errors:

        def total(t: np.ndarray) -> float:
            value = mean_nll(t)
            return (value[0] if jac else value) * n_obs

        se = _standard_errors(total, theta, bounds)
    else:
        se = np.full(theta.size, np.nan)
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


def _standard_errors(
    nll: Any, theta: np.ndarray, bounds: list[tuple[float, float]], tol: float = 1e-8
) -> np.ndarray:
    """SEs from the Hessian over interior parameters; NaN on bounds and in flat directions."""
    se = np.full(theta.size, np.nan)
    low, high = np.array(bounds).T
    scale = np.maximum(1.0, np.abs(theta))
    interior = np.flatnonzero((theta - low > 1e-6 * scale) & (high - theta > 1e-6 * scale))
    if interior.size == 0:
        return se
    sub = theta[interior]

    def restricted(t: np.ndarray) -> float:
        full = theta.copy()
        full[interior] = t
        return nll(full)

    hess = numerical_hessian(restricted, sub)
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
def likelihood_ratio_test(restricted: FitResult, full: FitResult) -> tuple[float, int, float]:
    """Likelihood-ratio test of a nested model against a fuller one (``DESIGN.md`` §7).

    Returns ``(statistic, df, p_value)`` with ``statistic = 2 (log L_full − log L_restricted)``
    (floored at 0) referred to χ² with ``df = k_full − k_restricted``. Parameters on a
    boundary under the null (the motive terms at 0) make this χ² conservative.
    """
    if restricted.n_obs != full.n_obs:
        raise ValueError("the two fits must be on the same data")
    df = full.n_params - restricted.n_params
    if df <= 0:
        raise ValueError(f"the full model must have more parameters, got df = {df}")
    statistic = max(0.0, 2.0 * (full.loglik - restricted.loglik))
    return statistic, df, float(stats.chi2.sf(statistic, df))


def vuong_test(data: pd.DataFrame, fit_a: FitResult, fit_b: FitResult) -> tuple[float, float]:
    """Vuong's closeness test of two fitted models on the same data.

    ``z = √n · mean(m) / sd(m)`` of the per-observation log-likelihood differences
    ``m_i = log P_a(y_i) − log P_b(y_i)``; ``z > 0`` favours ``fit_a``. Returns
    ``(z, two-sided p)``.
    """
    d = _prepare(data)
    m = loglik_terms(fit_a.model, fit_a.params, d) - loglik_terms(fit_b.model, fit_b.params, d)
    sd = m.std(ddof=1)
    if not sd > 0:
        return 0.0, 1.0
    z = float(np.sqrt(m.size) * m.mean() / sd)
    return z, float(2.0 * stats.norm.sf(abs(z)))


def predict(fit_: FitResult, data: pd.DataFrame) -> np.ndarray:
    """P(C) in each row of ``data`` under a fitted model (out-of-sample prediction).

    Raises
    ------
    ValueError
        If the data need a parameter the fit did not estimate (say λ when the fit saw no
        score steps).

    """
    d = _prepare(data)
    return expit(fit_.params["beta"] * utility(fit_.model, fit_.params, d))


def log_loss(p: Any, y: Any, eps: float = 1e-15) -> float:
    """Mean negative log-likelihood of outcomes ``y`` (0/1) under probabilities ``p``."""
    p = np.clip(np.asarray(p, float), eps, 1.0 - eps)
    y = np.asarray(y, float)
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log1p(-p)))


def brier(p: Any, y: Any) -> float:
    """Brier score: mean squared difference of probabilities ``p`` and outcomes ``y``."""
    return float(np.mean((np.asarray(p, float) - np.asarray(y, float)) ** 2))
