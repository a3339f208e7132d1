"""The batch kernel is the per-turn loop's model: same P(C) on the same history, same outcomes."""

from dataclasses import replace

import axelrod as axl
import numpy as np
import pytest
from scipy import stats

import sccgames as scc
from sccgames.engines.batch import BATCH_COLUMNS, play_batch
from sccgames.model.profiles import EmotionParams, MoralParams, Profile


def precise(profile: Profile, group=None) -> scc.MotiveAgent:
    """An agent whose play is deterministic in practice: a precise logit and no habit.

    (Habit arbitration, ``θ h + (1 − θ) P_delib``, keeps P(C) inside (0, 1) whatever β.)
    """
    weights = replace(profile.weights, habit=0.0)
    return scc.MotiveAgent(replace(profile, beta=200.0, weights=weights), group=group)


DOMAINS = {"economic": 0.5, "private": 0.5}
EXACT = scc.SocialCredit(coverage=1.0, false_positive=0.0, false_negative=0.0)
SEEN = scc.CommunityReputation(visibility=1.0, error=0.0, norm="stern_judging")
DETERMINISTIC_REGIMES = {
    "credit": EXACT,
    "community": SEEN,
    "peers": scc.PeerPunishment(prior=0.3),
    "combined": scc.Combined(EXACT, SEEN, scc.PeerPunishment()),
    "schedule": scc.Schedule(
        {0: scc.NoRegime(), 10: scc.Combined(EXACT, SEEN), 25: scc.PeerPunishment()}
    ),
}


@pytest.mark.parametrize(
    ("make_first", "make_second"),
    [
        (
            lambda: precise(scc.Citizen.preset_profile, group=1),
            lambda: precise(scc.Empath.preset_profile, group=1),
        ),
        (
            lambda: precise(scc.Moralist.preset_profile),
            lambda: precise(scc.HomoEconomicus.preset_profile),
        ),
        (
            lambda: precise(
                Profile(
                    moral=MoralParams(norm=0.5, internalization=0.05),
                    emotion=EmotionParams(anger_gain=3.0),
                )
            ),
            lambda: axl.TitForTat(),
        ),
        (lambda: precise(scc.SocialAnimal.preset_profile), lambda: axl.Alternator()),
    ],
)
@pytest.mark.parametrize("regime", list(DETERMINISTIC_REGIMES), ids=list(DETERMINISTIC_REGIMES))
def test_identical_p_cooperate_along_identical_histories(make_first, make_second, regime):
    """With deterministic play, the loop and the batch see the same contexts every turn.

    Precise agents (β = 200, whose punishments too are all but certain), regimes that see
    everything without error, and no noise: nothing random is left, so both engines follow
    the same history, and the batch's P(C) must equal the agent's turn by turn (public
    scores, reputations, expected peer fines, phases, groups, anger, norms and all).
    """
    turns = 40
    regime = DETERMINISTIC_REGIMES[regime]
    match = scc.Match([make_first(), make_second()], turns=turns, regime=regime, seed=3)
    match.play()
    loop = match.records()
    _, trace = play_batch(
        [make_first()], [make_second()], turns, regime=regime, seeds=[11], trace=True
    )
    # a precise agent may still meet a preference within 1/β of 0, where its act is a coin
    # the two engines toss with their own streams: the histories are compared up to it
    sides = [loop.query("player == @side") for side in (0, 1)]
    undecided = [(0.001 < s["p_cooperate"]) & (s["p_cooperate"] < 0.999) for s in sides]
    coin = min(int(np.argmax(u.to_numpy())) if u.any() else turns for u in undecided)
    assert coin >= 30, coin  # a coin is rare: most of the match is compared
    known = min(coin + 1, turns)  # P(C) up to the coin, the acts before it
    for side, mine in enumerate(sides):
        played = (mine["played"] == "C").to_numpy()[:coin]
        np.testing.assert_array_equal(
            trace.cooperated[:coin, side], played, err_msg=f"side {side}: acts differ"
        )
        loop_p = mine["p_cooperate"].to_numpy()[:known]
        batch_p = trace.p_cooperate[:known, side]
        np.testing.assert_allclose(
            batch_p, loop_p, rtol=1e-12, atol=1e-300, err_msg=f"side {side}: P(C) differs"
        )
    assert np.isfinite(trace.p_cooperate[:, 0]).all()


def _cooperation_samples(engine, first, second, samples, regime, turns=30, noise=0.05):
    if engine == "loop":
        out = []
        for seed in range(samples):
            match = scc.Match(
                [first.clone(), second.clone()],
                turns=turns,
                regime=regime,
                domains=DOMAINS,
                noise=noise,
                seed=seed,
            )
            match.play()
            out.append(match.totals())
        frame = np.array([[t.loc[0, "cooperations"], _payoff(t.loc[0])] for t in out])
        return frame[:, 0], frame[:, 1]
    totals, _ = play_batch(
        [first] * samples,
        [second] * samples,
        turns,
        regime=regime,
        domains=DOMAINS,
        noise=noise,
        seeds=12345,
    )
    side = totals[totals["side"] == 0]
    return side["cooperations"].to_numpy(), _payoff(side).to_numpy()


