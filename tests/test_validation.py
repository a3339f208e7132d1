import math

import numpy as np
import pytest

from sccgames._validation import (
    check_finite,
    check_integer,
    check_nonnegative,
    check_probability,
    check_range,
    population_arrays,
)
from sccgames.limits import MAX_MAGNITUDE


def test_check_range_accepts_inside_and_rejects_outside():
    check_range("x", 0.5, 0.0, 1.0)
    with population_arrays():
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


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("3", "x must be a number, got '3' of type str"),
        (True, "x must be a number, got True of type bool"),
        (np.bool_(True), "x must be a number, got"),
        (None, "x must be a number, got None of type NoneType"),
        (np.array([1.0, 2.0]), "x must be a number, got array([1., 2.]) of type ndarray"),
        (np.array(1.0), "x must be a number, got array(1.) of type ndarray of shape ()"),
        ([1.0], "x must be a number, got [1.0] of type list"),
        (1 + 0j, "x must be a number, got (1+0j) of type complex"),
    ],
)
def test_only_real_numbers_pass_where_a_number_belongs(value, fragment):
    with pytest.raises(ValueError) as info:
        check_nonnegative("x", value)
    assert fragment in str(info.value)


def test_arrays_pass_only_for_a_population_and_only_of_numbers():
    with population_arrays():
        check_probability("p", np.array([0.0, 0.5], dtype=np.float32))
        with pytest.raises(ValueError, match="p must be a number or an array of numbers"):
            check_probability("p", np.array(["a"]))
        with pytest.raises(ValueError, match="p must be a number or an array of numbers"):
            check_probability("p", np.array([True]))
    with pytest.raises(ValueError, match="p must be a number, got"):
        check_probability("p", np.array([0.5]))


def test_the_float32_range_check_bounds_every_real_parameter():
    check_finite("f", MAX_MAGNITUDE)
    check_finite("f", -MAX_MAGNITUDE)
    for bad in (1e39, -1e39, MAX_MAGNITUDE * 1.01, 10**30):
        with pytest.raises(ValueError, match=r"f must be at most 1e\+06 in magnitude"):
            check_finite("f", bad)
    assert np.float32(MAX_MAGNITUDE) ** 2 * 1e8 < np.finfo(np.float32).max


def test_integer_upper_bound_and_short_messages():
    check_integer("k", 10, low=1, high=10)
    with pytest.raises(ValueError, match=r"k must be an integer in \[1, 10\], got 11"):
        check_integer("k", 11, low=1, high=10)
    with pytest.raises(ValueError) as info:
        check_integer("k", "x" * 10**6, low=1)
    assert len(str(info.value)) < 120
    with pytest.raises(ValueError) as info:
        check_nonnegative("x", "y" * 10**6)
    assert len(str(info.value)) < 140
