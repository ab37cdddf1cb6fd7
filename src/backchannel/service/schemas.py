"""Public request and response schemas.

Every response is built from one of these explicit models, never from a table row, so a private
field (another party's preferences, the original of an edited message) cannot leak by accident:
a party's room holds only its own preferences and what the mediator passed to it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator


def _encodable(text: str) -> str:
    """Refuse text that cannot be written as UTF-8 (a lone surrogate such as ``"\\udfff"``),
    or that PostgreSQL cannot store (a NUL character): it could be neither stored on every
    database nor echoed in an answer."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("the text holds a character that is not valid Unicode") from None
    if "\x00" in text:
        raise ValueError("the text holds a NUL character (\\u0000), which cannot be stored")
    return text


def as_utc(moment: datetime) -> datetime:
    """Times are stored in UTC; the answer says so (ISO 8601 with ``+00:00``)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_encodable)]
"""An identifier or option label sent by a caller: party, issue, option, strategy."""
Text = Annotated[str, Field(max_length=5000), AfterValidator(_encodable)]
Utc = Annotated[datetime, AfterValidator(as_utc)]
Terms = dict[Name, Name | float]
TermsOut = dict[str, str | float]


class Public(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RequestBody(Public):
    """A request body: unknown fields are refused, and so are NaN and infinity (which JSON
    parsers accept, and which would otherwise match the first option of a numeric issue)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


# --- requests -------------------------------------------------------------------------------


class InvitationIn(RequestBody):
    token: Annotated[str, Field(min_length=10, max_length=200), AfterValidator(_encodable)]


class AgentIn(RequestBody):
    strategy: Name | None = Field(None, description="a strategy name, or null for a person")


class PreferencesIn(RequestBody):
    weights: dict[Name, float]
    reservation: float


class UtilityIn(RequestBody):
    terms: Terms


class PartyMessageIn(RequestBody):
    kind: Literal["proposal", "accept", "reject", "note"]
    terms: Terms | None = None
    text: Text = ""
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


class RelayIn(RequestBody):
    to: Name
    source: int | None = Field(None, ge=1, le=2**63 - 1, description="id of the message passed on")
    kind: Literal["proposal", "accept", "reject", "note"] | None = None
    terms: Terms | None = Field(None, description="replaces the terms (an edit)")
    text: Text | None = Field(None, description="replaces the text (an edit)")

    @model_validator(mode="after")
    def _note_has_text(self) -> RelayIn:
        if self.source is None and self.kind in (None, "note") and not (self.text or "").strip():
            raise ValueError("a note needs some text: write the message first")
        return self


class DraftIn(RequestBody):
    terms: Terms
    note: Text = ""


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
    terms: TermsOut | None
    text: str
    source: int | None
    edited: bool
    at: Utc


class PartyMessageOut(Public):
    """A message in a party's room: what it sent, or what was passed to it (as passed)."""

    id: int
    direction: Literal["sent", "received"]
    kind: str
    terms: TermsOut | None
    text: str
    utility: float | None = Field(None, description="this party's own utility for the terms")
    below_walk_away: bool | None = Field(None, description="worth less than its reservation")
    crosses_red_line: bool | None = Field(None, description="crosses one of its own red lines")
    at: Utc


class DraftOut(Public):
    version: int
    terms: TermsOut
    note: str
    changes: dict[str, dict[str, str | float | None]]
    at: Utc


class AgreementOut(Public):
    terms: TermsOut


class MediatorViewOut(Public):
    id: str
    title: str
    status: str
    scenario: ScenarioOut
    seats: list[SeatOut]
    messages: list[MediatorMessageOut]
    drafts: list[DraftOut]
    positions: dict[str, TermsOut | None]
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
    terms: TermsOut
    utility: float
    crosses_red_line: bool
    above_reservation: bool


class PointOut(Public):
    terms: TermsOut
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


class ActionAckOut(Public):
    """The short answer to a write sent with ``Prefer: return=minimal``: the message's number
    as the caller sees it and the negotiation's status (the rest comes with the live refresh)."""

    id: int
    status: str
