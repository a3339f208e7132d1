"""Signature tests: behaviour a static rational model cannot produce, with p-values (§7).

Four pure functions of tidy choice data — one choice per row with a bool ``cooperated``
(:func:`sccgames.inference.compare.choices_from_society`), or counts ``trials`` and ``defections``
per row (:func:`sccgames.inference.datasets.choices`) — each returning a :class:`SignatureTest`:
:func:`cooperation_without_reason`, :func:`sanction_drop` [GneezyRustichini2000]_,
:func:`no_return` and :func:`money_effect` [Cohn2019]_; :func:`to_frame` makes a table.
Each alternative hypothesis is the signature and each null what a rational (expected-payoff,
logit [McKelveyPalfrey1995]_) chooser without latent states predicts, so a small p-value is
evidence against every such model. :func:`run` plays the designed experiments on a
population; :func:`gneezy_rustichini` applies the phase tests to the day-care data.

What the rational rivals can produce (``docs/model.md`` §7):

* the static logit: none of the four;
* the learner of others' cooperation (:mod:`sccgames.inference.likelihood`'s ``"learning"``,
  as an agent ``HomoEconomicus`` with its prior strength): none in the designs of :func:`run`
  (tested at prior strengths 0.2 and 20 over ten seeds) — strangers give it nothing to
  learn that would make cooperating pay;
* the day-care learner of the price (:mod:`sccgames.inference.published`'s ``"learning"``):
  both phase signatures, since a fine that reveals the price of a defection to be small
  raises defection while it lasts and what was learnt stays after it. On the day-care data,
  :func:`sanction_drop` and :func:`no_return` therefore do not tell crowding-out from
  rational learning; the transfer test of :mod:`sccgames.inference.published` tries;
* the reputation-aware rival (``"reputation"``, as an agent :class:`~sccgames.ReputationAware`):
  none — tested over ten seeds in the designs of :func:`run` and in the crowding-out design
  with a public scored regime in place of the private fine. A score's material future
  raises its cooperation while the regime lasts and is gone when the regime goes, so it
  cannot make a sanction lower cooperation nor keep it low afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sccgames.engines.society import Society
from sccgames.inference import datasets
from sccgames.inference.compare import choices_from_society
from sccgames.inference.likelihood import PAYOFF_COLUMNS, row_payoffs
from sccgames.model.population import Discrete, Population
from sccgames.rules.games import LostWallet
from sccgames.rules.institutions import Schedule
from sccgames.rules.regimes import NoRegime, SocialCredit

#: Columns that decide whether a row has a material reason to cooperate.
NO_REASON_COLUMNS = tuple(
    "remaining coverage reward fine score_up score_down peer_sanction visibility".split()
)
#: A row selection: a boolean mask aligned with the data, or a ``(start, stop)`` of ``round``.
Selection = Sequence[bool] | np.ndarray | pd.Series | tuple[int, int] | range
_SELECTIONS = "a boolean mask with one entry per row, or a (start, stop) of 'round' (step 1)"


@dataclass(frozen=True)
class SignatureTest:
    """The outcome of one signature test (:func:`to_frame` makes a table of several).

    Attributes
    ----------
    name, method : str
        Which signature (the function's name), and the statistical test used.
    statistic, p_value : float
        The test's statistic (see ``method``; NaN for Fisher's exact test on a degenerate
        table) and its one-sided p-value in [0, 1]: small is evidence for the signature.
    n : int
        Number of choices tested.
    estimate : mapping of str to float
        What was compared (rates, their difference, a slope); read-only.
    alternative, rational, description : str
        The signature (H1), what the rational model predicts (H0), what was tested.
    cluster : str or None
        Column of the clusters in a cluster-level test; None when choices are pooled.
    clusters : int
        Number of clusters in the test (0 when pooled).

    """

    name: str
    method: str
    statistic: float
    p_value: float
    n: int
    estimate: Mapping[str, float] = field(hash=False)
    alternative: str
    rational: str
    description: str
    cluster: str | None = None
    clusters: int = 0

    def __post_init__(self) -> None:
        estimate = {k: float(v) for k, v in self.estimate.items()}
        object.__setattr__(self, "estimate", MappingProxyType(estimate))


def to_frame(tests: Iterable[SignatureTest]) -> pd.DataFrame:
    """One row per test: every field of :class:`SignatureTest`, then one column per estimate.

    Estimates a test does not have (say ``rate_after`` for :func:`sanction_drop`) are NaN.
    """
    base = [f.name for f in fields(SignatureTest) if f.name != "estimate"]
    rows = [{**{k: getattr(test, k) for k in base}, **test.estimate} for test in tests]
    return pd.DataFrame(rows) if rows else pd.DataFrame(columns=base)


# --------------------------------------------------------------------------- checks
def _require(data: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"{what} needs a pandas DataFrame of choices, got {type(data).__name__}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"{what} needs column(s) {missing}; the data have {list(data.columns)}")


def _outcomes(data: pd.DataFrame, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Cooperations and trials per row, from ``cooperated`` or ``trials``/``defections``."""
    _require(data, (), what)
    if "cooperated" in data.columns:
        y = data["cooperated"].to_numpy()
        if not np.isin(y, (0, 1)).all():
            raise ValueError(f"{what}: 'cooperated' must be bool (or 0/1)")
        return y.astype(float), np.ones(y.size)
    if {"trials", "defections"} <= set(data.columns):
        t = data["trials"].to_numpy(float)
        d = data["defections"].to_numpy(float)
        if not (np.isfinite(t).all() and (d >= 0).all() and (d <= t).all()):
            raise ValueError(f"{what}: counts need 0 <= defections <= trials")
        return t - d, t
    raise ValueError(
        f"{what} needs a bool 'cooperated' column (one choice per row) or 'trials' and "
        f"'defections' counts (as sccgames.inference.datasets.choices gives); the data have "
        f"{list(data.columns)}"
    )


