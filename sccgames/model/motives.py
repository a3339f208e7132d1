"""The motive math: small, pure, elementwise functions.

Every function here takes Python floats or numpy arrays (broadcast together) and returns the
same, with no Python branching on values (``np.where``, ufuncs), so that one agent inside an
``axelrod.Player`` and a whole population in the society engine run the very same formulas
(``docs/model.md`` §2). Each motive returns its part of the preference for C over D, in payoff
units: ``Δu_k = u_k(C) − u_k(D)``.

Payoff matrices are indexed ``[my action, partner's action]`` with 0 = C and 1 = D: ``own``
holds my material payoff and ``other`` my partner's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import expit

ArrayLike = Any  # a float or a numpy array; kept loose so scalars stay scalars

#: Index of cooperation and defection in payoff matrices.
C_INDEX, D_INDEX = 0, 1


#: Arrays of at least this many values are clipped with ``np.clip`` (see :func:`bounded`).
LARGE = 4096


# --------------------------------------------------------------------------- helpers
def expect(p: ArrayLike, if_c: ArrayLike, if_d: ArrayLike) -> ArrayLike:
    """Expectation over the partner's action: ``p · if_c + (1 − p) · if_d``."""
    return if_d + p * (if_c - if_d)


def bounded(value: ArrayLike, low: ArrayLike, high: ArrayLike) -> ArrayLike:
    """``value`` clipped to ``[low, high]``: ``min(max(value, low), high)``.

    ``np.clip`` on large arrays, where it is one vectorized pass (``np.maximum`` against a
    scalar is not vectorized here: 50 µs against 20 µs for 10⁵ float32 values); two ufuncs
    on scalars and small arrays (a tournament's few hundred players), where ``np.clip``'s
    own overhead is the larger cost. Both give the same values.
    """
    if isinstance(value, np.ndarray) and value.size >= LARGE:
        return np.clip(value, low, high)
    return np.minimum(np.maximum(value, low), high)


def positive_part(value: ArrayLike) -> ArrayLike:
    """``max(value, 0)``, vectorized on large arrays as :func:`bounded` is."""
    if isinstance(value, np.ndarray) and value.size >= LARGE:
        return np.clip(value, 0.0, np.inf)
    return np.maximum(value, 0.0)


def is_number(x: ArrayLike, value: float) -> bool:
    """Whether ``x`` is a plain number (not an array) equal to ``value``.

    The test behind every shortcut that skips a pass over a population when a term is a
    shared number that adds nothing (0) — a zero future, a correction that cannot happen,
    no peer sanction.
    """
    return isinstance(x, float | int) and x == value


def scaled(factor: ArrayLike, value: ArrayLike) -> ArrayLike:
    """``factor · value``, or ``value`` itself when ``factor`` is the Python number 1.

    A product by 1 is exact, so the values are the same; a float array is then not copied,
    which spares a pass over a population whose parameter is shared and 1 (the default
    weights of the motives, an esteem or a gain of 1). Anything else is multiplied. Stricter
    than :func:`is_number`: a numpy float64 1 would make a float32 array float64, so only a
    Python number counts.
    """
    if type(factor) in (float, int) and factor == 1 and _is_float(value):
        return value
    return factor * value


def _is_float(value: ArrayLike) -> bool:
    """A Python float or a float array (which a product by 1 would leave as it is)."""
    return type(value) is float or (isinstance(value, np.ndarray) and value.dtype.kind == "f")


def ewma(value: ArrayLike, rate: ArrayLike, target: ArrayLike) -> ArrayLike:
    """One exponentially weighted step: ``value + rate · (target − value)``."""
    return value + rate * (target - value)


