"""``backchannel serve`` (the live web service) and ``backchannel verify-log``."""

from __future__ import annotations

import socket

import typer
from rich.markup import escape

from backchannel.cli.common import console, errors, fail
from backchannel.service import DEFAULT_DATABASE_URL

DATABASE_HELP = "SQLAlchemy database URL (a SQLite file needs no setup; postgresql+pg8000://...)."
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
) -> None:
    """Run the live mediation service (the database is migrated on start)."""
    _require_web_extra()
    import uvicorn

    from backchannel.service.app import create_app

    listener = _listen(host, port)
    settings = _settings(database_url)
    try:
        app = create_app(settings)
    except Exception as error:  # a wrong URL or an unreachable server, said plainly
        listener.close()
        fail(f"cannot open the database: {error}")
    console.print(f"Backchannel is serving on http://{host}:{port}/ (database: {_shown(settings)})")
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    server.run(sockets=[listener])


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


def verify_log(
    database_url: str = DATABASE_URL_OPTION,
) -> None:
    """Check the tamper-evident event log: exits 1 naming any edited or deleted entry."""
    _require_web_extra()
    from backchannel.service.eventlog import verify
    from backchannel.service.storage.db import make_engine, session_factory

    settings = _settings(database_url)
    try:
        engine = make_engine(settings.database_url)
        with session_factory(engine)() as session:
            verdict = verify(session)
    except Exception as error:
        fail(f"cannot read the log in {_shown(settings)}: {error}")
    if verdict.ok:
        console.print(f"The log is intact: {verdict.entries} entries, every link verified.")
        console.print(
            f"Latest hash: {verdict.head_hash} (keep it elsewhere: a later check that does not "
            "reach it means the end of the log was cut)"
        )
        return
    for problem in verdict.problems:
        errors.print(f"[bold red]tampered:[/] {escape(str(problem))}", soft_wrap=True)
    errors.print(f"{len(verdict.problems)} problem(s) in {verdict.entries} entries.")
    raise typer.Exit(1)


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


def _settings(database_url: str | None):  # type: ignore[no-untyped-def]
    from backchannel.service.settings import Settings

    return Settings(database_url=database_url) if database_url else Settings()


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