def _select(data: pd.DataFrame, selection: Selection, label: str, what: str) -> np.ndarray:
    """A boolean row mask from a mask or a ``(start, stop)`` range of ``round``."""
    if isinstance(selection, range | tuple):
        step_one = isinstance(selection, range) and selection.step == 1
        bounds = (selection.start, selection.stop) if step_one else selection
        numbers = all(isinstance(b, int | float | np.number) for b in bounds)
        if isinstance(bounds, range) or len(bounds) != 2 or not numbers:
            raise ValueError(f"{what}: {label} must be {_SELECTIONS}, got {selection!r}")
        _require(data, ("round",), f"{what} ({label} given as a range of rounds)")
        rounds = data["round"].to_numpy()
        mask = (rounds >= bounds[0]) & (rounds < bounds[1])
    else:
        mask = np.asarray(selection)
        if mask.dtype != bool or mask.shape != (len(data),):
            raise ValueError(
                f"{what}: {label} must be {_SELECTIONS}; got an array of dtype {mask.dtype} "
                f"and shape {mask.shape} for {len(data)} rows"
            )
    if not mask.any():
        raise ValueError(f"{what}: {label} selects no rows ({selection!r})")
    return mask


# --------------------------------------------------------------------------- the tests
def cooperation_without_reason(data: pd.DataFrame, null: float = 0.5) -> SignatureTest:
    """Cooperation where nothing material rewards it: one-shot, unwatched and invisible.

    The rows tested have no future with the partner (``remaining == 0``), no formal
    incentive (``coverage · (reward + fine + score_up + score_down) == 0`` and
    ``peer_sanction == 0``) and no audience (``visibility == 0``). There defection strictly
    pays in a prisoner's dilemma or a lost wallet [Cohn2019]_, so ``Δu_R < 0`` whatever the
    beliefs, and a logit (quantal response) rational chooser [McKelveyPalfrey1995]_
    cooperates with probability ``logistic(β Δu_R) <= 1/2`` for every precision β >= 0
    (= 1/2 only at β = 0, pure noise). An exact one-sided binomial test of
    H0: P(C) <= ``null`` against H1: P(C) > ``null``, with the default 0.5, therefore has
    no rational model in its alternative. A smaller ``null`` (a tremble rate) makes a
    stronger assumption — that rational choices are that precise — and a more powerful test.

    Parameters
    ----------
    data : pandas.DataFrame
        Choices with the columns :data:`NO_REASON_COLUMNS`. If the data give the game
        (``data.attrs["payoffs"]`` or the per-row
        :data:`~sccgames.inference.likelihood.PAYOFF_COLUMNS`, which
        :func:`~sccgames.inference.compare.choices_from_society` writes), defection must strictly
        pay in every row's game, or a ``ValueError`` says so.
    null : float, default 0.5
        The largest P(C) allowed under H0, in [0, 0.5].

    """
    what = "cooperation_without_reason"
    _require(data, NO_REASON_COLUMNS, what)
    if not (isinstance(null, int | float) and 0.0 <= null <= 0.5):
        raise ValueError(f"{what}: null must be a probability in [0, 0.5], got {null!r}")
    if "payoffs" in data.attrs or any(name in data for name in PAYOFF_COLUMNS):
        own, _ = row_payoffs(data)
        pays = own[1] > own[0]  # D against C and against D, in every row's game
        if own.ndim == 2 and not pays.all():
            raise ValueError(f"{what}: defection must strictly pay in the game, got {own.tolist()}")
        if not pays.all():
            row = int(np.flatnonzero(~pays.all(axis=0))[0])
            raise ValueError(
                f"{what}: defection must strictly pay in every row's game; in data row "
                f"{row + 1} the chooser's payoffs are {own[..., row].tolist()}"
            )
    c, t = _outcomes(data, what)
    v = {k: data[k].to_numpy(float) for k in NO_REASON_COLUMNS}
    incentive = v["coverage"] * (v["reward"] + v["fine"] + v["score_up"] + v["score_down"])
    rows = (v["remaining"] == 0) & (incentive == 0) & (v["peer_sanction"] == 0)
    rows &= (v["visibility"] == 0) & (t > 0)
    if not rows.any():
        raise ValueError(
            f"{what}: no row without a material reason to cooperate (it needs remaining == 0, "
            "coverage * (reward + fine + score_up + score_down) == 0, peer_sanction == 0 and "
            "visibility == 0)"
        )
    k, n = round(c[rows].sum()), round(t[rows].sum())
    result = stats.binomtest(k, n, null, alternative="greater")
    return SignatureTest(
        name=what,
        method="exact binomial test, one-sided (statistic: cooperations)",
        statistic=float(k),
        p_value=float(result.pvalue),
        n=n,
        estimate={"rate": k / n, "null": null},
        alternative=f"P(C) > {null:g} in one-shot, unwatched, invisible choices",
        rational=f"P(C) <= {null:g}: defection strictly pays, logit choice for any beta >= 0",
        description=f"{k} of {n} choices with no material reason to cooperate were C",
    )


