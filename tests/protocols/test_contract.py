"""The contract every registered protocol keeps, checked on every one of them.

In the manner of Axelrod's ``TestPlayer``: a protocol declared with ``@protocol`` is picked up
here without being named, and is played over several scenarios (fixed and random delays, loss,
rewording, a timeline), strategies and seeds. Each run must:

1. end by the deadline: no event after it, times that never go back, a result stamped by it;
2. never let a party see what it was not sent: every offer or text a strategy is shown (in its
   view or to answer) was delivered to that party, by then, in the transcript; and its view holds
   its own utilities only;
3. record only declared event kinds (``protocols.events``) with their declared details, and
   emit a transcript the analysis reads: a JSON document whose result agrees with the scenario's
   utilities and with the analysis of the scenario;
4. where the batch engine restates the protocol over arrays (``array_form``), agree with it run
   by run;
5. where the protocol's rules are a mediated machine (single-text, confidential), replay: its
   moves, given to a fresh machine, rebuild the run's transcript (``mediated_replay``).
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
from mediated_replay import MACHINES, play_recorded, replay_through_machine

from backchannel.agents.base import Strategy
from backchannel.agents.views import PartyView
from backchannel.analysis.outcome_space import analyze_space
from backchannel.experiments.batch import run_batch
from backchannel.protocols.events import undeclared
from backchannel.protocols.registry import RunSetup, get_protocol, protocol_names
from backchannel.protocols.runner import RunOptions, prepare_run
from backchannel.protocols.transcript import Transcript
from backchannel.report.transcript_document import transcript_document
from backchannel.scenario.loader import compile_spec, load_scenario
from backchannel.scenario.model import Scenario
from backchannel.scenario.schema import ScenarioSpec

PRESSURE_FILE = Path(__file__).parents[1] / "timeline" / "pressure.yaml"
STRATEGY_SETS = ({}, {"*": "conceder"}, {"*": "tit-for-tat"}, {"*": "opponent-model"})
SEEDS = (0, 1)


def _split(**broker: Any) -> Scenario:
    """A pie split through one broker; ``broker`` changes the hop (loss, fidelity, delay)."""
    hop = {"id": "broker", "delay_hours": 12, **broker}
    if "delay" in broker:
        hop.pop("delay_hours")
    return compile_spec(
        ScenarioSpec.model_validate(
            {
                "name": "split",
                "issues": [{"id": "share", "range": {"min": 0, "max": 40, "step": 1}}],
                "parties": [
                    {
                        "id": "a",
                        "reservation": 0.2,
                        "preferences": {
                            "weights": {"share": 1.0},
                            "values": {"share": [[0, 0.0], [40, 1.0]]},
                        },
                    },
                    {
                        "id": "b",
                        "reservation": 0.1,
                        "preferences": {
                            "weights": {"share": 1.0},
                            "values": {"share": [[0, 1.0], [40, 0.0]]},
                        },
                    },
                ],
                "channel": {
                    "direct_delay_hours": 1,
                    "intermediaries": [hop],
                    "default_route": "broker",
                },
                "negotiation": {"deadline_days": 6, "max_rounds": 60},
            }
        )
    )


SCENARIOS = {
    "buyer-seller": lambda: load_scenario("buyer-seller"),
    "split-lognormal-lossy": lambda: _split(
        delay={"distribution": "lognormal", "median": 10, "sigma": 0.8}, loss=0.3
    ),
    "split-noisy": lambda: _split(fidelity=[{"kind": "noise", "probability": 0.6}]),
    "pressure": lambda: load_scenario(PRESSURE_FILE),
}
_CACHE: dict[str, Scenario] = {}


def scenario_named(name: str) -> Scenario:
    if name not in _CACHE:
        _CACHE[name] = SCENARIOS[name]()
    return _CACHE[name]


def options_for(scenario: Scenario, protocol: str, chosen: dict, seed: int) -> RunOptions:
    strategies = {p.id: chosen["*"] for p in scenario.parties} if chosen else {}
    return RunOptions(protocol=protocol, strategies=strategies, seed=seed, force_direct=True)


DELIVERING = (
    "offer",
    "acceptance",
    "draft",
    "amendment",
    "proposal",
    "post_settlement_proposal",
)


class Spy(Strategy):
    """Plays exactly as the strategy it wraps, checking on every call what it is shown."""

    def __init__(self, inner: Strategy, party_id: str, run: RunSetup) -> None:
        super().__init__(inner.rng)
        self.inner, self.party_id, self.run = inner, party_id, run
        self.name = inner.name  # type: ignore[misc]
        self.stochastic = inner.stochastic  # type: ignore[misc]
        self.confide_exaggeration = inner.confide_exaggeration  # type: ignore[misc]
        self.shown: list[int] = []

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.inner, attribute)

    def _delivered_to_me(self) -> set[tuple[str | None, int | None]]:
        return {
            (e.sender, e.delivered)
            for e in self.run.transcript.events
            if e.receiver == self.party_id and e.kind in DELIVERING and e.delivered is not None
        }

    def _check(self, view: PartyView, *texts: int) -> None:
        scenario = self.run.scenario
        column = scenario.party_index(self.party_id)
        assert view.party_id == self.party_id
        assert np.array_equal(view.utilities, scenario.utilities[:, column])
        delivered = self._delivered_to_me()
        for offer in view.received:
            assert (offer.sender, offer.outcome) in delivered, f"{offer} was never delivered"
            assert offer.received_at_hours <= view.elapsed_hours + 1e-9
        texts_delivered = {text for _, text in delivered}
        for text in texts:
            assert text in texts_delivered, f"{self.party_id} shown {text}, never delivered to it"
            self.shown.append(text)

    def propose(self, view: PartyView) -> int:
        self._check(view)
        return self.inner.propose(view)

    def respond(self, view: PartyView, offer: int) -> bool:
        self._check(view, offer)
        return self.inner.respond(view, offer)

    def respond_to_mediator(self, view: PartyView, text: int) -> bool:
        self._check(view, text)
        return self.inner.respond_to_mediator(view, text)

    def prefers(self, view: PartyView, first: int, second: int, temperature: float = 0.0) -> bool:
        self._check(view, first, second)
        return self.inner.prefers(view, first, second, temperature)

    def confide(self, view: PartyView):  # type: ignore[override]
        self._check(view)
        return self.inner.confide(view)


def play_watched(scenario: Scenario, options: RunOptions) -> tuple[Transcript, dict[str, Spy]]:
    run = prepare_run(scenario, options)
    spies = {pid: Spy(s, pid, run) for pid, s in run.strategies.items()}
    watched = replace(run, strategies=spies)
    return get_protocol(options.protocol).play(watched), spies


CASES = [
    (protocol, scenario, i, seed)
    for protocol in protocol_names()
    for scenario in SCENARIOS
    for i in range(len(STRATEGY_SETS))
    for seed in SEEDS
]


@pytest.mark.parametrize(("protocol", "scenario_name", "strategy_set", "seed"), CASES)
def test_protocol_contract(protocol: str, scenario_name: str, strategy_set: int, seed: int):
    scenario = scenario_named(scenario_name)
    options = options_for(scenario, protocol, STRATEGY_SETS[strategy_set], seed)
    transcript, spies = play_watched(scenario, options)
    result = transcript.result
    assert result is not None

    # The watched run is the run: spying changes nothing.
    from backchannel.protocols.runner import run_negotiation

    assert run_negotiation(scenario, options).to_dict() == transcript.to_dict()

    # Every event is of a declared kind, with the details its kind declares.
    problems = [p for e in transcript.events for p in undeclared(e.kind, dict(e.details))]
    assert not problems, problems

    # 1. By the deadline, in time order.
    times = [e.time_hours for e in transcript.events]
    assert times == sorted(times), "transcript times go back"
    starts = transcript.of_kind("start")
    assert starts, "a transcript opens with a start event"
    if scenario.timeline is None:  # no timeline can move the deadline
        deadline = scenario.deadline_days * 24.0
        assert starts[0].details["deadline_hours"] == pytest.approx(deadline)
        assert all(t <= deadline + 1e-9 for t in times), "an event after the deadline"
        assert result.time_hours <= deadline + 1e-9
    assert result.time_hours >= (times[-1] if times else 0.0) - 1e-9
    assert math.isfinite(result.time_hours)

    # 2. What each party saw was sent to it (checked during the run by the spies).
    assert any(spy.shown for spy in spies.values()) or result.rounds <= 1 or not result.agreed

    # 3. A transcript the analysis reads.
    analysis = analyze_space(scenario)
    document = json.loads(json.dumps(transcript_document(scenario, transcript, analysis)))
    assert document["protocol"] == protocol and document["parties"] == list(scenario.party_ids)
    if result.agreement is not None:
        expected = scenario.utilities[result.agreement]
        got = [document["result"]["utilities"][pid] for pid in scenario.party_ids]
        assert np.allclose(got, expected)
        efficient = bool(np.isin(result.agreement, analysis.frontier))
        assert document["benchmarks"]["pareto_efficient"] == efficient
        assert (document["benchmarks"]["distance_to_frontier"] == 0.0) == efficient
    else:
        assert document["result"]["agreement"] is None

    # 5. A mediated driver only chooses moves and times: the machine rebuilds the run.
    if protocol in MACHINES:
        recorded, recording = play_recorded(prepare_run(scenario, options))
        replayed, refused = replay_through_machine(
            prepare_run(scenario, options), recorded, recording
        )
        assert refused == [], refused
        assert recorded.to_dict() == transcript.to_dict()
        assert replayed.to_dict() == recorded.to_dict()


@pytest.mark.parametrize(
    "protocol", [name for name in protocol_names() if get_protocol(name).array_form]
)
@pytest.mark.parametrize("chosen", STRATEGY_SETS[:3])
def test_step_and_batch_engines_agree(protocol: str, chosen: dict) -> None:
    scenario = load_scenario("buyer-seller")
    strategies = {p.id: chosen["*"] for p in scenario.parties} if chosen else {}
    seeds = list(range(8))
    batch = run_batch(scenario, protocol, strategies, seeds, force_direct=True)
    step = run_batch(scenario, protocol, strategies, seeds, force_direct=True, engine="step")
    assert {row["engine"] for row in batch} == {"batch"}
    assert [{**r, "engine": ""} for r in batch] == [{**r, "engine": ""} for r in step]


def test_every_protocol_is_declared_once_with_a_description() -> None:
    names = protocol_names()
    assert names[:4] == ("direct", "shuttle", "single-text", "confidential")
    for name in names:
        info = get_protocol(name)
        assert info.name == name and info.description
    with pytest.raises(KeyError, match="unknown protocol 'nope'; choose one of: direct"):
        get_protocol("nope")


def test_a_declared_protocol_is_held_to_the_contract() -> None:
    """The spy catches a protocol that shows a party an offer nobody sent it."""
    scenario = scenario_named("buyer-seller")
    run = prepare_run(scenario, RunOptions(protocol="shuttle"))
    spy = Spy(run.strategies[scenario.party_ids[0]], scenario.party_ids[0], run)
    view = scenario_view(scenario, scenario.party_ids[0])
    with pytest.raises(AssertionError, match="never delivered"):
        spy.respond(view, 3)


def scenario_view(scenario: Scenario, party_id: str) -> PartyView:
    column = scenario.party_index(party_id)
    utilities = scenario.utilities[:, column]
    return PartyView(party_id, scenario.space, utilities, utilities >= 0, 0.0, 0.0, 0.0, 0, (), ())


ALTERNATING_CASES = [case for case in CASES if case[0] in ("direct", "shuttle")]


@pytest.mark.parametrize(("protocol", "scenario_name", "strategy_set", "seed"), ALTERNATING_CASES)
def test_alternating_offers_only_drive_their_machine(
    protocol: str, scenario_name: str, strategy_set: int, seed: int
) -> None:
    """Direct and shuttle runs make only moves the rules allow (a checked machine drives the
    same run), and those moves, replayed through a fresh machine, reach the run's result."""
    from backchannel.protocols import alternating
    from backchannel.protocols.alternating_machine import CheckedAlternatingMachine, replay
    from backchannel.protocols.runner import run_negotiation

    scenario = scenario_named(scenario_name)
    options = options_for(scenario, protocol, STRATEGY_SETS[strategy_set], seed)
    made: list[CheckedAlternatingMachine] = []

    def checked(*args: Any) -> CheckedAlternatingMachine:
        made.append(CheckedAlternatingMachine(*args))
        return made[-1]

    with mock.patch.object(alternating, "AlternatingMachine", checked):
        transcript = run_negotiation(scenario, options)
    assert transcript.to_dict() == run_negotiation(scenario, options).to_dict()
    (played,) = made
    machine = CheckedAlternatingMachine(scenario, Transcript("", protocol, (), 0))
    assert played.moves and replay(machine, played.moves) == []
    result = transcript.result
    assert result is not None and machine.rounds == result.rounds
    assert machine.agreement() == result.agreement or not result.agreed
    answers = {"accept", "reject", "confirm", "miscalculation"}
    assert machine.transcript.events == [e for e in transcript.events if e.kind in answers]
