"""Fixtures for the service tests: an app per database backend, and a negotiation "world"
with every role (mediator, two parties, an outsider, a revoked seat, a forged cookie) and
private markers planted so that a leak is detectable by a plain substring search."""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)

from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import text  # noqa: E402

from backchannel.service.app import create_app  # noqa: E402
from backchannel.service.settings import Settings  # noqa: E402

from .postgres import postgres_url, with_driver  # noqa: E402

SECRET = "test-secret-key-with-enough-length-0123456789"
OPERATOR = "test-operator-token-0123456789abcdef"

# Distinctive numbers and texts: if one shows up where it should not, a substring search finds it.
WEIGHTS = {
    "us": [0.05173, 0.10291, 0.17337, 0.08719, 0.14993, 0.13731, 0.12197],
    "iran": [0.06247, 0.11863, 0.09421, 0.15559, 0.13379, 0.10987, 0.14111],
}
RESERVATION = {"us": 0.31337, "iran": 0.27183}
UNRELAYED = {"us": "UNRELAYED-US-7f3a", "iran": "UNRELAYED-IRAN-91cd"}
ORIGINAL_TEXT = "ORIGINAL-WORDING-5e2b"
EDITED_TEXT = "Edited by the mediator"


def weights_for(party: str, issues: list[str]) -> dict[str, float]:
    values = WEIGHTS[party]
    weights = dict(zip(issues, values, strict=False))
    weights[issues[-1]] = round(1.0 - sum(values), 5)
    return weights


def private_markers(party: str) -> list[str]:
    """Strings only ``party`` and the mediator may ever see."""
    return [*(repr(w) for w in WEIGHTS[party]), repr(RESERVATION[party]), UNRELAYED[party]]


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    try:
        with postgres_url() as url:
            yield url
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)


def _settings(url: str, **extra: Any) -> Settings:
    options: dict[str, Any] = {
        "database_url": url,
        "secret_key": SECRET,
        "operator_token": OPERATOR,
        "allowed_hosts": ["testserver"],
        "public_url": "http://testserver",
        "sse_max_seconds": 0,
        "sse_poll_seconds": 0.01,
    }
    if not url.startswith("sqlite"):
        options["data_dir"] = tempfile.mkdtemp(prefix="backchannel-data-")
    return Settings(**{**options, **extra})