def _two_proportion(x: Sequence[float], n: Sequence[float]) -> tuple[str, float, float]:
    """One-sided test of H1: rate 2 < rate 1; the z test, or Fisher's exact for small counts.

    The pooled z statistic ``(p̂₂ − p̂₁) / sqrt(p̄ (1 − p̄) (1/n₁ + 1/n₂))`` is used when every
    expected count is at least 5 (Cochran's rule [Cochran1954]_); otherwise Fisher's exact
    test [Fisher1922]_ (its statistic is the sample odds ratio of phase 2 against phase 1).
    """
    pooled = (x[0] + x[1]) / (n[0] + n[1])
    if min(n) * min(pooled, 1 - pooled) >= 5:
        z = (x[1] / n[1] - x[0] / n[0]) / np.sqrt(pooled * (1 - pooled) * (1 / n[0] + 1 / n[1]))
        return "two-proportion z test, one-sided", float(z), float(stats.norm.cdf(z))
    x0, x1, n0, n1 = (round(v) for v in (x[0], x[1], n[0], n[1]))
    result = stats.fisher_exact([[x1, n1 - x1], [x0, n0 - x0]], alternative="less")
    return "Fisher's exact test, one-sided", float(result.statistic), float(result.pvalue)


def _phase_test(
    data: pd.DataFrame, first: Selection, second: Selection, cluster: str | None, labels: Any
) -> tuple[dict[str, Any], dict[str, float]]:
    """The test of H1: cooperation in ``second`` < in ``first`` (pooled or by cluster)."""
    what = "sanction_drop" if labels[1] == "during" else "no_return"
    c, t = _outcomes(data, what)
    masks = [_select(data, first, labels[0], what), _select(data, second, labels[1], what)]
    if (masks[0] & masks[1]).any():
        raise ValueError(f"{what}: {labels[0]} and {labels[1]} overlap; give disjoint rows")
    names = [f"rate_{label}" for label in labels]
    if cluster is None:
        x = [float(c[m].sum()) for m in masks]
        n = [float(t[m].sum()) for m in masks]
        if min(n) == 0:
            raise ValueError(f"{what}: a phase has no choices (zero trials)")
        method, statistic, p = _two_proportion(x, n)
        estimate = {names[0]: x[0] / n[0], names[1]: x[1] / n[1]}
        test = {"method": method, "statistic": statistic, "p_value": p, "n": int(sum(n))}
    else:
        _require(data, (cluster,), f"{what} with cluster={cluster!r}")
        codes, groups = pd.factorize(data[cluster])  # missing ids get code -1: left out
        sums = [
            (np.bincount(codes[m], c[m], groups.size), np.bincount(codes[m], t[m], groups.size))
            for m in (masks[0] & (codes >= 0), masks[1] & (codes >= 0))
        ]
        both = (sums[0][1] > 0) & (sums[1][1] > 0)
        if not both.any():
            raise ValueError(f"{what}: no {cluster!r} has choices in both {' and '.join(labels)}")
        r = [x[both] / n[both] for x, n in sums]
        d = r[1] - r[0]
        if np.all(d == 0):
            statistic, p = 0.0, 1.0
        else:
            result = stats.wilcoxon(d, alternative="less", zero_method="wilcox")
            statistic, p = float(result.statistic), float(result.pvalue)
        estimate = {names[0]: r[0].mean(), names[1]: r[1].mean()}
        test = {
            "method": "Wilcoxon signed-rank test on cluster rates, one-sided (statistic: W+)",
            "statistic": statistic,
            "p_value": p,
            "n": round(sum(n[both].sum() for _, n in sums)),
            "cluster": cluster,
            "clusters": int(both.sum()),
        }
    estimate["difference"] = estimate[names[1]] - estimate[names[0]]
    return test, estimate


