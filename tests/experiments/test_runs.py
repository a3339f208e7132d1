"""Tests for run folders: atomic writes, table round-trips, manifests and completeness."""

import errno
import json
import os
import platform
import socket
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sccgames.experiments import runs
from sccgames.experiments.runs import RunFolder, read_run, write_json, write_table
from tests.files import snapshot

FRAME = pd.DataFrame(
    {
        "step": np.arange(4, dtype=np.int64),
        "value": [0.1, -2.5, 3.25, 1e-9],
        "name": ["a", "b", "c", "d"],
        "flag": [True, False, True, False],
    }
)


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(".tmp-"))


def contents(directory: Path) -> list[str]:
    """The files of a run folder, but its lock file."""
    return sorted(p.name for p in directory.iterdir() if p.name != runs.LOCK)


@pytest.mark.parametrize("format", ["parquet", "csv"])
def test_table_round_trip(tmp_path, format):
    if format == "parquet":
        pytest.importorskip("pyarrow")
    path = write_table(tmp_path, "results", FRAME, format=format)
    assert path == tmp_path / f"results.{format}"
    pd.testing.assert_frame_equal(runs.read_table(path), FRAME)
    assert leftovers(tmp_path) == []


def test_auto_format_follows_module_setting_and_pyarrow(tmp_path, monkeypatch):
    monkeypatch.setattr(runs, "TABLE_FORMAT", "csv")
    assert write_table(tmp_path, "a", FRAME).suffix == ".csv"
    monkeypatch.setattr(runs, "TABLE_FORMAT", "auto")
    monkeypatch.setattr(runs, "find_spec", lambda name: None)
    assert write_table(tmp_path, "b", FRAME).suffix == ".csv"
    monkeypatch.undo()
    pytest.importorskip("pyarrow")
    assert write_table(tmp_path, "c", FRAME, format="auto").suffix == ".parquet"


def test_bad_format_and_name_rejected(tmp_path):
    with pytest.raises(ValueError, match="format must be"):
        write_table(tmp_path, "x", FRAME, format="xlsx")
    with pytest.raises(ValueError, match="plain file stem"):
        write_table(tmp_path, "../x", FRAME)
    with pytest.raises(TypeError, match="DataFrame"):
        write_table(tmp_path, "x", {"a": [1]})
    with pytest.raises(ValueError, match="neither"):
        runs.read_table(tmp_path / "x.txt")


@pytest.mark.parametrize("format", ["parquet", "csv"])
def test_failed_table_write_leaves_old_file_and_no_temp(tmp_path, monkeypatch, format):
    if format == "parquet":
        pytest.importorskip("pyarrow")
    path = write_table(tmp_path, "results", FRAME, format=format)
    before = path.read_bytes()
    method = "to_parquet" if format == "parquet" else "to_csv"
    original = getattr(pd.DataFrame, method)

    def half_then_fail(self, target=None, *args, **kwargs):
        if hasattr(target, "write"):
            target.write(b"PARTIAL")
        else:
            original(self, target, *args, **kwargs)
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, method, half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        write_table(tmp_path, "results", FRAME.head(1), format=format)
    assert path.read_bytes() == before
    assert leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
    monkeypatch.undo()

    def failing_fsync(fd):
        raise OSError("fsync failed")

    monkeypatch.setattr(runs.os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="fsync failed"):
        write_table(tmp_path, "results", FRAME.head(1), format=format)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_failed_json_write_keeps_old_file(tmp_path, monkeypatch):
    path = write_json(tmp_path / "data.json", {"a": 1})
    original = json.dumps

    def exploding(data, **kwargs):
        original(data, **kwargs)
        raise RuntimeError("boom")

    monkeypatch.setattr(runs.json, "dumps", exploding)
    with pytest.raises(RuntimeError, match="boom"):
        write_json(path, {"a": 2})
    monkeypatch.undo()
    assert json.loads(path.read_text()) == {"a": 1}

    def failing_fsync(fd):
        raise OSError("fsync failed")

    monkeypatch.setattr(runs.os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="fsync failed"):
        write_json(path, {"a": 3})
    monkeypatch.undo()
    assert json.loads(path.read_text()) == {"a": 1}
    assert leftovers(tmp_path) == []


