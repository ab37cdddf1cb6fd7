"""The experiment commands as a user runs them, timed end to end from the shell.

    python benchmarks/experiments.py                 # every case below
    python benchmarks/experiments.py flagship table  # only some of them
    python benchmarks/experiments.py flagship --runs 100000 --backend process  # the 100k goal

Each case runs one ``backchannel`` command in a new process (start-up, scenario loading, draws,
play, metrics and printing included) and prints its wall time and the peak memory of the
command's processes (``ru_maxrss`` of the children, so a process pool's largest worker):

* ``flagship``: ``compare iran-us -p shuttle -n 500 --seed 1``: the flagship with its full
  declared uncertainty (both sides' weights and walk-away values, every delay), its timeline
  and Iran's ratifier, one core;
* ``table``: the README's seven-protocol, 500-run ``compare`` with ``--backend process``;
* ``mediated``: single-text and confidential mediation, and the lossy and noisy shuttle, 100
  runs each on one core (what the protocols that the batch engine does not cover cost);
* ``sweep``: the README's ``whatif --sweep rial_depreciation=0:0.8:9``.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time

TABLE = "direct,shuttle,shuttle@qatar,shuttle:loss=0.1,shuttle:noise=0.3,single-text,confidential"


def cases(runs: int, backend: str) -> dict[str, list[str]]:
    flagship = ["compare", "iran-us", "-p", "shuttle", "-n", str(runs), "--seed", "1"]
    if backend != "local":
        flagship += ["--backend", backend]
    return {
        "flagship": flagship,
        "table": ["compare", "iran-us", "-n", "500", "--seed", "1", "--backend", "process",
                  "-p", TABLE],
        "mediated": ["compare", "iran-us", "-n", "100", "--seed", "1", "-p",
                     "single-text,confidential,shuttle:loss=0.1,shuttle:noise=0.3"],
        "sweep": ["whatif", "--sweep", "rial_depreciation=0:0.8:9"],
    }  # fmt: skip


def timed(arguments: list[str]) -> tuple[float, float]:
    """Wall seconds and peak MiB (largest child process) of one ``backchannel`` command."""
    command = [sys.executable, "-c", "from backchannel.cli.main import main; main()", *arguments]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"'backchannel {' '.join(arguments)}' failed:\n{done.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", nargs="*", help="cases to run (default: all)")
    parser.add_argument("--runs", type=int, default=500, help="runs of the flagship case")
    parser.add_argument("--backend", default="local", help="backend of the flagship case")
    options = parser.parse_args()
    table = cases(options.runs, options.backend)
    chosen = options.which or list(table)
    unknown = [name for name in chosen if name not in table]
    if unknown:
        parser.error(f"unknown case {', '.join(unknown)}; choose from: {', '.join(table)}")
    print(f"{'case':10} {'seconds':>9} {'peak MiB':>9}  command")
    for name in chosen:
        seconds, peak = timed(table[name])
        print(f"{name:10} {seconds:9.1f} {peak:9.0f}  backchannel {' '.join(table[name])}")
        if name == "flagship":
            print(f"{'':10} {1000 * seconds / options.runs:9.2f} ms a run, end to end")


if __name__ == "__main__":
    main()
