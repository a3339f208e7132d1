"""The demo: a round robin under a social credit regime, as a readable table."""

from __future__ import annotations

import axelrod as axl
import pandas as pd

from sccgames.engines.tournament import Tournament
from sccgames.model.agents import motive_strategies
from sccgames.rules.regimes import SocialCredit

#: The demo's two domains: the economic sphere, watched by the regime, and private life, not.
DEMO_DOMAINS = {"economic": 0.5, "private": 0.5}
DEMO_REGIME = SocialCredit(coverage={"economic": 0.9, "private": 0.0})
#: Columns the demo prints.
DEMO_COLUMNS = [
    "name",
    "payoff",
    "cooperation",
    "cooperation_watched",
    "cooperation_unwatched",
    "fines",
    "false_positives",
    "score",
]


def demo_players() -> list[axl.Player]:
    """Every motive preset beside four of axelrod's classics."""
    return [cls() for cls in motive_strategies] + [
        axl.TitForTat(),
        axl.Defector(),
        axl.Cooperator(),
        axl.Random(),
    ]


def run_demo(
    turns: int = 200, repetitions: int = 10, seed: int = 0, progress_bar: bool = True
) -> pd.DataFrame:
    """Play the demo tournament and return its ranked summary (see :func:`demo_players`)."""
    results = Tournament(
        demo_players(),
        turns=turns,
        repetitions=repetitions,
        regime=DEMO_REGIME,
        domains=DEMO_DOMAINS,
        seed=seed,
    ).play(progress_bar=progress_bar)
    return results.summary.set_index("rank")[DEMO_COLUMNS]
