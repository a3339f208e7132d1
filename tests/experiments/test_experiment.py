"""Experiment files end to end: run folders, sweeps (local and Dask), the command's errors."""

import json
import pathlib

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sccgames as scc
from sccgames.cli import main
from sccgames.experiments import config, experiment

CONFIGS = pathlib.Path(__file__).resolve().parents[2] / "configs"


def small_society(**society):
    """The crowding-out example, shrunk so that a test runs it in a second."""
    tree = config.load(CONFIGS / "society.toml").to_dict()
    tree["society"]["population"]["size"] = 400
    tree["society"]["rounds"] = 30
    tree["society"]["schedule"] = [
        {"start": 0, "regime": "none"},
        {"start": 10, "regime": {"kind": "social_credit", "fine": 0.25}},
        {"start": 20, "regime": "none"},
    ]
    tree["society"].update(society)
    return tree


def small_sweep():
    tree = config.load(CONFIGS / "sweep.toml").to_dict()
    tree["society"]["population"]["size"] = 300
    tree["society"]["rounds"] = 8
    tree["sweep"] = {"repetitions": 2, "grid": {"society.regime.fine": [0.5, 2.0]}}
    return tree


@pytest.mark.parametrize("path", sorted(CONFIGS.iterdir()), ids=lambda p: p.name)
def test_every_example_config_validates(path):
    checked = config.validate(config.load(path))
    assert checked.kind in {"tournament", "society", "fit"}


def test_run_writes_a_complete_folder_with_the_resolved_config(tmp_path):
    tables = experiment.run(small_society(), out=tmp_path / "run", progress_bar=False)
    assert set(tables) == {"metrics", "by_type", "agents"}
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["seed"] == 1
    assert manifest["config"]["society"]["rounds"] == 30
    again = experiment.load_run(tmp_path / "run")
    pd.testing.assert_frame_equal(again["metrics"], tables["metrics"], check_dtype=False)
    phases = tables["metrics"].groupby("phase")["regime"].first().tolist()
    assert phases == ["NoRegime", "SocialCredit", "NoRegime"]


def test_a_file_and_its_config_object_are_the_same_experiment(tmp_path):
    tree = small_society()
    # written back as YAML (writing TOML needs a library we do not depend on)
    import yaml

    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(tree))
    from_file = experiment.run(path, out=tmp_path / "a", progress_bar=False)
    from_object = experiment.run(config.load(path), out=tmp_path / "b", progress_bar=False)
    from_dict = experiment.run(tree, out=tmp_path / "c", progress_bar=False)
    for other in (from_object, from_dict):
        pd.testing.assert_frame_equal(from_file["metrics"], other["metrics"])
        pd.testing.assert_frame_equal(from_file["agents"], other["agents"])


def test_seed_override_changes_results_and_same_seed_repeats_them(tmp_path):
    first = experiment.run(small_society(), out=tmp_path / "1", seed=7, progress_bar=False)
    again = experiment.run(small_society(), out=tmp_path / "2", seed=7, progress_bar=False)
    other = experiment.run(small_society(), out=tmp_path / "3", seed=8, progress_bar=False)
    pd.testing.assert_frame_equal(first["metrics"], again["metrics"])
    assert not first["metrics"]["cooperation"].equals(other["metrics"]["cooperation"])


def test_a_finished_run_folder_is_not_overwritten_by_accident(tmp_path):
    experiment.run(small_society(), out=tmp_path / "run", progress_bar=False)
    with pytest.raises(FileExistsError):
        experiment.run(small_society(), out=tmp_path / "run", progress_bar=False)
    experiment.run(small_society(), out=tmp_path / "run", progress_bar=False, overwrite=True)


def test_tournament_file_gives_the_same_results_on_one_or_two_processes(tmp_path):
    tree = config.load(CONFIGS / "tournament.toml").to_dict()
    tree["tournament"]["turns"] = 20
    tree["tournament"]["repetitions"] = 2
    one = experiment.run(tree, out=tmp_path / "one", processes=1, progress_bar=False)
    two = experiment.run(tree, out=tmp_path / "two", processes=2, progress_bar=False)
    pd.testing.assert_frame_equal(one["matches"], two["matches"])
    assert len(one["summary"]) == 11


def test_sweep_gives_the_same_results_on_one_or_two_processes(tmp_path):
    one = experiment.sweep(small_sweep(), tmp_path / "one", processes=1, progress_bar=False)
    two = experiment.sweep(small_sweep(), tmp_path / "two", processes=2, progress_bar=False)
    for name in one:
        pd.testing.assert_frame_equal(one[name], two[name])
    metrics = one["metrics"]
    assert metrics.groupby(["point", "repetition"]).ngroups == 4
    assert set(metrics["society.regime.fine"]) == {0.5, 2.0}


