"""``sccgames fit`` and the ``[fit]`` section end to end (:mod:`sccgames.inference.fitting`).

Every figure in a fit's run folder is recomputed here by calling :mod:`sccgames.inference.compare`
directly on the same data, so a table that drifted from the model would fail.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pandas as pd
import pytest
import yaml

from sccgames.cli import main
from sccgames.experiments import config, experiment
from sccgames.inference import compare as inference
from sccgames.inference import fitting
from sccgames.inference import likelihood as lk

CONFIGS = pathlib.Path(__file__).resolve().parents[2] / "configs"
FIT = CONFIGS / "fit.toml"
GR = CONFIGS / "fit_gneezy_rustichini.toml"

COLUMNS = {
    "fits": ["model", "n_obs", "n_params", "loglik", "aic", "bic", "converged"],
    "estimates": ["model", "parameter", "estimate", "se", "ci_low", "ci_high"],
    "tests": ["test", "model_a", "model_b", "statistic", "df", "p"],
    "predictions": ["model", "round", "split", "n_obs", "observed", "predicted"],
    "scores": [
        "window",
        "model",
        "n_obs",
        "log_loss",
        "brier",
        "observed",
        "predicted",
        "rival",
        "log_loss_gap",
        "static_gap",
        "ci_low",
        "ci_high",
    ],
    "boot": ["replicate", "window", "log_loss_gap"],
}


def small_fit(**fit) -> dict:
    """configs/fit.toml shrunk so that a fit takes about a second."""
    tree = config.load(FIT).to_dict()
    tree["society"]["population"]["size"] = 120
    tree["society"]["rounds"] = 12
    for phase, start in zip(tree["society"]["schedule"], (0, 3, 6, 9), strict=True):
        phase["start"] = start  # none, small fine, large fine (predicted), none (predicted)
    tree["fit"].update({"train_rounds": 6, "bootstrap": 3, "starts": 2} | fit)
    return tree


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    """``sccgames fit configs/fit.toml --out DIR``, as a user runs it (once per module)."""
    out = tmp_path_factory.mktemp("fit") / "run"
    status = main(["fit", str(FIT), "--out", str(out), "--quiet"])
    return status, out


@pytest.fixture(scope="module")
def data():
    """The choices of configs/fit.toml's society, made directly (not through fitting)."""
    return inference.choices_from_society(config.load(FIT).build())


def test_fit_file_writes_a_complete_run_folder(fitted):
    status, out = fitted
    assert status == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["kind"] == fitting.RUN_KIND
    assert manifest["seed"] == 1 and manifest["config"]["fit"]["train_rounds"] == 10
    assert manifest["files"] == [fitting.FIGURE]
    assert (out / fitting.FIGURE).stat().st_size > 10_000
    tables = experiment.load_run(out)
    assert set(tables) == {*COLUMNS, "choices"}
    for name, columns in COLUMNS.items():
        assert list(tables[name].columns) == columns, name
    assert list(tables["fits"]["model"]) == ["rational", "learning", "reputation", "motive"]
    assert len(tables["boot"]) == 50


