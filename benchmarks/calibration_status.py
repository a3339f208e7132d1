"""Where the current defaults stand: every target on ``scc.Population(N)`` over 5 seeds.

Run ``python benchmarks/calibration_status.py [N]`` (default 20000 citizens). Prints, for
each target of :data:`sccgames.inference.calibration.TARGETS`, its range, the mean, min and max of
the simulated statistic over seeds 1-5, and whether every seed falls in the range.
"""

import sys
import time

import pandas as pd

import sccgames as scc
from sccgames.inference import calibration


def main(size: int = 20000) -> None:
    start = time.perf_counter()
    table = calibration.compare(calibration.simulate(scc.Population(size), seeds=range(1, 6)))
    columns = ["statistic", "low", "high", "simulated", "min", "max", "within", "fitted"]
    with pd.option_context("display.width", 120, "display.precision", 3):
        print(table[columns].to_string(index=False))
    print(
        f"\n{int(table['within'].sum())} of {len(table)} targets within their range in "
        f"every seed; {size} citizens, {time.perf_counter() - start:.1f} s"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