def logistic(x: ArrayLike) -> ArrayLike:
    """The logistic function ``1 / (1 + e^{−x})``, finite for any ``x``.

    ``scipy.special.expit`` everywhere but on float32 arrays, where it is about four times
    slower than numpy's vectorized ``exp`` (0.74 ms against 0.18 ms for 10⁵ values here):
    there ``1 / (1 + e^{−x})`` is computed in float32 (an overflow of ``e^{−x}`` gives
    exactly 0, as it should). The two agree to float32 precision; float64 (one agent, the
    fits) keeps ``expit`` bit for bit.
    """
    if isinstance(x, np.ndarray) and x.dtype == np.float32:
        return logistic_of_negative(np.negative(x), overwrite=True)
    return expit(x)


def logistic_of_negative(z: ArrayLike, *, overwrite: bool = False) -> ArrayLike:
    """``logistic(−z) = 1 / (1 + e^{z})``, the same values as :func:`logistic` of ``−z``.

    For callers that can form ``−x`` at no cost (a negated scalar factor, a subtraction
    written the other way round): a float32 array ``z`` then takes three passes, not four.
    ``overwrite=True`` lets a float32 ``z`` of the caller's own be reused for the result.
    """
    if isinstance(z, np.ndarray) and z.dtype == np.float32:
        # 1 / (1 + e^{z}) in one array, updated in place (no fresh array of 10⁵ values,
        # and its page faults, for every step)
        with np.errstate(over="ignore"):
            e = np.exp(z, out=z if overwrite else None)
        e += 1.0
        return np.reciprocal(e, out=e)
    return expit(-z)


def beta_mean(
    prior_mean: ArrayLike, strength: ArrayLike, successes: ArrayLike, trials: ArrayLike
) -> ArrayLike:
    """Posterior mean of a Beta prior with mean ``prior_mean`` worth ``strength`` draws."""
    return (prior_mean * strength + successes) / (strength + trials)


# --------------------------------------------------------------------------- incentive
def incentive(
    coverage: ArrayLike,
    reward: ArrayLike,
    fine: ArrayLike,
    false_positive: ArrayLike,
    false_negative: ArrayLike,
    score_up: ArrayLike,
    score_down: ArrayLike,
    score_value: ArrayLike,
) -> ArrayLike:
    """Expected extra payoff of C over D under a regime, ``ΔX`` (``docs/model.md`` §2).

    ``ΔX = m · (1 − ε⁺ − ε⁻) · (r + f + λ · (s_C + s_D))``: errors shrink the incentive.
    """
    # the regime's factors first: one pass over a population's coverages when they are shared
    return coverage * (
        (1.0 - false_positive - false_negative)
        * (reward + fine + score_value * (score_up + score_down))
    )


def salience(coverage: ArrayLike, reward: ArrayLike, fine: ArrayLike) -> ArrayLike:
    """How present an incentive is, whatever its accuracy: ``S = m · (r + f)``."""
    return coverage * (reward + fine)


# --------------------------------------------------------------------------- R: rational
def shadow_of_future(delta: ArrayLike, remaining: ArrayLike) -> ArrayLike:
    """Expected number of further rounds with this partner.

    ``δ / (1 − δ)`` under a continuation probability δ, capped by the turns known to remain
    (``remaining`` is ``inf`` when the length is unknown, 0 in a one-shot game).
    """
    future = np.minimum(delta / (1.0 - delta), remaining)
    # scalars stay Python floats, which numpy treats as weak: a float32 population stays float32
    return future if isinstance(future, np.ndarray) else float(future)


def future_weight(horizon: ArrayLike, known_end: ArrayLike) -> ArrayLike:
    """The weight a rational agent puts on the shadow of the future.

    ``horizon`` is 1 (discounted: the future counts, up to the turns known to remain) or 0
    (backward induction); ``known_end`` is 1 where the end is known. Backward induction
    unravels cooperation only when the end is known [Axelrod1984]_: with a known last
    round, defection there is dominant, and so in the round before, and so on back; when
    the relationship ends by chance there is no last round to start from, and the future
    counts as for the discounting agent. So the weight is ``h + (1 − h)(1 − k)``.
    """
    if is_number(known_end, 0.0):
        return 1.0
    if is_number(known_end, 1.0):
        return horizon
    return horizon + (1.0 - horizon) * (1.0 - known_end)


