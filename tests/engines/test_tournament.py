import axelrod as axl
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sccgames as scc
from sccgames.engines.tournament import MATCH_COLUMNS, SUMMARY_COLUMNS, Tournament, resolve_player

WATCHED = scc.SocialCredit(coverage={"watched": 1.0, "unwatched": 0.0})
DOMAINS = {"watched": 0.5, "unwatched": 0.5}
PRESETS = [
    scc.HomoEconomicus,
    scc.Habitual,
    scc.Moralist,
    scc.ConditionalCooperator,
    scc.Empath,
    scc.SocialAnimal,
    scc.Citizen,
]


@pytest.fixture(scope="module")
def headline():
    """The issue's tournament: seven presets and four axelrod classics, one domain watched."""
    players = [cls() for cls in PRESETS] + [
        axl.TitForTat(),
        axl.Defector(),
        axl.Cooperator(),
        axl.Random(),
    ]
    return Tournament(
        players, turns=200, repetitions=10, regime=WATCHED, domains=DOMAINS, seed=2026
    ).play(progress_bar=False)


def _gaps(results, name):
    """Per repetition: cooperation where watched minus where not, pooled over matches."""
    rows = results.matches[results.matches["name"] == name]
    g = rows.groupby("repetition")
    watched = g["watched_cooperations"].sum() / g["watched_turns"].sum()
    unwatched = (g["cooperations"].sum() - g["watched_cooperations"].sum()) / (
        g["turns"].sum() - g["watched_turns"].sum()
    )
    return (watched - unwatched).to_numpy()


def test_compliance_gap_for_homo_economicus_and_not_for_moralist(headline):
    gap = _gaps(headline, "Homo Economicus")
    # ten repetitions; a one-sided t-test of a positive mean gap at the 1% level
    assert stats.ttest_1samp(gap, 0.0, alternative="greater").pvalue < 0.01
    assert gap.mean() > 0.03
    moralist = _gaps(headline, "Moralist")
    assert np.abs(moralist).max() < 0.01
    summary = headline.summary.set_index("name")
    assert (
        summary.loc["Homo Economicus", "cooperation_watched"]
        > summary.loc["Homo Economicus", "cooperation_unwatched"]
    )


def test_summary_and_matches_are_tidy(headline):
    summary, matches = headline.summary, headline.matches
    assert list(summary.columns) == ["player", *SUMMARY_COLUMNS]
    assert list(summary["rank"]) == list(range(1, 12))
    assert summary["payoff"].is_monotonic_decreasing
    assert list(matches.columns) == list(MATCH_COLUMNS)
    pairs = 11 * 12 // 2
    assert len(matches) == 10 * (2 * pairs - 11)  # self-play has one row
    assert matches.groupby(["match", "repetition"]).size().isin([1, 2]).all()
    np.testing.assert_allclose(matches["payoff"], matches["material_payoff"] + matches["transfers"])
    assert matches["cooperation"].between(0, 1).all()
    defector = summary.set_index("name").loc["Defector"]
    assert defector["cooperation"] == 0 and defector["fines"] > 1.0
    assert (summary["false_positives"] >= 0).all()


def test_same_seed_same_results_for_any_number_of_processes():
    players = [scc.Citizen(), scc.Moralist(), axl.TitForTat(), "Random"]
    kwargs = dict(turns=30, repetitions=3, regime=WATCHED, domains=DOMAINS, seed=5, noise=0.05)
    one = Tournament(players, processes=1, **kwargs).play(progress_bar=False)
    two = Tournament(players, processes=2, **kwargs).play(progress_bar=False)
    pd.testing.assert_frame_equal(one.matches, two.matches)
    pd.testing.assert_frame_equal(one.summary, two.summary)
    other = Tournament(players, processes=1, **{**kwargs, "seed": 6}).play(progress_bar=False)
    assert not other.matches.equals(one.matches)


def test_chunking_does_not_change_results(monkeypatch):
    import sccgames.engines.tournament as tournament

    players = [scc.Citizen(), scc.Empath(), axl.Grudger()]
    kwargs = dict(turns=20, repetitions=4, seed=9)
    whole = Tournament(players, **kwargs).play(progress_bar=False)
    monkeypatch.setattr(tournament, "BATCH_CHUNK", 5)
    pieces = Tournament(players, **kwargs).play(progress_bar=False)
    pd.testing.assert_frame_equal(whole.matches, pieces.matches)


