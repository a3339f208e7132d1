"""Parameter checks shared by every parameter set.

Each check works on Python numbers and on numpy arrays alike (an array is valid when every
element is), and raises one :class:`ValueError` that names the parameter, the offending
value and the allowed range, so a user never meets an error from deep inside the model.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def _describe(value: Any) -> str:
    array = np.asarray(value)
    if array.ndim == 0:
        return repr(value)
    bad = array.ravel()
    return f"array with min {bad.min()!r} and max {bad.max()!r}"


def check_range(
    name: str,
    value: Any,
    low: float = -math.inf,
    high: float = math.inf,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> None:
    """Raise ``ValueError`` unless ``low <= value <= high`` elementwise.

    Parameters
    ----------
    name : str
        The parameter's name as the user spells it (``"moral.norm"``).
    value : float or array_like
        The value to check.
    low, high : float
        The bounds of the allowed range.
    low_open, high_open : bool
        Whether the bound itself is excluded.

    """
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be a number, got {value!r} of type {type(value).__name__}"
        ) from None
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    allowed = f"{left}{low:g}, {high:g}{right}"
    if np.isnan(array).any():
        raise ValueError(f"{name} must be a number in {allowed}, got NaN")
    too_low = array <= low if low_open else array < low
    too_high = array >= high if high_open else array > high
    if too_low.any() or too_high.any():
        raise ValueError(f"{name} must be in {allowed}, got {_describe(value)}")


def check_probability(name: str, value: Any) -> None:
    """Raise ``ValueError`` unless ``value`` is a probability in [0, 1]."""
    check_range(name, value, 0.0, 1.0)


def check_nonnegative(name: str, value: Any) -> None:
    """Raise ``ValueError`` unless ``value`` is a finite number ``>= 0``."""
    check_range(name, value, 0.0, math.inf, high_open=True)


def check_finite(name: str, value: Any) -> None:
    """Raise ``ValueError`` unless ``value`` is a finite number."""
    check_range(name, value, -math.inf, math.inf, low_open=True, high_open=True)


def check_integer(name: str, value: Any, low: int = 0) -> None:
    """Raise ``ValueError`` unless ``value`` is an integer ``>= low``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
