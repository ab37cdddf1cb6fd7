"""``offer_for_target`` for runs whose utilities differ (drawn weights), all runs at once.

:class:`~backchannel.experiments.batch.offers.OfferTable` sorts one utility vector shared by
every run; when every run draws its own weights that sort would be paid run by run. Here the
question is turned around. The answer for a target is the outcome nearest the other side's
latest offer ``o`` among the allowed outcomes worth at least ``max(reservation, target - tol)``,
ties toward the higher utility, then the lower index. Distances are whole numbers
(``agents.distances``), so for each distance ``d`` let ``M_d`` be the best utility at exactly
distance ``d`` from ``o``: the answer is the best outcome at the smallest ``d`` whose ``M_d``
meets the threshold.

For a linear-additive utility both the utility and the distance are sums over issues, so
``M_d`` for every ``d`` is a dynamic programme over the issues, in issue order (the order
``LinearAdditiveUtility.over_space`` adds them, so each value is bit-for-bit the step engine's
utility of a real outcome): a few small arrays per issue instead of one pass over the space,
computed once per run and offer received, for all runs at once. Ties are kept exact: among
prefixes of equal value the lowest index wins (their completions are the same numbers); where a
different prefix of a *lower* value could round to the same total (detected by carrying the
runner-up value), that one query is answered by a scan of the run's outcomes instead.
"""

from __future__ import annotations

import numpy as np

from backchannel.agents.distances import distance_to, distance_units
from backchannel.experiments.additive import at_least_runs
from backchannel.space.issues import NumericIssue
from backchannel.space.outcomes import OutcomeSpace
from backchannel.space.utility import LinearAdditiveUtility

TOLERANCE = 1e-12  # the slack components.offer_for_target allows below a target
MAX_LEVELS = 4096  # distances beyond this many whole units: answer by scanning instead


