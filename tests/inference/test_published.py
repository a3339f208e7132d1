import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sccgames.inference import published
from sccgames.model.profiles import MoralParams


@pytest.fixture(scope="module")
def data() -> published.Panel:
    return published.panel()


@pytest.fixture(scope="module")
def fits(data):
    return {m: published.fit(m, data) for m in published.MODELS}


@pytest.fixture(scope="module")
def result():
    return published.transfer_test(n_boot=200, seed=0)


def test_panel_shape_and_split(data):
    assert data.trials.shape == (10, 20)
    assert data.fined.sum() == 6
    assert data.fine_in_force.sum() == 6 * 12
    train = data.train
    # controls: all 20 weeks; fined: weeks 1-8
    assert train.sum() == 4 * 20 + 6 * 8
    assert not (train & data.test("weeks 9-20")).any()
    assert data.test("weeks 9-20").sum() == 6 * 12
    assert data.test("weeks 17-20 (after)").sum() == 6 * 4


@pytest.mark.parametrize("model", published.MODELS)
def test_loglik_equals_hand_binomial(data, model):
    params = {"beta": 1.3, "crowding": -0.3, "prior": 0.6, "evidence": 0.4}
    params.update({f"c_{label}": -1.0 + 0.1 * i for i, label in enumerate(data.labels)})
    mask = np.zeros_like(data.train)
    cells = [(0, 0), (0, 5), (2, 9), (7, 3)]  # centre rows, week columns
    for r, c in cells:
        mask[r, c] = True
    # hand computation, with the motive model's norm written out week by week
    kappa, half, n0, nmax = 0.5, 0.1, 1.0, 5.0
    s_fine = published.FINE  # salience of the fine with coverage 1
    hand = 0.0
    for r, c in cells:
        intercept = -1.0 + 0.1 * r
        in_force = bool(data.fine_in_force[r, c])
        dx = published.FINE if in_force else 0.0
        u = dx
        if model == "learning":  # Bayes' rule over the fine's weeks so far, this one included
            strict, lax = 0.6, 0.4
            for t in range(c + 1):
                if data.fine_in_force[r, t]:
                    strict *= 0.4
            u += strict / (strict + lax) - 0.6
        if model == "motive":
            norm = n0
            for t in range(c):  # update through the weeks before c
                s_t = s_fine if data.fine_in_force[r, t] else 0.0
                change = -0.3 * s_t * 1.0 * nmax
                relax = 0.005 * (n0 - norm) * (s_t == 0)
                norm = min(max(norm + change + relax, 0.0), nmax)
            s = s_fine if in_force else 0.0
            u += norm * (1 - kappa * s / (s + half)) - n0
        p = 1.0 / (1.0 + math.exp(-(intercept - 1.3 * u)))
        n, k = int(data.trials[r, c]), int(data.defections[r, c])
        hand += math.log(math.comb(n, k)) + k * math.log(p) + (n - k) * math.log(1 - p)
    assert published.loglik(model, params, data, mask) == pytest.approx(hand, rel=1e-12)


def test_fit_objective_matches_loglik(fits, data):
    for model, fit in fits.items():
        assert fit.loglik == pytest.approx(published.loglik(model, fit.params, data, data.train))


@given(
    beta=st.floats(0.0, 50.0),
    intercept=st.floats(-10.0, 10.0),
    fine=st.floats(0.0, 10.0),
)
def test_rational_cannot_raise_lateness_under_fine(beta, intercept, fine):
    in_force = np.array([[False] * 4 + [True] * 12 + [False] * 4])
    p = published.late_probability(
        "rational", {"beta": beta}, np.array([intercept]), in_force, fine=fine
    )[0]
    baseline = p[0]
    assert np.all(p[4:16] <= baseline + 1e-15)
    np.testing.assert_allclose(p[16:], baseline)  # removal restores the baseline exactly


@given(
    beta=st.floats(0.0, 50.0),
    intercept=st.floats(-10.0, 10.0),
    norm=st.floats(0.0, 5.0),
)
def test_motive_without_framing_or_erosion_is_rational(beta, intercept, norm):
    in_force = np.array([[False] * 4 + [True] * 12 + [False] * 4, [False] * 20])
    moral = MoralParams(framing=0.0, norm=norm)
    motive = published.late_probability(
        "motive",
        {"beta": beta, "crowding": 0.0},
        np.array([intercept, 0.0]),
        in_force,
        moral=moral,
    )
    rational = published.late_probability(
        "rational", {"beta": beta}, np.array([intercept, 0.0]), in_force
    )
    np.testing.assert_allclose(motive, rational, rtol=1e-12, atol=0)


