"""Every endpoint and page, for every role: the right status, and nothing private leaks.

Each case runs in a fresh negotiation where both parties confided distinctive preferences, both
wrote a note the mediator never passed on, and the mediator passed one proposal on with edited
wording. A response to a caller not entitled to something must not contain it, as a substring.
"""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import EDITED_TEXT, ORIGINAL_TEXT, UNRELAYED, World, make_world, private_markers

FRESH = ("/invitation", "/close")
ROLES = ("mediator", "us", "iran", "outsider", "revoked", "wrong_token", "forged")
MEDIATOR_ONLY = {"mediator"}
PARTIES = {"us", "iran"}
MEMBERS = {"mediator", "us", "iran"}


def _relay(world: World) -> dict[str, Any]:
    return {"to": "us", "source": world.messages["proposal"]}


def _terms(world: World) -> dict[str, Any]:
    room = world.clients["us"].get(world.path("/api/negotiations/{id}/room")).json()
    return {i["id"]: i["options"][0]["label"] for i in room["preferences"]["issues"]}


# (method, path, body maker, roles allowed, status for an allowed role)
ENDPOINTS: list[tuple[str, str, Any, set[str], int]] = [
    ("GET", "/api/negotiations/{id}", None, MEDIATOR_ONLY, 200),
    ("GET", "/api/negotiations/{id}/assistant", None, MEDIATOR_ONLY, 200),
    ("GET", "/api/negotiations/{id}/drafts", None, MEDIATOR_ONLY, 200),
    (
        "POST",
        "/api/negotiations/{id}/drafts",
        lambda w: {"terms": _terms(w), "note": "v1"},
        MEDIATOR_ONLY,
        201,
    ),
    ("POST", "/api/negotiations/{id}/relay", _relay, MEDIATOR_ONLY, 201),
    (
        "POST",
        "/api/negotiations/{id}/seats/us/agent",
        lambda w: {"strategy": "boulware"},
        MEDIATOR_ONLY,
        409,
    ),
    ("POST", "/api/negotiations/{id}/seats/us/invitation", None, MEDIATOR_ONLY, 200),
    ("POST", "/api/negotiations/{id}/start", None, MEDIATOR_ONLY, 409),
    ("POST", "/api/negotiations/{id}/close", None, MEDIATOR_ONLY, 200),
    ("GET", "/api/negotiations/{id}/export", None, MEDIATOR_ONLY, 200),
    ("GET", "/api/negotiations/{id}/room", None, PARTIES, 200),
    (
        "PUT",
        "/api/negotiations/{id}/room/preferences",
        lambda w: {"weights": {i: 1 / len(w.issues) for i in w.issues}, "reservation": 0.2},
        PARTIES,
        409,
    ),
    (
        "POST",
        "/api/negotiations/{id}/room/utility",
        lambda w: {"terms": _terms(w)},
        PARTIES,
        200,
    ),
    (
        "POST",
        "/api/negotiations/{id}/messages",
        lambda w: {"kind": "note", "text": "hello"},
        PARTIES,
        201,
    ),
    ("GET", "/api/negotiations/{id}/events", None, MEMBERS, 200),
    ("GET", "/n/{id}", None, MEMBERS, 200),
    ("GET", "/n/{id}/live", None, MEMBERS, 200),
]


@pytest.fixture(scope="module")
def shared(app) -> World:
    return make_world(app)


def forbidden_for(role: str) -> list[str]:
    """Everything ``role`` must never receive in this world."""
    if role == "mediator":
        return []
    everything = [*private_markers("us"), *private_markers("iran"), ORIGINAL_TEXT]
    if role == "us":
        return [*private_markers("iran"), EDITED_TEXT]
    if role == "iran":
        return [*private_markers("us"), ORIGINAL_TEXT]
    return [*everything, EDITED_TEXT]


def denied_status(role: str, allowed: set[str]) -> int:
    if role in ("outsider", "revoked", "wrong_token", "forged"):
        return 401
    return 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "path", "body", "allowed", "status"),
    ENDPOINTS,
    ids=[f"{m} {p.replace('/api/negotiations/{id}', '')}" for m, p, *_ in ENDPOINTS],
)
def test_endpoint_for_role(app, shared, role, method, path, body, allowed, status) -> None:
    # Refused calls change nothing, so they share one negotiation; allowed calls that would
    # change what later cases see (revoking a link, closing) get a negotiation of their own.
    world = make_world(app) if role in allowed and path.endswith(FRESH) else shared
    caller = world.clients[role]
    payload = body(world) if body else None
    response = caller.request(method, world.path(path), json=payload)
    expected = status if role in allowed else denied_status(role, allowed)
    assert response.status_code == expected, response.text
    for secret in forbidden_for(role):
        assert secret not in response.text, f"{role} received '{secret}' from {method} {path}"
    if role not in allowed and path.startswith("/api/"):
        assert response.json()["fix"]


@pytest.mark.parametrize("role", ROLES)
def test_public_endpoints_answer_everyone(shared, role) -> None:
    caller = shared.clients[role]
    assert caller.get("/").status_code == 200
    assert "iran-us" in caller.get("/api/scenarios").json()
    assert "boulware" in caller.get("/api/strategies").json()


def test_the_party_sees_the_edited_version_only(world: World) -> None:
    iran = world.clients["iran"].get(world.path("/api/negotiations/{id}/room")).json()
    received = [m for m in iran["messages"] if m["direction"] == "received"]
    assert [m["text"] for m in received] == [EDITED_TEXT]
    assert "edited" not in received[0] and "source" not in received[0]
    mediator = world.clients["mediator"].get(world.path("/api/negotiations/{id}")).json()
    texts = {m["text"] for m in mediator["messages"]}
    assert {ORIGINAL_TEXT, EDITED_TEXT, *UNRELAYED.values()} <= texts
    assert any(m["edited"] for m in mediator["messages"])
