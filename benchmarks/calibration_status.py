"""Where the defaults stand: every target on ``scc.Population(N)`` over five seeds.

Run ``python benchmarks/calibration_status.py [N]`` (default 10000 citizens, as the tests
of ``tests/inference/test_calibration.py``). Prints the markdown table of
``docs/calibration.md``: each target of :data:`sccgames.inference.calibration.TARGETS`, its
range, the mean of the simulated statistic over seeds 1-5, whether every seed falls in the
range, whether it is fitted or out of sample, and its source.
"""

import sys
import time

import sccgames as scc
from sccgames.inference import calibration


def main(size: int = 10000) -> None:
    start = time.perf_counter()
    table = calibration.compare(calibration.simulate(scc.Population(size), seeds=range(1, 6)))
    print("| statistic | range | default population | every seed in range | fit | source |")
    print("|---|---|---|---|---|---|")
    for row in table.itertuples():
        print(
            f"| {row.statistic} | [{row.low:.2f}, {row.high:.2f}] | {row.simulated:.3f} "
            f"| {'yes' if row.within else 'no'} "
            f"| {'fitted' if row.fitted else 'out of sample'} | {row.source} |"
        )
    print(
        f"\n{int(table['within'].sum())} of {len(table)} targets within their range in "
        f"every seed; {size} citizens, {time.perf_counter() - start:.1f} s"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000)
