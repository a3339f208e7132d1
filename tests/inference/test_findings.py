"""The society's findings from documented defaults, each held to a statistical test.

Five seeds per condition (``findings.SEEDS``); thresholds are stated with each test.
"""

import functools
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from sccgames.inference import calibration as cal
from sccgames.inference import findings
from sccgames.model.population import Population
from sccgames.model.profiles import Profile


@pytest.fixture(scope="module")
def calibration():
    table = findings.calibration()
    return table.pivot_table(index=["game", "seed"], columns="round", values="cooperation")


def test_one_shot_prisoners_dilemma_cooperation_is_a_large_minority_to_half(calibration):
    """People cooperate in roughly 40-50% of one-shot dilemmas [Sally1995]: not 0, not 1."""
    first = calibration.loc["prisoners_dilemma"][0]
    assert first.between(0.40, 0.50).all()  # the calibrated target, in every seed
    # over ten rounds of strangers it declines, as conditional cooperators meet free
    # riders, but neither dies out nor takes over
    rounds = calibration.loc["prisoners_dilemma"]
    assert (rounds[9] < rounds[0]).all()
    assert rounds.stack().between(0.2, 0.6).all()


def test_public_goods_contributions_start_near_half_and_decline(calibration):
    """Ledyard (1995): contributions start at 40-60% of the endowment and decay."""
    pgg = calibration.loc["public_goods"]
    assert pgg[0].between(0.4, 0.6).all()
    decline = pgg[0] - pgg[9]
    assert (decline > 0.03).all()
    assert stats.ttest_1samp(decline, 0.0, alternative="greater").pvalue < 0.01
    # mostly downhill: a negative slope over the ten rounds in every seed
    slopes = [np.polyfit(np.arange(10), row, 1)[0] for row in pgg.to_numpy()]
    assert max(slopes) < 0


def test_peer_punishment_sustains_contributions(calibration):
    """Fehr & Gächter (2000): with punishment contributions rise instead of decaying."""
    with_peers = calibration.loc["public_goods_punishment"]
    without = calibration.loc["public_goods"]
    assert (with_peers[9] > with_peers[0]).all()
    assert with_peers[9].mean() == pytest.approx(0.81, abs=0.02)  # docs/evidence.md
    assert (with_peers[9] - without[9] > 0.3).all()


def test_homo_economicus_follows_the_fine_and_falls_back_when_it_goes():
    table = findings.fine_response()
    during = table.pivot(index="seed", columns="fine", values="during")
    # strictly increasing in the fine, seed by seed
    assert (np.diff(during.to_numpy(), axis=1) > 0).all()
    assert (during[4.0] > 0.9).all() and (during[0.0] < 0.05).all()
    # removing the regime takes cooperation back to where it was
    assert np.allclose(table["after"], table["before"], atol=0.01)


def test_a_small_fine_crowds_out_cooperation_and_removal_does_not_restore_it():
    table = findings.crowding_out().pivot(index="seed", columns="condition")
    during = table["during"]["fine"] - table["during"]["control"]
    after = table["after"]["fine"] - table["after"]["control"]
    # paired by seed (both societies share every draw until the fine): the fine lowers
    # cooperation while it is there, and it stays lower after it is gone
    assert (during < 0).all() and (after < 0).all()
    assert stats.ttest_1samp(during, 0.0, alternative="less").pvalue < 0.01
    assert stats.ttest_1samp(after, 0.0, alternative="less").pvalue < 0.01
    assert (table["before"]["fine"] == table["before"]["control"]).all()
    assert (table["norm_after"]["fine"] < table["norm_after"]["control"]).all()


def test_compliance_gap_is_large_for_rational_agents_and_small_for_internalized_norms():
    table = findings.compliance_gap()
    gap = table.pivot(index="seed", columns="type", values="gap")
    assert (gap["HomoEconomicus"] > 0.5).all()
    assert (gap["Moralist"].abs() < 0.05).all()
    assert (gap["Moralist"] < gap["Citizen"]).all() and (
        gap["Citizen"] < gap["HomoEconomicus"]
    ).all()
    summary = findings.summarize(table, "type")
    assert summary.loc["HomoEconomicus", ("gap", "std")] >= 0


