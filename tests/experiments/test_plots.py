import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from sccgames.engines.evolution import moran_process, replicator_dynamics
from sccgames.experiments.plots import cooperation_by_domain, payoff_boxplot, population_shares


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def synthetic_matches(repetitions=5):
    """Four players; player p's payoff in repetition r is ``MEANS[p] + r`` (Gamma scattered).

    The median order (Gamma, Alpha, Delta, Beta) differs from both the player order and the
    order of the means, so only ranking by median passes.
    """
    names = ["Alpha", "Beta", "Gamma", "Delta"]
    rows = []
    for rep in range(repetitions):
        for player, name in enumerate(names):
            for opponent in range(4):
                payoff = {0: 3.0, 1: 1.0, 3: 2.0}.get(player, 4.0) + rep
                if player == 2:
                    payoff = [-50.0, 3.0, 6.0, 9.0, 10.0][rep]  # median 6, mean -4.4
                rows.append(
                    {
                        "match": opponent,
                        "repetition": rep,
                        "player": player,
                        "name": name,
                        "opponent": opponent,
                        "opponent_name": names[opponent],
                        "payoff": payoff + 0.01 * opponent,
                    }
                )
    return pd.DataFrame(rows)


def test_payoff_boxplot_ranks_players_by_median_payoff():
    ax = payoff_boxplot(synthetic_matches())
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Gamma", "Alpha", "Delta", "Beta"]
    # each box's median is over repetitions of the player's mean payoff over its matches
    np.testing.assert_allclose(_medians(ax), [6.015, 5.015, 4.015, 3.015])
    assert ax.get_title() == "Payoff per player over repetitions"
    assert ax.get_xlabel() == "player (ranked by median)"
    assert ax.get_ylabel() == "mean payoff per turn"
    assert ax.get_legend() is None  # a single series


def _medians(ax):
    """The y of each box's median line, left to right (boxplot draws them in orange)."""
    lines = [
        line
        for line in ax.lines
        if len(line.get_ydata()) == 2
        and line.get_ydata()[0] == line.get_ydata()[1]
        and line.get_color() == "C1"
    ]
    lines.sort(key=lambda line: np.mean(line.get_xdata()))
    return [line.get_ydata()[0] for line in lines]


def test_payoff_boxplot_draws_on_the_given_axes():
    _fig, axes = plt.subplots(1, 2)
    returned = payoff_boxplot(synthetic_matches(), ax=axes[1])
    assert returned is axes[1]
    assert axes[1].lines and not axes[0].lines


SUMMARY = pd.DataFrame(
    {
        "name": ["Moralist", "Subgame Perfect", "Defector"],
        "cooperation_watched": [0.9, 0.8, 0.0],
        "cooperation_unwatched": [0.85, 0.05, np.nan],
        "rank": [1, 2, 3],
    }
)


def test_cooperation_by_domain_draws_grouped_bars_with_a_legend():
    ax = plt.subplots()[1]
    returned = cooperation_by_domain(SUMMARY, ax=ax)
    assert returned is ax
    assert [t.get_text() for t in ax.get_xticklabels()] == SUMMARY["name"].tolist()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["watched", "unwatched"]
    assert ax.get_title() and ax.get_xlabel() == "player"
    assert ax.get_ylabel() == "share of turns cooperated"
    watched, unwatched = ax.containers
    np.testing.assert_allclose([b.get_height() for b in watched], [0.9, 0.8, 0.0])
    np.testing.assert_allclose([b.get_height() for b in unwatched], [0.85, 0.05, np.nan])
    for bar_w, bar_u, tick in zip(watched, unwatched, ax.get_xticks(), strict=True):
        # side by side, touching at the player's tick: watched on the left
        assert bar_w.get_x() + bar_w.get_width() == pytest.approx(tick)
        assert bar_u.get_x() == pytest.approx(tick)


def test_population_shares_stacks_every_type_over_generations():
    payoffs = pd.DataFrame([[3, 0], [5, 1]], index=["C", "D"], columns=["C", "D"])
    shares = replicator_dynamics(payoffs, generations=20)
    ax = plt.subplots()[1]
    assert population_shares(shares, ax=ax) is ax
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["C", "D"]
    assert ax.get_title() and ax.get_xlabel() == "generation"
    assert ax.get_ylabel() == "share of the population"
    assert ax.get_xlim() == (0.0, 20.0)
    assert len(ax.collections) == 2  # one band per type
    top = ax.collections[1].get_paths()[0].vertices[:, 1]
    np.testing.assert_allclose(top.max(), 1.0)  # the bands stack to the whole population


def test_population_shares_reads_moran_output_and_one_type_needs_no_legend():
    payoffs = pd.DataFrame([[1.0]], index=["Only"], columns=["Only"])
    ax = population_shares(moran_process(payoffs, {"Only": 5}, 10, seed=0))
    assert ax.get_legend() is None
    assert len(ax.collections) == 1


@pytest.mark.parametrize(
    ("function", "frame", "message"),
    [
        (payoff_boxplot, pd.DataFrame({"player": [0]}), r"matches lacks the columns"),
        (cooperation_by_domain, SUMMARY.drop(columns="name"), r"summary lacks the columns"),
        (population_shares, [1, 2], "shares must be a pandas DataFrame, got list"),
        (
            population_shares,
            pd.DataFrame({"generation": [0, 0], "type": ["a", "a"], "share": [1.0, 1.0]}),
            "one row per generation and type",
        ),
        (cooperation_by_domain, SUMMARY.iloc[:0], "summary must have at least one row"),
    ],
)
def test_plots_reject_malformed_frames(function, frame, message):
    with pytest.raises(ValueError, match=message):
        function(frame)


def _society_metrics():
    rows = []
    for t in range(6):
        phase = 0 if t < 2 else (1 if t < 4 else 2)
        regime = ["NoRegime", "SocialCredit", "NoRegime"][phase]
        for domain, level in (("economic", 0.2 + 0.1 * t), ("private", 0.1), ("all", 0.15)):
            rows.append(
                {
                    "round": t,
                    "phase": phase,
                    "regime": regime,
                    "domain": domain,
                    "cooperation": level,
                    "trust": 0.5,
                }
            )
    return pd.DataFrame(rows)


def test_society_over_rounds_draws_a_line_per_domain_and_labels_phases():
    from sccgames.experiments.plots import society_over_rounds

    ax = society_over_rounds(_society_metrics())
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"economic", "private", "all"}
    assert np.allclose(lines["economic"].get_ydata(), 0.2 + 0.1 * np.arange(6))
    assert ax.get_title() == "Cooperation by round" and ax.get_xlabel() == "round"
    assert [t.get_text() for t in ax.texts] == ["NoRegime", "SocialCredit", "NoRegime"]
    assert len(ax.patches) == 1  # the middle phase is shaded
    assert ax.get_legend() is not None


def test_society_over_rounds_names_a_missing_figure():
    from sccgames.experiments.plots import society_over_rounds

    with pytest.raises(ValueError, match="lacks the columns \\['legitimacy'\\]"):
        society_over_rounds(_society_metrics(), "legitimacy")