def test_fitted_loglikelihoods_equal_inference_on_the_same_data(fitted, data):
    tables = experiment.load_run(fitted[1])
    pd.testing.assert_frame_equal(
        tables["choices"], data, check_dtype=False, check_categorical=False
    )
    train = data[data["round"] < 10].reset_index(drop=True)
    train.attrs = data.attrs
    rational = inference.fit("rational", train, starts=5, seed=1)
    learning = inference.fit("learning", train, starts=5, seed=1, init=rational.params)
    reputation = inference.fit("reputation", train, starts=5, seed=1, init=rational.params)
    motive = inference.fit("motive", train, starts=5, seed=1, init=rational.params)
    rival = min((rational, learning, reputation), key=lambda f: f.bic)  # the first on a tie
    fits = tables["fits"].set_index("model")
    assert fits.loc["learning", "loglik"] == pytest.approx(learning.loglik, rel=1e-12)
    assert fits.loc["reputation", "loglik"] == pytest.approx(reputation.loglik, rel=1e-12)
    assert fits.loc["rational", "loglik"] == pytest.approx(rational.loglik, rel=1e-12)
    assert fits.loc["motive", "loglik"] == pytest.approx(motive.loglik, rel=1e-12)
    assert fits.loc["motive", "loglik"] >= fits.loc["rational", "loglik"]
    assert fits.loc["motive", "n_obs"] == len(train) == 5000
    estimates = tables["estimates"].set_index(["model", "parameter"])["estimate"]
    assert estimates["motive"].to_dict() == pytest.approx(motive.params, rel=1e-12)
    tests = tables["tests"].set_index("test")
    statistic, df, p = inference.likelihood_ratio_test(rational, motive, train, draws=19, seed=1)
    assert tests.loc[fitting.LIKELIHOOD_RATIO, "statistic"] == pytest.approx(statistic)
    assert tests.loc[fitting.LIKELIHOOD_RATIO, "df"] == df
    assert tests.loc[fitting.LIKELIHOOD_RATIO, "p"] == p
    z, _ = inference.vuong_test(train, motive, rival)
    assert tests.loc[fitting.VUONG, "statistic"] == pytest.approx(z)
    assert tests.loc[fitting.VUONG, "model_b"] == rival.model

    # out of sample: the scores are log_loss and brier of predict on rounds >= 10, by hand
    test = data[data["round"] >= 10].reset_index(drop=True)
    test.attrs = data.attrs
    scores = tables["scores"].set_index("model")
    losses = {}
    for fit in (rational, learning, reputation, motive):
        p = inference.predict(fit, test)
        losses[fit.model] = inference.log_loss(p, test["cooperated"])
        assert scores.loc[fit.model, "log_loss"] == pytest.approx(losses[fit.model], rel=1e-12)
        assert scores.loc[fit.model, "brier"] == pytest.approx(
            inference.brier(p, test["cooperated"]), rel=1e-12
        )
        by_round = tables["predictions"].query(f"model == '{fit.model}' and round >= 10")
        hand = pd.Series(p).groupby(test["round"]).mean().to_numpy()
        np.testing.assert_allclose(by_round["predicted"], hand, rtol=1e-12)
    gap = losses[rival.model] - losses["motive"]
    assert (scores["rival"] == rival.model).all()
    assert scores["log_loss_gap"].to_numpy() == pytest.approx([gap] * 4)
    static = losses["rational"] - losses["motive"]
    assert scores["static_gap"].to_numpy() == pytest.approx([static] * 4)
    low, high = np.quantile(tables["boot"]["log_loss_gap"], [0.025, 0.975])
    assert scores["ci_low"].iloc[0] == pytest.approx(low)
    assert scores["ci_high"].iloc[0] == pytest.approx(high)
    assert low < high


def test_report_shows_a_fit_folder(fitted, capsys):
    out = fitted[1]
    assert main(["report", str(out)]) == 0
    printed = capsys.readouterr().out
    for name in fitting.SUMMARY:
        assert f"\n{name}\n" in printed
    assert "likelihood ratio" in printed and "rounds 10-29" in printed
    assert (out / "report" / fitting.FIGURE).stat().st_size > 10_000


def test_same_file_twice_gives_identical_tables(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(small_fit()))
    first = experiment.fit(path, tmp_path / "a", progress_bar=False)
    second = experiment.fit(path, tmp_path / "b", progress_bar=False)
    assert set(first.tables) == set(second.tables) == {*COLUMNS, "choices"}
    for name in first.tables:
        pd.testing.assert_frame_equal(first[name], second[name])
    on_disk = experiment.load_run(tmp_path / "b")
    pd.testing.assert_frame_equal(on_disk["scores"], first["scores"])
    other = experiment.fit({**small_fit(), "seed": 2}, progress_bar=False)
    assert other.directory is None
    assert not other["fits"]["loglik"].equals(first["fits"]["loglik"])


def test_one_model_and_no_split(tmp_path):
    tree = small_fit(models=["motive"], train_rounds=None, bootstrap=0)
    done = experiment.fit(tree, progress_bar=False)
    assert set(done.tables) == {"choices", "fits", "estimates", "predictions"}
    assert list(done["fits"]["model"]) == ["motive"]
    assert set(done["predictions"]["split"]) == {fitting.TRAIN}
    assert done["fits"]["n_obs"].iloc[0] == len(done["choices"])


