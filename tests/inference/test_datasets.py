import dataclasses
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from sccgames.bibliography import BIBLIOGRAPHY
from sccgames.inference import datasets
from sccgames.inference.datasets import DATASETS, Dataset, available, choices, describe, load

GR = "gneezy_rustichini_2000"
DATA = resources.files("sccgames") / "data"


@pytest.fixture(scope="module")
def weeks():
    return load(GR)


@pytest.fixture(scope="module")
def periods():
    return load(GR, table="periods").set_index("center")


# --- the registry ------------------------------------------------------------------------


def test_available_lists_the_registry():
    assert available() == [GR]
    assert available() == sorted(DATASETS)


def test_registry_entries_are_frozen_and_named_by_their_key():
    for key, dataset in DATASETS.items():
        assert isinstance(dataset, Dataset)
        assert dataset.name == key
        with pytest.raises(dataclasses.FrozenInstanceError):
            dataset.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        DATASETS["new"] = DATASETS[GR]  # type: ignore[index]


def test_every_file_is_packaged_and_every_citation_resolves():
    for dataset in DATASETS.values():
        assert dataset.citation in BIBLIOGRAPHY
        for table in dataset.tables:
            assert dataset.resource(table).is_file(), (dataset.name, table)
    assert DATASETS[GR].citation == "GneezyRustichini2000"
    assert (DATA / "README.md").is_file()


def test_packaged_readme_states_the_citation_and_the_pooled_means():
    text = (DATA / "README.md").read_text(encoding="utf-8")
    assert "GneezyRustichini2000" in text
    for figure in ("8.00", "16.44", "18.71", "10.00", "9.23", "8.25"):
        assert figure in text


def test_loading_does_not_depend_on_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert len(load(GR)) == 200
    assert len(load(GR, table="periods")) == 10


def test_describe_gives_the_full_reference_and_the_description():
    text = describe(GR)
    assert BIBLIOGRAPHY["GneezyRustichini2000"] in text
    assert DATASETS[GR].description in text
    assert "gneezy_rustichini_2000_table1_long.csv" in text


def test_load_returns_a_fresh_frame():
    first = load(GR)
    first.loc[0, "late_pickups"] = -1
    assert load(GR).loc[0, "late_pickups"] != -1


# --- Table 1 ------------------------------------------------------------------------------


def test_table1_shape(weeks):
    assert len(weeks) == 200
    assert sorted(weeks["center"].unique()) == list(range(1, 11))
    per_centre = weeks.groupby("center")["week"].agg(list)
    for center, centre_weeks in per_centre.items():
        assert sorted(centre_weeks) == list(range(1, 21)), center
    assert not weeks.duplicated(["center", "week"]).any()


def test_table1_dtypes(weeks):
    assert list(weeks.columns) == [
        "center",
        "group",
        "n_children",
        "week",
        "period",
        "late_pickups",
    ]
    for column in ("center", "n_children", "week", "late_pickups"):
        assert weeks[column].dtype == np.int64, column
    assert isinstance(weeks["group"].dtype, pd.CategoricalDtype)
    assert list(weeks["group"].cat.categories) == ["control", "fine"]
    assert not weeks["group"].cat.ordered
    assert isinstance(weeks["period"].dtype, pd.CategoricalDtype)
    assert list(weeks["period"].cat.categories) == ["pre_fine", "fine", "post_fine"]
    assert weeks["period"].cat.ordered


def test_table1_design(weeks):
    groups = weeks.groupby("center")["group"].agg(lambda g: set(g.astype(str)))
    assert all(groups[c] == {"fine"} for c in range(1, 7))
    assert all(groups[c] == {"control"} for c in range(7, 11))
    assert (weeks.groupby("center")["n_children"].nunique() == 1).all()
    expected = pd.cut(weeks["week"], [0, 4, 16, 20], labels=["pre_fine", "fine", "post_fine"])
    assert (weeks["period"].astype(str) == expected.astype(str)).all()
    assert weeks["period"].min() == "pre_fine"
    assert weeks["period"].max() == "post_fine"


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ("fine", {"pre_fine": 8.00, "fine": 16.44, "post_fine": 18.71}),
        ("control", {"pre_fine": 10.00, "fine": 9.23, "post_fine": 8.25}),
    ],
)
def test_pooled_means_stated_in_the_readme(weeks, group, expected):
    means = weeks[weeks["group"] == group].groupby("period", observed=True)["late_pickups"].mean()
    assert set(means.index.astype(str)) == set(expected)
    for period, value in expected.items():
        assert means[period] == pytest.approx(value, abs=0.01), (group, period)


# --- Table 2 against Table 1 --------------------------------------------------------------


def _centre_means(weeks, first, last):
    window = weeks[weeks["week"].between(first, last)]
    return window.groupby("center")["late_pickups"].mean()


def test_table2_shape_and_dtypes(periods):
    assert list(periods.index) == list(range(1, 11))
    assert isinstance(periods["group"].dtype, pd.CategoricalDtype)
    assert periods["n_children"].dtype == np.int64
    for column in ("mean_weeks_1_4", "mean_weeks_5_8", "mean_weeks_5_16", "mean_weeks_17_20"):
        assert periods[column].dtype == np.float64, column


def test_table2_matches_table1_centres(weeks, periods):
    centres = weeks.groupby("center")[["group", "n_children"]].first()
    assert (centres["n_children"] == periods["n_children"]).all()
    assert (centres["group"].astype(str) == periods["group"].astype(str)).all()


