"""Module paths before the layers (``sccgames._moved``) and the package's public names."""

import importlib
import subprocess
import sys
import warnings

import pytest

import sccgames as scc
from sccgames._moved import _MOVED


@pytest.mark.parametrize(("old", "new"), sorted(_MOVED.items()))
def test_every_old_module_path_imports_the_moved_module_with_a_warning(old, new):
    sys.modules.pop(f"sccgames.{old}", None)
    with pytest.warns(DeprecationWarning, match=rf"sccgames\.{old} moved to {new}\b"):
        module = importlib.import_module(f"sccgames.{old}")
    assert module is importlib.import_module(new)
    assert module.__name__ == module.__spec__.name == new  # the alias leaves the module as it was


def test_from_an_old_path_imports_the_same_objects():
    sys.modules.pop("sccgames.profiles", None)
    with pytest.warns(DeprecationWarning, match="sccgames.model.profiles"):
        from sccgames.profiles import Profile
    assert Profile is scc.Profile


@pytest.mark.parametrize("old", sorted(name for name in _MOVED if not name.startswith("_")))
def test_old_module_attributes_are_the_moved_modules_without_a_warning(old):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        module = getattr(scc, old)
    assert module is importlib.import_module(_MOVED[old])


def test_a_path_that_never_existed_is_still_an_error():
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("sccgames.no_such_module")
    with pytest.raises(AttributeError, match="no_such_name"):
        scc.no_such_name  # noqa: B018


@pytest.mark.parametrize("name", scc.__all__)
def test_every_public_name_resolves(name):
    value = getattr(scc, name)
    assert value is not None
    module = scc._LAZY.get(name)
    if module is not None and module.rpartition(".")[2] != name:
        assert value is getattr(importlib.import_module(module), name)


def test_public_modules_are_where_the_layers_put_them():
    assert scc.inference.__name__ == "sccgames.inference"
    assert scc.inference.fit is importlib.import_module("sccgames.inference.compare").fit
    assert scc.datasets.__name__ == "sccgames.inference.datasets"
    assert scc.signatures.__name__ == "sccgames.inference.signatures"
    assert scc.plots.__name__ == "sccgames.experiments.plots"


def test_the_inference_package_re_exports_every_public_name_of_compare():
    compare = importlib.import_module("sccgames.inference.compare")
    assert scc.inference.__all__ == compare.__all__
    for name in compare.__all__:
        assert getattr(scc.inference, name) is getattr(compare, name)


def test_importing_the_package_imports_no_moved_module():
    code = "import sys, sccgames; print(sorted(m for m in sys.modules if m.startswith('sccgames')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["['sccgames',", "'sccgames._moved']"]
