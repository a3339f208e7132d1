"""Parameter checks shared by every parameter set.

Each check takes a real number (a Python ``int`` or ``float``, or a numpy real scalar) and
raises one :class:`ValueError` that names the parameter, what it got and what is allowed, so
a user never meets an error from deep inside the model. A string, a boolean, ``None`` or an
array where a number belongs is refused by name (``"3"`` would otherwise pass as 3 and
``True`` as 1). Arrays are a population's parameters (struct of arrays): they are accepted,
and checked element by element, only inside :func:`population_arrays`, which the code that
stacks a population's profiles enters.

Every real number must also lie within ±:data:`sccgames.limits.MAX_MAGNITUDE`, so that
the float32 states of a society can hold it and its products with any count a run reaches.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np

from sccgames.limits import MAX_MAGNITUDE, shorten

_ARRAYS: ContextVar[bool] = ContextVar("sccgames_population_arrays", default=False)


@contextmanager
def population_arrays() -> Iterator[None]:
    """Accept numpy arrays (a population's parameters, one entry per member) in the checks."""
    token = _ARRAYS.set(True)
    try:
        yield
    finally:
        _ARRAYS.reset(token)


def _show(value: Any) -> str:
    return shorten(repr(value), 60)


def _describe(value: Any) -> str:
    array = np.asarray(value)
    if array.ndim == 0:
        return _show(value)
    bad = array.ravel()
    return f"array with min {float(bad.min())!r} and max {float(bad.max())!r}"


def as_real(name: str, value: Any) -> np.ndarray:
    """``value`` as a float array, if it is a real number (or, for a population, an array).

    Raises
    ------
    ValueError
        Naming ``name``, the value and its type, for anything else.

    """
    arrays = _ARRAYS.get()
    if isinstance(value, np.ndarray) and arrays:
        if value.dtype.kind in "iuf":
            return value.astype(float, copy=False)
    elif isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        return np.asarray(value, dtype=float)
    what = "a number" + (" or an array of numbers" if arrays else "")
    shape = f" of shape {value.shape}" if isinstance(value, np.ndarray) else ""
    raise ValueError(
        f"{name} must be {what}, got {_show(value)} of type {type(value).__name__}{shape}"
    )


def check_range(
    name: str,
    value: Any,
    low: float = -math.inf,
    high: float = math.inf,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> None:
    """Raise ``ValueError`` unless ``value`` is a real number with ``low <= value <= high``.

    Parameters
    ----------
    name : str
        The parameter's name as the user spells it (``"moral.norm"``).
    value : float or numpy.ndarray
        The value to check (an array only inside :func:`population_arrays`; elementwise).
    low, high : float
        The bounds of the allowed range.
    low_open, high_open : bool
        Whether the bound itself is excluded.

    Notes
    -----
    Whatever the bounds, the magnitude must be at most
    :data:`~sccgames.limits.MAX_MAGNITUDE` (the float32 range check).

    """
    array = as_real(name, value)
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    allowed = f"{left}{low:g}, {high:g}{right}"
    if np.isnan(array).any():
        raise ValueError(f"{name} must be a number in {allowed}, got NaN")
    too_low = array <= low if low_open else array < low
    too_high = array >= high if high_open else array > high
    if too_low.any() or too_high.any():
        raise ValueError(f"{name} must be in {allowed}, got {_describe(value)}")
    if (np.abs(array) > MAX_MAGNITUDE).any():
        raise ValueError(
            f"{name} must be at most {MAX_MAGNITUDE:g} in magnitude (so that float32 states "
            f"hold it), got {_describe(value)}"
        )


def check_probability(name: str, value: Any) -> None:
    """Raise ``ValueError`` unless ``value`` is a probability in [0, 1]."""
    check_range(name, value, 0.0, 1.0)


def check_nonnegative(name: str, value: Any) -> None:
    """Raise ``ValueError`` unless ``value`` is a finite number ``>= 0``."""
    check_range(name, value, 0.0, math.inf, high_open=True)


def check_finite(name: str, value: Any) -> None:
    """Raise ``ValueError`` unless ``value`` is a finite number."""
    check_range(name, value, -math.inf, math.inf, low_open=True, high_open=True)


def check_integer(name: str, value: Any, low: int = 0, high: int | None = None) -> None:
    """Raise ``ValueError`` unless ``value`` is an integer ``>= low`` (and ``<= high``)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {_show(value)}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be an integer in [{low}, {high}], got {_show(value)}")
