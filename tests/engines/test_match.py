import dataclasses

import axelrod as axl
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sccgames as scc
from sccgames.engines.match import RECORD_COLUMNS

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
    # in the wallet the norm's pull is n (1 + μ w) = 6 against the gain e + w = 2.25: at the
    # default precision P(return) = logistic(β · 3.75) (0.93); 300 draws within 4 SE of it
    beta = scc.Moralist().profile.beta
    expected = 1.0 / (1.0 + np.exp(-beta * 3.75))
    tolerance = 4 * np.sqrt(expected * (1 - expected) / SAMPLES)
    assert one_shot_rate(scc.Moralist, game=scc.LostWallet()) == pytest.approx(
        expected, abs=tolerance
    )


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


# --------------------------------------------------------------------------- every regime
EXACT = scc.SocialCredit(coverage=1.0, false_positive=0.0, false_negative=0.0)


def test_a_schedule_switches_regimes_at_the_stated_turn():
    """No regime for five turns, then a credit regime that sees and fines every D."""
    plan = scc.Schedule({0: scc.NoRegime(), 5: EXACT})
    match = scc.Match([axl.Defector(), scc.SubgamePerfect()], turns=12, regime=plan, seed=0)
    match.play()
    records = match.records()
    defector = records.query("player == 0")
    assert (defector["phase"] == (defector["turn"] >= 5).astype(int)).all()
    assert (defector.query("turn < 5")["regime"] == "NoRegime").all()
    assert (defector.query("turn >= 5")["regime"] == "SocialCredit").all()
    assert (defector.query("turn < 5")["fine"] == 0).all()
    assert (defector.query("turn >= 5")["fine"] == EXACT.fine).all()
    # the subgame perfect agent defects unwatched, complies once every D is fined above its gain
    economicus = records.query("player == 1")
    assert (economicus.query("turn < 5")["p_cooperate"] < 0.01).all()
    assert (economicus.query("turn >= 5")["p_cooperate"] > 0.99).all()


def test_a_schedule_phase_after_the_last_turn_is_a_clear_error():
    plan = scc.Schedule({0: scc.NoRegime(), 20: EXACT})
    with pytest.raises(ValueError, match="phase starting at turn 20, but there are only 10"):
        scc.Match([scc.Citizen(), axl.TitForTat()], turns=10, regime=plan)


def test_community_reputation_changes_standing_and_shows_it_to_the_partner():
    """Standing: a D to a good partner costs the actor its good name; C keeps it."""
    community = scc.CommunityReputation(visibility=1.0, error=0.0)
    agent = scc.Citizen()
    match = scc.Match([axl.Defector(), agent], turns=6, regime=community, seed=0)
    turns = []
    for turn in match.stream():
        turns.append((turn, agent.last_decision[0]))
    assert turns[0][1].partner_signal == 1.0  # everyone starts good
    assert turns[0][0].good_reputation[0] is False  # the defector lost its good name at once
    # later turns: the partner shows as bad (-1), peers see every act, nothing is paid
    for _turn, context in turns[1:]:
        assert context.partner_signal == -1.0 and context.visibility == 1.0
        assert context.coverage == 0.0 and context.fine == 0.0
    records = match.records()
    assert records.query("player == 0")["good_reputation"].eq(False).all()
    # an unseen act changes nothing: at visibility 0 the defector stays good
    unseen = scc.Match(
        [axl.Defector(), scc.Citizen()],
        turns=6,
        seed=0,
        regime=scc.CommunityReputation(visibility=0.0),
    )
    unseen.play()
    assert unseen.records()["good_reputation"].eq(True).all()


def test_community_reputation_raises_cooperation_of_the_esteem_seeker():
    """Peers' eyes are worth esteem: the social animal cooperates more when seen.

    400 seeded one-shot matches each (standard error of a rate at most 0.025); the rise is
    about 0.4, the test asks for more than 0.1.
    """

    def rate(regime):
        return one_shot_rate(scc.SocialAnimal, regime=regime, samples=400)

    assert rate(scc.CommunityReputation(visibility=1.0)) > rate(None) + 0.1


def test_peer_punishment_fines_defectors_and_axelrod_strategies_never_punish():
    peers = scc.PeerPunishment(cost=0.5, fine=1.5)
    punisher = scc.Moralist()
    match = scc.Match([punisher, axl.Defector()], turns=200, regime=peers, seed=1)
    match.play()
    records = match.records()
    mine, theirs = records.query("player == 0"), records.query("player == 1")
    punished = (mine["peer_cost"] > 0).to_numpy()
    assert punished.sum() > 0
    np.testing.assert_allclose(mine["peer_cost"], peers.cost * punished)
    np.testing.assert_allclose(theirs["peer_fine"], peers.fine * punished)
    assert (theirs["peer_cost"] == 0).all()  # the defector never pays to punish
    assert (mine["peer_fine"][mine["played"].to_numpy() == "C"] == 0).all()
    np.testing.assert_allclose(
        records["total_payoff"],
        records["material_payoff"]
        + records["transfer"]
        - records["peer_cost"]
        - records["peer_fine"],
    )
    totals = match.total_payoffs()
    assert totals[1] == pytest.approx(match.final_score()[1] - peers.fine * punished.sum())


