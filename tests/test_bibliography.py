import importlib
import inspect
import pkgutil

import pytest

import sccgames
from sccgames.bibliography import BIBLIOGRAPHY, cited_keys, reference


def _all_docstrings():
    for info in pkgutil.walk_packages(sccgames.__path__, "sccgames."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        yield info.name, module.__doc__
        for name, obj in vars(module).items():
            if getattr(obj, "__module__", None) != info.name:
                continue
            yield f"{info.name}.{name}", inspect.getdoc(obj)
            for member_name, member in vars(obj).items() if inspect.isclass(obj) else ():
                if callable(member) or isinstance(member, property):
                    yield f"{info.name}.{name}.{member_name}", inspect.getdoc(member)


def test_every_cited_key_resolves():
    cited = set()
    for where, doc in _all_docstrings():
        for key in cited_keys(doc):
            assert key in BIBLIOGRAPHY, f"{where} cites unknown key [{key}]_"
            cited.add(key)
    assert cited, "no citations found at all: the scan is broken"


def test_every_preset_cites_its_source():
    for cls in sccgames.motive_strategies:
        assert "Names:" in cls.__doc__, cls
        assert cited_keys(cls.__doc__), f"{cls.__name__} cites no source"


def test_reference_lookup():
    assert "Gneezy" in reference("GneezyRustichini2000")
    with pytest.raises(KeyError, match="unknown bibliography key 'Nobody2020'"):
        reference("Nobody2020")
