"""Rounds per second the explorer's society page shows, in a real browser, at 10⁴ citizens.

The explorer is served in this process (as ``sccgames explore`` serves it) and Debian's
Chromium, driven by Playwright, opens the society page, sets the society (``--citizens``,
``--rounds``, the default regime from round 10, never removed) and presses Run. It reports,
best and median over ``--repeats`` runs:

- rounds shown per second: the rounds drawn over the time from the click to the page's
  "finished" (so it counts the engine, the transfer and the drawing);
- chart updates per second: how often the browser's data source received new rounds (the
  page batches the rounds that arrived since its last refresh, every 50 ms);
- the bare engine's rounds per second for the same society (``Society.stream`` with no page),
  measured in the same process, and the share of it the page keeps.

The issue's target is at least 10 rounds shown per second at 10⁴ citizens on two cores.

    python benchmarks/bench_explorer.py [--citizens 10000] [--rounds 300] [--repeats 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
import threading
import time

import numpy as np
from playwright.sync_api import expect, sync_playwright

from sccgames.experiments.config import parse
from sccgames.explorer.app import make_server, warm_up
from sccgames.explorer.society import SocietySetup, to_config

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
COUNT_UPDATES = """() => {
    window.updates = 0;
    for (const d of Bokeh.documents) {
        const m = d.get_model_by_name('society-rounds');
        if (m) { m.streaming.connect(() => { window.updates += 1; }); return true; }
    }
    return false;
}"""


def serve() -> str:
    """Serve the explorer from a thread of this process; its address."""
    box: dict = {}
    ready = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        box["server"] = server = make_server(port=0)
        server.start()
        ready.set()
        server.io_loop.start()

    threading.Thread(target=run, daemon=True).start()
    ready.wait(60)
    return f"http://127.0.0.1:{box['server'].port}"


def engine_rate(citizens: int, rounds: int) -> float:
    """Rounds per second of the same society streamed with no page."""
    setup = SocietySetup(size=citizens, rounds=rounds, remove=None)
    society = parse(to_config(setup)[0]).build()
    start = time.perf_counter()
    for _ in society.stream():
        pass
    return rounds / (time.perf_counter() - start)


def page_run(page, url: str, citizens: int, rounds: int) -> tuple[float, float]:
    """One run on the page: (rounds shown per second, chart updates per second)."""
    page.goto(f"{url}/society")
    for field, value in (("size", citizens), ("rounds", rounds), ("remove", "")):
        page.locator(f".field-{field} input").fill(str(value))
        page.keyboard.press("Enter")
    expect(page.locator(".run button")).to_be_enabled()
    page.wait_for_function(COUNT_UPDATES)
    start = time.perf_counter()
    page.locator(".run button").click()
    expect(page.locator(".status")).to_contain_text("finished", timeout=600_000)
    elapsed = time.perf_counter() - start
    shown = page.evaluate(
        "() => { for (const d of Bokeh.documents) { const m = d.get_model_by_name("
        "'society-rounds'); if (m) return m.data.round.length; } }"
    )
    assert shown == rounds, f"the chart shows {shown} rounds, not {rounds}"
    return rounds / elapsed, page.evaluate("() => window.updates") / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    warm_up()
    url = serve()
    shown, updates, bare = [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page()
        page.set_default_timeout(120_000)
        for _ in range(args.repeats):  # interleaved: the page, then the bare engine
            rate, refreshes = page_run(page, url, args.citizens, args.rounds)
            shown.append(rate)
            updates.append(refreshes)
            bare.append(engine_rate(args.citizens, args.rounds))
        browser.close()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    print(f"{platform.node()} · {os.cpu_count()} cores · commit {commit} · {time.strftime('%F')}")
    print(f"society page, {args.citizens} citizens, {args.rounds} rounds, {args.repeats} runs")
    for name, values in (
        ("rounds shown per second", shown),
        ("chart updates per second", updates),
        ("bare engine rounds per second", bare),
    ):
        print(f"  {name:32s} best {max(values):7.1f}   median {np.median(values):7.1f}")
    print(
        f"  share of the engine's rate the page keeps (medians): "
        f"{np.median(shown) / np.median(bare):.2f}"
    )
    print(f"  target: >= 10 rounds shown per second -> {'met' if min(shown) >= 10 else 'MISSED'}")


if __name__ == "__main__":
    main()
