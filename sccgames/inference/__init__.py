"""Inference: is a purely rational model enough to explain the choices? (``docs/model.md`` §7).

:mod:`.compare` fits the rational models and the motive model to choice data and compares them; its
functions are also this package's (``scc.inference.fit``), imported on first use.
:mod:`.likelihood` holds the models, :mod:`.fitting` fits experiment files,
:mod:`.mixture` a finite mixture of types, :mod:`.signatures` the motives' fingerprints in
data, :mod:`.stakes` predictions across stake levels, :mod:`.datasets` and :mod:`.published`
the bundled published data, :mod:`.calibration` the defaults' calibration and
:mod:`.findings` the package's claims.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sccgames.inference.compare import (
        BOUNDS,
        CONTEXT_COLUMNS,
        HISTORY_COLUMNS,
        LEARNING_PARAMETERS,
        MODELS,
        MOTIVE_PARAMETERS,
        PAYOFF_COLUMNS,
        RATIONAL_PARAMETERS,
        RIVALS,
        START_BOX,
        FitResult,
        LRTest,
        Model,
        VuongTest,
        bootstrap,
        brier,
        choices_from_batch,
        choices_from_match,
        choices_from_society,
        fit,
        gradient_hessian,
        habit_trace,
        information,
        likelihood_ratio_test,
        log_loss,
        loglik,
        loglik_terms,
        maximize,
        parameter_names,
        predict,
        probability,
        resolve_model,
        rival_test,
        utility,
        vuong_test,
    )

__all__ = [
    "BOUNDS",
    "CONTEXT_COLUMNS",
    "HISTORY_COLUMNS",
    "LEARNING_PARAMETERS",
    "MODELS",
    "MOTIVE_PARAMETERS",
    "PAYOFF_COLUMNS",
    "RATIONAL_PARAMETERS",
    "RIVALS",
    "START_BOX",
    "FitResult",
    "LRTest",
    "Model",
    "VuongTest",
    "bootstrap",
    "brier",
    "choices_from_batch",
    "choices_from_match",
    "choices_from_society",
    "fit",
    "gradient_hessian",
    "habit_trace",
    "information",
    "likelihood_ratio_test",
    "log_loss",
    "loglik",
    "loglik_terms",
    "maximize",
    "parameter_names",
    "predict",
    "probability",
    "resolve_model",
    "rival_test",
    "utility",
    "vuong_test",
]


def __getattr__(name: str) -> Any:
    """A function of :mod:`.compare`, imported on first use (PEP 562), then kept."""
    if name not in __all__:
        raise AttributeError(f"module 'sccgames.inference' has no attribute {name!r}")
    value = getattr(importlib.import_module("sccgames.inference.compare"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
