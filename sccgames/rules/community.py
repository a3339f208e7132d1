"""Bottom-up reputation: a community whose members watch and judge each other.

The regime of indirect reciprocity (``docs/model.md`` §3): peers observe an act with
probability v (its visibility) and give the actor a good or bad reputation by a named
assessment norm [NowakSigmund1998]_ [OhtsukiIwasa2004]_. Reputations are public within the
community, as gossip makes them in a dense network of civic ties [Putnam2000]_, and they
feed the evolved sociality of the decision rule (``docs/model.md`` §2, S): an act peers may see
is worth esteem [BowlesGintis2011]_. No one is paid or fined, so the context this regime
gives an agent holds no monetary incentive; it shows the partner's reputation and how
visible the act is. Like :class:`~sccgames.rules.regimes.SocialCredit`, every method is pure and
vectorized and draws its noise from uniforms the environment owns.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import numpy as np

from sccgames._validation import check_integer, check_probability, population_arrays
from sccgames.model.decision import Context

#: Uniform draws :meth:`CommunityReputation.update` uses per act (observation, error); fixed
#: so that random streams stay aligned whatever the parameters.
DRAWS_PER_ACT = 2


class Assessment(enum.Enum):
    """A second-order assessment norm: a reputation from the act and the recipient's.

    The actor's new reputation, by its act (C or D) and the recipient's reputation:

    ===============  ==========  ==========  ==========  ==========
    act → recipient  C → good    D → good    C → bad     D → bad
    ===============  ==========  ==========  ==========  ==========
    image scoring    good        bad         good        bad
    standing         good        bad         good        good
    stern judging    good        bad         bad         good
    ===============  ==========  ==========  ==========  ==========

    Image scoring looks at the act alone [NowakSigmund1998]_. Standing excuses a justified
    defection (against a bad recipient), and stern judging also condemns helping a bad
    one; both are among the "leading eight" norms that keep cooperation stable
    [OhtsukiIwasa2004]_. A member may be given by value or name, case-insensitively, with
    spaces or hyphens for underscores (``Assessment("Stern judging")``).
    """

    IMAGE_SCORING = "image_scoring"
    STANDING = "standing"
    STERN_JUDGING = "stern_judging"

    @classmethod
    def _missing_(cls, value: object) -> Assessment:
        if isinstance(value, str):
            key = value.strip().lower().replace(" ", "_").replace("-", "_")
            for member in cls:
                if member.value == key:
                    return member
        allowed = ", ".join(repr(member.value) for member in cls)
        raise ValueError(
            f"unknown assessment norm {value!r}; choose one of {allowed} "
            "(case-insensitive, spaces allowed)"
        )

    @property
    def table(self) -> np.ndarray:
        """The norm as a read-only bool array indexed ``[cooperated, recipient_good]``."""
        return _TABLES[self]


def _table(c_to_good: bool, d_to_good: bool, c_to_bad: bool, d_to_bad: bool) -> np.ndarray:
    table = np.array([[d_to_bad, d_to_good], [c_to_bad, c_to_good]], dtype=bool)
    table.setflags(write=False)
    return table


_TABLES: dict[Assessment, np.ndarray] = {
    Assessment.IMAGE_SCORING: _table(True, False, True, False),
    Assessment.STANDING: _table(True, False, True, True),
    Assessment.STERN_JUDGING: _table(True, False, False, True),
}


def assess(norm: Assessment | str, cooperated: Any, recipient_good: Any) -> np.ndarray:
    """The reputation (good = ``True``) a norm gives actors for their acts.

    Elementwise, by looking the pairs up in the norm's table (no branching on values).

    Parameters
    ----------
    norm : Assessment or str
        The assessment norm.
    cooperated : bool or array of bool
        Whether each actor played C (as peers saw it).
    recipient_good : bool or array of bool
        Whether each recipient had a good reputation (broadcast against ``cooperated``).

    Returns
    -------
    numpy.ndarray of bool
        The actors' new reputations.

    """
    act = np.asarray(cooperated, dtype=bool).astype(np.intp)
    recipient = np.asarray(recipient_good, dtype=bool).astype(np.intp)
    return Assessment(norm).table[act, recipient]


@dataclass(frozen=True)
class CommunityReputation:
    """A community that watches its members and keeps a public good/bad reputation.

    Each period, peers observe an actor's act with probability ``visibility``; an observed
    act is misperceived (C taken for D or D for C) with probability ``error`` and judged by
    the assessment ``norm`` against the recipient's reputation at the start of the period.
    An unobserved act, or an actor without a partner, leaves a reputation as it was.

    Parameters
    ----------
    norm : Assessment or str, default Assessment.STANDING
        The assessment norm (a member, or its name as a string). Chosen so that the default
        is one of the leading eight norms that sustain indirect reciprocity: all of them
        judge a justified defection (D to a bad recipient) good, as standing does, while
        image scoring does not [OhtsukiIwasa2004]_.
    visibility : float, default 0.5
        v in [0, 1], the probability peers observe an act. Chosen so that peers see as many
        acts as the default :class:`~sccgames.rules.regimes.SocialCredit` (coverage 0.5) does: the
        bottom-up and top-down regimes compare on equal observation.
    error : float, default 0.0
        Probability in [0, 1] that an observed act is misperceived before it is judged.
        Under image scoring and stern judging this always reverses the judgement; under
        standing it only matters for acts toward good recipients. Chosen as error-free
        observation, the setting of [NowakSigmund1998]_; raise it to study noisy gossip.
    initial_good : float, default 1.0
        Share in [0, 1] of agents who start with a good reputation (the probability each
        does). Chosen so that everyone starts with a clean slate, as all image scores start
        at 0 in [NowakSigmund1998]_.

    """

    norm: Assessment | str = Assessment.STANDING
    visibility: float = 0.5
    error: float = 0.0
    initial_good: float = 1.0

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "norm", Assessment(self.norm))
        except ValueError as exc:
            raise ValueError(f"CommunityReputation.norm: {exc}") from None
        # (per-agent arrays are allowed here: tests/rules/test_community.py)
        with population_arrays():
            for name in ("visibility", "error", "initial_good"):
                check_probability(f"CommunityReputation.{name}", getattr(self, name))

    def initial_reputation(self, n: int, rng: np.random.Generator | np.ndarray) -> np.ndarray:
        """Starting reputations (good = ``True``) of ``n`` agents.

        ``rng`` is the environment's stream to draw ``n`` uniforms from, or those uniforms
        (shape ``(n,)``); an agent starts good when its uniform is below ``initial_good``.
        """
        check_integer("n", n)
        draws = rng.random(n) if isinstance(rng, np.random.Generator) else np.asarray(rng)
        if draws.shape != (n,):
            raise ValueError(
                f"CommunityReputation.initial_reputation needs {n} uniforms, got shape "
                f"{draws.shape}"
            )
        return draws < self.initial_good

    def signal(self, good: Any) -> Any:
        """A reputation as a partner signal: +1.0 if good, −1.0 if bad (elementwise).

        ``good`` may also be the share of good reputations among several partners; the
        signal is then their mean, ``2 share − 1``. One agent's signal is a Python float.
        """
        if np.ndim(good) == 0:
            return 2.0 * float(good) - 1.0
        good = np.asarray(good)
        if good.dtype == bool:
            return np.where(good, 1.0, -1.0)
        return 2.0 * good - 1.0

    def context_for(
        self,
        coverage: Any,
        partner_good: Any,
        *,
        remaining: Any,
        in_group: Any,
        domain: str = "",
    ) -> Context:
        """The context of acts (elementwise: arrays for a population).

        Coverage belongs to a top-down regime: the community records nothing and pays
        nothing, so the context has coverage 0 (shaped like ``coverage``), no reward, fine
        or score steps. It watches through peers instead: the act's visibility is v, and
        the partner's reputation shows as a signal of ±1 (``partner_good`` may also be the
        share of good reputations among a group's other members: their mean signal). Every
        engine reaches it through :meth:`sccgames.rules.institutions.Combined.context_for`.
        What a C is worth over a D to one's own standing, for a reputation-aware agent, is
        :meth:`standing_stake`, lasting ``1 − v`` of periods (``standing_persistence``).
        """
        return Context(
            domain=domain,
            coverage=0.0 * coverage,
            visibility=self.visibility,
            partner_signal=self.signal(partner_good),
            in_group=in_group,
            remaining=remaining,
            standing_stake=self.standing_stake(partner_good),
            standing_persistence=1.0 - self.visibility,
        )

    def standing_stake(self, partner_good: Any) -> Any:
        """How much higher the signal of my reputation is, expected, after a C than a D.

        Peers see the act with probability v and misjudge it with probability e; the norm
        gives the act a reputation against the recipient's (a good recipient: every norm
        makes C good and D bad; a bad one: image scoring still does, standing judges both
        good, stern judging the reverse). The signal of a reputation swings by 2 between
        bad and good, so the stake is ``2 v (1 − 2e) j`` with ``j`` the norm's verdict on C
        minus that on D, averaged over the share of good recipients ``partner_good``.
        """
        table = Assessment(self.norm).table.astype(float)  # [cooperated, recipient_good]
        to_good, to_bad = table[1, 1] - table[0, 1], table[1, 0] - table[0, 0]
        good = np.asarray(partner_good, dtype=float) if np.ndim(partner_good) else float(
            partner_good
        )
        verdict = to_bad + (to_good - to_bad) * good
        return 2.0 * self.visibility * (1.0 - 2.0 * self.error) * verdict

    def update(
        self,
        good: Any,
        cooperated: Any,
        partner: Any,
        draws: np.ndarray | np.random.Generator,
    ) -> np.ndarray:
        """Reputations after one period (vectorized; no loop over agents).

        Parameters
        ----------
        good : array of bool, shape (n,)
            Reputations at the start of the period.
        cooperated : array of bool, shape (n,)
            Each actor's act as played (after noise).
        partner : array of int, shape (n,)
            The index of each actor's recipient, or −1 if it had none this period.
        draws : array of shape (2, n), or numpy.random.Generator
            Uniforms in [0, 1) for observation and error of each act, or the environment's
            stream to draw exactly those ``2 n`` from.

        Returns
        -------
        numpy.ndarray of bool, shape (n,)
            The reputations after the period.

        Raises
        ------
        ValueError
            If the shapes disagree or a partner index is out of range.

        """
        good = np.asarray(good, dtype=bool)
        n = good.size
        cooperated = np.asarray(cooperated, dtype=bool)
        partner = np.asarray(partner)
        if isinstance(draws, np.random.Generator):
            draws = draws.random((DRAWS_PER_ACT, n))
        draws = np.asarray(draws)
        if good.shape != (n,) or cooperated.shape != (n,) or partner.shape != (n,):
            raise ValueError(
                "CommunityReputation.update needs good, cooperated and partner of one shape "
                f"(n,), got {good.shape}, {cooperated.shape} and {partner.shape}"
            )
        if draws.shape != (DRAWS_PER_ACT, n):
            raise ValueError(
                f"CommunityReputation.update needs draws of shape ({DRAWS_PER_ACT}, {n}), "
                f"got {draws.shape}"
            )
        integer = partner.size == 0 or np.issubdtype(partner.dtype, np.integer)
        if not integer or ((partner < -1) | (partner >= n)).any():
            raise ValueError(
                f"CommunityReputation.update needs integer partner indices in [-1, {n - 1}] "
                f"(-1: no partner), got {partner!r}"
            )
        partner = partner.astype(np.intp)
        matched = partner >= 0
        observed = matched & (draws[0] < self.visibility)
        seen_c = cooperated ^ (draws[1] < self.error)
        recipient_good = good[np.where(matched, partner, 0)]
        return np.where(observed, assess(self.norm, seen_c, recipient_good), good)
