"""Browser tests of the explorer: Debian's Chromium driven by Playwright (pytest-playwright).

The explorer is served in-process, from a thread with its own event loop, so that the tests
measure its code's coverage; ``tests/explorer/test_app.py`` starts the ``sccgames explore``
command itself. No browser is downloaded: Playwright launches the system's Chromium
(``CHROMIUM``, default ``/usr/bin/chromium``; ``.ci/run`` installs Debian's package).
Screenshots go to ``test-screenshots/`` (``SCREENSHOTS`` overrides it).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
#: Flags for a headless Chromium in a container: no sandbox (root), no GPU, nothing fetched.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Milliseconds a browser test waits for the page: the first run of a process imports
#: axelrod (about 20 s on a loaded two-core machine).
TIMEOUT = 90_000
SCREENSHOTS = Path(
    os.environ.get("SCREENSHOTS", Path(__file__).resolve().parents[2] / "test-screenshots")
)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Launch the system's Chromium (never a downloaded one)."""
    if shutil.which(CHROMIUM) is None:
        pytest.fail(
            f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium) "
            "or set CHROMIUM to its path"
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def explorer_url() -> Iterator[str]:
    """The address of an explorer served from a thread of this process."""
    from sccgames.explorer.app import make_server, warm_up

    warm_up()
    box: dict = {}
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        box["server"] = server = make_server(port=0)
        server.start()
        ready.set()
        server.io_loop.start()

    thread = threading.Thread(target=serve, daemon=True, name="explorer-under-test")
    thread.start()
    assert ready.wait(60), "the explorer did not start"
    server = box["server"]
    yield f"http://127.0.0.1:{server.port}"
    server.io_loop.add_callback(server.io_loop.stop)
    thread.join(30)
    server.stop()


@pytest.fixture
def explorer(page, explorer_url: str):
    """A browser page with the explorer's default timeout, failing on any off-machine request."""
    page.set_default_timeout(TIMEOUT)
    outside: list[str] = []

    def check(request) -> None:
        host = request.url.split("/")[2].split(":")[0] if "://" in request.url else ""
        if request.url.startswith(("http://", "https://", "ws://")) and host not in (
            "127.0.0.1",
            "localhost",
        ):
            outside.append(request.url)

    page.on("request", check)
    yield page
    assert not outside, f"the page fetched from outside this machine: {outside[:3]}"


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot of ``page`` as ``name``.png; its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path
