"""Built-in agents in live seats: the same strategies and the same PartyView as the simulator.

An agent seat sees exactly what a person in that seat would: its own utilities and the
proposals the mediator passed to it (as passed, edits included), never the other side's. Its
view comes from the relay machine (``protocols.relay``), as in the step engine's ``live``
protocol; its time is real (hours since the negotiation opened against the scenario's deadline,
or rounds against the round limit, whichever is further along).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backchannel.agents.registry import create_strategy, describe_strategies
from backchannel.protocols.relay import RelayMachine


def strategy_descriptions() -> dict[str, str]:
    """Each built-in strategy with what it does in a seat, for the mediator choosing one."""
    return {
        name: about[:1].upper() + about[1:] + "." for name, about in describe_strategies().items()
    }


@dataclass(frozen=True)
class AgentMove:
    accept: bool
    counter: int | None


def _rng(seed: int, seat_id: int, step: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, seat_id, step]))


def opening(
    machine: RelayMachine, party_id: str, strategy: str, seed: int, seat_id: int, now: float
) -> int:
    """The agent's first proposal, at ``now`` (real hours since the negotiation opened)."""
    view = machine.view(party_id, now, machine.rounds + 1)
    return create_strategy(strategy, _rng(seed, seat_id, 0)).propose(view)


def answer(
    machine: RelayMachine, party_id: str, strategy: str, seed: int, seat_id: int, now: float
) -> AgentMove:
    """Accept the latest proposal passed to the agent, or reject it and counter; the agent sees
    what the machine shows its seat, at ``now`` (real hours), as a simulated party would."""
    step = len(machine.received[party_id]) + len(machine.sent[party_id])
    agent = create_strategy(strategy, _rng(seed, seat_id, step))
    passed = machine.last_passed(party_id)
    assert passed is not None  # the mediator has just passed it a proposal
    if agent.respond(machine.view(party_id, now, machine.rounds), passed):
        return AgentMove(True, None)
    return AgentMove(False, agent.propose(machine.view(party_id, now, machine.rounds + 1)))
