"""``backchannel serve`` in a child process, for tests that need a real server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from .postgres import free_port

SERVE = "from backchannel.cli.main import main; main()"
OPERATOR = "server-test-operator-token-0123456789"


class Server:
    """``backchannel serve`` in a child process on a loopback port."""

    def __init__(self, database: Path | str, *options: str) -> None:
        self.url_db = database if isinstance(database, str) else f"sqlite:///{database}"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        environment = {
            **os.environ,
            "BACKCHANNEL_SECRET_KEY": "durability-test-secret-0123456789",
            "BACKCHANNEL_OPERATOR_TOKEN": OPERATOR,
        }
        environment["BACKCHANNEL_DATA_DIR"] = (
            tempfile.mkdtemp(prefix="backchannel-data-")
            if isinstance(database, str)
            else str(database.parent / "data")
        )
        command = [sys.executable, "-c", SERVE, "serve", "--port", str(self.port)]
        # a file, not a pipe: a pipe nobody reads fills up and blocks the server when it logs
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (open as long as the server runs)
        self.process = subprocess.Popen(
            [*command, "--database-url", self.url_db, *options],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        for _ in range(300):
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(self.log.read().decode())
            try:
                if httpx.get(self.base + "/api/scenarios", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def log_text(self) -> str:
        """What the server wrote to its standard error."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def terminate(self, timeout: float = 30) -> int:
        """SIGTERM, as a service manager stops it; the exit status (raises if it hangs)."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


def browser(
    base: str, cookies: httpx.Cookies | None = None, operator: bool = False
) -> httpx.Client:
    """An HTTP client that behaves as a browser on the pages (CSRF token armed)."""
    c = httpx.Client(base_url=base, timeout=30, cookies=cookies)
    c.get("/")
    c.headers["X-CSRF-Token"] = c.cookies["bc_csrf"]
    if operator:
        c.headers["Authorization"] = f"Bearer {OPERATOR}"
    return c


def join(c: httpx.Client, link: str) -> None:
    """Open an invitation link: its page, then its button."""
    path = "/join/" + link.rsplit("/", 1)[1]
    c.get(path).raise_for_status()
    answer = c.post(path, data={"csrf": c.cookies["bc_csrf"]}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
