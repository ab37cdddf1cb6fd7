"""Every kind of transcript event, with the details each carries.

An :class:`~backchannel.protocols.transcript.Event` names its kind by an :class:`EventKind`
(a ``str`` enumeration, so JSON output reads ``"offer"`` as before) and carries the details
:data:`DETAILS` declares for that kind. A protocol that records a new kind adds it here; the
contract test (``tests/protocols/test_contract.py``) fails on a kind or a detail not declared,
and ``report.describe`` is the one place that turns an event into words.
"""

# No ``from __future__ import annotations`` here: TypedDict reads NotRequired[...] only from
# evaluated annotations on Python 3.11.
from enum import StrEnum
from typing import Any, NotRequired, TypedDict


class EventKind(StrEnum):
    # The run
    START = "start"
    AGREEMENT = "agreement"
    BREAKDOWN = "breakdown"
    # A party's messages and answers
    OFFER = "offer"
    ACCEPT = "accept"
    REJECT = "reject"
    ACCEPTANCE = "acceptance"  # an acceptance carried back to the proposer
    CONFIRM = "confirm"
    MISCALCULATION = "miscalculation"
    DIRECT_CONTACT_COST = "direct_contact_cost"
    # The channel
    HOP = "hop"
    LOST = "lost"
    RESEND = "resend"
    UNDELIVERED = "undelivered"
    EXPIRED = "expired"
    LEAK = "leak"
    SESSION = "session"  # a proximity session that relayed a message opens
    # A mediator's messages and private notes
    HOLD = "hold"
    REWORD = "reword"
    DRAFT = "draft"
    AMENDMENT = "amendment"
    FIRST_DRAFT = "first_draft"
    AMEND = "amend"
    KEEP = "keep"
    ANSWER = "answer"
    CONFIDE = "confide"
    PROPOSAL = "proposal"
    POST_SETTLEMENT_PROPOSAL = "post_settlement_proposal"
    POST_SETTLEMENT = "post_settlement"
    RED_LINES_COLLIDE = "red_lines_collide"
    NO_ZONE = "no_zone"
    # Around the table
    TIMELINE = "timeline"
    RESUME = "resume"  # talks resumed after a collapse (``protocols.resumption``)
    RATIFIED = "ratified"
    RATIFICATION_FAILED = "ratification_failed"


class NoDetails(TypedDict):
    """Details of a kind that carries none (its event fields say everything)."""


class Start(TypedDict):
    protocol: str
    deadline_hours: float
    mediator: NotRequired[str]


class Ending(TypedDict):
    reason: str
    below_walkaway: NotRequired[list[str]]  # parties the deal leaves worse off than walking away
    walkaway: NotRequired[dict[str, float]]


class Sent(TypedDict):
    """A message that arrived: when it left, and how many tries it took (when more than one)."""

    sent_at_hours: float
    attempts: NotRequired[int]


class Answer(Sent):
    accepts: NotRequired[bool]
    votes_for_amendment: NotRequired[bool]
    prefers: NotRequired[bool]


class Expired(Answer):
    message: str
    would_arrive_at_hours: float | None


class Confided(Sent):
    claimed_reservation: float
    exaggerated: bool


class Why(TypedDict):
    why: str
    visibility: NotRequired[str]


class Cost(TypedDict):
    cost: float


class Hop(TypedDict):
    message: str
    attempt: int
    entered_at_hours: float
    lost: bool
    changes: list[str]


class Attempt(TypedDict):
    message: str
    attempt: int


class Leak(TypedDict):
    carrier: str
    message: str
    public: bool


class Session(TypedDict):
    """A proximity session (``channel.routes.NAME.sessions``): its schedule, number and hours."""

    schedule: str
    number: int
    opens_at_hours: float
    closes_at_hours: float


class Hold(TypedDict):
    policy: str
    until_hours: float


class Reword(TypedDict):
    policy: str
    changes: list[str]


class FirstDraft(TypedDict):
    origin: str
    policy: str
    text: int
    visibility: str


class Vote(TypedDict):
    draft: int
    amendment: int
    temperature: float
    votes: list[bool]
    visibility: str


class PostSettlement(TypedDict):
    settled: int
    proposed: int
    improved: bool
    visibility: str


class TimelineChange(TypedDict):
    """Who moved and why; or, for a collapse (``protocols.breakdown``), the event and cause."""

    target: NotRequired[str]
    id: NotRequired[str]
    changes: NotRequired[dict[str, dict[str, Any]]]
    causes: NotRequired[list[str]]
    event: NotRequired[str]
    cause: NotRequired[str]


class Resumed(TypedDict):
    """When the talks collapsed, which collapse this was, and what stands as they resume."""

    collapsed_at_hours: float
    collapse: int
    reservations: dict[str, float]
    event: NotRequired[str]


class Ratification(TypedDict):
    ratifier: str
    value: float
    threshold: float
    private: bool
    crosses_red_line: bool


K = EventKind
DETAILS: dict[EventKind, type] = {
    K.START: Start,
    K.AGREEMENT: Ending,
    K.BREAKDOWN: Ending,
    K.OFFER: Sent,
    K.ACCEPT: NoDetails,
    K.REJECT: NoDetails,
    K.ACCEPTANCE: Sent,
    K.CONFIRM: Why,
    K.MISCALCULATION: Why,
    K.DIRECT_CONTACT_COST: Cost,
    K.HOP: Hop,
    K.LOST: Attempt,
    K.RESEND: Attempt,
    K.UNDELIVERED: Answer,
    K.EXPIRED: Expired,
    K.LEAK: Leak,
    K.SESSION: Session,
    K.HOLD: Hold,
    K.REWORD: Reword,
    K.DRAFT: Sent,
    K.AMENDMENT: Sent,
    K.FIRST_DRAFT: FirstDraft,
    K.AMEND: Vote,
    K.KEEP: Vote,
    K.ANSWER: Answer,
    K.CONFIDE: Confided,
    K.PROPOSAL: Sent,
    K.POST_SETTLEMENT_PROPOSAL: Sent,
    K.POST_SETTLEMENT: PostSettlement,
    K.RED_LINES_COLLIDE: Why,
    K.NO_ZONE: Why,
    K.TIMELINE: TimelineChange,
    K.RESUME: Resumed,
    K.RATIFIED: Ratification,
    K.RATIFICATION_FAILED: Ratification,
}


def undeclared(kind: str, details: dict[str, Any]) -> list[str]:
    """What about an event its declaration does not allow (empty when it is as declared)."""
    try:
        declared = DETAILS[EventKind(kind)]
    except ValueError:
        return [f"event kind '{kind}' is not an EventKind"]
    required = set(declared.__required_keys__)  # type: ignore[attr-defined]
    allowed = required | set(declared.__optional_keys__)  # type: ignore[attr-defined]
    problems = [f"{kind}: missing detail '{k}'" for k in sorted(required - set(details))]
    problems += [f"{kind}: undeclared detail '{k}'" for k in sorted(set(details) - allowed)]
    return problems
