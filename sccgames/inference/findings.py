"""The society engine's headline findings, each a function returning a tidy table with spread.

Every function runs societies from the documented defaults (nothing here is tuned per
figure), over several seeds, and returns one row per condition and seed, so the run-to-run
spread is in the table; :func:`summarize` gives mean, standard deviation and range. The
tests in ``tests/inference/test_findings.py`` hold each finding to a statistical test, and
``sccgames findings`` prints them.

Rounds are counted from 0; phase means are over the last ``window`` rounds of a phase, once
the population has settled into it. Every finding takes ``defaults``, profile defaults moved
by path; :func:`robustness` uses them to ask whether a finding (:data:`HEADLINES`) or a
calibration target holds when every default moves by ±10%.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sccgames.engines.society import Society
from sccgames.inference import calibration as _calibration
from sccgames.model.population import Discrete, Population
from sccgames.rules.institutions import PeerPunishment, Schedule
from sccgames.rules.regimes import NoRegime, SocialCredit

#: Seeds every finding runs over by default.
SEEDS = (1, 2, 3, 4, 5)


def _all(metrics: pd.DataFrame) -> pd.DataFrame:
    return metrics[metrics["domain"] == "all"].set_index("round")


def _phases(cooperation: pd.Series, ends: Sequence[int], window: int) -> dict[str, float]:
    """Mean cooperation over the last ``window`` rounds of each phase (before, during, after)."""
    return {
        name: cooperation.loc[end - window : end - 1].mean()
        for name, end in zip(("before", "during", "after"), ends, strict=True)
    }


def _moved(population: Population, defaults: Mapping[str, float] | None) -> Population:
    """``population`` with the profile defaults moved to ``defaults`` (None: unchanged)."""
    return _calibration.with_defaults(population, defaults or {})


def calibration(
    size: int = 5000,
    seeds: Sequence[int] = SEEDS,
    defaults: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The default population in the lab's classic games, round by round.

    One-shot anonymous prisoner's dilemmas (strangers each round) [Sally1995]_, and ten
    rounds of a public goods game in groups of four with and without peer punishment
    [Ledyard1995]_ [FehrGachter2000]_ [FischbacherGachter2010]_. Columns ``game``,
    ``seed``, ``round``, ``cooperation`` (in the public goods game, the share of the
    endowment contributed). ``defaults`` moves profile defaults by path
    (:func:`sccgames.inference.calibration.with_defaults`), as every finding here allows.
    """
    games = {
        "prisoners_dilemma": ("pd", None),
        "public_goods": ("public_goods", None),
        "public_goods_punishment": ("public_goods", PeerPunishment()),
    }
    rows = []
    for label, (game, regime) in games.items():
        for seed in seeds:
            pop = _moved(Population(size), defaults)
            m = Society(pop, 10, regime=regime, game=game, seed=seed).run(progress_bar=False)
            c = _all(m.metrics)["cooperation"]
            rows.append(
                pd.DataFrame(
                    {"game": label, "seed": seed, "round": c.index, "cooperation": c.values}
                )
            )
    return pd.concat(rows, ignore_index=True)


