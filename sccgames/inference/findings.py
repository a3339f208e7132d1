"""The society engine's headline findings, each a function returning a tidy table with spread.

Every function runs societies from the documented defaults (nothing here is tuned per
figure), over several seeds, and returns one row per condition and seed, so the run-to-run
spread is in the table; :func:`summarize` gives mean, standard deviation and range. The
tests in ``tests/inference/test_findings.py`` hold each finding to a statistical test, and
``sccgames findings`` prints them.

Rounds are counted from 0; phase means are over the last ``window`` rounds of a phase, once
the population has settled into it. Every finding takes ``defaults``, profile defaults moved
by path; :func:`robustness` uses them to ask whether a finding (:data:`HEADLINES`) or a
calibration target holds when every default moves by ±10%, and :func:`ablate` to ask which
mechanism carries a finding, switching one channel (:data:`CHANNELS`) off at a time.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sccgames.engines.society import Society, WordOfMouth
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


#: Labels of the two communities of :func:`discrimination`: community 0 is the targeted one.
_COMMUNITY_LABELS = ("targeted", "other")


def discrimination(
    targeted: float = 0.25,
    other: float = 0.05,
    size: int = 2000,
    seeds: Sequence[int] = SEEDS,
    rounds: int = 40,
    window: int = 20,
    defaults: Mapping[str, float] | None = None,
    word_of_mouth: WordOfMouth | None = None,
) -> pd.DataFrame:
    """Discriminatory enforcement: one community wrongly sanctioned more often.

    A population of two equal communities (``Population(size, communities=2)``) of
    strangers playing the prisoner's dilemma under the default ``SocialCredit`` from round
    0, but for its false-positive rate: ``targeted`` for community 0 and ``other`` for
    community 1 (the "discriminatory" condition), against a "fair" regime with their mean
    for everyone (the same average error rate), with the same seed (common random numbers).
    One row per seed, condition and community (``"targeted"``, ``"other"``), with the
    community's means over the last ``window`` rounds of ``legitimacy``, ``cooperation``,
    ``bonding`` (trust in strangers of one's own community), ``bridging`` (trust in those
    of the other) and ``false_positive`` (the realized ε⁺ of
    :attr:`~sccgames.engines.society.SocietyResults.by_community`). ``word_of_mouth``: what
    citizens tell each other in both conditions (:class:`~sccgames.WordOfMouth`; none by
    default).
    """
    regimes = {
        "fair": SocialCredit(false_positive=(targeted + other) / 2),
        "discriminatory": SocialCredit(false_positive=(targeted, other)),
    }
    population = _moved(Population(size, communities=2), defaults)
    rows = [
        {"seed": seed, "condition": condition, **row}
        for seed in seeds
        for condition, regime in regimes.items()
        for row in _by_community(population, regime, rounds, window, seed, word_of_mouth)
    ]
    return pd.DataFrame(rows)


#: What :func:`discrimination` reports of each community: name to ``by_community`` column.
_COMMUNITY_FIGURES = {
    "legitimacy": "legitimacy",
    "cooperation": "cooperation",
    "bonding": "trust_in_group",
    "bridging": "trust_out_group",
    "false_positive": "false_positive",
}


def _by_community(
    population: Population,
    regime: SocialCredit,
    rounds: int,
    window: int,
    seed: int,
    word_of_mouth: WordOfMouth | None,
) -> list[dict[str, Any]]:
    """Each community's means over the last ``window`` rounds of one society run."""
    society = Society(population, rounds, regime=regime, seed=seed, word_of_mouth=word_of_mouth)
    table = society.run(progress_bar=False).by_community
    means = table[table["round"] >= rounds - window].groupby("community")[
        list(_COMMUNITY_FIGURES.values())
    ]
    means = means.mean()
    return [
        {
            "community": label,
            **{name: means.loc[c, column] for name, column in _COMMUNITY_FIGURES.items()},
        }
        for c, label in enumerate(_COMMUNITY_LABELS)
    ]


