"""Who meets whom: how a vectorized society of ``n`` agents is paired or grouped each round.

A matching turns the agents' community ids into this round's interactions, without a Python
loop over agents. :meth:`pairs` returns a ``partner`` array (``partner[i]`` is ``i``'s partner,
``-1`` if ``i`` sits out; always an involution without self-pairs) for two-player games, and
:meth:`groups` returns disjoint rows of agent indices for an n-player (public goods) game.

* :class:`RandomMatching` -- *strangers*: new random partners every round, the treatment in
  which cooperation in public goods experiments decays fastest [FehrGachter2000]_.
* :class:`FixedPartners` -- *partners*: pairs are kept from round to round and only dissolve
  now and then [FehrGachter2000]_, so that direct reciprocity has a future [Axelrod1984]_.
* :class:`NetworkMatching` -- partners are neighbours on a fixed social graph.

``homophily`` is the share of agents who meet inside their own community this round: bonding
rather than bridging ties [Putnam2000]_, the assortment that lets parochial cooperation
persist [BowlesGintis2011]_. :func:`resolve_matching` turns a name into a matching.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

from sccgames._validation import check_integer, check_probability

#: Rounds of mutual heaviest-edge picks :class:`NetworkMatching` runs before it gives up on
#: the nodes still unmatched.
NETWORK_ROUNDS = 8


# --------------------------------------------------------------------------- helpers
def _as_community(community: Any) -> np.ndarray:
    """``community`` as a 1-D array, or raise."""
    array = np.asarray(community)
    if array.ndim != 1:
        raise ValueError(f"community must be a 1-D array of community ids, got {array.shape}")
    return array


def _cut(pool: np.ndarray, size: int) -> np.ndarray:
    """Groups of ``size`` from a shuffled ``pool``: group ``j`` is ``pool[j], pool[j + g], …``.

    A view, not a copy; the ``g = len(pool) // size`` groups' first members are one
    contiguous run (and so are their second members…), which makes scattering partners
    by them a third faster than by consecutive pairs. The leftover ``len(pool) % size``
    sit out.
    """
    g = pool.size // size
    return pool[: g * size].reshape(size, g).T


def _groups(
    rng: np.random.Generator, community: np.ndarray, size: int, homophily: float
) -> np.ndarray:
    """Disjoint groups of ``size`` agents, a ``homophily`` share formed within communities.

    Each agent is *local* with probability ``homophily``. Local agents are sorted by
    community, in random order inside each, and every community's first ``k * size`` of
    them form ``k`` groups; the rest of a community's local agents join the non-local agents
    in one random pool, which is cut into groups too. ``n % size`` agents are left over.
    """
    n = community.shape[0]
    if homophily == 0:  # nobody is local: one random pool, and half the work
        return _cut(rng.permutation(n), size).astype(np.int64, copy=False)
    local = np.flatnonzero(rng.random(n) < homophily)
    order = local[np.lexsort((rng.random(local.size), community[local]))]
    sorted_community = community[order]
    starts = np.flatnonzero(np.r_[True, sorted_community[1:] != sorted_community[:-1]])
    run = np.diff(np.r_[starts, order.size])
    rank = np.arange(order.size) - np.repeat(starts, run)
    within = order[rank < np.repeat(run // size * size, run)].reshape(-1, size)
    free = np.ones(n, dtype=bool)
    free[within.ravel()] = False
    at_random = _cut(rng.permutation(np.flatnonzero(free)), size)
    return np.concatenate([within, at_random]).astype(np.int64)


def _random_pairs(rng: np.random.Generator, n: int) -> np.ndarray:
    """The ``partner`` array of a uniformly random perfect matching of ``n`` agents.

    A uniformly random ordered sample of ``n // 2`` agents (``Generator.choice`` without
    replacement: a partial Fisher–Yates shuffle, then a shuffle of the sample) is paired
    member by member with the other agents in increasing order. Each matching comes from
    exactly ``2^(n/2)`` samples (which member of each pair was drawn), so all are equally
    likely. With ``n`` odd the sample has one more member, drawn last, who sits out. Half the
    random swaps of shuffling all ``n``, and the second scatter runs in order.
    """
    g, odd = divmod(n, 2)
    chosen = rng.choice(n, g + odd, replace=False)
    rest = np.ones(n, dtype=bool)
    rest[chosen] = False
    first, second = chosen[:g], np.flatnonzero(rest)
    partner = np.full(n, -1, dtype=np.int64) if odd else np.empty(n, dtype=np.int64)
    partner[first] = second
    partner[second] = first
    return partner


def _partner_array(pairs: np.ndarray, n: int) -> np.ndarray:
    """The ``partner`` array of the ``(k, 2)`` rows ``pairs`` among ``n`` agents."""
    partner = np.full(n, -1, dtype=np.int64)
    first, second = pairs[:, 0], pairs[:, 1]
    partner[first] = second  # two 1-d scatters: a third of the time of one 2-d scatter
    partner[second] = first
    return partner


def _check_previous(previous: Any, n: int) -> np.ndarray:
    """``previous`` as an int64 partner array for ``n`` agents, or raise."""
    array = np.asarray(previous)
    ok = array.shape == (n,) and (array.size == 0 or np.issubdtype(array.dtype, np.integer))
    if ok:
        array = array.astype(np.int64)
        ok = bool(np.all((array >= -1) & (array < n)))
    if ok:
        matched = np.flatnonzero(array >= 0)
        ok = bool(np.all((array[array[matched]] == matched) & (array[matched] != matched)))
    if not ok:
        raise ValueError(
            f"previous must be last round's partner array: {n} integers in [-1, {n}) with "
            "partner[partner[i]] == i != partner[i] for every matched i"
        )
    return array


def _from_networkx(graph: Any) -> Any:
    """A networkx graph as a scipy sparse adjacency array (nodes in sorted order)."""
    # networkx is optional and never imported here: a networkx graph implies it is loaded.
    networkx = sys.modules.get("networkx")
    if networkx is None or not isinstance(graph, networkx.Graph):
        return graph
    try:
        nodes = sorted(graph)
    except TypeError:  # node labels of mixed types: keep the graph's own order
        nodes = list(graph)
    return networkx.to_scipy_sparse_array(graph, nodelist=nodes)


def _edge_list(graph: Any) -> tuple[int, np.ndarray, np.ndarray]:
    """The node count and the undirected edges ``u < v`` of ``graph``, or raise."""
    try:
        adjacency = sparse.coo_array(_from_networkx(graph))
    except (TypeError, ValueError):
        raise ValueError(
            "graph must be an n×n scipy.sparse adjacency matrix or a networkx.Graph, "
            f"got {type(graph).__name__}"
        ) from None
    if adjacency.ndim != 2 or adjacency.shape[0] != adjacency.shape[1]:
        raise ValueError(f"graph must be a square n×n adjacency matrix, got {adjacency.shape}")
    nonzero = adjacency.data != 0
    row, col = adjacency.row[nonzero], adjacency.col[nonzero]
    edge = np.unique(np.stack([np.minimum(row, col), np.maximum(row, col)])[:, row != col], axis=1)
    return adjacency.shape[0], edge[0].astype(np.int64), edge[1].astype(np.int64)


# --------------------------------------------------------------------------- matchings
@dataclass(frozen=True)
class RandomMatching:
    """Strangers: every round each agent meets a new partner drawn at random [FehrGachter2000]_.

    Parameters
    ----------
    homophily : float
        Probability in [0, 1] that an agent is matched inside its own community this round
        (bonding rather than bridging [Putnam2000]_); the others are matched at random across
        the whole population. The default 0 is chosen so that matching ignores communities
        unless asked.

    """

    homophily: float = 0.0

    def __post_init__(self) -> None:
        check_probability("homophily", self.homophily)

    def pairs(
        self,
        rng: np.random.Generator,
        community: np.ndarray,
        previous: np.ndarray | None = None,
    ) -> np.ndarray:
        """Partners for this round, drawn afresh.

        Each agent is local with probability ``homophily``; local agents are paired at random
        inside their community, and one left over in a community with an odd number of local
        agents joins everybody else in a single random pool. Hence at most one agent sits out,
        and only when ``n`` is odd.

        Parameters
        ----------
        rng : numpy.random.Generator
            The only source of randomness.
        community : numpy.ndarray
            Community id of each of the ``n`` agents (all zeros without communities).
        previous : numpy.ndarray, optional
            Last round's partners; ignored (strangers have no memory of pairs).

        Returns
        -------
        numpy.ndarray
            int64 array of length ``n``: ``partner[i]``, or ``-1`` if ``i`` sits out.

        """
        community = _as_community(community)
        if self.homophily == 0:  # nobody is local: one random matching of everybody
            return _random_pairs(rng, community.shape[0])
        return _partner_array(_groups(rng, community, 2, self.homophily), community.shape[0])

    def future(self, rounds_left: int) -> float:
        """Rounds each agent expects with this round's partner after this one: 0 (strangers)."""
        return 0.0

    def groups(self, rng: np.random.Generator, community: np.ndarray, size: int) -> np.ndarray:
        """Disjoint groups of ``size`` agents for an n-player game, formed anew each round.

        A ``homophily`` share of agents is grouped within their community first (a community's
        local agents beyond a multiple of ``size`` join the pool); the rest are grouped at
        random; the ``n % size`` agents left over sit out.

        Parameters
        ----------
        rng : numpy.random.Generator
            The only source of randomness.
        community : numpy.ndarray
            Community id of each of the ``n`` agents.
        size : int
            Players per group, at least 2.

        Returns
        -------
        numpy.ndarray
            int64 array of shape ``(n // size, size)`` of agent indices, each at most once.

        """
        check_integer("size", size, low=2)
        return _groups(rng, _as_community(community), int(size), self.homophily)


