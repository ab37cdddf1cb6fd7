"""Idempotent actions: a client sends a fresh ``Idempotency-Key`` with each action it means to
take once; sending the same key again (a double-click, a retry after a lost answer) yields the
first answer and no second action.

Keys are scoped to the caller (the mediator, or one party's seat) in one negotiation, so one
caller's key can never replay another caller's answer. The key is stored with the answer in the
action's own transaction: either both are durable or neither is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Header
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backchannel.service.deps import Caller
from backchannel.service.errors import ServiceError
from backchannel.service.storage.models import IdempotentRequest

Answer = TypeVar("Answer", bound=BaseModel)

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


def fingerprint(action: str, body: BaseModel | None) -> str:
    """What the request asked for, so one key cannot stand for two different requests."""
    text = action + "\n" + (body.model_dump_json() if body is not None else "")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _who(caller: Caller) -> str:
    return "mediator" if caller.party is None else f"party:{caller.party}"


def _stored(db: Session, caller: Caller, key: str) -> IdempotentRequest | None:
    query = select(IdempotentRequest).where(
        IdempotentRequest.negotiation_id == caller.negotiation.id,
        IdempotentRequest.caller == _who(caller),
        IdempotentRequest.key == key,
    )
    return db.execute(query).scalar_one_or_none()


def _replay(found: IdempotentRequest, print_: str, schema: type[Answer]) -> Answer:
    if found.fingerprint != print_:
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
    print_: str,
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
    db.add(
        IdempotentRequest(
            negotiation_id=caller.negotiation.id,
            caller=_who(caller),
            key=key,
            fingerprint=print_,
            response=answer.model_dump(mode="json"),
        )
    )
    try:
        db.commit()
    except IntegrityError:  # the same key, committed meanwhile by another server process
        db.rollback()
        found = _stored(db, caller, key)
        if found is None:
            raise
        return _replay(found, print_, schema)
    return answer
