"""Populations: preset resolution, largest-remainder counts, building citizens, casting."""

import doctest
from dataclasses import fields, is_dataclass
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

import sccgames as scc
from sccgames.model import population as population_module
from sccgames.model.agents import motive_strategies
from sccgames.model.population import (
    Citizens,
    Discrete,
    Population,
    cast_profile,
    fehr_schmidt,
    resolve_preset,
)
from sccgames.model.profiles import Horizon, MoralParams, Profile, Weights

PRESET_CLASS_NAMES = [cls.__name__ for cls in motive_strategies]
ALPHA = 0.001  # significance level of every goodness-of-fit test below


def _leaves(obj, prefix=""):
    """Every non-dataclass field of a (nested) dataclass, by dotted path."""
    out = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        if is_dataclass(value):
            out.update(_leaves(value, f"{prefix}{f.name}."))
        else:
            out[f"{prefix}{f.name}"] = value
    return out


# --------------------------------------------------------------------------- Discrete


def test_discrete_draws_only_its_values_with_its_frequencies():
    table = Discrete((-1.0, 2.0, 7.5), (0.2, 0.5, 0.3))
    draws = table.rvs(30_000, np.random.default_rng(0))
    assert draws.shape == (30_000,)
    assert set(np.unique(draws)) == {-1.0, 2.0, 7.5}
    observed = [(draws == v).sum() for v in (-1.0, 2.0, 7.5)]
    assert stats.chisquare(observed, np.array([0.2, 0.5, 0.3]) * draws.size).pvalue > ALPHA


def test_discrete_is_reproducible_for_a_seed():
    table = Discrete((0.0, 1.0), (0.5, 0.5))
    a = table.rvs(100, np.random.default_rng(3))
    b = table.rvs(100, np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)
    assert 0 < a.sum() < 100  # both values occur


def test_discrete_with_one_value_always_draws_it():
    np.testing.assert_array_equal(
        Discrete((4.0,), (1.0,)).rvs(5, np.random.default_rng(0)), [4.0] * 5
    )


@pytest.mark.parametrize(
    ("values", "probabilities", "message"),
    [
        ((1.0, 2.0), (1.0,), "one probability per value, got 2 values and 1 probabilities"),
        ((1.0,), (0.5, 0.5), "one probability per value, got 1 values and 2 probabilities"),
        ((), (), "one probability per value, got 0 values and 0 probabilities"),
        ((1.0, 2.0), ((0.5, 0.5),), "one probability per value"),
        ((1.0, 2.0), (0.5, 0.6), "Discrete.probabilities must sum to 1, got"),
        ((1.0, 2.0), (0.3, 0.3), "Discrete.probabilities must sum to 1, got"),
        ((1.0, 2.0), (-0.5, 1.5), r"Discrete.probabilities\[0\] must be in \[0, 1\], got -0.5"),
    ],
)
def test_discrete_rejects_bad_tables(values, probabilities, message):
    with pytest.raises(ValueError, match=message):
        Discrete(values, probabilities)


def test_fehr_schmidt_table():
    """Their Table III: envy 0/0.5/1/4 at 30/30/30/10%, guilt 0/0.25/0.6 at 30/30/40%."""
    table = fehr_schmidt()
    assert set(table) == {"emotion.envy", "emotion.guilt"}
    envy, guilt = table["emotion.envy"], table["emotion.guilt"]
    assert tuple(envy.values) == (0.0, 0.5, 1.0, 4.0)
    assert tuple(envy.probabilities) == (0.3, 0.3, 0.3, 0.1)
    assert tuple(guilt.values) == (0.0, 0.25, 0.6)
    assert tuple(guilt.probabilities) == (0.3, 0.3, 0.4)
    # means as in profiles.EmotionParams' defaults (0.85 and 0.315)
    assert np.dot(envy.values, envy.probabilities) == pytest.approx(0.85)
    assert np.dot(guilt.values, guilt.probabilities) == pytest.approx(0.315)


# --------------------------------------------------------------------------- resolve_preset


