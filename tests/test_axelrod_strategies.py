"""Every strategy in ``axelrod.strategies`` plays a ``sccgames.Tournament`` with the presets.

Strategies are batched into a few tournaments with short matches, so the file runs in
about a minute on one core: those that run fast in four tournaments (every fourth strategy)
with the motive presets; those axelrod classifies ``long_run_time`` (the meta strategies,
which play a whole team each turn and take a fraction of a second just to be cloned) two
at a time with the presets, in matches of a few turns. Without a regime, every match
between deterministic strategies (classifier ``stochastic`` False) of a tournament must
give exactly the payoffs of ``axelrod.Tournament``, which plays the same strategies by its
own code.
"""

import itertools

import axelrod as axl
import numpy as np
import pytest

import sccgames as scc
from sccgames.model.agents import motive_strategies

TURNS = 10  # fast strategies: enough turns for their rules past the opening to show
LONG_TURNS = 3  # long-running strategies: few turns, as their cost is mostly per match
PRESETS = list(motive_strategies)


def _classified(name, cls):
    return axl.Classifiers[name](cls())


FAST = [cls for cls in axl.strategies if not _classified("long_run_time", cls)]
LONG = [cls for cls in axl.strategies if _classified("long_run_time", cls)]


def _deterministic(classes):
    return [k for k, cls in enumerate(classes) if not _classified("stochastic", cls)]


def _mean_payoffs(results):
    """Mean material payoff per turn, player (row) against opponent (column), by index."""
    return results.matches.pivot_table(
        index="player", columns="opponent", values="material_payoff", aggfunc="mean"
    )


def _axelrod_payoffs(classes, turns):
    tournament = axl.Tournament([cls() for cls in classes], turns=turns, repetitions=1)
    return np.array(tournament.play(progress_bar=False, processes=1).payoff_matrix)


def _check_everyone_played_the_presets(results, strategies, turns):
    """Every strategy met every preset for ``turns`` turns, with payoffs the game allows."""
    k = len(strategies)
    matches = results.matches
    met = matches[(matches["player"] < k) & (matches["opponent"] >= k)]
    pairs = set(zip(met["player"], met["opponent"], strict=True))
    assert pairs == {(s, k + p) for s in range(k) for p in range(len(PRESETS))}
    assert (met["turns"] == turns).all()
    assert met["cooperation"].between(0, 1).all()
    _, _, sucker, temptation = axl.Game().RPST()
    assert matches["material_payoff"].between(sucker, temptation).all()
    assert np.isfinite(matches["payoff"]).all()


CHUNKS = 4
FAST_BATCHES = [FAST[i::CHUNKS] for i in range(CHUNKS)]


@pytest.fixture(scope="module", params=range(CHUNKS), ids=lambda i: f"fast{i}")
def fast(request):
    strategies = FAST_BATCHES[request.param]
    players = [cls() for cls in strategies] + [cls() for cls in PRESETS]
    tournament = scc.Tournament(players, turns=TURNS, repetitions=1, seed=17)
    return strategies, tournament.play(progress_bar=False)


def test_the_strategies_are_all_of_axelrods():
    assert sorted(map(id, FAST + LONG)) == sorted(map(id, axl.strategies))
    assert len(axl.strategies) > 200 and len(LONG) > 0 and len(_deterministic(FAST)) > 100
    assert sorted(map(id, itertools.chain(*FAST_BATCHES))) == sorted(map(id, FAST))


def test_every_fast_strategy_plays_the_presets(fast):
    strategies, results = fast
    _check_everyone_played_the_presets(results, strategies, TURNS)


def test_deterministic_strategies_get_exactly_axelrods_payoffs(fast):
    strategies, results = fast
    chosen = _deterministic(strategies)
    ours = _mean_payoffs(results).loc[chosen, chosen].to_numpy()
    theirs = _axelrod_payoffs([strategies[k] for k in chosen], TURNS)
    mismatched = [
        (strategies[chosen[i]].name, strategies[chosen[j]].name, ours[i, j], theirs[i, j])
        for i, j in np.argwhere(ours != theirs)
    ]
    assert not mismatched, mismatched[:10]


def _long_batches():
    """The long-running strategies two at a time, the deterministic ones together."""
    deterministic = [LONG[k] for k in _deterministic(LONG)]
    rest = [cls for cls in LONG if cls not in deterministic]
    batches = [deterministic[i : i + 2] for i in range(0, len(deterministic), 2)]
    return batches + [rest[i : i + 2] for i in range(0, len(rest), 2)]


@pytest.mark.parametrize(
    "strategies", _long_batches(), ids=lambda batch: "+".join(cls.__name__ for cls in batch)
)
def test_every_long_running_strategy_plays_the_presets(strategies):
    players = [cls() for cls in strategies] + [cls() for cls in PRESETS]
    results = scc.Tournament(players, turns=LONG_TURNS, repetitions=1, seed=3).play(
        progress_bar=False
    )
    _check_everyone_played_the_presets(results, strategies, LONG_TURNS)
    chosen = _deterministic(strategies)
    if len(chosen) == len(strategies):  # the deterministic batch: exactly axelrod's payoffs
        ours = _mean_payoffs(results).loc[chosen, chosen].to_numpy()
        np.testing.assert_array_equal(ours, _axelrod_payoffs(strategies, LONG_TURNS))


def test_payoff_comparison_can_fail():
    """The comparison finds a difference when the model differs (here: another game)."""
    classes = [axl.TitForTat, axl.Defector, axl.Alternator]
    theirs = _axelrod_payoffs(classes, TURNS)
    for game, equal in ((None, True), (scc.snowdrift(), False)):
        ours = scc.Tournament(
            [cls() for cls in classes], turns=TURNS, repetitions=1, game=game, seed=1
        ).play(progress_bar=False)
        assert np.array_equal(_mean_payoffs(ours).to_numpy(), theirs) is equal
