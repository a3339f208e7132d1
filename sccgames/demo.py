"""The demo: a small round robin under a social credit regime, as a readable table."""

from __future__ import annotations

import itertools

import axelrod as axl
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from sccgames.agents import motive_strategies
from sccgames.match import Match
from sccgames.regimes import SocialCredit

#: The demo's two domains: the economic sphere, watched by the regime, and private life, not.
DEMO_DOMAINS = {"economic": 0.5, "private": 0.5}
DEMO_REGIME = SocialCredit(coverage={"economic": 0.9, "private": 0.0})


def demo_players() -> list[axl.Player]:
    """Every motive preset beside four of axelrod's classics."""
    return [cls() for cls in motive_strategies] + [
        axl.TitForTat(),
        axl.Defector(),
        axl.Cooperator(),
        axl.Random(),
    ]


def round_robin(
    players: list[axl.Player],
    turns: int = 50,
    repetitions: int = 2,
    regime: SocialCredit = DEMO_REGIME,
    domains: dict[str, float] = DEMO_DOMAINS,
    seed: int = 0,
    progress_bar: bool = True,
) -> pd.DataFrame:
    """Play every pair (and each player against its clone) and summarize per player.

    Returns a DataFrame with one row per player: mean payoff per turn (material plus
    transfers), cooperation overall, in watched and in unwatched domains, fines paid per
    turn and mean final score, ranked by payoff.
    """
    pairs = list(itertools.combinations_with_replacement(range(len(players)), 2))
    seeds = np.random.SeedSequence(seed).spawn(len(pairs) * repetitions)
    frames = []
    jobs = list(itertools.product(range(repetitions), enumerate(pairs)))
    for repetition, (k, (i, j)) in tqdm(jobs, disable=not progress_bar, desc="matches"):
        match = Match(
            [players[i].clone(), players[j].clone()],
            turns=turns,
            regime=regime,
            domains=domains,
            seed=seeds[repetition * len(pairs) + k],
        )
        match.play()
        records = match.records()
        records["player"] = np.where(records["player"] == 0, i, j)
        if i == j:
            records = records[records["player"] == i].iloc[::2]
        frames.append(records.assign(repetition=repetition, match=k))
    records = pd.concat(frames, ignore_index=True)
    records["cooperated"] = records["played"] == "C"
    records["watched"] = records["coverage"] > 0
    grouped = records.groupby("player")
    watched = records[records["watched"]].groupby("player")
    unwatched = records[~records["watched"]].groupby("player")
    last = records[records["turn"] == turns - 1].groupby("player")
    summary = pd.DataFrame(
        {
            "name": [str(p) for p in players],
            "payoff": grouped["total_payoff"].mean(),
            "cooperation": grouped["cooperated"].mean(),
            "cooperation_watched": watched["cooperated"].mean(),
            "cooperation_unwatched": unwatched["cooperated"].mean(),
            "fines": grouped["fine"].mean(),
            "score": last["score"].mean(),
        }
    )
    summary = summary.sort_values("payoff", ascending=False).reset_index(drop=True)
    summary.index = pd.RangeIndex(1, len(summary) + 1, name="rank")
    return summary


def run_demo(turns: int = 50, repetitions: int = 2, seed: int = 0, progress_bar: bool = True):
    """Run the demo round robin and return its summary table."""
    return round_robin(
        demo_players(), turns=turns, repetitions=repetitions, seed=seed, progress_bar=progress_bar
    )
