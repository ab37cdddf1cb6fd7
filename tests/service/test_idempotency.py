"""The same ``Idempotency-Key`` twice yields one action and the same answer (SQLite and
PostgreSQL); keys belong to one caller, and one key cannot stand for two different requests."""

from __future__ import annotations

import uuid

from .conftest import ok, package


def api(world, suffix: str = "") -> str:
    return f"/api/negotiations/{world.id}{suffix}"


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def count(world, kind: str, text: str) -> int:
    view = ok(world.clients["mediator"].get(api(world)))
    return sum(1 for m in view["messages"] if m["kind"] == kind and m["text"] == text)


def test_a_party_message_sent_twice_with_one_key_is_sent_once(world) -> None:
    us = world.clients["us"]
    body = {"kind": "note", "text": "sent once, whatever happens"}
    headers = key()
    first = us.post(api(world, "/messages"), json=body, headers=headers)
    second = us.post(api(world, "/messages"), json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert count(world, "note", body["text"]) == 1
    ok(us.post(api(world, "/messages"), json=body, headers=key()), 201)  # a new key: a new action
    assert count(world, "note", body["text"]) == 2


def test_a_relay_and_a_draft_repeated_with_their_keys_happen_once(world) -> None:
    mediator = world.clients["mediator"]
    relay = {"to": "us", "kind": "note", "text": "passed exactly once"}
    headers = key()
    answers = [mediator.post(api(world, "/relay"), json=relay, headers=headers) for _ in range(3)]
    assert {a.status_code for a in answers} == {201}
    assert answers[0].json() == answers[2].json()
    assert count(world, "note", relay["text"]) == 1
    room = ok(world.clients["us"].get(api(world, "/room")))
    assert [m["text"] for m in room["messages"]].count(relay["text"]) == 1

    draft = {"terms": package(room, 0), "note": "one version only"}
    headers = key()
    first = ok(mediator.post(api(world, "/drafts"), json=draft, headers=headers), 201)
    again = ok(mediator.post(api(world, "/drafts"), json=draft, headers=headers), 201)
    assert first == again
    assert [d["note"] for d in ok(mediator.get(api(world, "/drafts")))].count(draft["note"]) == 1


def test_start_and_close_repeated_with_their_keys_answer_as_the_first_time(app) -> None:
    from .conftest import make_world

    world = make_world(app, start=False)
    mediator = world.clients["mediator"]
    headers = key()
    first = ok(mediator.post(api(world, "/start"), headers=headers))
    assert ok(mediator.post(api(world, "/start"), headers=headers)) == first
    assert mediator.post(api(world, "/start"), headers=key()).status_code == 409  # a new action
    headers = key()
    closed = ok(mediator.post(api(world, "/close"), headers=headers))
    assert ok(mediator.post(api(world, "/close"), headers=headers)) == closed
    assert closed["status"] == "closed"


def test_one_key_for_two_different_requests_is_refused(world) -> None:
    us = world.clients["us"]
    headers = key()
    ok(us.post(api(world, "/messages"), json={"kind": "note", "text": "a"}, headers=headers), 201)
    other = us.post(api(world, "/messages"), json={"kind": "note", "text": "b"}, headers=headers)
    assert other.status_code == 422 and "Idempotency-Key" in other.json()["error"]
    assert count(world, "note", "b") == 0


def test_keys_belong_to_one_caller(world) -> None:
    """Another caller reusing a key gets its own action, never the first caller's answer."""
    headers = key()
    body = {"kind": "note", "text": "same key, two callers"}
    from_us = ok(world.clients["us"].post(api(world, "/messages"), json=body, headers=headers), 201)
    iran = world.clients["iran"]
    from_iran = ok(iran.post(api(world, "/messages"), json=body, headers=headers), 201)
    assert from_iran["party"]["id"] == "iran" and from_us["party"]["id"] == "us"
    assert count(world, "note", body["text"]) == 2


def test_a_refused_request_does_not_use_up_its_key(world) -> None:
    """Only an action that happened is remembered: after a refusal the same key may act."""
    us = world.clients["us"]
    room = ok(us.get(api(world, "/room")))
    red = red_line_package(room)
    headers = key()
    refused = us.post(
        api(world, "/messages"), json={"kind": "proposal", "terms": red}, headers=headers
    )
    assert refused.status_code == 409
    confirmed = {"kind": "proposal", "terms": red, "confirm_below_walkaway": True}
    ok(us.post(api(world, "/messages"), json=confirmed, headers=headers), 201)


def test_malformed_keys_are_refused_with_the_rule(world) -> None:
    us = world.clients["us"]
    for bad in ("short", "x" * 101, "has spaces in it"):
        answer = us.post(
            api(world, "/messages"),
            json={"kind": "note", "text": "k"},
            headers={"Idempotency-Key": bad},
        )
        assert answer.status_code == 422, bad
        assert "Idempotency-Key" in answer.text


def red_line_package(room: dict) -> dict[str, str]:
    """The party's best option everywhere except one red-line option."""
    terms = {}
    crossed = False
    for issue in room["preferences"]["issues"]:
        red = [o for o in issue["options"] if o["red_line"]]
        if red and not crossed:
            terms[issue["id"]], crossed = red[0]["label"], True
        else:
            allowed = [o for o in issue["options"] if not o["red_line"]]
            terms[issue["id"]] = max(allowed, key=lambda o: o["value"])["label"]
    assert crossed, "the scenario gives this party no red line"
    return terms


def test_the_same_key_sent_at_once_from_two_connections_acts_once(world) -> None:
    """Two requests racing with one key: one action; the loser answers with the winner's
    answer. Writes to one negotiation take its lock first (the log head row, on SQLite and
    PostgreSQL alike), so the second looks the key up only after the first has committed it."""
    import threading

    from .conftest import client

    us = world.clients["us"]
    twin = client(world.app)
    twin.cookies.update(us.cookies)
    twin.headers.update(us.headers)
    body = {"kind": "note", "text": "raced, sent once"}
    headers = key()
    start = threading.Barrier(2)
    answers: list = [None, None]

    def post(slot: int, caller) -> None:
        start.wait()
        answers[slot] = caller.post(api(world, "/messages"), json=body, headers=headers)

    threads = [threading.Thread(target=post, args=(n, c)) for n, c in enumerate((us, twin))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
    assert answers[0].json() == answers[1].json()
    assert count(world, "note", body["text"]) == 1


def test_a_request_without_a_key_never_works_out_its_fingerprint() -> None:
    """The fingerprint (a JSON dump and a hash of the body) is only for keyed requests."""
    from backchannel.service.idempotency import fingerprint, once
    from backchannel.service.schemas import ActionAckOut, PartyMessageIn

    class Committed:
        commits = 0

        def commit(self) -> None:
            self.commits += 1

    db, asked = Committed(), fingerprint("messages", PartyMessageIn(kind="note", text="hello"))
    answer = once(
        db,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        None,
        asked,
        ActionAckOut,
        lambda: ActionAckOut(id=1, status="open"),
    )
    assert answer == ActionAckOut(id=1, status="open") and db.commits == 1
    assert "digest" not in vars(asked)
    assert asked.digest == fingerprint("messages", PartyMessageIn(kind="note", text="hello")).digest
    assert asked.digest != fingerprint("messages", PartyMessageIn(kind="note", text="other")).digest
