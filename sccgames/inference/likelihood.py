"""The choice models of :mod:`sccgames.inference.compare`, their likelihood and its gradient.

Choice data (one row per citizen and round) are explained by logit (quantal response,
[McKelveyPalfrey1995]_) models — two rational ones, static and learning, and the motive
model, which nests the static one — that reuse the motive math of
:mod:`sccgames.model.motives` and :class:`sccgames.model.decision.Context` (no formula is written
twice):

``"rational"``
    ``P(C) = logistic(β Δu_R)``, with ``Δu_R`` from
    :func:`~sccgames.model.motives.rational_utility`. The belief p̂ is the Beta posterior
    (:func:`~sccgames.model.motives.trust_prior`, :func:`~sccgames.model.motives.beta_mean`) of the
    observed partner moves, with free generalized trust τ; ``ΔX`` comes from
    :meth:`Context.incentive <sccgames.model.decision.Context.incentive>` with a free score value λ;
    the shadow of the future has a free δ. Free: β ∈ [0, 50], τ ∈ [0, 1], λ ∈ [0, 10] and δ ∈ [0,
    0.99]. The belief weighs τ as :attr:`~sccgames.model.profiles.RationalParams.prior_strength`
    (2) observed moves.
``"learning"``
    The rational model of a Bayesian learner of others' cooperation whose prior strength k
    (how many observed moves its prior τ is worth) is free too, k ∈ [0.01, 1000]:
    ``p̂ = (k · prior(τ) + c) / (k + m)`` after c cooperations in m observed moves. A small k
    follows the history at once, a large one keeps its prior; the static model is the
    learner with k = 2. As an agent it is :class:`~sccgames.HomoEconomicus` with
    ``rational.prior_strength = k``: the same code simulates and fits it.
``"reputation"``
    The rational model of an agent that values a score point by the material future the
    regime attaches to it rather than by a free constant: λ is
    :func:`~sccgames.model.decision.score_value` of a
    :class:`~sccgames.ReputationAware` agent, ``F(δ) · V`` per row, with ``V`` from the
    row's regime columns (``score_persistence``, ``signal_slope``, ``status_price``,
    ``status_exclusion``, written by :meth:`SocialCredit.context_for
    <sccgames.SocialCredit.context_for>`; :func:`~sccgames.model.motives.score_worth` at the
    profile's ζ, ρ₀, prior strength and forgetting) and ``F(δ) = δ / (1 − δ (1 − d))``
    (:func:`~sccgames.model.motives.score_future`); a community's standing adds
    :func:`~sccgames.model.decision.standing_value` (columns ``standing_stake``,
    ``standing_persistence``). Free: β, τ and δ (δ is free wherever a row has turns
    remaining or a score or standing with a material future); no λ. Where every row has
    the same regime it fits as well as the static model with ``λ = F(δ) V``; conditions
    whose regimes attach different futures to a score tell them apart.
``"motive"``
    ``P(C) = logistic(β (Δu_R + Δu_M + Δu_E + Δu_S))``: the motive terms that need no latent
    state, with free norm n, warm glow g, sympathy σ, envy α, guilt β_g ∈ [0, 1) and esteem
    ν (the weights ``w_M``, ``w_E``, ``w_S`` are absorbed in these linear parameters, and
    ``w_R = 1`` fixes the scale β, which would otherwise not be identified). Anger is 0, the
    perceived compliance ē is the partner-C share of the history (the
    ``initial_compliance`` default before any move), conformity χ and belonging ι are fixed
    at 0 so that the model reduces exactly to the rational one when the free motive
    parameters are 0; the other parameters keep their :class:`~sccgames.Profile` defaults.
    Habit arbitrates as in the decision rule (:func:`~sccgames.model.motives.choice_probability`):
    ``P(C) = θ h + (1 − θ) logistic(β Σ Δu)`` with ``θ = w_H |2h − 1|`` and free habit
    weight ``w_H ∈ [0, 1)``; the habit h is not latent but computed from the data, the
    exponentially weighted average of the subject's own earlier choices
    (:func:`~sccgames.model.motives.habit_update` from the
    :class:`~sccgames.model.profiles.HabitParams` defaults), so it needs ``subject`` and ``round``
    columns.

A parameter that cannot move the likelihood on the data at hand is not free (λ without score
steps, δ in one-shot data, ν when no act is visible, ``w_H`` without a subject's history),
so that the Hessian and the likelihood-ratio degrees of freedom count only parameters the
data can speak to. Inequity aversion [FehrSchmidt1999]_ and warm glow are still only partly
identified in a 2×2 game (they enter through an affine function of p̂).

How it is fast
--------------
Every quantity the parameters do not touch is computed once per data set
(:class:`_Design`). What remains is affine in each parameter given the others: p̂ is affine
in τ, ``ΔX`` in λ, the emotion terms in p̂ and in σ, α, β_g, g, the norm term in n. The
affine coefficients are read off the motive functions themselves (evaluated at 0 and 1),
so the formulas stay those of :mod:`sccgames.model.motives`; the kinks (``max(harm, 0)`` in the
norm, ``min(·, remaining)`` in the shadow of the future, ``max(ΔX, 0)`` in the image) are
differentiated by central differences of those same functions. A likelihood evaluation with
its exact gradient then costs about as much as one evaluation did before, so L-BFGS-B needs
no finite-difference gradient (``k + 1`` evaluations per step). When the game varies by row
(:data:`PAYOFF_COLUMNS`, :data:`STAKES_COLUMN`), the coefficients that depend only on the game
become arrays, one value a row, and the same formulas run elementwise; data of one game keep
numbers.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from scipy.special import expit, log_expit

from sccgames.limits import MAX_MAGNITUDE, MAX_ROUNDS
from sccgames.model import motives
from sccgames.model.decision import Context, point_worth, standing_worth
from sccgames.model.profiles import Profile


class Model(enum.StrEnum):
    """The models of a choice (see the module docstring); strings name them too."""

    RATIONAL = "rational"
    LEARNING = "learning"
    REPUTATION = "reputation"
    MOTIVE = "motive"


#: Every model, the rational ones first.
MODELS = tuple(Model)
#: The rational models: the rivals the motive model is put against.
RIVALS = (Model.RATIONAL, Model.LEARNING, Model.REPUTATION)


def resolve_model(model: Model | str) -> Model:
    """``model`` as a :class:`Model`; one ``ValueError`` naming the models otherwise."""
    try:
        return Model(model)
    except ValueError:
        names = ", ".join(repr(m.value) for m in Model)
        raise ValueError(f"unknown model {model!r}; choose one of {names}") from None


#: Context columns of the choice data, as named in :class:`~sccgames.model.decision.Context`.
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
    "score_persistence",
    "signal_slope",
    "status_price",
    "status_exclusion",
    "standing_stake",
    "standing_persistence",
)
#: Observable history counts (from :class:`~sccgames.model.decision.State`).
HISTORY_COLUMNS = ("partner_c", "partner_moves", "c_then_c", "after_c", "d_then_c", "after_d")
#: The game of each row, when choice data carry it per row: ``own_<a><b>`` is the chooser's
#: payoff and ``other_<a><b>`` the partner's when the chooser plays ``a`` and the partner
#: ``b`` (``c`` or ``d``), i.e. ``own[a][b]`` of :class:`~sccgames.model.decision.Payoffs`.
#: A row whose eight payoff cells are all empty (NaN) takes the default game of
#: ``data.attrs["payoffs"]``; data without these columns take it in every row.
PAYOFF_COLUMNS = (
    "own_cc",
    "own_cd",
    "own_dc",
    "own_dd",
    "other_cc",
    "other_cd",
    "other_dc",
    "other_dd",
)
#: A column that multiplies every payoff of its row (both players'), after the row's game is
#: read: the stakes of a condition, e.g. Cohn et al.'s "big money" wallet [Cohn2019]_.
STAKES_COLUMN = "stakes"
#: Columns that name a row rather than describe its choice: ``subject`` and ``round`` order
#: the habit (:func:`habit_trace`) and cluster the bootstrap, ``group`` and ``type`` are kept
#: for the user's own tables (:func:`~sccgames.inference.compare.choices_from_society` writes
#: ``type``).
IDENTIFIER_COLUMNS = ("subject", "round", "group", "type")
#: Every column choice data may have: the choice, the identifiers, the habit before the choice
#: (:func:`habit_trace`), the context, the history, the payoffs and the stakes. A file of
#: choices (``sccgames fit``) must map any other column to one of these or refuse it.
CHOICE_COLUMNS = (
    "cooperated",
    *IDENTIFIER_COLUMNS,
    "habit",
    *CONTEXT_COLUMNS,
    *HISTORY_COLUMNS,
    *PAYOFF_COLUMNS,
    STAKES_COLUMN,
)
#: The allowed range of every numeric column of choice data, ``(low, high)`` inclusive: the
#: ranges :class:`~sccgames.model.decision.Context` documents (probabilities in [0, 1], a partner's
#: signal in [−1, 1], amounts and score steps >= 0 and within the float32 range check
#: :data:`sccgames.limits.MAX_MAGNITUDE`, ``remaining`` >= 0 or infinite), and counts of
#: observed moves >= 0. A value outside would fit silently to a model of nothing real.
COLUMN_RANGES: dict[str, tuple[float, float]] = {
    "round": (0.0, float(MAX_ROUNDS)),
    "cooperated": (0.0, 1.0),
    "coverage": (0.0, 1.0),
    "reward": (0.0, MAX_MAGNITUDE),
    "fine": (0.0, MAX_MAGNITUDE),
    "false_positive": (0.0, 1.0),
    "false_negative": (0.0, 1.0),
    "score_up": (0.0, MAX_MAGNITUDE),
    "score_down": (0.0, MAX_MAGNITUDE),
    "visibility": (0.0, 1.0),
    "partner_signal": (-1.0, 1.0),
    "in_group": (0.0, 1.0),
    "remaining": (0.0, math.inf),
    "peer_sanction": (0.0, MAX_MAGNITUDE),
    "score_persistence": (0.0, 1.0),
    "signal_slope": (0.0, MAX_MAGNITUDE),
    "status_price": (0.0, MAX_MAGNITUDE),
    "status_exclusion": (0.0, 1.0),
    "standing_stake": (-2.0, 2.0),
    "standing_persistence": (0.0, 1.0),
    STAKES_COLUMN: (0.0, MAX_MAGNITUDE),
} | {name: (0.0, float(MAX_ROUNDS)) for name in HISTORY_COLUMNS}
#: The range of a payoff cell (a row may leave all eight empty: :data:`PAYOFF_COLUMNS`).
PAYOFF_RANGE = (-MAX_MAGNITUDE, MAX_MAGNITUDE)
#: Counts that cannot exceed another count: ``(part, whole)``.
COUNT_PAIRS = (("partner_c", "partner_moves"), ("c_then_c", "after_c"), ("d_then_c", "after_d"))

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
    "habit": (0.0, 0.999),
    "prior_strength": (0.01, 1000.0),
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
    "habit": (0.0, 0.5),
    "prior_strength": (0.5, 20.0),
}
RATIONAL_PARAMETERS = ("beta", "trust", "score_value", "delta")
LEARNING_PARAMETERS = ("prior_strength",)
MOTIVE_PARAMETERS = ("norm", "warm_glow", "sympathy", "envy", "guilt", "esteem", "habit")
#: The emotion parameters that multiply an affine function of p̂, in emotion_utility's order.
_EMOTION = ("sympathy", "envy", "guilt")

_DEFAULT = Profile()
#: Step of the central differences across the kinks (in units of the parameter).
_STEP = 1e-6
#: Floor of a probability inside a logarithm.
_TINY = 1e-300


# --------------------------------------------------------------------------- data
@dataclass(frozen=True)
class _Data:
    """Choice data as float arrays, with the Context the motive functions read.

    ``own`` and ``other`` are the payoffs of :func:`row_payoffs`: ``(2, 2)`` for one game,
    ``(2, 2, n)`` for a game per row.
    """

    y: np.ndarray
    context: Context
    history: dict[str, np.ndarray]
    compliance: np.ndarray
    own: np.ndarray
    other: np.ndarray
    habit: np.ndarray | None = None

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
            # the reputation model's δ also discounts a score's material future
            "score_future": bool(
                np.any(watched * (c.score_up + c.score_down) * self.worth != 0)
                or np.any(self.standing != 0)
            ),
            "esteem": bool(np.any(np.asarray(c.visibility) != 0)),
            # w_H matters once some habit has formed (θ = w_H |2h − 1| > 0 somewhere)
            "habit": self.habit is not None and bool(np.any(self.habit != 0.5)),
            # k matters once some partner move has been seen
            "prior_strength": bool(np.any(self.history["partner_moves"] > 0)),
        }

    @cached_property
    def worth(self) -> np.ndarray:
        """``V``: a score point's material worth a period, at the profile's beliefs."""
        worth = point_worth(_DEFAULT.rational, self.context, self.own)
        return np.broadcast_to(np.asarray(worth, float), (self.n,))

    @cached_property
    def standing(self) -> np.ndarray:
        """What a C's standing is worth over a D's a period, at the profile's beliefs."""
        worth = standing_worth(_DEFAULT.rational, self.context, self.own)
        return np.broadcast_to(np.asarray(worth, float), (self.n,))

    @cached_property
    def design(self) -> _Design:
        """The parameter-free pieces of the likelihood (see :class:`_Design`)."""
        return _Design.of(self)


