"""A corpus of what the engines say, to prove that a refactoring changed nothing.

Usage::

    python benchmarks/transcript_corpus.py generate DIR     # write the corpus into DIR
    python benchmarks/transcript_corpus.py compare DIR1 DIR2  # exit 1 and list what differs

``generate`` plays a fixed grid through the command line, in-process (so it exercises what a
user sees): every protocol, every mediator policy, every strategy, channels that delay at random
(lognormal, triangular), lose, reword, add noise, leak or favour a side, several seeds and
scenarios. For each case it keeps the ``run --json`` document and the text account of
``run``; ``compare --out`` rows add the batch engine (and the step engine where the batch engine
does not apply) with variants. Every file is plain text, so ``compare`` is an exact comparison.

To check a change: generate a corpus at the commit before it (``git worktree add /tmp/ref
COMMIT`` and run with ``PYTHONPATH=/tmp/ref/src``), another after it, and compare the two.
"""

from __future__ import annotations

import argparse
import copy
import difflib
import os
import re
import sys
from pathlib import Path

import yaml

SEEDS = (0, 1, 2)
STRATEGIES = ("boulware", "conceder", "hardliner", "linear", "opponent-model", "tit-for-tat")
# (protocol, mediator or None); None is the protocol's default.
PROTOCOLS = (
    ("direct", None),
    ("shuttle", None),
    ("shuttle", "hold"),
    ("shuttle", "batch"),
    ("shuttle", "reword"),
    ("single-text", None),
    ("single-text", "hill-climbing"),
    ("confidential", None),
    ("confidential", "kalai-smorodinsky"),
)
COMPARE_ARMS = "direct,shuttle,single-text,confidential,shuttle:loss=0.2,shuttle:noise=0.3"


def bundled(name: str) -> dict:
    from backchannel.scenario.loader import bundled_path

    return yaml.safe_load(bundled_path(name).read_text(encoding="utf-8"))


def variant_scenarios() -> dict[str, dict]:
    """Channels the bundled scenarios do not exercise, as variants of buyer-seller."""
    base = bundled("buyer-seller")
    broker = base["channel"]["intermediaries"][0]

    def with_broker(name: str, **changes: object) -> dict:
        spec = copy.deepcopy(base)
        spec["name"] = name
        hop = {k: v for k, v in broker.items() if k not in changes}
        hop.update(changes)
        if "delay" in changes:
            hop.pop("delay_hours", None)
        spec["channel"]["intermediaries"] = [hop]
        return spec

    other = {k: v for k, v in broker.items() if k not in ("id", "name")}
    two_hops = copy.deepcopy(base)
    two_hops["name"] = "bs-two-hops"
    two_hops["channel"]["intermediaries"] = [
        broker,
        {**other, "id": "agent", "delay": {"distribution": "uniform", "low": 2, "high": 30}},
    ]
    two_hops["channel"]["intermediaries"][1].pop("delay_hours", None)
    two_hops["channel"]["routes"] = {"chain": [broker["id"], "agent"]}
    two_hops["channel"]["default_route"] = "chain"
    return {
        "bs-lognormal": with_broker(
            "bs-lognormal", delay={"distribution": "lognormal", "median": 12, "sigma": 0.6}
        ),
        "bs-lossy": with_broker("bs-lossy", loss=0.3),
        "bs-noisy": with_broker(
            "bs-noisy",
            fidelity=[{"kind": "noise", "probability": 0.5}],
            leak=0.3,
        ),
        "bs-biased": with_broker(
            "bs-biased", bias={"favours": base["parties"][0]["id"], "strength": 0.7}
        ),
        "bs-two-hops": two_hops,
    }


def scenario_files(folder: Path) -> dict[str, str]:
    """Scenario name → what to pass on the command line (bundled name or written file)."""
    folder.mkdir(parents=True, exist_ok=True)
    refs = {name: name for name in ("buyer-seller", "employment", "iran-us-2025")}
    split = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "split.yaml"
    refs["split"] = str(split)
    for name, spec in variant_scenarios().items():
        path = folder / f"{name}.yaml"
        staged = folder / f".{name}.{os.getpid()}.yaml"  # two corpora may be generated at once
        staged.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
        staged.replace(path)
        refs[name] = str(path)
    return refs


