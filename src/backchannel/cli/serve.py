"""``backchannel serve`` (the live web service) and ``backchannel verify-log``."""

from __future__ import annotations

import os
import socket
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import typer
from rich.markup import escape

from backchannel.cli.common import console, errors, fail
from backchannel.service import DEFAULT_DATABASE_URL

DATABASE_HELP = (
    "SQLAlchemy database URL (a SQLite file needs no setup; postgresql+asyncpg://... or "
    "postgresql+pg8000://...)."
)
DATABASE_URL_OPTION = typer.Option(
    None,
    "--database-url",
    metavar="URL",
    help=DATABASE_HELP + f" \\[default: {DEFAULT_DATABASE_URL}]",
)


def serve(
    host: str = typer.Option("127.0.0.1", "--host", metavar="HOST", help="Address to listen on."),
    port: int = typer.Option(
        8000, "--port", min=1, max=65535, metavar="PORT", help="Port to listen on."
    ),
    database_url: str = DATABASE_URL_OPTION,
    public_url: str | None = typer.Option(
        None,
        "--public-url",
        help="The address people open (https://mediation.example.org); invitation links start "
        "with it. [default: http://HOST:PORT]",
    ),
    allowed_hosts: list[str] | None = typer.Option(
        None,
        "--allowed-host",
        help="A host name the server answers to (repeat for several; '*' for any). "
        "[default: loopback names and the public URL's host]",
    ),
    open_mode: bool = typer.Option(
        False, "--open", help="Let anyone who reaches the server open negotiations (no token)."
    ),
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Folder for the signing keys, operator token and log anchor."
    ),
    upload_seconds: float | None = typer.Option(
        None,
        "--upload-seconds",
        metavar="S",
        help="Time allowed to check one uploaded scenario. [default: 20]",
    ),
    upload_memory_mb: int | None = typer.Option(
        None,
        "--upload-memory-mb",
        metavar="MB",
        help="Memory allowed to check one uploaded scenario. [default: 768]",
    ),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        max=32,
        metavar="N",
        help="Server processes sharing the port (PostgreSQL only: SQLite is for one process).",
    ),
    upload_concurrent: int | None = typer.Option(
        None,
        "--upload-concurrent",
        metavar="N",
        help="Uploads checked at once; more are refused with 503. [default: 2]",
    ),
) -> None:
    """Run the live mediation service (the database is migrated on start)."""
    _require_web_extra()
    import uvicorn

    from backchannel.service import heap
    from backchannel.service.app import create_app
    from backchannel.service.keys import KeyFileError, operator_token_file
    from backchannel.service.settings import LOOPBACK_HOSTS

    listener = _listen(host, port)
    overrides: dict[str, object] = {}
    if public_url or "BACKCHANNEL_PUBLIC_URL" not in os.environ:
        overrides["public_url"] = public_url or f"http://{_url_host(host)}:{port}"
    if allowed_hosts:
        overrides["allowed_hosts"] = allowed_hosts
    if open_mode:
        overrides["open_mode"] = True
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    for name, value in (
        ("upload_seconds", upload_seconds),
        ("upload_memory_mb", upload_memory_mb),
        ("upload_concurrent", upload_concurrent),
    ):
        if value is not None:
            overrides[name] = value
    settings = _settings(database_url, **overrides)
    if not allowed_hosts and "BACKCHANNEL_ALLOWED_HOSTS" not in os.environ:
        public_host = urlsplit(settings.public_url).hostname  # the configured address answers
        hosts = [*LOOPBACK_HOSTS, *([public_host] if public_host else [])]
        settings = settings.model_copy(update={"allowed_hosts": hosts})
    if workers > 1 and settings.database_url.startswith("sqlite"):
        listener.close()
        fail(
            f"--workers {workers}: SQLite is for one server process; serve a PostgreSQL "
            "database (--database-url postgresql+asyncpg://...) to run several"
        )
    try:
        app = create_app(settings)
    except KeyFileError as error:
        fail(str(error))
    except Exception as error:  # a wrong URL or an unreachable server, said plainly
        listener.close()
        fail(f"cannot open the database: {error}")
    console.print(f"Backchannel is serving on http://{host}:{port}/ (database: {_shown(settings)})")
    console.print(f"Invitation links start with {settings.public_url}/")
    if settings.open_mode:
        console.print(
            "[bold yellow]Open mode:[/] anyone who reaches this server may open negotiations."
        )
    elif (kept := operator_token_file(settings)) is not None:
        console.print(
            f"Operator token (enter it once at {settings.public_url}/operator): "
            f"{app.state.operator_token}  (kept in {kept})",
            soft_wrap=True,
        )
    else:
        console.print("Operator token: the one in BACKCHANNEL_OPERATOR_TOKEN.")
    if workers == 1:
        heap.settle()
        config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=5)
        uvicorn.Server(config).run(sockets=[listener])
        return
    _serve_processes(settings, workers, listener)


