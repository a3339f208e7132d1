"""Published data shipped inside the package, with citations, behind one loader.

Every dataset is a :class:`Dataset` in the one registry :data:`DATASETS`; :func:`available`
lists them, :func:`describe` gives the citation and a description, :func:`load` returns a table
as a typed :class:`pandas.DataFrame` and :func:`choices` returns the data as binomial choice
counts for :mod:`sccgames.inference.compare`. The files live in ``sccgames/data/`` (see the README
there) and are read through :mod:`importlib.resources`, so loading works from an installed
wheel whatever the working directory.

Datasets
--------
``gneezy_rustichini_2000``
    The day-care field experiment of [GneezyRustichini2000]_: weekly late arrivals in 10
    centres, 6 of which got a fine in weeks 5–16 that was then removed.

Examples
--------
>>> from sccgames import datasets
>>> datasets.available()
['gneezy_rustichini_2000']
>>> weeks = datasets.load("gneezy_rustichini_2000")
>>> weeks.shape
(200, 6)

"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from types import MappingProxyType

import pandas as pd

from sccgames.bibliography import reference

__all__ = ["DATASETS", "Dataset", "available", "choices", "describe", "load"]

Loader = Callable[[str, Traversable], pd.DataFrame]
"""A table reader: called with the table name and the packaged file, returns the typed frame."""


@dataclass(frozen=True)
class Dataset:
    """One published dataset: where its files are, whom to cite and how to read it.

    Parameters
    ----------
    name : str
        Registry name, e.g. ``"gneezy_rustichini_2000"``.
    files : Mapping[str, str]
        Table name -> file name inside ``sccgames/data/``. The first table is the default of
        :func:`load`.
    citation : str
        Key into :data:`sccgames.bibliography.BIBLIOGRAPHY`.
    description : str
        Design, columns and caveats, in a few sentences.
    loader : Loader
        ``loader(table, resource)`` reads the packaged file of ``table`` and sets the dtypes.
    choices : Callable[[], pandas.DataFrame] or None, optional
        Builds the binomial choice counts for :mod:`sccgames.inference.compare`; ``None`` if the
        dataset has no choice form.

    """

    name: str
    files: Mapping[str, str] = field(hash=False)
    citation: str
    description: str
    loader: Loader
    choices: Callable[[], pd.DataFrame] | None = None

    @property
    def tables(self) -> list[str]:
        """Table names, the default (first) one first."""
        return list(self.files)

    @property
    def default_table(self) -> str:
        """The table :func:`load` returns when none is named."""
        return self.tables[0]

    def resource(self, table: str) -> Traversable:
        """Return the packaged file of ``table`` (no check that ``table`` exists)."""
        return resources.files("sccgames") / "data" / self.files[table]


def _unknown(what: str, given: str, known: Iterable[str], where: str = "") -> ValueError:
    """Build the one error for an unknown name: a did-you-mean and the list of what exists.

    Parameters
    ----------
    what : str
        What was looked up (``"dataset"``, ``"table"``).
    given : str
        The name asked for.
    known : Iterable[str]
        The names that exist.
    where : str, optional
        Appended after the name, e.g. ``" of dataset 'x'"``.

    Returns
    -------
    ValueError
        To be raised by the caller.

    """
    known = sorted(known)
    close = difflib.get_close_matches(str(given), known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else "."
    listing = ", ".join(known) if known else "(none)"
    return ValueError(f"unknown {what} {given!r}{where}{hint} Available {what}s: {listing}.")


def _read_table(source: Traversable, dtypes: Mapping[str, object]) -> pd.DataFrame:
    """Read a CSV whose columns must be exactly ``dtypes`` (in order), with no missing value.

    Parameters
    ----------
    source : Traversable
        The file (a packaged resource or any path).
    dtypes : Mapping[str, object]
        Column -> dtype, in file order. A value outside a categorical dtype's categories is
        rejected (not silently turned into a missing value).

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    ValueError
        If the columns differ from ``dtypes`` or a value is missing or not a category.

    """
    with source.open("r", encoding="utf-8") as handle:
        frame = pd.read_csv(handle)
    if list(frame.columns) != list(dtypes):
        raise ValueError(f"{source.name}: columns {list(frame.columns)}, expected {list(dtypes)}")
    if frame.isna().any().any():
        raise ValueError(f"{source.name}: missing values")
    bad = [
        column
        for column, dtype in dtypes.items()
        if isinstance(dtype, pd.CategoricalDtype)
        and not frame[column].isin(list(dtype.categories)).all()
    ]
    if bad:
        raise ValueError(f"{source.name}: values outside the known categories in {bad}")
    return frame.astype(dict(dtypes))


# --- Gneezy & Rustichini (2000) ----------------------------------------------------------

GR_GROUPS = pd.CategoricalDtype(["control", "fine"])
"""``group`` of :data:`GNEEZY_RUSTICHINI_2000`: no fine / fine in weeks 5–16."""

GR_PERIODS = pd.CategoricalDtype(["pre_fine", "fine", "post_fine"], ordered=True)
"""``period`` of :data:`GNEEZY_RUSTICHINI_2000`: weeks 1–4, 5–16, 17–20."""

GR_FINE_WEEKS = range(5, 17)
"""Weeks in which the fine was in force in the fine centres."""

GR_AFTER_WEEKS = range(17, 21)
"""Weeks after the fine was removed."""

_GR_DTYPES: Mapping[str, Mapping[str, object]] = MappingProxyType(
    {
        "weeks": {
            "center": "int64",
            "group": GR_GROUPS,
            "n_children": "int64",
            "week": "int64",
            "period": GR_PERIODS,
            "late_pickups": "int64",
        },
        "periods": {
            "center": "int64",
            "group": GR_GROUPS,
            "n_children": "int64",
            "mean_weeks_1_4": "float64",
            "mean_weeks_5_8": "float64",
            "mean_weeks_5_16": "float64",
            "mean_weeks_17_20": "float64",
        },
    }
)


def _load_gneezy_rustichini(table: str, source: Traversable) -> pd.DataFrame:
    """Read a table of [GneezyRustichini2000]_ with its dtypes (see :data:`_GR_DTYPES`)."""
    return _read_table(source, _GR_DTYPES[table])


def _gneezy_rustichini_choices() -> pd.DataFrame:
    """Table 1 of [GneezyRustichini2000]_ as binomial choice counts.

    One row per centre and week. Each child is taken as one choice per week, punctual or late:
    ``trials`` = ``n_children`` and ``defections`` = ``min(late_pickups, n_children)``. This is
    an approximation: ``late_pickups`` counts late arrivals, and a parent can be late more than
    once a week, so a count can exceed the number of children. It does in 2 of the 200
    centre-weeks (centre 5, 33 children, 35 late arrivals in weeks 9 and 18); those rows are
    capped at 33 and flagged in ``capped``.

    Returns
    -------
    pandas.DataFrame
        Columns ``subject`` (int, the centre), ``round`` (int, the week), ``group``
        (categorical ``control``/``fine``), ``fine_in_force`` (bool: fine centres in weeks
        5–16), ``after_fine`` (bool: fine centres in weeks 17–20), ``trials`` (int),
        ``defections`` (int) and ``capped`` (bool: ``late_pickups > n_children``). The same
        note is in ``frame.attrs["note"]``.

    """
    weeks = load("gneezy_rustichini_2000", table="weeks")
    fined = weeks["group"] == "fine"
    capped = weeks["late_pickups"] > weeks["n_children"]
    frame = pd.DataFrame(
        {
            "subject": weeks["center"],
            "round": weeks["week"],
            "group": weeks["group"],
            "fine_in_force": fined & weeks["week"].isin(GR_FINE_WEEKS),
            "after_fine": fined & weeks["week"].isin(GR_AFTER_WEEKS),
            "trials": weeks["n_children"],
            "defections": weeks["late_pickups"].clip(upper=weeks["n_children"]),
            "capped": capped,
        }
    )
    frame.attrs["note"] = (
        "Each child is one punctual/late choice per week (trials = n_children); late_pickups "
        "counts late arrivals and a parent can be late more than once a week, so defections = "
        f"min(late_pickups, n_children); {int(capped.sum())} of {len(frame)} rows are capped."
    )
    return frame


GNEEZY_RUSTICHINI_2000 = Dataset(
    name="gneezy_rustichini_2000",
    files=MappingProxyType(
        {
            "weeks": "gneezy_rustichini_2000_table1_long.csv",
            "periods": "gneezy_rustichini_2000_table2_period_means.csv",
        }
    ),
    citation="GneezyRustichini2000",
    description=(
        "Field experiment in 10 private day-care centres in Haifa, January-June 1998. Centres "
        "1-6 (group 'fine'): a fine of NIS 10 per child for arriving 10 minutes or more late "
        "was announced at the start of week 5 and removed, without explanation, at the start "
        "of week 17. Centres 7-10 (group 'control'): no fine. Outcome: late arrivals per week.\n"
        "Table 'weeks' (the paper's Table 1, long form, 200 rows): center, group, n_children, "
        "week (1-20), period (pre_fine weeks 1-4, fine 5-16, post_fine 17-20), late_pickups.\n"
        "Table 'periods' (the paper's Table 2, 10 rows): mean late arrivals per week by centre "
        "for weeks 1-4, 5-8, 5-16 and 17-20; the 5-16 column is truncated to one decimal.\n"
        "Pooled means: fine centres 8.00 before, 16.44 during, 18.71 after the fine; control "
        "centres 10.00, 9.23, 8.25. Week 11 (4 days) was scaled by 5/4 in the paper; a "
        "holiday week after week 14 is not counted."
    ),
    loader=_load_gneezy_rustichini,
    choices=_gneezy_rustichini_choices,
)
"""The day-care fine experiment of [GneezyRustichini2000]_."""

# --- the registry ------------------------------------------------------------------------

DATASETS: Mapping[str, Dataset] = MappingProxyType(
    {dataset.name: dataset for dataset in (GNEEZY_RUSTICHINI_2000,)}
)
"""Every shipped dataset by name; :func:`available`, :func:`load` etc. all read this."""


def _dataset(name: str) -> Dataset:
    """Look ``name`` up in :data:`DATASETS`, or raise the did-you-mean :class:`ValueError`."""
    try:
        return DATASETS[name]
    except KeyError:
        raise _unknown("dataset", name, DATASETS) from None


def available() -> list[str]:
    """Return the names of the shipped datasets, sorted.

    Returns
    -------
    list of str

    """
    return sorted(DATASETS)


def describe(name: str) -> str:
    """Return the citation, the description and the tables of a dataset.

    Parameters
    ----------
    name : str
        A name from :func:`available`.

    Returns
    -------
    str
        The full reference from :data:`sccgames.bibliography.BIBLIOGRAPHY`, then the
        description, then the tables and their files.

    Raises
    ------
    ValueError
        If ``name`` is unknown.

    """
    dataset = _dataset(name)
    tables = "\n".join(
        f"  {table}: data/{file}" + (" (default)" if table == dataset.default_table else "")
        for table, file in dataset.files.items()
    )
    return (
        f"{dataset.name}\n"
        f"Source [{dataset.citation}]: {reference(dataset.citation)}\n\n"
        f"{dataset.description}\n\n"
        f"Tables:\n{tables}"
    )


def load(name: str, table: str | None = None) -> pd.DataFrame:
    """Load one table of a shipped dataset as a typed DataFrame.

    Parameters
    ----------
    name : str
        A name from :func:`available`.
    table : str, optional
        A table of that dataset; by default its first one (``"weeks"`` for
        ``gneezy_rustichini_2000``; ``"periods"`` is the paper's Table 2).

    Returns
    -------
    pandas.DataFrame
        A fresh frame (safe to modify). For ``gneezy_rustichini_2000``, table ``"weeks"``:
        ``center`` int, ``group`` categorical [control, fine], ``n_children`` int, ``week``
        int, ``period`` ordered categorical [pre_fine < fine < post_fine], ``late_pickups``
        int.

    Raises
    ------
    ValueError
        If the dataset or the table is unknown.

    """
    dataset = _dataset(name)
    table = dataset.default_table if table is None else table
    if table not in dataset.files:
        raise _unknown("table", table, dataset.files, where=f" of dataset {name!r}")
    return dataset.loader(table, dataset.resource(table))


def choices(name: str) -> pd.DataFrame:
    """Return a dataset as binomial choice counts for :mod:`sccgames.inference.compare`.

    Parameters
    ----------
    name : str
        A name from :func:`available` whose dataset has a choice form.

    Returns
    -------
    pandas.DataFrame
        One row per subject and round with ``trials`` and ``defections`` counts and the
        condition columns. For ``gneezy_rustichini_2000`` a subject is a centre and a round
        a week; each child counts as one punctual/late choice per week, an approximation
        (a parent can be late more than once a week) that caps 2 of the 200 rows — see
        ``frame.attrs["note"]`` and the ``capped`` column.

    Raises
    ------
    ValueError
        If the dataset is unknown or has no choice form.

    """
    dataset = _dataset(name)
    if dataset.choices is None:
        with_choices = sorted(key for key, value in DATASETS.items() if value.choices)
        raise ValueError(
            f"dataset {name!r} has no choice form. Datasets with one: "
            f"{', '.join(with_choices) if with_choices else '(none)'}."
        )
    return dataset.choices()
