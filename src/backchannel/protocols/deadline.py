"""What the deadline means, written once for every engine.

The deadline is the earliest of the parties' deadlines as they stand when a round begins (a
timeline may move them). It is a hard end:

1. A message counts only if it arrives by the deadline. A message still in transit when the
   deadline passes is void: its receiver never reads it, and the transcript records an
   ``expired`` event at the deadline saying when it would have arrived.
2. A decision (an answer, a vote, a confirmation) counts only if it is made by the deadline.
3. An agreement counts only if it is closed (the acceptance has reached the proposer) and
   ratified by the deadline.
4. Nothing is stamped after the deadline: the breakdown is recorded at the deadline, after every
   other event. If the deadline moved earlier than the current time (a timeline shortened it),
   the talks end at once, at the current time.

The step engine (``protocols.alternating`` with its machine, ``protocols.mediated_machine``),
the batch engine (``experiments.batch.engine``) and ratification (``protocols.ratification``)
apply these rules;
the live service's relay machine (``protocols.relay``) applies them in real hours: the deadline
is the scenario's, counted from when the negotiation was opened.
"""

from __future__ import annotations

import math

PASSED = "deadline passed"
IN_TRANSIT = "deadline passed while a message was in transit"
UNANSWERED = "deadline passed before the answer was made"
UNRATIFIED = "deadline passed before the deal was ratified"
EXPIRED = "expired"  # the event kind of a message void at the deadline
ROUND_LIMIT = "round limit reached"


def in_time(at_hours: float, deadline_hours: float) -> bool:
    """Whether something that happens at ``at_hours`` still counts."""
    return at_hours <= deadline_hours


def ending_time(now_hours: float, deadline_hours: float) -> float:
    """When talks that ran out of time end: at the deadline, or now if the deadline moved
    back past the current time (times in a transcript never decrease). ``now_hours`` is
    infinite when a message never arrived: the talks end at the deadline."""
    if now_hours == math.inf:
        return deadline_hours
    return max(now_hours, deadline_hours)


def relative_time(
    now_hours: float, deadline_hours: float, round_number: int, max_rounds: int
) -> float:
    """How far along the talks are for a party deciding now, from 0 to 1: the clock against
    the deadline or the round against the round limit, whichever is closer (as in NegMAS)."""
    by_clock, by_rounds = now_hours / deadline_hours, round_number / max_rounds
    relative = by_clock if by_clock >= by_rounds else by_rounds  # max(), without the call
    return relative if relative < 1.0 else 1.0
