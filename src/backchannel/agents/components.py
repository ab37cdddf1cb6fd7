"""Parts that strategies are built from: concession curves, offer choice, acceptance rules."""

from __future__ import annotations

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
    return floor + (view.best_utility - floor) * share


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


def acceptable_at(view: PartyView, offer: int, threshold: float) -> bool:
    """The offer is allowed by red lines, worth the reservation value and at least ``threshold``."""
    value = view.utility_of(offer)
    return bool(view.acceptable[offer]) and value >= threshold - 1e-12
