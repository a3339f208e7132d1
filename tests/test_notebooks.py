"""The notebooks run top to bottom in a fresh kernel, in quick mode, and are committed clean.

Every ``notebooks/*.ipynb`` is executed with nbclient in a new ``python3`` kernel (ipykernel)
with ``SCCGAMES_QUICK=1``, which each notebook reads in its first code cell to use small
sizes; any error in any cell fails the test (nbclient raises ``CellExecutionError``). The
kernel starts in ``notebooks/``, as Jupyter would start it. Each notebook imports sccgames
(about 20 s, axelrod is slow to import) and then runs for a few seconds.
"""

import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 6, f"found {[p.name for p in NOTEBOOKS]} in {NOTEBOOKS_DIR}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_in_quick_mode(path, monkeypatch):
    monkeypatch.setenv("SCCGAMES_QUICK", "1")  # the kernel inherits the environment
    monkeypatch.setenv("MPLBACKEND", "Agg")  # headless, whatever the user's setting
    # this environment's kernelspec first, so that the kernel imports the sccgames under test
    # rather than whatever a user-level "python3" kernelspec points to
    paths = [str(Path(sys.prefix, "share", "jupyter")), os.environ.get("JUPYTER_PATH")]
    monkeypatch.setenv("JUPYTER_PATH", os.pathsep.join(p for p in paths if p))
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for k, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: code cell {k} has outputs"
            assert cell.execution_count is None, f"{path.name}: code cell {k} has a count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_reads_quick_mode_first_and_is_listed_in_the_readme(path):
    nb = nbformat.read(path, as_version=4)
    first_code = next(cell.source for cell in nb.cells if cell.cell_type == "code")
    assert 'QUICK = os.environ.get("SCCGAMES_QUICK") == "1"' in first_code
    assert path.name in (NOTEBOOKS_DIR / "README.md").read_text(encoding="utf-8")
