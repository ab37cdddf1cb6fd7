"""Talks resumed after a collapse: the transcript shows the collapse and the resumption, the
declared walk-away values and timeline event stand when they resume, and results count it."""

from __future__ import annotations

import pytest
import yaml

from backchannel.protocols.runner import RunOptions, run_negotiation
from backchannel.report.describe import describe_event
from backchannel.scenario.loader import compile_spec
from backchannel.scenario.schema import ScenarioSpec

HARD = {"a": "hardliner", "b": "hardliner"}  # never agree: only the hazard or the deadline ends it


def split(fixtures, resume: dict | None, timeline: bool = False, **breakdown):
    data = yaml.safe_load((fixtures / "split.yaml").read_text())
    hazard = {"per_round": 1.0, **breakdown}
    if resume is not None:
        hazard["resume"] = resume
    data["negotiation"]["breakdown"] = hazard
    if timeline:
        data["timeline"] = {
            "start": "2026-01-01",
            "events": [
                {"id": "strikes", "effects": [{"party": "a", "reservation": -0.1}]},
                {"id": "talks", "effects": [{"party": "b", "deadline_days": -2}]},
            ],
        }
    return compile_spec(ScenarioSpec.model_validate(data))


def run(scenario, protocol: str = "direct", seed: int = 0):
    options = RunOptions(protocol=protocol, strategies=HARD, seed=seed, force_direct=True)
    return run_negotiation(scenario, options)


def test_the_talks_resume_with_the_declared_walk_away_values_then_collapse_for_good(
    fixtures,
) -> None:
    scenario = split(fixtures, {"after_days": 2, "reservations": {"a": 0.1}})
    transcript = run(scenario)
    result = transcript.result
    # round 1: a proposes at 0, b rejects on arrival at 1 (1 h line): collapse, resume at 49;
    # round 2: b proposes at 49, a rejects at 50: collapse again
    (resumed,) = transcript.of_kind("resume")
    assert resumed.time_hours == 49.0 and resumed.details["collapsed_at_hours"] == 1.0
    assert resumed.details == {
        "collapsed_at_hours": 1.0,
        "collapse": 1,
        "reservations": {"a": 0.1},
    }
    offers = [(e.sender, e.time_hours) for e in transcript.of_kind("offer")]
    assert offers == [("a", 1.0), ("b", 50.0)]  # nothing between the collapse and resumption
    # the second rejection strikes again; the talks may resume only once, so they end
    assert result.reason == "breakdown" and result.rounds == 2 and result.time_hours == 50.0
    assert result.collapses == 2
    assert result.payoffs == pytest.approx({"a": 0.1, "b": 0.0})  # the walk-away now standing


def test_the_batch_engine_leaves_resumed_talks_to_the_step_engine(fixtures) -> None:
    from backchannel.experiments.batch.run import why_not_batch

    scenario = split(fixtures, {"after_days": 2})
    assert "resume after a collapse" in why_not_batch(scenario, "direct", HARD)


def test_a_collapse_without_resumption_is_counted_once(fixtures) -> None:
    result = run(split(fixtures, None)).result
    assert result.collapses == 1 and result.rounds == 1
    assert not run(split(fixtures, None, per_round=0.0)).result.collapses


def test_talks_resume_as_often_as_declared(fixtures) -> None:
    transcript = run(split(fixtures, {"after_days": 1, "times": 3}))
    assert [e.details["collapse"] for e in transcript.of_kind("resume")] == [1, 2, 3]
    assert transcript.result.collapses == 4 and transcript.result.rounds == 4


def test_a_resumption_after_the_deadline_does_not_happen(fixtures) -> None:
    transcript = run(split(fixtures, {"after_days": 30}))  # the deadline is day 10
    assert not transcript.of_kind("resume")
    assert transcript.result.collapses == 1 and transcript.result.time_hours == 1.0


def test_on_a_timeline_the_collapse_and_resumption_put_their_events_in_force(fixtures) -> None:
    scenario = split(
        fixtures,
        {"after_days": 2, "reservations": {"b": 0.05}, "event": "talks"},
        timeline=True,
        event="strikes",
    )
    transcript = run(scenario)
    fired = [e for e in transcript.of_kind("timeline") if e.details.get("cause") == "breakdown"]
    assert [(e.details["event"], e.time_hours) for e in fired] == [
        ("strikes", 1.0),
        ("strikes", 50.0),
    ]
    moved = {
        e.details["id"]: e.details["changes"]
        for e in transcript.of_kind("timeline")
        if "changes" in e.details
    }
    # strikes: a's walk-away 0.2 -> 0.1; talks: b's horizon 10 -> 8 days; b's walk-away 0.05
    assert moved["a"]["reservation"] == {"before": 0.2, "after": pytest.approx(0.1)}
    assert moved["b"]["reservation"] == {"before": 0.0, "after": pytest.approx(0.05)}
    assert moved["b"]["deadline_days"]["after"] == 8
    result = transcript.result
    assert result.collapses == 2
    assert result.payoffs == pytest.approx({"a": 0.1, "b": 0.05})
    names = {p.id: p.name for p in scenario.parties}
    line = describe_event(scenario, names, transcript.of_kind("resume")[0], {})
    assert "the talks resume[/] 2 days after collapse 1, with talks in force" in line
    assert "walking away is now worth b 0.050" in line


def test_a_shortened_horizon_can_rule_out_the_resumption(fixtures) -> None:
    # 'talks' cuts b's horizon to 8 days; resuming on day 9 would come after it
    scenario = split(fixtures, {"after_days": 9, "event": "talks"}, timeline=True)
    transcript = run(scenario)
    assert not transcript.of_kind("resume") and transcript.result.collapses == 1


@pytest.mark.parametrize("protocol", ["shuttle", "single-text", "confidential"])
def test_every_protocol_resumes_the_talks(fixtures, protocol) -> None:
    transcript = run(split(fixtures, {"after_days": 2}), protocol)
    (resumed,) = transcript.of_kind("resume")
    assert resumed.time_hours == resumed.details["collapsed_at_hours"] + 48.0
    later = [e for e in transcript.events if e.time_hours > resumed.time_hours]
    assert later, "the talks go on after they resume"
    assert transcript.result.collapses == 2
    times = [e.time_hours for e in transcript.events]
    assert times == sorted(times)


@pytest.mark.parametrize(
    ("resume", "words"),
    [
        ({"after_days": 1, "reservations": {"c": 0.1}}, "names c, not a party"),
        ({"after_days": 1, "event": "peace"}, "'peace' is not a timeline event"),
        ({"after_days": 0}, "greater than 0"),
    ],
)
def test_a_mistaken_resume_is_refused_with_its_fix(fixtures, resume, words) -> None:
    with pytest.raises(ValueError, match=words):
        split(fixtures, resume)


def test_compare_rows_count_the_collapses(fixtures) -> None:
    from backchannel.experiments.compare import CompareSettings, parse_arms, run_comparison

    resumed = split(fixtures, {"after_days": 2})
    settings = CompareSettings(parse_arms("direct", resumed), runs=3, seed=1, strategies=())
    assert {row["collapses"] for row in run_comparison(resumed, settings).rows} == {2}
    once = split(fixtures, None)  # a collapse the batch engine plays
    rows = run_comparison(once, CompareSettings(parse_arms("direct", once), runs=3, seed=1)).rows
    assert {(row["engine"], row["collapses"]) for row in rows} == {("batch", 1)}
