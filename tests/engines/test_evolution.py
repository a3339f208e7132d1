import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sccgames.engines.evolution import (
    DYNAMICS,
    Dynamics,
    iter_moran,
    iter_replicator,
    moran_process,
    payoff_matrix,
    replicator_dynamics,
    replicator_step,
)


def game(r, s, t, p):
    """The symmetric 2×2 payoff matrix of a stage game, rows and columns C then D."""
    return pd.DataFrame([[r, s], [t, p]], index=["C", "D"], columns=["C", "D"], dtype=float)


PD = game(3, 0, 5, 1)  # Axelrod's prisoner's dilemma
HARMONY = game(4, 2, 3, 1)
STAG_HUNT = game(4, 0, 3, 1)  # mixed equilibrium at x_C = (P − S) / (R − S − T + P) = 1/2
SNOWDRIFT = game(3, 1, 5, 0)  # stable mixture at x_C = (S − P) / (S − P + T − R) = 1/3


def final_shares(frame):
    last = frame[frame["generation"] == frame["generation"].max()]
    return dict(zip(last["type"], last["share"], strict=True))


# --------------------------------------------------------------------------- payoff matrix
def synthetic_matches(repetitions=3):
    """A round robin of three players with self-play; payoff = 10·player + opponent + rep/10."""
    rows = []
    names = ["Alpha", "Beta", "Gamma"]
    match = 0
    for i in range(3):
        for j in range(i, 3):
            for rep in range(repetitions):
                for me, you in {(i, j), (j, i)}:
                    rows.append(
                        {
                            "match": match,
                            "repetition": rep,
                            "player": me,
                            "name": names[me],
                            "opponent": you,
                            "opponent_name": names[you],
                            "turns": 10,
                            "payoff": 10 * me + you + rep / 10,
                        }
                    )
            match += 1
    return pd.DataFrame(rows)


def test_payoff_matrix_averages_repetitions_row_against_column():
    matches = synthetic_matches()
    self_play = matches[matches["player"] == matches["opponent"]]
    assert len(self_play) == 3 * 3  # one row per repetition
    matrix = payoff_matrix(matches.sample(frac=1.0, random_state=0))  # row order is irrelevant
    names = ["Alpha", "Beta", "Gamma"]
    assert list(matrix.index) == names and list(matrix.columns) == names
    expected = np.array([[10 * i + j + 0.1 for j in range(3)] for i in range(3)])
    np.testing.assert_allclose(matrix.to_numpy(), expected)


def test_payoff_matrix_rejects_incomplete_or_inconsistent_matches():
    matches = synthetic_matches()
    no_self_play = matches[~((matches["player"] == 1) & (matches["opponent"] == 1))]
    with pytest.raises(
        ValueError, match=r"lacks the \(player, opponent\) pairs \[\('Beta', 'Beta'"
    ):
        payoff_matrix(no_self_play)
    with pytest.raises(ValueError, match=r"lacks the columns \['opponent_name'\]"):
        payoff_matrix(matches.drop(columns="opponent_name"))
    with pytest.raises(ValueError, match="non-empty pandas DataFrame, got an empty one"):
        payoff_matrix(matches.iloc[:0])
    with pytest.raises(ValueError, match="non-empty pandas DataFrame, got list"):
        payoff_matrix([1, 2])
    nan = matches.copy()
    nan.loc[4, "payoff"] = math.nan
    with pytest.raises(
        ValueError, match=r"matches\['payoff'\] must be a finite number, got nan in row 4"
    ):
        payoff_matrix(nan)
    renamed = matches.copy()
    renamed.loc[renamed["player"] == 2, "name"] = "Delta"  # but still Gamma as an opponent
    with pytest.raises(ValueError, match=r"one name of its own .* \(2, 'Delta'\), \(2, 'Gamma'\)"):
        payoff_matrix(renamed)
    twins = matches.replace({"Gamma": "Beta"})
    with pytest.raises(ValueError, match=r"one name of its own .* \(1, 'Beta'\), \(2, 'Beta'\)"):
        payoff_matrix(twins)
    with pytest.raises(ValueError, match=r"matches\['payoff'\] must be a finite number, got 'x'"):
        payoff_matrix(matches.assign(payoff="x"))


