"""An attack pass on a real ``backchannel serve`` process: fuzzed API requests, hostile and
malformed uploads, and a watcher that keeps asking for a cheap page meanwhile.

Reports the requests sent, the 5xx answers, the hangs (a request or a watcher ping not answered
within --hang-seconds), and the peak memory of the server: its own peak resident set (VmHWM)
and the largest total proportional set size (PSS: shared pages counted once) of the server and
its upload-checking children, sampled every 20 ms from /proc (Linux).

    python benchmarks/attack_service.py                   # 8 examples per operation, 200 uploads
    python benchmarks/attack_service.py --examples 20 --uploads 500
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from load_service import client, create_and_join, start_server

ROOT = Path(__file__).parents[1]
SPLIT = (ROOT / "tests" / "fixtures" / "split.yaml").read_text()
TOKENS = ["*a", "&a ", "[", "]", "{", "}", ": ", "- ", "\n  ", ".nan", ".inf", "1e308", "1e-300"]
TOKENS += ["!!python/object:os.system", "<<: *a", "'", '"', "\t", "mediator", "9" * 400]
TOKENS += ["!!int ", "!!float ", "2001-13-45", "1" * 5000, "? [a]\n: "]


def hostile_uploads() -> list[tuple[str, str]]:
    bomb = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    bomb += [f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 9)}]" for k in range(1, 9)]

    def ranged(bounds: str) -> str:
        return SPLIT.replace("range: {min: 0, max: 100, step: 1}", f"range: {{{bounds}}}")

    return [
        ("alias-bomb.yaml", "\n".join(bomb) + "\n"),
        ("cycle.yaml", "a: &a [*a]\n"),
        ("deep.yaml", "name: x\nissues: " + "[" * 5000 + "]" * 5000 + "\n"),
        ("deep.json", '{"name": "x", "issues": ' + "[" * 5000 + "]" * 5000 + "}"),
        ("huge-range.yaml", ranged("min: 0, max: 1e8, step: 1")),
        ("inf.yaml", ranged("min: 0, max: .inf, step: 1")),
        ("e308.yaml", ranged("min: 0, max: 1e308, step: 1")),
        ("tiny-step.yaml", ranged("min: 0, max: 1, step: 1e-300")),
        ("cap.yaml", ranged("min: 0, max: 1999999, step: 1")),
        ("large.yaml", SPLIT + "#" * (1 << 20)),
        ("mediator.yaml", SPLIT.replace("  - id: b\n", "  - id: mediator\n")),
    ]


def mutated(rng: random.Random) -> tuple[str, str]:
    text = SPLIT
    for _ in range(rng.randint(1, 6)):
        start = rng.randint(0, len(text))
        filler = "".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 8)))
        text = text[:start] + filler + text[start + rng.randint(0, 40) :]
    return rng.choice(["f.yaml", "f.json", "f.yml"]), text


def descendants(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(entry))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(parents.get(pid, []))
    return found


def proportional(pid: int) -> int:
    """The process's proportional set size (shared pages split among their users), bytes."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class MemoryWatch(threading.Thread):
    """The largest proportional-set total of a process tree, sampled until stopped."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root, self.peak, self.stop = root, 0, threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.02):
            self.peak = max(self.peak, sum(proportional(p) for p in descendants(self.root)))


class Watcher(threading.Thread):
    """Asks for the scenario list again and again; records the slowest answer."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base, self.slowest, self.count, self.stop = base, 0.0, 0, threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=120) as c:
            while not self.stop.is_set():
                began = time.perf_counter()
                c.get("/api/scenarios")
                self.slowest = max(self.slowest, time.perf_counter() - began)
                self.count += 1


