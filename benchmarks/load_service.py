"""Load on the live service: many concurrent negotiations posting offers through the mediator.

Starts ``backchannel serve`` on a loopback port (a fresh SQLite file unless --database-url is
given), opens N negotiations of the flagship scenario, and has one worker per negotiation post
offers (a party's proposal, then the mediator passing it on). Reports throughput and the p50/p99
latency of posting an offer, then checks the event log.

Two ways to load it:

- closed loop (the default): each worker posts its next offer as soon as the previous one was
  passed on, so the server runs flat out; this measures its capacity (offers/s). With N workers
  each waiting for the others' turns, every request waits about N / throughput: this mode
  measures queueing, not the latency a user sees at a given load;
- open loop (``--rate R``): offers arrive on a fixed schedule, R per second across all
  negotiations, whether or not earlier ones were answered; each offer's latency is counted from
  its scheduled time, so a server that falls behind is charged for the wait (no coordinated
  omission). This measures the latency at a given load.

The workers speak HTTP/1.1 over kept-alive sockets with asyncio, so the load generator takes
little of the two cores it shares with the server; ``--http-client httpx`` uses one httpx
client and thread per negotiation instead (the earlier generator, about 1.5 ms of CPU a request).

    python benchmarks/load_service.py                      # 20 negotiations x 25 offers
    python benchmarks/load_service.py --negotiations 50 --offers 40
    python benchmarks/load_service.py --negotiations 50 --offers 40 --rate 200
    python benchmarks/load_service.py --negotiations 50 --offers 40 --rate 200 --repeat 10
    python benchmarks/load_service.py --negotiations 50 --offers 40 --idempotency-keys
    python benchmarks/load_service.py --database-url postgresql+asyncpg://...

``--repeat N`` runs it N times, each with a fresh server and SQLite file, and then counts the
runs whose p99 stayed under ``--p99-target`` (100 ms): the machine's speed varies from minute to
minute, so one run says little about how reliably a target is met.

Bounded: at most --negotiations x --offers offers per run, and each stops after --max-seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import psutil

SERVE = "from backchannel.cli.main import main; main()"
HOST = "127.0.0.1"
OPERATOR = "load-test-operator-token-0123456789"
KEEP_ALIVE_SECONDS = 4.0
"""A kept-alive socket idle longer than this is replaced (uvicorn closes them after 5 s)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def start_server(database_url: str, data_dir: str, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    environment = {
        **os.environ,
        "BACKCHANNEL_SECRET_KEY": "load-test-secret-0123456789abcdef",
        "BACKCHANNEL_OPERATOR_TOKEN": OPERATOR,
        "BACKCHANNEL_DATA_DIR": data_dir,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            SERVE,
            "serve",
            "--host",
            HOST,
            "--port",
            str(port),
            "--database-url",
            database_url,
            *(["--workers", str(workers)] if workers > 1 else []),
        ],
        env=environment,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://{HOST}:{port}"
    for _ in range(300):
        try:
            if httpx.get(base + "/api/scenarios", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start")


def client(base: str, operator: bool = False) -> httpx.Client:
    # Writes answer with the message's number only, not the whole room (Prefer: return=minimal).
    c = httpx.Client(base_url=base, timeout=30, headers={"Prefer": "return=minimal"})
    c.get("/")
    c.headers["X-CSRF-Token"] = c.cookies["bc_csrf"]
    if operator:
        c.headers["Authorization"] = f"Bearer {OPERATOR}"
    return c


def create_and_join(base: str, scenario: str) -> tuple[dict, httpx.Client, httpx.Client]:
    """A new negotiation, created as the operator (who becomes its mediator), and the US
    party's client, joined through its invitation link: what was created, the mediator, the
    party."""
    mediator = client(base, operator=True)
    created = mediator.post("/api/negotiations", data={"scenario": scenario})
    if created.status_code != 201:
        raise SystemExit(f"creating a negotiation answered {created.status_code}: {created.text}")
    party = client(base)
    join = "/join/" + created.json()["invitations"]["us"].rsplit("/", 1)[1]
    joined = party.post(join, data={"csrf": party.cookies["bc_csrf"]})
    if joined.status_code != 303:
        raise SystemExit(f"joining as a party answered {joined.status_code}: {joined.text}")
    return created.json(), mediator, party


def open_negotiation(base: str) -> dict:
    created, mediator, party = create_and_join(base, "iran-us-2025")
    mediator.post(f"/api/negotiations/{created['id']}/start").raise_for_status()
    room = party.get(f"/api/negotiations/{created['id']}/room").json()
    options = [[o["label"] for o in i["options"]] for i in room["preferences"]["issues"]]
    issues = [i["id"] for i in room["preferences"]["issues"]]
    return {
        "id": created["id"],
        "mediator": mediator,
        "party": party,
        "issues": issues,
        "options": options,
    }


Timed = tuple[float, float]
"""An offer's moment of sending (``time.perf_counter``) and its latency, in seconds."""


def play(negotiation: dict, offers: int, seed: int, stop_at: float) -> list[Timed]:
    """Post offers and pass each on with httpx; each offer's POST, timed."""
    latencies = []
    for offer, terms in enumerate(packages(negotiation, offers, seed)):
        if time.monotonic() > stop_at:
            break
        began = time.perf_counter()
        answer = negotiation["party"].post(
            f"/api/negotiations/{negotiation['id']}/messages", json=proposal(terms)
        )
        latencies.append((began, time.perf_counter() - began))
        answer.raise_for_status()
        negotiation["mediator"].post(
            f"/api/negotiations/{negotiation['id']}/relay", json=relay_of(offer)
        ).raise_for_status()
    return latencies


def packages(negotiation: dict, offers: int, seed: int) -> list[dict[str, str]]:
    """The random packages one negotiation's party proposes, one per offer."""
    rng = np.random.default_rng(seed)
    return [
        {
            issue: values[int(rng.integers(len(values)))]
            for issue, values in zip(negotiation["issues"], negotiation["options"], strict=True)
        }
        for _ in range(offers)
    ]


def proposal(terms: dict[str, str]) -> dict:
    return {"kind": "proposal", "terms": terms, "confirm_below_walkaway": True}


def relay_of(offer: int) -> dict:
    """Offer k (from 0) is the negotiation's message 2k + 1 as the mediator numbers them: each
    offer is followed by its relay."""
    return {"to": "iran", "source": 2 * offer + 1}


class Connection:
    """One kept-alive HTTP/1.1 connection speaking for one caller (its cookies and headers).

    Plain asyncio: a request costs the load generator a few tens of microseconds of CPU, so
    nearly all of the machine is left to the server being measured."""

    def __init__(self, base: str, caller: httpx.Client, keys: bool = False) -> None:
        self.host, port = base.removeprefix("http://").split(":")
        self.port = int(port)
        cookies = "; ".join(f"{c.name}={c.value}" for c in caller.cookies.jar)
        extra = {
            k: v
            for k, v in caller.headers.items()
            if k.lower() in ("authorization", "x-csrf-token", "prefer")
        }
        lines = [f"Host: {self.host}:{self.port}", f"Cookie: {cookies}"]
        lines += [f"{k}: {v}" for k, v in extra.items()]
        lines += ["Content-Type: application/json"]
        self.headers = "\r\n".join(lines)
        self.keys = keys  # a fresh Idempotency-Key with each action, as the browser sends
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.used = 0.0

    async def post(self, path: str, document: dict) -> tuple[int, bytes]:
        """The status and body of one POST (reconnecting if the server closed the socket)."""
        body = json.dumps(document).encode()
        key = f"Idempotency-Key: {uuid.uuid4().hex}\r\n" if self.keys else ""
        head = f"POST {path} HTTP/1.1\r\n{self.headers}\r\n{key}Content-Length: {len(body)}\r\n\r\n"
        if self.writer is not None and time.monotonic() - self.used > KEEP_ALIVE_SECONDS:
            self.close()  # the server may be closing it just now: never reuse a stale socket
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.used = time.monotonic()
        self.writer.write(head.encode() + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = raw.decode("latin-1").split("\r\n")
        fields = dict(
            (name.strip().lower(), value.strip())
            for name, _, value in (line.partition(":") for line in header_lines if line)
        )
        if "content-length" not in fields:
            raise SystemExit(f"the server answered without a Content-Length: {status_line}")
        answer = await self.reader.readexactly(int(fields["content-length"]))
        if fields.get("connection", "").lower() == "close":
            self.close()
        return int(status_line.split()[1]), answer

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def play_async(
    base: str,
    negotiation: dict,
    offers: int,
    seed: int,
    stop_at: float,
    times: list[float] | None,
    keys: bool = False,
) -> list[Timed]:
    """One negotiation's offers, each passed on; each offer's POST, timed.

    ``times`` are the offers' scheduled moments (open loop; latency counts from the schedule),
    or None to post each offer as soon as the previous one was passed on (closed loop)."""
    party, mediator = (
        Connection(base, negotiation["party"], keys),
        Connection(base, negotiation["mediator"], keys),
    )
    path = f"/api/negotiations/{negotiation['id']}"
    latencies = []
    try:
        for offer, terms in enumerate(packages(negotiation, offers, seed)):
            if time.monotonic() > stop_at:
                break
            began = time.perf_counter()
            if times is not None:
                await asyncio.sleep(max(0.0, times[offer] - began))
                began = times[offer]
            status, answer = await party.post(f"{path}/messages", proposal(terms))
            latencies.append((began, time.perf_counter() - began))
            if status >= 300:
                raise SystemExit(f"posting an offer answered {status}: {answer[:300]!r}")
            status, answer = await mediator.post(f"{path}/relay", relay_of(offer))
            if status >= 300:
                raise SystemExit(f"passing an offer on answered {status}: {answer[:300]!r}")
    finally:
        party.close()
        mediator.close()
    return latencies


async def run_all(
    base: str,
    negotiations: list[dict],
    offers: int,
    seeds: list[int],
    stop_at: float,
    rate: float,
    keys: bool = False,
) -> list[list[Timed]]:
    """Every negotiation's worker at once, closed loop, or open loop at ``rate`` offers/s."""
    start = time.perf_counter() + 0.2
    schedules: list[list[float] | None] = [None] * len(negotiations)
    if rate > 0:
        each = len(negotiations) / rate  # seconds between one negotiation's offers
        phases = np.random.default_rng(seeds[0] if seeds else 0).uniform(0, each, len(seeds))
        schedules = [[start + phase + k * each for k in range(offers)] for phase in phases]
    runs = [
        play_async(base, negotiation, offers, seed, stop_at, schedule, keys)
        for negotiation, seed, schedule in zip(negotiations, seeds, schedules, strict=True)
    ]
    return list(await asyncio.gather(*runs))


def yardstick() -> float:
    """Milliseconds of CPU that one fixed piece of Python work takes (hashing and dictionary
    work, as a write does): printed before and after a run, it shows how fast the machine was
    then, so figures from different runs can be compared."""
    began = time.process_time()
    digest, table = b"", {}
    for k in range(40_000):
        digest = hashlib.sha256(digest + str(k).encode()).digest()
        table[k % 997] = (digest[:4], k)
    return 1000 * (time.process_time() - began)


def stolen_seconds() -> float:
    """CPU seconds the hypervisor gave to other machines (Linux's ``steal``; 0 elsewhere)."""
    return float(getattr(psutil.cpu_times(), "steal", 0.0))


def cpu_of(server: psutil.Process) -> float:
    """CPU seconds of the server and of its worker processes (``--workers``)."""
    total = 0.0
    for process in [server, *server.children(recursive=True)]:
        try:
            total += sum(process.cpu_times()[:2])
        except psutil.NoSuchProcess:
            continue
    return total


def threads_cpu(server: psutil.Process) -> dict[tuple[int, int], float]:
    """CPU seconds of each thread of the server and of its worker processes, by (process,
    thread) id."""
    seconds = {}
    for process in [server, *server.children(recursive=True)]:
        try:
            for thread in process.threads():
                seconds[(process.pid, thread.id)] = thread.user_time + thread.system_time
        except psutil.NoSuchProcess:
            continue
    return seconds


def busiest_thread(
    before: dict[tuple[int, int], float], after: dict[tuple[int, int], float], elapsed: float
) -> float:
    """The share of one core the busiest server thread used during the run: in each process
    that is the event loop, which runs every request's Python (more than about 0.8 and the
    latency climbs steeply)."""
    used = [after[key] - before.get(key, 0.0) for key in after]
    return max(used, default=0.0) / elapsed


def stop(process: subprocess.Popen) -> str:
    """SIGTERM, as a service manager stops it; SIGKILL if it has not stopped in 30 s."""
    began = time.perf_counter()
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return "only by SIGKILL: SIGTERM did not stop it in 30 s"
    return f"by SIGTERM in {time.perf_counter() - began:.1f} s"


def print_by_second(timed: np.ndarray, began: float) -> None:
    """p50 and p99 of the offers sent in each second of the run: a start-up that costs more
    than the steady state shows in the first seconds."""
    seconds = np.floor(timed[:, 0] - began).astype(int)
    for second in np.unique(seconds):
        chosen = timed[seconds == second, 1] * 1000
        print(
            f"  second {second:3d}: {len(chosen):4d} offers, p50 {np.percentile(chosen, 50):6.1f} "
            f"ms, p99 {np.percentile(chosen, 99):6.1f} ms"
        )


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--negotiations", type=int, default=20)
    parser.add_argument("--offers", type=int, default=25, help="offers per negotiation")
    parser.add_argument("--max-seconds", type=float, default=120.0)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1, help="server processes (PostgreSQL only)")
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="open loop: offers per second across all negotiations (0: closed loop, flat out)",
    )
    parser.add_argument(
        "--http-client",
        choices=["asyncio", "httpx"],
        default="asyncio",
        help="the load generator: kept-alive asyncio sockets, or one httpx client per thread",
    )
    parser.add_argument(
        "--idempotency-keys",
        action="store_true",
        help="send a fresh Idempotency-Key with each write, as the browser pages do",
    )
    parser.add_argument(
        "--by-second",
        action="store_true",
        help="also the offers' latency per second of the run, by when each was sent",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs, each with a fresh server (and a fresh SQLite file), then how many of them "
        "kept the p99 under --p99-target",
    )
    parser.add_argument(
        "--p99-target",
        type=float,
        default=100.0,
        help="milliseconds: the p99 that --repeat counts runs against",
    )
    args = parser.parse_args()
    if args.idempotency_keys and args.http_client != "asyncio":
        parser.error("--idempotency-keys needs the asyncio load generator")
    if args.repeat < 1:
        parser.error(f"--repeat {args.repeat}: give at least 1 run")
    if args.repeat > 1 and args.database_url:
        parser.error(
            "--repeat with --database-url: each run needs a fresh database (its log anchor "
            "names only that run's chains); run the command once per fresh database instead"
        )
    return args


def main() -> None:
    args = parse_arguments()
    runs = []
    for run in range(1, args.repeat + 1):
        if args.repeat > 1:
            print(f"--- run {run} of {args.repeat}, {time.strftime('%H:%M:%S')}")
        runs.append(run_once(args))
    if args.repeat > 1:
        print_runs(runs, args.p99_target)


def run_once(args: argparse.Namespace) -> dict[str, float]:
    """One run with a fresh server: its report printed; its p99, throughput, event loop's
    share of a core and the machine's speed."""
    folder = tempfile.mkdtemp(prefix="backchannel-load-")
    database_url = args.database_url or f"sqlite:///{Path(folder) / 'load.db'}"
    process, base = start_server(database_url, str(Path(folder) / "data"), args.workers)
    try:
        negotiations = [open_negotiation(base) for _ in range(args.negotiations)]
        seeds = np.random.SeedSequence(args.seed).generate_state(len(negotiations))
        server = psutil.Process(process.pid)
        speed_before, stolen = yardstick(), stolen_seconds()
        server_cpu, threads_before = cpu_of(server), threads_cpu(server)
        own_cpu = time.process_time()
        began = time.perf_counter()
        stop_at = time.monotonic() + args.max_seconds
        if args.http_client == "httpx":
            with ThreadPoolExecutor(max_workers=len(negotiations)) as pool:
                results = list(
                    pool.map(
                        lambda pair: play(pair[0], args.offers, int(pair[1]), stop_at),
                        zip(negotiations, seeds, strict=True),
                    )
                )
        else:
            results = asyncio.run(
                run_all(
                    base,
                    negotiations,
                    args.offers,
                    [int(s) for s in seeds],
                    stop_at,
                    args.rate,
                    args.idempotency_keys,
                )
            )
        elapsed = time.perf_counter() - began
        server_cpu = cpu_of(server) - server_cpu
        loop_share = busiest_thread(threads_before, threads_cpu(server), elapsed)
        own_cpu = time.process_time() - own_cpu
        stolen = stolen_seconds() - stolen
        speed_after = yardstick()
    finally:
        stopped = stop(process)
    timed = np.array([pair for run in results for pair in run])
    latencies = timed[:, 1] * 1000
    backend = database_url.split(":", 1)[0]
    load = f"open loop at {args.rate:g} offers/s" if args.rate > 0 else "closed loop (flat out)"
    print(
        f"backend: {backend}; {len(negotiations)} concurrent negotiations; "
        f"{args.workers} server process(es); {load}; generator {args.http_client}"
        + ("; an Idempotency-Key with each write" if args.idempotency_keys else "")
    )
    print(f"offers posted: {len(latencies)} (each also passed on) in {elapsed:.1f} s")
    print(
        f"throughput: {len(latencies) / elapsed:.1f} offers/s "
        f"({2 * len(latencies) / elapsed:.1f} acknowledged writes/s)"
    )
    p99 = float(np.percentile(latencies, 99))
    print(
        f"offer latency: p50 {np.percentile(latencies, 50):.1f} ms, "
        f"p99 {p99:.1f} ms, max {latencies.max():.1f} ms"
    )
    if args.by_second:
        print_by_second(timed, began)
    print(
        f"CPU during the run: server {server_cpu:.1f} s "
        f"({1000 * server_cpu / (2 * len(latencies)):.2f} ms per acknowledged write), "
        f"load generator {own_cpu:.1f} s, of {2 * elapsed:.1f} s on 2 cores"
    )
    print(
        f"event loop (the server's busiest thread): {100 * loop_share:.0f}% of a core "
        "during the run"
    )
    print(
        "machine load average (1, 5, 15 min) at the end: "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg())
        + f" on {os.cpu_count()} cores (a shared machine slows every figure above)"
    )
    print(
        f"machine speed: a fixed piece of Python work took {speed_before:.0f} ms of CPU before "
        f"the run and {speed_after:.0f} ms after (more: a slower machine); the hypervisor "
        f"took {stolen:.1f} s of the cores' time during the run"
    )
    print(f"server stopped {stopped}")
    check = subprocess.run(
        [
            *(sys.executable, "-c", SERVE, "verify-log", "--database-url", database_url),
            *("--anchor", str(Path(folder) / "data" / "log-anchor")),
        ],
        capture_output=True,
        text=True,
    )
    print("event log:", (check.stdout or check.stderr).strip())
    if check.returncode != 0:
        raise SystemExit("verify-log found problems in the event log after the run")
    return {
        "p99": p99,
        "throughput": len(latencies) / elapsed,
        "speed": max(speed_before, speed_after),
        "loop": loop_share,
    }


def print_runs(runs: list[dict[str, float]], target: float) -> None:
    """The runs side by side: how often the p99 stayed under the target, and the machine's
    speed in each (a slow machine explains a slow run; it does not excuse it)."""
    print(f"--- {len(runs)} runs")
    for number, run in enumerate(runs, 1):
        print(
            f"  run {number:2d}: {run['throughput']:6.1f} offers/s, p99 {run['p99']:7.1f} ms, "
            f"event loop {100 * run['loop']:3.0f}% busy, "
            f"machine's fixed work took up to {run['speed']:.0f} ms"
        )
    p99s = np.array([run["p99"] for run in runs])
    print(
        f"p99 under {target:g} ms in {int((p99s < target).sum())} of {len(runs)} runs "
        f"(median {np.median(p99s):.1f} ms, range {p99s.min():.1f} to {p99s.max():.1f} ms)"
    )


if __name__ == "__main__":
    main()
