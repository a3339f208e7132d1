"""Limits of experiment files and the API, and an estimate of a run's memory before it starts.

Every maximum below is checked before any work starts: by the schema of experiment files
(:mod:`sccgames.experiments._schema`, which also publishes them as JSON Schema ``maximum`` and
``maxLength``), by the parameter checks of the API (:mod:`sccgames._validation`), and by
:func:`check_memory`, which refuses in one line a run that will not fit in this machine's
memory. Each constant says where its value comes from.

Long runs keep their per-round figures in memory (a few rows per round); :data:`MAX_ROUNDS`
bounds them, and :func:`estimate_bytes` counts them, so a run that would outgrow the machine
is refused before it starts instead of growing until the machine runs out.
"""

from __future__ import annotations

import math
import os
import resource
from typing import Any

# ----------------------------------------------------------------------------- sizes
#: Most citizens in one society. Chosen so that the largest society any workstation could hold
#: passes (10⁸ citizens need ~80 GB at :data:`BYTES_PER_CITIZEN`); what does not fit this
#: machine is refused by :func:`check_memory` instead.
MAX_SIZE = 10**8
#: Most rounds of one society. Chosen so that the per-round figures of the longest run (a few
#: rows of ~1.1 KB per round, measured) stay within a few GB; 10⁶ rounds of a small society
#: take about an hour at the ~2 ms per round measured for 10 citizens.
MAX_ROUNDS = 10**6
#: Most turns of one match. Chosen so that one match's pre-drawn uniforms and histories
#: (~113 B per turn, measured) stay near 100 MB; 10⁵ turns of two axelrod strategies already
#: take about a minute.
MAX_TURNS = 10**6
#: Most repetitions of each tournament match. Chosen so that the table of matches of a
#: round robin of a dozen players (~1.3 KB per match, measured) stays within tens of GB.
MAX_REPETITIONS = 10**6
#: Most runs of one sweep (points × repetitions), counted before the grid is expanded.
#: Chosen so that validating every point (a few ms each) takes under a minute and a sweep
#: folder holds at most this many point folders.
MAX_SWEEP_POINTS = 10**4
#: Most communities of a population (never more than its citizens). Chosen so that a
#: community's share of the figures (a row per community) stays readable; a society has a
#: handful of communities in every model the package implements.
MAX_COMMUNITIES = 10**4
#: Most random starts per fitted model. Chosen so that a fit's starts (each a full
#: maximization) take minutes at most; the default is 5.
MAX_FIT_STARTS = 1000
#: Most bootstrap replicates or likelihood-ratio null draws of a fit (each refits both
#: models). Chosen so that 10⁴ replicates, a percentile interval's usual ceiling, pass.
MAX_FIT_DRAWS = 10**4

# ----------------------------------------------------------------------------- numbers
#: Largest magnitude of a real parameter (a fine, a payoff, a weight, a location). Chosen so
#: that a payoff times any count a run can reach (10⁸ citizens or 10⁶ rounds) and its square
#: (variances, Gini sums) stay far inside float32's range (3.4·10³⁸): (10⁶·10⁸)² = 10²⁸.
#: States are float32 by default (``society.dtype``), where 10³⁹ is already infinite.
MAX_MAGNITUDE = 1e6

# ----------------------------------------------------------------------------- files
#: Largest experiment file in bytes. Chosen so that hand-written files (a few KB; a sweep of
#: :data:`MAX_SWEEP_POINTS` explicit points well under 1 MB) pass with room, and a parser is
#: never handed hundreds of MB.
MAX_FILE_BYTES = 4 * 2**20
#: Longest string value. Chosen so that any path (PATH_MAX is 4096 on Linux) fits.
MAX_STRING_LENGTH = 4096
#: Longest table key. Chosen so that any name a file gives (a domain, a motive type, a dotted
#: parameter path such as ``society.regime.fine``) fits with room.
MAX_KEY_LENGTH = 256
#: Deepest nesting of tables and lists. Chosen so that the deepest path the schema knows
#: (``sweep.points[k]`` of a ``combined`` regime's ``parts[j].coverage``, about 8 levels)
#: fits with room, far below Python's recursion limit (1000) that parsers and checks recurse
#: into.
MAX_DEPTH = 32
#: Most values (tables, lists and scalars, YAML aliases counted as often as they are used)
#: in one file. Chosen so that a sweep of :data:`MAX_SWEEP_POINTS` points of a few values
#: each fits, and a 600-byte YAML alias bomb (10⁹ values) is refused at once.
MAX_NODES = 200_000
#: Longest error line. Chosen so that an error fits one terminal line or two; a value or key
#: quoted in it is shortened to fit.
MAX_MESSAGE = 300

