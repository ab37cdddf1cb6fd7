"""Event kinds and their declared details (``protocols.events``)."""

from __future__ import annotations

import json

import yaml

from backchannel.protocols.events import DETAILS, EventKind, undeclared
from backchannel.protocols.transcript import Event


def test_every_kind_declares_its_details() -> None:
    assert set(DETAILS) == set(EventKind)


def test_a_typed_event_is_written_as_before() -> None:
    event = Event(EventKind.OFFER, 12.0, 1, "a", "b", 3, 3, ("broker",), {"sent_at_hours": 0.0})
    data = event.to_dict()
    assert json.dumps(data["kind"]) == '"offer"' and type(data["kind"]) is str
    assert yaml.safe_load(yaml.safe_dump(data))["kind"] == "offer"
    assert event == Event("offer", 12.0, 1, "a", "b", 3, 3, ("broker",), {"sent_at_hours": 0.0})


def test_undeclared_names_what_is_wrong() -> None:
    assert undeclared("offer", {"sent_at_hours": 1.0, "attempts": 2}) == []
    assert undeclared("telepathy", {}) == ["event kind 'telepathy' is not an EventKind"]
    assert undeclared("hold", {"policy": "hold", "colour": "red"}) == [
        "hold: missing detail 'until_hours'",
        "hold: undeclared detail 'colour'",
    ]