class RunsOfferTable:
    """One party's offer choice over runs that each have their own utility vector.

    ``utilities`` are the runs' utility functions (linear-additive over the same value tables
    and red lines, which ``allowed`` is the mask of). Where the distances allow the dynamic
    programme nothing of the size of the space is kept per run: values, best outcomes and
    answers come from the per-issue tables; otherwise ``matrix`` holds every run's utilities.
    Runs leave with :meth:`keep`, as they leave a seat.
    """

    def __init__(
        self,
        space: OutcomeSpace,
        allowed: np.ndarray,
        utilities: list[LinearAdditiveUtility],
        matrix: np.ndarray | None = None,
        rows: list[np.ndarray | None] | None = None,
    ) -> None:
        self.space = space
        self.allowed = allowed
        self.functions = utilities
        self.known_rows = rows or [None] * len(utilities)  # rows already computed elsewhere
        runs = len(utilities)
        self.levels = _Levels.of(space, utilities, allowed)
        self.matrix = matrix
        if self.levels is None and matrix is None:
            self.matrix = np.stack([u.over_space(space) for u in utilities])
        everyone = np.arange(runs)
        self.best_index, self.max_allowed = self._best(everyone, only_allowed=True)
        self.global_argmax, _ = self._best(everyone, only_allowed=False)
        self.rows = everyone
        self._latest = np.full(runs, -1, dtype=np.int64)  # offer the levels below belong to
        self._best_so_far = np.empty((runs, 0))  # running maximum of M_d over d
        self._index = np.empty((runs, 0), dtype=np.int64)
        self._unsure = np.empty((runs, 0), dtype=bool)

    # -- what a seat asks -------------------------------------------------------------------
    def value(self, outcome: np.ndarray) -> np.ndarray:
        """Each live run's utility of its ``outcome``."""
        return self.utility_at(self.rows, outcome)

    def utility_at(self, runs: np.ndarray, outcomes: np.ndarray) -> np.ndarray:
        """Utilities of ``outcomes`` in the given runs (numbered as at construction)."""
        if self.matrix is not None:
            return self.matrix[runs, outcomes]
        assert self.levels is not None
        return self.levels.values(runs, outcomes)

    def best_utility(self, reservation: np.ndarray) -> np.ndarray:
        """``PartyView.best_utility`` per live run: the best acceptable utility, or 0."""
        best = self.max_allowed[self.rows]
        return np.where(best >= reservation, best, 0.0)

    def keep(self, mask: np.ndarray) -> None:
        self.rows = self.rows[mask]
        self._latest = self._latest[mask]
        self._best_so_far = self._best_so_far[mask]
        self._index, self._unsure = self._index[mask], self._unsure[mask]

    def offer(self, target: np.ndarray, reservation: np.ndarray, latest: np.ndarray) -> np.ndarray:
        """The offer per live run; ``latest`` is the last offer received, or -1 if none yet."""
        rows = self.rows
        threshold = np.maximum(reservation, target - TOLERANCE)
        acceptable = self.max_allowed[rows] >= reservation
        result = np.where(acceptable, self.best_index[rows], self.global_argmax[rows])
        meets = acceptable & (self.max_allowed[rows] >= threshold)
        opening = np.flatnonzero(meets & (latest < 0))
        if len(opening):  # once a run: the least good enough, the lowest index among equals
            result[opening] = self._least_at_least(rows[opening], threshold[opening])
        reply = np.flatnonzero(meets & (latest >= 0))
        if len(reply):
            result[reply] = self._nearest(reply, latest[reply], threshold[reply])
        return result

    # -- the nearest outcome meeting a threshold ---------------------------------------------
    def _row(self, run: int) -> np.ndarray:
        """One run's utilities of every outcome, as the scenario computes them."""
        if self.matrix is not None:
            return self.matrix[run]
        known = self.known_rows[run]
        return known if known is not None else self.functions[run].over_space(self.space)

    def _least_at_least(self, runs: np.ndarray, threshold: np.ndarray) -> np.ndarray:
        """Per run, the allowed outcome of least utility at least its ``threshold`` (lowest
        index among equals). With the per-issue tables, only the outcomes that may reach the
        threshold are built, for all the runs at once (``experiments.additive``)."""
        fast = self.levels is not None and all(self.known_rows[r] is None for r in runs.tolist())
        if not fast:
            return np.array(
                [
                    self._least_of_row(int(r), float(t))
                    for r, t in zip(runs, threshold, strict=True)
                ],
                dtype=np.int64,
            )
        assert self.levels is not None
        parts = [table[runs] for table in self.levels.weighted]
        masks = [~mask for mask in self.levels.forbidden_masks]
        found, index, (values,) = at_least_runs(self.space, [parts], threshold[:, None], masks)
        fits = values >= threshold[found]
        found, index, values = found[fits], index[fits], values[fits]
        order = np.lexsort((index, values, found))  # per run: least value, then lowest index
        first = np.ones(len(order), dtype=bool)
        first[1:] = found[order][1:] != found[order][:-1]
        answer = np.empty(len(runs), dtype=np.int64)
        answer[found[order][first]] = index[order][first]
        return answer

    def _least_of_row(self, run: int, threshold: float) -> int:
        values = self._row(run)
        fits = np.where(self.allowed & (values >= threshold), values, np.inf)
        return int(fits.argmin())

    def _best(self, runs: np.ndarray, only_allowed: bool) -> tuple[np.ndarray, np.ndarray]:
        """Per run the best outcome (the lowest index among equals) and its utility; -inf
        when nothing is allowed."""
        if self.matrix is None:
            assert self.levels is not None
            value, index, unsure = self.levels.best(runs, only_allowed)
            for k in np.flatnonzero(unsure):
                index[k], value[k] = self._best_of_row(int(runs[k]), only_allowed)
            return index, value
        pairs = [self._best_of_row(int(run), only_allowed) for run in runs]
        return (
            np.array([i for i, _ in pairs], dtype=np.int64),
            np.array([v for _, v in pairs], dtype=float),
        )

    def _best_of_row(self, run: int, only_allowed: bool) -> tuple[int, float]:
        values = self._row(run)
        if only_allowed:
            values = np.where(self.allowed, values, -np.inf)
        index = int(values.argmax())
        return index, float(values[index])

    def _nearest(self, live: np.ndarray, latest: np.ndarray, threshold: np.ndarray) -> np.ndarray:
        if self.levels is None:
            return np.array(
                [self._scan(int(self.rows[k]), int(o), float(t)) for k, o, t in
                 zip(live, latest, threshold, strict=True)],
                dtype=np.int64,
            )  # fmt: skip
        changed = self._latest[live] != latest
        if changed.any():
            self._refresh(live[changed], latest[changed])
        found = self._best_so_far[live] >= threshold[:, None]
        level = found.argmax(axis=1)  # the first distance whose best meets the threshold
        answer = self._index[live, level]
        for k in np.flatnonzero(self._unsure[live, level]):
            answer[k] = self._scan(int(self.rows[live[k]]), int(latest[k]), float(threshold[k]))
        return answer

    def _refresh(self, live: np.ndarray, latest: np.ndarray) -> None:
        assert self.levels is not None
        value, index, unsure = self.levels.solve(self.rows[live], latest)
        if self._index.shape[1] != value.shape[1]:
            width = value.shape[1]
            self._best_so_far = np.full((len(self.rows), width), -np.inf)
            self._index = np.zeros((len(self.rows), width), dtype=np.int64)
            self._unsure = np.zeros((len(self.rows), width), dtype=bool)
        self._best_so_far[live] = np.maximum.accumulate(value, axis=1)
        self._index[live] = index
        self._unsure[live] = unsure
        self._latest[live] = latest

    def _scan(self, run: int, latest: int, threshold: float) -> int:
        """The same answer by looking at every outcome of the run (rare, or huge distances)."""
        values = self._row(run)
        candidates = np.flatnonzero(self.allowed & (values >= threshold))
        distances = distance_to(self.space, latest, candidates)
        order = np.lexsort((-values[candidates], distances))  # stable: lower index last
        return int(candidates[order[0]])