@pytest.mark.parametrize("processes", [1, 2])
def test_progress_is_reported_per_chunk_and_an_exception_there_stops_the_tournament(
    monkeypatch, processes
):
    import sccgames.engines.tournament as tournament

    monkeypatch.setattr(tournament, "BATCH_CHUNK", 5)
    players = [scc.Citizen(), scc.Empath(), axl.Grudger()]
    kwargs = dict(turns=20, repetitions=4, seed=9, processes=processes)
    seen = []
    Tournament(players, **kwargs).play(progress_bar=False, on_progress=lambda *a: seen.append(a))
    total = 4 * 6  # repetitions × pairings of 3 players with self-play
    assert seen == [(min(k, total), total) for k in range(5, total + 5, 5)]

    class Enough(Exception):
        pass

    def stop_after_the_first(played, total):
        seen.append(played)
        raise Enough

    seen.clear()
    with pytest.raises(Enough):
        Tournament(players, **kwargs).play(progress_bar=False, on_progress=stop_after_the_first)
    assert seen == [5]


def test_unseeded_tournament_replays_itself():
    tournament = Tournament([scc.Citizen(), axl.Random()], turns=10, repetitions=2)
    first = tournament.play(progress_bar=False).matches
    pd.testing.assert_frame_equal(first, tournament.play(progress_bar=False).matches)


def test_players_by_name_class_and_instance():
    assert isinstance(resolve_player("Tit For Tat"), axl.TitForTat)
    assert isinstance(resolve_player("TitForTat"), axl.TitForTat)
    assert isinstance(resolve_player("Homo Economicus"), scc.HomoEconomicus)
    assert isinstance(resolve_player("Moralist"), scc.Moralist)
    assert isinstance(resolve_player(axl.Defector), axl.Defector)
    player = scc.Citizen()
    assert resolve_player(player) is player


def test_unknown_strategy_names_closest_matches():
    with pytest.raises(ValueError, match=r"unknown strategy 'Tit for tat'; did you mean"):
        resolve_player("Tit for tat")
    with pytest.raises(ValueError, match="unknown strategy 'zzzzqqq' \\(names are"):
        resolve_player("zzzzqqq")
    with pytest.raises(ValueError, match="must be an axelrod player"):
        resolve_player(3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"players": [scc.Citizen()]}, "at least two players"),
        ({"turns": 0}, "turns must be an integer >= 1"),
        ({"repetitions": -1}, "repetitions must be an integer >= 1"),
        ({"processes": 0}, "processes must be an integer >= 1"),
        ({"noise": 2.0}, "noise must be in"),
        ({"regime": "credit"}, "regime must be"),
        ({"game": "pdd"}, "unknown game"),
        ({"seed": -1}, "seed must be an integer >= 0"),
        ({"domains": {"other": 1.0}, "regime": WATCHED}, "no domain 'other'"),
        ({"players": [scc.Citizen(), axl.Darwin()]}, "inspects or manipulates its opponent"),
    ],
)
def test_bad_tournament_arguments(kwargs, message):
    arguments = {"players": [scc.Citizen(), axl.TitForTat()], **kwargs}
    with pytest.raises(ValueError, match=message):
        Tournament(**arguments)


# --------------------------------------------------------------------------- every regime
EXACT = scc.SocialCredit(coverage=1.0, false_positive=0.0, false_negative=0.0, blacklist_cost=0.0)
EVERYTHING = scc.Schedule(
    {
        0: scc.CommunityReputation(initial_good=0.5, error=0.1),
        10: scc.Combined(WATCHED, scc.PeerPunishment(), scc.CommunityReputation()),
        20: scc.PeerPunishment(prior=0.5),
    }
)


def _row(results, name, opponent):
    rows = results.matches.query("name == @name and opponent_name == @opponent")
    assert len(rows) > 0
    return rows