def discrimination_spillover(
    targeted: float = 0.25,
    other: float = 0.05,
    size: int = 2000,
    seeds: Sequence[int] = SEEDS,
    rounds: int = 40,
    window: int = 20,
    defaults: Mapping[str, float] | None = None,
    word_of_mouth: WordOfMouth | None = None,
) -> pd.DataFrame:
    """Whether the damage of discrimination spreads to the community it spares, by word of mouth.

    The :func:`discrimination` design, but the "fair" regime gives everyone the untargeted
    community's rate ``other``: what that community would face if no one were targeted, so
    that any difference in its figures comes from the other community's treatment. Run
    without and with word of mouth (``word_of_mouth``, default ``WordOfMouth(weight=0.1)``).
    One row per seed, ``word_of_mouth`` (``"off"``, ``"on"``), condition and community,
    with the figures of :func:`discrimination`.
    """
    mouth = word_of_mouth if word_of_mouth is not None else WordOfMouth(weight=0.1)
    regimes = {
        "fair": SocialCredit(false_positive=other),
        "discriminatory": SocialCredit(false_positive=(targeted, other)),
    }
    population = _moved(Population(size, communities=2), defaults)
    rows = [
        {"seed": seed, "word_of_mouth": label, "condition": condition, **row}
        for label, told in (("off", None), ("on", mouth))
        for seed in seeds
        for condition, regime in regimes.items()
        for row in _by_community(population, regime, rounds, window, seed, told)
    ]
    return pd.DataFrame(rows)


def spillover_effects(table: pd.DataFrame) -> pd.DataFrame:
    """The untargeted community's loss to discrimination, per seed and word of mouth.

    From a :func:`discrimination_spillover` table: columns ``off`` and ``on``, the other
    (untargeted) community's legitimacy under discrimination minus under the fair regime,
    without and with word of mouth, and ``spread``, ``on − off`` (negative when word of
    mouth spreads the damage).
    """
    spared = table[table["community"] == "other"]
    wide = spared.pivot_table(
        index="seed", columns=["word_of_mouth", "condition"], values="legitimacy"
    )
    loss = {w: wide[w]["discriminatory"] - wide[w]["fair"] for w in ("off", "on")}
    return pd.DataFrame({**loss, "spread": loss["on"] - loss["off"]})


def reading_drift(table: pd.DataFrame) -> pd.DataFrame:
    """How far each community's reading of the regime drifts from what it went through.

    From a :func:`discrimination_spillover` table: a community's legitimacy is its reading
    of the regime; without word of mouth it rests on its own experience of the regime's
    actual error rate, with word of mouth on what it hears too. One row per seed,
    ``condition`` and ``community``: ``false_positive`` (the rate it actually faced, the
    realized ε⁺ with word of mouth on) and ``drift``, its legitimacy with word of mouth minus
    without (the same regime, seed and error rate): positive when stories make it read the
    regime better than its own treatment does, negative when worse.
    """
    wide = table.pivot_table(
        index=["seed", "condition", "community"], columns="word_of_mouth", values="legitimacy"
    )
    faced = table[table["word_of_mouth"] == "on"].set_index(["seed", "condition", "community"])
    out = pd.DataFrame(
        {"false_positive": faced["false_positive"], "drift": wide["on"] - wide["off"]}
    )
    return out.reset_index()


