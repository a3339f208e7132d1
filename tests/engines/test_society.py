import itertools
from dataclasses import fields, replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import sparse, stats

import sccgames as scc
from sccgames.engines.metrics import COMMUNITY_COLUMNS, METRIC_COLUMNS
from sccgames.engines.round import TYPE_COLUMNS, domain_of
from sccgames.model.decision import Context, State, p_cooperate
from sccgames.model.population import resolve_preset
from sccgames.rules.games import payoff_tuples, prisoners_dilemma

MIXED = {
    "Citizen": 0.4,
    "HomoEconomicus": 0.15,
    "Moralist": 0.15,
    "Empath": 0.1,
    "SocialAnimal": 0.1,
    "Habitual": 0.1,
}
CREDIT = scc.SocialCredit(coverage={"economic": 0.8, "private": 0.0}, false_positive=0.1)
DOMAINS = {"economic": 0.6, "private": 0.4}


def _row(value, i):
    return float(value[i]) if isinstance(value, np.ndarray) else value


def test_society_and_motive_agent_give_identical_p_cooperate():
    """Every citizen's P(C) is the one-agent decision rule applied to its own context.

    The Society's own context and state are fed back here, so this checks the decision
    rule only; tests/test_engines_agree.py runs a Match and a Society on one situation.
    """
    society = scc.Society(
        scc.Population(400, shares=MIXED, communities=2),
        rounds=6,
        regime=scc.Combined(CREDIT, scc.CommunityReputation()),
        domains=DOMAINS,
        seed=11,
        dtype=np.float64,
    )
    run = society.stream()
    checked = 0
    for state in run:
        profiles = dict(resolve_preset(name) for name in MIXED)
        types = np.asarray(run.type_names)[run.type_index]
        for i in range(0, 400, 7):
            context = Context(
                **{f.name: _row(getattr(state.context, f.name), i) for f in fields(Context)}
            )
            own = State(**{f.name: _row(getattr(state.state, f.name), i) for f in fields(State)})
            expected = p_cooperate(
                profiles[types[i]], own, context, payoff_tuples(prisoners_dilemma())
            )
            assert state.p_cooperate[i] == pytest.approx(expected, rel=1e-12, abs=1e-15), (
                f"round {state.round}, citizen {i}"
            )
            checked += 1
    assert checked == 6 * 58


def test_float32_state_stays_float32_and_tracks_float64():
    def run(dtype):
        return scc.Society(
            scc.Population(20_000, shares=MIXED),
            8,
            regime=CREDIT,
            domains=DOMAINS,
            seed=3,
            dtype=dtype,
        )

    stream = run(np.float32).stream()
    for state in stream:
        assert state.p_cooperate.dtype == np.float32
    # (a field everybody shares, such as a stranger's unknown replies, may stay one number)
    assert all(
        np.asarray(getattr(stream.state, f.name)).dtype == np.float32
        for f in fields(State)
        if isinstance(getattr(stream.state, f.name), np.ndarray)
    )
    assert stream.scores.dtype == np.float32
    # the two precisions draw different uniforms, so they agree in distribution: cooperation
    # per round within 4 standard errors of a proportion over 20 000 acts
    low = run(np.float32).run(progress_bar=False).metrics
    high = run(np.float64).run(progress_bar=False).metrics
    a = low[low.domain == "all"].cooperation.to_numpy()
    b = high[high.domain == "all"].cooperation.to_numpy()
    se = np.sqrt(2 * b * (1 - b) / 20_000)
    assert np.all(np.abs(a - b) < 4 * se + 1e-3)


def test_same_seed_same_results_and_different_seed_differs():
    def results(seed):
        return scc.Society(
            scc.Population(500, shares=MIXED, distributions=scc.fehr_schmidt()),
            10,
            regime=scc.Schedule({0: scc.NoRegime(), 3: CREDIT}),
            domains=DOMAINS,
            seed=seed,
            imitation=scc.Imitation(rate=0.1),
        ).run(progress_bar=False)

    first, again, other = results(5), results(5), results(6)
    pd.testing.assert_frame_equal(first.metrics, again.metrics)
    pd.testing.assert_frame_equal(first.agents, again.agents)
    assert not first.metrics["cooperation"].equals(other.metrics["cooperation"])


