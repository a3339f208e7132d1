import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sccgames.model.draws import HALVED_WORDS, uniform

GENERATORS = [*HALVED_WORDS, np.random.MT19937]


@settings(max_examples=60, deadline=None)
@given(
    bits=st.sampled_from(GENERATORS),
    seed=st.integers(0, 2**63),
    shapes=st.lists(
        st.one_of(st.integers(0, 2000), st.tuples(st.integers(1, 3), st.integers(0, 500))),
        min_size=1,
        max_size=4,
    ),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_uniform_gives_numpys_numbers_and_leaves_the_stream_as_numpy_does(
    bits, seed, shapes, dtype
):
    """Draw after draw (odd counts, leftover half-words, float64 in between), the same
    numbers as ``Generator.random`` and the same stream afterwards."""
    ours, numpys = (np.random.Generator(bits(seed)) for _ in range(2))
    for shape in shapes:
        got, expected = uniform(ours, shape, dtype), numpys.random(shape, dtype=dtype)
        assert got.dtype == expected.dtype and got.shape == expected.shape
        np.testing.assert_array_equal(got, expected, err_msg=f"shape {shape}")
    np.testing.assert_array_equal(ours.random(3, dtype=np.float32), numpys.random(3, np.float32))
    np.testing.assert_array_equal(ours.random(3), numpys.random(3))


def test_uniform_takes_the_fast_path_for_the_default_generator():
    """The default generator's even float32 draws do not go through ``Generator.random``
    (which would make the speed-up vanish without any test noticing)."""

    class Refusing:  # a generator whose ``random`` may not be called
        bit_generator = np.random.default_rng(5).bit_generator

        def random(self, *args, **kwargs):
            raise AssertionError("Generator.random called")

    values = uniform(Refusing(), (2, 1000), np.float32)
    assert values.shape == (2, 1000) and values.dtype == np.float32
    assert 0.0 <= values.min() and values.max() < 1.0
    assert uniform(Refusing(), np.int64(6), np.float32).shape == (6,)  # a numpy count too


@pytest.mark.parametrize("n", [10**5, 10**5 + 2])
def test_uniform_is_uniform_on_its_grid(n):
    """Values are multiples of 2⁻²⁴ in [0, 1) whose deciles hold a tenth each (chi-square)."""
    values = uniform(np.random.default_rng(11), n, np.float32)
    assert np.all(values * 2**24 == np.floor(values * 2**24))
    counts = np.bincount((values * 10).astype(int), minlength=10)
    chi2 = ((counts - n / 10) ** 2 / (n / 10)).sum()
    assert chi2 < 27.88  # the 0.999 quantile of chi-square with 9 degrees of freedom
