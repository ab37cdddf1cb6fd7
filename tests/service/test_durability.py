"""An acknowledged message survives the server being killed mid-burst (SIGKILL, no shutdown)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from .server import SERVE, Server, join
from .server import browser as session


def test_every_acknowledged_message_survives_a_kill(tmp_path: Path) -> None:
    database = tmp_path / "durable.db"
    server = Server(database)
    try:
        mediator = session(server.base, operator=True)
        created = mediator.post("/api/negotiations", data={"scenario": "iran-us-2025"}).json()
        parties = {}
        for party in ("us", "iran"):
            c = session(server.base)
            join(c, created["invitations"][party])
            parties[party] = c
        assert mediator.post(f"/api/negotiations/{created['id']}/start").status_code == 200
        acknowledged: list[str] = []
        lock = threading.Lock()

        def burst(party: str) -> None:
            c = session(server.base, parties[party].cookies)
            for n in range(10_000):
                text = f"{party}-{n}"
                try:
                    answer = c.post(
                        f"/api/negotiations/{created['id']}/messages",
                        json={"kind": "note", "text": text},
                    )
                except httpx.TransportError:
                    return
                if answer.status_code == 201:
                    with lock:
                        acknowledged.append(text)

        workers = [threading.Thread(target=burst, args=(p,)) for p in ("us", "iran", "us")]
        for worker in workers:
            worker.start()
        while len(acknowledged) < 60:
            time.sleep(0.01)
        server.kill()
        for worker in workers:
            worker.join()
    finally:
        if server.process.poll() is None:
            server.kill()

    restarted = Server(database)
    try:
        mediator = session(restarted.base, mediator.cookies)
        view = mediator.get(f"/api/negotiations/{created['id']}").json()
        stored = {m["text"] for m in view["messages"]}
        missing = [text for text in acknowledged if text not in stored]
        assert not missing, f"{len(missing)} acknowledged messages lost: {missing[:5]}"
    finally:
        restarted.kill()
    check = subprocess.run(
        [sys.executable, "-c", SERVE, "verify-log", "--database-url", restarted.url_db],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "intact" in check.stdout