def test_results_are_tidy_frames():
    results = scc.Society(
        scc.Population(300, shares=MIXED), 5, regime=CREDIT, domains=DOMAINS, seed=1
    ).run(progress_bar=False)
    m = results.metrics
    assert list(m.columns) == ["round", "phase", "regime", "domain", *METRIC_COLUMNS]
    assert len(m) == 5 * 3
    assert set(m.domain) == {"economic", "private", "all"}
    assert m.loc[m.domain == "all", "agents"].eq(300).all()
    assert (m.loc[m.domain != "all"].groupby("round").agents.sum() == 300).all()
    assert m[["cooperation", "trust", "legitimacy", "blacklisted"]].stack().between(0, 1).all()
    assert list(results.by_type.columns) == ["round", "phase", "type", *TYPE_COLUMNS]
    assert len(results.by_type) == 5 * len(MIXED)
    assert len(results.agents) == 300
    assert {"type", "norm", "legitimacy", "score", "payoff"} <= set(results.agents.columns)
    # cooperation in "all" is the acts-weighted mean of the domains'
    r0 = m[m["round"] == 0].set_index("domain")
    weighted = (r0.cooperation[:2] * r0.agents[:2]).sum() / 300
    assert r0.loc["all", "cooperation"] == pytest.approx(weighted)


def test_stream_yields_each_round_and_can_stop_early():
    society = scc.Society(100, rounds=50, seed=1)
    seen = []
    for state in society.stream():
        seen.append(state.round)
        assert 0 <= state.cooperation <= 1
        if state.round == 4:
            break
    assert seen == [0, 1, 2, 3, 4]
    assert [s.round for s in society] == list(range(50))  # a fresh run each time


def test_each_round_state_carries_every_citizens_score():
    # the per-citizen scores behind the "score" figure: its mean over citizens is the figure
    # (everybody acts in a pairwise game of an even population); NaN with no scoring regime
    for state in scc.Society(1000, rounds=4, regime=CREDIT, domains=DOMAINS, seed=3).stream():
        assert state.score.shape == (1000,)
        assert state.score.mean() == pytest.approx(state.figures["score"][-1], rel=1e-6)
    assert state.score.std() > 0  # scores have moved apart by round 4
    assert np.isnan(next(iter(scc.Society(100, rounds=2, seed=1))).score).all()


def test_schedule_switches_regimes_by_round():
    plan = scc.Schedule({0: scc.NoRegime(), 3: CREDIT, 6: scc.NoRegime()})
    m = scc.Society(200, 9, regime=plan, domains=DOMAINS, seed=2).run(progress_bar=False).metrics
    by_round = m[m.domain == "all"].set_index("round")
    assert by_round.phase.tolist() == [0] * 3 + [1] * 3 + [2] * 3
    assert by_round.regime.tolist() == ["NoRegime"] * 3 + ["SocialCredit"] * 3 + ["NoRegime"] * 3
    assert by_round.score.iloc[:3].eq(100).all()  # the ledger opens at the start score


def test_homo_economicus_complies_where_watched_and_pays_for_it():
    results = scc.Society(
        scc.Population(4000, shares={"HomoEconomicus": 1.0}),
        10,
        regime=scc.SocialCredit(coverage={"economic": 1.0, "private": 0.0}),
        domains=DOMAINS,
        seed=4,
    ).run(progress_bar=False)
    m = results.metrics.groupby("domain").cooperation.mean()
    assert m["economic"] > 0.9 > 0.1 > m["private"]


def test_the_ledger_totals_add_up_to_what_the_regime_did():
    run = scc.Society(
        scc.Population(500, shares=MIXED), 6, regime=CREDIT, domains=DOMAINS, seed=4
    ).stream()
    states = list(run)
    agents = run.final_agents()
    watched_defections = sum(
        int((~s.cooperated & (s.context.coverage > 0)).sum()) for s in states
    )  # fines can only fall on acts in the watched domain
    assert agents.fines.sum() / CREDIT.fine <= watched_defections + agents.false_positives.sum()
    assert (agents.false_positives >= agents.ever_falsely_sanctioned).all()
    assert agents.fines.sum() > 0 and agents.rewards.sum() > 0
    # every fine is the regime's fine, every reward its reward
    assert np.allclose(agents.fines % CREDIT.fine, 0) and np.allclose(
        agents.rewards % CREDIT.reward, 0
    )


def test_blacklisted_citizens_are_excluded():
    harsh = scc.SocialCredit(
        coverage=1.0, fine=0.0, reward=0.0, score_down=40.0, blacklist_exclusion=1.0
    )
    run = scc.Society(
        scc.Population(1000, shares={"HomoEconomicus": 1.0}), 4, regime=harsh, seed=8
    ).stream()
    for state in run:
        if state.round >= 2:
            blacklisted = state.metrics.set_index("domain").loc["all", "blacklisted"]
            assert blacklisted > 0
            sat_out = state.partner < 0
            assert sat_out.sum() > 0
            assert not state.cooperated[sat_out].any()


