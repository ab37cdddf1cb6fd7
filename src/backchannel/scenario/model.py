"""The compiled, immutable scenario the engine runs on (arrays, not dictionaries)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from backchannel.channel.delays import Delay
from backchannel.channel.fidelity import Bias, FidelityStep
from backchannel.channel.sessions import Sessions
from backchannel.scenario.schema import ScenarioSpec
from backchannel.space.outcomes import OutcomeSpace
from backchannel.space.read_only import read_only
from backchannel.space.utility import LinearAdditiveUtility

if TYPE_CHECKING:
    from backchannel.scenario.uncertainty import Uncertainty
    from backchannel.timeline.model import Timeline


@dataclass(frozen=True)
class Ratifier:
    """A domestic ratifier: approves a deal worth at least ``threshold`` on its own utility."""

    name: str
    utility: LinearAdditiveUtility
    threshold: float
    decision_hours: float = 0.0


@dataclass(frozen=True)
class Party:
    id: str
    name: str
    strategy: str
    utility: LinearAdditiveUtility
    reservation: float
    time_discount: float = 1.0
    deadline_days: float | None = None
    refuses_direct_talks: bool = False
    direct_contact_cost: float = 0.0
    leak_cost: float = 0.0
    ratifier: Ratifier | None = None


@dataclass(frozen=True)
class Intermediary:
    """A hop of the channel; ``delay_hours`` is the nominal (mean) delay of ``delay``."""

    id: str
    name: str
    delay_hours: float
    delay: Delay | None = None
    loss: float = 0.0
    leak: float = 0.0
    fidelity: tuple[FidelityStep, ...] = ()
    bias: Bias | None = None


@dataclass(frozen=True)
class Channel:
    direct_delay_hours: float = 1.0
    intermediaries: tuple[Intermediary, ...] = ()
    default_route: str | None = None
    routes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    sessions: tuple[tuple[str, Sessions], ...] = ()  # named routes run in proximity rounds
    timeout_hours: float | None = None
    max_attempts: int = 10

    def schedule(self, names: tuple[str, ...] | list[str]) -> Sessions | None:
        """The proximity schedule the named routes run in (None: trip by trip); ``ValueError``
        when they name two different schedules."""
        declared = dict(self.sessions)
        found = {declared[n].name: declared[n] for n in names if n in declared}
        if len(found) > 1:
            raise ValueError(
                f"routes {', '.join(found)} each run in their own sessions; "
                "combine at most one route that declares sessions"
            )
        return next(iter(found.values()), None)

    def chain(self, name: str) -> tuple[str, ...]:
        """Intermediary ids of a named route, or of the single intermediary ``name``."""
        named = dict(self.routes)
        if name in named:
            return named[name]
        return (self.intermediary(name).id,)

    def intermediary(self, intermediary_id: str) -> Intermediary:
        for item in self.intermediaries:
            if item.id == intermediary_id:
                return item
        known = ", ".join(i.id for i in self.intermediaries) or "none declared"
        raise KeyError(f"no intermediary '{intermediary_id}' (known: {known})")


@dataclass(frozen=True)
class Package:
    id: str
    name: str
    index: int


OWN_ARRAYS_CACHED = 64  # a timeline moves reservation values a handful of times per run


@dataclass(frozen=True)
class OwnArrays:
    """What one party knows of its own preferences, as read-only arrays over the outcomes."""

    utilities: np.ndarray
    allowed: np.ndarray
    acceptable: np.ndarray


@dataclass(frozen=True, eq=False)
class Scenario:
    """Everything about a negotiation that does not change while it runs."""

    name: str
    title: str
    space: OutcomeSpace
    parties: tuple[Party, ...]
    channel: Channel
    deadline_days: float
    max_rounds: int
    first_mover: str
    response_hours: float = 0.0
    packages: tuple[Package, ...] = ()
    spec: ScenarioSpec | None = field(default=None, repr=False)
    timeline: Timeline | None = field(default=None, repr=False)
    uncertainty: Uncertainty | None = field(default=None, repr=False)

    @property
    def party_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.parties)

    def party(self, party_id: str) -> Party:
        for party in self.parties:
            if party.id == party_id:
                return party
        raise KeyError(f"no party '{party_id}' (known: {', '.join(self.party_ids)})")

    def party_index(self, party_id: str) -> int:
        return self.party_ids.index(self.party(party_id).id)

    def package(self, package_id: str) -> Package:
        for package in self.packages:
            if package.id == package_id:
                return package
        known = ", ".join(p.id for p in self.packages) or "none declared"
        raise KeyError(f"no package '{package_id}' (known: {known})")

    @property
    def reservations(self) -> np.ndarray:
        return np.array([p.reservation for p in self.parties], dtype=float)

    @cached_property
    def utilities(self) -> np.ndarray:
        """Utility of every outcome for every party, shape ``(outcomes, parties)``."""
        return np.stack([p.utility.over_space(self.space) for p in self.parties], axis=1)

    @cached_property
    def allowed(self) -> np.ndarray:
        """Per party, outcomes that cross none of its red lines, shape ``(outcomes, parties)``."""
        return np.stack([p.utility.allowed_over_space(self.space) for p in self.parties], axis=1)

    def own_arrays(self, column: int, reservation: float) -> OwnArrays:
        """One party's read-only utilities, red-line mask and acceptable outcomes at
        ``reservation``; cached, so every run on this scenario shares them (and what
        strategies derive from them, such as their rankings)."""
        key = (column, reservation)
        found = self._own_arrays.get(key)
        if found is None:
            utilities = read_only(self.utilities[:, column])
            allowed = read_only(self.allowed[:, column])
            acceptable = read_only(allowed & (utilities >= reservation))
            found = OwnArrays(utilities, allowed, acceptable)
            if len(self._own_arrays) >= OWN_ARRAYS_CACHED:
                self._own_arrays.pop(next(iter(self._own_arrays)))
            self._own_arrays[key] = found
        return found

    @cached_property
    def _own_arrays(self) -> dict[tuple[int, float], OwnArrays]:
        return {}

    def __getstate__(self) -> dict[str, object]:
        """Pickle without the per-party cache: unpickled arrays would lose their read-only flag."""
        state = dict(self.__dict__)
        state.pop("_own_arrays", None)
        return state

    def with_parties(self, parties: tuple[Party, ...]) -> Scenario:
        """A copy with other party settings (e.g. drawn preferences); caches start empty."""
        return replace(self, parties=parties)

    def with_party(self, party_id: str, **changes: object) -> Scenario:
        updated = tuple(
            replace(p, **changes) if p.id == party_id else p  # type: ignore[arg-type]
            for p in self.parties
        )
        return self.with_parties(updated)
