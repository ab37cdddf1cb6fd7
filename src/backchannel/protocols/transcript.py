"""The complete, replayable record of one negotiation: events in order, then the result."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from types import MappingProxyType
from typing import Any, NamedTuple

NO_DETAILS: Mapping[str, Any] = MappingProxyType({})


class Event(NamedTuple):
    """Something that happened at a simulated time.

    ``outcome`` is what the sender sent; ``delivered`` is what reached the receiver (they differ
    only when an intermediary changed the message). ``via`` lists the intermediaries crossed.
    Immutable, and a named tuple because a run records several per round: cheap to create.
    """

    kind: str
    time_hours: float
    round: int
    sender: str | None = None
    receiver: str | None = None
    outcome: int | None = None
    delivered: int | None = None
    via: tuple[str, ...] = ()
    details: Mapping[str, Any] = NO_DETAILS

    def to_dict(self) -> dict[str, Any]:
        """Plain data (lists and dicts, copied) for JSON and YAML."""
        data = self._asdict()
        data["kind"] = str(self.kind)  # an EventKind is written as its plain name
        data["via"] = list(self.via)
        data["details"] = copy.deepcopy(dict(self.details))
        return data


@dataclass(frozen=True)
class Result:
    """How the negotiation ended."""

    agreement: int | None
    reason: str
    time_hours: float
    rounds: int
    utilities: dict[str, float]
    payoffs: dict[str, float]
    below_walkaway: tuple[str, ...] = ()  # parties whose payoff from the deal is below their
    # walk-away value (time discounting or a price of direct contact or leaks ate the gain)
    collapses: int = 0  # times the breakdown hazard struck (talks that resumed, and a last one)

    @property
    def agreed(self) -> bool:
        return self.agreement is not None


@dataclass
class Transcript:
    """Events are appended while the protocol runs; the result is set once at the end."""

    scenario: str
    protocol: str
    parties: tuple[str, ...]
    seed: int | None
    settings: dict[str, Any] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    result: Result | None = None

    def record(self, event: Event) -> None:
        if self.result is not None:
            raise RuntimeError("the negotiation is over; no more events can be recorded")
        self.events.append(event)

    def of_kind(self, kind: str) -> list[Event]:
        return [e for e in self.events if e.kind == kind]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(replace(self, events=[]))
        data["events"] = [event.to_dict() for event in self.events]
        return data
