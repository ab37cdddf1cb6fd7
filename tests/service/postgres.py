"""A real PostgreSQL server for the tests: the one CI started, or a throwaway one started here."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import make_url

ENV_URL = "BACKCHANNEL_TEST_POSTGRES_URL"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def with_driver(url: str, driver: str) -> str:
    """The same database through another driver (``pg8000`` or ``asyncpg``)."""
    return make_url(url).set(drivername=f"postgresql+{driver}").render_as_string(False)


def _binaries() -> Path | None:
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(folder, "initdb").exists():
            return Path(folder)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def unavailable_message() -> str:
    return (
        f"PostgreSQL tests need a server: set {ENV_URL} (e.g. "
        "postgresql+pg8000://postgres@127.0.0.1:5432/backchannel_test) or install PostgreSQL "
        "(apt-get install postgresql) so the tests can start a throwaway one; .ci/run does both"
    )


@contextmanager
def postgres_url() -> Iterator[str]:
    """A URL of an empty database on a loopback PostgreSQL server."""
    if os.environ.get(ENV_URL):
        yield os.environ[ENV_URL]
        return
    binaries = _binaries()
    if binaries is None:
        raise RuntimeError(unavailable_message())
    folder = Path(tempfile.mkdtemp(prefix="backchannel-pg-"))
    folder.chmod(0o777)
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    data, port = folder / "data", free_port()

    def run(*command: str) -> None:
        subprocess.run([*as_postgres, *command], check=True, capture_output=True, cwd=folder)

    try:
        run(str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
        options = f"-p {port} -k {folder} -h 127.0.0.1 -F"
        log = str(folder / "server.log")
        run(str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", log, "-w", "start")
        run(
            str(binaries / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "backchannel_test",
        )
        yield f"postgresql+pg8000://postgres@127.0.0.1:{port}/backchannel_test"
    finally:
        subprocess.run(
            [*as_postgres, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            cwd=folder,
        )
        shutil.rmtree(folder, ignore_errors=True)