@given(
    beta=st.floats(0.0, 50.0),
    intercept=st.floats(-10.0, 10.0),
    prior=st.floats(0.0, 0.999),
    evidence=st.floats(0.001, 1.0),
)
def test_learning_nests_the_static_model_and_learns_only_under_the_fine(
    beta, intercept, prior, evidence
):
    """π₀ = 0 or q = 1 is the static model; otherwise the learner is late more often the
    longer the fine has lasted, and keeps what it learnt when the fine goes."""
    in_force = np.array([[False] * 4 + [True] * 12 + [False] * 4])
    rational = published.late_probability(
        "rational", {"beta": beta}, np.array([intercept]), in_force
    )
    for static in ({"prior": 0.0, "evidence": evidence}, {"prior": prior, "evidence": 1.0}):
        learner = published.late_probability(
            "learning", {"beta": beta, **static}, np.array([intercept]), in_force
        )
        np.testing.assert_allclose(learner, rational, rtol=1e-12, atol=1e-15)
    p = published.late_probability(
        "learning",
        {"beta": beta, "prior": prior, "evidence": evidence},
        np.array([intercept]),
        in_force,
    )[0]
    assert np.all(np.diff(p[4:16]) >= -1e-15)  # beliefs only fall while the fine lasts
    assert np.all(p[16:] == p[16])  # and stay after it
    np.testing.assert_allclose(p[:4], rational[0, :4])  # before the fine: no news


def test_strict_belief_is_bayes_rule():
    in_force = np.array([[False, True, True, False, True]])
    belief = published.strict_belief(0.5, 0.25, in_force)[0]
    # posterior odds: prior odds 1 times 0.25 per week of the fine seen
    odds = np.array([1.0, 0.25, 0.0625, 0.0625, 0.015625])
    np.testing.assert_allclose(belief, odds / (1 + odds), rtol=1e-14)


def test_motive_model_can_raise_lateness_and_keep_it():
    # crowding-out: lateness rises under the fine and does not return after it
    in_force = np.array([[False] * 4 + [True] * 12 + [False] * 4])
    p = published.late_probability(
        "motive", {"beta": 2.0, "crowding": -0.5}, np.array([-1.0]), in_force
    )[0]
    assert p[10] > p[0]
    assert p[19] > p[0] + 0.1


def test_fits_converge_on_real_data(fits):
    rational, learning, motive = fits["rational"], fits["learning"], fits["motive"]
    assert rational.converged and learning.converged and motive.converged
    assert rational.n_obs == motive.n_obs == learning.n_obs
    # the learner nests the static model, so it fits its training weeks at least as well;
    # with two more parameters it still has the lower BIC, so it is the rival
    assert learning.loglik >= rational.loglik
    assert learning.bic < rational.bic
    assert published.best_rival(fits) == "learning"
    assert learning.params["prior"] == pytest.approx(0.23, abs=0.01)
    assert learning.params["evidence"] == pytest.approx(0.59, abs=0.01)
    # at beta = 0 both are the intercept-only model, which is the rational optimum here
    assert motive.loglik >= rational.loglik
    # the rational model's best fit of weeks 5-8 is "no fine effect": its beta is on its bound
    assert rational.params["beta"] == pytest.approx(0.0, abs=1e-6)
    # the motive model's fit: crowding-out (negative η_M (L − L*)), both well determined
    assert motive.params["crowding"] < 0
    assert np.isfinite(motive.se["beta"]) and np.isfinite(motive.se["crowding"])


