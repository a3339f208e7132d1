"""The tournament page: its setup as an experiment file both ways, its figures, and the page
in a browser (run, stop, export, a bad value's message)."""

from __future__ import annotations

import dataclasses
import math
import os
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sccgames.engines.metrics import payoff_matrix
from sccgames.experiments.config import ConfigError, parse
from sccgames.explorer import tournament
from sccgames.explorer.common import field_at, read_experiment, toml_text
from sccgames.explorer.tournament import EvolutionSetup, TournamentSetup, from_config, to_config

ROOT = Path(__file__).resolve().parents[2]


def small(**changes) -> TournamentSetup:
    """A quick setup: few players, turns and repetitions."""
    base = TournamentSetup(
        players=("HomoEconomicus", "Moralist", "Tit For Tat", "Defector"), turns=20, repetitions=4
    )
    return dataclasses.replace(base, **changes)


@pytest.fixture(scope="module")
def played():
    """A small tournament under a social credit system that watches one domain only."""
    return parse(to_config(small())[0]).build().play(progress_bar=False)


# ----------------------------------------------------------------------------- the file
def test_default_setup_builds_a_tournament_of_its_players():
    config, _ = to_config(TournamentSetup())
    built = parse(config).build()
    assert built.turns == TournamentSetup.turns
    assert built.repetitions == TournamentSetup.repetitions
    assert len(built.players) == len(TournamentSetup.players)
    assert built.regime.fine == TournamentSetup.fine


@given(
    players=st.lists(st.sampled_from(tournament.PLAYERS), min_size=2, max_size=6, unique=True),
    turns=st.integers(1, 1000),
    repetitions=st.integers(1, 20),
    noise=st.floats(0, 1),
    fine=st.floats(0, 50),
    coverage=st.floats(0, 1),
    regime=st.sampled_from(tournament.REGIMES),
    game=st.sampled_from(tournament.GAMES),
    seed=st.integers(0, 2**32),
)
def test_a_setup_comes_back_from_its_config(
    players, turns, repetitions, noise, fine, coverage, regime, game, seed
):
    setup = TournamentSetup(
        players=tournament.seating(players),
        turns=turns,
        repetitions=repetitions,
        noise=noise,
        fine=fine,
        coverage_unwatched=coverage,
        regime=regime,
        game=game,
        seed=seed,
    )
    # without a regime the file holds none of its settings: they come back at their defaults
    expected = (
        setup
        if regime == "social_credit"
        else dataclasses.replace(
            setup,
            fine=TournamentSetup.fine,
            coverage_unwatched=TournamentSetup.coverage_unwatched,
        )
    )
    assert from_config(parse(to_config(setup)[0]).raw) == expected


def test_the_exported_text_loads_as_the_same_setup():
    setup = small(fine=4.5, coverage_watched=0.7, noise=0.05, name="mine")
    text = toml_text(to_config(setup)[0], "a comment")
    assert from_config(read_experiment(text.encode(), "mine.toml").raw) == setup


@pytest.mark.parametrize("regime", ["none", {"kind": "none"}, None])
def test_a_file_without_a_regime_loads_as_regime_none(regime):
    section = {
        "players": ["Moralist", "Tit For Tat"],
        "domains": {"watched": 0.5, "unwatched": 0.5},
    }
    if regime is not None:
        section["regime"] = regime
    setup = from_config(parse({"kind": "tournament", "tournament": section}).raw)
    assert setup.regime == "none"
    assert setup.players == ("Moralist", "Tit For Tat")


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"regime": {"kind": "social_credit", "score_up": 2.0}}, "tournament.regime.coverage"),
        (
            {
                "regime": {
                    "kind": "social_credit",
                    "coverage": {"watched": 1.0, "unwatched": 0.0},
                    "score_up": 2.0,
                }
            },
            "tournament.regime.score_up",
        ),
        ({"domains": None}, "tournament.domains"),
        ({"domains": {"a": 0.2, "b": 0.3, "c": 0.5}}, "tournament.domains"),
        ({"players": ["Moralist", "TitForTat"]}, "tournament.players[1]"),
        ({"players": ["Moralist", "Defector", "Moralist"]}, "tournament.players[2]"),
        ({"players": ["Defector", "Moralist"]}, "tournament.players[1]"),
        ({"game": {"kind": "pd", "r": 4.0}}, "tournament.game"),
    ],
)
def test_a_file_the_page_cannot_show_is_refused_with_its_key_path(change, path):
    section = {
        "players": ["Moralist", "Defector"],
        "domains": {"watched": 0.5, "unwatched": 0.5},
    } | change
    section = {k: v for k, v in section.items() if v is not None}
    raw = parse({"kind": "tournament", "tournament": section}).raw
    with pytest.raises(ConfigError) as caught:
        from_config(raw)
    assert caught.value.path.startswith(path)
    assert "\n" not in str(caught.value)