def sanction_drop(
    data: pd.DataFrame, before: Selection, during: Selection, cluster: str | None = None
) -> SignatureTest:
    """Cooperation falls when a sanction is introduced ("a fine is a price").

    H1: the rate during the sanction is below the rate before it [GneezyRustichini2000]_.
    A fine raises the material gain of C, so the rational model predicts a rate during at
    least as high (H0). A drop can also come from anything else that changes between the
    phases; a design with a control group (the day-care data) separates the two.

    Without ``cluster`` the choices are pooled: a one-sided two-proportion z test, or
    Fisher's exact test when an expected count is below 5 (Cochran's rule [Cochran1954]_,
    [Fisher1922]_). Choices of one subject (or centre) are not independent, so the pooled
    test overstates the evidence when subjects differ; with ``cluster`` (``"subject"``, a
    centre column) each cluster's rate is computed in both phases and the paired
    differences, over the clusters present in both, get a one-sided Wilcoxon signed-rank
    test [Wilcoxon1945]_: it is distribution-free (cluster rates are bounded and pile up at
    0 or 1, far from the normality a paired t test assumes with few clusters), exact for
    small samples (scipy's choice) and asymptotic otherwise.

    Parameters
    ----------
    data : pandas.DataFrame
        Choices (``cooperated``, or ``trials`` and ``defections``); ``round`` for ranges.
    before, during : mask or (start, stop)
        The rows of each phase, disjoint: a boolean mask with one entry per row, or a
        ``(start, stop)`` tuple (or ``range``) of ``round``, stop excluded.
    cluster : str, optional
        Column identifying independent clusters; pooled choices by default.

    Raises
    ------
    ValueError
        For missing columns, a bad selection (wrong type or length, empty, overlapping),
        or no cluster with choices in both phases.

    """
    test, estimate = _phase_test(data, before, during, cluster, ("before", "during"))
    return SignatureTest(
        name="sanction_drop",
        estimate=estimate,
        alternative="cooperation during the sanction < before it",
        rational="during >= before: a fine raises the material gain of C",
        description="cooperation before against during a sanction",
        **test,
    )


def no_return(
    data: pd.DataFrame, before: Selection, after: Selection, cluster: str | None = None
) -> SignatureTest:
    """Cooperation stays below the pre-sanction baseline after the sanction is removed.

    H1: the rate after the sanction is below the rate before it (hysteresis: a norm crowded
    out does not come back, [FreyJegen2001]_ [GneezyRustichini2000]_). A rational model
    without latent states faces the same incentives after removal as before the sanction
    and predicts a return to baseline (H0: after >= before). Same tests as
    :func:`sanction_drop` (pooled, or Wilcoxon signed-rank over ``cluster``), with the same
    arguments (``after`` in place of ``during``) and errors.
    """
    test, estimate = _phase_test(data, before, after, cluster, ("before", "after"))
    return SignatureTest(
        name="no_return",
        estimate=estimate,
        alternative="cooperation after the sanction < before it",
        rational="after = before: the same incentives bring back the baseline",
        description="cooperation before a sanction against after its removal",
        **test,
    )


