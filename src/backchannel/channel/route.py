"""Routes: how a message travels from one party to another, directly or through intermediaries."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backchannel.scenario.model import Channel


@dataclass(frozen=True)
class Hop:
    """Passage through one intermediary (or the direct line when ``carrier`` is None)."""

    carrier: str | None
    delay_hours: float


@dataclass(frozen=True)
class Delivery:
    """What reached the receiver, when, and through whom."""

    sent: int
    delivered: int
    arrives_at_hours: float
    via: tuple[str, ...]


@dataclass(frozen=True)
class Route:
    """An ordered chain of hops; an empty chain of intermediaries is the direct line."""

    hops: tuple[Hop, ...]

    @property
    def via(self) -> tuple[str, ...]:
        return tuple(h.carrier for h in self.hops if h.carrier is not None)

    @property
    def is_direct(self) -> bool:
        return not self.via

    def transmit(self, outcome: int, sent_at_hours: float, rng: np.random.Generator) -> Delivery:
        """Carry ``outcome`` along the route. Faithful and lossless: each hop adds its delay."""
        del rng  # reserved for stochastic hops (delay distributions, loss, distortion)
        arrival = sent_at_hours + sum(h.delay_hours for h in self.hops)
        return Delivery(sent=outcome, delivered=outcome, arrives_at_hours=arrival, via=self.via)


def direct_route(channel: Channel) -> Route:
    return Route((Hop(carrier=None, delay_hours=channel.direct_delay_hours),))


def route_via(channel: Channel, intermediary_ids: list[str] | tuple[str, ...]) -> Route:
    """A route through the named intermediaries in order; ``KeyError`` names an unknown one."""
    hops = tuple(
        Hop(carrier=item.id, delay_hours=item.delay_hours)
        for item in (channel.intermediary(i) for i in intermediary_ids)
    )
    return Route(hops)