def responsiveness(
    c_then_c: ArrayLike,
    after_c: ArrayLike,
    d_then_c: ArrayLike,
    after_d: ArrayLike,
    prior: ArrayLike,
    strength: ArrayLike,
) -> ArrayLike:
    """Estimated responsiveness ``ρ̂ = P̂(C | my C) − P̂(C | my D)`` of the partner.

    Both conditional frequencies are smoothed toward prior means ``(1 ± ρ₀) / 2`` worth
    ``strength`` observations each (Laplace's rule for ``ρ₀ = 0``, ``strength = 2``).
    """
    after_my_c = beta_mean((1.0 + prior) / 2.0, strength, c_then_c, after_c)
    after_my_d = beta_mean((1.0 - prior) / 2.0, strength, d_then_c, after_d)
    return after_my_c - after_my_d


def trust_prior(trust: ArrayLike, score_trust: ArrayLike, signal: ArrayLike) -> ArrayLike:
    """Prior belief that a partner cooperates, moved by a public score signal in [−1, 1].

    A good score (``signal > 0``) moves generalized trust τ a share ``ζ · signal`` of the way
    to 1; a bad one the same share of the way to 0. ``signal = 0`` (private scores, or no
    regime) leaves τ as it is.
    """
    # signal · room, with room = 1 − τ above 0 and τ below, is s τ + (1 − 2τ) max(s, 0)
    asymmetry = 1.0 - 2.0 * trust
    if is_number(asymmetry, 0.0):
        # τ = ½ shared (the default): the room is ½ either way and the second term is 0,
        # as the number it is, not as a clip and a product over a population
        return trust + score_trust * (signal * trust)
    return trust + score_trust * (signal * trust + asymmetry * positive_part(signal))


def rational_utility(
    p_hat: ArrayLike,
    own: np.ndarray,
    shadow: ArrayLike,
    rho_hat: ArrayLike,
    delta_x: ArrayLike,
) -> ArrayLike:
    """``Δu_R``: expected material gain of C, the shadow of the future, and ``ΔX``.

    ``Δu_R = Σ_b p̂(b) [π(C,b) − π(D,b)] + shadow · ρ̂ · (π(C,C) − π(D,D)) + ΔX``, with
    ``shadow = δ / (1 − δ)``: against tit-for-tat (``p̂ = ρ̂ = 1``) this is
    ``R − T + δ (R − P) / (1 − δ)``, the condition for sustaining cooperation [Axelrod1984]_.
    """
    myopic = expect(
        p_hat,
        own[C_INDEX][C_INDEX] - own[D_INDEX][C_INDEX],
        own[C_INDEX][D_INDEX] - own[D_INDEX][D_INDEX],
    )
    future = shadow * rho_hat * (own[C_INDEX][C_INDEX] - own[D_INDEX][D_INDEX])
    if is_number(future, 0.0):  # no future (strangers): a pass fewer
        return myopic + delta_x
    return myopic + future + delta_x


def score_future(delta: ArrayLike, persistence: ArrayLike) -> ArrayLike:
    """Discounted periods a score point gained now counts for: ``δ / (1 − δ q)``.

    A point earned this period is in the score from the next period on, and a share
    ``q = 1 − d`` of it survives each period's forgiveness ``d`` (``SocialCredit.score_decay``);
    play goes on with probability δ. So the point counts ``Σ_{t≥1} δ^t q^{t−1}``.
    """
    return delta / (1.0 - delta * persistence)


