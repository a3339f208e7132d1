"""Seconds to fit every model of ``sccgames.inference`` to 10⁵ choices (target: under 30 s).

The choices are those of a mixed society (half ``Citizen``, half ``HomoEconomicus``, 5 000
citizens for 20 rounds, a social credit system from round 5 over two domains): 10⁵ rows. One
repetition fits the static rational model (``fit(..., starts=5)``, the default), then the
learning, the reputation-aware and the motive model (``starts=5`` plus the static
estimates as a sixth start:
:func:`sccgames.inference.selection.fit_all`), standard errors included. It reports the
median over ``--repeats`` and, measured in the same run (the machine is shared and noisy),
the same fits with L-BFGS-B's finite-difference gradients instead of the exact ones, and
their ratio.

    python benchmarks/bench_inference.py [--repeats 3] [--no-compare]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np

import sccgames as scc
from sccgames.inference import compare as inf
from sccgames.inference import likelihood as lk
from sccgames.inference import selection

REGIME = scc.Schedule({0: scc.NoRegime(), 5: scc.SocialCredit(coverage={"work": 0.8, "home": 0.3})})


def choices() -> object:
    population = scc.Population(5000, shares={"Citizen": 0.5, "HomoEconomicus": 0.5})
    society = scc.Society(
        population, rounds=20, regime=REGIME, domains={"work": 0.5, "home": 0.5}, seed=1
    )
    return inf.choices_from_society(society)


def fit_every_model(data: object) -> tuple[float, dict[str, inf.FitResult]]:
    start = time.perf_counter()
    fits = selection.fit_all(data, starts=5, seed=0)
    return time.perf_counter() - start, fits


def fit_every_model_numerical(data: object) -> float:
    """The same fits with finite-difference gradients (what ``jac=False`` would cost)."""
    start = time.perf_counter()
    static: dict[str, float] = {}
    d = lk._prepare(data)
    for model in inf.MODELS:
        names = lk.parameter_names(model, d)
        bounds = [lk.BOUNDS[k] for k in names]
        rng = np.random.default_rng(0)
        points = [np.array([rng.uniform(*lk.START_BOX[k]) for k in names]) for _ in range(5)]
        if static:  # the nested start: the static estimates, the model's own terms neutral
            nested = {"prior_strength": 2.0}
            points.append(np.array([static.get(k, nested.get(k, 0.0)) for k in names]))

        def mean_nll(theta: np.ndarray, model: inf.Model = model, names: tuple = names) -> float:
            return -lk.loglik(model, dict(zip(names, theta, strict=True)), d) / d.n

        result = inf.maximize(model, names, mean_nll, points, bounds, d.n)
        static = static or result.params
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-compare", action="store_true", help="skip the finite differences")
    args = parser.parse_args()
    data = choices()
    print(f"{platform.processor() or platform.machine()}, {len(data):,} choices")
    times = []
    for _ in range(args.repeats):
        seconds, fits = fit_every_model(data)
        times.append(seconds)
    print(f"every model, exact gradients: median {statistics.median(times):.2f} s of {times}")
    for name, fit in fits.items():
        print(f"  {name:8} log L {fit.loglik:.2f} ({fit.n_params} parameters)")
    print(f"  best rational rival (BIC): {selection.best_rival(fits)}")
    if not args.no_compare:
        numerical = fit_every_model_numerical(data)
        ratio = numerical / statistics.median(times)
        print(f"every model, finite differences: {numerical:.2f} s ({ratio:.1f}x slower)")


if __name__ == "__main__":
    main()