# --------------------------------------------------------------------------- robustness
def test_robustness_finds_the_share_and_the_parameter_a_sign_depends_on():
    """Warm glow uniform on ±10% of its default g₀: the sign of g/g₀ − 1.03 holds in 35% of
    draws."""
    paths = ("moral.norm", "emotion.warm_glow", "beta")
    g0 = Profile().emotion.warm_glow
    result = findings.robustness(
        lambda d: d["emotion.warm_glow"] / g0 - 1.03 + 0.001 * d["beta"],
        draws=64,
        parameters=paths,
    )
    assert result.share == pytest.approx(0.35 + 0.005, abs=0.03)
    assert result.sensitivity["parameter"].iloc[0] == "emotion.warm_glow"
    assert result.sensitivity["src"].iloc[0] > 0.9
    assert len(result.draws) == 64 and result.draws["holds"].mean() == result.share
    drawn = result.draws["emotion.warm_glow"] / g0
    assert drawn.min() >= 0.9 and drawn.max() <= 1.1


def test_robustness_with_a_latin_hypercube_and_a_custom_condition():
    n0 = Profile().moral.norm
    result = findings.robustness(
        lambda d: d["moral.norm"] / n0,
        draws=50,
        spread=0.2,
        parameters=("moral.norm", "beta"),
        holds=lambda v: v < 0.9,
    )
    assert result.share == pytest.approx(0.25, abs=0.03)  # norm uniform on ±20% of n₀
    assert result.sensitivity["parameter"].iloc[0] == "moral.norm"


def test_robustness_of_a_target_runs_its_design_at_each_draw():
    result = findings.robustness(
        "pd_first_round", draws=4, spread=0.9, parameters=("moral.norm",), size=500, seeds=(1,)
    )
    # a stronger norm means more cooperation: the statistic rises with the only parameter
    # (moved by up to ±90%: the default norm is weak, and ±10% of it moves too little to
    # rise above a 500-citizen run's noise)
    assert result.sensitivity["spearman"].iloc[0] == 1.0
    low, high = 0.40, 0.50
    assert result.draws["holds"].tolist() == result.draws["statistic"].between(low, high).tolist()


def test_robustness_rejects_an_unknown_finding_before_work():
    with pytest.raises(ValueError, match="unknown finding 'nope'"):
        findings.robustness("nope")
    with pytest.raises(ValueError, match="spread"):
        findings.robustness("crowding_out", spread=2.0)


def test_findings_move_defaults_when_asked():
    plain = findings.calibration(size=500, seeds=(1,))
    strong = findings.calibration(size=500, seeds=(1,), defaults={"moral.norm": 3.0})
    pd_plain = plain[(plain["game"] == "prisoners_dilemma") & (plain["round"] == 0)]
    pd_strong = strong[(strong["game"] == "prisoners_dilemma") & (strong["round"] == 0)]
    assert pd_strong["cooperation"].item() > pd_plain["cooperation"].item() + 0.2


@pytest.mark.parametrize("name", list(findings.HEADLINES))
def test_each_headline_finding_keeps_its_sign_with_every_default_moved_by_ten_percent(name):
    """64 Sobol draws of every continuous default within ±10% (1000 citizens, seed 1; each
    finding's own tests above hold it over five seeds): each headline finding keeps its
    sign in every draw, as docs/calibration.md and the README report."""
    result = findings.robustness(name, 64, 0.1, size=1000, seeds=(1,))
    assert result.share == 1.0


# --------------------------------------------------------------------------- ablation
#: The ablation docs/evidence.md reports ("What carries each finding"): every finding and
#: channel, 1000 citizens per society, the five seeds of every finding.
DOCS_SIZE = 1000


@pytest.fixture(scope="module")
def ablation():
    return findings.ablate(size=DOCS_SIZE, seeds=findings.SEEDS)


def test_ablate_refuses_unknown_names_and_bad_limits_with_one_line_naming_the_allowed():
    with pytest.raises(ValueError, match=r"unknown finding 'nope': findings are \['public_"):
        findings.ablate("nope")
    with pytest.raises(ValueError, match=r"unknown channel 'nope': channels are \['none', 'fr"):
        findings.ablate("crowding_out", ["framing", "nope"])
    with pytest.raises(ValueError, match="unknown profile parameter 'moral.nope'"):
        findings.ablate("crowding_out", {"mine": {"moral.nope": 0.0}})
    with pytest.raises(ValueError, match="moral.framing"):
        findings.ablate("crowding_out", {"mine": {"moral.framing": 2.0}})
    with pytest.raises(ValueError, match="at least two distinct"):
        findings.ablate("crowding_out", seeds=(1,))
    with pytest.raises(ValueError, match="at least two distinct integers >= 0"):
        findings.ablate("crowding_out", seeds=(1, -2))
    with pytest.raises(ValueError, match="size must be an integer >= 2"):
        findings.ablate("crowding_out", size=1)
    with pytest.raises(ValueError, match="alpha"):
        findings.ablate("crowding_out", alpha=1.0)
    for bad in (findings.ablate, findings.robustness):  # the messages list every name
        with pytest.raises(ValueError) as info:
            bad("nope")
        assert all(name in str(info.value) for name in findings.HEADLINES)


