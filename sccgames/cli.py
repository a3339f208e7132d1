"""The ``sccgames`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import pandas as pd


def _whole_number(low: int):
    """An argparse type: a whole number ``>= low``, with a clear message otherwise."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a whole number >= {low}, got {text!r}"
            ) from None
        if value < low:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {low}, got {value}")
        return value

    return parse


_positive_int = _whole_number(1)
_seed = _whole_number(0)


def build_parser() -> argparse.ArgumentParser:
    """The command's argument parser."""
    parser = argparse.ArgumentParser(
        prog="sccgames",
        description="Motive-driven agents under social credit regimes.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="a small round robin under a social credit regime, printed as a table",
        description=(
            "Every motive preset and four of axelrod's classics play each other under a "
            "social credit regime that watches the economic domain (coverage 0.9) and not "
            "private life (coverage 0)."
        ),
    )
    demo.add_argument("--turns", type=_positive_int, default=200, help="turns per match (200)")
    demo.add_argument(
        "--repetitions", type=_positive_int, default=10, help="repetitions of each match (10)"
    )
    demo.add_argument("--seed", type=_seed, default=0, help="the one seed (0)")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    found = commands.add_parser(
        "findings",
        help="the society engine's findings from the documented defaults, with spread",
        description=(
            "Runs sccgames.findings over five seeds and prints mean, sd, min and max: "
            "calibration to lab play, the fine response of Homo Economicus, crowding-out "
            "by a small fine, and the compliance gap by motive type."
        ),
    )
    found.add_argument(
        "--size", type=_whole_number(2), default=None, help="citizens per society (defaults vary)"
    )
    return parser


def _findings(size: int | None) -> None:
    from sccgames import findings

    sized = {} if size is None else {"size": size}
    tables = {
        "Calibration: cooperation by round (mean over seeds)": findings.calibration(**sized)
        .groupby(["round", "game"])["cooperation"]
        .mean()
        .unstack(),
        "Homo Economicus: cooperation before, during and after a social credit system, by "
        "fine": findings.summarize(findings.fine_response(**sized), "fine"),
        "Crowding-out: a small private fine, low legitimacy (paired with a control)": (
            findings.summarize(findings.crowding_out(**sized), "condition")
        ),
        "Compliance gap: watched minus unwatched cooperation, by type": findings.summarize(
            findings.compliance_gap(**sized), "type"
        ),
    }
    with pd.option_context("display.width", 160, "display.max_columns", 30):
        for title, table in tables.items():
            print(f"\n{title}\n")
            print(table.to_string(float_format=lambda x: f"{x:.3f}"))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``sccgames`` command; return its exit status."""
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        from sccgames.demo import run_demo

        summary = run_demo(
            turns=args.turns,
            repetitions=args.repetitions,
            seed=args.seed,
            progress_bar=not args.quiet,
        )
        with pd.option_context("display.width", 120, "display.max_columns", 20):
            print(
                "Round robin under SocialCredit(coverage={'economic': 0.9, 'private': 0.0}), "
                f"{args.turns} turns x {args.repetitions} repetitions, seed {args.seed}\n"
            )
            print(summary.to_string(float_format=lambda x: f"{x:.2f}"))
    elif args.command == "findings":
        _findings(args.size)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