@pytest.mark.parametrize("cls", motive_strategies, ids=PRESET_CLASS_NAMES)
def test_resolve_preset_by_class_name_display_name_and_class(cls):
    for spec in (cls.__name__, cls.name, cls):
        name, profile = resolve_preset(spec)
        assert name == cls.name
        assert profile == cls.preset_profile


def test_resolve_preset_prefers_profiles_given_by_name():
    mine = Profile(beta=2.5)
    assert resolve_preset("Mine", {"Mine": mine}) == ("Mine", mine)
    # a name of one's own may shadow a preset's
    shadow = Profile(beta=4.0)
    assert resolve_preset("Citizen", {"Citizen": shadow}) == ("Citizen", shadow)
    assert resolve_preset("Citizen")[1] == Profile()


def test_resolve_preset_unknown_name_suggests_close_names():
    with pytest.raises(ValueError, match=r"unknown motive type 'Moralst'; did you mean 'Moralist'"):
        resolve_preset("Moralst")
    with pytest.raises(ValueError, match=r"did you mean 'Mine'\?.*known: .*'Citizen', 'Mine'"):
        resolve_preset("Mien", {"Mine": Profile()})


def test_resolve_preset_unknown_name_without_close_match_lists_known():
    with pytest.raises(ValueError) as info:
        resolve_preset("zzzzqqq")
    message = str(info.value)
    assert "did you mean" not in message
    for name in PRESET_CLASS_NAMES:
        assert repr(name) in message


@pytest.mark.parametrize("spec", [3, None, int, Profile()])
def test_resolve_preset_rejects_non_names(spec):
    with pytest.raises(ValueError, match="must be a motive preset's name or class"):
        resolve_preset(spec)


# --------------------------------------------------------------------------- counts


def test_counts_of_the_default_population_round_its_shares():
    # quotas 3.85, 2.1, 1.05: the largest remainder gives the spare seat to the Citizens
    assert Population(7).counts() == {"Citizen": 4, "Homo Economicus": 2, "Moralist": 1}


@pytest.mark.parametrize(
    ("size", "shares", "expected"),
    [
        # quotas 3.5, 1.75, 1.75: the two larger remainders get the two spare seats
        # (rounding each quota half-up would give 4 + 2 + 2 = 8 citizens)
        (7, (0.5, 0.25, 0.25), (3, 2, 2)),
        # quotas 1, 1.5, 1.5: a tie goes to the type listed first
        (4, (0.25, 0.375, 0.375), (1, 2, 1)),
        # quotas 2.5, 2.5, 5: no rounding needed for the third
        (10, (0.25, 0.25, 0.5), (3, 2, 5)),
        # quotas 0.125 … : a share too small for one citizen may get none
        (8, (0.015625, 0.984375), (0, 8)),
        (1000, (0.8, 0.2), (800, 200)),
    ],
)
def test_counts_by_hand(size, shares, expected):
    names = PRESET_CLASS_NAMES[: len(shares)]
    population = Population(size, shares=dict(zip(names, shares, strict=True)))
    counts = population.counts()
    assert list(counts) == [resolve_preset(n)[0] for n in names]
    assert tuple(counts.values()) == expected