def test_a_sweep_is_refused():
    config = to_config(small())[0] | {"sweep": {"grid": {"tournament.noise": [0.0, 0.1]}}}
    with pytest.raises(ConfigError) as caught:
        from_config(parse(config).raw)
    assert caught.value.path.startswith("sweep")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"noise": 1.5}, "noise", "noise must be in [0, 1]"),
        ({"turns": 0}, "turns", "whole number"),
        ({"repetitions": 0}, "repetitions", "whole number"),
        ({"players": ()}, "players", "at least 2"),
        ({"players": ("Moralist",)}, "players", "at least 2"),
        ({"fine": -1.0}, "fine", "fine must be in [0, inf)"),
        ({"false_positive": 1.2}, "false_positive", "false_positive must be in [0, 1]"),
        ({"coverage_watched": 2.0}, "coverage_watched", "must be in [0, 1]"),
    ],
)
def test_an_error_is_placed_on_its_field(change, field, words):
    config, where = to_config(small(**change))
    with pytest.raises(ConfigError) as caught:
        parse(config).build()
    assert field_at(caught.value.path, where) == field
    assert words in caught.value.message


# ----------------------------------------------------------------------------- the evolution
@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"generations": -1}, "generations", "generations must be an integer >= 0"),
        ({"generations": tournament.MAX_GENERATIONS + 1}, "generations", "at most"),
        ({"mutation": 1.5}, "mutation", "mutation must be in [0, 1]"),
        ({"selection": -1.0}, "selection", "selection must be in [0, inf)"),
        ({"population": 1}, "population", "at least 2"),
        ({"dynamics": "fast"}, "dynamics", "one of moran, replicator"),
    ],
)
def test_a_bad_evolution_setting_names_its_field(change, field, words):
    found = tournament.check_evolution(dataclasses.replace(EvolutionSetup(), **change), 4)
    assert found is not None
    assert found[0] == field
    assert words in found[1]


def test_the_default_evolution_settings_pass():
    assert tournament.check_evolution(EvolutionSetup(), 8) is None
    assert tournament.check_evolution(EvolutionSetup(dynamics="replicator"), 8) is None


def test_the_moran_evolution_keeps_its_population_and_replays_with_its_seed(played):
    payoffs = payoff_matrix(played.matches)
    evo = EvolutionSetup(generations=300, population=10)
    first = tournament.evolve(payoffs, evo, seed=7)
    again = tournament.evolve(payoffs, evo, seed=7)
    other = tournament.evolve(payoffs, evo, seed=8)
    assert first.equals(again)
    assert not first["count"].equals(other["count"])
    totals = first.groupby("generation")["count"].sum()
    assert (totals == 10).all()
    assert first.query("generation == 0")["count"].tolist() == [3, 3, 2, 2]  # 10 over 4


def test_the_replicator_shares_stay_on_the_simplex(played):
    frame = tournament.evolve(
        payoff_matrix(played.matches), EvolutionSetup(dynamics="replicator", generations=50), 1
    )
    sums = frame.groupby("generation")["share"].sum()
    assert np.allclose(sums, 1.0, atol=1e-12)
    assert len(sums) == 51


# ----------------------------------------------------------------------------- the figures
def test_the_boxes_are_matplotlib_boxplot_stats_ranked_by_median(played):
    from matplotlib import cbook

    frame = tournament.boxes(played.matches)
    per = played.matches.groupby(["name", "repetition"])["payoff"].mean()
    assert sorted(frame["name"]) == sorted(played.names)
    assert list(frame["median"]) == sorted(frame["median"], reverse=True)
    assert list(frame["rank"]) == list(range(1, len(played.names) + 1))
    for row in frame.itertuples():
        (stats,) = cbook.boxplot_stats(per.loc[row.name].to_numpy())
        assert (row.q1, row.median, row.q3) == pytest.approx(
            (stats["q1"], stats["med"], stats["q3"]), abs=1e-12
        )
        assert (row.lower, row.upper) == pytest.approx(
            (stats["whislo"], stats["whishi"]), abs=1e-12
        )
    summary = played.summary.set_index("name")["payoff"]
    assert frame.set_index("name")["mean"].to_dict() == pytest.approx(summary.to_dict(), abs=1e-12)


