"""Run folders: tables and a manifest written so that a crash never leaves a half-written run.

Every file is written atomically (to a temporary file in the same directory, flushed and
fsynced, then moved into place with :func:`os.replace`), and a run folder's
``manifest.json`` is written first with status ``"incomplete"`` and rewritten *last* with
status ``"complete"``: a folder is complete if and only if its manifest says so.

This module deliberately imports nothing from the rest of ``sccgames`` (nor axelrod), so
that it is cheap to import in worker processes.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
import pandas as pd

__all__ = [
    "MANIFEST",
    "TABLE_FORMAT",
    "RunFolder",
    "canonical_json",
    "is_complete",
    "package_versions",
    "read_run",
    "read_table",
    "write_json",
    "write_table",
]

#: The name of the manifest file in every run folder.
MANIFEST = "manifest.json"

#: The table format used when :func:`write_table` is given ``format=None``: ``"auto"``
#: (Parquet where pyarrow is importable, CSV otherwise), ``"parquet"`` or ``"csv"``.
#: Tests and users may reassign it.
TABLE_FORMAT: Literal["auto", "parquet", "csv"] = "auto"

_TMP_PREFIX = ".tmp-"
_EXTENSIONS = {"parquet": ".parquet", "csv": ".csv"}


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{value!r} of type {type(value).__name__} is not JSON serializable")


def canonical_json(data: Any) -> str:
    """Serialize ``data`` as canonical JSON (sorted keys, no whitespace).

    Parameters
    ----------
    data : Any
        JSON-compatible data; numpy scalars and arrays and paths are converted.

    Returns
    -------
    str
        The same string for equal data, whatever the key order of its dicts.

    """
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=_json_default)


@contextmanager
def _atomic_file(path: Path, mode: str = "wb") -> Iterator[IO[Any]]:
    """Yield a temporary file next to ``path`` that replaces ``path`` only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=path.parent)
    try:
        with open(descriptor, mode) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows cannot open directories
        return
    try:
        os.fsync(descriptor)
    except OSError:  # pragma: no cover - some filesystems refuse
        pass
    finally:
        os.close(descriptor)


def write_json(path: str | os.PathLike[str], data: Any) -> Path:
    """Write ``data`` as indented JSON to ``path`` atomically.

    Parameters
    ----------
    path : str or path-like
        The destination file.
    data : Any
        JSON-compatible data (numpy scalars and arrays are converted).

    Returns
    -------
    Path
        The path written.

    """
    path = Path(path)
    text = json.dumps(data, indent=2, sort_keys=True, default=_json_default) + "\n"
    with _atomic_file(path, "w") as handle:
        handle.write(text)
    return path


def _resolve_format(format: str | None) -> str:
    chosen = TABLE_FORMAT if format is None else format
    if chosen == "auto":
        return "parquet" if find_spec("pyarrow") is not None else "csv"
    if chosen not in _EXTENSIONS:
        raise ValueError(f"format must be 'auto', 'parquet' or 'csv', got {chosen!r}")
    return chosen


def write_table(
    directory: str | os.PathLike[str],
    name: str,
    frame: pd.DataFrame,
    format: Literal["auto", "parquet", "csv"] | None = None,
) -> Path:
    """Write ``frame`` to ``directory/name.parquet`` (or ``.csv``) atomically.

    Parameters
    ----------
    directory : str or path-like
        The folder to write into; created if missing.
    name : str
        The table's name, used as the file stem.
    frame : pandas.DataFrame
        The table. Its index is not stored: reset it first if it carries data.
    format : {"auto", "parquet", "csv"}, optional
        The file format; ``"auto"`` is Parquet where pyarrow is importable, CSV otherwise.
        Defaults to the module-level :data:`TABLE_FORMAT`.

    Returns
    -------
    Path
        The file written.

    """
    if not name or Path(name).name != name or name.startswith("."):
        raise ValueError(f"table name must be a plain file stem, got {name!r}")
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"table {name!r} must be a pandas DataFrame, got {type(frame).__name__}")
    chosen = _resolve_format(format)
    path = Path(directory) / f"{name}{_EXTENSIONS[chosen]}"
    with _atomic_file(path, "wb") as handle:
        if chosen == "parquet":
            frame.to_parquet(handle, index=False)
        else:
            handle.write(frame.to_csv(index=False).encode("utf-8"))
    return path