# ----------------------------------------------------------------------------- memory
#: Peak bytes per citizen of a society's run, by state precision: the heaviest measured
#: (tracemalloc peak of 10⁵ citizens, 3 types, 3 domains, 4 communities, every regime,
#: imitation and fixed partners: 541 B float32, 910 B float64) times 1.5 for margin.
BYTES_PER_CITIZEN = {"float32": 800, "float64": 1400}
#: Bytes per row of per-round figures (``metrics``: a row per domain and one for all;
#: ``by_type``: a row per type): 1.1 KB measured over 2·10⁴ rounds, times 1.5.
BYTES_PER_FIGURE_ROW = 1600
#: Bytes per choice of a society fitted by ``[fit]`` (one row per citizen and round, about
#: 15 numeric columns): chosen as 8 B per column with room for the index and copies.
BYTES_PER_CHOICE = 300
#: Bytes per match-turn held while a chunk of matches plays (pre-drawn uniforms, moves and
#: histories): 113–133 B measured, times 1.3.
BYTES_PER_MATCH_TURN = 170
#: Bytes per match of a tournament's tables (two rows of ~17 columns): 1.3 KB measured, times
#: 1.5.
BYTES_PER_MATCH = 2000
#: Fixed bytes of a tournament whatever its size (the players, their payoff tables, the
#: summary): 2–3 MB measured for four players, rounded up.
BYTES_PER_TOURNAMENT = 4 * 2**20
#: Matches and match-turns a tournament plays at once in each process: the batch kernel's
#: chunks (:data:`sccgames.engines.tournament.BATCH_CHUNK`, ``BATCH_DRAWS``; not imported, so that
#: this module imports nothing of the engine).
BATCH_CHUNK, BATCH_DRAWS = 512, 200_000
#: Share of the available memory a run may plan to use. Chosen so that the estimate's error
#: and the rest of the machine keep a fifth.
MEMORY_FRACTION = 0.8


def shorten(text: str, limit: int = 60) -> str:
    """``text`` cut to at most ``limit`` characters, ending in ``...`` when cut."""
    return text if len(text) <= limit else text[: max(limit - 3, 0)] + "..."


def _meminfo() -> dict[str, int]:
    out = {}
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                name, _, rest = line.partition(":")
                fields = rest.split()
                if fields and fields[0].isdigit():
                    out[name] = int(fields[0]) * 1024
    except OSError:
        pass
    return out


def _read_int(path: str) -> int | None:
    try:
        with open(path, encoding="ascii") as f:
            text = f.read().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _virtual_size() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def available_memory() -> int:
    """Bytes a run may still use on this machine.

    The least of: ``MemAvailable`` from ``/proc/meminfo`` (else ``MemTotal``, else
    ``os.sysconf``'s available pages), the cgroup's ``memory.max`` less its ``memory.current``,
    and the process's ``RLIMIT_AS`` less its current virtual size.
    """
    info = _meminfo()
    found = info.get("MemAvailable", info.get("MemTotal"))
    if found is None:
        try:
            found = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            found = 2**63
    limits = [found]
    cap, used = _read_int("/sys/fs/cgroup/memory.max"), _read_int("/sys/fs/cgroup/memory.current")
    if cap is not None:
        limits.append(cap - (used or 0))
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        limits.append(soft - _virtual_size())
    return max(min(limits), 0)