def score_worth(
    signal_slope: ArrayLike,
    status_price: ArrayLike,
    status_exclusion: ArrayLike,
    score_trust: ArrayLike,
    responsiveness: ArrayLike,
    prior_share: ArrayLike,
    own: np.ndarray,
) -> ArrayLike:
    """What one more score point buys in one later period, from the regime's consequences.

    The material channels a regime attaches to a score (``docs/model.md`` §2, "The
    reputation-aware rival"), each linearized at the starting score:

    - **partners' trust**: a public score moves a partner's prior that I cooperate by
      ``ζ/2`` per unit of signal (:func:`trust_prior`, averaged over the two sides of the
      start), a unit of signal is ``signal_slope`` points, the prior carries a share
      ``prior_share`` of the partner's belief, and partners' cooperation follows what they
      expect of me as it follows what I did, by ρ₀; each unit of partners' cooperation is
      worth ``G = ½ [(π(C,C) − π(C,D)) + (π(D,C) − π(D,D))]``, averaged over my two acts;
    - **status**: ``status_price``, the blacklist's cost and the red list's bonus per
      period spread over the points between the start and each threshold;
    - **exclusion**: ``status_exclusion``, the share of interactions a point nearer the
      blacklist loses, each worth the mean of the four payoffs of the game.

    Partners' trust is the channel of indirect reciprocity [NowakSigmund1998]_: a good
    name is worth the cooperation it draws (:func:`trust_worth`).
    """
    cc, cd = own[C_INDEX][C_INDEX], own[C_INDEX][D_INDEX]
    dc, dd = own[D_INDEX][C_INDEX], own[D_INDEX][D_INDEX]
    interaction = 0.25 * (cc + cd + dc + dd)
    trust = trust_worth(signal_slope, score_trust, responsiveness, prior_share, own)
    return status_price + status_exclusion * interaction + trust


def trust_worth(
    signal: ArrayLike,
    score_trust: ArrayLike,
    responsiveness: ArrayLike,
    prior_share: ArrayLike,
    own: np.ndarray,
) -> ArrayLike:
    """What a rise of ``signal`` in the public signal partners see of me buys in a period.

    A partner's prior that I cooperate moves by ``ζ/2`` per unit of signal
    (:func:`trust_prior`, averaged over the two sides of 0), the prior carries a share
    ``prior_share`` of its belief, its cooperation follows what it expects of me by ρ₀ (as
    it follows what I did), and each unit of its cooperation is worth
    ``G = ½ [(π(C,C) − π(C,D)) + (π(D,C) − π(D,D))]``, averaged over my two acts. Used for
    a score point (``signal`` = the signal per point) and for a community's standing
    (``signal`` = the swing an act makes in it, ``Context.standing_stake``).
    """
    cc, cd = own[C_INDEX][C_INDEX], own[C_INDEX][D_INDEX]
    dc, dd = own[D_INDEX][C_INDEX], own[D_INDEX][D_INDEX]
    gain = 0.5 * ((cc - cd) + (dc - dd))
    return signal * (0.5 * score_trust) * prior_share * responsiveness * gain


def prior_share(prior_strength: ArrayLike, forgetting: ArrayLike) -> ArrayLike:
    """The share of a belief about a stranger its prior carries once experience has settled.

    Generalized trust rests on about ``1 / φ`` earlier partners (``RationalParams.forgetting``),
    so the prior worth k draws is ``k / (k + 1/φ) = k φ / (k φ + 1)`` of it (0 when nothing
    is ever forgotten: experience then outweighs any prior).
    """
    weight = prior_strength * forgetting
    return weight / (weight + 1.0)


# --------------------------------------------------------------------------- H: habit
def habit_update(habit: ArrayLike, rate: ArrayLike, cooperated: ArrayLike) -> ArrayLike:
    """Value-free habit learning: ``h ← h + α_H (1[a = C] − h)`` [MillerShenhavLudvig2019]_."""
    return ewma(habit, rate, cooperated)


