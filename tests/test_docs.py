"""The documentation site: it builds without warnings, names every public object, and its
examples run as written."""

import importlib.util
import os
import pathlib
import re
import subprocess
import sys

import matplotlib
import pytest

import sccgames
from sccgames.bibliography import BIBLIOGRAPHY

matplotlib.use("Agg")

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.S)

#: The model document's sections; docstrings cite them as "docs/model.md §N".
MODEL_SECTIONS = (
    "Vocabulary",
    "The decision",
    "Regimes",
    "Games",
    "Two engines, one model",
    "Measures of social capital",
    "Testing the claim",
    "Use",
    "Layout",
)


def python_examples():
    for page in sorted(DOCS.rglob("*.md")):
        blocks = PYTHON_BLOCK.findall(page.read_text(encoding="utf-8"))
        for i, block in enumerate(blocks):
            yield pytest.param(page, block, id=f"{page.relative_to(DOCS)}[{i}]")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site, built with ``mkdocs build --strict`` into a temporary directory."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    assert "WARNING" not in build.stderr, build.stderr
    return out


def test_site_builds_strictly_with_every_page(site):
    for page in ("index.html", "model/index.html", "performance/index.html", "cite/index.html"):
        assert (site / page).is_file(), page
    tutorials = sorted(p.name for p in (site / "tutorials").iterdir() if p.suffix == ".ipynb")
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert tutorials == notebooks


def test_every_public_name_is_in_the_api_reference(site):
    pages = "".join(p.read_text(encoding="utf-8") for p in (site / "api").rglob("*.html"))
    documented = set(re.findall(r'id="(sccgames\.[^"]+)"', pages))
    missing = [name for name in sccgames.__all__ if f"sccgames.{name}" not in documented]
    assert not missing, f"not in the API reference: {missing}"


def test_docstring_citations_link_to_the_model_references(site):
    page = (site / "api" / "model" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../model/#bib-Axelrod1984"' in page
    assert "[Axelrod1984]_" not in page


def test_model_document_keeps_the_section_numbers_docstrings_cite():
    text = (DOCS / "model.md").read_text(encoding="utf-8")
    numbered = re.findall(r"^## (\d+)\. (.+)$", text, re.M)
    assert numbered == [(str(i), title) for i, title in enumerate(MODEL_SECTIONS, start=1)]


def test_model_references_are_the_bibliography():
    text = (DOCS / "model.md").read_text(encoding="utf-8")
    anchors = re.findall(r"\{#bib-(\w+)\}", text)
    assert sorted(anchors) == sorted(BIBLIOGRAPHY)
    cited = set(re.findall(r"\(#bib-(\w+)\)", text))
    for page in DOCS.rglob("*.md"):
        cited |= set(re.findall(r"model\.md#bib-(\w+)\)", page.read_text(encoding="utf-8")))
    assert cited and cited <= set(BIBLIOGRAPHY), sorted(cited - set(BIBLIOGRAPHY))


def test_no_page_cites_the_old_design_notes_or_reads_as_a_diary():
    old = "DESIGN" + ".md"
    diary = re.compile(r"\b(this|previous|earlier|last) session\b", re.I)
    pages = [ROOT / "README.md", *DOCS.rglob("*.md"), *(ROOT / "notebooks").glob("*")]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert old not in text, page
        assert not diary.search(text), (page, diary.search(text))


def test_every_test_the_docs_name_exists():
    named = []
    for page in DOCS.rglob("*.md"):
        named += re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", page.read_text(encoding="utf-8"))
    assert len(named) >= 20
    for path, name in named:
        source = (ROOT / path).read_text(encoding="utf-8")
        assert not name or re.search(rf"^\s*(def|class) {name}\b", source, re.M), (path, name)


@pytest.mark.parametrize(("page", "block"), list(python_examples()))
def test_docs_python_examples_run(page, block, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an example that writes a file writes it here
    exec(compile(block, str(page), "exec"), {"__name__": "__docs__"})


def test_docs_have_python_examples():
    assert len(list(python_examples())) >= 10


def test_rst_docstrings_become_markdown():
    spec = importlib.util.spec_from_file_location("griffe_rst", DOCS / "griffe_rst.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = (
        "See :func:`~sccgames.model.motives.beta_mean` and :class:`sccgames.Profile` "
        "[Axelrod1984]_.\n"
        "\n"
        "Parameters\n"
        "----------\n"
        "rate : float\n"
        "    A rate.\n"
        "\n"
        "Rates are chosen so that it works.\n"
        "\n"
        ">>> 1 + 1\n"
        "2\n"
        "\n"
        "Notes\n"
        "-----\n"
        "The statistic::\n"
        "\n"
        "    T = Σ c (x − x̄)\n"
        "\n"
        "and its p-value.\n"
    )
    converted = module.convert(text)
    assert "``beta_mean``" in converted and "``sccgames.Profile``" in converted
    assert r"[\[Axelrod1984\]][bib-Axelrod1984]" in converted
    head, notes = converted.split("Notes\n-----\n", 1)
    assert "Rates are chosen" in notes and "Rates are chosen" not in head
    assert "rate : float" in head
    assert "```pycon\n>>> 1 + 1\n2\n```" in converted
    assert "The statistic:\n\n```text\nT = Σ c (x − x̄)\n```\n\nand its p-value." in converted
