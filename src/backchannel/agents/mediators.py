"""Mediators: what an intermediary does besides carrying messages, one policy per protocol.

Policies register by name for a protocol, like strategies (``@mediator(name, protocol, ...)``):

- shuttle: ``relay`` (pass on at once), ``hold`` (sit on each message), ``scheduled`` (travel
  only on scheduled trips; formerly ``batch``), ``reword`` (soften each demand one step toward
  the other side's last position; a filtering mediator in the sense of Goltsman, Hörner,
  Pavlov and Squintani 2009);
- single-text: ``hill-climbing`` and ``annealing`` improve one negotiating text by amendments
  the parties vote on (Klein, Faratin, Sayama and Bar-Yam 2003, "Negotiating complex contracts");
- confidential: ``nash`` and ``kalai-smorodinsky`` propose efficient packages from preferences
  confided to the mediator alone (Hörner, Morelli and Squintani 2015: a mediator who keeps
  confidences can settle what direct talk cannot).

A mediator never sees a party's true preferences: only offers it carried, votes, and what each
party chose to confide.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from backchannel.agents.base import Confidence
from backchannel.analysis.pareto import pareto_mask
from backchannel.analysis.solutions import agreeable_mask, gain_products, smallest_shares
from backchannel.space.issues import NumericIssue
from backchannel.space.outcomes import OutcomeSpace

DEFAULT_MEDIATORS = {
    "direct": "relay",
    "shuttle": "relay",
    "single-text": "annealing",
    "confidential": "nash",
}

# Former names that still work: "batch" meant the weekly trips before "batch" came to mean the
# array engine (experiments.batch) only.
RENAMED = {("shuttle", "batch"): "scheduled"}

_REGISTRY: dict[tuple[str, str], Callable[..., Any]] = {}
_DESCRIPTIONS: dict[tuple[str, str], str] = {}


def mediator(name: str, protocol: str, description: str, **defaults: object) -> Callable:
    """Class decorator: make a mediator policy available for ``protocol`` under ``name``."""

    def decorate(cls: type) -> type:
        key = (protocol, name)
        if key in _REGISTRY:
            raise ValueError(f"mediator '{name}' is already registered for {protocol}")
        _REGISTRY[key] = lambda **kw: cls(**{**defaults, **kw})
        _DESCRIPTIONS[key] = description
        return cls

    return decorate


def mediator_names(protocol: str) -> list[str]:
    return sorted(name for proto, name in _REGISTRY if proto == protocol)


def describe_mediators() -> dict[str, dict[str, str]]:
    """``{protocol: {name: description}}`` for help texts and listings."""
    out: dict[str, dict[str, str]] = {}
    for (protocol, name), text in sorted(_DESCRIPTIONS.items()):
        out.setdefault(protocol, {})[name] = text
    return out


def renamed(name: str | None, protocol: str) -> str | None:
    """The current name of a policy asked for by a name it no longer has, else None."""
    return RENAMED.get(("shuttle" if protocol == "direct" else protocol, name or ""))


def create_mediator(name: str | None, protocol: str, **context: object) -> Any:
    """A fresh mediator policy; ``KeyError`` lists the names this protocol knows. A former
    name (:data:`RENAMED`) still works."""
    chosen = renamed(name, protocol) or name or DEFAULT_MEDIATORS[protocol]
    if protocol == "direct":
        protocol = "shuttle"
    if (protocol, chosen) not in _REGISTRY:
        known = ", ".join(mediator_names(protocol))
        raise KeyError(f"unknown mediator '{chosen}' for the {protocol} protocol; known: {known}")
    return _REGISTRY[(protocol, chosen)](**context)


# --- shuttle ---------------------------------------------------------------------------------


class ShuttlePolicy:
    """Decides when a message leaves the mediator and in which words."""

    name = "relay"

    def __init__(self, space: OutcomeSpace, mediator_id: str = "mediator") -> None:
        self.space = space
        self.mediator_id = mediator_id
        self.last_from: dict[str, int] = {}

    def dispatch(self, sender: str, receiver: str, offer: int, now: float) -> tuple[int, float]:
        """(text to carry, departure time) for ``offer`` from ``sender`` to ``receiver``; the
        protocol records a ``hold`` or ``reword`` event when either differs from what was sent."""
        text, leaves = self.shape(receiver, offer), self.departure(now)
        self.last_from[sender] = offer
        return text, leaves

    def departure(self, now: float) -> float:
        return now

    def shape(self, receiver: str, offer: int) -> int:
        return offer


@mediator("relay", "shuttle", "passes every message on at once, word for word")
class Relay(ShuttlePolicy):
    name = "relay"


@mediator("hold", "shuttle", "sits on each message for a while before carrying it", hours=24.0)
class Hold(ShuttlePolicy):
    name = "hold"

    def __init__(self, space: OutcomeSpace, mediator_id: str = "mediator", hours: float = 24.0):
        super().__init__(space, mediator_id)
        self.hours = hours

    def departure(self, now: float) -> float:
        return now + self.hours


@mediator("scheduled", "shuttle", "carries messages only on scheduled trips (weekly)", every=168.0)
class Scheduled(ShuttlePolicy):
    """Leaves only at multiples of ``every`` hours (Oman flying once a week)."""

    name = "scheduled"

    def __init__(self, space: OutcomeSpace, mediator_id: str = "mediator", every: float = 168.0):
        super().__init__(space, mediator_id)
        self.every = every

    def departure(self, now: float) -> float:
        return math.ceil(now / self.every - 1e-9) * self.every


@mediator("reword", "shuttle", "softens each demand one step toward the other side's position")
class Reword(ShuttlePolicy):
    """Moves the issue furthest from the receiver's last proposal one value toward it."""

    name = "reword"

    def shape(self, receiver: str, offer: int) -> int:
        if receiver not in self.last_from:
            return offer
        here, there = self.space.positions([offer, self.last_from[receiver]])
        scale = np.array([max(i.size - 1, 1) for i in self.space.issues], dtype=float)
        ordered = np.array([isinstance(i, NumericIssue) for i in self.space.issues])
        gaps = np.where(ordered, np.abs(there - here) / scale, (there != here).astype(float))
        if not gaps.any():
            return offer
        column = int(np.argmax(gaps))
        moved = here.copy()
        moved[column] = (
            there[column]
            if not ordered[column]
            else here[column] + np.sign(there[column] - here[column])
        )
        return int(self.space.index_of_positions(moved[None, :])[0])