class _Levels:
    """The dynamic programme of the module docstring for one party's utility tables."""

    def __init__(
        self,
        space: OutcomeSpace,
        weighted: list[np.ndarray],
        options: list[np.ndarray],
        units: tuple[int, ...],
    ) -> None:
        self.space = space
        self.weighted = weighted  # per issue, (runs, options): w * v as the utility holds it
        self.options = options  # per issue, the options no red line forbids
        self.units = units
        self.numeric = [isinstance(issue, NumericIssue) for issue in space.issues]
        self.all_parts = weighted
        self.forbidden_masks = [
            ~np.isin(np.arange(issue.size), allowed_options)
            for issue, allowed_options in zip(space.issues, options, strict=True)
        ]
        self.spans = [
            ((issue.size - 1) * unit if numeric else unit)
            for issue, unit, numeric in zip(space.issues, units, self.numeric, strict=True)
        ]
        self.width = sum(self.spans) + 1

    @classmethod
    def of(
        cls, space: OutcomeSpace, utilities: list[LinearAdditiveUtility], allowed: np.ndarray
    ) -> _Levels | None:
        units = distance_units(space)
        if (
            units is None
            or sum(
                (issue.size - 1) * u if isinstance(issue, NumericIssue) else u
                for issue, u in zip(space.issues, units, strict=True)
            )
            >= MAX_LEVELS
        ):
            return None
        first = utilities[0]
        if any(
            type(u) is not LinearAdditiveUtility
            or u.tables is not first.tables
            or u.forbidden is not first.forbidden
            for u in utilities
        ):
            return None
        weights = np.array([np.asarray(u.weights, dtype=float) for u in utilities])
        weighted = [
            weights[:, k, None] * np.asarray(table, dtype=float)[None, :]
            for k, table in enumerate(first.tables)
        ]
        options = [np.flatnonzero(~np.asarray(mask, dtype=bool)) for mask in first.forbidden]
        if any(len(o) == 0 for o in options):
            return None  # nothing is allowed: the scan's answers are immediate
        if not np.array_equal(first.allowed_over_space(space), allowed):
            return None
        return cls(space, weighted, options, units)

    def values(self, runs: np.ndarray, outcomes: np.ndarray) -> np.ndarray:
        """Utilities of single outcomes, added issue by issue as ``over_space`` adds them."""
        positions = self.space.positions(outcomes)
        total = np.zeros(len(outcomes))
        for k, table in enumerate(self.weighted):
            total = total + table[runs, positions[:, k]]
        return total

    def best(self, runs: np.ndarray, only_allowed: bool) -> tuple[np.ndarray, ...]:
        """Per run the best value over the (allowed, or all) outcomes, its lowest index, and
        whether that index is uncertain (then look at the run's whole row)."""
        value, index, unsure = self.solve(runs, None, only_allowed)
        return value[:, 0], index[:, 0], unsure[:, 0]

    def solve(
        self, runs: np.ndarray, latest: np.ndarray | None, only_allowed: bool = True
    ) -> tuple[np.ndarray, ...]:
        """Per run and distance ``d`` from ``latest``: the best value ``M_d``, its lowest
        index, and whether another prefix came so close to it that rounding could make the
        two equal (then that answer is looked up by a scan). With no ``latest``, every
        outcome counts as distance 0."""
        count = len(runs)
        value = np.zeros((count, 1))
        index = np.zeros((count, 1), dtype=np.int64)
        doubt = np.zeros((count, 1), dtype=bool)
        here = self.space.positions(latest) if latest is not None else None
        for k, issue in enumerate(self.space.issues):
            parts = self.weighted[k][runs]
            if not only_allowed:
                parts = self.all_parts[k][runs]
            elif len(self.options[k]) < issue.size:
                parts = np.where(self.forbidden_masks[k][None, :], -np.inf, parts)
            span = 0 if here is None else self.spans[k]
            width = value.shape[1]
            state = (
                np.full((count, width + span), -np.inf),
                np.zeros((count, width + span), dtype=np.int64),
                np.zeros((count, width + span), dtype=bool),
            )
            previous = (value, index, doubt, issue.size)
            none = np.zeros(count, dtype=bool)

            def offer(shift: int, part: np.ndarray, option: np.ndarray, part_doubt) -> None:
                _extend(state, previous, shift, part, option, part_doubt)  # noqa: B023

            if here is None:  # every option at distance 0: the best part of each issue
                offer(0, *_top(parts, np.zeros((count, issue.size), dtype=bool)))
            elif self.numeric[k]:  # options h - step and h + step are step units away
                for step in range(issue.size):
                    offer(step * self.units[k], *_either_side(parts, here[:, k], step))
            else:  # named options: the same one, or any other at one unit
                same = here[:, k]
                offer(0, parts[np.arange(count), same], same, none)
                others = np.arange(issue.size)[None, :] == same[:, None]
                offer(self.units[k], *_top(parts, others))
            value, index, doubt = state
        return value, index, doubt