@pytest.mark.parametrize("channel", [c for c in findings.CHANNELS if c != "none"])
def test_each_channel_switches_its_mechanism_off_in_every_type_the_findings_run(channel):
    """Every override names a profile path whose default is on, and after it every type the
    findings run (each preset keeps a value it sets itself) holds the "off" value there."""
    overrides = findings.CHANNELS[channel]
    assert overrides
    for path, off in overrides.items():
        assert path in cal.robust_paths()
        assert cal.default_value(path) != off  # so the default profile changes
    for name in ("HomoEconomicus", "Citizen", "Moralist"):
        moved = cal.with_defaults(Population(10, shares={name: 1.0}), overrides)
        (profile,) = moved.profiles.values()
        for path, off in overrides.items():
            assert functools.reduce(getattr, path.split("."), profile) == off, (name, path)
    citizen = cal.with_defaults(Population(10, shares={"Citizen": 1.0}), overrides)
    assert citizen.profiles["Citizen"] != Profile()


def test_the_full_model_is_the_plain_finding_and_a_channel_changes_it():
    seeds = (1, 2)
    own = {"framing": {"moral.framing": 0.0}}  # a channel of one's own, by its overrides
    result = findings.ablate(["crowding_out", "hysteresis"], own, size=300, seeds=seeds)
    plain = findings.crowding_out(size=300, seeds=seeds)
    table = plain.pivot(index="seed", columns="condition")
    effects = result.effects.set_index(["finding", "channel", "seed"])["effect"].sort_index()
    expected = {
        "crowding_out": table["during"]["control"] - table["during"]["fine"],
        "hysteresis": table["after"]["control"] - table["after"]["fine"],
    }
    for name, values in expected.items():
        for seed in seeds:
            assert effects[(name, "none", seed)] == values[seed]
    headline, _ = findings.HEADLINES["crowding_out"]
    assert headline({}, 300, seeds) == pytest.approx(expected["crowding_out"].mean())
    assert not np.allclose(
        effects.loc["crowding_out", "framing"], effects.loc["crowding_out", "none"]
    )
    assert list(result.summary["channel"].unique()) == ["none", "framing"]
    assert len(result.effects) == 2 * 2 * len(seeds)


def test_homo_economicus_answers_a_fine_and_peers_deter_only_through_rational_calculation(
    ablation,
):
    """Paired one-sided t-tests over five seeds at 0.05. ``HomoEconomicus`` has no motive but
    rational calculation: switching it off removes its fine response (coin flips either
    way) and no other channel removes it; peer punishment deters only through the expected
    fine in ``ΔX``, so without rational calculation punishment sustains nothing."""
    summary = ablation.summary.set_index(["finding", "channel"])
    fine = summary.loc["fine_response"]
    assert fine.loc["material", "carries"]
    assert abs(fine.loc["material", "mean"]) < 0.01
    others = fine.drop(index=["none", "material"])
    assert not others["carries"].any()
    assert (others["retained"] > 0.9).all()
    assert summary.loc[("punishment_sustains", "material"), "carries"]
    assert abs(summary.loc[("punishment_sustains", "material"), "mean"]) < 0.01


def test_without_the_moral_norm_a_small_fine_crowds_nothing_out(ablation):
    """A fine can crowd out only a norm: with the norm's weight 0 the fine's incentive is
    all that is left, and both the crowding-out and the hysteresis are gone or reversed
    (paired one-sided t-tests over five seeds at 0.05)."""
    summary = ablation.summary.set_index(["finding", "channel"])
    for name in ("crowding_out", "hysteresis"):
        assert summary.loc[(name, "none"), "p_holds"] < 0.05  # the full model shows it
        assert summary.loc[(name, "norm"), "verdict"] == "carries it", name
        assert summary.loc[(name, "norm"), "ci_high"] < summary.loc[(name, "none"), "ci_low"]