@dataclass(frozen=True)
class FixedPartners:
    """Partners: pairs are kept from round to round [FehrGachter2000]_ [Axelrod1984]_.

    In round 0 (``previous is None``) agents are paired (grouped) as by
    :class:`RandomMatching`. Later, each pair (group) of ``previous`` dissolves independently
    with probability ``rematch`` (one draw per pair or group), so it survives a round with
    probability exactly ``1 - rematch``. Agents of dissolved pairs (groups) and agents who sat
    out are then paired (grouped) among themselves as by :class:`RandomMatching` with the same
    ``homophily``, so two former partners may by chance meet again.

    The future an agent weighs with its partner (:meth:`future`) is the one this matching
    gives it: ``(1 − rematch) / rematch`` further rounds on average when the end of the game
    is not announced, and, when it is (``known_end``, a design of so many rounds announced to
    the players as in most laboratory experiments [FehrGachter2000]_), the expected rounds
    with the partner among those known to remain.

    Parameters
    ----------
    rematch : float
        Probability in [0, 1] that a pair dissolves in a round; 0 keeps pairs for ever, 1
        makes strangers of everybody.
    homophily : float
        Probability in [0, 1] that an agent being (re)matched is matched inside its own
        community [Putnam2000]_; the default 0 is chosen so that matching ignores communities
        unless asked.
    known_end : bool, default False
        Whether the agents know how many rounds remain. The default is chosen so that a
        society's length is not known to its citizens unless asked (an indefinitely repeated
        game); ``FixedPartners(rematch=0, known_end=True)`` with ``rounds=10`` is a ten-round
        partners design.

    """

    rematch: float = 0.1
    homophily: float = 0.0
    known_end: bool = False

    def __post_init__(self) -> None:
        check_probability("rematch", self.rematch)
        check_probability("homophily", self.homophily)
        if not isinstance(self.known_end, bool):
            raise ValueError(f"known_end must be True or False, got {self.known_end!r}")

    def future(self, rounds_left: int) -> float:
        """Rounds each agent expects with this round's partner after this one.

        With a known end, ``Σ_{j=1}^{L} (1 − q)^j`` over the ``L = rounds_left`` rounds known
        to remain (``L`` itself when ``rematch`` q is 0); otherwise ``(1 − q) / q``
        (``inf`` for q = 0: a partnership that never ends).
        """
        q = self.rematch
        if self.known_end:
            if q == 0:
                return float(rounds_left)
            return (1.0 - q) * (1.0 - (1.0 - q) ** rounds_left) / q
        return np.inf if q == 0 else (1.0 - q) / q

    def pairs(
        self,
        rng: np.random.Generator,
        community: np.ndarray,
        previous: np.ndarray | None = None,
    ) -> np.ndarray:
        """Partners for this round: last round's, except the pairs that dissolve.

        Parameters and result are as in :meth:`RandomMatching.pairs`, except that
        ``previous`` (last round's ``partner`` array, ``None`` in round 0) is used and checked.
        """
        community = _as_community(community)
        n = community.shape[0]
        if previous is None:
            return _partner_array(_groups(rng, community, 2, self.homophily), n)
        previous = _check_previous(previous, n)
        draw = rng.random(n)
        keep = (previous >= 0) & (draw[np.minimum(np.arange(n), previous)] >= self.rematch)
        free = np.flatnonzero(~keep)
        partner = np.where(keep, previous, -1)
        new = free[_groups(rng, community[free], 2, self.homophily)]
        partner[new] = new[:, ::-1]
        return partner

    def groups(
        self,
        rng: np.random.Generator,
        community: np.ndarray,
        size: int,
        previous: np.ndarray | None = None,
    ) -> np.ndarray:
        """Groups for an n-player game: last round's, except those that dissolve.

        Parameters
        ----------
        rng : numpy.random.Generator
            The only source of randomness.
        community : numpy.ndarray
            Community id of each of the ``n`` agents.
        size : int
            Players per group, at least 2.
        previous : numpy.ndarray, optional
            Last round's groups (``None`` in round 0: groups formed as by
            :meth:`RandomMatching.groups`).

        Returns
        -------
        numpy.ndarray
            int64 array of shape ``(n // size, size)``: the kept groups, then the new ones.

        """
        return self.regroup(rng, community, size, previous)[0]

    def regroup(
        self,
        rng: np.random.Generator,
        community: np.ndarray,
        size: int,
        previous: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`groups`, and which of the groups returned were kept from ``previous``."""
        check_integer("size", size, low=2)
        community = _as_community(community)
        n, size = community.shape[0], int(size)
        if previous is None:
            groups = _groups(rng, community, size, self.homophily)
            return groups, np.zeros(len(groups), dtype=bool)
        previous = np.asarray(previous)
        flat = previous.ravel()
        valid = (
            previous.ndim == 2
            and previous.shape[1] == size
            and np.issubdtype(previous.dtype, np.integer)
            and bool(np.all((flat >= 0) & (flat < n)))
            and np.unique(flat).size == flat.size
        )
        if not valid:
            raise ValueError(
                f"previous must be last round's groups: rows of {size} distinct agent indices "
                f"in [0, {n})"
            )
        kept = previous[rng.random(len(previous)) >= self.rematch].astype(np.int64)
        free = np.ones(n, dtype=bool)
        free[kept.ravel()] = False
        pool = np.flatnonzero(free)
        new = pool[_groups(rng, community[pool], size, self.homophily)]
        groups = np.concatenate([kept, new]).astype(np.int64)
        return groups, np.arange(len(groups)) < len(kept)


@dataclass(frozen=True, eq=False)
class NetworkMatching:
    """Partners are neighbours on a fixed social graph.

    Each round every edge gets a random priority (a random permutation, so no ties); every
    unmatched node picks its incident edge of highest priority among unmatched neighbours and
    mutual picks are matched. Repeating this :data:`NETWORK_ROUNDS` times approaches the
    random greedy maximal matching; isolated nodes and nodes still unmatched sit out.
    Instances compare by identity (a sparse matrix has no truth value).

    Parameters
    ----------
    graph : scipy.sparse matrix or array, or networkx.Graph
        n×n adjacency: any nonzero entry ``(i, j)`` or ``(j, i)`` is the undirected edge
        ``{i, j}`` (so a directed graph is made symmetric) and the diagonal is ignored. A
        networkx graph is converted when networkx is installed, its sorted nodes being agents
        ``0..n-1``. Stored unchanged.

    """

    graph: Any
    _edges: tuple[int, np.ndarray, np.ndarray] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_edges", _edge_list(self.graph))

    def pairs(
        self,
        rng: np.random.Generator,
        community: np.ndarray,
        previous: np.ndarray | None = None,
    ) -> np.ndarray:
        """Partners for this round, always neighbours on the graph.

        Parameters and result are as in :meth:`RandomMatching.pairs`; only the length of
        ``community`` is used, and it must equal the graph's size.
        """
        n, u, v = self._edges
        agents = _as_community(community).shape[0]
        if agents != n:
            raise ValueError(f"the graph has {n} nodes but the society has {agents} agents")
        priority = rng.permutation(u.size)
        partner = np.full(n, -1, dtype=np.int64)
        for _ in range(NETWORK_ROUNDS):
            free = (partner[u] < 0) & (partner[v] < 0)
            u, v, priority = u[free], v[free], priority[free]
            best = np.full(n, -1, dtype=np.int64)
            np.maximum.at(best, u, priority)
            np.maximum.at(best, v, priority)
            mutual = (best[u] == priority) & (best[v] == priority)
            partner[u[mutual]], partner[v[mutual]] = v[mutual], u[mutual]
        return partner

    def future(self, rounds_left: int) -> float:
        """Rounds each agent expects with this round's partner after this one.

        0: neighbours are re-paired at random every round, so each meeting is treated as
        one-shot.
        """
        return 0.0

    def groups(self, rng: np.random.Generator, community: np.ndarray, size: int) -> np.ndarray:
        """Not supported: always raises ``ValueError``."""
        raise ValueError(
            "n-player groups on a network are not supported; use RandomMatching or FixedPartners"
        )


Matching = RandomMatching | FixedPartners | NetworkMatching


def resolve_matching(value: str | Matching) -> Matching:
    """A matching from its name (``"random"``, ``"fixed"``) or the instance itself.

    Parameters
    ----------
    value : str or Matching
        ``"random"`` gives ``RandomMatching()``, ``"fixed"`` gives ``FixedPartners()``; an
        instance of :class:`RandomMatching`, :class:`FixedPartners` or
        :class:`NetworkMatching` is returned unchanged.

    Returns
    -------
    Matching
        The matching.

    """
    if isinstance(value, RandomMatching | FixedPartners | NetworkMatching):
        return value
    if isinstance(value, str) and value in ("random", "fixed"):
        return RandomMatching() if value == "random" else FixedPartners()
    raise ValueError(
        f"matching must be 'random', 'fixed', or a RandomMatching, FixedPartners or "
        f"NetworkMatching instance (a network needs NetworkMatching(graph)), got {value!r}"
    )
