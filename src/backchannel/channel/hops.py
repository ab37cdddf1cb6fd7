"""One passage of a message through one hop: loss, delay, fidelity, leak, in that order.

Random draws, per passage and in this order (a batch engine must replay them exactly):

1. loss: one ``rng.random()`` if the hop's ``loss`` is above 0; the message is lost when the
   draw is below ``loss`` and nothing more is drawn for this passage;
2. delay: one draw if the hop's delay distribution is stochastic (see ``channel.delays``);
3. fidelity: the hop's steps in order, unless the message is *sealed* (see ``channel.fidelity``);
4. leak: one ``rng.random()`` if the hop's ``leak`` is above 0; progress leaks when below it.

A hop with fixed delay and no loss, fidelity or leak draws nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from backchannel.channel.delays import Delay
from backchannel.channel.fidelity import FidelityStep, apply_step
from backchannel.space.outcomes import OutcomeSpace


@dataclass(frozen=True)
class Hop:
    """Passage through one intermediary (or the direct line when ``carrier`` is None).

    ``delay_hours`` is the nominal delay; a ``delay`` distribution, when given, is sampled and
    shifted by ``delay_hours - delay.mean`` (so a timeline that adds hours still applies).
    ``bias`` holds the intermediary's utility of every outcome, for fidelity steps that lean.
    """

    carrier: str | None
    delay_hours: float
    delay: Delay | None = None
    loss: float = 0.0
    leak: float = 0.0
    fidelity: tuple[FidelityStep, ...] = ()
    bias: np.ndarray | None = field(default=None, compare=False, repr=False)

    @property
    def faithful(self) -> bool:
        return not self.fidelity

    def sample_delay(self, rng: np.random.Generator) -> float:
        if self.delay is None or not self.delay.stochastic:
            return self.delay_hours
        return max(0.0, self.delay.sample(rng) + self.delay_hours - self.delay.mean)


class Passage(NamedTuple):
    """What happened to one attempt of a message at one hop (immutable, made per hop)."""

    attempt: int
    carrier: str | None
    entered_at_hours: float
    left_at_hours: float | None
    carried: int
    passed_on: int | None
    lost: bool = False
    leaked: bool = False
    changes: tuple[str, ...] = ()


def pass_hop(
    hop: Hop,
    outcome: int,
    at_hours: float,
    rng: np.random.Generator,
    attempt: int,
    space: OutcomeSpace | None,
    sealed: bool = False,
) -> Passage:
    """Carry ``outcome`` across ``hop`` starting at ``at_hours`` (draw order: module docstring)."""
    if hop.loss > 0.0 and rng.random() < hop.loss:
        return Passage(attempt, hop.carrier, at_hours, None, outcome, None, lost=True)
    left = at_hours + hop.sample_delay(rng)
    text, changes = outcome, []
    if not sealed and hop.fidelity:
        if space is None:
            raise ValueError("a hop that changes messages needs the outcome space")
        for step in hop.fidelity:
            text, change = apply_step(step, text, space, rng, hop.bias)
            if change is not None:
                changes.append(change)
    leaked = hop.leak > 0.0 and bool(rng.random() < hop.leak)
    return Passage(
        attempt, hop.carrier, at_hours, left, outcome, text, False, leaked, tuple(changes)
    )
