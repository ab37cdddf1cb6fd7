"""Equilibrium play: backward induction over a discrete outcome space and a finite horizon.

Alternating offers, two sides, ``rounds`` proposals at most. After each rejection the talks
break down with probability ``breakdown`` (each side then gets its walk-away value) and
otherwise go on to the next round, where every utility counts ``discount`` times less. Solving
from the last round back gives the subgame-perfect path: in each round the responder accepts
exactly the outcomes worth at least what rejecting is worth to it, and the proposer offers the
best of those for itself, unless rejection is worth more to it still. With a unit pie split on
a fine grid and a long horizon this reproduces the closed forms: the first proposer's share
tends to 1/(2-p) with breakdown p and no discounting (Binmore, Rubinstein and Wolinsky 1986),
and to (1-d2)/(1-d1*d2) with discount factors d1, d2 (Rubinstein 1982).

:class:`Equilibrium` is the registered strategy. A party sees only its own preferences, so it
solves the game it can know: against a side whose gain is its own loss (exact for a pie to
split) and whose walk-away value is unknown (taken as zero), over the rounds it expects are
left. Its offers are the first step of that path; it accepts what beats its value of rejecting.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backchannel.agents.base import Strategy
from backchannel.agents.registry import register
from backchannel.agents.views import PartyView

DEFAULT_ROUNDS = 60


@dataclass(frozen=True)
class Path:
    """The subgame-perfect path: ``offers[t]`` is the outcome proposed in round ``t`` (the
    proposer alternates from ``first``), ``accepted[t]`` whether it is accepted, and
    ``values[t]`` what the game from round ``t`` on is worth to each side (``values[rounds]``
    is the walk-away value)."""

    offers: np.ndarray
    accepted: np.ndarray
    values: np.ndarray

    @property
    def outcome(self) -> int | None:
        """The outcome agreed in the first round, if equilibrium play agrees at once."""
        return int(self.offers[0]) if self.accepted[0] else None


def backward_induction(
    utilities: np.ndarray,
    reservations: np.ndarray,
    rounds: int,
    first: int = 0,
    breakdown: float = 0.0,
    discounts: tuple[float, float] = (1.0, 1.0),
    offerable: np.ndarray | None = None,
    collapse_values: np.ndarray | None = None,
) -> Path:
    """Solve alternating offers over ``utilities`` (shape ``(outcomes, 2)``) by backward
    induction; ``offerable`` masks the outcomes a proposer may offer (red lines).

    After a rejection the talks collapse with chance ``breakdown``, paying ``collapse_values``
    (a scenario's declared breakdown payoffs; the walk-away values when not given); a
    rejection in the last round ends the talks at the deadline, on the walk-away values.
    """
    utilities = np.asarray(utilities, dtype=float)
    reservations = np.asarray(reservations, dtype=float)
    collapsed = reservations if collapse_values is None else np.asarray(collapse_values, float)
    allowed = np.ones(len(utilities), bool) if offerable is None else np.asarray(offerable)
    discount = np.asarray(discounts, dtype=float)
    values = np.empty((rounds + 1, 2))
    values[rounds] = reservations
    offers = np.full(rounds, -1, dtype=np.int64)
    accepted = np.zeros(rounds, dtype=bool)
    for t in range(rounds - 1, -1, -1):
        proposer = (first + t) % 2
        responder = 1 - proposer
        # After a rejection: breakdown to walk-away values, or the next round, discounted.
        later = reservations if t == rounds - 1 else discount * values[t + 1]
        rejected = breakdown * collapsed + (1.0 - breakdown) * later
        if t == rounds - 1:
            rejected = reservations.copy()
        acceptable = allowed & (utilities[:, responder] >= rejected[responder] - 1e-12)
        if acceptable.any():
            own = np.where(acceptable, utilities[:, proposer], -np.inf)
            best = own.max()
            tied = np.flatnonzero(own >= best - 1e-12)
            choice = int(tied[np.argmax(utilities[tied, responder])])
            if utilities[choice, proposer] >= rejected[proposer] - 1e-12:
                offers[t], accepted[t] = choice, True
                values[t] = utilities[choice]
                continue
            offers[t] = choice
        values[t] = rejected
    return Path(offers, accepted, values)


def pie_grid(steps: int) -> np.ndarray:
    """A unit pie split on ``steps`` + 1 points: column 0 is the first side's share."""
    share = np.linspace(0.0, 1.0, steps + 1)
    return np.stack([share, 1.0 - share], axis=1)


@register(
    "equilibrium",
    "backward induction over the offers and the rounds left, against a strictly opposed side",
)
class Equilibrium(Strategy):
    """Plays the subgame-perfect path of the game it can know (see the module notes)."""

    name = "equilibrium"

    def __init__(self, rng: np.random.Generator | None = None, breakdown: float = 0.0) -> None:
        super().__init__(rng)
        self.breakdown = breakdown
        self._solved: dict[tuple[float, int], tuple[Path, Path]] = {}

    def _step(self, view: PartyView, proposing: bool) -> tuple[Path, int]:
        """The path (solved once per walk-away value) and the round of it that is now."""
        own = np.asarray(view.utilities, dtype=float)
        horizon = max(DEFAULT_ROUNDS, _rounds_left(view) + 1)
        key = (view.reservation, horizon)
        if key not in self._solved:
            offerable = view.allowed if view.allowed is not None else np.ones(len(own), bool)
            game = np.stack([own, 1.0 - own], axis=1)
            walk_away = np.array([view.reservation, 0.0])
            self._solved[key] = tuple(  # type: ignore[assignment]
                backward_induction(
                    game, walk_away, horizon, first, self.breakdown, (1.0, 1.0), offerable
                )
                for first in (0, 1)
            )
        now = horizon - max(1, min(_rounds_left(view), horizon))
        mine = 0 if proposing else 1  # who proposes now: this side (0) or the other (1)
        first = (mine + now) % 2  # the path in which that side proposes in round ``now``
        return self._solved[key][first], now

    def propose(self, view: PartyView) -> int:
        path, now = self._step(view, proposing=True)
        if path.offers[now] >= 0 and view.acceptable[path.offers[now]]:
            return int(path.offers[now])
        own = np.asarray(view.utilities, dtype=float)
        return int(np.argmax(np.where(view.acceptable, own, -np.inf)))

    def respond(self, view: PartyView, offer: int) -> bool:
        if not view.acceptable[offer]:
            return False
        path, now = self._step(view, proposing=False)
        later = path.values[now + 1][0] if now + 1 < len(path.values) else view.reservation
        worth = self.breakdown * view.reservation + (1.0 - self.breakdown) * later
        return bool(view.utilities[offer] >= max(worth, view.reservation) - 1e-12)


def _rounds_left(view: PartyView) -> int:
    """Rounds left, estimated from the round number and the share of the time used."""
    if view.relative_time <= 0.0 or view.round <= 0:
        return DEFAULT_ROUNDS
    total = view.round / view.relative_time
    return round(total * (1.0 - view.relative_time))
