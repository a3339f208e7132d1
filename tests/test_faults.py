"""Fault tests: SIGKILL (of the main process, of its process group) and Ctrl-C at seeded random
moments, and two writers at once. For each: 0 points lost, 0 run twice once complete, no
worker left running (checked by PID in /proc), and after a resume the tables of an
uninterrupted run, byte for byte.

The sweeps run in a subprocess that imports only ``sccgames.experiments.sweep`` and
``sccgames.experiments.runs`` (through a stub parent package, as ``tests/experiments/test_sweep.py``
does), so each trial takes about a second; the Ctrl-C of the command itself is tested in-process.
"""

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

import sccgames
from sccgames.cli import main
from sccgames.experiments.runs import read_run
from sccgames.experiments.sweep import Point, _demo_runner, run_sweep
from tests.experiments.test_sweep import complete_points, log_lines

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="the orphan checks read /proc (Linux)"
)

#: Points per sweep, and each point's sleep: with 2 processes a sweep takes about
#: POINTS * SLEEP / 2 seconds, so that a random moment falls before, during or after it.
POINTS = 8
SLEEP = 0.15
#: The moments of the signals are stratified: trial k of 3 falls, at random (seeded), in the
#: k-th third of [0, MOMENTS] seconds after the first point started; MOMENTS is about the
#: time the sweep takes, so the signals fall early, midway, late or after it ended.
MOMENTS = POINTS * SLEEP / 2 + 0.6


def moment(stratum: int) -> float:
    return (stratum + random.Random(stratum).uniform(0, 1)) * MOMENTS / 3


#: How long a worker may outlive its killed parent (its parent-death signal is immediate;
#: the fallback check runs every 0.5 s).
ORPHAN_SECONDS = 3.0
#: How soon a Ctrl-C must end a sweep ("within a second or two").
INTERRUPT_SECONDS = 3.0

SCRIPT = textwrap.dedent(
    f"""
    import json, signal, sys, types
    package = types.ModuleType("sccgames")
    package.__path__ = [{str(Path(sccgames.__file__).parent)!r}]
    sys.modules["sccgames"] = package
    from sccgames.experiments.runs import FolderInUseError
    from sccgames.experiments.sweep import Point, _demo_runner, run_sweep
    spec, out, processes = json.loads(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    points = [Point(dict(spec, index=i), i, {{"index": i}}) for i in range({POINTS})]
    try:
        run_sweep(points, _demo_runner, out, processes=processes, progress_bar=False)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # done: a late Ctrl-C changes nothing
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except FolderInUseError as error:
        print(error, file=sys.stderr)
        sys.exit(2)
    """
)


def make_points(spec):
    return [Point(dict(spec, index=i), i, {"index": i}) for i in range(POINTS)]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """The spec every trial runs (its log and pid files shared) and its uninterrupted tables."""
    root = tmp_path_factory.mktemp("faults")
    spec = {"sleep": SLEEP, "log": str(root / "calls.log"), "pids": str(root / "pids")}
    reference = run_sweep(make_points(spec), _demo_runner, root / "reference", progress_bar=False)
    return {"spec": spec, "reference": reference, "root": root}


@pytest.fixture
def trial(base, tmp_path):
    """A fresh sweep folder, with the shared log and pid files emptied."""
    for key in ("log", "pids"):
        Path(base["spec"][key]).write_text("")
    return {**base, "out": tmp_path / "sweep"}


