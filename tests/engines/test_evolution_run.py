"""Regime-aware evolutionary runs: fitness from a tournament under the regime."""

import axelrod as axl
import matplotlib
import pytest

import sccgames as scc

matplotlib.use("Agg")


def test_replicator_run_under_a_strong_regime_favours_compliers():
    """Fines make defection unfit: with full coverage, defectors die out; without, they win."""
    players = [axl.Cooperator(), axl.Defector()]
    strict = scc.SocialCredit(coverage=1.0, fine=5.0, false_positive=0.0, false_negative=0.0)
    common = dict(
        dynamics=scc.Dynamics.REPLICATOR,
        generations=60,
        turns=20,
        repetitions=2,
        seed=1,
        progress_bar=False,
    )
    watched = scc.evolve(players, regime=strict, **common)
    free = scc.evolve(players, **common)
    last = watched[watched["generation"] == 60].set_index("type")["share"]
    assert last["Cooperator"] > 0.99
    last = free[free["generation"] == 60].set_index("type")["share"]
    assert last["Defector"] > 0.99


def test_moran_run_is_reproducible_and_tidy():
    players = [scc.Moralist(), scc.HomoEconomicus(), "Defector"]
    run = dict(
        generations=100,
        population=12,
        turns=20,
        repetitions=2,
        seed=4,
        regime=scc.SocialCredit(),
        progress_bar=False,
    )
    first = scc.evolve(players, **run)
    second = scc.evolve(players, **run)
    assert first.equals(second)
    assert list(first.columns) == ["generation", "type", "count", "share"]
    assert first.groupby("generation")["count"].sum().eq(12).all()
    assert first[first["generation"] == 0].set_index("type")["count"].tolist() == [4, 4, 4]
    ax = scc.plots.population_shares(first)
    assert ax.get_title()


def test_evolve_rejects_bad_arguments():
    with pytest.raises(ValueError, match="dynamics must be one of 'moran', 'replicator'"):
        scc.evolve([scc.Moralist(), axl.Defector()], dynamics="lamarck")
    with pytest.raises(ValueError, match="population must be an integer >= 2"):
        scc.evolve([scc.Moralist(), axl.Defector()], population=1)
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        scc.evolve([scc.Moralist(), axl.Defector()], seed=-2)


def test_tournament_results_plot_and_give_a_payoff_matrix():
    results = scc.Tournament(
        [scc.Moralist(), scc.HomoEconomicus(), axl.TitForTat()],
        turns=20,
        repetitions=3,
        regime=scc.SocialCredit(coverage={"watched": 1.0, "unwatched": 0.0}),
        domains={"watched": 0.5, "unwatched": 0.5},
        seed=3,
    ).play(progress_bar=False)
    matrix = results.payoff_matrix()
    assert list(matrix.index) == results.names == list(matrix.columns)
    moralist_vs_tft = results.matches.query("player == 0 and opponent == 2")["payoff"].mean()
    assert matrix.loc["Moralist", "Tit For Tat"] == pytest.approx(moralist_vs_tft)
    ax = results.plot_payoffs()
    assert {t.get_text() for t in ax.get_xticklabels()} == set(results.names)
    ax = results.plot_cooperation()
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"watched", "unwatched"}
