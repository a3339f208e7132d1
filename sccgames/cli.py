"""The ``sccgames`` command.

Every failure ends in one line on stderr, never a traceback, at most :data:`MAX_LINE`
characters: exit status 2 for bad input (a file, a value, a folder that may not be used), 1
for a run that failed (set ``SCCGAMES_DEBUG=1`` to see the traceback of an unexpected error),
130 for Ctrl-C (the run folder is left incomplete; the same command resumes or restarts it).

``--processes`` is capped at the cores this process may use: results are the same for any
number of processes, and more processes than cores only cost memory; a note says so.

Heavy modules (pandas, axelrod, the experiment machinery) are imported only by the commands
that need them, so that ``sccgames --help`` answers at once.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    import pandas as pd

#: The longest error line the command prints (chosen so that a message echoing a huge key,
#: value or path still reads as one line of a terminal or a log).
MAX_LINE = 300

#: Exit status of a command stopped by Ctrl-C (128 + SIGINT, the shells' convention).
EXIT_INTERRUPTED = 130


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


def _port(text: str) -> int:
    """An argparse type: a TCP port, 0 (any free one) to 65535."""
    value = _whole_number(0)(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, got {value}")
    return value


_positive_int = _whole_number(1)
_seed = _whole_number(0)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose error line is capped, as every error line of the command."""

    def error(self, message: str) -> NoReturn:
        """Print the usage and one capped error line; exit 2."""
        self.print_usage(sys.stderr)
        self.exit(2, one_line(f"{self.prog}: error: {message}") + "\n")


def build_parser() -> argparse.ArgumentParser:
    """The command's argument parser."""
    parser = _Parser(
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
            "Runs sccgames.inference.findings over five seeds and prints mean, sd, min and max: "
            "calibration to lab play, the fine response of Homo Economicus, crowding-out "
            "by a small fine, and the compliance gap by motive type; --robustness moves "
            "every default, --ablate switches one mechanism off at a time."
        ),
    )
    found.add_argument(
        "--size", type=_whole_number(2), default=None, help="citizens per society (defaults vary)"
    )
    mode = found.add_mutually_exclusive_group()
    mode.add_argument(
        "--robustness",
        action="store_true",
        help="share of draws of the defaults ±10%% in which each headline finding keeps its sign",
    )
    mode.add_argument(
        "--ablate",
        action="store_true",
        help="each finding with one mechanism switched off at a time: which ones carry it",
    )
    found.add_argument(
        "--draws", type=_whole_number(2), default=64, help="draws for --robustness (64)"
    )
    found.add_argument(
        "--finding",
        action="append",
        default=None,
        help="with --ablate: only this finding (repeat for more; all by default)",
    )
    found.add_argument(
        "--channel",
        action="append",
        default=None,
        help="with --ablate: only this channel besides the full model (repeat; all by default)",
    )
    calibrate = commands.add_parser(
        "calibrate",
        help="fit the default profile to published targets and report",
        description=(
            "Simulated method of moments over sccgames.inference.calibration.TARGETS (common "
            "random numbers, each target weighted by its range); prints a markdown report or "
            "writes it to a new file."
        ),
    )
    calibrate.add_argument("--size", type=_whole_number(2), default=2000, help="citizens (2000)")
    calibrate.add_argument("--seeds", type=_positive_int, default=3, help="seeds 1..N (3)")
    calibrate.add_argument(
        "--maxiter", type=_whole_number(0), default=600, help="Nelder-Mead iterations (600)"
    )
    calibrate.add_argument(
        "--screen", type=_positive_int, default=256, help="Sobol points, a power of 2 (256)"
    )
    calibrate.add_argument(
        "--robust",
        type=_whole_number(0),
        default=0,
        help="draws within +-10%% of every default the search averages over, 0 or a power of 2 (0)",
    )
    calibrate.add_argument(
        "--output", type=Path, default=None, help="a new markdown file for the report"
    )
    run = commands.add_parser(
        "run",
        help="run an experiment file (TOML or YAML) into a run folder",
        description="Run a tournament or society experiment file; a [sweep] section runs "
        "every point of the sweep, resumably. Results, the resolved config, the seed and "
        "versions go to the run folder.",
    )
    run.add_argument("file", help="the experiment file (.toml, .yaml or .yml)")
    run.add_argument("--out", default=None, help="the run folder (default: runs/NAME)")
    run.add_argument("--seed", type=_seed, default=None, help="override the file's seed")
    run.add_argument(
        "--processes", type=_positive_int, default=None, help="override [execution] processes"
    )
    run.add_argument("--overwrite", action="store_true", help="replace a finished run folder")
    run.add_argument("--quiet", action="store_true", help="no progress bars")
    sweep = commands.add_parser(
        "sweep",
        help="run every point of an experiment file's [sweep], resumably",
        description="Each point has a stable identity (a hash of its resolved config and "
        "seed); a sweep started again after an interruption runs only the missing points.",
    )
    sweep.add_argument("file", help="the experiment file, with a [sweep] section")
    sweep.add_argument("--out", default=None, help="the sweep folder (default: runs/NAME)")
    sweep.add_argument("--processes", type=_positive_int, default=None, help="worker processes")
    sweep.add_argument("--scheduler", default=None, help="a Dask scheduler address")
    sweep.add_argument("--quiet", action="store_true", help="no progress bars")
    explore = commands.add_parser(
        "explore",
        help="the sandbox in a web browser: society, tournament and lost-wallet pages",
        description="Start the explorer, a local web app on 127.0.0.1, and print its "
        "address; Ctrl-C stops it. Needs the explore extra: pip install 'sccgames[explore]'.",
    )
    explore.add_argument("--port", type=_port, default=0, help="0: any free port")
    validate = commands.add_parser(
        "validate",
        help="check an experiment file without running it",
        description="Parse the file and build every object it describes; print OK or the "
        "one thing that is wrong (exit status 2).",
    )
    validate.add_argument("file", help="the experiment file")
    report = commands.add_parser(
        "report",
        help="summary tables and PNG plots of a finished run folder",
        description="Print the run's summary tables and write its plots as PNG files into "
        "DIR/report.",
    )
    report.add_argument("directory", help="a finished run folder")
    fit = commands.add_parser(
        "fit",
        help="fit the rational and motive models to the choice data of an experiment file",
        description="Fit the models of the file's [fit] section by maximum likelihood: to "
        "the choices of its society, to a .csv file of choices, or (kind = 'fit') to a "
        "published dataset by its transfer test. Tables (fits, estimates, tests, out-of-"
        "sample scores and predictions), a PNG figure and the manifest go to the run folder; "
        "a summary is printed.",
    )
    fit.add_argument("file", help="the experiment file, with a [fit] section")
    fit.add_argument("--out", default=None, help="the run folder (default: runs/NAME)")
    fit.add_argument("--overwrite", action="store_true", help="replace a finished run folder")
    fit.add_argument("--quiet", action="store_true", help="no progress bar")
    commands.add_parser(
        "schema",
        help="print the JSON Schema of experiment files",
        description="The JSON Schema of experiment files, for editors' completion.",
    )
    return parser


