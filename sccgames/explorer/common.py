"""What every page of the explorer shares.

A form whose fields show their own errors, the experiment file a page exports and loads, and
a computation run off the page's event loop.

A page describes its setup as an experiment config (the dict an experiment file holds), so
that the page, ``sccgames run`` and the Python API build the same society or tournament from
the same checked values (:func:`sccgames.experiments.config.parse`). An invalid value gets the
one-line :class:`~sccgames.experiments.config.ConfigError` a file would get, shown next to the
field it came from.
"""

from __future__ import annotations

import io
import threading
import tomllib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import panel as pn
import tomli_w

from sccgames import limits
from sccgames.experiments import config as experiment_config
from sccgames.experiments.config import ConfigError, Experiment

#: Milliseconds between two drains of a worker's results into the page: at most 20 chart
#: updates a second, chosen so that a fast run redraws smoothly and a browser keeps up.
REFRESH_MS = 50


# ----------------------------------------------------------------------------- files
def _without_none(value: Any) -> Any:
    """``value`` with every ``None`` entry of a table dropped (TOML has no null)."""
    if isinstance(value, Mapping):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_without_none(v) for v in value]
    return value


def toml_text(config: Mapping[str, Any], comment: str = "") -> str:
    """An experiment config as the text of a ``.toml`` experiment file.

    Parameters
    ----------
    config : mapping
        A config that :func:`~sccgames.experiments.config.parse` accepts; ``None`` entries
        (a default left to the package) are left out.
    comment : str
        Lines written above it as TOML comments.

    """
    head = "".join(f"# {line}\n" for line in comment.splitlines())
    return head + tomli_w.dumps(_without_none(dict(config)))


def read_experiment(data: bytes, source: str) -> Experiment:
    """Parse and check the bytes of an uploaded ``.toml`` experiment file.

    Raises
    ------
    ConfigError
        One line naming what is wrong, as ``sccgames validate`` gives it.

    """
    if len(data) > limits.MAX_FILE_BYTES:
        raise ConfigError(
            f"the file has {len(data)} bytes; experiment files have at most "
            f"{limits.MAX_FILE_BYTES}",
            "",
            source,
        )
    try:
        tree = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"not a TOML file: {exc}", "", source) from None
    return experiment_config.parse(tree, source)


def load_setup(data: bytes, source: str, kind: str, page: str, from_config: Callable) -> Any:
    """A page's setup from an uploaded experiment file.

    Parameters
    ----------
    data, source : bytes, str
        The file's bytes and name.
    kind : str
        The experiment kind the page shows.
    page : str
        The page's name, for the message.
    from_config : callable
        The page's reader of a checked config (``Experiment.raw``) into its setup.

    Raises
    ------
    ConfigError
        One line: the file's own error, another kind, or a setting the page cannot show.

    """
    experiment = read_experiment(data, source)
    if experiment.kind != kind:
        raise ConfigError(
            f"the {page} page loads kind = {kind!r}, got {experiment.kind!r}", "kind", source
        )
    return from_config(experiment.raw)


def download_button(
    filename: str, label: str, text: Callable[[], str | None], css: str, **style: Any
) -> pn.widgets.FileDownload:
    """A button that downloads what ``text()`` returns when clicked.

    ``text()`` returns ``None`` when there is nothing valid to give (the page shows why);
    the download then holds one comment line saying so.
    """

    def content() -> io.StringIO:
        made = text()
        return io.StringIO(
            made if made is not None else "# nothing to download: see the page's message\n"
        )

    return pn.widgets.FileDownload(
        callback=content, filename=filename, label=label, css_classes=[css], **style
    )


def field_at(path: str, where: Mapping[str, str]) -> str | None:
    """The form field that wrote the config value at ``path``, or ``None``.

    ``where`` maps the config paths a page writes to its fields. An error may name a value
    (``society.regime.fine``) or a table holding several (``society.regime.coverage``); the
    field whose path shares the longest stretch with the error's wins.
    """
    best, length = None, -1
    for written, name in where.items():
        if path == written or written.startswith((path + ".", path + "[")):
            size = len(path)
        elif path.startswith((written + ".", written + "[")):
            size = len(written)
        else:
            continue
        if size > length:
            best, length = name, size
    return best


# ----------------------------------------------------------------------------- the form
class Form:
    """Named input widgets, each with a message line under it.

    Parameters
    ----------
    widgets : dict of str to panel widget
        The fields in the order they are laid out.

    """

    def __init__(self, widgets: Mapping[str, pn.widgets.Widget]) -> None:
        self.widgets = dict(widgets)
        for name, widget in self.widgets.items():  # for browser tests: .field-NAME
            widget.css_classes = [*widget.css_classes, f"field-{name}"]
        self.messages = {
            name: pn.pane.Alert(
                "", alert_type="danger", visible=False, css_classes=["field-error", f"error-{name}"]
            )
            for name in self.widgets
        }
        self.general = pn.pane.Alert(
            "", alert_type="danger", visible=False, css_classes=["form-error"]
        )

    def values(self) -> dict[str, Any]:
        """Each field's value."""
        return {name: widget.value for name, widget in self.widgets.items()}

    def set_values(self, values: Mapping[str, Any]) -> None:
        """Set the named fields (others keep their values)."""
        for name, value in values.items():
            self.widgets[name].value = value

    def say(self, message: str) -> None:
        """Show ``message`` above the form alone."""
        self.clear()
        self.general.object, self.general.visible = message, True

    def item(self, name: str) -> pn.Column:
        """A field and its message, to lay out."""
        return pn.Column(self.widgets[name], self.messages[name], margin=0)

    def clear(self) -> None:
        """Hide every message."""
        for message in (*self.messages.values(), self.general):
            message.visible = False

    def show_empty(self, optional: tuple[str, ...] = ()) -> str | None:
        """Mark the first empty field not in ``optional``; its name (``None``: none is empty).

        A file may leave a value out to take the package's default, but the page shows every
        value, so an emptied field is refused rather than run with a default it does not show.
        """
        for name, value in self.values().items():
            if value is None and name not in optional:
                self.clear()
                self.messages[name].object = "empty: enter a value"
                self.messages[name].visible = True
                return name
        return None

    def show(self, error: ConfigError, where: Mapping[str, str]) -> str | None:
        """Show ``error``'s message next to its field (or above the form); its field's name."""
        self.clear()
        name = field_at(error.path, where)
        if name is None:
            self.general.object = str(error)
            self.general.visible = True
        else:
            self.messages[name].object = error.message
            self.messages[name].visible = True
        return name


