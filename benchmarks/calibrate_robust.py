"""Calibrated defaults that keep every fitted target when every default moves by ±10%.

The calibration run behind the fitted defaults of :class:`sccgames.Profile` (the nine of
:data:`sccgames.inference.calibration.PARAMETERS`) and ``LostWallet.owner_value``. It
searches, over these ten values, for the point where the smallest share of ±10% draws of
all the continuous defaults (:func:`~sccgames.inference.calibration.robust_paths`) that
keeps a fitted target in its range is largest:

1. A wide design (``--draws`` scrambled Sobol points, ``--design-seed``): the ten values
   spread over :data:`BOX` and, on top, each of the 46 defaults moved by a factor in
   [0.9, 1.1] (shares capped as in ``target_robustness``); every target's mean over
   ``--seeds`` on ``Population(2000)`` at each point.
2. A local model of each target: squared and pairwise terms in the ten values (scaled to
   [-1, 1] over the box), linear terms in the 46 factors, and interactions of the ten
   values with the factors of the ``--interactions`` defaults with the largest plain linear
   effect on a fitted target. Its fit and 4-fold cross-validated R² are printed.
3. A search on the model: the share of ±10% draws (uniform factors) in which a target holds
   is predicted by a normal approximation (mean and spread from the model, plus its
   residual sd); L-BFGS-B maximizes a soft minimum of the fitted targets' shares, less a
   small penalty for moving away from :data:`START`, from :data:`START` and 60 starts drawn
   with ``--search-seed``. The best point is rounded to 3 significant digits (at most 3
   decimals) and printed.
4. A check of the rounded candidate with the real design:
   ``target_robustness(64, 0.1, size=2000, seeds=(1, 2, 3), values=candidate)`` and the
   calibration status (10 000 citizens, seeds 1-5), both printed.

Every step is deterministic (fixed seeds, fixed starts); the same command gives the same
candidate. With the defaults it gives beta 0.62, moral.norm 0.066, moral.harm_weight 2.74,
moral.threshold 0.403, moral.initial_compliance 0.9, moral.compliance_learning 0.465,
emotion.warm_glow 0.037, emotion.guilt 0.816, social.conformity 1.19, wallet.owner_value
0.132 (the check: every fitted target in range in at least 90% of the 64 draws, the
smallest share 0.906, and in every seed of the status). Measured on a shared 2-core machine
(2026-12-04): 9 min 15 s wall, 6.5 min of CPU; the wide design takes 85% of it, the search
about 50 s, the check 30 s.

Run::

    python benchmarks/calibrate_robust.py [--draws 512] [--seeds 1 2 3] [--design-seed 7]
        [--search-seed 1] [--interactions 14] [--out result.json]

It writes nothing unless ``--out`` names a new JSON file (an existing file is never
overwritten).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize, stats
from scipy.stats import qmc

import sccgames as scc
from sccgames.inference import calibration as cal

#: The ten calibrated values: the profile's fitted defaults and the wallet's worth to its owner.
FITTED = [*cal.PARAMETERS, *cal.DESIGN_PARAMETERS]

#: Where the search starts and what its penalty pulls towards: the plain estimates of
#: ``sccgames calibrate`` (docs/calibration.md), written out so that the run does not depend
#: on the package's current defaults.
START = dict(cal.PLAIN_ESTIMATES)

#: The box of the wide design: it holds :data:`START` and the point a first search on a
#: model linear in the ten values (fitted to a ±10% design at :data:`START`) moved to
#: (beta 0.79, norm 0.11, harm weight 2.85, threshold 0.41, initial compliance 0.74,
#: compliance learning 0.47, warm glow 0.11, guilt 0.67, conformity 1.18, owner value 0.08),
#: within :data:`~sccgames.inference.calibration.PARAMETERS`' bounds.
BOX = {
    "beta": (0.6, 0.85),
    "moral.norm": (0.0, 0.2),
    "moral.harm_weight": (2.0, 3.0),
    "moral.threshold": (0.38, 0.45),
    "moral.initial_compliance": (0.7, 0.9),
    "moral.compliance_learning": (0.4, 0.55),
    "emotion.warm_glow": (0.0, 0.15),
    "emotion.guilt": (0.6, 0.95),
    "social.conformity": (1.0, 1.4),
    "wallet.owner_value": (0.0, 0.3),
}

SPREAD = 0.1  # the ±10% of every default
SIZE = 2000  # citizens per simulation in the design, as in target_robustness's check
PENALTY = 0.02  # weight of the squared move from START (box widths) in the search
SOFTNESS = 200.0  # the soft minimum's sharpness: within 1/200·log(10) of the true minimum
RANDOM_STARTS = 60  # search starts besides START
#: Defaults whose factors interact with the ten values: those whose linear effect on some
#: fitted target exceeds 0.04 (a 10% move shifts it by 0.004) in ±10% designs of 256 draws
#: at START and at the linear model's point (see BOX); the plain regression over the wide
#: design ranks the same 14 first.
INTERACTIONS = 14


def wide_design(draws: int, seeds: tuple[int, ...], design_seed: int):
    """Step 1: the ten values over :data:`BOX` and every default moved by ±10% on top.

    Returns ``theta`` (draws × 10), ``f`` (draws × 46, the moved value over the centre, − 1)
    and ``values`` (draws × targets, means over ``seeds``).
    """
    paths = cal.robust_paths()
    names = cal.TARGETS["statistic"].tolist()
    lo, hi = _box()
    u = qmc.Sobol(len(FITTED) + len(paths), scramble=True, seed=design_seed).random(draws)
    theta = lo + u[:, : len(FITTED)] * (hi - lo)
    factors = 1.0 + SPREAD * (2.0 * u[:, len(FITTED) :] - 1.0)
    moves, values = [], []
    for point, factor in zip(theta, factors, strict=True):
        profile, design = cal._split(dict(zip(FITTED, point.tolist(), strict=True)))
        base = np.array([profile.get(p, cal.default_value(p)) for p in paths])
        x = cal._moved_values(paths, base, factor[None, :])[0]
        pop = cal.with_defaults(scc.Population(SIZE), dict(zip(paths, x.tolist(), strict=True)))
        sim = cal.simulate(pop, seeds, cal.TARGETS, design).groupby("statistic")["value"].mean()
        moves.append(x / base - 1.0)
        values.append(sim.reindex(names).to_numpy())
    return theta, np.array(moves), np.array(values)


def _box() -> tuple[np.ndarray, np.ndarray]:
    return np.array([BOX[p][0] for p in FITTED]), np.array([BOX[p][1] for p in FITTED])


class Surrogate:
    """Step 2: the local model of every target's mean and of its spread under ±10% moves.

    ``value = a + Σ lin_i g_i + Σ q_i g_i² + Σ_{i<k} p_ik g_i g_k + Σ_j (b_j + Σ_i c_ij g_i) f_j``
    with ``g`` the ten values scaled to [-1, 1] over the box, ``f`` the factors − 1 of the 46
    defaults, ``c_ij`` for the ``interactions`` defaults with the largest plain linear
    effect on a fitted target.
    """

    def __init__(self, theta: np.ndarray, f: np.ndarray, values: np.ndarray, interactions: int):
        lo, hi = _box()
        self.mid, self.half = (lo + hi) / 2, (hi - lo) / 2
        fit = cal.TARGETS["fitted"].to_numpy()
        plain, *_ = np.linalg.lstsq(np.column_stack([np.ones(len(f)), f]), values, rcond=None)
        effect = np.abs(plain[1:][:, fit]).max(axis=1)
        self.top = sorted(np.argsort(-effect, kind="stable")[:interactions].tolist())
        self.pairs = list(itertools.combinations(range(len(FITTED)), 2))
        g = (theta - self.mid) / self.half
        x = self.matrix(g, f)
        if len(x) <= x.shape[1]:
            raise ValueError(f"{len(x)} draws cannot fit {x.shape[1]} terms")
        coef, *_ = np.linalg.lstsq(x, values, rcond=None)
        resid = values - x @ coef
        total = np.maximum(((values - values.mean(0)) ** 2).sum(0), 1e-12)
        self.r2 = 1 - (resid**2).sum(0) / total
        self.resid_sd = np.sqrt((resid**2).sum(0) / (len(values) - x.shape[1]))
        cv = np.zeros_like(values)
        folds = np.arange(len(values)) % 4
        for k in range(4):
            train = folds != k
            c, *_ = np.linalg.lstsq(x[train], values[train], rcond=None)
            cv[~train] = x[~train] @ c
        self.r2_cv = 1 - ((values - cv) ** 2).sum(0) / total
        n, m = len(FITTED), f.shape[1]
        start = 1 + 2 * n + len(self.pairs)
        self.a, self.lin, self.quad = coef[0], coef[1 : 1 + n], coef[1 + n : 1 + 2 * n]
        self.pair_coef = coef[1 + 2 * n : start]
        self.b = coef[start : start + m]
        self.c = coef[start + m :].reshape(n, len(self.top), -1)
        self.terms = x.shape[1]

    def matrix(self, g: np.ndarray, f: np.ndarray) -> np.ndarray:
        cols = [np.ones(len(g)), *g.T, *(g.T**2), *[g[:, i] * g[:, k] for i, k in self.pairs]]
        cols += [*f.T, *[g[:, i] * f[:, j] for i in range(len(FITTED)) for j in self.top]]
        return np.column_stack(cols)

    def predict(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Mean, sd over ±10% draws and share in range of every target at ``theta``."""
        g = (theta - self.mid) / self.half
        mean = self.a + g @ self.lin + (g**2) @ self.quad
        mean = mean + sum(g[i] * g[k] * self.pair_coef[n] for n, (i, k) in enumerate(self.pairs))
        b = self.b.copy()
        b[self.top] += np.einsum("i,ijk->jk", g, self.c)
        sd = np.sqrt(SPREAD**2 / 3 * (b**2).sum(0) + self.resid_sd**2)
        low, high = cal.TARGETS["low"].to_numpy(), cal.TARGETS["high"].to_numpy()
        share = stats.norm.cdf((high - mean) / sd) - stats.norm.cdf((low - mean) / sd)
        return mean, sd, share


