"""Module paths before the layers: ``sccgames.games`` is now ``sccgames.rules.games``.

The package's modules once sat side by side in ``sccgames/``; they now live in the layers
``model``, ``rules``, ``engines``, ``experiments`` and ``inference``. Code written for the
old paths keeps working: ``scc.config`` is the module ``sccgames.experiments.config``
(through :data:`_MOVED`, in ``sccgames.__getattr__``), and ``import sccgames.games`` or
``from sccgames.profiles import Profile`` import the module from its new place, warn with a
:class:`DeprecationWarning` naming it, and give the very same module object.

Nothing here imports a moved module until an old path is asked for.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from importlib.abc import Loader, MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

#: Module paths before the layers: each old module of ``sccgames`` and where it lives now.
#: (``sccgames.inference`` kept its name: it is now the package whose functions it
#: re-exports from ``sccgames.inference.compare``; ``sccgames.limits``, checked by every
#: layer, stayed where it was.)
_MOVED: dict[str, str] = {
    **{
        name: f"sccgames.model.{name}"
        for name in ("agents", "decision", "draws", "motives", "population", "profiles")
    },
    **{
        name: f"sccgames.rules.{name}"
        for name in ("community", "games", "institutions", "matching", "regimes")
    },
    **{
        name: f"sccgames.engines.{name}"
        for name in ("batch", "evolution", "ledger", "match", "metrics", "society", "tournament")
    },
    **{
        name: f"sccgames.experiments.{name}"
        for name in ("_schema", "config", "demo", "experiment", "plots", "runs", "sweep")
    },
    **{
        name: f"sccgames.inference.{name}"
        for name in (
            "calibration",
            "datasets",
            "findings",
            "fitting",
            "likelihood",
            "mixture",
            "published",
            "signatures",
        )
    },
}


class _Alias(Loader):
    """Loads an old module path as the module at its new path (the same object)."""

    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new
        self.spec: Any = None

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        module = importlib.import_module(self.new)
        self.spec = module.__spec__  # the import system sets __spec__ to the alias's spec
        return module

    def exec_module(self, module: ModuleType) -> None:
        module.__spec__ = self.spec
        warnings.warn(
            f"{self.old} moved to {self.new} when the package was laid out in layers; "
            f"import {self.new}",
            DeprecationWarning,
            stacklevel=2,
        )


class MovedFinder(MetaPathFinder):
    """Finds the module paths of :data:`_MOVED` (``sccgames.<old name>``) and nothing else."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        """A spec aliasing ``fullname`` to its new path, or None when it did not move."""
        package, _, name = fullname.rpartition(".")
        if package != "sccgames" or name not in _MOVED:
            return None
        return ModuleSpec(fullname, _Alias(fullname, _MOVED[name]))


def install() -> None:
    """Put one :class:`MovedFinder` first in ``sys.meta_path`` (once).

    First, so that an old path is always the moved module, even where another finder (an
    editable install of an older copy, say) would find a file of that name.
    """
    if not any(type(finder).__name__ == "MovedFinder" for finder in sys.meta_path):
        sys.meta_path.insert(0, MovedFinder())
