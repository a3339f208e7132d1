"""Tests for the limits of experiment files and the API (:mod:`sccgames.limits`).

Every finding of issue 21 about inputs that ``validate`` accepted and ``run`` could not
survive is one exact file here; the command line (in a fresh process, under an address-space
limit) must answer each with exit 2 and one line, and write nothing. A property test feeds
hostile files (deep nesting, aliases, duplicate keys, huge numbers, NaN and infinities, wrong
types, long strings and keys, unknown keys) to the same checks.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sccgames as scc
from sccgames import limits
from sccgames.experiments import config
from sccgames.experiments.config import ConfigError
from tests.files import snapshot

ROOT = Path(__file__).resolve().parents[1]
#: The address-space limit of the command-line processes: importing sccgames (numpy, scipy,
#: pandas, axelrod, dask) reserves about 1.7 GB of address space before any work.
ADDRESS_SPACE = 3 * 2**30


def _society(extra: str = "", population: str = "size = 10", rounds: int = 5) -> str:
    return (
        f'kind = "society"\n[society]\nrounds = {rounds}\n{extra}\n'
        f"[society.population]\n{population}\n"
    )


def _bomb() -> str:
    """A billion laughs: nine levels of nine aliases each, 9⁹ strings from ~400 bytes."""
    lines = ["kind: society", "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines.append("society: {rounds: 5, population: {size: 10}, domains: *i}")
    return "\n".join(lines) + "\n"


_GRID = ", ".join(
    f'"{key}" = [{", ".join(str(v) for v in values)}]'
    for key, values in (
        ("seed", range(100)),
        ("society.rounds", range(1, 101)),
        ("society.population.size", range(2, 102)),
    )
)
#: Each finding: file name, exact content, a fragment of the one line expected.
FINDINGS: dict[str, tuple[str, str, str]] = {
    "size": (
        "size.toml",
        _society(population="size = 10000000000"),
        "society.population.size: expected a whole number in [2, 100000000], got 10000000000",
    ),
    "size_yaml": (
        "size.yaml",
        f"kind: society\nsociety:\n  rounds: 5\n  population:\n    size: {10**30}\n",
        "society.population.size: expected a whole number in [2, 100000000], got 1000000",
    ),
    "size_yaml_expression": (
        "expression.yaml",
        "kind: society\nsociety:\n  rounds: 5\n  population:\n    size: 10**30\n",
        "society.population.size: expected a whole number in [2, 100000000], got '10**30'",
    ),
    "turns": (
        "turns.toml",
        'kind = "tournament"\n[tournament]\nplayers = ["Cooperator", "Defector"]\n'
        "turns = 1000000000000\n",
        "tournament.turns: expected a whole number in [1, 1000000], got 1000000000000",
    ),
    "repetitions": (
        "repetitions.toml",
        'kind = "tournament"\n[tournament]\nplayers = ["Cooperator", "Defector"]\n'
        "repetitions = 1000000000000\n",
        "tournament.repetitions: expected a whole number in [1, 1000000], got 1000000000000",
    ),
    "grid": (
        "grid.toml",
        _society() + f"[sweep]\ngrid = {{{_GRID}}}\n",
        "sweep: 100 × 100 × 100 × 1 repetitions is 1000000 runs; a sweep has at most 10000",
    ),
    "rounds": (
        "rounds.toml",
        _society(rounds=10**12),
        "society.rounds: expected a whole number in [1, 1000000], got 1000000000000",
    ),
    "memory": (
        "memory.toml",
        _society(population="size = 100000000"),
        "society: needs about 74.5 GiB of memory (100000000 citizens, 5 rounds), more than",
    ),
    "deep_toml": (
        "deep.toml",
        'kind = "society"\nx = ' + "[" * 5000 + "]" * 5000 + "\n",
        "deep.toml: tables and lists nested more than 32 levels deep",
    ),
    "deep_yaml": (
        "deep.yaml",
        "kind: society\nx: " + "{a: " * 20000 + "1" + "}" * 20000 + "\n",
        "deep.yaml: YAML at line 2, column 125: tables and lists nested more than 32 levels",
    ),
    "alias_bomb": (
        "bomb.yaml",
        _bomb(),
        "bomb.yaml: more than 200000 values (YAML aliases count each time they are used)",
    ),
    "recursive_alias": (
        "recursive.yaml",
        "kind: society\nsociety: &s {rounds: 5, population: {size: 10}, x: *s}\n",
        "tables and lists nested more than 32 levels deep",
    ),
    "duplicate_key": (
        "duplicate.yaml",
        "kind: society\nseed: 1\nseed: 7\nsociety: {rounds: 5, population: {size: 10}}\n",
        "duplicate.yaml: YAML at line 3, column 1: key 'seed' is given twice",
    ),
    "fine_float32": (
        "fine.toml",
        _society(extra='regime = {kind = "social_credit", fine = 1e39}'),
        "society.regime.fine: expected a number in [-1e+06, 1e+06] (so that float32 states",
    ),
    "long_key": (
        "key.toml",
        _society() + "k" * 10**6 + " = 1\n",
        "society.population: key 'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk... is 1000000 "
        "characters long; keys have at most 256",
    ),
    "long_value": (
        "value.toml",
        'kind = "society"\nseed = 1\n[society]\nrounds = 5\ndtype = "'
        + "f" * 10**6
        + '"\n[society.population]\nsize = 10\n',
        "society.dtype: a string of 1000000 characters; strings have at most 4096",
    ),
    "group_size": (
        "group.toml",
        _society(extra='game = {kind = "public_goods", group_size = 1000}'),
        "society.game.group_size: groups of 1000 cannot form in a society of 10 citizens",
    ),
    "late_phase": (
        "schedule.toml",
        _society()
        + '[[society.schedule]]\nstart = 0\nregime = "none"\n'
        + '[[society.schedule]]\nstart = 5\nregime = {kind = "social_credit"}\n',
        "society.schedule[1].start: round 5 is after the last round (4) of society.rounds = 5",
    ),
    "communities": (
        "communities.toml",
        _society(population="size = 10\ncommunities = 50"),
        "society.population.communities: expected at most society.population.size (10) "
        "communities, so that none is empty, got 50",
    ),
}
#: Findings about ``sccgames fit``'s data: a .csv file next to the experiment file.
HEADER = "subject,round,cooperated,partner_c,partner_moves,c_then_c,after_c,d_then_c,after_d"
FIT_FINDINGS: dict[str, tuple[str, str, str, str]] = {
    "header_only_csv": (
        "header.toml",
        HEADER + "\n",
        "c.csv has a header and no rows of choices",
        "",
    ),
    "coverage_csv": (
        "coverage.toml",
        HEADER + ",coverage\n1,0,1,0,0,0,0,0,0,0.5\n1,1,0,1,1,0,0,0,0,2.0\n",
        "c.csv: data row 2, column 'coverage': 2.0 is outside the allowed range [0, 1]",
        "",
    ),
}


def _fit_file(name: str) -> str:
    return f'kind = "fit"\n[fit]\ndata = "{name}"\npayoffs = "pd"\n'


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"}


#: Runs ``sccgames.cli.main`` (what ``python -m sccgames`` runs) for each command and file in
#: one fresh process under an address-space limit, so that the import (~10 s) is paid once.
_DRIVER = textwrap.dedent(
    """
    import contextlib, io, json, resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
    from sccgames.cli import main
    # the time bound is the work's, not the imports'
    import sccgames.experiments.experiment, sccgames.inference.fitting
    out = []
    for argv in json.loads(sys.argv[1]):
        err, start = io.StringIO(), time.perf_counter()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            try:
                code = main(argv)
            except SystemExit as exit:
                code = exit.code
        out.append([argv, code, err.getvalue(), time.perf_counter() - start])
    print(json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def cli_answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every finding through ``validate`` and ``run`` (``fit`` for the data), in one process."""
    top = tmp_path_factory.mktemp("findings")
    work = top / "work"
    work.mkdir()
    calls = []
    for key, (name, text, _) in FINDINGS.items():
        (work / name).write_text(text, encoding="utf-8")
        calls += [(key, ["validate", name]), (key, ["run", name, "--quiet"])]
    for key, (name, csv, _, _) in FIT_FINDINGS.items():
        folder = work / key
        folder.mkdir()
        (folder / "c.csv").write_text(csv)
        (folder / name).write_text(_fit_file(str(folder / "c.csv")))
        calls += [
            (key, ["validate", f"{key}/{name}"]),
            (key, ["fit", f"{key}/{name}", "--quiet"]),
        ]
    before = snapshot(top)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _DRIVER.format(limit=ADDRESS_SPACE),
            json.dumps([c for _, c in calls]),
        ],
        capture_output=True,
        text=True,
        cwd=work,
        env=_env(),
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    answers: dict[str, list[Any]] = {}
    for (key, _), answer in zip(calls, json.loads(done.stdout), strict=True):
        answers.setdefault(key, []).append(answer)
    return {"answers": answers, "changed": snapshot(top) != before, "top": top}


def _assert_one_line(answer: list[Any], fragment: str) -> None:
    argv, code, err, seconds = answer
    assert code == 2, (argv, err)
    assert err.count("\n") == 1 and err.endswith("\n"), (argv, err)
    assert err.startswith(f"sccgames {argv[0]}: "), err
    assert fragment in err, (argv, err)
    assert len(err.rstrip("\n")) <= limits.MAX_MESSAGE
    assert "Traceback" not in err
    assert seconds < 5, (argv, seconds)


@pytest.mark.parametrize("finding", [*FINDINGS, *FIT_FINDINGS])
def test_each_finding_exits_2_with_one_line_from_validate_and_run(cli_answers, finding):
    fragment = FINDINGS[finding][2] if finding in FINDINGS else FIT_FINDINGS[finding][2]
    validated, ran = cli_answers["answers"][finding]
    _assert_one_line(validated, fragment)
    _assert_one_line(ran, fragment)


def test_nothing_is_written_by_refused_files(cli_answers):
    assert not cli_answers["changed"]
    assert not (cli_answers["top"] / "work" / "runs").exists()


def test_the_module_entry_point_refuses_a_bomb_and_a_huge_society(tmp_path):
    """``python -m sccgames`` itself (two processes run side by side)."""
    (tmp_path / "bomb.yaml").write_text(_bomb())
    (tmp_path / "size.toml").write_text(FINDINGS["size"][1])
    before = snapshot(tmp_path)
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "sccgames", *argv],
            cwd=tmp_path,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for argv in (["validate", "bomb.yaml"], ["run", "size.toml", "--quiet"])
    ]
    for proc, fragment in zip(runs, ("more than 200000 values", "got 10000000000"), strict=True):
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 2
        assert err.count("\n") == 1 and fragment in err and "Traceback" not in err
    assert snapshot(tmp_path) == before


# ----------------------------------------------------------------------------- the API
@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda: scc.SocialCredit(fine="3"), "SocialCredit.fine must be a number, got '3'"),
        (lambda: scc.SocialCredit(fine=True), "SocialCredit.fine must be a number, got True"),
        (lambda: scc.SocialCredit(fine=1e39), "SocialCredit.fine must be at most 1e+06"),
        (lambda: scc.Profile(beta="1"), "beta must be a number, got '1' of type str"),
        (lambda: scc.Profile(beta=np.array([1.0, 2.0])), "beta must be a number, got array"),
        (
            lambda: scc.Society(10, rounds=5, game=scc.PublicGoods(group_size=1000)),
            "game.group_size (1000) must be at most the society's size (10)",
        ),
        (
            lambda: scc.Society(
                10, rounds=5, regime=scc.Schedule({0: None, 5: scc.SocialCredit()})
            ),
            "the Schedule has a phase starting at round 5, but there are only 5 rounds",
        ),
        (lambda: scc.Population(10, communities=50), "Population.communities must be at most"),
        (lambda: scc.Population(10**9), "Population.size must be an integer in [2, 100000000]"),
        (lambda: scc.SocialCredit().initial_scores(-1), "n must be an integer >= 0, got -1"),
        (
            lambda: scc.Discrete([1.0], [1.0]).rvs(-1, np.random.default_rng(0)),
            "size must be an integer >= 0, got -1",
        ),
    ],
)
def test_the_api_refuses_by_name(make, fragment):
    with pytest.raises(ValueError) as info:
        make()
    assert fragment in str(info.value)


def test_got_never_reprs_a_huge_value():
    from sccgames.experiments._schema import _got

    shared: list[Any] = ["lol"] * 9
    for _ in range(9):
        shared = [shared] * 9  # 9¹⁰ strings if expanded
    start = time.perf_counter()
    text = _got(shared)
    assert len(text) <= 60 and time.perf_counter() - start < 0.1
    assert len(_got("x" * 10**7)) <= 60


def test_error_lines_are_short_however_long_the_key_path_and_message():
    error = ConfigError("m" * 10**6, "p" * 10**6, "s" * 10**6)
    assert len(str(error)) <= limits.MAX_MESSAGE - 40
    assert "\n" not in str(ConfigError("a\nb", "x"))


def test_a_sweep_is_counted_before_it_is_expanded(monkeypatch):
    tree = {
        "kind": "society",
        "society": {"rounds": 5, "population": {"size": 10}},
        "sweep": {"grid": {"seed": list(range(1000)), "society.rounds": list(range(1, 1001))}},
    }

    def never(*args: Any) -> Any:
        raise AssertionError("the grid was expanded")

    monkeypatch.setattr(config.itertools, "product", never)
    with pytest.raises(ConfigError, match="1000 × 1000 × 1 repetitions is 1000000 runs"):
        config.validate(tree)
    tree["sweep"] = {"grid": {"seed": [1, 2]}, "repetitions": 5001}
    with pytest.raises(ConfigError, match="2 × 5001 repetitions is 10002 runs"):
        config.parse(tree)


# ----------------------------------------------------------------------------- memory
def test_the_memory_estimate_bounds_what_runs_use():
    """The estimate is above the measured peak of a society and a tournament."""
    cases = [
        {
            "kind": "society",
            "society": {
                "rounds": 30,
                "dtype": "float64",
                "domains": {"a": 0.3, "b": 0.3, "c": 0.4},
                "population": {
                    "size": 20_000,
                    "shares": {"Citizen": 0.5, "HomoEconomicus": 0.2, "Moralist": 0.3},
                    "communities": 4,
                    "fehr_schmidt": True,
                },
                "regime": {"kind": "social_credit", "coverage": {"a": 0.5, "b": 0.2, "c": 0}},
                "imitation": {"rate": 0.1},
            },
        },
        {
            "kind": "tournament",
            "tournament": {
                "players": ["Cooperator", "Defector", "Tit For Tat", "Moralist"],
                "turns": 20,
                "repetitions": 50,
            },
        },
    ]
    for tree in cases:
        experiment = config.parse(tree)
        built = experiment.build()
        tracemalloc.start()
        if experiment.kind == "society":
            built.run(progress_bar=False)
        else:
            built.play(progress_bar=False)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        estimate, _ = limits.estimate_bytes(experiment.raw)
        assert peak < estimate < 4 * peak, (tree["kind"], peak, estimate)


def test_what_does_not_fit_the_memory_available_is_refused(monkeypatch):
    tree = {"kind": "society", "society": {"rounds": 10, "population": {"size": 1_000_000}}}
    monkeypatch.setattr(limits, "available_memory", lambda: 2**29)
    with pytest.raises(ConfigError) as info:
        config.parse(tree)
    assert str(info.value) == (
        "<config>: society: needs about 763 MiB of memory (1000000 citizens, 10 rounds), "
        "more than 80% of the 512 MiB available; make it smaller"
    )
    monkeypatch.setattr(limits, "available_memory", lambda: 2**31)
    assert config.parse(tree).society.population.size == 1_000_000
    tree["execution"] = {"processes": 4}
    tree["sweep"] = {"grid": {"seed": [1, 2, 3, 4]}}
    with pytest.raises(ConfigError, match="4 at once"):
        config.parse(tree)


def test_available_memory_reads_the_machine_and_the_address_space_limit():
    found = limits.available_memory()
    assert 0 < found < 2**50
    code = (
        "import importlib.util, resource; "
        "resource.setrlimit(resource.RLIMIT_AS, (2**32, 2**32)); "
        f"spec = importlib.util.spec_from_file_location('limits', {str(Path(limits.__file__))!r}); "
        "limits = importlib.util.module_from_spec(spec); spec.loader.exec_module(limits); "
        "print(limits.available_memory())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=_env(), check=True
    )
    assert 0 <= int(done.stdout) < 2**32


def test_yaml_merge_keys_and_shared_aliases_still_load(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(
        "kind: society\n"
        "society:\n  rounds: 5\n  population: {size: 10}\n"
        "  schedule:\n    - {start: 0, regime: &r {kind: social_credit, fine: 1}}\n"
        "    - {start: 2, regime: {<<: *r, fine: 2}}\n"
    )
    experiment = config.validate(path)
    assert [p.regime.params["fine"] for p in experiment.society.schedule] == [1, 2]


# ----------------------------------------------------------------------------- hostile files
_KEYS = [
    "seed",
    "name",
    "society.rounds",
    "society.population.size",
    "society.population.communities",
    "society.regime",
    "society.regime.fine",
    "society.domains",
    "society.game",
    "sweep.grid",
    "sweep.repetitions",
    "execution.processes",
]
_SCALARS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([10**12, 10**30, 1e39, -1e39, math.nan, math.inf, -math.inf, 0, -1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.text(max_size=20),
    st.sampled_from(["x" * 5000, "k" * 300, "10**30", "1e39", "nan", "../../x", "\x00"]),
)


def _values(depth: int) -> st.SearchStrategy[Any]:
    return st.recursive(
        _SCALARS,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.text(max_size=8) | st.just("k" * 300), inner, max_size=4),
        ),
        max_leaves=depth,
    )


@st.composite
def hostile_trees(draw: st.DrawFn) -> dict[str, Any]:
    """A valid society with a few keys set to hostile values, shared subtrees and odd keys."""
    tree: dict[str, Any] = {
        "kind": "society",
        "society": {
            "rounds": 5,
            "population": {"size": 10},
            "regime": {"kind": "social_credit", "fine": 1.0},
        },
    }
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_KEYS)).split(".")
        node = tree
        for part in path[:-1]:
            node = node.setdefault(part, {}) if isinstance(node.get(part, {}), dict) else {}
        node[path[-1]] = draw(_values(8))
    if draw(st.booleans()):  # a bomb of shared references (YAML aliases when dumped)
        shared: Any = ["lol"] * draw(st.integers(1, 9))
        for _ in range(draw(st.integers(1, 9))):
            shared = [shared] * draw(st.integers(2, 9))
        tree["society"][draw(st.sampled_from(["domains", "x", "population"]))] = shared
    if draw(st.booleans()):
        tree[draw(st.text(min_size=1, max_size=5) | st.just("z" * 10_000))] = 1
    return tree


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if value != value
            else ("inf" if value > 0 else "-inf")
            if math.isinf(value)
            else repr(value)
        )
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
        )
    return '""'  # (TOML has no null)


@st.composite
def hostile_files(draw: st.DrawFn) -> tuple[str, str]:
    """(suffix, text): a hostile tree as YAML or TOML, or raw nesting and duplicate keys."""
    kind = draw(st.sampled_from(["yaml", "toml", "nest", "duplicate"]))
    if kind == "nest":
        depth = draw(st.sampled_from([5, 31, 32, 33, 100, 900, 5000, 30000]))
        if draw(st.booleans()):
            return ".toml", 'kind = "society"\nx = ' + "[" * depth + "]" * depth + "\n"
        opener = draw(st.sampled_from(["{a: ", "[", "- "]))
        closer = {"{a: ": "}", "[": "]", "- ": ""}[opener]
        if opener == "- ":
            body = "".join(" " * k + "- \n" for k in range(min(depth, 1000)))
            return ".yaml", "kind: society\nx:\n" + body
        return ".yaml", "kind: society\nx: " + opener * depth + "1" + closer * depth + "\n"
    if kind == "duplicate":
        key = draw(st.sampled_from(["seed", "kind", "society"]))
        return draw(st.sampled_from([".yaml", ".toml"])), (
            f"{key}: 1\n{key}: 2\n" if draw(st.booleans()) else f"{key} = 1\n{key} = 2\n"
        )
    tree = draw(hostile_trees())
    if kind == "yaml":
        return ".yaml", yaml.safe_dump(tree, allow_unicode=True)
    return ".toml", "\n".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in tree.items()) + "\n"


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(hostile_files())
def test_hostile_files_give_ok_or_one_short_line_in_bounded_time_and_memory(file):
    suffix, text = file
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"hostile{suffix}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        _validate_bounded(path, len(text))


def _validate_bounded(path: Path, size: int) -> None:
    tracemalloc.start()
    start = time.perf_counter()
    try:
        config.validate(path)
    except ConfigError as exc:
        message = f"sccgames validate: {exc}"
        assert "\n" not in message and len(message) <= limits.MAX_MESSAGE
    finally:
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert seconds < 10  # (typically well under a second; the machine may be loaded)
    assert peak < 200 * 2**20 + 20 * size