def test_peer_punishment_frequency_follows_the_punishers_urge():
    """Punishment in turn t happens with P = logistic(β U) of the punisher's state then.

    Over 400 turns, the count of punishments is a sum of Bernoulli(P_t): its mean and
    variance follow from the P_t the agent's own state gave; five standard deviations.
    """
    peers = scc.PeerPunishment()
    punisher = scc.Moralist()
    match = scc.Match([punisher, axl.Defector()], turns=400, regime=peers, seed=2)
    probabilities = []
    for _ in match.stream():
        probabilities.append(float(peers.probability_for(punisher.profile, punisher.state)))
    p = np.array(probabilities)
    count = (match.records().query("player == 0")["peer_cost"] > 0).sum()
    assert abs(count - p.sum()) <= 5 * np.sqrt((p * (1 - p)).sum()) + 1
    # a purely rational agent (almost) never pays to punish
    rational = scc.Match([scc.HomoEconomicus(), axl.Defector()], turns=400, regime=peers, seed=2)
    rational.play()
    assert (rational.records()["peer_cost"] > 0).sum() <= 10


def test_a_defector_learns_to_expect_punishment():
    """q̂ steps toward 1 after each punished D and toward 0 after each unpunished one.

    The context's expected peer fine is ``q̂ · fine``, with q̂ an exponentially weighted
    average (at the compliance learning rate) of whether each own D was punished.
    """
    peers = scc.PeerPunishment(prior=0.0)
    defector = scc.SubgamePerfect()
    match = scc.Match([defector, scc.Moralist()], turns=60, regime=peers, seed=3)
    sanctions = [defector.last_decision[0].peer_sanction for _ in match.stream()]
    mine = match.records().query("player == 0")
    assert (mine["played"] == "D").sum() > 50 and (mine["peer_fine"] > 0).sum() > 5
    rate = defector.profile.moral.compliance_learning
    belief, expected = 0.0, []
    for played, fined in zip(mine["played"], mine["peer_fine"] > 0, strict=True):
        expected.append(belief * peers.fine)
        if played == "D":
            belief += rate * (float(fined) - belief)
    np.testing.assert_allclose(sanctions, expected, rtol=1e-12, atol=1e-15)


def test_combined_applies_both_regimes():
    """Credit fines and peer punishment together, and both in the context."""
    regime = scc.Combined(EXACT, scc.PeerPunishment(), scc.CommunityReputation(visibility=0.2))
    agent = scc.Moralist()
    match = scc.Match([agent, axl.Defector()], turns=50, regime=regime, seed=4)
    match.play()
    context = agent.last_decision[0]
    assert context.coverage == 1.0 and context.fine == EXACT.fine
    assert context.peer_sanction > 0.0
    assert context.visibility == 1.0  # the larger of coverage (public scores) and peers' 0.2
    records = match.records()
    defector = records.query("player == 1")
    assert (defector["fine"] == EXACT.fine).all()
    assert (defector["peer_fine"] > 0).any()
    assert defector["good_reputation"].notna().all()
    assert (records["regime"] == "SocialCredit+PeerPunishment+CommunityReputation").all()


def test_regimes_other_than_credit_leave_match_results_reproducible():
    regime = scc.Schedule(
        {
            0: scc.CommunityReputation(initial_good=0.5),
            10: scc.Combined(EXACT, scc.PeerPunishment()),
        }
    )

    def play(seed):
        match = scc.Match([scc.Citizen(), scc.Empath()], turns=30, regime=regime, seed=seed)
        match.play()
        return match.records()

    pd.testing.assert_frame_equal(play(7), play(7))
    assert not play(7).equals(play(8))


@pytest.mark.parametrize("bad", ["community", 3, scc.Schedule, [scc.SocialCredit()]])
def test_anything_but_a_regime_is_one_clear_error(bad):
    with pytest.raises(ValueError, match=r"regime must be NoRegime\(\), SocialCredit"):
        scc.Match([scc.Citizen(), axl.TitForTat()], turns=5, regime=bad)


# --------------------------------------------------------------------------- axelrod parity
DETERMINISTIC_PAIRS = [
    (axl.TitForTat, axl.Alternator),
    (axl.Defector, axl.Cooperator),
    (axl.TitForTat, axl.TitForTat),
    (axl.Grudger, axl.SuspiciousTitForTat),
    (axl.Cooperator, axl.Defector),
    (axl.CyclerCCD, axl.WinStayLoseShift),
]