def test_sweep_on_a_dask_cluster_equals_the_local_run(tmp_path):
    distributed = pytest.importorskip("distributed")
    local = experiment.sweep(small_sweep(), tmp_path / "local", processes=1, progress_bar=False)
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        remote = experiment.sweep(
            small_sweep(),
            tmp_path / "dask",
            scheduler=cluster.scheduler_address,
            progress_bar=False,
        )
    for name in local:
        pd.testing.assert_frame_equal(local[name], remote[name])


def test_the_command_runs_validates_reports_and_sweeps(tmp_path, capsys):
    import yaml

    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(small_society()))
    assert main(["validate", str(path)]) == 0
    assert "OK" in capsys.readouterr().out
    assert main(["run", str(path), "--out", str(tmp_path / "run"), "--quiet"]) == 0
    assert main(["report", str(tmp_path / "run")]) == 0
    out = capsys.readouterr().out
    assert "final_round" in out
    for figure in experiment.SOCIETY_FIGURES:
        assert (tmp_path / "run" / "report" / f"{figure}.png").stat().st_size > 1000
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(yaml.safe_dump(small_sweep()))
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "s"), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "properties" in schema


@pytest.mark.parametrize(
    ("content", "suffix", "message"),
    [
        ('kind = "society"\n[society]\nrounds = 10\nrouns = 3\n', ".toml", "did you mean"),
        ('kind = "society"\n[society\n', ".toml", "line 2, column 9"),
        ("kind: [unclosed\n", ".yaml", "yaml"),
        ('kind = "tournament"\n[tournament]\nplayers = ["Tit For Tatt"]\n', ".toml", "Tit For Tat"),
        ('kind = "society"\n[society]\nrounds = "ten"\n', ".toml", "society.rounds"),
    ],
)
def test_bad_files_exit_2_with_one_line_and_no_traceback(
    tmp_path, capsys, content, suffix, message
):
    path = tmp_path / f"bad{suffix}"
    path.write_text(content)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert message.lower() in err.lower()
    assert len(err.strip().splitlines()) == 1
    assert str(path.name) in err


def test_a_missing_file_exits_2(capsys):
    assert main(["validate", "no/such/file.toml"]) == 2
    assert "file.toml" in capsys.readouterr().err


VALID = {
    "kind": "society",
    "seed": 1,
    "society": {
        "rounds": 3,
        "game": "pd",
        "population": {"size": 50, "shares": {"Citizen": 1.0}},
        "regime": {"kind": "social_credit", "fine": 1.0},
    },
}

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=True),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@st.composite
def malformed(draw):
    """The valid config with one value replaced by junk, or one key renamed or deleted."""
    tree = json.loads(json.dumps(VALID))
    paths = [
        ("kind",),
        ("seed",),
        ("society", "rounds"),
        ("society", "game"),
        ("society", "population", "size"),
        ("society", "population", "shares"),
        ("society", "regime", "fine"),
        ("society", "regime", "kind"),
        ("society",),
    ]
    path = draw(st.sampled_from(paths))
    parent = tree
    for key in path[:-1]:
        parent = parent[key]
    action = draw(st.sampled_from(["replace", "delete", "rename"]))
    if action == "replace":
        parent[path[-1]] = draw(junk)
    elif action == "delete":
        del parent[path[-1]]
    else:
        parent[path[-1] + draw(st.text(min_size=1, max_size=2))] = parent.pop(path[-1])
    return tree


@settings(max_examples=40)
@given(malformed())
def test_malformed_config_files_exit_0_or_2_with_one_line(tree):
    """Through the command: a malformed file exits 0 or 2, never with a traceback."""
    import contextlib
    import io
    import tempfile

    import yaml

    with tempfile.TemporaryDirectory() as directory:
        path = pathlib.Path(directory) / "malformed.yaml"
        path.write_text(yaml.safe_dump(tree))
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = main(["validate", str(path)])  # anything but exit 0/2 raises here
    assert status in (0, 2)
    if status == 2:
        assert len(err.getvalue().strip().splitlines()) == 1


def test_backend_dask_without_an_address_starts_a_local_cluster(tmp_path):
    pytest.importorskip("distributed")
    tree = small_sweep()
    tree["sweep"] = {"repetitions": 1, "grid": {"society.regime.fine": [0.5]}}
    local = experiment.sweep(tree, tmp_path / "local", progress_bar=False)
    tree["execution"] = {"processes": 1, "backend": "dask", "scheduler": ""}
    remote = experiment.sweep(tree, tmp_path / "dask", progress_bar=False)
    pd.testing.assert_frame_equal(local["metrics"], remote["metrics"])


def test_run_is_exported():
    assert scc.run is experiment.run


