import pickle

import axelrod as axl
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sccgames.rules.games import (
    GAME_NAMES,
    LostWallet,
    PairGame,
    PublicGoods,
    TrustGame,
    TwoWallets,
    WalletGame,
    harmony,
    payoff_matrices,
    payoff_tuples,
    prisoners_dilemma,
    snowdrift,
    society_game,
    stag_hunt,
)


def pair_material(game, acts):
    """Material payoffs of pairs' acts ``(pairs, 2)``: side 0 plays role 0, side 1 role 1."""
    acts = np.asarray(acts, bool)
    return game.material(acts, acts[:, ::-1], np.array([0, 1]))


def group_material(game, acts):
    """Material payoffs of groups' acts ``(groups, k)``: each member with its others' share."""
    acts = np.asarray(acts, bool)
    k = acts.shape[1]
    others = (acts.sum(axis=1, keepdims=True) - acts) / (k - 1)
    return game.material(acts, others)


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


def test_lost_wallet_is_one_finder_and_one_owner():
    wallet = LostWallet(money=10.0, effort=1.0, owner_value=3.0)
    # (finder, owner): return (−e, 0), keep (w, −(w + v)), whatever the owner "plays"
    for owner in (axl.Action.C, axl.Action.D):
        assert wallet.score((axl.Action.C, owner)) == (-1.0, 0.0)
        assert wallet.score((axl.Action.D, owner)) == (10.0, -13.0)
    assert WalletGame(wallet).movers == (True, False)
    assert "money=10.0" in repr(wallet)
    assert pickle.loads(pickle.dumps(wallet)) == wallet
    assert wallet != LostWallet(money=9.0)
    with pytest.raises(ValueError, match="finder and an owner"):
        payoff_matrices(wallet)


def test_two_wallets_is_the_symmetric_two_finds_game():
    two = TwoWallets(money=10.0, effort=1.0, owner_value=3.0)
    own, other = payoff_matrices(two)
    # whatever the other finder does, keeping gains w + e ...
    np.testing.assert_allclose(own[1] - own[0], [11.0, 11.0])
    # ... and costs the other as owner w + v
    np.testing.assert_allclose(other[0] - other[1], [13.0, 13.0])
    assert two.RPST() == (-1.0, -3.0, -14.0, 10.0)
    assert type(society_game("two_wallets")) is PairGame


def test_lost_wallet_rejects_negative_money():
    with pytest.raises(ValueError, match=r"LostWallet.money must be in \[0, inf\), got -1"):
        LostWallet(money=-1)


def test_payoff_matrices_default_and_errors():
    own, other = payoff_matrices()
    np.testing.assert_array_equal(own, [[3, 0], [5, 1]])
    np.testing.assert_array_equal(other, own.T)
    with pytest.raises(ValueError, match="symmetric 2x2 axelrod.Game"):
        payoff_matrices("pd")


# --------------------------------------------------------------------------- society games

C, D = True, False  # acts arrays: True is cooperate (C), False defect (D)
PAIRS = np.array([[C, C], [C, D], [D, C], [D, D]])


def test_pair_game_motive_payoffs_ignore_role():
    game = PairGame(snowdrift())
    assert game.group_size == 2
    expected = payoff_tuples(snowdrift())
    for role in (None, np.array([0, 1, 0]), np.array([1, 1])):
        assert game.motive_payoffs(role) == expected
    own, other = game.motive_payoffs(None)
    assert own == ((3.0, 1.0), (5.0, 0.0))  # R, S / T, P
    assert other == ((3.0, 5.0), (1.0, 0.0))


def test_pair_game_material_by_hand():
    material = pair_material(PairGame(prisoners_dilemma()), PAIRS)
    np.testing.assert_array_equal(material, [[3, 3], [0, 5], [5, 0], [1, 1]])
    stag = pair_material(PairGame(stag_hunt(r=4, s=0, t=3, p=1)), PAIRS[::-1])
    np.testing.assert_array_equal(stag, [[1, 1], [3, 0], [0, 3], [4, 4]])