@pytest.mark.parametrize(
    ("column", "first", "last"),
    [("mean_weeks_1_4", 1, 4), ("mean_weeks_5_8", 5, 8), ("mean_weeks_17_20", 17, 20)],
)
def test_table2_exact_columns_are_table1_means(weeks, periods, column, first, last):
    computed = _centre_means(weeks, first, last)
    np.testing.assert_allclose(periods[column], computed.loc[periods.index], rtol=0, atol=1e-9)


def test_table2_weeks_5_16_is_table1_mean_truncated(weeks, periods):
    computed = _centre_means(weeks, 5, 16).loc[periods.index]
    printed = periods["mean_weeks_5_16"]
    assert ((computed - printed).abs() < 0.1).all()
    # truncated, not rounded: the printed figure never exceeds the true mean
    assert (printed <= computed + 1e-9).all()


# --- choice counts ------------------------------------------------------------------------


def test_choices_rows_and_columns(weeks):
    data = choices(GR)
    assert list(data.columns) == [
        "subject",
        "round",
        "group",
        "fine_in_force",
        "after_fine",
        "trials",
        "defections",
        "capped",
    ]
    assert len(data) == 200
    assert not data.duplicated(["subject", "round"]).any()
    assert (data["subject"].to_numpy() == weeks["center"].to_numpy()).all()
    assert (data["round"].to_numpy() == weeks["week"].to_numpy()).all()
    assert (data["trials"].to_numpy() == weeks["n_children"].to_numpy()).all()
    for column in ("fine_in_force", "after_fine", "capped"):
        assert data[column].dtype == bool, column
    for column in ("subject", "round", "trials", "defections"):
        assert data[column].dtype == np.int64, column


def test_choices_conditions():
    data = choices(GR)
    fine = data["group"] == "fine"
    in_force = fine & data["round"].between(5, 16)
    after = fine & data["round"].between(17, 20)
    assert (data["fine_in_force"] == in_force).all()
    assert (data["after_fine"] == after).all()
    assert data["fine_in_force"].sum() == 6 * 12
    assert data["after_fine"].sum() == 6 * 4
    assert not (data["fine_in_force"] & data["after_fine"]).any()
    assert not data.loc[data["group"] == "control", ["fine_in_force", "after_fine"]].any().any()


def test_choices_cap_defections_at_the_number_of_children(weeks):
    data = choices(GR)
    assert (data["defections"] <= data["trials"]).all()
    assert (data["defections"] >= 0).all()
    over = weeks["late_pickups"] > weeks["n_children"]
    assert over.sum() == 2
    assert (data["capped"].to_numpy() == over.to_numpy()).all()
    capped = data[data["capped"]]
    assert sorted(zip(capped["subject"], capped["round"], strict=True)) == [(5, 9), (5, 18)]
    assert (capped["defections"] == capped["trials"]).all()
    uncapped = ~data["capped"].to_numpy()
    assert (
        data["defections"].to_numpy()[uncapped] == weeks["late_pickups"].to_numpy()[uncapped]
    ).all()
    assert "2 of 200 rows are capped" in data.attrs["note"]
    assert "approximation" in (datasets.choices.__doc__ or "")


# --- errors -------------------------------------------------------------------------------


def test_unknown_dataset_suggests_and_lists():
    for call in (load, describe, choices):
        with pytest.raises(ValueError, match="unknown dataset 'gneezy_rustichini'") as info:
            call("gneezy_rustichini")
        message = str(info.value)
        assert "did you mean 'gneezy_rustichini_2000'?" in message
        assert "Available datasets: gneezy_rustichini_2000." in message


def test_unknown_dataset_without_a_close_match_still_lists():
    with pytest.raises(ValueError, match="unknown dataset 'zzz'") as info:
        load("zzz")
    assert "did you mean" not in str(info.value)
    assert "Available datasets: gneezy_rustichini_2000." in str(info.value)


def test_unknown_table_suggests_and_lists():
    with pytest.raises(ValueError, match="unknown table 'week' of dataset") as info:
        load(GR, table="week")
    assert "did you mean 'weeks'?" in str(info.value)
    assert "Available tables: periods, weeks." in str(info.value)


def test_dataset_without_choice_form(monkeypatch):
    bare = dataclasses.replace(DATASETS[GR], name="bare", choices=None)
    monkeypatch.setattr(datasets, "DATASETS", {GR: DATASETS[GR], "bare": bare})
    assert available() == ["bare", GR]
    assert len(load("bare")) == 200
    with pytest.raises(ValueError, match="'bare' has no choice form") as info:
        choices("bare")
    assert f"Datasets with one: {GR}." in str(info.value)


def test_malformed_files_are_rejected(tmp_path):
    dtypes = {"center": "int64", "group": datasets.GR_GROUPS}
    wrong_columns = tmp_path / "columns.csv"
    wrong_columns.write_text("centre,group\n1,fine\n", encoding="utf-8")
    with pytest.raises(ValueError, match="columns"):
        datasets._read_table(wrong_columns, dtypes)
    missing = tmp_path / "missing.csv"
    missing.write_text("center,group\n1,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing values"):
        datasets._read_table(missing, dtypes)
    unknown_group = tmp_path / "group.csv"
    unknown_group.write_text("center,group\n1,fined\n", encoding="utf-8")
    with pytest.raises(ValueError, match="outside the known categories in \\['group'\\]"):
        datasets._read_table(unknown_group, dtypes)
    good = tmp_path / "good.csv"
    good.write_text("center,group\n1,fine\n", encoding="utf-8")
    assert datasets._read_table(good, dtypes)["group"].tolist() == ["fine"]