def test_transfer_test_numbers_on_real_data(result):
    """With seed 0 and 200 resamples: against the learning rival (chosen on the training
    weeks) the motive model's point gap is positive but its 95% interval includes 0; the
    two tie under the fine and part after it. Against the static model the interval
    excludes 0. The numbers are the module docstring's and the README's (±0.0005)."""
    table = result.table
    assert result.rival == "learning" and result.winner == "motive"
    expected = {  # window: (rival gap, its interval, static gap)
        "weeks 9-20": (0.0822, (-0.0090, 0.6162), 0.1363),
        "weeks 9-16 (fine)": (-0.0016, (-0.0120, 0.1391), 0.1333),
        "weeks 17-20 (after)": (0.2496, (-0.0099, 1.8339), 0.1423),
    }
    for window, (gap, (low, high), static) in expected.items():
        rows = table[table["window"] == window].set_index("model")
        assert (rows["rival"] == "learning").all()
        point = rows.loc["learning", "log_loss"] - rows.loc["motive", "log_loss"]
        assert rows.loc["motive", "log_loss_gap"] == pytest.approx(point)
        assert point == pytest.approx(gap, abs=5e-4)
        assert rows.loc["motive", "ci_low"] == pytest.approx(low, abs=5e-4)
        assert rows.loc["motive", "ci_high"] == pytest.approx(high, abs=5e-4)
        assert low < 0 < high  # not told apart at the 5% level, in every window
        static_gap = rows.loc["rational", "log_loss"] - rows.loc["motive", "log_loss"]
        assert rows.loc["motive", "static_gap"] == pytest.approx(static_gap)
        assert static_gap == pytest.approx(static, abs=5e-4)
    all_weeks = table[table["window"] == "weeks 9-20"].set_index("model")
    static = table[table["window"] == "weeks 9-20"].iloc[0]
    assert static["static_ci_low"] == pytest.approx(0.0867, abs=5e-4)
    assert static["static_ci_high"] == pytest.approx(0.1896, abs=5e-4)
    # both models score better than a coin (log loss ln 2) only if they learnt something;
    # the rational one, stuck at its weeks 1-8 baseline, does not
    assert all_weeks.loc["motive", "log_loss"] < np.log(2) < all_weeks.loc["rational", "log_loss"]
    assert all_weeks.loc["rational", "observed_late"] == 1334  # the data: fined weeks 9-20
    assert len(result.boot) == 200
    assert result.weeks.shape == (20, 6)  # week, observed, three models, split


def test_bootstrap_is_reproducible():
    a = published.transfer_test(n_boot=3, seed=1)
    b = published.transfer_test(n_boot=3, seed=1)
    c = published.transfer_test(n_boot=3, seed=2)
    pd.testing.assert_frame_equal(a.boot, b.boot)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert not a.boot.equals(c.boot)


def test_no_bootstrap_gives_nan_interval():
    r = published.transfer_test(n_boot=0)
    assert r.table["ci_low"].isna().all()
    assert r.winner == "motive"


def test_unknown_model_is_rejected(data):
    with pytest.raises(ValueError, match="unknown model"):
        published.fit("habit", data)


def test_incomplete_panel_is_rejected():
    from sccgames.inference import datasets

    rows = datasets.choices("gneezy_rustichini_2000").iloc[1:]
    with pytest.raises(ValueError, match="every week"):
        published.panel(rows)


def test_take_relabels_repeats(data):
    sample = data.take(np.array([0, 0, 6]))
    assert sample.labels == ("1", "1#1", "7")
    assert sample.fined.tolist() == [True, True, False]


def test_plot(result):
    import matplotlib

    matplotlib.use("Agg")
    ax = published.plot(result)
    assert ax.get_xlabel() == "week"
    assert ax.get_ylabel()
    assert "log-loss gap" in ax.get_title()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"observed", "rational model", "motive model"} <= set(labels)
    import matplotlib.pyplot as plt

    plt.close(ax.figure)


def test_the_readme_states_the_day_care_result(result):
    """README's "Is the rational model enough?" quotes the transfer test as it comes out
    (three decimals), the null result against the learner included."""
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    text = " ".join(
        readme.split("## Is the rational model enough?", 1)[1].split("\n## ")[0].split()
    )
    rows = result.table[result.table["window"] == "weeks 9-20"].set_index("model")
    loss = {m: f"{rows.loc[m, 'log_loss']:.3f}" for m in published.MODELS}
    motive = rows.loc["motive"]
    assert f"log loss is {loss['motive']} against the learner's {loss['learning']}" in text
    assert f"static rational model's {loss['rational']}" in text
    assert (
        f"gap, {motive['static_gap']:.3f}, has a 95% bootstrap interval of "
        f"[{motive['static_ci_low']:.3f}, {motive['static_ci_high']:.3f}]"
    ) in text
    low = f"{motive['ci_low']:.3f}".replace("-", "−")
    assert (
        f"gap, {motive['log_loss_gap']:.3f}, has [{low}, {motive['ci_high']:.3f}], which includes 0"
    ) in text
    assert motive["ci_low"] < 0 < motive["ci_high"]
