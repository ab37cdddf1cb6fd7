"""An intermediary's own preferences over outcomes, as one utility per outcome.

A biased mediator (Kydd 2003, "Which side are you on? Bias, credibility, and mediation") cares
about the outcome, not only about a deal: here it either favours one party (it shares that
party's utility) or has preferences of its own. ``strength`` mixes that with the parties' mean
utility: 0 is a neutral mediator who cares about joint welfare, 1 a fully partisan one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from backchannel.channel.fidelity import Bias

if TYPE_CHECKING:
    from backchannel.scenario.model import Scenario


def bias_utilities(scenario: Scenario, bias: Bias) -> np.ndarray:
    """The intermediary's utility of every outcome, shape ``(outcomes,)``."""
    neutral = scenario.utilities.mean(axis=1)
    if bias.favours is not None:
        own = scenario.utilities[:, scenario.party_index(bias.favours)]
    else:
        own = bias.utility.over_space(scenario.space)  # type: ignore[union-attr]
    return bias.strength * own + (1.0 - bias.strength) * neutral
