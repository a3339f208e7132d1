"""Matching of a vectorized society: structural properties, statistics and validation.

Statistical tests use a fixed seed but tolerances of five standard errors (plus any stated
approximation error), so they pass for essentially every random stream and fail for any
implementation whose mean differs from the stated one by more than about 1%.
"""

import ast
import math
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse, stats

import sccgames.rules.matching as matching_module
from sccgames.rules.matching import (
    NETWORK_ROUNDS,
    FixedPartners,
    NetworkMatching,
    RandomMatching,
    resolve_matching,
)

seeds = st.integers(0, 2**32 - 1)
probabilities = st.sampled_from([0.0, 0.2, 0.5, 0.9, 1.0]) | st.floats(0.0, 1.0)


@st.composite
def societies(draw, max_n=300):
    """(n, community) with 1-8 communities of random sizes."""
    n = draw(st.integers(0, max_n))
    k = draw(st.integers(1, 8))
    rng = np.random.default_rng(draw(seeds))
    return n, rng.integers(0, k, n)


def assert_involution(partner, n):
    assert partner.dtype == np.int64
    assert partner.shape == (n,)
    assert np.all((partner >= -1) & (partner < n))
    matched = np.flatnonzero(partner >= 0)
    assert np.all(partner[matched] != matched)
    assert np.all(partner[partner[matched]] == matched)


