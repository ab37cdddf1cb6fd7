"""Built-in agents in live seats: the same strategies and the same PartyView as the simulator.

An agent seat sees exactly what a person in that seat would: its own utilities and the
proposals the mediator passed to it (as passed, edits included), never the other side's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backchannel.agents.registry import create_strategy, describe_strategies
from backchannel.agents.views import Offer, PartyView
from backchannel.scenario.model import Scenario


def strategy_descriptions() -> dict[str, str]:
    """Each built-in strategy with what it does in a seat, for the mediator choosing one."""
    return {
        name: about[:1].upper() + about[1:] + "." for name, about in describe_strategies().items()
    }


@dataclass(frozen=True)
class AgentMove:
    accept: bool
    counter: int | None


def seat_view(scenario: Scenario, party_id: str, received: list[int], sent: list[int]) -> PartyView:
    """What ``party_id`` may know: its own column of the utilities and what reached it."""
    column = scenario.party_index(party_id)
    party = scenario.parties[column]
    own = scenario.own_arrays(column, party.reservation)  # shared: rankings are built once
    round_number = len(received) + len(sent) + 1
    return PartyView(
        party_id=party_id,
        space=scenario.space,
        utilities=own.utilities,
        acceptable=own.acceptable,
        reservation=party.reservation,
        relative_time=min(round_number / scenario.max_rounds, 1.0),
        elapsed_hours=float(round_number),
        round=round_number,
        received=tuple(Offer("mediator", o, float(n)) for n, o in enumerate(received)),
        sent=tuple(sent),
        allowed=own.allowed,
    )


def _rng(seed: int, seat_id: int, step: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, seat_id, step]))


def opening(scenario: Scenario, party_id: str, strategy: str, seed: int, seat_id: int) -> int:
    """The agent's first proposal."""
    view = seat_view(scenario, party_id, [], [])
    return create_strategy(strategy, _rng(seed, seat_id, 0)).propose(view)


def answer(
    scenario: Scenario,
    party_id: str,
    strategy: str,
    seed: int,
    seat_id: int,
    received: list[int],
    sent: list[int],
) -> AgentMove:
    """Accept the latest proposal passed to the agent, or reject it and counter."""
    agent = create_strategy(strategy, _rng(seed, seat_id, len(received) + len(sent)))
    view = seat_view(scenario, party_id, received, sent)
    if agent.respond(view, received[-1]):
        return AgentMove(True, None)
    return AgentMove(False, agent.propose(seat_view(scenario, party_id, received, sent)))
