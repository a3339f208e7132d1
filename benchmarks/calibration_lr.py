"""Size and power of the likelihood-ratio test of the rational model (docs/performance.md).

Data sets of 2 000 choices (100 citizens, 20 rounds, a social credit system from round 5
over two domains) from purely rational citizens (``HomoEconomicus``) and from a mixed-motive
population (half ``Citizen``, half ``Moralist``). Each is fitted by both models and the
rational model is tested with ``inference.likelihood_ratio_test`` — against χ² and with the
parametric bootstrap (``draws`` refits) — at 5%. Prints the rejection rates with exact
binomial 95% intervals, and the mean p-value under the null (0.5 for a calibrated test).

    python benchmarks/calibration_lr.py [--null 100] [--mixed 20] [--draws 19]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import stats
from tqdm import tqdm

import sccgames as scc
from sccgames.inference import compare as inf

REGIME = scc.Schedule({0: scc.NoRegime(), 5: scc.SocialCredit(coverage={"work": 0.8, "home": 0.3})})
RATIONAL = {"HomoEconomicus": 1.0}
MIXED = {"Citizen": 0.5, "Moralist": 0.5}


def p_values(shares: dict[str, float], seed: int, draws: int) -> tuple[float, float]:
    """(χ² p-value, bootstrap p-value) of the LR test on one simulated data set."""
    society = scc.Society(
        scc.Population(100, shares=shares),
        rounds=20,
        regime=REGIME,
        domains={"work": 0.5, "home": 0.5},
        seed=seed,
    )
    data = inf.choices_from_society(society)
    rational = inf.fit("rational", data, starts=2, seed=seed)
    motive = inf.fit("motive", data, starts=2, seed=seed, init=rational.params)
    chi2 = inf.likelihood_ratio_test(rational, motive).p_value
    boot = inf.likelihood_ratio_test(rational, motive, data, draws=draws, seed=seed).p_value
    return chi2, boot


def rate(rejections: int, n: int) -> str:
    ci = stats.binomtest(rejections, n).proportion_ci(0.95, method="exact")
    return f"{rejections}/{n} = {rejections / n:.3f} [{ci.low:.3f}, {ci.high:.3f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--null", type=int, default=100, help="rational data sets")
    parser.add_argument("--mixed", type=int, default=20, help="mixed-motive data sets")
    parser.add_argument("--draws", type=int, default=19, help="bootstrap refits per test")
    args = parser.parse_args()
    start = time.perf_counter()
    for label, shares, count in (("rational", RATIONAL, args.null), ("mixed", MIXED, args.mixed)):
        values = np.array(
            [p_values(shares, seed, args.draws) for seed in tqdm(range(count), desc=label)]
        )
        chi2, boot = (values[:, 0] <= 0.05).sum(), (values[:, 1] <= 0.05).sum()
        print(f"{label} data: rejected at 5% — chi2 {rate(chi2, count)}; bootstrap "
              f"{rate(boot, count)}; mean p chi2 {values[:, 0].mean():.3f}, bootstrap "
              f"{values[:, 1].mean():.3f}")  # fmt: skip
    print(f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