def assert_groups(groups, n, size):
    assert groups.dtype == np.int64
    assert groups.shape == (n // size, size)
    assert np.all((groups >= 0) & (groups < n))
    assert np.unique(groups).size == groups.size  # disjoint


def odd_one_out(partner, community):
    """Per community id, how many agents are not matched inside their own community."""
    inside = (partner >= 0) & (community[np.maximum(partner, 0)] == community)
    return {c: int(np.sum(~inside[community == c])) for c in np.unique(community)}


def same_community_share(partner, community):
    """(matched agents, those with a partner in their own community)."""
    matched = np.flatnonzero(partner >= 0)
    return matched.size, int(np.sum(community[partner[matched]] == community[matched]))


def adjacency(graph):
    dense = sparse.csr_array(graph).toarray() != 0
    return dense | dense.T


# --------------------------------------------------------------------------- random
@given(societies(), probabilities, seeds)
def test_random_pairs_is_an_involution_with_at_most_one_sitter(society, homophily, seed):
    n, community = society
    partner = RandomMatching(homophily).pairs(np.random.default_rng(seed), community, None)
    assert_involution(partner, n)
    assert np.sum(partner < 0) == n % 2


@pytest.mark.parametrize("n", [5, 6, 7])
def test_random_pairs_are_uniform_over_all_matchings(n):
    """Every way of pairing n agents (and of choosing who sits out when n is odd) is equally
    likely: 60,000 draws, chi-square goodness of fit at the 10⁻⁴ level."""
    rng = np.random.default_rng(20261128)
    draws = 60_000
    seen = {}
    for _ in range(draws):
        partner = RandomMatching().pairs(rng, np.zeros(n, dtype=int))
        key = tuple(partner)
        seen[key] = seen.get(key, 0) + 1
    # the number of configurations: (n − 1)!! pairings, times n sitters when n is odd
    expected = math.prod(range(n - 1 if n % 2 == 0 else n - 2, 0, -2)) * (n if n % 2 else 1)
    assert len(seen) == expected
    assert stats.chisquare(list(seen.values())).pvalue > 1e-4


@pytest.mark.parametrize("n", [20_001, 100_000])
def test_a_large_random_matching_does_not_depend_on_the_agents_indices(n):
    """In a uniformly random matching a partner is a uniform draw from the others: the mean
    distance |i − partner(i)| is (n + 1) / 3 and the index of the partner is uncorrelated
    with one's own, and anyone is as likely as anyone to sit out. Five rounds; tolerances
    of five standard errors (pairs counted once)."""
    rng = np.random.default_rng(7)
    gaps, correlations, sitters = [], [], []
    for _ in range(5):
        partner = RandomMatching().pairs(rng, np.zeros(n, dtype=int))
        i = np.flatnonzero(partner >= 0)
        gaps.append(np.abs(i - partner[i]).mean())
        correlations.append(np.corrcoef(i, partner[i])[0, 1])
        sitters.extend(np.flatnonzero(partner < 0))
    pairs = 5 * (n // 2)
    sd_gap = n * math.sqrt(1 / 18)  # |U − V| for independent uniforms on [0, n)
    assert np.mean(gaps) == pytest.approx((n + 1) / 3, abs=5 * sd_gap / math.sqrt(pairs))
    assert abs(np.mean(correlations)) < 5 / math.sqrt(pairs)
    assert len(sitters) == 5 * (n % 2)
    if n % 2:
        assert len(set(sitters)) == 5  # five different agents, not always the same one


@given(societies(), seeds)
def test_full_homophily_pairs_within_community_except_one_leftover_per_odd_community(society, seed):
    _, community = society
    partner = RandomMatching(homophily=1.0).pairs(np.random.default_rng(seed), community)
    for c, outside in odd_one_out(partner, community).items():
        assert outside == np.sum(community == c) % 2


@given(societies(), probabilities, seeds)
def test_same_seed_same_result(society, homophily, seed):
    _, community = society
    previous = RandomMatching().pairs(np.random.default_rng(seed + 1), community)
    for matching in (RandomMatching(homophily), FixedPartners(0.3, homophily)):
        first = matching.pairs(np.random.default_rng(seed), community, previous)
        np.testing.assert_array_equal(
            first, matching.pairs(np.random.default_rng(seed), community, previous)
        )
        groups = matching.groups(np.random.default_rng(seed), community, 3)
        np.testing.assert_array_equal(
            groups, matching.groups(np.random.default_rng(seed), community, 3)
        )


@pytest.mark.parametrize("homophily", [0.0, 0.3, 0.8, 1.0])
def test_homophily_share_matches_its_definition(homophily):
    """Share of matched agents whose partner is in their community is h + (1 - h) q.

    q = sum_k s_k (s_k - 1) / (n (n - 1)) is the chance that a random other agent shares
    one's community. The random pool is a random subset plus at most one leftover per
    community, which shifts q by well under 0.002 here; that is added to the tolerance.
    """
    sizes = np.array([500, 300, 150, 51])  # one odd community: a leftover every round
    community = np.repeat(np.arange(sizes.size), sizes)
    n, rounds = community.size, 200
    q = np.sum(sizes * (sizes - 1)) / (n * (n - 1))
    expected = homophily + (1 - homophily) * q
    rng = np.random.default_rng(20240611)
    matching = RandomMatching(homophily)
    matched = inside = 0
    for _ in range(rounds):
        m, i = same_community_share(matching.pairs(rng, community, None), community)
        matched, inside = matched + m, inside + i
    pairs = matched / 2  # the two members of a pair agree: pairs are the independent unit
    tolerance = 5 * math.sqrt(expected * (1 - expected) / pairs) + 0.002
    assert abs(inside / matched - expected) <= tolerance


def test_no_communities_means_random_whatever_the_homophily():
    community = np.zeros(11, dtype=int)
    partner = RandomMatching(homophily=1.0).pairs(np.random.default_rng(0), community)
    assert_involution(partner, 11)
    assert np.sum(partner < 0) == 1


# --------------------------------------------------------------------------- groups
@given(societies(), probabilities, st.integers(2, 7), seeds)
def test_groups_are_disjoint_and_cover_all_but_n_mod_size(society, homophily, size, seed):
    n, community = society
    rng = np.random.default_rng(seed)
    for matching in (RandomMatching(homophily), FixedPartners(0.5, homophily)):
        assert_groups(matching.groups(rng, community, size), n, size)


@given(societies(), st.integers(2, 7), seeds)
def test_full_homophily_groups_fill_each_community_first(society, size, seed):
    n, community = society
    groups = RandomMatching(1.0).groups(np.random.default_rng(seed), community, size)
    assert_groups(groups, n, size)
    labels = community[groups]
    pure = labels[np.all(labels == labels[:, :1], axis=1)]  # groups of one community
    for c in np.unique(community):
        assert np.sum(pure == c) == np.sum(community == c) // size * size


def test_groups_smaller_society_than_group():
    groups = RandomMatching().groups(np.random.default_rng(0), np.zeros(3, int), 4)
    assert groups.shape == (0, 4)
    assert groups.dtype == np.int64


# --------------------------------------------------------------------------- fixed partners
@given(societies(), probabilities, probabilities, seeds)
def test_fixed_partners_stay_an_involution_over_rounds(society, rematch, homophily, seed):
    n, community = society
    rng = np.random.default_rng(seed)
    matching = FixedPartners(rematch, homophily)
    partner = None
    for _ in range(4):
        partner = matching.pairs(rng, community, partner)
        assert_involution(partner, n)
        assert np.sum(partner < 0) == n % 2


@given(societies(), seeds)
def test_fixed_partners_without_rematch_keep_every_pair(society, seed):
    _, community = society
    rng = np.random.default_rng(seed)
    first = FixedPartners(rematch=0.0).pairs(rng, community, None)
    np.testing.assert_array_equal(FixedPartners(rematch=0.0).pairs(rng, community, first), first)


def test_fixed_partners_rematch_everybody_who_sat_out():
    community = np.arange(10) % 2
    partner = FixedPartners(rematch=0.0, homophily=1.0).pairs(
        np.random.default_rng(1), community, np.full(10, -1)
    )
    assert_involution(partner, 10)
    assert odd_one_out(partner, community) == {0: 1, 1: 1}  # five each: one leftover each


@pytest.mark.parametrize("rematch", [0.1, 0.5, 0.9, 1.0])
def test_fixed_pair_survives_with_probability_one_minus_rematch(rematch):
    """A pair is kept with probability 1 - r; dissolved agents (about r n of them) are
    re-paired at random, meeting their old partner again with chance 1 / (r n - 1)."""
    n, rounds = 1000, 100
    community = np.zeros(n, dtype=int)
    rng = np.random.default_rng(7)
    matching = FixedPartners(rematch=rematch)
    partner = matching.pairs(rng, community, None)
    kept = 0
    for _ in range(rounds):
        new = matching.pairs(rng, community, partner)
        kept += np.sum(new == partner) // 2
        partner = new
    expected = (1 - rematch) + rematch / (rematch * n - 1)
    pairs = rounds * n // 2
    tolerance = 5 * math.sqrt(expected * (1 - expected) / pairs) + 0.002
    assert abs(kept / pairs - expected) <= tolerance


def test_fixed_partners_first_groups_are_random_groups():
    community = np.arange(12) % 3
    fixed = FixedPartners(0.2, 0.5).groups(np.random.default_rng(3), community, 4)
    random = RandomMatching(0.5).groups(np.random.default_rng(3), community, 4)
    np.testing.assert_array_equal(fixed, random)


def as_sets(groups):
    return {frozenset(row.tolist()) for row in groups}


@given(seeds, st.integers(0, 40), st.sampled_from([2, 3, 4]), probabilities)
def test_fixed_groups_are_disjoint_and_keep_their_kept_groups(seed, n, size, rematch):
    rng = np.random.default_rng(seed)
    matching = FixedPartners(rematch)
    community = np.zeros(n, int)
    first = matching.groups(rng, community, size)
    groups, kept = matching.regroup(rng, community, size, first)
    assert_groups(groups, n, size)
    assert as_sets(groups[kept]) <= as_sets(first)
    if rematch == 0:
        assert kept.all() and as_sets(groups) == as_sets(first)
    if rematch == 1:
        assert not kept.any()


def test_fixed_groups_survive_at_the_stated_rate():
    """Each group is kept with probability 1 − rematch, one draw per group."""
    rng = np.random.default_rng(11)
    community = np.zeros(40_000, int)
    for rematch in (0.1, 0.5):
        matching = FixedPartners(rematch)
        groups = matching.groups(rng, community, 4)
        _, kept = matching.regroup(rng, community, 4, groups)
        expected, g = 1 - rematch, len(groups)
        assert abs(kept.mean() - expected) <= 5 * math.sqrt(expected * (1 - expected) / g)


def test_fixed_groups_reject_bad_previous_groups():
    rng = np.random.default_rng(0)
    community = np.zeros(8, int)
    for previous in (np.array([[0, 1, 2]]), np.array([[0, 0], [1, 2]]), np.array([[0, 9]])):
        with pytest.raises(ValueError, match="previous must be last round's groups"):
            FixedPartners().groups(rng, community, 2, previous)


@pytest.mark.parametrize("rematch", [0.0, 0.1, 0.5, 1.0])
@pytest.mark.parametrize("left", [0, 1, 2, 9, 40])
def test_the_future_is_the_one_the_matching_gives(rematch, left):
    """Known end: the expected rounds with the partner among those left; unknown: (1 − q)/q."""
    known = FixedPartners(rematch, known_end=True).future(left)
    assert known == pytest.approx(sum((1 - rematch) ** j for j in range(1, left + 1)))
    unknown = FixedPartners(rematch).future(left)
    assert unknown == (math.inf if rematch == 0 else pytest.approx((1 - rematch) / rematch))
    assert RandomMatching().future(left) == 0.0
    assert NetworkMatching(sparse.eye_array(2)).future(left) == 0.0


def test_known_end_must_be_a_bool():
    with pytest.raises(ValueError, match="known_end must be True or False, got 'yes'"):
        FixedPartners(known_end="yes")


# --------------------------------------------------------------------------- network
@st.composite
def graphs(draw):
    n = draw(st.integers(0, 60))
    density = draw(st.floats(0.0, 1.0))
    rng = np.random.default_rng(draw(seeds))
    return sparse.random_array((n, n), density=density, rng=rng, format="csr")


@given(graphs(), seeds)
def test_network_partners_are_always_neighbours(graph, seed):
    n = graph.shape[0]
    partner = NetworkMatching(graph).pairs(np.random.default_rng(seed), np.zeros(n, int))
    assert_involution(partner, n)
    matched = np.flatnonzero(partner >= 0)
    assert np.all(adjacency(graph)[matched, partner[matched]])


def test_network_on_complete_graph_matches_almost_everyone():
    n = 300
    matching = NetworkMatching(sparse.csr_array(np.ones((n, n))))  # diagonal ignored
    shares = [
        np.mean(matching.pairs(np.random.default_rng(seed), np.zeros(n, int)) >= 0)
        for seed in range(20)
    ]
    assert min(shares) >= 0.9
    assert np.mean(shares) >= 0.97


def test_network_isolated_nodes_sit_out_and_directed_edges_count_both_ways():
    graph = sparse.coo_array(([1.0, 5.0], ([2, 3], [0, 3])), shape=(5, 5))  # 2->0, loop 3
    partner = NetworkMatching(graph).pairs(np.random.default_rng(0), np.zeros(5, int))
    np.testing.assert_array_equal(partner, [2, -1, 0, -1, -1])


@given(st.integers(2, 2 * NETWORK_ROUNDS + 1), seeds)
def test_network_short_path_is_matched_maximally(n, seed):
    """Each round matches at least the top-priority remaining edge, so a path of at most
    2 NETWORK_ROUNDS + 1 nodes always ends with no two adjacent agents both unmatched."""
    graph = sparse.diags_array([np.ones(n - 1)], offsets=[1], shape=(n, n))
    partner = NetworkMatching(graph).pairs(np.random.default_rng(seed), np.zeros(n, int))
    assert_involution(partner, n)
    assert np.all(np.abs(partner[partner >= 0] - np.flatnonzero(partner >= 0)) == 1)
    assert not np.any((partner[1:] < 0) & (partner[:-1] < 0))


def test_network_stores_the_graph_and_is_hashable():
    graph = sparse.eye_array(3, format="csr")
    matching = NetworkMatching(graph)
    assert matching.graph is graph
    assert matching == matching
    assert len({matching, NetworkMatching(graph)}) == 2  # identity: sparse has no truth value


def test_networkx_graph_is_accepted():
    graph = nx.cycle_graph(6)
    partner = NetworkMatching(graph).pairs(np.random.default_rng(0), np.zeros(6, int))
    assert_involution(partner, 6)
    matched = np.flatnonzero(partner >= 0)
    assert np.all(np.abs(partner[matched] - matched) % 4 == 1)  # neighbours on the 6-cycle


@pytest.mark.parametrize(
    ("nodes", "order"), [([3, 1, 0, 2], [0, 1, 2, 3]), (["b", 1, "a", 0], ["b", 1, "a", 0])]
)
def test_networkx_conversion_uses_sorted_nodes_when_possible(nodes, order):
    """Agent i is the i-th node in sorted order; mixed labels keep the graph's own order."""
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_edge(order[0], order[3])
    partner = NetworkMatching(graph).pairs(np.random.default_rng(0), [0] * 4)
    np.testing.assert_array_equal(partner, [3, -1, -1, 0])


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: RandomMatching(homophily=1.5), r"homophily must be in \[0, 1\], got 1.5"),
        (lambda: RandomMatching(homophily=math.nan), "homophily must be a number"),
        (lambda: FixedPartners(rematch=-0.1), r"rematch must be in \[0, 1\], got -0.1"),
        (lambda: FixedPartners(homophily="x"), "homophily must be a number, got 'x'"),
        (lambda: NetworkMatching(sparse.eye_array(3, 4)), r"square n×n .* got \(3, 4\)"),
        (lambda: NetworkMatching(np.ones(3)), r"square n×n .* got \(3,\)"),
        (lambda: NetworkMatching("ring"), "graph must be an n×n scipy.sparse .* got str"),
        (lambda: NetworkMatching(None), "networkx.Graph, got NoneType"),
    ],
)
def test_bad_parameters_give_one_clear_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_call_arguments_give_clear_value_errors():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="size must be an integer >= 2, got 1"):
        RandomMatching().groups(rng, np.zeros(4, int), 1)
    with pytest.raises(ValueError, match=r"community must be a 1-D array .* got \(2, 2\)"):
        RandomMatching().pairs(rng, np.zeros((2, 2), int))
    with pytest.raises(ValueError, match="graph has 3 nodes but the society has 4 agents"):
        NetworkMatching(sparse.eye_array(3)).pairs(rng, np.zeros(4, int))
    with pytest.raises(ValueError, match="n-player groups on a network are not supported"):
        NetworkMatching(sparse.eye_array(3)).groups(rng, np.zeros(3, int), 3)
    bad_previous = [
        np.array([1, 0, 2]),
        np.array([1, 2, 0]),
        np.array([1, 0]),
        np.array([1.0, 0.0, -1.0]),
        np.array([5, 0, -1]),
    ]
    for previous in bad_previous:
        with pytest.raises(ValueError, match="previous must be last round's partner array"):
            FixedPartners().pairs(rng, np.zeros(3, int), previous)


def test_resolve_matching():
    assert resolve_matching("random") == RandomMatching()
    assert resolve_matching("fixed") == FixedPartners()
    custom = FixedPartners(rematch=0.3, homophily=0.5)
    assert resolve_matching(custom) is custom
    network = NetworkMatching(sparse.eye_array(2))
    assert resolve_matching(network) is network
    allowed = r"'random', 'fixed', or a RandomMatching, FixedPartners or NetworkMatching"
    for bad in ("network", "Random", 3, None, np.arange(2)):
        with pytest.raises(ValueError, match=allowed + r".*NetworkMatching\(graph\)"):
            resolve_matching(bad)


def test_parameters_are_stored_unchanged():
    assert FixedPartners(rematch=0, homophily=1).rematch == 0
    assert type(FixedPartners(rematch=0, homophily=1).homophily) is int
    assert RandomMatching().homophily == 0.0


def test_module_imports_nothing_heavy():
    """Only numpy, scipy, the standard library and sccgames._validation: never axelrod."""
    tree = ast.parse(Path(matching_module.__file__).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    allowed = {"__future__", "dataclasses", "typing", "sys", "numpy", "scipy"}
    assert imported <= allowed | {"sccgames._validation"}
