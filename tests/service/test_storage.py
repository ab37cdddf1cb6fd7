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
    "log_head",
    "service_secrets",
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
            == "0003_idempotent_requests"
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
    from backchannel.service.settings import Settings

    from .conftest import client, ok

    url = f"sqlite:///{tmp_path / 'restart.db'}"
    before = client(create_app(Settings(database_url=url)))
    created = ok(before.post("/api/negotiations", data={"scenario": "iran-us-2025"}), 201)
    after = client(create_app(Settings(database_url=url)))  # a restarted server
    after.cookies = before.cookies
    assert after.get(f"/api/negotiations/{created['id']}").status_code == 200
