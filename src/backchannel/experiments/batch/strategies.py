"""The built-in strategies restated over arrays of runs (one value per run, all runs at once).

Each class mirrors one strategy of :mod:`backchannel.agents` operation for operation, so every
float comes out bit-for-bit the same: the same additions, the same ``max``/``min``, powers
taken with Python's ``**`` on the (few) distinct values. :func:`batch_strategy` recognises a
strategy by the decisions it runs: a built-in family's own methods (whatever the subclass and
its parameters) have an array form; a strategy that replaces one of them, or draws randomness,
runs on the step engine.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from backchannel.agents.base import Strategy
from backchannel.agents.behavioural import HardLiner, TitForTat
from backchannel.agents.registry import create_strategy
from backchannel.agents.time_based import TimeBased
from backchannel.experiments.batch.offers import TOLERANCE, OfferTable
from backchannel.experiments.batch.run_offers import RunsOfferTable


@dataclass
class Seat:
    """One party's side of every run: its parameters and what it has received so far."""

    table: OfferTable | RunsOfferTable
    reservation: np.ndarray
    best: np.ndarray = field(init=False)
    received: np.ndarray = field(init=False)
    first_value: np.ndarray = field(init=False)
    latest: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        runs = len(self.reservation)
        self.best = self.table.best_utility(self.reservation)
        self.received = np.zeros(runs, dtype=np.int64)
        self.first_value = np.zeros(runs)
        self.latest = np.full(runs, -1, dtype=np.int64)

    def receive(self, offer: np.ndarray) -> None:
        first = self.received == 0
        self.first_value[first] = self.table.value(offer)[first]
        self.received += 1
        self.latest = offer

    def move_to(self, reservation: np.ndarray) -> None:
        """Take up a reservation value a timeline has moved (``Seat.move_to``)."""
        self.reservation = reservation
        self.best = self.table.best_utility(reservation)

    def keep(self, mask: np.ndarray) -> None:
        """Drop the runs that have finished."""
        for name in ("reservation", "best", "received", "first_value", "latest"):
            setattr(self, name, getattr(self, name)[mask])
        self.table.keep(mask)

    def value(self, outcome: np.ndarray) -> np.ndarray:
        return self.table.value(outcome)

    def accepts_at(self, offer: np.ndarray, threshold: np.ndarray) -> np.ndarray:
        """``components.acceptable_at`` per run."""
        value = self.value(offer)
        return (
            self.table.allowed[offer]
            & (value >= self.reservation)
            & (value >= threshold - TOLERANCE)
        )


class BatchStrategy(ABC):
    """A strategy over arrays: a target per run, then the shared offer and acceptance rules."""

    @abstractmethod
    def target(self, seat: Seat, relative_time: np.ndarray) -> np.ndarray:
        """The utility each run's seat demands now."""

    def propose(self, seat: Seat, relative_time: np.ndarray) -> np.ndarray:
        return seat.table.offer(self.target(seat, relative_time), seat.reservation, seat.latest)

    def respond(self, seat: Seat, relative_time: np.ndarray, offer: np.ndarray) -> np.ndarray:
        return seat.accepts_at(offer, self.target(seat, relative_time))


@dataclass(frozen=True)
class TimeBasedBatch(BatchStrategy):
    """``agents.time_based.TimeBased``: aspiration ``1 - t**e`` and the AC_next acceptance."""

    exponent: float

    def target(self, seat: Seat, relative_time: np.ndarray) -> np.ndarray:
        share = 1.0 - python_power(np.clip(relative_time, 0.0, 1.0), self.exponent)
        return seat.reservation + (seat.best - seat.reservation) * share

    def respond(self, seat: Seat, relative_time: np.ndarray, offer: np.ndarray) -> np.ndarray:
        target = self.target(seat, relative_time)
        next_offer = seat.table.offer(target, seat.reservation, seat.latest)
        return seat.accepts_at(offer, np.minimum(target, seat.value(next_offer)))


@dataclass(frozen=True)
class TitForTatBatch(BatchStrategy):
    """``agents.behavioural.TitForTat``: give back what the other side has conceded."""

    generosity: float

    def target(self, seat: Seat, relative_time: np.ndarray) -> np.ndarray:
        conceded = np.maximum(0.0, seat.value(np.maximum(seat.latest, 0)) - seat.first_value)
        mirrored = np.maximum(seat.reservation, seat.best - conceded * self.generosity)
        return np.where(seat.received < 2, seat.best, mirrored)


@dataclass(frozen=True)
class HardLinerBatch(BatchStrategy):
    """``agents.behavioural.HardLiner``: a fixed share of the gain, start to finish."""

    firmness: float

    def target(self, seat: Seat, relative_time: np.ndarray) -> np.ndarray:
        return seat.reservation + (seat.best - seat.reservation) * self.firmness


def batch_strategy(name: str) -> BatchStrategy | None:
    """The array form of registered strategy ``name``, or None if it has none."""
    try:
        instance = create_strategy(name)
    except KeyError:
        return None
    return _from_instance(instance)


# Each array form, the step-engine class whose decisions it restates, and the methods that
# make up those decisions (its concession curve, offer choice and acceptance rule).
_FORMS: tuple[tuple[type[Strategy], tuple[str, ...], Callable[[Strategy], BatchStrategy]], ...] = (
    (
        TimeBased,
        ("target", "offer_at", "propose", "respond"),
        lambda s: TimeBasedBatch(float(s.exponent)),  # type: ignore[attr-defined]
    ),
    (
        TitForTat,
        ("target", "propose", "respond"),
        lambda s: TitForTatBatch(float(s.generosity)),  # type: ignore[attr-defined]
    ),
    (
        HardLiner,
        ("target", "propose", "respond"),
        lambda s: HardLinerBatch(float(s.firmness)),  # type: ignore[attr-defined]
    ),
)


def _from_instance(instance: Strategy) -> BatchStrategy | None:
    """The array form of a strategy whose decisions are those of a built-in family.

    Coverage follows the components a strategy runs, not its class name: a subclass that only
    sets its parameters (a Boulware with another exponent, a registered variant) uses the
    family's array form; one that replaces a decision (its curve, offer or acceptance) or
    draws randomness does not, and plays on the step engine.
    """
    if instance.stochastic:
        return None
    kind = type(instance)
    for family, decisions, form in _FORMS:
        if isinstance(instance, family) and all(
            getattr(kind, name) is getattr(family, name) for name in decisions
        ):
            return form(instance)
    return None


def python_power(base: np.ndarray, exponent: float | np.ndarray) -> np.ndarray:
    """``base ** exponent`` elementwise, computed by Python's float ``**`` as the step engine
    does (a vectorised ``pow`` may round differently on some CPUs); runs share few values."""
    base = np.asarray(base, dtype=float)
    if np.ndim(exponent) == 0:
        unique, inverse = np.unique(base, return_inverse=True)
        power = float(exponent)
        values = np.array([b**power for b in unique.tolist()], dtype=float)
        return values[inverse.reshape(base.shape)]
    exponents = np.broadcast_to(np.asarray(exponent, dtype=float), base.shape)
    pairs = np.stack([base.ravel(), exponents.ravel()], axis=1)
    unique, inverse = np.unique(pairs, axis=0, return_inverse=True)
    values = np.array([b**e for b, e in unique.tolist()], dtype=float)
    return values[inverse.ravel()].reshape(base.shape)