def test_the_cooperation_bars_are_the_summary_shares(played):
    order = list(tournament.boxes(played.matches)["name"])
    bars = tournament.cooperation(played.summary, order)
    rows = played.summary.set_index("name")
    assert bars["x"][:2] == [(order[0], "watched"), (order[0], "unwatched")]
    for (name, domain), share in zip(bars["x"], bars["share"], strict=True):
        assert share == rows.loc[name, f"cooperation_{domain}"]
    defector = bars["share"][bars["x"].index(("Defector", "watched"))]
    assert defector == 0.0


# ----------------------------------------------------------------------------- the browser
SOURCE_JS = """name => {
  for (const doc of Bokeh.documents) {
    const model = doc.get_model_by_name(name);
    if (model) {
      const data = model.data;
      const out = {};
      const keys = data instanceof Map ? [...data.keys()] : Object.keys(data);
      for (const k of keys) {
        const column = data instanceof Map ? data.get(k) : data[k];
        out[k] = Array.from(column, v => (typeof v === "number" && isNaN(v)) ? null : v);
      }
      return out;
    }
  }
  return null;
}"""


def source(page, name: str) -> dict:
    """The columns of the page's Bokeh data source called ``name``."""
    found = page.evaluate(SOURCE_JS, name)
    assert found is not None, f"no data source {name!r} on the page"
    return found


def set_number(page, field: str, value: str) -> None:
    """Type ``value`` into a number field and confirm it."""
    box = page.locator(f".field-{field} input")
    box.fill(value)
    page.keyboard.press("Enter")


