"""Parts that strategies are built from: concession curves, offer choice, acceptance rules."""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from backchannel.protocols.views import PartyView
from backchannel.space.issues import NumericIssue
from backchannel.space.outcomes import OutcomeSpace


def aspiration(relative_time: float, exponent: float) -> float:
    """Share of the possible gain still demanded at time ``t`` in [0, 1]: ``1 - t**e``.

    ``e > 1`` concedes late (Boulware), ``e = 1`` linearly, ``e < 1`` early (conceder); the
    polynomial aspiration of Faratin, Sierra and Jennings (1998).
    """
    t = min(max(relative_time, 0.0), 1.0)
    return 1.0 - t**exponent


def target_utility(view: PartyView, share: float) -> float:
    """Utility demanded when keeping ``share`` of the gain between reservation and best."""
    floor = view.reservation
    ranking = _ranking(view)
    best = view.best_utility if ranking is None else ranking.best
    return floor + (best - floor) * share


@dataclass(frozen=True)
class _Ranking:
    """A seat's acceptable outcomes sorted by its own utility, computed once.

    ``order`` runs from worst to best (ties by index); ``best_first`` from best to worst (ties
    by index), so the outcomes worth at least a target are a prefix of it and, once distances
    are lined up in that order, the first nearest one is also the best among the nearest.
    """

    utilities: np.ndarray
    acceptable: np.ndarray
    order: np.ndarray
    sorted_utilities: np.ndarray
    best_first: np.ndarray
    negated_best_first: list[float]  # -utility along best_first, ascending: bisect counts
    best: float


_RANKINGS: OrderedDict[tuple[int, int], _Ranking] = OrderedDict()
_DISTANCES: OrderedDict[tuple[int, int], tuple[OutcomeSpace, np.ndarray]] = OrderedDict()
_ALIGNED: OrderedDict[tuple[int, int], tuple[_Ranking, np.ndarray]] = OrderedDict()
CACHE_ENTRIES = 32
FULL_DISTANCE_LIMIT = 250_000


def _remember(cache: OrderedDict, key: tuple[int, int], value: object) -> None:
    cache[key] = value
    if len(cache) > CACHE_ENTRIES:
        cache.popitem(last=False)


def _ranking(view: PartyView) -> _Ranking | None:
    """Cached ranking for read-only arrays (a seat's, which never change); None otherwise."""
    utilities, acceptable = view.utilities, view.acceptable
    if utilities.flags.writeable or acceptable.flags.writeable:
        return None
    key = (id(utilities), id(acceptable))
    found = _RANKINGS.get(key)
    if found is not None and found.utilities is utilities and found.acceptable is acceptable:
        return found
    rows = np.flatnonzero(acceptable)
    order = rows[np.argsort(utilities[rows], kind="stable")]
    ranked = utilities[order]
    best_first = rows[np.lexsort((rows, -utilities[rows]))]
    negated = (-utilities[best_first]).tolist()
    best = float(ranked[-1]) if len(ranked) else 0.0
    ranking = _Ranking(utilities, acceptable, order, ranked, best_first, negated, best)
    _remember(_RANKINGS, key, ranking)
    return ranking


def _distances_from(space: OutcomeSpace, outcome: int) -> np.ndarray:
    """Distance from ``outcome`` to every outcome, cached: replies reuse the last offer's."""
    key = (id(space), outcome)
    found = _DISTANCES.get(key)
    if found is not None and found[0] is space:
        return found[1]
    distances = distance_to(space, outcome, np.arange(space.size))
    _remember(_DISTANCES, key, (space, distances))
    return distances


@lru_cache(maxsize=16)
def issue_positions(space: OutcomeSpace) -> tuple[np.ndarray, np.ndarray]:
    """Positions of every outcome and which issues are ordered (numeric), cached per space."""
    positions = space.positions(np.arange(space.size, dtype=np.int64)).astype(np.int32)
    ordered = np.array([isinstance(i, NumericIssue) for i in space.issues])
    positions.flags.writeable = False
    return positions, ordered


def distance_to(space: OutcomeSpace, outcome: int, candidates: np.ndarray) -> np.ndarray:
    """Distance from ``outcome`` to each candidate: normalised steps on numeric issues,
    0 or 1 on named options, summed over issues."""
    positions, ordered = issue_positions(space)
    here = positions[outcome]
    rows = positions[candidates]
    scale = np.array([max(issue.size - 1, 1) for issue in space.issues], dtype=float)
    gaps = np.abs(rows - here).astype(float)
    gaps = np.where(ordered, gaps / scale, gaps > 0)
    return gaps.sum(axis=1)


def offer_for_target(view: PartyView, target: float) -> int:
    """An acceptable outcome worth at least ``target`` to this party.

    With no offer received yet it takes the one nearest the target from above; afterwards the
    one most like the other side's latest offer (a one-step opponent model), breaking ties
    toward its own utility, so concessions move toward the other side rather than sideways.
    """
    ranking = _ranking(view)
    if ranking is not None:
        return _offer_from_ranking(view, ranking, target)
    utilities = view.utilities
    candidates = np.flatnonzero(view.acceptable & (utilities >= target - 1e-12))
    if len(candidates) == 0:
        candidates = np.flatnonzero(view.acceptable)
        if len(candidates) == 0:
            return int(np.argmax(utilities))
        return int(candidates[np.argmax(utilities[candidates])])
    latest = view.last_received
    if latest is None:
        return int(candidates[np.argmin(utilities[candidates])])
    distances = distance_to(view.space, latest.outcome, candidates)
    order = np.lexsort((-utilities[candidates], distances))
    return int(candidates[order[0]])


def _offer_from_ranking(view: PartyView, ranking: _Ranking, target: float) -> int:
    """:func:`offer_for_target` on a cached ranking: same choice, without scanning the space.

    The candidates are the first ``count`` outcomes of ``best_first``; the first nearest one
    there is the nearest, then best, then lowest-index candidate: the scan's lexicographic rule.
    """
    order = ranking.order
    if len(order) == 0:
        return int(np.argmax(view.utilities))
    count = bisect_right(ranking.negated_best_first, -(target - 1e-12))
    if count == 0:
        return int(ranking.best_first[0])
    latest = view.last_received
    if latest is None:
        return int(order[len(order) - count])
    if view.space.size > FULL_DISTANCE_LIMIT:
        candidates = ranking.best_first[:count]
        return int(candidates[np.argmin(distance_to(view.space, latest.outcome, candidates))])
    distances = _aligned_distances(view.space, ranking, latest.outcome)
    return int(ranking.best_first[distances[:count].argmin()])


def _aligned_distances(space: OutcomeSpace, ranking: _Ranking, outcome: int) -> np.ndarray:
    """Distances from ``outcome`` to the ranking's outcomes, best first; cached per offer."""
    key = (id(ranking), outcome)
    found = _ALIGNED.get(key)
    if found is not None and found[0] is ranking:
        return found[1]
    aligned = _distances_from(space, outcome)[ranking.best_first]
    _remember(_ALIGNED, key, (ranking, aligned))
    return aligned


def acceptable_at(view: PartyView, offer: int, threshold: float) -> bool:
    """The offer is allowed by red lines, worth the reservation value and at least ``threshold``."""
    value = view.utility_of(offer)
    return bool(view.acceptable[offer]) and value >= threshold - 1e-12
