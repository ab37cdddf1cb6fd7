"""A party's acceptable outcomes ranked by its own utility, built once and shared by every run.

Strategies ask two questions many times a negotiation: what is my best outcome, and which
acceptable outcome worth at least ``target`` is nearest the other side's latest offer? A scan
of the outcome space answers both; a ranking answers them with a binary search and a lookup.
Rankings are built only over read-only arrays (a seat's, see ``Scenario.own_arrays``), whose
contents cannot change, and found again by the identity of those arrays.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import OrderedDict

import numpy as np

from backchannel.agents.distances import (
    distance_from_tables,
    distance_tables,
    distance_to,
    half_distances,
    half_split,
    issue_positions,
    tables_fit,
)
from backchannel.agents.views import PartyView

TOLERANCE = 1e-12  # an outcome this close below the target still meets it
RANKINGS_KEPT = 32
BYTES_KEPT = 256 * 2**20  # and no more than this, about, over all of them
LIST_LIMIT = 100_000  # up to this many, Python lists (fastest to search); beyond, arrays
FULL_DISTANCE_LIMIT = 250_000  # beyond this, distances only to the candidates of each query


class Ranking:
    """Acceptable outcomes from best to worst, ties by index.

    The outcomes worth at least a target are a prefix of the best-first order; with distances
    lined up in that order, the first nearest outcome of the prefix is the nearest, then the
    best for this party, then the lowest-index candidate.
    """

    def __init__(self, view: PartyView) -> None:
        utilities, acceptable, space = view.utilities, view.acceptable, view.space
        self.utilities, self.acceptable, self.space = utilities, acceptable, space
        self.probe = probe_of(utilities)
        best_first = derived_order(utilities, acceptable, self.probe)
        if best_first is None:
            rows = np.flatnonzero(acceptable)
            best_first = rows[best_first_order(utilities[rows])]  # ties: lower index first
        negated = -utilities[best_first]  # ascending
        self.size = len(best_first)
        self.best_first_array = best_first
        self.best_first: list[int] | np.ndarray = best_first
        self.negated: list[float] | np.ndarray = negated
        if self.size <= LIST_LIMIT:
            self.best_first, self.negated = best_first.tolist(), negated.tolist()
        self.best = float(utilities[best_first[0]]) if self.size else 0.0
        self._tables: tuple[np.ndarray, ...] | None = None
        self._tables_fit = tables_fit(space, self.size)
        # what it holds: two arrays, two lists (an entry and a number each); tables once built
        self.footprint = self.size * (16 + (80 if self.size <= LIST_LIMIT else 0))
        self._latest: tuple[int, np.ndarray] | None = None
        self._cut: int | None = None  # where halves cut the issues (found with the halves)
        self._cut_sought = False
        self._halves: tuple[np.ndarray, np.ndarray] | None = None
        self._positions: np.ndarray | None = None

    @property
    def positions(self) -> np.ndarray:
        """Every outcome's per-issue positions (the space's, shared; built on first use, then
        held: finding them again hashes the space, on every new offer's path)."""
        if self._positions is None:
            self._positions = issue_positions(self.space)
        return self._positions

    @property
    def halves(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Each ranked outcome, best first, as a combination of the first half of the issues
        and one of the second (see :func:`half_distances`); None when distances are not whole
        numbers. Built on the first question about distances, like the tables."""
        if self._halves is None and not self._cut_sought:
            self._cut, self._cut_sought = half_split(self.space), True
        if self._halves is None and self._cut is not None:
            rest = math.prod(self.space.shape[self._cut :])
            first, second = np.divmod(self.best_first_array.astype(np.intp), rest)
            self._halves = (first, second)
            self.footprint += first.nbytes + second.nbytes
        return self._halves

    @property
    def tables(self) -> tuple[np.ndarray, ...] | None:
        """Per issue, each ranked outcome's distance part by position (built on the first
        question about distances: many runs never ask one, e.g. a mediator's drafts)."""
        if self._tables is None and self._tables_fit:
            self._tables = distance_tables(self.space, self.best_first_array)
            self.footprint += sum(table.nbytes for table in self._tables)
        return self._tables

    def count_meeting(self, target: float) -> int:
        """How many acceptable outcomes are worth at least ``target``."""
        return _position(self.negated, -(target - TOLERANCE), "right")

    def offer(self, target: float, latest: int | None) -> int:
        """The outcome :func:`backchannel.agents.components.offer_for_target` describes."""
        if not self.size:
            return int(np.argmax(self.utilities))
        negated = self.negated
        if type(negated) is list:  # count_meeting without its two calls: a hot path
            count = bisect_right(negated, -(target - TOLERANCE))
        else:
            count = self.count_meeting(target)
        if count <= 1:
            return int(self.best_first[0])
        if latest is None:  # the least good enough; the lowest index among equals
            return int(self.best_first[_position(negated, negated[count - 1], "left")])
        distances = self._distances_from(latest, count)
        if distances is None:
            candidates = self.best_first_array[:count]
            return int(candidates[distance_to(self.space, latest, candidates).argmin()])
        return int(self.best_first[int(distances[:count].argmin())])

    def _distances_from(self, latest: int, count: int) -> np.ndarray | None:
        """Distances from ``latest`` to at least the first ``count`` ranked outcomes, best
        first (the last ones kept: an answer and the next proposal look at the same offer);
        None for huge spaces whose distances are not whole numbers."""
        kept = self._latest
        if kept is not None and kept[0] == latest and len(kept[1]) >= count:
            return kept[1]
        tables = self.tables
        halves = None if tables is not None else self.halves
        if tables is not None:
            distances = distance_from_tables(tables, self.positions[latest])
        elif halves is not None and self._cut is not None:
            first, second = half_distances(self.space, latest, self._cut)
            distances = first[halves[0][:count]] + second[halves[1][:count]]
        elif self.space.size <= FULL_DISTANCE_LIMIT:
            distances = distance_to(self.space, latest, self.best_first_array)
        else:
            return None
        self._latest = (latest, distances)
        return distances


def best_first_order(values: np.ndarray) -> np.ndarray:
    """``np.argsort(-values, kind="stable")``, about twice as fast: an unstable sort, then a
    stable sort of only the entries whose value occurs more than once (each run of equal
    values is contiguous, so sorting those entries by value and position keeps every run in
    its own place and puts it in position order); the plain stable sort when ties abound."""
    order = np.argsort(-values)
    ranked = values[order]
    tied = np.zeros(len(order), dtype=bool)
    if len(order) > 1:
        equal = ranked[1:] == ranked[:-1]
        tied[1:] |= equal
        tied[:-1] |= equal
    if tied.sum() > len(order) // 8:  # many ties: the stable sort is the cheaper
        return np.argsort(-values, kind="stable")
    if tied.any():
        places = np.flatnonzero(tied)
        members = order[places]
        order[places] = members[np.lexsort((members, -ranked[places]))]
    return order


def probe_of(utilities: np.ndarray) -> tuple[object, ...]:
    """A cheap fingerprint of a utility array: rankings over arrays with different ones cannot
    share an order, and only those with the same one are compared in full."""
    size = len(utilities)
    if size == 0:
        return (0,)
    return (size, float(utilities[0]), float(utilities[size // 2]), float(utilities[-1]))


def derived_order(
    utilities: np.ndarray, acceptable: np.ndarray, probe: tuple[object, ...]
) -> np.ndarray | None:
    """The best-first order of the ``acceptable`` outcomes taken from a kept ranking over equal
    utilities whose acceptable outcomes include them, or None.

    A timeline that moves a walk-away value gives a party new arrays with the same utilities
    and fewer (or the same) acceptable outcomes; every version of a ``whatif`` sweep does the
    same. Keeping only the acceptable entries of that ranking's order keeps them best first,
    ties by index: a pass over the outcomes instead of a sort (a sweep of the 2026 flagship
    sorted 92 times, 8 of its 19 seconds)."""
    for kept in reversed(_RANKINGS.values()):
        if kept.probe != probe or len(kept.acceptable) != len(acceptable):
            continue
        if kept.utilities is not utilities and not np.array_equal(kept.utilities, utilities):
            continue
        if np.any(acceptable & ~kept.acceptable):
            continue
        order = kept.best_first_array
        return order[acceptable[order]]
    return None


def _position(ascending: list[float] | np.ndarray, value: float, side: str) -> int:
    """Where ``value`` goes in ``ascending`` (``bisect`` on a list, ``searchsorted`` else)."""
    if isinstance(ascending, list):
        return (bisect_left if side == "left" else bisect_right)(ascending, value)
    return int(np.searchsorted(ascending, value, side=side))  # type: ignore[call-overload]


_RANKINGS: OrderedDict[int, Ranking] = OrderedDict()
# The last view asked about and its ranking, as one tuple (replaced whole, never half-set): a
# strategy asks twice per decision about the same view (its demand, then its offer).
_LAST_ASKED: list[tuple[PartyView, Ranking]] = []


def ranking_of(view: PartyView) -> Ranking | None:
    """The view's ranking (built on first use); None when its arrays could still change."""
    if _LAST_ASKED:
        asked, answer = _LAST_ASKED[-1]
        if asked is view:
            return answer
    acceptable = view.acceptable
    found = _RANKINGS.get(id(acceptable))
    if (
        found is not None
        and found.acceptable is acceptable
        and found.utilities is view.utilities
        and found.space is view.space
    ):
        _LAST_ASKED[:] = [(view, found)]
        return found
    if view.utilities.flags.writeable or acceptable.flags.writeable:
        return None
    ranking = Ranking(view)
    _LAST_ASKED[:] = [(view, ranking)]
    _RANKINGS[id(acceptable)] = ranking
    total = sum(kept.footprint for kept in _RANKINGS.values())
    while len(_RANKINGS) > 1 and (len(_RANKINGS) > RANKINGS_KEPT or total > BYTES_KEPT):
        total -= _RANKINGS.popitem(last=False)[1].footprint
    return ranking
