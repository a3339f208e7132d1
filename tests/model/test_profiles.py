import math

import numpy as np
import pytest

from sccgames._validation import population_arrays
from sccgames.model.profiles import (
    EmotionParams,
    HabitParams,
    Horizon,
    LegitimacyParams,
    MoralParams,
    Profile,
    RationalParams,
    SocialParams,
    Weights,
    stack_profiles,
)

BAD_VALUES = [
    (lambda: Profile(beta=-1.0), "beta", "-1.0"),
    (lambda: Weights(habit=1.5), "weights.habit", "1.5"),
    (lambda: Weights(moral=-0.1), "weights.moral", "-0.1"),
    (lambda: RationalParams(delta=1.0), "rational.delta", "[0, 1)"),
    (lambda: RationalParams(trust=2.0), "rational.trust", "[0, 1]"),
    (lambda: RationalParams(prior_strength=0.0), "rational.prior_strength", "(0, inf)"),
    (lambda: RationalParams(responsiveness=-2.0), "rational.responsiveness", "[-1, 1]"),
    (lambda: RationalParams(horizon="forever"), "rational.horizon", "'backward_induction'"),
    (lambda: HabitParams(initial=-0.1), "habit.initial", "-0.1"),
    (lambda: MoralParams(norm=6.0, norm_max=5.0), "moral.norm_max - moral.norm", ""),
    (lambda: MoralParams(width=0.0), "moral.width", "(0, inf)"),
    (lambda: MoralParams(threshold=math.nan), "moral.threshold", "NaN"),
    (lambda: EmotionParams(guilt=1.0), "emotion.guilt", "[0, 1)"),
    (lambda: EmotionParams(envy=math.inf), "emotion.envy", "inf"),
    (lambda: SocialParams(image_half=0.0), "social.image_half", "(0, inf)"),
    (lambda: LegitimacyParams(initial=1.2), "legitimacy.initial", "1.2"),
    (lambda: RationalParams(trust="high"), "rational.trust", "'high'"),
    (lambda: Profile(moral=3.0), "moral", "MoralParams"),
]


@pytest.mark.parametrize(("make", "name", "fragment"), BAD_VALUES)
def test_bad_parameter_names_parameter_value_and_range(make, name, fragment):
    with pytest.raises(ValueError) as info:
        make()
    message = str(info.value)
    assert message.startswith(name)
    assert fragment in message


def test_parameters_are_stored_unchanged_and_frozen():
    profile = Profile(beta=3.0, moral=MoralParams(norm=2.0))
    assert profile.beta == 3.0
    assert profile.moral.norm == 2.0
    with pytest.raises(AttributeError):
        profile.beta = 1.0  # type: ignore[misc]


def test_horizon_accepts_its_string_value():
    assert RationalParams(horizon="discounted").horizon is Horizon.DISCOUNTED


def test_array_parameters_are_checked_elementwise():
    with population_arrays():
        MoralParams(norm=np.array([0.5, 1.0]), norm_max=np.array([1.0, 1.0]))
        with pytest.raises(ValueError, match=r"habit.initial must be in \[0, 1\], got array"):
            HabitParams(initial=np.array([0.2, 1.5]))


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda: Profile(beta="1"), "beta must be a number, got '1' of type str"),
        (lambda: Profile(beta=True), "beta must be a number, got True of type bool"),
        (lambda: Profile(beta=None), "beta must be a number, got None"),
        (
            lambda: Profile(beta=np.array([1.0, 2.0])),
            "beta must be a number, got array([1., 2.]) of type ndarray of shape (2,)",
        ),
        (lambda: Weights(moral=[1.0]), "weights.moral must be a number, got [1.0] of type list"),
        (lambda: MoralParams(norm=1 + 2j), "moral.norm must be a number, got (1+2j)"),
        (lambda: EmotionParams(envy=1e39), "emotion.envy must be at most 1e+06 in magnitude"),
    ],
)
def test_a_string_bool_or_array_where_a_number_belongs_is_refused_by_name(make, fragment):
    with pytest.raises(ValueError) as info:
        make()
    assert fragment in str(info.value)


def test_numpy_scalars_are_numbers():
    assert Profile(beta=np.float32(2.0)).beta == 2.0
    assert Weights(moral=np.int64(2)).moral == 2


def test_stacked_profiles_hold_arrays_outside_the_context():
    stacked = stack_profiles([Profile(beta=1.0), Profile(beta=2.0)])
    assert stacked.beta.tolist() == [1.0, 2.0]


def test_defaults_are_documented():
    """Every parameter's docstring entry says where its default comes from."""
    for cls in (
        Weights,
        RationalParams,
        HabitParams,
        MoralParams,
        EmotionParams,
        SocialParams,
        LegitimacyParams,
        Profile,
    ):
        doc = cls.__doc__
        for name in cls.__dataclass_fields__:
            assert name in doc, f"{cls.__name__}.{name} is not documented"
