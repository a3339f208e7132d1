"""The calibration's targets, designs, estimator, report and command.

Designs are checked on populations whose answer is known (HomoEconomicus keeps every wallet
with money, Moralists cooperate); the estimator recovers parameters it generated targets
from. Where the current defaults stand is ``benchmarks/calibration_status.py``'s output,
not a test: the defaults change with the engine and are set from :func:`calibrate`.
"""

import numpy as np
import pandas as pd
import pytest

import sccgames as scc
from sccgames import cli
from sccgames.inference import calibration as cal

SHARES = ("pd_first_round", "wallet_no_money", "wallet_money", "wallet_big_money")


def test_target_table_is_well_formed_and_cites_the_bibliography():
    t = cal.TARGETS
    assert list(t.columns) == ["statistic", "low", "high", "design", "source", "fitted", "note"]
    assert t["statistic"].is_unique
    assert (t["low"] < t["high"]).all()
    assert t["design"].isin(list(cal.DESIGNS)).all()
    assert t["source"].isin(list(scc.BIBLIOGRAPHY)).all()
    assert t["fitted"].any() and (~t["fitted"]).any()  # some targets are out of sample
    shares = t[t["statistic"] != "wallet_money_effect"]
    shares = shares[shares["statistic"] != "pg_punishment_gain"]
    assert shares["low"].between(0, 1).all() and shares["high"].between(0, 1).all()


def test_lost_wallet_targets_rise_with_the_money_at_human_levels():
    """Cohn et al. (2019): more money, more wallets reported, all well short of everyone."""
    t = cal.TARGETS.set_index("statistic")
    mids = [(t.loc[s, "low"] + t.loc[s, "high"]) / 2 for s in SHARES[1:]]
    assert np.all(np.diff(mids) > 0) and max(mids) < 0.8 and min(mids) > 0.3
    assert t.loc["wallet_money_effect", "low"] > 0


def test_every_target_is_measured_once_per_seed():
    table = cal.simulate(scc.Population(200), seeds=(1, 2))
    counts = table.groupby("statistic").size()
    assert set(counts.index) == set(cal.TARGETS["statistic"]) and (counts == 2).all()
    assert table["value"].notna().all()


def test_same_seeds_give_identical_statistics():
    pop = scc.Population(300)
    pd.testing.assert_frame_equal(cal.simulate(pop, (4,)), cal.simulate(pop, (4,)))


def test_homo_economicus_keeps_every_wallet_with_money_and_free_rides():
    pop = scc.Population(2000, shares={"HomoEconomicus": 1.0})
    sim = cal.simulate(pop, (1, 2)).groupby("statistic")["value"].max()
    assert sim["wallet_money"] == 0 and sim["wallet_big_money"] == 0
    assert sim["pd_first_round"] < 0.01
    assert sim["free_riders"] == 1.0 and sim["conditional_cooperators"] == 0.0


def test_moralists_cooperate_and_return_wallets_unconditionally():
    pop = scc.Population(2000, shares={"Moralist": 1.0})
    sim = cal.simulate(pop, (1, 2)).groupby("statistic")["value"].min()
    assert sim["pd_first_round"] > 0.95 and sim["wallet_big_money"] > 0.95
    # a norm that does not depend on others: neither conditional nor free riding
    assert sim["conditional_cooperators"] == 0.0 and sim["free_riders"] == 0.0


def test_strategy_method_counts_types_in_a_known_mix():
    pop = scc.Population(1000, shares={"HomoEconomicus": 0.3, "Citizen": 0.7})
    sim = cal.simulate(pop, (1,), cal.TARGETS[cal.TARGETS["design"] == "strategy_method"])
    got = sim.set_index("statistic")["value"]
    assert got["free_riders"] == pytest.approx(0.3)
    assert got["conditional_cooperators"] == pytest.approx(0.7)  # Citizen: conditionality 0.5