def fine_response(
    fines: Sequence[float] = (0.0, 0.5, 1.0, 2.0, 4.0),
    size: int = 3000,
    seeds: Sequence[int] = SEEDS,
    window: int = 10,
    defaults: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """``HomoEconomicus`` cooperation before, during and after a social credit system.

    A baseline of 20 rounds, the regime (default ``SocialCredit`` but for its ``fine``)
    from round 20 to 50, removed from round 50 to 80. Columns ``fine``, ``seed``,
    ``before``, ``during``, ``after`` (mean cooperation over each phase's last ``window``
    rounds).
    """
    rows = []
    for fine in fines:
        plan = Schedule({0: NoRegime(), 20: SocialCredit(fine=fine), 50: NoRegime()})
        for seed in seeds:
            pop = _moved(Population(size, shares={"HomoEconomicus": 1.0}), defaults)
            c = _all(Society(pop, 80, regime=plan, seed=seed).run(progress_bar=False).metrics)
            c = c["cooperation"]
            rows.append({"fine": fine, "seed": seed, **_phases(c, (20, 50, 80), window)})
    return pd.DataFrame(rows)


def crowding_out(
    fine: float = 0.25,
    legitimacy: float = 0.2,
    size: int = 5000,
    seeds: Sequence[int] = SEEDS,
    window: int = 20,
    defaults: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """A small fine in a ``Citizen`` population that starts with low legitimacy.

    Gneezy and Rustichini's design [GneezyRustichini2000]_ in a society of strangers
    playing the prisoner's dilemma: 20 rounds without a regime, a small private fine (no
    reward, no score, scores not public) from round 20 to 60, then none to round 100;
    against a control society with the same seed and no fine at all (so both share every
    random draw until the fine begins). Starting legitimacy ``legitimacy`` stands for a
    history of distrust. Columns ``seed``, ``condition`` ("fine" or "control"),
    ``before``, ``during``, ``after`` (mean cooperation over each phase's last ``window``
    rounds), ``norm_after`` (mean norm at the end).
    """
    pop = Population(
        size,
        {"Citizen": 1.0},  # the type whose norm a fine can crowd out, alone
        distributions={"legitimacy.initial": Discrete((legitimacy,), (1.0,))},
    )
    pop = _moved(pop, defaults)
    small = SocialCredit(fine=fine, reward=0.0, score_up=0.0, score_down=0.0, public_scores=False)
    plans = {"fine": Schedule({0: NoRegime(), 20: small, 60: NoRegime()}), "control": None}
    rows = []
    for seed in seeds:
        for condition, plan in plans.items():
            m = _all(Society(pop, 100, regime=plan, seed=seed).run(progress_bar=False).metrics)
            c = m["cooperation"]
            rows.append(
                {
                    "seed": seed,
                    "condition": condition,
                    **_phases(c, (20, 60, 100), window),
                    "norm_after": m["norm"].iloc[-1],
                }
            )
    return pd.DataFrame(rows)


def compliance_gap(
    types: Sequence[str] = ("HomoEconomicus", "Citizen", "Moralist"),
    size: int = 3000,
    seeds: Sequence[int] = SEEDS,
    rounds: int = 30,
    defaults: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Cooperation where the regime watches and where it does not, by motive type.

    Two domains of equal share, ``"watched"`` (coverage 1) and ``"unwatched"`` (coverage
    0), under the default ``SocialCredit`` otherwise, for a population of one type at a
    time. Columns ``type``, ``seed``, ``watched``, ``unwatched``, ``gap`` (means over all
    rounds).
    """
    regime = SocialCredit(coverage={"watched": 1.0, "unwatched": 0.0})
    domains = {"watched": 0.5, "unwatched": 0.5}
    rows = []
    for name in types:
        for seed in seeds:
            pop = _moved(Population(size, shares={name: 1.0}), defaults)
            m = Society(pop, rounds, regime=regime, domains=domains, seed=seed).run(
                progress_bar=False
            )
            by = m.metrics.groupby("domain")["cooperation"].mean()
            rows.append(
                {
                    "type": name,
                    "seed": seed,
                    "watched": by["watched"],
                    "unwatched": by["unwatched"],
                    "gap": by["watched"] - by["unwatched"],
                }
            )
    return pd.DataFrame(rows)


def summarize(table: pd.DataFrame, by: str | Sequence[str]) -> pd.DataFrame:
    """Mean, standard deviation, min and max over seeds of every figure in ``table``."""
    figures = [c for c in table.columns if c not in ("seed", *np.atleast_1d(by))]
    return table.groupby(list(np.atleast_1d(by)))[figures].agg(["mean", "std", "min", "max"])


# --------------------------------------------------------------------------- robustness
def _public_goods_decline(defaults: Mapping[str, float], size: int, seeds: Sequence[int]) -> float:
    table = calibration(size, seeds, defaults)
    pg = table[table["game"] == "public_goods"].pivot(index="seed", columns="round")
    c = pg["cooperation"]
    return float((c[0] - c[9]).mean())


def _punishment_sustains(defaults: Mapping[str, float], size: int, seeds: Sequence[int]) -> float:
    table = calibration(size, seeds, defaults)
    last = table[table["round"] == 9].groupby("game")["cooperation"].mean()
    return float(last["public_goods_punishment"] - last["public_goods"])


def _fine_response(defaults: Mapping[str, float], size: int, seeds: Sequence[int]) -> float:
    table = fine_response((0.0, 4.0), size, seeds, defaults=defaults)
    during = table.groupby("fine")["during"].mean()
    return float(during[4.0] - during[0.0])


def _crowding_out(defaults: Mapping[str, float], size: int, seeds: Sequence[int]) -> float:
    table = crowding_out(size=size, seeds=seeds, defaults=defaults)
    during = table.groupby("condition")["during"].mean()
    return float(during["control"] - during["fine"])


def _compliance_gap(defaults: Mapping[str, float], size: int, seeds: Sequence[int]) -> float:
    table = compliance_gap(("Citizen", "Moralist"), size, seeds, defaults=defaults)
    gap = table.groupby("type")["gap"].mean()
    return float(gap["Citizen"] - gap["Moralist"])


#: The headline findings as scalars whose sign is the claim (positive when it holds):
#: name to (function of ``(defaults, size, seeds)``, the claim in words).
HEADLINES: dict[str, tuple[Callable[..., float], str]] = {
    "public_goods_decline": (
        _public_goods_decline,
        "public goods contributions fall from round 1 to round 10 (calibration)",
    ),
    "punishment_sustains": (
        _punishment_sustains,
        "round 10 contributions are higher with peer punishment than without (calibration)",
    ),
    "fine_response": (
        _fine_response,
        "HomoEconomicus cooperates more under a fine of 4 than of 0 (fine_response)",
    ),
    "crowding_out": (
        _crowding_out,
        "a small fine lowers cooperation below the control's while it lasts (crowding_out)",
    ),
    "compliance_gap": (
        _compliance_gap,
        "Citizens' watched-unwatched gap exceeds Moralists' (compliance_gap)",
    ),
}


@dataclass(frozen=True)
class Robustness:
    """What :func:`robustness` found.

    Attributes
    ----------
    finding : str
        The finding's name (or ``"custom"`` for a callable).
    condition : str
        What "holds" means: the sign claimed, or the target range.
    share : float
        Share of draws in which the finding holds.
    draws : pandas.DataFrame
        One row per draw: every parameter's value, ``statistic`` and ``holds``.
    sensitivity : pandas.DataFrame
        One row per parameter, most influential first: ``parameter``, ``default``,
        ``src`` (standardized regression coefficient of the statistic on the parameters)
        and ``spearman`` (rank correlation of the statistic with the parameter).

    """

    finding: str
    condition: str
    share: float
    draws: pd.DataFrame
    sensitivity: pd.DataFrame


def _sensitivity(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Standardized regression coefficients and Spearman correlations of ``y`` on ``x``."""
    d = x.shape[1]
    src, rho = np.full(d, np.nan), np.full(d, np.nan)
    sx, sy = x.std(axis=0), y.std()
    moving = sx > 0
    if sy == 0 or not moving.any():
        return src, rho
    z = (x[:, moving] - x[:, moving].mean(axis=0)) / sx[moving]
    design = np.column_stack([np.ones(len(y)), z])
    coefficients = np.linalg.lstsq(design, (y - y.mean()) / sy, rcond=None)[0]
    src[moving] = coefficients[1:]
    with warnings.catch_warnings():  # ties can leave y's ranks constant: rho is then NaN
        warnings.simplefilter("ignore", stats.ConstantInputWarning)
        for j in np.flatnonzero(moving):
            rho[j] = stats.spearmanr(x[:, j], y).statistic
    return src, rho


def robustness(
    finding: str | Callable[[Mapping[str, float]], float],
    draws: int = 64,
    spread: float = 0.1,
    seed: int = 0,
    *,
    parameters: Sequence[str] | None = None,
    holds: Callable[[float], bool] | None = None,
    size: int = 2000,
    seeds: Sequence[int] = (1, 2, 3),
) -> Robustness:
    """Whether a finding holds when every chosen default moves by up to ``±spread``.

    A scrambled Sobol design [Sobol1967]_ (a Latin hypercube when ``draws`` is not a power
    of two) puts each parameter ``p`` at ``default_p · (1 + spread · (2u − 1))`` with ``u``
    uniform in [0, 1]; at each draw the finding is computed from societies whose profile
    defaults are moved so (:func:`sccgames.inference.calibration.with_defaults`). Which parameters
    move it most is read from standardized regression coefficients of the statistic on the
    parameters, and from rank correlations.

    Parameters
    ----------
    finding : str or callable
        A key of :data:`HEADLINES` (holds when positive), a statistic of
        :data:`sccgames.inference.calibration.TARGETS` (holds when the mean over ``seeds`` is in its
        range), or a function of the moved defaults (a dict path → value) returning a
        number (holds when positive, or as ``holds`` says).
    draws : int, default 64
        Points of the design (>= 2).
    spread : float, default 0.1
        Relative move of each default, in (0, 1).
    seed : int, default 0
        Scrambles the design.
    parameters : sequence of str, optional
        Profile paths to move; every continuous default
        (:func:`sccgames.inference.calibration.robust_paths`) by default. Shares and
        probabilities stay below 1 (:func:`sccgames.inference.calibration.perturbed`).
    holds : callable, optional
        For a callable finding: whether a value means the finding holds (default ``> 0``).
    size, seeds
        Citizens and seeds of every society run for a named finding or target.

    """
    targets = _calibration.TARGETS.set_index("statistic")
    if isinstance(finding, str) and finding in HEADLINES:
        headline, condition = HEADLINES[finding]

        def compute(values: Mapping[str, float]) -> float:
            return headline(values, size, seeds)

        test: Callable[[float], bool] = lambda v: v > 0  # noqa: E731
        name = finding
    elif isinstance(finding, str) and finding in targets.index:
        row = targets.loc[finding]
        one = _calibration.TARGETS[_calibration.TARGETS["statistic"] == finding]

        def compute(values: Mapping[str, float]) -> float:
            pop = _calibration.with_defaults(Population(size), values)
            return float(_calibration.simulate(pop, seeds, one)["value"].mean())

        low, high = float(row["low"]), float(row["high"])
        condition = f"{finding} in [{low:g}, {high:g}]"
        test = lambda v: low <= v <= high  # noqa: E731
        name = finding
    elif callable(finding):
        compute, test = finding, holds or (lambda v: v > 0)
        condition = "holds() of the statistic" if holds else "statistic > 0"
        name = getattr(finding, "__name__", "custom")
    else:
        known = [*HEADLINES, *targets.index]
        raise ValueError(f"unknown finding {finding!r}: give a callable or one of {known}")
    paths = list(_calibration.robust_paths() if parameters is None else parameters)
    x = _calibration.perturbed(paths, draws, spread, seed)
    defaults = np.array([_calibration.default_value(p) for p in paths])
    values = np.array(
        [compute(dict(zip(paths, point.tolist(), strict=True))) for point in x], float
    )
    ok = np.array([bool(test(v)) for v in values])
    table = pd.DataFrame(x, columns=paths).assign(statistic=values, holds=ok)
    src, rho = _sensitivity(x, values)
    sensitivity = pd.DataFrame(
        {"parameter": paths, "default": defaults, "src": src, "spearman": rho}
    )
    order = np.argsort(-np.nan_to_num(np.abs(src), nan=-1.0), kind="stable")
    return Robustness(
        finding=name,
        condition=condition,
        share=float(ok.mean()),
        draws=table,
        sensitivity=sensitivity.iloc[order].reset_index(drop=True),
    )


def robustness_report(results: Sequence[Robustness]) -> str:
    """A markdown table: each finding, what holding means, the share and the top movers."""
    lines = ["| finding | holds when | share of draws | moved most by |", "|---|---|---|---|"]
    for r in results:
        top = ", ".join(
            f"`{row.parameter}` ({row.src:+.2f})"
            for row in r.sensitivity.head(2).itertuples()
            if np.isfinite(row.src)
        )
        lines.append(f"| {r.finding} | {r.condition} | {r.share:.2f} | {top or '-'} |")
    return "\n".join(lines) + "\n"


def robustness_cli(
    names: Sequence[str] | None = None, draws: int = 64, spread: float = 0.1, **kwargs: Any
) -> str:
    """``sccgames findings --robustness``: :func:`robustness_report` of every headline."""
    return robustness_report(
        [robustness(n, draws, spread, **kwargs) for n in (names or list(HEADLINES))]
    )
