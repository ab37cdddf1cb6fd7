"""Start-up of the command line: how long ``backchannel --help`` and friends take, end to end.

Run: ``python benchmarks/startup.py [--repeat N] [--src PATH] [--against PATH] [--analyze DIR]``.
Each command runs in a fresh interpreter (as from the shell) ``N`` times; the table gives the
fastest and the median wall time and the fastest and median CPU time (user + system of the
child: steadier than the wall clock on a busy machine). ``--src`` times another checkout's
``src`` folder (e.g. an older commit unpacked with ``git archive COMMIT src | tar -x -C
/tmp/before``). ``--against`` times a second ``src`` folder in the same run, the two taking
turns command by command, and adds the ratios (this one over the other). ``--analyze`` adds
``backchannel analyze DIR`` (e.g. a GENIUS folder). Each command first runs once untimed with
the bytecode cache allowed (``installed_env``), so the times are those of an installed copy,
not of compiling the package from source.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

COMMANDS = [
    ["--help"],
    ["--version"],
    ["run", "--help"],
    ["compare", "--help"],
    ["scenarios"],
]
ENTRY = "from backchannel.cli.main import main; main()"


def timed(args: list[str], src: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one fresh ``backchannel ARGS``.

    On a busy machine the wall clock includes waiting for a core; the CPU time does not.
    """
    env = {**installed_env(), "PYTHONPATH": str(src), "COLUMNS": "100"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", ENTRY, *args], env=env, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def installed_env() -> dict[str, str]:
    """The environment with Python's bytecode cache allowed, as a user's has: with
    ``PYTHONDONTWRITEBYTECODE`` set and no ``__pycache__`` (a fresh checkout), every start
    would compile the package from source, which no installed copy does (pip compiles on
    install; an editable install caches on first run). The first of the runs fills the cache."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def summary(runs: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    """Fastest and median wall time, fastest and median CPU time."""
    walls, cpus = [wall for wall, _ in runs], [cpu for _, cpu in runs]
    return min(walls), statistics.median(walls), min(cpus), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--src", type=Path, default=Path(__file__).parents[1] / "src")
    parser.add_argument("--against", type=Path, help="another src folder, timed in turns")
    parser.add_argument("--analyze", type=Path, help="also time `backchannel analyze DIR`")
    options = parser.parse_args()
    sources = [options.src] + ([options.against] if options.against else [])
    commands = COMMANDS + ([["analyze", str(options.analyze)]] if options.analyze else [])
    print(f"src: {options.src.resolve()}; load average {os.getloadavg()[0]:.1f}")
    if options.against:
        print(f"against: {options.against.resolve()} (ratios: src / against)")
        print("| command | wall s, fastest | wall s, median | CPU s, fastest | CPU s, median |")
    else:
        print("| command | fastest s | median s | CPU s (fastest) | CPU s (median) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for args in commands:
        for src in sources:
            timed(args, src)  # fills the bytecode cache, as a user's first run does
        runs: list[list[tuple[float, float]]] = [[] for _ in sources]
        for _ in range(options.repeat):
            for number, src in enumerate(sources):  # taking turns: a passing load hits both
                runs[number].append(timed(args, src))
        label = "backchannel " + " ".join(args)
        figures = [summary(r) for r in runs]
        if options.against:
            cells = [
                f"{mine:.3f} / {theirs:.3f} ({mine / theirs:.2f})"
                for mine, theirs in zip(figures[0], figures[1], strict=True)
            ]
        else:
            cells = [f"{value:.3f}" for value in figures[0]]
        print(f"| `{label}` | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
