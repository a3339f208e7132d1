"""Run folders: tables and a manifest written so that a crash never leaves a half-written run.

Every file is written atomically (to a temporary file in the same directory, flushed and
fsynced, then moved into place with :func:`os.replace`), and a run folder's
``manifest.json`` is written first with status ``"incomplete"`` and rewritten *last* with
status ``"complete"``: a folder is complete if and only if its manifest says so.

A run folder only ever holds a run, and nothing outside it is ever written or removed:

- a folder is taken over (cleaned and reused) only if it is empty or is a run folder of the
  same kind by its manifest (a complete one only with ``overwrite``), never a symbolic link,
  never the current directory or one of its parents;
- the table files a manifest names are plain file names inside their folder;
- one writer per folder: :meth:`RunFolder.create` holds an advisory lock
  (:func:`fcntl.flock` on ``.lock`` inside the folder) until :meth:`RunFolder.finish`, and a
  second writer gets :class:`FolderInUseError` at once;
- run names (the default folder is ``runs/<name>``) match :data:`RUN_NAME`.

This module deliberately imports nothing from the rest of ``sccgames`` (nor axelrod), so
that it is cheap to import in worker processes.
"""

from __future__ import annotations

import errno
import json
import os
import platform
import re
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
    "LOCK",
    "MANIFEST",
    "RUN_NAME",
    "TABLE_FORMAT",
    "FolderInUseError",
    "FolderLock",
    "RunFolder",
    "canonical_json",
    "check_directory",
    "check_run_name",
    "is_complete",
    "package_versions",
    "read_run",
    "read_table",
    "run_name",
    "write_json",
    "write_table",
]

#: The name of the manifest file in every run folder.
MANIFEST = "manifest.json"

#: The table format used when :func:`write_table` is given ``format=None``: ``"auto"``
#: (Parquet where pyarrow is importable, CSV otherwise), ``"parquet"`` or ``"csv"``.
#: Tests and users may reassign it.
TABLE_FORMAT: Literal["auto", "parquet", "csv"] = "auto"

#: The lock file inside every run folder (see :class:`FolderLock`); it is never removed, so
#: that every writer locks the same file.
LOCK = ".lock"

#: What a run name may be: a letter or digit, then up to 99 letters, digits, ``.``, ``_`` or
#: ``-`` (chosen so that ``runs/<name>`` is always one plain folder inside ``runs``: no
#: separator, no ``..``, no hidden or empty name, and short enough for any filesystem).
RUN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")

_TMP_PREFIX = ".tmp-"
_EXTENSIONS = {"parquet": ".parquet", "csv": ".csv"}


class FolderInUseError(OSError):
    """Another process is writing the run folder (it holds the folder's lock)."""


def check_run_name(name: Any) -> str:
    """Return ``name`` if it is a safe run name, else raise ``ValueError`` saying why.

    Parameters
    ----------
    name : Any
        The candidate, say the ``name`` of an experiment file.

    Returns
    -------
    str
        ``name``, unchanged.

    Raises
    ------
    ValueError
        Unless ``name`` is a string matching :data:`RUN_NAME`.

    """
    if isinstance(name, str) and RUN_NAME.fullmatch(name):
        return name
    shown = repr(name) if not isinstance(name, str) or len(name) <= 40 else repr(name[:40]) + "..."
    raise ValueError(
        f"run name {shown} is not allowed: use 1 to 100 letters, digits, '.', '_' or '-', "
        "starting with a letter or digit"
    )


def run_name(name: Any, stem: str | None = None) -> str:
    """The run name of an experiment: ``name`` checked, or one made from a file's stem.

    Parameters
    ----------
    name : str or None
        The ``name`` the experiment gives, checked by :func:`check_run_name`.
    stem : str, optional
        When ``name`` is None: the stem of the experiment's file, with every run of
        characters :data:`RUN_NAME` does not allow replaced by ``-`` (``"experiment"`` when
        nothing is left, or without a file).

    Returns
    -------
    str
        A name matching :data:`RUN_NAME`.

    """
    if name is not None:
        return check_run_name(name)
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", stem or "").lstrip("._-")[:100]
    return slug if RUN_NAME.fullmatch(slug) else "experiment"