# --------------------------------------------------------------------------- replicator
def test_replicator_output_is_tidy_and_starts_from_equal_shares():
    frame = replicator_dynamics(PD, generations=7)
    assert list(frame.columns) == ["generation", "type", "share"]
    assert len(frame) == 8 * 2
    assert frame["generation"].tolist() == [g for g in range(8) for _ in range(2)]
    assert frame["type"].tolist() == ["C", "D"] * 8
    assert frame.loc[frame["generation"] == 0, "share"].tolist() == [0.5, 0.5]
    streamed = list(iter_replicator(PD, generations=7))
    assert len(streamed) == 8
    np.testing.assert_array_equal(np.concatenate(streamed), frame["share"].to_numpy())


def test_replicator_defection_takes_over_the_prisoners_dilemma():
    frame = replicator_dynamics(PD, initial_shares={"C": 0.99, "D": 0.01})
    defectors = frame.loc[frame["type"] == "D", "share"].to_numpy()
    assert np.all(np.diff(defectors) > 0)  # D earns more than the mean at every mixture
    assert defectors[-1] > 1 - 1e-6


def test_replicator_cooperation_takes_over_harmony():
    frame = replicator_dynamics(HARMONY, initial_shares={"C": 0.01, "D": 0.99})
    assert final_shares(frame)["C"] > 1 - 1e-6


@pytest.mark.parametrize(("start", "winner"), [(0.55, "C"), (0.45, "D")])
def test_replicator_stag_hunt_goes_to_the_side_of_the_mixed_equilibrium(start, winner):
    frame = replicator_dynamics(STAG_HUNT, {"C": start, "D": 1 - start}, generations=400)
    assert final_shares(frame)[winner] > 1 - 1e-6


@pytest.mark.parametrize("start", [0.05, 0.95])
def test_replicator_snowdrift_converges_to_the_mixed_equilibrium(start):
    frame = replicator_dynamics(SNOWDRIFT, {"C": start, "D": 1 - start}, generations=500)
    assert final_shares(frame)["C"] == pytest.approx(1 / 3, abs=1e-9)


@st.composite
def payoff_frames(draw, max_types=5, elements=st.floats(-1e3, 1e3)):
    k = draw(st.integers(1, max_types))
    values = draw(st.lists(elements, min_size=k * k, max_size=k * k))
    names = [f"type{i}" for i in range(k)]
    return pd.DataFrame(np.reshape(values, (k, k)), index=names, columns=names)


