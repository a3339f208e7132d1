"""The worker pool shared by tournaments and sweeps (``sccgames.engines.workers``)."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import sccgames
from sccgames.engines import workers


def test_available_cores_are_this_process_s_affinity():
    assert workers.available_cores() == len(os.sched_getaffinity(0))


def test_pool_workers_ignore_ctrl_c_and_watch_their_parent(tmp_path):
    with workers.worker_pool(2) as pool:
        handler = pool.submit(signal.getsignal, signal.SIGINT).result()
        parent = pool.submit(os.getppid).result()
        threads = pool.submit(_thread_names).result()
    assert handler == signal.SIG_IGN
    assert parent == os.getpid()
    assert "sccgames-parent-watch" in threads


def _thread_names():
    import threading

    return [thread.name for thread in threading.enumerate()]


def test_a_worker_whose_parent_is_gone_exits(tmp_path):
    """The initializer's fallback: a worker started for a parent already dead exits at once."""
    code = textwrap.dedent(
        f"""
        import sys, types
        package = types.ModuleType("sccgames")
        package.__path__ = [{str(Path(sccgames.__file__).parent)!r}]
        sys.modules["sccgames"] = package
        from sccgames.engines.workers import _die_with_parent
        _die_with_parent(2 ** 22 + 1)  # above Linux's default pid_max: no such process
        print("still alive")
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1 and done.stdout == ""