@given(
    size=st.integers(2, 100_000),
    weights=st.lists(st.integers(0, 1000), min_size=1, max_size=len(PRESET_CLASS_NAMES)).filter(
        lambda w: sum(w) > 0
    ),
)
def test_counts_are_largest_remainder_rounding(size, weights):
    """Counts sum to ``size``, each is its quota rounded down or up, and the spare seats go
    to the largest remainders (compared exactly, with fractions)."""
    total = sum(weights)
    shares = {name: w / total for name, w in zip(PRESET_CLASS_NAMES, weights, strict=False)}
    counts = list(Population(size, shares=shares).counts().values())
    assert sum(counts) == size
    quota = [Fraction(w * size, total) for w in weights]
    floor = [q.numerator // q.denominator for q in quota]
    for c, q, f in zip(counts, quota, floor, strict=True):
        assert f <= c <= f + 1
        assert abs(c - q) < 1
    up = [q - f for c, q, f in zip(counts, quota, floor, strict=True) if c == f + 1]
    down = [q - f for c, q, f in zip(counts, quota, floor, strict=True) if c == f and q != f]
    if up and down:
        assert min(up) >= max(down) - Fraction(1, 10**9)


@pytest.mark.parametrize(
    ("size", "shares"),
    [
        (3_000_000, {"Citizen": 0.9999991}),  # gives 2,999,998 citizens
        (2_000_000, {"Citizen": 0.5000009, "Moralist": 0.5}),  # gives 2,000,002 citizens
    ],
)
def test_counts_sum_to_size_for_shares_within_tolerance(size, shares):
    population = Population(size, shares=shares)  # accepted: the sum is within 1e-6 of 1
    assert sum(population.counts().values()) == size


def test_population_rejects_a_type_named_twice_when_made():
    with pytest.raises(ValueError, match="names a type twice"):
        Population(10, shares={"HomoEconomicus": 0.5, "Homo Economicus": 0.5})


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"size": 1}, r"Population.size must be an integer >= 2, got 1"),
        ({"size": 10.0}, r"Population.size must be an integer >= 2, got 10.0"),
        ({"size": True}, r"Population.size must be an integer >= 2, got True"),
        ({"size": 10, "communities": 0}, r"Population.communities must be an integer >= 1"),
        ({"size": 10, "communities": 1.5}, r"Population.communities must be an integer >= 1"),
        ({"size": 10, "shares": {}}, r"Population.shares must map motive presets to shares"),
        ({"size": 10, "shares": ["Citizen"]}, r"must map motive presets to shares"),
        (
            {"size": 10, "shares": {"Citizen": 0.5, "Moralist": 0.4}},
            r"Population.shares must sum to 1, got 0.9",
        ),
        (
            {"size": 10, "shares": {"Citizen": 1.5, "Moralist": -0.5}},
            r"Population.shares\['Citizen'\] must be in \[0, 1\], got 1.5",
        ),
        (
            {"size": 10, "shares": {scc.Moralist: -0.5, "Citizen": 1.5}},
            r"Population.shares\['Moralist'\] must be in \[0, 1\], got -0.5",
        ),
        (
            {"size": 10, "shares": {"Citizen": float("nan")}},
            r"Population.shares\['Citizen'\] must be a number in \[0, 1\], got NaN",
        ),
        (
            {"size": 10, "shares": {"Moralst": 1.0}},
            r"unknown motive type 'Moralst'; did you mean 'Moralist'\?",
        ),
        (
            {"size": 10, "shares": {"Mien": 1.0}, "profiles": {"Mine": Profile()}},
            r"unknown motive type 'Mien'; did you mean 'Mine'\?",
        ),
        (
            {"size": 10, "distributions": {"emotion.envvy": Discrete((0.0,), (1.0,))}},
            r"unknown parameter 'emotion.envvy'; did you mean 'emotion.envy'",
        ),
        (
            {"size": 10, "distributions": {"bta": Discrete((0.0,), (1.0,))}},
            r"unknown parameter 'bta'; did you mean 'beta'",
        ),
        (
            {"size": 10, "distributions": {"zzz": Discrete((0.0,), (1.0,))}},
            r"unknown parameter 'zzz' \(paths are 'beta' or '<motive>.<parameter>'",
        ),
        (
            {"size": 10, "distributions": {"emotion": Discrete((0.0,), (1.0,))}},
            r"unknown parameter 'emotion'",
        ),
        (
            {"size": 10, "distributions": {"emotion.envy": 0.5}},
            r"Population.distributions\['emotion.envy'\] must have rvs\(size, random_state\)",
        ),
        (
            {"size": 10, "profiles": {"Mine": {"beta": 1.0}}, "shares": {"Citizen": 1.0}},
            r"Population.profiles\['Mine'\] must be a Profile, got \{'beta': 1.0\}",
        ),
    ],
)
def test_population_rejects_bad_input_with_one_clear_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Population(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"profiles": None},
        {"profiles": [Profile()]},
        {"distributions": None},
        {"shares": {"Citizen": "1"}},
    ],
    ids=["profiles-None", "profiles-list", "distributions-None", "share-str"],
)
def test_population_rejects_wrong_containers_with_a_value_error(kwargs):
    with pytest.raises(ValueError):
        Population(10, **kwargs)


