"""Public request and response schemas.

Every response is built from one of these explicit models, never from a table row, so a private
field (another party's preferences, the original of an edited message) cannot leak by accident:
a party's room holds only its own preferences and what the mediator passed to it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Terms = dict[str, str | float]


class Public(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- requests -------------------------------------------------------------------------------


class InvitationIn(Public):
    token: str = Field(min_length=10, max_length=200)


class AgentIn(Public):
    strategy: str | None = Field(None, description="a strategy name, or null for a person")


class PreferencesIn(Public):
    weights: dict[str, float]
    reservation: float


class UtilityIn(Public):
    terms: Terms


class PartyMessageIn(Public):
    kind: Literal["proposal", "accept", "reject", "note"]
    terms: Terms | None = None
    text: str = Field("", max_length=5000)
    confirm_below_walkaway: bool = Field(
        False,
        description="required to propose or accept a package that crosses one of the party's "
        "own red lines or is worth less than its walk-away value",
    )

    @model_validator(mode="after")
    def _note_has_text(self) -> PartyMessageIn:
        if self.kind == "note" and not self.text.strip():
            raise ValueError("a note needs some text: write the message first")
        return self


class RelayIn(Public):
    to: str
    source: int | None = Field(None, description="id of the message passed on")
    kind: Literal["proposal", "accept", "reject", "note"] | None = None
    terms: Terms | None = Field(None, description="replaces the terms (an edit)")
    text: str | None = Field(None, max_length=5000, description="replaces the text (an edit)")

    @model_validator(mode="after")
    def _note_has_text(self) -> RelayIn:
        if self.source is None and self.kind in (None, "note") and not (self.text or "").strip():
            raise ValueError("a note needs some text: write the message first")
        return self


class DraftIn(Public):
    terms: Terms
    note: str = Field("", max_length=5000)


# --- responses ------------------------------------------------------------------------------


class IssueOut(Public):
    id: str
    name: str
    unit: str
    options: list[str]


class PartyOut(Public):
    id: str
    name: str


class ScenarioOut(Public):
    name: str
    title: str
    description: str
    issues: list[IssueOut]
    parties: list[PartyOut]


class CreatedOut(Public):
    id: str
    title: str
    mediator_link: str
    invitations: dict[str, str]


class InvitationOut(Public):
    party: str
    link: str


class SessionOut(Public):
    negotiation: str
    role: Literal["mediator", "party"]
    party: str | None
    page: str


class SeatOut(Public):
    party: str
    name: str
    agent: str | None
    joined: bool
    adjusted: bool


class MediatorMessageOut(Public):
    id: int
    sender: str
    recipient: str
    kind: str
    terms: Terms | None
    text: str
    source: int | None
    edited: bool
    at: datetime


class PartyMessageOut(Public):
    """A message in a party's room: what it sent, or what was passed to it (as passed)."""

    id: int
    direction: Literal["sent", "received"]
    kind: str
    terms: Terms | None
    text: str
    utility: float | None = Field(None, description="this party's own utility for the terms")
    below_walk_away: bool | None = Field(None, description="worth less than its reservation")
    crosses_red_line: bool | None = Field(None, description="crosses one of its own red lines")
    at: datetime


class DraftOut(Public):
    version: int
    terms: Terms
    note: str
    changes: dict[str, dict[str, str | float | None]]
    at: datetime


class AgreementOut(Public):
    terms: Terms


class MediatorViewOut(Public):
    id: str
    title: str
    status: str
    scenario: ScenarioOut
    seats: list[SeatOut]
    messages: list[MediatorMessageOut]
    drafts: list[DraftOut]
    positions: dict[str, Terms | None]
    agreement: AgreementOut | None


class OptionOut(Public):
    label: str
    value: float
    red_line: bool


class OwnIssueOut(Public):
    id: str
    name: str
    unit: str
    weight: float
    options: list[OptionOut]


class OwnPreferencesOut(Public):
    issues: list[OwnIssueOut]
    reservation: float


class PartyRoomOut(Public):
    id: str
    title: str
    status: str
    party: PartyOut
    can_adjust: bool
    preferences: OwnPreferencesOut
    messages: list[PartyMessageOut]
    agreement: AgreementOut | None
    agreement_utility: float | None


class UtilityOut(Public):
    terms: Terms
    utility: float
    crosses_red_line: bool
    above_reservation: bool


class PointOut(Public):
    terms: Terms
    utilities: dict[str, float]


class AssistantOut(Public):
    outcome_count: int
    zopa_size: int
    zopa_exists: bool
    reservations: dict[str, float]
    frontier: list[PointOut]
    nash: PointOut | None
    kalai_smorodinsky: PointOut | None
    utilitarian: PointOut | None
    latest_draft: PointOut | None
    note: str