def cases(refs: dict[str, str]) -> list[tuple[str, list[str], bool]]:
    """(case name, run arguments, also keep the text account)."""
    out = []
    for scenario, ref in refs.items():
        for protocol, mediator in PROTOCOLS:
            base = [ref, "--protocol", protocol]
            if protocol == "direct":
                base.append("--force-direct")
            if scenario == "split" and protocol != "direct":
                base += ["--via", "broker"]
            if mediator:
                base += ["--mediator", mediator]
            label = f"{scenario}__{protocol}__{mediator or 'default'}"
            for strategy in ("default", *STRATEGIES):
                argv = list(base)
                if strategy != "default":
                    for party in party_ids(ref):
                        argv += ["--strategy", f"{party}={strategy}"]
                for seed in SEEDS:
                    text = strategy in ("default", "boulware") and seed == 0
                    out.append(
                        (f"{label}__{strategy}__s{seed}", [*argv, "--seed", str(seed)], text)
                    )
    for via in ("qatar", "doha-muscat"):
        for seed in SEEDS:
            out.append(
                (
                    f"iran-us__shuttle__via-{via}__s{seed}",
                    ["iran-us-2025", "--via", via, "--seed", str(seed)],
                    True,
                )
            )
    return out


_PARTIES: dict[str, list[str]] = {}


def party_ids(ref: str) -> list[str]:
    if ref not in _PARTIES:
        from backchannel.scenario.loader import load_scenario

        _PARTIES[ref] = list(load_scenario(ref).party_ids)
    return _PARTIES[ref]


def invoke(args: list[str]) -> str:
    from typer.testing import CliRunner

    from backchannel.cli.main import app

    result = CliRunner().invoke(app, args, env={"COLUMNS": "100", "NO_COLOR": "1"})
    return f"exit {result.exit_code}\n{result.output}"


def generate(target: Path) -> int:
    target.mkdir(parents=True, exist_ok=True)
    refs = scenario_files(Path("/tmp/backchannel-corpus-scenarios"))
    todo = cases(refs)
    for number, (name, argv, text) in enumerate(todo, start=1):
        (target / f"run__{name}.json").write_text(invoke(["run", *argv, "--json"]))
        if text:
            (target / f"run__{name}.txt").write_text(invoke(["run", *argv]))
        if number % 100 == 0:
            print(f"{number}/{len(todo)} runs", file=sys.stderr)
    rows = target / "_rows"
    rows.mkdir(exist_ok=True)
    for scenario in ("buyer-seller", "iran-us-2025", "split", "bs-lognormal", "bs-lossy"):
        ref = refs[scenario]
        for strategy in ("default", "boulware", "tit-for-tat", "opponent-model"):
            argv = ["compare", ref, "-p", COMPARE_ARMS, "-n", "12", "--seed", "5"]
            if scenario == "split":
                argv += ["--via", "broker"]
            if strategy != "default":
                for party in party_ids(ref):
                    argv += ["--strategy", f"{party}={strategy}"]
            csv = rows / f"{scenario}__{strategy}.csv"
            log = invoke([*argv, "--out", str(csv)])
            (target / f"compare__{scenario}__{strategy}.txt").write_text(log)
            if csv.exists():
                (target / f"compare__{scenario}__{strategy}.csv").write_text(csv.read_text())
                csv.unlink()
    rows.rmdir()
    print(f"wrote {len(list(target.iterdir()))} files to {target}", file=sys.stderr)
    return 0


MEASURED = re.compile(r"Engines used — .*?\(CPU time to play each run\)\.", re.DOTALL)


def comparable(text: str, folder: Path) -> list[str]:
    """The lines two corpora must agree on: a corpus names its own folder where a command
    echoes a path it wrote, and ``compare`` reports the CPU time each engine took, which no two
    runs share (the engine each arm used stays compared)."""
    text = text.replace(str(folder), "CORPUS")
    text = MEASURED.sub(
        lambda found: re.sub(r", [0-9.]+ ms a run", "", " ".join(found.group().split())), text
    )
    return text.splitlines()


def compare(first: Path, second: Path) -> int:
    a = {p.name for p in first.iterdir()}
    b = {p.name for p in second.iterdir()}
    problems = [f"only in {first}: {n}" for n in sorted(a - b)]
    problems += [f"only in {second}: {n}" for n in sorted(b - a)]
    changed = 0
    for name in sorted(a & b):
        left = comparable((first / name).read_text(), first)
        right = comparable((second / name).read_text(), second)
        if left != right:
            changed += 1
            if changed <= 10:
                diff = difflib.unified_diff(left, right, name, name, n=1, lineterm="")
                problems.append("\n".join(list(diff)[:20]))
    if changed > 10:
        problems.append(f"... and {changed - 10} more changed files")
    for line in problems:
        print(line)
    print(f"{len(a & b)} files compared, {changed} differ, {len(a ^ b)} in one corpus only")
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("generate").add_argument("dir", type=Path)
    both = sub.add_parser("compare")
    both.add_argument("first", type=Path)
    both.add_argument("second", type=Path)
    args = parser.parse_args()
    os.environ.setdefault("COLUMNS", "100")
    if args.command == "generate":
        return generate(args.dir)
    return compare(args.first, args.second)


if __name__ == "__main__":
    sys.exit(main())
