"""How every protocol ends: ratification, then payoffs, the final event and the result.

Payoffs: an agreement is worth its utility discounted by each party's daily ``time_discount``
over the simulated days it took; a breakdown is worth the reservation value. A party that was
made to talk directly pays its ``direct_contact_cost``; every public leak costs each party its
``leak_cost`` (the scenario's price of progress becoming public).

A deal can leave a party worse off than walking away: strategies accept on the utility of the
terms, and discounting or those prices come on top. Such a party is not hidden: the agreement
event and the result list it under ``below_walkaway``.

The transcript's events are put in time order (stable: events at the same hour keep the order
they were recorded in) before the ending is recorded: parties answer in parallel and ratifiers
decide in parallel, so the order of recording is not always the order of time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from operator import attrgetter

from backchannel.protocols.ratification import ratify
from backchannel.protocols.transcript import Event, Result, Transcript
from backchannel.scenario.at_time import state_at
from backchannel.scenario.model import Party, Scenario

HOURS_PER_DAY = 24.0
WALKAWAY_TOLERANCE = 1e-12  # float noise, not a loss


def conclude(
    scenario: Scenario,
    transcript: Transcript,
    agreement: int | None,
    reason: str,
    time_hours: float,
    rounds: int,
    *,
    direct_contact: bool = False,
    parties: Sequence[Party] | None = None,
    deadline_hours: float = math.inf,
) -> Transcript:
    """Ratify an agreement (by ``deadline_hours``), then record the ending and set
    ``transcript.result``.

    ``parties`` are the parties as they stand at the end (a timeline may have moved them).
    """
    if agreement is not None:
        veto, time_hours = ratify(
            scenario, transcript, agreement, time_hours, rounds, deadline_hours
        )
        if veto is not None:
            agreement, reason = None, veto
    transcript.events.sort(key=attrgetter("time_hours"))  # stable; C-level key, on every run
    leaks = len(transcript.of_kind("leak"))
    utilities, payoffs, below = {}, {}, []
    # Walk-away values as they stand when the deal is concluded: ratification takes time, and
    # a timeline may move a party's walk-away value meanwhile (or the caller did not follow it).
    standing = _walkaways_at(scenario, time_hours) if agreement is not None else {}
    for column, party in enumerate(parties or scenario.parties):
        if agreement is None:
            value = payoff = party.reservation
        else:
            value = float(scenario.utilities[agreement, column])
            payoff = value * party.time_discount ** (time_hours / HOURS_PER_DAY)
        if direct_contact and party.refuses_direct_talks:
            payoff -= party.direct_contact_cost
        payoff -= leaks * party.leak_cost
        utilities[party.id], payoffs[party.id] = value, payoff
        walkaway = standing.get(party.id, party.reservation)
        if agreement is not None and payoff < walkaway - WALKAWAY_TOLERANCE:
            below.append(party.id)
    details: dict[str, object] = {"reason": reason}
    if below:
        details["below_walkaway"] = below
        details["walkaway"] = {
            p.id: standing.get(p.id, p.reservation) for p in parties or scenario.parties
        }
    transcript.record(
        Event(
            kind="agreement" if agreement is not None else "breakdown",
            time_hours=time_hours,
            round=rounds,
            outcome=agreement,
            delivered=agreement,
            details=details,
        )
    )
    transcript.result = Result(
        agreement=agreement,
        reason=reason,
        time_hours=time_hours,
        rounds=rounds,
        utilities=utilities,
        payoffs=payoffs,
        below_walkaway=tuple(below),
        collapses=len(transcript.of_kind("resume")),  # talks resumed after each of these
    )
    return transcript


def _walkaways_at(scenario: Scenario, time_hours: float) -> dict[str, float]:
    """Each party's walk-away value at ``time_hours`` on the scenario's timeline (none: {})."""
    if scenario.timeline is None or not math.isfinite(time_hours):
        return {}
    return {p.id: p.reservation for p in state_at(scenario.timeline, scenario, time_hours).parties}
