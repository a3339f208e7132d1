"""The lost wallet page: its setup and file both ways, its decomposition of a finder's
decision against the decision rule and the society engine, and the page in a browser."""

from __future__ import annotations

import dataclasses
import math
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from sccgames.experiments.config import ConfigError, parse
from sccgames.explorer.common import field_at
from sccgames.explorer.wallet import (
    MONEY_POINTS,
    MOTIVES,
    PRESETS,
    WATCHERS,
    WalletSetup,
    finder_context,
    finder_profile,
    from_config,
    money_axis,
    reasons,
    share_returned,
    to_config,
)
from sccgames.rules.games import LostWallet

ROOT = Path(__file__).resolve().parents[2]

#: One setup per watcher, each with values away from the defaults.
SETUPS = [
    WalletSetup(finder="Empath", money=5.0, effort=0.5, seed=7, citizens=400, name="w1"),
    WalletSetup(watcher="neighbours", visibility=0.4, finder="SocialAnimal", money=0.0),
    WalletSetup(
        watcher="the state",
        coverage=0.6,
        reward=0.2,
        fine=1.5,
        false_positive=0.1,
        false_negative=0.02,
        public_scores=False,
        owner_value=1.0,
        finder="Habitual",
    ),
]


def built(setup: WalletSetup, **society):
    """The society of ``setup``'s exported config, with ``society`` keys changed."""
    config, _ = to_config(setup)
    config["society"] |= society
    return parse(config).build()


# ----------------------------------------------------------------------------- the file
@pytest.mark.parametrize("setup", SETUPS, ids=lambda s: s.watcher)
def test_config_builds_a_one_round_wallet_society_of_the_finder(setup):
    society = parse(to_config(setup)[0]).build()
    assert society.rounds == 1
    assert society.game == LostWallet(setup.money, setup.effort, setup.owner_value)
    assert dict(society.population.shares) == {setup.finder: 1.0}
    assert society.population.size == setup.citizens
    assert society.seed == setup.seed


@pytest.mark.parametrize("setup", [*SETUPS, WalletSetup()], ids=lambda s: s.watcher)
def test_a_file_loads_as_the_setup_it_was_exported_from(setup):
    assert from_config(parse(to_config(setup)[0]).raw) == setup


def test_the_unused_watchers_take_their_defaults_on_loading():
    setup = WalletSetup(watcher="neighbours", visibility=0.3, coverage=0.2, fine=9.0)
    loaded = from_config(parse(to_config(setup)[0]).raw)
    assert loaded == replace(setup, coverage=WalletSetup().coverage, fine=WalletSetup().fine)


def test_a_file_with_no_regime_and_the_game_by_name_loads_as_nobody_watching():
    raw = parse(
        {
            "kind": "society",
            "seed": 3,
            "society": {
                "rounds": 1,
                "game": "lost_wallet",
                "population": {"size": 50, "shares": {"Moralist": 1.0}},
            },
        }
    ).raw
    setup = from_config(raw)
    assert (setup.watcher, setup.finder, setup.citizens, setup.seed) == (
        "nobody",
        "Moralist",
        50,
        3,
    )
    assert setup.money == LostWallet().money


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda c: c["society"].update(rounds=2), "society.rounds"),
        (
            lambda c: c["society"]["population"].update(shares={"Citizen": 0.5, "Empath": 0.5}),
            "society.population.shares.",
        ),
        (
            lambda c: c["society"]["population"].update(shares={"Homo Economicus": 1.0}),
            "society.population.shares.Homo Economicus",
        ),
        (
            lambda c: c["society"].update(regime={"kind": "peer_punishment"}),
            "society.regime",
        ),
        (
            lambda c: c["society"].update(
                regime={"kind": "social_credit", "coverage": 1.0, "score_down": 2.0}
            ),
            "society.regime.score_down",
        ),
        (lambda c: c["society"].update(dtype="float64"), "society.dtype"),
    ],
)
def test_a_file_with_a_setting_the_page_cannot_show_is_refused_with_its_key(change, path):
    config, _ = to_config(WalletSetup())
    change(config)
    with pytest.raises(ConfigError) as caught:
        from_config(parse(config).raw)
    assert caught.value.path.startswith(path)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("setup", "path", "words"),
    [
        (WalletSetup(money=-1.0), "society.game.money", "LostWallet.money must be in [0, inf)"),
        (
            WalletSetup(watcher="the state", coverage=1.5),
            "society.regime.coverage",
            "SocialCredit.coverage must be in [0, 1]",
        ),
        (WalletSetup(citizens=1), "society.population.size", "whole number in [2,"),
    ],
)
def test_bad_values_get_the_files_message_at_their_field(setup, path, words):
    config, where = to_config(setup)
    with pytest.raises(ConfigError) as caught:
        parse(config).build()
    assert caught.value.path == path and words in caught.value.message
    assert field_at(path, where) == path.rsplit(".", 1)[1].replace("size", "citizens")


