"""The society page: its setup as an experiment file, and the page in a real browser."""

from __future__ import annotations

import dataclasses
import io
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from playwright.sync_api import expect

import sccgames as scc
from sccgames.experiments.config import ConfigError, load, parse
from sccgames.experiments.experiment import run
from sccgames.explorer.common import field_at, toml_text
from sccgames.explorer.society import (
    PRESETS,
    REGIMES,
    SCORE_QUANTILES,
    SERIES,
    SocietySetup,
    check,
    from_config,
    round_points,
    to_config,
)
from tests.explorer.conftest import screenshot

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


# ----------------------------------------------------------------------------- the setup
def error_field(setup: SocietySetup) -> str | None:
    """The field the page shows ``setup``'s error next to (None: no error)."""
    config, where = to_config(setup)
    try:
        check(setup)
        parse(config).build()
    except ConfigError as exc:
        return field_at(exc.path, where)
    return None


def test_the_default_setup_is_a_valid_society_with_a_regime_that_comes_and_goes():
    config, _ = to_config(SocietySetup())
    society = parse(config).build()
    assert isinstance(society, scc.Society)
    assert [p["start"] for p in config["society"]["schedule"]] == [0, 10, 35]
    assert config["society"]["schedule"][1]["regime"]["kind"] == "social_credit"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"coverage_watched": 1.5}, "coverage_watched"),
        ({"false_positive": -0.1}, "false_positive"),
        ({"fine": -1.0}, "fine"),
        ({"rounds": 0}, "rounds"),
        ({"size": 1}, "size"),
        ({"homophily": 2.0}, "homophily"),
        ({"watched_share": 1.5}, "watched_share"),
        ({"remove": 80}, "remove"),  # after the run's last round
        ({"introduce": 40}, "remove"),  # the removal comes first
        ({"introduce": -1}, "introduce"),
        ({"visibility": 3.0, "regimes": ("community_reputation",)}, "visibility"),
        ({"punishment_fine": -2.0, "regimes": REGIMES}, "punishment_fine"),
        ({"shares": {"Citizen": 0.5, "Moralist": 0.3}}, "shares"),
    ],
)
def test_a_bad_value_is_placed_at_its_own_field(change, field):
    assert error_field(dataclasses.replace(SocietySetup(), **change)) == field


def test_the_message_is_the_one_the_file_gets():
    config, _ = to_config(dataclasses.replace(SocietySetup(), coverage_watched=1.5))
    with pytest.raises(ConfigError, match=r"coverage\['watched'\] must be in \[0, 1\], got 1.5"):
        parse(config).build()


setups = st.builds(
    SocietySetup,
    seed=st.integers(0, 2**31),
    rounds=st.integers(40, 200),
    size=st.integers(10, 10**5),
    communities=st.integers(1, 5),
    homophily=st.sampled_from([0.0, 0.3, 1.0]),
    game=st.sampled_from(["pd", "stag_hunt", "public_goods", "lost_wallet"]),
    watched_share=st.sampled_from([0.25, 0.5]),
    regimes=st.lists(st.sampled_from(REGIMES), unique=True).map(
        lambda r: tuple(k for k in REGIMES if k in r)
    ),
    fine=st.sampled_from([0.0, 1.0, 3.0]),
    public_scores=st.booleans(),
    assessment=st.sampled_from(["image_scoring", "standing", "stern_judging"]),
    introduce=st.integers(0, 20),
    remove=st.one_of(st.none(), st.integers(25, 39)),
)


@settings(max_examples=40, deadline=None)
@given(setups)
def test_a_setup_comes_back_from_its_exported_file(setup):
    config, _ = to_config(setup)
    experiment = parse(tomllib.loads(toml_text(config)))
    back = from_config(experiment.raw)
    assert to_config(back)[0] == config
    if setup.regimes == REGIMES:  # every field is in the file
        assert back == setup


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"rounds": 200}, None),  # shown: no refusal
        ({"dtype": "float64"}, "society.dtype"),
        ({"domains": {"watched": 0.5, "unwatched": 0.3, "other": 0.2}}, "society.domains.other"),
        ({"matching": "fixed"}, "society.matching"),
    ],
)
def test_a_file_the_page_cannot_show_is_refused_by_the_key_it_cannot_show(change, path):
    config, _ = to_config(SocietySetup())
    config["society"] |= change
    raw = parse(config).raw
    if path is None:
        assert from_config(raw).rounds == 200
        return
    with pytest.raises(ConfigError, match="cannot show") as caught:
        from_config(raw)
    assert caught.value.path == path


