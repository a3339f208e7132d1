"""What a folder holds, to check that a command changed nothing it was not asked to."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def snapshot(root: Path, skip: Path | None = None) -> dict[str, str]:
    """Every file, folder and link under ``root`` (but ``skip``), with each file's sha256."""
    found = {}
    for path in sorted(root.rglob("*")):
        if skip is not None and (path == skip or skip in path.parents):
            continue
        key = str(path.relative_to(root))
        if path.is_symlink():
            found[key] = f"link:{os.readlink(path)}"
        elif path.is_dir():
            found[key] = "dir"
        else:
            found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found