def test_json_converts_numpy(tmp_path):
    path = write_json(tmp_path / "d.json", {"x": np.int64(3), "y": np.arange(2), "p": tmp_path})
    assert json.loads(path.read_text()) == {"x": 3, "y": [0, 1], "p": str(tmp_path)}
    with pytest.raises(TypeError, match="not JSON serializable"):
        write_json(tmp_path / "e.json", {"x": object()})
    assert runs.canonical_json({"b": 1, "a": 2}) == runs.canonical_json({"a": 2, "b": 1})


def test_manifest_fields(tmp_path):
    config = {"rounds": 10, "game": {"name": "pd", "r": np.float64(3.0)}}
    before = datetime.now().astimezone()
    folder = RunFolder.create(tmp_path / "run", config, seed=7, kind="tournament")
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["status"] == "incomplete"
    assert manifest["config"] == {"rounds": 10, "game": {"name": "pd", "r": 3.0}}
    assert manifest["seed"] == 7
    assert manifest["kind"] == "tournament"
    assert manifest["hostname"] == socket.gethostname()
    started = datetime.fromisoformat(manifest["started"])
    assert started.utcoffset().total_seconds() == 0
    assert before <= started <= datetime.now().astimezone()
    versions = manifest["versions"]
    assert set(versions) == {"sccgames", "python", "numpy", "scipy", "pandas", "axelrod"}
    assert versions["python"] == platform.python_version()
    assert versions["numpy"] == np.__version__
    assert versions["pandas"] == pd.__version__
    assert manifest["finished"] is None

    folder.write("results", FRAME)
    folder.write("summary", FRAME.head(1))
    assert json.loads((tmp_path / "run" / "manifest.json").read_text())["status"] == "incomplete"
    folder.finish(note="done")
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["note"] == "done"
    assert set(manifest["tables"]) == {"results", "summary"}
    assert datetime.fromisoformat(manifest["finished"]) >= started
    assert folder.status == "complete"
    with pytest.raises(ValueError, match="already finished"):
        folder.write("late", FRAME)


def test_unknown_package_version(monkeypatch):
    def missing(name):
        raise runs.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(runs.metadata, "version", missing)
    assert runs.package_versions()["axelrod"] == "unknown"


def test_read_run_round_trip(tmp_path):
    folder = RunFolder.create(tmp_path / "run", {}, seed=1, kind="test", format="csv")
    folder.write("results", FRAME)
    folder.finish()
    tables = read_run(tmp_path / "run")
    assert list(tables) == ["results"]
    pd.testing.assert_frame_equal(tables["results"], FRAME)
    opened = RunFolder.open(tmp_path / "run")
    assert opened.tables == {"results": "results.csv"}
    assert "complete" in repr(opened)
    with pytest.raises(KeyError, match="no table 'other'"):
        opened.read("other")


def test_incomplete_and_missing_folders_detected(tmp_path):
    folder = RunFolder.create(tmp_path / "run", {}, seed=1, kind="test")
    folder.write("results", FRAME)
    started = folder.manifest["started"]
    with pytest.raises(ValueError, match=r"is incomplete \(started .*never finished\); rerun"):
        read_run(tmp_path / "run")
    with pytest.raises(ValueError, match=started.replace("+", r"\+")):
        RunFolder.open(tmp_path / "run")
    assert not runs.is_complete(tmp_path / "run")
    with pytest.raises(ValueError, match="does not exist"):
        read_run(tmp_path / "missing")
    (tmp_path / "plain").mkdir()
    with pytest.raises(ValueError, match="not a run folder"):
        read_run(tmp_path / "plain")
    (tmp_path / "plain" / "manifest.json").write_text("{not json")
    with pytest.raises(ValueError, match="unreadable manifest"):
        read_run(tmp_path / "plain")
    assert not runs.is_complete(tmp_path / "plain")
    (tmp_path / "plain" / "manifest.json").write_text("[1]")
    with pytest.raises(ValueError, match="malformed"):
        read_run(tmp_path / "plain")


