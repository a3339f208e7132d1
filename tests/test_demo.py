import axelrod as axl

import sccgames as scc
from sccgames.demo import demo_players, round_robin


def test_demo_players_are_every_preset_and_four_classics():
    players = demo_players()
    assert len(players) == len(scc.motive_strategies) + 4
    assert any(isinstance(p, axl.TitForTat) for p in players)


def test_round_robin_summary_shows_a_compliance_gap_for_the_rational_benchmark():
    players = [scc.SubgamePerfect(), scc.Moralist(), axl.TitForTat()]
    summary = round_robin(players, turns=20, repetitions=2, seed=1, progress_bar=False)
    assert list(summary.index) == [1, 2, 3]
    assert summary["payoff"].is_monotonic_decreasing
    rows = summary.set_index("name")
    gap = rows["cooperation_watched"] - rows["cooperation_unwatched"]
    assert gap["Subgame Perfect"] > 0.5
    assert abs(gap["Moralist"]) < 0.1
