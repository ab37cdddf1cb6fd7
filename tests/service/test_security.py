"""Invitations, cookies, cross-site protection and error answers."""

from __future__ import annotations

from fastapi import FastAPI
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.service.app import create_app

from .conftest import _settings, arm_csrf, client, make_world, ok, raw_tokens_absent


def test_invitation_tokens_are_long_random_and_stored_only_hashed(app: FastAPI) -> None:
    c = client(app, operator=True)
    created = ok(c.post("/api/negotiations", data={"scenario": "iran-us-2025"}), 201)
    tokens = [
        link.rsplit("/", 1)[1]
        for link in (created["mediator_link"], *created["invitations"].values())
    ]
    assert len(set(tokens)) == 3 and all(len(t) >= 43 for t in tokens)
    assert raw_tokens_absent(app, tokens)


def test_session_cookie_is_http_only_and_same_site(app: FastAPI) -> None:
    c = client(app, operator=True)
    response = c.post("/api/negotiations", data={"scenario": "iran-us-2025"})
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("bc_session="))
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()


def test_exchange_wrong_and_revoked_tokens(app: FastAPI) -> None:
    mediator = client(app, operator=True)
    created = ok(mediator.post("/api/negotiations", data={"scenario": "iran-us-2025"}), 201)
    arm_csrf(mediator)
    old = created["invitations"]["us"].rsplit("/", 1)[1]
    session = ok(arm_csrf(client(app)).post("/api/sessions", json={"token": old}))
    assert session["role"] == "party" and session["party"] == "us"
    ok(mediator.post(f"/api/negotiations/{created['id']}/seats/us/invitation"))
    for token in (old, "x" * 43):
        answer = arm_csrf(client(app)).post("/api/sessions", json={"token": token})
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


# --- the Host allow-list and links built from configuration ---------------------------------


def test_an_unknown_host_is_refused_before_anything_happens(app: FastAPI) -> None:
    """DNS rebinding: a page on evil.example that resolves to this server gets nothing."""
    c = client(app, operator=True)
    evil = {"Host": "evil.example", "Origin": "http://evil.example"}
    created = c.post("/api/negotiations", data={"scenario": "iran-us-2025"}, headers=evil)
    assert created.status_code == 400 and "evil.example" in created.json()["error"]
    assert c.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert c.get("/api/scenarios", headers={"Host": "testserver:8000"}).status_code == 200
    for trick in ("testserver:80@evil.example", "testserver.evil.example", "evil.example:80"):
        assert c.get("/api/scenarios", headers={"Host": trick}).status_code == 400, trick


def test_host_names_are_read_without_their_port() -> None:
    from backchannel.service.security import _host_name

    assert _host_name("LocalHost:8000") == "localhost"
    assert _host_name("[::1]:8000") == "::1" and _host_name("[::1]") == "::1"
    assert _host_name("127.0.0.1") == "127.0.0.1"
    assert _host_name("localhost:80@evil") == "localhost:80@evil"
    assert _host_name("[::1]x") == "[::1]x"


NAMES = st.sampled_from(["host", "Origin", "origin", "x-csrf-token", "authorization", "cookie"])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(NAMES, st.text(alphabet=st.characters(max_codepoint=255))), max_size=8))
def test_the_guard_reads_headers_as_starlette_does(pairs: list[tuple[str, str]]) -> None:
    """The guard's one-pass header read answers each name as ``Request.headers.get`` does:
    the first value, whatever the case, or nothing."""
    from starlette.datastructures import Headers

    from backchannel.service.security import _first_values

    raw = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in pairs]
    read = _first_values(raw)
    starlette = Headers(raw=[(name.lower(), value) for name, value in raw])
    for name in ("host", "origin", "x-csrf-token", "authorization", "cookie", "referer"):
        assert read.get(name) == starlette.get(name)
        assert (name in read) == (name in starlette)


HEADER_NAMES = st.sampled_from(
    [b"content-type", b"referrer-policy", b"x-frame-options", b"cache-control", b"x-other",
     b"x-content-type-options", b"content-security-policy", b"set-cookie"]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(HEADER_NAMES, st.binary(max_size=6)), max_size=8),
    st.booleans(),
    st.one_of(st.none(), st.text(alphabet="abc123", min_size=1, max_size=8)),
)
def test_protective_headers_are_set_as_starlette_sets_them(raw, static: bool, token) -> None:
    """The guard's one-pass header setting gives the very list ``MutableHeaders`` gives."""
    from starlette.datastructures import MutableHeaders

    from backchannel.service.security import (
        _PROTECTIVE,
        CONTENT_SECURITY_POLICY,
        CSRF_COOKIE,
        protected,
    )

    message = {"type": "http.response.start", "headers": list(raw)}
    headers = MutableHeaders(scope=message)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if not static:
        headers["Cache-Control"] = "no-store"
    cookie = f"{CSRF_COOKIE}={token}; Path=/; SameSite=Strict" if token else None
    if cookie:
        headers.append("Set-Cookie", cookie)
    chosen = _PROTECTIVE[:-1] if static else _PROTECTIVE
    assert protected(raw, chosen, cookie) == message["headers"]


def test_invitation_links_come_from_the_configured_public_url(tmp_path) -> None:
    settings = _settings(
        f"sqlite:///{tmp_path / 'x.db'}",
        public_url="https://mediation.example.org",
        allowed_hosts=["testserver", "other.example"],
    )
    c = client(create_app(settings), operator=True)
    created = ok(
        c.post(
            "/api/negotiations",
            data={"scenario": "iran-us-2025"},
            headers={"Host": "other.example"},
        ),
        201,
    )
    links = [created["mediator_link"], *created["invitations"].values()]
    assert all(link.startswith("https://mediation.example.org/join/") for link in links)


