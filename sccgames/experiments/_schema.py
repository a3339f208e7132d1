"""The schema of experiment files: one tree that checks, fills defaults and documents.

Each node checks a plain value (as ``tomllib`` or ``yaml.safe_load`` give it) at a key path,
returns it normalized (tables with their defaults filled in), and describes itself as JSON
Schema (draft 2020-12). :mod:`sccgames.experiments.config` assembles the tree; nothing here
evaluates any value as code.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import enum
import inspect
import math
import re
import reprlib
from collections.abc import Callable, Mapping
from typing import Any

import scipy.stats

from sccgames import limits
from sccgames.engines.society import Imitation, WordOfMouth
from sccgames.inference import compare as inference
from sccgames.inference.datasets import GNEEZY_RUSTICHINI_2000
from sccgames.inference.likelihood import CHOICE_COLUMNS
from sccgames.inference.published import transfer_test
from sccgames.limits import MAX_MAGNITUDE, MAX_MESSAGE, MAX_STRING_LENGTH, shorten
from sccgames.model.population import Discrete
from sccgames.rules.community import CommunityReputation
from sccgames.rules.games import GAME_NAMES, PublicGoods, TrustGame
from sccgames.rules.institutions import PeerPunishment
from sccgames.rules.matching import FixedPartners, RandomMatching
from sccgames.rules.regimes import SocialCredit

REQUIRED: Any = object()  # marks a table entry without a default


class ConfigError(ValueError):
    """An invalid experiment configuration, as one line: file, key path, value, expectation.

    The line is at most :data:`ERROR_LENGTH` characters: a long file name, key path or
    message is shortened (``...``), so that a 1 MB key is never echoed whole.

    Parameters
    ----------
    message : str
        What is wrong and what was expected.
    path : str, optional
        The key path (``society.regime.fine``); empty for the file as a whole.
    source : str, optional
        The file (or another label) the configuration came from.

    """

    def __init__(self, message: str, path: str = "", source: str = "") -> None:
        source, path = shorten(" ".join(str(source).split()), 60), shorten(path, 80)
        room = ERROR_LENGTH - len(source) - len(path) - 4
        self.message = shorten(" ".join(str(message).split()), room)
        self.path, self.source = path, source
        super().__init__(": ".join(p for p in (source, path, self.message) if p))

    def located(self, source: str) -> ConfigError:
        """The same error, attributed to ``source``."""
        return ConfigError(self.message, self.path, source)


#: Longest :class:`ConfigError` line: :data:`sccgames.limits.MAX_MESSAGE` less room for
#: the command's prefix (``sccgames validate: ``).
ERROR_LENGTH = MAX_MESSAGE - 40


def join(path: str, key: Any) -> str:
    """``path`` extended by a table key (quoted when it holds a dot) or a list index."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if isinstance(key, str) and key.replace("_", "a").isalnum() and len(key) <= 40:
        return f"{path}.{key}" if path else key
    return f"{path}[{shorten(repr(key), 40)}]"


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxdict, _REPR.maxlist, _REPR.maxtuple = 2, 4, 4, 4
_REPR.maxstring, _REPR.maxlong, _REPR.maxother = 50, 50, 50


def _got(value: Any) -> str:
    """A short repr of ``value``: bounded time and length however large the value is."""
    return shorten(_REPR.repr(value), 60)


class Node:
    """A schema node: ``check`` a value at a path, and describe it as JSON Schema."""

    expected = "a value"

    def accepts(self, value: Any) -> bool:
        """Whether ``value`` has this node's type (its content may still be wrong)."""
        return True

    def check(self, value: Any, path: str) -> Any:
        """``value`` normalized; :class:`ConfigError` at ``path`` if it does not fit."""
        if not self.accepts(value):
            raise ConfigError(f"expected {self.expected}, got {_got(value)}", path)
        return value

    def schema(self) -> dict[str, Any]:
        """Describe the node as JSON Schema."""
        return {}