def legitimacy_shock(
    rate: float = 0.5,
    shock: tuple[int, int] = (10, 15),
    size: int = 2000,
    seeds: Sequence[int] = SEEDS,
    rounds: int = 60,
    defaults: Mapping[str, float] | None = None,
    word_of_mouth: WordOfMouth | None = None,
) -> pd.DataFrame:
    """A burst of unjust sanctions on one community: how far it travels, and how long it lasts.

    Two equal communities of strangers under the default ``SocialCredit``; from round
    ``shock[0]`` to ``shock[1]`` the targeted community's false-positive rate is ``rate``
    (the other's stays the default), then the default returns. Each run is compared with
    the same society without the burst (same seed: common random numbers), without and with
    word of mouth (``word_of_mouth``, default ``WordOfMouth(weight=0.1)``). One row per
    ``word_of_mouth`` (``"off"``, ``"on"``), seed, round and community (``"targeted"``,
    ``"other"``) with ``legitimacy`` (the community's mean) and ``shift``, its difference
    from the run without the burst. :func:`half_lives` reads the spread and the recovery.
    """
    mouth = word_of_mouth if word_of_mouth is not None else WordOfMouth(weight=0.1)
    base = SocialCredit()
    burst = SocialCredit(false_positive=(rate, base.false_positive))
    plan = Schedule({0: base, shock[0]: burst, shock[1]: base})
    population = _moved(Population(size, communities=2), defaults)
    parts = []
    for label, told in (("off", None), ("on", mouth)):
        for seed in seeds:
            runs = {
                name: Society(population, rounds, regime=regime, seed=seed, word_of_mouth=told)
                .run(progress_bar=False)
                .by_community.set_index(["round", "community"])
                for name, regime in (("shocked", plan), ("control", base))
            }
            legitimacy = runs["shocked"]["legitimacy"]
            part = pd.DataFrame(
                {"legitimacy": legitimacy, "shift": legitimacy - runs["control"]["legitimacy"]}
            ).reset_index()
            part["community"] = part["community"].map(dict(enumerate(_COMMUNITY_LABELS)))
            parts.append(part.assign(word_of_mouth=label, seed=seed))
    columns = ["word_of_mouth", "seed", "round", "community", "legitimacy", "shift"]
    return pd.concat(parts, ignore_index=True)[columns]


def half_life(shift: Sequence[float] | np.ndarray, start: int = 0) -> tuple[float, int, float]:
    """The peak of a shift and how long after it the shift takes to halve.

    ``shift`` is one series by round (from :func:`legitimacy_shock`); from round ``start``
    on, the peak is the largest ``|shift|``; the half-life is the number of rounds from the
    peak until ``|shift|`` first falls to half the peak or below, NaN if it never does
    within the series (or if there is no shift). Returns ``(peak, peak_round, half_life)``
    with ``peak`` signed.
    """
    values = np.asarray(shift, float)[start:]
    if values.size == 0 or not np.any(values != 0):
        return 0.0, start, float("nan")
    top = int(np.argmax(np.abs(values)))
    peak = float(values[top])
    below = np.flatnonzero(np.abs(values[top:]) <= abs(peak) / 2)
    return peak, start + top, float(below[0]) if below.size else float("nan")


def half_lives(table: pd.DataFrame, start: int = 0) -> pd.DataFrame:
    """:func:`half_life` of every series of a :func:`legitimacy_shock` table.

    One row per ``word_of_mouth``, seed and community: ``peak`` (the largest legitimacy
    shift, signed), ``peak_round`` and ``half_life`` (rounds from the peak until the shift
    halves; NaN if it does not within the run).
    """
    rows = []
    for (told, seed, community), series in table.groupby(
        ["word_of_mouth", "seed", "community"], sort=False
    ):
        peak, at, rounds = half_life(series.sort_values("round")["shift"].to_numpy(), start)
        rows.append(
            {
                "word_of_mouth": told,
                "seed": seed,
                "community": community,
                "peak": peak,
                "peak_round": at,
                "half_life": rounds,
            }
        )
    return pd.DataFrame(rows)


def discrimination_effects(table: pd.DataFrame) -> pd.DataFrame:
    """What discrimination did, per seed, from a :func:`discrimination` table.

    Columns: ``legitimacy_gap`` and ``cooperation_gap``, how much more the targeted
    community's figure fell than the other's (discriminatory minus fair, other community
    minus targeted: positive when the targeted lost more); ``bridging_other``, the change
    in the other community's trust in the targeted (negative when it fell); and
    ``trust_in_targeted``, the change in the population's mean trust in the targeted
    community (the targeted's bonding and the other's bridging trust, averaged).
    """
    wide = table.pivot_table(index="seed", columns=["condition", "community"])
    change = {
        name: wide[name]["discriminatory"] - wide[name]["fair"]
        for name in ("legitimacy", "cooperation", "bonding", "bridging")
    }
    return pd.DataFrame(
        {
            "legitimacy_gap": change["legitimacy"]["other"] - change["legitimacy"]["targeted"],
            "cooperation_gap": change["cooperation"]["other"] - change["cooperation"]["targeted"],
            "bridging_other": change["bridging"]["other"],
            "trust_in_targeted": (change["bonding"]["targeted"] + change["bridging"]["other"]) / 2,
        }
    )