def _payoff(totals):
    peers = totals["peer_costs"] + totals["peer_fines"]
    return totals["material_payoff"] + totals["transfers"] - peers


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (scc.Citizen(), scc.Empath()),
        (scc.HomoEconomicus(), axl.Random()),
        (scc.ConditionalCooperator(), axl.TitForTat()),
    ],
)
def test_same_distribution_of_outcomes_as_the_loop(first, second):
    """Two-sample tests over 300 seeded matches each: no difference at the 0.1% level."""
    regime = scc.SocialCredit(coverage={"economic": 0.8, "private": 0.0})
    loop_c, loop_pay = _cooperation_samples("loop", first, second, 300, regime)
    batch_c, batch_pay = _cooperation_samples("batch", first, second, 300, regime)
    assert stats.mannwhitneyu(loop_c, batch_c).pvalue > 0.001
    assert stats.ks_2samp(loop_pay, batch_pay).pvalue > 0.001


def test_same_distribution_of_outcomes_as_the_loop_under_bottom_up_regimes():
    """Noisy gossip, random initial reputations and peer punishment: random in both engines.

    Payoffs include the peer fines and costs; the same two-sample tests as above.
    """
    regime = scc.Schedule(
        {
            0: scc.CommunityReputation(initial_good=0.5, error=0.2, visibility=0.6),
            10: scc.Combined(
                scc.SocialCredit(coverage={"economic": 0.8, "private": 0.0}),
                scc.PeerPunishment(),
                scc.CommunityReputation(norm="image_scoring"),
            ),
        }
    )
    first, second = scc.Citizen(), scc.Moralist()
    loop_c, loop_pay = _cooperation_samples("loop", first, second, 300, regime)
    batch_c, batch_pay = _cooperation_samples("batch", first, second, 300, regime)
    assert stats.mannwhitneyu(loop_c, batch_c).pvalue > 0.001
    assert stats.ks_2samp(loop_pay, batch_pay).pvalue > 0.001


def test_a_batch_detects_a_real_difference():
    """The same two-sample test does reject when the model differs (it can fail)."""
    regime = scc.SocialCredit(coverage={"economic": 0.8, "private": 0.0})
    loop_c, _ = _cooperation_samples("loop", scc.Citizen(), scc.Empath(), 300, regime)
    other_c, _ = _cooperation_samples("batch", scc.Moralist(), scc.Empath(), 300, regime)
    assert stats.mannwhitneyu(loop_c, other_c).pvalue < 0.001


def test_a_match_result_does_not_depend_on_its_batch():
    seeds = np.random.SeedSequence(8).spawn(3)
    alone, _ = play_batch([scc.Citizen()], [axl.Random()], 50, seeds=[seeds[1]])
    together, _ = play_batch(
        [scc.Moralist(), scc.Citizen(), scc.Empath()],
        [axl.TitForTat(), axl.Random(), scc.Citizen()],
        50,
        seeds=seeds,
    )
    mine = together[together["index"] == 1].drop(columns="index").reset_index(drop=True)
    np.testing.assert_allclose(
        mine.drop(columns=["side"]).to_numpy(dtype=float),
        alone.drop(columns=["index", "side"]).to_numpy(dtype=float),
    )


def test_a_motive_match_is_the_same_with_or_without_axelrod_players_in_its_batch():
    """Player seeds are drawn only for batches with axelrod players, after every uniform."""
    seeds = np.random.SeedSequence(9).spawn(2)
    alone, _ = play_batch([scc.Citizen()], [scc.Moralist()], 60, seeds=[seeds[0]], noise=0.1)
    mixed, _ = play_batch(
        [scc.Citizen(), axl.Random()], [scc.Moralist(), scc.Empath()], 60, seeds=seeds, noise=0.1
    )
    mine = mixed[mixed["index"] == 0].drop(columns="index").reset_index(drop=True)
    np.testing.assert_array_equal(
        mine.to_numpy(dtype=float), alone.drop(columns="index").to_numpy(dtype=float)
    )


def test_batch_totals_schema_and_no_motive_agents():
    totals, trace = play_batch(
        [axl.TitForTat(), axl.Defector()],
        [axl.Cooperator(), axl.TitForTat()],
        10,
        seeds=1,
        trace=True,
    )
    assert list(totals.columns) == list(BATCH_COLUMNS)
    assert np.isnan(trace.p_cooperate).all()
    assert totals.query("side == 0 and index == 0")["cooperations"].item() == 10
    assert totals.query("side == 1 and index == 1")["cooperations"].item() == 1
    assert np.isnan(totals["score"]).all()


def test_batch_rejects_unequal_sides_and_wrong_seed_counts():
    with pytest.raises(ValueError, match="two equal, non-empty sides"):
        play_batch([scc.Citizen()], [], 5)
    with pytest.raises(ValueError, match="one seed per match"):
        play_batch([scc.Citizen()], [scc.Citizen()], 5, seeds=[1, 2])
