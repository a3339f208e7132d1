"""Tests for resumable sweeps: identities, parallel equality, resume and crash safety."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sccgames
from sccgames.experiments import sweep
from sccgames.experiments.runs import FolderInUseError, FolderLock, RunFolder, read_run
from sccgames.experiments.sweep import Point, SweepError, _demo_runner, grid, point_id, run_sweep
from tests.files import snapshot


def make_points(n=6, **extra):
    # Earlier points sleep longer, so with 2 processes they finish out of order.
    return [
        Point(
            {"mean": i % 3, "rows": 2 + i % 2, "sleep": 0.05 * (n - i), **extra},
            100 + i,
            {"mean": i % 3},
            i // 3,
        )
        for i in range(n)
    ]


def log_lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def complete_points(directory: Path) -> dict[str, str]:
    """Return the start time of every complete point folder, by id."""
    started = {}
    for manifest in (directory / "points").glob("*/manifest.json"):
        data = json.loads(manifest.read_text())
        if data["status"] == "complete":
            started[manifest.parent.name] = data["started"]
    return started


def test_point_id_is_stable_and_distinguishes():
    config = {"game": {"r": 3, "t": 5.0}, "rounds": 10}
    # A fixed value: the identity must not change between runs, processes or sessions.
    assert point_id(config, 1) == "21b828bd680acf50"
    assert point_id({"rounds": 10, "game": {"t": 5.0, "r": 3}}, 1) == point_id(config, 1)
    assert point_id(config, np.int64(1)) == point_id(config, 1)
    assert point_id(config, 2) != point_id(config, 1)
    assert point_id({**config, "rounds": 11}, 1) != point_id(config, 1)
    assert len(point_id(config, 1)) == 16
    assert Point(config, 1).id == point_id(config, 1)


def test_point_id_same_in_another_process():
    code = textwrap.dedent(
        """
        import hashlib, json
        text = json.dumps({"config": {"a": [1, 2], "b": "x"}, "seed": 5}, sort_keys=True,
                          separators=(",", ":"))
        print(hashlib.sha256(text.encode()).hexdigest()[:16])
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == point_id({"b": "x", "a": [1, 2]}, 5)


def test_grid():
    points = grid({"rows": 2, "mean": 0}, {"mean": [0, 1], "label": ["a", "b"]}, repetitions=2)
    assert len(points) == 8
    assert points[0].overrides == {"mean": 0, "label": "a"}
    assert points[0].config == {"rows": 2, "mean": 0, "label": "a"}
    assert [p.repetition for p in points[:4]] == [0, 1, 0, 1]
    assert points[0].seed == points[2].seed != points[1].seed
    assert len({p.id for p in points}) == 8
    assert grid({}, {"x": [1]}, seed=1)[0].seed != grid({}, {"x": [1]}, seed=2)[0].seed
    with pytest.raises(ValueError, match="repetitions"):
        grid({}, {}, repetitions=0)


def test_combined_layout_and_files(tmp_path):
    points = make_points(4)
    points = [Point({**p.config, "sleep": 0}, p.seed, p.overrides, p.repetition) for p in points]
    results = run_sweep(points, _demo_runner, tmp_path, progress_bar=False)
    assert list(results) == ["summary", "values"]  # by name
    values = results["values"]
    assert list(values.columns) == ["point", "repetition", "seed", "mean", "step", "value"]
    assert list(values["point"].unique()) == [p.id for p in points]
    assert list(results["summary"]["point"]) == [p.id for p in points]
    assert list(results["summary"]["seed"]) == [p.seed for p in points]
    assert list(results["summary"]["repetition"]) == [p.repetition for p in points]
    expected = _demo_runner(points[1].config, points[1].seed)["values"]
    got = values[values["point"] == points[1].id].drop(
        columns=["point", "repetition", "seed", "mean"]
    )
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected)
    listing = json.loads((tmp_path / "sweep.json").read_text())
    assert [entry["id"] for entry in listing["points"]] == [p.id for p in points]
    assert listing["points"][2]["overrides"] == {"mean": 2}
    on_disk = read_run(tmp_path)
    for name in results:
        pd.testing.assert_frame_equal(on_disk[name], results[name])
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["kind"] == "sweep"


