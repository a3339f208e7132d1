"""Resumable parameter sweeps: one run folder per point, combined tables at the end.

A sweep is a sequence of :class:`Point` (a resolved configuration, a seed, the overrides that
distinguish it and a repetition number). :func:`run_sweep` runs ``runner(config, seed)`` for
every point whose folder ``directory/points/<id>/`` is not yet complete, inline, on a local
process pool or on a Dask cluster, and then concatenates each table over the points *in the
points' order*, so the result does not depend on how, or in how many goes, it was computed.

Like :mod:`sccgames.experiments.runs`, this module imports nothing else from ``sccgames`` but
the worker pool (:mod:`sccgames.engines.workers`), nor axelrod, so worker processes start
quickly.

The sweep folder is locked against a second writer for the whole sweep (see
:class:`sccgames.experiments.runs.FolderLock`), and only a missing or empty folder or a sweep's own
folder is ever taken over. Local worker processes (:func:`worker_pool`) ignore Ctrl-C, which the
main process handles: on ``KeyboardInterrupt`` queued points are cancelled and the workers
terminated at once, and the sweep stays ``"incomplete"`` (a rerun resumes it). A worker dies
with its parent, even one killed by SIGKILL, so no worker outlives its sweep.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import pickle
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from sccgames.engines.workers import WorkerPool, available_cores, worker_pool
from sccgames.experiments.runs import (
    MANIFEST,
    FolderLock,
    RunFolder,
    _check_takeover,
    _new_manifest,
    _remove_scratch,
    _resolve_format,
    _table_path,
    canonical_json,
    check_directory,
    is_complete,
    write_json,
)

__all__ = [
    "Point",
    "SweepError",
    "WorkerPool",
    "available_cores",
    "grid",
    "point_id",
    "run_sweep",
    "worker_pool",
]

Runner = Callable[[dict[str, Any], int], Mapping[str, pd.DataFrame]]

#: Columns prepended to every combined table, before one column per override key.
ID_COLUMNS = ("point", "repetition", "seed")


def point_id(config: Mapping[str, Any], seed: int) -> str:
    """Return the stable identity of a point: a hash of its resolved config and seed.

    Parameters
    ----------
    config : mapping
        The resolved, JSON-compatible configuration.
    seed : int
        The point's seed.

    Returns
    -------
    str
        The first 16 hex digits of the sha256 of the canonical JSON of both.

    """
    text = canonical_json({"config": dict(config), "seed": int(seed)})
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Point:
    """One point of a sweep.

    Parameters
    ----------
    config : dict
        The resolved configuration passed to the runner.
    seed : int
        The seed passed to the runner.
    overrides : dict
        The settings that distinguish this point, one result column each.
    repetition : int
        The repetition number among points with the same overrides.

    """

    config: dict[str, Any]
    seed: int
    overrides: dict[str, Any] = field(default_factory=dict)
    repetition: int = 0

    @property
    def id(self) -> str:
        """The point's identity, :func:`point_id` of its config and seed."""
        return point_id(self.config, self.seed)


def grid(
    base: Mapping[str, Any],
    axes: Mapping[str, Sequence[Any]],
    repetitions: int = 1,
    seed: int = 0,
) -> list[Point]:
    """Build the points of a full factorial grid.

    Parameters
    ----------
    base : mapping
        The configuration shared by every point.
    axes : mapping of str to sequence
        The values of each overridden (top-level) key.
    repetitions : int, default 1
        Points per grid cell.
    seed : int, default 0
        The root seed. Repetition ``r`` gets the same seed in every cell (common random
        numbers), derived from ``seed`` and ``r`` by :class:`numpy.random.SeedSequence`.

    Returns
    -------
    list of Point
        The points, cells in row-major order of ``axes``, repetitions innermost.

    """
    if repetitions < 1:
        raise ValueError(f"repetitions must be at least 1, got {repetitions!r}")
    keys = list(axes)
    seeds = [
        int(np.random.SeedSequence([seed, r]).generate_state(1)[0]) for r in range(repetitions)
    ]
    points = []
    for values in itertools.product(*(axes[key] for key in keys)):
        overrides = dict(zip(keys, values, strict=True))
        config = {**base, **overrides}
        for repetition, point_seed in enumerate(seeds):
            points.append(Point(config, point_seed, overrides, repetition))
    return points


class SweepError(RuntimeError):
    """Some points of a sweep failed; the others are complete and a rerun resumes.

    Parameters
    ----------
    message : str
        The error message.
    failures : dict of str to BaseException
        The exception raised by each failed point, by point id.

    """

    def __init__(self, message: str, failures: dict[str, BaseException]) -> None:
        super().__init__(message)
        self.failures = failures


