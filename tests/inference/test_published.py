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
    params = {"beta": 1.3, "crowding": -0.3}
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


def test_motive_model_can_raise_lateness_and_keep_it():
    # crowding-out: lateness rises under the fine and does not return after it
    in_force = np.array([[False] * 4 + [True] * 12 + [False] * 4])
    p = published.late_probability(
        "motive", {"beta": 2.0, "crowding": -0.5}, np.array([-1.0]), in_force
    )[0]
    assert p[10] > p[0]
    assert p[19] > p[0] + 0.1


def test_fits_converge_on_real_data(fits):
    rational, motive = fits["rational"], fits["motive"]
    assert rational.converged and motive.converged
    assert rational.n_obs == motive.n_obs
    # at beta = 0 both are the intercept-only model, which is the rational optimum here
    assert motive.loglik >= rational.loglik
    # the rational model's best fit of weeks 5-8 is "no fine effect": its beta is on its bound
    assert rational.params["beta"] == pytest.approx(0.0, abs=1e-6)
    # the motive model's fit: crowding-out (negative η_M (L − L*)), both well determined
    assert motive.params["crowding"] < 0
    assert np.isfinite(motive.se["beta"]) and np.isfinite(motive.se["crowding"])


def test_transfer_test_numbers_on_real_data(result):
    """With seed 0 and 200 resamples the motive model wins and the CI excludes 0."""
    table = result.table
    assert result.winner == "motive"
    for window in published.TEST_WINDOWS:
        rows = table[table["window"] == window].set_index("model")
        gap = rows.loc["rational", "log_loss"] - rows.loc["motive", "log_loss"]
        assert rows.loc["rational", "log_loss_gap"] == pytest.approx(gap)
        assert rows.loc["motive", "brier"] < rows.loc["rational", "brier"]
        assert 0 < rows.loc["rational", "ci_low"] < gap < rows.loc["rational", "ci_high"]
    all_weeks = table[table["window"] == "weeks 9-20"].set_index("model")
    # both models score better than a coin (log loss ln 2) only if they learnt something;
    # the rational one, stuck at its weeks 1-8 baseline, does not
    assert all_weeks.loc["motive", "log_loss"] < np.log(2) < all_weeks.loc["rational", "log_loss"]
    assert all_weeks.loc["rational", "observed_late"] == 1334  # the data: fined weeks 9-20
    assert len(result.boot) == 200
    assert result.weeks.shape == (20, 5)


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