# ----------------------------------------------------------------------------- the worker
class Stopped(Exception):
    """Raised inside a worker's computation that saw its :attr:`Worker.halt` set."""


def stop_point(halt: threading.Event) -> Callable[..., None]:
    """A progress callback that raises :class:`Stopped` once ``halt`` is set.

    For a computation that reports progress (``Tournament.play(on_progress=...)``): the
    worker's stop then takes effect at its next report, not at its end.
    """

    def check(*_: Any) -> None:
        if halt.is_set():
            raise Stopped

    return check


def tagged(society: Any, generation: int) -> Iterator[tuple[int, Any]]:
    """A society's rounds, each tagged with the run it belongs to.

    The society is built and played where the iterator is consumed (the worker's thread);
    a page drops what a run it has reset or replaced still sends.
    """
    for state in society.stream():
        yield generation, state


class Worker:
    """Runs an iterator in a thread while the page stays responsive.

    The thread only appends what the iterator yields to an inbox; a periodic callback on the
    page's event loop hands the inbox to ``on_items`` and, once the thread is done, calls
    ``on_end`` with ``"finished"``, ``"paused"`` or the error. Bokeh models are changed in
    those callbacks only, never from the thread. The periodic callback runs only while there
    is something to hand over: an idle page costs its server nothing (every callback takes
    the interpreter's lock from whatever thread is computing).

    Parameters
    ----------
    on_items : callable
        Called with the list of items that arrived since the last refresh.
    on_end : callable
        Called with how the thread ended.
    on_tick : callable, optional
        Called at every refresh before anything else (for changes a page queued itself;
        :meth:`wake` asks for a refresh).
    repeat : callable, optional
        ``repeat(function, milliseconds)`` starts calling ``function`` periodically and
        returns an object with ``stop()``. Default ``pn.state.add_periodic_callback`` (the
        page's session); a test passes its own.

    """

    def __init__(
        self,
        on_items: Callable[[list[Any]], None],
        on_end: Callable[[str], None],
        on_tick: Callable[[], None] | None = None,
        repeat: Callable[[Callable[[], None], int], Any] | None = None,
    ) -> None:
        self.on_items, self.on_end, self.on_tick = on_items, on_end, on_tick
        self.repeat = repeat
        self.inbox: list[Any] = []
        self.halt = threading.Event()
        self.thread: threading.Thread | None = None
        self.ending: str | None = None
        self.callback: Any = None

    @property
    def busy(self) -> bool:
        """Whether a thread is running."""
        return self.thread is not None and self.thread.is_alive()

    def start(self, items: Iterator[Any], limit: int | None = None) -> bool:
        """Take up to ``limit`` items (all: ``None``) from ``items`` in a thread.

        Returns ``False`` (and does nothing) while a thread is still running.
        """
        if self.busy:
            return False
        self.halt.clear()
        self.ending = None
        self.wake()
        self.thread = threading.Thread(
            target=self._work, args=(items, limit), daemon=True, name="sccgames-explorer"
        )
        self.thread.start()
        return True

    def stop(self) -> None:
        """Ask the thread to stop after the item it is computing."""
        self.halt.set()

    def wake(self) -> None:
        """Refresh periodically until there is nothing left to hand over."""
        if self.callback is None:
            repeat = self.repeat or (
                lambda function, period: pn.state.add_periodic_callback(function, period=period)
            )
            self.callback = repeat(self.refresh, REFRESH_MS)

    def sleep(self) -> None:
        """Stop refreshing (:meth:`start` and :meth:`wake` start again)."""
        if self.callback is not None:
            self.callback.stop()
            self.callback = None

    def _work(self, items: Iterator[Any], limit: int | None) -> None:
        ending = "finished"
        try:
            taken = 0
            while limit is None or taken < limit:
                if self.halt.is_set():
                    ending = "paused"
                    break
                try:
                    item = next(items)
                except StopIteration:
                    break
                self.inbox.append(item)
                taken += 1
            else:
                ending = "paused"
        except Stopped:
            ending = "paused"
        except Exception as exc:  # a run's error is the page's to show, never the server's
            ending = f"error: {exc}"
        self.ending = ending

    def refresh(self) -> None:
        """Hand what arrived to the page; report the thread's end once."""
        if self.on_tick is not None:
            self.on_tick()
        ending = self.ending  # read first: the thread sets it after its last item
        batch = []
        while self.inbox:
            batch.append(self.inbox.pop(0))
        if batch:
            self.on_items(batch)
        if ending is not None:
            self.ending = None
            self.on_end(ending)
        if not self.busy and self.ending is None and not self.inbox:
            self.sleep()