def test_the_crowding_out_example_is_refused_in_one_line():
    with pytest.raises(ConfigError, match="society page cannot show") as caught:
        from_config(load(CONFIGS / "society.toml").raw)
    assert "\n" not in str(caught.value)


def test_a_rounds_points_are_its_figures_and_its_score_quantiles():
    society = scc.Society(
        1000, rounds=3, regime=scc.SocialCredit(), domains={"watched": 0.5, "unwatched": 0.5},
        seed=4,
    )
    for state in society.stream():
        point = round_points(state)
        domains = list(state.figures["domain"])
        for chart, label, figure, domain in SERIES:
            # (NaN, a figure with nobody to measure, equals NaN here)
            np.testing.assert_equal(
                point[f"{chart}/{label}"], state.figures[figure][domains.index(domain)]
            )
        assert [point[f"scores/{q:.0%}"] for q in SCORE_QUANTILES] == pytest.approx(
            np.quantile(state.score, SCORE_QUANTILES)
        )
    no_scores = round_points(next(iter(scc.Society(100, rounds=1, seed=1))))
    assert np.isnan(no_scores["scores/50%"])


# ----------------------------------------------------------------------------- in a browser
def type_into(page, field: str, value: str) -> None:
    """Type ``value`` into a field and commit it (Enter), as a user does."""
    page.locator(f".field-{field} input").fill(value)
    page.keyboard.press("Enter")


def chart_rounds(page) -> list[float]:
    """The rounds the page's charts hold (read from Bokeh's data source in the browser)."""
    return page.evaluate(
        "() => { for (const d of Bokeh.documents) {"
        " const m = d.get_model_by_name('society-rounds'); if (m) return Array.from(m.data.round);"
        " } }"
    )


def chart_series(page, key: str) -> list[float]:
    return page.evaluate(
        "(key) => { for (const d of Bokeh.documents) {"
        " const m = d.get_model_by_name('society-rounds'); if (m) return Array.from(m.data[key]);"
        " } }",
        key,
    )


def download(page, button: str, path: Path) -> Path:
    with page.expect_download() as caught:
        page.locator(f".{button} button").click()
    caught.value.save_as(path)
    return path


def test_the_page_runs_30_rounds_and_its_file_reproduces_them(explorer, explorer_url, tmp_path):
    page = explorer
    page.goto(f"{explorer_url}/society")
    type_into(page, "rounds", "30")
    type_into(page, "remove", "25")
    type_into(page, "fine", "2.5")
    type_into(page, "coverage_watched", "0.8")
    type_into(page, "size", "2000")
    page.locator(".run button").click()
    expect(page.locator(".status")).to_contain_text("round 30 of 30 · finished")
    assert chart_rounds(page) == list(range(30))
    watched = chart_series(page, "cooperation/watched")
    screenshot(page, "society")

    # the exported file: valid, with what was typed, and it reproduces the page's run
    exported = download(page, "export", tmp_path / "society.toml")
    checked = subprocess.run(
        [sys.executable, "-m", "sccgames", "validate", str(exported)],
        capture_output=True, text=True, check=False,
    )
    assert checked.returncode == 0, checked.stderr
    regime = tomllib.loads(exported.read_text())["society"]["schedule"][1]["regime"]
    assert (regime["fine"], regime["coverage"]["watched"]) == (2.5, 0.8)
    shown = pd.read_csv(download(page, "metrics", tmp_path / "metrics.csv"))
    rerun = run(str(exported), out=tmp_path / "run", progress_bar=False)["metrics"]
    assert len(shown) == len(rerun) == 30 * 3  # rounds × (watched, unwatched, all)
    numbers = rerun.select_dtypes("number").columns
    np.testing.assert_allclose(shown[numbers], rerun[numbers], rtol=1e-12, atol=0)
    assert (shown["domain"] == rerun["domain"]).all()
    from_run = rerun[rerun["domain"] == "watched"]["cooperation"].to_numpy()
    np.testing.assert_allclose(watched, from_run, rtol=1e-12)

    # Run again after a finished run: the same run from its first round, drawn anew
    page.evaluate(
        "() => { window.drawn = 0; for (const d of Bokeh.documents) {"
        " const m = d.get_model_by_name('society-rounds');"
        " if (m) m.streaming.connect(() => { window.drawn += 1; }); } }"
    )
    page.locator(".run button").click()
    page.wait_for_function("() => window.drawn > 0")
    expect(page.locator(".status")).to_contain_text("round 30 of 30 · finished")
    assert chart_rounds(page) == list(range(30))
    assert chart_series(page, "cooperation/watched") == watched


