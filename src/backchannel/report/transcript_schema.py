"""The one schema of a transcript document: ``run --json`` and the live service's export.

Both write what ``report.transcript_document`` builds from a
:class:`~backchannel.protocols.transcript.Transcript`; this model states its shape, so a test
can hold both to it and a reader (``analyze``, a notebook) can rely on it. Event details are
checked against their kind's declaration (``protocols.events``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from backchannel.protocols.events import EventKind, undeclared


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EventDocument(_Strict):
    kind: EventKind
    time_hours: float
    round: int
    sender: str | None
    receiver: str | None
    outcome: int | None
    delivered: int | None
    via: list[str]
    details: dict[str, Any]
    outcome_terms: dict[str, Any] | None = None
    delivered_terms: dict[str, Any] | None = None
    utilities: dict[str, float] | None = None

    @model_validator(mode="after")
    def _declared(self) -> EventDocument:
        problems = undeclared(self.kind, self.details)
        if problems:
            raise ValueError("; ".join(problems))
        return self


class ResultDocument(_Strict):
    agreement: int | None
    reason: str
    time_hours: float
    rounds: int
    utilities: dict[str, float]
    payoffs: dict[str, float]
    below_walkaway: list[str] = []  # parties whose payoff from the deal is below walking away
    collapses: int = 0  # times the breakdown hazard struck (talks resumed after all but the last)
    agreement_terms: dict[str, Any] | None = None


class TranscriptDocument(_Strict):
    scenario: str
    protocol: str
    parties: list[str]
    seed: int | None
    settings: dict[str, Any]
    events: list[EventDocument]
    result: ResultDocument | None
    benchmarks: dict[str, Any] | None = None
    scenario_source: str | None = None  # the file or bundled name ``analyze`` reloads it from

    @model_validator(mode="after")
    def _in_time_order(self) -> TranscriptDocument:
        times = [e.time_hours for e in self.events]
        if times != sorted(times):
            raise ValueError("events are not in time order")
        return self
