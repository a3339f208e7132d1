"""The stakes study: both models fitted on two stake levels, each predicting the third.

The numbers are those of ``docs/evidence.md`` ("Stakes"), at seed 0 (the same seed gives the
same study, so the tolerance only allows for floating point across machines); what holds at
every one of five seeds is asserted over those seeds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sccgames.inference import compare
from sccgames.inference import stakes as st


@pytest.fixture(scope="module")
def studies() -> dict[str, list[pd.DataFrame]]:
    return {d: [st.stakes_study(design=d, seed=s) for s in range(5)] for d in st.DESIGNS}


def big(table: pd.DataFrame) -> pd.Series:
    """The row of the level left out that is furthest from the other two (stakes 7)."""
    return table.set_index("held_out").loc[7.0]


def test_the_choices_carry_each_levels_game() -> None:
    data = st.stakes_choices(design="wallet", seed=0)
    assert sorted(data["condition"].unique()) == list(st.STAKES)
    money = data.groupby("condition")["own_dc"].unique()  # what keeping gains the finder
    assert [list(v) for v in money] == [[2.0], [4.0], [14.0]]
    assert (data.groupby("condition").size() == 2000).all()  # the finders of 4000 citizens
    pd.testing.assert_frame_equal(data, st.stakes_choices(design="wallet", seed=0))
    with pytest.raises(ValueError, match="at least three distinct levels"):
        st.stakes_choices(stakes=(1.0, 2.0))
    with pytest.raises(ValueError, match="unknown design 'wallets'"):
        st.stakes_choices(design="wallets")
    with pytest.raises(ValueError, match=r"finite and > 0, got \[1.0, 2.0, 0.0\]"):
        st.stakes_choices(stakes=(1.0, 2.0, 0.0))


def test_wallet_stakes_numbers(studies: dict[str, list[pd.DataFrame]]) -> None:
    """docs/evidence.md: wallet ×7 left out, seed 0 (tolerance 0.002)."""
    row = big(studies["wallet"][0])
    assert row["observed"] == pytest.approx(0.693, abs=0.002)
    assert row["rational"] == pytest.approx(0.500, abs=0.002)
    assert row["motive"] == pytest.approx(0.842, abs=0.002)
    assert row["rational_log_loss"] == pytest.approx(0.693, abs=0.002)
    assert row["motive_log_loss"] == pytest.approx(0.686, abs=0.002)


def test_wallet_stakes_over_seeds(studies: dict[str, list[pd.DataFrame]]) -> None:
    """At every seed: most wallets come back, more with more money; the rational model,
    whose P(return) <= 1/2 whatever β, predicts 1/2 (β = 0); the motive model, whose index
    is linear in the money, overshoots the big-money rate by more than 0.1."""
    for table in studies["wallet"]:
        rates = table.set_index("held_out")["observed"]
        assert 0.5 < rates[1.0] < rates[7.0]
        row = big(table)
        assert row["rational"] == pytest.approx(0.5, abs=1e-3)
        assert row["motive"] > row["observed"] + 0.1


def test_pd_stakes_numbers(studies: dict[str, list[pd.DataFrame]]) -> None:
    """docs/evidence.md: prisoner's dilemma ×7 left out, seed 0 (tolerance 0.002)."""
    row = big(studies["pd"][0])
    assert row["observed"] == pytest.approx(0.224, abs=0.002)
    assert row["rational"] == pytest.approx(0.196, abs=0.002)
    assert row["motive"] == pytest.approx(0.139, abs=0.002)
    assert row["rational_log_loss"] == pytest.approx(0.534, abs=0.002)
    assert row["motive_log_loss"] == pytest.approx(0.557, abs=0.002)


def test_pd_stakes_over_seeds(studies: dict[str, list[pd.DataFrame]]) -> None:
    """At every seed the rational model predicts the ×7 level within 0.04 of the truth
    (about 5 standard errors of the observed rate) and scores no worse out of sample than
    the motive model (log loss, to 1e-3)."""
    for table in studies["pd"]:
        row = big(table)
        assert abs(row["rational"] - row["observed"]) < 0.04
        assert row["rational_log_loss"] <= row["motive_log_loss"] + 1e-3


def test_predictions_are_the_fits_of_the_other_levels() -> None:
    """A row's predictions are those of fits to the other levels' choices alone."""
    data = st.stakes_choices(design="pd", seed=3)
    table = st.stakes_study(design="pd", seed=3, starts=3).set_index("held_out")
    train, test = data[data["condition"] != 2.0], data[data["condition"] == 2.0]
    rational = compare.fit("rational", train, starts=3, seed=3)
    p = compare.predict(rational, test)
    assert table.loc[2.0, "rational"] == pytest.approx(float(np.mean(p)), rel=1e-12)
    assert table.loc[2.0, "n"] == len(test)
