import subprocess
import sys

import pytest

from sccgames.cli import main


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


@pytest.mark.parametrize(
    "command", ["demo", "findings", "run", "sweep", "validate", "report", "schema", "fit"]
)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: sccgames {command}")
