"""Tests for experiment files (:mod:`sccgames.experiments.config`)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import axelrod as axl
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import sccgames as scc
from sccgames import limits
from sccgames.experiments import config
from sccgames.experiments.config import ConfigError

SOCIETY_TOML = """
kind = "society"
seed = 7

[society]
rounds = 30
game = {kind = "public_goods", group_size = 4, endowment = 2.5, mpcr = 0.4}
domains = {economic = 0.5, private = 0.5}
matching = {kind = "fixed", rematch = 0.2, homophily = 0.3}
dtype = "float64"
imitation = {rate = 0.1, selection = 2.0}

[society.population]
size = 200
shares = {Citizen = 0.8, HomoEconomicus = 0.2}
communities = 2
fehr_schmidt = true

[society.population.distributions]
"legitimacy.initial" = {kind = "discrete", values = [0.2], probabilities = [1.0]}
"beta" = {kind = "uniform", loc = 0.5, scale = 1.0}

[[society.schedule]]
start = 0
regime = "none"

[[society.schedule]]
start = 10
regime = {kind = "combined", parts = [
  {kind = "social_credit", coverage = {economic = 0.8, private = 0.0}, fine = 0.25},
  {kind = "community_reputation", norm = "stern_judging"},
]}

[sweep]
repetitions = 2
grid = {"society.rounds" = [10, 20], "seed" = [1, 2, 3]}

[execution]
processes = 2
"""

TOURNAMENT_TOML = """
kind = "tournament"
name = "watched"
seed = 3

