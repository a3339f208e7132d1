"""A regime-aware match between any two axelrod players.

:class:`Match` plays like ``axelrod.Match`` and, in addition, draws each turn's domain,
lets a regime watch, record, reward, fine and score the moves, and tells motive agents what
it did to them. It keeps intended, realised (after noise) and recorded actions apart, which
axelrod itself cannot do. The environment owns every random stream, each spawned from one
``numpy.random.SeedSequence``: domains, noise, the regime, and the players' own seeds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import axelrod as axl
import axelrod.interaction_utils as iu
import numpy as np
import pandas as pd

from sccgames._reprs import plain
from sccgames._validation import check_integer, check_nonnegative, check_probability
from sccgames.engines.batch import totals_frame
from sccgames.engines.ledger import Ledger
from sccgames.model.agents import MotiveAgent
from sccgames.model.decision import Observation
from sccgames.rules.games import society_game
from sccgames.rules.institutions import (
    PairInstitutions,
    check_regime,
    check_schedule_fits,
)
from sccgames.rules.regimes import NoRegime, RegimeStep, regime_observation

C, D = axl.Action.C, axl.Action.D

#: Streams spawned from a match's seed, in this order.
STREAMS = ("domains", "noise", "regime", "players")

#: Each player's partner, by position.
_PARTNER = np.array([1, 0])
#: No payment to either player.
_NOTHING = (0.0, 0.0)

#: Columns of :meth:`Match.records`, in order.
RECORD_COLUMNS = (
    "turn",
    "domain",
    "coverage",
    "player",
    "name",
    "intended",
    "played",
    "p_cooperate",
    "observed",
    "recorded",
    "false_positive",
    "false_negative",
    "appealed",
    "reward",
    "fine",
    "blacklisted",
    "redlisted",
    "transfer",
    "score",
    "peer_cost",
    "peer_fine",
    "good_reputation",
    "phase",
    "regime",
    "material_payoff",
    "total_payoff",
)


@dataclass(frozen=True)
class Turn:
    """One played turn, as :meth:`Match.stream` yields it.

    ``regime`` is what the top-down regime did (no regime: nothing); ``peer_cost`` and
    ``peer_fine`` what each player paid to punish and was fined by its partner;
    ``good_reputation`` each player's reputation after the community judged the turn (None
    without a community); ``phase`` the index of the schedule's phase in force.
    """

    turn: int
    domain: str
    coverage: float
    intended: tuple[axl.Action, axl.Action]
    played: tuple[axl.Action, axl.Action]
    p_cooperate: tuple[float, float]
    material_payoff: tuple[float, float]
    regime: RegimeStep
    peer_cost: tuple[float, float] = (0.0, 0.0)
    peer_fine: tuple[float, float] = (0.0, 0.0)
    good_reputation: tuple[bool, bool] | None = None
    phase: int = 0

    def __repr__(self) -> str:
        """Plain numbers and actions (no numpy reprs); the regime's step in brief."""
        fields = {
            "turn": self.turn,
            "domain": self.domain,
            "coverage": self.coverage,
            "intended": self.intended,
            "played": self.played,
            "p_cooperate": self.p_cooperate,
            "material_payoff": self.material_payoff,
            "transfer": tuple(self.regime.transfer.tolist()),
            "score": tuple(self.regime.score.tolist()),
            "peer_cost": self.peer_cost,
            "peer_fine": self.peer_fine,
            "good_reputation": self.good_reputation,
            "phase": self.phase,
        }
        return "Turn(" + ", ".join(f"{k}={plain(v)!r}" for k, v in fields.items()) + ")"


def _check_domains(domains: Mapping[str, float] | None) -> tuple[list[str], np.ndarray]:
    if domains is None:
        return ["default"], np.ones(1)
    if not isinstance(domains, Mapping) or not domains:
        raise ValueError(
            "domains must be a non-empty mapping of domain name to share of interactions, "
            f"e.g. {{'economic': 0.5, 'private': 0.5}}; got {domains!r}"
        )
    names = []
    for name, share in domains.items():
        if not isinstance(name, str):
            raise ValueError(f"domain names must be strings, got {name!r}")
        check_nonnegative(f"domains[{name!r}]", share)
        names.append(name)
    shares = np.array([float(domains[n]) for n in names])
    if shares.sum() <= 0:
        raise ValueError(f"domain shares must not all be 0, got {dict(domains)!r}")
    return names, shares / shares.sum()