def test_classify_reads_schedules():
    b = cal.PROBE_BELIEFS
    schedules = np.array([np.full(b.size, 0.05), 0.1 + 0.6 * b, 0.8 - 0.5 * b, 0.9 * b * (1 - b)])
    assert cal.classify(schedules).tolist() == [
        "free_rider",
        "conditional_cooperator",
        "other",
        "other",
    ]


def test_with_defaults_moves_defaults_and_leaves_presets_own_values():
    pop = scc.Population(10, shares={"Citizen": 0.5, "HomoEconomicus": 0.5})
    moved = cal.with_defaults(pop, {"beta": 2.0, "moral.norm": 1.5})
    profiles = moved.profiles
    assert profiles["Citizen"].beta == 2.0 and profiles["Citizen"].moral.norm == 1.5
    assert profiles["Homo Economicus"].beta == 10.0  # its own precision, not the default
    assert moved.counts() == pop.counts()
    with pytest.raises(ValueError, match="unknown profile parameter 'moral.nrm'"):
        cal.with_defaults(pop, {"moral.nrm": 1.0})


def test_calibrate_recovers_parameters_that_generated_its_targets():
    """Targets simulated at known values (±0.01) are fitted back to within 0.15."""
    truth = {"moral.norm": 1.8, "emotion.warm_glow": 0.6}
    targets = cal.TARGETS[cal.TARGETS["statistic"].isin(SHARES[:2] + SHARES[3:])].copy()
    generated = cal.compare(
        cal.simulate(cal.with_defaults(scc.Population(1000), truth), (1, 2), targets), targets
    )
    targets["low"] = generated["simulated"].to_numpy() - 0.01
    targets["high"] = generated["simulated"].to_numpy() + 0.01
    result = cal.calibrate(
        {"moral.norm": (0.0, 3.0), "emotion.warm_glow": (0.0, 2.0)},
        targets,
        seeds=(1, 2),
        size=1000,
        maxiter=40,
        screen=16,
    )
    estimate = result.estimates.set_index("parameter")["estimate"]
    assert estimate["moral.norm"] == pytest.approx(1.8, abs=0.15)
    assert estimate["emotion.warm_glow"] == pytest.approx(0.6, abs=0.15)
    assert (result.targets["distance"].abs() <= 1).all()


def test_report_lists_every_target_and_parameter():
    result = cal.calibrate(seeds=(1,), size=200, maxiter=0, screen=1)
    text = cal.report(result)
    for statistic in cal.TARGETS["statistic"]:
        assert f"| {statistic} |" in text
    for parameter in cal.PARAMETERS:
        assert f"`{parameter}`" in text
    assert text.count("out of sample") == (~cal.TARGETS["fitted"]).sum()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"parameters": {"moral.nrm": (0, 1)}}, "unknown profile parameter"),
        ({"parameters": {"beta": (2, 1)}}, "low < high"),
        ({"seeds": ()}, "seeds must be"),
        ({"screen": 3}, "power of two"),
        ({"maxiter": -1}, "maxiter"),
        ({"targets": cal.TARGETS.assign(design="nope")}, "unknown design"),
    ],
)
def test_bad_input_is_one_clear_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        cal.calibrate(**{"size": 50, **kwargs})


def test_command_writes_a_new_report_and_never_overwrites(tmp_path, capsys):
    out = tmp_path / "calibration.md"
    args = ["--size", "100", "--seeds", "1", "--maxiter", "0", "--screen", "1"]
    assert cli.main(["calibrate", *args, "--output", str(out)]) == 0
    assert out.read_text().startswith("# Calibration")
    out.write_text("mine")
    assert cli.main(["calibrate", *args, "--output", str(out)]) == 2
    assert out.read_text() == "mine"
    err = capsys.readouterr().err
    assert "exists" in err and len(err.strip().splitlines()) == 1
    assert cli.main(["calibrate", *args, "--screen", "3"]) == 2
    assert "power of two" in capsys.readouterr().err