def _serve_processes(settings, workers: int, listener: socket.socket) -> None:  # type: ignore[no-untyped-def]
    """``workers`` processes accept on one socket; each builds the app from the settings this
    process resolved (the keys and the operator token are already in their files, the schema
    already migrated)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from backchannel.service.app import SETTINGS_ENVIRONMENT

    resolved = settings.model_copy(update={"migrate_on_start": False})
    os.environ[SETTINGS_ENVIRONMENT] = resolved.model_dump_json()
    config = uvicorn.Config(
        "backchannel.service.app:create_app_from_environment",
        factory=True,
        workers=workers,
        log_level="warning",
        timeout_graceful_shutdown=5,
    )
    console.print(f"{workers} server processes share the port.")
    Multiprocess(config, sockets=[listener]).run()


def _listen(host: str, port: int) -> socket.socket:
    """Bind the port before saying anything: "serving on" must only be printed when it is."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        listener = socket.socket(family, socket.SOCK_STREAM)
    except OSError as error:
        fail(f"--host {host}: not an address this machine can listen on ({error.strerror})")
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
        listener.listen(2048)
    except OSError as error:
        listener.close()
        reason = (error.strerror or str(error)).lower()
        fail(
            f"cannot listen on {host}:{port} ({reason}); another program may be using the "
            f"port: choose another with --port (e.g. --port {port + 1 if port < 65535 else 8000})"
        )
    listener.set_inheritable(True)
    return listener


def _url_host(host: str) -> str:
    """The listening address as a URL host (0.0.0.0 is not an address people open)."""
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


ANCHOR_OPTION = typer.Option(
    None,
    "--anchor",
    help="a file of 'negotiation seq hash' lines (the server writes DATA_DIR/log-anchor): every "
    "line must still match the log, so a rewritten chain or a cut end is detected; the current "
    "heads are appended to it when the check passes",
)


def verify_log(
    database_url: str = DATABASE_URL_OPTION,
    anchor: Path | None = ANCHOR_OPTION,
) -> None:
    """Check the tamper-evident log and the rows it covers: exits 1 naming each problem."""
    _require_web_extra()
    from backchannel.service.eventlog import check_anchor, write_anchor
    from backchannel.service.record import verify

    settings = _settings(database_url)
    _require_existing_database(settings.database_url)
    anchored: list[str] = []
    if anchor is not None:
        try:
            anchored = anchor.read_text(encoding="utf-8").splitlines()
        except OSError as error:
            fail(f"cannot read the anchor file {anchor}: {error.strerror}")
    try:
        with _snapshot(settings.database_url) as session:
            verdict = verify(session)
            if anchor is not None:
                verdict.problems.extend(check_anchor(anchored, verdict.heads, session))
    except typer.Exit:
        raise
    except Exception as error:
        fail(f"cannot read the log in {_shown(settings)}: {error}")
    if verdict.ok:
        console.print(
            f"The log is intact: {verdict.entries} entries in {verdict.negotiations} "
            "negotiation(s), every link verified, every served row matches its entry."
        )
        if anchor is not None:
            console.print(f"Every one of the {len(anchored)} anchored heads is still in the log.")
            write_anchor(anchor, verdict.heads)
        console.print(
            f"Heads digest: {verdict.digest} (keep it elsewhere, or keep an anchor file "
            "elsewhere: a later check that does not reach it means the log was cut or rewritten)"
        )
        return
    for problem in verdict.problems:
        errors.print(f"[bold red]tampered:[/] {escape(str(problem))}", soft_wrap=True)
    errors.print(f"{len(verdict.problems)} problem(s) in {verdict.entries} entries.")
    raise typer.Exit(1)


def _require_existing_database(url: str) -> None:
    """verify-log reads a server's database; it never creates one."""
    if not url.startswith("sqlite") or "///" not in url:
        return
    database = url.split("///", 1)[1].split("?", 1)[0]
    if database in ("", ":memory:") or database.startswith("file:"):
        return
    if not Path(database).expanduser().is_file():
        fail(
            f"no server database at {database}: nothing to verify (give the server's "
            "--database-url, or start 'backchannel serve' first)"
        )


@contextmanager
def _snapshot(url: str):  # type: ignore[no-untyped-def]
    """One consistent view of the database (rows and log read at the same moment)."""
    from sqlalchemy import inspect

    from backchannel.service.storage.db import make_engine, session_factory

    engine = make_engine(url, immediate=False)
    if not url.startswith("sqlite"):
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    try:
        if not {"log_entries", "log_heads"} <= set(inspect(engine).get_table_names()):
            fail(
                "this database holds no Backchannel log of this version (start the server "
                "once on it to migrate it)"
            )
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def _require_web_extra() -> None:
    """The service's libraries are an optional extra; say how to install them if missing."""
    import importlib.util

    needed = ("fastapi", "uvicorn", "sqlalchemy", "alembic", "pydantic_settings", "jinja2")
    missing = [name for name in needed if importlib.util.find_spec(name) is None]
    if missing:
        fail(
            f"the live service needs the 'web' extra ({', '.join(missing)} missing); "
            "install it with: pip install -e '.[web]' (or 'backchannel[web]')"
        )


def _settings(database_url: str | None, **overrides: object):  # type: ignore[no-untyped-def]
    from pydantic import ValidationError

    from backchannel.service.settings import Settings

    if database_url:
        overrides["database_url"] = database_url
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problem = error.errors()[0]
        fail(
            f"setting {'.'.join(str(p) for p in problem['loc'])}: {problem['msg']} "
            "(check the BACKCHANNEL_* environment variables)"
        )


def _shown(settings) -> str:  # type: ignore[no-untyped-def]
    """The URL without any password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(settings.database_url).render_as_string(hide_password=True)
    except Exception:
        return "the given URL"


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command("verify-log")(verify_log)