def test_a_schedule_in_a_tournament_switches_at_the_stated_turn():
    plan = scc.Schedule({0: scc.NoRegime(), 10: EXACT})
    results = Tournament(
        [axl.Defector(), axl.Cooperator()], turns=25, repetitions=2, regime=plan, seed=1
    ).play(progress_bar=False)
    defector = _row(results, "Defector", "Cooperator")
    assert (defector["fines"] == 15 * EXACT.fine).all()  # fined in turns 10-24 only
    cooperator = _row(results, "Cooperator", "Defector")
    assert (cooperator["transfers"] == 15 * EXACT.reward / 25).all()
    np.testing.assert_allclose(defector["payoff"], 5.0 - 15 * EXACT.fine / 25)


def test_community_reputation_in_a_tournament_changes_standing():
    community = scc.CommunityReputation(visibility=1.0, error=0.0)
    results = Tournament(
        [axl.Defector(), axl.Cooperator(), scc.Citizen()],
        turns=10,
        repetitions=3,
        regime=community,
        seed=2,
    ).play(progress_bar=False)
    matches = results.matches
    defector = matches.query("name == 'Defector' and opponent_name != 'Defector'")
    assert (defector["reputation"] == 0).all()
    assert (matches.query("name == 'Cooperator'")["reputation"] == 1).all()
    summary = results.summary.set_index("name")
    assert summary.loc["Cooperator", "reputation"] == 1.0
    assert summary.loc["Defector", "reputation"] < 0.5
    # and without a community there is no reputation at all
    plain = Tournament([axl.Defector(), axl.Cooperator()], turns=5, repetitions=1, seed=2)
    assert plain.play(progress_bar=False).matches["reputation"].isna().all()


def test_peer_punishment_in_a_tournament_fines_defectors():
    peers = scc.PeerPunishment()
    results = Tournament(
        [scc.Moralist(), axl.Defector()], turns=100, repetitions=2, regime=peers, seed=3
    ).play(progress_bar=False)
    defector = _row(results, "Defector", "Moralist")
    moralist = _row(results, "Moralist", "Defector")
    assert (defector["peer_fines"] > 0).all() and (defector["peer_costs"] == 0).all()
    # each punishment costs the punisher `cost` and the punished `fine`
    punished = defector["peer_fines"].to_numpy() / peers.fine
    np.testing.assert_allclose(moralist["peer_costs"].to_numpy() / peers.cost, punished)
    matches = results.matches
    np.testing.assert_allclose(
        matches["payoff"],
        matches["material_payoff"]
        + matches["transfers"]
        - matches["peer_costs"]
        - matches["peer_fines"],
    )


def test_combined_in_a_tournament_applies_both():
    regime = scc.Combined(EXACT, scc.PeerPunishment())
    results = Tournament(
        [scc.Moralist(), axl.Defector()], turns=50, repetitions=2, regime=regime, seed=4
    ).play(progress_bar=False)
    defector = _row(results, "Defector", "Moralist")
    assert (defector["fines"] == 50 * EXACT.fine).all()
    assert (defector["peer_fines"] > 0).all()


def test_every_regime_same_results_for_any_number_of_processes():
    players = [scc.Citizen(), scc.Moralist(), axl.TitForTat(), "Random"]
    kwargs = dict(turns=30, repetitions=3, regime=EVERYTHING, domains=DOMAINS, seed=5, noise=0.05)
    one = Tournament(players, processes=1, **kwargs).play(progress_bar=False)
    two = Tournament(players, processes=2, **kwargs).play(progress_bar=False)
    pd.testing.assert_frame_equal(one.matches, two.matches)
    pd.testing.assert_frame_equal(one.summary, two.summary)
    assert one.matches["peer_fines"].sum() > 0 and one.matches["reputation"].notna().all()


def test_a_schedule_phase_after_the_last_turn_is_a_clear_error():
    plan = scc.Schedule({0: scc.NoRegime(), 300: WATCHED})
    with pytest.raises(ValueError, match="phase starting at turn 300, but there are only 200"):
        Tournament([scc.Citizen(), axl.TitForTat()], regime=plan, domains=DOMAINS)


def test_a_tournament_refuses_rates_per_community():
    regime = scc.SocialCredit(coverage=[0.5, 0.9])
    with pytest.raises(ValueError, match="a Match or a tournament has none"):
        Tournament([axl.Cooperator(), axl.Defector()], turns=3, regime=regime)
