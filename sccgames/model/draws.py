"""Uniform draws for the society engine: numpy's own numbers, float32 ones drawn faster.

A society draws three float32 uniforms per citizen every round (its domain, its act, what the
regime sees). numpy's ``Generator.random(n, dtype=np.float32)`` asks the bit generator for
one 32-bit word per number, through a call per number; here the same words are taken in one
call and converted in two vectorized passes, giving the very same numbers in about 60% of the
time. Nothing else about the streams changes: same seed, same numbers.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np

#: Bit generators whose 32-bit words are the low, then the high, half of each 64-bit output
#: (numpy's ``next_uint32`` for them), checked against numpy in ``tests/model/test_draws.py``.
#: ``PCG64`` is numpy's default (``numpy.random.default_rng``). ``MT19937`` makes 32-bit
#: words natively and is not among them.
HALVED_WORDS = (np.random.PCG64, np.random.PCG64DXSM, np.random.SFC64, np.random.Philox)

#: numpy's float32 uniform from a 32-bit word ``w``: ``(w >> 8) · 2⁻²⁴``, in [0, 1).
_SHIFT, _SCALE = 8, np.float32(2.0**-24)


def uniform(rng: np.random.Generator, shape: int | tuple[int, ...], dtype: Any) -> np.ndarray:
    """``rng.random(shape, dtype=dtype)``: the same numbers, and the stream left the same.

    For float32 from a generator in :data:`HALVED_WORDS` (the default), an even count, no
    half-word left over from an earlier odd float32 draw, on a little-endian machine: the
    ``count / 2`` 64-bit outputs are drawn at once (``BitGenerator.random_raw``), read as
    ``count`` 32-bit words in numpy's order, and converted in place. Otherwise (float64, an
    odd count, other generators) ``rng.random`` itself.

    Parameters
    ----------
    rng : numpy.random.Generator
        The stream to draw from.
    shape : int or tuple of int
        Shape of the result.
    dtype : numpy float dtype
        float32 or float64.

    """
    count = math.prod(shape) if isinstance(shape, tuple) else int(shape)
    bits = rng.bit_generator
    if (
        np.dtype(dtype) != np.float32
        or count % 2
        or sys.byteorder != "little"
        or not isinstance(bits, HALVED_WORDS)
        or bits.state["has_uint32"]
    ):
        return rng.random(shape, dtype=dtype)
    words = bits.random_raw(count // 2).view(np.uint32)
    np.right_shift(words, _SHIFT, out=words)
    # each float32 written over its own word: a 1-d cast in place, element by element
    # (numpy reads a word before it writes its float), so no second array is needed
    values = words.view(np.float32)
    values[...] = words
    values *= _SCALE
    return values.reshape(shape)