def _run_point(runner: Runner, point: Point, directory: str, format: str) -> str:
    """Run one point into ``directory/points/<id>``; the folder is complete only at the end."""
    folder = RunFolder.create(
        Path(directory) / "points" / point.id,
        point.config,
        point.seed,
        kind="point",
        overwrite=True,
        format=format,  # type: ignore[arg-type]
    )
    with folder:  # its lock is released however the runner ends
        tables = runner(dict(point.config), point.seed)
        if not isinstance(tables, Mapping):
            raise TypeError(
                f"the runner must return a dict of DataFrames, got {type(tables).__name__}"
            )
        for name, frame in tables.items():
            folder.write(name, frame)
        folder.finish(overrides=point.overrides, repetition=point.repetition)
    return point.id


def _check_points(points: Sequence[Point]) -> None:
    seen: dict[str, int] = {}
    for index, point in enumerate(points):
        if not isinstance(point, Point):
            raise TypeError(f"points[{index}] must be a Point, got {type(point).__name__}")
        reserved = set(point.overrides) & set(ID_COLUMNS)
        if reserved:
            raise ValueError(f"override keys may not be named {sorted(reserved)}")
        if point.id in seen:
            raise ValueError(
                f"points[{index}] and points[{seen[point.id]}] are the same point "
                f"(config and seed); give repetitions different seeds"
            )
        seen[point.id] = index


def _cell(value: Any) -> Any:
    """A table cell for an override value: scalars as they are, anything else as JSON."""
    return value if value is None or np.isscalar(value) else canonical_json(value)


def _combine(points: Sequence[Point], directory: Path) -> dict[str, pd.DataFrame]:
    keys = list(dict.fromkeys(key for point in points for key in point.overrides))
    pieces: dict[str, list[pd.DataFrame]] = {}
    for point in points:
        tables = RunFolder.open(directory / "points" / point.id).read_all()
        for name, frame in tables.items():
            head = {"point": point.id, "repetition": point.repetition, "seed": point.seed}
            head.update({key: _cell(point.overrides.get(key)) for key in keys})
            clash = set(head) & set(frame.columns)
            if clash:
                raise ValueError(
                    f"table {name!r} of point {point.id} already has columns {sorted(clash)}"
                )
            labelled = frame.copy()
            for position, (column, value) in enumerate(head.items()):
                labelled.insert(position, column, value)
            pieces.setdefault(name, []).append(labelled)
    return {name: pd.concat(frames, ignore_index=True) for name, frames in pieces.items()}


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ImportError(
            "running a sweep on a Dask scheduler needs dask.distributed: "
            'pip install "dask[distributed]"'
        ) from None
    return distributed


def _execute(
    pending: Sequence[Point],
    runner: Runner,
    directory: Path,
    format: str,
    processes: int,
    scheduler: str | None,
    bar: Any,
) -> dict[str, BaseException]:
    failures: dict[str, BaseException] = {}
    args = (str(directory), format)
    if scheduler is None and processes == 1:
        for point in pending:
            try:
                _run_point(runner, point, *args)
            except Exception as error:
                failures[point.id] = error
            bar.update(1)
        return failures
    if scheduler is None:
        executor = worker_pool(processes)
        try:
            futures = {executor.submit(_run_point, runner, p, *args): p for p in pending}
            for future in as_completed(futures):
                try:
                    future.result()
                except Exception as error:
                    failures[futures[future].id] = error
                bar.update(1)
        except BaseException:  # Ctrl-C above all: stop now, not after every queued point
            executor.stop()
            raise
        executor.shutdown()
        return failures
    distributed = _distributed()
    with distributed.Client(scheduler) as client:
        dask_futures = {client.submit(_run_point, runner, p, *args, pure=False): p for p in pending}
        for future in distributed.as_completed(list(dask_futures)):
            try:
                future.result()
            except Exception as error:
                failures[dask_futures[future].id] = error
            bar.update(1)
    return failures