# --- single negotiating text -----------------------------------------------------------------


class SingleTextSearch:
    """Amends one negotiating text: changes one issue at random and keeps the change when
    every party votes for it. Hill climbing asks for votes on merit alone; annealing announces
    a temperature under which parties also accept small losses, cooling to 0 by the deadline."""

    name = "hill-climbing"

    def __init__(self, temperature: float = 0.0) -> None:
        self.temperature = temperature

    def amend(self, space: OutcomeSpace, current: int, rng: np.random.Generator) -> int:
        """The current text with one issue set to another of its values (two draws)."""
        movable = [k for k, issue in enumerate(space.issues) if issue.size > 1]
        if not movable:
            return current
        position = space.positions([current])[0].copy()
        column = movable[int(rng.integers(len(movable)))]
        shift = 1 + int(rng.integers(space.issues[column].size - 1))
        position[column] = (position[column] + shift) % space.issues[column].size
        return int(space.index_of_positions(position[None, :])[0])

    def temperature_at(self, progress: float) -> float:
        """The temperature announced when ``progress`` (0 to 1) of the time has gone."""
        return self.temperature * max(0.0, 1.0 - progress)

    def adopt(self, votes: Sequence[bool]) -> bool:
        return all(votes)


@mediator("hill-climbing", "single-text", "keeps an amendment only if every party prefers it")
class HillClimbing(SingleTextSearch):
    name = "hill-climbing"

    def temperature_at(self, progress: float) -> float:
        return 0.0


@mediator(
    "annealing",
    "single-text",
    "lets parties accept small losses early on, less and less (simulated annealing)",
    temperature=0.1,
)
class Annealing(SingleTextSearch):
    """Simulated annealing on the single text (Klein et al. 2003): temperature ``T`` falls
    linearly from ``temperature`` to 0; a party accepts an amendment that costs it ``d`` with
    probability ``exp(-d / T)`` (see ``Strategy.prefers``)."""

    name = "annealing"