def check_choice_columns(data: pd.DataFrame) -> None:
    """Raise ``ValueError`` naming the first row and column of choice data out of range.

    The ranges are :data:`COLUMN_RANGES` and, for :data:`PAYOFF_COLUMNS`, :data:`PAYOFF_RANGE`
    (only ``remaining`` may be infinite, nothing but a payoff cell may be NaN); a count of
    cooperations may not exceed the count it is part of (:data:`COUNT_PAIRS`). Data rows are
    numbered from 1.
    """
    ranges = COLUMN_RANGES | dict.fromkeys(PAYOFF_COLUMNS, PAYOFF_RANGE)
    for column, (low, high) in ranges.items():
        if column not in data:
            continue
        values = data[column].to_numpy(dtype=float)
        bad = ~((values >= low) & (values <= high))
        if column in PAYOFF_COLUMNS:
            bad &= ~np.isnan(values)  # an empty row of payoffs takes the default game
        elif column != "remaining":
            bad |= ~np.isfinite(values)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"data row {row + 1}, column {column!r}: {float(values[row])!r} is outside "
                f"the allowed range [{low:g}, {high:g}]"
            )
    for part, whole in COUNT_PAIRS:
        if part in data and whole in data:
            counts, totals = data[part].to_numpy(float), data[whole].to_numpy(float)
            bad = counts > totals
            if bad.any():
                row = int(np.flatnonzero(bad)[0])
                raise ValueError(
                    f"data row {row + 1}, column {part!r}: {float(counts[row])!r} is more "
                    f"than {whole!r} ({float(totals[row])!r}), the count it is part of"
                )