def run_sweep(
    points: Sequence[Point],
    runner: Runner,
    directory: str | os.PathLike[str],
    processes: int = 1,
    scheduler: str | None = None,
    progress_bar: bool = True,
) -> dict[str, pd.DataFrame]:
    """Run every point of a sweep not already complete, and combine the results.

    Parameters
    ----------
    points : sequence of Point
        The points, each run once as ``runner(point.config, point.seed)``.
    runner : callable
        Returns a dict of table name to DataFrame. For ``processes > 1`` or a
        ``scheduler`` it must be picklable (a module-level function).
    directory : str or path-like
        The sweep folder: ``sweep.json``, ``manifest.json``, the combined tables and one
        run folder per point in ``points/<id>/``. Points whose folder is complete are
        skipped, so rerunning an interrupted sweep resumes it.
    processes : int, default 1
        Local worker processes (:class:`WorkerPool`), at most :func:`available_cores`; 1
        runs inline. Ignored when ``scheduler`` is given.
    scheduler : str, optional
        The address of a Dask scheduler to run the points on instead (needs
        ``dask.distributed``; ``directory`` must be on a filesystem the workers share).
    progress_bar : bool, default True
        Show a tqdm progress bar over the points.

    Returns
    -------
    dict of str to pandas.DataFrame
        For each table name, the concatenation over points in the points' order, with the
        columns ``point``, ``repetition``, ``seed`` and one per override key prepended.

    Raises
    ------
    SweepError
        If some points failed; the others are complete, and a rerun runs only the rest.
    FileExistsError
        If ``directory`` is a folder that is neither empty nor a sweep's (nothing is then
        touched).
    sccgames.experiments.runs.FolderInUseError
        If another sweep is writing ``directory``.
    KeyboardInterrupt
        On Ctrl-C: queued points are cancelled and the workers terminated at once; the
        sweep stays incomplete and a rerun resumes it.

    """
    points = list(points)
    _check_points(points)
    if isinstance(processes, bool) or not isinstance(processes, int) or processes < 1:
        raise ValueError(f"processes must be a positive integer, got {processes!r}")
    processes = min(processes, available_cores())
    directory = check_directory(directory)  # "" is not "."
    format = _resolve_format(None)
    manifest = _new_manifest({"points": [point.id for point in points]}, None, "sweep")
    if processes > 1 or scheduler is not None:
        try:
            pickle.dumps(runner)
        except Exception as error:
            raise TypeError(
                f"the runner {runner!r} cannot be sent to worker processes ({error}); "
                "use a module-level function"
            ) from None
    _check_takeover(directory, "sweep", overwrite=False, resume=True)  # before any write
    directory.mkdir(parents=True, exist_ok=True)
    with FolderLock(directory):
        old = _check_takeover(directory, "sweep", overwrite=False, resume=True)
        stale = _stale_tables(directory, old)
        _remove_scratch(directory)
        for scratch in directory.glob("points/*/.tmp-*"):
            scratch.unlink(missing_ok=True)
        write_json(directory / MANIFEST, manifest)
        for path in stale:
            path.unlink(missing_ok=True)
        write_json(
            directory / "sweep.json",
            {
                "points": [
                    {
                        "id": p.id,
                        "overrides": p.overrides,
                        "repetition": p.repetition,
                        "seed": p.seed,
                    }
                    for p in points
                ]
            },
        )
        pending = [p for p in points if not is_complete(directory / "points" / p.id)]
        bar = tqdm(
            total=len(points),
            initial=len(points) - len(pending),
            disable=not progress_bar,
            desc="sweep",
            unit="point",
        )
        with bar:
            failures = _execute(pending, runner, directory, format, processes, scheduler, bar)
        if failures:
            first = next(iter(failures.values()))
            raise SweepError(
                f"{len(failures)} of {len(points)} points failed (first: {first!r}); the "
                f"others are complete in {directory / 'points'}; rerun the sweep to run only "
                "the rest",
                failures,
            ) from first
        combined = _combine(points, directory)
        folder = RunFolder(directory, manifest, format)  # type: ignore[arg-type]
        for name, frame in combined.items():
            folder.write(name, frame)
        folder.finish()
    return combined


def _stale_tables(directory: Path, manifest: dict[str, Any] | None) -> list[Path]:
    """The combined tables an earlier run of the sweep wrote, each checked to be in the folder."""
    tables = (manifest or {}).get("tables", {})
    if not isinstance(tables, dict):
        raise ValueError(
            f"run folder {directory} has a malformed {MANIFEST}: 'tables' must map names to "
            "file names (was it edited?)"
        )
    return [_table_path(directory, filename) for filename in tables.values()]


def _demo_runner(config: dict[str, Any], seed: int) -> dict[str, pd.DataFrame]:
    """Toy runner, a test fixture importable by worker processes.

    Config keys (all optional): ``log`` (a file to which each call appends the point's id
    and a newline), ``pids`` (a file to which each call appends its process id and a
    newline), ``fail_if_exists`` (raise ``RuntimeError`` while this file exists),
    ``sleep`` (seconds to sleep), ``rows`` (default 3) and ``mean`` (default 0).

    Parameters
    ----------
    config : dict
        The point's configuration.
    seed : int
        The point's seed.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``values`` (``rows`` normal draws) and ``summary`` (their average).

    """
    if config.get("log"):
        with open(config["log"], "a") as log:
            log.write(point_id(config, seed) + "\n")
    if config.get("pids"):
        with open(config["pids"], "a") as pids:
            pids.write(f"{os.getpid()}\n")
    if config.get("fail_if_exists") and Path(config["fail_if_exists"]).exists():
        raise RuntimeError(f"demo failure for seed {seed}")
    time.sleep(float(config.get("sleep", 0)))
    rng = np.random.default_rng(seed)
    rows = int(config.get("rows", 3))
    values = pd.DataFrame(
        {"step": np.arange(rows), "value": rng.normal(float(config.get("mean", 0)), 1, rows)}
    )
    summary = pd.DataFrame({"average": [values["value"].mean()], "rows": [rows]})
    return {"values": values, "summary": summary}