def summarize(table: pd.DataFrame, by: str | Sequence[str]) -> pd.DataFrame:
    """Mean, standard deviation, min and max over seeds of every figure in ``table``."""
    figures = [c for c in table.columns if c not in ("seed", *np.atleast_1d(by))]
    return table.groupby(list(np.atleast_1d(by)))[figures].agg(["mean", "std", "min", "max"])


# --------------------------------------------------------------------------- robustness
#: The design each finding reads, as a function of ``(defaults, size, seeds)`` returning its
#: table (the figures' own functions, at the conditions the finding compares).
_DESIGNS: dict[str, Callable[..., pd.DataFrame]] = {
    "calibration": lambda defaults, size, seeds: calibration(size, seeds, defaults),
    "fine_response": lambda defaults, size, seeds: fine_response(
        (0.0, 4.0), size, seeds, defaults=defaults
    ),
    "crowding_out": lambda defaults, size, seeds: crowding_out(
        size=size, seeds=seeds, defaults=defaults
    ),
    "compliance_gap": lambda defaults, size, seeds: compliance_gap(
        ("Citizen", "Moralist"), size, seeds, defaults=defaults
    ),
    "discrimination": lambda defaults, size, seeds: discrimination(
        size=size, seeds=seeds, defaults=defaults
    ),
}


def _decline(table: pd.DataFrame) -> pd.Series:
    pg = table[table["game"] == "public_goods"].pivot(index="seed", columns="round")
    c = pg["cooperation"]
    return c[0] - c[9]


def _sustained(table: pd.DataFrame) -> pd.Series:
    last = table[table["round"] == 9].pivot(index="seed", columns="game", values="cooperation")
    return last["public_goods_punishment"] - last["public_goods"]


def _fine_gain(table: pd.DataFrame) -> pd.Series:
    during = table.pivot(index="seed", columns="fine", values="during")
    return during[4.0] - during[0.0]


def _crowded(table: pd.DataFrame, phase: str = "during") -> pd.Series:
    phase_mean = table.pivot(index="seed", columns="condition", values=phase)
    return phase_mean["control"] - phase_mean["fine"]


def _gap_difference(table: pd.DataFrame) -> pd.Series:
    gap = table.pivot(index="seed", columns="type", values="gap")
    return gap["Citizen"] - gap["Moralist"]


#: Each finding :func:`ablate` knows: its design (a key of ``_DESIGNS``) and its effect per
#: seed from that design's table (a Series by seed, positive when the finding holds).
_EFFECTS: dict[str, tuple[str, Callable[[pd.DataFrame], pd.Series]]] = {
    "public_goods_decline": ("calibration", _decline),
    "punishment_sustains": ("calibration", _sustained),
    "fine_response": ("fine_response", _fine_gain),
    "crowding_out": ("crowding_out", _crowded),
    "hysteresis": ("crowding_out", lambda table: _crowded(table, "after")),
    "compliance_gap": ("compliance_gap", _gap_difference),
    "discrimination": (
        "discrimination",
        lambda table: discrimination_effects(table)["cooperation_gap"],
    ),
}


def _by_seed(
    name: str, defaults: Mapping[str, float], size: int, seeds: Sequence[int]
) -> pd.Series:
    """The effect of finding ``name`` in each seed (a Series by seed)."""
    design, effect = _EFFECTS[name]
    return effect(_DESIGNS[design](defaults, size, seeds))


def _public_goods_decline(defaults: Mapping[str, float], size: int, seeds: Sequence[int]) -> float:
    return float(_by_seed("public_goods_decline", defaults, size, seeds).mean())


def _punishment_sustains(defaults: Mapping[str, float], size: int, seeds: Sequence[int]) -> float:
    return float(_by_seed("punishment_sustains", defaults, size, seeds).mean())


