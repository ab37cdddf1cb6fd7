"""Breakdown with consequences: the one hook through which talks can collapse before the deadline.

A scenario may declare ``negotiation.breakdown``: a chance that the talks collapse after each
rejection (``per_round``, optionally moved by a timeline indicator) and for each simulated day
that passes (``per_day``). Every protocol calls :meth:`Hazard.strikes` once per rejected
round (alternating offers after a rejection; single-text and confidential mediation after a
round whose text was not accepted, ``protocols.mediated_machine``). When it strikes, the talks
resume later if the scenario says so (``resume``, :mod:`backchannel.protocols.resumption`); else
:func:`collapse` ends them with reason ``breakdown``, each side gets its declared payoff (its
walk-away value unless the scenario says otherwise), and the timeline event the collapse sets
off (such as strikes) is named in the transcript. ``Result.collapses`` counts the collapses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from backchannel.protocols.settlement import conclude
from backchannel.protocols.transcript import Event, Transcript
from backchannel.scenario.model import Party, Scenario
from backchannel.timeline.events import HOURS_PER_DAY

REASON = "breakdown"
RESUMED = "resumed_talks"  # the id of the made-up event that sets the resumed walk-away values


@dataclass(frozen=True)
class Resume:
    """Talks resumed after a collapse: ``after_hours`` later, with these walk-away values and
    this timeline event in force, at most ``times`` times in one negotiation."""

    after_hours: float
    reservations: dict[str, float]
    event: str | None
    times: int


@dataclass(frozen=True)
class Hazard:
    """The declared hazard of collapse and its consequences."""

    per_round: float
    per_day: float
    payoffs: dict[str, float]
    event: str | None
    indicator_rise: tuple[np.ndarray, np.ndarray] | None = None  # (days, rise above start)
    per_unit: float = 0.0
    resume: Resume | None = None

    @classmethod
    def of(cls, scenario: Scenario) -> Hazard | None:
        """The scenario's hazard, or None when it declares none (the talks never collapse)."""
        spec = scenario.spec.negotiation.breakdown if scenario.spec is not None else None
        if spec is None:
            return None
        rise = None
        timeline = scenario.timeline
        if spec.indicator is not None and timeline is not None:
            indicator = timeline.indicator(spec.indicator)
            days = indicator.days_from(timeline.start)
            start = float(indicator.value_at(timeline.start, 0.0))
            rise = (days, np.asarray(indicator.values, dtype=float) - start)
        resume = None
        if spec.resume is not None:
            declared = spec.resume
            resume = Resume(
                declared.after_days * HOURS_PER_DAY,
                dict(declared.reservations),
                declared.event,
                declared.times,
            )
        return cls(
            spec.per_round,
            spec.per_day,
            dict(spec.payoffs),
            spec.event,
            rise,
            spec.per_unit,
            resume,
        )

    def round_chance(self, hours: float) -> float:
        """Chance of collapse after a rejection at ``hours``."""
        chance = self.per_round
        if self.indicator_rise is not None:
            days, rise = self.indicator_rise
            chance += self.per_unit * float(np.interp(hours / HOURS_PER_DAY, days, rise))
        return float(np.clip(chance, 0.0, 1.0))

    def chance(self, since_hours: float, now_hours: float) -> float:
        """Chance that a round rejected at ``now_hours``, begun at ``since_hours``, collapses."""
        days = max(now_hours - since_hours, 0.0) / HOURS_PER_DAY
        survive = (1.0 - self.round_chance(now_hours)) * (1.0 - self.per_day) ** days
        return 1.0 - survive

    def strikes(self, rng: np.random.Generator, since_hours: float, now_hours: float) -> bool:
        """One draw: whether the talks collapse now (no draw when the chance is zero)."""
        chance = self.chance(since_hours, now_hours)
        if chance <= 0.0:
            return False
        return bool(rng.random() < chance)


def collapse(
    scenario: Scenario,
    transcript: Transcript,
    hazard: Hazard,
    time_hours: float,
    rounds: int,
    parties: Sequence[Party],
    direct_contact: bool = False,
) -> Transcript:
    """End the talks in a collapse: the declared payoffs replace the walk-away values."""
    if hazard.event is not None:
        transcript.record(
            Event(
                kind="timeline",
                time_hours=time_hours,
                round=rounds,
                details={"event": hazard.event, "cause": REASON},
            )
        )
    conclude(
        scenario,
        transcript,
        None,
        REASON,
        time_hours,
        rounds,
        direct_contact=direct_contact,
        parties=parties,
    )
    result = transcript.result
    assert result is not None
    payoffs = {
        pid: payoff
        + hazard.payoffs.get(pid, _reservation(parties, pid))
        - _reservation(parties, pid)
        for pid, payoff in result.payoffs.items()
    }
    transcript.result = replace(result, payoffs=payoffs, collapses=result.collapses + 1)
    return transcript


def _reservation(parties: Sequence[Party], party_id: str) -> float:
    return next(p.reservation for p in parties if p.id == party_id)
