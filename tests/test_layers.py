"""The package's import graph: no cycles, and each layer imports only the layers below it.

The graph is read from the source with ``ast`` (nothing is imported): an edge ``a -> b`` for
every ``import``/``from`` statement of module ``a`` that names package module ``b``,
whether at module level or deferred inside a function (a deferred import hides a cycle
from Python, not from this test); imports under ``if TYPE_CHECKING:`` are for type
checkers only and are left out.
"""

import ast
import graphlib
from pathlib import Path

import pytest

import sccgames

PACKAGE = Path(sccgames.__file__).parent

#: What each layer must not import at module level (importing a module must not load a
#: layer above it; a method that draws may still import ``experiments.plots`` when called).
FORBIDDEN = {
    "sccgames.model": (
        "sccgames.engines",
        "sccgames.experiments",
        "sccgames.inference",
        "sccgames.explorer",
    ),
    "sccgames.rules": (
        "sccgames.engines",
        "sccgames.experiments",
        "sccgames.inference",
        "sccgames.explorer",
    ),
    "sccgames.engines": ("sccgames.experiments", "sccgames.inference", "sccgames.explorer"),
    "sccgames.experiments": ("sccgames.explorer",),
    "sccgames.inference": ("sccgames.explorer",),
}


def _modules(root: Path) -> dict[str, Path]:
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.Module, deferred: bool) -> list[ast.Import | ast.ImportFrom]:
    """The import statements of a module, without those under ``if TYPE_CHECKING:``.

    ``deferred`` adds the imports inside functions and classes to the module-level ones.
    """
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import | ast.ImportFrom):
                found.append(node)
            elif isinstance(node, ast.If) and _is_type_checking(node.test):
                visit(node.orelse)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                if deferred:
                    visit(node.body)
            else:  # if, try, with, for, while: every block they hold
                for field in ("body", "orelse", "finalbody"):
                    block = getattr(node, field, [])
                    visit(block if isinstance(block, list) else [])
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)

    visit(tree.body)
    return found


def import_graph(root: Path, deferred: bool = True) -> dict[str, set[str]]:
    """Each module of the package in folder ``root`` and the package modules it imports."""
    modules = _modules(root)
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = set()
        for node in _imports(ast.parse(path.read_text(encoding="utf-8")), deferred):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:  # a relative import
                    anchor = package.rsplit(".", node.level - 1)[0]
                    base = f"{anchor}.{base}" if base else anchor
                targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            edges |= {t for t in targets if t in modules and t != name}
        graph[name] = edges
    return graph


def test_the_package_has_no_import_cycle():
    graph = import_graph(PACKAGE)
    assert len(graph) > 40 and "sccgames.engines.metrics" in graph["sccgames.engines.evolution"]
    graphlib.TopologicalSorter(graph).prepare()  # raises CycleError naming the cycle


def test_a_cycle_is_found(tmp_path):
    """The check can fail: two modules that import each other (one of them deferred)."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.b import g\n")
    (package / "b.py").write_text("def g():\n    from . import a\n")
    (package / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n"
    )
    graph = import_graph(package)
    assert graph == {"pkg": set(), "pkg.a": {"pkg.b"}, "pkg.b": {"pkg", "pkg.a"}, "pkg.c": set()}
    with pytest.raises(graphlib.CycleError):
        graphlib.TopologicalSorter(graph).prepare()
    assert import_graph(package, deferred=False)["pkg.b"] == set()


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_no_layer_above_it(layer):
    graph = import_graph(PACKAGE, deferred=False)
    wrong = {
        (module, target)
        for module, targets in graph.items()
        if module == layer or module.startswith(f"{layer}.")
        for target in targets
        if target.startswith(FORBIDDEN[layer])
    }
    assert not wrong, sorted(wrong)
