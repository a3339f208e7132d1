"""Parallel efficiency of a sweep on 2 processes: T(1 process) / (2 × T(2 processes)).

A sweep of societies (every point a few seconds of work) runs into fresh folders, once with
one process and once with two, alternately ``--repeats`` times; the efficiency uses each
setting's best time. Results of the two settings are also checked to be identical.

    python benchmarks/bench_sweep.py [--points 8] [--size 50000] [--rounds 60] [--repeats 2]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import pandas as pd

import sccgames as scc
from sccgames.experiments import experiment


def config(points: int, size: int, rounds: int) -> dict:
    return {
        "kind": "society",
        "name": "bench-sweep",
        "seed": 1,
        "society": {
            "rounds": rounds,
            "game": "pd",
            "population": {"size": size, "shares": {"Citizen": 1.0}},
            "regime": {"kind": "social_credit", "fine": 1.0},
        },
        "sweep": {"repetitions": points, "grid": {"society.regime.fine": [1.0]}},
    }


def timed_sweep(spec: dict, processes: int) -> tuple[float, dict[str, pd.DataFrame]]:
    with tempfile.TemporaryDirectory() as directory:
        start = time.perf_counter()
        tables = experiment.sweep(
            spec, os.path.join(directory, "sweep"), processes=processes, progress_bar=False
        )
        return time.perf_counter() - start, tables


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=8)
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    spec = config(args.points, args.size, args.rounds)
    one, two = [], []
    for _ in range(args.repeats):
        t1, first = timed_sweep(spec, 1)
        t2, second = timed_sweep(spec, 2)
        one.append(t1)
        two.append(t2)
        for name in first:
            pd.testing.assert_frame_equal(first[name], second[name])
    best1, best2 = min(one), min(two)
    print(
        f"sccgames {scc.__version__}; {args.points} points, {args.size} citizens, "
        f"{args.rounds} rounds each; best of {args.repeats}"
    )
    print(f"1 process:   {best1:7.2f} s")
    print(f"2 processes: {best2:7.2f} s")
    print(f"parallel efficiency on 2 processes: {best1 / (2 * best2):.0%} (results identical)")


if __name__ == "__main__":
    main()
