"""The arithmetic that strategies share: the aspiration curve, the demand for a share of the
gain, the offer nearest the other side's, the acceptance test. The components
(``agents.concession``, ``agents.acceptance``, ``agents.offer_choice``) are built on these, and
a hand-written strategy may call them directly."""

from __future__ import annotations

import numpy as np

from backchannel.agents.distances import distance_to
from backchannel.agents.ranking import TOLERANCE, ranking_of
from backchannel.agents.views import PartyView


def aspiration(relative_time: float, exponent: float) -> float:
    """Share of the possible gain still demanded at time ``t`` in [0, 1]: ``1 - t**e``.

    ``e > 1`` concedes late (Boulware), ``e = 1`` linearly, ``e < 1`` early (conceder); the
    polynomial aspiration of Faratin, Sierra and Jennings (1998).
    """
    t = 0.0 if relative_time < 0.0 else 1.0 if relative_time > 1.0 else relative_time
    return 1.0 - t**exponent


def best_utility(view: PartyView) -> float:
    """This party's best acceptable utility (``PartyView.best_utility``), from its ranking when
    it has one rather than by a scan of the space."""
    ranking = ranking_of(view)
    return view.best_utility if ranking is None else ranking.best


def target_utility(view: PartyView, share: float) -> float:
    """Utility demanded when keeping ``share`` of the gain between reservation and best."""
    floor = view.reservation
    return floor + (best_utility(view) - floor) * share


def offer_for_target(view: PartyView, target: float) -> int:
    """An acceptable outcome worth at least ``target`` to this party.

    With no offer received yet it takes the one nearest the target from above; afterwards the
    one most like the other side's latest offer (a one-step opponent model), breaking ties
    toward its own utility, then toward the lower index, so concessions move toward the other
    side rather than sideways. When nothing acceptable meets the target, its best acceptable
    outcome. A ranking (``agents.ranking``) answers the same without scanning the space.
    """
    received = view.received
    latest = received[-1].outcome if received else None
    ranking = ranking_of(view)
    if ranking is not None:
        return ranking.offer(target, latest)
    utilities = view.utilities
    candidates = np.flatnonzero(view.acceptable & (utilities >= target - TOLERANCE))
    if len(candidates) == 0:
        candidates = np.flatnonzero(view.acceptable)
        if len(candidates) == 0:
            return int(np.argmax(utilities))
        return int(candidates[np.argmax(utilities[candidates])])
    if latest is None:
        return int(candidates[np.argmin(utilities[candidates])])
    distances = distance_to(view.space, latest, candidates)
    order = np.lexsort((-utilities[candidates], distances))
    return int(candidates[order[0]])


def acceptable_at(view: PartyView, offer: int, threshold: float) -> bool:
    """The offer is allowed by red lines, worth the reservation value and at least ``threshold``."""
    return bool(view.acceptable[offer]) and float(view.utilities[offer]) >= threshold - TOLERANCE