def test_complete_folder_refused_unless_overwrite(tmp_path):
    folder = RunFolder.create(tmp_path / "run", {"a": 1}, seed=1, kind="test")
    folder.write("results", FRAME)
    folder.finish()
    with pytest.raises(FileExistsError, match="already complete; pass overwrite=True"):
        RunFolder.create(tmp_path / "run", {"a": 2}, seed=2, kind="test")
    assert read_run(tmp_path / "run")["results"].shape == FRAME.shape
    again = RunFolder.create(tmp_path / "run", {"a": 2}, seed=2, kind="test", overwrite=True)
    assert again.manifest["config"] == {"a": 2}
    assert contents(tmp_path / "run") == ["manifest.json"]


def test_incomplete_folder_cleaned_and_reused(tmp_path):
    folder = RunFolder.create(tmp_path / "run", {"a": 1}, seed=1, kind="test")
    folder.write("stale", FRAME)
    (tmp_path / "run" / ".tmp-partial").write_text("x")
    with pytest.raises(runs.FolderInUseError, match="being written by another run"):
        RunFolder.create(tmp_path / "run", {"a": 1}, seed=1, kind="test")
    folder.close()  # as its process ending would
    again = RunFolder.create(tmp_path / "run", {"a": 1}, seed=1, kind="test")
    assert contents(tmp_path / "run") == ["manifest.json"]
    assert again.tables == {}
    # A folder holding only temporary files (killed before its first manifest) is reused.
    (tmp_path / "tmponly").mkdir()
    (tmp_path / "tmponly" / ".tmp-abc").write_text("x")
    RunFolder.create(tmp_path / "tmponly", {}, seed=None, kind="test")
    assert contents(tmp_path / "tmponly") == ["manifest.json"]


def test_foreign_directory_never_cleaned(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    with pytest.raises(FileExistsError, match="not a run folder"):
        RunFolder.create(tmp_path / "mine", {}, seed=1, kind="test")
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "precious"
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileExistsError, match="not a directory"):
        RunFolder.create(tmp_path / "file", {}, seed=1, kind="test")


@pytest.fixture
def surroundings(tmp_path):
    """A folder of the user's own files around the run folders, hashed before the test."""
    (tmp_path / "victim.txt").write_text("do not touch")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    return tmp_path


@pytest.mark.parametrize(
    "name", ["run-1", "a", "A.b_c-d", "x" * 100, "0", "sweep.2026"], ids=lambda n: n[:12]
)
def test_safe_run_names_are_kept(name):
    assert runs.check_run_name(name) == name
    assert runs.run_name(name, "ignored") == name


@pytest.mark.parametrize(
    "name",
    ["../../x", "/abs/path", "", ".", "..", ".hidden", "a/b", "a\\b", "x" * 101, "a\0b", " a", 7],
    ids=repr,
)
def test_unsafe_run_names_are_refused_in_one_line(name):
    with pytest.raises(ValueError, match="is not allowed: use 1 to 100 letters") as caught:
        runs.check_run_name(name)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 300


def test_a_file_stem_becomes_a_safe_name():
    assert runs.run_name(None, "my experiment (v2)") == "my-experiment-v2-"
    assert runs.run_name(None, "..") == "experiment"
    assert runs.run_name(None, None) == "experiment"
    assert runs.run_name(None, "é" * 5) == "experiment"
    assert runs.run_name(None, "x" * 300) == "x" * 100


