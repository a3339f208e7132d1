import pickle

import axelrod as axl
import numpy as np
import pytest

from sccgames.games import (
    LostWallet,
    harmony,
    payoff_matrices,
    prisoners_dilemma,
    snowdrift,
    stag_hunt,
)


def test_presets_are_axelrod_games_with_their_orderings():
    assert prisoners_dilemma().RPST() == (3, 1, 0, 5)
    r, p, s, t = stag_hunt().RPST()
    assert r > t >= p > s
    r, p, s, t = snowdrift().RPST()
    assert t > r > s > p
    r, p, s, t = harmony().RPST()
    assert r > t and s > p
    for make in (prisoners_dilemma, stag_hunt, snowdrift, harmony):
        assert isinstance(make(), axl.Game)


@pytest.mark.parametrize(
    ("make", "ordering"),
    [
        (lambda: prisoners_dilemma(r=6), "T > R > P > S"),
        (lambda: stag_hunt(t=5), "R > T >= P > S"),
        (lambda: snowdrift(p=2), "T > R > S > P"),
        (lambda: harmony(t=9), "R > T and S > P"),
    ],
)
def test_wrong_ordering_is_a_clear_error(make, ordering):
    with pytest.raises(ValueError, match=ordering):
        make()


def test_non_finite_payoff_is_a_clear_error():
    with pytest.raises(ValueError, match="prisoners_dilemma.r"):
        prisoners_dilemma(r=float("nan"))


def test_lost_wallet_payoff_differences():
    wallet = LostWallet(money=10.0, effort=1.0, owner_value=3.0)
    own, other = payoff_matrices(wallet)
    # whatever the owner does, keeping gains w + e for the finder ...
    np.testing.assert_allclose(own[1] - own[0], [11.0, 11.0])
    # ... and costs the owner w + v
    np.testing.assert_allclose(other[0] - other[1], [13.0, 13.0])
    assert wallet.RPST() == (-1.0, -3.0, -14.0, 10.0)
    assert "money=10.0" in repr(wallet)
    assert pickle.loads(pickle.dumps(wallet)) == wallet


def test_lost_wallet_rejects_negative_money():
    with pytest.raises(ValueError, match=r"LostWallet.money must be in \[0, inf\), got -1"):
        LostWallet(money=-1)


def test_payoff_matrices_default_and_errors():
    own, other = payoff_matrices()
    np.testing.assert_array_equal(own, [[3, 0], [5, 1]])
    np.testing.assert_array_equal(other, own.T)
    with pytest.raises(ValueError, match="symmetric 2x2 axelrod.Game"):
        payoff_matrices("pd")
