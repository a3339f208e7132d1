import axelrod as axl

import sccgames as scc
from sccgames.experiments.demo import DEMO_COLUMNS, demo_players, run_demo


def test_demo_players_are_every_preset_and_four_classics():
    players = demo_players()
    assert len(players) == len(scc.motive_strategies) + 4
    assert any(isinstance(p, axl.TitForTat) for p in players)


def test_demo_summary_shows_the_rational_benchmark_complying_only_where_watched():
    summary = run_demo(turns=30, repetitions=2, seed=1, progress_bar=False)
    assert list(summary.columns) == DEMO_COLUMNS
    assert list(summary.index) == list(range(1, len(demo_players()) + 1))
    rows = summary.set_index("name")
    gap = rows["cooperation_watched"] - rows["cooperation_unwatched"]
    assert gap["Subgame Perfect"] > 0.5
    assert abs(gap["Moralist"]) < 0.05
