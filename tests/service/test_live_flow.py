"""A negotiation through the API, as people run it: relay, agreement, drafts, assistant,
agents, uploads and export (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import numpy as np
from typer.testing import CliRunner

from backchannel.analysis.outcome_space import analyze_space
from backchannel.cli.main import app as cli
from backchannel.scenario.loader import load_spec
from backchannel.service.scenarios import compiled, spec_document, with_adjustments

from .conftest import (
    RESERVATION,
    arm_csrf,
    client,
    join,
    latest_number,
    make_world,
    ok,
    package,
    weights_for,
)


def api(world, suffix: str = "") -> str:
    return f"/api/negotiations/{world.id}{suffix}"


def test_offers_through_the_mediator_reach_an_agreement(app) -> None:
    world = make_world(app)
    mediator, us, iran = (world.clients[k] for k in ("mediator", "us", "iran"))
    room = ok(iran.get(api(world, "/room")))
    counter = package(room, 2)
    ok(iran.post(api(world, "/messages"), json={"kind": "proposal", "terms": counter}), 201)
    relay = {"to": "us", "source": latest_number(world.clients["mediator"], world.id)}
    ok(mediator.post(api(world, "/relay"), json=relay), 201)
    us_room = ok(us.get(api(world, "/room")))
    assert us_room["messages"][-1]["direction"] == "received"
    assert ok(mediator.get(api(world)))["status"] == "open"
    # This package crosses one of the US's red lines: accepting it needs an explicit yes.
    unconfirmed = us.post(api(world, "/messages"), json={"kind": "accept"})
    assert unconfirmed.status_code == 409 and "red line" in unconfirmed.json()["error"]
    assert ok(mediator.get(api(world)))["status"] == "open"
    confirmed = {"kind": "accept", "confirm_below_walkaway": True}
    accepted = ok(us.post(api(world, "/messages"), json=confirmed), 201)
    assert accepted["status"] == "agreed"
    expected = compiled(world_spec(app, world)).space.outcome(
        compiled(world_spec(app, world)).space.index(counter)
    )
    assert accepted["agreement"]["terms"] == expected
    assert ok(iran.get(api(world, "/room")))["agreement"]["terms"] == expected
    assert ok(mediator.post(api(world, "/close")))["status"] == "closed"
    refused = us.post(api(world, "/messages"), json={"kind": "note", "text": "late"})
    assert refused.status_code == 409 and "closed" in refused.json()["error"]


def world_spec(app, world) -> dict:
    adjustments = {
        p: {"weights": weights_for(p, world.issues), "reservation": RESERVATION[p]}
        for p in ("us", "iran")
    }
    return with_adjustments(spec_document(load_spec("iran-us-2025")), adjustments)


def test_utility_of_a_composed_package_is_the_party_s_own(app) -> None:
    world = make_world(app)
    scenario = compiled(world_spec(app, world))
    for party in ("us", "iran"):
        room = ok(world.clients[party].get(api(world, "/room")))
        terms = package(room, 1)
        answer = ok(world.clients[party].post(api(world, "/room/utility"), json={"terms": terms}))
        column = scenario.party_index(party)
        assert np.isclose(
            answer["utility"], scenario.utilities[scenario.space.index(terms), column]
        )
        assert room["preferences"]["reservation"] == RESERVATION[party]


def test_drafts_are_versioned_with_a_per_issue_diff(world) -> None:
    mediator = world.clients["mediator"]
    room = ok(world.clients["us"].get(api(world, "/room")))
    first, second = package(room, 0), dict(package(room, 0))
    second["missiles"] = "range-cap"
    ok(mediator.post(api(world, "/drafts"), json={"terms": first, "note": "opening"}), 201)
    draft = ok(mediator.post(api(world, "/drafts"), json={"terms": second}), 201)
    assert draft["version"] == 2
    assert draft["changes"] == {"missiles": {"from": first["missiles"], "to": "range-cap"}}
    listed = ok(mediator.get(api(world, "/drafts")))
    assert [d["version"] for d in listed] == [1, 2]
    assert set(listed[0]["changes"]) == set(first)


def test_assistant_works_on_what_the_parties_confided(app) -> None:
    world = make_world(app)
    answer = ok(world.clients["mediator"].get(api(world, "/assistant")))
    scenario = compiled(world_spec(app, world))
    analysis = analyze_space(scenario)
    assert answer["zopa_size"] == analysis.zopa_size
    assert answer["nash"]["terms"] == scenario.space.outcome(analysis.nash)
    assert answer["kalai_smorodinsky"]["terms"] == scenario.space.outcome(
        analysis.kalai_smorodinsky
    )
    # brute force: the Nash package maximises the product of gains over the confided reservations
    agreeable = (scenario.utilities >= scenario.reservations).all(1) & scenario.allowed.all(1)
    gains = np.prod(scenario.utilities[agreeable] - scenario.reservations, axis=1)
    nash = scenario.space.index(answer["nash"]["terms"])
    assert np.isclose(np.prod(scenario.utilities[nash] - scenario.reservations), gains.max())
    assert "confided by us, iran" in answer["note"]


def test_a_seat_filled_by_an_agent_answers_through_the_mediator(app) -> None:
    mediator = client(app, operator=True)
    created = ok(mediator.post("/api/negotiations", data={"scenario": "iran-us-2025"}), 201)
    arm_csrf(mediator)
    base = f"/api/negotiations/{created['id']}"
    ok(mediator.post(f"{base}/seats/iran/agent", json={"strategy": "conceder"}))
    bad = mediator.post(f"{base}/seats/iran/agent", json={"strategy": "nonsense"})
    assert bad.status_code == 422 and "boulware" in bad.json()["fix"]
    us = join(app, created["invitations"]["us"])
    view = ok(mediator.post(f"{base}/start"))
    first = view["messages"]
    room = ok(us.get(f"{base}/room"))
    best = {
        i["id"]: max(i["options"], key=lambda o: o["value"])["label"]
        for i in room["preferences"]["issues"]
    }
    ok(us.post(f"{base}/messages", json={"kind": "proposal", "terms": best}), 201)
    view = ok(
        mediator.post(
            f"{base}/relay", json={"to": "iran", "source": latest_number(mediator, created["id"])}
        ),
        201,
    )
    answers = [m for m in view["messages"][len(first) :] if m["sender"] == "iran"]
    assert [m["kind"] for m in answers] == ["reject", "proposal"]  # the US's ideal is too much
    assert view["seats"][1]["agent"] == "conceder"


def test_uploaded_scenarios_are_validated_like_the_command_line(app, fixtures) -> None:
    c = client(app, operator=True)
    good = (fixtures / "split.yaml").read_bytes()
    created = ok(c.post("/api/negotiations", files={"file": ("split.yaml", good)}), 201)
    assert created["invitations"]
    arm_csrf(c)  # the creator now holds a session: further posts need the CSRF token
    broken = good.replace(b"weights:", b"wieghts:", 1)
    answer = c.post("/api/negotiations", files={"file": ("mine.yaml", broken)})
    assert answer.status_code == 422
    document = answer.json()
    assert "mine.yaml" in document["error"] and document["problems"][0]["fix"]
    wrong_type = c.post("/api/negotiations", files={"file": ("notes.txt", b"hello")})
    assert wrong_type.status_code == 422 and ".yaml" in wrong_type.json()["problems"][0]["fix"]
    unknown = c.post("/api/negotiations", data={"scenario": "atlantis"})
    assert unknown.status_code == 422 and "iran-us" in unknown.json()["fix"]
    nothing = c.post("/api/negotiations")
    assert nothing.status_code == 422 and nothing.json()["fix"]


def test_bad_requests_get_clear_4xx_answers(world) -> None:
    us, mediator = world.clients["us"], world.clients["mediator"]
    room = ok(us.get(api(world, "/room")))
    cases = [
        (us, "/room/utility", {"terms": {"enrichment": 3.67}}, 422, "frozen_funds"),
        (us, "/room/utility", {"terms": {**package(room, 0), "enrichment": 7}}, 422, "3.67"),
        (us, "/room/utility", {"terms": {**package(room, 0), "pizza": 1}}, 422, "issues"),
        (us, "/messages", {"kind": "proposal"}, 422, "every issue"),
        (us, "/messages", {"kind": "shout"}, 422, "kind"),
        (mediator, "/relay", {"to": "mars", "kind": "note", "text": "hi"}, 404, "us, iran"),
        (mediator, "/relay", {"to": "us", "source": 999999}, 404, "listed"),
    ]
    for caller, suffix, body, status, hint in cases:
        answer = caller.post(api(world, suffix), json=body)
        assert answer.status_code == status, (suffix, answer.text)
        assert hint in json.dumps(answer.json()), (suffix, answer.text)
    malformed = us.post(
        api(world, "/messages"), content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 422 and malformed.json()["problems"]
    assert us.get("/api/negotiations/nope/room").status_code == 401  # as for no access
    assert us.get("/no/such/page").status_code == 404


def test_preferences_can_be_adjusted_before_the_start_only(app) -> None:
    world = make_world(app, start=False)
    us = world.clients["us"]
    even = {i: 1 / len(world.issues) for i in world.issues}
    bad = us.put(
        api(world, "/room/preferences"),
        json={"weights": {**even, world.issues[0]: 5}, "reservation": 0.3},
    )
    assert bad.status_code == 422 and "sum" in bad.json()["error"]
    room = ok(us.put(api(world, "/room/preferences"), json={"weights": even, "reservation": 0.4}))
    assert room["preferences"]["reservation"] == 0.4
    ok(world.clients["mediator"].post(api(world, "/start")))
    late = us.put(api(world, "/room/preferences"), json={"weights": even, "reservation": 0.5})
    assert late.status_code == 409


def test_export_is_analysable_by_the_command_line(app, tmp_path) -> None:
    world = make_world(app)
    iran = world.clients["iran"]
    ok(iran.post(api(world, "/messages"), json={"kind": "accept"}), 201)
    export = ok(world.clients["mediator"].get(api(world, "/export")))
    assert export["agreement"] and export["log"] and export["messages"]
    added = {"agreement", "live-agreement"}  # the agreement is the transcript's, not a package
    assert not added & {p["id"] for p in export["scenario"].get("packages", [])}
    path = tmp_path / "transcript.json"
    path.write_text(json.dumps(export))
    result = CliRunner().invoke(cli, ["analyze", str(path), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert "agreement" not in document.get("packages", {})
    run = document["run"]
    assert run["protocol"] == "live" and run["reason"] == "agreement"
    assert run["agreement"]["index"] == export["transcript"]["result"]["agreement"]
    assert run["agreement"]["outcome"] == export["agreement"]["terms"]
    assert run["agreement"]["agreeable"]


def test_live_updates_stream_says_only_that_something_changed(world) -> None:
    stream = world.clients["iran"].get(api(world, "/events"))
    assert stream.status_code == 200
    assert stream.headers["content-type"].startswith("text/event-stream")
    lines = [line for line in stream.text.splitlines() if line.startswith("data:")]
    assert lines and all(line.removeprefix("data: ").isdigit() for line in lines)


def test_two_agents_reach_agreement_through_the_mediator(app) -> None:
    """Both seats filled by agents; the mediator only passes each proposal on, unedited."""
    mediator = client(app, operator=True)
    created = ok(mediator.post("/api/negotiations", data={"scenario": "iran-us-2025"}), 201)
    arm_csrf(mediator)
    base = f"/api/negotiations/{created['id']}"
    for party in ("us", "iran"):
        ok(mediator.post(f"{base}/seats/{party}/agent", json={"strategy": "conceder"}))
    view = ok(mediator.post(f"{base}/start"))
    opening = view["messages"]
    assert [(m["sender"], m["kind"]) for m in opening] == [("iran", "proposal")]  # first mover
    for _ in range(120):
        if view["status"] == "agreed":
            break
        latest = [
            m for m in view["messages"] if m["sender"] != "mediator" and m["kind"] == "proposal"
        ][-1]
        other = "us" if latest["sender"] == "iran" else "iran"
        view = ok(mediator.post(f"{base}/relay", json={"to": other, "source": latest["id"]}), 201)
    assert view["status"] == "agreed"
    scenario = compiled(spec_document(load_spec("iran-us-2025")))
    index = scenario.space.index(view["agreement"]["terms"])
    assert (scenario.utilities[index] >= scenario.reservations - 1e-12).all()
    assert scenario.allowed[index].all()


def test_a_write_can_answer_with_its_number_only(world) -> None:
    """``Prefer: return=minimal``: the number the caller sees and the status, not the room."""
    us, mediator = world.clients["us"], world.clients["mediator"]
    brief = {"Prefer": "return=minimal"}
    room = ok(us.get(api(world, "/room")))
    sent = ok(
        us.post(api(world, "/messages"), json={"kind": "note", "text": "short"}, headers=brief),
        201,
    )
    assert sent == {"id": len(room["messages"]) + 1, "status": "open"}
    number = latest_number(mediator, world.id)
    passed = ok(
        mediator.post(api(world, "/relay"), json={"to": "iran", "source": number}, headers=brief),
        201,
    )
    assert passed == {"id": number + 1, "status": "open"}
    assert ok(us.get(api(world, "/room")))["messages"][-1]["text"] == "short"


def test_a_writes_answer_is_its_declared_model_in_json(world) -> None:
    """The two busiest writes serialise their answer themselves: it is still JSON, 201, and
    exactly the declared model (a room, a desk, or the short answer), nothing more or less."""
    from backchannel.service.schemas import ActionAckOut, MediatorViewOut, PartyRoomOut

    us, mediator = world.clients["us"], world.clients["mediator"]
    for headers, model in (({}, PartyRoomOut), ({"Prefer": "return=minimal"}, ActionAckOut)):
        sent = us.post(api(world, "/messages"), json={"kind": "note", "text": "x"}, headers=headers)
        assert sent.status_code == 201
        assert sent.headers["content-type"] == "application/json"
        assert model.model_validate_json(sent.content).model_dump(mode="json") == sent.json()
    for headers, model in (({}, MediatorViewOut), ({"Prefer": "return=minimal"}, ActionAckOut)):
        number = latest_number(mediator, world.id)
        passed = mediator.post(
            api(world, "/relay"), json={"to": "iran", "source": number}, headers=headers
        )
        assert passed.status_code == 201
        assert passed.headers["content-type"] == "application/json"
        assert model.model_validate_json(passed.content).model_dump(mode="json") == passed.json()
