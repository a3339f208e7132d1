"""Populations: who lives in a society, with which motive profile, in which community.

A :class:`Population` is a recipe (sizes, shares of presets, parameter distributions,
communities); :meth:`Population.build` turns it, with a random stream, into
:class:`Citizens`: one stacked :class:`~sccgames.Profile` of arrays (struct of arrays), each
citizen's type and community. Nothing is drawn until ``build`` is called.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any

import numpy as np

from sccgames._validation import (
    check_finite,
    check_integer,
    check_probability,
    population_arrays,
)
from sccgames.limits import MAX_COMMUNITIES, MAX_SIZE
from sccgames.model.agents import MotiveAgent, motive_strategies
from sccgames.model.profiles import Profile, stack_types


@dataclass(frozen=True)
class Discrete:
    """A discrete distribution over ``values`` with ``probabilities`` (an empirical table).

    Parameters
    ----------
    values : sequence of float
    probabilities : sequence of float
        Non-negative, summing to 1, one per value.

    """

    values: Sequence[float]
    probabilities: Sequence[float]

    def __post_init__(self) -> None:
        p = np.asarray(self.probabilities, dtype=float)
        if len(self.values) == 0 or p.shape != (len(self.values),):
            raise ValueError(
                f"Discrete needs one probability per value, got {len(self.values)} values and "
                f"{p.size} probabilities"
            )
        for k, q in enumerate(p):
            check_probability(f"Discrete.probabilities[{k}]", float(q))
        for k, value in enumerate(self.values):
            check_finite(f"Discrete.values[{k}]", value)
        if abs(p.sum() - 1.0) > 1e-9:
            raise ValueError(f"Discrete.probabilities must sum to 1, got {p.sum()!r}")

    def rvs(self, size: int, random_state: np.random.Generator) -> np.ndarray:
        """``size`` independent draws."""
        check_integer("size", size)
        return random_state.choice(
            np.asarray(self.values, float), size=size, p=np.asarray(self.probabilities, float)
        )


#: The default population's motive types and their shares: the types Fischbacher, Gächter
#: and Fehr found with the strategy method [FischbacherGachterFehr2001]_ — half conditional
#: cooperators (``Citizen``: a norm that holds as far as others keep it, conformity,
#: inequity aversion), 30% free riders (``HomoEconomicus``), and the remaining fifth (their
#: hump-shaped and unclassified contributors) as the one unconditional type among the
#: presets (``Moralist``), since a hump-shaped schedule has no preset. Every default
#: parameter is estimated on this mix (:mod:`sccgames.calibration`).
DEFAULT_SHARES: dict[str, float] = {"Citizen": 0.55, "HomoEconomicus": 0.3, "Moralist": 0.15}


def fehr_schmidt() -> dict[str, Discrete]:
    """The distribution of inequity aversion Fehr and Schmidt inferred from experiments.

    Envy α: 0 (30%), 0.5 (30%), 1 (30%), 4 (10%); guilt β: 0 (30%), 0.25 (30%), 0.6 (40%)
    [FehrSchmidt1999]_ (their Table III). Keys are profile parameter paths, for
    :class:`Population`'s ``distributions``.
    """
    return {
        "emotion.envy": Discrete((0.0, 0.5, 1.0, 4.0), (0.3, 0.3, 0.3, 0.1)),
        "emotion.guilt": Discrete((0.0, 0.25, 0.6), (0.3, 0.3, 0.4)),
    }


def _preset_lookup() -> dict[str, type[MotiveAgent]]:
    lookup: dict[str, type[MotiveAgent]] = {}
    for cls in motive_strategies:
        lookup[cls.__name__] = cls
        lookup[cls.name] = cls
    return lookup


def resolve_preset(
    spec: str | type[MotiveAgent], profiles: Mapping[str, Profile] | None = None
) -> tuple[str, Profile]:
    """A type's name and profile from a name in ``profiles``, a preset name or a preset class.

    Raises
    ------
    ValueError
        For an unknown name (with the closest preset names) or anything else.

    """
    if profiles and isinstance(spec, str) and spec in profiles:
        return spec, profiles[spec]
    if isinstance(spec, type) and issubclass(spec, MotiveAgent):
        return spec.name, spec().profile
    if isinstance(spec, str):
        lookup = _preset_lookup()
        if spec in lookup:
            cls = lookup[spec]
            return cls.name, cls().profile
        close = difflib.get_close_matches(spec, [*lookup, *(profiles or {})], n=3)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        known = ", ".join(
            repr(c) for c in [*(c.__name__ for c in motive_strategies), *(profiles or {})]
        )
        raise ValueError(f"unknown motive type {spec!r}{hint} (known: {known})")
    raise ValueError(
        "a population type must be a motive preset's name or class, or a name given in "
        f"profiles, got {spec!r}"
    )


def _parameter_paths() -> list[str]:
    paths = []
    for part in fields(Profile):
        if part.name == "beta":
            paths.append("beta")
            continue
        paths.extend(f"{part.name}.{f.name}" for f in fields(part.default_factory))  # type: ignore[arg-type]
    return paths


def _set_parameter(profile: Profile, path: str, value: Any) -> Profile:
    with population_arrays():
        if path == "beta":
            return replace(profile, beta=value)
        part, name = path.split(".")
        return replace(profile, **{part: replace(getattr(profile, part), **{name: value})})


@dataclass(frozen=True)
class Citizens:
    """A built population: struct-of-arrays profile, types and communities.

    Attributes
    ----------
    profile : Profile
        Stacked profile (arrays of length ``size``; shared fields stay floats).
    type_index : numpy.ndarray of int
        Each citizen's type, an index into ``type_names``.
    type_names : tuple of str
    community : numpy.ndarray of int
        Each citizen's community (all 0 without communities).

    """

    profile: Profile
    type_index: np.ndarray
    type_names: tuple[str, ...]
    community: np.ndarray

    @property
    def size(self) -> int:
        """Number of citizens."""
        return int(self.type_index.size)


@dataclass(frozen=True)
class Population:
    """A society's members: how many, of which motive types, drawn from which distributions.

    Parameters
    ----------
    size : int
        Number of citizens (>= 2).
    shares : mapping, default :data:`DEFAULT_SHARES`
        Share of each type (by default 55% Citizens, 30% Homo Economicus, 15% Moralists,
        as people sort into types [FischbacherGachterFehr2001]_), keyed by preset name
        (``"HomoEconomicus"``), preset class, or a name given in ``profiles``; shares sum
        to 1.
        Counts are the shares times ``size``, rounded by largest remainder (no randomness).
    distributions : mapping, optional
        Profile parameters drawn per citizen, keyed by path (``"emotion.envy"``, ``"beta"``,
        ``"legitimacy.initial"``); values are anything with ``rvs(size, random_state)``
        (a frozen ``scipy.stats`` distribution or :class:`Discrete`). Applied to every type;
        :func:`fehr_schmidt` gives the Fehr–Schmidt table.
    communities : int, default 1
        Number of communities; citizens are assigned to them in equal shares, at random.
        With one community there is no in-group: partners are anonymous strangers.
    profiles : mapping, optional
        Types of your own: name to :class:`~sccgames.Profile`, usable as keys of ``shares``.

    Examples
    --------
    >>> import sccgames as scc
    >>> pop = scc.Population(1000, shares={"Citizen": 0.8, "HomoEconomicus": 0.2},
    ...                      distributions=scc.fehr_schmidt())
    >>> citizens = pop.build(np.random.default_rng(1))
    >>> citizens.type_names, int((citizens.type_index == 1).sum())
    (('Citizen', 'Homo Economicus'), 200)

    """

    size: int
    shares: Mapping[Any, float] = field(default_factory=lambda: dict(DEFAULT_SHARES))
    distributions: Mapping[str, Any] = field(default_factory=dict)
    communities: int = 1
    profiles: Mapping[str, Profile] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_integer("Population.size", self.size, low=2, high=MAX_SIZE)
        check_integer("Population.communities", self.communities, low=1, high=MAX_COMMUNITIES)
        if self.communities > self.size:
            raise ValueError(
                f"Population.communities must be at most Population.size ({self.size}), so "
                f"that no community is empty, got {self.communities}"
            )
        for name in ("distributions", "profiles"):
            if not isinstance(getattr(self, name), Mapping):
                raise ValueError(
                    f"Population.{name} must be a mapping, got {getattr(self, name)!r}"
                )
        if not isinstance(self.shares, Mapping) or not self.shares:
            raise ValueError(
                f"Population.shares must map motive presets to shares, got {self.shares!r}"
            )
        for name, profile in self.profiles.items():
            if not isinstance(profile, Profile):
                raise ValueError(
                    f"Population.profiles[{name!r}] must be a Profile, got {profile!r}"
                )
        for spec, share in self.shares.items():
            resolve_preset(spec, self.profiles)
            if not isinstance(share, int | float | np.number) or isinstance(share, bool):
                raise ValueError(
                    f"Population.shares[{_label(spec)!r}] must be a number in [0, 1], got {share!r}"
                )
            check_probability(f"Population.shares[{_label(spec)!r}]", share)
        names = [resolve_preset(spec, self.profiles)[0] for spec in self.shares]
        if len(set(names)) != len(names):
            raise ValueError(f"Population.shares names a type twice: {names}")
        total = float(sum(self.shares.values()))
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"Population.shares must sum to 1, got {total!r}")
        allowed = _parameter_paths()
        for path, dist in self.distributions.items():
            if path not in allowed:
                close = difflib.get_close_matches(str(path), allowed, n=3)
                hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
                raise ValueError(
                    f"Population.distributions has unknown parameter {path!r}{hint} (paths "
                    "are 'beta' or '<motive>.<parameter>', e.g. 'emotion.envy')"
                )
            if not callable(getattr(dist, "rvs", None)):
                raise ValueError(
                    f"Population.distributions[{path!r}] must have rvs(size, random_state) "
                    f"(a frozen scipy.stats distribution or sccgames.Discrete), got {dist!r}"
                )

    def counts(self) -> dict[str, int]:
        """Citizens of each type (largest-remainder rounding of ``shares × size``)."""
        names = [resolve_preset(spec, self.profiles)[0] for spec in self.shares]
        shares = np.array(list(self.shares.values()), float)
        exact = shares / shares.sum() * self.size  # shares sum to 1 within 1e-6: normalize
        counts = np.floor(exact).astype(int)
        short = self.size - counts.sum()
        counts[np.argsort(-(exact - counts), kind="stable")[:short]] += 1
        return dict(zip(names, counts.tolist(), strict=True))

    def build(self, rng: np.random.Generator) -> Citizens:
        """Draw the citizens: types in blocks, parameters and communities from ``rng``."""
        counts = self.counts()
        profiles = [resolve_preset(spec, self.profiles)[1] for spec in self.shares]
        type_index = np.repeat(np.arange(len(counts)), list(counts.values()))
        stacked = stack_types(profiles, type_index)
        for path, dist in self.distributions.items():
            draws = np.asarray(dist.rvs(size=self.size, random_state=rng), dtype=float)
            stacked = _set_parameter(stacked, path, draws)  # checked by the dataclasses
        community = rng.permutation(np.arange(self.size) % self.communities)
        return Citizens(stacked, type_index, tuple(counts), community)


def _label(spec: Any) -> str:
    return spec if isinstance(spec, str) else getattr(spec, "name", repr(spec))


def cast_profile(profile: Profile, dtype: np.dtype | type) -> Profile:
    """``profile`` with every array field cast to ``dtype`` (floats stay floats)."""

    def cast(obj: Any) -> Any:
        values = {}
        for f in fields(obj):
            value = getattr(obj, f.name)
            if is_dataclass(value):
                values[f.name] = cast(value)
            elif isinstance(value, np.ndarray):
                values[f.name] = value.astype(dtype)
            else:
                values[f.name] = value
        return type(obj)(**values)

    with population_arrays():
        return cast(profile)