def _fine_response(defaults: Mapping[str, float], size: int, seeds: Sequence[int]) -> float:
    return float(_by_seed("fine_response", defaults, size, seeds).mean())


def _crowding_out(defaults: Mapping[str, float], size: int, seeds: Sequence[int]) -> float:
    return float(_by_seed("crowding_out", defaults, size, seeds).mean())


def _compliance_gap(defaults: Mapping[str, float], size: int, seeds: Sequence[int]) -> float:
    return float(_by_seed("compliance_gap", defaults, size, seeds).mean())


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


# --------------------------------------------------------------------------- ablation
#: Each mechanism of the model and the profile defaults that switch it off, by path as in
#: :func:`sccgames.inference.calibration.with_defaults` (so a preset that sets its own value
#: keeps it: the presets the findings run, ``HomoEconomicus``, ``Citizen`` and ``Moralist``,
#: either hold the default at every path below or already have the channel off).
#: ``"none"`` is the full model. Why each override switches its channel off, and only it:
#:
#: ``framing``
#:     ``moral.framing = 0``: κ = 0, so a present incentive no longer turns any of the norm
#:     into a price (``n_eff = n``, :func:`sccgames.motives.framed_norm`).
#: ``norm_dynamics``
#:     ``moral.internalization = 0`` and ``moral.recovery = 0``: the norm neither grows
#:     nor erodes under a regime (η_M = 0) nor relaxes back to n₀ without one (ψ = 0), so
#:     it stays at its starting n₀ (:func:`sccgames.motives.norm_update`). Legitimacy acts on
#:     choices only through this update (``L − L*``), so this also removes what the *level*
#:     of legitimacy does.
#: ``legitimacy``
#:     ``legitimacy.unjust_sanction``, ``.impunity``, ``.fair_reward`` and
#:     ``.resentment_weight`` all 0: legitimacy no longer moves with what the regime does
#:     (:func:`sccgames.motives.legitimacy_update`) and stays at its starting value, which
#:     still sets the sign of the norm's drift. "Off" here means "fixed"; a legitimacy held
#:     at the threshold L* stops the drift altogether, which is ``norm_dynamics``.
#: ``beliefs``
#:     ``moral.compliance_learning = 0``: the perceived compliance ē stays at
#:     ``moral.initial_compliance`` and the expected peer punishment q̂ at
#:     :attr:`~sccgames.PeerPunishment.prior` (both learn at this rate);
#:     ``rational.prior_strength = 1e6`` (the largest a profile accepts): the belief that a
#:     partner or a stranger cooperates (p̂, generalized trust) and its responsiveness ρ̂ stay
#:     at their priors τ and ρ₀, moved by at most ``n / 10⁶`` after ``n`` observations (the
#:     profile has no switch that stops this learning outright; ``rational.forgetting``
#:     then has nothing to forget); ``rational.score_trust = 0``: a public score no longer
#:     moves the belief about its holder.
#: ``habit``
#:     ``weights.habit = 0``: habit never takes a choice over (θ = 0,
#:     :func:`sccgames.motives.habit_strength`).
#: ``emotion``
#:     ``weights.emotion = 0``: no sympathy, inequity aversion, warm glow or anger in the
#:     choice, and no anger in the urge to punish a peer
#:     (:meth:`~sccgames.PeerPunishment.urge`). Resentment of unjust sanctions still moves
#:     legitimacy (that is the ``legitimacy`` channel).
#: ``conformity``
#:     ``social.conformity = 0``: no pull toward what others are seen to do (χ = 0).
#: ``esteem``
#:     ``social.esteem = 0``: no worth in being seen to cooperate (ν = 0), and so no image
#:     crowding-out either.
#: ``norm``
#:     ``weights.moral = 0``: the moral norm as a whole, its level with its dynamics and its
#:     framing, in the choice and in the urge to punish.
#: ``material``
#:     ``weights.rational = 0``: rational calculation, the expected payoff of an act, the
#:     shadow of the future and the regime's incentive ``ΔX`` (and the cost of punishing a
#:     peer in the urge to punish). For ``HomoEconomicus``, whose only motive it is, choices
#:     become coin flips: the control that an ablation can remove a finding.
CHANNELS: dict[str, dict[str, float]] = {
    "none": {},
    "framing": {"moral.framing": 0.0},
    "norm_dynamics": {"moral.internalization": 0.0, "moral.recovery": 0.0},
    "legitimacy": {
        "legitimacy.unjust_sanction": 0.0,
        "legitimacy.impunity": 0.0,
        "legitimacy.fair_reward": 0.0,
        "legitimacy.resentment_weight": 0.0,
    },
    "beliefs": {
        "moral.compliance_learning": 0.0,
        "rational.prior_strength": 1e6,
        "rational.score_trust": 0.0,
    },
    "habit": {"weights.habit": 0.0},
    "emotion": {"weights.emotion": 0.0},
    "conformity": {"social.conformity": 0.0},
    "esteem": {"social.esteem": 0.0},
    "norm": {"weights.moral": 0.0},
    "material": {"weights.rational": 0.0},
}

