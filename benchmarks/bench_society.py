"""Agent-decisions per second of the society engine, against axelrod.Match, in one run.

The full five-motive model (a default ``Citizen`` population) under ``SocialCredit`` with two
domains, metrics recorded every round. It reports, on this machine and in this process:

- decisions per second at 10⁵ agents from the mean round (best of ``--repeats``, as
  ``timeit`` takes the best: interference from other work on a shared machine only ever
  slows a repeat; also from the median round, which a moment of interference does not
  move), and axelrod's decisions per second in ``axelrod.Match`` (two decisions per turn),
  measured interleaved the same way, and their ratio (from the mean); then the spread over
  the repeats of both rates and of the ratio measured within each repeat;
- memory per agent: the peak traced by ``tracemalloc`` during a run, over the agents;
- time against agents × rounds over 10³ … 10⁶ agents, and the slope of log time on log size
  (1 means linear).

With ``--word-of-mouth W`` it measures instead, interleaved the same way, the rate at 10⁵
agents with word of mouth on (``WordOfMouth(weight=W)``) against the same society without
it, and their ratio.

    python benchmarks/bench_society.py [--rounds 20] [--repeats 5] [--largest 1000000]
    python benchmarks/bench_society.py --word-of-mouth 0.1
"""

from __future__ import annotations

import argparse
import gc
import itertools
import platform
import time
import tracemalloc
import warnings

import axelrod as axl
import numpy as np

import sccgames as scc

REGIME = scc.SocialCredit(coverage={"economic": 0.8, "private": 0.0})
DOMAINS = {"economic": 0.5, "private": 0.5}


def society(n: int, rounds: int, word_of_mouth: float = 0.0) -> scc.Society:
    spread = scc.WordOfMouth(weight=word_of_mouth) if word_of_mouth else None
    return scc.Society(
        scc.Population(n), rounds, regime=REGIME, domains=DOMAINS, seed=1, word_of_mouth=spread
    )


def round_times(n: int, rounds: int, word_of_mouth: float = 0.0) -> np.ndarray:
    """Seconds taken by each round after the first (setup and first round excluded)."""
    run = iter(society(n, rounds + 1, word_of_mouth).stream())
    next(run)
    gc.collect()
    seconds = []
    start = time.perf_counter()
    for _ in run:
        seconds.append(time.perf_counter() - start)
        start = time.perf_counter()
    return np.array(seconds)


def time_society(n: int, rounds: int) -> float:
    """Mean seconds per round after the first."""
    return float(round_times(n, rounds).mean())


def axelrod_rate(turns: int = 2000) -> float:
    """Decisions per second in axelrod.Match, over pairs of its first tournament's strategies."""
    strategies = axl.axelrod_first_strategies[:6]
    decisions = 0
    seconds = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for a, b in itertools.pairwise(strategies):
            match = axl.Match((a(), b()), turns=turns, seed=1)
            start = time.perf_counter()
            match.play()
            seconds += time.perf_counter() - start
            decisions += 2 * turns
    return decisions / seconds


def memory_per_agent(n: int, rounds: int = 3) -> float:
    """Peak bytes traced during a run (setup included), per agent."""
    gc.collect()
    tracemalloc.start()
    for _ in society(n, rounds).stream():
        pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--largest", type=int, default=1_000_000)
    parser.add_argument("--word-of-mouth", type=float, default=0.0)
    args = parser.parse_args()
    n = 100_000
    if args.word_of_mouth:
        on, off = [], []
        for _ in range(args.repeats):  # interleaved, best of each
            off.append(n / round_times(n, args.rounds).mean())
            on.append(n / round_times(n, args.rounds, args.word_of_mouth).mean())
        print(f"10^5 Citizens, SocialCredit, {args.rounds} rounds, best of {args.repeats}")
        print(f"without word of mouth: {max(off):14,.0f} decisions/s")
        print(f"with word of mouth {args.word_of_mouth:g}: {max(on):14,.0f} decisions/s")
        print(f"ratio with/without: {max(on) / max(off):.3f}")
        return
    ours, typical, theirs = [], [], []
    for _ in range(args.repeats):  # interleaved, best of each
        seconds = round_times(n, args.rounds)
        ours.append(n / seconds.mean())
        typical.append(n / np.median(seconds))
        theirs.append(axelrod_rate())
    best, axl_best = max(ours), max(theirs)
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, axelrod "
        f"{axl.__version__}, sccgames {scc.__version__}; {args.rounds} rounds, best of "
        f"{args.repeats} interleaved repeats"
    )
    print(f"{'what':58s} {'decisions/s':>14s}")
    print(f"{'sccgames.Society, 10^5 Citizens, SocialCredit (one core)':58s} {best:14,.0f}")
    print(f"{'  the same, median round rather than mean':58s} {max(typical):14,.0f}")
    print(f"{'axelrod.Match (first-tournament strategies)':58s} {axl_best:14,.0f}")
    print(f"ratio sccgames/axelrod: {best / axl_best:.0f}x")
    ratios = np.array(ours) / np.array(theirs)
    print(
        f"over the {args.repeats} repeats: sccgames {min(ours):,.0f} to {max(ours):,.0f} "
        f"(median {np.median(ours):,.0f}); axelrod {min(theirs):,.0f} to {max(theirs):,.0f}; "
        f"ratio within a repeat {ratios.min():.0f}x to {ratios.max():.0f}x "
        f"(median {np.median(ratios):.0f}x)"
    )
    print(f"memory: {memory_per_agent(n):,.0f} bytes per agent (tracemalloc peak, 10^5 agents)")
    sizes = [s for s in (1_000, 10_000, 100_000, 1_000_000) if s <= args.largest]
    seconds = []
    print(f"{'agents':>10s} {'s/round':>10s} {'ns per decision':>16s}")
    for size in sizes:
        rounds = max(3, min(args.rounds, 2_000_000 // size))
        per_round = min(time_society(size, rounds) for _ in range(2))
        seconds.append(per_round)
        print(f"{size:>10,d} {per_round:10.4f} {per_round / size * 1e9:16.0f}")
    slope = np.polyfit(np.log(sizes), np.log(seconds), 1)[0]
    print(f"slope of log(time per round) on log(agents): {slope:.2f} (1 = linear)")
    upper = np.polyfit(np.log(sizes[-2:]), np.log(seconds[-2:]), 1)[0] if len(sizes) > 1 else slope
    print(f"slope over the two largest sizes: {upper:.2f}")


if __name__ == "__main__":
    main()