def test_the_readme_example_runs_end_to_end(tmp_path, capsys):
    """README: `sccgames run configs/society.toml`, then `sccgames report` on its folder."""
    out = tmp_path / "crowding-out"
    assert main(["run", str(CONFIGS / "society.toml"), "--out", str(out), "--quiet"]) == 0
    assert main(["report", str(out)]) == 0
    metrics = experiment.load_run(out)["metrics"]
    c = metrics[metrics.domain == "all"].set_index("round")["cooperation"]
    # the file's own design: cooperation is lower under the small fine than before it
    assert c.loc[40:59].mean() < c.loc[0:19].mean()
    assert (out / "report" / "cooperation.png").exists()


def tiny_tournament_sweep():
    """configs/tournament.toml with the [sweep] of configs/sweep.toml's shape, shrunk."""
    tree = config.load(CONFIGS / "tournament.toml").to_dict()
    tree["tournament"].update(
        players=["Tit For Tat", "Defector", "Moralist"], turns=10, repetitions=2
    )
    tree["sweep"] = {"repetitions": 2, "grid": {"tournament.regime.fine": [0.0, 3.0]}}
    return tree


def test_a_tournament_sweep_combines_its_tables(tmp_path, capsys):
    """Was: every point ran, then `table 'matches' ... already has columns ['repetition']`."""
    import yaml

    path = tmp_path / "tsweep.yaml"
    path.write_text(yaml.safe_dump(tiny_tournament_sweep(), sort_keys=False))
    assert main(["sweep", str(path), "--out", str(tmp_path / "s"), "--quiet"]) == 0
    found = experiment.load_run(tmp_path / "s")
    matches = found["matches"]
    assert list(matches.columns[:5]) == [
        "point",
        "repetition",
        "seed",
        "tournament.regime.fine",
        "match",
    ]
    assert "tournament_repetition" in matches.columns
    # every point's own tournament, unchanged but for the renamed column
    first = matches[matches["point"] == matches["point"].iloc[0]]
    tree = tiny_tournament_sweep()
    del tree["sweep"]
    tree["tournament"]["regime"]["fine"] = 0.0
    alone = experiment.run(tree, out=tmp_path / "alone", progress_bar=False)["matches"]
    assert first["seed"].iloc[0] == tree["seed"]
    pd.testing.assert_frame_equal(
        first.drop(columns=["point", "repetition", "seed", "tournament.regime.fine"])
        .rename(columns={"tournament_repetition": "repetition"})
        .reset_index(drop=True),
        alone,
        check_dtype=False,
    )
    assert matches.groupby(["point"]).ngroups == 4
    assert main(["report", str(tmp_path / "s")]) == 0


@pytest.mark.parametrize("name", ["../../x", "/abs/path", "", ".", "a/b"])
def test_a_run_name_cannot_leave_the_runs_folder(tmp_path, monkeypatch, capsys, name):
    """Was: `name = "../../x"` wrote two levels up, `"/abs/path"` there, `""` into runs/."""
    import yaml

    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    tree = small_society()
    tree["name"] = name
    (work / "bad.yaml").write_text(yaml.safe_dump(tree))
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    for command in ("validate", "run"):
        assert main([command, "bad.yaml"]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1
        assert "bad.yaml: name: run name" in err and "is not allowed" in err
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before
    assert not pathlib.Path("/abs/path").exists()


def test_a_file_without_a_name_runs_under_its_stem_made_safe(tmp_path, monkeypatch):
    import yaml

    monkeypatch.chdir(tmp_path)
    tree = small_society()
    del tree["name"]
    (tmp_path / "my run (v2).yaml").write_text(yaml.safe_dump(tree))
    loaded = config.load(tmp_path / "my run (v2).yaml")
    assert loaded.name == "my-run-v2-"
    assert experiment.default_directory(loaded) == pathlib.Path("runs/my-run-v2-")


def test_a_hand_edited_manifest_is_one_line_in_report(tmp_path, capsys):
    """Was: `KeyError: 'domain'` from `sccgames report`."""
    three_rounds = small_society(rounds=3, schedule=[{"start": 0, "regime": "none"}])
    experiment.run(three_rounds, out=tmp_path / "run", progress_bar=False)
    path = tmp_path / "run" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["tables"]["metrics"] = manifest["tables"]["agents"]
    path.write_text(json.dumps(manifest))
    assert main(["report", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"sccgames report: run folder {tmp_path / 'run'}: its tables are not those of a "
        "society run (missing 'domain'); was its manifest.json edited?"
    )


def test_processes_beyond_the_cores_are_capped_and_recorded(tmp_path, monkeypatch):
    from sccgames.experiments import sweep

    monkeypatch.setattr(sweep, "available_cores", lambda: 1)
    monkeypatch.setattr(experiment, "available_cores", lambda: 1)
    tree = config.load(CONFIGS / "tournament.toml").to_dict()
    tree["tournament"].update(players=["Tit For Tat", "Defector"], turns=5, repetitions=1)
    experiment.run(tree, out=tmp_path / "run", processes=24, progress_bar=False)
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["config"]["execution"]["processes"] == 1
