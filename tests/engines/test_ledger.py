import numpy as np

from sccgames.engines.ledger import Ledger
from sccgames.rules.regimes import SocialCredit


def test_ledger_records_every_act_and_totals():
    regime = SocialCredit(coverage=1.0, false_positive=0.0, false_negative=0.0)
    ledger = Ledger()
    assert len(ledger) == 0
    assert list(ledger.to_frame().columns)[:4] == ["period", "agent", "domain", "cooperated"]
    rng = np.random.default_rng(0)
    scores = regime.initial_scores(3)
    for period in range(4):
        acts = np.array([True, False, period % 2 == 0])
        step = regime.step(acts, 1.0, scores, rng)
        ledger.record(period, [0, 1, 2], ["d"] * 3, acts, step)
        scores = step.score
    frame = ledger.to_frame()
    assert len(ledger) == len(frame) == 12
    totals = ledger.totals()
    assert totals.loc[0, "reward"] == 4 * 0.5
    assert totals.loc[1, "fine"] == 4 * 3.0
    assert totals.loc[2, "transfer"] == 2 * 0.5 - 2 * 3.0
    np.testing.assert_allclose(totals["score"].to_numpy(), scores)
    assert totals["observed"].tolist() == [4, 4, 4]
