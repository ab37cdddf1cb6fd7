"""Many writers at once: more concurrent writers than the server has worker threads are all
answered and the server stops on SIGTERM under that load; two server processes on one
PostgreSQL database write to one negotiation without losing or mis-numbering anything."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from backchannel.service.storage.db import POOL_OVERFLOW, POOL_SIZE
from backchannel.service.storage.loop_engine import LOOP_POOL_SIZE

from .postgres import with_driver
from .server import SERVE, Server, browser, join

WORKER_THREADS = 40  # the server's thread pool (anyio's default)
WRITERS = WORKER_THREADS + 20


def open_negotiation(base: str, parties: int) -> tuple[str, httpx.Client, list[httpx.Client]]:
    """A started negotiation and ``parties`` browsers signed in to its 'us' seat."""
    mediator = browser(base, operator=True)
    created = mediator.post("/api/negotiations", data={"scenario": "iran-us-2025"}).json()
    seats = []
    for _ in range(parties):
        c = browser(base)
        join(c, created["invitations"]["us"])
        seats.append(c)
    assert mediator.post(f"/api/negotiations/{created['id']}/start").status_code == 200
    return created["id"], mediator, seats


def post_notes(base: str, negotiation: str, clients: list[httpx.Client], notes: int) -> list[int]:
    """Every client posts ``notes`` notes at once; the status of each answer (0: no answer)."""
    return post_notes_to(base, [(negotiation, c) for c in clients], notes)


def post_notes_to(base: str, writers: list[tuple[str, httpx.Client]], notes: int) -> list[int]:
    """Every (negotiation, client) pair posts ``notes`` notes at once; each answer's status."""
    statuses: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(len(writers))

    def write(negotiation: str, c: httpx.Client, who: int) -> None:
        # A jam leaves writers unanswered for good; a busy machine only slows them, so each
        # answer may take minutes here (the default 30 s lost one of 180 on a loaded CI box).
        c.timeout = httpx.Timeout(300.0)
        start.wait()
        for n in range(notes):
            # A kept-alive connection the server closes as the client reuses it fails in
            # transport without an answer; a client sends again with the same key, and the
            # service acts once (the numbering check below would see a second note).
            key = f"writer-{who}-note-{n}"
            status = 0
            for _attempt in range(3):
                try:
                    answer = c.post(
                        f"/api/negotiations/{negotiation}/messages",
                        json={"kind": "note", "text": f"writer {who} note {n}"},
                        headers={"Idempotency-Key": key},
                    )
                except httpx.TimeoutException:
                    break  # unanswered for minutes: a jam, never retried
                except httpx.TransportError:
                    continue
                status = answer.status_code
                break
            with lock:
                statuses.append(status)

    threads = [
        threading.Thread(target=write, args=(negotiation, c, i))
        for i, (negotiation, c) in enumerate(writers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_more_writers_than_threads_are_all_answered(tmp_path: Path) -> None:
    server = Server(tmp_path / "busy.db")
    try:
        negotiation, mediator, seats = open_negotiation(server.base, WRITERS)
        statuses = post_notes(server.base, negotiation, seats, 3)
        assert statuses.count(201) == 3 * WRITERS, sorted(set(statuses))
        view = mediator.get(f"/api/negotiations/{negotiation}").json()
        assert [m["id"] for m in view["messages"]] == list(range(1, 3 * WRITERS + 1))
    finally:
        server.kill()


@pytest.mark.parametrize("driver", ["pg8000", "asyncpg"])
def test_more_writers_than_connections_are_all_answered_on_postgresql(
    postgres: str, driver: str
) -> None:
    """On PostgreSQL each negotiation writes on its own; with more negotiations writing at once
    than the server keeps connections and writer threads, every write is still answered, and
    each negotiation's messages are numbered without gaps."""
    server = Server(with_driver(postgres, driver))
    try:
        count = max(POOL_SIZE, LOOP_POOL_SIZE) + POOL_OVERFLOW + 4
        opened = [open_negotiation(server.base, 1) for _ in range(count)]
        writers = [(negotiation, seats[0]) for negotiation, _, seats in opened]
        statuses = post_notes_to(server.base, writers, 3)
        assert statuses.count(201) == 3 * count, sorted(set(statuses))
        for negotiation, mediator, _ in opened:
            view = mediator.get(f"/api/negotiations/{negotiation}").json()
            assert [m["id"] for m in view["messages"]] == [1, 2, 3]
    finally:
        server.kill()


def test_sigterm_stops_the_server_under_load(tmp_path: Path) -> None:
    """SIGTERM while more writers than threads are waiting: the server exits, and
    every write it acknowledged is in a log that verifies."""
    server = Server(tmp_path / "stop.db")
    negotiation, mediator, seats = open_negotiation(server.base, WRITERS)
    acknowledged: list[int] = []

    def load() -> None:
        acknowledged.extend(post_notes(server.base, negotiation, seats, 50))

    writers = threading.Thread(target=load)
    writers.start()
    while server.process.poll() is None and mediator.get("/api/scenarios").status_code == 200:
        view = mediator.get(f"/api/negotiations/{negotiation}").json()
        if len(view["messages"]) >= WRITERS:
            break
    try:
        # uvicorn shuts down gracefully, then raises the signal again: it exits "by SIGTERM"
        assert server.terminate(timeout=120) in (0, -15), server.log_text()[-3000:]
    finally:
        if server.process.poll() is None:
            server.kill()
    writers.join()
    check = subprocess.run(
        [sys.executable, "-c", SERVE, "verify-log", "--database-url", server.url_db],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert acknowledged.count(201) >= WRITERS


@pytest.mark.parametrize("drivers", [("pg8000", "pg8000"), ("asyncpg", "pg8000")])
def test_two_server_processes_share_one_negotiation_on_postgresql(
    postgres: str, drivers: tuple[str, str]
) -> None:
    """Also one process writing on its event loop (asyncpg) beside one writing in threads."""
    first, second = (Server(with_driver(postgres, driver)) for driver in drivers)
    try:
        negotiation, mediator, seats = open_negotiation(first.base, 12)
        for c in seats[6:]:  # half of the writers talk to the other process
            c.base_url = httpx.URL(second.base)
        statuses = post_notes(first.base, negotiation, seats, 5)
        assert statuses.count(201) == 60, sorted(set(statuses))
        mediator.base_url = httpx.URL(second.base)
        view = mediator.get(f"/api/negotiations/{negotiation}").json()
        notes = [m for m in view["messages"] if m["kind"] == "note"]
        assert len({m["text"] for m in notes}) == 60
        assert [m["id"] for m in view["messages"]] == list(range(1, 61))
    finally:
        first.kill()
        second.kill()
    check = subprocess.run(
        [sys.executable, "-c", SERVE, "verify-log", "--database-url", postgres],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