def test_wallet_game_motive_payoffs_are_the_one_sided_find():
    wallet = LostWallet(money=10.0, effort=1.0, owner_value=3.0)
    own, other = WalletGame(wallet).motive_payoffs(np.array([0, 1]))
    own = np.array(own, float)
    other = np.array(other, float)
    # the finder (entries [..., 0]): returning costs the effort, keeping gains the money
    np.testing.assert_array_equal(own[:, :, 0], [[-1.0, -1.0], [10.0, 10.0]])
    # the owner is passive: nothing lost if returned, money and worth lost if kept
    np.testing.assert_array_equal(other[:, :, 0], [[0.0, 0.0], [-13.0, -13.0]])
    # the owner (entries [..., 1]) sees the same find from the other side: its own act
    # changes nothing, the finder's keep costs it w + v
    np.testing.assert_array_equal(own[:, :, 1], [[0.0, -13.0], [0.0, -13.0]])
    np.testing.assert_array_equal(other[:, :, 1], [[-1.0, 10.0], [-1.0, 10.0]])
    # material payoffs are the same find, whatever the owner's act
    np.testing.assert_array_equal(
        pair_material(WalletGame(wallet), PAIRS), [[-1, 0], [-1, 0], [10, -13], [10, -13]]
    )


def test_trust_game_table_by_hand():
    """No send (E, E); send and return (m E r, E + m E (1 − r)); send and keep (0, E + m E)."""
    game = TrustGame(endowment=2.0, multiplier=3.0, returned=0.25)
    table = game.table()
    assert table.shape == (2, 2, 2)
    np.testing.assert_allclose(table[0, 0], [1.5, 6.5])  # 3·2·0.25, 2 + 6·0.75
    np.testing.assert_allclose(table[0, 1], [0.0, 8.0])  # 0, 2 + 6
    np.testing.assert_allclose(table[1, 0], [2.0, 2.0])
    np.testing.assert_allclose(table[1, 1], [2.0, 2.0])
    default = TrustGame().table()
    np.testing.assert_allclose(default[0, 0], [1.5, 2.5])
    np.testing.assert_allclose(default[0, 1], [0.0, 4.0])
    # the trustee's temptation, keeping rather than returning, is m E r = 1.5
    assert default[0, 1, 1] - default[0, 0, 1] == pytest.approx(1.5)


def test_trust_game_material_by_hand():
    game = TrustGame(endowment=2.0, multiplier=3.0, returned=0.25)
    # (trustor, trustee) acts: send & return, send & keep, keep & (would) return, keep & keep
    material = pair_material(game, PAIRS)
    np.testing.assert_allclose(material, [[1.5, 6.5], [0.0, 8.0], [2.0, 2.0], [2.0, 2.0]])
    # sending creates (m − 1) E, whatever the trustee does
    np.testing.assert_allclose(material.sum(axis=1), [8.0, 8.0, 4.0, 4.0])


def test_trust_game_motive_payoffs_per_role():
    game = TrustGame(endowment=2.0, multiplier=3.0, returned=0.25)
    role = np.array([0, 1, 1, 0])
    own, other = game.motive_payoffs(role)
    trustor, trustee = 0, 1

    def entry(matrix, a, b, who):
        value = np.asarray(matrix[a][b])
        assert value.shape == (4,)
        np.testing.assert_allclose(value[role == 0], value[0])
        np.testing.assert_allclose(value[role == 1], value[1])
        return float(value[0 if who == trustor else 1])

    # the trustor: [my act (send?), trustee's act (return?)]
    assert entry(own, 0, 0, trustor) == 1.5
    assert entry(own, 0, 1, trustor) == 0.0
    assert entry(own, 1, 0, trustor) == 2.0
    assert entry(own, 1, 1, trustor) == 2.0
    assert entry(other, 0, 0, trustor) == 6.5
    assert entry(other, 0, 1, trustor) == 8.0
    assert entry(other, 1, 0, trustor) == 2.0
    assert entry(other, 1, 1, trustor) == 2.0
    # the trustee: [my act (return?), trustor's act (send?)]
    assert entry(own, 0, 0, trustee) == 6.5
    assert entry(own, 1, 0, trustee) == 8.0  # keeping what was sent
    assert entry(own, 0, 1, trustee) == 2.0  # nothing sent: nothing to return
    assert entry(own, 1, 1, trustee) == 2.0
    assert entry(other, 0, 0, trustee) == 1.5
    assert entry(other, 1, 0, trustee) == 0.0
    assert entry(other, 0, 1, trustee) == 2.0
    assert entry(other, 1, 1, trustee) == 2.0


