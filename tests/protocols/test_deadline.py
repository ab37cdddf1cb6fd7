"""The deadline means one thing in every engine (``protocols.deadline``): a message still in
transit when it passes is void, nothing is stamped after it, times never decrease."""

from __future__ import annotations

import pytest

from backchannel.experiments.batch import batch_supported, run_batch
from backchannel.protocols.deadline import IN_TRANSIT, UNRATIFIED
from backchannel.protocols.runner import RunOptions, run_negotiation
from backchannel.scenario.loader import load_scenario

FLAGSHIP = load_scenario("iran-us-2025")
DEADLINE = FLAGSHIP.deadline_days * 24


def check_times(transcript, deadline: float) -> None:
    times = [event.time_hours for event in transcript.events]
    assert times == sorted(times)
    assert max(times) <= deadline
    assert transcript.result.time_hours <= deadline


def test_an_offer_in_transit_at_the_deadline_is_void() -> None:
    options = RunOptions(seed=3, strategies={"us": "boulware", "iran": "conceder"})
    transcript = run_negotiation(FLAGSHIP, options)
    check_times(transcript, DEADLINE)
    expired, ending = transcript.events[-2:]
    assert expired.kind == "expired" and expired.time_hours == DEADLINE
    assert expired.details["would_arrive_at_hours"] > DEADLINE
    assert ending.kind == "breakdown" and ending.time_hours == DEADLINE
    assert transcript.result.reason == IN_TRANSIT
    # the receiver never answered the void offer
    assert transcript.events[-3].kind != "reject" or transcript.events[-3].time_hours <= DEADLINE


@pytest.mark.parametrize(
    "options",
    [
        RunOptions(via=("qatar",)),
        RunOptions(via=("doha-muscat",)),
        RunOptions(mediator="batch"),
        RunOptions(protocol="single-text"),
        RunOptions(protocol="confidential"),
        RunOptions(protocol="direct", force_direct=True),
    ],
    ids=["qatar", "doha-muscat", "batch-mediator", "single-text", "confidential", "direct"],
)
def test_no_agreement_is_stamped_after_the_deadline(options: RunOptions) -> None:
    for seed in range(4):
        transcript = run_negotiation(FLAGSHIP, RunOptions(**{**vars(options), "seed": seed}))
        check_times(transcript, DEADLINE)
        start = transcript.events[0]
        assert start.details["deadline_hours"] == DEADLINE


def test_a_deal_not_ratified_by_the_deadline_is_no_deal() -> None:
    transcript = run_negotiation(FLAGSHIP, RunOptions(via=("qatar",)))
    assert transcript.result.reason == UNRATIFIED
    assert transcript.result.agreement is None
    assert transcript.result.time_hours == DEADLINE
    assert not transcript.of_kind("ratified")


def test_a_short_scenario_ends_by_its_deadline() -> None:
    scenario = load_scenario("buyer-seller")
    for protocol in ("direct", "shuttle", "single-text", "confidential"):
        for seed in range(3):
            options = RunOptions(protocol=protocol, seed=seed, force_direct=True)
            check_times(run_negotiation(scenario, options), scenario.deadline_days * 24)


def test_batch_and_step_engines_agree_on_the_flagship_deadline() -> None:
    strategies = {"us": "boulware", "iran": "conceder"}
    assert batch_supported(FLAGSHIP, "shuttle", strategies)
    seeds = list(range(8))
    batch = run_batch(FLAGSHIP, "shuttle", strategies, seeds)
    step = run_batch(FLAGSHIP, "shuttle", strategies, seeds, engine="step")
    strip = [{k: v for k, v in row.items() if k != "engine"} for row in batch]
    assert strip == [{k: v for k, v in row.items() if k != "engine"} for row in step]
    assert all(row["time_hours"] <= DEADLINE for row in batch)