def money_effect(data: pd.DataFrame, money: str = "money") -> SignatureTest:
    """More lost wallets come back when they hold more money [Cohn2019]_.

    A one-sided Cochran–Armitage test for a trend in proportions [Cochran1954]_
    [Armitage1955]_ of cooperation (returning) on the amount ``x`` in column ``money``.
    With ``c`` cooperations in ``t`` trials per row, ``N = Σt``, ``p̄ = Σc / N`` and
    ``x̄ = Σ t x / N``::

        T = Σ c (x − x̄),   S_xx = Σ t (x − x̄)²,   Z = T / sqrt(p̄ (1 − p̄) S_xx)

    and ``p = 1 − Φ(Z)``. This is also the score test of the slope in a logistic regression
    of cooperation on ``x``; ``Z`` is unchanged by any rescaling ``a x + b`` with ``a > 0``.
    The estimate ``slope = T / S_xx`` is the least-squares change in the return rate per
    unit of money. Returning forgoes the money, so the rational model predicts no increase
    (H0: slope <= 0). With no variation in the outcome (p̄ of 0 or 1), ``Z = 0`` and p = 1.

    Raises
    ------
    ValueError
        For a missing column, non-finite amounts or fewer than two distinct amounts.

    """
    what = "money_effect"
    _require(data, (money,), what)
    c, t = _outcomes(data, what)
    x = data[money].to_numpy(float)
    if not np.isfinite(x).all():
        raise ValueError(f"{what}: column {money!r} must hold finite amounts")
    if np.unique(x[t > 0]).size < 2:
        raise ValueError(f"{what}: column {money!r} needs at least two distinct amounts")
    n = t.sum()
    pooled = c.sum() / n
    dx = x - (t * x).sum() / n
    trend, sxx = float((c * dx).sum()), float((t * dx**2).sum())
    variance = pooled * (1 - pooled) * sxx
    z = trend / np.sqrt(variance) if variance > 0 else 0.0
    p = stats.norm.sf(z) if variance > 0 else 1.0
    lo, hi = x[t > 0].min(), x[t > 0].max()
    return SignatureTest(
        name=what,
        method="Cochran-Armitage trend test, one-sided (statistic: Z)",
        statistic=float(z),
        p_value=float(p),
        n=round(n),
        estimate={
            "slope": trend / sxx,
            "rate_least_money": c[x == lo].sum() / t[x == lo].sum(),
            "rate_most_money": c[x == hi].sum() / t[x == hi].sum(),
        },
        alternative="the return rate increases with the money in the wallet",
        rational="no increase: returning forgoes more money as it grows",
        description=f"trend of cooperation over {np.unique(x).size} amounts of {money!r}",
    )


# --------------------------------------------------------------------------- experiments
#: Phase ends of the crowding-out design (``findings.crowding_out``, ``configs/society.toml``):
#: a baseline to round 20, a small private fine to round 60, none to round 100.
PHASES = (20, 60, 100)
#: Amounts of money of the wallet experiment: Cohn et al.'s no money, money and big money
#: (7 times as much) [Cohn2019]_, with "money" the :class:`~sccgames.LostWallet` default.
MONEY = (0.0, 2.0, 14.0)


def crowding_out_population(size: int = 1000, legitimacy: float = 0.2) -> Population:
    """The population of ``findings.crowding_out``: ``Citizen``, low starting legitimacy."""
    return Population(
        size,
        {"Citizen": 1.0},
        distributions={"legitimacy.initial": Discrete((legitimacy,), (1.0,))},
    )