@pytest.mark.parametrize(("first", "second"), DETERMINISTIC_PAIRS)
@pytest.mark.parametrize("game", [None, scc.snowdrift()])
def test_results_are_axelrods_on_the_same_deterministic_players(first, second, game):
    ours = scc.Match([first(), second()], turns=17, game=game, seed=0)
    theirs = axl.Match([first(), second()], turns=17, game=game)
    assert ours.play() == theirs.play()
    assert ours.result == theirs.result
    assert ours.scores() == theirs.scores()
    assert ours.final_score() == theirs.final_score()
    assert ours.final_score_per_turn() == pytest.approx(theirs.final_score_per_turn())
    assert ours.cooperation() == theirs.cooperation()
    assert ours.normalised_cooperation() == theirs.normalised_cooperation()
    assert ours.state_distribution() == theirs.state_distribution()
    assert ours.normalised_state_distribution() == theirs.normalised_state_distribution()
    assert ours.sparklines() == theirs.sparklines()
    assert ours.sparklines("C", "D") == theirs.sparklines("C", "D")
    assert len(ours) == len(theirs)
    assert ours.match_attributes["length"] == theirs.match_attributes["length"]
    assert ours.prob_end == theirs.prob_end
    assert ours.reset == theirs.reset
    winner = theirs.winner()
    if winner is False:
        assert ours.winner() is False
    else:
        assert ours.winner() is ours.players[theirs.players.index(winner)]


def test_axelrod_results_are_material_and_total_payoffs_add_the_regime():
    regime = dataclasses.replace(EXACT, blacklist_cost=0.0)  # fines and rewards only
    match = scc.Match([axl.Defector(), axl.Cooperator()], turns=10, regime=regime, seed=0)
    match.play()
    assert match.final_score() == (50.0, 0.0)
    assert match.winner() is match.players[0]
    assert match.total_payoffs() == pytest.approx((50.0 - 10 * EXACT.fine, 10 * EXACT.reward))


def test_axelrod_results_before_play_are_a_clear_error():
    match = scc.Match([axl.Defector(), axl.Cooperator()], turns=3)
    for method in (
        match.final_score_per_turn,
        match.winner,
        match.sparklines,
        match.normalised_cooperation,
        match.state_distribution,
    ):
        with pytest.raises(RuntimeError, match="call .play"):
            method()


def test_set_seed_replays_and_changes_the_match():
    match = scc.Match([scc.Citizen(), axl.Random()], turns=40, seed=1)
    first = match.play()
    match.set_seed(2)
    assert match.play() != first
    match.set_seed(1)
    assert match.play() == first
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        match.set_seed(-1)


def test_turn_reprs_print_plain_numbers():
    regime = scc.Combined(scc.SocialCredit(), scc.CommunityReputation(), scc.PeerPunishment())
    match = scc.Match([scc.Citizen(), axl.TitForTat()], turns=4, regime=regime, seed=0)
    agent = match.players[0]
    for turn in match.stream():
        text = repr(turn)
        assert "np." not in text and "array(" not in text, text
        assert text.startswith("Turn(turn=") and "material_payoff=(" in text
        context, state = agent.last_decision
        for shown in (repr(context), repr(state), repr(agent.state)):
            assert "np." not in shown, shown
    assert repr(agent.state).startswith("State(habit=")
    assert "partner_signal=" in repr(agent.last_decision[0])


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


def test_the_wallets_owner_has_no_move_to_be_judged_for():
    """Under community reputation the finder who keeps the wallet loses its good name; the
    owner, who has no move, keeps its own (and may still punish the finder)."""
    regime = scc.Combined(scc.CommunityReputation(visibility=1.0), scc.PeerPunishment())
    match = scc.Match(
        [axl.Defector(), scc.Moralist()], turns=20, game=scc.LostWallet(), regime=regime, seed=0
    )
    match.play()
    records = match.records()
    finder, owner = records.query("player == 0"), records.query("player == 1")
    assert finder["good_reputation"].eq(False).all()
    assert owner["good_reputation"].eq(True).all()
    assert (owner["peer_fine"] == 0).all() and (finder["peer_cost"] == 0).all()
    assert (finder["peer_fine"] > 0).any()


def test_a_match_refuses_rates_per_community():
    """Two players met in a pair belong to no community: one clear line, not a silent ignore."""
    regime = scc.SocialCredit(false_positive=[0.3, 0.02])
    with pytest.raises(ValueError, match="need a Society whose Population has communities") as info:
        scc.Match([scc.Citizen(), scc.Citizen()], turns=3, regime=regime)
    assert "\n" not in str(info.value)