@pytest.mark.parametrize("exclusion", [0.0, 1.0])
def test_figures_are_the_means_of_the_citizens_they_describe(exclusion):
    """Every round's rows, by domain and by type, recomputed from the citizens themselves,
    with everyone matched and with blacklisted citizens sitting out (an extra cell)."""
    regime = scc.SocialCredit(
        coverage={"economic": 0.8, "private": 0.0},
        score_down=40.0,
        blacklist_exclusion=exclusion,
    )
    run = scc.Society(
        scc.Population(600, shares=MIXED), 5, regime=regime, domains=DOMAINS, seed=3
    ).stream()
    states = list(run)
    types = run.final_agents()["type"].to_numpy()
    sat_out = 0
    for now, after in itertools.pairwise(states):
        acts, active = now.cooperated, now.partner >= 0
        sat_out += int((~active).sum())
        cells = {
            "economic": active & (now.context.coverage > 0),
            "private": active & (now.context.coverage == 0),
            "all": np.ones(600, bool),
        }
        norm = after.state.norm.astype(float)  # what the round left is what the next read
        m = now.metrics.set_index("domain")
        for name, cell in cells.items():
            acting = cell & active
            assert m.loc[name, "agents"] == cell.sum(), (now.round, name)
            assert m.loc[name, "cooperation"] == pytest.approx(acts[acting].mean(), rel=1e-12)
            assert m.loc[name, "norm"] == pytest.approx(norm[cell].mean(), rel=1e-9)
        by_type = now.by_type.set_index("type")
        for name in by_type.index:
            mine = types == name
            assert by_type.loc[name, "agents"] == mine.sum()
            assert by_type.loc[name, "cooperation"] == pytest.approx(
                acts[mine & active].mean(), rel=1e-12
            )
            assert by_type.loc[name, "norm"] == pytest.approx(norm[mine].mean(), rel=1e-9)
    assert len(by_type) == len(MIXED)
    assert (sat_out > 0) == (exclusion > 0)


def test_responsiveness_is_learnt_from_kept_partners_not_from_strangers():
    counts = ("c_then_c", "after_c", "d_then_c", "after_d")
    for matching, learns in ((scc.RandomMatching(), False), (scc.FixedPartners(0.1), True)):
        run = scc.Society(300, 4, matching=matching, seed=5).stream()
        list(run)
        grew = [float(np.sum(getattr(run.state, name))) > 0 for name in counts]
        assert grew == [learns] * 4, matching
        moves = np.asarray(run.state.partner_moves)
        # beliefs about a partner are about this partner: a stranger has been seen once; a
        # kept partner since it was met (some pairs were never rematched in 4 rounds)
        if learns:
            assert moves.min() >= 1 and moves.max() == 4
        else:
            assert (moves == 1).all()
        # what strangers taught is kept apart, discounted: the 3 partners left before the
        # 4th round, in a society of strangers
        seen = np.asarray(run.state.stranger_moves)
        expected = sum(0.9**j for j in range(3))
        if not learns:
            np.testing.assert_allclose(seen, expected, rtol=1e-6)


@pytest.mark.parametrize("exclusion, appeal", [(0.0, 0.0), (0.5, 0.0), (0.0, 0.7)])
def test_citizens_observe_their_partners_act_and_its_unsanctioned_defection(
    monkeypatch, exclusion, appeal
):
    """The partner's C and impunity (a partner's D in a watched domain that went
    unsanctioned) are what the matching and the regime's step say, and so are one's own
    unjust sanctions, their corrections on appeal and fair rewards; citizens shut out by
    the blacklist see nothing."""
    import sccgames.engines.round as module

    seen, steps = [], []
    update, step = module.update_state, scc.SocialCredit.step

    def keep_observation(profile, state, observation):
        seen.append(observation)
        return update(profile, state, observation)

    def keep_step(self, *args):
        steps.append(step(self, *args))
        return steps[-1]

    monkeypatch.setattr(module, "update_state", keep_observation)
    monkeypatch.setattr(scc.SocialCredit, "step", keep_step)
    credit = scc.SocialCredit(
        coverage={"economic": 0.7, "private": 0.0},
        blacklist_threshold=99.0,
        blacklist_exclusion=exclusion,
        score_decay=0.0,
        false_positive=0.2,
        appeal=appeal,
    )
    run = scc.Society(400, 4, regime=credit, domains=DOMAINS, seed=3).stream()
    for t, state in enumerate(run):
        acts, done = state.cooperated, steps[t]
        watched = np.asarray(state.context.coverage) > 0
        unsanctioned_d = ~acts & ~(done.observed & ~done.recorded_c)
        i = np.flatnonzero(state.partner >= 0)
        j = state.partner[i]
        message = f"round {t}"
        np.testing.assert_array_equal(seen[t].partner_cooperated[i], acts[j], message)
        np.testing.assert_array_equal(seen[t].impunity[i], unsanctioned_d[j] & watched[i], message)
        assert 0 < seen[t].impunity.sum() < i.size / 2, message
        np.testing.assert_array_equal(seen[t].unjust_sanction, done.false_positive, message)
        np.testing.assert_array_equal(seen[t].corrected, done.appealed * 1.0, message)
        fair = acts & (done.reward > 0) & ~done.appealed
        np.testing.assert_array_equal(seen[t].fair_reward, fair, message)
        assert done.false_positive.any() and (done.appealed.any() == (appeal > 0)), message
        out = np.flatnonzero(state.partner < 0)
        assert not seen[t].partner_cooperated[out].any() and not seen[t].impunity[out].any()
        if exclusion and t > 1:
            assert out.size > 0, message


