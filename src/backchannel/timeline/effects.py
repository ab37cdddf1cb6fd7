"""Effects: what an event or an indicator does to a party or to a hop of the channel.

An effect is a modelling assumption, so it keeps its ``assumption``/``source`` note. Numbers are
*changes* (added to the scenario's value); switches (``refuses_direct_talks``, ``suspended``)
*set* a value while the event that carries them is in force.
"""

from __future__ import annotations

from dataclasses import dataclass

PARTY_NUMBERS = ("reservation", "deadline_days", "time_discount", "direct_contact_cost")
PARTY_SWITCHES = ("refuses_direct_talks",)
HOP_NUMBERS = ("delay_hours", "leak")
HOP_SWITCHES = ("suspended",)
DIRECT_LINE = "direct"

# The range each adjusted number is kept in, so that no effect can make a party nonsensical.
BOUNDS = {
    "reservation": (0.0, 1.0),
    "deadline_days": (1.0 / 24.0, float("inf")),
    "time_discount": (1e-6, 1.0),
    "direct_contact_cost": (0.0, 1.0),
    "delay_hours": (0.0, float("inf")),
    "leak": (0.0, 1.0),
}


@dataclass(frozen=True)
class Effect:
    """One declared change. ``target`` is ``("party", id)`` or ``("hop", id)``."""

    target: tuple[str, str]
    numbers: tuple[tuple[str, float], ...] = ()
    switches: tuple[tuple[str, bool], ...] = ()
    note: str = ""

    def number(self, name: str) -> float:
        return dict(self.numbers).get(name, 0.0)

    def describe(self, scale: float = 1.0) -> str:
        """``"iran reservation -0.05, deadline_days -30"`` (numbers multiplied by ``scale``)."""
        parts = [f"{name} {value * scale:+.3g}" for name, value in self.numbers]
        parts += [f"{name} {'on' if value else 'off'}" for name, value in self.switches]
        return f"{self.target[1]} " + ", ".join(parts)


def clip(name: str, value: float) -> float:
    low, high = BOUNDS[name]
    return min(max(value, low), high)
