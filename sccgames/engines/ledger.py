"""The ledger: everything a regime did to every agent, period by period."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sccgames.rules.regimes import RegimeStep

#: Ledger columns besides the regime's own (:class:`~sccgames.rules.regimes.RegimeStep` fields).
KEY_COLUMNS = ("period", "agent", "domain", "cooperated")


class Ledger:
    """An append-only record of what a regime did, one row per period and agent.

    Periods are kept as they come and joined once, when :meth:`to_frame` is called, so
    recording a period costs one list append.
    """

    def __init__(self) -> None:
        self._periods: list[tuple[int, Any, Any, np.ndarray, RegimeStep]] = []

    def record(
        self,
        period: int,
        agents: Sequence[int] | np.ndarray,
        domains: Sequence[str] | np.ndarray,
        cooperated: np.ndarray,
        step: RegimeStep,
    ) -> None:
        """Append what the regime did in ``period`` to ``agents`` acting in ``domains``."""
        self._periods.append((period, agents, domains, cooperated, step))

    def __len__(self) -> int:
        return sum(len(step) for *_, step in self._periods)

    def to_frame(self) -> pd.DataFrame:
        """The ledger as a tidy DataFrame (one row per period and agent)."""
        columns = list(KEY_COLUMNS) + list(RegimeStep.__dataclass_fields__)
        if not self._periods:
            return pd.DataFrame(columns=columns)
        data = {
            "period": np.concatenate(
                [np.full(len(step), period, dtype=np.int64) for period, *_, step in self._periods]
            ),
            "agent": np.concatenate([np.asarray(p[1], dtype=np.int64) for p in self._periods]),
            "domain": np.concatenate([np.asarray(p[2], dtype=object) for p in self._periods]),
            "cooperated": np.concatenate([np.asarray(p[3], dtype=bool) for p in self._periods]),
        }
        steps = [p[4] for p in self._periods]
        for name in RegimeStep.__dataclass_fields__:
            data[name] = np.concatenate([getattr(step, name) for step in steps])
        return pd.DataFrame(data, columns=columns)

    def totals(self) -> pd.DataFrame:
        """Per agent: transfers, rewards, fines, errors and the final score."""
        frame = self.to_frame()
        grouped = frame.groupby("agent")
        return pd.DataFrame(
            {
                "transfer": grouped["transfer"].sum(),
                "reward": grouped["reward"].sum(),
                "fine": grouped["fine"].sum(),
                "observed": grouped["observed"].sum(),
                "false_positives": grouped["false_positive"].sum(),
                "false_negatives": grouped["false_negative"].sum(),
                "appeals_won": grouped["appealed"].sum(),
                "score": grouped["score"].last(),
                "enforcement_cost": grouped["enforcement_cost"].sum(),
            }
        )