def fuzz_api(base: str, examples: int, hang: float, seed: int) -> tuple[int, int, int]:
    import schemathesis
    from hypothesis.errors import Unsatisfiable

    created, mediator, party = create_and_join(base, "iran-us")
    schema = schemathesis.openapi.from_url(base + "/openapi.json")
    # The event stream stays open by design (the tests fuzz it with streams that end at once);
    # here it is opened once and closed after its headers.
    operations = sorted(
        (r.ok() for r in schema.get_all_operations() if not r.ok().path.endswith("/events")),
        key=lambda op: op.path.endswith("/close"),
    )
    with mediator.stream("GET", f"/api/negotiations/{created['id']}/events") as stream:
        assert stream.status_code == 200, stream.status_code
    counts: dict = {"sent": 0, "5xx": 0, "hangs": 0, "hung": []}
    for operation in operations:
        given_path = (
            {"negotiation_id": created["id"]} if "{negotiation_id}" in operation.path else None
        )
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            for who in (mediator, party):
                strategy = operation.as_strategy(mode, path_parameters=given_path)
                with contextlib.suppress(Unsatisfiable):
                    _fuzz_one(strategy, base, who, examples, hang, seed, counts)
    if counts["hung"]:
        print("hung:", *counts["hung"], sep="\n  ")
    return counts["sent"], counts["5xx"], counts["hangs"]


def _fuzz_one(  # type: ignore[no-untyped-def]
    strategy, base: str, who: httpx.Client, examples: int, hang: float, seed: int, counts
) -> None:
    """``examples`` requests drawn from ``strategy``; the seed makes the pass repeatable (and
    keeps Hypothesis from printing a seed for each operation it cannot draw for)."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as seeded

    headers, cookies = {"X-CSRF-Token": who.cookies["bc_csrf"]}, dict(who.cookies)

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @seeded(seed)
    @given(case=strategy)
    def call(case) -> None:  # type: ignore[no-untyped-def]
        counts["sent"] += 1
        began = time.perf_counter()
        try:
            answer = case.call(base_url=base, headers=headers, cookies=cookies, timeout=hang)
        except Exception:  # a timeout or a dropped connection
            counts["hangs"] += 1
            counts["hung"].append(f"{case.method} {case.formatted_path}")
            return
        counts["5xx"] += answer.status_code >= 500
        if time.perf_counter() - began > hang:
            counts["hangs"] += 1
            counts["hung"].append(f"{case.method} {case.formatted_path}")

    call()


def attack_uploads(base: str, uploads: int, hang: float, seed: int) -> tuple[int, int, int, int]:
    """Uploads sent, answered 5xx, hung, and refused before being read (401 or 403: an
    upload that never reached the scenario checks tested nothing)."""
    rng = random.Random(seed)
    files = hostile_uploads()
    files += [mutated(rng) for _ in range(max(0, uploads - len(files)))]
    sent = server_errors = hangs = unread = 0
    c = client(base, operator=True)  # without the operator token no upload would be read
    for name, text in files:
        sent += 1
        try:
            answer = c.post(
                "/api/negotiations",
                files={"file": (name, text.encode("utf-8", "surrogatepass"))},
                timeout=hang,
            )
        except httpx.TimeoutException:
            hangs += 1
            continue
        server_errors += answer.status_code >= 500
        unread += answer.status_code in (401, 403)
    return sent, server_errors, hangs, unread


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--examples", type=int, default=8, help="requests per operation, mode, role"
    )
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--hang-seconds", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite:///{Path(folder) / 'attack.db'}"
        process, base = start_server(database, str(Path(folder) / "data"), workers=1)
        memory, watcher = MemoryWatch(process.pid), Watcher(base)
        memory.start()
        watcher.start()
        try:
            api = fuzz_api(base, options.examples, options.hang_seconds, options.seed)
            idle_peak = memory.peak
            uploads = attack_uploads(base, options.uploads, options.hang_seconds, options.seed)
            status = Path(f"/proc/{process.pid}/status").read_text()
            own_peak = next(line for line in status.splitlines() if line.startswith("VmHWM"))
        finally:
            watcher.stop.set()
            memory.stop.set()
            process.terminate()
            process.wait(timeout=30)
    megabytes = 1 << 20
    print(f"API fuzz:     {api[0]} requests, {api[1]} 5xx, {api[2]} hangs")
    print(
        f"upload fuzz:  {uploads[0]} uploads, {uploads[1]} 5xx, {uploads[2]} hangs, "
        f"{uploads[3]} refused unread (401/403)"
    )
    print(f"watcher:      {watcher.count} pings, slowest {watcher.slowest:.2f} s")
    print(f"server peak:  {own_peak.split(':')[1].strip()} resident (VmHWM of the server process)")
    print(
        f"tree peak:    {memory.peak / megabytes:.0f} MB (PSS), server and checking children "
        f"(before the uploads: {idle_peak / megabytes:.0f} MB)"
    )


if __name__ == "__main__":
    main()
