"""``serve --workers N``: several processes on one port share one PostgreSQL database, and
SQLite (one writer, one process) refuses it with the fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from .postgres import free_port, with_driver
from .server import SERVE, Server
from .test_concurrency import open_negotiation, post_notes


def test_workers_on_sqlite_are_refused_with_the_fix(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SERVE, "serve", "--workers", "2", "--port", str(free_port())],
        capture_output=True,
        text=True,
        env={**os.environ, "BACKCHANNEL_DATABASE_URL": f"sqlite:///{tmp_path / 'one.db'}"},
    )
    assert result.returncode != 0
    assert "SQLite is for one server process" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("driver", ["pg8000", "asyncpg"])
def test_two_worker_processes_serve_one_postgresql_database(postgres: str, driver: str) -> None:
    server = Server(with_driver(postgres, driver), "--workers", "2")
    try:
        workers = psutil.Process(server.process.pid).children(recursive=True)
        assert sum("spawn" in " ".join(w.cmdline()) for w in workers) >= 2
        negotiation, mediator, seats = open_negotiation(server.base, 12)
        statuses = post_notes(server.base, negotiation, seats, 5)
        assert statuses.count(201) == 60, sorted(set(statuses))
        view = mediator.get(f"/api/negotiations/{negotiation}").json()
        assert [m["id"] for m in view["messages"]] == list(range(1, 61))
        assert server.terminate(timeout=60) in (0, -15), server.log_text()[-3000:]
    finally:
        if server.process.poll() is None:
            server.kill()
    check = subprocess.run(
        [sys.executable, "-c", SERVE, "verify-log", "--database-url", postgres],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
