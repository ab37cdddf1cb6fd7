"""Issues, the outcome space as arrays, and utility functions over it."""

from backchannel.space.issues import DiscreteIssue, Issue, NumericIssue
from backchannel.space.outcomes import OutcomeSpace
from backchannel.space.utility import LinearAdditiveUtility

__all__ = ["DiscreteIssue", "Issue", "LinearAdditiveUtility", "NumericIssue", "OutcomeSpace"]