def test_loopback_names_are_the_default_allow_list() -> None:
    from backchannel.service.settings import Settings

    assert set(Settings().allowed_hosts) == {"127.0.0.1", "localhost", "::1"}


# --- the operator credential -----------------------------------------------------------------


def test_opening_a_negotiation_needs_the_operator(app: FastAPI) -> None:
    anyone = arm_csrf(client(app))
    refused = anyone.post("/api/negotiations", data={"scenario": "iran-us-2025"})
    assert refused.status_code == 401 and "/operator" in refused.json()["fix"]
    wrong = client(app)
    wrong.headers["Authorization"] = "Bearer not-the-token"
    assert wrong.post("/api/negotiations", data={"scenario": "iran-us-2025"}).status_code == 401
    assert (
        client(app, operator=True)
        .post("/api/negotiations", data={"scenario": "iran-us-2025"})
        .status_code
        == 201
    )


def test_the_operator_signs_in_once_in_the_browser(app: FastAPI) -> None:
    from .conftest import OPERATOR

    browser = client(app)
    start = browser.get("/")
    assert start.status_code == 200 and 'name="token"' in start.text  # asks for the token
    csrf = browser.cookies["bc_csrf"]
    wrong = browser.post("/operator", data={"token": "guess", "csrf": csrf})
    assert wrong.status_code == 401 and "not the operator token" in wrong.text
    no_csrf = browser.post("/operator", data={"token": OPERATOR, "csrf": "forged"})
    assert no_csrf.status_code == 403
    signed = browser.post(
        "/operator", data={"token": OPERATOR, "csrf": csrf}, follow_redirects=False
    )
    assert signed.status_code == 303
    assert 'id="create-form"' in browser.get("/").text
    arm_csrf(browser)
    assert browser.post("/api/negotiations", data={"scenario": "iran-us-2025"}).status_code == 201


def test_open_mode_lets_anyone_open_negotiations(tmp_path) -> None:
    settings = _settings(f"sqlite:///{tmp_path / 'x.db'}", operator_token=None, open_mode=True)
    c = arm_csrf(client(create_app(settings)))
    assert c.post("/api/negotiations", data={"scenario": "iran-us-2025"}).status_code == 201
    assert not (tmp_path / "backchannel-data" / "operator-token").exists()


def test_without_a_configured_token_one_is_kept_in_a_private_file(tmp_path) -> None:
    settings = _settings(f"sqlite:///{tmp_path / 'x.db'}", operator_token=None)
    app = create_app(settings)
    kept = tmp_path / "backchannel-data" / "operator-token"
    assert kept.stat().st_mode & 0o777 == 0o600
    assert app.state.operator_token == kept.read_text().strip()
    assert create_app(settings).state.operator_token == app.state.operator_token


# --- protective headers ---------------------------------------------------------------------


def test_pages_and_json_carry_the_protective_headers(world) -> None:
    mediator = world.clients["mediator"]
    for path in (f"/n/{world.id}", f"/api/negotiations/{world.id}", "/"):
        headers = mediator.get(path).headers
        policy = headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy and headers["x-frame-options"] == "DENY"
        assert headers["cache-control"] == "no-store"
        assert headers["referrer-policy"] == "no-referrer"


def test_the_api_docs_load_nothing_from_a_cdn(app: FastAPI) -> None:
    c = client(app)
    assert c.get("/docs").status_code == 404 and c.get("/redoc").status_code == 404
    assert c.get("/openapi.json").json()["info"]["title"] == "Backchannel"


def test_pages_load_no_inline_script() -> None:
    import re
    from importlib import resources

    folder = resources.files("backchannel.service") / "templates"
    for page in folder.iterdir():
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), page.name
        assert not re.search(r"\son[a-z]+\s*=", text), page.name


# --- no state change on GET, one answer for unknown and forbidden ------------------------------


def test_opening_an_invitation_link_changes_nothing_until_its_button(app: FastAPI) -> None:
    from .conftest import join

    mediator = client(app, operator=True)
    created = ok(mediator.post("/api/negotiations", data={"scenario": "iran-us-2025"}), 201)
    arm_csrf(mediator)
    link = created["invitations"]["us"]
    visitor = client(app)
    page = visitor.get("/join/" + link.rsplit("/", 1)[1])
    assert page.status_code == 200 and "Enter the negotiation" in page.text
    assert "bc_session" not in visitor.cookies
    view = ok(mediator.get(f"/api/negotiations/{created['id']}"))
    assert not any(seat["joined"] for seat in view["seats"])
    forged = client(app).post("/join/" + link.rsplit("/", 1)[1], data={"csrf": "x"})
    assert forged.status_code == 403  # login CSRF: a form from elsewhere has no token
    join(app, link, visitor)
    view = ok(mediator.get(f"/api/negotiations/{created['id']}"))
    assert [seat["joined"] for seat in view["seats"]] == [True, False]


def test_an_unknown_negotiation_looks_like_a_forbidden_one(world) -> None:
    outsider = world.clients["outsider"]
    for suffix in ("", "/room", "/events", "/export"):
        known = outsider.get(f"/api/negotiations/{world.id}{suffix}")
        unknown = outsider.get(f"/api/negotiations/{'0' * 32}{suffix}")
        assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
        assert known.status_code == 401
    pages = [outsider.get(f"/n/{n}") for n in (world.id, "0" * 32)]
    assert pages[0].status_code == pages[1].status_code == 401
    assert pages[0].text == pages[1].text