def check_directory(directory: str | os.PathLike[str]) -> Path:
    """Check that ``directory`` may be written as a run folder, before anything is written.

    Parameters
    ----------
    directory : str or path-like
        The folder.

    Returns
    -------
    Path
        The folder as a path.

    Raises
    ------
    ValueError
        If the path is empty, holds a null byte, is a symbolic link, or is the current
        directory or one of its parents.
    FileExistsError
        If it exists and is not a directory.

    """
    text = os.fspath(directory)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if not text.strip():
        raise ValueError("the run folder path is empty; name a folder to write the run into")
    if "\0" in text:
        raise ValueError(f"the run folder path {text[:80]!r} contains a null byte")
    path = Path(text)
    if path.is_symlink():
        raise ValueError(
            f"run folder {path} is a symbolic link; give the folder itself (a run is never "
            "written through a link)"
        )
    here = Path.cwd().resolve()
    resolved = path.resolve()
    if here == resolved or resolved in here.parents:
        raise ValueError(
            f"run folder {path} is the current directory or one of its parents; name a "
            "folder of its own"
        )
    if path.exists() and not path.is_dir():
        raise FileExistsError(f"{path} exists and is not a directory")
    return path


def _ours(name: str) -> bool:
    """Whether a file name in a run folder is one of this module's own scratch files."""
    return name.startswith(_TMP_PREFIX) or name == LOCK


def _check_takeover(
    directory: Path, kind: str, overwrite: bool, resume: bool = False
) -> dict[str, Any] | None:
    """Raise unless ``directory`` may become a run folder of ``kind``; return its manifest.

    A missing or empty folder (scratch files aside) may; a run folder of the same kind may if
    it is incomplete, or complete and ``overwrite`` (or ``resume``: a sweep resumes a complete
    sweep); anything else never is.
    """
    check_directory(directory)
    if not directory.exists():
        return None
    manifest = _manifest_status(directory)
    if manifest is None:
        if any(not _ours(p.name) for p in directory.iterdir()):
            raise FileExistsError(
                f"{directory} is not empty and is not a run folder (no {MANIFEST}); refusing "
                "to write into it or clean it: choose another folder"
            )
        return None
    found = manifest.get("kind")
    if found != kind:
        raise FileExistsError(
            f"{directory} holds a run of kind {str(found)[:40]!r}, not {kind!r}; refusing "
            "to replace it: choose another folder (or delete it yourself)"
        )
    if manifest.get("status") == "complete" and not (overwrite or resume):
        raise FileExistsError(
            f"run folder {directory} is already complete; pass overwrite=True (--overwrite) "
            "to replace it or choose another directory"
        )
    return manifest


def _clear(directory: Path) -> None:
    """Remove everything in ``directory`` but its lock (the folder itself stays)."""
    for child in directory.iterdir():
        if child.name == LOCK:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def _remove_scratch(directory: Path) -> None:
    """Remove temporary files left by a killed writer in ``directory``."""
    for child in directory.glob(_TMP_PREFIX + "*"):
        if child.is_file() or child.is_symlink():
            child.unlink(missing_ok=True)


#: The lock descriptors this process holds. A forked child closes its copies at once (see
#: :func:`_forget_locks`): a lock is shared by every copy of its descriptor, so a pool
#: worker that kept one would hold its parent's folder after the parent died.
_HELD: set[int] = set()
_FORK_HOOK: list[bool] = []
#: flock errors of a filesystem that has no locks (some network filesystems): there the
#: folder is written unlocked, as before locks existed, rather than not at all.
_NO_LOCKS = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP}


def _forget_locks() -> None:
    """In a forked child: close the copies of the parent's lock descriptors."""
    for descriptor in list(_HELD):
        try:
            os.close(descriptor)
        except OSError:  # pragma: no cover - already closed
            pass
    _HELD.clear()


