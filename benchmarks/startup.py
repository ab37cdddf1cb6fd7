"""Start-up of the command line: how long ``backchannel --help`` and friends take, end to end.

Run: ``python benchmarks/startup.py [--repeat N] [--src PATH]``. Each command runs in a fresh
interpreter (as from the shell) ``N`` times; the table gives the fastest and the median time.
``--src`` times another checkout's ``src`` folder (e.g. an older commit unpacked with
``git archive COMMIT src | tar -x -C /tmp/before``) for a before/after comparison. Each
command first runs once untimed with the bytecode cache allowed (``installed_env``), so the
times are those of an installed copy, not of compiling the package from source.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--src", type=Path, default=Path(__file__).parents[1] / "src")
    options = parser.parse_args()
    print(f"src: {options.src.resolve()}; load average {os.getloadavg()[0]:.1f}")
    print("| command | fastest s | median s | CPU s (fastest) |")
    print("| --- | ---: | ---: | ---: |")
    for args in COMMANDS:
        timed(args, options.src)  # fills the bytecode cache, as a user's first run does
        runs = [timed(args, options.src) for _ in range(options.repeat)]
        walls = [wall for wall, _ in runs]
        cpu = min(cpu for _, cpu in runs)
        label = "backchannel " + " ".join(args)
        print(f"| `{label}` | {min(walls):.3f} | {statistics.median(walls):.3f} | {cpu:.3f} |")


if __name__ == "__main__":
    main()
