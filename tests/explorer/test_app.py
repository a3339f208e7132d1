"""``sccgames explore``: the command, its pages and its shutdown."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from sccgames import cli
from sccgames.explorer.app import PAGES

ROOT = Path(__file__).resolve().parents[2]


def test_the_command_serves_every_page_on_this_machine_and_stops_on_ctrl_c():
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "sccgames", "explore"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        first = process.stdout.readline()
        found = re.fullmatch(
            r"sccgames explorer: (http://127\.0\.0\.1:\d+)/ \(Ctrl-C stops it\)\n", first
        )
        assert found, first
        address = found.group(1)
        with urllib.request.urlopen(address + "/", timeout=60) as answer:
            assert answer.status == 200
        for route in PAGES:
            with urllib.request.urlopen(f"{address}/{route}", timeout=120) as answer:
                assert answer.status == 200
    finally:
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=60)
    assert process.returncode == 0
    assert rest.strip().endswith("sccgames explorer: stopped")
    assert "Traceback" not in rest


def test_without_the_explore_extra_the_command_says_what_to_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "panel", None)  # import panel fails as if not installed
    monkeypatch.delitem(sys.modules, "sccgames.explorer.app", raising=False)
    assert cli.main(["explore"]) == 2
    line = capsys.readouterr().err.strip()
    assert "\n" not in line
    assert "pip install 'sccgames[explore]'" in line and "panel" in line


@pytest.mark.parametrize(
    ("port", "message"),
    [("-1", "expected a whole number >= 0"), ("70000", "expected a port from 0 to 65535")],
)
def test_a_bad_port_is_refused_in_one_line(capsys, port, message):
    with pytest.raises(SystemExit) as caught:
        cli.main(["explore", "--port", port])
    assert caught.value.code == 2
    assert message in capsys.readouterr().err


def test_the_index_links_every_page(explorer, explorer_url):
    page = explorer
    page.goto(explorer_url + "/")
    for route, (title, _) in PAGES.items():
        page.get_by_role("link", name=title).click()
        page.wait_for_url(f"{explorer_url}/{route}")
        page.go_back()


def test_the_command_line_imports_no_web_framework_until_explore_runs():
    # `sccgames --help` must answer at once: the command and the server's module import
    # Panel and Bokeh only when the explorer starts
    code = (
        "import sys, sccgames.cli, sccgames.explorer.app, sccgames.explorer.society; "
        "print(sorted(m for m in ('panel', 'bokeh') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )
    assert done.stdout.strip() == "[]"