def search(model: Surrogate, search_seed: int) -> np.ndarray:
    """Step 3: the values with the largest soft minimum of the fitted targets' shares."""
    lo, hi = _box()
    fit = cal.TARGETS["fitted"].to_numpy()
    x0 = np.array([START[p] for p in FITTED])

    def loss(theta: np.ndarray) -> float:
        share = model.predict(theta)[2][fit]
        soft = np.log(np.exp(-SOFTNESS * share).sum()) / SOFTNESS
        return soft + PENALTY * (((theta - x0) / (hi - lo)) ** 2).sum()

    rng = np.random.default_rng(search_seed)
    starts = [np.clip(x0, lo, hi)]
    starts += [lo + rng.random(len(FITTED)) * (hi - lo) for _ in range(RANDOM_STARTS)]
    best = None
    for s in starts:
        r = optimize.minimize(loss, s, method="L-BFGS-B", bounds=list(zip(lo, hi, strict=True)))
        if best is None or r.fun < best.fun:
            best = r
    return best.x


def rounded(value: float) -> float:
    """``value`` to 3 significant digits, at most 3 decimals (0.0656 → 0.066, 2.7353 → 2.74)."""
    if value == 0:
        return 0.0
    return round(value, min(3, 2 - math.floor(math.log10(abs(value)))))