def test_a_csv_file_of_choices_fits_as_the_society_did(tmp_path):
    society = experiment.fit(small_fit(bootstrap=0), progress_bar=False)
    choices = society["choices"]
    assert set(inference.PAYOFF_COLUMNS) <= set(choices)  # the game is in every row
    choices.to_csv(tmp_path / "choices.csv", index=False)
    tree = {
        "kind": "fit",
        "seed": 1,
        "fit": {
            "data": str(tmp_path / "choices.csv"),
            "train_rounds": 6,
            "starts": 2,
            "lr_draws": 19,  # as configs/fit.toml, which small_fit shrinks
        },
    }
    from_file = experiment.fit(tree, progress_bar=False)
    for name in ("fits", "estimates", "tests", "scores", "predictions"):
        pd.testing.assert_frame_equal(from_file[name], society[name])
    # without the payoff columns the file needs [fit] payoffs: the same game, the same fit
    choices.drop(columns=list(inference.PAYOFF_COLUMNS)).to_csv(tmp_path / "bare.csv", index=False)
    tree["fit"] |= {"data": str(tmp_path / "bare.csv"), "payoffs": "pd"}
    bare = experiment.fit(tree, progress_bar=False)
    pd.testing.assert_frame_equal(bare["fits"], society["fits"])
    tree["fit"]["payoffs"] = {"kind": "pd", "t": 6.0}  # another game: another likelihood
    other = experiment.fit(tree, progress_bar=False)
    assert not np.allclose(other["fits"]["loglik"], society["fits"]["loglik"])


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda f: f.drop(columns=["after_d"]), "has no column(s) ['after_d']"),
        (lambda f: f.assign(cooperated=2), "column 'cooperated' must be true/false or 1/0"),
        (lambda f: f.assign(fine="high"), "column 'fine' has a missing or non-numeric value"),
        (lambda f: f.assign(round=f["round"] + 0.5), "column 'round' must hold whole numbers"),
        (lambda f: f.assign(round=1), "expected rounds both before 6"),
        (lambda f: f.assign(subject=[np.nan, 1.0]), "column 'subject' has a missing value"),
        (lambda f: f.iloc[:0, :0], "cannot read"),
        (lambda f: f.iloc[:0], "c.csv has a header and no rows of choices"),
        (
            lambda f: f.assign(coverage=[0.5, 2.0]),
            "c.csv: data row 2, column 'coverage': 2.0 is outside the allowed range [0, 1]",
        ),
        (
            lambda f: f.assign(partner_signal=-1.5),
            "data row 1, column 'partner_signal': -1.5 is outside the allowed range [-1, 1]",
        ),
        (lambda f: f.assign(fine=[0.0, np.inf]), "data row 2, column 'fine': inf is outside"),
        (lambda f: f.assign(fine=1e39), "column 'fine': 1e+39 is outside the allowed range"),
        (lambda f: f.assign(after_c=-1), "data row 1, column 'after_c': -1.0 is outside"),
        (
            lambda f: f.assign(partner_c=[0, 3], partner_moves=[0, 2]),
            "data row 2, column 'partner_c': 3.0 is more than 'partner_moves' (2.0)",
        ),
    ],
)
def test_bad_csv_files_are_config_errors(tmp_path, edit, message):
    frame = pd.DataFrame(
        {c: [0, 1] for c in fitting.REQUIRED_COLUMNS} | {"fine": [0.0, 1.0], "round": [5, 6]}
    )
    edit(frame).to_csv(tmp_path / "c.csv", index=False)
    tree = {
        "kind": "fit",
        "fit": {"data": str(tmp_path / "c.csv"), "payoffs": "pd", "train_rounds": 6},
    }
    with pytest.raises(config.ConfigError) as info:
        config.validate(tree, "x.toml")
    assert str(info.value).startswith("x.toml: fit.")
    assert message in str(info.value)


