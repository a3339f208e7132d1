"""Decisions per second: motive agents in sccgames.Match beside axelrod's own matches.

Both sides are measured in the same run, interleaved, on the same machine, and reported as a
ratio (this machine is shared and noisy: absolute rates move, ratios much less).

    python benchmarks/bench_match.py [--turns 1000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import itertools
import platform
import statistics
import time

import axelrod as axl

import sccgames as scc

AXELROD_PAIRS = list(itertools.combinations(axl.axelrod_first_strategies[:6], 2))
MOTIVE_PAIRS = list(itertools.combinations(scc.motive_strategies[:6], 2))


def rate(make_match, pairs, turns: int) -> float:
    """Decisions per second over all pairs (two decisions per turn)."""
    start = time.perf_counter()
    for seed, (a, b) in enumerate(pairs):
        make_match(a(), b(), turns, seed).play()
    return 2 * turns * len(pairs) / (time.perf_counter() - start)


def axelrod_match(a, b, turns, seed):
    return axl.Match([a, b], turns=turns, seed=seed)


def motive_match(a, b, turns, seed):
    return scc.Match(
        [a, b],
        turns=turns,
        seed=seed,
        regime=scc.SocialCredit(coverage={"economic": 0.9, "private": 0.0}),
        domains={"economic": 0.5, "private": 0.5},
    )


def axelrod_players_in_our_match(a, b, turns, seed):
    return motive_match(a, b, turns, seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rates = {
        "axelrod.Match": [],
        "sccgames.Match, motive agents": [],
        "sccgames.Match, axelrod strategies": [],
    }
    for _ in range(args.repeats):
        rates["axelrod.Match"].append(rate(axelrod_match, AXELROD_PAIRS, args.turns))
        rates["sccgames.Match, motive agents"].append(rate(motive_match, MOTIVE_PAIRS, args.turns))
        rates["sccgames.Match, axelrod strategies"].append(
            rate(axelrod_players_in_our_match, AXELROD_PAIRS, args.turns)
        )
    base = statistics.median(rates["axelrod.Match"])
    print(
        f"python {platform.python_version()}, axelrod {axl.__version__}, "
        f"sccgames {scc.__version__}; {args.turns} turns, {args.repeats} repeats (median)"
    )
    print(f"{'what':40s} {'decisions/s':>12s} {'ratio to axelrod':>17s}")
    for name, values in rates.items():
        median = statistics.median(values)
        print(f"{name:40s} {median:12,.0f} {median / base:17.3f}")


if __name__ == "__main__":
    main()