@given(
    payoffs=payoff_frames(),
    weights=st.lists(st.floats(0.0, 1.0), min_size=5, max_size=5),
    step=st.floats(1e-3, 1e3),
)
def test_replicator_stays_on_the_simplex_and_grows_exactly_the_above_average(
    payoffs, weights, step
):
    weights = np.array(weights[: len(payoffs)])
    assume(weights.sum() > 0)
    initial = dict(zip(payoffs.index, weights, strict=True))
    states = np.array(list(iter_replicator(payoffs, initial, generations=30, step=step)))
    assert np.all(states >= 0)
    np.testing.assert_allclose(states.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_array_equal(states[:, weights == 0], 0.0)  # no type comes from nothing
    a = payoffs.to_numpy()
    x = states[0]
    advantage = a @ x - x @ a @ x
    grows = states[1] - x
    clear = (np.abs(advantage) > 1e-9 * np.ptp(a)) & (x > 1e-6) & (x < 1 - 1e-6)
    assert np.all(np.sign(grows[clear]) == np.sign(advantage[clear]))


@given(
    payoffs=payoff_frames(max_types=4, elements=st.integers(-1000, 1000).map(float)),
    scale=st.floats(1e-2, 1e2),
    shift=st.floats(-1e3, 1e3),
)
def test_replicator_ignores_positive_affine_transformations_of_the_payoffs(payoffs, scale, shift):
    plain = replicator_dynamics(payoffs, generations=20)
    moved = replicator_dynamics(payoffs * scale + shift, generations=20)
    np.testing.assert_allclose(moved["share"], plain["share"], atol=1e-9)


def test_replicator_step_leaves_a_constant_game_alone():
    shares = np.array([0.2, 0.3, 0.5])
    np.testing.assert_array_equal(replicator_step(shares, np.full((3, 3), -2.0), 1.0), shares)


# --------------------------------------------------------------------------- Moran
def test_moran_output_is_tidy_and_keeps_the_population_size():
    frame = moran_process(PD, {"C": 6, "D": 4}, generations=50, mutation=0.1, seed=3)
    assert list(frame.columns) == ["generation", "type", "count", "share"]
    assert len(frame) == 51 * 2
    assert frame.loc[frame["generation"] == 0, "count"].tolist() == [6, 4]
    totals = frame.groupby("generation")["count"].sum()
    assert (totals == 10).all()
    np.testing.assert_allclose(frame["share"], frame["count"] / 10)
    steps = frame.pivot(index="generation", columns="type", values="count").diff().dropna()
    assert (steps.abs().sum(axis=1) <= 2).all()  # one birth and one death per step
    streamed = np.array(list(iter_moran(PD, {"C": 6, "D": 4}, 50, mutation=0.1, seed=3)))
    np.testing.assert_array_equal(streamed.ravel(), frame["count"].to_numpy())


def test_moran_same_seed_same_path_and_different_seeds_differ():
    def run(seed):
        return moran_process(HARMONY, {"C": 5, "D": 5}, 200, selection=0.1, mutation=0.2, seed=seed)

    pd.testing.assert_frame_equal(run(7), run(7))
    pd.testing.assert_frame_equal(run(np.random.SeedSequence(7)), run(7))
    assert not run(7).equals(run(8))


def test_moran_mutation_brings_in_absent_types_and_without_it_none_appear():
    three = pd.DataFrame(np.ones((3, 3)), index=["A", "B", "C"], columns=["A", "B", "C"])
    closed = moran_process(three, {"A": 10}, 500, mutation=0.0, seed=1)
    assert closed.loc[closed["type"] != "A", "count"].eq(0).all()
    opened = moran_process(three, {"A": 10}, 500, mutation=0.3, seed=1)
    assert set(opened.loc[opened["count"] > 0, "type"]) == {"A", "B", "C"}


def fixation_rate(payoffs, mutant, resident, population, selection, runs):
    """Share of seeded runs in which one ``mutant`` takes over (each run until absorption)."""
    fixed = 0
    counts = {mutant: 1, resident: population - 1}
    column = list(payoffs.index).index(mutant)
    for seed in range(runs):
        for state in iter_moran(payoffs, counts, 100_000, selection=selection, seed=seed):
            if state[column] in (0, population):
                fixed += state[column] == population
                break
        else:
            raise AssertionError(f"run {seed} did not absorb")
    return fixed / runs


def exact_fixation(payoffs, mutant, resident, population, selection):
    """Nowak et al. (2004): ρ = 1 / (1 + Σ_k Π_{i≤k} T⁻_i / T⁺_i) for one mutant among N − 1.

    With death uniform over the population and birth ∝ exp(selection · fitness), the ratio
    of the chances to lose and to gain a mutant with i mutants present is exp(s (g_i − f_i)).
    """
    a = payoffs.loc[[mutant, resident], [mutant, resident]].to_numpy()
    n = population
    total, product = 1.0, 1.0
    for i in range(1, n):
        f = (a[0, 0] * (i - 1) + a[0, 1] * (n - i)) / (n - 1)
        g = (a[1, 0] * i + a[1, 1] * (n - i - 1)) / (n - 1)
        product *= math.exp(selection * (g - f))
        total += product
    return 1 / total


RUNS = 2000  # seeded runs per fixation claim; the tolerance is 4 binomial standard errors


def assert_binomial_close(rate, p, runs=RUNS):
    assert abs(rate - p) <= 4 * math.sqrt(p * (1 - p) / runs), (rate, p)


def test_moran_neutral_mutant_fixes_with_probability_one_over_n():
    """Nowak et al. (2004): under neutral drift ρ = 1/N, whatever the (constant) payoffs."""
    population = 10
    neutral = game(2, 2, 2, 2)
    rate = fixation_rate(neutral, "D", "C", population, selection=5.0, runs=RUNS)
    assert_binomial_close(rate, 1 / population)


def test_moran_advantage_raises_fixation_to_the_exact_value():
    """Defectors invading cooperators in the PD fix far more often than 1/N, as predicted."""
    population = 10
    rho = exact_fixation(PD, "D", "C", population, selection=0.5)
    assert rho > 5 / population
    assert_binomial_close(fixation_rate(PD, "D", "C", population, 0.5, RUNS), rho)
    assert exact_fixation(PD, "C", "D", population, selection=0.5) < 0.001
    assert fixation_rate(PD, "C", "D", population, 0.5, 300) <= 0.02


# --------------------------------------------------------------------------- dispatch, errors
def test_every_dynamics_has_its_function():
    assert set(DYNAMICS) == set(Dynamics)
    assert DYNAMICS[Dynamics.MORAN] is moran_process
    assert DYNAMICS[Dynamics.REPLICATOR] is replicator_dynamics


NAN_PD = PD.copy()
NAN_PD.loc["D", "C"] = math.nan


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"payoffs": PD.iloc[:, :1]}, r"payoffs must be square.* columns \['C'\]"),
        ({"payoffs": PD.set_axis(["D", "C"], axis=1)}, "same distinct type names"),
        ({"payoffs": PD.iloc[[0, 0], [0, 0]]}, r"got index \['C', 'C'\]"),
        ({"payoffs": PD.iloc[:0, :0]}, r"got index \[\] and columns \[\]"),
        ({"payoffs": PD.to_numpy()}, "payoffs must be a pandas DataFrame .* got ndarray"),
        ({"payoffs": NAN_PD}, r"payoffs.loc\['D', 'C'\] must be a finite number, got nan"),
        ({"payoffs": PD.astype(object).replace(0.0, "x")}, r"payoffs.loc\['C', 'D'\] .* got 'x'"),
        ({"counts": {"C": 5, "X": 1}}, r"counts names unknown types \['X'\]"),
        ({"counts": {"C": -1, "D": 5}}, r"counts\['C'\] must be an integer >= 0, got -1"),
        ({"counts": {"C": 1.5, "D": 5}}, r"counts\['C'\] must be an integer"),
        ({"counts": {"C": 1}}, "population of at least 2"),
        ({"counts": {}}, r"counts must be a non-empty mapping such as \{'C': 1, 'D': 1\}"),
        ({"generations": -1}, "generations must be an integer >= 0, got -1"),
        ({"selection": -0.1}, r"selection must be in \[0, inf\), got -0.1"),
        ({"selection": math.inf}, r"selection must be in \[0, inf\)"),
        ({"mutation": 1.5}, r"mutation must be in \[0, 1\], got 1.5"),
        ({"seed": -3}, "seed must be an integer >= 0, got -3"),
    ],
)
def test_moran_validation(kwargs, message):
    arguments = {"payoffs": PD, "counts": {"C": 5, "D": 5}, "generations": 3, **kwargs}
    with pytest.raises(ValueError, match=message):
        iter_moran(**arguments)  # checked on the call, before the first step


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"initial_shares": {"C": 0.5, "Z": 0.5}}, r"initial_shares names unknown types \['Z'\]"),
        ({"initial_shares": {"C": -0.5}}, r"initial_shares\['C'\] must be in \[0, inf\)"),
        ({"initial_shares": {"C": 0.0, "D": 0.0}}, "initial_shares must not all be 0"),
        ({"initial_shares": [0.5, 0.5]}, "initial_shares must be a non-empty mapping .* got"),
        ({"generations": 2.0}, "generations must be an integer >= 0, got 2.0"),
        ({"step": 0.0}, r"step must be in \(0, inf\), got 0.0"),
        ({"step": math.nan}, "step must be a number in"),
    ],
)
def test_replicator_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        iter_replicator(PD, **kwargs)