def _extend(
    state: tuple[np.ndarray, ...],
    previous: tuple[np.ndarray, np.ndarray, np.ndarray, int],
    shift: int,
    part: np.ndarray,
    option: np.ndarray,
    part_doubt: np.ndarray,
) -> None:
    """Every prefix of ``previous`` extended by one option per run, ``shift`` units further."""
    value, index, doubt, size = previous
    region = (slice(None), slice(shift, shift + value.shape[1]))
    candidate = value + part[:, None]
    prefix = index * size + option[:, None]
    _merge(*state, region, candidate, prefix, doubt | part_doubt[:, None])


def _either_side(
    parts: np.ndarray, here: np.ndarray, step: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row the better of the options ``step`` below and above ``here`` (the lower one
    when their parts are equal, as the lower index wins a tie), and whether the two parts
    differ by so little that sums could round them together (then the answer is scanned).
    Both lie at the same distance and extend the same prefixes, so only the better can win."""
    rows = np.arange(len(parts))
    size = parts.shape[1]

    def side(option: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        inside = (option >= 0) & (option < size)
        option = np.where(inside, option, 0)
        return np.where(inside, parts[rows, option], -np.inf), option

    low, low_option = side(here - step)
    if step == 0:
        return low, low_option, np.zeros(len(parts), dtype=bool)
    high, high_option = side(here + step)
    higher = high > low
    top = np.where(higher, high, low)
    with np.errstate(invalid="ignore"):  # both outside: -inf - -inf
        gap = np.abs(high - low)
    near = (gap > 0) & (gap <= PAIR_NEAR * np.maximum(1.0, np.abs(top)))
    return top, np.where(higher, high_option, low_option), near


def _top(parts: np.ndarray, excluded: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row the best part outside ``excluded``, its option (the lowest among equals), and
    whether a different part lies within ``NEAR`` of it (sums could then round together)."""
    parts = np.where(excluded, -np.inf, parts)
    option = parts.argmax(axis=1)
    top = parts[np.arange(len(parts)), option]
    with np.errstate(invalid="ignore"):
        gap = top[:, None] - parts
    near = ((gap > 0) & (gap <= NEAR * np.maximum(1.0, np.abs(top))[:, None])).any(axis=1)
    return top, option, near


NEAR = 1e-13  # two different values this close may round to one total further on
PAIR_NEAR = 4 * NEAR  # the same for two parts of one issue (their sums carry more)


def _merge(
    best: np.ndarray,
    index: np.ndarray,
    doubt: np.ndarray,
    region: tuple,
    value: np.ndarray,
    prefix: np.ndarray,
    value_doubt: np.ndarray,
) -> None:
    """Offer candidates ``value`` (with their index prefixes) to the states in ``region``:
    the higher value wins, equal values keep the lower prefix, and a loser within ``NEAR``
    of the winner (not equal to it) marks the state as doubtful."""
    old, old_index, old_doubt = best[region], index[region], doubt[region]  # views
    with np.errstate(invalid="ignore"):  # -inf - -inf: a state nothing reaches
        gap = np.abs(value - old)
    near = (gap <= NEAR * np.maximum(1.0, np.abs(old))) & (gap > 0) & (old > -np.inf)
    equal = value == old
    wins = (value > old) | (equal & (prefix < old_index))
    tied = equal & (value_doubt | old_doubt)
    np.copyto(old, value, where=wins)
    np.copyto(old_index, prefix, where=wins)
    np.copyto(old_doubt, np.broadcast_to(value_doubt, old_doubt.shape), where=wins)
    old_doubt |= near | tied
