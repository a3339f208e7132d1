"""Which model do the data choose? The rational rivals, the motive model, and recovery.

The motive model is tested against the strongest rational account the data allow: every
comparison fits the rational models of :data:`~sccgames.inference.likelihood.RIVALS` (static,
learning and reputation-aware) and puts the motive model against the one the training data choose
(:func:`best_rival`), the static one beside it. :func:`fit_all` fits every model with the
nested starts that keep a larger model's optimum at least at the smaller one's;
:func:`recovery` simulates data from each model's own choice probabilities on given
contexts, fits them all back and reports which model the data choose — the confusion
matrix of model selection.

The criterion is BIC [Schwarz1978]_: on data from a model, a model nesting it with one more
parameter is chosen with probability ``P(χ²₁ > ln n)`` (below 1% at n = 5000), where the
penalty of 2 of AIC [Akaike1974]_ would choose it 16% of the time whatever n, and no recovery
could reach 90%.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sccgames.inference.compare import FitResult, fit, predict
from sccgames.inference.likelihood import MODELS, RIVALS, Model, resolve_model

__all__ = ["TRUTHS", "best_rival", "confusion", "fit_all", "recovery"]

#: The parameters :func:`recovery` simulates each model at by default. Chosen so that each
#: model differs from the others where the data can see it: a logit precision β = 1.5 and a
#: generalized trust τ = 0.6 for all; the learner's prior worth a fifth of an observed move
#: (k = 0.2: it follows the evidence, where the static model's prior is worth 2 moves); the
#: reputation-aware agent's δ = 0.8 (its λ is then 0.29 under the default
#: :class:`~sccgames.SocialCredit` and 0.50 under one with a fine blacklist of 4 and a
#: forgiveness of 0.2, where the others' λ is one 0.3); the motive model's norm 0.5 and
#: guilt 0.3 (the rest of its motive terms 0).
TRUTHS: Mapping[str, Mapping[str, float]] = {
    "rational": {"beta": 1.5, "trust": 0.6, "score_value": 0.3},
    "learning": {"beta": 1.5, "trust": 0.6, "score_value": 0.3, "prior_strength": 0.2},
    "reputation": {"beta": 1.5, "trust": 0.6, "delta": 0.8},
    "motive": {
        "beta": 1.5,
        "trust": 0.6,
        "score_value": 0.3,
        "norm": 0.5,
        "warm_glow": 0.0,
        "sympathy": 0.0,
        "envy": 0.0,
        "guilt": 0.3,
        "esteem": 0.0,
        "habit": 0.0,
    },
}


def best_rival(fits: Mapping[str, FitResult], rivals: Sequence[str] = RIVALS) -> str:
    """The model of ``rivals`` in ``fits`` with the lowest BIC (the first listed on a tie).

    ``rivals`` are the rational models, :data:`~sccgames.inference.likelihood.RIVALS` by
    default (a study with models of its own passes their names).

    Raises
    ------
    ValueError
        If ``fits`` holds none of ``rivals``.

    """
    present = [str(m) for m in rivals if str(m) in fits]
    if not present:
        raise ValueError(
            f"no rational model among the fits {sorted(fits)}; expected one of "
            f"{[str(m) for m in rivals]}"
        )
    return min(present, key=lambda m: fits[m].bic)


def fit_all(
    data: pd.DataFrame,
    models: Sequence[Model | str] = MODELS,
    starts: int = 2,
    seed: int = 0,
) -> dict[str, FitResult]:
    """Fit ``models`` to ``data``; the other models also start at the static estimates.

    The learning and the motive model each nest the static rational one (at the profile's
    prior strength; at motive terms 0), so each gets the static estimates as one extra
    start and its optimum is never below the static one's. The reputation model does not
    nest it (its λ is computed); it starts from the static β and τ all the same.
    """
    wanted = [resolve_model(m) for m in models]
    fits: dict[str, FitResult] = {}
    static = fit(str(Model.RATIONAL), data, starts=starts, seed=seed)
    for model in wanted:
        if model is Model.RATIONAL:
            fits[str(model)] = static
        else:
            fits[str(model)] = fit(str(model), data, starts=starts, seed=seed, init=static.params)
    return fits


def _chosen(fits: Mapping[str, FitResult]) -> str:
    return min(fits, key=lambda m: fits[m].bic)


def recovery(
    data: pd.DataFrame,
    truths: Mapping[str, Mapping[str, float]] = TRUTHS,
    sets: int = 20,
    seed: int = 0,
    starts: int = 2,
) -> pd.DataFrame:
    """Simulate ``sets`` data sets from each model, fit every model back, and choose by BIC.

    Each data set keeps the contexts of ``data`` and draws every choice from the true
    model's own P(C) at ``truths[model]`` (``numpy.random.SeedSequence(seed)`` spawns one
    stream per model and set).

    Returns
    -------
    pandas.DataFrame
        One row per model, set and parameter of the true model: ``truth`` (the model),
        ``set``, ``chosen`` (by BIC), ``parameter``, ``true``, ``estimate``, ``ci_low`` and
        ``ci_high`` (95% Wald, of the true model's own fit), and ``covered``.

    """
    for name in truths:
        resolve_model(name)
    streams = np.random.SeedSequence(seed).spawn(len(truths) * sets)
    rows = []
    for i, (name, truth) in enumerate(truths.items()):
        law = FitResult(name, dict(truth), 0.0, len(truth), len(data), 0.0, 0.0, {}, True)
        p = predict(law, data)
        for s in range(sets):
            draw = data.copy()
            draw["cooperated"] = np.random.default_rng(streams[i * sets + s]).random(len(p)) < p
            draw.attrs = dict(data.attrs)
            fits = fit_all(draw, MODELS, starts=starts, seed=s)
            own, chosen = fits[name], _chosen(fits)
            interval = own.ci()
            for parameter, value in truth.items():
                if parameter not in own.params:
                    continue
                low, high = interval[parameter]
                rows.append(
                    {
                        "truth": name,
                        "set": s,
                        "chosen": chosen,
                        "parameter": parameter,
                        "true": float(value),
                        "estimate": own.params[parameter],
                        "ci_low": low,
                        "ci_high": high,
                        "covered": bool(low <= value <= high),
                    }
                )
    return pd.DataFrame(rows)


def confusion(table: pd.DataFrame) -> pd.DataFrame:
    """The confusion matrix of :func:`recovery`'s table: data sets by true and chosen model."""
    sets = table.drop_duplicates(["truth", "set"])
    order = [str(m) for m in MODELS]
    matrix = pd.crosstab(sets["truth"], sets["chosen"]).reindex(
        index=[m for m in order if m in set(sets["truth"])], columns=order, fill_value=0
    )
    return matrix.rename_axis(index="true model", columns="chosen (BIC)")
