"""Turns per second: a motive-only sccgames.Tournament against axelrod.Tournament.

Both run in the same process, interleaved (each repeat takes the best of three back-to-back
runs of each library, with the cyclic garbage collector paused, as ``timeit`` does), with an
equal number of players, the same turns and repetitions; sccgames runs with a social credit
regime on. A "turn" is one turn of one match. Two sizes by default:

- all 15 of ``axelrod_first_strategies`` (Axelrod's first tournament) against 15 motive
  agents (the 8 presets, then the first 7 again);
- the first 8 of them against the 8 presets. These 8 are mostly deterministic, and with no
  noise axelrod plays a deterministic match once and replays it from its cache for the other
  repetitions, so this is the comparison least favourable to sccgames.

sccgames' cost per turn is mostly numpy's fixed cost per call (it hardly grows with the
number of matches played at once), so its rate grows with the size of the tournament while
axelrod's does not.

    python benchmarks/bench_tournament.py [--players 15 8] [--turns 200] [--repetitions 10]
        [--repeats 3] [--noise 0]
"""

from __future__ import annotations

import argparse
import gc
import platform
import statistics
import time
import warnings

import axelrod as axl

import sccgames as scc


def match_turns(players: int, turns: int, repetitions: int) -> int:
    """Match-turns of a round robin with self-play, as both libraries play it."""
    return players * (players + 1) // 2 * turns * repetitions


def timed(run) -> float:
    """Seconds one call of ``run`` takes, with the cyclic collector paused (as ``timeit``)."""
    collecting = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        run()
        return time.perf_counter() - start
    finally:
        if collecting:
            gc.enable()


def time_axelrod(n: int, turns: int, repetitions: int, noise: float) -> float:
    players = [cls() for cls in axl.axelrod_first_strategies[:n]]
    tournament = axl.Tournament(players, turns=turns, repetitions=repetitions, noise=noise, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return timed(lambda: tournament.play(progress_bar=False, processes=1))


def motive_players(n: int) -> list[scc.MotiveAgent]:
    """``n`` motive agents: the presets in order, repeated as needed."""
    presets = scc.motive_strategies
    return [presets[i % len(presets)]() for i in range(n)]


def time_sccgames(n: int, turns: int, repetitions: int, noise: float) -> float:
    players = motive_players(n)
    tournament = scc.Tournament(
        players,
        turns=turns,
        repetitions=repetitions,
        regime=scc.SocialCredit(coverage={"economic": 0.9, "private": 0.0}),
        domains={"economic": 0.5, "private": 0.5},
        noise=noise,
        seed=1,
    )
    return timed(lambda: tournament.play(progress_bar=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--players",
        type=int,
        nargs="+",
        default=[len(axl.axelrod_first_strategies), len(scc.motive_strategies)],
        help="tournament sizes (at most len(axelrod_first_strategies))",
    )
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--repetitions", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--noise",
        type=float,
        default=0.0,
        help="noise for both (with noise > 0 axelrod cannot replay deterministic matches "
        "from its cache across repetitions)",
    )
    args = parser.parse_args()
    largest = len(axl.axelrod_first_strategies)
    if not all(2 <= n <= largest for n in args.players):
        parser.error(f"--players must be between 2 and {largest}")
    print(
        f"python {platform.python_version()}, axelrod {axl.__version__}, sccgames "
        f"{scc.__version__}; {args.turns} turns, {args.repetitions} repetitions, "
        f"noise {args.noise}, {args.repeats} interleaved repeats"
    )
    for n in args.players:
        compare(n, args.turns, args.repetitions, args.noise, args.repeats)


def compare(n: int, turns: int, repetitions: int, noise: float, repeats: int) -> None:
    """Print both libraries' rates and their ratio for a tournament of ``n`` players."""
    work = match_turns(n, turns, repetitions)
    time_sccgames(n, 5, 1, noise)  # warm both up (first calls import and cache)
    time_axelrod(n, 5, 1, noise)
    rates: dict[str, list[float]] = {"axelrod": [], "sccgames": []}
    for _ in range(repeats):  # each repeat: best of three back-to-back runs of each
        rates["axelrod"].append(
            work / min(time_axelrod(n, turns, repetitions, noise) for _ in "abc")
        )
        rates["sccgames"].append(
            work / min(time_sccgames(n, turns, repetitions, noise) for _ in "abc")
        )
    ratios = [a / b for a, b in zip(rates["sccgames"], rates["axelrod"], strict=True)]
    print(f"\n{n} players ({work:,} match-turns)")
    print(f"{'what':44s} {'turns/s (median)':>17s}")
    print(
        f"{'axelrod.Tournament (first strategies)':44s} "
        f"{statistics.median(rates['axelrod']):17,.0f}"
    )
    print(
        f"{'sccgames.Tournament (motive agents, SocialCredit)':44s} "
        f"{statistics.median(rates['sccgames']):17,.0f}"
    )
    print(
        f"ratio sccgames/axelrod per repeat: median {statistics.median(ratios):.1f}, "
        f"min {min(ratios):.1f}, max {max(ratios):.1f}"
    )


if __name__ == "__main__":
    main()
