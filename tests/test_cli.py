import contextlib
import errno
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from sccgames.cli import MAX_LINE, main, one_line
from tests.files import snapshot


def test_demo_prints_a_ranked_table(capsys):
    assert main(["demo", "--turns", "5", "--repetitions", "1", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "Round robin under SocialCredit" in out
    for column in ("payoff", "cooperation_watched", "cooperation_unwatched", "fines", "score"):
        assert column in out
    for name in ("Homo Economicus", "Moralist", "Tit For Tat", "Defector"):
        assert name in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["demo", "--turns", "0"], "expected a whole number >= 1, got 0"),
        (["demo", "--turns", "many"], "expected a whole number >= 1, got 'many'"),
        (["demo", "--seed", "-1"], "expected a whole number >= 0, got -1"),
        (["demo", "--seed", "x"], "expected a whole number >= 0, got 'x'"),
        (["juggle"], "invalid choice"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_module_entry_point_shows_help():
    done = subprocess.run(
        [sys.executable, "-m", "sccgames", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert "demo" in done.stdout


def test_findings_prints_every_table(capsys):
    assert main(["findings", "--size", "300"]) == 0
    out = capsys.readouterr().out
    for title in ("Calibration", "Homo Economicus", "Crowding-out", "Compliance gap"):
        assert title in out
    assert "public_goods_punishment" in out and "Moralist" in out


def test_findings_rejects_a_tiny_society(capsys):
    with pytest.raises(SystemExit) as info:
        main(["findings", "--size", "1"])
    assert info.value.code == 2
    assert "expected a whole number >= 2, got 1" in capsys.readouterr().err


def test_findings_ablate_prints_the_chosen_findings_table(capsys):
    argv = ["findings", "--ablate", "--size", "200", "--finding", "fine_response"]
    assert main([*argv, "--channel", "material", "--channel", "emotion"]) == 0
    out = capsys.readouterr().out
    assert "### fine_response" in out and "### crowding_out" not in out
    rows = [line.split("|")[1].strip() for line in out.splitlines() if line.startswith("| ")]
    assert rows == ["channel off", "none", "material", "emotion"]
    assert "| material | +0.0000 ± 0.0000 | 0.00 |" in out and "carries it" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--ablate", "--channel", "nope"], "unknown channel 'nope': channels are ['none'"),
        (["--ablate", "--finding", "nope"], "unknown finding 'nope': findings are ["),
        (["--channel", "habit"], "--finding and --channel choose what --ablate runs"),
    ],
)
def test_findings_ablate_refuses_unknown_names_in_one_line(argv, message, capsys):
    assert main(["findings", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_findings_ablate_and_robustness_exclude_each_other(capsys):
    with pytest.raises(SystemExit) as info:
        main(["findings", "--ablate", "--robustness"])
    assert info.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


@pytest.mark.parametrize(
    "command", ["demo", "findings", "run", "sweep", "validate", "report", "schema", "fit"]
)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: sccgames {command}")


TINY = 'kind = "society"\nseed = 1\n{name}[society]\nrounds = 2\n[society.population]\nsize = 20\n'


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A working directory with the user's own files in it and around it, and a tiny file."""
    (tmp_path / "outside.txt").write_text("not yours")
    work = tmp_path / "work"
    work.mkdir()
    (work / "thesis.tex").write_text("precious")
    (work / "mine").mkdir()
    (work / "mine" / "notes.md").write_text("mine too")
    (work / "tiny.toml").write_text(TINY.format(name=""))
    monkeypatch.chdir(work)
    return tmp_path


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert len(lines[0]) <= MAX_LINE
    return lines[0]


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("", "--out is empty"),
        (".", "is the current directory or one of its parents"),
        ("..", "is the current directory or one of its parents"),
        ("mine", "mine is not empty and is not a run folder"),
        ("thesis.tex", "thesis.tex exists and is not a directory"),
    ],
)
@pytest.mark.parametrize("command", ["run", "sweep"])
def test_out_never_takes_a_folder_that_is_not_a_run(workspace, capsys, out, message, command):
    """Was: `--overwrite` on a folder with a thesis.tex deleted it; `--out ""` emptied the
    current directory."""
    if command == "sweep":
        text = (workspace / "work" / "tiny.toml").read_text()
        sweep = '[sweep]\ngrid = { "society.rounds" = [1, 2] }\n'
        (workspace / "work" / "tiny.toml").write_text(text + sweep)
    before = snapshot(workspace)
    extra = ["--overwrite"] if command == "run" else []
    assert main([command, "tiny.toml", "--out", out, "--quiet", *extra]) == 2
    assert message in one_error_line(capsys)
    assert snapshot(workspace) == before


def test_overwrite_of_a_run_through_a_link_is_one_line(workspace, capsys):
    """Was: `Cannot call rmtree on a symbolic link`."""
    assert main(["run", "tiny.toml", "--out", "real", "--quiet"]) == 0
    capsys.readouterr()
    (workspace / "work" / "link").symlink_to(workspace / "work" / "real")
    before = snapshot(workspace)
    assert main(["run", "tiny.toml", "--out", "link", "--overwrite", "--quiet"]) == 2
    assert one_error_line(capsys) == (
        "sccgames run: run folder link is a symbolic link; give the folder itself (a run is "
        "never written through a link)"
    )
    assert snapshot(workspace) == before


def test_a_null_byte_in_a_path_is_one_line(workspace, capsys):
    """Was: `embedded null byte`, with no path."""
    (workspace / "work" / "nul.yaml").write_text(
        'kind: society\nseed: 1\noutput: {directory: "runs/a\\0b"}\n'
        "society: {rounds: 2, population: {size: 20}}\n"
    )
    before = snapshot(workspace)
    assert main(["run", "nul.yaml", "--quiet"]) == 2
    assert one_error_line(capsys) == (
        "sccgames run: the run folder path 'runs/a\\x00b' contains a null byte"
    )
    assert snapshot(workspace) == before
    assert main(["run", "tiny.toml", "--out", "x\0y", "--quiet"]) == 2
    assert one_error_line(capsys) == (
        "sccgames run: the run folder path 'x\\x00y' contains a null byte"
    )


def test_a_full_disk_is_one_line_with_the_path(workspace, capsys, monkeypatch):
    """Was: `[Errno 28] No space left on device`, with no path."""
    from sccgames.experiments import runs

    def full(descriptor):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(runs.os, "fsync", full)
    assert main(["run", "tiny.toml", "--out", "out", "--quiet"]) == 2
    line = one_error_line(capsys)
    assert line.startswith("sccgames run: [Errno 28] No space left on device: 'out/")


def test_two_runs_into_one_folder_the_second_is_refused(workspace, capsys):
    """Was: two `run`s at once both printed `done` and one result was lost."""
    from sccgames.experiments.runs import FolderLock

    (workspace / "work" / "busy").mkdir()
    with FolderLock(workspace / "work" / "busy"):
        before = snapshot(workspace)
        assert main(["run", "tiny.toml", "--out", "busy", "--quiet"]) == 2
        assert one_error_line(capsys) == (
            "sccgames run: run folder busy is being written by another run (it holds "
            "busy/.lock); wait for it to finish or choose another folder"
        )
        assert snapshot(workspace) == before


def test_processes_beyond_the_cores_get_a_note(workspace, capsys, monkeypatch):
    from sccgames.experiments import sweep

    monkeypatch.setattr(sweep, "available_cores", lambda: 1)
    assert main(["run", "tiny.toml", "--out", "out", "--processes", "24", "--quiet"]) == 0
    assert capsys.readouterr().err == (
        "sccgames run: note: running 1 processes, the cores available, not 24\n"
    )


def test_every_error_line_is_capped(workspace, capsys, monkeypatch):
    """Was: 1-2 MB error lines echoing a 1 MB key."""
    from sccgames.experiments import experiment

    def huge(directory):
        raise ValueError("bad key " + "k" * 1_000_000 + "\nsecond line")

    monkeypatch.setattr(experiment, "report", huge)
    assert main(["report", "anything"]) == 2
    line = one_error_line(capsys)
    assert len(line) == MAX_LINE and line.endswith("kkk...")
    assert one_line("a\n b\t c") == "a b c"


def test_an_unexpected_error_is_one_line_unless_debugging(workspace, capsys, monkeypatch):
    from sccgames.experiments import experiment

    def broken(directory):
        raise RuntimeError("boom")

    monkeypatch.setattr(experiment, "report", broken)
    assert main(["report", "anything"]) == 1
    assert one_error_line(capsys) == (
        "sccgames report: boom (RuntimeError; set SCCGAMES_DEBUG=1 for the traceback)"
    )
    monkeypatch.setenv("SCCGAMES_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        main(["report", "anything"])


#: Run names and --out values a careless or hostile user might give.
ODD = [
    "",
    ".",
    "..",
    "../..",
    "/",
    "../x",
    "../../x",
    "x/../..",
    "runs/..",
    "/abs/path",
    "thesis.tex",
    "mine",
    "mine/../mine",
    "~",
    " ",
    "-x",
    ".hidden",
    "a\0b",
    "a" * 300,
    "é",
    "ok-name",
    "fresh",
    "a.b_c-1",
    "new/deeper",
    "../new",
]
names = st.one_of(st.sampled_from(ODD), st.text(alphabet="./a-_~ \0é", max_size=8))


def changes(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}


@settings(max_examples=60)
@given(
    target=st.one_of(st.tuples(names, st.none()), st.tuples(st.just("t"), names)),
    overwrite=st.booleans(),
)
def test_odd_names_and_out_values_never_write_outside_the_run_folder(target, overwrite):
    """For any name (or --out): exit 0 or 2 in one line, and only the run folder changed."""
    name, out = target
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        (root / "outside.txt").write_text("not yours")
        work = root / "home" / "work"
        (work / "mine").mkdir(parents=True)
        (work / "thesis.tex").write_text("precious")
        (work / "mine" / "notes.md").write_text("mine too")
        (work / "runs" / "ok-name").mkdir(parents=True)
        (work / "runs" / "ok-name" / "keep.txt").write_text("a folder that is not a run")
        text = TINY.format(name=f"name = {json.dumps(name)}\n")
        (work / "f.toml").write_text(text)
        if out is not None and out.startswith("/"):  # an absolute path: inside the sandbox
            out = str(root) + out
        before = snapshot(root)
        here = os.getcwd()
        err = io.StringIO()
        os.chdir(work)
        try:
            argv = ["run", "f.toml", "--quiet"] + ([] if out is None else [f"--out={out}"])
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                status = main(argv + (["--overwrite"] if overwrite else []))
        finally:
            os.chdir(here)
        event(f"exit {status}")
        changed = changes(before, snapshot(root))
        assert status in (0, 2), err.getvalue()
        if status == 2:
            assert len(err.getvalue().strip().splitlines()) == 1
            assert len(err.getvalue().strip()) <= MAX_LINE
            assert changed == set()
            return
        folder = (work / (out if out is not None else f"runs/{name}")).resolve()
        assert root.resolve() in folder.parents
        if out is None:  # a name: a folder inside runs/
            assert folder.parent == (work / "runs").resolve()
        inside = {str(folder.relative_to(root.resolve()))}
        for key in changed:
            path = (root / key).resolve()
            assert path == folder or folder in path.parents or path in folder.parents, key
            if path in folder.parents:  # a parent folder it created, nothing of the user's
                assert key not in before
        assert json.loads((folder / "manifest.json").read_text())["status"] == "complete"
        assert inside


def test_help_imports_nothing_heavy():
    """`sccgames --help` answers at once: no axelrod, pandas, numpy or scipy imported."""
    code = (
        "import sys\n"
        "from sccgames.cli import build_parser\n"
        "build_parser().format_help()\n"
        "import sccgames\n"
        "print(sorted(m for m in ('axelrod', 'pandas', 'numpy', 'scipy') if m in sys.modules))"
    )
    root = Path(sys.modules["sccgames"].__file__).parents[1]  # this copy of the package
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ, PYTHONPATH=str(root)),
    )
    assert done.stdout.strip() == "[]"


def test_every_public_name_still_resolves():
    """The package's names are imported on first use (PEP 562), all of them."""
    import sccgames as scc
    from sccgames.engines.tournament import Tournament

    assert scc.Tournament is Tournament
    for name in scc.__all__:
        assert getattr(scc, name) is not None, name
    assert set(scc.__all__) <= set(dir(scc))
    assert scc.config.load is not None  # a submodule, as before, without importing it
    namespace: dict = {}
    exec("from sccgames import *", namespace)
    assert set(scc.__all__) <= set(namespace)
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        scc.nope  # noqa: B018


def test_an_argument_error_line_is_capped_too(capsys):
    with pytest.raises(SystemExit) as info:
        main(["demo", "--turns", "x" * 100_000])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("usage: sccgames demo")
    assert err[-1].startswith("sccgames demo: error: argument --turns: expected a whole")
    assert len(err[-1]) == MAX_LINE


def test_fit_refuses_a_csv_column_it_would_not_read(workspace, capsys):
    """Was: a ``money`` column was silently left out and every row fitted as one game."""
    import numpy as np
    import pandas as pd

    from sccgames.inference.likelihood import HISTORY_COLUMNS

    rng = np.random.default_rng(0)
    n = 40
    frame = pd.DataFrame(
        {"subject": np.arange(n) % 10, "round": np.arange(n) // 10}
        | {"cooperated": rng.random(n) < 0.4, "money": np.repeat([1.0, 7.0], n // 2)}
        | dict.fromkeys(HISTORY_COLUMNS, 0.0)
    )
    frame.to_csv("choices.csv", index=False)
    fit = 'kind = "fit"\n[fit]\ndata = "choices.csv"\npayoffs = "pd"\nmodels = ["rational"]\n'
    fit += "starts = 1\nlr_draws = 0\n"
    Path("f.toml").write_text(fit)
    before = snapshot(workspace)
    for command in (["validate", "f.toml"], ["fit", "f.toml", "--out", "out", "--quiet"]):
        assert main(command) == 2
        line = one_error_line(capsys)
        assert "f.toml: fit.data: choices.csv: unknown column(s) ['money']" in line
        assert "map each in fit.columns" in line
        assert snapshot(workspace) == before
    Path("f.toml").write_text(fit + 'columns = { money = "stakes" }\n')
    assert main(["fit", "f.toml", "--out", "out", "--quiet"]) == 0
    from sccgames.experiments.experiment import load_run

    choices = load_run("out")["choices"]
    assert "money" not in choices and list(choices["stakes"].unique()) == [1.0, 7.0]
