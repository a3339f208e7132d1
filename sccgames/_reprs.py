"""Reprs that print plain numbers: ``3.0``, not ``np.float64(3.0)`` (numpy 2's scalar repr)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import numpy as np


def plain(value: Any) -> Any:
    """A numpy scalar (or 0-d array) as the Python number it holds; tuples and lists likewise.

    Anything else, arrays included, is returned as it is.
    """
    if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.ndim == 0):
        return value.item()
    if isinstance(value, tuple | list):
        return type(value)(plain(v) for v in value)
    return value


def plain_repr(obj: Any) -> str:
    """A dataclass's repr, as the generated one, with every numpy scalar a plain number."""
    shown = ", ".join(f"{f.name}={plain(getattr(obj, f.name))!r}" for f in fields(obj) if f.repr)
    return f"{type(obj).__name__}({shown})"
