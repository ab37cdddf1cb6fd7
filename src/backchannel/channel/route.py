"""Routes: how a message travels from one party to another, directly or through intermediaries.

``Route.transmit`` is the one entry point. Loss and resending, precisely:

- Attempt 1 leaves at ``sent_at``; attempt ``k`` leaves at ``sent_at + (k - 1) * timeout``,
  where ``timeout`` is the channel's ``timeout_hours`` or, when not declared, twice the route's
  nominal delay (at least one hour). The sender re-sends the *same* text it first sent.
- Each attempt crosses the hops in order (``channel.hops`` gives the draws per hop). A loss
  ends the attempt; the next attempt starts from the sender at its own departure time.
- The first attempt to cross every hop is the delivery. After ``max_attempts`` lost attempts,
  or when the next attempt would leave after ``give_up_at_hours``, the message is never
  delivered: ``delivered`` is None and ``arrives_at_hours`` is infinite.
- *Sealed* messages (acceptances, answers to a mediator, confided preferences) are delayed and
  may be lost, but intermediaries do not reword them.
- A route run in ``sessions`` (proximity rounds, ``channel.routes.NAME.sessions``) relays
  across each hop inside a session instead of by the hop's own delay; the draws are the same,
  only the times differ, and ``Delivery.sessions`` names the sessions that carried the message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from backchannel.channel.bias import bias_utilities
from backchannel.channel.hops import Hop, Passage, pass_hop
from backchannel.channel.sessions import NOTHING, Sessions, SessionUsed
from backchannel.space.outcomes import OutcomeSpace

if TYPE_CHECKING:
    from backchannel.scenario.model import Channel, Intermediary, Scenario

DEFAULT_MAX_ATTEMPTS = 10
new_tuple = tuple.__new__  # a named tuple from all its fields in order, without its keyword layer

__all__ = ["Delivery", "Hop", "Passage", "Route", "direct_route", "route_via"]


class Delivery(NamedTuple):
    """What was sent, what reached the receiver (None if nothing did), when, through whom.

    Immutable; a named tuple because every message makes one.
    """

    sent: int
    delivered: int | None
    arrives_at_hours: float
    via: tuple[str, ...]
    passages: tuple[Passage, ...] = ()
    attempts: int = 1
    departures: tuple[float, ...] = ()
    sessions: tuple[SessionUsed, ...] = ()  # the proximity sessions that relayed it, in order

    @property
    def arrived(self) -> bool:
        return self.delivered is not None

    @property
    def changed(self) -> bool:
        return self.arrived and self.delivered != self.sent


@dataclass(frozen=True)
class Route:
    """An ordered chain of hops; an empty chain of intermediaries is the direct line."""

    hops: tuple[Hop, ...]
    timeout_hours: float | None = None
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    space: OutcomeSpace | None = field(default=None, compare=False, repr=False)
    sessions: Sessions | None = None  # proximity rounds: relays happen inside sessions

    @cached_property
    def via(self) -> tuple[str, ...]:
        return tuple(h.carrier for h in self.hops if h.carrier is not None)

    @cached_property
    def certain(self) -> bool:
        """Fixed delays, nothing lost or leaked: every message arrives, on time."""
        return all(
            h.loss == 0.0 and h.leak == 0.0 and (h.delay is None or not h.delay.stochastic)
            for h in self.hops
        )

    @cached_property
    def faithful(self) -> bool:
        """No intermediary rewords what it carries."""
        return all(h.faithful for h in self.hops)

    def answered_at(self, arrived_hours: float, response_hours: float) -> float:
        """When a party that received a message over this route at ``arrived_hours`` has
        answered: ``response_hours`` later, or the schedule's response time inside a session."""
        if self.sessions is None:
            return arrived_hours + response_hours
        return self.sessions.answered_at(arrived_hours, response_hours)

    @property
    def is_direct(self) -> bool:
        return not self.via

    @property
    def nominal_hours(self) -> float:
        return sum(h.delay_hours for h in self.hops)

    @property
    def timeout(self) -> float:
        if self.timeout_hours is not None:
            return self.timeout_hours
        return max(1.0, 2.0 * self.nominal_hours)

    def transmit(
        self,
        outcome: int,
        sent_at_hours: float,
        rng: np.random.Generator,
        *,
        sealed: bool = False,
        give_up_at_hours: float = math.inf,
    ) -> Delivery:
        """Carry ``outcome`` along the route (loss and resend semantics: module docstring)."""
        if self.certain and (sealed or self.faithful) and self.sessions is None:
            return self._on_time(outcome, sent_at_hours)
        return self._through_hops(outcome, sent_at_hours, rng, sealed, give_up_at_hours)

    def _through_hops(
        self,
        outcome: int,
        sent_at_hours: float,
        rng: np.random.Generator,
        sealed: bool,
        give_up_at_hours: float,
    ) -> Delivery:
        """Every attempt through every hop, with the draws in the documented order."""
        passages: list[Passage] = []
        departures: list[float] = []
        used: list[SessionUsed] = []
        attempt = 0
        for attempt in range(1, self.max_attempts + 1):
            start = sent_at_hours + (attempt - 1) * self.timeout
            if attempt > 1 and start > give_up_at_hours:
                attempt -= 1
                break
            departures.append(start)
            text, now, arrived = outcome, start, True
            for hop in self.hops:
                if self.sessions is None:
                    passage = pass_hop(hop, text, now, rng, attempt, self.space, sealed)
                else:
                    passage = self._in_session(hop, text, now, rng, attempt, sealed, used)
                if hop.carrier is not None:
                    passages.append(passage)
                if passage.lost:
                    arrived = False
                    break
                assert passage.passed_on is not None and passage.left_at_hours is not None
                text, now = passage.passed_on, passage.left_at_hours
            if arrived:
                return Delivery(
                    outcome,
                    text,
                    now,
                    self.via,
                    tuple(passages),
                    attempt,
                    tuple(departures),
                    _distinct(used),
                )
        return Delivery(
            outcome,
            None,
            math.inf,
            self.via,
            tuple(passages),
            attempt,
            tuple(departures),
            _distinct(used),
        )

    def _in_session(
        self,
        hop: Hop,
        text: int,
        now: float,
        rng: np.random.Generator,
        attempt: int,
        sealed: bool,
        used: list[SessionUsed],
    ) -> Passage:
        """One passage timed by the schedule: the same draws as a trip (loss, fidelity, leak;
        no delay is drawn inside a session), relayed in the first session it fits in."""
        sessions = self.sessions
        assert sessions is not None
        relay = sessions.relay(now)
        if relay.session is None and sessions.after_last != NOTHING:
            return pass_hop(hop, text, now, rng, attempt, self.space, sealed)  # trips again
        timed = replace(hop, delay_hours=sessions.relay_hours, delay=None)
        begins = relay.begins_at_hours if relay.session is not None else now
        passage = pass_hop(timed, text, begins, rng, attempt, self.space, sealed)
        if relay.session is not None:
            used.append(sessions.used(relay.session))
        if passage.lost:
            return passage._replace(entered_at_hours=now)
        return passage._replace(entered_at_hours=now, left_at_hours=relay.ends_at_hours)

    def _on_time(self, outcome: int, sent_at_hours: float) -> Delivery:
        """What :meth:`transmit` gives when nothing can go wrong, without the general loop."""
        via, now = self.via, sent_at_hours
        if not via:  # the direct line: no passage to record (every message's path on it)
            for hop in self.hops:
                now = now + hop.delay_hours
            return new_tuple(Delivery, (outcome, outcome, now, via, (), 1, (sent_at_hours,), ()))
        passages = []
        for hop in self.hops:
            left = now + hop.delay_hours
            if hop.carrier is not None:
                passages.append(Passage(1, hop.carrier, now, left, outcome, outcome))
            now = left
        return Delivery(outcome, outcome, now, via, tuple(passages), 1, (sent_at_hours,))


