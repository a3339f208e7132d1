"""Knife-edge check: every headline finding and target over 64 draws of defaults ±10%.

Run ``python benchmarks/robustness_status.py [size]`` (default 1000 citizens, seeds 1-3).
Prints :func:`sccgames.inference.findings.robustness_report` of the headlines and of the targets,
and the wall time. The parameters moved are every continuous profile default
(``sccgames.inference.calibration.robust_paths``).
"""

import sys
import time

from sccgames.inference import calibration, findings


def main(size: int = 1000) -> None:
    start = time.perf_counter()
    kwargs = {"size": size, "seeds": (1, 2, 3)}
    headlines = [findings.robustness(name, 64, 0.1, **kwargs) for name in findings.HEADLINES]
    print(findings.robustness_report(headlines))
    targets = [
        findings.robustness(name, 64, 0.1, **kwargs) for name in calibration.TARGETS["statistic"]
    ]
    print(findings.robustness_report(targets))
    print(f"{size} citizens, {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
