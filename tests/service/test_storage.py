"""The schema comes from the migrations shipped in the package; migrating is idempotent."""

from __future__ import annotations

from sqlalchemy import inspect, text
from typer.testing import CliRunner

from backchannel.cli.main import app as cli
from backchannel.service.storage.db import make_engine, migrate

TABLES = {
    "negotiations",
    "seats",
    "messages",
    "drafts",
    "log_entries",
    "log_heads",
    "browser_sessions",
    "session_grants",
    "idempotent_requests",
}


def test_migrations_create_the_schema_and_can_run_again(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'nested' / 'fresh.db'}")
    migrate(engine)
    migrate(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES
    with engine.connect() as connection:
        assert (
            connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            == "0004_negotiation_chains"
        )
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


def test_migrations_run_on_postgresql(postgres) -> None:
    engine = make_engine(postgres)
    migrate(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES


def test_serve_with_a_bad_database_url_is_a_clear_error() -> None:
    result = CliRunner().invoke(cli, ["serve", "--database-url", "nonsense://"])
    assert result.exit_code == 2 and "cannot open the database" in result.output


def test_sessions_survive_a_restart_without_a_configured_secret(tmp_path) -> None:
    from backchannel.service.app import create_app

    from .conftest import _settings, client, ok

    url = f"sqlite:///{tmp_path / 'restart.db'}"
    settings = _settings(url, secret_key=None)
    before = client(create_app(settings), operator=True)
    created = ok(before.post("/api/negotiations", data={"scenario": "iran-us"}), 201)
    after = client(create_app(settings))  # a restarted server
    after.cookies = before.cookies
    assert after.get(f"/api/negotiations/{created['id']}").status_code == 200
    key_file = tmp_path / "backchannel-data" / "cookie-keys"
    assert key_file.stat().st_mode & 0o777 == 0o600
    with create_app(settings).state.engine.connect() as connection:  # not in the database
        dump = str([connection.execute(text(f"SELECT * FROM {t}")).all() for t in TABLES])
    assert key_file.read_text().split()[0] not in dump
