"""The protocols that play step by step, on the 2026 flagship ``iran-us`` (1,990,656 outcomes,
issue weights drawn per run): CPU milliseconds a run per protocol, as ``compare`` reports them.

Run: ``python benchmarks/step_flagship.py [--runs N] [--seed S]``. Each protocol is played by
``backchannel compare iran-us -p PROTOCOL -n N --seed S`` in its own process (so each pays its
own start-up and ranking builds); the script prints a Markdown table of the "ms a run" the
engines line shows (CPU time to play each run) and the process's whole CPU and wall time. To
measure another checkout, point ``PYTHONPATH`` at its ``src``.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import time

PROTOCOLS = ("single-text", "live", "confidential")


def measure(protocol: str, runs: int, seed: int) -> tuple[str, float, float]:
    """(ms a run from the engines line, process CPU seconds, wall seconds) of one compare."""
    command = [sys.executable, "-c", "from backchannel.cli.main import main; main()"]
    command += ["compare", "iran-us", "-p", protocol, "-n", str(runs), "--seed", str(seed)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, env={**os.environ, "COLUMNS": "400"}
    ).stdout
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    found = re.search(rf"{re.escape(protocol)}: (\w+), ([\d,.]+) ms a run", output)
    shown = f"{found.group(1)}, {found.group(2)}" if found else "not shown"
    return shown, cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per protocol (default 5)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"iran-us, {args.runs} runs per protocol, seed {args.seed}")
    print("| protocol | engine, CPU ms a run | process CPU s | process wall s |")
    print("| --- | --- | --- | --- |")
    for protocol in PROTOCOLS:
        shown, cpu, wall = measure(protocol, args.runs, args.seed)
        print(f"| {protocol} | {shown} | {cpu:.2f} | {wall:.2f} |")


if __name__ == "__main__":
    main()
