"""The experiment commands as a user runs them, timed end to end from the shell.

    python benchmarks/experiments.py                 # every case below
    python benchmarks/experiments.py flagship table  # only some of them
    python benchmarks/experiments.py flagship flagship-2025 --runs 100000 --backend process
    python benchmarks/experiments.py kinds --runs 20  # ms a run per protocol, batch and step

Each case runs one ``backchannel`` command in a new process (start-up, scenario loading, draws,
play, metrics and printing included) and prints its wall time and the peak memory of the
command's processes (``ru_maxrss`` of the children, so a process pool's largest worker):

* ``flagship``: ``compare iran-us -p shuttle -n 500 --seed 1``: the 2026 flagship (1,990,656
  outcomes) with its full declared uncertainty (both sides' weights and walk-away values, every
  delay), its timeline, both ratifiers (Congress, the Supreme Leader), the leaky Omani channel
  and the breakdown hazard, one core;
* ``flagship-2025``: the same on the seed-only flagship ``iran-us-2025`` (55,296 outcomes, no
  leaks, no hazard, Iran's ratifier only);
* ``table``: the README's seven-protocol, 500-run ``compare`` with ``--backend process``;
* ``mediated``: single-text and confidential mediation, and the lossy and noisy shuttle, 100
  runs each on one core (what the protocols that the batch engine does not cover cost);
* ``sweep``: the README's ``whatif --sweep rial_depreciation=0:0.8:9``.
* ``kinds``: per protocol and channel kind of the seven-protocol table (``TABLE``), the CPU
  milliseconds a run that ``compare`` spends playing it on the flagship (``--scenario``,
  default ``iran-us``, with its drawn weights), once with the engine ``compare`` picks (batch
  where it applies) and once forced step by step, ``--runs`` runs each (default 20 for this
  case), in this process: the ``play_ms`` that ``compare``'s engines line prints, so draws,
  the zone and the frontier every arm shares are left out.
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
    def flagship(name: str) -> list[str]:
        command = ["compare", name, "-p", "shuttle", "-n", str(runs), "--seed", "1"]
        return command + (["--backend", backend] if backend != "local" else [])

    return {
        "flagship": flagship("iran-us"),
        "flagship-2025": flagship("iran-us-2025"),
        "table": ["compare", "iran-us-2025", "-n", "500", "--seed", "1", "--backend", "process",
                  "-p", TABLE],
        "mediated": ["compare", "iran-us-2025", "-n", "100", "--seed", "1", "-p",
                     "single-text,confidential,shuttle:loss=0.1,shuttle:noise=0.3"],
        "sweep": ["whatif", "--sweep", "rial_depreciation=0:0.8:9"],
    }  # fmt: skip


# The command, reporting at exit the peak resident memory of itself or of any process it
# started (a process pool's workers), in KiB.
_MEASURED = (
    "import atexit, resource, sys\n"
    "def peak():\n"
    "    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "    sys.stderr.write(f'\\nPEAK {max(own, workers)}\\n')\n"
    "atexit.register(peak)\n"
    "from backchannel.cli.main import main\n"
    "main()\n"
)


def timed(arguments: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (the command's processes, user + system) and peak MiB
    (the command's largest process) of one ``backchannel`` command. On a shared machine the wall
    time grows with the load; the CPU time much less."""
    command = [sys.executable, "-c", _MEASURED, *arguments]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak = max(
        int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("PEAK ")
    )
    if done.returncode != 0:
        raise SystemExit(f"'backchannel {' '.join(arguments)}' failed:\n{done.stderr[-2000:]}")
    return elapsed, cpu, peak / 1024


def kinds(scenario_name: str, runs: int, seed: int = 1) -> None:
    """Print the per-kind table of the ``kinds`` case (see the module docstring)."""
    from backchannel.experiments.compare import CompareSettings, parse_arms, run_comparison
    from backchannel.scenario.loader import load_scenario

    scenario = load_scenario(scenario_name)
    arms = parse_arms(TABLE, scenario)
    print(f"{scenario_name}, {runs} runs per protocol, seed {seed}: CPU ms a run of play")
    print("| protocol / channel | engine used | ms a run | step engine, ms a run | step / used |")
    print("| --- | --- | ---: | ---: | ---: |")
    for arm in arms:
        measured = {}
        for engine in ("auto", "step"):
            settings = CompareSettings(arms=(arm,), runs=runs, seed=seed, engine=engine)
            comparison = run_comparison(scenario, settings)
            measured[engine] = (comparison.engines[arm.label], comparison.play_ms[arm.label])
        (used, auto_ms), (_, step_ms) = measured["auto"], measured["step"]
        ratio = f"{step_ms / auto_ms:.1f}x" if "batch" in used else "-"
        print(
            f"| {arm.label} | {', '.join(used)} | {auto_ms:,.2f} | {step_ms:,.2f} | {ratio} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", nargs="*", help="cases to run (default: all)")
    parser.add_argument("--runs", type=int, default=500, help="runs of the flagship cases")
    parser.add_argument("--backend", default="local", help="backend of the flagship cases")
    parser.add_argument("--scenario", default="iran-us", help="scenario of the kinds case")
    options = parser.parse_args()
    table = cases(options.runs, options.backend)
    chosen = options.which or [*table, "kinds"]
    if "kinds" in chosen:
        chosen.remove("kinds")
        kind_runs = options.runs if "--runs" in sys.argv else 20
        kinds(options.scenario, kind_runs)
        if not chosen:
            return
    unknown = [name for name in chosen if name not in table]
    if unknown:
        parser.error(f"unknown case {', '.join(unknown)}; choose from: {', '.join(table)}")
    print(f"{'case':10} {'wall s':>8} {'CPU s':>8} {'peak MiB':>9}  command")
    for name in chosen:
        seconds, cpu, peak = timed(table[name])
        line = (
            f"{name:10} {seconds:8.1f} {cpu:8.1f} {peak:9.0f}  backchannel {' '.join(table[name])}"
        )
        print(line, flush=True)
        if name.startswith("flagship"):
            each = 1000 * seconds / options.runs, 1000 * cpu / options.runs
            print(f"{'':10} {each[0]:8.2f} {each[1]:8.2f} ms a run, end to end", flush=True)
            one = [*table[name][:5], "1", *table[name][6:]]  # the same command, one run
            _, cpu_one, _ = timed(one)
            added = 1000 * (cpu - cpu_one) / (options.runs - 1)
            print(f"{'':10} {'':8} {added:8.2f} ms CPU per run beyond the first", flush=True)


if __name__ == "__main__":
    main()
