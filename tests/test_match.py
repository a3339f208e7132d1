import axelrod as axl
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sccgames as scc
from sccgames.match import RECORD_COLUMNS

C, D = axl.Action.C, axl.Action.D
SAMPLES = 300  # one-shot matches per claim; at these rates a binomial tail of 1e-6


def one_shot_rate(player_cls, regime=None, game=None, samples=SAMPLES):
    """Share of one-shot matches (each its own seed) in which ``player_cls`` plays C."""
    cooperations = 0
    for seed in range(samples):
        match = scc.Match(
            [player_cls(), scc.Citizen()], turns=1, regime=regime, game=game, seed=seed
        )
        cooperations += match.play()[0][0] == C
    return cooperations / samples


def test_homo_economicus_defects_one_shot_and_keeps_the_wallet():
    assert one_shot_rate(scc.HomoEconomicus) <= 0.01
    assert one_shot_rate(scc.HomoEconomicus, game=scc.LostWallet()) <= 0.01


def test_moralist_cooperates_one_shot_and_returns_the_wallet():
    assert one_shot_rate(scc.Moralist) >= 0.99
    assert one_shot_rate(scc.Moralist, game=scc.LostWallet()) >= 0.99


def test_homo_economicus_complies_under_full_coverage_and_a_fine_above_temptation():
    game = scc.prisoners_dilemma()
    temptation = game.RPST()[3]
    regime = scc.SocialCredit(coverage=1.0, fine=temptation + 1.0)
    assert one_shot_rate(scc.HomoEconomicus, regime=regime) >= 0.99
    wallet = scc.LostWallet()
    regime = scc.SocialCredit(coverage=1.0, fine=wallet.money + wallet.effort + 1.0)
    assert one_shot_rate(scc.HomoEconomicus, regime=regime, game=wallet) >= 0.99


def test_moralist_returns_more_wallets_when_they_hold_more_money():
    """Cohn et al. (2019): the harm term makes fuller wallets come back more often.

    Returns rise with the money whenever ``n · μ`` exceeds the rational weight (here 1.2 > 1);
    a low precision keeps the probabilities away from 1 so the rise is visible.
    """
    weak = scc.MotiveAgent(
        scc.Profile(
            beta=0.5,
            weights=scc.Weights(rational=1.0, habit=0.0, moral=1.0, emotion=0.0, social=0.0),
            moral=scc.MoralParams(norm=2.0, conditionality=0.0, harm_weight=0.6, framing=0.0),
        )
    )
    rates = []
    for money in (0.0, 2.0, 14.0):
        match = scc.Match([weak, scc.Citizen()], turns=1, game=scc.LostWallet(money=money), seed=0)
        match.play()
        rates.append(match.records()["p_cooperate"].iloc[0])
    assert rates[0] < rates[1] < rates[2]
    # and homo economicus returns fewer
    keeper = []
    for money in (0.0, 2.0, 14.0):
        match = scc.Match(
            [scc.HomoEconomicus(), scc.Citizen()], turns=1, game=scc.LostWallet(money=money), seed=0
        )
        match.play()
        keeper.append(match.records()["p_cooperate"].iloc[0])
    assert keeper[0] >= keeper[1] >= keeper[2]


def test_records_are_tidy_and_keep_intended_played_and_recorded_apart():
    regime = scc.SocialCredit(
        coverage={"economic": 1.0, "private": 0.0}, false_positive=0.3, false_negative=0.3
    )
    match = scc.Match(
        [scc.Citizen(), axl.TitForTat()],
        turns=200,
        regime=regime,
        domains={"economic": 0.5, "private": 0.5},
        noise=0.2,
        seed=4,
    )
    result = match.play()
    frame = match.records()
    assert list(frame.columns) == list(RECORD_COLUMNS)
    assert len(frame) == 400
    assert set(frame["domain"]) == {"economic", "private"}
    assert not frame.query("domain == 'private'")["observed"].any()
    assert frame.query("domain == 'economic'")["observed"].all()
    assert (frame["intended"] != frame["played"]).any()  # noise flipped some
    economic = frame.query("domain == 'economic'")
    assert (economic["played"] != economic["recorded"]).any()  # errors recorded some wrongly
    assert frame.query("player == 1")["p_cooperate"].isna().all()
    assert frame.query("player == 0")["p_cooperate"].between(0, 1).all()
    played = [a.name for pair in result for a in pair]
    assert frame["played"].tolist() == played
    np.testing.assert_allclose(frame["total_payoff"], frame["material_payoff"] + frame["transfer"])
    assert match.cooperation() == tuple(
        frame.groupby("player")["played"].apply(lambda s: (s == "C").sum()).tolist()
    )


@given(
    seed=st.integers(0, 2**31),
    coverage=st.floats(0.0, 1.0),
    fp=st.floats(0.0, 0.5),
    fn=st.floats(0.0, 0.5),
    noise=st.floats(0.0, 0.5),
    appeal=st.floats(0.0, 1.0),
)
def test_ledger_transfers_add_up_to_the_payoffs(seed, coverage, fp, fn, noise, appeal):
    regime = scc.SocialCredit(
        coverage=coverage, false_positive=fp, false_negative=fn, appeal=appeal, score_down=10.0
    )
    match = scc.Match(
        [scc.Citizen(), scc.Empath()], turns=25, regime=regime, noise=noise, seed=seed
    )
    match.play()
    ledger = match.ledger.to_frame()
    records = match.records()
    totals = match.total_payoffs()
    material = match.final_score()
    for player in (0, 1):
        transfers = ledger.query("agent == @player")["transfer"].sum()
        assert totals[player] == pytest.approx(material[player] + transfers)
        assert records.query("player == @player")["total_payoff"].sum() == pytest.approx(
            totals[player]
        )
    components = (
        ledger["reward"] - ledger["fine"] - ledger["blacklist_cost"] + ledger["redlist_bonus"]
    )
    np.testing.assert_allclose(ledger["transfer"], components)
    assert ledger["score"].between(regime.score_min, regime.score_max).all()


