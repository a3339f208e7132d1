"""Stakes: does a model fitted at two stake levels predict a third? (``docs/evidence.md``).

A multi-condition study simulated through the engines (:class:`~sccgames.Society`): a known
population makes one-shot choices at each of several stake levels, a fresh society per level,
and each model of :mod:`sccgames.inference.likelihood` is fitted to all levels but one
jointly (the choices carry their game per row,
:data:`~sccgames.inference.likelihood.PAYOFF_COLUMNS`, so the levels are fitted together)
and predicts the level left out. Two designs:

``"wallet"``
    The lost wallet [Cohn2019]_ (:class:`~sccgames.LostWallet`) holding ``money × stakes``:
    the stakes multiply what keeping gains the finder and costs the owner, the effort of
    returning stays.
``"pd"``
    The default prisoner's dilemma with every payoff multiplied by the stakes, played once
    among strangers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sccgames._validation import check_integer
from sccgames.engines.society import Society
from sccgames.inference import compare
from sccgames.model.population import Population
from sccgames.rules.games import LostWallet, prisoners_dilemma

__all__ = ["DESIGNS", "STAKES", "stakes_choices", "stakes_study"]

#: Stake levels: Cohn et al.'s "big money" wallet held seven times their "money" wallet
#: [Cohn2019]_; 2 lies between, so that two levels can be fitted and the third predicted.
STAKES = (1.0, 2.0, 7.0)
#: The designs :func:`stakes_choices` can simulate (module docstring).
DESIGNS = ("wallet", "pd")
#: Default citizens per level: chosen so that a level's cooperation rate has a standard error
#: of about 0.01 (2000 finders of a wallet, 4000 players of a prisoner's dilemma).
SIZE = 4000


def _game(design: str, stakes: float) -> Any:
    if design == "wallet":
        return LostWallet(money=LostWallet().money * stakes)
    return prisoners_dilemma(3.0 * stakes, 0.0, 5.0 * stakes, 1.0 * stakes)


def _check(design: str, stakes: Sequence[float]) -> tuple[float, ...]:
    if design not in DESIGNS:
        raise ValueError(f"unknown design {design!r}; choose one of {', '.join(DESIGNS)}")
    levels = tuple(float(s) for s in stakes)
    if len(levels) < 3 or len(set(levels)) != len(levels):
        raise ValueError(
            f"stakes must be at least three distinct levels (two to fit, one to predict), "
            f"got {list(stakes)}"
        )
    if not all(np.isfinite(s) and s > 0 for s in levels):
        raise ValueError(f"stakes must be finite and > 0, got {list(stakes)}")
    return levels


def stakes_choices(
    population: Population | None = None,
    stakes: Sequence[float] = STAKES,
    design: str = "wallet",
    seed: int = 0,
) -> pd.DataFrame:
    """One round of ``design`` at each stake level, a fresh society each, as choice data.

    Parameters
    ----------
    population : Population, optional
        Who chooses. Default ``Population(SIZE)`` (the default type shares,
        :data:`~sccgames.model.population.DEFAULT_SHARES`).
    stakes : sequence of float, default :data:`STAKES`
        The levels (> 0, at least three, distinct).
    design : {"wallet", "pd"}, default "wallet"
        What the stakes scale (module docstring).
    seed : int, default 0
        Each level's society has its own seed, spawned from this one.

    Returns
    -------
    pandas.DataFrame
        :func:`~sccgames.inference.compare.choices_from_society` of every level,
        concatenated, with the level in a ``condition`` column (a label: the payoff columns
        already hold the scaled game, so it is not the ``stakes`` column, which would scale
        them again).

    """
    levels = _check(design, stakes)
    check_integer("seed", seed, 0)
    population = Population(SIZE) if population is None else population
    seeds = [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(len(levels))]
    parts = [
        compare.choices_from_society(
            Society(population, 1, game=_game(design, level), seed=s)
        ).assign(condition=level)
        for level, s in zip(levels, seeds, strict=True)
    ]
    return pd.concat(parts, ignore_index=True)


def stakes_study(
    population: Population | None = None,
    stakes: Sequence[float] = STAKES,
    design: str = "wallet",
    seed: int = 0,
    starts: int = 20,
) -> pd.DataFrame:
    """Fit both models on all stake levels but one, predict the one left out, for each level.

    Parameters
    ----------
    population, stakes, design, seed
        As :func:`stakes_choices`.
    starts : int, default 20
        Random starts of each fit (:func:`~sccgames.inference.compare.fit`); the motive model
        also starts from the rational estimates, so that its optimum is never below the
        nested one's. Chosen above :func:`~sccgames.inference.compare.fit`'s 5 because with
        two levels the motive model's likelihood is flat along a ridge and starts that reach
        β = 0 stay there (the other parameters then move nothing).

    Returns
    -------
    pandas.DataFrame
        One row per level left out: ``held_out`` (its stakes), ``n`` (its choices),
        ``observed`` (its cooperation rate, the truth) and ``se`` (that rate's binomial
        standard error), then for each model (``rational``, ``motive``) the mean predicted
        P(C) on the level left out and its ``*_log_loss`` there.

    """
    data = stakes_choices(population, stakes, design, seed)
    rows = []
    for level in _check(design, stakes):
        held = (data["condition"] == level).to_numpy()
        train, test = data[~held], data[held]
        y = test["cooperated"].to_numpy()
        observed = float(y.mean())
        row: dict[str, Any] = {
            "held_out": level,
            "n": int(y.size),
            "observed": observed,
            "se": float(np.sqrt(observed * (1.0 - observed) / y.size)),
        }
        rational = compare.fit("rational", train, starts=starts, seed=seed)
        motive = compare.fit("motive", train, starts=starts, seed=seed, init=rational.params)
        for fitted in (rational, motive):
            p = compare.predict(fitted, test)
            row[fitted.model] = float(p.mean())
            row[f"{fitted.model}_log_loss"] = compare.log_loss(p, y)
        rows.append(row)
    return pd.DataFrame(rows)
