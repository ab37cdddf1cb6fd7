"""The text account tells what the transcript holds: timeline events on their day, the deadline,
void messages, a deal below a walk-away value, and an ending that is when the talks ended."""

from __future__ import annotations

import re

from backchannel.analysis.outcome_space import analyze_space
from backchannel.cli.common import console
from backchannel.cli.run import tell
from backchannel.experiments.whatif import apply_changes, parse_event
from backchannel.protocols.runner import RunOptions, run_negotiation
from backchannel.report.describe import describe_mediation
from backchannel.scenario.loader import load_scenario


def account(scenario, transcript) -> str:
    with console.capture() as captured:
        tell(scenario, transcript, analyze_space(scenario))
    return captured.get()


def test_a_snapback_inside_the_window_appears_on_its_day() -> None:
    flagship = load_scenario("iran-us-2025")
    scenario = apply_changes(flagship, [parse_event("snapback@2026-05-03")], [])
    transcript = run_negotiation(scenario, RunOptions())
    text = account(scenario, transcript)
    (moved,) = [e for e in transcript.of_kind("timeline") if e.sender == "iran"]
    day = moved.time_hours / 24
    assert day == 103.0  # 2026-01-20 + 103 days
    lines = text.splitlines()
    at = next(k for k, line in enumerate(lines) if "snapback: Iran:" in line)
    assert lines[at].startswith("2026-05-03")  # the event's own date
    told = " ".join(line.strip() for line in lines[at : at + 2])
    assert "walk-away value 0.5 → 0.58" in told and "deadline (days) none → 120" in told
    assert transcript.events[0].details["deadline_hours"] == 180 * 24


def test_the_closing_line_gives_the_day_the_talks_ended() -> None:
    flagship = load_scenario("iran-us-2025")
    scenario = apply_changes(flagship, [parse_event("snapback@2026-05-03")], [])
    transcript = run_negotiation(scenario, RunOptions())
    text = account(scenario, transcript)
    last_day = max(e.time_hours for e in transcript.events) / 24
    assert transcript.result.time_hours / 24 == last_day == 120.0  # the shortened deadline
    ended = re.search(r"on day ([\d.]+) \(", text.replace("\n", " "))
    assert ended is not None and float(ended.group(1)) == last_day
    dates = re.findall(r"^(\d{4}-\d\d-\d\d)", text, flags=re.MULTILINE)
    assert dates == sorted(dates) and dates[-1] == "2026-05-20"


def test_a_void_message_and_a_deal_below_a_walkaway_are_told() -> None:
    flagship = load_scenario("iran-us-2025")
    names = {p.id: p.name for p in flagship.parties}
    late = run_negotiation(
        flagship, RunOptions(seed=3, strategies={"us": "boulware", "iran": "conceder"})
    )
    (expired,) = late.of_kind("expired")
    line = describe_mediation(flagship, names, expired)
    assert line is not None and "still in transit (due day 183.0) and is void" in line
    below = run_negotiation(flagship, RunOptions(protocol="single-text", seed=0))
    line = describe_mediation(flagship, names, below.events[-1])
    assert line is not None and "below walk-away" in line and "Iran (walk-away 0.500)" in line