def habit_strength(weight: ArrayLike, habit: ArrayLike) -> ArrayLike:
    """How strongly a habit has formed: ``θ = w_H · |2h − 1|``.

    Computed as ``(2 w_H) · |h − ½|``, the same numbers (doubling is exact in binary floating
    point, so each side is the same real number rounded once) in a pass fewer over a
    population whose weight is shared.
    """
    return (2.0 * weight) * np.abs(habit - 0.5)


# --------------------------------------------------------------------------- M: moral norm
def conditionality(
    compliance: ArrayLike, weight: ArrayLike, threshold: ArrayLike, width: ArrayLike
) -> ArrayLike:
    """Bicchieri's conditional norm following [Bicchieri2006]_.

    ``c(ē) = (1 − k) + k · logistic((ē − t) / width)``: a share ``1 − k`` of the norm is
    unconditional; the rest holds only when the perceived compliance ē exceeds t.
    """
    return (1.0 - weight) + weight * logistic_of_negative((threshold - compliance) / width)


def framed_norm(
    norm: ArrayLike, framing: ArrayLike, salience_: ArrayLike, half: ArrayLike
) -> ArrayLike:
    """Framing, "a fine is a price" [GneezyRustichini2000]_: ``n_eff = n (1 − κ S / (S + S½))``."""
    return norm * (1.0 - framing * salience_ / (salience_ + half))


def expected_harm(p_hat: ArrayLike, other: np.ndarray) -> ArrayLike:
    """What defecting costs the partner: ``E[harm] = Σ_b p̂(b) [π_j(C,b) − π_j(D,b)]``."""
    return expect(
        p_hat,
        other[C_INDEX][C_INDEX] - other[D_INDEX][C_INDEX],
        other[C_INDEX][D_INDEX] - other[D_INDEX][D_INDEX],
    )


def moral_utility(
    effective_norm: ArrayLike, condition: ArrayLike, harm_weight: ArrayLike, harm: ArrayLike
) -> ArrayLike:
    """``Δu_M = n_eff · c(ē) · (1 + μ · E[harm])``.

    The harm term makes a violation weigh more the more it costs the other side, which is
    why more wallets come back when they hold more money [Cohn2019]_. A negative expected
    harm (C hurting the partner) is taken as zero, so that no norm ever favours harm.
    """
    return effective_norm * condition * (1.0 + harm_weight * positive_part(harm))


def norm_update(
    norm: ArrayLike,
    baseline: ArrayLike,
    maximum: ArrayLike,
    rate: ArrayLike,
    salience_: ArrayLike,
    legitimacy: ArrayLike,
    legitimacy_threshold: ArrayLike,
    recovery: ArrayLike,
) -> ArrayLike:
    """Internalization and crowding [FreyJegen2001]_ [BowlesPolaniaReyes2012]_.

    ``n ← clip(n + η_M S (L − L*) n_max + ψ (n₀ − n) 1[S = 0], 0, n_max)``: a regime read
    as legitimate builds the norm, one read as unfair erodes it; with ψ small, removing the
    incentive does not bring the norm back (hysteresis).
    """
    change = (rate * maximum) * salience_ * (legitimacy - legitimacy_threshold)
    relax = recovery * (baseline - norm) * (salience_ == 0)  # the float first keeps its dtype
    return bounded(norm + change + relax, 0.0, maximum)


# --------------------------------------------------------------------------- E: emotion
def inequity_gaps(own_payoff: ArrayLike, other_payoff: ArrayLike) -> tuple[ArrayLike, ArrayLike]:
    """Inequality behind and ahead: ``max(π_j − π_i, 0)``, ``max(π_i − π_j, 0)``.

    Written with ``abs`` (``max(x, 0) = (x + |x|) / 2``) so that shared scalar payoffs stay
    cheap Python arithmetic while arrays work elementwise.
    """
    gap = other_payoff - own_payoff
    size = abs(gap)
    return (size + gap) / 2.0, (size - gap) / 2.0


