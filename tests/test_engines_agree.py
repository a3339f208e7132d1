"""The engines agree: one situation, one answer from a Society and from a Match.

A two-agent ``Society`` with fixed partners and a known end (``FixedPartners(rematch=0,
known_end=True)``, the design a ``Match`` of known length is) and a ``Match`` of the same
presets must give the same P(C), turn by turn, along the same history, and the same
distribution of outcomes over seeds. Every game and regime both engines support is listed
once in :data:`GAMES` and :data:`REGIMES`; add to them as the engines grow.
"""

from __future__ import annotations

import axelrod as axl
import numpy as np
import pytest
from scipy import stats

import sccgames as scc
from sccgames.rules.games import PublicGoods, TrustGame, TwoWallets

C, D = axl.Action.C, axl.Action.D

#: Every game both engines play, by name.
GAMES = {
    "pd": "pd",
    "stag_hunt": "stag_hunt",
    "snowdrift": "snowdrift",
    "harmony": "harmony",
    "lost_wallet": scc.LostWallet(money=5.0),
    "two_wallets": TwoWallets(),
    "trust": TrustGame(),
    "public_goods_pair": PublicGoods(group_size=2),
}

#: Every regime both engines support, by name; each one whose outcome depends only on the
#: acts (full coverage, no errors), so that a forced history fixes everything the agents see.
EXACT_CREDIT = scc.SocialCredit(coverage=1.0, false_positive=0.0, false_negative=0.0)
REGIMES = {
    "none": scc.NoRegime(),
    "social_credit": EXACT_CREDIT,
    "community": scc.CommunityReputation(norm="stern_judging", visibility=1.0),
    "combined": scc.Combined(EXACT_CREDIT, scc.CommunityReputation(visibility=1.0)),
    "schedule": scc.Schedule({0: scc.NoRegime(), 2: EXACT_CREDIT, 3: scc.NoRegime()}),
}

#: Regimes with draws of their own beyond the acts (who punishes), compared by the
#: distribution of outcomes only.
RANDOM_REGIMES = {**REGIMES, "peers": scc.PeerPunishment()}

#: Pairs of presets: unlike ones, so that roles and partners cannot be swapped unnoticed.
PAIRS = [("Citizen", "Empath"), ("ConditionalCooperator", "HomoEconomicus")]

TURNS = 6

#: The forced history: each player's act per turn (True = C), with every combination.
HISTORY = np.array(
    [[True, True], [True, False], [False, True], [False, False], [True, True], [False, True]]
)

#: Significance level of the distribution tests: a same-model comparison fails this rarely.
ALPHA = 1e-3


def fixed_known(turns: int) -> scc.FixedPartners:
    """The Society's design of a Match: one partner, known number of rounds."""
    return scc.FixedPartners(rematch=0.0, known_end=True)


def society_stream(names, game, regime, turns, seed=0):
    """A two-agent society of ``names`` and the index of each name's citizen."""
    population = scc.Population(2, shares={names[0]: 0.5, names[1]: 0.5})
    run = scc.Society(
        population, turns, regime=regime, game=game, matching=fixed_known(turns), seed=seed,
        dtype=np.float64,
    ).stream()  # fmt: skip
    kinds = np.asarray(run.type_names)[run.type_index]
    return run, kinds


#: Each preset by its class name and by the name a Society's types carry.
PRESETS = {k: cls for cls in scc.motive_strategies for k in (cls.__name__, cls.name)}


def forced(cls: type, moves: np.ndarray) -> scc.MotiveAgent:
    """A preset that computes its P(C) as usual but plays ``moves``."""

    class Forced(cls):  # type: ignore[misc, valid-type]
        def strategy(self, opponent):
            super().strategy(opponent)
            return C if moves[len(self.history)] else D

    return Forced()


@pytest.mark.parametrize("names", PAIRS, ids=["-".join(p) for p in PAIRS])
@pytest.mark.parametrize("regime", list(REGIMES.values()), ids=list(REGIMES))
@pytest.mark.parametrize("game", list(GAMES.values()), ids=list(GAMES))
def test_same_p_cooperate_turn_by_turn_along_a_forced_history(game, regime, names):
    run, kinds = society_stream(names, game, regime, TURNS)
    history = HISTORY.copy()
    society_p = []
    for t in range(TURNS):
        state = run.step(force=history[t])
        society_p.append(state.p_cooperate)
        # a role without a move plays C in both engines
        history[t] = state.cooperated
        roles = state.role
    # Match seats the players in the order of the Society's roles (seat 0 plays role 0),
    # which a fixed pair keeps throughout
    seat = [0, 1] if roles is None else list(np.argsort(roles, kind="stable"))
    players = [forced(PRESETS[str(kinds[i])], history[:, i]) for i in seat]
    match = scc.Match(players, turns=TURNS, regime=regime, game=game, seed=0)
    match.play()
    played = np.array([[a == C for a in pair] for pair in match.result])
    np.testing.assert_array_equal(played, history[:, seat])
    match_p = np.array([turn.p_cooperate for turn in match._turns])
    society_p = np.array(society_p)[:, seat]
    assert np.isfinite(match_p).sum() >= TURNS  # somebody decided every turn
    np.testing.assert_allclose(match_p, society_p, rtol=1e-5, atol=1e-7)


def test_the_forced_history_changes_p_cooperate():
    """The comparison above has teeth: along another history, P(C) differs."""

    def along(history):
        run, _ = society_stream(PAIRS[0], "pd", scc.NoRegime(), TURNS)
        return np.array([run.step(force=h).p_cooperate for h in history])

    assert np.abs(along(HISTORY) - along(~HISTORY)).max() > 0.01


