"""Time ``calibrate()`` with its defaults and print its report (the issue asks < 10 minutes).

Run ``python benchmarks/bench_calibrate.py``; the last line is the wall time in seconds.
"""

import time

from sccgames.inference import calibration


def main() -> None:
    start = time.perf_counter()
    result = calibration.calibrate()
    seconds = time.perf_counter() - start
    print(calibration.report(result))
    print(f"calibrate() took {seconds:.1f} s ({result.evaluations} evaluations)")


if __name__ == "__main__":
    main()