def inequity_utility(
    own_payoff: ArrayLike,
    other_payoff: ArrayLike,
    sympathy: ArrayLike,
    anger: ArrayLike,
    envy: ArrayLike,
    guilt: ArrayLike,
) -> ArrayLike:
    """Social-preference part of one outcome [FehrSchmidt1999]_.

    ``F = (σ − A) π_j − α max(π_j − π_i, 0) − β max(π_i − π_j, 0)``; anger above σ turns
    sympathy into spite.
    """
    behind, ahead = inequity_gaps(own_payoff, other_payoff)
    return (sympathy - anger) * other_payoff - envy * behind - guilt * ahead


def emotion_utility(
    p_hat: ArrayLike,
    own: np.ndarray,
    other: np.ndarray,
    sympathy: ArrayLike,
    anger: ArrayLike,
    envy: ArrayLike,
    guilt: ArrayLike,
    warm_glow: ArrayLike,
) -> ArrayLike:
    """``Δu_E = Σ_b p̂(b) [F(C,b) − F(D,b)] + g``, with warm glow g [Andreoni1990]_.

    F is linear in its weights, so the expectations are taken of the payoff gaps and of the
    inequity they cause, ``(σ − A) E[Δπ_j] + E[−α Δ behind − β Δ ahead]``; both are affine
    in p̂, so the whole is written as its value at p̂ = 0 plus p̂ times a slope (two passes
    over a population when the game and the weights are shared).
    """

    def gaps(b: int) -> tuple[ArrayLike, ArrayLike, ArrayLike]:
        behind_c, ahead_c = inequity_gaps(own[C_INDEX][b], other[C_INDEX][b])
        behind_d, ahead_d = inequity_gaps(own[D_INDEX][b], other[D_INDEX][b])
        return other[C_INDEX][b] - other[D_INDEX][b], behind_c - behind_d, ahead_c - ahead_d

    (kind_c, behind_c, ahead_c), (kind_d, behind_d, ahead_d) = gaps(C_INDEX), gaps(D_INDEX)
    feeling = sympathy - anger
    # the expectation is affine in p̂, its value at p̂ = 0 plus p̂ times a slope, with the
    # weights in the coefficients: numbers when they are shared, leaving two passes
    at_d = feeling * kind_d - envy * behind_d - guilt * ahead_d + warm_glow
    slope = feeling * (kind_c - kind_d) - envy * (behind_c - behind_d) - guilt * (ahead_c - ahead_d)
    return at_d + slope * p_hat


def decay_update(level: ArrayLike, decay: ArrayLike, gain: ArrayLike, event: ArrayLike):
    """Anger or resentment: ``x ← (1 − λ) x + γ · 1[event]``."""
    return (1.0 - decay) * level + scaled(gain, event)


# --------------------------------------------------------------------------- S: sociality
def image_value(delta_x: ArrayLike, half: ArrayLike) -> ArrayLike:
    """Image crowding-out [BenabouTirole2006]_: ``I(ΔX) = 1 / (1 + max(ΔX, 0) / X½)``."""
    return 1.0 / (1.0 + positive_part(delta_x) / half)


def social_utility(
    esteem: ArrayLike,
    visibility: ArrayLike,
    image: ArrayLike,
    conformity: ArrayLike,
    compliance: ArrayLike,
    belonging: ArrayLike,
    in_group: ArrayLike,
) -> ArrayLike:
    """``Δu_S = ν v I(ΔX) + χ (2ē − 1) + ι 1[partner in my group]`` [BowlesGintis2011]_."""
    # χ (2ē − 1) + ι g as 2χ ē − (χ − ι g): one pass over ē when χ, ι and g are numbers
    return scaled(esteem, visibility) * image + (
        scaled(2.0 * conformity, compliance) - (conformity - belonging * in_group)
    )