def _gib(n: float) -> str:
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def estimate_bytes(raw: dict[str, Any]) -> tuple[int, str]:
    """Peak bytes a resolved experiment's run needs, and what they are made of.

    Parameters
    ----------
    raw : dict
        A checked config tree (:attr:`sccgames.experiments.config.Experiment.raw`).

    Returns
    -------
    (int, str)
        The estimate and its largest terms, for the error message.

    """
    processes = (raw.get("execution") or {}).get("processes", 1)
    society, tournament = raw.get("society"), raw.get("tournament")
    if society is not None:
        size, rounds = society["population"]["size"], society["rounds"]
        domains = len(society.get("domains") or {"economic": 0, "private": 0})
        # (without shares, the default population's three types: population.DEFAULT_SHARES)
        types = len(society["population"].get("shares") or {}) or 3
        agents = size * BYTES_PER_CITIZEN[society.get("dtype", "float32")]
        figures = rounds * (domains + 1 + types) * BYTES_PER_FIGURE_ROW
        total = agents + figures
        parts = f"{size} citizens, {rounds} rounds"
        if raw.get("fit") is not None:
            total += size * rounds * BYTES_PER_CHOICE
            parts += ", every choice fitted"
        return int(total), parts
    if tournament is not None:
        players, turns = len(tournament["players"]), tournament["turns"]
        matches = players * (players + 1) // 2 * tournament["repetitions"]
        chunk = max(1, min(BATCH_CHUNK, BATCH_DRAWS // turns, matches))
        playing = chunk * turns * BYTES_PER_MATCH_TURN * max(1, min(processes, matches))
        total = BYTES_PER_TOURNAMENT + playing + matches * BYTES_PER_MATCH
        return int(total), f"{matches} matches of {turns} turns"
    return 0, "nothing"


def check_memory(raw: dict[str, Any], at_once: int = 1) -> None:
    """Raise ``MemoryLimitError`` if a resolved experiment will not fit in memory.

    Parameters
    ----------
    raw : dict
        A checked config tree (:attr:`sccgames.experiments.config.Experiment.raw`).
    at_once : int, default 1
        Runs of it held at once (a sweep's processes).

    Raises
    ------
    MemoryLimitError
        One line: the estimate, what it is made of and the memory available.

    """
    need, parts = estimate_bytes(raw)
    need *= at_once
    if at_once > 1:
        parts += f"; {at_once} at once"
    if need == 0:
        return
    free = available_memory()
    if need > MEMORY_FRACTION * free:
        raise MemoryLimitError(
            f"needs about {_gib(need)} of memory ({parts}), more than "
            f"{MEMORY_FRACTION:.0%} of the {_gib(free)} available; make it smaller"
        )


class MemoryLimitError(ValueError):
    """A run that will not fit in this machine's memory (refused before it starts)."""


def sweep_size(
    grid: dict[str, list[Any]] | None, points: list[Any] | None, repetitions: int
) -> int:
    """Runs of a sweep, counted without expanding its grid."""
    if grid is not None:
        count = math.prod(len(v) for v in grid.values())
    else:
        count = len(points or [None])
    return count * repetitions


class LimitError(ValueError):
    """A value beyond one of the limits above, at a key ``path`` (empty: the whole file)."""

    def __init__(self, message: str, path: str = "") -> None:
        self.message, self.path = message, path
        super().__init__(": ".join(p for p in (path, message) if p))


def _step(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    text = str(key)
    if text.replace("_", "a").isalnum() and len(text) <= 40:
        return f"{path}.{text}" if path else text
    return f"{path}[{shorten(repr(key), 40)}]"


def check_tree(data: Any) -> None:
    """Check a config tree's shape before anything walks it recursively.

    Walks the tree without recursion, counting every use of a shared value (a YAML alias)
    again, and stops at the first value beyond :data:`MAX_DEPTH`, :data:`MAX_NODES`,
    :data:`MAX_KEY_LENGTH` or :data:`MAX_STRING_LENGTH`; a tree that refers to itself is
    refused by its depth. Time and memory are bounded by :data:`MAX_NODES` whatever the tree.

    Raises
    ------
    LimitError
        Naming the limit and where it was exceeded.

    """
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    nodes = 0
    while stack:
        value, path, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise LimitError(
                f"more than {MAX_NODES} values (YAML aliases count each time they are "
                "used); split the file or use fewer values",
            )
        if isinstance(value, dict | list) and depth >= MAX_DEPTH:
            raise LimitError(f"tables and lists nested more than {MAX_DEPTH} levels deep", path)
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and len(key) > MAX_KEY_LENGTH:
                    raise LimitError(
                        f"key {shorten(repr(key), 40)} is {len(key)} characters long; "
                        f"keys have at most {MAX_KEY_LENGTH}",
                        path,
                    )
                stack.append((item, _step(path, key), depth + 1))
        elif isinstance(value, list):
            stack.extend((item, _step(path, k), depth + 1) for k, item in enumerate(value))
        elif isinstance(value, str) and len(value) > MAX_STRING_LENGTH:
            raise LimitError(
                f"a string of {len(value)} characters; strings have at most {MAX_STRING_LENGTH}",
                path,
            )
