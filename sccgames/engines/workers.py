"""Local worker processes that ignore Ctrl-C and die with the process that started them.

One pool for every engine and experiment that runs in parallel (a tournament's matches, a
sweep's points): :func:`worker_pool` makes a :class:`WorkerPool` of at most
:func:`available_cores` workers. This module imports nothing else from ``sccgames`` (nor
axelrod), so worker processes start quickly.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

__all__ = ["PARENT_CHECK_SECONDS", "WorkerPool", "available_cores", "worker_pool"]


def available_cores() -> int:
    """The number of cores this process may run on (its CPU affinity, else the CPU count).

    Returns
    -------
    int
        At least 1. Local worker processes are capped at it: more workers than cores only
        adds memory and switching, never speed.

    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - macOS and Windows
        return max(1, os.cpu_count() or 1)


#: Linux's ``PR_SET_PDEATHSIG`` (``<linux/prctl.h>``): a signal sent to a process when the
#: thread that started it exits.
_PR_SET_PDEATHSIG = 1

#: How often (seconds) a worker checks that its parent is alive where ``prctl`` is missing
#: (chosen so that an orphan lives at most about a second, for a negligible cost).
PARENT_CHECK_SECONDS = 0.5


def _die_with_parent(parent: int) -> None:
    """Make this (worker) process die when ``parent`` does, even by SIGKILL.

    On Linux the kernel sends SIGKILL on the parent's death (``prctl(PR_SET_PDEATHSIG)``);
    everywhere a daemon thread also checks every :data:`PARENT_CHECK_SECONDS` that the
    process has not been handed to another parent, and exits if it has.
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no usable libc
            pass
    original = os.getppid()
    if original != parent and not _alive(parent):  # it died before prctl took effect
        os._exit(1)

    def watch() -> None:  # pragma: no cover - runs in a worker process
        while True:
            time.sleep(PARENT_CHECK_SECONDS)
            if os.getppid() != original:
                os._exit(1)

    threading.Thread(target=watch, name="sccgames-parent-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - someone else's process
        return True
    return True


def _worker_init(parent: int) -> None:
    """A pool worker's initializer: ignore Ctrl-C (the parent handles it), die with the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent)


@contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Hold back Ctrl-C while a worker may be started, and raise it after.

    A worker forked in that moment inherits the handler that merely records the signal (until
    its initializer ignores Ctrl-C), so no worker is interrupted before it is ready; the main
    process gets its ``KeyboardInterrupt`` on leaving the block.
    """
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or previous is None:
        yield
        return
    caught: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught and callable(previous):
        previous(signal.SIGINT, None)  # Python's default handler raises KeyboardInterrupt


class WorkerPool(ProcessPoolExecutor):
    """A local process pool whose workers ignore Ctrl-C and die with this process.

    The main process handles Ctrl-C: call :meth:`stop` on ``KeyboardInterrupt`` (it cancels
    what is queued and terminates the workers), :meth:`shutdown` otherwise.

    Parameters
    ----------
    processes : int
        Worker processes, capped at :func:`available_cores`.

    """

    def __init__(self, processes: int) -> None:
        super().__init__(
            max_workers=max(1, min(processes, available_cores())),
            initializer=_worker_init,
            initargs=(os.getpid(),),
        )

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """Schedule ``fn(*args, **kwargs)``; see :meth:`ProcessPoolExecutor.submit`."""
        with _sigint_deferred():  # it may start a worker
            return super().submit(fn, *args, **kwargs)

    def stop(self) -> None:
        """Cancel every queued task and terminate the workers now."""
        terminate = getattr(super(), "terminate_workers", None)  # Python 3.14
        if terminate is not None:  # pragma: no cover - Python 3.14
            terminate()
            self.shutdown(wait=False, cancel_futures=True)
            return
        # before 3.14 the pool has no public way to stop running workers: its process table
        table = getattr(self, "_processes", None)
        processes = list(table.values()) if isinstance(table, dict) else []
        self.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        deadline = time.monotonic() + 2
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():  # pragma: no cover - ignored SIGTERM
                process.kill()
                process.join(1)


def worker_pool(processes: int) -> WorkerPool:
    """A :class:`WorkerPool` of ``processes`` workers (at most the cores available).

    Parameters
    ----------
    processes : int
        Worker processes.

    Returns
    -------
    WorkerPool
        The pool.

    """
    return WorkerPool(processes)