def documented_ablation() -> tuple[dict[tuple[str, str], tuple[float, str]], list[str]]:
    """docs/evidence.md's ablation tables: (finding, channel) to (mean effect, verdict), and
    the line naming each verdict's channels, per finding."""
    text = (Path(__file__).parents[2] / "docs" / "evidence.md").read_text(encoding="utf-8")
    section = text.split("<!-- ablation:start -->", 1)[1].split("<!-- ablation:end -->", 1)[0]
    rows, roles, finding = {}, [], None
    for line in section.splitlines():
        if line.startswith("### "):
            finding = line[4:].strip()
        elif line.startswith("Carried by"):
            roles.append(line.strip())
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 5 and cells[0] in findings.CHANNELS:
            rows[(finding, cells[0])] = (float(cells[1].split("±")[0]), cells[4])
    return rows, roles


def test_the_ablation_tables_in_the_docs_are_a_fresh_run(ablation):
    """docs/evidence.md "What carries each finding" is ``ablation_report`` of the ablation
    of every finding and channel at 1000 citizens and five seeds: each mean effect within
    0.001 of a fresh run, each verdict and each line naming the channels that carry a
    finding the same."""
    rows, roles = documented_ablation()
    summary = ablation.summary.set_index(["finding", "channel"])
    assert set(rows) == set(summary.index)
    for key, (mean, verdict) in rows.items():
        assert summary.loc[key, "mean"] == pytest.approx(mean, abs=0.001), key
        assert summary.loc[key, "verdict"] == verdict, key
    fresh = [line for line in findings.ablation_report(ablation).splitlines()]
    assert roles == [line for line in fresh if line.startswith("Carried by")]


# --------------------------------------------------------------------------- discrimination
def test_discriminatory_false_positives_hurt_the_targeted_community_and_trust_in_it():
    """ε⁺ of 0.25 for one community and 0.05 for the other, against 0.15 for everyone (the
    same average error rate), 1000 citizens, five seeds, common random numbers. One-sided
    t-tests at 0.01 over the seeds: the targeted community's legitimacy and cooperation
    fall more than the other's, and the other community's bridging trust (its trust in the
    targeted) falls. Each realized ε⁺ is within 0.03 of the rate set."""
    table = findings.discrimination(size=1000)
    assert len(table) == 5 * 2 * 2
    effects = findings.discrimination_effects(table)
    for name in ("legitimacy_gap", "cooperation_gap"):
        assert stats.ttest_1samp(effects[name], 0.0, alternative="greater").pvalue < 0.01, name
    for name in ("bridging_other", "trust_in_targeted"):
        assert stats.ttest_1samp(effects[name], 0.0, alternative="less").pvalue < 0.01, name
    # the sizes docs/evidence.md quotes, and the targeted community's own bridging trust
    assert effects["legitimacy_gap"].mean() == pytest.approx(0.15, abs=0.03)
    assert effects["cooperation_gap"].mean() == pytest.approx(0.21, abs=0.03)
    assert effects["bridging_other"].mean() == pytest.approx(-0.08, abs=0.02)
    wide = table.pivot_table(index="seed", columns=["condition", "community"], values="bridging")
    change = wide["discriminatory"] - wide["fair"]
    assert stats.ttest_1samp(change["targeted"], 0.0, alternative="greater").pvalue < 0.01
    assert change.mean(axis=1).mean() > -0.01  # the population's mean bridging: no fall
    realized = table.groupby(["condition", "community"])["false_positive"].mean()
    expected = {
        ("discriminatory", "targeted"): 0.25,
        ("discriminatory", "other"): 0.05,
        ("fair", "targeted"): 0.15,
        ("fair", "other"): 0.15,
    }
    for key, rate in expected.items():
        assert realized[key] == pytest.approx(rate, abs=0.03), key


def test_with_word_of_mouth_the_damage_of_discrimination_spreads_to_the_spared_community():
    """The untargeted community's legitimacy under discrimination (ε⁺ 0.25 against 0.05)
    against a regime giving everyone its own 0.05, without and with word of mouth
    (``WordOfMouth(weight=0.1)``), 1000 citizens, five seeds. One-sided t-tests at 0.01:
    with word of mouth it loses legitimacy it does not lose from its own treatment, and
    more than without (where only what it sees of the others reaches it)."""
    effects = findings.spillover_effects(findings.discrimination_spillover(size=1000))
    assert len(effects) == 5
    assert stats.ttest_1samp(effects["on"], 0.0, alternative="less").pvalue < 0.01
    assert stats.ttest_1samp(effects["spread"], 0.0, alternative="less").pvalue < 0.01
    assert effects["on"].mean() < 3 * effects["off"].mean()  # well beyond the loss without
    assert effects["on"].mean() == pytest.approx(-0.12, abs=0.03)  # docs/evidence.md
    assert effects["off"].mean() == pytest.approx(-0.015, abs=0.01)