def _findings(size: int | None) -> None:
    import pandas as pd

    from sccgames.inference import findings

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


def one_line(text: object) -> str:
    """``text`` as one line of at most :data:`MAX_LINE` characters (whitespace collapsed)."""
    line = " ".join(str(text).split())
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 3] + "..."


def _say(command: str, message: object) -> None:
    print(one_line(f"sccgames {command}: {message}"), file=sys.stderr)


def _message(error: BaseException) -> str:
    if isinstance(error, KeyError) and len(error.args) == 1 and isinstance(error.args[0], str):
        return error.args[0]  # not repr'd in quotes
    return str(error) or type(error).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``sccgames`` command; return its exit status (2 for bad input, 130 for Ctrl-C)."""
    args = build_parser().parse_args(argv)
    args.folder = None  # the run folder being written, once known
    try:
        return _command(args)
    except KeyboardInterrupt:
        resumes = args.command == "sweep" or getattr(args, "sweep", False)
        again = "resume it" if resumes else "run it from the start"
        where = (
            f"; {args.folder} is left incomplete (run the same command again to {again})"
            if args.folder is not None
            else ""
        )
        _say(args.command, f"interrupted{where}")
        return EXIT_INTERRUPTED
    except (ValueError, OSError, RecursionError, MemoryError) as error:
        # bad input: ConfigError is a ValueError, a folder that may not be used an OSError
        _say(args.command, _message(error))
        return 2
    except Exception as error:
        if os.environ.get("SCCGAMES_DEBUG"):
            raise
        from sccgames.experiments.sweep import SweepError

        if isinstance(error, SweepError):
            _say(args.command, error)
        else:
            _say(
                args.command,
                f"{_message(error)} ({type(error).__name__}; set SCCGAMES_DEBUG=1 for the "
                "traceback)",
            )
        return 1


def _command(args: argparse.Namespace) -> int:
    if args.command in {"run", "sweep", "validate", "report", "schema", "fit"}:
        return _experiments(args)
    if args.command == "explore":
        try:  # the explore extra
            import panel  # noqa: F401
            import tomli_w  # noqa: F401
        except ImportError as error:
            raise ValueError(
                f"the explorer needs the explore extra ({error.name} is missing): "
                "pip install 'sccgames[explore]'"
            ) from None
        from sccgames.explorer.app import serve

        return serve(port=args.port)
    if args.command == "calibrate":
        from sccgames.inference.calibration import run_cli

        return run_cli(args)
    import pandas as pd

    if args.command == "demo":
        from sccgames.experiments.demo import run_demo

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
    elif args.command == "findings" and not args.ablate and (args.finding or args.channel):
        raise ValueError("--finding and --channel choose what --ablate runs: add --ablate")
    elif args.command == "findings" and args.robustness:
        from sccgames.inference import findings

        sized = {"size": args.size} if args.size else {}
        print(findings.robustness_cli(draws=args.draws, **sized), end="")
    elif args.command == "findings" and args.ablate:
        from sccgames.inference import findings

        print(
            findings.ablation_cli(size=args.size, finding=args.finding, channels=args.channel),
            end="",
        )
    elif args.command == "findings":
        _findings(args.size)
    return 0


def _out(args: argparse.Namespace, loaded: Any) -> Path:
    """The run folder: ``--out`` (even an empty one, which is refused), else the default."""
    from sccgames.experiments import experiment

    return Path(args.out) if args.out is not None else experiment.default_directory(loaded)


def _processes(args: argparse.Namespace, asked: int) -> int:
    """``asked`` capped at the cores available, with a note on stderr when it is."""
    from sccgames.experiments.sweep import available_cores

    cores = available_cores()
    if asked > cores:
        _say(args.command, f"note: running {cores} processes, the cores available, not {asked}")
    return min(asked, cores)


def _experiments(args: argparse.Namespace) -> int:
    import json

    from sccgames.experiments import config, experiment

    if args.command == "schema":
        print(json.dumps(config.json_schema(), indent=2))
    elif args.command == "validate":
        checked = config.validate(config.load(args.file))
        print(f"{args.file}: OK ({checked.kind}, seed {checked.seed})")
    elif args.command == "run":
        if args.out == "":
            raise ValueError("--out is empty; name a folder to write the run into")
        loaded = config.load(args.file)
        out = _out(args, loaded)
        processes = _processes(args, args.processes or loaded.execution.processes)
        args.sweep = loaded.sweep is not None
        args.folder = out
        experiment.run(
            loaded,
            out=out,
            seed=args.seed,
            processes=processes,
            progress_bar=not args.quiet,
            overwrite=args.overwrite,
        )
        print(f"{args.file}: done")
    elif args.command == "sweep":
        if args.out == "":
            raise ValueError("--out is empty; name a folder to write the sweep into")
        loaded = config.load(args.file)
        if loaded.sweep is None:
            raise ValueError(f"{args.file}: no [sweep] section to run (use 'sccgames run')")
        out = _out(args, loaded)
        processes = _processes(args, args.processes or loaded.execution.processes)
        args.folder = out
        combined = experiment.sweep(
            loaded,
            out,
            processes=processes,
            scheduler=args.scheduler,
            progress_bar=not args.quiet,
        )
        print(f"{args.file}: {len(combined)} tables in {out}")
    elif args.command == "fit":
        from sccgames.inference import fitting

        if args.out == "":
            raise ValueError("--out is empty; name a folder to write the fit into")
        loaded = config.load(args.file)
        out = _out(args, loaded)
        args.folder = out
        done = experiment.fit(loaded, out, overwrite=args.overwrite, progress_bar=not args.quiet)
        _print_tables({k: done.tables[k] for k in fitting.SUMMARY if k in done.tables})
        print(f"\n{args.file}: {len(done.tables)} tables and {fitting.FIGURE} in {out}")
    else:  # report
        made = experiment.report(args.directory)
        _print_tables(made["tables"])
        for path in made["plots"]:
            print(f"wrote {path}")
    return 0


def _print_tables(tables: dict[str, pd.DataFrame]) -> None:
    """Print tables under their names, three decimals (what report and fit show)."""
    import pandas as pd

    with pd.option_context("display.width", 160, "display.max_columns", 30):
        for name, table in tables.items():
            print(f"\n{name}\n")
            print(table.to_string(float_format=lambda x: f"{x:.3f}"))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