#: The findings :func:`ablate` takes: the headlines (:data:`HEADLINES`), the hysteresis
#: of :func:`crowding_out` (cooperation stays below the control's after the fine is gone)
#: and the cooperation gap of :func:`discrimination` (the targeted community's cooperation
#: falls more than the other's).
ABLATABLE: dict[str, str] = {
    **{name: claim for name, (_, claim) in HEADLINES.items()},
    "hysteresis": "after the small fine is removed, cooperation stays below the control's "
    "(crowding_out)",
    "discrimination": "with false positives of 0.25 for one community and 0.05 for the "
    "other, the targeted community's cooperation falls more than the other's, against a fair "
    "regime of the same average (discrimination)",
}


def _default_size(design: str) -> int:
    """Citizens per society of ``design`` when :func:`ablate` has no ``size``: its own."""
    function = {
        "calibration": calibration,
        "fine_response": fine_response,
        "crowding_out": crowding_out,
        "compliance_gap": compliance_gap,
        "discrimination": discrimination,
    }[design]
    return int(inspect.signature(function).parameters["size"].default)


@dataclass(frozen=True)
class Ablation:
    """What :func:`ablate` found.

    Attributes
    ----------
    effects : pandas.DataFrame
        One row per finding, channel switched off (``"none"``: the full model) and seed:
        ``finding``, ``channel``, ``seed``, ``effect`` (positive when the finding holds).
    summary : pandas.DataFrame
        One row per finding and channel: ``finding``, ``channel``, ``overrides`` (what was
        switched off), ``mean``, ``sd``, ``ci_low``, ``ci_high`` (a t interval of the mean
        effect at level ``1 − alpha``), ``retained`` (mean effect over the full model's, seeds
        paired), ``p_holds`` (one-sided t-test that the effect is still of the claimed sign),
        ``p_drop`` and ``p_rise`` (one-sided paired t-tests that switching the channel off
        lowers or raises the effect), ``verdict`` and ``carries``.
    alpha : float
        Level of every test.
    size : int or None
        Citizens per society (None: each design's default).
    seeds : tuple of int
        The seeds, the same in every condition (common random numbers).

    """

    effects: pd.DataFrame
    summary: pd.DataFrame
    alpha: float
    size: int | None
    seeds: tuple[int, ...]


def _p_greater(x: np.ndarray) -> float:
    """One-sided t-test p-value that the mean of ``x`` exceeds 0 (exact when sd is 0)."""
    x = np.asarray(x, float)
    if x.std() == 0:  # identical values: the sign is certain
        return 0.0 if x[0] > 0 else 1.0
    return float(stats.ttest_1samp(x, 0.0, alternative="greater").pvalue)


def _verdict(p_holds: float, p_drop: float, p_rise: float, alpha: float) -> str:
    """What switching a channel off does to a finding, from the three tests."""
    if p_drop < alpha:
        # significantly weaker: gone (or reversed) unless still significantly of its sign
        return "weakens it" if p_holds < alpha else "carries it"
    if p_rise < alpha:
        return "opposes it"
    return "no detectable role"