class Int(Node):
    """A whole number (never a bool) in ``[low, high]``.

    ``high`` defaults to :data:`INT_MAX`; the limits of :mod:`sccgames.limits` set it
    lower.
    """

    def __init__(self, low: int | None = None, high: int | None = None) -> None:
        self.low, self.high = low, INT_MAX if high is None else high
        if high is None:
            self.expected = "a whole number" + ("" if low is None else f" >= {low}")
        else:
            self.expected = f"a whole number in [{low}, {high}]"

    def accepts(self, value: Any) -> bool:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return ok and (self.low is None or value >= self.low) and value <= self.high

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "integer", "maximum": self.high}
        return out | ({} if self.low is None else {"minimum": self.low})


#: The largest whole number a file may give anywhere (numpy's int64), unless a limit of
#: :mod:`sccgames.limits` is lower.
INT_MAX = 2**63 - 1


class Num(Node):
    """A finite number, int or float (never a bool), within ±:data:`MAX_MAGNITUDE`.

    The bound is the float32 range check of :mod:`sccgames._validation`, stated in the file's
    own terms.
    """

    expected = "a number"

    def accepts(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return abs(value) <= MAX_MAGNITUDE  # (False for NaN; an int never overflows here)

    def check(self, value: Any, path: str) -> Any:
        finite = (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and math.isfinite(value)
        )
        if finite and not self.accepts(value):
            raise ConfigError(
                f"expected a number in [-{MAX_MAGNITUDE:g}, {MAX_MAGNITUDE:g}] (so that "
                f"float32 states hold it), got {_got(value)}",
                path,
            )
        return super().check(value, path)

    def schema(self) -> dict[str, Any]:
        return {"type": "number", "minimum": -MAX_MAGNITUDE, "maximum": MAX_MAGNITUDE}


class Bool(Node):
    """``true`` or ``false``."""

    expected = "true or false"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, bool)

    def schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


class Str(Node):
    """A string of at most :data:`MAX_STRING_LENGTH` characters, optionally one of ``choices``."""

    def __init__(self, choices: list[str] | None = None) -> None:
        self.choices = choices
        self.expected = "a string" if choices is None else "one of " + ", ".join(map(repr, choices))

    def accepts(self, value: Any) -> bool:
        if not isinstance(value, str) or len(value) > MAX_STRING_LENGTH:
            return False
        return self.choices is None or value in self.choices

    def check(self, value: Any, path: str) -> Any:
        if isinstance(value, str) and self.choices is not None and value not in self.choices:
            close = difflib.get_close_matches(value[:100], self.choices, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ConfigError(
                f"unknown value {_got(value)}; {hint}(expected {self.expected})", path
            )
        return super().check(value, path)

    def schema(self) -> dict[str, Any]:
        out = {"type": "string", "maxLength": MAX_STRING_LENGTH}
        return out | ({} if self.choices is None else {"enum": self.choices})


class Scalar(Node):
    """Any string, number or boolean, or a list or table of them (sweep values)."""

    expected = "a string, number, boolean, list or table"

    def accepts(self, value: Any) -> bool:
        if isinstance(value, list):
            return all(self.accepts(v) for v in value)
        if isinstance(value, dict):
            return all(isinstance(k, str) and self.accepts(v) for k, v in value.items())
        if isinstance(value, str):
            return len(value) <= MAX_STRING_LENGTH
        if isinstance(value, bool | int):
            return isinstance(value, bool) or abs(value) <= INT_MAX
        return isinstance(value, float) and math.isfinite(value)


class ListOf(Node):
    """A list of ``item``, at least ``min_items`` long (without repeats if ``unique``)."""

    def __init__(self, item: Node, min_items: int = 0, unique: bool = False) -> None:
        self.item, self.min_items, self.unique = item, min_items, unique
        self.expected = f"a list of at least {min_items}" if min_items else "a list"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, list)

    def check(self, value: Any, path: str) -> Any:
        if not isinstance(value, list) or len(value) < self.min_items:
            raise ConfigError(f"expected {self.expected}, got {_got(value)}", path)
        out = [self.item.check(v, join(path, k)) for k, v in enumerate(value)]
        for k, v in enumerate(out):
            if self.unique and v in out[:k]:
                raise ConfigError(f"{_got(v)} is given twice", join(path, k))
        return out

    def schema(self) -> dict[str, Any]:
        out = {"type": "array", "items": self.item.schema(), "minItems": self.min_items}
        return out | ({"uniqueItems": True} if self.unique else {})