def test_bad_run_folder_paths_refused_before_anything_is_written(surroundings, monkeypatch):
    monkeypatch.chdir(surroundings / "mine")
    before = snapshot(surroundings)
    (surroundings / "link").symlink_to(surroundings / "mine")
    for bad, message in [
        ("", "path is empty"),
        (".", "current directory or one of its parents"),
        ("..", "current directory or one of its parents"),
        (str(surroundings), "current directory or one of its parents"),
        ("/", "current directory or one of its parents"),
        ("a\0b", "contains a null byte"),
        ("../link", "is a symbolic link"),
    ]:
        with pytest.raises(ValueError, match=message):
            RunFolder.create(bad, {}, seed=1, kind="test", overwrite=True)
    with pytest.raises(FileExistsError, match="not a directory"):
        RunFolder.create("thesis.tex", {}, seed=1, kind="test", overwrite=True)
    (surroundings / "link").unlink()
    assert snapshot(surroundings) == before


def test_overwrite_never_replaces_a_folder_that_is_not_a_run(surroundings):
    before = snapshot(surroundings)
    with pytest.raises(FileExistsError, match="not a run folder"):
        RunFolder.create(surroundings / "mine", {}, seed=1, kind="test", overwrite=True)
    assert snapshot(surroundings) == before


def test_overwrite_replaces_only_a_run_of_the_same_kind(surroundings):
    folder = RunFolder.create(surroundings / "run", {}, seed=1, kind="society")
    folder.write("results", FRAME)
    folder.finish()
    before = snapshot(surroundings)
    for kind in ("tournament", "sweep"):
        with pytest.raises(FileExistsError, match="holds a run of kind 'society', not"):
            RunFolder.create(surroundings / "run", {}, seed=2, kind=kind, overwrite=True)
    assert snapshot(surroundings) == before
    RunFolder.create(surroundings / "run", {}, seed=2, kind="society", overwrite=True).finish()
    assert read_run(surroundings / "run") == {}


def test_a_symbolic_link_to_a_run_folder_is_not_written_through(surroundings):
    """Was: `Cannot call rmtree on a symbolic link`."""
    RunFolder.create(surroundings / "run", {}, seed=1, kind="test").finish()
    (surroundings / "link").symlink_to(surroundings / "run")
    before = snapshot(surroundings)
    with pytest.raises(ValueError, match=r"link is a symbolic link; give the folder itself"):
        RunFolder.create(surroundings / "link", {}, seed=2, kind="test", overwrite=True)
    assert snapshot(surroundings) == before


def test_overwrite_removes_links_inside_the_run_folder_not_their_targets(surroundings):
    folder = RunFolder.create(surroundings / "run", {}, seed=1, kind="test")
    (surroundings / "run" / "to-mine").symlink_to(surroundings / "mine")
    (surroundings / "run" / "to-victim").symlink_to(surroundings / "victim.txt")
    folder.finish()
    RunFolder.create(surroundings / "run", {}, seed=2, kind="test", overwrite=True).finish()
    assert contents(surroundings / "run") == ["manifest.json"]
    assert (surroundings / "mine" / "thesis.tex").read_text() == "precious"
    assert (surroundings / "victim.txt").read_text() == "do not touch"


@pytest.mark.parametrize(
    "table", ["../victim.txt", "/etc/hostname", "sub/x.csv", ".hidden.csv", "x.txt", "", 5]
)
def test_manifest_table_paths_must_stay_in_the_folder(surroundings, table):
    folder = RunFolder.create(surroundings / "run", {}, seed=1, kind="test", format="csv")
    folder.write("results", FRAME)
    folder.finish()
    manifest = json.loads((surroundings / "run" / "manifest.json").read_text())
    manifest["tables"]["results"] = table
    (surroundings / "run" / "manifest.json").write_text(json.dumps(manifest))
    before = snapshot(surroundings)
    with pytest.raises(ValueError, match="not a plain .parquet or .csv file in the folder"):
        read_run(surroundings / "run")
    opened = RunFolder(surroundings / "run", manifest)
    with pytest.raises(ValueError, match="was the manifest edited"):
        opened.read("results")
    assert snapshot(surroundings) == before


