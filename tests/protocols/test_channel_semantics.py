"""What a chain of intermediaries does to a negotiation, pinned.

- a lossless, zero-delay, faithful chain is exactly the direct protocol;
- a distorting hop changes the delivered terms and nothing else;
- a party never sees the undistorted original;
- loss, resends, leaks and their prices, and miscalculations are in the transcript.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from mediation_scenarios import leakier_from, split_with

from backchannel.agents.registry import create_strategy
from backchannel.channel.route import route_via
from backchannel.protocols.alternating import AlternatingOffers, AlternatingSettings
from backchannel.protocols.runner import RunOptions, run_negotiation
from backchannel.protocols.transcript import Transcript

FAITHFUL = [{"id": "qatar", "delay_hours": 0}, {"id": "oman", "delay_hours": 0}]
ROUNDING = {"kind": "round", "issue": "share", "step": 10}


def offers(transcript: Transcript) -> list[tuple]:
    return [
        (e.round, e.sender, e.receiver, e.outcome, e.delivered, e.time_hours)
        for e in transcript.of_kind("offer")
    ]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_faithful_instant_chain_is_exactly_the_direct_protocol(seed: int) -> None:
    scenario = split_with(FAITHFUL, direct_delay_hours=0)
    for strategies in ({}, {"a": "conceder", "b": "tit-for-tat"}):
        direct = run_negotiation(
            scenario, RunOptions(protocol="direct", seed=seed, strategies=strategies)
        )
        chain = run_negotiation(
            scenario,
            RunOptions(protocol="shuttle", via=("qatar", "oman"), seed=seed, strategies=strategies),
        )
        assert offers(chain) == offers(direct) and offers(chain)
        assert chain.result == direct.result
        assert all(e.via == ("qatar", "oman") for e in chain.of_kind("offer"))


def test_a_distorting_hop_changes_the_delivered_terms_and_nothing_else() -> None:
    faithful = split_with([{"id": "broker", "delay_hours": 12}])
    coarse = {**ROUNDING, "step": 30}
    rounding = split_with([{"id": "broker", "delay_hours": 12, "fidelity": [coarse]}])
    plain = run_negotiation(faithful, RunOptions(seed=3)).of_kind("offer")[0]
    bent = run_negotiation(rounding, RunOptions(seed=3)).of_kind("offer")[0]
    assert (bent.sender, bent.receiver, bent.outcome, bent.time_hours, bent.via) == (
        plain.sender,
        plain.receiver,
        plain.outcome,
        plain.time_hours,
        plain.via,
    )
    assert plain.delivered == plain.outcome
    shares = rounding.space.issues[0].array
    assert shares[bent.outcome] == 100 and shares[bent.delivered] == 90  # 100 to the step of 30


class Spy:
    """Wraps a strategy and keeps every view it was shown."""

    def __init__(self, inner) -> None:
        self.inner, self.views = inner, []

    def propose(self, view):
        self.views.append(view)
        return self.inner.propose(view)

    def respond(self, view, offer):
        self.views.append(view)
        return self.inner.respond(view, offer)


def test_a_party_sees_only_what_was_delivered_never_the_original() -> None:
    scenario = split_with(
        [{"id": "broker", "delay_hours": 12, "fidelity": [ROUNDING, {"kind": "noise"}]}]
    )
    spies = {
        p.id: Spy(create_strategy("linear", np.random.default_rng(k)))
        for k, p in enumerate(scenario.parties)
    }
    route = route_via(scenario.channel, ["broker"], scenario)
    transcript = Transcript(scenario.name, "shuttle", scenario.party_ids, 0)
    engine = AlternatingOffers(scenario, lambda _a, _b: route, AlternatingSettings("shuttle"))
    engine.run(spies, np.random.default_rng(5), transcript)  # type: ignore[arg-type]
    changed = [e for e in transcript.of_kind("offer") if e.delivered != e.outcome]
    assert changed, "the noisy hop should have changed some offers"
    for party_id, spy in spies.items():
        delivered = [
            (e.sender, e.delivered) for e in transcript.of_kind("offer") if e.receiver == party_id
        ]
        last = spy.views[-1]
        assert [(o.sender, o.outcome) for o in last.received][: len(delivered)] == delivered[
            : len(last.received)
        ]
        originals = {e.outcome for e in changed if e.receiver == party_id}
        seen = {o.outcome for view in spy.views for o in view.received}
        assert not (originals - {e.delivered for e in transcript.of_kind("offer")}) & seen


def test_loss_is_resent_and_recorded() -> None:
    scenario = split_with(
        [{"id": "broker", "delay_hours": 12, "loss": 0.4}], channel={"timeout_hours": 30}
    )
    transcript = run_negotiation(scenario, RunOptions(seed=1))
    lost, resent = transcript.of_kind("lost"), transcript.of_kind("resend")
    assert lost and len(resent) <= len(lost)
    for event in resent:
        assert event.time_hours == event.details["attempt"] * 30 - 30 + _sent_at(transcript, event)
    again = run_negotiation(scenario, RunOptions(seed=1))
    assert again.to_dict() == transcript.to_dict()


def _sent_at(transcript: Transcript, resend) -> float:
    offer = next(
        e
        for e in transcript.events
        if e.kind in ("offer", "acceptance", "undelivered")
        and e.round == resend.round
        and e.sender == resend.sender
    )
    return offer.details["sent_at_hours"]


def test_a_channel_that_loses_everything_ends_the_talks() -> None:
    scenario = split_with([{"id": "broker", "delay_hours": 12, "loss": 1.0}])
    result = run_negotiation(scenario, RunOptions()).result
    assert result is not None and result.agreement is None
    assert "lost" in result.reason or "transit" in result.reason


def test_leaks_are_public_events_with_a_price() -> None:
    scenario = split_with(
        [{"id": "broker", "delay_hours": 12, "leak": 0.5}],
        parties={"a": {"leak_cost": 0.01}},
    )
    transcript = run_negotiation(scenario, RunOptions(seed=2))
    leaks = transcript.of_kind("leak")
    assert leaks and all(e.details["public"] and e.sender is None for e in leaks)
    quiet = split_with([{"id": "broker", "delay_hours": 12, "leak": 0.5}])
    baseline = run_negotiation(quiet, RunOptions(seed=2)).result
    result = transcript.result
    assert result is not None and baseline is not None
    assert result.payoffs["a"] == pytest.approx(baseline.payoffs["a"] - 0.01 * len(leaks))
    assert result.payoffs["b"] == baseline.payoffs["b"]


@pytest.mark.parametrize("protocol", ["shuttle", "single-text", "confidential"])
def test_a_timeline_that_makes_a_hop_leaky_changes_the_draws(protocol: str) -> None:
    """A broker that never leaks until an event on day 2 makes every passage leak: passages
    after the event leak, those before do not (the change is not only reported)."""
    timeline = leakier_from("2026-01-03", 1.0)
    scenario = split_with([{"id": "broker", "delay_hours": 12}], timeline=timeline)
    transcript = run_negotiation(scenario, RunOptions(protocol=protocol, seed=4))
    changed = [e for e in transcript.of_kind("timeline") if e.via == ("broker",)]
    assert changed and changed[0].details["changes"]["leak"] == {"before": 0.0, "after": 1.0}
    assert transcript.events[-1].time_hours > 48.0
    leaked_at = [e.time_hours for e in transcript.of_kind("leak")]
    assert leaked_at, "passages after the event cross a broker that always leaks"
    assert min(leaked_at) >= 48.0


def test_a_leak_change_is_reported_as_the_chance_in_force() -> None:
    """A broker that leaks one passage in ten, made 0.3 leakier on day 2: the transcript says
    0.1 → 0.4, the chance the draws use, not the size of the move."""
    timeline = leakier_from("2026-01-03", 0.3)
    scenario = split_with([{"id": "broker", "delay_hours": 12, "leak": 0.1}], timeline=timeline)
    transcript = run_negotiation(scenario, RunOptions(seed=4))
    (changed,) = [e for e in transcript.of_kind("timeline") if e.via == ("broker",)]
    reported = changed.details["changes"]["leak"]
    assert reported["before"] == pytest.approx(0.1)
    assert reported["after"] == pytest.approx(0.4)


def test_an_accepted_changed_text_must_be_confirmed_or_is_a_miscalculation() -> None:
    scenario = split_with(
        [{"id": "broker", "delay_hours": 12, "fidelity": [{"kind": "noise", "probability": 0.7}]}]
    )
    kinds = set()
    for seed in range(12):
        transcript = run_negotiation(scenario, RunOptions(seed=seed))
        kinds |= {e.kind for e in transcript.events}
        for event in transcript.of_kind("confirm"):
            assert event.delivered != event.outcome
        result = transcript.result
        if result is not None and result.agreement is not None:
            last = [e for e in transcript.events if e.kind in ("accept", "confirm")][-1]
            assert last.delivered == result.agreement
    assert {"confirm", "miscalculation"} & kinds


def test_named_routes_and_repeated_via_build_the_same_chain() -> None:
    scenario = split_with(
        [{"id": "qatar", "delay_hours": 10}, {"id": "oman", "delay_hours": 20}],
        channel={"routes": {"doha-muscat": ["qatar", "oman"]}, "default_route": "doha-muscat"},
    )
    named = run_negotiation(scenario, RunOptions(via=("doha-muscat",)))
    listed = run_negotiation(scenario, RunOptions(via=("qatar", "oman")))
    default = run_negotiation(scenario, RunOptions())
    assert offers(named) == offers(listed) == offers(default)
    assert named.of_kind("offer")[0].via == ("qatar", "oman")
    first = named.of_kind("offer")[0]
    assert first.time_hours - first.details["sent_at_hours"] == 30


def test_replacing_a_party_keeps_the_new_fields() -> None:
    scenario = split_with(parties={"a": {"leak_cost": 0.2}})
    assert replace(scenario.party("a"), reservation=0.3).leak_cost == 0.2
