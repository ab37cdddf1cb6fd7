"""The schema comes from the migrations shipped in the package; migrating is idempotent."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text
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
            == "0005_negotiation_opened_at"
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
    created = ok(before.post("/api/negotiations", data={"scenario": "iran-us-2025"}), 201)
    after = client(create_app(settings))  # a restarted server
    after.cookies = before.cookies
    assert after.get(f"/api/negotiations/{created['id']}").status_code == 200
    key_file = tmp_path / "backchannel-data" / "cookie-keys"
    assert key_file.stat().st_mode & 0o777 == 0o600
    with create_app(settings).state.engine.connect() as connection:  # not in the database
        dump = str([connection.execute(text(f"SELECT * FROM {t}")).all() for t in TABLES])
    assert key_file.read_text().split()[0] not in dump


def _database_at(path, revision: str) -> Engine:
    """A SQLite database migrated only up to ``revision`` (an older schema, to upgrade)."""
    from alembic import command
    from alembic.config import Config

    engine = make_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", "backchannel.service.storage:migrations")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return engine


def test_an_older_database_is_rechained_per_negotiation_and_verifies(tmp_path) -> None:
    """A database of the previous schema (one global chain, unnumbered messages, the key in a
    table) upgrades: each negotiation gets its own chain, messages their numbers, nothing lost."""
    import hashlib
    import json

    from backchannel.service.record import verify
    from backchannel.service.storage.db import session_factory

    engine = _database_at(tmp_path / "old.db", "0003_idempotent_requests")
    events = []  # (negotiation, kind, data): two negotiations, interleaved in one chain
    for n in ("a" * 32, "b" * 32):
        events.append((n, "created", {"scenario": "split", "parties": ["x", "y"]}))
    events += [
        (
            "a" * 32,
            "message",
            {
                "id": 1,
                "sender": "x",
                "recipient": "mediator",
                "kind": "note",
                "terms": None,
                "text": "one",
                "source": None,
                "edited": False,
            },
        ),
        (
            "b" * 32,
            "message",
            {
                "id": 2,
                "sender": "mediator",
                "recipient": "y",
                "kind": "note",
                "terms": None,
                "text": "two",
                "source": None,
                "edited": False,
            },
        ),
        (
            "a" * 32,
            "message",
            {
                "id": 3,
                "sender": "mediator",
                "recipient": "y",
                "kind": "note",
                "terms": None,
                "text": "three",
                "source": None,
                "edited": False,
            },
        ),
    ]
    with engine.begin() as connection:
        for n in ("a" * 32, "b" * 32):
            connection.execute(
                text(
                    "INSERT INTO negotiations (id, title, scenario_name, scenario_spec, status, "
                    "mediator_token_hash, mediator_generation, seed, created_at) VALUES "
                    "(:n, 'T', 'split', '{}', 'setup', :h, 1, 1, '2026-01-01 00:00:00')"
                ),
                {"n": n, "h": n * 2},
            )
            for party in ("x", "y"):
                connection.execute(
                    text(
                        "INSERT INTO seats (negotiation_id, party_id, token_hash, generation, "
                        "joined) VALUES (:n, :p, :h, 1, 0)"
                    ),
                    {"n": n, "p": party, "h": n + party},
                )
        previous = "0" * 64
        for seq, (n, kind, data) in enumerate(events, 1):
            if kind == "message":
                connection.execute(
                    text(
                        "INSERT INTO messages (id, negotiation_id, sender, recipient, kind, "
                        "text, edited, created_at) VALUES (:id, :n, :s, :r, 'note', :t, 0, "
                        "'2026-01-01 00:00:00')"
                    ),
                    {
                        "id": data["id"],
                        "n": n,
                        "s": data["sender"],
                        "r": data["recipient"],
                        "t": data["text"],
                    },
                )
            body = json.dumps(
                {"seq": seq, "negotiation": n, "kind": kind, "at": "2026", "data": data},
                sort_keys=True,
                separators=(",", ":"),
            )
            digest = hashlib.sha256((previous + body).encode()).hexdigest()
            connection.execute(
                text(
                    "INSERT INTO log_entries (seq, negotiation_id, kind, body, prev_hash, hash) "
                    "VALUES (:s, :n, :k, :b, :p, :h)"
                ),
                {"s": seq, "n": n, "k": kind, "b": body, "p": previous, "h": digest},
            )
            previous = digest
        connection.execute(text("UPDATE log_head SET seq = :s, hash = :h"), {"s": 5, "h": previous})
    migrate(engine)
    with session_factory(engine)() as session:
        verdict = verify(session)
    assert verdict.ok, verdict.problems
    assert verdict.negotiations == 2 and verdict.entries == 5
    with engine.connect() as connection:
        numbers = connection.execute(
            text("SELECT text, number, party_number FROM messages ORDER BY id")
        ).all()
    assert [tuple(row) for row in numbers] == [("one", 1, 1), ("two", 1, 1), ("three", 2, 1)]


def test_negotiations_started_before_the_opening_time_was_stored_keep_their_clock(
    tmp_path,
) -> None:
    """Their moves were checked against hours since their creation: so are their replays."""
    engine = _database_at(tmp_path / "old.db", "0004_negotiation_chains")
    with engine.begin() as connection:
        for n, status in (("a" * 32, "open"), ("b" * 32, "setup")):
            connection.execute(
                text(
                    "INSERT INTO negotiations (id, title, scenario_name, scenario_spec, status, "
                    "mediator_token_hash, mediator_generation, seed, created_at) VALUES "
                    "(:n, 'T', 'split', '{}', :s, :h, 1, 1, '2026-01-01 00:00:00')"
                ),
                {"n": n, "s": status, "h": n * 2},
            )
    migrate(engine)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT status, opened_at FROM negotiations ORDER BY id")
        ).all()
    assert [(status, str(opened)[:19]) for status, opened in rows] == [
        ("open", "2026-01-01 00:00:00"),
        ("setup", "None"),
    ]


def test_serve_answers_to_its_public_host_and_loopback(tmp_path, monkeypatch) -> None:
    """The public URL's host joins the loopback names, whether given as an option or in the
    environment; links start with it."""
    import uvicorn

    from backchannel.cli import serve as serve_module

    seen = {}
    monkeypatch.setattr(serve_module, "_listen", lambda host, port: None)
    monkeypatch.setattr(
        uvicorn.Server, "run", lambda self, sockets=None: seen.update(app=self.config.app)
    )
    monkeypatch.setenv("BACKCHANNEL_PUBLIC_URL", "https://mediation.example.org")
    url = f"sqlite:///{tmp_path / 'served.db'}"
    result = CliRunner().invoke(cli, ["serve", "--database-url", url])
    assert result.exit_code == 0, result.output
    settings = seen["app"].state.settings
    assert set(settings.allowed_hosts) == {"127.0.0.1", "localhost", "::1", "mediation.example.org"}
    assert "https://mediation.example.org/" in result.output and "Operator token" in result.output