def _distinct(used: list[SessionUsed]) -> tuple[SessionUsed, ...]:
    """Each session once, in the order first used."""
    return tuple(dict.fromkeys(used))


def direct_route(channel: Channel) -> Route:
    """The direct line of ``channel``: one hop, no carrier. Routes are immutable, so runs share
    one per delay (its derived properties are then worked out once, not once a run)."""
    delay = channel.direct_delay_hours
    return _direct_line(type(delay), delay)


@lru_cache(maxsize=64)
def _direct_line(kind: type, delay_hours: float) -> Route:
    """Keyed by the delay's type too: 1 and 1.0 are equal keys but not the same value."""
    return Route((Hop(carrier=None, delay_hours=delay_hours),))


def route_via(
    channel: Channel,
    intermediary_ids: list[str] | tuple[str, ...],
    scenario: Scenario | None = None,
    sessions: Sessions | None = None,
) -> Route:
    """A route through the named intermediaries in order; ``KeyError`` names an unknown one.

    Pass ``scenario`` when a hop changes messages or leans toward its bias (it needs the outcome
    space and, for a bias that favours a party, that party's utilities); ``sessions`` when the
    route runs in proximity rounds.
    """
    hops = tuple(
        _hop(item, scenario) for item in (channel.intermediary(i) for i in intermediary_ids)
    )
    return Route(
        hops,
        timeout_hours=channel.timeout_hours,
        max_attempts=channel.max_attempts,
        space=scenario.space if scenario is not None else None,
        sessions=sessions,
    )


def _hop(item: Intermediary, scenario: Scenario | None) -> Hop:
    bias = item.bias
    return Hop(
        carrier=item.id,
        delay_hours=item.delay_hours,
        delay=item.delay,
        loss=item.loss,
        leak=item.leak,
        fidelity=item.fidelity,
        bias=bias_utilities(scenario, bias) if scenario is not None and bias else None,
    )
