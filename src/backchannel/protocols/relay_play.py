"""The step engine's driver of the relay machine: protocol ``live``, agents in every seat.

It plays a live room as the service runs one, with a strategy in each party's seat and a
shuttle mediator policy (``agents.mediators``) in the mediator's: parties take turns proposing;
the mediator passes each proposal on to every other party (at once and word for word by default;
``--mediator hold`` sits on it, ``--mediator reword`` rewords it), and each answers what it was
passed after the scenario's response time. A rejection hands the turn to the rejecter (two
parties) or to the next party. The machine (``protocols.relay``) decides what a move does, when
the parties agree and when the deadline or the round limit ends the talks; this module only
chooses the moves and their times. A live room has no channel: no delays on the way, no loss,
no timeline and no breakdown risk (use ``shuttle`` for those).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backchannel.protocols.deadline import ROUND_LIMIT, in_time
from backchannel.protocols.messages import record_dispatch
from backchannel.protocols.registry import RunSetup, protocol
from backchannel.protocols.relay import Pass, Propose, RelayMachine, Respond
from backchannel.protocols.settlement import HOURS_PER_DAY, conclude
from backchannel.protocols.transcript import Event, Transcript
from backchannel.protocols.turns import Turns

if TYPE_CHECKING:
    from backchannel.agents.mediators import ShuttlePolicy


@protocol(
    "live",
    "the live room: each party speaks only to a mediator, who passes every message on",
    mediators="shuttle",
    order=50,
)
def play_live(run: RunSetup) -> Transcript:
    scenario, transcript = run.scenario, run.transcript
    policy: ShuttlePolicy = run.mediator
    deadline = scenario.deadline_days * HOURS_PER_DAY

    def settle(record: Transcript, agreement, reason, at, rounds) -> None:
        conclude(scenario, record, agreement, reason, at, rounds, deadline_hours=deadline)

    mediator = policy.mediator_id
    machine = RelayMachine(
        scenario, transcript, mediator=mediator, deadline_hours=deadline, conclude=settle
    )
    transcript.record(
        Event(
            "start",
            0.0,
            0,
            via=(mediator,),
            details={"protocol": "live", "deadline_hours": deadline, "mediator": policy.name},
        )
    )
    turns, now = Turns(scenario), 0.0
    while not machine.is_over:
        if machine.rounds >= scenario.max_rounds:
            machine.end(None, ROUND_LIMIT, now)
            break
        if not in_time(now, deadline):
            machine.expire()
            break
        proposer = turns.proposer
        view = machine.view(proposer, now, machine.rounds + 1)
        machine.apply(Propose(proposer, run.strategies[proposer].propose(view)), now)
        rejecter, now = _round(run, machine, policy, proposer, now, deadline)
        turns.after(rejecter)
    return transcript


def _round(
    run: RunSetup,
    machine: RelayMachine,
    policy: ShuttlePolicy,
    proposer: str,
    now: float,
    deadline: float,
) -> tuple[str | None, float]:
    """The mediator passes the proposal to each other party, who answers it; (the first to
    reject or None, when the round ended). Ends the talks at the deadline when it comes first."""
    offer = machine.sent[proposer][-1]
    decided = now
    for party in run.scenario.party_ids:
        if party == proposer or machine.is_over:
            continue
        text, leaves = policy.dispatch(proposer, party, offer, now)
        record_dispatch(
            machine.transcript,
            policy,
            proposer,
            party,
            (offer, text),
            (now, leaves),
            machine.rounds,
        )
        decided = leaves + run.scenario.response_hours
        if not in_time(decided, deadline):
            machine.expire()
            return None, decided
        machine.apply(Pass(party, "proposal", proposer, offer, text), leaves)
        view = machine.view(party, decided, machine.rounds)
        accepts = bool(run.strategies[party].respond(view, text))
        machine.apply(Respond(party, "accept" if accepts else "reject", text), decided)
        if not accepts:
            return party, decided
    return None, decided