def test_one_and_two_processes_identical(tmp_path):
    points = make_points(6)
    one = run_sweep(points, _demo_runner, tmp_path / "one", processes=1, progress_bar=False)
    two = run_sweep(points, _demo_runner, tmp_path / "two", processes=2, progress_bar=False)
    assert one.keys() == two.keys()
    for name in one:
        pd.testing.assert_frame_equal(one[name], two[name])
    assert list(two["summary"]["point"]) == [p.id for p in points]


def test_missing_override_keys_and_structured_values(tmp_path):
    points = [
        Point({"rows": 1}, 1, {"a": 1}),
        Point({"rows": 1, "b": [1, 2]}, 2, {"b": [1, 2]}),
    ]
    summary = run_sweep(points, _demo_runner, tmp_path, progress_bar=False)["summary"]
    assert list(summary.columns[:5]) == ["point", "repetition", "seed", "a", "b"]
    assert summary["a"].iloc[0] == 1 and pd.isna(summary["a"].iloc[1])
    assert summary["b"].iloc[1] == "[1,2]"


def test_failed_point_leaves_others_complete_and_rerun_resumes(tmp_path):
    log = tmp_path / "calls.log"
    flag = tmp_path / "fail-now"
    flag.write_text("x")
    points = make_points(5, log=str(log))
    bad = Point(
        {**points[2].config, "fail_if_exists": str(flag)},
        points[2].seed,
        points[2].overrides,
        points[2].repetition,
    )
    points[2] = bad
    out = tmp_path / "sweep"
    with pytest.raises(SweepError, match="1 of 5 points failed") as caught:
        run_sweep(points, _demo_runner, out, processes=2, progress_bar=False)
    assert list(caught.value.failures) == [bad.id]
    assert isinstance(caught.value.__cause__, RuntimeError)
    done = complete_points(out)
    assert set(done) == {p.id for p in points} - {bad.id}
    assert json.loads((out / "manifest.json").read_text())["status"] == "incomplete"
    with pytest.raises(ValueError, match="incomplete"):
        read_run(out)
    assert sorted(log_lines(log)) == sorted(p.id for p in points)

    flag.unlink()
    results = run_sweep(points, _demo_runner, out, processes=2, progress_bar=False)
    calls = log_lines(log)
    assert sorted(calls) == sorted([p.id for p in points] + [bad.id])
    assert {k: v for k, v in complete_points(out).items() if k != bad.id} == done
    assert list(results["summary"]["point"]) == [p.id for p in points]

    # A third run does no work at all and gives the same tables.
    again = run_sweep(points, _demo_runner, out, progress_bar=False)
    assert log_lines(log) == calls
    for name in results:
        pd.testing.assert_frame_equal(again[name], results[name])