# --------------------------------------------------------------------------- legitimacy
def legitimacy_update(
    legitimacy: ArrayLike,
    *,
    unjust: ArrayLike,
    impunity: ArrayLike,
    fair_reward: ArrayLike,
    resentment: ArrayLike,
    unjust_rate: ArrayLike,
    impunity_rate: ArrayLike,
    reward_rate: ArrayLike,
    resentment_rate: ArrayLike,
) -> ArrayLike:
    """One period of legitimacy L, the agent's reading of the regime (``docs/model.md`` §2).

    An unjust sanction costs ``φ⁺ L`` times ``unjust``, what is left of it after appeals
    (:func:`unjust_weight`), a violation seen to go unpunished ``φ⁻ L``, a fair reward adds
    ``φ_r (1 − L)``, and resentment Q pulls L down by ``φ_Q · Q · L``.
    """
    new = legitimacy * (1.0 - unjust_rate * unjust)
    new = new * (1.0 - impunity_rate * impunity)
    new = new + reward_rate * (1.0 - new) * fair_reward
    new = new * (1.0 - resentment_rate * resentment)
    return bounded(new, 0.0, 1.0)


def story_told(story: ArrayLike, own: ArrayLike, forgetting: ArrayLike) -> ArrayLike:
    """What a citizen tells this period: its fading story plus what just happened to it.

    ``T = clip((1 − φ_m) · s + e, −1, 1)``: the story ``s`` it carried, faded by the share
    ``φ_m`` forgotten per period, and its own news ``e`` (``+1`` a fair reward, ``−1`` an
    unjust sanction or a violation seen to go unpunished). A story is at most as good or as
    bad as one's own reward or sanction.
    """
    return bounded((1.0 - forgetting) * story + own, -1.0, 1.0)


def word_of_mouth(
    legitimacy: ArrayLike, heard: ArrayLike, *, weight: ArrayLike, negativity: ArrayLike
) -> ArrayLike:
    """Legitimacy L after hearing a story of valence ``heard`` in [−1, 1].

    ``L ← clip(L − ω (λ · bad · L − good · (1 − L)), 0, 1)`` with ``bad = max(−heard, 0)``
    and ``good = max(heard, 0)``: bad news pulls L toward 0 and good news toward 1, each in
    proportion to what is heard, weighted by ``ω`` (0: nobody listens); a DeGroot step
    toward the teller's reading [DeGroot1974]_, bad news weighing ``λ`` times as much as
    good [Baumeister2001]_. ``heard`` is the story told already weighted by the hearer's
    credence in the teller (:func:`story_told`).
    """
    bad = np.maximum(-heard, 0.0)
    good = np.maximum(heard, 0.0)
    return bounded(
        legitimacy - weight * (negativity * bad * legitimacy - good * (1.0 - legitimacy)), 0.0, 1.0
    )


def unjust_weight(unjust_sanction: ArrayLike, corrected: ArrayLike, restore: ArrayLike):
    """What is left of an unjust sanction once an appeal undid a share ``restore`` of it."""
    if is_number(corrected, 0.0):  # nothing was corrected
        return unjust_sanction
    return unjust_sanction * (1.0 - restore * corrected)


# --------------------------------------------------------------------------- decision
def choice_probability(
    beta: ArrayLike, deliberative_utility: ArrayLike, habit_weight: ArrayLike, habit: ArrayLike
) -> ArrayLike:
    """``P(C) = θ h + (1 − θ) logistic(β · Σ_k w_k Δu_k)``.

    Deliberation is a logit (quantal) response [McKelveyPalfrey1995]_; habit enters through
    arbitration, not utility [MillerShenhavLudvig2019]_. ``expit`` keeps it finite for any
    β ≥ 0 and finite utility (an overflow to ±inf gives 1 or 0). ``β = 0`` gives 1/2.
    """
    theta = habit_strength(habit_weight, habit)
    deliberate = logistic_of_negative(-beta * deliberative_utility)  # (−β: no pass when a number)
    return deliberate + theta * (habit - deliberate)  # θ h + (1 − θ) L, a pass fewer
