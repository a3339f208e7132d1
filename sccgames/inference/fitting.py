"""Fitting from experiment files: the ``[fit]`` section and ``sccgames fit`` (``docs/model.md`` §7).

An experiment file's ``[fit]`` section (:class:`~sccgames.experiments.config.FitSpec`) says which
models of :mod:`sccgames.inference.compare` to fit to which choice data; :func:`run` (and
:func:`sccgames.experiments.experiment.fit`, and ``sccgames fit FILE``) fits them and writes a run
folder (:mod:`sccgames.experiments.runs`: atomic writes, the manifest last) holding these tables:

Choice data (``data = "society"``, the file's own society, or a ``.csv`` file)
    ``choices``
        The data fitted, one row per subject and round (as
        :func:`~sccgames.inference.compare.choices_from_society` makes them; the game's payoffs are
        in the manifest, and each row's in its payoff columns when the data have them).
    ``fits``
        One row per model: ``model``, ``n_obs``, ``n_params``, ``loglik``, ``aic``, ``bic``,
        ``converged`` — on the training rounds when ``train_rounds`` is given, else on all.
    ``estimates``
        One row per model and parameter: ``estimate``, ``se`` (Hessian) and the Wald
        interval ``ci_low``, ``ci_high`` at :data:`LEVEL`.
    ``tests`` (the motive model and a rational rival)
        ``test``, ``model_a``, ``model_b``, ``statistic``, ``df``, ``p``: the likelihood-ratio
        test of the static rational model (``model_b``) nested in the motive model
        (``model_a``), statistic ``2 (log L_a − log L_b)`` with the p-value of
        :func:`~sccgames.inference.compare.likelihood_ratio_test` from ``lr_draws`` parametric
        bootstrap draws (or χ²_df with ``lr_draws = 0``, conservative, as the motive terms
        lie on their bound 0 under the rational model), and Vuong's test of the motive model
        against the best rational rival (the one with the lowest BIC,
        :func:`~sccgames.inference.selection.best_rival`; the learner and the
        reputation-aware agent are not nested in the motive model), ``z > 0`` favouring
        ``model_a``; a large statistic favours ``model_a`` in both.
    ``predictions``
        One row per model and round: ``split`` (``train`` or ``test``), ``n_obs``, the
        ``observed`` cooperation rate and the mean ``predicted`` P(C). In-sample fitted
        rates without ``train_rounds``; with it, predictions of rounds the fit never saw.
    ``scores`` (with ``train_rounds``)
        One row per model on the test rounds (``window``): ``log_loss`` and ``brier`` per
        choice, ``observed`` and ``predicted`` cooperation, and with the motive model and a
        rival the ``rival`` (chosen by BIC on the training rounds), the ``log_loss_gap``
        (rival − motive: positive when the motive model predicts better) with its bootstrap
        percentile interval ``ci_low``, ``ci_high`` (NaN without ``bootstrap``; the rival is
        chosen again in every replicate), and ``static_gap`` (static rational − motive).
    ``boot`` (with ``bootstrap``)
        One row per replicate: ``replicate``, ``window``, ``log_loss_gap``.

A published dataset (``data = "gneezy_rustichini_2000"``)
    Its transfer test (:func:`sccgames.inference.published.transfer_test`: fit on the control
    centres and weeks 1–8 of the fined ones, predict weeks 9–20) as ``fits`` and
    ``estimates`` (every model of the test: the static and the learning rational model and
    the motive model), ``tests`` (the likelihood-ratio test of motive against static only:
    Vuong's needs choice-level data), ``scores`` (its ``table``: the motive model against
    the rival chosen on the training weeks, the static model beside it), ``weeks`` and
    ``boot`` (the gap to the rival).

and a figure, :data:`FIGURE`: observed cooperation by round with each model's prediction and
the end of the training rounds marked (for a dataset, :func:`sccgames.inference.published.plot`).

Out-of-sample transfer needs training rounds in which the incentive varies (some fine, say):
without any, the motive model's precision β is not identified (its motive terms and β enter a
one-shot 2×2 game only through one affine function of the belief), so optima of equal
likelihood make very different predictions of a regime; ``configs/fit.toml`` therefore has a
small fine in its training rounds. β's standard error is NaN when this happens.

Every fit is seeded by the file's ``seed``: every model's random starts (the learning and
the motive model also start from the static estimates, so that their maxima are never below
the nested one's)
and the bootstrap's resampling, so that the same file gives the same tables. A bootstrap
replicate resamples subjects whole (a subject's choices are not independent) and refits
both models by one L-BFGS-B run each, started at the full-sample estimates (a warm start
finds the replicate's optimum at a fraction of the cost of fresh random starts).
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from sccgames.experiments._schema import PUBLISHED
from sccgames.experiments.config import REQUIRED_COLUMNS as REQUIRED_COLUMNS
from sccgames.experiments.config import (
    ConfigError,
    Experiment,
    FitSpec,
    _train_rounds_split,
    read_choices,
)
from sccgames.experiments.config import check_fit_data as check
from sccgames.experiments.runs import RunFolder, is_complete
from sccgames.inference import compare as inference
from sccgames.inference.compare import RIVALS, FitResult, Model
from sccgames.inference.published import TransferResult
from sccgames.inference.published import plot as plot_transfer
from sccgames.inference.selection import best_rival

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "FIGURE",
    "LEVEL",
    "RUN_KIND",
    "FitRun",
    "check",
    "choice_data",
    "plot_predictions",
    "read_choices",
    "report",
    "run",
]

#: Confidence level of every interval (Wald and bootstrap): the conventional 95%.
LEVEL = 0.95
#: The ``kind`` a fit's run folder has in its manifest.
RUN_KIND = "fit"
#: The figure's file name in the run folder (and in its ``report`` folder).
FIGURE = "predictions.png"
#: The tables ``sccgames fit`` and ``sccgames report`` print, in order, where present.
SUMMARY = ("fits", "estimates", "tests", "scores")
#: Row labels of the training and test rounds (as
#: :func:`sccgames.inference.published.transfer_test`).
TRAIN, TEST = "train", "test"
#: Row labels of the ``tests`` table.
LIKELIHOOD_RATIO, VUONG = "likelihood ratio", "vuong"
#: Line colours of the models (those of :func:`sccgames.inference.published.plot`).
COLOURS: Mapping[Model, str] = {
    Model.RATIONAL: "tab:blue",
    Model.LEARNING: "tab:green",
    Model.REPUTATION: "tab:purple",
    Model.MOTIVE: "tab:red",
}


@dataclass(frozen=True)
class FitRun:
    """What a fit produced (see the module docstring for the tables).

    Attributes
    ----------
    data : str
        What was fitted: ``"society"``, a dataset's name or a ``.csv`` path.
    tables : Mapping[str, pandas.DataFrame]
        The tables by name, as written to the run folder; ``run["fits"]`` is
        ``run.tables["fits"]``.
    figure : matplotlib.figure.Figure
        Observed and predicted cooperation (or late pick-ups) by round.
    directory : pathlib.Path or None
        The run folder, or ``None`` when nothing was written.

    """

    data: str
    tables: Mapping[str, pd.DataFrame]
    figure: Figure
    directory: Path | None = None

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]


# ----------------------------------------------------------------------------- data
def choice_data(experiment: Experiment) -> pd.DataFrame:
    """The choice data a ``[fit]`` section names: its society's choices or a ``.csv`` file.

    Raises
    ------
    ConfigError
        For a published dataset (fitted by its transfer test, not as choice data) or bad data.

    """
    spec = experiment.fit
    if spec is None or spec.published:
        raise ConfigError("no choice data to fit here", "fit.data", experiment.source)
    try:
        if spec.from_file:
            data = read_choices(spec.data, spec.payoffs, spec.columns)
        else:
            society = experiment.build()
            data = inference.choices_from_society(society)
        _train_rounds_split(data, spec)
    except ConfigError as exc:
        raise exc.located(experiment.source) from None
    return data


# ----------------------------------------------------------------------------- fitting
def _rows(data: pd.DataFrame, mask: Any) -> pd.DataFrame:
    """The rows of ``data`` in ``mask``, renumbered, with the payoffs kept."""
    out = data.loc[np.asarray(mask, bool)].reset_index(drop=True)
    out.attrs = dict(data.attrs)
    return out


def _fit_models(
    data: pd.DataFrame,
    models: tuple[Model, ...],
    starts: int,
    seed: int,
    warm: Mapping[Model, FitResult] | None = None,
    bar: Any = None,
) -> dict[Model, FitResult]:
    """Fit ``models`` in order; the motive model also starts at the rational estimates.

    With ``warm``, each model is fitted once from its ``warm`` estimates instead (the
    bootstrap's warm start).
    """
    fits: dict[Model, FitResult] = {}
    for model in models:
        if warm is not None:
            fits[model] = inference.fit(
                model.value, data, starts=0, seed=seed, init=warm[model].params
            )
        else:
            nested = fits.get(Model.RATIONAL) if model is not Model.RATIONAL else None
            init = None if nested is None else nested.params
            fits[model] = inference.fit(model.value, data, starts=starts, seed=seed, init=init)
        if bar is not None:
            bar.update()
    return fits


def _fits_table(fits: Mapping[str, FitResult]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "model": str(model),
                "n_obs": f.n_obs,
                "n_params": f.n_params,
                "loglik": f.loglik,
                "aic": f.aic,
                "bic": f.bic,
                "converged": f.converged,
            }
            for model, f in fits.items()
        ]
    )


def _estimates_table(fits: Mapping[str, FitResult]) -> pd.DataFrame:
    rows = []
    for model, f in fits.items():
        interval = f.ci(LEVEL)
        for name, value in f.params.items():
            rows.append(
                {
                    "model": str(model),
                    "parameter": name,
                    "estimate": value,
                    "se": f.se[name],
                    "ci_low": interval[name][0],
                    "ci_high": interval[name][1],
                }
            )
    return pd.DataFrame(rows)


def _comparable(fits: Mapping[Model, FitResult]) -> bool:
    """Whether ``fits`` hold the motive model and at least one rational rival."""
    return Model.MOTIVE in fits and any(m in fits for m in RIVALS)


def _tests_table(
    fits: Mapping[Model, FitResult],
    data: pd.DataFrame | None,
    draws: int = 0,
    seed: int = 0,
) -> pd.DataFrame:
    """The likelihood-ratio test of motive vs static, and Vuong's of motive vs the best rival.

    The LR test needs the nested pair (the static model and the motive model); with choice
    data and ``draws`` its null is the parametric bootstrap's, otherwise χ² (conservative).
    Vuong's test, for non-nested models too, needs the choice data; it puts the motive model
    against the rival chosen by BIC (:func:`~sccgames.inference.selection.best_rival`).
    """
    rows = []
    full = fits[Model.MOTIVE]
    if Model.RATIONAL in fits:
        nested = fits[Model.RATIONAL]
        boot = data if draws else None
        statistic, df, p = inference.likelihood_ratio_test(
            nested, full, boot, draws=draws, seed=seed
        )
        rows.append((LIKELIHOOD_RATIO, Model.RATIONAL.value, statistic, float(df), p))
    if data is not None:
        rival = best_rival({str(m): f for m, f in fits.items()})
        z, p_vuong = inference.vuong_test(data, full, fits[Model(rival)])
        rows.append((VUONG, rival, z, np.nan, p_vuong))
    return pd.DataFrame(
        [
            {
                "test": test,
                "model_a": Model.MOTIVE.value,
                "model_b": model_b,
                "statistic": float(statistic),
                "df": df,
                "p": float(p),
            }
            for test, model_b, statistic, df, p in rows
        ]
    )


def _predict(fit: FitResult, data: pd.DataFrame) -> np.ndarray:
    """:func:`sccgames.inference.compare.predict`, its error put at ``fit.train_rounds``."""
    try:
        return inference.predict(fit, data)
    except ValueError as exc:
        raise ConfigError(
            f"cannot predict the rounds the fit did not see: {exc} (the training rounds do "
            "not identify it; fit on rounds where the regime already has that feature)",
            "fit.train_rounds",
        ) from None


def _log_loss_gap(fits: Mapping[Model, FitResult], test: pd.DataFrame) -> float:
    """Out-of-sample log loss of the best rival minus the motive model's.

    The rival is the rational model with the lowest BIC on the training fits.
    """
    rival = Model(best_rival({str(m): f for m, f in fits.items()}))
    y = test["cooperated"].to_numpy(bool)
    loss = {m: inference.log_loss(_predict(fits[m], test), y) for m in (rival, Model.MOTIVE)}
    return loss[rival] - loss[Model.MOTIVE]


def _bootstrap(
    data: pd.DataFrame,
    spec: FitSpec,
    fits: Mapping[Model, FitResult],
    seed: int,
    window: str,
    bar: Any,
) -> pd.DataFrame:
    """Log-loss gaps over subjects resampled whole, both models refitted (warm) each time."""
    assert spec.train_rounds is not None
    rng = np.random.default_rng(seed)
    _, inverse = np.unique(data["subject"].to_numpy(), return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    rows_of = np.split(order, np.cumsum(np.bincount(inverse))[:-1])
    gaps = []
    for _ in range(spec.bootstrap):
        drawn = rng.integers(0, len(rows_of), len(rows_of))
        sample = data.iloc[np.concatenate([rows_of[g] for g in drawn])].reset_index(drop=True)
        sample.attrs = dict(data.attrs)
        early = sample["round"] < spec.train_rounds
        refits = _fit_models(_rows(sample, early), tuple(fits), 0, seed, warm=fits)
        gaps.append(_log_loss_gap(refits, _rows(sample, ~early)))
        bar.update()
    return pd.DataFrame(
        {"replicate": np.arange(len(gaps)), "window": window, "log_loss_gap": np.array(gaps)}
    )


def _predictions_table(
    fits: Mapping[Model, FitResult], data: pd.DataFrame, train_rounds: int | None
) -> pd.DataFrame:
    """Observed and mean predicted cooperation per model and round."""
    parts = []
    for model, f in fits.items():
        by_round = (
            pd.DataFrame(
                {
                    "round": data["round"].to_numpy(),
                    "observed": data["cooperated"].to_numpy(float),
                    "predicted": _predict(f, data),
                }
            )
            .groupby("round")
            .agg(
                n_obs=("observed", "size"),
                observed=("observed", "mean"),
                predicted=("predicted", "mean"),
            )
            .reset_index()
        )
        late = by_round["round"] >= (np.inf if train_rounds is None else train_rounds)
        by_round.insert(0, "model", model.value)
        by_round.insert(2, "split", np.where(late, TEST, TRAIN))
        parts.append(by_round)
    return pd.concat(parts, ignore_index=True)


def _fit_choices(data: pd.DataFrame, spec: FitSpec, seed: int, bar: Any) -> dict[str, pd.DataFrame]:
    """The tables of a fit of choice data (module docstring)."""
    k = spec.train_rounds
    train = data if k is None else _rows(data, data["round"] < k)
    fits = _fit_models(train, spec.models, spec.starts, seed, bar=bar)
    tables = {"choices": data, "fits": _fits_table(fits), "estimates": _estimates_table(fits)}
    if _comparable(fits):
        tables["tests"] = _tests_table(fits, train, spec.lr_draws, seed)
    tables["predictions"] = _predictions_table(fits, data, k)
    if k is None:
        return tables
    test = _rows(data, data["round"] >= k)
    window = f"rounds {k}-{int(test['round'].max())}"
    y = test["cooperated"].to_numpy(bool)
    rows = []
    for model, f in fits.items():
        p = _predict(f, test)
        rows.append(
            {
                "window": window,
                "model": model.value,
                "n_obs": len(test),
                "log_loss": inference.log_loss(p, y),
                "brier": inference.brier(p, y),
                "observed": float(y.mean()),
                "predicted": float(p.mean()),
            }
        )
    scores = pd.DataFrame(rows)
    if _comparable(fits):
        loss = dict(zip(scores["model"], scores["log_loss"], strict=True))
        rival = best_rival({str(m): f for m, f in fits.items()})
        scores["rival"] = rival
        scores["log_loss_gap"] = loss[rival] - loss[Model.MOTIVE.value]
        if Model.RATIONAL in fits:
            scores["static_gap"] = loss[Model.RATIONAL.value] - loss[Model.MOTIVE.value]
        low = high = np.nan
        if spec.bootstrap:
            boot = _bootstrap(data, spec, fits, seed, window, bar)
            tail = (1.0 - LEVEL) / 2.0
            low, high = np.quantile(boot["log_loss_gap"], [tail, 1.0 - tail])
            tables["boot"] = boot
        scores["ci_low"], scores["ci_high"] = float(low), float(high)
    tables["scores"] = scores
    return tables


def _fit_published(spec: FitSpec, seed: int) -> tuple[dict[str, pd.DataFrame], TransferResult]:
    """The transfer test of a published dataset, as tables (module docstring)."""
    result = PUBLISHED[spec.data](n_boot=spec.bootstrap, seed=seed, level=LEVEL)
    fits = result.fits  # every model of the dataset's test, its rational rivals included
    tables = {
        "fits": _fits_table(fits),
        "estimates": _estimates_table(fits),
        "tests": _tests_table(fits, None),
        "scores": result.table,
        "weeks": result.weeks,
    }
    if result.n_boot:
        boot = result.boot.rename_axis("replicate").reset_index()
        tables["boot"] = boot.melt(
            id_vars="replicate", var_name="window", value_name="log_loss_gap"
        )
    return tables, result


# ----------------------------------------------------------------------------- figures
def _new_axes() -> Axes:
    from matplotlib.figure import Figure

    return Figure(figsize=(7, 4), layout="constrained").subplots()


def plot_predictions(predictions: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Observed cooperation by round and each model's prediction, train/test boundary marked.

    Parameters
    ----------
    predictions : pandas.DataFrame
        The ``predictions`` table of a fit (module docstring).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure (without pyplot) by default.

    Returns
    -------
    matplotlib.axes.Axes

    """
    ax = _new_axes() if ax is None else ax
    models = list(dict.fromkeys(predictions["model"]))
    first = predictions[predictions["model"] == models[0]]
    tested = first.loc[first["split"] == TEST, "round"]
    if len(tested):
        boundary = int(tested.min())
        ax.axvspan(boundary - 0.5, first["round"].max() + 0.5, color="0.92", label="test rounds")
        ax.axvline(boundary - 0.5, color="0.3", linestyle="--", label=f"train | test ({boundary})")
        title = f"Fitted on rounds < {boundary}, predicted from round {boundary} on"
    else:
        title = "Fitted on every round (in-sample)"
    ax.plot(first["round"], first["observed"], "ko", markersize=4, label="observed")
    for model in models:
        rows = predictions[predictions["model"] == model]
        colour = COLOURS.get(Model(model))
        ax.plot(rows["round"], rows["predicted"], "-", color=colour, label=f"{model} model")
    ax.set_xlabel("round")
    ax.set_ylabel("cooperation rate (share of choices C)")
    ax.set_ylim(0.0, 1.0)
    ax.set_title(f"Observed and predicted cooperation by round\n{title}")
    ax.legend(loc="best", fontsize="small")
    return ax


def _transfer_result(tables: Mapping[str, pd.DataFrame], seed: int) -> TransferResult:
    """A :class:`~.published.TransferResult` rebuilt from a run's tables (to plot it)."""
    boot = tables.get("boot")
    wide = (
        pd.DataFrame()
        if boot is None
        else boot.pivot(index="replicate", columns="window", values="log_loss_gap")
    )
    return TransferResult(
        table=tables["scores"],
        weeks=tables["weeks"],
        fits={},
        boot=wide,
        seed=seed,
        n_boot=len(wide),
    )


def _figure(tables: Mapping[str, pd.DataFrame], seed: int) -> Figure:
    """The figure of a fit's tables: predictions by round, or a dataset's transfer test."""
    ax = _new_axes()
    if "weeks" in tables:
        ax.figure.set_size_inches(9, 4.5)
        plot_transfer(_transfer_result(tables, seed), ax=ax)
    else:
        plot_predictions(tables["predictions"], ax=ax)
    return ax.figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


# ----------------------------------------------------------------------------- runs
def run(
    experiment: Experiment,
    directory: str | os.PathLike[str] | None = None,
    *,
    overwrite: bool = False,
    progress_bar: bool = True,
) -> FitRun:
    """Fit the models of an experiment's ``[fit]`` section (see the module docstring).

    Parameters
    ----------
    experiment : Experiment
        A parsed experiment with a ``[fit]`` section.
    directory : path, optional
        The run folder to write (tables, :data:`FIGURE`, manifest last); nothing is
        written when ``None``.
    overwrite : bool, default False
        Replace a complete run folder at ``directory``.
    progress_bar : bool, default True
        Show a progress bar (data, each model, each bootstrap replicate).

    Returns
    -------
    FitRun

    Raises
    ------
    ConfigError
        For a file without a ``[fit]`` section or data that cannot be fitted as asked.
    FileExistsError
        If ``directory`` holds a complete run and ``overwrite`` is False (checked before
        any fitting).

    """
    spec = experiment.fit
    if spec is None:
        raise ConfigError(
            "no [fit] section to fit (add one, or run it with 'sccgames run')",
            "fit",
            experiment.source,
        )
    if directory is not None and is_complete(directory) and not overwrite:
        raise FileExistsError(
            f"run folder {directory} is already complete; pass overwrite=True (--overwrite) "
            "to replace it or choose another directory"
        )
    started = time.perf_counter()
    extra: dict[str, Any] = {"data": spec.data}
    if spec.published:
        with tqdm(total=1, desc="transfer test", disable=not progress_bar) as bar:
            tables, _ = _fit_published(spec, experiment.seed)
            bar.update()
    else:
        steps = 1 + len(spec.models) + (spec.bootstrap if spec.train_rounds else 0)
        with tqdm(total=steps, desc="fit", disable=not progress_bar) as bar:
            data = choice_data(experiment)
            bar.update()
            try:
                tables = _fit_choices(data, spec, experiment.seed, bar)
            except ConfigError as exc:
                raise exc.located(experiment.source) from None
        # the default game; a game per row is in the choices table's payoff columns
        extra["payoffs"] = data.attrs.get("payoffs", "per row")
    figure = _figure(tables, experiment.seed)
    folder_path = None
    if directory is not None:
        folder = RunFolder.create(
            directory,
            config=experiment.to_dict(),
            seed=experiment.seed,
            kind=RUN_KIND,
            overwrite=overwrite,
        )
        for name, frame in tables.items():
            folder.write(name, frame)
        folder.write_file(FIGURE, _png(figure))
        folder.finish(**extra, seconds=round(time.perf_counter() - started, 3))
        folder_path = folder.directory
    return FitRun(data=spec.data, tables=tables, figure=figure, directory=folder_path)


def report(directory: str | os.PathLike[str]) -> dict[str, Any]:
    """The summary tables of a fit's run folder, and its figure redrawn from its tables.

    Returns
    -------
    dict
        ``"tables"``: name to DataFrame, :data:`SUMMARY` where present; ``"plots"``: the
        path of :data:`FIGURE` in ``directory/report``.

    """
    folder = RunFolder.open(directory)
    tables = folder.read_all()
    manifest = folder.manifest
    out = Path(directory) / "report"
    out.mkdir(exist_ok=True)
    path = out / FIGURE
    path.write_bytes(_png(_figure(tables, int(manifest.get("seed") or 0))))
    return {"tables": {k: tables[k] for k in SUMMARY if k in tables}, "plots": [path]}
