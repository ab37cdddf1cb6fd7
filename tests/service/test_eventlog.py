"""The hash-chained log: intact after use, and any edited or deleted entry is named."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from backchannel.cli.main import app as cli
from backchannel.service.app import create_app
from backchannel.service.eventlog import GENESIS, canonical, chain_hash, verify

from .conftest import _settings, make_world


@pytest.fixture
def database(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'log.db'}"
    make_world(create_app(_settings(url)))
    return url


def run_verify(url: str):
    return CliRunner().invoke(cli, ["verify-log", "--database-url", url])


def tamper(url: str, statement: str) -> None:
    app_engine = create_app(_settings(url)).state.engine
    with app_engine.begin() as connection:
        connection.execute(text(statement))


def test_chain_hash_is_sha256_of_previous_hash_and_body() -> None:
    import hashlib

    body = canonical({"b": 1, "a": "é"})
    assert body == '{"a":"é","b":1}'
    assert chain_hash(GENESIS, body) == hashlib.sha256((GENESIS + body).encode()).hexdigest()


def test_an_untouched_log_verifies(database: str) -> None:
    result = run_verify(database)
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


def test_an_edited_entry_is_named(database: str) -> None:
    tamper(database, "UPDATE log_entries SET body = replace(body, 'ORIGINAL', 'FORGED')")
    result = run_verify(database)
    assert result.exit_code == 1
    assert "entry 10: its content was edited" in result.output  # the proposal's entry


def test_a_deleted_entry_is_named(database: str) -> None:
    tamper(database, "DELETE FROM log_entries WHERE seq = 5")
    result = run_verify(database)
    assert result.exit_code == 1 and "entry 5 is missing" in result.output


def test_deleting_the_last_entry_is_detected(database: str) -> None:
    tamper(database, "DELETE FROM log_entries WHERE seq = (SELECT max(seq) FROM log_entries)")
    result = run_verify(database)
    assert result.exit_code == 1 and "head" in result.output


def test_a_rewritten_entry_with_recomputed_hash_breaks_the_next_link(database: str) -> None:
    app = create_app(_settings(database))
    with app.state.sessionmaker() as session:
        row = session.execute(
            text("SELECT seq, prev_hash, body FROM log_entries WHERE kind = 'started'")
        ).one()
        body = row.body.replace('"started"', '"startd"')
        forged = chain_hash(row.prev_hash, body)
        session.execute(
            text("UPDATE log_entries SET body = :b, hash = :h WHERE seq = :s"),
            {"b": body, "h": forged, "s": row.seq},
        )
        session.commit()
        verdict = verify(session)
    assert not verdict.ok
    assert any(f"entry {row.seq + 1}" in p and "link" in p for p in verdict.problems), verdict


def test_verify_log_on_an_unreachable_database_is_a_clear_error(tmp_path) -> None:
    result = run_verify("postgresql+pg8000://nobody@127.0.0.1:1/none")
    assert result.exit_code == 2 and "cannot read the log" in result.output