def test_trust_game_motive_payoffs_agree_with_material():
    """Each role's view, [my act][partner's act], is what material() pays that role."""
    game = TrustGame(endowment=1.5, multiplier=2.0, returned=0.6)
    own, other = game.motive_payoffs(np.array([0, 1]))
    for a in (0, 1):
        for b in (0, 1):
            trustor_trustee = pair_material(game, np.array([[a == 0, b == 0]]))[0]
            assert own[a][b][0] == pytest.approx(trustor_trustee[0])
            assert other[a][b][0] == pytest.approx(trustor_trustee[1])
            trustee_first = pair_material(game, np.array([[b == 0, a == 0]]))[0]
            assert own[a][b][1] == pytest.approx(trustee_first[1])
            assert other[a][b][1] == pytest.approx(trustee_first[0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"endowment": 0.0}, r"TrustGame.endowment must be in \(0, inf\], got 0.0"),
        ({"endowment": -1.0}, r"TrustGame.endowment must be in \(0, inf\]"),
        ({"endowment": float("nan")}, r"TrustGame.endowment must be a number"),
        ({"multiplier": 0.99}, r"TrustGame.multiplier must be in \[1, inf\], got 0.99"),
        ({"returned": -0.1}, r"TrustGame.returned must be in \[0, 1\], got -0.1"),
        ({"returned": 1.1}, r"TrustGame.returned must be in \[0, 1\], got 1.1"),
    ],
)
def test_trust_game_rejects_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TrustGame(**kwargs)


def test_trust_game_accepts_bounds():
    game = TrustGame(multiplier=1.0, returned=0.0)
    np.testing.assert_allclose(game.table()[0, 0], [0.0, 2.0])
    game = TrustGame(returned=1.0)
    np.testing.assert_allclose(game.table()[0, 0], [3.0, 1.0])


@pytest.mark.parametrize(
    "make",
    [
        lambda: TrustGame(group_size=3),
        lambda: PairGame(prisoners_dilemma(), group_size=4),
        lambda: WalletGame(LostWallet(), group_size=3),
    ],
    ids=["TrustGame", "PairGame", "WalletGame"],
)
def test_pair_games_reject_groups_other_than_pairs(make):
    with pytest.raises(ValueError, match="group_size"):
        make()


def test_public_goods_material_by_hand():
    """E = 2.5, mpcr = 0.4, groups of 4: each contribution returns 1 to every member."""
    game = PublicGoods()
    acts = np.array(
        [
            [C, C, D, D],  # pot 5 returns 2 each; free riders keep 2.5
            [C, C, C, C],  # 4 each
            [D, D, D, D],  # 2.5 each
            [D, C, D, D],  # 1 each, the contributor has nothing else
        ]
    )
    np.testing.assert_allclose(
        group_material(game, acts),
        [[2.0, 2.0, 4.5, 4.5], [4.0, 4.0, 4.0, 4.0], [2.5, 2.5, 2.5, 2.5], [3.5, 1.0, 3.5, 3.5]],
    )
    small = PublicGoods(group_size=2, endowment=1.0, mpcr=0.75)
    np.testing.assert_allclose(
        group_material(small, PAIRS), [[1.5, 1.5], [0.75, 1.75], [1.75, 0.75], [1, 1]]
    )


def test_public_goods_mean_field_motive_payoffs_by_hand():
    """π(a, b) = E (1 − c_a) + mpcr E (c_a + 3 c_b); π_j(a, b) = E (1 − c_b) + the same."""
    own, other = PublicGoods().motive_payoffs(None)
    # own: [C][C] 0.4·2.5·4, [C][D] 0.4·2.5, [D][C] 2.5 + 0.4·2.5·3, [D][D] 2.5
    np.testing.assert_allclose(own, [[4.0, 1.0], [5.5, 2.5]])
    # other: [C][C] 4, [C][D] 2.5 + 1, [D][C] 0.4·2.5·3, [D][D] 2.5
    np.testing.assert_allclose(other, [[4.0, 3.5], [3.0, 2.5]])
    # free riding pays (1 − mpcr) E = 1.5 privately, whatever the others do
    np.testing.assert_allclose(np.subtract(own[1], own[0]), [1.5, 1.5])