def _csv(tmp_path, **columns):
    """A two-row file of choices with ``columns`` added; its path."""
    frame = pd.DataFrame(
        {c: [0, 1] for c in fitting.REQUIRED_COLUMNS} | {"round": [5, 6]} | columns
    )
    frame.to_csv(tmp_path / "c.csv", index=False)
    return str(tmp_path / "c.csv")


PD_CELLS = dict(
    zip(inference.PAYOFF_COLUMNS, [3.0, 0.0, 5.0, 1.0, 3.0, 5.0, 0.0, 1.0], strict=True)
)

HALF = {k: [v, None] for k, v in PD_CELLS.items()}  # row 2 has no game of its own


@pytest.mark.parametrize(
    ("columns", "fit", "message"),
    [
        (
            {"money": [1.0, 7.0]},
            {"payoffs": "pd"},
            "fit.data: c.csv: unknown column(s) ['money']; map each in fit.columns (e.g. "
            "{money = \"stakes\"}) to 'ignore' or to one of subject, round, group, type, "
            "cooperated, habit, stakes, own_cc..other_dd, context or history columns",
        ),
        ({"money": [1.0, 7.0], "x": [0, 0]}, {"payoffs": "pd"}, "unknown column(s) ['money', 'x']"),
        ({"Fines": [1.0, 7.0]}, {"payoffs": "pd"}, '(e.g. {Fines = "fine"})'),
        ({}, {"payoffs": "pd", "columns": {"money": "stakes"}}, "fit.columns.money: c.csv has no"),
        (
            {"money": [1.0, 7.0], "stakes": [1.0, 1.0]},
            {"payoffs": "pd", "columns": {"money": "stakes"}},
            "fit.columns.money: c.csv has a 'stakes' column already",
        ),
        (
            {"a": [1.0, 7.0], "b": [1.0, 1.0]},
            {"payoffs": "pd", "columns": {"a": "stakes", "b": "stakes"}},
            "fit.columns.a: 'stakes' is also the column of 'b'",
        ),
        (
            {"money": ["lots", "little"]},
            {"payoffs": "pd", "columns": {"money": "stakes"}},
            "fit.data: c.csv: column 'stakes' has a missing or non-numeric value in data row 1",
        ),
        ({"stakes": [1.0, -2.0]}, {"payoffs": "pd"}, "row 2, column 'stakes': -2.0 is outside"),
        ({}, {}, "fit.payoffs: missing required key: c.csv has no payoff columns (own_cc,"),
        (PD_CELLS, {"payoffs": "pd"}, "fit.payoffs: not used: every row of c.csv gives its own"),
        (
            {k: v for k, v in PD_CELLS.items() if k != "other_dd"},
            {},
            "fit.data: c.csv: choice data with payoff columns need all of",
        ),
        (
            HALF,
            {},
            "fit.payoffs: c.csv: data row 2 has no payoffs: its payoff columns are empty and "
            "there is no fit.payoffs to take them from",
        ),
        (HALF, {"payoffs": "pd", "columns": {}}, "ok"),
        (
            PD_CELLS | {"own_dd": [1.0, None]},
            {"payoffs": "pd"},
            "fit.data: c.csv: data row 2: payoff column(s) ['own_dd'] are empty; give all eight "
            "payoffs of a row or none (a row with none takes fit.payoffs)",
        ),
        (PD_CELLS | {"own_cc": ["x", 3.0]}, {}, "column 'own_cc' has a missing or non-numeric"),
    ],
)
def test_every_csv_column_is_choice_data_or_mapped(tmp_path, columns, fit, message):
    """A column the fit would not read is refused, in one line naming it and what is allowed."""
    tree = {"kind": "fit", "fit": {"data": _csv(tmp_path, **columns), **fit}}
    if message == "ok":  # rows with empty payoff cells take [fit] payoffs
        assert config.validate(tree, "x.toml").fit.from_file
        return
    with pytest.raises(config.ConfigError) as info:
        config.validate(tree, "x.toml")
    assert str(info.value).startswith("x.toml: fit.")
    assert message in str(info.value)