def _channels(
    channels: Sequence[str] | Mapping[str, Mapping[str, float]] | None,
) -> dict[str, dict[str, float]]:
    if channels is None:
        return dict(CHANNELS)
    if isinstance(channels, str):
        channels = [channels]
    if isinstance(channels, Mapping):
        chosen = {str(k): dict(v) for k, v in channels.items()}
        for overrides in chosen.values():
            # an unknown path or a value out of its range: one clear error before any run
            _calibration.with_defaults(Population(2), overrides)
    else:
        unknown = [c for c in channels if c not in CHANNELS]
        if unknown:
            raise ValueError(f"unknown channel {unknown[0]!r}: channels are {list(CHANNELS)}")
        chosen = {c: CHANNELS[c] for c in channels}
    return {"none": {}, **{k: v for k, v in chosen.items() if k != "none"}}


def _findings(finding: str | Sequence[str] | None) -> list[str]:
    names = (
        list(ABLATABLE)
        if finding is None
        else ([finding] if isinstance(finding, str) else list(finding))
    )
    unknown = [n for n in names if n not in ABLATABLE]
    if unknown or not names:
        raise ValueError(
            f"unknown finding {unknown[0] if unknown else finding!r}: findings are "
            f"{list(ABLATABLE)}"
        )
    return list(dict.fromkeys(names))


def ablate(
    finding: str | Sequence[str] | None = None,
    channels: Sequence[str] | Mapping[str, Mapping[str, float]] | None = None,
    *,
    size: int | None = None,
    seeds: Sequence[int] = SEEDS,
    alpha: float = 0.05,
) -> Ablation:
    """Which mechanisms carry a finding: its effect with one channel switched off at a time.

    Each channel of :data:`CHANNELS` is switched off by moving profile defaults
    (:func:`sccgames.inference.calibration.with_defaults`), and the finding's effect is
    measured in every seed, with the full model (``"none"``) on the same seeds. A channel
    *carries* a finding when switching it off makes the effect significantly smaller
    (paired one-sided t-test over seeds, ``p_drop < alpha``) and leaves it no longer
    significantly of the claimed sign (``p_holds >= alpha``): removed or reversed. It
    *weakens* it when the effect is smaller but still there, *opposes* it when switching
    it off makes the effect significantly larger, and otherwise has *no detectable role*.
    Each test is at level ``alpha``, one per finding and channel, with no correction for
    their number.

    Parameters
    ----------
    finding : str or sequence of str, optional
        Names in :data:`ABLATABLE` (the headlines and ``"hysteresis"``); all by default.
    channels : sequence of str, or mapping of str to dict, optional
        Names in :data:`CHANNELS` (all by default), or channels of one's own: name to
        profile overrides by path. The full model is always run as ``"none"``.
    size : int, optional
        Citizens per society; each design's default (as in :func:`crowding_out` and the
        others) when not given.
    seeds : sequence of int, default :data:`SEEDS`
        At least two distinct seeds, shared by every channel.
    alpha : float, default 0.05
        Level of the tests, in (0, 1).

    Returns
    -------
    Ablation
        The effect per finding, channel and seed, and its summary.

    Examples
    --------
    >>> from sccgames.inference import findings
    >>> result = findings.ablate("fine_response", ["material"], size=300, seeds=(1, 2, 3))
    >>> result.summary.set_index("channel").loc["material", "verdict"]
    'carries it'

    """
    names = _findings(finding)
    chosen = _channels(channels)
    whole = all(isinstance(s, int | np.integer) and s >= 0 for s in seeds)
    if not whole or len(seeds) < 2 or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be at least two distinct integers >= 0, got {seeds!r}")
    seeds = tuple(int(s) for s in seeds)
    if size is not None and not (isinstance(size, int) and size >= 2):
        raise ValueError(f"size must be an integer >= 2, got {size!r}")
    if not (isinstance(alpha, float | int) and 0 < alpha < 1):
        raise ValueError(f"alpha must be a number in (0, 1), got {alpha!r}")
    rows = []
    for channel, overrides in chosen.items():
        tables: dict[str, pd.DataFrame] = {}  # each design once per channel
        for name in names:
            design, effect = _EFFECTS[name]
            if design not in tables:
                n = size if size is not None else _default_size(design)
                tables[design] = _DESIGNS[design](overrides, n, seeds)
            values = effect(tables[design])
            rows.extend(
                {"finding": name, "channel": channel, "seed": seed, "effect": float(values[seed])}
                for seed in seeds
            )
    effects = pd.DataFrame(rows)
    return Ablation(effects, _summary(effects, chosen, alpha), float(alpha), size, seeds)