def _check_players(players: Sequence[Any]) -> list[axl.Player]:
    if isinstance(players, str | bytes) or len(players) != 2:
        raise ValueError(f"a Match needs exactly two players, got {players!r}")
    checked = []
    for player in players:
        if isinstance(player, type) and issubclass(player, axl.Player):
            player = player()
        if not isinstance(player, axl.Player):
            raise ValueError(
                "players must be axelrod players (instances or classes), e.g. "
                f"sccgames.Moralist() or axelrod.TitForTat(); got {player!r}"
            )
        checked.append(player)
    if checked[0] is checked[1]:
        checked[1] = checked[1].clone()
    return checked


class Match:
    """A match between two axelrod players under an incentive regime.

    Parameters
    ----------
    players : sequence of two axelrod players
        Motive agents or any of axelrod's strategies (instances, or classes taking no
        arguments). The same instance twice plays against its clone.
    turns : int
        Number of turns (>= 1), known to the players (axelrod's ``length``).
    regime : regime, Combined or Schedule, optional
        The institutions, as in :class:`~sccgames.Society`: ``NoRegime()`` (``None``),
        ``SocialCredit(...)``, ``CommunityReputation(...)``, ``PeerPunishment(...)``, a
        ``Combined(...)`` of them, or a ``Schedule({turn: regime})`` whose phases start at
        the given turns. Axelrod's strategies never pay to punish (punishing is a motivated
        choice, and they have no motives) but are punished like anyone; a social credit
        regime's ``blacklist_exclusion`` needs a population to exclude from, so a match
        applies only the blacklist's cost.
    game : game, optional
        The stage game: a name (``"pd"``, ``"trust"``, …), an ``axelrod.Game``,
        ``LostWallet(...)`` (player 0 finds player 1's wallet; the owner has no move and is
        recorded as C), ``TrustGame(...)`` (player 0 is the trustor) or
        ``PublicGoods(group_size=2)``, read through the same view of the game as every
        engine's (:func:`sccgames.rules.games.society_game`). The default is axelrod's prisoner's
        dilemma (3, 0, 5, 1).
    domains : mapping of str to float, optional
        Domain name to share of turns; each turn's domain is drawn from these shares and
        told to both players before they move. ``None`` is one domain, ``"default"``.
    noise : float, default 0
        Probability that an intended action is flipped, as in axelrod.
    seed : int or numpy.random.SeedSequence, optional
        The one seed from which every stream is spawned; ``None`` draws fresh entropy once,
        so calling :meth:`play` again replays the same match.

    Examples
    --------
    >>> import axelrod as axl, sccgames as scc
    >>> match = scc.Match([scc.HomoEconomicus(), axl.TitForTat()], turns=5,
    ...                   regime=scc.SocialCredit(coverage=1.0), seed=1)
    >>> len(match.play())
    5

    """

    def __init__(
        self,
        players: Sequence[Any],
        turns: int,
        regime: Any = None,
        game: axl.Game | None = None,
        domains: Mapping[str, float] | None = None,
        noise: float = 0,
        seed: int | np.random.SeedSequence | None = None,
    ) -> None:
        self.players = _check_players(players)
        check_integer("turns", turns, low=1)
        self.turns = turns
        plan = check_regime(regime)
        check_schedule_fits(plan, turns)
        self.regime = NoRegime() if regime is None else regime
        self.game = axl.Game() if game is None else game
        # every engine's view of the game: who moves, what each role weighs, material payoffs
        self._view = society_game(self.game)
        if self._view.group_size != 2:
            raise ValueError(
                f"a Match has two players; {self.game!r} is played in groups of "
                f"{self._view.group_size} (play it in a Society)"
            )
        self.domains = domains
        self._domain_names, self._domain_shares = _check_domains(domains)
        PairInstitutions.check_domains(plan, self._domain_names)
        check_probability("noise", noise)
        self.noise = noise
        self.set_seed(seed)
        self.result: list[tuple[axl.Action, axl.Action]] = []
        self.ledger = Ledger()
        self._turns: list[Turn] = []

    def set_seed(self, seed: int | np.random.SeedSequence | None) -> None:
        """Set the one seed every stream is spawned from, as ``axelrod.Match.set_seed``.

        ``None`` draws fresh entropy once, so the match still replays itself.
        """
        if seed is None:
            sequence = np.random.SeedSequence()
        elif isinstance(seed, np.random.SeedSequence):
            sequence = seed
        else:
            check_integer("seed", seed, low=0)
            sequence = np.random.SeedSequence(seed)
        self.seed = seed
        self._seed_sequence = sequence

    @property
    def match_attributes(self) -> dict[str, Any]:
        """What the players are told, as in ``axelrod.Match``: length, game and noise."""
        return {"length": self.turns, "game": self.game, "noise": self.noise}

    #: Players are reset at the start of every play, as axelrod's ``Match(reset=True)``.
    reset = True

    @property
    def prob_end(self) -> float:
        """Always 0, as axelrod's for a match of a given number of turns: it never ends early."""
        return 0

    # ------------------------------------------------------------------ playing
    def _streams(self) -> dict[str, np.random.Generator]:
        root = np.random.SeedSequence(
            self._seed_sequence.entropy, spawn_key=self._seed_sequence.spawn_key
        )
        return {
            name: np.random.default_rng(child)
            for name, child in zip(STREAMS, root.spawn(len(STREAMS)), strict=True)
        }

    def _prepare_players(self, rng: np.random.Generator) -> None:
        seeds = rng.integers(0, 2**32 - 1, size=2)
        game = self.game
        if not isinstance(game, axl.AsymmetricGame):  # axelrod's players read an axelrod game
            own = self._view.tables()
            game = axl.AsymmetricGame(own[0], own[1].T)
        for role, (player, seed) in enumerate(zip(self.players, seeds, strict=True)):
            player.reset()
            player.set_match_attributes(length=self.turns, game=game, noise=self.noise)
            if isinstance(player, MotiveAgent):
                player.take_role(role, self._view)
            if axl.Classifiers["stochastic"](player):
                player.set_seed(int(seed))

    def stream(self) -> Iterator[Turn]:
        """Play the match turn by turn, yielding each :class:`Turn` as it is played.

        A notebook can watch, stop or plot a match as it unfolds; :meth:`play` consumes
        this stream.
        """
        rngs = self._streams()
        self._prepare_players(rngs["players"])
        self.result, self.ledger, self._turns = [], Ledger(), []
        domain_index = rngs["domains"].choice(
            len(self._domain_names), size=self.turns, p=self._domain_shares
        )
        flips = rngs["noise"].random((self.turns, 2)) < self.noise
        institutions = PairInstitutions(self.regime, _PARTNER, self._domain_names, rngs["regime"])
        motive = [isinstance(p, MotiveAgent) for p in self.players]
        groups = [getattr(p, "group", None) for p in self.players]
        in_group = float(groups[0] is not None and groups[0] == groups[1])
        first, second = self.players
        learning = np.array(
            [
                p.profile.moral.compliance_learning if m else 0.0
                for p, m in zip(self.players, motive, strict=True)
            ]
        )
        # a role without a move (the lost wallet's owner) is recorded as C, is not watched,
        # and its player is not asked
        movers = np.array(self._view.movers)
        flips &= movers
        roles = np.arange(2)
        for t in range(self.turns):
            domain = self._domain_names[domain_index[t]]
            coverage = institutions.coverage(t, domain_index[t])
            watched = coverage * movers
            for i, player in enumerate(self.players):
                if motive[i]:
                    context = institutions.context(
                        t,
                        coverage,
                        i,
                        remaining=float(self.turns - t - 1),
                        in_group=in_group,
                        domain=domain,
                    )
                    # a match's length is announced to its players, as in axelrod's
                    player.observe_context(replace(context, known_end=1.0))
            intended = (
                first.strategy(second) if movers[0] else C,
                second.strategy(first) if movers[1] else C,
            )
            played = tuple(
                a.flip() if flip else a for a, flip in zip(intended, flips[t], strict=True)
            )
            cooperated = np.array([a == C for a in played])
            step = institutions.enforce(t, cooperated, watched, rngs["regime"])
            self.ledger.record(t, [0, 1], [domain, domain], cooperated, step)
            self._inform(motive, regime_observation(step, cooperated, _PARTNER, coverage, 0.0))
            first.update_history(played[0], played[1])
            second.update_history(played[1], played[0])
            peer_cost = peer_fine = _NOTHING
            if institutions.peers:  # (peer punishment in some phase of the schedule)
                costs, fines = institutions.punish(
                    t,
                    cooperated,
                    self._punishing(institutions, t, motive),
                    learning,
                    rngs["regime"],
                )
                peer_cost, peer_fine = tuple(costs.tolist()), tuple(fines.tolist())
            if institutions.community:
                institutions.judge(t, cooperated, rngs["regime"], acting=movers)
            self.result.append(played)
            turn = Turn(
                turn=t,
                domain=domain,
                coverage=coverage,
                intended=intended,
                played=played,
                p_cooperate=tuple(
                    float(p.last_p_cooperate) if m and moves else np.nan
                    for p, m, moves in zip(self.players, motive, movers, strict=True)
                ),
                material_payoff=tuple(
                    self._view.material(cooperated, cooperated[::-1], roles).tolist()
                ),
                regime=step,
                peer_cost=peer_cost,
                peer_fine=peer_fine,
                good_reputation=(
                    tuple(institutions.good.tolist()) if institutions.community else None
                ),
                phase=institutions.phase(t),
            )
            self._turns.append(turn)
            yield turn

    def _punishing(self, institutions: PairInstitutions, t: int, motive: list[bool]) -> Any:
        """Each player's probability of punishing its partner's D in turn ``t`` (if any).

        A motive agent's, from its state after the turn; an axelrod strategy never punishes.
        """
        peers = institutions.regime_at(t).peers
        if peers is None:
            return None
        return np.array(
            [
                float(peers.probability_for(p.profile, p.state)) if m else 0.0
                for p, m in zip(self.players, motive, strict=True)
            ]
        )

    def _inform(self, motive: list[bool], observation: Observation) -> None:
        for i, player in enumerate(self.players):
            if motive[i]:
                player.receive_outcome(
                    unjust_sanction=bool(observation.unjust_sanction[i]),
                    corrected=bool(observation.corrected[i]),
                    fair_reward=bool(observation.fair_reward[i]),
                    impunity=bool(observation.impunity[i]),
                )

    def play(self) -> list[tuple[axl.Action, axl.Action]]:
        """Play the match; return the realised actions per turn, as ``axelrod.Match`` does."""
        for _ in self.stream():
            pass
        return self.result

    # ------------------------------------------------------------------ results
    def _require_played(self) -> None:
        if not self._turns:
            raise RuntimeError("the match has not been played yet: call .play() first")

    def records(self) -> pd.DataFrame:
        """One row per turn and player: intended, played and recorded actions, and payoffs.

        Columns: ``turn``, ``domain``, ``coverage``, ``player`` (0 or 1), ``name``,
        ``intended`` and ``played`` ("C"/"D"), ``p_cooperate`` (NaN for axelrod's
        strategies), ``observed``, ``recorded`` ("C"/"D", or None when unobserved),
        ``false_positive``, ``false_negative``, ``appealed``, ``reward``, ``fine``,
        ``blacklisted``, ``redlisted``, ``transfer`` (the social credit regime's net
        payment), ``score`` (after the turn; NaN without a credit regime), ``peer_cost``
        (paid to punish the partner) and ``peer_fine`` (taken by the partner's punishment),
        ``good_reputation`` (after the community judged the turn; NA without a community),
        ``phase`` and ``regime`` (the schedule's phase in force and its regime's name),
        ``material_payoff`` (the game's), ``total_payoff`` (material plus transfer, less
        peer cost and fine).
        """
        self._require_played()
        ledger = self.ledger.to_frame()
        n = len(self._turns)
        names = [str(p) for p in self.players]
        material = np.array([t.material_payoff for t in self._turns], dtype=float).ravel()
        recorded = np.where(ledger["observed"], np.where(ledger["recorded_c"], "C", "D"), None)
        peer_cost = np.array([t.peer_cost for t in self._turns], dtype=float).ravel()
        peer_fine = np.array([t.peer_fine for t in self._turns], dtype=float).ravel()
        good = pd.array(
            [g for t in self._turns for g in (t.good_reputation or (None, None))],
            dtype="boolean",
        )
        plan = check_regime(self.regime)
        regime_names = [plan.regime_at(start).name for start in plan.starts]
        phase = np.repeat([t.phase for t in self._turns], 2)
        frame = pd.DataFrame(
            {
                "turn": np.repeat(np.arange(n), 2),
                "domain": ledger["domain"].to_numpy(),
                "coverage": np.repeat([t.coverage for t in self._turns], 2),
                "player": np.tile([0, 1], n),
                "name": np.tile(names, n),
                "intended": [a.name for t in self._turns for a in t.intended],
                "played": [a.name for t in self._turns for a in t.played],
                "p_cooperate": np.array([t.p_cooperate for t in self._turns]).ravel(),
                "observed": ledger["observed"].to_numpy(),
                "recorded": recorded,
                "false_positive": ledger["false_positive"].to_numpy(),
                "false_negative": ledger["false_negative"].to_numpy(),
                "appealed": ledger["appealed"].to_numpy(),
                "reward": ledger["reward"].to_numpy(),
                "fine": ledger["fine"].to_numpy(),
                "blacklisted": ledger["blacklisted"].to_numpy(),
                "redlisted": ledger["redlisted"].to_numpy(),
                "transfer": ledger["transfer"].to_numpy(),
                "score": ledger["score"].to_numpy(),
                "peer_cost": peer_cost,
                "peer_fine": peer_fine,
                "good_reputation": good,
                "phase": phase,
                "regime": np.array(regime_names, dtype=object)[phase],
                "material_payoff": material,
                "total_payoff": material + ledger["transfer"].to_numpy() - peer_cost - peer_fine,
            },
            columns=list(RECORD_COLUMNS),
        )
        return frame

    def totals(self) -> pd.DataFrame:
        """One row per player with the match's totals, in the batch kernel's schema.

        Columns: ``side`` (0 or 1), ``index`` (0), ``turns``, ``material_payoff``,
        ``transfers``, ``cooperations``, ``watched_turns`` (turns in domains with coverage
        > 0), ``watched_cooperations``, ``fines``, ``false_positives``, the final ``score``,
        ``peer_costs``, ``peer_fines`` and the final ``reputation`` (see
        :func:`sccgames.engines.batch.play_batch`).
        """
        self._require_played()
        acts = np.array([[a == C for a in t.played] for t in self._turns])
        movers = np.array(self._view.movers)  # a role without a move is never watched
        watched = np.array([[t.coverage > 0] * 2 for t in self._turns]) & movers
        regime = [t.regime for t in self._turns]
        last = self._turns[-1].good_reputation
        return totals_frame(
            acts,
            watched,
            material=np.array(self.scores(), dtype=float).sum(axis=0),
            transfers=np.sum([r.transfer for r in regime], axis=0),
            fines=np.sum([r.fine for r in regime], axis=0),
            false_positives=np.sum([r.false_positive for r in regime], axis=0),
            score=regime[-1].score,
            peer_costs=np.array([t.peer_cost for t in self._turns]).sum(axis=0),
            peer_fines=np.array([t.peer_fine for t in self._turns]).sum(axis=0),
            reputation=np.full(2, np.nan) if last is None else np.array(last, dtype=float),
        )

    # ------------------------------------------------------------------ axelrod's results
    # The results axelrod.Match gives, with the same meaning, read from the material payoffs
    # of the game (the regime's transfers and peer punishment are in total_payoffs); unlike
    # axelrod, asking before the match was played is an error rather than None.
    def scores(self) -> list[tuple[float, float]]:
        """Material payoffs of the game per turn, as ``axelrod.Match.scores``."""
        self._require_played()
        return [t.material_payoff for t in self._turns]

    def final_score(self) -> tuple[float, float]:
        """Total material payoff of each player, as ``axelrod.Match.final_score``."""
        material = np.array(self.scores(), dtype=float)
        return tuple(material.sum(axis=0).tolist())

    def final_score_per_turn(self) -> tuple[float, float]:
        """Mean material payoff per turn of each player, as ``axelrod.Match``'s."""
        first, second = self.final_score()
        return first / len(self._turns), second / len(self._turns)

    def winner(self) -> axl.Player | bool:
        """The player with the higher final score, or False for a tie (as axelrod's)."""
        first, second = self.final_score()
        if first == second:
            return False
        return self.players[0] if first > second else self.players[1]

    def total_payoffs(self) -> tuple[float, float]:
        """Total payoff of each player: material payoffs plus the regime's transfers.

        Less, under peer punishment, what each paid to punish and was fined by its partner.
        """
        transfers = np.array([t.regime.transfer for t in self._turns]).sum(axis=0)
        peers = np.array([np.add(t.peer_cost, t.peer_fine) for t in self._turns]).sum(axis=0)
        material = np.array(self.final_score())
        return tuple((material + transfers - peers).tolist())

    def cooperation(self) -> tuple[int, int]:
        """Number of realised cooperations of each player, as ``axelrod.Match.cooperation``."""
        self._require_played()
        return tuple(int(c) for c in iu.compute_cooperations(self.result))

    def normalised_cooperation(self) -> tuple[float, float]:
        """Share of turns each player cooperated (realised), as axelrod's."""
        self._require_played()
        return iu.compute_normalised_cooperation(self.result)

    def state_distribution(self) -> Counter:
        """Count of each pair of realised actions, e.g. ``(C, D)``, as axelrod's."""
        self._require_played()
        return iu.compute_state_distribution(self.result)

    def normalised_state_distribution(self) -> Counter:
        """Share of turns of each pair of realised actions, as axelrod's."""
        self._require_played()
        return iu.compute_normalised_state_distribution(self.result)

    def sparklines(self, c_symbol: str = "█", d_symbol: str = " ") -> str:
        """The realised actions as two lines of symbols (C full, D blank), as axelrod's."""
        self._require_played()
        return iu.compute_sparklines(self.result, c_symbol, d_symbol)

    def __len__(self) -> int:
        return self.turns