class DataSource(Node):
    """One of ``names``, or the path of a file whose name ends in ``suffix``."""

    def __init__(self, names: list[str], suffix: str) -> None:
        self.names, self.suffix = names, suffix
        self.expected = f"one of {', '.join(map(repr, names))} or a path ending in {suffix}"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str) and (
            value in self.names or value.lower().endswith(self.suffix)
        )

    def check(self, value: Any, path: str) -> Any:
        if isinstance(value, str) and not self.accepts(value):
            close = difflib.get_close_matches(value[:100], self.names, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ConfigError(
                f"unknown value {_got(value)}; {hint}(expected {self.expected})", path
            )
        return super().check(value, path)

    def schema(self) -> dict[str, Any]:
        # JSON Schema patterns have no flags: spell the suffix in either case letter by letter
        pattern = "".join(
            f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in self.suffix
        )
        return {
            "anyOf": [
                {"type": "string", "enum": self.names},
                {"type": "string", "pattern": pattern + "$"},
            ]
        }


class MapOf(Node):
    """A table of string keys to ``item``."""

    def __init__(self, item: Node) -> None:
        self.item = item
        self.expected = "a table"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, dict)

    def check(self, value: Any, path: str) -> Any:
        super().check(value, path)
        for key in value:
            if not isinstance(key, str):
                raise ConfigError(f"keys must be strings, got {_got(key)}", path)
        return {k: self.item.check(v, join(path, k)) for k, v in value.items()}

    def schema(self) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": self.item.schema()}


class Union(Node):
    """The first of ``nodes`` whose type the value has."""

    def __init__(self, *nodes: Node) -> None:
        self.nodes = nodes
        self.expected = " or ".join(n.expected for n in nodes)

    def accepts(self, value: Any) -> bool:
        return any(n.accepts(value) for n in self.nodes)

    def check(self, value: Any, path: str) -> Any:
        for node in self.nodes:
            if node.accepts(value):
                return node.check(value, path)
        return super().check(value, path)

    def schema(self) -> dict[str, Any]:
        return {"anyOf": [n.schema() for n in self.nodes]}


class PerCommunity(Node):
    """One ``item`` for everyone, or a list of them, one per community.

    A value that is not a list is checked as the one ``item`` (with its own message).
    """

    def __init__(self, item: Node) -> None:
        self.item, self.each = item, ListOf(item, 1)
        self.expected = f"{item.expected}, or a list of them (one per community)"

    def accepts(self, value: Any) -> bool:
        return self.each.accepts(value) or self.item.accepts(value)

    def check(self, value: Any, path: str) -> Any:
        if isinstance(value, list):
            return self.each.check(value, path)
        return self.item.check(value, path)

    def schema(self) -> dict[str, Any]:
        return {"anyOf": [*_alternatives(self.item.schema()), self.each.schema()]}