def society_counts(name, game, regime, pairs, turns, seed, matching=None):
    """Cooperations of each of ``pairs`` independent fixed pairs over ``turns`` rounds."""
    run = scc.Society(
        scc.Population(2 * pairs, shares={name: 1.0}),
        turns,
        regime=regime,
        game=game,
        matching=fixed_known(turns) if matching is None else matching,
        seed=seed,
    ).stream()
    total = np.zeros(2 * pairs, dtype=int)
    for state in run:
        total += state.cooperated
        partner = state.partner
    leader = np.minimum(np.arange(2 * pairs), partner)
    return np.bincount(leader, weights=total, minlength=2 * pairs)[leader == np.arange(2 * pairs)]


def match_counts(name, game, regime, pairs, turns, seed):
    """Cooperations in each of ``pairs`` matches of ``name`` against itself."""
    cls = getattr(scc, name)
    counts = []
    for s in range(pairs):
        match = scc.Match([cls(), cls()], turns=turns, regime=regime, game=game, seed=seed + s)
        match.play()
        counts.append(sum(match.cooperation()))
    return np.array(counts)


def same_distribution(a, b):
    """p-value of a chi-square test that two samples of counts share one distribution."""
    values = np.union1d(a, b)
    table = np.array([[np.sum(x == v) for v in values] for x in (a, b)])
    # pool sparse cells into their neighbours so that every expected count is at least 5
    merged, current = [], np.zeros(2, dtype=int)
    for column in table.T:
        current = current + column
        if current.sum() >= 10:
            merged.append(current)
            current = np.zeros(2, dtype=int)
    if current.sum() and merged:
        merged[-1] = merged[-1] + current
    table = np.array(merged).T
    if table.shape[1] < 2:
        return 1.0  # one outcome in both samples
    return float(stats.chi2_contingency(table)[1])


PAIRS_OVER_SEEDS = 300
DIST_TURNS = 4


@pytest.mark.parametrize("regime", list(RANDOM_REGIMES.values()), ids=list(RANDOM_REGIMES))
@pytest.mark.parametrize("game", ["pd", "stag_hunt", "trust", scc.LostWallet()])
def test_same_distribution_of_outcomes_over_seeds(game, regime):
    society = society_counts("Citizen", game, regime, PAIRS_OVER_SEEDS, DIST_TURNS, seed=1)
    match = match_counts("Citizen", game, regime, PAIRS_OVER_SEEDS, DIST_TURNS, seed=10_000)
    assert same_distribution(society, match) > ALPHA
    # and the means within 4 standard errors of their difference
    se = np.sqrt(society.var(ddof=1) / society.size + match.var(ddof=1) / match.size)
    assert abs(society.mean() - match.mean()) <= 4 * se + 1e-12


def test_a_different_model_is_rejected():
    """The test above has power: the old two-finds reading of the wallet is rejected, and
    so is a Society of strangers against the Match's one partner of known length."""
    # the finder's return (the owner's act is recorded as C: one cooperation per pair)
    society = society_counts("Citizen", scc.LostWallet(), None, PAIRS_OVER_SEEDS, 1, seed=1) - 1
    two_finds = []
    for seed in range(PAIRS_OVER_SEEDS):
        match = scc.Match([scc.Citizen(), scc.Citizen()], turns=1, game=TwoWallets(), seed=seed)
        match.play()
        two_finds.append(int(match.result[0][0] == C))
    assert same_distribution(society, np.array(two_finds)) < ALPHA
    match = match_counts("Empath", "pd", None, PAIRS_OVER_SEEDS, DIST_TURNS, seed=0)
    strangers = society_counts(
        "Empath", "pd", None, PAIRS_OVER_SEEDS, DIST_TURNS, seed=1, matching="random"
    )
    assert same_distribution(strangers, match) < ALPHA


#: The one-shot lost wallet of issue 17: unwatched strangers, one round.
WALLET_MONEY = (0.0, 2.0, 14.0)


@pytest.mark.parametrize("name", ["Citizen", "Empath"])
def test_one_shot_wallet_table_agrees_between_engines(name):
    """Returns by a Society of 20 000 and by 400 one-turn Matches agree within sampling
    error (4 standard errors of the difference), and the finder's P(C) is the same."""
    for money in WALLET_MONEY:
        wallet = scc.LostWallet(money=money)
        population = scc.Population(20_000, shares={name: 1.0})
        state = next(iter(scc.Society(population, rounds=1, game=wallet, seed=0)))
        finders = np.isfinite(state.p_cooperate)
        assert finders.sum() == 10_000  # one finder and one owner per pair
        society = state.cooperated[finders].mean()
        cls = getattr(scc, name)
        returned, p = [], set()
        for seed in range(400):
            match = scc.Match([cls(), cls()], turns=1, game=wallet, seed=seed)
            match.play()
            returned.append(match.result[0][0] == C)
            p.add(round(match._turns[0].p_cooperate[0], 9))
        match_rate = float(np.mean(returned))
        pooled = (society * 10_000 + match_rate * 400) / 10_400
        se = np.sqrt(pooled * (1 - pooled) * (1 / 10_000 + 1 / 400))
        assert abs(society - match_rate) <= 4 * se + 1e-9, (name, money, society, match_rate)
        assert len(p) == 1
        np.testing.assert_allclose(state.p_cooperate[finders], p.pop(), rtol=1e-5)
