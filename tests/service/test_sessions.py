"""Browser sessions: rights kept server-side, a lifetime, key rotation, and the mediator's own
link reissued (on SQLite and PostgreSQL where the database matters)."""

from __future__ import annotations

from fastapi import FastAPI
from itsdangerous import URLSafeSerializer

from backchannel.service.app import create_app

from .conftest import _settings, arm_csrf, client, join, make_world, ok


def test_one_browser_holds_two_hundred_negotiations(tmp_path) -> None:
    """The cookie holds a session id, never the grants: it stays small however many there are."""
    app = create_app(_settings(f"sqlite:///{tmp_path / 'many.db'}"))
    browser = client(app, operator=True)
    opened = []
    for _ in range(200):
        opened.append(ok(browser.post("/api/negotiations", data={"scenario": "iran-us-2025"}), 201))
        arm_csrf(browser)
    assert len(browser.cookies["bc_session"]) < 200
    for created in (opened[0], opened[99], opened[-1]):
        assert browser.get(f"/api/negotiations/{created['id']}").status_code == 200
    party = client(app)
    for created in opened[:150]:
        join(app, created["invitations"]["us"], party)
    assert party.get(f"/api/negotiations/{opened[0]['id']}/room").status_code == 200
    assert party.get(f"/api/negotiations/{opened[149]['id']}/room").status_code == 200


def test_a_session_expires_after_its_lifetime(tmp_path) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select, update

    from backchannel.service.storage.models import BrowserSession

    app = create_app(_settings(f"sqlite:///{tmp_path / 'short.db'}", session_hours=12))
    browser = client(app, operator=True)
    created = ok(browser.post("/api/negotiations", data={"scenario": "iran-us-2025"}), 201)
    path = f"/api/negotiations/{created['id']}"
    with app.state.sessionmaker() as db:
        session = db.execute(select(BrowserSession)).scalar_one()
        assert session.expires_at - session.created_at == timedelta(hours=12)
        db.execute(
            update(BrowserSession).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        db.commit()
    assert browser.get(path).status_code == 401


def test_rotated_keys_still_verify_old_cookies_and_retired_keys_do_not(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'rotate.db'}"
    old = client(create_app(_settings(url, secret_key="first-key-0123456789abcdef")), operator=True)
    created = ok(old.post("/api/negotiations", data={"scenario": "iran-us-2025"}), 201)
    path = f"/api/negotiations/{created['id']}"
    rotated = client(
        create_app(
            _settings(
                url,
                secret_key="second-key-0123456789abcdef",
                old_secret_keys=["first-key-0123456789abcdef"],
            )
        )
    )
    rotated.cookies = old.cookies
    assert rotated.get(path).status_code == 200
    retired = client(create_app(_settings(url, secret_key="second-key-0123456789abcdef")))
    retired.cookies = old.cookies
    assert retired.get(path).status_code == 401


def test_rotation_in_the_key_file_adds_a_new_first_line(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'file.db'}"
    settings = _settings(url, secret_key=None)
    before = client(create_app(settings), operator=True)
    created = ok(before.post("/api/negotiations", data={"scenario": "iran-us-2025"}), 201)
    key_file = tmp_path / "backchannel-data" / "cookie-keys"
    key_file.write_text("a-brand-new-signing-key-0123456789\n" + key_file.read_text())
    after = client(create_app(settings))
    after.cookies = before.cookies
    assert after.get(f"/api/negotiations/{created['id']}").status_code == 200
    fresh = client(create_app(settings), operator=True)
    ok(fresh.post("/api/negotiations", data={"scenario": "iran-us-2025"}), 201)
    signer = URLSafeSerializer("a-brand-new-signing-key-0123456789", salt="backchannel-session-id")
    assert signer.loads(fresh.cookies["bc_session"])  # new cookies use the new key


def test_a_key_file_others_can_read_is_refused(tmp_path) -> None:
    import pytest

    from backchannel.service.keys import KeyFileError

    settings = _settings(f"sqlite:///{tmp_path / 'open.db'}", secret_key=None)
    create_app(settings)
    (tmp_path / "backchannel-data" / "cookie-keys").chmod(0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        create_app(settings)


def test_the_mediator_reissues_its_own_link(app: FastAPI) -> None:
    world = make_world(app)
    mediator = world.clients["mediator"]
    path = f"/api/negotiations/{world.id}"
    other_desk = client(app)
    other_desk.cookies = mediator.cookies  # a second browser with the same session...
    first = ok(mediator.post(f"{path}/mediator/invitation"))
    assert first["party"] == "mediator" and "/join/" in first["link"]
    assert mediator.get(path).status_code == 200  # this browser keeps its access
    second_browser = join(app, first["link"])
    assert second_browser.get(path).status_code == 200
    ok(mediator.post(f"{path}/mediator/invitation"))  # reissued again: the second is revoked
    assert second_browser.get(path).status_code == 401
    assert mediator.get(path).status_code == 200
    page = client(app).get("/join/" + first["link"].rsplit("/", 1)[1])
    assert page.status_code == 401
    for party in ("us", "iran"):
        answer = world.clients[party].post(f"{path}/mediator/invitation")
        assert answer.status_code == 403


def test_sessions_and_grants_are_stored_without_the_cookie_value(app: FastAPI) -> None:
    from sqlalchemy import text

    world = make_world(app)
    raw = world.clients["us"].cookies["bc_session"]
    with app.state.engine.connect() as connection:
        dump = str(connection.execute(text("SELECT * FROM browser_sessions")).all())
    assert raw not in dump and raw.split(".")[0] not in dump


def test_the_operator_restores_a_mediator_who_lost_link_and_session(app: FastAPI) -> None:
    world = make_world(app)
    path = f"/api/negotiations/{world.id}"
    operator = arm_csrf(client(app, operator=True))
    restored = ok(operator.post(f"{path}/mediator/invitation"))
    assert world.clients["mediator"].get(path).status_code == 401  # the old desk is revoked
    assert join(app, restored["link"]).get(path).status_code == 200
    stranger = arm_csrf(client(app))
    assert stranger.post(f"{path}/mediator/invitation").status_code == 401
    unknown = operator.post(f"/api/negotiations/{'0' * 32}/mediator/invitation")
    assert unknown.status_code == 401


def test_open_mode_gives_nobody_the_operator_s_rescue(tmp_path) -> None:
    settings = _settings(f"sqlite:///{tmp_path / 'o.db'}", operator_token=None, open_mode=True)
    app = create_app(settings)
    opener = arm_csrf(client(app))
    created = ok(opener.post("/api/negotiations", data={"scenario": "iran-us-2025"}), 201)
    anyone = arm_csrf(client(app))
    answer = anyone.post(f"/api/negotiations/{created['id']}/mediator/invitation")
    assert answer.status_code == 401
