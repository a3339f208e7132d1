"""Serve the explorer's pages on this machine (``sccgames explore``)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Any

#: Where each page is served, its title and the module that builds it.
PAGES: dict[str, tuple[str, str]] = {
    "society": ("Society", "sccgames.explorer.society"),
    "tournament": ("Tournament", "sccgames.explorer.tournament"),
    "wallet": ("Lost wallet", "sccgames.explorer.wallet"),
}


def _page(route: str) -> Callable[[], Any]:
    """A plain function building ``route``'s page for a new browser session."""
    import importlib

    import panel as pn

    title, module = PAGES[route]

    def build() -> Any:
        links = " · ".join(
            f"**{t}**" if r == route else f"[{t}](/{r})" for r, (t, _) in PAGES.items()
        )
        body = importlib.import_module(module).page()
        return pn.Column(
            pn.pane.Markdown(f"## sccgames explorer — {title}\n{links}"), body, name=title
        )

    return build


def _index() -> Any:
    import panel as pn

    lines = "\n".join(f"- [{title}](/{route})" for route, (title, _) in PAGES.items())
    return pn.pane.Markdown(f"## sccgames explorer\n\n{lines}")


def warm_up() -> None:
    """Import what the first run needs (axelrod takes seconds) before anyone asks for it."""
    from sccgames.model.population import Population

    Population(2).build(__import__("numpy").random.default_rng(0))


def make_server(address: str = "127.0.0.1", port: int = 0) -> Any:
    """The explorer's (Bokeh) server, not yet started; ``port`` 0 takes a free one.

    Its event loop is the calling thread's (a test serves it from a thread of its own).
    """
    import panel as pn

    routes: dict[str, Any] = {"/": _index} | {f"/{r}": _page(r) for r in PAGES}
    return pn.serve(
        routes,
        address=address,
        port=port,
        show=False,
        start=False,
        title="sccgames explorer",
        verbose=False,
    )


def serve(address: str = "127.0.0.1", port: int = 0, say: Callable[[str], Any] = print) -> int:
    """Serve until Ctrl-C or SIGTERM; print the address first. Returns 0.

    Parameters
    ----------
    address : str
        The interface to listen on. Default 127.0.0.1: this machine only.
    port : int
        0 (the default) takes a free port.
    say : callable
        Where the address and the closing line go.

    """
    server = make_server(address, port)
    say(f"sccgames explorer: http://{address}:{server.port}/ (Ctrl-C stops it)")

    def stop(*_: Any) -> None:
        server.io_loop.add_callback_from_signal(server.io_loop.stop)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    threading.Thread(target=warm_up, daemon=True, name="sccgames-warm-up").start()
    try:
        server.start()
        server.io_loop.start()
    finally:
        server.stop()
        for s, handler in previous.items():
            signal.signal(s, handler)
    say("sccgames explorer: stopped")
    return 0
