"""Metrics of a comparison, as array operations over tidy rows.

Per run (computed where the run is played, on that run's drawn scenario):

- ``zopa``: some outcome is allowed by every red line and worth each party's reservation value
  (the drawn values when the talks open; a timeline may move them later);
- ``distance_frontier``: Euclidean distance in utility space from the agreement to the nearest
  point of the Pareto frontier of the agreeable outcomes (0 on the frontier);
- ``distance_nash``: Euclidean distance in utility space from the agreement to the Nash
  solution (the agreeable outcome maximising the product of gains over reservation values).

Per protocol (:func:`summarise`):

- agreement rate: agreements / runs;
- time to agreement, in simulated days, over runs that agreed: median and 90th percentile
  (``numpy.percentile``, linear interpolation);
- mean welfare: the mean over all runs of the sum of the parties' payoffs (utilities after time
  discounting and any price of direct contact; a breakdown pays each its reservation value);
- mean distances from the frontier and from the Nash solution, over runs that agreed;
- miscalculation rate: runs with a zone of agreement that ended without one, divided by the
  runs that had a zone of agreement; a run the scenario's breakdown hazard ended is a collapse,
  not a miscalculation (the talks did not fail to find the zone, something outside ended them);
- collapse rate: runs that ended in a collapse (result reason ``breakdown``) / runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from backchannel.analysis.outcome_space import SpaceAnalysis, nearest_distances
from backchannel.experiments.rates import wilson
from backchannel.experiments.run_space import RunSpace
from backchannel.protocols.breakdown import REASON as COLLAPSE

Row = dict[str, Any]


def agreement_metrics(
    analysis: SpaceAnalysis | RunSpace, utilities: np.ndarray, agreements: np.ndarray
) -> dict[str, np.ndarray]:
    """Distances of the agreements (rows of ``utilities``, shape (n, parties)) of one scenario.

    Rows whose ``agreements`` entry is negative (no agreement) get NaN.
    """
    if isinstance(analysis, SpaceAnalysis):
        point = None if analysis.nash is None else analysis.utilities_of(analysis.nash)
        analysis = RunSpace(analysis.zopa_exists, analysis.frontier_utilities, point)
    agreed = np.asarray(agreements) >= 0
    frontier = np.full(len(agreed), np.nan)
    nash = np.full(len(agreed), np.nan)
    if agreed.any():
        points = np.asarray(utilities, dtype=float)[agreed]
        frontier[agreed] = nearest_distances(points, analysis.frontier_utilities)
        if analysis.nash_utilities is not None:
            target = analysis.nash_utilities[None, :]
            nash[agreed] = nearest_distances(points, target)
    return {"distance_frontier": frontier, "distance_nash": nash}


@dataclass(frozen=True)
class Summary:
    """One protocol's figures over all its runs (NaN where a figure has no run to average)."""

    arm: str
    runs: int
    agreements: int
    agreement_rate: float
    median_days: float
    p90_days: float
    mean_welfare: float
    mean_distance_frontier: float
    mean_distance_nash: float
    zopa_runs: int
    miscalculations: int
    miscalculation_rate: float
    collapses: int = 0
    collapse_rate: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain numbers, with each rate's 95% Wilson interval (``experiments.rates``)."""
        data = {
            k: (None if isinstance(v, float) and np.isnan(v) else v)
            for k, v in asdict(self).items()
        }
        data["agreement_rate_interval"] = list(wilson(self.agreements, self.runs))
        data["miscalculation_rate_interval"] = list(wilson(self.miscalculations, self.zopa_runs))
        data["collapse_rate_interval"] = list(wilson(self.collapses, self.runs))
        return data


def summarise(rows: Sequence[Row], arms: Sequence[str]) -> list[Summary]:
    """One :class:`Summary` per arm (protocol label), in the order given."""
    arm = np.array([row["arm"] for row in rows], dtype=object)
    agreed = np.array([bool(row["agreed"]) for row in rows], dtype=bool)
    zopa = np.array([bool(row["zopa"]) for row in rows], dtype=bool)
    collapsed = np.array([row.get("reason") == COLLAPSE for row in rows], dtype=bool)
    days = _floats(rows, "time_days")
    welfare = _floats(rows, "welfare")
    frontier = _floats(rows, "distance_frontier")
    nash = _floats(rows, "distance_nash")
    summaries = []
    for label in arms:
        mine = arm == label
        won = mine & agreed
        had_zone = mine & zopa
        ended = mine & collapsed
        missed = had_zone & ~agreed & ~collapsed
        summaries.append(
            Summary(
                arm=label,
                runs=int(mine.sum()),
                agreements=int(won.sum()),
                agreement_rate=_ratio(won.sum(), mine.sum()),
                median_days=_percentile(days[won], 50),
                p90_days=_percentile(days[won], 90),
                mean_welfare=_mean(welfare[mine]),
                mean_distance_frontier=_mean(frontier[won]),
                mean_distance_nash=_mean(nash[won]),
                zopa_runs=int(had_zone.sum()),
                miscalculations=int(missed.sum()),
                miscalculation_rate=_ratio(missed.sum(), had_zone.sum()),
                collapses=int(ended.sum()),
                collapse_rate=_ratio(ended.sum(), mine.sum()),
            )
        )
    return summaries


def _floats(rows: Sequence[Row], key: str) -> np.ndarray:
    return np.array([np.nan if row.get(key) is None else row[key] for row in rows], dtype=float)


def _ratio(part: int, whole: int) -> float:
    return float(part) / float(whole) if whole else float("nan")


def _mean(values: np.ndarray) -> float:
    values = values[~np.isnan(values)]
    return float(values.mean()) if len(values) else float("nan")


def _percentile(values: np.ndarray, q: float) -> float:
    values = values[~np.isnan(values)]
    return float(np.percentile(values, q)) if len(values) else float("nan")
