"""The README: its Python blocks run as written, each alone, and the numbers it quotes hold."""

import pathlib
import re
import tomllib

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
TEXT = README.read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", TEXT, re.S)

#: What the first example prints, as the README quotes it: cooperation (watched, unwatched).
QUOTED = {"HomoEconomicus": (1.00, 0.00), "Citizen": (0.94, 0.76), "Moralist": (1.00, 0.98)}
#: The README quotes two decimals: a printed value within half a unit of the last digit.
TOLERANCE = 0.005


def run_block(block: str) -> dict:
    """Run one README block in a fresh namespace, as a reader pasting it would."""
    namespace: dict = {"__name__": "__readme__"}
    exec(compile(block, str(README), "exec"), namespace)
    return namespace


def test_readme_has_the_fresh_machine_commands():
    assert "pip install . && sccgames demo" in TEXT
    assert 'pip install -e ".[test]" && python -m pytest' in TEXT


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_python_block_runs_alone(index):
    assert BLOCKS[index].lstrip().startswith("import"), "a block starts with its own imports"
    run_block(BLOCKS[index])


def test_first_example_prints_the_numbers_the_readme_quotes(capsys):
    run_block(BLOCKS[0])
    printed = capsys.readouterr().out
    rows = re.findall(r"^(\w+)\s+watched ([\d.]+)\s+unwatched ([\d.]+)$", printed, re.M)
    measured = {name: (float(watched), float(unwatched)) for name, watched, unwatched in rows}
    assert measured.keys() == QUOTED.keys()
    for name, (watched, unwatched) in QUOTED.items():
        assert measured[name][0] == pytest.approx(watched, abs=TOLERANCE), name
        assert measured[name][1] == pytest.approx(unwatched, abs=TOLERANCE), name


def test_readme_text_quotes_those_numbers():
    paragraph = TEXT.split("`HomoEconomicus` cooperates in every watched act", 1)[1][:500]
    assert "(1.00)" in paragraph and "(0.00)" in paragraph  # HomoEconomicus
    assert "(1.00 and 0.98)" in paragraph  # Moralist
    citizen = re.search(r"([\d.]+) where it is\s+watched, ([\d.]+) where it is not", paragraph)
    assert citizen is not None
    assert tuple(map(float, citizen.groups())) == QUOTED["Citizen"]


def test_first_example_gap_orders_the_motive_types():
    gap = run_block(BLOCKS[0])["gap"]
    assert gap["HomoEconomicus"] > gap["Citizen"] > gap["Moralist"]
    assert gap["HomoEconomicus"] == pytest.approx(1.0, abs=TOLERANCE)
    assert gap["Moralist"] == pytest.approx(0.022, abs=TOLERANCE)  # a little noise, unwatched


def test_match_example_shows_compliance_only_where_watched():
    records = run_block(BLOCKS[1])["records"]
    assert len(records) == 2 * 50
    mine = records[records["name"] == "Subgame Perfect"]
    rate = mine.groupby("domain")["played"].apply(lambda played: (played == "C").mean())
    assert rate["watched"] == 1.0 and rate["unwatched"] == 0.0


def test_readme_versions_agree_with_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == ">=3.11" and "Python ≥ 3.11" in TEXT
    axelrod = [dep for dep in project["dependencies"] if dep.startswith("axelrod")]
    assert axelrod == ["axelrod>=4.13.1,<4.14"]
    assert "(4.13)" in TEXT


def test_readme_links_into_the_docs_resolve():
    links = re.findall(r"\]\((docs/[^)#]+)", TEXT)
    assert len(links) >= 8
    for link in links:
        assert (ROOT / link).is_file(), link
