"""Experiments as files: run a config (file or object) into a run folder, or sweep it.

``sccgames.run("file.toml")`` and ``sccgames.run(config)`` are the same thing: the file is
parsed into the one schema of :mod:`sccgames.experiments.config`, the experiment is built through
the Python API, its result tables are written to a run folder (:mod:`sccgames.experiments.runs`)
with the resolved config and seed in its manifest. A config with a ``[sweep]`` section runs every
point of the sweep, resumably (:mod:`sccgames.experiments.sweep`); one with a ``[fit]`` section is
fitted by :func:`fit` (:mod:`sccgames.inference.fitting`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from sccgames.experiments import config as schema
from sccgames.experiments.runs import (
    MANIFEST,
    RunFolder,
    _check_takeover,
    check_directory,
    check_run_name,
    read_run,
)
from sccgames.experiments.sweep import ID_COLUMNS, Point, available_cores, run_sweep
from sccgames.inference import fitting


def tables(result: Any) -> dict[str, pd.DataFrame]:
    """The tidy tables of a tournament's or a society's results, by name.

    A society of several communities also gives ``by_community``, one row per round and
    community (what the regime did to each, and how each reads it).
    """
    if hasattr(result, "summary"):
        return {"summary": result.summary.reset_index(), "matches": result.matches}
    found = {"metrics": result.metrics, "by_type": result.by_type, "agents": result.agents}
    if not result.by_community.empty:
        found["by_community"] = result.by_community
    return found


def run_point(config: dict[str, Any], seed: int) -> dict[str, pd.DataFrame]:
    """Run one resolved config with ``seed``: what every sweep point does.

    A table column named like one of the columns a sweep prepends
    (:data:`sccgames.experiments.sweep.ID_COLUMNS`) is renamed ``<kind>_<column>``: a tournament's
    ``repetition`` (of a match) becomes ``tournament_repetition``, since ``repetition`` in a
    sweep's tables is the repetition of the point.
    """
    experiment = schema.parse({**config, "seed": seed})
    built = experiment.build()
    found = tables(
        built.play(progress_bar=False)
        if experiment.kind == "tournament"
        else built.run(progress_bar=False)
    )
    renamed = {}
    for name, frame in found.items():
        clash = {c: f"{experiment.kind}_{c}" for c in frame.columns if c in ID_COLUMNS}
        renamed[name] = frame.rename(columns=clash) if clash else frame
    return renamed


def _experiment(source: str | os.PathLike | schema.Experiment | dict) -> schema.Experiment:
    if isinstance(source, schema.Experiment):
        return source
    if isinstance(source, dict):
        return schema.parse(source)
    return schema.load(source)


#: The folder that holds run folders by default, ``runs/<name>``.
RUNS = Path("runs")


def default_directory(experiment: schema.Experiment) -> Path:
    """Where a run goes by default: ``[output] directory``, else ``runs/<name>``.

    The name must be a safe run name (:func:`sccgames.experiments.runs.check_run_name`), so that
    ``runs/<name>`` is a folder inside ``runs``; a ``ValueError`` says so otherwise.
    """
    configured = experiment.output.directory
    if configured:
        return Path(configured)
    return RUNS / check_run_name(experiment.name)


def capped_processes(processes: int) -> int:
    """``processes``, at most the cores this process may use (:func:`sweep.available_cores`).

    Results never depend on the number of processes, only the time does, and more worker
    processes than cores only cost memory.
    """
    return max(1, min(int(processes), available_cores()))


def run(
    source: str | os.PathLike | schema.Experiment | dict,
    out: str | os.PathLike | None = None,
    seed: int | None = None,
    processes: int | None = None,
    progress_bar: bool = True,
    overwrite: bool = False,
) -> dict[str, pd.DataFrame]:
    """Run an experiment file or config into a run folder and return its tables.

    Parameters
    ----------
    source : path, Experiment or dict
        A TOML or YAML file, a parsed :class:`~sccgames.experiments.config.Experiment`, or the same
        tree as a dict.
    out : path, optional
        The run folder (default: the config's ``[output] directory``, else ``runs/<name>``).
    seed : int, optional
        Overrides the config's seed.
    processes : int, optional
        Overrides ``[execution] processes`` (sweeps and tournaments).
    progress_bar : bool, default True
        Show progress bars.
    overwrite : bool, default False
        Replace a complete run folder at ``out`` (an incomplete one is always replaced).
        Only a run folder of the same kind is ever replaced, never another folder.

    Returns
    -------
    dict of str to pandas.DataFrame
        The result tables, as written to the run folder.

    Raises
    ------
    ValueError
        For a bad config or run folder path (see :func:`sccgames.experiments.runs.check_directory`).
    FileExistsError
        If ``out`` is a folder that may not be taken over (see
        :meth:`sccgames.experiments.runs.RunFolder.create`); nothing is touched then.
    sccgames.experiments.runs.FolderInUseError
        If another run is writing ``out``.

    Notes
    -----
    ``processes`` is capped at the cores available (:func:`capped_processes`); the run
    folder's manifest records the number used.

    """
    experiment = _experiment(source)
    if experiment.kind == "fit":
        raise schema.ConfigError(
            "kind = 'fit' is fitted, not run: use 'sccgames fit FILE'", "kind", experiment.source
        )
    resolved = experiment.to_dict()
    if seed is not None:
        resolved["seed"] = seed
    if processes is not None:  # tournaments and sweeps read it from [execution]
        resolved["execution"]["processes"] = processes
    workers = capped_processes(resolved["execution"]["processes"])
    resolved["execution"]["processes"] = workers
    directory = check_directory(out if out is not None else default_directory(experiment))
    if experiment.sweep is not None:
        return sweep(resolved, directory, processes=workers, progress_bar=progress_bar)
    experiment = schema.parse(resolved)
    with RunFolder.create(
        directory, config=resolved, seed=resolved["seed"], kind=experiment.kind, overwrite=overwrite
    ) as folder:
        built = experiment.build()
        result = (
            built.play(progress_bar=progress_bar)
            if experiment.kind == "tournament"
            else built.run(progress_bar=progress_bar)
        )
        out_tables = tables(result)
        for name, frame in out_tables.items():
            folder.write(name, frame)
        folder.finish()
    return out_tables


def sweep(
    source: str | os.PathLike | schema.Experiment | dict,
    out: str | os.PathLike,
    processes: int = 1,
    scheduler: str | None = None,
    progress_bar: bool = True,
) -> dict[str, pd.DataFrame]:
    """Run every point of a config's ``[sweep]`` (resumably) and return the combined tables.

    Each point is the config with the sweep's overrides applied and its own seed (the
    config's seed plus the repetition); its identity is a hash of both, so a sweep that was
    stopped, even killed, and is started again runs only the points not yet complete.
    Points run in ``processes`` local processes, or on the Dask scheduler at ``scheduler``
    (or ``[execution] scheduler``); ``[execution] backend = "dask"`` without an address
    starts a local Dask cluster of ``processes`` workers. Local processes are capped at the
    cores available (:func:`capped_processes`).

    Only a missing or empty folder, or a sweep's own folder, is ever taken as ``out``;
    another writer's sweep there is refused (:class:`sccgames.experiments.runs.FolderInUseError`).
    """
    experiment = _experiment(source)
    # refuse a folder that may not be taken over before a point is checked or a cluster started
    _check_takeover(check_directory(out), "sweep", overwrite=False, resume=True)
    processes = capped_processes(processes)
    resolved = experiment.to_dict()
    points = []
    for overrides, repetition in schema.sweep_points(experiment):
        config = schema.with_overrides(resolved, overrides)
        # a point is what is run, not how or where: the same point on any backend is one
        # (and a sweep has no [fit]: its empty entry is left out, so identities stay stable)
        for section in ("sweep", "execution", "output", "fit"):
            config.pop(section, None)
        schema.validate(config)  # a bad point fails before anything runs
        points.append(Point(config, int(resolved["seed"]) + repetition, overrides, repetition))
    address = scheduler or experiment.execution.scheduler or None
    if address is None and experiment.execution.backend == "dask":
        # [execution] backend = "dask" without an address: a local Dask cluster
        from distributed import LocalCluster

        with LocalCluster(
            n_workers=processes, threads_per_worker=1, dashboard_address=None
        ) as cluster:
            return run_sweep(
                points,
                run_point,
                out,
                scheduler=cluster.scheduler_address,
                progress_bar=progress_bar,
            )
    return run_sweep(
        points,
        run_point,
        out,
        processes=processes,
        scheduler=address,
        progress_bar=progress_bar,
    )


def fit(
    source: str | os.PathLike | schema.Experiment | dict,
    directory: str | os.PathLike | None = None,
    *,
    overwrite: bool = False,
    progress_bar: bool = True,
) -> fitting.FitRun:
    """Fit the models of an experiment's ``[fit]`` section (what ``sccgames fit`` does).

    Parameters
    ----------
    source : path, Experiment or dict
        An experiment file, a parsed :class:`~sccgames.experiments.config.Experiment` or its tree,
        with a ``[fit]`` section: a society (its own choices are fitted) or ``kind = "fit"`` (a
        published dataset or a ``.csv`` file of choices).
    directory : path, optional
        The run folder to write; by default nothing is written (``sccgames fit`` writes to
        ``--out``, else ``[output] directory``, else ``runs/<name>``).
    overwrite : bool, default False
        Replace a complete run folder at ``directory``.
    progress_bar : bool, default True
        Show a progress bar.

    Returns
    -------
    sccgames.inference.fitting.FitRun
        The tables by name (``fits``, ``estimates``, ``tests``, ``predictions``, ``scores``
        ...; see :mod:`sccgames.inference.fitting`), the figure and the run folder.

    """
    return fitting.run(
        _experiment(source), directory, overwrite=overwrite, progress_bar=progress_bar
    )


def load_run(directory: str | os.PathLike) -> dict[str, pd.DataFrame]:
    """The tables of a finished run folder (a clear error if it is missing or incomplete)."""
    return read_run(directory)


#: Figures :func:`report` plots for a society, one PNG each.
SOCIETY_FIGURES = ("cooperation", "trust", "norm", "legitimacy")


def report(directory: str | os.PathLike) -> dict[str, Any]:
    """Summary tables and PNG plots of a finished run folder.

    Returns a dict with ``"tables"`` (name to summary DataFrame, also what the command
    prints) and ``"plots"`` (paths of the PNG files written into ``directory/report``). A fit's
    run folder gets its fit tables and figure (:func:`sccgames.inference.fitting.report`).
    """
    kind = RunFolder.open(directory).manifest.get("kind")
    try:
        if kind == fitting.RUN_KIND:
            return fitting.report(directory)
        return _report(directory)
    except KeyError as error:  # a table without a column its kind always has
        raise ValueError(
            f"run folder {directory}: its tables are not those of a {str(kind)[:40]} run "
            f"(missing {error}); was its {MANIFEST} edited?"
        ) from None


def _report(directory: str | os.PathLike) -> dict[str, Any]:
    """:func:`report` of a tournament, a society or a sweep of them."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sccgames.experiments import plots

    found = read_run(directory)
    out = Path(directory) / "report"
    out.mkdir(exist_ok=True)
    written: list[Path] = []
    summaries: dict[str, pd.DataFrame] = {}

    def save(ax: Any, name: str) -> None:
        path = out / f"{name}.png"
        ax.figure.savefig(path, dpi=100, bbox_inches="tight")
        plt.close(ax.figure)
        written.append(path)

    if "summary" in found:  # a tournament
        summaries["summary"] = found["summary"]
        save(plots.payoff_boxplot(found["matches"]), "payoffs")
        save(plots.cooperation_by_domain(found["summary"]), "cooperation_by_domain")
    if "metrics" in found:  # a society, or a sweep of societies
        metrics = found["metrics"]
        every = metrics[metrics["domain"] == "all"]
        last = every[every["round"] == every["round"].max()]
        summaries["final_round"] = last.drop(columns=["domain"]).reset_index(drop=True)
        if "point" not in metrics.columns:  # one society: its figures round by round
            for figure in SOCIETY_FIGURES:
                save(plots.society_over_rounds(metrics, figure), figure)
    return {"tables": summaries, "plots": written}