# ----------------------------------------------------------------------------- the decomposition
def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


@pytest.mark.parametrize("watcher", WATCHERS)
@pytest.mark.parametrize("finder", PRESETS)
def test_p_return_is_habit_arbitrating_the_logit_of_the_summed_motive_terms(finder, watcher):
    # docs/model.md §2: P(C) = θ h + (1 − θ) logistic(β Σ_k w_k Δu_k), θ = w_H |2h − 1|
    profile = finder_profile(finder)
    context = finder_context(built(WalletSetup(watcher=watcher)))
    for money in (0.0, 2.0, 14.0):
        r = reasons(profile, context, LostWallet(money))
        assert r.deliberation == pytest.approx(sum(getattr(r, k) for k in MOTIVES), abs=1e-12)
        theta = profile.weights.habit * abs(2 * r.habit - 1)
        assert r.habit_weight == pytest.approx(theta, abs=1e-12)
        logit = _logistic(profile.beta * r.deliberation)
        assert r.p_deliberate == pytest.approx(logit, rel=1e-9, abs=1e-12)
        assert r.p_return == pytest.approx(theta * r.habit + (1 - theta) * logit, abs=1e-12)


def test_only_the_habitual_finder_has_habit_weight_and_it_moves_p_toward_its_habit():
    context = finder_context(built(WalletSetup()))
    habitual = reasons(finder_profile("Habitual"), context, LostWallet())
    assert habitual.habit_weight > 0.5
    # with nothing but calculation to deliberate, habit alone makes it return the wallet
    assert habitual.p_deliberate < 0.5 < habitual.p_return < habitual.habit
    citizen = reasons(finder_profile("Citizen"), context, LostWallet())
    assert citizen.habit_weight == 0.0 and citizen.p_return == citizen.p_deliberate


@pytest.mark.parametrize("money", [0.0, 2.0, 9.0])
def test_unwatched_calculation_weighs_keeping_at_the_money_plus_the_effort(money):
    # the finder's payoffs: return −e, keep w (LostWallet); nothing else counts to it
    context = finder_context(built(WalletSetup()))
    r = reasons(finder_profile("HomoEconomicus"), context, LostWallet(money, effort=0.3))
    assert r.rational == pytest.approx(-(money + 0.3))
    assert (r.moral, r.emotion, r.social) == (0.0, 0.0, 0.0)


def test_the_money_axis_reaches_the_big_money_wallet_and_twice_the_money_shown():
    assert money_axis(2.0)[[0, -1]].tolist() == [0.0, 14.0]
    assert money_axis(10.0)[-1] == 20.0


