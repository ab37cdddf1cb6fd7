"""``backchannel serve`` in a child process, for tests that need a real server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from .postgres import free_port

SERVE = "from backchannel.cli.main import main; main()"


class Server:
    """``backchannel serve`` in a child process on a loopback port."""

    def __init__(self, database: Path) -> None:
        self.url_db = f"sqlite:///{database}"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        environment = {**os.environ, "BACKCHANNEL_SECRET_KEY": "durability-test-secret-0123456789"}
        command = [sys.executable, "-c", SERVE, "serve", "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*command, "--database-url", self.url_db],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        for _ in range(300):
            if self.process.poll() is not None:
                raise RuntimeError(self.process.stderr.read().decode())  # type: ignore[union-attr]
            try:
                if httpx.get(self.base + "/api/scenarios", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