def test_same_seed_same_records_and_replay():
    def make(seed=99):
        return scc.Match(
            [scc.Citizen(), axl.Random()],
            turns=50,
            seed=seed,
            noise=0.1,
            regime=scc.SocialCredit(coverage={"a": 0.9, "b": 0.1}),
            domains={"a": 0.3, "b": 0.7},
        )

    first, second = make(), make()
    first.play()
    second.play()
    pd.testing.assert_frame_equal(first.records(), second.records())
    replay = first.records()
    first.play()
    pd.testing.assert_frame_equal(first.records(), replay)
    other = make(seed=100)
    other.play()
    assert not other.records().equals(replay)


def test_unseeded_match_replays_itself():
    match = scc.Match([scc.Citizen(), axl.Random()], turns=30)
    assert match.play() == match.play()


def test_seed_sequence_is_accepted():
    seq = np.random.SeedSequence(5).spawn(1)[0]
    a = scc.Match([scc.Citizen(), scc.Citizen()], turns=20, seed=seq).play()
    b = scc.Match([scc.Citizen(), scc.Citizen()], turns=20, seed=seq).play()
    assert a == b


def test_stream_yields_one_turn_at_a_time():
    match = scc.Match([scc.Citizen(), axl.TitForTat()], turns=10, seed=1, regime=scc.SocialCredit())
    turns = []
    for turn in match.stream():
        turns.append(turn)
        if turn.turn == 3:
            break
    assert [t.turn for t in turns] == [0, 1, 2, 3]
    assert len(turns[0].regime) == 2
    assert len(match.play()) == 10


def test_self_play_uses_a_clone_and_classes_are_instantiated():
    player = scc.Citizen()
    match = scc.Match([player, player], turns=5, seed=0)
    assert match.players[0] is player and match.players[1] is not player
    match = scc.Match([scc.Moralist, axl.TitForTat], turns=5, seed=0)
    assert isinstance(match.players[0], scc.Moralist)
    assert len(match) == 5


def test_agents_are_told_what_the_regime_did():
    regime = scc.SocialCredit(coverage=1.0, false_positive=1.0, false_negative=0.0)
    agent = scc.Moralist()
    match = scc.Match([agent, axl.Cooperator()], turns=20, regime=regime, seed=0)
    match.play()
    records = match.records().query("player == 0")
    assert records["false_positive"].sum() == (records["played"] == "C").sum() > 0
    assert agent.state.legitimacy < agent.profile.legitimacy.initial


def test_unpunished_violations_lower_legitimacy():
    regime = scc.SocialCredit(coverage=0.5, false_negative=0.0, false_positive=0.0, reward=0.0)
    agent = scc.Moralist()
    scc.Match([agent, axl.Defector()], turns=40, regime=regime, seed=0).play()
    assert agent.state.legitimacy < agent.profile.legitimacy.initial


def test_results_before_play_is_a_clear_error():
    match = scc.Match([scc.Citizen(), axl.TitForTat()], turns=5)
    with pytest.raises(RuntimeError, match="call .play"):
        match.records()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"players": [scc.Citizen()]}, "exactly two players"),
        ({"players": "ab"}, "exactly two players"),
        ({"players": [scc.Citizen(), "TitForTat"]}, "must be axelrod players"),
        ({"turns": 0}, "turns must be an integer >= 1"),
        ({"turns": 2.5}, "turns must be an integer >= 1"),
        ({"noise": 1.5}, r"noise must be in \[0, 1\]"),
        ({"regime": "social credit"}, "regime must be"),
        ({"game": "pdd"}, "unknown game"),
        ({"game": scc.PublicGoods()}, "played in groups of 4"),
        ({"domains": ["a", "b"]}, "domains must be a non-empty mapping"),
        ({"domains": {"a": -1.0}}, r"domains\['a'\] must be in"),
        ({"domains": {"a": 0.0}}, "must not all be 0"),
        ({"domains": {1: 1.0}}, "domain names must be strings"),
        ({"seed": -3}, "seed must be an integer >= 0"),
        (
            {
                "regime": scc.SocialCredit(coverage={"economic": 1.0}),
                "domains": {"economic": 0.5, "private": 0.5},
            },
            "no domain 'private'",
        ),
    ],
)
def test_bad_match_arguments_are_clear_errors(kwargs, message):
    arguments = {"players": [scc.Citizen(), axl.TitForTat()], "turns": 5, **kwargs}
    with pytest.raises(ValueError, match=message):
        scc.Match(**arguments)


def test_the_lost_wallet_is_one_finder_and_one_owner():
    """Player 0 finds player 1's wallet; the owner has no move: recorded as C, never asked,
    never watched, and paid what the finder's choice leaves it."""
    wallet = scc.LostWallet(money=3.0, effort=0.5, owner_value=1.0)
    match = scc.Match(
        [axl.Defector(), scc.Citizen()],
        turns=3,
        game=wallet,
        regime=scc.SocialCredit(coverage=1.0, false_positive=0.0, false_negative=0.0),
        seed=0,
    )
    match.play()
    records = match.records()
    owner = records[records.player == 1]
    assert (owner.played == "C").all() and owner.p_cooperate.isna().all()
    assert not owner.observed.any() and (owner.transfer == 0).all()
    assert match.scores() == [(3.0, -4.0)] * 3  # kept: (w, −(w + v)) each turn
    finder = records[records.player == 0]
    assert finder.observed.all() and (finder.fine > 0).all()