def test_distribution_out_of_a_parameters_range_is_caught_at_build():
    population = Population(10, distributions={"emotion.guilt": Discrete((1.5,), (1.0,))})
    with pytest.raises(ValueError, match=r"emotion.guilt must be in \[0, 1\)"):
        population.build(np.random.default_rng(0))


# --------------------------------------------------------------------------- build


MIXED = {"Citizen": 0.5, "HomoEconomicus": 0.3, "Moralist": 0.2}


def test_build_makes_types_in_blocks_in_the_order_of_shares():
    citizens = Population(100, shares=MIXED).build(np.random.default_rng(0))
    assert isinstance(citizens, Citizens)
    assert citizens.size == 100
    assert citizens.type_names == ("Citizen", "Homo Economicus", "Moralist")
    np.testing.assert_array_equal(citizens.type_index, np.repeat([0, 1, 2], [50, 30, 20]))
    # every citizen carries its own type's preset values
    presets = [resolve_preset(name)[1] for name in MIXED]
    stacked = _leaves(citizens.profile)
    for path, value in stacked.items():
        expected = np.array(
            [float(_leaves(presets[t])[path]) for t in citizens.type_index], dtype=float
        )
        np.testing.assert_array_equal(np.broadcast_to(value, (100,)), expected, err_msg=path)


def test_build_keeps_shared_parameters_as_floats():
    citizens = Population(50, shares=MIXED).build(np.random.default_rng(0))
    # beta differs between Citizen (1) and HomoEconomicus (10): an array
    assert isinstance(citizens.profile.beta, np.ndarray)
    # a parameter no preset changes stays one float
    assert type(citizens.profile.legitimacy.unjust_sanction) is float
    assert citizens.profile.legitimacy.unjust_sanction == 0.1


def test_build_is_deterministic_for_a_seed():
    population = Population(
        500,
        shares=MIXED,
        distributions={**fehr_schmidt(), "beta": stats.gamma(2.0)},
        communities=3,
    )
    a = population.build(np.random.default_rng(42))
    b = population.build(np.random.default_rng(42))
    c = population.build(np.random.default_rng(43))
    leaves_a, leaves_b, leaves_c = _leaves(a.profile), _leaves(b.profile), _leaves(c.profile)
    for path in leaves_a:
        np.testing.assert_array_equal(leaves_a[path], leaves_b[path], err_msg=path)
    np.testing.assert_array_equal(a.community, b.community)
    np.testing.assert_array_equal(a.type_index, b.type_index)
    # another seed draws other parameters and communities
    assert not np.array_equal(leaves_a["beta"], leaves_c["beta"])
    assert not np.array_equal(a.community, c.community)


def test_fehr_schmidt_draws_follow_the_table_per_citizen():
    """Chi-square goodness of fit (alpha = 0.001, n = 40,000, seed fixed) for envy and guilt,
    drawn for every citizen of every type; and the same test rejects a wrong table."""
    n = 40_000
    shares = {"Citizen": 0.5, "HomoEconomicus": 0.5}
    citizens = Population(n, shares=shares, distributions=fehr_schmidt()).build(
        np.random.default_rng(2024)
    )
    table = fehr_schmidt()
    for path, drawn in (
        ("emotion.envy", citizens.profile.emotion.envy),
        ("emotion.guilt", citizens.profile.emotion.guilt),
    ):
        dist = table[path]
        assert drawn.shape == (n,)
        assert set(np.unique(drawn)) == set(dist.values)  # only the table's values
        observed = np.array([(drawn == v).sum() for v in dist.values])
        expected = np.array(dist.probabilities) * n
        assert stats.chisquare(observed, expected).pvalue > ALPHA, path
        # per type too: the distribution is applied to every type alike
        for t in range(2):
            mine = drawn[citizens.type_index == t]
            counts = np.array([(mine == v).sum() for v in dist.values])
            assert stats.chisquare(counts, np.array(dist.probabilities) * mine.size).pvalue > ALPHA
    # power: a table that is off by five points in two cells is rejected
    envy = citizens.profile.emotion.envy
    observed = np.array([(envy == v).sum() for v in (0.0, 0.5, 1.0, 4.0)])
    wrong = np.array([0.25, 0.35, 0.3, 0.1]) * n
    assert stats.chisquare(observed, wrong).pvalue < ALPHA


