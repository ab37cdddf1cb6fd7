"""A strategy that learns what the other side wants from the offers it receives.

The frequency model (as in the HardHeaded agent, van Krimpen, Looije and Hajizadeh 2013, and the
"Smith" model of the ANAC literature): an option the other side keeps proposing is one it
values; an issue on which it rarely moves is one it weighs heavily. Among the outcomes worth the
current demand, the strategy offers the one the model rates best for the other side, which finds
joint gains that a pure time-based concession walks past.
"""

from __future__ import annotations

import numpy as np

from backchannel.agents.distances import issue_positions
from backchannel.agents.registry import register
from backchannel.agents.time_based import TimeBased
from backchannel.agents.views import PartyView
from backchannel.space.outcomes import OutcomeSpace


def frequency_estimate(space: OutcomeSpace, offers: list[int]) -> np.ndarray:
    """Estimated utility, for the other side, of every outcome (in [0, 1]) from its offers."""
    positions = issue_positions(space)
    seen = positions[np.asarray(offers, dtype=np.int64)]
    weights = np.ones(len(space.issues))
    if len(seen) > 1:
        weights += (seen[1:] == seen[:-1]).sum(axis=0)
    weights /= weights.sum()
    estimate = np.zeros(space.size)
    for column, issue in enumerate(space.issues):
        counts = np.bincount(seen[:, column], minlength=issue.size).astype(float)
        values = (counts + 1.0) / (counts.max() + 1.0)
        estimate += weights[column] * values[positions[:, column]]
    return estimate


@register(
    "opponent-model",
    "concedes like a mild Boulware (1 - t^2) and offers what a frequency model of the other "
    "side rates best",
    exponent=2.0,
)
class FrequencyModeller(TimeBased):
    name = "opponent-model"

    def offer_at(self, view: PartyView, target: float) -> int:
        candidates = np.flatnonzero(view.acceptable & (view.utilities >= target - 1e-12))
        if len(candidates) == 0 or not view.received:
            return super().offer_at(view, target)
        estimate = frequency_estimate(view.space, [offer.outcome for offer in view.received])
        # Best for the other side by the model; ties go to the higher own utility.
        order = np.lexsort((-view.utilities[candidates], -estimate[candidates]))
        return int(candidates[order[0]])