def test_sigkill_then_resume(tmp_path):
    log = tmp_path / "calls.log"
    out = tmp_path / "sweep"
    spec = {"sleep": 0.3, "log": str(log)}
    package = str(Path(sccgames.__file__).parent)
    # A stub parent package skips sccgames/__init__ (and its slow axelrod import): sweep
    # and runs depend on nothing else in the package.
    code = textwrap.dedent(
        f"""
        import sys, types
        package = types.ModuleType("sccgames")
        package.__path__ = [{package!r}]
        sys.modules["sccgames"] = package
        from sccgames.experiments.sweep import Point, _demo_runner, run_sweep
        points = [Point(dict({spec!r}, index=i), i, {{"index": i}}) for i in range(20)]
        run_sweep(points, _demo_runner, {str(out)!r}, processes=1, progress_bar=False)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(complete_points(out) if (out / "points").exists() else {}) < 3:
        if process.poll() is not None:
            pytest.fail(f"sweep exited early: {process.stderr.read().decode()}")
        assert time.monotonic() < deadline, "sweep subprocess made no progress"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    done = complete_points(out)
    assert 3 <= len(done) < 20
    assert json.loads((out / "manifest.json").read_text())["status"] == "incomplete"
    calls_before = log_lines(log)

    points = [Point(dict(spec, index=i), i, {"index": i}) for i in range(20)]
    results = run_sweep(points, _demo_runner, out, processes=1, progress_bar=False)
    summary = results["summary"]
    assert list(summary["point"]) == [p.id for p in points]
    assert list(summary["index"]) == list(range(20))
    calls = log_lines(log)
    assert calls[: len(calls_before)] == calls_before
    for point_ in points:
        expected = 1 if point_.id in done else 1 + calls_before.count(point_.id)
        assert calls.count(point_.id) == expected, point_.id
    assert {k: v for k, v in complete_points(out).items() if k in done} == done
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"


def test_dask_matches_local(tmp_path):
    distributed = pytest.importorskip(
        "distributed", reason='dask.distributed not installed: pip install "dask[distributed]"'
    )
    points = make_points(4)
    local = run_sweep(points, _demo_runner, tmp_path / "local", progress_bar=False)
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        host="127.0.0.1",
        protocol="tcp",
        dashboard_address=None,
    ) as cluster:
        remote = run_sweep(
            points,
            _demo_runner,
            tmp_path / "dask",
            scheduler=cluster.scheduler_address,
            progress_bar=False,
        )
    for name in local:
        pd.testing.assert_frame_equal(local[name], remote[name])


def test_dask_failures_reported(tmp_path):
    distributed = pytest.importorskip("distributed")
    flag = tmp_path / "flag"
    flag.write_text("x")
    points = [Point({"fail_if_exists": str(flag)}, 1), Point({}, 2)]
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        host="127.0.0.1",
        protocol="tcp",
        dashboard_address=None,
    ) as cluster:
        with pytest.raises(SweepError, match="1 of 2"):
            run_sweep(
                points,
                _demo_runner,
                tmp_path / "d",
                scheduler=cluster.scheduler_address,
                progress_bar=False,
            )
    assert set(complete_points(tmp_path / "d")) == {points[1].id}


def test_missing_distributed_has_clear_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r'pip install "dask\[distributed\]"'):
        run_sweep(
            [Point({}, 1)],
            _demo_runner,
            tmp_path,
            scheduler="tcp://127.0.0.1:1",
            progress_bar=False,
        )


def test_progress_bar(tmp_path, capsys):
    run_sweep([Point({}, 1)], _demo_runner, tmp_path / "a", progress_bar=False)
    assert capsys.readouterr().err == ""
    run_sweep([Point({}, 1), Point({}, 2)], _demo_runner, tmp_path / "b", progress_bar=True)
    err = capsys.readouterr().err
    assert "sweep" in err and "2/2" in err


def test_invalid_inputs(tmp_path):
    with pytest.raises(ValueError, match="same point"):
        run_sweep([Point({}, 1), Point({}, 1)], _demo_runner, tmp_path, progress_bar=False)
    with pytest.raises(ValueError, match="may not be named"):
        run_sweep([Point({}, 1, {"seed": 1})], _demo_runner, tmp_path, progress_bar=False)
    with pytest.raises(TypeError, match="must be a Point"):
        run_sweep([{"config": {}}], _demo_runner, tmp_path, progress_bar=False)
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match="processes"):
            run_sweep([Point({}, 1)], _demo_runner, tmp_path, processes=bad, progress_bar=False)
    with pytest.raises(TypeError, match="module-level function"):
        run_sweep([Point({}, 1)], lambda c, s: {}, tmp_path / "l", processes=2, progress_bar=False)
    with pytest.raises(SweepError) as caught:
        run_sweep([Point({}, 1)], lambda c, s: [1], tmp_path / "m", progress_bar=False)
    assert "dict of DataFrames" in str(caught.value.__cause__)


def test_runner_columns_clashing_with_id_columns(tmp_path):
    def runner(config, seed):
        return {"t": pd.DataFrame({"seed": [seed]})}

    with pytest.raises(ValueError, match="already has columns"):
        run_sweep([Point({}, 1)], runner, tmp_path, progress_bar=False)


def test_stale_combined_tables_removed(tmp_path):
    def runner(config, seed):
        return {config["name"]: pd.DataFrame({"x": [seed]})}

    run_sweep([Point({"name": "old"}, 1)], runner, tmp_path, progress_bar=False)
    assert any(p.stem == "old" for p in tmp_path.iterdir())
    run_sweep([Point({"name": "new"}, 1)], runner, tmp_path, progress_bar=False)
    names = {p.stem for p in tmp_path.iterdir() if p.is_file()}
    assert "old" not in names and "new" in names
    assert sweep.ID_COLUMNS == ("point", "repetition", "seed")


def test_a_sweep_never_takes_over_another_folder(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    single = RunFolder.create(tmp_path / "single", {}, seed=1, kind="society")
    single.write("metrics", pd.DataFrame({"x": [1]}))
    single.finish()
    before = snapshot(tmp_path)
    with pytest.raises(FileExistsError, match="not empty and is not a run folder"):
        run_sweep([Point({}, 1)], _demo_runner, tmp_path / "mine", progress_bar=False)
    with pytest.raises(FileExistsError, match="holds a run of kind 'society', not 'sweep'"):
        run_sweep([Point({}, 1)], _demo_runner, tmp_path / "single", progress_bar=False)
    assert snapshot(tmp_path) == before


def test_a_manifest_table_outside_the_folder_is_never_removed(tmp_path):
    """Was: a manifest table path `../victim.txt` made the sweep unlink that file."""
    (tmp_path / "victim.txt").write_text("do not touch")
    out = tmp_path / "sweep"
    run_sweep([Point({}, 1)], _demo_runner, out, progress_bar=False)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["tables"]["values"] = "../victim.txt"
    (out / "manifest.json").write_text(json.dumps(manifest))
    before = snapshot(tmp_path)
    with pytest.raises(ValueError, match=r"names the table file '../victim.txt'"):
        run_sweep([Point({}, 1)], _demo_runner, out, progress_bar=False)
    assert snapshot(tmp_path) == before


def test_leftover_temporary_files_are_removed_on_resume(tmp_path):
    """Was: a SIGKILL during the final combine left a `.tmp-*` file no resume removed."""
    points = [Point({}, 1), Point({}, 2)]
    first = run_sweep(points, _demo_runner, tmp_path, progress_bar=False)
    (tmp_path / ".tmp-abc123").write_bytes(b"x" * 1000)
    (tmp_path / "points" / points[0].id / ".tmp-def456").write_bytes(b"y")
    again = run_sweep(points, _demo_runner, tmp_path, progress_bar=False)
    assert not list(tmp_path.rglob(".tmp-*"))
    for name in first:
        pd.testing.assert_frame_equal(first[name], again[name])


def test_a_second_sweep_into_a_busy_folder_is_refused(tmp_path):
    with FolderLock(tmp_path):
        with pytest.raises(FolderInUseError, match="being written by another run"):
            run_sweep([Point({}, 1)], _demo_runner, tmp_path, progress_bar=False)
        assert not (tmp_path / "manifest.json").exists()
    run_sweep([Point({}, 1)], _demo_runner, tmp_path, progress_bar=False)


def test_processes_are_capped_at_the_cores(tmp_path, monkeypatch):
    """Was: `--processes 24` on two cores started 24 workers."""
    assert sweep.available_cores() == len(os.sched_getaffinity(0))
    monkeypatch.setattr(sweep, "available_cores", lambda: 2)
    pids = tmp_path / "pids"
    points = [Point({"pids": str(pids), "sleep": 0.05}, seed) for seed in range(12)]
    run_sweep(points, _demo_runner, tmp_path / "s", processes=24, progress_bar=False)
    workers = set(pids.read_text().split())
    assert len(workers) <= 2
    assert str(os.getpid()) not in workers  # it did run on a pool, not inline