def _summary(
    effects: pd.DataFrame, channels: Mapping[str, Mapping[str, float]], alpha: float
) -> pd.DataFrame:
    rows = []
    for (name, channel), group in effects.groupby(["finding", "channel"], sort=False):
        full = effects[(effects["finding"] == name) & (effects["channel"] == "none")]
        x = group.set_index("seed")["effect"]
        f = full.set_index("seed")["effect"].loc[x.index]
        n, mean, sd = len(x), float(x.mean()), float(x.std(ddof=1))
        half = float(stats.t.ppf(1 - alpha / 2, n - 1)) * sd / np.sqrt(n)
        p_holds = _p_greater(x.to_numpy())
        if channel == "none":
            p_drop = p_rise = np.nan
            verdict = "full model"
        else:
            p_drop = _p_greater((f - x).to_numpy())
            p_rise = _p_greater((x - f).to_numpy())
            verdict = _verdict(p_holds, p_drop, p_rise, alpha)
        rows.append(
            {
                "finding": name,
                "channel": channel,
                "overrides": ", ".join(f"{k} = {v:g}" for k, v in channels[channel].items()) or "-",
                "mean": mean,
                "sd": sd,
                "ci_low": mean - half,
                "ci_high": mean + half,
                "retained": mean / float(f.mean()) if f.mean() != 0 else np.nan,
                "p_holds": p_holds,
                "p_drop": p_drop,
                "p_rise": p_rise,
                "verdict": verdict,
                "carries": verdict == "carries it",
            }
        )
    return pd.DataFrame(rows)


def ablation_report(result: Ablation) -> str:
    """Markdown: for each finding, its claim and a table of the effect with each channel off.

    Columns: the channel switched off, the mean effect ± its standard deviation over seeds,
    the share of the full model's effect retained, the interval, and the verdict
    (:func:`ablate`).
    """
    size = "each design's default size" if result.size is None else f"{result.size} citizens"
    lines = [
        f"Seeds {', '.join(map(str, result.seeds))}; {size}; tests at level {result.alpha:g}.",
        "",
    ]
    for name, table in result.summary.groupby("finding", sort=False):
        lines += [
            f"### {name}",
            "",
            f"Claim: {ABLATABLE[name]}.",
            "",
            "| channel off | effect (mean ± sd) | retained | "
            f"{1 - result.alpha:.0%} interval | verdict |",
            "|---|---|---|---|---|",
        ]
        for row in table.itertuples():
            retained = "-" if row.channel == "none" else f"{row.retained:.2f}"
            lines.append(
                f"| {row.channel} | {row.mean:+.4f} ± {row.sd:.4f} | {retained} | "
                f"[{row.ci_low:+.4f}, {row.ci_high:+.4f}] | {row.verdict} |"
            )
        lines += ["", _roles(table), ""]
    return "\n".join(lines)


#: How :func:`ablation_report` words each verdict, in the order it lists them.
_ROLES = {
    "carries it": "Carried by (gone or reversed without it)",
    "weakens it": "Weakened without",
    "opposes it": "Stronger without",
    "no detectable role": "No detectable role",
}


def _roles(table: pd.DataFrame) -> str:
    """One line naming the channels of each verdict, for one finding's summary."""
    parts = []
    for verdict, words in _ROLES.items():
        names = table.loc[table["verdict"] == verdict, "channel"].tolist()
        parts.append(f"{words}: {', '.join(names) if names else 'none'}.")
    return " ".join(parts)


def ablation_cli(size: int | None = None, **kwargs: Any) -> str:
    """``sccgames findings --ablate``: :func:`ablation_report` of every finding and channel."""
    return ablation_report(ablate(size=size, **kwargs))