def status(values: dict[str, float]) -> pd.DataFrame:
    """Step 4b: the calibration status at ``values`` (10 000 citizens, seeds 1-5)."""
    profile, design = cal._split(values)
    pop = cal.with_defaults(scc.Population(10_000), profile)
    return cal.compare(cal.simulate(pop, range(1, 6), design=design))


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=512, help="wide-design draws (512)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3], help="(1 2 3)")
    parser.add_argument("--design-seed", type=int, default=7, help="Sobol scramble seed (7)")
    parser.add_argument("--search-seed", type=int, default=1, help="search starts' seed (1)")
    parser.add_argument(
        "--interactions", type=int, default=INTERACTIONS, help="interacted defaults (14)"
    )
    parser.add_argument("--out", type=Path, help="new JSON file for the result")
    args = parser.parse_args(argv)
    paths = len(cal.robust_paths())
    terms = 1 + 2 * len(FITTED) + math.comb(len(FITTED), 2) + paths
    if not 0 <= args.interactions <= paths:
        parser.error(f"--interactions must be in 0..{paths}, got {args.interactions}")
    terms += len(FITTED) * args.interactions
    if args.draws <= terms:
        parser.error(f"--draws must exceed the model's {terms} terms, got {args.draws}")
    if any(s < 0 for s in args.seeds) or args.design_seed < 0 or args.search_seed < 0:
        parser.error("seeds must be integers >= 0")
    if args.out is not None and (args.out.exists() or not args.out.parent.is_dir()):
        parser.error(f"--out must be a new file in an existing folder, got {args.out}")
    return args


