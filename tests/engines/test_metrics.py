"""Gini coefficient and per-group means."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats

from sccgames.engines.metrics import FEW_CELLS, METRIC_COLUMNS, cell_sums, gini, ginis


def _gini_by_pairs(x):
    """Mean absolute difference over all ordered pairs, over twice the mean (no sorting)."""
    x = np.asarray(x, dtype=float)
    n = x.size
    return np.abs(x[:, None] - x[None, :]).sum() / (2 * n * n * x.mean())


nonnegative = hnp.arrays(
    float,
    st.integers(2, 60),
    elements=st.floats(0.0, 1e3, allow_subnormal=False),
).filter(lambda x: x.sum() > 1e-6)


# --------------------------------------------------------------------------- gini


@given(value=st.floats(1e-6, 1e6), n=st.integers(2, 500))
def test_gini_is_zero_for_equal_values(value, n):
    assert gini(np.full(n, value)) == pytest.approx(0.0, abs=1e-12)


@given(value=st.floats(1e-3, 1e6), n=st.integers(2, 500), where=st.integers(0, 499))
def test_gini_is_n_minus_1_over_n_when_one_holds_all(value, n, where):
    x = np.zeros(n)
    x[where % n] = value
    assert gini(x) == pytest.approx((n - 1) / n, rel=1e-12)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # sorted 1, 2, 3: (-2·1 + 0·2 + 2·3) / (3 · 6) = 4/18
        ([1, 2, 3], 2 / 9),
        ([3, 1, 2], 2 / 9),
        # ordered pairs differ by 4 six times: 24 / (2 · 16 · 2)
        ([1, 1, 1, 5], 3 / 8),
        # two values: |a − b| / (2 (a + b))
        ([1, 3], 1 / 4),
        ([0, 1, 2], 4 / 9),  # (−2·0 + 0·1 + 2·2) / (3 · 3)
        ([2, 2, 4, 4], 1 / 6),  # (−3·2 − 1·2 + 1·4 + 3·4) / (4 · 12) = 8/48
    ],
)
def test_gini_known_small_examples(values, expected):
    assert gini(np.array(values, dtype=float)) == pytest.approx(expected, rel=1e-12)


@given(nonnegative)
def test_gini_equals_mean_absolute_difference_formula(x):
    g = gini(x)
    assert g == pytest.approx(_gini_by_pairs(x), rel=1e-9, abs=1e-12)
    assert -1e-12 <= g <= (x.size - 1) / x.size + 1e-12  # up to rounding


@given(nonnegative, st.floats(1e-3, 1e3), st.randoms(use_true_random=False))
def test_gini_is_invariant_to_scaling_and_order(x, scale, random):
    g = gini(x)
    assert gini(scale * x) == pytest.approx(g, rel=1e-9, abs=1e-12)
    shuffled = list(x)
    random.shuffle(shuffled)
    assert gini(np.array(shuffled)) == pytest.approx(g, rel=1e-12, abs=1e-15)


def test_gini_shifts_negative_values_by_their_minimum():
    # −3, −1 → 0, 2: the worst-off gains nothing above itself
    assert gini(np.array([-3.0, -1.0])) == pytest.approx(gini(np.array([0.0, 2.0])))
    assert gini(np.array([-3.0, -1.0])) == pytest.approx(0.5)
    # −1, 0, 1 → 0, 1, 2
    assert gini(np.array([-1.0, 0.0, 1.0])) == pytest.approx(4 / 9)
    # non-negative values are not shifted: 1, 2, 3 is not 0, 1, 2
    assert gini(np.array([1.0, 2.0, 3.0])) == pytest.approx(2 / 9)


@given(hnp.arrays(float, st.integers(2, 60), elements=st.floats(-1e3, 1e3, allow_subnormal=False)))
def test_gini_of_values_with_a_negative_is_that_of_the_gains_above_the_minimum(x):
    shifted = x - min(x.min(), 0.0)
    if np.all(x == x[0]):
        assert gini(x) == 0.0  # all equal, whatever the sign
    else:
        assert gini(x) == pytest.approx(_gini_by_pairs(shifted), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    "values",
    [[], [5.0], [-2.0]],
    ids=["empty", "one", "one-negative"],
)
def test_gini_is_nan_for_fewer_than_two_values(values):
    assert math.isnan(gini(np.array(values, dtype=float)))


def test_gini_is_zero_when_everybody_has_nothing():
    assert gini(np.zeros(3)) == 0.0


@pytest.mark.parametrize("value", [-0.25, -3.0])
def test_gini_is_zero_for_equal_negative_values(value):
    assert gini(np.full(10, value)) == 0.0


def test_gini_accepts_lists_and_flattens_arrays():
    assert gini([1, 2, 3]) == pytest.approx(2 / 9)
    assert gini(np.array([[1.0, 2.0], [3.0, 0.0]])) == pytest.approx(gini([1, 2, 3, 0]))


def test_gini_above_sample_uses_an_evenly_spaced_subsample():
    x = np.random.default_rng(0).lognormal(size=100)
    # step ceil(100 / 10) = 10
    assert gini(x, sample=10) == gini(x[::10])
    # step ceil(25 / 10) = 3: 9 of 25 values
    y = x[:25]
    assert gini(y, sample=10) == gini(y[::3])
    # at or below the sample size, every value counts
    assert gini(x, sample=100) == pytest.approx(_gini_by_pairs(x), rel=1e-12)
    assert gini(x, sample=100) != gini(x[::2])


def test_gini_subsampled_estimate_is_close_for_a_large_lognormal_sample():
    """Two million lognormal(0, 1) payoffs (seed fixed): the default subsample's estimate is
    within 0.01 of the exact Gini, which is within 0.01 of the theoretical 2Φ(σ/√2) − 1."""
    x = np.random.default_rng(123).lognormal(0.0, 1.0, size=2_000_000)
    exact = gini(x, sample=x.size)
    estimate = gini(x)
    assert estimate != exact  # the subsample was used
    assert abs(estimate - exact) < 0.01
    assert abs(exact - (2 * stats.norm.cdf(1 / math.sqrt(2)) - 1)) < 0.01


@given(
    data=st.data(),
    count=st.integers(1, 4),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_ginis_are_the_gini_of_each_group_and_of_all_groups(data, count, dtype):
    """Groups from ``count`` up (those who sat out) count nowhere; a group of fewer than
    two values gives NaN, as gini does."""
    n = data.draw(st.integers(0, 80))
    groups = np.array(data.draw(st.lists(st.integers(0, count), min_size=n, max_size=n)), int)
    values = data.draw(hnp.arrays(dtype, n, elements=st.floats(-1e3, 1e3, width=32)))
    got = ginis(values, groups.astype(np.int8), count)
    wanted = [gini(values[groups == j]) for j in range(count)] + [gini(values[groups < count])]
    assert got.shape == (count + 1,)
    np.testing.assert_allclose(got, wanted, rtol=1e-9, atol=1e-12)


def test_gini_sorts_float32_in_its_own_precision_with_float64_sums():
    """Sorting float32 values before converting them gives the float64 values' Gini."""
    x = np.random.default_rng(5).lognormal(size=999).astype(np.float32)
    assert gini(x) == pytest.approx(gini(x.astype(float)), rel=1e-14)
    assert gini(x) == pytest.approx(_gini_by_pairs(x.astype(float)), rel=1e-9)


