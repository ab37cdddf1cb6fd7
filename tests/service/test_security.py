"""Invitations, cookies, cross-site protection and error answers."""

from __future__ import annotations

from fastapi import FastAPI

from backchannel.service.app import create_app

from .conftest import _settings, arm_csrf, client, make_world, ok, raw_tokens_absent


def test_invitation_tokens_are_long_random_and_stored_only_hashed(app: FastAPI) -> None:
    c = client(app)
    created = ok(c.post("/api/negotiations", data={"scenario": "iran-us-2025"}), 201)
    tokens = [
        link.rsplit("/", 1)[1]
        for link in (created["mediator_link"], *created["invitations"].values())
    ]
    assert len(set(tokens)) == 3 and all(len(t) >= 43 for t in tokens)
    assert raw_tokens_absent(app, tokens)


def test_session_cookie_is_http_only_and_same_site(app: FastAPI) -> None:
    c = client(app)
    response = c.post("/api/negotiations", data={"scenario": "iran-us-2025"})
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("bc_session="))
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()


def test_exchange_wrong_and_revoked_tokens(app: FastAPI) -> None:
    mediator = client(app)
    created = ok(mediator.post("/api/negotiations", data={"scenario": "iran-us-2025"}), 201)
    arm_csrf(mediator)
    old = created["invitations"]["us"].rsplit("/", 1)[1]
    session = ok(client(app).post("/api/sessions", json={"token": old}))
    assert session["role"] == "party" and session["party"] == "us"
    ok(mediator.post(f"/api/negotiations/{created['id']}/seats/us/invitation"))
    for token in (old, "x" * 43):
        answer = client(app).post("/api/sessions", json={"token": token})
        assert answer.status_code == 401 and "mediator" in answer.json()["fix"]
        page = client(app).get(f"/join/{token}")
        assert page.status_code == 401 and "text/html" in page.headers["content-type"]
    outsider_page = client(app).get(f"/n/{created['id']}")
    assert outsider_page.status_code == 401 and "invitation link" in outsider_page.text


def test_cross_site_posts_are_refused(app: FastAPI) -> None:
    world = make_world(app)
    us = world.clients["us"]
    url = f"/api/negotiations/{world.id}/messages"
    body = {"kind": "note", "text": "hello"}
    no_token = client(app)
    no_token.cookies = us.cookies
    answer = no_token.post(url, json=body)
    assert answer.status_code == 403 and "CSRF" in answer.json()["error"]
    foreign = us.post(url, json=body, headers={"Origin": "https://evil.example"})
    assert (
        foreign.status_code == 403
        and "evil.example" in answer.json()["error"] + foreign.json()["error"]
    )
    same = us.post(url, json=body, headers={"Origin": "http://testserver"})
    assert same.status_code == 201


def test_an_internal_error_is_a_json_500_without_details(tmp_path) -> None:
    app = create_app(_settings(f"sqlite:///{tmp_path / 'x.db'}"))

    @app.get("/api/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    answer = client_without_raise(app).get("/api/boom")
    assert answer.status_code == 500
    assert answer.json()["error"] == "internal error" and "secret" not in answer.text


def client_without_raise(app: FastAPI):
    from fastapi.testclient import TestClient

    return TestClient(app, raise_server_exceptions=False)