# --- confidential mediation ------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """The mediator's private reading of what the parties confided."""

    candidates: np.ndarray  # packages to propose, best first
    red_lines_collide: bool
    zone_exists: bool


class ConfidentialMediator:
    """Proposes efficient packages chosen by a bargaining solution on confided preferences.

    Packages already on the table (the scenario's named packages) that every side confided it
    could accept come first; a settlement off the frontier can then be improved for both
    afterwards (Raiffa's post-settlement settlement).
    """

    name = "nash"

    def __init__(self, bias: np.ndarray | None = None, bias_strength: float = 0.0) -> None:
        self.bias = bias
        self.bias_strength = bias_strength

    def plan(self, confided: Sequence[Confidence], tabled: Sequence[int] = ()) -> Plan:
        utilities = np.stack([c.utilities for c in confided], axis=1)
        allowed = np.logical_and.reduce([c.allowed for c in confided])
        reservations = np.array([c.reservation for c in confided])
        if not allowed.any():
            return Plan(np.zeros(0, dtype=np.int64), True, False)
        agreeable = agreeable_mask(utilities, reservations, allowed)
        pool = np.flatnonzero(agreeable if agreeable.any() else allowed)
        frontier = pool[pareto_mask(utilities[pool])]
        score = self.score(frontier, utilities[frontier], reservations)
        order = frontier[np.lexsort((frontier, -score))]
        first = [int(p) for p in tabled if agreeable[p]]
        rest = [int(p) for p in order if int(p) not in first]
        return Plan(np.array(first + rest, dtype=np.int64), False, bool(agreeable.any()))

    def improvement(self, confided: Sequence[Confidence], settled: int) -> int | None:
        """A package every side (by what it confided) strictly prefers to ``settled``."""
        utilities = np.stack([c.utilities for c in confided], axis=1)
        allowed = np.logical_and.reduce([c.allowed for c in confided])
        better = allowed & (utilities > utilities[settled][None, :] + 1e-9).all(axis=1)
        pool = np.flatnonzero(better)
        if len(pool) == 0:
            return None
        score = self.score(pool, utilities[pool], utilities[settled])
        return int(pool[np.lexsort((pool, -score))[0]])

    def score(
        self, packages: np.ndarray, values: np.ndarray, reservations: np.ndarray
    ) -> np.ndarray:
        """The solution's objective per package; a biased mediator (Kydd 2003) blends in its
        own utility with weight ``bias_strength`` (both rescaled to [0, 1] over the packages)."""
        raw = self.objective(values - reservations[None, :], values, reservations)
        if self.bias is None or self.bias_strength <= 0:
            return raw
        return (1 - self.bias_strength) * _unit(raw) + self.bias_strength * _unit(
            self.bias[packages]
        )

    def objective(
        self, gains: np.ndarray, values: np.ndarray, reservations: np.ndarray
    ) -> np.ndarray:
        """Nash (``analysis.solutions.gain_products``); the mediator's own rule for packages
        someone would lose on: a negative gain counts as 0 and the smallest gain breaks ties."""
        return gain_products(np.clip(gains, 0.0, None)) + 1e-9 * gains.min(axis=1)


@mediator("nash", "confidential", "proposes the Nash bargaining solution of what was confided")
class NashMediator(ConfidentialMediator):
    name = "nash"


@mediator(
    "kalai-smorodinsky",
    "confidential",
    "proposes the Kalai-Smorodinsky solution (equal shares of each side's best gain)",
)
class KalaiSmorodinskyMediator(ConfidentialMediator):
    name = "kalai-smorodinsky"

    def objective(
        self, gains: np.ndarray, values: np.ndarray, reservations: np.ndarray
    ) -> np.ndarray:
        """Kalai–Smorodinsky (``analysis.solutions.smallest_shares``) over the packages."""
        return smallest_shares(values, reservations)


def _unit(values: np.ndarray) -> np.ndarray:
    span = values.max() - values.min()
    return (values - values.min()) / span if span > 0 else np.zeros_like(values, dtype=float)
