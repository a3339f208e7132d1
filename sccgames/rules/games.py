"""Stage games: the prisoner's dilemma family, the lost wallet, trust and public goods.

Games are ``axelrod.Game`` objects (R, S, T, P), so they work unchanged in axelrod's own
matches and tournaments; each named game is a preset of that one general model. Our agents
read a game as two payoff matrices indexed ``[my action, partner's action]`` (0 = C, 1 = D):
their own material payoff and their partner's (:func:`payoff_matrices`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import axelrod as axl
import numpy as np

from sccgames._validation import check_finite, check_integer, check_nonnegative, check_range
from sccgames.model.decision import Payoffs


def _game(name: str, r: float, s: float, t: float, p: float, ordering: str, holds: bool):
    for key, value in {"r": r, "s": s, "t": t, "p": p}.items():
        check_finite(f"{name}.{key}", value)
    if not holds:
        raise ValueError(f"{name} needs {ordering}, got R={r!r}, S={s!r}, T={t!r}, P={p!r}")
    return axl.Game(r=r, s=s, t=t, p=p)


def prisoners_dilemma(r: float = 3, s: float = 0, t: float = 5, p: float = 1) -> axl.Game:
    """The prisoner's dilemma, ``T > R > P > S``; defaults are Axelrod's [Axelrod1984]_."""
    return _game("prisoners_dilemma", r, s, t, p, "T > R > P > S", t > r > p > s)


def stag_hunt(r: float = 4, s: float = 0, t: float = 3, p: float = 1) -> axl.Game:
    """The stag hunt, ``R > T >= P > S``: cooperation pays if the partner cooperates.

    Defaults chosen on the prisoner's dilemma's scale, with the temptation below the reward.
    """
    return _game("stag_hunt", r, s, t, p, "R > T >= P > S", r > t >= p > s)


def snowdrift(r: float = 3, s: float = 1, t: float = 5, p: float = 0) -> axl.Game:
    """Snowdrift (chicken), ``T > R > S > P``: better to cooperate alone than to clash.

    Defaults chosen from the prisoner's dilemma's by swapping S and P.
    """
    return _game("snowdrift", r, s, t, p, "T > R > S > P", t > r > s > p)


def harmony(r: float = 4, s: float = 2, t: float = 3, p: float = 1) -> axl.Game:
    """Harmony, ``R > T`` and ``S > P``: no dilemma at all, cooperation dominates.

    Defaults chosen on the prisoner's dilemma's scale.
    """
    return _game("harmony", r, s, t, p, "R > T and S > P", r > t and s > p)


def _wallet_params(name: str, money: float, effort: float, owner_value: float) -> None:
    for key, value in {"money": money, "effort": effort, "owner_value": owner_value}.items():
        check_nonnegative(f"{name}.{key}", value)


class LostWallet(axl.AsymmetricGame):
    """The lost wallet [Cohn2019]_: a finder returns (C) or keeps (D) an owner's wallet.

    One finder (role 0, the row player) and one owner (role 1, the column player), who has
    no move: returning costs the finder effort e; keeping gains the finder the money w and
    costs the owner the money and the wallet's own worth to them, v. Payoffs (finder,
    owner): return ``(−e, 0)``, keep ``(w, −(w + v))``, whatever the owner "plays". As an
    ``axelrod.AsymmetricGame``, ``A`` holds the finder's payoffs and ``B`` the owner's, both
    indexed ``[finder's action, owner's action]``. Every engine reads it the same way (the
    owner's move is recorded as C and counts for nothing); :class:`TwoWallets` is the
    symmetric variant in which each of two players finds the other's wallet.

    Parameters
    ----------
    money : float, default 2.0
        w >= 0, payoff units. Chosen so that keeping the wallet gains about as much as the
        default prisoner's dilemma temptation ``T − R = 2``. Cohn et al.'s "big money"
        wallet held seven times their "money" wallet (US$94.15 against US$13.45).
    effort : float, default 0.25
        e >= 0, the cost of returning it. Chosen small: an e-mail to the owner.
    owner_value : float, default 0.132
        v >= 0, what the wallet (keys, cards, a business card) is worth to its owner beyond
        the money. Calibrated with the default profile (the robust calibration,
        ``benchmarks/calibrate_robust.py``, ``docs/calibration.md``): only the return rate
        without money reveals it, and the estimate is small — the finders of the default
        population weigh mostly the owner's loss of the money, not of the rest.

    """

    def __init__(self, money: float = 2.0, effort: float = 0.25, owner_value: float = 0.132):
        _wallet_params("LostWallet", money, effort, owner_value)
        self.money = money
        self.effort = effort
        self.owner_value = owner_value
        e, w, v = float(effort), float(money), float(owner_value)
        super().__init__(
            A=np.array([[-e, -e], [w, w]]), B=np.array([[0.0, 0.0], [-(w + v), -(w + v)]])
        )

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and repr(other) == repr(self)

    def __hash__(self) -> int:
        return hash(repr(self))

    def __repr__(self) -> str:
        return (
            f"LostWallet(money={self.money!r}, effort={self.effort!r}, "
            f"owner_value={self.owner_value!r})"
        )


class TwoWallets(axl.Game):
    """Two lost wallets at once: each of two players finds the other's wallet.

    The symmetric variant of :class:`LostWallet`: two simultaneous, independent finds, so a
    player's payoff is its own find's plus what the other's find does to it,
    ``R = −e, S = −e − w − v, T = w, P = −v``: a prisoner's dilemma whenever ``v > e``.
    Parameters and defaults are :class:`LostWallet`'s.
    """

    def __init__(self, money: float = 2.0, effort: float = 0.25, owner_value: float = 2.0):
        _wallet_params("TwoWallets", money, effort, owner_value)
        self.money = money
        self.effort = effort
        self.owner_value = owner_value
        super().__init__(r=-effort, s=-effort - money - owner_value, t=money, p=-owner_value)

    def __repr__(self) -> str:
        return (
            f"TwoWallets(money={self.money!r}, effort={self.effort!r}, "
            f"owner_value={self.owner_value!r})"
        )


def payoff_matrices(game: axl.Game | None = None) -> Payoffs:
    """Own and partner's payoffs of a symmetric game, indexed ``[my action, partner's]``.

    Parameters
    ----------
    game : axelrod.Game, optional
        Defaults to axelrod's prisoner's dilemma (3, 0, 5, 1).

    Raises
    ------
    ValueError
        If the game is not a symmetric 2×2 ``axelrod.Game``.

    """
    game = axl.Game() if game is None else game
    if isinstance(game, LostWallet):
        raise ValueError(
            "LostWallet has a finder and an owner, not two symmetric players: read each role's "
            "payoffs with society_game(game).motive_payoffs(role), or play TwoWallets(...)"
        )
    if not isinstance(game, axl.Game):
        raise ValueError(
            "game must be a symmetric 2x2 axelrod.Game (prisoners_dilemma(), stag_hunt(), "
            f"snowdrift(), harmony(), TwoWallets() or axelrod.Game(r, s, t, p)), got {game!r}"
        )
    own = np.asarray(game.A, dtype=float)
    return Payoffs(own=own, other=own.T.copy())


def payoff_tuples(game: axl.Game | None = None) -> Payoffs:
    """:func:`payoff_matrices` as nested tuples of Python floats.

    What the engines read while they play: one game shared by every agent is cheaper to
    index and combine as plain floats than as numpy scalars, and tuples compare by value
    (axelrod's player equality relies on it).
    """
    return Payoffs(*(tuple(map(tuple, m.tolist())) for m in payoff_matrices(game)))


# --------------------------------------------------------------------------- every engine's games
# What every engine plays (Society, Match, the tournaments' batch kernel): interaction
# groups of ``group_size``. Each game says, once, who moves (:attr:`movers`, by role), what
# each role weighs (:meth:`motive_payoffs`: own and partner's payoffs indexed [my action,
# partner's action], per citizen when roles differ) and the material payoffs of acts
# (:meth:`material`, elementwise, so one agent and 10⁵ citizens run the same code).


def _check_pair(game: Any) -> None:
    if game.group_size != 2:
        raise ValueError(
            f"{type(game).__name__} is a two-player game: group_size must be 2, got "
            f"{game.group_size!r}"
        )


class _TwoRoles:
    """A two-player game given by each role's own payoffs ``tables()[role, mine, theirs]``."""

    group_size: int
    #: Whether each role has a move (a role without one is recorded as C and counts for nothing).
    movers: tuple[bool, bool] = (True, True)

    def tables(self) -> np.ndarray:
        """Own material payoffs ``[role, my action, partner's action]`` (0 = C, 1 = D)."""
        raise NotImplementedError

    @property
    def has_roles(self) -> bool:
        """Whether the two players see different payoffs (roles are then assigned)."""
        t = self.tables()
        return not np.array_equal(t[0], t[1])

    def motive_payoffs(self, role: Any) -> Payoffs:
        """Each player's 2×2 view by role: own payoffs and the partner's.

        ``role`` is None (role 0's view, as numbers), an int, or an int array (entries
        per citizen).
        """
        t = self.tables()
        views = [
            (t[r], t[1 - r].T)  # the partner's payoffs, indexed [my action, partner's]
            for r in (0, 1)
        ]
        if role is None or np.ndim(role) == 0:
            own, other = views[0 if role is None else int(role)]
            return Payoffs(*(tuple(map(tuple, m.tolist())) for m in (own, other)))
        if not self.has_roles:
            own, other = views[0]
            return Payoffs(*(tuple(map(tuple, m.tolist())) for m in (own, other)))
        second = np.asarray(role) == 1
        own, other = (
            tuple(
                tuple(np.where(second, views[1][k][a, b], views[0][k][a, b]) for b in range(2))
                for a in range(2)
            )
            for k in (0, 1)
        )
        return Payoffs(own, other)

    def material(
        self, mine: np.ndarray, theirs: np.ndarray, role: Any = None, dtype: Any = float
    ) -> np.ndarray:
        """Each player's material payoff from its act and its partner's.

        Parameters
        ----------
        mine : numpy.ndarray of bool
            Each player's act (True = C).
        theirs : numpy.ndarray
            Its partner's act, as a bool or a 0/1 float.
        role : numpy.ndarray of int, optional
            Each player's role (needed when roles differ).
        dtype : numpy dtype, default float
            Precision of the result.

        """
        own = np.asarray(self.tables(), dtype)
        cell = (~np.asarray(mine, bool)).view(np.int8) * np.int8(2)  # own[mine, theirs], flat
        theirs = np.asarray(theirs)
        cell += (theirs < 0.5).view(np.int8) if theirs.dtype != bool else (~theirs).view(np.int8)
        if role is not None and self.has_roles:
            cell += np.asarray(role, np.int8) * np.int8(4)
        return np.take(own.ravel(), cell)


@dataclass(frozen=True)
class PairGame(_TwoRoles):
    """A symmetric 2×2 game (any ``axelrod.Game``) played in pairs."""

    game: axl.Game
    group_size: int = 2

    def __post_init__(self) -> None:
        _check_pair(self)

    def tables(self) -> np.ndarray:
        """The same own payoffs for both players."""
        own = payoff_matrices(self.game).own
        return np.stack([own, own])


@dataclass(frozen=True)
class WalletGame(_TwoRoles):
    """The lost wallet [Cohn2019]_ in pairs: role 0 finds role 1's wallet.

    The finder weighs its own payoffs ``(−e, w)`` and the owner's ``(0, −(w + v))`` for
    (return, keep), whatever the owner does; the owner has no move.
    """

    wallet: LostWallet
    group_size: int = 2
    movers: tuple[bool, bool] = (True, False)

    def __post_init__(self) -> None:
        _check_pair(self)

    def tables(self) -> np.ndarray:
        """The finder's ``A`` and the owner's ``B.T`` (indexed by its own, passive act)."""
        a, b = np.asarray(self.wallet.A, float), np.asarray(self.wallet.B, float)
        return np.stack([a, b.T])


@dataclass(frozen=True)
class TrustGame(_TwoRoles):
    """The binary trust game [Berg1995]_, played with the strategy method.

    Both players hold an endowment E. The trustor (role 0) sends it all (C) or keeps it
    (D); what is sent is multiplied by ``multiplier``; the trustee (role 1) returns the
    share ``returned`` of it (C) or keeps it all (D), decided before knowing whether anything
    was sent (the strategy method, so both decide at once). Payoffs (trustor, trustee):
    no send ``(E, E)``; send and return ``(m E r, E + m E (1 − r))``; send and keep
    ``(0, E + m E)``. Each role's 2×2 view follows.

    Parameters
    ----------
    endowment : float, default 1.0
        E > 0, payoff units. Chosen so that the trustee's temptation (keeping rather than
        returning, ``m E r = 1.5``) equals the default prisoner's dilemma's expected gain
        from defecting against an even chance of cooperation.
    multiplier : float, default 3.0
        m >= 1, as in Berg et al.'s design [Berg1995]_.
    returned : float, default 0.5
        r in [0, 1], the share of the tripled amount a trustworthy trustee returns. Chosen
        so that trust and return split the surplus equally.

    """

    endowment: float = 1.0
    multiplier: float = 3.0
    returned: float = 0.5
    group_size: int = 2

    def __post_init__(self) -> None:
        _check_pair(self)
        check_range("TrustGame.endowment", self.endowment, 0.0, np.inf, low_open=True)
        check_range("TrustGame.multiplier", self.multiplier, 1.0, np.inf)
        check_range("TrustGame.returned", self.returned, 0.0, 1.0)

    def table(self) -> np.ndarray:
        """Payoffs ``[trustor's action, trustee's action, role]`` (0 = C, 1 = D)."""
        e, m, r = self.endowment, self.multiplier, self.returned
        return np.array(
            [
                [[m * e * r, e + m * e * (1 - r)], [0.0, e + m * e]],
                [[e, e], [e, e]],
            ]
        )

    def tables(self) -> np.ndarray:
        """The trustor's payoffs and the trustee's, each indexed by its own act first."""
        t = self.table()
        return np.stack([t[:, :, 0], t[:, :, 1].T])


@dataclass(frozen=True)
class PublicGoods:
    """The linear public goods game in groups of ``group_size`` [Ledyard1995]_.

    Each member contributes its endowment E (C) or nothing (D); the pot is multiplied by
    ``mpcr × group_size`` and shared equally, so a member earns
    ``E (1 − c_i) + mpcr · E · Σ_j c_j``. With ``mpcr < 1`` free riding pays privately
    (``(1 − mpcr) E`` per round) while ``mpcr · group_size > 1`` makes full contribution
    efficient.

    The motive math sees the group through a representative other member who plays what the
    agent believes the others play (a mean-field 2×2 view): own payoffs
    ``π(a, b) = E (1 − c_a) + mpcr E (c_a + (k − 1) c_b)`` and the other's
    ``π_j(a, b) = E (1 − c_b) + mpcr E (c_a + (k − 1) c_b)``; "the partner cooperated"
    becomes the share of the others who contributed.

    Parameters
    ----------
    group_size : int, default 4
        k >= 2, as in Fehr and Gächter's groups [FehrGachter2000]_.
    endowment : float, default 2.5
        E > 0, payoff units. Chosen so that free riding gains ``(1 − mpcr) E = 1.5``, the
        default prisoner's dilemma's expected gain from defecting against an even chance.
    mpcr : float, default 0.4
        Marginal per-capita return, in (0, 1); 0.4 as in Fehr and Gächter [FehrGachter2000]_.

    """

    group_size: int = 4
    endowment: float = 2.5
    mpcr: float = 0.4

    def __post_init__(self) -> None:
        check_integer("PublicGoods.group_size", self.group_size, low=2)
        check_range("PublicGoods.endowment", self.endowment, 0.0, np.inf, low_open=True)
        check_range("PublicGoods.mpcr", self.mpcr, 0.0, 1.0, low_open=True, high_open=True)

    def motive_payoffs(self, role: np.ndarray) -> Payoffs:
        """The mean-field 2×2 view, the same for every member.

        ``other`` is one group-mate's payoff; each of the ``k − 1`` group-mates receives it
        (:attr:`~sccgames.Context.others`).
        """
        e, a, k = self.endowment, self.mpcr, self.group_size
        c = (1.0, 0.0)  # contribution of C and D
        own = tuple(
            tuple(e * (1 - c[x]) + a * e * (c[x] + (k - 1) * c[y]) for y in (0, 1)) for x in (0, 1)
        )
        other = tuple(
            tuple(e * (1 - c[y]) + a * e * (c[x] + (k - 1) * c[y]) for y in (0, 1)) for x in (0, 1)
        )
        return Payoffs(own, other)

    movers = (True, True)
    has_roles = False

    def tables(self) -> np.ndarray:
        """Own payoffs ``[role, my action, partner's action]`` of a group of two.

        Raises
        ------
        ValueError
            For a group of more than two (no 2×2 game of two players).

        """
        if self.group_size != 2:
            raise ValueError(f"PublicGoods with group_size={self.group_size} is not a pair game")
        own = np.array(self.motive_payoffs(None).own, float)
        return np.stack([own, own])

    def material(
        self, mine: np.ndarray, theirs: np.ndarray, role: Any = None, dtype: Any = float
    ) -> np.ndarray:
        """Each member's payoff from its contribution and the share of the others who gave.

        ``E (1 − c) + mpcr E (c + (k − 1) · theirs)``; arguments as in
        :meth:`PairGame.material` (``theirs`` is the share of the other members who
        contributed).
        """
        e, a, k = self.endowment, self.mpcr, self.group_size
        mine = np.asarray(mine, bool)
        kept = np.multiply(~mine, e, dtype=dtype)  # (a bool times a float would be float64)
        return kept + a * e * (mine + (k - 1) * np.asarray(theirs, dtype))


SocietyGame = PairGame | WalletGame | TrustGame | PublicGoods

#: Game names the engines accept, and what each builds.
GAME_NAMES = {
    "pd": prisoners_dilemma,
    "prisoners_dilemma": prisoners_dilemma,
    "stag_hunt": stag_hunt,
    "snowdrift": snowdrift,
    "harmony": harmony,
    "lost_wallet": LostWallet,
    "two_wallets": TwoWallets,
    "trust": TrustGame,
    "public_goods": PublicGoods,
}


def society_game(game: Any) -> SocietyGame:
    """Every engine's view of ``game``: a name, an ``axelrod.Game``, a ``LostWallet`` or a game.

    Raises
    ------
    ValueError
        For anything else, naming what is accepted.

    """
    if isinstance(game, str) and game in GAME_NAMES:
        game = GAME_NAMES[game]()
    if isinstance(game, LostWallet):
        return WalletGame(game)
    if isinstance(game, axl.Game):
        return PairGame(game)
    if isinstance(game, SocietyGame):
        return game
    names = ", ".join(repr(n) for n in GAME_NAMES)
    raise ValueError(
        f"unknown game {game!r}: give one of {names}, an axelrod.Game, LostWallet(...), "
        "TrustGame(...) or PublicGoods(...)"
    )