def main(argv: list[str] | None = None) -> dict:
    """Run the four steps, print each result, and write ``--out`` if given."""
    args = _arguments(argv)
    pd.set_option("display.width", 200)
    names = cal.TARGETS["statistic"].tolist()
    clock = time.perf_counter()
    theta, f, values = wide_design(args.draws, tuple(args.seeds), args.design_seed)
    seconds = {"design": time.perf_counter() - clock}
    print(f"1. wide design: {args.draws} draws in {seconds['design']:.0f} s", flush=True)

    clock = time.perf_counter()
    model = Surrogate(theta, f, values, args.interactions)
    paths = cal.robust_paths()
    print(f"2. model: {model.terms} terms; interacted: {[paths[j] for j in model.top]}")
    fit_table = pd.DataFrame(
        {"R2": model.r2, "R2_cv": model.r2_cv, "resid_sd": model.resid_sd}, index=names
    )
    print(fit_table.round(4).to_string())

    best = search(model, args.search_seed)
    candidate = {p: rounded(float(v)) for p, v in zip(FITTED, best, strict=True)}
    share = model.predict(np.array([candidate[p] for p in FITTED]))[2]
    seconds["search"] = time.perf_counter() - clock
    print(f"3. search in {seconds['search']:.0f} s; candidate (unrounded in brackets):")
    for p, v in zip(FITTED, best, strict=True):
        print(f"   {p:28s} {candidate[p]:<8g} ({v:.4f}; start {START[p]:g})")
    print(json.dumps(candidate), flush=True)
    fit = cal.TARGETS["fitted"].to_numpy()
    print(f"   smallest predicted share of a fitted target: {share[fit].min():.3f}")

    clock = time.perf_counter()
    robust = cal.target_robustness(64, SPREAD, size=SIZE, seeds=(1, 2, 3), values=candidate)
    seconds["robustness"] = time.perf_counter() - clock
    robust.insert(3, "predicted", share)
    print(
        f"4a. target_robustness(64, 0.1, size=2000, seeds=(1, 2, 3)) at the candidate, "
        f"{seconds['robustness']:.0f} s:"
    )
    print(robust.round(3).to_string())
    clock = time.perf_counter()
    table = status(candidate)
    seconds["status"] = time.perf_counter() - clock
    print(
        f"4b. calibration status at the candidate (10 000 citizens, seeds 1-5), "
        f"{seconds['status']:.0f} s:"
    )
    columns = ["statistic", "fitted", "low", "high", "simulated", "min", "max", "within"]
    print(table[columns].round(3).to_string())
    fitted_robust = robust[robust["fitted"]]
    fitted_status = table[table["fitted"]]
    print(
        f"{int((fitted_robust['share'] >= 0.9).sum())} of {len(fitted_robust)} fitted targets "
        f"hold in at least 90% of the 64 draws (smallest share "
        f"{fitted_robust['share'].min():.3f}); {int(fitted_status['within'].sum())} of "
        f"{len(fitted_status)} in range in every seed; {sum(seconds.values()):.0f} s in all"
    )
    result = {
        "candidate": candidate,
        "unrounded": dict(zip(FITTED, best.tolist(), strict=True)),
        "start": START,
        "settings": {
            "draws": args.draws,
            "seeds": args.seeds,
            "design_seed": args.design_seed,
            "search_seed": args.search_seed,
            "interactions": [paths[j] for j in model.top],
            "box": BOX,
        },
        "model": fit_table.reset_index(names="statistic").to_dict(orient="records"),
        "robustness": robust.to_dict(orient="records"),
        "status": table[columns].to_dict(orient="records"),
        "seconds": seconds,
    }
    if args.out is not None:
        with args.out.open("x", encoding="utf-8") as handle:
            json.dump(result, handle, indent=2, default=lambda v: v.item())
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
