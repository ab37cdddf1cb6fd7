"""The tables. Private data (preferences, messages) lives here; responses go through schemas."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """The declarative base every table below shares (one metadata for Alembic)."""


class Negotiation(Base):
    __tablename__ = "negotiations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    scenario_name: Mapped[str] = mapped_column(String(100))
    # Loaded when used (compiling a scenario not cached yet, exports, checks): a write reads the
    # negotiation's row every time, and the spec is the bulk of it (20 kB for the flagship).
    scenario_spec: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    status: Mapped[str] = mapped_column(String(16), default="setup")
    agreement: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    mediator_token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    mediator_generation: Mapped[int] = mapped_column(Integer, default=1)
    seed: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    # When the mediator started it: hour 0 of its live clock, which the deadline counts from.
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Seat(Base):
    __tablename__ = "seats"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    negotiation_id: Mapped[str] = mapped_column(ForeignKey("negotiations.id"), index=True)
    party_id: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    generation: Mapped[int] = mapped_column(Integer, default=1)
    agent: Mapped[str | None] = mapped_column(String(100), nullable=True)
    preferences: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    joined: Mapped[bool] = mapped_column(default=False)


class Message(Base):
    """One message: a party to the mediator, or the mediator to one party (maybe edited)."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    negotiation_id: Mapped[str] = mapped_column(ForeignKey("negotiations.id"), index=True)
    sender: Mapped[str] = mapped_column(String(100))
    recipient: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    terms: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    outcome: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    text: Mapped[str] = mapped_column(Text, default="")
    source_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    number: Mapped[int] = mapped_column(Integer, default=0)  # 1, 2, 3... in the negotiation
    party_number: Mapped[int] = mapped_column(Integer, default=0)  # 1, 2, 3... in its party's room
    edited: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class Draft(Base):
    """A version of the mediator's single negotiating text."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    negotiation_id: Mapped[str] = mapped_column(ForeignKey("negotiations.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)
    outcome: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class LogEntry(Base):
    """One entry of a negotiation's append-only log; ``hash = sha256(prev_hash + body)``."""

    __tablename__ = "log_entries"

    negotiation_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(32))
    audience: Mapped[str] = mapped_column(String(100), default="all")
    body: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class LogHead(Base):
    """The latest entry of one negotiation's log: locked by every request that writes to the
    negotiation, so its chain is a line and its messages are numbered without gaps."""

    __tablename__ = "log_heads"

    negotiation_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64))


class BrowserSession(Base):
    """A signed-in browser: the cookie holds only its (signed) id; this row holds its rights."""

    __tablename__ = "browser_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    operator: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class SessionGrant(Base):
    """The right of one browser session to act in one negotiation (mediator or one seat)."""

    __tablename__ = "session_grants"

    session_id: Mapped[str] = mapped_column(
        ForeignKey("browser_sessions.id_hash", ondelete="CASCADE"), primary_key=True
    )
    negotiation_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    party: Mapped[str | None] = mapped_column(String(100), nullable=True)
    generation: Mapped[int] = mapped_column(Integer)


class IdempotentRequest(Base):
    """An acted-on request's key and answer: the same ``Idempotency-Key`` from the same caller
    in the same negotiation yields this answer again instead of a second action."""

    __tablename__ = "idempotent_requests"
    __table_args__ = (
        UniqueConstraint("negotiation_id", "caller", "key", name="uq_idempotent_request"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    negotiation_id: Mapped[str] = mapped_column(ForeignKey("negotiations.id"))
    caller: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(100))
    fingerprint: Mapped[str] = mapped_column(String(64))
    response: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
