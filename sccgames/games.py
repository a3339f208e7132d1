"""Stage games: the prisoner's dilemma family and the lost wallet.

Games are ``axelrod.Game`` objects (R, S, T, P), so they work unchanged in axelrod's own
matches and tournaments; each named game is a preset of that one general model. Our agents
read a game as two payoff matrices indexed ``[my action, partner's action]`` (0 = C, 1 = D):
their own material payoff and their partner's (:func:`payoff_matrices`).
"""

from __future__ import annotations

import axelrod as axl
import numpy as np

from sccgames._validation import check_finite, check_nonnegative
from sccgames.decision import Payoffs


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


class LostWallet(axl.Game):
    """The lost wallet [Cohn2019]_: a finder returns (C) or keeps (D) a wallet with money w.

    Returning costs effort e and gives up the money; keeping costs the owner the money and
    the wallet's own worth to them, v. In a two-player match the game is played as two
    simultaneous, independent finds (each player finds the other's wallet), which makes it
    the symmetric game ``R = −e, S = −e − w − v, T = w, P = −v``; every payoff difference a
    finder weighs is that of the one-sided find: keeping gains ``w + e`` and costs the owner
    ``w + v``. It is a prisoner's dilemma whenever ``v > e``.

    Parameters
    ----------
    money : float, default 2.0
        w >= 0, payoff units. Chosen so that keeping the wallet gains about as much as the
        default prisoner's dilemma temptation ``T − R = 2``. Cohn et al.'s "big money"
        wallet held seven times their "money" wallet (US$94.15 against US$13.45).
    effort : float, default 0.25
        e >= 0, the cost of returning it. Chosen small: an e-mail to the owner.
    owner_value : float, default 2.0
        v >= 0, what the wallet (keys, cards, a business card) is worth to its owner beyond
        the money. Chosen equal to the default money.

    """

    def __init__(self, money: float = 2.0, effort: float = 0.25, owner_value: float = 2.0):
        for key, value in {"money": money, "effort": effort, "owner_value": owner_value}.items():
            check_nonnegative(f"LostWallet.{key}", value)
        self.money = money
        self.effort = effort
        self.owner_value = owner_value
        super().__init__(r=-effort, s=-effort - money - owner_value, t=money, p=-owner_value)

    def __repr__(self) -> str:
        return (
            f"LostWallet(money={self.money!r}, effort={self.effort!r}, "
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
    if not isinstance(game, axl.Game):
        raise ValueError(
            "game must be a symmetric 2x2 axelrod.Game (prisoners_dilemma(), stag_hunt(), "
            f"snowdrift(), harmony(), LostWallet() or axelrod.Game(r, s, t, p)), got {game!r}"
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