@pytest.fixture(scope="session", params=["sqlite", "postgresql", "postgresql-asyncpg"])
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """One application per backend, shared by the tests (each works in its own negotiation).
    On ``postgresql-asyncpg`` sending and relaying messages run on the event loop."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'service.db'}"
    elif request.param == "postgresql":
        url = request.getfixturevalue("postgres")
    else:
        url = with_driver(request.getfixturevalue("postgres"), "asyncpg")
    return create_app(_settings(url))


def client(app: FastAPI, operator: bool = False) -> TestClient:
    """A browser of its own; with ``operator``, one that may open negotiations."""
    c = TestClient(app, base_url="http://testserver")
    if operator:
        c.headers["Authorization"] = f"Bearer {OPERATOR}"
    return c


def arm_csrf(c: TestClient) -> TestClient:
    if "bc_csrf" not in c.cookies:
        c.get("/")
    c.headers["X-CSRF-Token"] = c.cookies["bc_csrf"]
    return c


def join(app: FastAPI, link: str, c: TestClient | None = None) -> TestClient:
    """Open an invitation link as a browser does: the page, then its button (a form POST)."""
    c = c or client(app)
    token = link.rsplit("/", 1)[1]
    page = c.get("/join/" + token)
    assert page.status_code == 200, page.text
    response = c.post("/join/" + token, data={"csrf": c.cookies["bc_csrf"]}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return arm_csrf(c)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@dataclass
class World:
    """One started negotiation of iran-us-2025, with every kind of caller."""

    app: FastAPI
    id: str
    clients: dict[str, TestClient]
    issues: list[str]
    messages: dict[str, int] = field(default_factory=dict)

    def path(self, template: str) -> str:
        return template.format(id=self.id)


def make_world(app: FastAPI, start: bool = True) -> World:
    mediator = client(app, operator=True)
    created = ok(mediator.post("/api/negotiations", data={"scenario": "iran-us-2025"}), 201)
    arm_csrf(mediator)
    revoked = join(app, created["invitations"]["iran"])
    fresh = ok(mediator.post(f"/api/negotiations/{created['id']}/seats/iran/invitation"))
    us, iran = join(app, created["invitations"]["us"]), join(app, fresh["link"])
    wrong = client(app)
    assert wrong.get("/join/" + "w" * 43).status_code == 401  # a wrong token opens nothing
    arm_csrf(wrong)
    wrong_post = wrong.post("/join/" + "w" * 43, data={"csrf": wrong.cookies["bc_csrf"]})
    assert wrong_post.status_code == 401
    forged = client(app)
    forged.cookies.set("bc_session", _forged_cookie(created["id"]))
    forged.cookies.set("bc_csrf", "x")
    forged.headers["X-CSRF-Token"] = "x"
    room = ok(us.get(f"/api/negotiations/{created['id']}/room"))
    issues = [i["id"] for i in room["preferences"]["issues"]]
    world = World(
        app,
        created["id"],
        {
            "mediator": mediator,
            "us": us,
            "iran": iran,
            "outsider": arm_csrf(client(app)),
            "revoked": revoked,
            "forged": forged,
            "wrong_token": arm_csrf(wrong),
        },
        issues,
    )
    base = f"/api/negotiations/{world.id}"
    for party in ("us", "iran"):
        prefs = {"weights": weights_for(party, issues), "reservation": RESERVATION[party]}
        ok(world.clients[party].put(f"{base}/room/preferences", json=prefs))
    if not start:
        return world
    ok(mediator.post(f"{base}/start"))
    for party in ("us", "iran"):
        note = {"kind": "note", "text": UNRELAYED[party]}
        ok(world.clients[party].post(f"{base}/messages", json=note), 201)
    terms = package(room, 1)
    proposal = {"kind": "proposal", "terms": terms, "text": ORIGINAL_TEXT}
    ok(us.post(f"{base}/messages", json=proposal), 201)
    world.messages["proposal"] = latest_number(mediator, world.id)
    relay = {"to": "iran", "source": world.messages["proposal"], "text": EDITED_TEXT}
    ok(mediator.post(f"{base}/relay", json=relay), 201)
    return world


def latest_number(mediator: TestClient, negotiation_id: str) -> int:
    """The number (in the mediator's view) of the negotiation's latest message."""
    return int(ok(mediator.get(f"/api/negotiations/{negotiation_id}"))["messages"][-1]["id"])


def package(room: dict[str, Any], option: int) -> dict[str, str]:
    """A package choosing (about) the ``option``-th option of every issue."""
    return {
        i["id"]: i["options"][min(option, len(i["options"]) - 1)]["label"]
        for i in room["preferences"]["issues"]
    }


def _forged_cookie(negotiation_id: str) -> str:
    from itsdangerous import URLSafeSerializer

    forger = URLSafeSerializer("not-the-server-secret", salt="backchannel-session")
    return forger.dumps({negotiation_id: {"r": "mediator", "p": None, "g": 1}})


@pytest.fixture
def world(app: FastAPI) -> World:
    return make_world(app)


def raw_tokens_absent(app: FastAPI, tokens: list[str]) -> bool:
    """True when no table stores any of the raw tokens."""
    with app.state.engine.connect() as connection:
        for table in ("negotiations", "seats", "log_entries"):
            dump = str(connection.execute(text(f"SELECT * FROM {table}")).fetchall())
            if any(token in dump for token in tokens):
                return False
    return True
