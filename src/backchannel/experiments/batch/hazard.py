"""The breakdown hazard for many runs at once, as ``protocols.breakdown.Hazard`` draws it.

After every rejected round the step engine computes the chance that the talks collapse
(``Hazard.chance``) and, when it is above zero, takes one draw from the run's protocol stream.
Here the same chance is computed per run with the same operations in the same order (powers by
Python's ``**``), and the draws come from :class:`~backchannel.experiments.batch.draws.RunDraws`
in the order the step engine takes them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backchannel.experiments.batch.draws import RunDraws
from backchannel.experiments.batch.strategies import python_power
from backchannel.protocols.breakdown import REASON, Hazard
from backchannel.scenario.model import Scenario
from backchannel.timeline.events import HOURS_PER_DAY


@dataclass(frozen=True)
class BatchHazard:
    """A scenario's declared hazard, evaluated for arrays of runs."""

    hazard: Hazard
    REASON = REASON

    @classmethod
    def of(cls, scenario: Scenario) -> BatchHazard | None:
        hazard = Hazard.of(scenario)
        return None if hazard is None else cls(hazard)

    def chance(self, since_hours: np.ndarray, now_hours: np.ndarray) -> np.ndarray:
        """``Hazard.chance`` per run."""
        hazard = self.hazard
        days = np.maximum(now_hours - since_hours, 0.0) / HOURS_PER_DAY
        round_chance = np.full(len(now_hours), hazard.per_round)
        if hazard.indicator_rise is not None:
            at, rise = hazard.indicator_rise
            round_chance = round_chance + hazard.per_unit * np.interp(
                now_hours / HOURS_PER_DAY, at, rise
            )
        round_chance = np.clip(round_chance, 0.0, 1.0)
        keep = python_power(np.full(len(days), 1.0 - hazard.per_day), days)
        return 1.0 - (1.0 - round_chance) * keep

    def strikes(
        self, draws: RunDraws, runs: np.ndarray, since_hours: np.ndarray, now_hours: np.ndarray
    ) -> np.ndarray:
        """Whether each of ``runs`` (rejected a round begun at ``since_hours``, now at
        ``now_hours``) collapses; a run draws only when its chance is above zero."""
        chance = self.chance(since_hours, now_hours)
        struck = np.zeros(len(runs), dtype=bool)
        drawing = np.flatnonzero(chance > 0.0)
        if len(drawing):
            struck[drawing] = draws.take(runs[drawing]) < chance[drawing]
        return struck

    def collapse_payoffs(
        self, collapsed: np.ndarray, party_id: str, payoff: np.ndarray, reservation: np.ndarray
    ) -> np.ndarray:
        """``breakdown.collapse``: a collapsed run's payoff with the declared payoff in place
        of the walk-away value (the walk-away value itself when none is declared)."""
        declared = self.hazard.payoffs.get(party_id)
        swapped = payoff + (reservation if declared is None else declared) - reservation
        return np.where(collapsed, swapped, payoff)
