"""Experiment files: one schema for TOML/YAML files and the Python API.

An experiment file describes a :class:`~sccgames.Tournament` or a :class:`~sccgames.Society`
(plus optional ``sweep``, ``execution`` and ``output`` sections) as plain data; a society may
also have a ``fit`` section (the models :mod:`sccgames.inference.compare` fits to its choices), and
an experiment of ``kind = "fit"`` has only that section, fitting a published dataset or a file
of choice data instead of a society (:mod:`sccgames.inference.fitting`). It is read
with ``tomllib`` or ``yaml.safe_load`` and checked against one tree of schema nodes whose
regime, game, matching and imitation tables are derived from the API classes' own fields;
nothing in a file is ever evaluated as code.

>>> from sccgames.experiments.config import parse
>>> exp = parse({"kind": "society", "society": {"rounds": 5, "population": {"size": 10}}})
>>> exp.society.rounds, exp.society.game.kind, exp.raw["seed"]
(5, 'pd', 0)
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import itertools
import json
import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.stats
import yaml

from sccgames import limits
from sccgames.engines.society import Imitation, Society, WordOfMouth
from sccgames.engines.tournament import Tournament, resolve_player
from sccgames.experiments._schema import (
    _EXPERIMENT,
    CHOICE_FILE_SUFFIX,
    IGNORE_COLUMN,
    KIND_SECTIONS,
    KINDS,
    MATCHINGS,
    OWN_SOCIETY,
    PUBLISHED,
    REGIMES,
    TWO_BY_TWO,
    ConfigError,
    join,
    json_schema,
)
from sccgames.experiments.runs import run_name
from sccgames.inference.compare import MODELS, RIVALS, Model
from sccgames.inference.likelihood import (
    CHOICE_COLUMNS,
    CONTEXT_COLUMNS,
    HISTORY_COLUMNS,
    IDENTIFIER_COLUMNS,
    PAYOFF_COLUMNS,
    STAKES_COLUMN,
    check_choice_columns,
    row_payoffs,
)
from sccgames.model.population import Discrete, Population, fehr_schmidt, resolve_preset
from sccgames.rules.games import GAME_NAMES, society_game
from sccgames.rules.institutions import Combined, Schedule
from sccgames.rules.regimes import NoRegime

__all__ = [
    "Component",
    "ConfigError",
    "ExecutionSpec",
    "Experiment",
    "FitSpec",
    "OutputSpec",
    "PhaseSpec",
    "PopulationSpec",
    "SocietySpec",
    "SweepSpec",
    "TournamentSpec",
    "json_schema",
    "load",
    "parse",
    "sweep_points",
    "validate",
    "with_overrides",
]


# ----------------------------------------------------------------------------- the specs
@dataclass(frozen=True)
class Component:
    """A game, matching, distribution or regime: its ``kind`` and keyword ``params``.

    ``parts`` holds the regimes of a ``combined`` regime.
    """

    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    parts: tuple[Component, ...] = ()

    @classmethod
    def of(cls, value: str | dict[str, Any]) -> Component:
        """From a checked value: a bare name or a table with ``kind``."""
        if isinstance(value, str):
            return cls(value)
        params = {k: v for k, v in value.items() if k not in ("kind", "parts")}
        return cls(value["kind"], params, tuple(cls.of(p) for p in value.get("parts", ())))


@dataclass(frozen=True)
class PopulationSpec:
    """``society.population``: see :class:`~sccgames.Population`."""

    size: int
    shares: dict[str, float]
    communities: int
    fehr_schmidt: bool
    distributions: dict[str, Component]


@dataclass(frozen=True)
class PhaseSpec:
    """One ``society.schedule`` entry: the regime in force from round ``start``."""

    start: int
    regime: Component


@dataclass(frozen=True)
class SocietySpec:
    """``[society]``: see :class:`~sccgames.Society`."""

    rounds: int
    game: Component
    domains: dict[str, float] | None
    matching: Component
    dtype: str
    imitation: dict[str, float] | None
    population: PopulationSpec
    regime: Component | None
    schedule: tuple[PhaseSpec, ...] | None
    word_of_mouth: dict[str, float] | None = None


@dataclass(frozen=True)
class TournamentSpec:
    """``[tournament]``: see :class:`~sccgames.Tournament`."""

    players: tuple[str, ...]
    turns: int
    repetitions: int
    noise: float
    game: Component
    domains: dict[str, float] | None
    regime: Component | None


@dataclass(frozen=True)
class SweepSpec:
    """``[sweep]``: a grid (cartesian product) or explicit points, each repeated."""

    repetitions: int
    grid: dict[str, list[Any]] | None
    points: tuple[dict[str, Any], ...] | None


@dataclass(frozen=True)
class ExecutionSpec:
    """``[execution]``: processes, ``"local"`` or ``"dask"``, the dask scheduler address."""

    processes: int
    backend: str
    scheduler: str


@dataclass(frozen=True)
class OutputSpec:
    """``[output]``: where results go (empty: the caller decides)."""

    directory: str


@dataclass(frozen=True)
class FitSpec:
    """``[fit]``: which models to fit to which choice data (``sccgames fit``, docs/model.md §7).

    The fit's seed is the file's ``seed``. Each default below says why it is the default.

    Attributes
    ----------
    models : tuple of sccgames.inference.compare.Model
        The models to fit, always in the order of :data:`sccgames.inference.compare.MODELS`.
        Default: both, since a fit is a comparison (the likelihood-ratio and Vuong tests and
        the log-loss gap need both).
    starts : int
        Random starts per model, >= 1. Default :data:`~sccgames.experiments._schema.FIT_STARTS`, the
        default of :func:`sccgames.inference.compare.fit` (5), so that a file and a call fit alike.
        The motive model also starts once from the rational estimates (motive terms 0), so
        that its maximum is never below the nested model's. Not used with a published
        dataset, whose transfer test has its own grid of starts.
    train_rounds : int or None
        Fit on the rounds before this one and predict the others: out-of-sample regime
        transfer, scored by log loss and Brier score. Default ``None``: fit every round and
        score nothing out of sample, since where the regime changes is the experiment's
        design and no default round could be right. The training rounds should vary the
        incentive (some fine), or the motive model's β, and so its predictions of a new
        regime, are not identified (:mod:`sccgames.inference.fitting`). Not used with a published
        dataset, whose transfer test has a fixed split.
    data : str
        ``"society"`` (the default, and the only choice for ``kind = "society"``): the
        choices of the file's own society, from
        :func:`~sccgames.inference.compare.choices_from_society`. With ``kind = "fit"``: the name of
        a published dataset (``"gneezy_rustichini_2000"``, fitted by
        :func:`sccgames.inference.published.transfer_test`) or the path of a ``.csv`` file of choice
        data with the columns :func:`~sccgames.inference.compare.choices_from_society` makes
        (``subject``, ``round``, ``cooperated`` and the history counts are required; missing context
        columns take :class:`~sccgames.model.decision.Context`'s defaults). A relative path is taken
        from the working directory, as ``[output] directory`` is.
    payoffs : Component or None
        For a ``.csv`` file: the game the choices were made in (a 2×2 game or the lost
        wallet, written as ``society.game`` is). Required unless the file gives every row's
        game in the payoff columns (:data:`sccgames.inference.likelihood.PAYOFF_COLUMNS`);
        rows whose payoff cells are empty take it. Not allowed when every row has its own
        (it would not be used), nor for other data (the society's game or the dataset's own
        model gives them).
    bootstrap : int
        Replicates of the percentile interval of the out-of-sample log-loss gap (best rational
        rival − motive): subjects resampled whole, every model refitted on each replicate (for a
        published dataset, its transfer test's stratified resampling of centres). Default 0
        (no interval): every replicate refits every model, which should cost time only when
        asked for. With choice data it needs ``train_rounds``, the motive model and a
        rational one.
    lr_draws : int
        Parametric-bootstrap draws of the likelihood-ratio test's null distribution
        (:func:`sccgames.inference.compare.likelihood_ratio_test`). Default
        :data:`~sccgames.experiments._schema.LR_DRAWS`, the function's own (99, p-values on a grid
        of 0.01); 0 refers the statistic to χ², which is conservative here.
    columns : dict of str to str
        For a ``.csv`` file: what its other columns are, ``{file's name: choice-data
        column}`` (a name of :data:`sccgames.inference.likelihood.CHOICE_COLUMNS`, e.g.
        ``{money = "stakes"}``), or ``"ignore"`` for a column that is deliberately not used.
        Every column of the file must be a choice-data column or named here, so that no
        column is silently left out of the fit. Default: none (the file uses the choice
        data's own names).

    """

    models: tuple[Model, ...]
    starts: int
    train_rounds: int | None
    data: str
    payoffs: Component | None
    bootstrap: int
    lr_draws: int
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def published(self) -> bool:
        """Whether :attr:`data` names a published dataset (fitted by its transfer test)."""
        return self.data in PUBLISHED

    @property
    def from_file(self) -> bool:
        """Whether :attr:`data` is a file of choice data."""
        return self.data.lower().endswith(CHOICE_FILE_SUFFIX)


@dataclass(frozen=True, eq=False)
class Experiment:
    """A checked experiment: its sections as specs and the resolved config as ``raw``.

    Attributes
    ----------
    kind : {"tournament", "society", "fit"}
    name : str
    seed : int
    tournament, society : spec or None
        The section named by ``kind``; the other is ``None`` (both for ``kind = "fit"``).
    fit : FitSpec or None
        What ``sccgames fit`` fits: required for ``kind = "fit"``, optional for a society,
        not allowed for a tournament.
    sweep : SweepSpec or None
    execution : ExecutionSpec
    output : OutputSpec
    raw : dict
        The config with every default filled in, plain JSON-serializable data.
    source : str
        Where it came from (a file name or ``"<config>"``), for error messages.

    """

    kind: str
    name: str
    seed: int
    tournament: TournamentSpec | None
    society: SocietySpec | None
    fit: FitSpec | None
    sweep: SweepSpec | None
    execution: ExecutionSpec
    output: OutputSpec
    raw: dict[str, Any]
    source: str = "<config>"

    def to_dict(self) -> dict[str, Any]:
        """A deep copy of :attr:`raw`."""
        return copy.deepcopy(self.raw)

    def digest(self) -> str:
        """SHA-256 of :attr:`raw` as canonical JSON (sorted keys), for manifests."""
        text = json.dumps(self.raw, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def build(self) -> Tournament | Society:
        """The API object this experiment describes, seeded with :attr:`seed`.

        Raises
        ------
        ConfigError
            Wrapping the API's own ``ValueError`` with the key path; for ``kind = "fit"``,
            which describes no tournament or society.

        """
        if self.kind == "fit":
            raise ConfigError(
                "kind = 'fit' describes no tournament or society to build or run; "
                "fit it with 'sccgames fit'",
                "kind",
                self.source,
            )
        try:
            if self.tournament is not None:
                return _build_tournament(self)
            assert self.society is not None
            return _build_society(self)
        except ConfigError as exc:
            raise exc.located(self.source) from None


# ----------------------------------------------------------------------------- parsing
def parse(data: dict[str, Any], source: str = "<config>") -> Experiment:
    """Check a config tree and fill its defaults (without building any API object).

    Parameters
    ----------
    data : dict
        The tree as ``tomllib`` or ``yaml.safe_load`` give it.
    source : str, default "<config>"
        Named in error messages; a file's stem is the default ``name``.

    Returns
    -------
    Experiment

    Raises
    ------
    ConfigError
        For anything that does not fit the schema, naming the key path.

    """
    try:
        try:
            limits.check_tree(data)
        except limits.LimitError as exc:
            raise ConfigError(exc.message, exc.path) from None
        raw = _EXPERIMENT.check(data, "")
        kind = raw["kind"]
        for section in KINDS:
            if section == kind and raw[section] is None:
                raise ConfigError(f"missing required section for kind = {kind!r}", section)
            if section not in KIND_SECTIONS[kind] and raw[section] is not None:
                fits = [k for k, sections in KIND_SECTIONS.items() if section in sections]
                only = " or ".join(map(repr, fits))
                hint = "" if section == fits[0] else f" (only with kind = {only})"
                raise ConfigError(f"not allowed when kind = {kind!r}{hint}", section)
        try:  # a run name: runs/<name> is a folder inside runs/
            raw["name"] = run_name(raw["name"], None if source == "<config>" else Path(source).stem)
        except ValueError as error:
            raise ConfigError(str(error), "name") from None
        experiment = _specs(raw, source)
        _check_structure(experiment)
        _check_sweep(experiment)
        _check_memory(experiment)
        return experiment
    except ConfigError as exc:
        raise exc.located(source) from None


def _specs(raw: dict[str, Any], source: str) -> Experiment:
    society = tournament = sweep = None
    if (s := raw["society"]) is not None:
        starts = [p["start"] for p in s["schedule"] or []]
        for k, start in enumerate(starts):
            if start in starts[:k]:
                raise ConfigError(
                    f"round {start} starts two phases", f"society.schedule[{k}].start"
                )
        p = s["population"]
        population = PopulationSpec(
            p["size"],
            p["shares"],
            p["communities"],
            p["fehr_schmidt"],
            {k: Component.of(v) for k, v in p["distributions"].items()},
        )
        society = SocietySpec(
            rounds=s["rounds"],
            game=Component.of(s["game"]),
            domains=s["domains"],
            matching=Component.of(s["matching"]),
            dtype=s["dtype"],
            imitation=s["imitation"],
            word_of_mouth=s["word_of_mouth"],
            population=population,
            regime=None if s["regime"] is None else Component.of(s["regime"]),
            schedule=None
            if s["schedule"] is None
            else tuple(PhaseSpec(q["start"], Component.of(q["regime"])) for q in s["schedule"]),
        )
    if (t := raw["tournament"]) is not None:
        tournament = TournamentSpec(
            players=tuple(t["players"]),
            turns=t["turns"],
            repetitions=t["repetitions"],
            noise=t["noise"],
            game=Component.of(t["game"]),
            domains=t["domains"],
            regime=None if t["regime"] is None else Component.of(t["regime"]),
        )
    if (w := raw["sweep"]) is not None:
        points = None if w["points"] is None else tuple(w["points"])
        sweep = SweepSpec(w["repetitions"], w["grid"], points)
    return Experiment(
        kind=raw["kind"],
        name=raw["name"],
        seed=raw["seed"],
        tournament=tournament,
        society=society,
        fit=_fit_spec(raw),
        sweep=sweep,
        execution=ExecutionSpec(**raw["execution"]),
        output=OutputSpec(**raw["output"]),
        raw=raw,
        source=source,
    )


def _fit_spec(raw: dict[str, Any]) -> FitSpec | None:
    """The ``[fit]`` section as a spec, with the checks that tie it to the rest of the file."""
    f = raw["fit"]
    if f is None:
        return None
    if raw["sweep"] is not None:
        raise ConfigError(
            "not allowed together with [fit] (a fit is of one set of choices)", "sweep"
        )
    spec = FitSpec(
        models=tuple(m for m in MODELS if m.value in f["models"]),
        starts=f["starts"],
        train_rounds=f["train_rounds"],
        data=f["data"],
        payoffs=None if f["payoffs"] is None else Component.of(f["payoffs"]),
        bootstrap=f["bootstrap"],
        lr_draws=f["lr_draws"],
        columns=dict(f["columns"]),
    )
    own = spec.data == OWN_SOCIETY
    if raw["kind"] == "society" and not own:
        raise ConfigError(
            f"a society experiment fits its own choices (data = {OWN_SOCIETY!r}); "
            f"to fit {spec.data!r} use kind = 'fit'",
            "fit.data",
        )
    if raw["kind"] == "fit" and own:
        names = ", ".join(map(repr, PUBLISHED))
        raise ConfigError(
            f"kind = 'fit' has no society to fit; name a published dataset ({names}) or a "
            f"{CHOICE_FILE_SUFFIX} file of choice data (or use kind = 'society')",
            "fit.data",
        )
    if spec.published:
        if spec.train_rounds is not None:
            raise ConfigError(
                f"not used with data = {spec.data!r} (its transfer test has a fixed split)",
                "fit.train_rounds",
            )
        if spec.models != MODELS:
            raise ConfigError(
                f"data = {spec.data!r} is a comparison of every model; expected "
                f"{[m.value for m in MODELS]} (the default), got {f['models']}",
                "fit.models",
            )
    if not spec.from_file and spec.columns:
        raise ConfigError(
            f"only for data from a {CHOICE_FILE_SUFFIX} file (the society's or the dataset's "
            "columns are the choice data's own)",
            "fit.columns",
        )
    if not spec.from_file and spec.payoffs is not None:
        raise ConfigError(
            f"only for data from a {CHOICE_FILE_SUFFIX} file (the society's game or the "
            "dataset's model gives the payoffs)",
            "fit.payoffs",
        )
    if raw["society"] is not None and (game := Component.of(raw["society"]["game"])).kind not in (
        TWO_BY_TWO
    ):
        raise ConfigError(
            f"a [fit] needs choices in a symmetric pairwise game ({', '.join(TWO_BY_TWO)}), "
            f"got {game.kind!r}",
            "society.game",
        )
    rounds = raw["society"]["rounds"] if raw["society"] is not None else None
    if rounds is not None and spec.train_rounds is not None and spec.train_rounds >= rounds:
        raise ConfigError(
            f"expected a round in 1..{rounds - 1} (society.rounds = {rounds}), so that some "
            f"rounds are left to predict, got {spec.train_rounds}",
            "fit.train_rounds",
        )
    if spec.bootstrap and not spec.published:
        if spec.train_rounds is None:
            raise ConfigError(
                "needs fit.train_rounds (it bootstraps the out-of-sample log-loss gap)",
                "fit.bootstrap",
            )
        if Model.MOTIVE not in spec.models or not any(m in spec.models for m in RIVALS):
            raise ConfigError(
                "needs the motive model and a rational one (it bootstraps the log-loss gap "
                "between the motive model and the best rational rival)",
                "fit.bootstrap",
            )
    return spec


def _check_structure(experiment: Experiment) -> None:
    """What the sizes of a society allow, checked before anything is built or written.

    Every schedule phase starts within the rounds, groups are no larger than the society and
    communities no more than its citizens.
    """
    spec = experiment.society
    if spec is None:
        return
    size = spec.population.size
    if spec.schedule is not None:
        starts = [p.start for p in spec.schedule]
        if 0 not in starts:
            raise ConfigError(
                f"Schedule must say what holds from round 0; phases start at {sorted(starts)}",
                "society.schedule",
            )
        for k, start in enumerate(starts):
            if start >= spec.rounds:
                raise ConfigError(
                    f"round {start} is after the last round ({spec.rounds - 1}) of "
                    f"society.rounds = {spec.rounds}; this phase would never be in force",
                    f"society.schedule[{k}].start",
                )
    game = _game(spec.game, "society.game")
    if getattr(game, "group_size", 2) > size:
        raise ConfigError(
            f"groups of {game.group_size} cannot form in a society of {size} citizens; "
            "expected at most society.population.size",
            "society.game.group_size",
        )
    if spec.population.communities > size:
        raise ConfigError(
            f"expected at most society.population.size ({size}) communities, so that none is "
            f"empty, got {spec.population.communities}",
            "society.population.communities",
        )


def _check_memory(experiment: Experiment) -> None:
    """Refuse, before it starts, a run that will not fit in this machine's memory.

    A sweep runs up to ``[execution] processes`` points at once, each as large as the file's
    own (a swept size is checked at its own point by :func:`validate`).
    """
    raw = experiment.raw
    at_once = 1
    if experiment.sweep is not None:
        runs = limits.sweep_size(
            experiment.sweep.grid, list(experiment.sweep.points or []), experiment.sweep.repetitions
        )
        at_once = max(1, min(experiment.execution.processes, runs))
    section = experiment.kind if experiment.kind in ("society", "tournament") else ""
    try:
        limits.check_memory(raw, at_once)
    except limits.MemoryLimitError as exc:
        raise ConfigError(str(exc), section) from None


def _sweep_size(sweep: SweepSpec) -> None:
    """Refuse a sweep of more than :data:`~.limits.MAX_SWEEP_POINTS` runs, unexpanded."""
    runs = limits.sweep_size(sweep.grid, list(sweep.points or []), sweep.repetitions)
    if runs > limits.MAX_SWEEP_POINTS:
        shape = (
            " × ".join(str(len(v)) for v in sweep.grid.values())
            if sweep.grid is not None
            else f"{len(sweep.points or [])} points"
        )
        raise ConfigError(
            f"{shape} × {sweep.repetitions} repetitions is {runs} runs; a sweep has at most "
            f"{limits.MAX_SWEEP_POINTS}",
            "sweep",
        )


def _check_sweep(experiment: Experiment) -> None:
    """The sweep is small enough, every swept path exists and every swept value parses there."""
    sweep = experiment.sweep
    if sweep is None:
        return
    _sweep_size(sweep)
    base = {k: v for k, v in experiment.raw.items() if k != "sweep"}
    if sweep.grid is not None:
        cells = [
            ("sweep.grid", key, k, v) for key, vs in sweep.grid.items() for k, v in enumerate(vs)
        ]
    else:
        points = sweep.points or ()
        cells = [
            ("sweep.points", key, k, v) for k, pt in enumerate(points) for key, v in pt.items()
        ]
    for where, key, k, value in cells:
        path = join(join(where, k), key) if where == "sweep.points" else join(join(where, key), k)
        try:
            _EXPERIMENT.check(with_overrides(base, {key: value}), "")
        except ConfigError as exc:
            raise ConfigError(": ".join(filter(None, (exc.path, exc.message))), path) from None


# ----------------------------------------------------------------------------- files
class _YAMLLimitError(yaml.YAMLError):
    """A YAML file beyond a limit (nesting or duplicate keys), with where it happened."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem)
        self.problem, self.problem_mark = problem, mark


class SafeLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses duplicate keys and nesting beyond the limit.

    Composing a node recurses once per level: deeper than
    :data:`sccgames.limits.MAX_DEPTH` is refused before Python's recursion limit is
    near. A key given twice in one mapping is an error, as in TOML (PyYAML would keep the last).
    Aliases are not expanded here (they share one object);
    :func:`sccgames.limits.check_tree` counts each use of one.
    """

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self._depth >= limits.MAX_DEPTH:
            raise _YAMLLimitError(
                f"tables and lists nested more than {limits.MAX_DEPTH} levels deep",
                self.peek_event().start_mark,
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=deep)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:  # an unhashable key: the base class says so
                    continue
                if duplicate:
                    raise _YAMLLimitError(
                        f"key {limits.shorten(repr(key), 40)} is given twice",
                        key_node.start_mark,
                    )
        return super().construct_mapping(node, deep=deep)


def _read(path: Path, source: str) -> str:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ConfigError(f"no such file: {str(path)!r}", "", source) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the file: {exc}", "", source) from None
    if size > limits.MAX_FILE_BYTES:
        raise ConfigError(
            f"the file has {size} bytes; experiment files have at most {limits.MAX_FILE_BYTES}",
            "",
            source,
        )
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"no such file: {str(path)!r}", "", source) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the file: {exc}", "", source) from None


def load(path: str | os.PathLike[str]) -> Experiment:
    """Read and :func:`parse` a ``.toml``, ``.yaml`` or ``.yml`` experiment file.

    Raises
    ------
    ConfigError
        For another suffix, a missing or unreadable file, a syntax error (with its line
        and column when the parser gives them) or a config that does not fit the schema.

    """
    path = Path(path)
    source = path.name
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".yaml", ".yml"):
        raise ConfigError(
            f"unknown file type {suffix!r}; expected .toml, .yaml or .yml", "", source
        )
    text = _read(path, source)
    try:
        data = tomllib.loads(text) if suffix == ".toml" else yaml.load(text, Loader=SafeLoader)
    except RecursionError:  # tomllib recurses once per level of nesting
        raise ConfigError(
            f"tables and lists nested more than {limits.MAX_DEPTH} levels deep", "", source
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"TOML syntax error: {exc}", "", source) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        kind = "YAML" if isinstance(exc, _YAMLLimitError) else "YAML syntax error"
        raise ConfigError(f"{kind}{where}: {problem}", "", source) from None
    if not isinstance(data, dict):
        raise ConfigError(
            f"expected a table at the top level, got {type(data).__name__}", "", source
        )
    return parse(data, source)


def validate(
    config: Experiment | dict[str, Any] | str | os.PathLike[str], source: str = "<config>"
) -> Experiment:
    """:func:`parse` (or :func:`load`) and build the API objects, for every sweep point.

    A ``[fit]`` section's data are checked too (a ``.csv`` file is read).

    Parameters
    ----------
    config : Experiment, dict or path
        A parsed experiment, a config tree, or a file to :func:`load`.
    source : str, default "<config>"
        Named in error messages for a tree.

    Returns
    -------
    Experiment

    Raises
    ------
    ConfigError
        For a config that does not fit the schema or that the API rejects.

    """
    if isinstance(config, Experiment):
        experiment = config
    else:
        experiment = parse(config, source) if isinstance(config, dict) else load(config)
    if experiment.kind != "fit":
        experiment.build()
    if experiment.fit is not None:
        check_fit_data(experiment)
    for overrides, repetition in sweep_points(experiment):
        if overrides and repetition == 0:
            label = ", ".join(f"{k} = {v!r}" for k, v in overrides.items())
            try:
                parse(with_overrides(experiment.raw, overrides), experiment.source).build()
            except ConfigError as exc:
                message = f"at sweep point ({label}): {exc.message}"
                raise ConfigError(message, exc.path, experiment.source) from None
    return experiment


# ----------------------------------------------------------------------------- sweeps
def _walk(tree: Any, path: str) -> tuple[dict[str, Any], str]:
    """The table holding the last key of a dotted ``path``, and that key."""
    parts, node, i = path.split("."), tree, 0
    while True:
        if not isinstance(node, dict):
            raise ConfigError("unknown key path (it leads into a value that is not a table)", path)
        for j in range(len(parts), i, -1):  # longest key first: keys may hold dots
            key = ".".join(parts[i:j])
            if key in node:
                if j == len(parts):
                    return node, key
                node, i = node[key], j
                break
        else:
            close = [k for k in node if isinstance(k, str)]
            raise ConfigError(f"unknown key path; {parts[i]!r} is not one of {close}", path)


def with_overrides(experiment_dict: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """A copy of a config tree with dotted key paths set to new values.

    Parameters
    ----------
    experiment_dict : dict
        A config tree, usually :attr:`Experiment.raw` (where every key exists).
    overrides : dict
        Dotted key path (``"society.regime.fine"``) to value.

    Raises
    ------
    ConfigError
        For a path that does not exist in the tree.

    """
    out = copy.deepcopy(experiment_dict)
    for path, value in overrides.items():
        table, key = _walk(out, path)
        table[key] = copy.deepcopy(value)
    return out


def sweep_points(experiment: Experiment) -> list[tuple[dict[str, Any], int]]:
    """Every (overrides, repetition) the sweep asks for, in a stable order.

    A grid is expanded as a cartesian product in the order its keys are given, the last
    key varying fastest; points come in their order. Each point is repeated
    ``sweep.repetitions`` times (repetition 0, 1, ...). Without a sweep: ``[({}, 0)]``.
    """
    sweep = experiment.sweep
    if sweep is None:
        return [({}, 0)]
    _sweep_size(sweep)  # (an Experiment built by hand skips parse's check)
    if sweep.grid is not None:
        keys = list(sweep.grid)
        points = [
            dict(zip(keys, combo, strict=True)) for combo in itertools.product(*sweep.grid.values())
        ]
    else:
        points = [dict(p) for p in sweep.points or [{}]]
    return [(copy.deepcopy(p), r) for p in points for r in range(sweep.repetitions)]


# ----------------------------------------------------------------------------- building
@contextmanager
def _at(path: str, keys: list[str] | tuple[str, ...] = ()) -> Iterator[None]:
    """Turn the API's errors inside the block into :class:`ConfigError` at ``path``.

    When the message starts with ``Class.key``, ``key`` or the singular of ``key`` for one
    of ``keys``, the key is added to the path.
    """
    try:
        yield
    except ConfigError:
        raise
    except (ValueError, TypeError, ArithmeticError) as exc:
        message = str(exc)
        words = re.match(r"([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*))?", message)
        named = [] if words is None else [words.group(2), words.group(1), f"{words.group(1)}s"]
        key = next((k for k in named if k in keys), None)
        path = path if key is None else join(path, key)
        raise ConfigError(message, path) from None


def _regime(spec: Component | None, path: str) -> Any:
    if spec is None:
        return None
    with _at(path, [*spec.params, "parts"]):
        if spec.kind == "none":
            return NoRegime()
        if spec.kind == "combined":
            return Combined(
                *(_regime(p, join(join(path, "parts"), k)) for k, p in enumerate(spec.parts))
            )
        return REGIMES[spec.kind](**spec.params)


def _game(spec: Component, path: str) -> Any:
    with _at(path, list(spec.params)):
        return GAME_NAMES[spec.kind](**spec.params)


def _distribution(spec: Component, path: str) -> Any:
    with _at(path, list(spec.params)):
        if spec.kind == "discrete":
            return Discrete(**spec.params)
        frozen = getattr(scipy.stats, spec.kind)(**spec.params)
        low, high = frozen.support()
        if low != low or high != high or spec.params["scale"] <= 0:  # NaN: invalid parameters
            raise ValueError(f"invalid parameters for scipy.stats.{spec.kind}: {spec.params}")
        return frozen


def _build_tournament(experiment: Experiment) -> Tournament:
    spec = experiment.tournament
    assert spec is not None
    players = []
    for k, name in enumerate(spec.players):
        with _at(join("tournament.players", k)):
            players.append(resolve_player(name))
    regime = _regime(spec.regime, "tournament.regime")
    game = _game(spec.game, "tournament.game")
    with _at("tournament", ["players", "turns", "repetitions", "noise", "domains", "regime"]):
        return Tournament(
            players,
            turns=spec.turns,
            repetitions=spec.repetitions,
            regime=regime,
            game=game,
            domains=spec.domains,
            noise=spec.noise,
            seed=experiment.seed,
            processes=experiment.execution.processes,
        )


def _build_society(experiment: Experiment) -> Society:
    spec = experiment.society
    assert spec is not None
    pop = spec.population
    path = "society.population"
    distributions = fehr_schmidt() if pop.fehr_schmidt else {}
    for key, dist in pop.distributions.items():
        distributions[key] = _distribution(dist, join(join(path, "distributions"), key))
    for name in pop.shares or {}:
        with _at(join(join(path, "shares"), name)):
            resolve_preset(name)
    with _at(path, ["size", "shares", "communities", "distributions"]):
        population = Population(
            pop.size,
            **({} if pop.shares is None else {"shares": pop.shares}),
            distributions=distributions,
            communities=pop.communities,
        )
    if spec.schedule is not None:
        phases = {
            p.start: _regime(p.regime, f"society.schedule[{k}].regime")
            for k, p in enumerate(spec.schedule)
        }
        with _at("society.schedule"):
            regime = Schedule(phases)
    else:
        regime = _regime(spec.regime, "society.regime")
    with _at("society.matching", list(spec.matching.params)):
        matching = MATCHINGS[spec.matching.kind](**spec.matching.params)
    imitation = None
    if spec.imitation is not None:
        with _at("society.imitation", list(spec.imitation)):
            imitation = Imitation(**spec.imitation)
    word_of_mouth = None
    if spec.word_of_mouth is not None:
        with _at("society.word_of_mouth", list(spec.word_of_mouth)):
            word_of_mouth = WordOfMouth(**spec.word_of_mouth)
    game = _game(spec.game, "society.game")
    with _at("society", ["rounds", "game", "domains", "matching", "dtype", "imitation", "regime"]):
        return Society(
            population,
            rounds=spec.rounds,
            regime=regime,
            game=game,
            domains=spec.domains,
            matching=matching,
            seed=experiment.seed,
            imitation=imitation,
            dtype=spec.dtype,
            word_of_mouth=word_of_mouth,
        )


# ----------------------------------------------------------------------------- fit data
#: Columns a file of choice data must have (context columns may be missing: defaults).
REQUIRED_COLUMNS = ("subject", "round", "cooperated", *HISTORY_COLUMNS)
#: Columns of a file read as numbers (``subject``, ``group`` and ``type`` are names).
NUMERIC_COLUMNS = (
    "round",
    "cooperated",
    "habit",
    *CONTEXT_COLUMNS,
    *HISTORY_COLUMNS,
    *PAYOFF_COLUMNS,
    STAKES_COLUMN,
)


def _payoffs(game: Any) -> tuple[Any, Any]:
    """``(own, other)`` payoffs of a pairwise game as nested tuples, as choice data hold them."""
    own, other = society_game(game).motive_payoffs(None)
    return tuple(tuple(tuple(float(x) for x in row) for row in m) for m in (own, other))


#: The columns of choice data in a few words, for the one line that refuses another column.
_ALLOWED = (
    f"{', '.join(IDENTIFIER_COLUMNS)}, cooperated, habit, {STAKES_COLUMN}, "
    f"{PAYOFF_COLUMNS[0]}..{PAYOFF_COLUMNS[-1]}, context or history columns"
)


def _map_columns(frame: pd.DataFrame, columns: Mapping[str, str], name: str) -> pd.DataFrame:
    """``frame`` with its columns renamed by ``columns`` (``[fit] columns``), ignored ones dropped.

    A column neither mapped nor of :data:`~sccgames.inference.likelihood.CHOICE_COLUMNS` is a
    :class:`ConfigError` naming it and what is allowed.
    """
    for column, target in columns.items():
        where = f"fit.columns.{column}"
        if column not in frame:
            raise ConfigError(f"{name} has no column {column!r} to map", where)
        if target != IGNORE_COLUMN and target in frame:
            raise ConfigError(
                f"{name} has a {target!r} column already; map {column!r} to another column "
                f"or to {IGNORE_COLUMN!r}",
                where,
            )
        twice = [c for c, t in columns.items() if t == target and c != column]
        if target != IGNORE_COLUMN and twice:
            raise ConfigError(f"{target!r} is also the column of {twice[0]!r}", where)
    unknown = [str(c) for c in frame.columns if c not in columns and c not in CHOICE_COLUMNS]
    if unknown:
        # the example maps the first to the nearest choice-data name, else to the stakes
        near = difflib.get_close_matches(unknown[0].lower()[:100], CHOICE_COLUMNS, n=1)
        example = near[0] if near else STAKES_COLUMN
        raise ConfigError(
            f"{name}: unknown column(s) {unknown}; map each in fit.columns (e.g. "
            f'{{{unknown[0]} = "{example}"}}) to {IGNORE_COLUMN!r} or to one of '
            f"{_ALLOWED}",
            "fit.data",
        )
    dropped = [c for c, t in columns.items() if t == IGNORE_COLUMN]
    renamed = {c: t for c, t in columns.items() if t != IGNORE_COLUMN}
    return frame.drop(columns=dropped).rename(columns=renamed)


def read_choices(
    path: str | os.PathLike[str],
    payoffs: Component | None,
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read a ``.csv`` file of choice data for :func:`sccgames.inference.fit`.

    Parameters
    ----------
    path : str or path-like
        Columns as :func:`~sccgames.inference.compare.choices_from_society` makes them:
        :data:`REQUIRED_COLUMNS` (``cooperated`` as true/false or 1/0), and any of the other
        :data:`sccgames.inference.likelihood.CHOICE_COLUMNS`: context columns (missing ones
        take the defaults of :class:`~sccgames.model.decision.Context`), the game of each row
        (:data:`~sccgames.inference.likelihood.PAYOFF_COLUMNS`, all eight or none; a row may
        leave them empty to take ``payoffs``), ``stakes`` (multiplies the row's payoffs),
        ``habit``, and the identifiers ``group`` and ``type``. Any other column must be
        named in ``columns``.
    payoffs : Component or None
        The game the choices were made in (``[fit] payoffs``), for the rows without payoff
        columns; ``None`` if every row gives its own.
    columns : mapping, optional
        ``[fit] columns``: the file's other columns renamed to choice-data columns, or
        dropped where mapped to ``"ignore"``.

    Returns
    -------
    pandas.DataFrame
        With ``attrs["payoffs"]`` set from ``payoffs`` when it is given.

    Raises
    ------
    ConfigError
        At ``fit.data`` for a missing or unreadable file, missing or unknown columns, or
        missing, non-numeric or out-of-range values; at ``fit.columns`` for a mapping that
        does not fit the file; at ``fit.payoffs`` for a game the API rejects, a missing game
        (rows without payoff columns) or an unused one (every row has its own).

    """
    path = Path(path)
    where = "fit.data"
    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise ConfigError(f"no such file: {str(path)!r}", where) from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ConfigError(f"cannot read {str(path)!r}: {exc}", where) from None
    frame = _map_columns(frame, columns or {}, path.name)
    missing = [c for c in REQUIRED_COLUMNS if c not in frame]
    if missing:
        raise ConfigError(
            f"{path.name} has no column(s) {missing}; choice data need {list(REQUIRED_COLUMNS)}",
            where,
        )
    for column in (c for c in NUMERIC_COLUMNS if c in frame):
        values = frame[column]
        if values.dtype == bool:
            values = values.astype(float)
        numbers = pd.to_numeric(values, errors="coerce")
        # an empty payoff cell is allowed (the row takes the [fit] payoffs); text is not
        bad = numbers.isna() & (values.notna() if column in PAYOFF_COLUMNS else True)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ConfigError(
                f"{path.name}: column {column!r} has a missing or non-numeric value in data "
                f"row {row + 1}",
                where,
            )
        frame[column] = numbers.astype(float)
    if frame.empty:
        raise ConfigError(
            f"{path.name} has a header and no rows of choices; expected at least one row",
            where,
        )
    if frame["subject"].isna().any():
        row = int(np.flatnonzero(frame["subject"].isna().to_numpy())[0])
        raise ConfigError(
            f"{path.name}: column 'subject' has a missing value in data row {row + 1}", where
        )
    if not frame["cooperated"].isin([0.0, 1.0]).all():
        raise ConfigError(f"{path.name}: column 'cooperated' must be true/false or 1/0", where)
    if not (frame["round"] == frame["round"].round()).all():
        raise ConfigError(f"{path.name}: column 'round' must hold whole numbers", where)
    _check_ranges(frame, path.name, where)
    frame["cooperated"] = frame["cooperated"].astype(bool)
    frame["round"] = frame["round"].astype(np.int64)
    _game_of_rows(frame, payoffs, path.name)
    return frame


def _game_of_rows(frame: pd.DataFrame, payoffs: Component | None, name: str) -> None:
    """Set ``attrs["payoffs"]`` from ``payoffs`` and check that every row has one game."""
    every = all(c in frame for c in PAYOFF_COLUMNS)
    own_game = every and bool(frame[list(PAYOFF_COLUMNS)].notna().all().all())
    if payoffs is None and not any(c in frame for c in PAYOFF_COLUMNS):
        raise ConfigError(
            f"missing required key: {name} has no payoff columns ({', '.join(PAYOFF_COLUMNS)}) "
            "to give each row's game; name the game the choices were made in, as "
            "society.game is written",
            "fit.payoffs",
        )
    if payoffs is not None and own_game:
        raise ConfigError(
            f"not used: every row of {name} gives its own game in the payoff columns; remove "
            "fit.payoffs, or the columns",
            "fit.payoffs",
        )
    if payoffs is not None:
        frame.attrs["payoffs"] = _payoffs(_game(payoffs, "fit.payoffs"))
    try:
        row_payoffs(frame)
    except ValueError as exc:
        where = "fit.payoffs" if "has no payoffs" in str(exc) else "fit.data"
        message = str(exc).replace('data.attrs["payoffs"]', "fit.payoffs")
        raise ConfigError(f"{name}: {message}", where) from None


def _check_ranges(frame: pd.DataFrame, name: str, where: str) -> None:
    """:func:`~.likelihood.check_choice_columns`, as a :class:`ConfigError` at ``where``."""
    try:
        check_choice_columns(frame)
    except ValueError as exc:
        message = str(exc).replace('data.attrs["payoffs"]', "fit.payoffs")
        raise ConfigError(f"{name}: {message}", where) from None


def _train_rounds_split(data: pd.DataFrame, spec: FitSpec) -> None:
    """Raise at ``fit.train_rounds`` unless rounds fall on both sides of it."""
    k = spec.train_rounds
    if k is None:
        return
    rounds = data["round"]
    if not ((rounds < k).any() and (rounds >= k).any()):
        raise ConfigError(
            f"the data's rounds are {int(rounds.min())}..{int(rounds.max())}; expected rounds "
            f"both before {k} (to fit) and from {k} on (to predict)",
            "fit.train_rounds",
        )


def check_fit_data(experiment: Experiment) -> None:
    """Check a ``[fit]`` section's data without fitting: a ``.csv`` file is read.

    Raises
    ------
    ConfigError
        Naming the file and the key path.

    """
    spec = experiment.fit
    if spec is None or not spec.from_file:
        return
    try:
        _train_rounds_split(read_choices(spec.data, spec.payoffs, spec.columns), spec)
    except ConfigError as exc:
        raise exc.located(experiment.source) from None
