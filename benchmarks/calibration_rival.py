"""Size and power of the test of the motive model against its best rational rival.

Data sets of 2 000 choices drawn from a rational rival's own P(C) (``--truth``, the
learning or the reputation-aware model at ``sccgames.inference.selection.TRUTHS``) on the
contexts of two Citizen societies of 500 (20 rounds each, a social credit system from round
5 over two domains: the default one, and one with a blacklist costing 4 and forgiveness 0.2;
each data set a random 2 000 of their 20 000 choices), and from mixed-motive societies
(half ``Citizen``, half ``Moralist``, 100 citizens, 20 rounds, no regime). Every model is
fitted (``selection.fit_all``), the rival BIC prefers is put against the motive model with
``inference.rival_test`` (``draws`` parametric-bootstrap refits) at 5%. Prints how often
each rival is chosen, the rejection rates with exact binomial 95% intervals and the mean
p-value under the null (0.525 for a calibrated test with 19 draws).
``tests/inference/test_selection.py`` runs the same with 20 and 5 data sets.

    python benchmarks/calibration_rival.py [--truth learning] [--null 100] [--mixed 20]
                                           [--draws 19]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from scipy import stats
from tqdm import tqdm

import sccgames as scc
from sccgames.inference import compare as inf
from sccgames.inference import selection

COVERAGE = {"work": 0.8, "home": 0.3}
REGIMES = (
    scc.SocialCredit(coverage=COVERAGE),
    scc.SocialCredit(coverage=COVERAGE, blacklist_cost=4.0, score_decay=0.2),
)


def contexts() -> pd.DataFrame:
    parts = []
    for seed, credit in zip((7, 8), REGIMES, strict=True):
        society = scc.Society(
            scc.Population(500, shares={"Citizen": 1.0}),
            rounds=20,
            regime=scc.Schedule({0: scc.NoRegime(), 5: credit}),
            domains={"work": 0.5, "home": 0.5},
            seed=seed,
        )
        parts.append(inf.choices_from_society(society))
    data = pd.concat(parts, ignore_index=True)
    data.attrs = dict(parts[0].attrs)
    return data


def p_value(data: pd.DataFrame, seed: int, draws: int) -> tuple[str, float]:
    fits = selection.fit_all(data, starts=1, seed=seed)
    rival = selection.best_rival(fits)
    return rival, inf.rival_test(fits[rival], fits["motive"], data, draws=draws, seed=seed).p_value


def rate(rejections: int, n: int) -> str:
    ci = stats.binomtest(rejections, n).proportion_ci(0.95, method="exact")
    return f"{rejections}/{n} = {rejections / n:.3f} [{ci.low:.3f}, {ci.high:.3f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--truth", choices=("learning", "reputation"), default="learning")
    parser.add_argument("--null", type=int, default=100)
    parser.add_argument("--mixed", type=int, default=20)
    parser.add_argument("--draws", type=int, default=19)
    args = parser.parse_args()
    start = time.perf_counter()
    base = contexts()
    truth = selection.TRUTHS[args.truth]
    law = inf.FitResult(args.truth, dict(truth), 0.0, len(truth), 2000, 0.0, 0.0, {}, True)
    null, chosen = [], []
    for seed in tqdm(range(args.null), desc=f"{args.truth} data"):
        data = base.sample(2000, random_state=10_000 + seed).reset_index(drop=True)
        data.attrs = dict(base.attrs)
        draw = np.random.default_rng(20_000 + seed).random(len(data))
        data["cooperated"] = draw < inf.predict(law, data)
        rival, p = p_value(data, seed, args.draws)
        chosen.append(rival)
        null.append(p)
    mixed = []
    for seed in tqdm(range(args.mixed), desc="mixed-motive data"):
        society = scc.Society(
            scc.Population(100, shares={"Citizen": 0.5, "Moralist": 0.5}), rounds=20, seed=seed
        )
        mixed.append(p_value(inf.choices_from_society(society), seed, args.draws)[1])
    null, mixed = np.array(null), np.array(mixed)
    print(f"rival chosen on {args.truth} data: {pd.Series(chosen).value_counts().to_dict()}")
    print(f"size at 5% on {args.truth} data: {rate(int(np.sum(null <= 0.05)), len(null))}")
    print(f"mean p-value on {args.truth} data: {null.mean():.3f}")
    print(f"power at 5% on mixed-motive data: {rate(int(np.sum(mixed <= 0.05)), len(mixed))}")
    print(f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