def test_a_bad_value_shows_its_message_next_to_it_and_blocks_the_run(explorer, explorer_url):
    page = explorer
    page.goto(f"{explorer_url}/society")
    type_into(page, "coverage_watched", "1.5")
    message = page.locator(".error-coverage_watched")
    expect(message).to_contain_text("SocialCredit.coverage['watched'] must be in [0, 1], got 1.5")
    expect(page.locator(".run button")).to_be_disabled()
    type_into(page, f"share_{PRESETS[0]}", "0.9")  # HomoEconomicus, 0.3 by default
    screenshot(page, "society-bad-input")
    type_into(page, "coverage_watched", "0.5")
    expect(message).to_be_hidden()
    expect(page.locator(f".error-share_{PRESETS[0]}")).to_contain_text("must sum to 1")
    type_into(page, "fine", "")  # emptied: refused, not run with a default it does not show
    expect(page.locator(".error-fine")).to_contain_text("empty: enter a value")
    type_into(page, "fine", "3")
    type_into(page, f"share_{PRESETS[0]}", "0.3")  # the default mix again: 0.3 + 0.55 + 0.15
    expect(page.locator(".run button")).to_be_enabled()


def test_pause_step_and_reset(explorer, explorer_url):
    page = explorer
    page.goto(f"{explorer_url}/society")
    type_into(page, "rounds", "2000")
    type_into(page, "remove", "")  # never removed
    type_into(page, "size", "100000")
    page.locator(".run button").click()
    expect(page.locator(".status")).to_contain_text("rounds/s")
    page.locator(".pause button").click()
    expect(page.locator(".status")).to_contain_text("paused")
    paused_at = len(chart_rounds(page))
    assert 0 < paused_at < 2000
    page.locator(".step button").click()
    expect(page.locator(".status")).to_contain_text(f"round {paused_at + 1} of 2000")
    assert chart_rounds(page) == list(range(paused_at + 1))
    page.locator(".reset button").click()
    expect(page.locator(".status")).to_contain_text("press Run")
    page.wait_for_function(
        "() => { for (const d of Bokeh.documents) { const m = d.get_model_by_name("
        "'society-rounds'); if (m) return m.data.round.length == 0; } }"
    )


def test_a_loaded_file_fills_the_form_and_a_foreign_one_is_refused(
    explorer, explorer_url, tmp_path
):
    page = explorer
    page.goto(f"{explorer_url}/society")
    setup = dataclasses.replace(
        SocietySetup(), fine=1.25, regimes=("social_credit", "peer_punishment"), rounds=60
    )
    mine = tmp_path / "mine.toml"
    mine.write_text(toml_text(to_config(setup)[0]))
    page.locator(".load input[type=file]").set_input_files(str(mine))
    expect(page.locator(".field-fine input")).to_have_value("1.25")
    expect(page.locator(".field-rounds input")).to_have_value("60")
    exported = download(page, "export", tmp_path / "again.toml")
    assert tomllib.loads(exported.read_text()) == tomllib.loads(mine.read_text())
    page.locator(".load input[type=file]").set_input_files(str(CONFIGS / "tournament.toml"))
    expect(page.locator(".form-error")).to_contain_text("kind = 'society'")
    expect(page.locator(".field-fine input")).to_have_value("1.25")  # the form is kept


def test_an_exported_file_is_read_by_the_api_too():
    config, _ = to_config(SocietySetup())
    text = toml_text(config, "a comment\non two lines")
    assert text.startswith("# a comment\n# on two lines\n")
    assert tomllib.load(io.BytesIO(text.encode())) == config