def test_mapped_and_ignored_columns_are_read_as_named(tmp_path):
    """``money = "stakes"`` multiplies each row's game; ``"ignore"`` drops a column."""
    path = _csv(tmp_path, money=[1.0, 7.0], notes=["a", "b"], group=[1, 2], type=["x", "y"])
    columns = {"money": "stakes", "notes": "ignore"}
    frame = config.read_choices(path, config.Component("pd"), columns)
    assert "notes" not in frame and "money" not in frame
    np.testing.assert_array_equal(frame["stakes"], [1.0, 7.0])
    own, _ = lk.row_payoffs(frame)
    np.testing.assert_array_equal(own[1][0], [5.0, 35.0])  # T, times the stakes
    # the fit reads them: a game ×7 in row 2 is another likelihood than the pooled game
    theta = {"beta": 1.0, "trust": 0.5, "delta": 0.5}
    ignored = {"money": "ignore", "notes": "ignore"}
    pooled = config.read_choices(path, config.Component("pd"), ignored)
    assert inference.loglik("rational", theta, frame) != pytest.approx(
        inference.loglik("rational", theta, pooled)
    )
    # a file with its own game per row needs no [fit] payoffs
    path = _csv(tmp_path, **PD_CELLS, stakes=[1.0, 2.0])
    frame = config.read_choices(path, None)
    assert "payoffs" not in frame.attrs
    np.testing.assert_array_equal(lk.row_payoffs(frame)[0][0][0], [3.0, 6.0])  # R × stakes


def test_infinite_remaining_turns_are_allowed_in_a_csv(tmp_path):
    frame = pd.DataFrame(
        {c: [0, 1] for c in fitting.REQUIRED_COLUMNS}
        | {"round": [5, 6], "remaining": [np.inf, 3.0], "coverage": [0.0, 1.0]}
    )
    frame.to_csv(tmp_path / "c.csv", index=False)
    tree = {"kind": "fit", "fit": {"data": str(tmp_path / "c.csv"), "payoffs": "pd"}}
    assert config.validate(tree).fit.from_file


def test_no_rows_to_fit_is_a_clear_error_not_a_division_by_zero():
    frame = pd.DataFrame({c: [] for c in fitting.REQUIRED_COLUMNS}).astype(float)
    frame["cooperated"] = frame["cooperated"].astype(bool)
    frame.attrs["payoffs"] = config._payoffs("pd")
    with pytest.raises(ValueError, match="no choices to fit: the data have 0 rows"):
        inference.fit("rational", frame, starts=1, seed=0)