@given(
    k=st.integers(2, 12),
    endowment=st.floats(0.01, 100.0),
    mpcr=st.floats(0.01, 0.99),
)
def test_public_goods_mean_field_is_a_group_where_the_others_act_alike(k, endowment, mpcr):
    game = PublicGoods(group_size=k, endowment=endowment, mpcr=mpcr)
    own, other = game.motive_payoffs(np.zeros(k, dtype=np.int8))
    for a in (0, 1):
        for b in (0, 1):
            acts = np.array([[a == 0] + [b == 0] * (k - 1)])
            paid = group_material(game, acts)[0]
            assert own[a][b] == pytest.approx(paid[0], rel=1e-12)
            assert other[a][b] == pytest.approx(paid[1], rel=1e-12)
    for b in (0, 1):
        # free riding pays privately: own[D][b] > own[C][b], by (1 − mpcr) E
        assert own[1][b] > own[0][b]
        assert own[1][b] - own[0][b] == pytest.approx((1 - mpcr) * endowment, rel=1e-9)
    if mpcr * k > 1:  # full contribution is efficient
        assert own[0][0] > own[1][1]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"group_size": 1}, r"PublicGoods.group_size must be an integer >= 2, got 1"),
        ({"group_size": 4.0}, r"PublicGoods.group_size must be an integer >= 2, got 4.0"),
        ({"group_size": True}, r"PublicGoods.group_size must be an integer >= 2, got True"),
        ({"endowment": 0.0}, r"PublicGoods.endowment must be in \(0, inf\], got 0.0"),
        ({"mpcr": 0.0}, r"PublicGoods.mpcr must be in \(0, 1\), got 0.0"),
        ({"mpcr": 1.0}, r"PublicGoods.mpcr must be in \(0, 1\), got 1.0"),
        ({"mpcr": 1.5}, r"PublicGoods.mpcr must be in \(0, 1\), got 1.5"),
    ],
)
def test_public_goods_rejects_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PublicGoods(**kwargs)


@pytest.mark.parametrize(
    ("name", "rpst"),
    [
        ("pd", (3, 1, 0, 5)),
        ("prisoners_dilemma", (3, 1, 0, 5)),
        ("stag_hunt", stag_hunt().RPST()),
        ("snowdrift", snowdrift().RPST()),
        ("harmony", harmony().RPST()),
    ],
)
def test_society_game_symmetric_names_are_pair_games(name, rpst):
    game = society_game(name)
    assert type(game) is PairGame
    assert game.game.RPST() == rpst
    assert game.group_size == 2


def test_society_game_other_names():
    assert society_game("lost_wallet") == WalletGame(LostWallet())
    assert society_game("trust") == TrustGame()
    assert society_game("public_goods") == PublicGoods()
    assert set(GAME_NAMES) == {
        "pd",
        "prisoners_dilemma",
        "stag_hunt",
        "snowdrift",
        "harmony",
        "lost_wallet",
        "two_wallets",
        "trust",
        "public_goods",
    }


def test_society_game_wraps_games_and_passes_society_games_through():
    game = axl.Game(r=4, s=-1, t=6, p=0)
    pair = society_game(game)
    assert type(pair) is PairGame and pair.game is game
    wallet = LostWallet(money=5.0)
    wrapped = society_game(wallet)
    assert type(wrapped) is WalletGame  # not a plain PairGame: the finder weighs one find
    assert wrapped.wallet is wallet
    for made in (TrustGame(returned=0.3), PublicGoods(group_size=5), pair, wrapped):
        assert society_game(made) is made


@pytest.mark.parametrize("game", ["pdd", "Prisoners Dilemma", 3, None, (3, 0, 5, 1)])
def test_society_game_unknown_is_a_clear_error(game):
    with pytest.raises(ValueError) as info:
        society_game(game)
    message = str(info.value)
    assert message.startswith(f"unknown game {game!r}: give one of ")
    for name in GAME_NAMES:
        assert repr(name) in message
    assert "axelrod.Game" in message and "TrustGame(...)" in message