def env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def test_the_page_runs_and_its_exported_file_reproduces_its_numbers(
    explorer, explorer_url, tmp_path
):
    from playwright.sync_api import expect

    from sccgames.experiments.runs import read_run
    from tests.explorer.conftest import screenshot

    page = explorer
    page.goto(explorer_url + "/tournament")
    expect(page.locator(".status")).to_contain_text("press Run")
    set_number(page, "fine", "4.5")
    set_number(page, "coverage_watched", "0.8")
    set_number(page, "turns", "60")
    set_number(page, "repetitions", "4")
    page.locator(".run button").click()
    expect(page.locator(".status")).to_contain_text("finished")

    boxes = source(page, "tournament-boxes")
    players = len(TournamentSetup.players)
    assert len(boxes["name"]) == players
    assert len(set(boxes["name"])) == players
    assert boxes["median"] == sorted(boxes["median"], reverse=True)
    assert len(source(page, "tournament-points")["payoff"]) == players * 4
    coop = source(page, "tournament-coop")
    assert len(coop["share"]) == 2 * players
    evolved = source(page, "tournament-evolution")
    assert len(evolved["type"]) == players
    assert all(len(ys) == EvolutionSetup.generations + 1 for ys in evolved["ys"])

    with page.expect_download() as download:
        page.locator(".export button").click()
    path = tmp_path / "tournament.toml"
    download.value.save_as(path)
    written = tomllib.loads(path.read_text())
    assert written["tournament"]["regime"]["fine"] == 4.5
    assert written["tournament"]["regime"]["coverage"]["watched"] == 0.8
    assert written["tournament"]["turns"] == 60

    checked = subprocess.run(
        [sys.executable, "-m", "sccgames", "validate", str(path)],
        capture_output=True,
        text=True,
        env=env(),
        timeout=300,
    )
    assert checked.returncode == 0, checked.stderr
    out = tmp_path / "run"
    ran = subprocess.run(
        [sys.executable, "-m", "sccgames", "run", str(path), "--out", str(out), "--quiet"],
        capture_output=True,
        text=True,
        env=env(),
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr
    tables = read_run(out)
    summary = tables["summary"].set_index("name")
    for name, mean in zip(boxes["name"], boxes["mean"], strict=True):
        assert mean == pytest.approx(summary.loc[name, "payoff"], abs=1e-9)
    again = tournament.boxes(tables["matches"])
    assert boxes["name"] == list(again["name"])
    assert boxes["median"] == pytest.approx(list(again["median"]), abs=1e-9)
    for (name, domain), share in zip(coop["x"], coop["share"], strict=True):
        expected = summary.loc[name, f"cooperation_{domain}"]
        if math.isnan(expected):
            assert share is None
        else:
            assert share == pytest.approx(expected, abs=1e-9)
    screenshot(page, "tournament")


def test_a_bad_value_shows_its_message_by_its_field_and_stops_the_run(explorer, explorer_url):
    from playwright.sync_api import expect

    page = explorer
    page.goto(explorer_url + "/tournament")
    expect(page.locator(".status")).to_contain_text("press Run")
    set_number(page, "noise", "1.5")
    expect(page.locator(".error-noise")).to_contain_text("noise must be in [0, 1], got 1.5")
    expect(page.locator(".run button")).to_be_disabled()
    expect(page.locator(".export button")).to_be_disabled()
    set_number(page, "noise", "0.1")
    expect(page.locator(".error-noise")).to_be_hidden()
    set_number(page, "turns", "0")
    expect(page.locator(".error-turns")).to_contain_text("expected a whole number")
    expect(page.locator(".run button")).to_be_disabled()
    set_number(page, "turns", "")
    expect(page.locator(".error-turns")).to_contain_text("enter a value")
    expect(page.locator(".run button")).to_be_disabled()
    set_number(page, "turns", "50")
    expect(page.locator(".run button")).to_be_enabled()
    chosen = page.locator(".field-players").get_by_role("button", name="Remove item")
    for left in range(len(TournamentSetup.players) - 1, 0, -1):
        chosen.first.click()
        expect(chosen).to_have_count(left)
    expect(page.locator(".error-players")).to_contain_text("expected a list of at least 2")
    expect(page.locator(".run button")).to_be_disabled()


def test_stop_discards_a_run_and_gives_the_page_back(explorer, explorer_url):
    from playwright.sync_api import expect

    page = explorer
    page.goto(explorer_url + "/tournament")
    expect(page.locator(".status")).to_contain_text("press Run")
    set_number(page, "turns", "20000")  # 1800 matches of 20 000 turns: a long tournament
    set_number(page, "repetitions", "50")
    page.locator(".run button").click()
    expect(page.locator(".status")).to_contain_text("running")
    page.locator(".stop button").click()
    # the tournament computes in a thread of the server's process: on a loaded two-core
    # machine the page's event loop may wait seconds for the interpreter's lock
    expect(page.locator(".status")).to_contain_text("stopped", timeout=30_000)
    expect(page.locator(".run button")).to_be_enabled()
    # the tournament itself stops (at its next chunk of matches), not only the page
    deadline = time.monotonic() + 20  # a chunk of 10 such matches takes about 4 s
    while any(t.name == "sccgames-explorer" and t.is_alive() for t in threading.enumerate()):
        assert time.monotonic() < deadline, "the stopped tournament is still being played"
        time.sleep(0.05)
    assert source(page, "tournament-boxes")["name"] == []
    set_number(page, "turns", "30")
    set_number(page, "repetitions", "3")
    page.locator(".run button").click()
    expect(page.locator(".status")).to_contain_text("finished")
    assert len(source(page, "tournament-points")["payoff"]) == 3 * len(TournamentSetup.players)


def test_the_page_loads_a_file_and_refuses_one_it_cannot_show(explorer, explorer_url, tmp_path):
    from playwright.sync_api import expect

    page = explorer
    page.goto(explorer_url + "/tournament")
    expect(page.locator(".status")).to_contain_text("press Run")
    setup = small(fine=2.25, turns=40, noise=0.02, name="loaded")
    good = tmp_path / "good.toml"
    good.write_text(toml_text(to_config(setup)[0]))
    page.locator(".load input[type=file]").set_input_files(str(good))
    expect(page.locator(".status")).to_contain_text("loaded good.toml")
    expect(page.locator(".field-fine input")).to_have_value("2.25")
    expect(page.locator(".field-turns input")).to_have_value("40")
    expect(page.locator(".field-name input")).to_have_value("loaded")
    chosen = page.locator(".field-players").get_by_role("button", name="Remove item")
    expect(chosen).to_have_count(len(setup.players))  # one chip per player seated
    for k, player in enumerate(setup.players):
        expect(chosen.nth(k)).to_have_accessible_name(f"Remove item: '{player}'")
    with page.expect_download() as download:
        page.locator(".export button").click()
    exported = tmp_path / "exported.toml"
    download.value.save_as(exported)
    again = read_experiment(exported.read_bytes(), "exported.toml").raw
    assert again == read_experiment(good.read_bytes(), "good.toml").raw

    config = to_config(setup)[0]
    config["tournament"]["players"] = ["Moralist", "TitForTat"]
    bad = tmp_path / "bad.toml"
    bad.write_text(toml_text(config))
    page.locator(".load input[type=file]").set_input_files(str(bad))
    message = page.locator(".form-error")
    expect(message).to_contain_text("not loaded")
    expect(message).to_contain_text("tournament.players[1]")
    expect(message).to_contain_text("does not offer 'TitForTat'")
    expect(page.locator(".field-turns input")).to_have_value("40")  # the page kept its setup
