"""An example of your own negotiating strategy, ready for ``backchannel tournament --load``.

    backchannel tournament --load examples/my_strategy.py \
        --strategies my-deadline-sprinter,boulware,conceder --repetitions 5

The class sees only its own :class:`~backchannel.agents.views.PartyView` (its utilities, its
reservation value, the offers delivered to it, the time). It reuses the library's parts: a
target utility, the offer nearest the other side's last offer above it, and the acceptance test.
"""

from __future__ import annotations

import numpy as np

from backchannel.agents import Strategy, register
from backchannel.agents.components import acceptable_at, offer_for_target, target_utility
from backchannel.agents.views import PartyView


@register("my-deadline-sprinter", "holds firm for most of the time, then concedes all at once")
class DeadlineSprinter(Strategy):
    """Demands its best outcome until ``sprint_at`` of the time has gone, then drops its demand
    straight to halfway between best and reservation value."""

    name = "my-deadline-sprinter"

    def __init__(self, rng: np.random.Generator | None = None, sprint_at: float = 0.8) -> None:
        super().__init__(rng)
        self.sprint_at = sprint_at

    def target(self, view: PartyView) -> float:
        share = 1.0 if view.relative_time < self.sprint_at else 0.5
        return target_utility(view, share)

    def propose(self, view: PartyView) -> int:
        return offer_for_target(view, self.target(view))

    def respond(self, view: PartyView, offer: int) -> bool:
        return acceptable_at(view, offer, self.target(view))
