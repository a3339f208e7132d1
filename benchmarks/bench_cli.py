"""How long the command takes to answer ``--help``, beside the import of axelrod alone.

Every timing is a fresh interpreter (``python -m sccgames --help``, ``sccgames validate`` of
an example file, ``python -c "import axelrod"``), run ``--repeats`` times; the best and the
median are printed. ``--help`` imports none of the heavy modules (see ``sccgames/cli.py`` and
the lazy names of ``sccgames/__init__.py``), so it should take about as long as starting
Python; ``validate`` needs the experiment machinery, and so axelrod.

    python benchmarks/bench_cli.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "sccgames --help": [sys.executable, "-m", "sccgames", "--help"],
    "sccgames validate configs/sweep.toml": [
        sys.executable,
        "-m",
        "sccgames",
        "validate",
        str(ROOT / "configs" / "sweep.toml"),
    ],
    'python -c "import axelrod"': [sys.executable, "-c", "import axelrod"],
}


def timed(command: list[str]) -> float:
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=environment)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"{'command':<40} {'best s':>8} {'median s':>9}")
    for label, command in COMMANDS.items():
        times = [timed(command) for _ in range(args.repeats)]
        print(f"{label:<40} {min(times):8.3f} {statistics.median(times):9.3f}")


if __name__ == "__main__":
    main()
