"""A strategy that learns what the other side wants from the offers it receives.

The frequency model (``offer_choice.frequency_estimate``, as in the HardHeaded agent, van
Krimpen, Looije and Hajizadeh 2013): among the outcomes worth the current demand, the strategy
offers the one the model rates best for the other side, which finds joint gains that a pure
time-based concession walks past. The model's offer choice has no array form, so this strategy
plays step by step.
"""

from __future__ import annotations

from backchannel.agents.offer_choice import ModelledBest, frequency_estimate
from backchannel.agents.registry import register
from backchannel.agents.time_based import TimeBased

__all__ = ["FrequencyModeller", "frequency_estimate"]


@register(
    "opponent-model",
    "concedes like a mild Boulware (1 - t^2) and offers what a frequency model of the other "
    "side rates best",
    exponent=2.0,
)
class FrequencyModeller(TimeBased):
    name = "opponent-model"
    offer_choice = ModelledBest()
