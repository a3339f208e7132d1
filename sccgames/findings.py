"""The society engine's headline findings, each a function returning a tidy table with spread.

Every function runs societies from the documented defaults (nothing here is tuned per
figure), over several seeds, and returns one row per condition and seed, so the run-to-run
spread is in the table; :func:`summarize` gives mean, standard deviation and range. The
tests in ``tests/test_findings.py`` hold each finding to a statistical test, and
``sccgames findings`` prints them.

Rounds are counted from 0; phase means are over the last ``window`` rounds of a phase, once
the population has settled into it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sccgames.institutions import PeerPunishment, Schedule
from sccgames.population import Discrete, Population
from sccgames.regimes import NoRegime, SocialCredit
from sccgames.society import Society

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


def calibration(size: int = 5000, seeds: Sequence[int] = SEEDS) -> pd.DataFrame:
    """Default ``Citizen`` populations in the lab's classic games, round by round.

    One-shot anonymous prisoner's dilemmas (strangers each round) [Sally1995]_, and ten
    rounds of a public goods game in groups of four with and without peer punishment
    [Ledyard1995]_ [FehrGachter2000]_ [FischbacherGachter2010]_. Columns ``game``,
    ``seed``, ``round``, ``cooperation`` (in the public goods game, the share of the
    endowment contributed).
    """
    games = {
        "prisoners_dilemma": ("pd", None),
        "public_goods": ("public_goods", None),
        "public_goods_punishment": ("public_goods", PeerPunishment()),
    }
    rows = []
    for label, (game, regime) in games.items():
        for seed in seeds:
            m = Society(Population(size), 10, regime=regime, game=game, seed=seed).run(
                progress_bar=False
            )
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
            pop = Population(size, shares={"HomoEconomicus": 1.0})
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
    pop = Population(size, distributions={"legitimacy.initial": Discrete((legitimacy,), (1.0,))})
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
            pop = Population(size, shares={name: 1.0})
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