def test_gneezy_rustichini_file(tmp_path, capsys):
    from sccgames.inference import published

    tree = config.load(GR).to_dict()
    assert tree["kind"] == "fit" and tree["fit"]["data"] == "gneezy_rustichini_2000"
    tree["fit"]["bootstrap"] = 2
    path = tmp_path / "gr.yaml"
    path.write_text(yaml.safe_dump(tree))
    assert main(["fit", str(path), "--out", str(tmp_path / "gr"), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "weeks 9-20" in printed and "likelihood ratio" in printed
    tables = experiment.load_run(tmp_path / "gr")
    assert set(tables) == {"fits", "estimates", "tests", "scores", "weeks", "boot"}
    direct = published.transfer_test(n_boot=0, seed=tree["seed"])  # the fits are the same
    no_interval = ["ci_low", "ci_high", "static_ci_low", "static_ci_high"]
    pd.testing.assert_frame_equal(
        tables["scores"].drop(columns=no_interval),
        direct.table.drop(columns=no_interval),
        check_dtype=False,
    )
    assert tables["scores"][no_interval].notna().all().all()
    pd.testing.assert_frame_equal(tables["weeks"], direct.weeks, check_dtype=False)
    fits = tables["fits"].set_index("model")
    for model, fit in direct.fits.items():
        assert fits.loc[model, "loglik"] == pytest.approx(fit.loglik, rel=1e-12)
    assert len(tables["boot"]) == 2 * len(published.TEST_WINDOWS)
    assert tables["tests"]["test"].tolist() == [fitting.LIKELIHOOD_RATIO]
    assert (tmp_path / "gr" / fitting.FIGURE).stat().st_size > 10_000
    assert main(["report", str(tmp_path / "gr")]) == 0
    assert (tmp_path / "gr" / "report" / fitting.FIGURE).exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            'kind = "tournament"\n[tournament]\nplayers = ["Defector", "Cooperator"]\n'
            '[fit]\nmodels = ["rational"]\n',
            "fit: not allowed when kind = 'tournament'",
        ),
        (
            'kind = "society"\n[society]\nrounds = 5\n[society.population]\nsize = 10\n'
            '[fit]\nmodels = ["rationl"]\n',
            "fit.models[0]: unknown value 'rationl'; did you mean 'rational'?",
        ),
        (
            'kind = "society"\n[society]\nrounds = 5\n[society.population]\nsize = 10\n'
            "[fit]\ntrain_rounds = 5\n",
            "fit.train_rounds: expected a round in 1..4",
        ),
        (
            'kind = "society"\n[society]\nrounds = 5\n[society.population]\nsize = 10\n',
            "fit: no [fit] section to fit",
        ),
        ('kind = "fit"\n[fit]\ndata = "nowhere.csv"\npayoffs = "pd"\n', "no such file"),
        ('kind = "fit"\n[fit]\n', "fit.data: kind = 'fit' has no society to fit"),
    ],
)
def test_bad_fit_files_exit_2_with_one_line(tmp_path, capsys, content, message):
    path = tmp_path / "bad.toml"
    path.write_text(content)
    assert main(["fit", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert err.startswith("sccgames fit: bad.toml: ")
    assert message in err
    assert not (tmp_path / "out").exists()


def test_a_finished_fit_is_not_overwritten_by_accident(tmp_path, capsys):
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(small_fit(bootstrap=0, train_rounds=None)))
    out = str(tmp_path / "out")
    assert main(["fit", str(path), "--out", out, "--quiet"]) == 0
    assert main(["fit", str(path), "--out", out, "--quiet"]) == 2
    assert "already complete" in capsys.readouterr().err
    assert main(["fit", str(path), "--out", out, "--quiet", "--overwrite"]) == 0


def test_a_regime_the_training_rounds_cannot_identify_is_a_one_line_error(tmp_path, capsys):
    tree = small_fit()
    # score steps from round 6 on: the value of a score (lambda) is not in rounds 0-5
    tree["society"]["schedule"][2]["regime"] = {"kind": "social_credit", "fine": 3.0}
    path = tmp_path / "steps.yaml"
    path.write_text(yaml.safe_dump(tree))
    assert main(["fit", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("sccgames fit: steps.yaml: fit.train_rounds: cannot predict the rounds")
    assert "score_value" in err and not (tmp_path / "out").exists()


def test_run_refuses_a_fit_kind_and_runs_a_society_with_a_fit_section(tmp_path, capsys):
    assert main(["run", str(GR), "--out", str(tmp_path / "gr"), "--quiet"]) == 2
    assert "kind = 'fit' is fitted, not run: use 'sccgames fit FILE'" in capsys.readouterr().err
    assert not (tmp_path / "gr").exists()
    tables = experiment.run(small_fit(), out=tmp_path / "society", progress_bar=False)
    assert set(tables) == {"metrics", "by_type", "agents"}


def test_run_folders_take_other_files_atomically(tmp_path):
    from sccgames.experiments.runs import MANIFEST, RunFolder

    folder = RunFolder.create(tmp_path / "r", config={}, seed=0, kind=fitting.RUN_KIND)
    folder.write_file("a.png", b"png")
    for bad in ("", "../a.png", ".hidden", MANIFEST):
        with pytest.raises(ValueError, match="plain file name"):
            folder.write_file(bad, b"x")
    folder.finish()
    assert json.loads((tmp_path / "r" / MANIFEST).read_text())["files"] == ["a.png"]
    assert (tmp_path / "r" / "a.png").read_bytes() == b"png"
    assert not [p for p in (tmp_path / "r").iterdir() if p.name.startswith(".tmp")]
    with pytest.raises(ValueError, match="already finished"):
        folder.write_file("b.png", b"png")