def test_scipy_frozen_distribution_for_legitimacy():
    """``stats.uniform(0, 1)`` for "legitimacy.initial": values in [0, 1], uniform by a
    Kolmogorov–Smirnov test (alpha = 0.001, n = 20,000, seed fixed), distinct per citizen."""
    n = 20_000
    citizens = Population(
        n, shares=MIXED, distributions={"legitimacy.initial": stats.uniform(0, 1)}
    ).build(np.random.default_rng(5))
    drawn = citizens.profile.legitimacy.initial
    assert drawn.shape == (n,)
    assert drawn.dtype == np.float64
    assert ((drawn >= 0) & (drawn <= 1)).all()
    assert np.unique(drawn).size > n - 10  # one draw per citizen, not one per type
    assert stats.kstest(drawn, "uniform").pvalue > ALPHA
    # and not, say, a Beta(2, 2): the test has power at this n
    assert stats.kstest(drawn, stats.beta(2, 2).cdf).pvalue < ALPHA
    # parameters without a distribution keep each type's preset value
    np.testing.assert_array_equal(
        citizens.profile.beta,
        np.array([resolve_preset(name)[1].beta for name in MIXED])[citizens.type_index],
    )


def test_distribution_of_beta_and_of_horizon():
    citizens = Population(
        1000,
        distributions={
            "beta": stats.expon(scale=2.0),
            "rational.horizon": Discrete((0.0, 1.0), (0.25, 0.75)),
        },
    ).build(np.random.default_rng(9))
    beta = citizens.profile.beta
    assert beta.shape == (1000,) and (beta >= 0).all()
    assert beta.mean() == pytest.approx(2.0, abs=5 * 2.0 / np.sqrt(1000))
    horizon = citizens.profile.rational.horizon
    assert set(np.unique(horizon)) == {0.0, 1.0}
    assert horizon.mean() == pytest.approx(0.75, abs=5 * np.sqrt(0.75 * 0.25 / 1000))


@given(size=st.integers(2, 400), communities=st.integers(1, 25), seed=st.integers(0, 2**32))
def test_communities_are_balanced(size, communities, seed):
    communities = min(communities, size)  # (more communities than citizens is refused)
    citizens = Population(size, communities=communities).build(np.random.default_rng(seed))
    assert citizens.community.shape == (size,)
    assert citizens.community.min() >= 0
    assert citizens.community.max() < communities
    per = np.bincount(citizens.community, minlength=communities)
    assert per.sum() == size
    assert per.max() - per.min() <= 1


def test_one_community_is_everyone_in_community_zero():
    citizens = Population(30).build(np.random.default_rng(0))
    np.testing.assert_array_equal(citizens.community, np.zeros(30))


def test_communities_are_assigned_at_random():
    """Not in blocks or in turn: both communities hold about half of each type."""
    citizens = Population(2000, shares={"Citizen": 0.5, "Moralist": 0.5}, communities=2).build(
        np.random.default_rng(1)
    )
    community = citizens.community
    assert not np.array_equal(community, np.arange(2000) % 2)
    assert not np.array_equal(community, np.sort(community))
    in_first_type = (community[:1000] == 0).mean()
    assert in_first_type == pytest.approx(0.5, abs=5 * 0.5 / np.sqrt(1000))


