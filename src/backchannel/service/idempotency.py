"""Idempotent actions: a client sends a fresh ``Idempotency-Key`` with each action it means to
take once; sending the same key again (a double-click, a retry after a lost answer) yields the
first answer and no second action.

Keys are scoped to the caller (the mediator, or one party's seat) in one negotiation, so one
caller's key can never replay another caller's answer. The key is stored with the answer in the
action's own transaction: either both are durable or neither is.

Stored answers are kept for a retention period (``Settings.idempotency_hours``, 24 h by
default; the request's session carries it in ``info``), long enough for any retry: an older
answer is no longer replayed, and the stored answers older than that are deleted, at most once
a minute per server process, by the next action that stores a key.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Annotated, Any, TypeVar

from fastapi import Header
from pydantic import BaseModel
from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backchannel.service.deps import RETENTION_KEY, Caller
from backchannel.service.errors import ServiceError
from backchannel.service.storage.models import IdempotentRequest
from backchannel.service.storage.prepared import Prepared

Answer = TypeVar("Answer", bound=BaseModel)

DEFAULT_HOURS = 24.0
PRUNE_EVERY_SECONDS = 60.0
_pruned = {"at": float("-inf")}
_prune_lock = threading.Lock()

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=100,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="a fresh random key per action; the same key again answers the same",
    ),
]


@dataclass(frozen=True)
class Fingerprint:
    """What the request asked for, so one key cannot stand for two different requests; its
    digest is only worked out for a request that carries a key."""

    action: str
    body: BaseModel | None

    @cached_property
    def digest(self) -> str:
        text = self.action + "\n" + (self.body.model_dump_json() if self.body is not None else "")
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fingerprint(action: str, body: BaseModel | None) -> Fingerprint:
    return Fingerprint(action, body)


def _who(caller: Caller) -> str:
    return "mediator" if caller.party is None else f"party:{caller.party}"


def _oldest_kept(db: Session) -> datetime:
    """Answers stored before this moment are past their retention."""
    return datetime.now(UTC) - timedelta(hours=float(db.info.get(RETENTION_KEY, DEFAULT_HOURS)))


_answers = IdempotentRequest.__table__
_FIND = Prepared(
    select(_answers.c.id, _answers.c.fingerprint, _answers.c.response, _answers.c.created_at)
    .where(_answers.c.negotiation_id == bindparam("negotiation"))
    .where(_answers.c.caller == bindparam("caller"))
    .where(_answers.c.key == bindparam("key")),
    "stored_answer",
)
_FORGET = Prepared(delete(_answers).where(_answers.c.id == bindparam("id")), "forget_answer")
_KEEP = Prepared(insert(_answers), "keep_answer")
"""Prepared: a browser sends a key with every action, so every write runs one or two of them."""


def _stored(db: Session, caller: Caller, key: str) -> Any | None:
    """The answer stored under ``key``; one past its retention is deleted, not replayed."""
    parameters = {"negotiation": caller.negotiation.id, "caller": _who(caller), "key": key}
    found = next(iter(_FIND.rows(db, parameters)), None)
    if found is not None and _aware(found.created_at) < _oldest_kept(db):
        _FORGET.rows(db, {"id": found.id})
        return None
    return found


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def forget_expired(db: Session) -> int:
    """Delete every stored answer past its retention (in the caller's transaction)."""
    result = db.execute(
        delete(IdempotentRequest).where(IdempotentRequest.created_at < _oldest_kept(db))
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _forget_expired_now_and_then(db: Session) -> None:
    with _prune_lock:
        if time.monotonic() - _pruned["at"] < PRUNE_EVERY_SECONDS:
            return
        _pruned["at"] = time.monotonic()
    forget_expired(db)


def _replay(found: Any, print_: Fingerprint, schema: type[Answer]) -> Answer:
    if found.fingerprint != print_.digest:
        raise ServiceError(
            422,
            "this Idempotency-Key was already used for a different request",
            "send a new key with each new action",
        )
    return schema.model_validate(found.response)


def once(
    db: Session,
    caller: Caller,
    key: str | None,
    print_: Fingerprint,
    schema: type[Answer],
    action: Callable[[], Answer],
) -> Answer:
    """Run ``action`` and commit, unless ``key`` was seen: then answer as the first time."""
    if key is None:
        answer = action()
        db.commit()
        return answer
    found = _stored(db, caller, key)
    if found is not None:
        return _replay(found, print_, schema)
    answer = action()
    _forget_expired_now_and_then(db)
    try:
        _KEEP.rows(
            db,
            {
                "negotiation_id": caller.negotiation.id,
                "caller": _who(caller),
                "key": key,
                "fingerprint": print_.digest,
                "response": answer.model_dump(mode="json"),
                "created_at": datetime.now(UTC),
            },
        )
        db.commit()
    except IntegrityError:  # the same key, committed meanwhile by another server process
        db.rollback()
        found = _stored(db, caller, key)
        if found is None:
            raise
        return _replay(found, print_, schema)
    return answer
