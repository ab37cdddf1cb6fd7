"""Safety nets: a party's move against its own red line or walk-away value needs an explicit
confirmation (from an API caller too); empty notes are refused."""

from __future__ import annotations

import numpy as np

from backchannel.service.safety import risk
from backchannel.service.scenarios import compiled

from .conftest import ok
from .test_idempotency import red_line_package
from .test_live_flow import api, world_spec


def best_package(room: dict) -> dict[str, str]:
    return {
        i["id"]: max((o for o in i["options"] if not o["red_line"]), key=lambda o: o["value"])[
            "label"
        ]
        for i in room["preferences"]["issues"]
    }


def test_proposing_across_a_red_line_needs_confirmation(world) -> None:
    us = world.clients["us"]
    room = ok(us.get(api(world, "/room")))
    before = len(room["messages"])
    red = red_line_package(room)
    refused = us.post(api(world, "/messages"), json={"kind": "proposal", "terms": red})
    assert refused.status_code == 409
    answer = refused.json()
    assert "red line" in answer["error"] and answer["confirm"] == "confirm_below_walkaway"
    assert "confirm_below_walkaway" in answer["fix"]
    assert len(ok(us.get(api(world, "/room")))["messages"]) == before  # nothing was sent
    confirmed = {"kind": "proposal", "terms": red, "confirm_below_walkaway": True}
    sent = ok(us.post(api(world, "/messages"), json=confirmed), 201)
    assert sent["messages"][-1]["crosses_red_line"] is True


def test_a_package_within_the_party_s_limits_needs_no_confirmation(world) -> None:
    us = world.clients["us"]
    room = ok(us.get(api(world, "/room")))
    best = {"kind": "proposal", "terms": best_package(room)}
    sent = ok(us.post(api(world, "/messages"), json=best), 201)
    assert sent["messages"][-1]["utility"] == 1.0


def test_accepting_a_passed_package_against_the_party_s_limits_needs_confirmation(world) -> None:
    iran = world.clients["iran"]
    red = red_line_package(ok(iran.get(api(world, "/room"))))
    relay = {"to": "iran", "kind": "proposal", "terms": red, "text": "take it or leave it"}
    ok(world.clients["mediator"].post(api(world, "/relay"), json=relay), 201)
    for body in ({"kind": "accept"}, {"kind": "accept", "terms": red}):
        refused = iran.post(api(world, "/messages"), json=body)
        assert refused.status_code == 409 and "red line" in refused.json()["error"]
    ok(iran.post(api(world, "/messages"), json={"kind": "reject"}), 201)  # never needs a yes
    confirmed = {"kind": "accept", "terms": red, "confirm_below_walkaway": True}
    assert ok(iran.post(api(world, "/messages"), json=confirmed), 201)["messages"][-1]["kind"] == (
        "accept"
    )


def test_risk_is_exactly_the_outcomes_the_party_would_not_accept(app) -> None:
    """Against the engine's own acceptable mask, over a sample spanning the whole space."""
    from .conftest import make_world

    world = make_world(app, start=False)
    model = compiled(world_spec(app, world))
    for column, party in enumerate(model.parties):
        acceptable = model.own_arrays(column, party.reservation).acceptable
        sample = np.unique(np.linspace(0, len(acceptable) - 1, 500).astype(int))
        flagged = np.array([risk(model, party.id, int(i)) is not None for i in sample])
        assert np.array_equal(flagged, ~acceptable[sample])
        assert flagged.any() and not flagged.all()


def test_empty_notes_are_refused(world) -> None:
    for who, suffix, body in (
        ("us", "/messages", {"kind": "note", "text": "   "}),
        ("us", "/messages", {"kind": "note"}),
        ("mediator", "/relay", {"to": "us", "kind": "note", "text": ""}),
        ("mediator", "/relay", {"to": "us", "text": "\n"}),
    ):
        answer = world.clients[who].post(api(world, suffix), json=body)
        assert answer.status_code == 422, (who, body)
        assert "a note needs some text" in answer.text