def test_a_share_of_group_mates_is_the_mean_of_their_flags():
    from sccgames.engines.round import _Interactions

    rng = np.random.default_rng(4)
    n, k = 23, 4
    groups = rng.permutation(n)[: n // k * k].reshape(-1, k)
    meet = _Interactions(np.arange(n), None, groups)
    flags = rng.random(n) < 0.5
    share = meet.share(flags, np.float32)
    assert share.dtype == np.float32
    for row in groups:
        for member in row:
            mates = [m for m in row if m != member]
            assert share[member] == pytest.approx(flags[mates].mean(), rel=1e-6), member
    pairs = _Interactions(np.arange(4), np.array([2, -1, 0, -1]), None)
    share = pairs.share(np.array([1, 0, 0, 1], bool), np.float64)
    np.testing.assert_array_equal(share[[0, 2]], [0.0, 1.0])  # 1 and 3 sit out


def test_network_partners_are_neighbours():
    graph = sparse.random(300, 300, density=0.02, random_state=1, format="csr")
    graph = graph + graph.T
    matching = scc.NetworkMatching(graph)
    run = scc.Society(300, 3, matching=matching, seed=2).stream()
    adjacency = graph.toarray() > 0
    for state in run:
        i = np.flatnonzero(state.partner >= 0)
        assert i.size > 100
        assert adjacency[i, state.partner[i]].all()


def test_group_and_role_games_run():
    pgg = scc.Society(400, 3, game="public_goods", seed=1).run(progress_bar=False).metrics
    assert pgg.loc[pgg.domain == "all", "agents"].eq(400).all()
    trust = scc.Society(400, 3, game=scc.TrustGame(), seed=1).stream()
    state = next(iter(trust))
    assert 0 < state.cooperation < 1
    with pytest.raises(ValueError, match="played in groups"):
        scc.Society(100, 2, game="public_goods", matching=scc.NetworkMatching(sparse.eye(100)))


@pytest.mark.parametrize("game", ["pd", "lost_wallet", "trust", "public_goods"])
def test_material_payoffs_are_in_the_states_precision(game):
    """The same acts give the same payoffs in float32 and float64 societies, each in its
    own precision (a float64 copy per round would double the bytes moved)."""
    rng = np.random.default_rng(0)
    acts = rng.random(64) < 0.5
    role = (np.arange(64) % 2).astype(np.int8)
    # the partners' C: a share in a group game, a partner's act in a pair
    partners = rng.random(64) if game == "public_goods" else acts[rng.permutation(64)]
    got = {}
    for dtype in (np.float32, np.float64):
        run = scc.Society(64, 1, game=game, seed=1, dtype=dtype).stream()
        got[dtype] = run.game.material(acts, partners.astype(dtype), role, dtype)
        assert got[dtype].dtype == dtype and got[dtype].shape == (64,)
    np.testing.assert_allclose(got[np.float32], got[np.float64], rtol=1e-6)


def test_more_money_more_wallets_returned_by_those_who_weigh_harm():
    """Cohn et al.: more wallets come back when they hold more money (harm and guilt)."""

    def returned(money):
        m = (
            scc.Society(
                scc.Population(20_000, shares={"Moralist": 0.5, "Empath": 0.5}),
                1,
                game=scc.LostWallet(money=money),
                seed=7,
            )
            .run(progress_bar=False)
            .metrics
        )
        return m.loc[m.domain == "all", "cooperation"].iloc[0]

    low, high = returned(1.0), returned(7.0)
    se = np.sqrt(low * (1 - low) / 20_000 + high * (1 - high) / 20_000)
    assert (high - low) / se > 4


def test_communities_separate_bonding_and_bridging_trust():
    m = (
        scc.Society(
            scc.Population(2000, communities=4),
            15,
            matching=scc.RandomMatching(homophily=0.8),
            seed=3,
        )
        .run(progress_bar=False)
        .metrics
    )
    last = m[(m.domain == "all") & (m["round"] == 14)].iloc[0]
    assert 0 <= last.trust_in_group <= 1 and 0 <= last.trust_out_group <= 1
    one = scc.Society(200, 2, seed=3).run(progress_bar=False).metrics
    assert one.trust_in_group.isna().all()


def test_homophily_raises_in_group_interactions():
    run = scc.Society(
        scc.Population(2000, communities=2), 1, matching=scc.RandomMatching(homophily=1.0), seed=1
    ).stream()
    state = next(iter(run))
    matched = state.partner >= 0
    same = run.community[matched] == run.community[state.partner[matched]]
    assert same.mean() > 0.99
    assert np.all(state.context.in_group[matched] == same)


def test_peer_punishment_deters_and_rational_agents_never_punish():
    def last(shares, regime):
        r = scc.Society(
            scc.Population(2000, shares=shares), 8, game="public_goods", regime=regime, seed=5
        ).run(progress_bar=False)
        return r

    rational = last({"HomoEconomicus": 1.0}, scc.PeerPunishment())
    agents = rational.agents
    # nobody pays to punish, so beliefs about punishment only fall from the prior
    assert (agents.punishment_belief <= scc.PeerPunishment().prior + 1e-6).all()
    with_peers = last({"Citizen": 1.0}, scc.PeerPunishment()).metrics
    without = last({"Citizen": 1.0}, None).metrics
    c_with = with_peers[with_peers.domain == "all"].cooperation.iloc[-3:].mean()
    c_without = without[without.domain == "all"].cooperation.iloc[-3:].mean()
    assert c_with > c_without + 0.2


def test_image_scoring_reputations_follow_acts():
    run = scc.Society(
        scc.Population(1000, shares={"HomoEconomicus": 0.5, "Moralist": 0.5}),
        5,
        regime=scc.CommunityReputation(norm="image_scoring", visibility=1.0),
        seed=9,
    ).stream()
    state = list(run)[-1]
    # under image scoring with full visibility a reputation is exactly the last act
    assert np.array_equal(run.good, state.cooperated)
    assert set(np.unique(state.context.partner_signal)) <= {-1.0, 1.0}


def test_imitation_spreads_the_better_paid_type():
    r = scc.Society(
        scc.Population(4000, shares={"HomoEconomicus": 0.5, "Moralist": 0.5}),
        30,
        seed=10,
        imitation=scc.Imitation(rate=0.2, selection=2.0),
    ).run(progress_bar=False)
    share = r.by_type.pivot(index="round", columns="type", values="agents")["Homo Economicus"]
    assert share.iloc[-1] > share.iloc[0] + 400


def test_imitators_take_the_whole_profile_of_their_model():
    run = scc.Society(
        scc.Population(2000, shares={"HomoEconomicus": 0.5, "Moralist": 0.5}),
        10,
        seed=10,
        imitation=scc.Imitation(rate=0.3),
    ).stream()
    for _ in run:
        pass
    types = np.asarray(run.type_names)[run.type_index]
    for name, cls in (("Homo Economicus", scc.HomoEconomicus), ("Moralist", scc.Moralist)):
        preset = cls().profile
        rows = types == name
        assert np.all(run.profile.weights.moral[rows] == np.float32(preset.weights.moral))
        assert np.all(run.profile.beta[rows] == np.float32(preset.beta))


def test_conformist_imitation_favours_the_majority():
    r = scc.Society(
        scc.Population(4000, shares={"Citizen": 0.7, "Moralist": 0.3}),
        20,
        seed=10,
        imitation=scc.Imitation(rate=0.3, conformity=1.0),
    ).run(progress_bar=False)
    counts = r.by_type.pivot(index="round", columns="type", values="agents")
    assert counts["Citizen"].iloc[-1] > 2800 + 200


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"population": "many"}, "population must be"),
        ({"rounds": 0}, "rounds"),
        ({"game": "chess"}, "unknown game 'chess'"),
        ({"matching": "speed dating"}, "random"),
        ({"dtype": np.int32}, "dtype must be float32 or float64"),
        ({"imitation": 0.1}, "imitation must be"),
        ({"domains": {"a": 0.5, "b": 0.2}}, "sum to 1"),
        ({"regime": scc.SocialCredit(coverage={"a": 1.0}), "domains": {"b": 1.0}}, "no domain 'b'"),
        ({"regime": "credit"}, "Combined takes"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_input_gets_one_clear_message(kwargs, message):
    arguments = {"population": 10, "rounds": 2, **kwargs}
    with pytest.raises(ValueError, match=message):
        scc.Society(**arguments)


def test_cooperation_statistics_are_consistent_with_p_cooperate():
    """The acts are Bernoulli draws of the reported P(C) (a z-test over 50 000 citizens)."""
    state = next(iter(scc.Society(50_000, 1, seed=12).stream()))
    p = state.p_cooperate.astype(float)
    z = (state.cooperated.sum() - p.sum()) / np.sqrt((p * (1 - p)).sum())
    assert abs(z) < 4
    assert stats.norm.sf(abs(z)) > 1e-4


@given(
    shares=st.lists(st.floats(0.01, 1.0), min_size=1, max_size=14),
    u=hnp.arrays(np.float32, st.integers(0, 60), elements=st.floats(0.0, 1.0, width=32)),
)
def test_domain_of_counts_cuts_like_searchsorted(shares, u):
    """Few domains are counted by comparisons, many by binary search: the same domains."""
    cuts = (np.cumsum(shares) / np.sum(shares))[:-1].astype(np.float32)
    np.testing.assert_array_equal(domain_of(cuts, u), np.searchsorted(cuts, u, "right"))


# --------------------------------------------------------------------------- the future
def public_goods_cooperation(matching, rounds, delta=None, preset="HomoEconomicus"):
    """Share of contributions, per round, by one rational preset in groups of four."""
    profiles = {}
    if delta is not None:
        own = getattr(scc, preset).preset_profile
        rational = replace(own.rational, delta=delta)
        profiles = {"Short": replace(own, rational=rational)}
    population = scc.Population(400, shares={"Short" if delta else preset: 1.0}, profiles=profiles)
    run = scc.Society(population, rounds, game="public_goods", matching=matching, seed=3)
    return [state.cooperation for state in run]


def test_homo_economicus_free_rides_among_strangers():
    """No future with strangers: backward induction and δ agree, contribute nothing."""
    assert max(public_goods_cooperation("random", 3)) < 0.01


def test_homo_economicus_free_rides_in_fixed_groups_of_a_known_short_horizon():
    """Two announced rounds with the same group: backward induction says 0 in both."""
    design = scc.FixedPartners(rematch=0.0, known_end=True)
    assert max(public_goods_cooperation(design, 2)) < 0.01


def test_homo_economicus_in_fixed_groups_of_an_unknown_horizon_contributes_as_delta_says():
    """Kept groups, end unknown: δ = 0.9 values 9 more rounds, enough to contribute
    (−1.5 + 9 · ρ̂ · 1.5 > 0 at ρ̂ = 0.5); δ = 0.5 values 1, not enough (−0.75 < 0)."""
    groups = scc.FixedPartners(rematch=0.1)
    assert min(public_goods_cooperation(groups, 3)) > 0.99
    assert max(public_goods_cooperation(groups, 3, delta=0.5)) < 0.02


def test_subgame_perfect_free_rides_in_every_round_of_ten_announced_rounds():
    """Backward induction from a known last round: nothing in any of the ten rounds, while
    the discounting homo economicus, who expects its group to answer (ρ̂), contributes
    early and stops only near the end."""
    design = scc.FixedPartners(rematch=0.0, known_end=True)
    assert max(public_goods_cooperation(design, 10, preset="SubgamePerfect")) < 0.01
    discounted = public_goods_cooperation(design, 10)
    assert discounted[0] > 0.99 and discounted[-1] < 0.01


def test_subgame_perfect_values_a_future_that_ends_by_chance():
    """No known last round, nothing to unravel: with δ = 0.9 it contributes as the
    discounting agent does; with δ = 0.5 it does not."""
    groups = scc.FixedPartners(rematch=0.1)
    assert min(public_goods_cooperation(groups, 3, preset="SubgamePerfect")) > 0.99
    short = public_goods_cooperation(groups, 3, delta=0.5, preset="SubgamePerfect")
    assert max(short) < 0.02


# --------------------------------------------------------------------------- beliefs
def test_beliefs_about_a_partner_start_afresh_with_a_new_partner():
    """With fixed partners, a rematched citizen decides with nothing known of its new
    partner (no moves, no replies, no anger, no move of its own to answer); a kept one
    with all it saw of its partner."""
    run = scc.Society(600, 6, matching=scc.FixedPartners(rematch=0.3), seed=2).stream()
    previous = None
    for state in run:
        if previous is not None:
            fresh = state.partner != previous
            moves = np.broadcast_to(state.state.partner_moves, fresh.shape)
            assert fresh.any() and (~fresh).any()
            assert (moves[fresh] == 0).all()
            for name in ("partner_c", "after_c", "after_d", "anger"):
                assert (np.broadcast_to(getattr(state.state, name), fresh.shape)[fresh] == 0).all()
            last = np.broadcast_to(state.state.last_cooperated, fresh.shape)
            assert (last[fresh] == -1).all() and (last[~fresh] >= 0).all()
            assert (moves[~fresh] >= 1).all()
        previous = state.partner


def test_generalized_trust_learns_from_strangers_and_forgets():
    """Strangers who always defect teach a low generalized trust, counted with forgetting:
    after t strangers, τ s + 0 over s + Σ_{j<t} (1 − φ)^j."""
    population = scc.Population(1000, shares={"HomoEconomicus": 1.0})
    *_, state = scc.Society(population, 5, game="pd", seed=4).stream()
    phi = scc.HomoEconomicus.preset_profile.rational.forgetting
    seen = sum((1 - phi) ** j for j in range(4))  # the 4 partners left before round 5
    np.testing.assert_allclose(np.asarray(state.state.stranger_moves), seen, rtol=1e-6)
    # homines economici defect on strangers: what they believe of one falls toward 0
    trust = state.by_type["trust"].iloc[0]
    np.testing.assert_allclose(trust, 0.5 * 2 / (2 + seen), atol=0.01)


def test_roles_are_drawn_at_random_whatever_the_type_and_kept_by_a_fixed_pair():
    """Roles never follow a citizen's type or index (types are built in blocks)."""
    from scipy.stats import binomtest

    population = scc.Population(2000, shares={"Citizen": 0.5, "HomoEconomicus": 0.5})
    run = scc.Society(population, 5, game=scc.LostWallet(), seed=3).stream()
    first = run.type_index == 0
    roles = [state.role.copy() for state in run]
    for role in roles:  # half of each type finds, half owns (binomial, two-sided)
        assert binomtest(int((role[first] == 0).sum()), int(first.sum())).pvalue > 1e-3
        assert ((role == 0).sum()) == population.size // 2  # one finder per pair
    # strangers draw their roles anew at every meeting
    assert (roles[0] != roles[1]).mean() > 0.3
    fixed = scc.Society(
        population, 5, game=scc.LostWallet(), seed=3, matching=scc.FixedPartners(rematch=0.0)
    ).stream()
    kept = [state.role.copy() for state in fixed]
    assert all((r == kept[0]).all() for r in kept)
    assert binomtest(int((kept[0][first] == 0).sum()), int(first.sum())).pvalue > 1e-3


# --------------------------------------------------------------------------- per community
def test_rates_per_community_equal_to_the_scalar_give_the_scalar_run():
    """The per-community code path, with every community at the scalar's rates, is the
    scalar regime's run draw for draw (in both precisions)."""
    population = scc.Population(600, MIXED, communities=3)
    equal = scc.SocialCredit(
        coverage=[{"economic": 0.8, "private": 0.0}] * 3,
        false_positive=[0.1] * 3,
        false_negative=(0.05, 0.05, 0.05),
        fine=[3.0] * 3,
        appeal=0.2,
    )
    scalar = replace(CREDIT, appeal=0.2)
    for dtype in (np.float32, np.float64):
        runs = [
            scc.Society(population, 15, regime=r, domains=DOMAINS, seed=4, dtype=dtype).run(
                progress_bar=False
            )
            for r in (scalar, equal)
        ]
        pd.testing.assert_frame_equal(runs[0].metrics, runs[1].metrics, check_exact=True)
        pd.testing.assert_frame_equal(runs[0].agents, runs[1].agents, check_exact=True)
        pd.testing.assert_frame_equal(runs[0].by_community, runs[1].by_community, check_exact=True)


def test_by_community_measures_each_communitys_treatment():
    """The realized false-positive rate and coverage by community are the regime's.

    Pooled over 30 rounds of 4000 citizens; the tolerance is five binomial standard errors.
    """
    fp, coverage = (0.3, 0.02), (0.5, 0.9)
    regime = scc.SocialCredit(false_positive=fp, coverage=coverage)
    population = scc.Population(4000, communities=2)
    results = scc.Society(population, 30, regime=regime, seed=2).run(progress_bar=False)
    table = results.by_community
    assert list(table.columns[3:]) == list(COMMUNITY_COLUMNS)
    assert list(table.columns[:3]) == ["round", "phase", "community"]
    assert len(table) == 60
    for c in (0, 1):
        rows = table[table["community"] == c]
        assert rows["coverage"].to_numpy() == pytest.approx(coverage[c])
        acts = rows["agents"].sum()  # every citizen acts in a pair each round (n even)
        assert rows["observed"].mean() == pytest.approx(
            coverage[c], abs=5 * np.sqrt(coverage[c] * (1 - coverage[c]) / acts)
        )
        seen_c = (rows["observed"] * rows["cooperation"] * rows["agents"]).sum()
        realized = (rows["false_sanctions"] * rows["agents"]).sum() / seen_c
        assert realized == pytest.approx(fp[c], abs=5 * np.sqrt(fp[c] * (1 - fp[c]) / seen_c))
    # the ledger's totals per citizen agree with the rounds' figures
    per_round = table.groupby("community")["false_sanctions"].sum() * 2000
    by_agent = results.agents.groupby("community")["false_positives"].sum()
    np.testing.assert_allclose(per_round.to_numpy(), by_agent.to_numpy())


def test_by_community_is_empty_without_communities():
    assert scc.Society(50, 3, seed=1).run(progress_bar=False).by_community.empty


def test_rates_per_community_must_match_the_populations_communities():
    regime = scc.SocialCredit(false_positive=[0.3, 0.02])
    with pytest.raises(ValueError, match="give 2 entries, but the Population has 3") as info:
        scc.Society(scc.Population(30, communities=3), 3, regime=regime)
    assert "\n" not in str(info.value)
    with pytest.raises(ValueError, match="give 2 entries, but the Population has 1"):
        scc.Society(30, 3, regime=regime)


# --------------------------------------------------------------------------- word of mouth
def _two_citizens(word_of_mouth):
    """Two citizens of two communities who meet: the regime watches only community 1's acts
    and wrongly sanctions every C it sees; both cooperate in the first round."""
    regime = scc.SocialCredit(coverage=[0.0, 1.0], false_positive=[0.0, 1.0], false_negative=0.0)
    population = scc.Population(2, {"Citizen": 1.0}, communities=2)
    society = scc.Society(
        population, 3, regime=regime, seed=5, dtype=np.float64, word_of_mouth=word_of_mouth
    )
    run = society.stream()
    first = run.step(force=np.array([True, True]))
    return run, first


def test_word_of_mouth_costs_a_hearer_legitimacy_by_the_stated_rule():
    """The citizen of community 0 is never watched, so never wrongly sanctioned; its partner
    is. It hears ``h = −trust · γ`` (an outsider's story of one unjust sanction) and loses
    ``ω · λ · |h| · L`` of its legitimacy; without word of mouth it loses nothing."""
    mouth = scc.WordOfMouth(weight=0.2, negativity=2.0, outsider=0.5)
    off, _ = _two_citizens(None)
    on, first_on = _two_citizens(mouth)
    hearer = int(np.flatnonzero(on.community == 0)[0])
    teller = 1 - hearer
    assert on.ever_false_positive.tolist() == [i == teller for i in range(2)]
    assert first_on.partner[hearer] == teller
    def at(x):
        return float(np.broadcast_to(x, (2,))[hearer])

    start = at(on.profile.legitimacy.initial)
    assert off.state.legitimacy[hearer] == start  # nothing happened to it: no loss
    r, state = on.profile.rational, first_on.state
    trust = (at(r.trust) * at(r.prior_strength) + at(state.stranger_c)) / (
        at(r.prior_strength) + at(state.stranger_moves)
    )
    heard = -trust * 0.5  # the teller's story is −1: an unjust sanction, nothing before
    expected = start - 0.2 * 2.0 * (-heard) * start
    assert on.state.legitimacy[hearer] == pytest.approx(expected, rel=1e-12)
    assert on.state.legitimacy[hearer] < start
    # the teller's own loss is its own sanction's, not changed by the hearer's empty story
    assert on.state.legitimacy[teller] == pytest.approx(off.state.legitimacy[teller], rel=1e-12)
    # and it passes on what it heard, faded: stories are kept for the next round
    assert on.story[teller] == pytest.approx(-1.0, abs=1e-12)
    assert on.story[hearer] == pytest.approx(0.5 * heard, rel=1e-12)


def test_word_of_mouth_off_is_the_model_without_it():
    """``WordOfMouth()`` (weight 0) changes nothing: the run is the run without it, and no
    story is kept."""
    population = scc.Population(500, MIXED, communities=2)
    runs = [
        scc.Society(
            population, 12, regime=CREDIT, domains=DOMAINS, seed=3, word_of_mouth=mouth
        ).run(progress_bar=False)
        for mouth in (None, scc.WordOfMouth())
    ]
    pd.testing.assert_frame_equal(runs[0].metrics, runs[1].metrics, check_exact=True)
    pd.testing.assert_frame_equal(runs[0].agents, runs[1].agents, check_exact=True)
    assert scc.Society(10, 2, word_of_mouth=scc.WordOfMouth()).stream().story is None
    on = scc.Society(
        population,
        12,
        regime=CREDIT,
        domains=DOMAINS,
        seed=3,
        word_of_mouth=scc.WordOfMouth(weight=0.1),
    ).run(progress_bar=False)
    assert not on.metrics.equals(runs[0].metrics)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weight": 1.5}, "WordOfMouth.weight must be in"),
        ({"negativity": -1.0}, "WordOfMouth.negativity"),
        ({"outsider": 2.0}, "WordOfMouth.outsider"),
    ],
)
def test_bad_word_of_mouth_is_one_clear_line(kwargs, message):
    with pytest.raises(ValueError, match=message) as info:
        scc.WordOfMouth(**kwargs)
    assert "\n" not in str(info.value)
    with pytest.raises(ValueError, match="word_of_mouth must be a WordOfMouth"):
        scc.Society(10, 2, word_of_mouth=0.1)


def test_who_sits_a_round_out_hears_nothing_and_keeps_its_story():
    society = scc.Society(
        3, 1, regime=scc.SocialCredit(), seed=1, word_of_mouth=scc.WordOfMouth(weight=0.5)
    )
    run = society.stream()
    run.story[:] = -0.5
    legitimacy = run.state.legitimacy.copy()
    played = run.step()
    (out,) = np.flatnonzero(played.partner < 0)
    assert run.story[out] == np.float32(-0.5)
    assert run.state.legitimacy[out] == legitimacy[out]
    met = played.partner >= 0
    assert (run.story[met] != np.float32(-0.5)).all()  # the others told and heard