def row_payoffs(data: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The ``(own, other)`` payoffs each row of choice data was chosen under.

    A row's game is its :data:`PAYOFF_COLUMNS` if it fills them, else the default game of
    ``data.attrs["payoffs"]`` (``(own, other)``, each indexed ``[my action][partner's
    action]``); the :data:`STAKES_COLUMN`, if any, multiplies it.

    Returns
    -------
    own, other : numpy.ndarray
        Shape ``(2, 2)`` when every row has the same game (the motive functions then run on
        numbers, as on one game), else ``(2, 2, n)``: ``own[a][b]`` is then the array of the
        rows' payoffs, which the motive functions of :mod:`sccgames.model.motives` read
        elementwise.

    Raises
    ------
    ValueError
        Naming what is missing: some payoff columns but not all eight, a row with some of
        its cells empty but not all, or a row with no game (no payoff cells and no
        ``attrs["payoffs"]``).

    """
    n = len(data)
    default = data.attrs.get("payoffs")
    present = [name for name in PAYOFF_COLUMNS if name in data]
    if present and len(present) < len(PAYOFF_COLUMNS):
        missing = [name for name in PAYOFF_COLUMNS if name not in data]
        raise ValueError(
            f"choice data with payoff columns need all of {list(PAYOFF_COLUMNS)}; missing {missing}"
        )
    if not present and default is None:
        raise ValueError(
            f"choice data need the game's payoffs: the columns {list(PAYOFF_COLUMNS)} in every "
            'row, or data.attrs["payoffs"] = (own, other) for the rows without them'
        )
    shared = None
    if default is not None:
        try:
            shared = np.asarray(default, float).reshape(8)
        except (TypeError, ValueError):
            raise ValueError(
                'data.attrs["payoffs"] must be (own, other), two 2×2 tables of numbers indexed '
                f"[my action][partner's action], got {str(default)[:80]}"
            ) from None
    if present:
        table = data[list(PAYOFF_COLUMNS)].to_numpy(float)  # n × 8, own then other
        empty = np.isnan(table)
        partial = empty.any(axis=1) & ~empty.all(axis=1)
        if partial.any():
            row = int(np.flatnonzero(partial)[0])
            cells = [name for name, e in zip(PAYOFF_COLUMNS, empty[row], strict=True) if e]
            raise ValueError(
                f"data row {row + 1}: payoff column(s) {cells} are empty; give all eight "
                'payoffs of a row or none (a row with none takes data.attrs["payoffs"])'
            )
        unset = empty[:, 0]
        if unset.any():
            if shared is None:
                row = int(np.flatnonzero(unset)[0])
                raise ValueError(
                    f"data row {row + 1} has no payoffs: its payoff columns are empty and "
                    'there is no data.attrs["payoffs"] to take them from'
                )
            table[unset] = shared
    elif n:
        table = np.broadcast_to(shared, (n, 8))
    else:
        table = np.zeros((0, 8))
    if STAKES_COLUMN in data:
        table = table * data[STAKES_COLUMN].to_numpy(float)[:, None]
    if n == 0 or (table == table[0]).all():
        game = (table[0] if n else shared if shared is not None else np.zeros(8)).reshape(2, 2, 2)
        return game[0].copy(), game[1].copy()
    rows = np.ascontiguousarray(table.T).reshape(2, 2, 2, n)
    return rows[0], rows[1]


def _prepare(data: pd.DataFrame | _Data) -> _Data:
    if isinstance(data, _Data):
        return data
    check_choice_columns(data)
    own, other = row_payoffs(data)
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
    habit = data["habit"].to_numpy(float) if "habit" in data else habit_trace(data)
    return _Data(y, context, history, compliance, own, other, habit)


def habit_trace(data: pd.DataFrame) -> np.ndarray | None:
    """Each row's habit h before its choice, from the subject's own earlier choices.

    Choice data carry it as a ``habit`` column
    (:func:`sccgames.inference.compare.choices_from_society` adds it from the whole panel), which
    the likelihood reads when present: rows split off for an out-of-sample test keep the habit their
    subject brought to them.

    ``h`` starts at :attr:`HabitParams.initial <sccgames.model.profiles.HabitParams.initial>` and
    follows :func:`~sccgames.model.motives.habit_update` at the default learning rate through the
    subject's rows in round order (a round without a row leaves it unchanged). ``None``
    without ``subject`` and ``round`` columns, or with two rows of one subject in a round.
    """
    if "subject" not in data or "round" not in data or len(data) == 0:
        return None
    if data[["subject", "round"]].duplicated().any():
        return None
    _, subject = np.unique(data["subject"].to_numpy(), return_inverse=True)
    rounds = data["round"].to_numpy()
    y = data["cooperated"].to_numpy(float)
    params = _DEFAULT.habit
    current = np.full(subject.max() + 1, float(params.initial))
    habit = np.empty(len(data))
    order = np.argsort(rounds, kind="stable")
    starts = np.flatnonzero(np.diff(rounds[order]) != 0) + 1
    for rows in np.split(order, starts):
        who = subject[rows]
        habit[rows] = current[who]
        current[who] = motives.habit_update(current[who], params.learning_rate, y[rows])
    return habit


def parameter_names(model: Model | str, data: pd.DataFrame | _Data) -> tuple[str, ...]:
    """The free parameters of ``model`` on ``data`` (those the likelihood depends on).

    λ is free only if some row has a score step under watch, δ only if some row has turns
    remaining (or, for the reputation model, a score with a material future), ν only if
    some act is visible. The reputation model has no λ: its λ is computed.
    """
    model = resolve_model(model)
    needed = dict(_prepare(data).needed)
    if model is Model.REPUTATION:
        needed["score_value"] = False
        needed["delta"] = needed["delta"] or needed["score_future"]
    extra = {Model.MOTIVE: MOTIVE_PARAMETERS, Model.LEARNING: LEARNING_PARAMETERS}
    names = RATIONAL_PARAMETERS + extra.get(model, ())
    return tuple(name for name in names if needed.get(name, True))


def _affine(f: object, *args: object) -> tuple[object, object]:
    """``(f(0), f(1) − f(0))`` for a function ``f(x, *args)`` affine in its first argument."""
    at0 = f(0.0, *args)  # type: ignore[operator]
    return at0, f(1.0, *args) - at0  # type: ignore[operator]


def _slope(
    f: object, x: np.ndarray | float, low: float = -np.inf, high: float = np.inf
) -> np.ndarray | float:
    """Central difference of ``f`` at ``x`` (one-sided at a bound of ``[low, high]``)."""
    if np.isinf(low) and np.isinf(high):
        return (f(x + _STEP) - f(x - _STEP)) / (2.0 * _STEP)  # type: ignore[operator]
    up, down = min(float(x) + _STEP, high), max(float(x) - _STEP, low)  # type: ignore[arg-type]
    return (f(up) - f(down)) / (up - down)  # type: ignore[operator]


#: A coefficient of the utility that depends only on the game: a number if every row has the
#: same game, else an array with one value per row.
_Coefficient = float | np.ndarray


def _term(
    scale: float, coefficient: _Coefficient, a: np.ndarray | None
) -> tuple[float, np.ndarray | None]:
    """The term ``scale · coefficient · a`` of a direction (``a = None``: 1) as ``(c, array)``.

    A number coefficient stays in ``c`` (the score then costs one dot product of the shared
    array ``a``); a per-row one goes into the array.
    """
    if np.ndim(coefficient) == 0:
        return scale * float(coefficient), a  # type: ignore[arg-type]
    return scale, coefficient if a is None else coefficient * a


@dataclass(frozen=True)
class _Design:
    """What the likelihood needs from the data, computed once (module docstring).

    ``p̂ = p0 + p1 τ`` (at the default prior strength; :meth:`belief` at another, with the
    prior ``q0 + q1 τ`` and the partner counts ``(c, m)``); ``ΔX = x0 + x1 λ``, and for the
    reputation model ``ΔX = x0 + reputation · F(δ)`` with ``reputation = x1 V`` and
    ``F(δ) = δ / (1 − δ · persistence)``, plus the standing's ``standing · F(δ)`` at its own
    persistence;
    ``Δu_R = r0 + r1 p̂ + shadow(δ) · future + ΔX``;
    the emotion term of σ, α, β_g is ``θ (e0 + e1 p̂)``; the norm term is
    ``n · moral(p̂)``; the esteem term ``ν · visibility · image(ΔX)``. The coefficients
    that depend only on the game (``r0``, ``r1``, ``e0``, ``e1``) are numbers when every row
    has the same game and arrays, one value a row, when the game varies by row
    (:func:`row_payoffs`).
    """

    p0: np.ndarray
    p1: np.ndarray
    x0: np.ndarray
    x1: np.ndarray
    r0: _Coefficient
    r1: _Coefficient
    future: np.ndarray
    remaining: np.ndarray
    framed: np.ndarray
    other: np.ndarray
    moral_affine: tuple[np.ndarray, np.ndarray] | None
    moral_slope_p1: np.ndarray | None
    emotion: dict[str, tuple[_Coefficient, _Coefficient]]
    visibility: np.ndarray
    habit: np.ndarray | None
    prior: tuple[np.ndarray, np.ndarray]
    counts: tuple[np.ndarray, np.ndarray]
    future_per_rho: _Coefficient
    responses: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    reputation: np.ndarray
    persistence: np.ndarray
    standing: np.ndarray
    standing_persistence: np.ndarray

    @classmethod
    def of(cls, d: _Data) -> _Design:
        r, m = _DEFAULT.rational, _DEFAULT.moral
        h, c = d.history, d.context
        n = d.n

        def full(x: object) -> np.ndarray:
            return np.broadcast_to(np.asarray(x, float), (n,))

        def coefficient(x: object) -> _Coefficient:
            """A number if the game is shared, else one value per row."""
            return float(x) if np.ndim(x) == 0 else full(x)  # type: ignore[arg-type]

        def belief(trust: float) -> np.ndarray:
            prior = motives.trust_prior(trust, r.score_trust, c.partner_signal)
            return motives.beta_mean(prior, r.prior_strength, h["partner_c"], h["partner_moves"])

        p0, p1 = _affine(belief)
        q0, q1 = _affine(lambda t: motives.trust_prior(t, r.score_trust, c.partner_signal))
        prior_affine = (full(q0), full(q1))
        x0, x1 = _affine(c.incentive)
        rho_hat = motives.responsiveness(
            h["c_then_c"], h["after_c"], h["d_then_c"], h["after_d"], r.responsiveness,
            r.prior_strength,
        )  # fmt: skip
        r0, r1 = _affine(lambda p: motives.rational_utility(p, d.own, 0.0, 0.0, 0.0))
        future = motives.rational_utility(0.0, d.own, 1.0, rho_hat, 0.0) - r0
        # the future term is ρ̂ times the gain of mutual C over mutual D: kept for ρ̂ at any k
        future_per_rho = coefficient(motives.rational_utility(0.0, d.own, 1.0, 1.0, 0.0) - r0)
        responses = tuple(full(h[k]) for k in ("c_then_c", "after_c", "d_then_c", "after_d"))
        # the framed norm per unit of n, times Bicchieri's conditionality at ē (defaults)
        framed = motives.framed_norm(1.0, m.framing, c.salience, m.framing_half)
        framed = framed * motives.conditionality(
            d.compliance, m.conditionality, m.threshold, m.width
        )
        # the norm term is affine in p̂ unless the expected harm can change sign on [0, 1]
        harm0, harm1 = _affine(motives.expected_harm, d.other)
        moral_affine = None
        if np.all(harm0 > 0) and np.all(harm0 + harm1 > 0):  # type: ignore[operator]
            a, b = _affine(
                lambda p: motives.moral_utility(
                    framed, 1.0, m.harm_weight, motives.expected_harm(p, d.other)
                )
            )
            moral_affine = (full(a), full(b))
        units = {name: dict.fromkeys(_EMOTION, 0.0) | {name: 1.0} for name in _EMOTION}
        emotion = {
            name: _affine(
                lambda p, u=unit: motives.emotion_utility(
                    p, d.own, d.other, u["sympathy"], 0.0, u["envy"], u["guilt"], 0.0
                )
            )
            for name, unit in units.items()
        }
        return cls(
            p0=full(p0),
            p1=full(p1),
            x0=full(x0),
            x1=full(x1),
            r0=coefficient(r0),
            r1=coefficient(r1),
            future=full(future),
            remaining=full(c.remaining),
            framed=full(framed),
            other=d.other,
            moral_affine=moral_affine,
            moral_slope_p1=None if moral_affine is None else moral_affine[1] * full(p1),
            emotion={k: (coefficient(a), coefficient(b)) for k, (a, b) in emotion.items()},
            visibility=full(c.visibility),
            habit=d.habit,
            prior=prior_affine,
            counts=(full(h["partner_c"]), full(h["partner_moves"])),
            future_per_rho=future_per_rho,
            responses=responses,  # type: ignore[arg-type]
            reputation=full(x1) * d.worth,
            persistence=full(c.score_persistence),
            standing=d.standing,
            standing_persistence=full(c.standing_persistence),
        )

    # the pieces of the utility, each a motive function
    def shadow(self, delta: np.ndarray | float) -> np.ndarray:
        return motives.shadow_of_future(delta, self.remaining)

    def moral(self, p_hat: np.ndarray) -> np.ndarray:
        """The norm term per unit of n at belief p̂."""
        if self.moral_affine is not None:
            return self.moral_affine[0] + self.moral_affine[1] * p_hat
        harm = motives.expected_harm(p_hat, self.other)
        return motives.moral_utility(self.framed, 1.0, _DEFAULT.moral.harm_weight, harm)

    def image(self, delta_x: np.ndarray) -> np.ndarray:
        return motives.image_value(delta_x, _DEFAULT.social.image_half)

    def evaluate(
        self, names: Sequence[str], theta: Sequence[float], reputation: bool = False
    ) -> _Evaluation:
        """The utility at ``θ`` and what its derivatives need.

        Parameters not in ``names`` are 0 (the motive terms of the rational model, and λ, δ,
        ν where the data do not need them). ``reputation``: λ is the reputation model's,
        computed from δ and the regime (:class:`Model`), not a parameter.
        """
        names = tuple(names)
        p = dict.fromkeys(BOUNDS, 0.0) | dict(zip(names, map(float, theta), strict=True))
        p0, p1, dp_dk = self.p0, self.p1, None
        future, dfuture_dk = self.future, None
        if "prior_strength" in names:
            p0, p1, dp_dk = self.belief(p["prior_strength"], p["trust"])
            if "delta" in names:
                future, dfuture_dk = self.future_at(p["prior_strength"])
        p_hat = p0 + p["trust"] * p1
        delta_x = self.x0 + p["score_value"] * self.x1 if "score_value" in names else self.x0
        if reputation:  # the score's future and the standing's, both discounted by δ
            score = self.reputation * motives.score_future(p["delta"], self.persistence)
            standing = self.standing * motives.score_future(p["delta"], self.standing_persistence)
            delta_x = delta_x + score + standing
        # the emotion terms are θ (e0 + e1 p̂): their sum is one affine function of p̂
        constant = self.r0 + p["warm_glow"] + sum(p[k] * self.emotion[k][0] for k in _EMOTION)
        slope = self.r1 + sum(p[k] * self.emotion[k][1] for k in _EMOTION)  # ∂u/∂p̂ so far
        u = constant + slope * p_hat + delta_x
        if "delta" in names:
            u += self.shadow(p["delta"]) * future
        moral = image = None
        if "norm" in names:
            moral = self.moral(p_hat)
            u += p["norm"] * moral
        if "esteem" in names:
            image = self.visibility * self.image(delta_x)
            u += p["esteem"] * image
        return _Evaluation(
            self,
            names,
            p,
            p_hat,
            delta_x,
            u,
            moral,
            image,
            slope,
            p1,
            dp_dk,
            future,
            dfuture_dk,
            reputation,
        )

    def future_at(self, strength: float) -> tuple[np.ndarray, np.ndarray]:
        """The future term at prior strength k (ρ̂ smoothed with k), and its derivative in k.

        :func:`~sccgames.model.motives.responsiveness` at k is a difference of two Beta
        means, each ``(k a + s) / (k + t)`` with ``∂/∂k = (a t − s) / (k + t)²``.
        """
        k, rho0 = float(strength), _DEFAULT.rational.responsiveness
        cc, after_c, dc, after_d = self.responses
        rho = motives.responsiveness(cc, after_c, dc, after_d, rho0, k)
        up, down = (1.0 + rho0) / 2.0, (1.0 - rho0) / 2.0
        drho = (up * after_c - cc) / (k + after_c) ** 2 - (down * after_d - dc) / (k + after_d) ** 2
        return self.future_per_rho * rho, self.future_per_rho * drho

    def belief(self, strength: float, trust: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``p̂ = p0 + τ p1`` at prior strength k, and ``∂p̂/∂k`` at τ.

        ``p̂ = (k (q0 + q1 τ) + c) / (k + m)`` (:func:`~sccgames.model.motives.beta_mean`
        of the prior :func:`~sccgames.model.motives.trust_prior`, affine in τ), so
        ``∂p̂/∂k = ((q0 + q1 τ) m − c) / (k + m)²``.
        """
        k, (q0, q1), (c, m) = float(strength), self.prior, self.counts
        total = k + m
        p0, p1 = (k * q0 + c) / total, k * q1 / total
        return p0, p1, ((q0 + q1 * trust) * m - c) / total**2


@dataclass(frozen=True)
class _Evaluation:
    """The utility ``u`` at one θ, with the pieces its derivatives reuse."""

    design: _Design
    names: tuple[str, ...]
    p: dict[str, float]
    p_hat: np.ndarray
    delta_x: np.ndarray
    u: np.ndarray
    moral: np.ndarray | None
    image: np.ndarray | None
    du_dp: _Coefficient  # ∂u/∂p̂ of the terms affine in p̂ (all but the norm's)
    p1: np.ndarray  # ∂p̂/∂τ at this prior strength
    dp_dk: np.ndarray | None  # ∂p̂/∂k when the prior strength k is free
    future: np.ndarray  # the future term at this prior strength
    dfuture_dk: np.ndarray | None  # its derivative in k, when k and δ are free
    reputation: bool = False  # λ computed from δ (the reputation model)

    @property
    def x(self) -> np.ndarray:
        """The logit's index ``β u``."""
        return self.p["beta"] * self.u

    @property
    def habitual(self) -> bool:
        """Whether habit arbitrates (a non-zero habit weight)."""
        return self.design.habit is not None and self.p["habit"] != 0.0

    def probability(self) -> np.ndarray:
        """``P(C)`` in every row (:func:`~sccgames.model.motives.choice_probability`)."""
        if not self.habitual:
            return expit(self.x)
        h = self.design.habit
        return motives.choice_probability(self.p["beta"], self.u, self.p["habit"], h)

    def probability_gradients(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``P``, ``∂P/∂x`` and ``∂P/∂w_H`` in every row (habit arbitrating)."""
        h = self.design.habit
        s, not_s = expit(self.x), expit(-self.x)  # 1 − s without cancellation near 1
        theta = motives.habit_strength(self.p["habit"], h)
        probability = motives.choice_probability(self.p["beta"], self.u, self.p["habit"], h)
        return probability, (1.0 - theta) * s * not_s, motives.habit_strength(1.0, h) * (h - s)

    def complement(self) -> np.ndarray:
        """``1 − P`` computed as ``θ (1 − h) + (1 − θ) logistic(−x)``: exact where P is near 1."""
        h = self.design.habit
        theta = motives.habit_strength(self.p["habit"], h)
        return theta * (1.0 - h) + (1.0 - theta) * expit(-self.x)

    def directions(self) -> dict[str, list[tuple[float, np.ndarray | None]]]:
        """``∂x/∂θ`` by parameter, each a sum ``Σ c · a`` of scaled rows (``a = None``: 1).

        Kept as sums so that a score ``Σ_i r_i ∂x_i/∂θ`` costs dot products, not arrays.
        """
        design, p, beta = self.design, self.p, self.p["beta"]
        out: dict[str, list[tuple[float, np.ndarray | None]]] = {}
        for name in self.names:
            if name == "beta":
                terms = [(1.0, self.u)]
            elif name == "trust":
                terms = [_term(beta, self.du_dp, self.p1)]
                if p["norm"] and design.moral_affine is not None:
                    terms.append((beta * p["norm"], design.moral_slope_p1))
                elif p["norm"]:
                    moral_slope = _slope(design.moral, self.p_hat)
                    terms.append((beta * p["norm"], moral_slope * design.p1))
            elif name == "score_value":
                terms = [(beta, design.x1)]
                if p["esteem"]:
                    image_slope = _slope(design.image, self.delta_x)
                    terms.append((beta * p["esteem"], design.visibility * image_slope * design.x1))
            elif name == "delta":
                lo, hi = BOUNDS["delta"]
                terms = [(beta, self.future * _slope(design.shadow, p["delta"], lo, hi))]
                if self.reputation:  # ∂F/∂δ = 1 / (1 − δ q)², for the score and the standing
                    rest = 1.0 - p["delta"] * design.persistence
                    terms.append((beta, design.reputation / rest**2))
                    rest = 1.0 - p["delta"] * design.standing_persistence
                    terms.append((beta, design.standing / rest**2))
            elif name == "norm":
                terms = [(beta, self.moral)]
            elif name == "esteem":
                terms = [(beta, self.image)]
            elif name == "warm_glow":
                terms = [(beta, None)]
            elif name == "habit":  # arbitrates after the logit: no part of x
                terms = []
            elif name == "prior_strength":
                terms = [_term(beta, self.du_dp, self.dp_dk)]
                if self.dfuture_dk is not None:
                    terms.append((beta, design.shadow(p["delta"]) * self.dfuture_dk))
            else:  # an emotion parameter: e0 + e1 p̂
                e0, e1 = design.emotion[name]
                terms = [_term(beta, e0, None), _term(beta, e1, self.p_hat)]
            out[name] = terms
        return out

    def score(self, weights: np.ndarray) -> np.ndarray:
        """``Σ_i w_i ∂x_i/∂θ`` for every free parameter, in ``names`` order."""
        total = float(weights.sum())
        dots: dict[int, float] = {}

        def dot(a: np.ndarray | None) -> float:
            if a is None:
                return total
            key = id(a)
            if key not in dots:  # einsum rather than BLAS: threaded dots stall on busy machines
                dots[key] = float(np.einsum("i,i->", np.broadcast_to(a, weights.shape), weights))
            return dots[key]

        return np.array(
            [sum((c * dot(a) for c, a in terms), 0.0) for terms in self.directions().values()]
        )

    def jacobian(self) -> np.ndarray:
        """``∂x/∂θ`` as an ``n × k`` matrix (for the information matrix)."""
        n = self.u.size
        columns = [
            sum(
                (c * (np.ones(n) if a is None else np.broadcast_to(a, (n,))) for c, a in terms),
                np.zeros(n),
            )
            for terms in self.directions().values()
        ]
        return np.stack(columns, axis=1)


# --------------------------------------------------------------------------- likelihood
def _theta(
    model: Model, params: Mapping[str, float], d: _Data
) -> tuple[tuple[str, ...], list[float], bool]:
    """The free parameters, their values, and whether λ is the reputation model's."""
    names = parameter_names(model, d)
    missing = set(names) - set(params)
    if missing:
        raise ValueError(f"the {model} model on these data needs parameters {sorted(missing)}")
    return names, [float(params[k]) for k in names], model is Model.REPUTATION


def utility(
    model: Model | str, params: Mapping[str, float], data: pd.DataFrame | _Data
) -> np.ndarray:
    """The deliberative utility of C over D in each row (before β), ``docs/model.md`` §2.

    A parameter missing from ``params`` that the data do not need (λ, δ, ν; see
    :func:`parameter_names`) is taken as 0, as are the motive parameters of the rational
    model.
    """
    model = resolve_model(model)
    d = _prepare(data)
    return np.broadcast_to(d.design.evaluate(*_theta(model, params, d)).u, (d.n,))


def loglik_terms(
    model: Model | str, params: Mapping[str, float], data: pd.DataFrame | _Data
) -> np.ndarray:
    """Per-row log-likelihood ``log P(a_i)`` with ``P(C) = logistic(β · u)``.

    Computed as ``log_expit(±β u)``, finite for any β ≥ 0 and finite utility
    [McKelveyPalfrey1995]_.
    """
    model = resolve_model(model)
    d = _prepare(data)
    at = d.design.evaluate(*_theta(model, params, d))
    if not at.habitual:
        x = at.x
        return log_expit(np.where(d.y, x, -x))
    p = at.probability()
    return np.where(d.y, np.log(np.maximum(p, _TINY)), np.log(np.maximum(1.0 - p, _TINY)))


def probability(
    model: Model | str, params: Mapping[str, float], data: pd.DataFrame | _Data
) -> np.ndarray:
    """``P(C)`` in each row under ``model`` at ``params``."""
    model = resolve_model(model)
    d = _prepare(data)
    return d.design.evaluate(*_theta(model, params, d)).probability()


def loglik(model: Model | str, params: Mapping[str, float], data: pd.DataFrame | _Data) -> float:
    """Total log-likelihood of the choices under ``model`` at ``params``."""
    return float(loglik_terms(model, params, data).sum())


def objective(
    names: Sequence[str],
    data: pd.DataFrame | _Data,
    weights: np.ndarray | None = None,
    model: Model | str = Model.RATIONAL,
) -> object:
    """``θ ↦ (mean negative log-likelihood, its gradient)`` for L-BFGS-B (``jac=True``).

    ``names`` are the free parameters of ``model`` (from :func:`parameter_names`); the
    model matters beyond its names only for the reputation model, whose λ is computed. With
    ``weights`` (one per row, as in the M step of a mixture) the mean is the weighted mean.
    """
    reputation = resolve_model(model) is Model.REPUTATION
    d = _prepare(data)
    sign = np.where(d.y, 1.0, -1.0)
    w = np.ones(d.n) if weights is None else np.asarray(weights, float)
    total = float(w.sum())
    if not total > 0:
        raise ValueError(
            f"no choices to fit: the data have {d.n} rows and total weight {total:g} "
            "(expected at least one row of positive weight)"
        )
    names = tuple(names)

    def mean_nll(theta: np.ndarray) -> tuple[float, np.ndarray]:
        at = d.design.evaluate(names, theta, reputation)
        if at.habitual or "habit" in names:
            return _habitual_nll(at, d.y, w, total)
        sx = sign * at.x
        # log P = log_expit(sx) = min(sx, 0) − log1p(e) and 1 − P = expit(−sx), e = exp(−|sx|)
        e = np.exp(-np.abs(sx))
        value = -float(np.einsum("i,i->", w, np.minimum(sx, 0.0) - np.log1p(e))) / total
        residual = w * sign * np.where(sx >= 0, e, 1.0) / (1.0 + e)  # w (y − P(C))
        return value, -at.score(residual) / total

    return mean_nll


def _habitual_nll(
    at: _Evaluation, y: np.ndarray, w: np.ndarray, total: float
) -> tuple[float, np.ndarray]:
    """The mean negative log-likelihood and its gradient when habit arbitrates or is free.

    At ``w_H = 0`` the value and the logit's residual take the exact logit forms (as
    without habit), so that the nested models agree to rounding.
    """
    if at.habitual:
        p, dp_dx, dp_dw = at.probability_gradients()
        p, q = np.maximum(p, _TINY), np.maximum(at.complement(), _TINY)
        value = -float(np.einsum("i,i->", w, np.where(y, np.log(p), np.log(q)))) / total
        dl_dp = w * np.where(y, 1.0 / p, -1.0 / q)
        gradient = at.score(dl_dp * dp_dx)
    else:  # P = logistic(x); ∂P/∂w_H = |2h − 1| (h − P)
        x = at.x
        up, down = expit(x), expit(-x)
        value = -float(np.einsum("i,i->", w, log_expit(np.where(y, x, -x)))) / total
        gradient = at.score(w * np.where(y, down, -up))  # w (y − P)
        dl_dp = w * np.where(y, 1.0 / np.maximum(up, _TINY), -1.0 / np.maximum(down, _TINY))
        h = at.design.habit  # present: this branch is reached only with w_H free
        dp_dw = motives.habit_strength(1.0, h) * (h - up)
    if "habit" in at.names:
        gradient[at.names.index("habit")] += float(np.einsum("i,i->", dl_dp, dp_dw))
    return value, -gradient / total


def information(
    names: Sequence[str],
    theta: Sequence[float],
    data: pd.DataFrame | _Data,
    model: Model | str = Model.RATIONAL,
) -> np.ndarray:
    """Expected (Fisher) information ``Σ P(1 − P) ∂x ∂xᵀ`` of the logit at ``θ``."""
    d = _prepare(data)
    at = d.design.evaluate(names, theta, resolve_model(model) is Model.REPUTATION)
    jac = at.jacobian()
    if not at.habitual and "habit" not in at.names:
        p = expit(at.x)
        return jac.T @ (jac * (p * (1.0 - p))[:, None])
    # ∂P/∂θ = ∂P/∂x ∂x/∂θ (+ ∂P/∂w_H); information Σ ∂P ∂Pᵀ / (P (1 − P))
    p, dp_dx, dp_dw = at.probability_gradients()
    jac = jac * dp_dx[:, None]
    if "habit" in at.names:
        jac[:, at.names.index("habit")] += dp_dw
    return jac.T @ (jac / np.maximum(p * (1.0 - p), _TINY)[:, None])