def test_custom_profiles_by_name():
    mine = Profile(beta=2.5, weights=Weights(moral=3.0), moral=MoralParams(norm=2.0))
    population = Population(10, shares={"Mine": 0.3, "Citizen": 0.7}, profiles={"Mine": mine})
    assert population.counts() == {"Mine": 3, "Citizen": 7}
    citizens = population.build(np.random.default_rng(0))
    assert citizens.type_names == ("Mine", "Citizen")
    default = Profile()
    np.testing.assert_array_equal(citizens.profile.beta, [2.5] * 3 + [default.beta] * 7)
    np.testing.assert_array_equal(citizens.profile.weights.moral, [3.0] * 3 + [1.0] * 7)
    np.testing.assert_array_equal(citizens.profile.moral.norm, [2.0] * 3 + [default.moral.norm] * 7)


def test_custom_profile_may_shadow_a_preset_name():
    population = Population(4, {"Citizen": 1.0}, profiles={"Citizen": Profile(beta=4.0)})
    assert population.build(np.random.default_rng(0)).profile.beta == 4.0


def test_population_docstring_example_type_names():
    """The documented names are the presets' display names."""
    citizens = Population(
        1000, shares={"Citizen": 0.8, "HomoEconomicus": 0.2}, distributions=fehr_schmidt()
    ).build(np.random.default_rng(1))
    assert citizens.type_names == ("Citizen", "Homo Economicus")
    assert int((citizens.type_index == 1).sum()) == 200


def test_population_docstring_example_runs_as_a_doctest():
    globs = dict(vars(population_module))
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in doctest.DocTestFinder().find(Population, "Population", globs=globs):
        runner.run(test, out=lambda _: None)
    assert runner.summarize(verbose=False).failed == 0


# --------------------------------------------------------------------------- cast_profile


def test_cast_profile_casts_arrays_and_leaves_floats():
    profile = (
        Population(20, shares=MIXED, distributions={"legitimacy.initial": stats.uniform(0, 1)})
        .build(np.random.default_rng(0))
        .profile
    )
    cast = cast_profile(profile, np.float32)
    before, after = _leaves(profile), _leaves(cast)
    assert before.keys() == after.keys()
    arrays = 0
    for path, value in before.items():
        if isinstance(value, np.ndarray):
            arrays += 1
            assert after[path].dtype == np.float32, path
            np.testing.assert_allclose(after[path], value, rtol=1e-6, err_msg=path)
            assert value.dtype == np.float64  # the input is left as it was
        else:
            assert type(after[path]) is type(value), path
            assert after[path] == value, path
    assert arrays >= 3  # beta, some weights, legitimacy.initial


def test_cast_profile_of_a_single_profile_is_equal_to_it():
    profile = Profile(beta=2.0)
    cast = cast_profile(profile, np.float32)
    assert cast == profile
    assert cast.rational.horizon is Horizon.DISCOUNTED
    assert type(cast.beta) is float


def test_cast_profile_keeps_horizon_arrays_valid():
    profile = (
        Population(4, shares={"HomoEconomicus": 0.5, "SubgamePerfect": 0.5})
        .build(np.random.default_rng(0))
        .profile
    )
    cast = cast_profile(profile, np.float32)
    assert cast.rational.horizon.dtype == np.float32
    np.testing.assert_array_equal(cast.rational.horizon, profile.rational.horizon)
    assert set(np.unique(cast.rational.horizon)) == {0.0, 1.0}


def test_the_default_population_is_the_documented_mix_and_the_memory_estimate_counts_it():
    from sccgames import limits
    from sccgames.model.population import DEFAULT_SHARES

    counts = scc.Population(1000).counts()
    assert counts == {"Citizen": 550, "Homo Economicus": 300, "Moralist": 150}
    raw = {"society": {"rounds": 10, "population": {"size": 1000}}}
    explicit = {"society": {"rounds": 10, "population": {"size": 1000, "shares": DEFAULT_SHARES}}}
    assert limits.estimate_bytes(raw)[0] == limits.estimate_bytes(explicit)[0]
    one = {"society": {"rounds": 10, "population": {"size": 1000, "shares": {"Citizen": 1}}}}
    assert limits.estimate_bytes(one)[0] < limits.estimate_bytes(raw)[0]
