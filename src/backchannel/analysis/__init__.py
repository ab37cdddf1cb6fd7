"""Analysis in utility terms: Pareto frontier, bargaining solutions, zone of agreement."""

from backchannel.analysis.outcome_space import SpaceAnalysis, analyze_space
from backchannel.analysis.pareto import pareto_indices, pareto_mask
from backchannel.analysis.solutions import (
    agreeable_mask,
    kalai_smorodinsky_index,
    nash_index,
    utilitarian_index,
)

__all__ = [
    "SpaceAnalysis",
    "agreeable_mask",
    "analyze_space",
    "kalai_smorodinsky_index",
    "nash_index",
    "pareto_indices",
    "pareto_mask",
    "utilitarian_index",
]
