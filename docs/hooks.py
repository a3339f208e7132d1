"""MkDocs hook: the notebooks in ``notebooks/`` become the pages ``tutorials/<name>.ipynb``.

The notebooks stay where the tests execute them (``tests/test_notebooks.py``); the site
renders those very files, without copying them into ``docs/`` and without running them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@event_priority(100)  # before mkdocs-jupyter's on_files, which turns notebooks into pages
def on_files(files: Files, config: Any) -> Files:
    """Add every notebook of ``notebooks/`` to the site under ``tutorials/``."""
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        files.append(File.generated(config, f"tutorials/{path.name}", abs_src_path=str(path)))
    return files