def test_discrimination_keeps_its_sign_with_every_default_moved_by_ten_percent():
    """16 Sobol draws of every continuous default within ±10% (500 citizens, seed 1; the
    test above holds the finding over five seeds): the targeted community's legitimacy and
    cooperation both fall more than the other's in every draw."""

    def smaller_gap(defaults):
        table = findings.discrimination(size=500, seeds=(1,), defaults=defaults)
        effects = findings.discrimination_effects(table)
        return float(min(effects["legitimacy_gap"].mean(), effects["cooperation_gap"].mean()))

    result = findings.robustness(smaller_gap, 16, 0.1)
    assert result.share == 1.0
    assert len(result.draws) == 16


def test_the_spread_by_word_of_mouth_keeps_its_sign_with_every_default_moved_by_ten_percent():
    """16 Sobol draws of every continuous default within ±10% (500 citizens, seed 1; the
    test above holds the finding over five seeds): the spared community loses more
    legitimacy with word of mouth than without in every draw. Switching word of mouth off
    is the finding's own ablation: it removes the spread."""

    def spread(defaults):
        table = findings.discrimination_spillover(size=500, seeds=(1,), defaults=defaults)
        return float(-findings.spillover_effects(table)["spread"].mean())

    result = findings.robustness(spread, 16, 0.1)
    assert result.share == 1.0
    assert len(result.draws) == 16


def test_word_of_mouth_pulls_each_communitys_reading_away_from_its_own_treatment():
    """Legitimacy with word of mouth minus without, same regime, seed and error rate (1000
    citizens, five seeds; one-sided t-tests at 0.01). Under a fair regime stories make
    everyone read the regime better than its own treatment does (fair rewards are the
    commonest news); the spared community faces the same ε⁺ (0.05) under discrimination,
    yet drifts less there: what the targeted community tells it pulls its reading down."""
    drift = findings.reading_drift(findings.discrimination_spillover(size=1000))
    wide = drift.pivot_table(index="seed", columns=["condition", "community"])
    fair = wide["drift"]["fair"]
    assert stats.ttest_1samp(fair.stack(), 0.0, alternative="greater").pvalue < 0.01
    spared = wide["drift"]["discriminatory"]["other"] - wide["drift"]["fair"]["other"]
    assert stats.ttest_1samp(spared, 0.0, alternative="less").pvalue < 0.01
    faced = wide["false_positive"]
    assert (faced["discriminatory"]["other"] - faced["fair"]["other"]).abs().max() < 0.01


# --------------------------------------------------------------------------- a legitimacy shock
def test_half_life_is_the_rounds_from_the_peak_until_the_shift_halves():
    assert findings.half_life([0.0, -0.2, -0.4, -0.3, -0.2, -0.1]) == (-0.4, 2, 2.0)
    peak, at, rounds = findings.half_life([0.0, 0.1, 0.3, 0.2, 0.16], start=1)
    assert (peak, at) == (0.3, 2) and np.isnan(rounds)  # never halves within the series
    assert findings.half_life([0.0, 0.0])[0] == 0.0 and np.isnan(findings.half_life([0.0])[2])


def test_a_burst_of_unjust_sanctions_spreads_by_word_of_mouth_and_fades_faster():
    """Five rounds of false positives at 0.5 on one community (1000 citizens, five seeds,
    each against the same society without the burst). Without word of mouth the other
    community barely moves and the targeted one has recovered less than half of its loss
    by round 59; with it the other community's legitimacy falls too (paired one-sided
    t-test, p < 0.01) and both have recovered more than half."""
    table = findings.legitimacy_shock(size=1000)
    lives = findings.half_lives(table).set_index(["word_of_mouth", "community", "seed"])
    other = lives.xs("other", level="community")["peak"]
    assert stats.ttest_rel(other["on"], other["off"], alternative="less").pvalue < 0.01
    assert (other["off"].abs() < 0.01).all()
    last = table[table["round"] == table["round"].max()].set_index(
        ["word_of_mouth", "community", "seed"]
    )["shift"]
    left = last / lives["peak"]  # share of the peak loss still there at the end
    assert (left.xs("off", level="word_of_mouth").xs("targeted", level="community") > 0.5).all()
    assert (left.xs("on", level="word_of_mouth") < 0.5).all()
    assert lives.xs("on", level="word_of_mouth")["half_life"].notna().all()
