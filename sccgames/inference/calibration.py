"""Published targets, the simulated designs that produce them, and a rerunnable calibration.

:data:`TARGETS` is a tidy table of statistics people produce in classic experiments (one row
per statistic: its range, the design that measures it, its source, whether it is fitted);
:func:`simulate` plays each design on a :class:`~sccgames.Population`; :func:`calibrate`
estimates default profile parameters by the simulated method of moments [McFadden1989]_
(common random numbers, each target weighted by the inverse squared half-width of its
range, a Sobol pre-screen [Sobol1967]_ and a Nelder–Mead search); :func:`report` writes
the result as markdown and :func:`run_cli` runs the ``sccgames calibrate`` command.

Parameters are named by profile field paths (``"moral.norm"``, ``"beta"``), and a value
moves the *default*: :func:`with_defaults` changes a field in every type of a population
whose profile keeps the default there, so a preset that sets its own value (Homo
Economicus's β = 10) keeps it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.stats import qmc

from sccgames.engines.society import Society
from sccgames.model import decision
from sccgames.model.population import Population, resolve_preset
from sccgames.model.profiles import Profile
from sccgames.rules.games import LostWallet, PublicGoods
from sccgames.rules.institutions import PeerPunishment

#: Amounts in the lost wallet: no money, money, 7× the money [Cohn2019]_ (the ratio of their
#: US$94.15 to US$13.45), with "money" the :class:`~sccgames.LostWallet` default of 2.
WALLET_MONEY = {"no_money": 0.0, "money": 2.0, "big_money": 14.0}
#: Rounds of the public goods designs: ten, as in Fehr and Gächter [FehrGachter2000]_.
PG_ROUNDS = 10
#: Beliefs about others' contribution of the strategy-method probe, 0 to 1 in steps of 0.1
#: (Fischbacher, Gächter and Fehr asked for 0 to 20 tokens [FischbacherGachterFehr2001]_).
PROBE_BELIEFS = np.linspace(0.0, 1.0, 11)
#: A free rider's expected contribution stays below this at every belief. Chosen so that a
#: logit chooser who "never" contributes (P(C) < 0.1) is one; the lab's free riders give 0.
FREE_RIDER_MAX = 0.1
#: A conditional cooperator's schedule never falls by more than this from one belief to the
#: next, and rises by at least :data:`CONDITIONAL_RISE` from belief 0 to 1. Chosen so that a
#: smooth, weakly increasing schedule with a clear slope counts, as in the lab's
#: classification by a positive rank correlation [FischbacherGachterFehr2001]_.
CONDITIONAL_TOLERANCE = 0.01
#: See :data:`CONDITIONAL_TOLERANCE`.
CONDITIONAL_RISE = 0.2

_COLUMNS = ("statistic", "low", "high", "design", "source", "fitted", "note")
_ROWS = [
    (
        "pd_first_round",
        0.40,
        0.50,
        "pd_one_shot",
        "Sally1995",
        True,
        "one-shot prisoner's dilemma among strangers, first round (meta-analysis, ~40-50%)",
    ),
    (
        "wallet_no_money",
        0.41,
        0.51,
        "lost_wallet",
        "Cohn2019",
        True,
        "US, UK, Poland (the big-money countries): 46% reported without money, ±5 points",
    ),
    (
        "wallet_money",
        0.56,
        0.66,
        "lost_wallet",
        "Cohn2019",
        True,
        "US, UK, Poland: 61% with US$13.45, ±5 points",
    ),
    (
        "wallet_big_money",
        0.67,
        0.77,
        "lost_wallet",
        "Cohn2019",
        True,
        "US, UK, Poland: 72% with US$94.15 (7× the money), ±5 points",
    ),
    (
        "wallet_money_effect",
        0.15,
        0.36,
        "lost_wallet",
        "Cohn2019",
        True,
        "big money minus no money, US/UK/Poland: 26 points, ±10",
    ),
    (
        "pg_first_round",
        0.40,
        0.60,
        "public_goods",
        "Ledyard1995",
        True,
        "strangers, groups of four, first round: 40-60% of the endowment",
    ),
    (
        "pg_last_round",
        0.10,
        0.30,
        "public_goods",
        "FehrGachter2000",
        True,
        "strangers without punishment, round ten: 10-30% of the endowment",
    ),
    (
        "pg_punishment_gain",
        0.25,
        0.65,
        "public_goods_punishment",
        "FehrGachter2000",
        True,
        "round ten with peer punishment minus without (strangers), read from their figures",
    ),
    (
        "conditional_cooperators",
        0.40,
        0.60,
        "strategy_method",
        "FischbacherGachterFehr2001",
        True,
        "share with a contribution schedule rising in others' contributions (50%)",
    ),
    (
        "free_riders",
        0.20,
        0.40,
        "strategy_method",
        "FischbacherGachterFehr2001",
        True,
        "share contributing nothing whatever the others give (30%)",
    ),
    (
        "wallet_no_money_pooled",
        0.35,
        0.45,
        "lost_wallet",
        "Cohn2019",
        False,
        "all 40 countries: 40% without money, ±5 points (out of sample)",
    ),
    (
        "wallet_money_pooled",
        0.46,
        0.56,
        "lost_wallet",
        "Cohn2019",
        False,
        "all 40 countries: 51% with US$13.45, ±5 points (out of sample)",
    ),
    (
        "pg_punishment_last_round",
        0.45,
        0.80,
        "public_goods_punishment",
        "FehrGachter2000",
        False,
        "strangers with peer punishment, round ten, read from their figures (out of sample)",
    ),
]

#: The published targets: one row per statistic with its range ``[low, high]`` (shares in
#: [0, 1]), the simulated ``design`` that measures it, the ``source`` (a key of
#: :data:`sccgames.BIBLIOGRAPHY`), whether it is ``fitted`` (False: an out-of-sample check,
#: reported but not fitted), and a ``note`` on where the range comes from. Lost wallet rates
#: are Cohn et al.'s reporting rates [Cohn2019]_; the simulated designs use the same
#: statistic for the pooled and the three-country rates, so the pooled ones are out of
#: sample by construction.
TARGETS = pd.DataFrame(_ROWS, columns=list(_COLUMNS))

#: Default parameters :func:`calibrate` estimates, with their search bounds: the profile
#: fields that set how strongly each motive speaks in the targets' designs (β, the norm, its
#: harm weight and threshold, where perceived compliance starts and how fast it learns, warm
#: glow, guilt, conformity). Envy and sympathy keep their published or chosen values. The
#: bounds hold every value the model's documents consider; β is kept at most 1.2, and
#: conformity and the learning of compliance are bounded below, so that the search does not
#: end where choices are so precise that the targets sit on a knife edge, or where
#: contributions barely follow others' (two local optima of the objective).
PARAMETERS: dict[str, tuple[float, float]] = {
    "beta": (0.25, 1.2),
    "moral.norm": (0.0, 3.0),
    "moral.harm_weight": (0.0, 3.0),
    "moral.threshold": (0.3, 0.8),
    "moral.initial_compliance": (0.5, 0.9),
    "moral.compliance_learning": (0.15, 0.6),
    "emotion.warm_glow": (0.0, 2.0),
    "emotion.guilt": (0.0, 0.95),
    "social.conformity": (1.0, 3.0),
}

#: What :func:`calibrate` estimates with its defaults (``sccgames calibrate``, the *plain*
#: column of docs/calibration.md, rounded to three digits): the fit closest to the targets,
#: around which ``benchmarks/calibrate_robust.py`` searches for the robust estimates that
#: are the package's defaults.
PLAIN_ESTIMATES: dict[str, float] = {
    "beta": 0.674,
    "moral.norm": 0.05,
    "moral.harm_weight": 2.4,
    "moral.threshold": 0.416,
    "moral.initial_compliance": 0.869,
    "moral.compliance_learning": 0.475,
    "emotion.warm_glow": 0.012,
    "emotion.guilt": 0.923,
    "social.conformity": 1.16,
    "wallet.owner_value": 0.0,
}

#: Parameters of the designs :func:`calibrate` estimates with the profile's: what the
#: wallet's key and cards are worth to its owner (:class:`~sccgames.LostWallet`'s
#: ``owner_value``), which only the return rate without money reveals [Cohn2019]_.
DESIGN_PARAMETERS: dict[str, tuple[float, float]] = {"wallet.owner_value": (0.0, 2.0)}


def _design_default(path: str) -> float:
    if path != "wallet.owner_value":
        raise ValueError(f"unknown design parameter {path!r} (known: {list(DESIGN_PARAMETERS)})")
    return float(LostWallet().owner_value)


# --------------------------------------------------------------------------- parameters
def _paths() -> list[str]:
    paths = ["beta"]
    for part in fields(Profile):
        if part.name != "beta":
            default = getattr(Profile(), part.name)
            paths.extend(f"{part.name}.{f.name}" for f in fields(default))
    return paths


def default_value(path: str) -> float:
    """The default of profile field ``path`` (``"moral.norm"``), from :class:`Profile`.

    Raises
    ------
    ValueError
        For a path that names no numeric profile field.

    """
    if path not in _paths():
        raise ValueError(
            f"unknown profile parameter {path!r} (paths are 'beta' or '<motive>.<field>', "
            "e.g. 'moral.norm')"
        )
    value: Any = Profile()
    for name in path.split("."):
        value = getattr(value, name)
    return float(value)


def _default(path: str) -> float:
    """The default of a profile path or of a design parameter."""
    return _design_default(path) if path in DESIGN_PARAMETERS else default_value(path)


def _split(values: Mapping[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    """Profile defaults and design values, apart."""
    design = {k: v for k, v in values.items() if k in DESIGN_PARAMETERS}
    return {k: v for k, v in values.items() if k not in design}, design


def _get(profile: Profile, path: str) -> Any:
    value: Any = profile
    for name in path.split("."):
        value = getattr(value, name)
    return value


def _set(profile: Profile, path: str, value: float) -> Profile:
    if path == "beta":
        return replace(profile, beta=value)
    part, name = path.split(".")
    return replace(profile, **{part: replace(getattr(profile, part), **{name: value})})


def with_defaults(population: Population, values: Mapping[str, float]) -> Population:
    """``population`` as if the defaults of :class:`Profile` were ``values``.

    Every type whose profile holds the default at a path gets the new value there; a type
    that sets its own value keeps it. Shares, distributions and communities are unchanged.

    Parameters
    ----------
    population : Population
        The population whose types' defaults move.
    values : mapping of str to float
        New defaults by profile path (:func:`default_value` lists what is allowed).

    """
    if not values:
        return population
    defaults = {path: default_value(path) for path in values}
    shares, profiles = {}, dict(population.profiles)
    for spec, share in population.shares.items():
        name, profile = resolve_preset(spec, population.profiles)
        for path, value in values.items():
            current = _get(profile, path)
            if not isinstance(current, np.ndarray) and float(current) == defaults[path]:
                profile = _set(profile, path, float(value))
        shares[name] = share
        profiles[name] = profile
    return replace(population, shares=shares, profiles=profiles)


# --------------------------------------------------------------------------- designs
def _cooperation(population: Population, rounds: int, seed: int, **kwargs: Any) -> np.ndarray:
    metrics = Society(population, rounds, seed=seed, **kwargs).run(progress_bar=False).metrics
    return metrics[metrics["domain"] == "all"].sort_values("round")["cooperation"].to_numpy()


def contribution_schedules(population: Population, seed: int) -> np.ndarray:
    """Each citizen's P(contribute) at every belief in :data:`PROBE_BELIEFS`.

    The strategy method of Fischbacher, Gächter and Fehr [FischbacherGachterFehr2001]_ put
    to the decision rule :func:`sccgames.p_cooperate`: a one-shot public goods game among
    strangers (the default :class:`~sccgames.PublicGoods`, ``remaining`` 0, nothing
    watched), where the citizen believes the others contribute a share ``b`` (its belief
    about a partner and its perceived compliance both ``b``, generalized trust resting on
    so much evidence that the prior does not move it). Returns an array (citizens ×
    beliefs).
    """
    citizens = population.build(np.random.default_rng(seed))
    profile, n = citizens.profile, citizens.size
    game = PublicGoods()
    payoffs = game.motive_payoffs(None)
    context = decision.Context(remaining=0.0, others=float(game.group_size - 1))
    base = decision.initial_state(profile)
    evidence = 1e6
    columns = []
    for b in PROBE_BELIEFS:
        state = replace(
            base,
            stranger_c=np.full(n, b * evidence),
            stranger_moves=np.full(n, evidence),
            compliance=np.full(n, b),
        )
        p = decision.p_cooperate(profile, state, context, payoffs)
        columns.append(np.broadcast_to(np.asarray(p, float), (n,)))
    return np.column_stack(columns)


def classify(schedules: np.ndarray) -> np.ndarray:
    """Each schedule's type: ``"free_rider"``, ``"conditional_cooperator"`` or ``"other"``.

    A free rider's P(C) stays below :data:`FREE_RIDER_MAX` at every belief; a conditional
    cooperator's never falls by more than :data:`CONDITIONAL_TOLERANCE` from one belief to
    the next and rises by at least :data:`CONDITIONAL_RISE` over the range.
    """
    schedules = np.atleast_2d(np.asarray(schedules, float))
    free = (schedules < FREE_RIDER_MAX).all(axis=1)
    steps = np.diff(schedules, axis=1)
    rising = (steps >= -CONDITIONAL_TOLERANCE).all(axis=1)
    rising &= schedules[:, -1] - schedules[:, 0] >= CONDITIONAL_RISE
    return np.where(free, "free_rider", np.where(rising, "conditional_cooperator", "other"))


def _pd_one_shot(
    population: Population, seed: int, design: Mapping[str, float]
) -> dict[str, float]:
    return {"pd_first_round": float(_cooperation(population, 1, seed)[0])}


def _lost_wallet(
    population: Population, seed: int, design: Mapping[str, float]
) -> dict[str, float]:
    value = design.get("wallet.owner_value", LostWallet().owner_value)
    rate = {
        key: float(
            _cooperation(population, 1, seed, game=LostWallet(money=money, owner_value=value))[0]
        )
        for key, money in WALLET_MONEY.items()
    }
    return {
        "wallet_no_money": rate["no_money"],
        "wallet_money": rate["money"],
        "wallet_big_money": rate["big_money"],
        "wallet_money_effect": rate["big_money"] - rate["no_money"],
        "wallet_no_money_pooled": rate["no_money"],
        "wallet_money_pooled": rate["money"],
    }


def _public_goods(
    population: Population, seed: int, design: Mapping[str, float]
) -> dict[str, float]:
    c = _cooperation(population, PG_ROUNDS, seed, game="public_goods")
    return {"pg_first_round": float(c[0]), "pg_last_round": float(c[-1])}


def _public_goods_punishment(
    population: Population, seed: int, design: Mapping[str, float]
) -> dict[str, float]:
    plain = _cooperation(population, PG_ROUNDS, seed, game="public_goods")
    punished = _cooperation(
        population, PG_ROUNDS, seed, game="public_goods", regime=PeerPunishment()
    )
    return {
        "pg_punishment_gain": float(punished[-1] - plain[-1]),
        "pg_punishment_last_round": float(punished[-1]),
    }


def _strategy_method(
    population: Population, seed: int, design: Mapping[str, float]
) -> dict[str, float]:
    kinds = classify(contribution_schedules(population, seed))
    return {
        "conditional_cooperators": float(np.mean(kinds == "conditional_cooperator")),
        "free_riders": float(np.mean(kinds == "free_rider")),
    }


#: The simulated designs by name: each plays one experiment on a population with one seed
#: (and the values of :data:`DESIGN_PARAMETERS` it is given; their defaults otherwise) and
#: returns the statistics it measures. Every row of :data:`TARGETS` names one.
DESIGNS: dict[str, Callable[[Population, int, Mapping[str, float]], dict[str, float]]] = {
    "pd_one_shot": _pd_one_shot,
    "lost_wallet": _lost_wallet,
    "public_goods": _public_goods,
    "public_goods_punishment": _public_goods_punishment,
    "strategy_method": _strategy_method,
}


def _check_targets(targets: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(targets, pd.DataFrame):
        raise ValueError(f"targets must be a DataFrame like calibration.TARGETS, got {targets!r}")
    missing = [c for c in ("statistic", "low", "high", "design") if c not in targets.columns]
    if missing:
        raise ValueError(f"targets need column(s) {missing}, as in calibration.TARGETS")
    unknown = sorted(set(targets["design"]) - set(DESIGNS))
    if unknown:
        raise ValueError(f"unknown design(s) {unknown} in targets (known: {sorted(DESIGNS)})")
    if targets.empty or not (targets["high"] > targets["low"]).all():
        raise ValueError("targets must have at least one row, each with high > low")
    return targets


def _check_seeds(seeds: Sequence[int]) -> tuple[int, ...]:
    seeds = tuple(seeds)
    if not seeds or not all(isinstance(s, int | np.integer) and s >= 0 for s in seeds):
        raise ValueError(f"seeds must be a non-empty sequence of integers >= 0, got {seeds!r}")
    return seeds


def simulate(
    population: Population,
    seeds: Sequence[int] = (1, 2, 3, 4, 5),
    targets: pd.DataFrame | None = None,
    design: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Every target's statistic on ``population``, once per seed.

    Each design the targets need is played once per seed, with that seed (so two
    populations compared over the same seeds share their random numbers), and with the
    values of :data:`DESIGN_PARAMETERS` in ``design`` (their defaults otherwise). Returns a
    tidy table with columns ``statistic``, ``seed``, ``value``.
    """
    design = dict(design or {})
    for path in design:
        _design_default(path)
    targets = _check_targets(TARGETS if targets is None else targets)
    seeds = _check_seeds(seeds)
    wanted = set(targets["statistic"])
    rows = []
    for name in dict.fromkeys(targets["design"]):
        for seed in seeds:
            for statistic, value in DESIGNS[name](population, int(seed), design).items():
                if statistic in wanted:
                    rows.append({"statistic": statistic, "seed": int(seed), "value": value})
    found = {r["statistic"] for r in rows}
    if wanted - found:
        raise ValueError(f"no design measures {sorted(wanted - found)}")
    return pd.DataFrame(rows, columns=["statistic", "seed", "value"])