class FolderLock:
    """An advisory, exclusive lock on a run folder: one writer at a time.

    The lock is :func:`fcntl.flock` on the file :data:`LOCK` inside the folder; the
    operating system releases it when its holder exits, however it exits (even by SIGKILL),
    so a lock is never stale, and a forked child (a pool worker) does not keep its
    parent's. Where ``fcntl`` is missing (Windows), or the filesystem has no locks, there is
    no lock (:attr:`held` is False).

    Parameters
    ----------
    directory : str or path-like
        The run folder (it must exist).

    Raises
    ------
    FolderInUseError
        If another process holds the lock.

    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self._descriptor: int | None = None
        self._pid = os.getpid()
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return
        if not _FORK_HOOK and hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=_forget_locks)
            _FORK_HOOK.append(True)
        descriptor = os.open(self.directory / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            os.close(descriptor)
            if error.errno in _NO_LOCKS:  # pragma: no cover - e.g. NFS without a lock daemon
                return
            if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise FolderInUseError(
                    f"run folder {self.directory} is being written by another run (it holds "
                    f"{self.directory / LOCK}); wait for it to finish or choose another folder"
                ) from None
            raise
        self._descriptor = descriptor
        _HELD.add(descriptor)

    @property
    def held(self) -> bool:
        """Whether this object holds the lock (in this process)."""
        return self._descriptor is not None and self._pid == os.getpid()

    def release(self) -> None:
        """Release the lock (a second call, or one in a forked child, does nothing)."""
        if self._descriptor is not None:
            descriptor, self._descriptor = self._descriptor, None
            if self._pid == os.getpid():  # a child closed its copy when it was forked
                _HELD.discard(descriptor)
                os.close(descriptor)

    def __enter__(self) -> FolderLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __del__(self) -> None:
        self.release()


def _table_path(directory: Path, filename: Any) -> Path:
    """The path of a table file a manifest names, refusing anything outside ``directory``."""
    plain = (
        isinstance(filename, str)
        and "\0" not in filename
        and Path(filename).name == filename
        and not filename.startswith(".")
        and Path(filename).suffix in _EXTENSIONS.values()
    )
    if plain:
        path = directory / filename
        if not path.is_symlink():
            return path
    shown = repr(filename) if len(repr(filename)) <= 60 else repr(filename)[:60] + "..."
    raise ValueError(
        f"run folder {directory}: its {MANIFEST} names the table file {shown}, which is not "
        "a plain .parquet or .csv file in the folder (was the manifest edited?)"
    )


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
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        if error.filename is None:  # say "No space left on device" *where*
            raise OSError(
                error.errno if error.errno is not None else errno.EIO,
                error.strerror or str(error),
                str(path),
            ) from error
        raise
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
    except (OSError, ValueError, RecursionError) as error:  # JSON, UTF-8 or nesting errors
        raise ValueError(f"run folder {directory} has an unreadable manifest: {error}") from None
    if not isinstance(manifest, dict):
        raise ValueError(f"run folder {directory} has a malformed manifest")
    return manifest


def _new_manifest(config: dict[str, Any], seed: int | None, kind: str) -> dict[str, Any]:
    """A fresh manifest with status "incomplete", as it will read back from JSON."""
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
    return json.loads(canonical_json(manifest))


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
        self._lock: FolderLock | None = None

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
            The run folder. An incomplete run folder of the same kind there is cleaned and
            reused; the folder is locked against other writers until :meth:`finish`.
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
            If ``directory`` holds a complete run and ``overwrite`` is False, a run of another
            kind, or is a non-empty folder that is not a run folder (nothing is then touched).
        FolderInUseError
            If another process is writing ``directory``.
        ValueError
            If ``directory`` is not a path a run may be written to (see
            :func:`check_directory`).

        """
        directory = check_directory(directory)  # "" is not "."
        manifest = _new_manifest(config, seed, kind)
        _check_takeover(directory, kind, overwrite)  # before anything is written
        directory.mkdir(parents=True, exist_ok=True)
        lock = FolderLock(directory)
        try:
            _check_takeover(directory, kind, overwrite)  # again, now that it is ours
            _clear(directory)
            write_json(directory / MANIFEST, manifest)
        except BaseException:
            lock.release()
            raise
        folder = cls(directory, manifest, format)
        folder._lock = lock
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
        tables = manifest.get("tables")
        if not isinstance(tables, dict) or not all(isinstance(k, str) for k in tables):
            raise ValueError(
                f"run folder {directory} has a malformed {MANIFEST}: 'tables' must map names "
                "to file names (was it edited?)"
            )
        for filename in tables.values():
            _table_path(directory, filename)
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
        self.close()

    def close(self) -> None:
        """Release the folder's lock, finished or not (:meth:`finish` does it too)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> RunFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
        return read_table(_table_path(self.directory, tables[name]))

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
