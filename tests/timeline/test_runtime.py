"""The negotiation engine follows the timeline and says so in the transcript."""

from __future__ import annotations

from dataclasses import replace

import pytest

from backchannel.protocols.runner import RunOptions, run_negotiation

DAY = 24.0


def test_transcript_records_who_moved_and_why(pressure) -> None:
    transcript = run_negotiation(pressure, RunOptions(protocol="shuttle"))
    moves = transcript.of_kind("timeline")
    ultimatum = [e for e in moves if "ultimatum" in e.details["causes"]]
    assert len(ultimatum) == 1
    event = ultimatum[0]
    assert event.sender == "b"
    assert event.details["changes"]["reservation"] == {"before": 0.3, "after": pytest.approx(0.5)}
    assert event.time_hours >= 5 * DAY
    strike = [e for e in moves if e.details["id"] == "broker"]
    assert [e.details["changes"]["suspended"]["after"] for e in strike] == [True, False]


def test_moved_reservation_binds_the_agreement(pressure) -> None:
    transcript = run_negotiation(pressure, RunOptions(protocol="shuttle"))
    assert transcript.result.agreed
    assert transcript.result.time_hours > 5 * DAY
    assert transcript.result.utilities["b"] >= 0.5 - 1e-9  # the ultimatum raised b's floor


def test_suspended_hop_holds_messages(pressure) -> None:
    transcript = run_negotiation(pressure, RunOptions(protocol="shuttle"))
    held = [
        e for e in transcript.of_kind("offer") if 2 * DAY <= e.details["sent_at_hours"] < 4 * DAY
    ]
    assert held
    assert all(e.time_hours == pytest.approx(4 * DAY + 12) for e in held)


@pytest.mark.parametrize("protocol", ["single-text", "confidential"])
def test_a_suspended_hop_holds_mediated_messages_both_ways(pressure, protocol: str) -> None:
    transcript = run_negotiation(pressure, RunOptions(protocol=protocol))
    held = [
        e
        for e in transcript.events
        if "sent_at_hours" in e.details and 2 * DAY <= e.details["sent_at_hours"] < 4 * DAY
    ]
    assert held, "the mediator and the parties exchange messages during the strike"
    assert all(e.time_hours == pytest.approx(4 * DAY + 12) for e in held)
    assert transcript.result.time_hours > 4 * DAY + 12


def test_without_a_timeline_nothing_moves(pressure) -> None:
    plain = replace(pressure, timeline=None)
    transcript = run_negotiation(plain, RunOptions(protocol="shuttle"))
    assert transcript.of_kind("timeline") == []
    with_timeline = run_negotiation(pressure, RunOptions(protocol="shuttle"))
    assert transcript.result.agreement != with_timeline.result.agreement


def test_breakdown_pays_the_reservation_of_the_day(pressure) -> None:
    never = replace(pressure, timeline=pressure.timeline.with_event_date("sanctions", None))
    strict = never.with_party("b", reservation=0.75)
    strict = replace(strict, timeline=never.timeline)
    transcript = run_negotiation(strict, RunOptions(protocol="shuttle"))
    assert not transcript.result.agreed
    # b's ultimatum lifts 0.75 to 0.95; the breakdown pays what walking away is worth by then
    assert transcript.result.payoffs["b"] == pytest.approx(0.95)


@pytest.mark.parametrize("protocol", ["direct", "shuttle", "single-text", "confidential"])
def test_every_protocol_follows_the_clock(pressure, protocol: str) -> None:
    transcript = run_negotiation(pressure, RunOptions(protocol=protocol, seed=1))
    moves = transcript.of_kind("timeline")
    assert moves, f"{protocol} recorded no timeline event"
    assert all(e.time_hours <= transcript.result.time_hours for e in moves)
    currency = [e for e in moves if "currency" in e.details["causes"]]
    assert all(e.sender == "a" for e in currency)


def test_a_deadline_effect_on_a_party_without_its_own_deadline(pressure_file, tmp_path) -> None:
    # Party a has no deadline of its own: the effect moves it from the negotiation's deadline.
    import shutil

    import yaml

    from backchannel.protocols.runner import RunOptions, run_negotiation
    from backchannel.scenario.loader import load_scenario

    data = yaml.safe_load(pressure_file.read_text())
    data["timeline"]["events"].append(
        {"id": "recall", "date": "2026-01-04", "effects": [{"party": "a", "deadline_days": -5}]}
    )
    shutil.copytree(pressure_file.parent / "data", tmp_path / "data")
    path = tmp_path / "pressure-deadline.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    transcript = run_negotiation(load_scenario(path), RunOptions(protocol="direct"))
    changes = [e for e in transcript.events if e.kind == "timeline"]
    assert any("deadline_days" in str(e.details) for e in changes)
    assert transcript.result is not None