# ----------------------------------------------------------------------------- against the engine
@pytest.mark.parametrize("setup", SETUPS, ids=lambda s: s.watcher)
def test_the_finders_context_and_p_return_are_the_engines_at_the_first_find(setup):
    setup = replace(setup, citizens=400)
    society = built(setup, dtype="float64")
    first = next(iter(society.stream()))
    finders = first.role == 0
    assert finders.sum() == 200
    context = finder_context(society)
    for field in dataclasses.fields(context):
        engine = np.broadcast_to(getattr(first.context, field.name), finders.shape)[finders]
        if field.name == "domain":
            assert set(engine.tolist()) == {context.domain}
        else:
            np.testing.assert_allclose(
                engine, getattr(context, field.name), rtol=1e-12, err_msg=field.name
            )
    r = reasons(finder_profile(setup.finder), context, society.game)
    np.testing.assert_allclose(first.p_cooperate[finders], r.p_return, rtol=1e-12)


def test_finder_context_refuses_a_society_whose_finders_know_different_things():
    config, _ = to_config(WalletSetup(citizens=10))
    config["society"]["regime"] = {"kind": "community_reputation", "initial_good": 0.5}
    with pytest.raises(ValueError, match="drawn reputation"):
        finder_context(parse(config).build())


@pytest.mark.parametrize("watcher", WATCHERS)
def test_the_share_returned_in_a_society_matches_p_return(watcher):
    # 10 000 finders each return with probability P(return): their share is binomial, and
    # lies within 4 standard errors of it (a chance of 6e-5 of failing for a fair seed)
    setup = WalletSetup(watcher=watcher, citizens=20_000, seed=11)
    society = built(setup)
    share, finders = share_returned(next(iter(society.stream())))
    assert finders == 10_000
    p = reasons(finder_profile(setup.finder), finder_context(society), society.game).p_return
    assert abs(share - p) <= 4 * math.sqrt(p * (1 - p) / finders)


def test_the_share_returned_counts_the_finders_acts_only():
    society = built(WalletSetup(citizens=300, seed=2))
    state = next(iter(society.stream()))
    share, finders = share_returned(state)
    finds = state.role == 0
    assert finders == finds.sum() == 150
    assert share == state.cooperated[finds].mean()


# ----------------------------------------------------------------------------- in a browser
#: A script that reads a named ColumnDataSource of the page as {column: list}.
READ_SOURCE = """(name) => {
  for (const doc of Bokeh.documents) {
    const model = doc.get_model_by_name(name);
    if (model) {
      const data = model.data;
      const entries = data instanceof Map ? data.entries() : Object.entries(data);
      const out = {};
      for (const [k, v] of entries) out[k] = Array.from(v);
      return out;
    }
  }
  return null;
}"""


def _source(page, name: str) -> dict:
    return page.evaluate(READ_SOURCE, name)