def read_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a table written by :func:`write_table`, choosing the reader by extension.

    Parameters
    ----------
    path : str or path-like
        A ``.parquet`` or ``.csv`` file.

    Returns
    -------
    pandas.DataFrame
        The table.

    """
    path = Path(path)
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    if path.suffix == ".csv":
        return pd.read_csv(path)
    raise ValueError(f"{path} is neither a .parquet nor a .csv table")


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"


def package_versions() -> dict[str, str]:
    """Return the versions of the packages a run depends on, without importing them.

    Returns
    -------
    dict of str to str
        Versions of sccgames, python, numpy, scipy, pandas and axelrod; ``"unknown"`` for a
        distribution that is not installed.

    """
    versions = {"python": platform.python_version()}
    for distribution in ("sccgames", "numpy", "scipy", "pandas", "axelrod"):
        versions[distribution] = _version(distribution)
    return versions


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _manifest_status(directory: Path) -> dict[str, Any] | None:
    """Return the manifest of ``directory``, or None when it has none."""
    path = directory / MANIFEST
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise ValueError(f"run folder {directory} has an unreadable manifest: {error}") from None
    if not isinstance(manifest, dict):
        raise ValueError(f"run folder {directory} has a malformed manifest")
    return manifest


def is_complete(directory: str | os.PathLike[str]) -> bool:
    """Return whether ``directory`` is a run folder whose manifest says ``"complete"``.

    Parameters
    ----------
    directory : str or path-like
        The folder to check.

    Returns
    -------
    bool
        False for a missing folder, one without a manifest, or an incomplete one.

    """
    try:
        manifest = _manifest_status(Path(directory))
    except ValueError:
        return False
    return manifest is not None and manifest.get("status") == "complete"


class RunFolder:
    """A folder holding one run's tables and its ``manifest.json``.

    Use :meth:`create` to start a run and :meth:`open` to read a finished one.

    Parameters
    ----------
    directory : path-like
        The folder.
    manifest : dict
        Its manifest.
    format : {"auto", "parquet", "csv"}, optional
        The table format for :meth:`write`; see :func:`write_table`.

    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        manifest: dict[str, Any],
        format: Literal["auto", "parquet", "csv"] | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.manifest = manifest
        self.format = format

    def __repr__(self) -> str:
        return f"RunFolder({str(self.directory)!r}, status={self.status!r})"

    @property
    def status(self) -> str:
        """``"incomplete"`` until :meth:`finish`, then ``"complete"``."""
        return str(self.manifest.get("status"))

    @classmethod
    def create(
        cls,
        directory: str | os.PathLike[str],
        config: dict[str, Any],
        seed: int | None,
        kind: str,
        *,
        overwrite: bool = False,
        format: Literal["auto", "parquet", "csv"] | None = None,
    ) -> RunFolder:
        """Start a run in ``directory`` and write its manifest with status "incomplete".

        Parameters
        ----------
        directory : str or path-like
            The run folder. An incomplete run folder there is cleaned and reused.
        config : dict
            The resolved configuration (JSON-compatible), recorded in the manifest.
        seed : int or None
            The run's random seed.
        kind : str
            What kind of run this is (``"tournament"``, ``"point"``, ...).
        overwrite : bool, default False
            Replace a complete run folder instead of refusing.
        format : {"auto", "parquet", "csv"}, optional
            The table format for :meth:`write`; see :func:`write_table`.

        Returns
        -------
        RunFolder
            The new run.

        Raises
        ------
        FileExistsError
            If ``directory`` holds a complete run and ``overwrite`` is False, or is a
            non-empty folder that is not a run folder.

        """
        directory = Path(directory)
        if directory.exists():
            if not directory.is_dir():
                raise FileExistsError(f"{directory} exists and is not a directory")
            manifest = _manifest_status(directory)
            if manifest is not None and manifest.get("status") == "complete" and not overwrite:
                raise FileExistsError(
                    f"run folder {directory} is already complete; pass overwrite=True to "
                    "replace it or choose another directory"
                )
            leftovers = [p for p in directory.iterdir() if not p.name.startswith(_TMP_PREFIX)]
            if manifest is None and leftovers and not overwrite:
                raise FileExistsError(
                    f"{directory} is not empty and is not a run folder (no {MANIFEST}); "
                    "refusing to clean it"
                )
            shutil.rmtree(directory)
        directory.mkdir(parents=True)
        manifest = {
            "status": "incomplete",
            "kind": kind,
            "config": config,
            "seed": seed,
            "versions": package_versions(),
            "hostname": socket.gethostname(),
            "started": _now(),
            "finished": None,
            "tables": {},
        }
        # Round-trip through JSON so the stored config is exactly what is recorded.
        manifest = json.loads(canonical_json(manifest))
        folder = cls(directory, manifest, format)
        write_json(directory / MANIFEST, manifest)
        return folder

    @classmethod
    def open(cls, directory: str | os.PathLike[str]) -> RunFolder:
        """Open a complete run folder.

        Parameters
        ----------
        directory : str or path-like
            The run folder.

        Returns
        -------
        RunFolder
            The run.

        Raises
        ------
        ValueError
            If the folder is missing, has no manifest, or never finished.

        """
        directory = Path(directory)
        if not directory.is_dir():
            raise ValueError(f"run folder {directory} does not exist")
        manifest = _manifest_status(directory)
        if manifest is None:
            raise ValueError(f"{directory} is not a run folder (it has no {MANIFEST})")
        if manifest.get("status") != "complete":
            raise ValueError(
                f"run folder {directory} is incomplete (started {manifest.get('started')}, "
                "never finished); rerun it"
            )
        return cls(directory, manifest)

    @property
    def tables(self) -> dict[str, str]:
        """The tables written so far, as name to file name."""
        return dict(self.manifest["tables"])

    def write(self, name: str, frame: pd.DataFrame) -> Path:
        """Write one table into the run folder (atomically).

        Parameters
        ----------
        name : str
            The table's name.
        frame : pandas.DataFrame
            The table.

        Returns
        -------
        Path
            The file written.

        """
        if self.status == "complete":
            raise ValueError(f"run folder {self.directory} is already finished")
        path = write_table(self.directory, name, frame, format=self.format)
        self.manifest["tables"][name] = path.name
        return path

    def write_file(self, name: str, data: bytes) -> Path:
        """Write a file that is not a table (say a PNG figure) into the run folder, atomically.

        Parameters
        ----------
        name : str
            The file name, recorded under ``"files"`` in the manifest.
        data : bytes
            Its content.

        Returns
        -------
        Path
            The file written.

        """
        if self.status == "complete":
            raise ValueError(f"run folder {self.directory} is already finished")
        if not name or Path(name).name != name or name.startswith(".") or name == MANIFEST:
            raise ValueError(f"file name must be a plain file name, got {name!r}")
        path = self.directory / name
        with _atomic_file(path, "wb") as handle:
            handle.write(data)
        self.manifest.setdefault("files", []).append(name)
        return path

    def finish(self, **extra: Any) -> None:
        """Mark the run complete: the manifest is rewritten last, atomically.

        Parameters
        ----------
        **extra
            Further JSON-compatible fields to record in the manifest.

        """
        manifest = dict(self.manifest, **extra)
        manifest.update(status="complete", finished=_now())
        write_json(self.directory / MANIFEST, manifest)
        self.manifest = manifest

    def read(self, name: str) -> pd.DataFrame:
        """Read one table of the run.

        Parameters
        ----------
        name : str
            The table's name.

        Returns
        -------
        pandas.DataFrame
            The table.

        """
        tables = self.manifest["tables"]
        if name not in tables:
            raise KeyError(
                f"run folder {self.directory} has no table {name!r}; it has {sorted(tables)}"
            )
        return read_table(self.directory / tables[name])

    def read_all(self) -> dict[str, pd.DataFrame]:
        """Read every table of the run, in order of name.

        Returns
        -------
        dict of str to pandas.DataFrame
            The tables by name.

        """
        return {name: self.read(name) for name in self.manifest["tables"]}


def read_run(directory: str | os.PathLike[str]) -> dict[str, pd.DataFrame]:
    """Read every table of a complete run folder.

    Parameters
    ----------
    directory : str or path-like
        The run folder.

    Returns
    -------
    dict of str to pandas.DataFrame
        The tables by name.

    Raises
    ------
    ValueError
        If the folder is missing or incomplete.

    """
    return RunFolder.open(directory).read_all()