def state(pid: int) -> str | None:
    """The state letter of a process (``R``, ``S``, ``Z`` ...), None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text.rsplit(")", 1)[1].split()[0]


def running(pid: int) -> bool:
    """Whether any thread of a process still runs (a zombie has ended, only its exit status
    is left; but its other threads may take a moment longer, holding its files)."""
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return False
    for task in tasks:
        try:
            text = (task / "stat").read_text()
        except OSError:
            continue
        if text.rsplit(")", 1)[1].split()[0] not in ("Z", "X"):
            return True
    return False


def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid``, from /proc."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                text = (entry / "stat").read_text()
            except OSError:
                continue
            if int(text.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def start(spec, out, processes=2):
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT, json.dumps(spec), str(out), str(processes)],
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a shell job would be
    )


def wait_for_points(process, out):
    """Wait until the sweep subprocess has started its first point."""
    deadline = time.monotonic() + 120
    while not (out / "points").exists():
        if process.poll() is not None:
            pytest.fail(f"sweep exited early: {process.stderr.read()}")
        assert time.monotonic() < deadline, "sweep subprocess made no progress"
        time.sleep(0.02)


def assert_no_orphans(pids):
    deadline = time.monotonic() + ORPHAN_SECONDS
    while any(running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = {pid: state(pid) for pid in pids if running(pid)}
    for pid in left:  # do not leave them behind for the rest of the tests
        os.kill(pid, signal.SIGKILL)
    assert not left, f"workers still running after their parent died: {left}"


def resume_and_compare(trial):
    """Resume the sweep; it must rerun only the points not complete, and give the reference."""
    out, spec, reference = trial["out"], trial["spec"], trial["reference"]
    done = complete_points(out) if (out / "points").exists() else {}
    calls_before = log_lines(Path(spec["log"]))
    results = run_sweep(make_points(spec), _demo_runner, out, processes=2, progress_bar=False)
    calls = log_lines(Path(spec["log"]))
    ids = [point.id for point in make_points(spec)]
    for point_id in ids:
        again = calls[len(calls_before) :].count(point_id)
        assert again == (0 if point_id in done else 1), point_id  # 0 duplicated, 0 lost
    assert {k: v for k, v in complete_points(out).items() if k in done} == done
    assert list(results["summary"]["point"]) == ids
    on_disk = read_run(out)
    for name in reference:
        pd.testing.assert_frame_equal(results[name], reference[name])
        pd.testing.assert_frame_equal(on_disk[name], reference[name])
    assert not list(out.rglob(".tmp-*"))
    return done


@pytest.mark.parametrize("stratum", [0, 1, 2])
@pytest.mark.parametrize("target", ["main", "group"])
def test_sigkill_at_a_random_moment_then_resume(trial, stratum, target):
    delay = moment(stratum)
    process = start(trial["spec"], trial["out"])
    wait_for_points(process, trial["out"])
    time.sleep(delay)
    workers = children(process.pid)
    if target == "main":
        process.kill()
    else:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    process.stderr.close()
    workers |= {int(pid) for pid in log_lines(Path(trial["spec"]["pids"]))}
    workers.discard(process.pid)
    assert workers, "the sweep ran on no worker process"
    assert_no_orphans(workers)
    resume_and_compare(trial)


@pytest.mark.parametrize("stratum", [0, 1, 2])
@pytest.mark.parametrize("target", ["main", "group"])
def test_ctrl_c_at_a_random_moment_then_resume(trial, stratum, target):
    """SIGINT to the main process, or to its group (a terminal's Ctrl-C)."""
    delay = moment(stratum)
    process = start(trial["spec"], trial["out"])
    wait_for_points(process, trial["out"])
    time.sleep(delay)
    workers = children(process.pid)
    sent = time.monotonic()
    if target == "main":
        process.send_signal(signal.SIGINT)
    else:
        os.killpg(process.pid, signal.SIGINT)
    err = process.stderr.read()
    process.wait()
    took = time.monotonic() - sent
    process.stderr.close()
    assert process.returncode in (0, 130), err
    assert took < INTERRUPT_SECONDS
    assert "Traceback" not in err
    manifest = json.loads((trial["out"] / "manifest.json").read_text())
    if process.returncode == 130:
        assert err == "interrupted\n"
    else:  # it had finished
        assert err == "" and manifest["status"] == "complete"
    workers |= {int(pid) for pid in log_lines(Path(trial["spec"]["pids"]))}
    workers.discard(process.pid)
    assert_no_orphans(workers)
    resume_and_compare(trial)


@pytest.mark.parametrize("attempt", [1, 2])
def test_two_writers_at_once(trial, attempt):
    """Two sweeps into one folder at once: one runs it, the other is refused (or, started
    after the first finished, finds it complete); every point runs exactly once."""
    first = start(trial["spec"], trial["out"])
    second = start(trial["spec"], trial["out"])
    errors = [first.stderr.read(), second.stderr.read()]
    codes = [first.wait(), second.wait()]
    for process in (first, second):
        process.stderr.close()
    assert sorted(codes) in ([0, 0], [0, 2]), errors
    for code, err in zip(codes, errors, strict=True):
        if code == 2:
            assert err.strip() == (
                f"run folder {trial['out']} is being written by another run (it holds "
                f"{trial['out'] / '.lock'}); wait for it to finish or choose another folder"
            )
    calls = log_lines(Path(trial["spec"]["log"]))
    ids = [point.id for point in make_points(trial["spec"])]
    assert sorted(calls) == sorted(ids)  # 0 duplicated, 0 lost
    on_disk = read_run(trial["out"])
    for name in trial["reference"]:
        pd.testing.assert_frame_equal(on_disk[name], trial["reference"][name])


TINY_SWEEP = """\
kind = "society"
seed = 1
[society]
rounds = 6
[society.population]
size = 200
[sweep]
repetitions = 2
grid = { "society.regime.fine" = [0.5, 2.0] }
[society.regime]
kind = "social_credit"
fine = 1.0
"""


@pytest.mark.parametrize("seed", [1, 2])
def test_ctrl_c_through_the_command(tmp_path, capsys, seed):
    """`sccgames sweep` on Ctrl-C: one line, exit 130, no worker left, and it resumes."""
    path = tmp_path / "tiny.toml"
    path.write_text(TINY_SWEEP)
    reference, out = tmp_path / "reference", tmp_path / "sweep"
    assert main(["sweep", str(path), "--out", str(reference), "--quiet"]) == 0
    capsys.readouterr()
    before = children(os.getpid())
    delay = random.Random(seed).uniform(0, 0.5)
    finished = threading.Event()

    def interrupt():
        while not (out / "points").exists() and not finished.is_set():
            time.sleep(0.01)
        time.sleep(delay)
        if not finished.is_set():
            os.kill(os.getpid(), signal.SIGINT)

    killer = threading.Thread(target=interrupt)
    status = None
    killer.start()
    try:
        try:
            status = main(["sweep", str(path), "--out", str(out), "--processes", "2", "--quiet"])
        finally:
            finished.set()
            killer.join()
    except KeyboardInterrupt:  # the signal came after the command had returned
        assert status == 0
    err = capsys.readouterr().err
    assert status in (0, 130)
    if status == 130:
        assert err == (
            f"sccgames sweep: interrupted; {out} is left incomplete (run the same command "
            "again to resume it)\n"
        )
        assert json.loads((out / "manifest.json").read_text())["status"] == "incomplete"
    assert_no_orphans(children(os.getpid()) - before)
    assert main(["sweep", str(path), "--out", str(out), "--quiet"]) == 0
    for name, table in read_run(reference).items():
        pd.testing.assert_frame_equal(read_run(out)[name], table)


TOURNAMENT = """\
kind = "tournament"
seed = 3
[tournament]
players = ["Tit For Tat", "Defector", "Moralist", "Random"]
turns = 500
repetitions = 2000  # long enough that the interrupt always comes first
"""


def test_ctrl_c_during_a_parallel_run_through_the_command(tmp_path, capsys):
    """Was: a 35-59-line traceback. `sccgames run` of a tournament on 2 processes: one line,
    exit 130 within seconds, its workers gone, its folder incomplete, and it runs again."""
    path = tmp_path / "t.toml"
    path.write_text(TOURNAMENT)
    out = tmp_path / "run"
    before = children(os.getpid())
    finished = threading.Event()
    sent: list[float] = []

    def interrupt():
        while not (out / "manifest.json").exists() and not finished.is_set():
            time.sleep(0.01)
        time.sleep(random.Random(7).uniform(0.3, 0.6))  # the pool is up and playing
        if not finished.is_set():
            sent.append(time.monotonic())
            os.kill(os.getpid(), signal.SIGINT)

    # Ctrl-C as a user's shell delivers it to a fresh `sccgames` process: Python's own
    # handler, the signal not blocked, whatever earlier tests in this process left behind
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    blocked = signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    killer = threading.Thread(target=interrupt)
    killer.start()
    try:
        status = main(["run", str(path), "--out", str(out), "--processes", "2", "--quiet"])
    finally:
        finished.set()
        killer.join()
        signal.signal(signal.SIGINT, previous)
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    took = time.monotonic() - sent[0]
    assert status == 130, (previous, blocked, capsys.readouterr())
    assert took < INTERRUPT_SECONDS
    assert capsys.readouterr().err == (
        f"sccgames run: interrupted; {out} is left incomplete (run the same command again "
        "to run it from the start)\n"
    )
    assert json.loads((out / "manifest.json").read_text())["status"] == "incomplete"
    assert_no_orphans(children(os.getpid()) - before)