def _settled(page, name: str, check, seconds: float = 60.0) -> None:
    """Wait until the page's source ``name`` passes ``check`` (an update may be on its way)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            check(_source(page, name))
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            page.wait_for_timeout(200)


def _type(page, field: str, text: str) -> None:
    page.locator(f".field-{field} input").fill(text)
    page.keyboard.press("Enter")


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def test_the_page_takes_the_wallet_apart_runs_and_exports_what_sccgames_runs(
    explorer, explorer_url, tmp_path
):
    from playwright.sync_api import expect

    from sccgames.experiments.experiment import load_run
    from tests.explorer.conftest import screenshot

    page = explorer
    page.goto(explorer_url + "/wallet")
    status = page.locator(".status")
    expect(status).to_contain_text("P(return)")

    _type(page, "money", "8")
    expect(status).to_contain_text("holding 8, watched by nobody")
    page.locator(".field-watcher button", has_text="the state").click()
    expect(status).to_contain_text("watched by the state")

    # the charts hold the decomposition at the money and watcher set
    setup = WalletSetup(money=8.0, watcher="the state")
    profile = finder_profile(setup.finder)
    here = reasons(profile, finder_context(built(setup)), LostWallet(8.0))
    pulls = [*(getattr(here, k) for k in MOTIVES), here.deliberation]
    _settled(page, "wallet-pulls", lambda d: np.testing.assert_allclose(d["value"], pulls))
    at_8 = MONEY_POINTS // 2  # the axis runs to twice the money

    def money_line(data: dict) -> None:
        assert data["money"][-1] == 16.0 and data["money"][at_8] == 8.0
        assert data["p_return"][at_8] == pytest.approx(here.p_return, rel=1e-9)

    _settled(page, "wallet-money", money_line)
    expected = [
        reasons(profile, finder_context(built(replace(setup, watcher=w))), LostWallet(8.0))
        for w in WATCHERS
    ]
    assert len({round(r.p_return, 6) for r in expected}) == 3  # the watchers differ
    _settled(
        page,
        "wallet-watchers",
        lambda d: np.testing.assert_allclose(d["p_return"], [r.p_return for r in expected]),
    )

    # the society: run on the page, then from the exported file
    _type(page, "citizens", "4000")
    expect(status).to_contain_text("4000 citizens")
    page.locator(".run button").click()
    returned = page.locator(".returned")
    expect(returned).to_contain_text("Share returned in the society")
    shown = _source(page, "wallet-society")
    assert shown["watcher"] == ["the state"]
    with page.expect_download() as download:
        page.locator(".export button").click()
    exported = tmp_path / "lost_wallet.toml"
    download.value.save_as(exported)
    checked = subprocess.run(
        [sys.executable, "-m", "sccgames", "validate", str(exported)],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=tmp_path,
        timeout=300,
    )
    assert checked.returncode == 0, checked.stderr
    ran = subprocess.run(
        [
            sys.executable,
            "-m",
            "sccgames",
            "run",
            str(exported),
            "--out",
            str(tmp_path / "run"),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=tmp_path,
        timeout=600,
    )
    assert ran.returncode == 0, ran.stderr
    metrics = load_run(tmp_path / "run")["metrics"]
    all_row = metrics[metrics["domain"] == "all"].iloc[0]
    finds = metrics[metrics["domain"] != "all"]["agents"].sum()
    assert finds == 2000
    assert shown["share"][0] == float(all_row["cooperation"])  # the same run, exactly
    count = round(float(all_row["cooperation"]) * finds)
    expect(returned).to_contain_text(f"({count} of {finds} finders")
    screenshot(page, "wallet")

    # a bad value: its message by its field, and no run or export until it is fixed
    _type(page, "coverage", "1.5")
    expect(page.locator(".error-coverage")).to_contain_text(
        "SocialCredit.coverage must be in [0, 1], got 1.5"
    )
    expect(page.locator(".run button")).to_be_disabled()
    _type(page, "coverage", "1")
    expect(page.locator(".error-coverage")).to_be_hidden()
    _type(page, "money", "-2")
    expect(page.locator(".error-money")).to_contain_text("LostWallet.money must be in [0, inf)")
    _type(page, "money", "")
    expect(page.locator(".error-money")).to_contain_text("empty: enter a value")
    _type(page, "money", "2")
    _type(page, "citizens", "1")
    expect(page.locator(".error-citizens")).to_contain_text("whole number in [2,")


def test_the_page_loads_a_file_and_refuses_one_it_cannot_show(explorer, explorer_url, tmp_path):
    from playwright.sync_api import expect

    from sccgames.explorer.common import toml_text

    page = explorer
    page.goto(explorer_url + "/wallet")
    expect(page.locator(".status")).to_contain_text("P(return)")
    good = tmp_path / "good.toml"
    good.write_text(toml_text(to_config(SETUPS[1])[0]))
    page.locator(".load input").set_input_files(str(good))
    expect(page.locator(".status")).to_contain_text(
        "A SocialAnimal finds a wallet holding 0, watched by neighbours"
    )
    expect(page.locator(".field-visibility input")).to_have_value("0.4")
    config = to_config(WalletSetup())[0]
    config["society"]["rounds"] = 3
    bad = tmp_path / "bad.toml"
    bad.write_text(toml_text(config))
    page.locator(".load input").set_input_files(str(bad))
    expect(page.locator(".form-error")).to_contain_text("not loaded")
    expect(page.locator(".form-error")).to_contain_text("society.rounds")