def compare(simulated: pd.DataFrame, targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """Mean simulated value of each target against its range.

    Columns: the target's, then ``simulated`` (mean over seeds), ``sd``, ``min``, ``max``
    (over seeds), ``distance`` (``(simulated − midpoint) / half-width``: within the range
    when at most 1 in absolute value) and ``within`` (every seed in the range).
    """
    targets = _check_targets(TARGETS if targets is None else targets)
    by = simulated.groupby("statistic")["value"]
    table = targets.copy().reset_index(drop=True)
    stats = by.agg(["mean", "std", "min", "max"]).reindex(table["statistic"])
    table["simulated"] = stats["mean"].to_numpy()
    table["sd"] = stats["std"].to_numpy()
    table["min"] = stats["min"].to_numpy()
    table["max"] = stats["max"].to_numpy()
    mid, half = (table["low"] + table["high"]) / 2, (table["high"] - table["low"]) / 2
    table["distance"] = (table["simulated"] - mid) / half
    table["within"] = (table["min"] >= table["low"]) & (table["max"] <= table["high"])
    return table


# --------------------------------------------------------------------------- robustness
def robust_paths() -> list[str]:
    """Every continuous default of :class:`Profile` that a move by a share can move.

    All but the horizon (a choice of rule) and the defaults at 0 (``rational.reputation``:
    ``0 · (1 ± spread)`` is 0, so such a path would only add a dimension to the design).
    """
    return [p for p in _paths() if p != "rational.horizon" and default_value(p) != 0.0]


def _factors(count: int, draws: int, spread: float, seed: int) -> np.ndarray:
    """Multipliers ``1 + spread · (2u − 1)`` (draws × count) from a scrambled Sobol design.

    A Latin hypercube when ``draws`` is not a power of two.
    """
    if draws & (draws - 1) == 0:
        u = qmc.Sobol(count, scramble=True, seed=seed).random(draws)
    else:
        u = qmc.LatinHypercube(count, seed=seed).random(draws)
    return 1.0 + spread * (2.0 * u - 1.0)


def _moved_values(paths: Sequence[str], values: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """``values · factors``, a share or probability capped at :data:`_SHARE_MAX`."""
    x = values * factors
    capped = [j for j, p in enumerate(paths) if _is_share(p)]
    x[..., capped] = np.minimum(x[..., capped], _SHARE_MAX)
    return x


def perturbed(
    paths: Sequence[str],
    draws: int = 64,
    spread: float = 0.1,
    seed: int = 0,
    *,
    values: Mapping[str, float] | None = None,
) -> np.ndarray:
    """Defaults moved by up to ``±spread``: an array (draws × paths).

    A scrambled Sobol design [Sobol1967]_ (a Latin hypercube when ``draws`` is not a power
    of two) puts each parameter at ``default · (1 + spread · (2u − 1))``, clipped to [0, 1]
    for a parameter that is a probability or a share. ``values`` (by profile path) replaces
    the default as the centre of the moves where it names one; the same ``seed`` gives the
    same factors whatever the centre.
    """
    if not (isinstance(draws, int) and draws >= 2):
        raise ValueError(f"draws must be an integer >= 2, got {draws!r}")
    _check_spread(spread)
    if not paths:
        raise ValueError("parameters must name at least one profile path")
    values = dict(values or {})
    for path in values:
        default_value(path)
    centre = np.array([values.get(p, default_value(p)) for p in paths], dtype=float)
    return _moved_values(paths, centre, _factors(len(paths), draws, spread, seed))


def _check_spread(spread: float) -> None:
    if not (isinstance(spread, int | float) and 0 < spread < 1):
        raise ValueError(f"spread must be a number in (0, 1), got {spread!r}")


#: Largest value a perturbed share or probability takes: just below 1, since some (δ, the
#: Fehr–Schmidt guilt) must stay below 1.
_SHARE_MAX = 0.99


def _is_share(path: str) -> bool:
    """Whether the profile refuses ``path`` above 1 (a probability, a share, δ, guilt)."""
    try:
        _set(Profile(), path, 1.0 + 1e-9)
    except ValueError:
        return True
    return False


def target_robustness(
    draws: int = 64,
    spread: float = 0.1,
    seed: int = 0,
    *,
    parameters: Sequence[str] | None = None,
    size: int = 2000,
    seeds: Sequence[int] = (1, 2, 3),
    targets: pd.DataFrame | None = None,
    values: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The share of draws of the defaults, each moved by up to ``±spread``, meeting each target.

    Every draw (:func:`perturbed`) runs every design once per seed on ``Population(size)``
    with the moved defaults; a target holds at a draw when the mean over ``seeds`` is in its
    range. Returns one row per target: ``statistic``, ``fitted``, ``share`` (of draws),
    ``low``, ``high``, ``min`` and ``max`` (of the statistic over the draws).

    ``values`` moves the centre of the design from the defaults to candidate values, as
    :func:`calibrate` takes them: profile paths (:func:`default_value` lists them; each
    moved path is moved around its value here, a path not moved is held at it) and keys of
    :data:`DESIGN_PARAMETERS` (held at their value in every draw). With the same ``seed``
    the draws move each parameter by the same factors as around the defaults.
    """
    targets = _check_targets(TARGETS if targets is None else targets)
    seeds = _check_seeds(seeds)
    profile, design = _split(dict(values or {}))
    for path in design:
        _design_default(path)
    paths = list(robust_paths() if parameters is None else parameters)
    x = perturbed(paths, draws, spread, seed, values=profile)
    means = []
    for point in x:
        moved = {**profile, **dict(zip(paths, point.tolist(), strict=True))}
        pop = with_defaults(Population(size), moved)
        sim = simulate(pop, seeds, targets, design).groupby("statistic")["value"].mean()
        means.append(sim.reindex(targets["statistic"]).to_numpy())
    values = np.array(means)
    low, high = targets["low"].to_numpy(), targets["high"].to_numpy()
    holds = (values >= low) & (values <= high)
    return pd.DataFrame(
        {
            "statistic": targets["statistic"].to_numpy(),
            "fitted": targets["fitted"].to_numpy() if "fitted" in targets else True,
            "share": holds.mean(axis=0),
            "low": low,
            "high": high,
            "min": values.min(axis=0),
            "max": values.max(axis=0),
        }
    )


# --------------------------------------------------------------------------- calibration
@dataclass(frozen=True)
class CalibrationResult:
    """What :func:`calibrate` found.

    Attributes
    ----------
    targets : pandas.DataFrame
        :func:`compare` at the estimates: each target, its range, the fitted value, the
        distance, whether it is fitted or out of sample.
    estimates : pandas.DataFrame
        One row per parameter: ``parameter``, ``default`` (in :class:`Profile`), ``low``,
        ``high`` (search bounds), ``estimate``.
    objective : float
        The refined objective at the estimates: the weighted sum of squared distances
        (fitted targets only), averaged over the ``robust`` draws around them.
    evaluations : int
        Objective evaluations.
    seconds : float
        Wall time.
    settings : mapping
        ``size``, ``seeds``, ``maxiter``, ``screen``, ``robust``, ``spread``.

    """

    targets: pd.DataFrame
    estimates: pd.DataFrame
    objective: float
    evaluations: int
    seconds: float
    settings: Mapping[str, Any]


def _check_parameters(parameters: Mapping[str, tuple[float, float]]) -> dict[str, tuple]:
    if not isinstance(parameters, Mapping) or not parameters:
        raise ValueError(f"parameters must map profile paths to (low, high), got {parameters!r}")
    checked = {}
    for path, bounds in parameters.items():
        _default(path)
        if not (isinstance(bounds, Sequence) and len(bounds) == 2) or not bounds[0] < bounds[1]:
            raise ValueError(f"parameters[{path!r}] must be bounds (low, high) with low < high")
        checked[path] = (float(bounds[0]), float(bounds[1]))
    return checked


def objective_function(
    parameters: Mapping[str, tuple[float, float]],
    targets: pd.DataFrame,
    population: Population,
    seeds: Sequence[int],
    robust: int = 0,
    spread: float = 0.1,
    seed: int = 0,
) -> Callable[[np.ndarray], float]:
    """The simulated method of moments objective on the unit cube of ``parameters``.

    ``x`` in [0, 1]^d (clipped) maps to the bounds; the value is
    ``Σ_k ((m_k(θ) − mid_k) / half_k)²``, with ``m_k`` the mean over ``seeds`` of target k's
    statistic (the same seeds at every θ: common random numbers) and ``half_k`` the
    half-width of its range, so each target weighs by its inverse squared uncertainty.

    With ``robust`` > 0 the value is that sum averaged over θ and ``robust`` fixed draws
    around it, each moving every continuous default (:func:`robust_paths`, at θ where θ
    sets it) by a factor in ``1 ± spread`` (a scrambled Sobol design, ``seed``) and
    simulated with the first seed: the expected squared distance when the defaults are
    known only to ``±spread``, which is the squared bias plus the variance, so a minimum
    is both close to the targets and not on a knife edge.
    """
    paths = list(parameters)
    low = np.array([parameters[p][0] for p in paths])
    high = np.array([parameters[p][1] for p in paths])
    mid = ((targets["low"] + targets["high"]) / 2).to_numpy()
    half = ((targets["high"] - targets["low"]) / 2).to_numpy()
    names = targets["statistic"].tolist()
    moved = robust_paths()
    factors = _factors(len(moved), robust, spread, seed) if robust else np.ones((0, len(moved)))

    def distance(
        profile: Mapping[str, float], design: Mapping[str, float], run: Sequence[int]
    ) -> float:
        pop = with_defaults(population, profile)
        sim = simulate(pop, run, targets, design).groupby("statistic")["value"].mean()
        return float((((sim.reindex(names).to_numpy() - mid) / half) ** 2).sum())

    def objective(x: np.ndarray) -> float:
        theta = low + np.clip(x, 0.0, 1.0) * (high - low)
        profile, design = _split(dict(zip(paths, theta.tolist(), strict=True)))
        values = [distance(profile, design, seeds)]
        base = np.array([profile.get(p, default_value(p)) for p in moved])
        for point in _moved_values(moved, base, factors):
            draw = dict(zip(moved, point.tolist(), strict=True))
            values.append(distance(draw, design, seeds[:1]))
        return float(np.mean(values))

    return objective


def calibrate(
    parameters: Mapping[str, tuple[float, float]] | None = None,
    targets: pd.DataFrame | None = None,
    seeds: Sequence[int] = (1, 2, 3),
    size: int = 2000,
    maxiter: int = 600,
    screen: int = 256,
    population: Population | None = None,
    seed: int = 0,
    robust: int = 0,
    spread: float = 0.1,
) -> CalibrationResult:
    """Estimate default profile parameters by the simulated method of moments.

    A scrambled Sobol design [Sobol1967]_ of ``screen`` points over the bounds (``seed``
    scrambles it) picks a start on the plain objective; Nelder–Mead on the unit cube
    refines it for at most ``maxiter`` iterations, on the plain objective or, with
    ``robust`` > 0, on the objective averaged over ``robust`` draws of every default within
    ``±spread`` (:func:`objective_function`): estimates meant to meet the targets when the
    defaults are known only roughly. Only targets with ``fitted`` True enter the objective;
    all are reported.

    Parameters
    ----------
    parameters : mapping of str to (low, high), optional
        Profile paths (and keys of :data:`DESIGN_PARAMETERS`) with their search bounds;
        :data:`PARAMETERS` and :data:`DESIGN_PARAMETERS` by default.
    targets : DataFrame, default :data:`TARGETS`
        Targets with the columns of :data:`TARGETS`.
    seeds : sequence of int, default (1, 2, 3)
        Seeds of every evaluation (common random numbers).
    size : int, default 2000
        Citizens of the default population ``Population(size)``.
    maxiter : int, default 600
        Nelder–Mead iterations (>= 0).
    screen : int, default 256
        Sobol points (a power of two, >= 1).
    population : Population, optional
        The population whose defaults are moved; ``Population(size)`` by default.
    seed : int, default 0
        Scrambles the Sobol design.
    robust : int, default 0
        Draws around θ that the refined objective averages over, 0 or a power of two (0:
        the plain objective, with which the defaults were estimated). Each draw costs one
        more simulation per evaluation (at 8 the default search takes about half an hour on
        two cores), and 8 draws in 46 dimensions estimate the spread only roughly: check
        the estimates with :func:`target_robustness`.
    spread : float, default 0.1
        How far (±, relative) each draw moves every default: the ±10% of the robustness
        check (:func:`target_robustness`).

    """
    parameters = _check_parameters(
        {**PARAMETERS, **DESIGN_PARAMETERS} if parameters is None else parameters
    )
    targets = _check_targets(TARGETS if targets is None else targets)
    seeds = _check_seeds(seeds)
    if not (isinstance(maxiter, int) and maxiter >= 0):
        raise ValueError(f"maxiter must be an integer >= 0, got {maxiter!r}")
    if not (isinstance(screen, int) and screen >= 1 and screen & (screen - 1) == 0):
        raise ValueError(f"screen must be a power of two >= 1, got {screen!r}")
    if not (isinstance(robust, int) and robust >= 0 and robust & (robust - 1) == 0):
        raise ValueError(f"robust must be 0 or a power of two, got {robust!r}")
    _check_spread(spread)
    population = Population(size) if population is None else population
    fitted = targets[targets["fitted"]] if "fitted" in targets.columns else targets
    if fitted.empty:
        raise ValueError("no target is fitted (column 'fitted' all False)")
    start = time.perf_counter()
    plain = objective_function(parameters, fitted, population, seeds)
    refined = objective_function(parameters, fitted, population, seeds, robust, spread, seed)
    calls = [0]

    def counted(objective: Callable[[np.ndarray], float]) -> Callable[[np.ndarray], float]:
        def count(x: np.ndarray) -> float:
            calls[0] += 1
            return objective(x)

        return count

    points = qmc.Sobol(len(parameters), scramble=True, seed=seed).random(screen)
    best = points[int(np.argmin([counted(plain)(x) for x in points]))]
    if maxiter > 0:
        found = optimize.minimize(
            counted(refined),
            best,
            method="Nelder-Mead",
            bounds=[(0.0, 1.0)] * len(parameters),
            options={"maxiter": maxiter, "xatol": 1e-3, "fatol": 1e-4},
        )
        if found.fun <= refined(best):
            best = np.clip(found.x, 0.0, 1.0)
    paths = list(parameters)
    low = np.array([parameters[p][0] for p in paths])
    high = np.array([parameters[p][1] for p in paths])
    theta = low + best * (high - low)
    estimates = pd.DataFrame(
        {
            "parameter": paths,
            "default": [_default(p) for p in paths],
            "low": low,
            "high": high,
            "estimate": theta,
        }
    )
    profile, design = _split(dict(zip(paths, theta.tolist(), strict=True)))
    table = compare(simulate(with_defaults(population, profile), seeds, targets, design), targets)
    return CalibrationResult(
        targets=table,
        estimates=estimates,
        objective=float(refined(best)),
        evaluations=calls[0],
        seconds=time.perf_counter() - start,
        settings={
            "size": population.size,
            "seeds": seeds,
            "maxiter": maxiter,
            "screen": screen,
            "robust": robust,
            "spread": spread,
        },
    )


def report(result: CalibrationResult) -> str:
    """A markdown report of ``result``: settings, estimates and every target."""
    s = result.settings
    robust = s.get("robust", 0)
    averaged = (
        f" averaging {robust} draws within ±{s['spread']:.0%} of every default" if robust else ""
    )
    lines = [
        "# Calibration",
        "",
        f"Simulated method of moments on {s['size']} citizens, seeds {list(s['seeds'])}, "
        f"{s['screen']} Sobol points then at most {s['maxiter']} Nelder–Mead iterations"
        f"{averaged}: {result.evaluations} evaluations in {result.seconds:.1f} s; objective "
        f"{result.objective:.4g}.",
        "",
        "## Estimates",
        "",
        "| parameter | default | bounds | estimate |",
        "|---|---|---|---|",
    ]
    for row in result.estimates.itertuples():
        lines.append(
            f"| `{row.parameter}` | {row.default:.4g} | [{row.low:.4g}, {row.high:.4g}] "
            f"| {row.estimate:.4g} |"
        )
    lines += [
        "",
        "## Targets",
        "",
        "Distance is (fitted − midpoint) / half-width: within the range when |distance| <= 1.",
        "",
        "| statistic | range | fitted | distance | within (every seed) | fit | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in result.targets.itertuples():
        fit = "fitted" if getattr(row, "fitted", True) else "out of sample"
        source = getattr(row, "source", "")
        lines.append(
            f"| {row.statistic} | [{row.low:.2f}, {row.high:.2f}] | {row.simulated:.3f} "
            f"| {row.distance:+.2f} | {'yes' if row.within else 'no'} | {fit} | {source} |"
        )
    return "\n".join(lines) + "\n"


def run_cli(args: argparse.Namespace) -> int:
    """Run ``sccgames calibrate`` with parsed ``args``; print or write the report.

    Bad input is one line on stderr and status 2; an existing ``--output`` file is never
    overwritten.
    """
    what = "sccgames calibrate"
    if args.size < 2 or args.seeds < 1:
        print(f"{what}: --size must be >= 2 and --seeds >= 1", file=sys.stderr)
        return 2
    if args.output is not None and args.output.exists():
        print(f"{what}: {args.output} exists; give a new file", file=sys.stderr)
        return 2
    if args.output is not None and not args.output.parent.is_dir():
        print(f"{what}: no folder {args.output.parent} for {args.output}", file=sys.stderr)
        return 2
    try:
        result = calibrate(
            seeds=tuple(range(1, args.seeds + 1)),
            size=args.size,
            maxiter=args.maxiter,
            screen=args.screen,
            robust=args.robust,
        )
    except ValueError as error:
        print(f"{what}: {error}", file=sys.stderr)
        return 2
    text = report(result)
    if args.output is None:
        print(text, end="")
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    return 0