[tournament]
players = ["HomoEconomicus", "Moralist", "Tit For Tat", "Defector"]
turns = 20
repetitions = 2
noise = 0.05
game = {kind = "lost_wallet", money = 5}
domains = {watched = 0.5, unwatched = 0.5}
regime = {kind = "social_credit", coverage = {watched = 1.0, unwatched = 0.0}, fine = 2}
"""


def base_society() -> dict[str, Any]:
    """A small valid society config."""
    return {
        "kind": "society",
        "society": {
            "rounds": 5,
            "population": {"size": 20, "shares": {"Citizen": 0.5, "Moralist": 0.5}},
            "regime": {"kind": "social_credit", "fine": 0.25},
        },
    }


def base_tournament() -> dict[str, Any]:
    """A small valid tournament config."""
    return {
        "kind": "tournament",
        "tournament": {"players": ["Defector", "Cooperator", "Tit For Tat"], "turns": 5},
    }


def error_of(data: dict[str, Any], *, build: bool = False) -> str:
    """The message of the ConfigError that parsing (or validating) ``data`` raises."""
    with pytest.raises(ConfigError) as info:
        (config.validate if build else config.parse)(data, "x.toml")
    message = str(info.value)
    assert "\n" not in message
    return message


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("suffix", [".toml", ".yaml", ".yml"])
def test_society_round_trip(tmp_path: Path, suffix: str) -> None:
    import tomllib

    text = SOCIETY_TOML
    if suffix != ".toml":
        text = yaml.safe_dump(tomllib.loads(SOCIETY_TOML))
    experiment = config.load(write(tmp_path, "crowding" + suffix, text))
    assert experiment.name == "crowding"
    assert experiment.seed == 7
    society = experiment.build()
    assert isinstance(society, scc.Society)
    assert society.rounds == 30 and society.seed == 7 and society.dtype == "float64"
    assert society.game == scc.PublicGoods(group_size=4, endowment=2.5, mpcr=0.4)
    assert society.domains == {"economic": 0.5, "private": 0.5}
    assert society.matching == scc.FixedPartners(rematch=0.2, homophily=0.3)
    assert society.imitation == scc.Imitation(rate=0.1, selection=2.0)
    pop = society.population
    assert pop.size == 200 and pop.communities == 2
    assert pop.shares == {"Citizen": 0.8, "HomoEconomicus": 0.2}
    assert set(pop.distributions) == {"emotion.envy", "emotion.guilt", "legitimacy.initial", "beta"}
    assert pop.distributions["legitimacy.initial"] == scc.Discrete([0.2], [1.0])
    assert pop.distributions["beta"].kwds == {"loc": 0.5, "scale": 1.0}
    plan = society.regime
    assert isinstance(plan, scc.Schedule) and plan.starts == [0, 10]
    assert plan.phases[0] == scc.NoRegime()
    credit = plan.phases[10].credit
    assert credit.fine == 0.25 and credit.coverage == {"economic": 0.8, "private": 0.0}
    assert plan.phases[10].community.norm is scc.Assessment.STERN_JUDGING
    assert experiment.execution.processes == 2
    json.dumps(experiment.raw)  # plain data
    assert experiment.raw["society"]["regime"] is None
    assert experiment.raw["society"]["schedule"][1]["regime"]["parts"][0]["reward"] == 0.5


@pytest.mark.parametrize("suffix", [".toml", ".yaml"])
def test_tournament_round_trip(tmp_path: Path, suffix: str) -> None:
    import tomllib

    text = TOURNAMENT_TOML
    if suffix == ".yaml":
        text = yaml.safe_dump(tomllib.loads(TOURNAMENT_TOML))
    experiment = config.load(write(tmp_path, "t" + suffix, text))
    tournament = experiment.build()
    assert isinstance(tournament, scc.Tournament)
    assert tournament.names == ["Homo Economicus", "Moralist", "Tit For Tat", "Defector"]
    assert (tournament.turns, tournament.repetitions, tournament.noise) == (20, 2, 0.05)
    assert tournament.seed == 3 and tournament.processes == 1
    assert isinstance(tournament.game, scc.LostWallet) and tournament.game.money == 5
    assert tournament.regime == scc.SocialCredit(
        coverage={"watched": 1.0, "unwatched": 0.0}, fine=2
    )
    assert experiment.name == "watched"
    assert experiment.raw["tournament"]["game"]["effort"] == 0.25


def test_toml_and_yaml_give_the_same_config(tmp_path: Path) -> None:
    import tomllib

    toml = config.load(write(tmp_path, "a.toml", SOCIETY_TOML))
    yml = config.load(write(tmp_path, "a.yaml", yaml.safe_dump(tomllib.loads(SOCIETY_TOML))))
    assert toml.raw == yml.raw and toml.digest() == yml.digest()
    other = config.parse(config.with_overrides(toml.raw, {"seed": 8}), "a.toml")
    assert other.digest() != toml.digest()


def test_defaults_are_filled_in() -> None:
    experiment = config.parse(base_tournament(), "runs/t.toml")
    raw = experiment.raw
    assert raw["name"] == "t" and raw["seed"] == 0
    assert raw["tournament"]["repetitions"] == 10 and raw["tournament"]["game"] == "pd"
    assert raw["execution"] == {"processes": 1, "backend": "local", "scheduler": ""}
    assert raw["output"] == {"directory": ""}
    assert experiment.to_dict() == raw and experiment.to_dict() is not raw
    tournament = experiment.build()
    assert tournament.regime == scc.NoRegime() and tournament.game == axl.Game()


def test_string_regime_and_game_names() -> None:
    data = base_society()
    data["society"]["regime"] = "peer_punishment"
    data["society"]["game"] = "stag_hunt"
    society = config.validate(data).build()
    assert society.regime == scc.PeerPunishment()
    assert society.game == scc.stag_hunt()


# ----------------------------------------------------------------------------- errors
def _set(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    *head, last = path.split("/")
    node = data
    for key in head:
        node = node[key]
    node[last] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (
            "society/rounds",
            "ten",
            "x.toml: society.rounds: expected a whole number in [1, 1000000], got 'ten'",
        ),
        (
            "society/rounds",
            0,
            "x.toml: society.rounds: expected a whole number in [1, 1000000], got 0",
        ),
        ("society/population/size", True, "society.population.size: expected a whole number"),
        ("society/rounds", 2.0, "society.rounds: expected a whole number in [1, 1000000], got 2.0"),
        ("society/regime/fine", "high", "society.regime.fine: expected a number, got 'high'"),
        ("society/regime/fine", float("nan"), "society.regime.fine: expected a number"),
        (
            "society/regime/fnie",
            1,
            "x.toml: society.regime.fnie: unknown key; did you mean 'fine'?",
        ),
        ("sede", 1, "x.toml: sede: unknown key; did you mean 'seed'? (allowed: kind, name, seed"),
        ("society/dtype", "float16", "society.dtype: unknown value 'float16'"),
        ("society/game", "__import__('os')", "society.game: unknown value"),
        ("society/game", {"kind": "chess"}, "society.game.kind: unknown value 'chess'"),
        ("society/game", {"mpcr": 0.4}, "society.game.kind: missing required key"),
        (
            "society/game",
            {"kind": "trust", "multipler": 2},
            "society.game.multipler: unknown key; did you",
        ),
        ("society/matching", {"kind": "fixed", "rewire": 0.1}, "society.matching.rewire"),
        (
            "society/regime",
            {"kind": "combined", "parts": []},
            "society.regime.parts: expected a list",
        ),
        ("society/population/shares", {"Citizen": "all"}, "society.population.shares.Citizen"),
        ("society/population", 20, "society.population: expected a table, got 20"),
        ("seed", -1, "x.toml: seed: expected a whole number >= 0, got -1"),
        ("kind", "evolution", "kind: unknown value 'evolution'"),
        ("tournament", {"players": ["A", "B"]}, "x.toml: tournament: not allowed when kind"),
        (
            "society/population/distributions",
            {"beta": {"kind": "uniform", "loc": "1+1"}},
            "society.population.distributions.beta.loc: expected a number, got '1+1'",
        ),
        (
            "society/population/distributions",
            {"beta": {"kind": "os.system"}},
            "distributions.beta.kind: unknown value 'os.system'",
        ),
        (
            "society/population/distributions",
            {"beta": {"kind": "beta", "a": 1}},
            "distributions.beta.b: missing required key",
        ),
    ],
)
def test_parse_errors_name_the_path(path: str, value: Any, expected: str) -> None:
    assert expected in error_of(_set(base_society(), path, value))


def test_missing_required_keys() -> None:
    data = base_society()
    del data["society"]["rounds"]
    assert "x.toml: society.rounds: missing required key" in error_of(data)
    assert "kind: missing required key" in error_of({"society": {}})
    assert "x.toml: society: missing required section" in error_of({"kind": "society"})


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (
            "society/regime/coverage",
            1.5,
            "x.toml: society.regime.coverage: SocialCredit.coverage must be in [0, 1], got 1.5",
        ),
        ("society/regime/fine", -1, "society.regime.fine: SocialCredit.fine must be in"),
        ("society/population/shares", {"Citizen": 0.5}, "society.population.shares: Population"),
        ("society/population/shares", {"Nobody": 1.0}, "population.shares.Nobody: unknown motive"),
        ("society/game", {"kind": "trust", "returned": 2}, "society.game.returned: TrustGame"),
        ("society/game", {"kind": "pd", "t": 0}, "society.game: prisoners_dilemma needs"),
        ("society/imitation", {"rate": 3}, "society.imitation.rate: Imitation.rate must be"),
        ("society/domains", {"a": 0.2}, "society.domains: domain shares must sum to 1"),
        (
            "society/regime",
            {"kind": "community_reputation", "norm": "harsh"},
            "society.regime.norm: unknown value 'harsh'",
        ),
        (
            "society/population/distributions",
            {"beta": {"kind": "discrete", "values": [1, 2], "probabilities": [0.5]}},
            "society.population.distributions.beta: Discrete needs one probability per value",
        ),
        (
            "society/population/distributions",
            {"beta": {"kind": "gamma", "a": -1}},
            "distributions.beta: invalid parameters for scipy.stats.gamma",
        ),
        (
            "society/population/distributions",
            {"nonsense.path": {"kind": "norm"}},
            "society.population.distributions: Population.distributions has unknown parameter",
        ),
    ],
)
def test_api_errors_are_wrapped_with_the_path(path: str, value: Any, expected: str) -> None:
    data = _set(base_society(), path, value)
    assert expected in error_of(data, build=True)


def test_unknown_strategy_names_its_index() -> None:
    data = base_tournament()
    data["tournament"]["players"][2] = "Tit For Tatt"
    message = error_of(data, build=True)
    assert message.startswith("x.toml: tournament.players[2]: unknown strategy 'Tit For Tatt'")
    assert "did you mean 'Tit For Tat'" in message


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("players", ["Defector"], "tournament.players: expected a list of at least 2"),
        ("players", ["Defector", 3], "tournament.players[1]: expected a string, got 3"),
        ("game", "public_goods", "tournament.game: unknown value 'public_goods'"),
        ("game", {"kind": "trust"}, "tournament.game.kind: unknown value 'trust'"),
        ("regime", {"kind": "peer_punishment"}, "tournament.regime.kind: unknown value"),
        ("noise", "0.1", "tournament.noise: expected a number, got '0.1'"),
    ],
)
def test_tournament_errors(key: str, value: Any, expected: str) -> None:
    assert expected in error_of(_set(base_tournament(), f"tournament/{key}", value))


def test_tournament_api_errors() -> None:
    data = _set(base_tournament(), "tournament/noise", 2)
    assert "x.toml: tournament.noise: noise must be in [0, 1], got 2" in error_of(data, build=True)
    data = _set(base_tournament(), "tournament/regime", {"kind": "social_credit", "fine": -2})
    assert "tournament.regime.fine: SocialCredit.fine" in error_of(data, build=True)


def test_schedule_and_regime_are_exclusive() -> None:
    data = base_society()
    data["society"]["schedule"] = [{"start": 0, "regime": "none"}]
    message = error_of(data)
    assert "x.toml: society.schedule: give either 'regime' or 'schedule', not both" in message
    del data["society"]["regime"]
    assert config.parse(data).society.schedule[0].regime.kind == "none"


def test_schedule_errors() -> None:
    data = base_society()
    del data["society"]["regime"]
    data["society"]["schedule"] = [{"start": 0, "regime": "none"}, {"start": 0, "regime": "none"}]
    assert "society.schedule[1].start: round 0 starts two phases" in error_of(data)
    data["society"]["schedule"] = [{"start": 5, "regime": {"kind": "social_credit", "fin": 1}}]
    assert "society.schedule[0].regime.fin: unknown key; did you mean 'fine'?" in error_of(data)
    data["society"]["schedule"] = [{"start": 5, "regime": "none"}]
    assert "society.schedule: Schedule must say what holds from round 0" in error_of(
        data, build=True
    )
    data["society"]["schedule"] = [{"start": 0, "regime": {"kind": "peer_punishment", "cost": -1}}]
    assert "society.schedule[0].regime.cost: PeerPunishment.cost" in error_of(data, build=True)


# ----------------------------------------------------------------------------- files
def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^x\.json: unknown file type '\.json'"):
        config.load(write(tmp_path, "x.json", "{}"))
    with pytest.raises(ConfigError, match=r"^nope\.toml: no such file"):
        config.load(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match=r"^bad\.toml: TOML syntax error: .*line 2, column"):
        config.load(write(tmp_path, "bad.toml", 'kind = "society"\nseed = = 1\n'))
    with pytest.raises(ConfigError, match=r"^bad\.yaml: YAML syntax error at line 2, column"):
        config.load(write(tmp_path, "bad.yaml", "kind: society\n  seed: [1\n"))
    with pytest.raises(ConfigError, match=r"^list\.yaml: expected a table at the top level"):
        config.load(write(tmp_path, "list.yaml", "- 1\n- 2\n"))
    with pytest.raises(ConfigError, match=r"^x\.yml: society\.rounds: expected a whole number"):
        config.load(
            write(tmp_path, "x.yml", yaml.safe_dump(_set(base_society(), "society/rounds", "ten")))
        )


def test_yaml_is_loaded_safely(tmp_path: Path) -> None:
    text = "kind: !!python/object/apply:os.system ['echo pwned']\n"
    with pytest.raises(ConfigError, match="YAML syntax error"):
        config.load(write(tmp_path, "evil.yaml", text))


# ----------------------------------------------------------------------------- sweeps
def test_sweep_grid_order_and_counts() -> None:
    data = base_society()
    data["sweep"] = {
        "repetitions": 2,
        "grid": {"society.regime.fine": [0.25, 1.0, 3.0], "seed": [1, 2]},
    }
    points = config.sweep_points(config.parse(data))
    assert len(points) == 3 * 2 * 2
    assert points[:5] == [
        ({"society.regime.fine": 0.25, "seed": 1}, 0),
        ({"society.regime.fine": 0.25, "seed": 1}, 1),
        ({"society.regime.fine": 0.25, "seed": 2}, 0),
        ({"society.regime.fine": 0.25, "seed": 2}, 1),
        ({"society.regime.fine": 1.0, "seed": 1}, 0),
    ]
    assert points[-1] == ({"society.regime.fine": 3.0, "seed": 2}, 1)


def test_sweep_points_and_no_sweep() -> None:
    data = base_society()
    assert config.sweep_points(config.parse(data)) == [({}, 0)]
    data["sweep"] = {"points": [{"society.regime.fine": 0.25}, {"society.regime.fine": 3.0}]}
    experiment = config.validate(data)
    assert config.sweep_points(experiment) == [
        ({"society.regime.fine": 0.25}, 0),
        ({"society.regime.fine": 3.0}, 0),
    ]
    point = config.with_overrides(experiment.raw, config.sweep_points(experiment)[1][0])
    assert config.parse(point).build().regime.fine == 3.0


def test_sweep_errors() -> None:
    data = base_society()
    data["sweep"] = {"grid": {"seed": [1]}, "points": [{"seed": 1}]}
    assert "x.toml: sweep.points: give either 'grid' or 'points', not both" in error_of(data)
    data["sweep"] = {"grid": {"society.regime.fnie": [1]}}
    assert "x.toml: sweep.grid['society.regime.fnie'][0]: society.regime.fnie: unknown" in error_of(
        data
    )
    data["sweep"] = {"grid": {"society.rounds": [10, "ten"]}}
    assert "sweep.grid['society.rounds'][1]: society.rounds: expected a whole number" in error_of(
        data
    )
    data["sweep"] = {"points": [{"seed": 1}, {"society.regime.fine": -1}]}
    message = error_of(data, build=True)
    assert "x.toml: society.regime.fine: at sweep point (society.regime.fine = -1)" in message
    data["sweep"] = {"repetitions": 0, "grid": {"seed": [1]}}
    assert "sweep.repetitions: expected a whole number in [1, 10000], got 0" in error_of(data)


def test_with_overrides() -> None:
    raw = config.parse(base_society()).raw
    before = copy.deepcopy(raw)
    out = config.with_overrides(raw, {"society.regime.fine": 1.0, "seed": 4})
    assert out["society"]["regime"]["fine"] == 1.0 and out["seed"] == 4
    assert raw == before  # the input is left alone
    raw["society"]["population"]["distributions"] = {
        "legitimacy.initial": {"kind": "norm", "loc": 0}
    }
    out = config.with_overrides(raw, {"society.population.distributions.legitimacy.initial.loc": 2})
    assert out["society"]["population"]["distributions"]["legitimacy.initial"]["loc"] == 2
    with pytest.raises(ConfigError, match=r"^society\.regime\.fnie: unknown key path"):
        config.with_overrides(raw, {"society.regime.fnie": 1})
    with pytest.raises(ConfigError, match="not a table"):
        config.with_overrides(raw, {"seed.value": 1})


# ----------------------------------------------------------------------------- the schema
EXAMPLES = [base_society(), base_tournament()]


def test_json_schema() -> None:
    schema = json.loads(json.dumps(config.json_schema()))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["kind"]["enum"] == ["tournament", "society", "fit"]
    assert schema["additionalProperties"] is False and "kind" in schema["required"]
    society = schema["properties"]["society"]
    regime_kinds = {
        o.get("properties", {}).get("kind", {}).get("const")
        for o in society["properties"]["regime"]["anyOf"]
    }
    assert {
        "none",
        "social_credit",
        "peer_punishment",
        "community_reputation",
        "combined",
    } <= regime_kinds
    credit = next(
        o
        for o in society["properties"]["regime"]["anyOf"]
        if o.get("properties", {}).get("kind") == {"const": "social_credit"}
    )
    assert credit["additionalProperties"] is False
    number = {"type": "number", "minimum": -1e6, "maximum": 1e6}
    assert credit["properties"]["fine"] == {
        "anyOf": [number, {"type": "array", "items": number, "minItems": 1}],
        "default": 3.0,
    }
    coverage = credit["properties"]["coverage"]["anyOf"]
    assert coverage[:2] == [number, {"type": "object", "additionalProperties": number}]
    assert coverage[2]["type"] == "array"  # one coverage (or mapping) per community
    assert credit["properties"]["public_scores"]["type"] == "boolean"
    assert society["properties"]["rounds"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": limits.MAX_ROUNDS,
    }
    tournament_games = schema["properties"]["tournament"]["properties"]["game"]["anyOf"][0]["enum"]
    assert "public_goods" not in tournament_games and "lost_wallet" in tournament_games


@pytest.mark.parametrize("text", [SOCIETY_TOML, TOURNAMENT_TOML])
def test_json_schema_validates_examples(text: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import tomllib

    schema = config.json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(tomllib.loads(text), schema)
    for data in EXAMPLES:
        jsonschema.validate(data, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(_set(base_society(), "society/regime/fnie", 1), schema)


CONFIGS = Path(__file__).resolve().parents[2] / "configs"


@pytest.mark.parametrize("path", sorted(CONFIGS.iterdir()), ids=lambda p: p.name)
def test_json_schema_validates_every_example_config(path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import tomllib

    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    jsonschema.validate(data, config.json_schema())


# ----------------------------------------------------------------------------- [fit]
def base_fit(**fit: Any) -> dict[str, Any]:
    """A small valid society config with a fit section."""
    data = base_society()
    data["fit"] = {"train_rounds": 3, **fit}
    return data


def test_fit_section_defaults_and_spec() -> None:
    from sccgames.inference.compare import MODELS, Model

    experiment = config.parse(base_fit())
    spec = experiment.fit
    assert spec == config.FitSpec(MODELS, 5, 3, "society", None, 0, 99)
    assert spec.models == (Model.RATIONAL, Model.LEARNING, Model.REPUTATION, Model.MOTIVE)
    assert not spec.published
    assert experiment.raw["fit"] == {
        "models": ["rational", "learning", "reputation", "motive"],
        "starts": 5,
        "train_rounds": 3,
        "data": "society",
        "payoffs": None,
        "bootstrap": 0,
        "lr_draws": 99,
        "columns": {},
    }
    # the models come in the order of inference.MODELS whatever the file's order
    shuffled = ["motive", "learning", "reputation", "rational"]
    assert config.parse(base_fit(models=shuffled)).fit.models == MODELS
    two = config.parse(base_fit(models=["motive", "rational"])).fit.models
    assert two == (Model.RATIONAL, Model.MOTIVE)
    assert config.parse(base_society()).fit is None
    gr = config.parse({"kind": "fit", "fit": {"data": "gneezy_rustichini_2000"}})
    assert gr.fit.published and gr.society is None and gr.tournament is None
    assert config.validate(gr) is gr  # nothing to build, nothing to read
    with pytest.raises(ConfigError, match=r"^<config>: kind: kind = 'fit' describes no"):
        gr.build()
    csv = config.parse({"kind": "fit", "fit": {"data": "d/Choices.CSV", "payoffs": "stag_hunt"}})
    assert csv.fit.from_file and csv.fit.payoffs == config.Component("stag_hunt")


@pytest.mark.parametrize(
    ("fit", "expected"),
    [
        ({"modles": ["rational"]}, "x.toml: fit.modles: unknown key; did you mean 'models'?"),
        ({"starts": 0}, "x.toml: fit.starts: expected a whole number in [1, 1000], got 0"),
        ({"starts": "5"}, "fit.starts: expected a whole number in [1, 1000], got '5'"),
        ({"starts": 2.5}, "fit.starts: expected a whole number in [1, 1000], got 2.5"),
        ({"bootstrap": -1}, "fit.bootstrap: expected a whole number in [0, 10000], got -1"),
        (
            {"train_rounds": True},
            "fit.train_rounds: expected a whole number in [1, 1000000], got True",
        ),
        ({"models": "rational"}, "fit.models: expected a list of at least 1, got 'rational'"),
        ({"models": []}, "fit.models: expected a list of at least 1, got []"),
        (
            {"models": ["rational", "motiv"]},
            "fit.models[1]: unknown value 'motiv'; did you mean 'motive'?",
        ),
        ({"models": ["motive", "motive"]}, "fit.models[1]: 'motive' is given twice"),
        (
            {"models": [1]},
            "fit.models[0]: expected one of 'rational', 'learning', 'reputation', 'motive', got 1",
        ),
        ({"data": "socety"}, "fit.data: unknown value 'socety'; did you mean 'society'?"),
        ({"data": "choices.xlsx"}, "or a path ending in .csv"),
        ({"data": 3}, "fit.data: expected one of 'society', 'gneezy_rustichini_2000' or a path"),
        ({"train_rounds": 5}, "fit.train_rounds: expected a round in 1..4"),
        ({"payoffs": "pd"}, "fit.payoffs: only for data from a .csv file"),
        ({"columns": {"money": "stakes"}}, "fit.columns: only for data from a .csv file"),
        ({"data": "gneezy_rustichini_2000"}, "fit.data: a society experiment fits its own"),
        ({"train_rounds": None, "bootstrap": 10}, "fit.bootstrap: needs fit.train_rounds"),
        (
            {"models": ["motive"], "bootstrap": 10},
            "fit.bootstrap: needs the motive model and a rational one",
        ),
    ],
)
def test_fit_section_errors(fit: dict[str, Any], expected: str) -> None:
    assert expected in error_of(base_fit(**fit))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            _set(base_tournament(), "fit", {}),
            "x.toml: fit: not allowed when kind = 'tournament' (only with kind = 'society' or "
            "'fit')",
        ),
        (_set(base_fit(), "fit", "yes"), "x.toml: fit: expected a table, got 'yes'"),
        ({"kind": "fit"}, "x.toml: fit: missing required section for kind = 'fit'"),
        ({"kind": "fit", "fit": {}}, "x.toml: fit.data: kind = 'fit' has no society to fit"),
        (
            {"kind": "fit", "fit": {"data": "x.csv", "columns": {"money": "stake"}}},
            "x.toml: fit.columns.money: unknown value 'stake'; did you mean 'stakes'?",
        ),
        (
            {"kind": "fit", "fit": {"data": "x.csv", "columns": {"money": 3}}},
            "x.toml: fit.columns.money: expected one of 'cooperated'",
        ),
        (
            {"kind": "fit", "fit": {"data": "x.csv", "payoffs": "public_goods"}},
            "fit.payoffs: unknown value 'public_goods'",
        ),
        (
            {"kind": "fit", "fit": {"data": "gneezy_rustichini_2000", "train_rounds": 8}},
            "fit.train_rounds: not used with data = 'gneezy_rustichini_2000'",
        ),
        (
            {"kind": "fit", "fit": {"data": "gneezy_rustichini_2000", "models": ["motive"]}},
            "fit.models: data = 'gneezy_rustichini_2000' is a comparison of every model",
        ),
        (
            {**base_society(), "kind": "fit", "fit": {"data": "gneezy_rustichini_2000"}},
            "x.toml: society: not allowed when kind = 'fit'",
        ),
        (
            _set(base_fit(), "sweep", {"grid": {"seed": [1, 2]}}),
            "x.toml: sweep: not allowed together with [fit]",
        ),
        (
            _set(base_fit(), "society/game", "public_goods"),
            "x.toml: society.game: a [fit] needs choices in a symmetric pairwise game",
        ),
    ],
)
def test_fit_section_placement_errors(data: dict[str, Any], expected: str) -> None:
    assert expected in error_of(data)


def test_json_schema_knows_the_fit_section() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = config.json_schema()
    fit = schema["properties"]["fit"]
    models = fit["properties"]["models"]["items"]["enum"]
    assert models == ["rational", "learning", "reputation", "motive"]
    assert fit["properties"]["models"]["uniqueItems"] is True
    assert fit["properties"]["starts"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": limits.MAX_FIT_STARTS,
        "default": 5,
    }
    jsonschema.validate(base_fit(), schema)
    jsonschema.validate({"kind": "fit", "fit": {"data": "a/b.Csv", "payoffs": "pd"}}, schema)
    mapped = {"kind": "fit", "fit": {"data": "a.csv", "columns": {"money": "stakes"}}}
    jsonschema.validate(mapped, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(_set(mapped, "fit/columns/money", "stake"), schema)
    for bad in (
        _set(base_tournament(), "fit", {}),
        _set(base_fit(), "fit/modles", ["motive"]),
        _set(base_fit(), "fit/models", ["motive", "motive"]),
        _set(base_fit(), "fit/data", "choices.xlsx"),
        _set(base_fit(), "sweep", {"grid": {"seed": [1]}}),
        {"kind": "fit"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


# ----------------------------------------------------------------------------- property
def _paths(tree: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(tree, dict):
        for k, v in tree.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(tree, list):
        for k, v in enumerate(tree):
            out += _paths(v, (*prefix, k))
    return out


JUNK = st.sampled_from(
    [
        "x",
        "",
        "none",
        True,
        False,
        -1,
        0,
        1,
        2.5,
        1e300,
        10**30,
        float("inf"),
        float("nan"),
        [],
        {},
        [1, "a"],
        {"kind": "x"},
        None,
    ]
)


@given(
    base=st.sampled_from([0, 1, 2, 3]),
    edits=st.lists(
        st.tuples(st.integers(0, 10**6), st.sampled_from(["delete", "rename", "swap"]), JUNK),
        min_size=1,
        max_size=3,
    ),
)
def test_malformed_configs_raise_only_config_errors(base: int, edits: list[Any]) -> None:
    import tomllib

    bases = [
        tomllib.loads(SOCIETY_TOML),
        tomllib.loads(TOURNAMENT_TOML),
        base_society(),
        base_fit(bootstrap=2),
    ]
    data = bases[base]
    for index, op, junk in edits:
        paths = _paths(data)
        if not paths:
            break
        *head, last = paths[index % len(paths)]
        parent = data
        for key in head:
            parent = parent[key]
        if op == "delete":
            del parent[last]
        elif op == "rename" and isinstance(parent, dict):
            parent[f"{last}x"] = parent.pop(last)
        else:
            parent[last] = junk
    try:
        experiment = config.validate(data, "x.toml")
    except ConfigError as exc:
        assert str(exc).startswith("x.toml: ") and "\n" not in str(exc)
    else:
        json.dumps(experiment.raw)


DISCRIMINATORY_TOML = """
kind = "society"
seed = 2

