import math

import numpy as np
import pytest

from sccgames._validation import (
    check_finite,
    check_integer,
    check_nonnegative,
    check_probability,
    check_range,
)


def test_check_range_accepts_inside_and_rejects_outside():
    check_range("x", 0.5, 0.0, 1.0)
    check_range("x", np.array([0.0, 1.0]), 0.0, 1.0)
    with pytest.raises(ValueError, match=r"x must be in \(0, 1\], got 0.0"):
        check_range("x", 0.0, 0.0, 1.0, low_open=True)
    with pytest.raises(ValueError, match=r"x must be in \[0, 1\), got 1.0"):
        check_range("x", 1.0, 0.0, 1.0, high_open=True)


def test_check_helpers():
    check_probability("p", 1.0)
    with pytest.raises(ValueError, match="p must be a number"):
        check_probability("p", None)
    with pytest.raises(ValueError, match="got nan|NaN"):
        check_nonnegative("n", math.nan)
    with pytest.raises(ValueError, match="n must be in"):
        check_nonnegative("n", math.inf)
    with pytest.raises(ValueError, match="f must be in"):
        check_finite("f", -math.inf)
    check_integer("k", 3, low=1)
    for bad in (0, 1.5, True, "2"):
        with pytest.raises(ValueError, match="k must be an integer >= 1"):
            check_integer("k", bad, low=1)
