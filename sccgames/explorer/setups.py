"""A page's setup and the experiment config it stands for, both ways.

Each page of the explorer keeps its inputs in a frozen dataclass (a *setup*) and runs what
``to_config`` makes of it, the config an experiment file holds; loading a file is
``from_config``, which refuses, in one line, a file that sets anything the page cannot show,
so that a loaded page exports the file it loaded (:func:`first_difference`).
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from sccgames.experiments.config import ConfigError, parse
from sccgames.model.agents import motive_strategies

#: The motive presets a page offers, by the class names experiment files use.
PRESETS = tuple(cls.__name__ for cls in motive_strategies)


def default(cls: type, name: str) -> Any:
    """The default of ``cls``'s keyword parameter ``name`` (a page's field starts there)."""
    return inspect.signature(cls).parameters[name].default


def rest(share: Any) -> Any:
    """What is left of a share for the other domain (a non-number as it is, for its error)."""
    return 1.0 - share if isinstance(share, int | float) and not isinstance(share, bool) else share


def kind_of(value: Any) -> str:
    """The ``kind`` of a component written as a name or a table (``"none"`` for none)."""
    if value is None:
        return "none"
    return value if isinstance(value, str) else str(value.get("kind", "none"))


def first_difference(a: Any, b: Any, path: str = "") -> str | None:
    """The first key path at which two configs differ, or ``None`` if they are equal."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        for key in sorted(set(a) | set(b), key=str):
            found = first_difference(a.get(key), b.get(key), f"{path}.{key}" if path else key)
            if found is not None:
                return found
        return None
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        if len(a) != len(b):
            return path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found is not None:
                return found
        return None
    return None if a == b else path


def _value_at(tree: Any, path: str) -> Any:
    """The value at a key path of :func:`first_difference` (``None`` where there is none)."""
    for part in path.replace("[", ".[").split("."):
        if part.startswith("["):
            index = int(part[1:-1])
            tree = tree[index] if isinstance(tree, list) and index < len(tree) else None
        else:
            tree = tree.get(part) if isinstance(tree, Mapping) else None
    return tree


def check_shown(raw: Mapping[str, Any], shown: Mapping[str, Any], page: str) -> None:
    """Refuse a file the page cannot show: ``shown`` (what the page made of ``raw``) differs.

    Parameters
    ----------
    raw : mapping
        The loaded file's config, defaults filled in (``Experiment.raw``).
    shown : mapping
        The config of the setup the page read from it.
    page : str
        The page's name, for the message.

    Raises
    ------
    ConfigError
        Naming the first key the page cannot show.

    """
    path = first_difference(raw, parse(dict(shown)).raw)
    if path is not None:
        value = _value_at(raw, path)
        raise ConfigError(
            f"the {page} page cannot show this setting ({value!r}); "
            "run the file with 'sccgames run' instead",
            path,
        )