def _alternatives(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """A schema's alternatives (its ``anyOf``), or the schema as the one alternative."""
    return list(schema["anyOf"]) if set(schema) == {"anyOf"} else [schema]


class Table(Node):
    """A table with known keys: ``{key: (node, default)}`` (``REQUIRED``: no default).

    ``exclusive`` lists pairs of keys that may not both be given.
    """

    expected = "a table"

    def __init__(
        self, entries: Mapping[str, tuple[Node, Any]], exclusive: tuple[tuple[str, str], ...] = ()
    ) -> None:
        self.entries, self.exclusive = dict(entries), exclusive

    def accepts(self, value: Any) -> bool:
        return isinstance(value, dict)

    def check(self, value: Any, path: str) -> Any:
        super().check(value, path)
        allowed = list(self.entries)
        for key in value:
            if key not in self.entries:
                close = difflib.get_close_matches(str(key)[:100], allowed, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                names = ", ".join(allowed) or "none"
                raise ConfigError(f"unknown key{hint} (allowed: {names})", join(path, str(key)))
        for a, b in self.exclusive:
            if value.get(a) is not None and value.get(b) is not None:
                raise ConfigError(f"give either {a!r} or {b!r}, not both", join(path, b))
        out = {}
        for key, (node, default) in self.entries.items():
            if key in value and value[key] is not None:
                out[key] = node.check(value[key], join(path, key))
            elif default is REQUIRED:
                raise ConfigError(
                    f"missing required key (expected {node.expected})", join(path, key)
                )
            else:
                fill = copy.deepcopy(default)
                out[key] = None if fill is None else node.check(fill, join(path, key))
        return out

    def schema(self) -> dict[str, Any]:
        props = {}
        for key, (node, default) in self.entries.items():
            props[key] = node.schema()
            if default is not REQUIRED and default is not None:
                props[key]["default"] = copy.deepcopy(default)
        out: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
        required = [k for k, (_, d) in self.entries.items() if d is REQUIRED]
        if required:
            out["required"] = required
        if self.exclusive:
            out["allOf"] = [{"not": {"required": list(pair)}} for pair in self.exclusive]
        return out


class Tagged(Node):
    """A table picked by its ``kind`` from ``variants``, or one of the bare ``names``."""

    def __init__(self, variants: Mapping[str, Table], names: tuple[str, ...] = ()) -> None:
        self.variants, self.names = dict(variants), names
        kinds = ", ".join(map(repr, self.variants))
        self.expected = (f"one of {', '.join(map(repr, names))} or " if names else "") + (
            f"a table with kind = {kinds}"
        )

    def accepts(self, value: Any) -> bool:
        return isinstance(value, dict) or (isinstance(value, str) and bool(self.names))

    def check(self, value: Any, path: str) -> Any:
        if isinstance(value, str) and self.names:
            return Str(list(self.names)).check(value, path)
        super().check(value, path)
        if "kind" not in value:
            raise ConfigError(
                f"missing required key (expected {self.expected})", join(path, "kind")
            )
        kind = Str(list(self.variants)).check(value["kind"], join(path, "kind"))
        rest = {k: v for k, v in value.items() if k != "kind"}
        return {"kind": kind} | self.variants[kind].check(rest, path)

    def schema(self) -> dict[str, Any]:
        options = []
        if self.names:
            options.append({"type": "string", "enum": list(self.names)})
        for kind, table in self.variants.items():
            s = table.schema()
            s["properties"] = {"kind": {"const": kind}} | s["properties"]
            s["required"] = ["kind", *s.get("required", [])]
            options.append(s)
        return {"anyOf": options}


def _node_for(annotation: Any, default: Any) -> tuple[Node, Any]:
    """A node and a plain default from a field's annotation and default value."""
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    if isinstance(default, enum.Enum):
        return Str([m.value for m in type(default)]), default.value
    if text == "bool":
        return Bool(), default
    if text == "int":
        return Int(), default
    if text == "float":
        return Num(), default
    if "Sequence[float | Mapping" in text:  # a coverage: per domain, and per community
        return PerCommunity(Union(Num(), MapOf(Num()))), default
    if text.startswith("float | Sequence[float]"):  # one value, or one per community
        return PerCommunity(Num()), default
    if "Sequence[float]" in text:
        return ListOf(Num(), 1), default
    if "Mapping" in text and "float" in text:
        return Union(Num(), MapOf(Num())), default
    raise TypeError(f"no schema node for annotation {annotation!r}")


def table_of(target: type | Callable[..., Any]) -> Table:
    """The table of keyword arguments of a dataclass (its init fields) or a callable."""
    entries: dict[str, tuple[Node, Any]] = {}
    if dataclasses.is_dataclass(target):
        for f in dataclasses.fields(target):
            if not f.init:
                continue
            if f.default is not dataclasses.MISSING:
                default = f.default
            elif f.default_factory is not dataclasses.MISSING:
                default = f.default_factory()
            else:
                default = REQUIRED
            entries[f.name] = _node_for(f.type, default)
    else:
        for p in inspect.signature(target).parameters.values():
            default = REQUIRED if p.default is inspect.Parameter.empty else p.default
            entries[p.name] = _node_for(p.annotation, default)
    return Table(entries)


# ----------------------------------------------------------------------------- the schema
#: Regime kinds and the classes they build (``combined`` and ``none`` are handled apart).
REGIMES: dict[str, type] = {
    "social_credit": SocialCredit,
    "peer_punishment": PeerPunishment,
    "community_reputation": CommunityReputation,
}
#: Matching kinds and their classes.
MATCHINGS: dict[str, type] = {"random": RandomMatching, "fixed": FixedPartners}
#: Games an axelrod tournament can play (symmetric 2x2).
TWO_BY_TWO = [n for n, g in GAME_NAMES.items() if g not in (TrustGame, PublicGoods)]
#: scipy.stats distributions a file may name; their parameters are the shapes, loc, scale.
DISTRIBUTIONS = ["uniform", "norm", "truncnorm", "beta", "gamma", "lognorm", "expon"]


def _regime_node(kinds: list[str], *, combined: bool) -> Tagged:
    variants = {"none": Table({})} | {k: table_of(REGIMES[k]) for k in kinds}
    if combined:
        part = _regime_node(kinds, combined=False)
        variants["combined"] = Table({"parts": (ListOf(part, 1), REQUIRED)})
    return Tagged(variants, names=tuple(variants.keys() - {"combined"}))


def _game_node(names: list[str]) -> Tagged:
    return Tagged({n: table_of(GAME_NAMES[n]) for n in names}, names=tuple(names))


def _distribution_node() -> Tagged:
    variants = {"discrete": table_of(Discrete)}
    for name in DISTRIBUTIONS:
        shapes = [s.strip() for s in (getattr(scipy.stats, name).shapes or "").split(",") if s]
        entries = {s: (Num(), REQUIRED) for s in shapes}
        variants[name] = Table(entries | {"loc": (Num(), 0.0), "scale": (Num(), 1.0)})
    return Tagged(variants)


_DOMAINS = MapOf(Num())
_POPULATION = Table(
    {
        "size": (Int(2, limits.MAX_SIZE), REQUIRED),
        "shares": (MapOf(Num()), None),  # None: the default population's
        "communities": (Int(1, limits.MAX_COMMUNITIES), 1),
        "fehr_schmidt": (Bool(), False),
        "distributions": (MapOf(_distribution_node()), {}),
    }
)
_REGIME = _regime_node(list(REGIMES), combined=True)
_PHASE = Table({"start": (Int(0), REQUIRED), "regime": (_REGIME, REQUIRED)})
_SOCIETY = Table(
    {
        "rounds": (Int(1, limits.MAX_ROUNDS), REQUIRED),
        "game": (_game_node(list(GAME_NAMES)), "pd"),
        "domains": (_DOMAINS, None),
        "matching": (
            Tagged({k: table_of(c) for k, c in MATCHINGS.items()}, ("random", "fixed")),
            "random",
        ),
        "dtype": (Str(["float32", "float64"]), "float32"),
        "imitation": (table_of(Imitation), None),
        "word_of_mouth": (table_of(WordOfMouth), None),
        "population": (_POPULATION, REQUIRED),
        "regime": (_REGIME, None),
        "schedule": (ListOf(_PHASE, 1), None),
    },
    exclusive=(("regime", "schedule"),),
)
_TOURNAMENT = Table(
    {
        "players": (ListOf(Str(), 2), REQUIRED),
        "turns": (Int(1, limits.MAX_TURNS), 200),
        "repetitions": (Int(1, limits.MAX_REPETITIONS), 10),
        "noise": (Num(), 0.0),
        "game": (_game_node(TWO_BY_TWO), "pd"),
        "domains": (_DOMAINS, None),
        "regime": (_regime_node(["social_credit"], combined=False), None),
    }
)
_SWEEP = Table(
    {
        "repetitions": (Int(1, limits.MAX_SWEEP_POINTS), 1),
        "grid": (MapOf(ListOf(Scalar(), 1)), None),
        "points": (ListOf(MapOf(Scalar()), 1), None),
    },
    exclusive=(("grid", "points"),),
)
_EXECUTION = Table(
    {
        "processes": (Int(1), 1),
        "backend": (Str(["local", "dask"]), "local"),
        "scheduler": (Str(), ""),
    }
)
_OUTPUT = Table({"directory": (Str(), "")})

#: ``[fit] data`` naming the choices of the experiment's own society.
OWN_SOCIETY = "society"
#: Published datasets ``[fit] data`` may name, and the transfer test that fits each.
PUBLISHED: dict[str, Callable[..., Any]] = {GNEEZY_RUSTICHINI_2000.name: transfer_test}
#: ``[fit] data`` ending in this (in any case) is a file of choice data.
CHOICE_FILE_SUFFIX = ".csv"
#: ``[fit] columns`` value that marks a file's column as deliberately not used.
IGNORE_COLUMN = "ignore"
#: ``[fit] columns`` values: a column of choice data or :data:`IGNORE_COLUMN`.
COLUMN_TARGETS = [*CHOICE_COLUMNS, IGNORE_COLUMN]
#: ``[fit] starts``: :func:`sccgames.inference.compare.fit`'s own default, so that a file and a call
#: with no ``starts`` fit alike.
FIT_STARTS: int = inspect.signature(inference.fit).parameters["starts"].default
#: ``[fit] lr_draws``: :func:`sccgames.inference.compare.likelihood_ratio_test`'s own default.
LR_DRAWS: int = inspect.signature(inference.likelihood_ratio_test).parameters["draws"].default
_FIT = Table(
    {
        # both: the point of a fit is to compare them (the tests need both)
        "models": (
            ListOf(Str([m.value for m in inference.MODELS]), 1, unique=True),
            [m.value for m in inference.MODELS],
        ),
        "starts": (Int(1, limits.MAX_FIT_STARTS), FIT_STARTS),
        # none: where the regime changes is the experiment's design, not a default's
        "train_rounds": (Int(1, limits.MAX_ROUNDS), None),
        "data": (DataSource([OWN_SOCIETY, *PUBLISHED], CHOICE_FILE_SUFFIX), OWN_SOCIETY),
        # a file of choices carries no game unless it has the payoff columns; a society and a
        # dataset do
        "payoffs": (_game_node(TWO_BY_TWO), None),
        # none: a file's columns are the choice data's own unless the file says otherwise
        "columns": (MapOf(Str(COLUMN_TARGETS)), {}),
        # none: every replicate refits both models, which costs time only when asked for
        "bootstrap": (Int(0, limits.MAX_FIT_DRAWS), 0),
        # the bootstrap null of the likelihood-ratio test; 0 refers it to χ² (conservative)
        "lr_draws": (Int(0, limits.MAX_FIT_DRAWS), LR_DRAWS),
    }
)
#: The kinds of experiment and the sections each may hold, its own (required) first.
KIND_SECTIONS: dict[str, tuple[str, ...]] = {
    "tournament": ("tournament",),
    "society": ("society", "fit"),
    "fit": ("fit",),
}
KINDS = list(KIND_SECTIONS)
_EXPERIMENT = Table(
    {
        "kind": (Str(KINDS), REQUIRED),
        "name": (Str(), None),
        "seed": (Int(0), 0),
        "tournament": (_TOURNAMENT, None),
        "society": (_SOCIETY, None),
        "fit": (_FIT, None),
        "sweep": (_SWEEP, None),
        "execution": (_EXECUTION, {}),
        "output": (_OUTPUT, {}),
    }
)


def json_schema() -> dict[str, Any]:
    """The experiment file format as JSON Schema (draft 2020-12).

    Returns
    -------
    dict
        JSON-serializable; generated from the same schema tree :func:`parse` checks with.

    """
    schema = _EXPERIMENT.schema()
    schema["allOf"] = []
    for kind, sections in KIND_SECTIONS.items():
        then: dict[str, Any] = {"required": [kind]}
        others = [s for s in KINDS if s not in sections]
        if others:
            then["not"] = {"anyOf": [{"required": [s]} for s in others]}
        schema["allOf"].append({"if": {"properties": {"kind": {"const": kind}}}, "then": then})
    schema["allOf"].append({"if": {"required": ["fit"]}, "then": {"not": {"required": ["sweep"]}}})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "sccgames experiment",
    } | schema