def run(
    population: Population | int | None = None,
    seed: int = 0,
    *,
    fine: float = 0.25,
    phases: tuple[int, int, int] = PHASES,
    window: int = 20,
    money: Sequence[float] = MONEY,
    null: float = 0.5,
    cluster: str | None = "subject",
    control: bool = False,
) -> pd.DataFrame:
    """Play the designed experiments on ``population`` and test all four signatures.

    1. :func:`cooperation_without_reason` in the lost wallets of step 3 (every amount
       pooled: a wallet is one-shot and unwatched, and keeping it always pays), and in one
       round of a one-shot, unwatched prisoner's dilemma among strangers (each citizen one
       independent choice), the row ``"cooperation_without_reason (prisoner's dilemma)"``.
    2. The crowding-out design of ``findings.crowding_out`` [GneezyRustichini2000]_: no
       regime, then a small private ``SocialCredit`` fine (no reward, no score, private
       scores) from ``phases[0]`` to ``phases[1]``, then none to ``phases[2]``. Each phase
       is its last ``window`` rounds (once settled); :func:`sanction_drop` and
       :func:`no_return` by ``cluster`` (citizens are persistent, so ``"subject"``).
       With ``control``, the same society without the fine (same seed) is tested too, as a
       placebo: rows named ``"sanction_drop (control)"`` and ``"no_return (control)"``.
    3. One round of the lost wallet at each amount of ``money``, a fresh society each:
       :func:`money_effect`.

    Every experiment has its own seed spawned from ``seed``. The default population is
    :func:`crowding_out_population` (1000 citizens); it runs in a few seconds. Returns
    :func:`to_frame` of the tests.
    """
    population = crowding_out_population() if population is None else population
    seeds = [
        int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(2 + len(money))
    ]
    one_shot = choices_from_society(Society(population, 1, seed=seeds[0]))
    tests = []
    small = SocialCredit(fine=fine, reward=0.0, score_up=0.0, score_down=0.0, public_scores=False)
    plans = {"": Schedule({0: NoRegime(), phases[0]: small, phases[1]: NoRegime()})}
    if control:
        plans[" (control)"] = None
    start = [end - window for end in phases]
    for label, plan in plans.items():
        data = choices_from_society(Society(population, phases[2], regime=plan, seed=seeds[1]))
        before = (start[0], phases[0])
        found = (
            sanction_drop(data, before, (start[1], phases[1]), cluster),
            no_return(data, before, (start[2], phases[2]), cluster),
        )
        tests += [replace(t, name=t.name + label) for t in found]
    wallets = []
    for w, s in zip(money, seeds[2:], strict=True):
        found = choices_from_society(Society(population, 1, game=LostWallet(money=w), seed=s))
        wallets.append(found.assign(money=w))
    wallet = pd.concat(wallets, ignore_index=True)
    tests.append(money_effect(wallet))
    pd_test = cooperation_without_reason(one_shot, null=null)
    tests += [
        cooperation_without_reason(wallet, null=null),
        replace(pd_test, name=pd_test.name + " (prisoner's dilemma)"),
    ]
    return to_frame(tests)


def gneezy_rustichini(data: pd.DataFrame | None = None) -> pd.DataFrame:
    """The phase tests on the day-care data of [GneezyRustichini2000]_.

    A punctual pick-up is cooperation, a late one defection (``datasets.choices``: each
    child one choice per week). Weeks 1–4 are before the fine, 5–16 during, 17–20 after.
    Both tests are run pooled over choices and over centres (Wilcoxon signed-rank on the
    centres' rates): with 6 fined centres the smallest one-sided p-value the centre-level
    test can give is 1/64 ≈ 0.016, so it has little power, while the pooled test treats
    children within a centre as independent and so overstates the evidence. The control
    centres, which never had a fine, get the same tests as a placebo.

    ``data`` defaults to ``datasets.choices("gneezy_rustichini_2000")``. Returns
    :func:`to_frame` of the 8 tests (each group × both tests × pooled, ``cluster`` None,
    and by centre, ``cluster`` ``"subject"``) with a first column ``centres``.
    """
    data = datasets.choices("gneezy_rustichini_2000") if data is None else data
    _require(data, ("group", "subject", "round"), "gneezy_rustichini")
    before, during, after = range(1, 5), datasets.GR_FINE_WEEKS, datasets.GR_AFTER_WEEKS
    frames = []
    for group in ("fine", "control"):
        centres = data[(data["group"] == group).to_numpy()]
        tests = [
            test(centres, before, phase, cluster)
            for test, phase in ((sanction_drop, during), (no_return, after))
            for cluster in (None, "subject")
        ]
        frames.append(to_frame(tests).assign(centres=group))
    table = pd.concat(frames, ignore_index=True)
    return table[["centres", *table.columns.drop("centres")]]