def test_a_table_file_that_is_a_link_is_not_read(surroundings):
    folder = RunFolder.create(surroundings / "run", {}, seed=1, kind="test", format="csv")
    folder.write("results", FRAME)
    folder.finish()
    (surroundings / "run" / "results.csv").unlink()
    (surroundings / "run" / "results.csv").symlink_to(surroundings / "victim.txt")
    with pytest.raises(ValueError, match="'results.csv', which is not a plain"):
        read_run(surroundings / "run")


@pytest.mark.parametrize(
    "text", ['{"status": "complete", "tables": [1]}', '{"status": "complete"}', "[" * 100_000]
)
def test_malformed_manifests_are_one_clear_error(tmp_path, text):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "manifest.json").write_text(text)
    with pytest.raises(ValueError, match="run folder .*run (has a malformed|has an unreadable)"):
        read_run(tmp_path / "run")


def test_one_writer_per_folder_across_processes(tmp_path):
    """A second writer is refused at once while the first holds the folder, even from
    another process; the lock goes with its holder, however it ends."""
    code = textwrap.dedent(
        f"""
        import sys, time, types
        package = types.ModuleType("sccgames")
        package.__path__ = [{str(Path(runs.__file__).parents[1])!r}]
        sys.modules["sccgames"] = package
        from sccgames.experiments.runs import RunFolder
        folder = RunFolder.create({str(tmp_path / "run")!r}, {{}}, seed=1, kind="test")
        print("locked", flush=True)
        time.sleep(60)
        """
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        before = snapshot(tmp_path)
        with pytest.raises(runs.FolderInUseError, match=r"being written by another run"):
            RunFolder.create(tmp_path / "run", {}, seed=2, kind="test", overwrite=True)
        assert snapshot(tmp_path) == before
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    again = RunFolder.create(tmp_path / "run", {}, seed=2, kind="test")
    again.finish()
    assert RunFolder.open(tmp_path / "run").manifest["seed"] == 2
    # finish released it: the next writer needs no wait
    RunFolder.create(tmp_path / "run", {}, seed=3, kind="test", overwrite=True).close()


def test_a_full_disk_is_reported_with_the_path(tmp_path, monkeypatch):
    """Was: `[Errno 28] No space left on device`, with no path."""

    def full(descriptor):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(runs.os, "fsync", full)
    with pytest.raises(OSError) as caught:
        write_table(tmp_path, "results", FRAME, format="csv")
    assert caught.value.errno == errno.ENOSPC
    assert str(caught.value) == (
        f"[Errno 28] No space left on device: '{tmp_path / 'results.csv'}'"
    )
    assert leftovers(tmp_path) == []


def test_a_file_size_limit_is_reported_with_the_path(tmp_path):
    """A real write failure without a path (EFBIG past RLIMIT_FSIZE), in a subprocess."""
    resource = pytest.importorskip("resource")
    del resource
    code = textwrap.dedent(
        f"""
        import resource, signal, sys, types
        package = types.ModuleType("sccgames")
        package.__path__ = [{str(Path(runs.__file__).parents[1])!r}]
        sys.modules["sccgames"] = package
        import pandas as pd
        from sccgames.experiments.runs import write_table
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))
        try:
            write_table({str(tmp_path)!r}, "big", pd.DataFrame({{"x": range(10_000)}}),
                        format="csv")
        except OSError as error:
            print(error)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == f"[Errno 27] File too large: '{tmp_path / 'big.csv'}'"
    assert leftovers(tmp_path) == []


def test_a_forked_child_does_not_keep_its_parents_lock(tmp_path):
    """A pool worker forked while its parent held a folder must not hold it after: else a
    sweep resumed after its parent was killed would find its folder busy."""
    lock = runs.FolderLock(tmp_path)
    ready, tell = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child, its fork hooks run
        os.write(tell, b"x")
        time.sleep(30)
        os._exit(0)
    try:
        assert os.read(ready, 1) == b"x"
        lock.release()
        again = runs.FolderLock(tmp_path)  # the child, still alive, holds nothing
        assert again.held
        again.release()
    finally:
        os.kill(child, 9)
        os.waitpid(child, 0)
        os.close(ready)
        os.close(tell)