def test_metric_columns():
    assert METRIC_COLUMNS[0] == "agents"
    assert METRIC_COLUMNS[-1] == "gini"
    assert len(set(METRIC_COLUMNS)) == len(METRIC_COLUMNS)


@pytest.mark.parametrize("size", [1, 3, FEW_CELLS, FEW_CELLS + 1, 12])
@given(data=st.data())
def test_cell_sums_are_a_bincount_whichever_way_they_are_summed(size, data):
    n = data.draw(st.integers(0, 200))
    cells = np.array(data.draw(st.lists(st.integers(0, size - 1), min_size=n, max_size=n)), int)
    values = data.draw(hnp.arrays(np.float32, n, elements=st.floats(-1e3, 1e3, width=32)))
    acts = values > 0
    reuse = data.draw(st.booleans())  # a matrix kept from an earlier round, or a fresh one
    sums = cell_sums(cells, size, out=np.full((size, n), np.nan) if reuse else None)
    counts = sums(None)
    np.testing.assert_array_equal(counts, np.bincount(cells, minlength=size))
    assert counts.dtype.kind == "i"  # citizens are counted, not summed
    for weights in (values, acts):
        got = sums(weights)
        assert got.dtype == np.float64 and got.shape == (size,)
        expected = np.bincount(cells, weights=weights, minlength=size)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-9)