[society]
rounds = 4
domains = {economic = 0.5, private = 0.5}
population = {size = 40, communities = 2}

[society.regime]
kind = "social_credit"
false_positive = [0.3, 0.02]
false_negative = [0.05, 0.1]
fine = [3, 1]
coverage = [{economic = 0.9, private = 0.0}, {economic = 0.5, private = 0.0}]

[society.word_of_mouth]
weight = 0.1
negativity = 3
"""


@pytest.mark.parametrize("suffix", [".toml", ".yaml"])
def test_rates_per_community_and_word_of_mouth_in_an_experiment_file(
    tmp_path: Path, suffix: str
) -> None:
    import tomllib

    text = DISCRIMINATORY_TOML
    if suffix != ".toml":
        text = yaml.safe_dump(tomllib.loads(text))
    experiment = config.load(write(tmp_path, f"d{suffix}", text))
    society = experiment.build()
    assert society.word_of_mouth == scc.WordOfMouth(weight=0.1, negativity=3)
    regime = society.regime
    assert regime.false_positive == (0.3, 0.02) and regime.fine == (3, 1)
    assert regime.coverage_for("economic", 0) == 0.9
    data = config.parse(tomllib.loads(DISCRIMINATORY_TOML)).raw
    data["society"]["population"]["communities"] = 3
    assert "x.toml: society: SocialCredit rates per community" in error_of(data, build=True)
    data["society"]["regime"]["false_positive"] = [0.3, "high"]
    assert "society.regime.false_positive[1]: expected a number" in error_of(data)
    tournament = _set(
        base_tournament(), "tournament/regime", {"kind": "social_credit", "fine": [1.0, 2.0]}
    )
    assert "a Match or a tournament has none" in error_of(tournament, build=True)
    data["society"]["regime"]["false_positive"] = [0.3, 0.1]
    data["society"]["population"]["communities"] = 2
    data["society"]["word_of_mouth"] = {"weight": 2.0}
    message = error_of(data, build=True)
    assert "society.word_of_mouth.weight: WordOfMouth.weight must be in [0, 1]" in message
    data["society"]["word_of_mouth"] = {"wieght": 0.1}
    assert "society.word_of_mouth.wieght" in error_of(data)


def test_a_run_of_communities_writes_each_communitys_figures(tmp_path: Path) -> None:
    """What the regime did to each community is in the run folder, from outside."""
    import tomllib

    from sccgames.experiments import experiment as runs

    tree = tomllib.loads(DISCRIMINATORY_TOML)
    written = runs.run(tree, out=tmp_path / "run", progress_bar=False)
    assert set(written) == {"metrics", "by_type", "agents", "by_community"}
    again = runs.load_run(tmp_path / "run")["by_community"]
    assert len(again) == 4 * 2 and set(again["community"]) == {0, 1}
    assert "false_positive" in again.columns and "legitimacy" in again.columns
