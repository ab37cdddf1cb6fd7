"""The hash-chained log of each negotiation covers the rows the service serves: an edited or
deleted entry, an edited or deleted row, a row set by hand, a rewritten chain and a cut end
are each named (on SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from backchannel.cli.main import app as cli
from backchannel.service.app import create_app
from backchannel.service.eventlog import GENESIS, canonical, chain_hash
from backchannel.service.keys import anchor_file
from backchannel.service.record import verify

from .conftest import ORIGINAL_TEXT, _settings, make_world


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str, Path]:
    """A database with one started negotiation: its URL, the negotiation's id and its anchor."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'log.db'}"
    else:
        url = request.getfixturevalue("postgres")
        engine = create_app(_settings(url)).state.engine
        with engine.begin() as connection:  # an empty database for each test
            for table in (
                "idempotent_requests",
                "session_grants",
                "browser_sessions",
                "log_entries",
                "log_heads",
                "drafts",
                "messages",
                "seats",
                "negotiations",
            ):
                connection.execute(text(f"DELETE FROM {table}"))
    settings = _settings(url, data_dir=tmp_path / "data")
    world = make_world(create_app(settings))
    return url, world.id, anchor_file(settings)


def run_verify(url: str, *extra: str):
    return CliRunner().invoke(cli, ["verify-log", "--database-url", url, *extra])


def tamper(url: str, statement: str, **values: object) -> None:
    engine = create_app(_settings(url)).state.engine
    with engine.begin() as connection:
        connection.execute(text(statement), values)


def test_chain_hash_is_sha256_of_previous_hash_and_body() -> None:
    import hashlib

    body = canonical({"b": 1, "a": "é"})
    assert body == '{"a":"é","b":1}'
    assert chain_hash(GENESIS, body) == hashlib.sha256((GENESIS + body).encode()).hexdigest()


def test_an_untouched_log_verifies_and_its_anchor_matches(database) -> None:
    url, _, anchor = database
    result = run_verify(url, "--anchor", str(anchor))
    assert result.exit_code == 0, result.output
    assert "intact" in result.output and "anchored heads" in result.output


def test_an_edited_entry_is_named(database) -> None:
    url, negotiation, _ = database
    tamper(url, "UPDATE log_entries SET body = replace(body, 'ORIGINAL', 'FORGED')")
    result = run_verify(url)
    assert result.exit_code == 1
    assert f"negotiation {negotiation}, entry 10: its content was edited" in result.output


def test_a_deleted_entry_is_named(database) -> None:
    url, negotiation, _ = database
    tamper(url, "DELETE FROM log_entries WHERE seq = 5")
    result = run_verify(url)
    assert result.exit_code == 1 and f"{negotiation}, entry 5 is missing" in result.output


def test_a_forged_message_text_is_detected(database) -> None:
    url, _, _ = database
    tamper(url, "UPDATE messages SET text = 'FORGED' WHERE text = :t", t=ORIGINAL_TEXT)
    result = run_verify(url)
    assert result.exit_code == 1
    assert "was edited outside the service (text differ" in result.output


def test_a_deleted_message_row_is_detected(database) -> None:
    url, _, _ = database
    tamper(url, "DELETE FROM messages WHERE text = :t", t=ORIGINAL_TEXT)
    result = run_verify(url)
    assert result.exit_code == 1 and "its row was deleted" in result.output


def test_an_agreement_set_by_hand_is_detected(database) -> None:
    url, negotiation, _ = database
    tamper(
        url, "UPDATE negotiations SET status = 'agreed', agreement = 7 WHERE id = :n", n=negotiation
    )
    result = run_verify(url)
    assert result.exit_code == 1
    assert "its status was changed" in result.output and "its agreement" in result.output


def test_a_seat_changed_by_hand_is_detected(database) -> None:
    url, _, _ = database
    tamper(url, "UPDATE seats SET agent = 'boulware' WHERE party_id = 'us'")
    result = run_verify(url)
    assert result.exit_code == 1 and "seat us was edited" in result.output


def test_a_rewritten_chain_is_caught_by_the_anchor(database) -> None:
    """Recompute every hash after an edit: the chain verifies, the anchor does not."""
    url, negotiation, anchor = database
    engine = create_app(_settings(url)).state.engine
    with engine.begin() as connection:
        rows = connection.execute(
            text("SELECT seq, body FROM log_entries WHERE negotiation_id = :n ORDER BY seq"),
            {"n": negotiation},
        ).all()
        previous = GENESIS
        for seq, body in rows:
            body = body.replace('"at":"20', '"at":"19') if seq == 1 else body
            digest = chain_hash(previous, body)
            connection.execute(
                text(
                    "UPDATE log_entries SET body = :b, prev_hash = :p, hash = :h "
                    "WHERE negotiation_id = :n AND seq = :s"
                ),
                {"b": body, "p": previous, "h": digest, "n": negotiation, "s": seq},
            )
            previous = digest
        connection.execute(
            text("UPDATE log_heads SET hash = :h WHERE negotiation_id = :n"),
            {"h": previous, "n": negotiation},
        )
    assert run_verify(url).exit_code == 0  # the chain alone cannot tell
    result = run_verify(url, "--anchor", str(anchor))
    assert result.exit_code == 1 and "the chain was rewritten" in result.output


def test_a_cut_end_is_caught_by_the_anchor(database) -> None:
    url, negotiation, anchor = database
    tamper(url, "DELETE FROM messages WHERE text = 'Edited by the mediator'")
    tamper(
        url,
        "DELETE FROM log_entries WHERE negotiation_id = :n AND seq = "
        "(SELECT max(seq) FROM log_entries WHERE negotiation_id = :n)",
        n=negotiation,
    )
    tamper(
        url,
        "UPDATE log_heads SET seq = seq - 1, hash = (SELECT hash FROM log_entries "
        "WHERE negotiation_id = :n ORDER BY seq DESC LIMIT 1) WHERE negotiation_id = :n",
        n=negotiation,
    )
    result = run_verify(url, "--anchor", str(anchor))
    assert result.exit_code == 1 and "its end was cut" in result.output


def test_verify_reads_one_snapshot_of_a_busy_database(database) -> None:
    url, _, _ = database
    app = create_app(_settings(url))
    with app.state.read_sessionmaker() as session:
        verdict = verify(session)
    assert verdict.ok, verdict.problems
    assert verdict.negotiations == 1 and verdict.entries > 10


def test_verify_log_without_a_database_says_so_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "none.db"
    result = run_verify(f"sqlite:///{missing}")
    assert result.exit_code == 2 and "no server database" in result.output
    assert not (tmp_path / "nowhere").exists()


def test_verify_log_on_an_unreachable_database_is_a_clear_error() -> None:
    result = run_verify("postgresql+pg8000://nobody@127.0.0.1:1/none")
    assert result.exit_code == 2 and "cannot read the log" in result.output
