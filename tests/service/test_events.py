"""Live streams per audience: a party's stream moves only with what that party can see, carries
no negotiation-wide count, and ends when its access is revoked; messages are numbered per
negotiation and per party (on SQLite and PostgreSQL)."""

from __future__ import annotations

from fastapi import FastAPI

from backchannel.service.app import create_app
from backchannel.service.routes.events import visible_version

from .conftest import _settings, client, make_world, ok, package


class Probe:
    """Calls ``visible_version`` as the events stream does, with a client's cookies."""

    def __init__(self, app: FastAPI, negotiation_id: str) -> None:
        self.app, self.id = app, negotiation_id

    def __call__(self, c) -> int | None:
        from starlette.requests import Request

        cookie = "; ".join(f"{k}={v}" for k, v in c.cookies.items())
        scope = {
            "type": "http",
            "method": "GET",
            "path": "/",
            "headers": [(b"cookie", cookie.encode())],
            "app": self.app,
        }
        return visible_version(Request(scope), self.id)


def stream_data(c, path: str) -> list[str]:
    answer = c.get(path)
    assert answer.status_code == 200
    return [line.removeprefix("data: ") for line in answer.text.splitlines() if "data:" in line]


def test_a_partys_stream_moves_only_with_what_it_sees(app: FastAPI) -> None:
    world = make_world(app)
    version = Probe(app, world.id)
    mediator, us, iran = (world.clients[k] for k in ("mediator", "us", "iran"))
    base = f"/api/negotiations/{world.id}"
    before = {who: version(world.clients[who]) for who in ("mediator", "us", "iran")}
    room = ok(us.get(f"{base}/room"))
    ok(mediator.post(f"{base}/drafts", json={"terms": package(room, 0), "note": "private"}), 201)
    ok(iran.post(f"{base}/messages", json={"kind": "note", "text": "to the mediator"}), 201)
    ok(mediator.post(f"{base}/relay", json={"to": "iran", "kind": "note", "text": "hi"}), 201)
    assert version(us) == before["us"]  # a draft, and the other side's exchange: nothing
    assert version(iran) == before["iran"] + 2
    assert version(mediator) == before["mediator"] + 3
    ok(mediator.post(f"{base}/relay", json={"to": "us", "kind": "note", "text": "hello"}), 201)
    assert version(us) == before["us"] + 1
    ok(mediator.post(f"{base}/close"))
    assert version(us) == before["us"] + 2  # the status is for everyone


def test_a_partys_stream_counts_only_its_own_view(app: FastAPI) -> None:
    """The number a party's stream carries is the count of entries it can see, not the
    negotiation's: it equals the count of its own messages plus everyone's status changes."""
    world = make_world(app)
    us = world.clients["us"]
    base = f"/api/negotiations/{world.id}"
    [shown] = stream_data(us, f"{base}/events")
    mediators = stream_data(world.clients["mediator"], f"{base}/events")[0]
    own = ok(us.get(f"{base}/room"))["messages"]
    # created + started, its own preferences, its messages
    assert int(shown) == 2 + 1 + len(own) < int(mediators)


def test_a_revoked_session_gets_no_stream(app: FastAPI) -> None:
    world = make_world(app)
    base = f"/api/negotiations/{world.id}"
    version = Probe(app, world.id)
    assert version(world.clients["us"]) is not None
    ok(world.clients["mediator"].post(f"{base}/seats/us/invitation"))
    assert version(world.clients["us"]) is None  # a running stream ends at its next poll
    assert world.clients["us"].get(f"{base}/events").status_code == 401
    assert world.clients["revoked"].get(f"{base}/events").status_code == 401


def test_a_running_stream_ends_when_its_session_is_revoked(tmp_path) -> None:
    """The stream polls every 10 ms for up to an hour; revoking ends it at the next poll."""
    import threading

    app = create_app(
        _settings(f"sqlite:///{tmp_path / 's.db'}", sse_max_seconds=3600, sse_poll_seconds=0.01)
    )
    world = make_world(app)
    base = f"/api/negotiations/{world.id}"
    lines: list[str] = []
    done = threading.Event()

    def listen() -> None:
        with world.clients["us"].stream("GET", f"{base}/events") as answer:
            for line in answer.iter_lines():
                lines.append(line)
                if len(lines) == 3:
                    revoke.set()
        done.set()

    revoke = threading.Event()
    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    revoke.wait()
    ok(world.clients["mediator"].post(f"{base}/seats/us/invitation"))
    done.wait()
    assert lines[0].startswith("retry:") and done.is_set()


def test_messages_are_numbered_per_negotiation_and_per_party(app: FastAPI) -> None:
    first, second = make_world(app), make_world(app)
    for world in (first, second):
        base = f"/api/negotiations/{world.id}"
        mediator = world.clients["mediator"]
        view = ok(mediator.get(base))
        assert [m["id"] for m in view["messages"]] == list(range(1, len(view["messages"]) + 1))
        for party in ("us", "iran"):
            room = ok(world.clients[party].get(f"{base}/room"))
            assert [m["id"] for m in room["messages"]] == list(range(1, len(room["messages"]) + 1))
    # a message passed on names its source by the mediator's number
    view = ok(first.clients["mediator"].get(f"/api/negotiations/{first.id}"))
    relayed = view["messages"][-1]
    assert relayed["source"] == first.messages["proposal"]


def test_the_outsider_and_a_forged_cookie_get_no_version(app: FastAPI) -> None:
    world = make_world(app)
    version = Probe(app, world.id)
    for who in ("outsider", "forged", "wrong_token", "revoked"):
        assert version(world.clients[who]) is None
    assert version(client(app)) is None
