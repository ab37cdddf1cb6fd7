"""What happens in a live negotiation: each change is stored and logged in one transaction.

Routes call these functions and commit; nothing here knows about HTTP beyond ``ServiceError``.
The rules are the relay machine's (``protocols.relay``): a party's proposal, acceptance or
rejection and the mediator's passing on are its moves, checked against the state the stored
messages leave it in (``service.transcript.live_machine``); the machine says when the parties
agree, and refuses a move after the deadline or past the round limit.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, insert, select
from sqlalchemy.orm import Session, object_session

from backchannel.agents.registry import strategy_names
from backchannel.protocols.relay import Move, Pass, Propose, RelayMachine, Respond, replay
from backchannel.scenario.model import Scenario
from backchannel.service import agents, eventlog
from backchannel.service.errors import ServiceError
from backchannel.service.eventlog import canonical
from backchannel.service.livestate import SESSION_KEY, TAKEN_KEY, LiveState, LiveStates
from backchannel.service.record import spec_digest
from backchannel.service.scenarios import (
    cached_scenario,
    check_adjustment,
    compiled,
    outcome_of,
    terms_of,
    with_adjustments,
)
from backchannel.service.security import MEDIATOR, new_token, token_hash
from backchannel.service.storage.models import Draft, LogEntry, Message, Negotiation, Seat
from backchannel.service.storage.prepared import Prepared
from backchannel.service.transcript import hours_since_opened, live_machine, move_of

PARTY_KINDS = ("proposal", "accept", "reject", "note")
RELAY_KINDS = ("proposal", "accept", "reject", "note")


def create(db: Session, spec: dict[str, Any]) -> tuple[Negotiation, str, dict[str, str]]:
    """A new negotiation; returns it with the mediator's token and one token per party seat."""
    mediator_token = new_token()
    negotiation = Negotiation(
        id=uuid.uuid4().hex,
        title=spec.get("title") or spec["name"],
        scenario_name=spec["name"],
        scenario_spec=spec,
        status="setup",
        mediator_token_hash=token_hash(mediator_token),
        mediator_generation=1,
        seed=secrets.randbits(62),
    )
    db.add(negotiation)
    db.flush()
    eventlog.start_chain(db, negotiation.id)
    tokens = {}
    for party in spec["parties"]:
        tokens[party["id"]] = new_token()
        db.add(
            Seat(
                negotiation_id=negotiation.id,
                party_id=party["id"],
                token_hash=token_hash(tokens[party["id"]]),
                generation=1,
                joined=False,
            )
        )
    created = {
        "scenario": spec["name"],
        "parties": list(tokens),
        "title": negotiation.title,
        "spec_sha256": spec_digest(spec),
    }
    eventlog.append(db, negotiation.id, "created", created)
    return negotiation, mediator_token, tokens


# The statements of every write, built once: SQLAlchemy then finds their compiled form by a
# kept cache key instead of building and hashing a new statement each time.
_SEATS = select(Seat).where(Seat.negotiation_id == bindparam("negotiation")).order_by(Seat.id)
_NUMBERED = select(Message).where(
    Message.negotiation_id == bindparam("negotiation"), Message.number == bindparam("number")
)
_ADD_MESSAGE = Prepared(insert(Message.__table__).returning(Message.__table__.c.id), "add_message")


def seats(db: Session, negotiation: Negotiation) -> list[Seat]:
    """The negotiation's seats, read once per request (seats are only added by ``create``)."""
    return list(
        _read_once(db, ("seats", negotiation.id), lambda: _SEATS, {"negotiation": negotiation.id})
    )


def _read_once(
    db: Session,
    key: tuple[object, ...],
    query: Callable[[], Select],
    parameters: dict[str, object] | None = None,
) -> list:
    """Rows of ``query``, read once per transaction (a request reads the same seats and
    messages several times); ``_store`` forgets the messages it changes. The rows are the
    session's own objects, so changes made to them in this transaction show."""
    kept = db.info.get("read_once")
    if kept is not None and kept[0] is db.get_transaction() and key in kept[1]:
        return kept[1][key]  # type: ignore[no-any-return]
    rows = list(db.execute(query(), parameters).scalars())  # begins the transaction if none has
    _remember(db, key, rows)
    return rows


def _remember(db: Session, key: tuple[object, ...], rows: list) -> None:
    """Keep ``rows`` as this transaction's read of ``key`` (it begins if none has)."""
    transaction = db.get_transaction() or db.begin()
    kept = db.info.get("read_once")
    if kept is None or kept[0] is not transaction:
        kept = db.info["read_once"] = (transaction, {})
    kept[1][key] = rows


def negotiation_for_write(db: Session, negotiation_id: str) -> Negotiation | None:
    """The negotiation's row for a write that holds the lock of its log head.

    If the previous write left its state at this very head, nothing changed since (every
    change to a negotiation or its seats moves the head), so the row and seats it left are
    attached to this session as they are, with no query; otherwise they are read."""
    head = eventlog.locked_head(db, negotiation_id)
    taken_before = _taken_at(db, negotiation_id, head) is not None  # its rows are read already
    state = None if taken_before else _take(db, negotiation_id)
    if state is None or state.rows is None or _still_held(db, state.rows):
        return db.get(Negotiation, negotiation_id)
    negotiation, seat_rows = state.rows
    db.add_all([negotiation, *seat_rows])
    _remember(db, ("seats", negotiation_id), seat_rows)
    return negotiation


def _still_held(db: Session, rows: tuple[Negotiation, list[Seat]]) -> bool:
    """Whether the writer that kept these rows has not closed its session yet. One event loop
    closes it before the next writer of the negotiation starts; writers on two loops of one
    process (a test client's) are kept apart only by the database's lock, released at commit,
    and then read the rows anew."""
    negotiation, seat_rows = rows
    return any(object_session(row) not in (None, db) for row in (negotiation, *seat_rows))


def room_of(sender: str, recipient: str) -> str:
    """The party whose room a message is in: its sender, or whom the mediator passed it to."""
    return recipient if sender == MEDIATOR else sender


def seat(db: Session, negotiation: Negotiation, party_id: str) -> Seat:
    for item in seats(db, negotiation):
        if item.party_id == party_id:
            return item
    known = ", ".join(s.party_id for s in seats(db, negotiation))
    raise ServiceError(404, f"no party '{party_id}' in this negotiation", f"use one of: {known}")


def scenario(db: Session, negotiation: Negotiation) -> Scenario:
    """The scenario with what each party confided (its adjusted preferences)."""
    adjustments = {s.party_id: s.preferences for s in seats(db, negotiation) if s.preferences}
    key = f"negotiation:{negotiation.id}:{canonical(adjustments)}"  # the spec never changes
    if cached := cached_scenario(key):
        return cached
    return compiled(with_adjustments(negotiation.scenario_spec, adjustments), key)


def messages(db: Session, negotiation: Negotiation, party: str | None = None) -> list[Message]:
    """All messages, or only those a party sent or was passed."""

    def query() -> Select:
        chosen = select(Message).where(Message.negotiation_id == negotiation.id)
        if party is not None:
            chosen = chosen.where((Message.sender == party) | (Message.recipient == party))
        return chosen.order_by(Message.id)

    return list(_read_once(db, ("messages", negotiation.id, party), query))


def message_numbered(db: Session, negotiation: Negotiation, number: int) -> Message | None:
    """The negotiation's message with this number (as the mediator sees them numbered)."""
    state = _taken(db, negotiation)
    if state is not None and number in state.recent:
        return state.recent[number]
    parameters = {"negotiation": negotiation.id, "number": number}
    return db.execute(_NUMBERED, parameters).scalar_one_or_none()


def _next_numbers(db: Session, negotiation: Negotiation, party: str) -> tuple[int, int]:
    """The next message's number in the negotiation and in the party's room (the caller holds
    the negotiation's lock, so no other writer can take the same numbers)."""
    state = _taken(db, negotiation)
    if state is not None:
        return state.next_numbers(party)
    in_negotiation = Message.negotiation_id == negotiation.id
    in_room = (Message.sender == party) | (Message.recipient == party)
    query = select(func.count(), func.count().filter(in_room)).where(in_negotiation)
    total, own = db.execute(query).one()
    return int(total) + 1, int(own) + 1


def drafts(db: Session, negotiation: Negotiation) -> list[Draft]:
    query = select(Draft).where(Draft.negotiation_id == negotiation.id).order_by(Draft.version)
    return list(db.execute(query).scalars())


def _require_status(negotiation: Negotiation, *allowed: str, action: str) -> None:
    if negotiation.status not in allowed:
        raise ServiceError(
            409,
            f"cannot {action}: the negotiation is {negotiation.status}",
            f"this is possible only while it is {' or '.join(allowed)}",
        )


def set_agent(db: Session, negotiation: Negotiation, party_id: str, strategy: str | None) -> Seat:
    _require_status(negotiation, "setup", action="change who sits in a seat")
    if strategy is not None and strategy not in strategy_names():
        raise ServiceError(
            422, f"unknown strategy '{strategy}'", f"use one of: {', '.join(strategy_names())}"
        )
    target = seat(db, negotiation, party_id)
    target.agent = strategy
    eventlog.append(db, negotiation.id, "seat", {"party": party_id, "agent": strategy})
    return target


def reissue(db: Session, negotiation: Negotiation, party_id: str) -> str:
    """A new invitation for a seat; the old link and every session opened with it stop working."""
    target = seat(db, negotiation, party_id)
    token = new_token()
    target.token_hash, target.generation = token_hash(token), target.generation + 1
    eventlog.append(db, negotiation.id, "invitation_reissued", {"party": party_id})
    return token


def reissue_mediator(db: Session, negotiation: Negotiation) -> str:
    """A new mediator link; the old link and every session opened with it stop working."""
    token = new_token()
    negotiation.mediator_token_hash = token_hash(token)
    negotiation.mediator_generation += 1
    eventlog.append(db, negotiation.id, "mediator_invitation_reissued", {})
    return token


def adjust(
    db: Session, negotiation: Negotiation, party_id: str, weights: dict, reservation: float
) -> None:
    _require_status(negotiation, "setup", action="adjust preferences")
    check_adjustment(scenario(db, negotiation), weights, reservation)
    target = seat(db, negotiation, party_id)
    target.preferences = {"weights": dict(weights), "reservation": float(reservation)}
    db.flush()
    scenario(db, negotiation)  # compiles, so a bad adjustment is refused now (ScenarioError)
    eventlog.append(db, negotiation.id, "preferences", {"party": party_id, **target.preferences})


def machine(db: Session, negotiation: Negotiation, model: Scenario | None = None) -> RelayMachine:
    """The relay machine in the state the stored messages leave it."""
    model = model or scenario(db, negotiation)
    return live_machine(model, negotiation, seats(db, negotiation), messages(db, negotiation))


def _live_state(db: Session, negotiation: Negotiation, model: Scenario) -> LiveState:
    """The machine and message counts for a write: the state the previous write kept if the
    log head (locked by this write) is still where it left it, else rebuilt from the stored
    messages. The write changes it as it goes; ``_keep`` hands it back."""
    state = _take(db, negotiation.id)
    if state is not None and state.model is model:
        return state
    rows = messages(db, negotiation)
    counts: dict[str, int] = {"all": len(rows)}
    for row in rows:
        party = room_of(row.sender, row.recipient)
        counts[party] = counts.get(party, 0) + 1
    state = LiveState(model, live_machine(model, negotiation, seats(db, negotiation), rows), counts)
    head = eventlog.locked_head(db, negotiation.id)
    if head is not None:
        db.info.setdefault(TAKEN_KEY, {})[negotiation.id] = (head, state)
    return state


def _take(db: Session, negotiation_id: str) -> LiveState | None:
    """The state kept at the head this write locked, taken from the server's kept states once
    per write (later calls in the same write get the same state), caught up if only messages
    were stored since it was kept; None if none was kept or it cannot be caught up."""
    head = eventlog.locked_head(db, negotiation_id)
    taken = _taken_at(db, negotiation_id, head)
    states: LiveStates | None = db.info.get(SESSION_KEY)
    if taken is not None or head is None or states is None:
        return taken
    kept = states.take(negotiation_id)
    if kept is None:
        states.count("misses")
        return None
    seq, head_hash, state = kept
    if (seq, head_hash) == (head.seq, head.hash):
        states.count("hits")
    elif _caught_up(db, negotiation_id, state, seq, head_hash, head.seq):
        states.count("caught_up")
    else:
        states.count("misses")
        return None
    db.info.setdefault(TAKEN_KEY, {})[negotiation_id] = (head, state)
    return state


CATCH_UP_LIMIT = 32
"""At most this many messages behind, a kept state is caught up; further, it is rebuilt."""

_SINCE = (
    select(
        Message,
        select(LogEntry.hash)
        .where(
            LogEntry.negotiation_id == bindparam("negotiation"), LogEntry.seq == bindparam("seq")
        )
        .scalar_subquery()
        .label("anchor"),
    )
    .where(Message.negotiation_id == bindparam("negotiation"), Message.number > bindparam("number"))
    .order_by(Message.number)
)
"""The messages stored after the first ``number``, each with the hash of entry ``seq``."""


def _caught_up(
    db: Session, negotiation_id: str, state: LiveState, seq: int, head_hash: str, now_seq: int
) -> bool:
    """Apply to a state kept at head (``seq``, ``head_hash``) the messages stored since, if
    they are all that changed: as many as the head moved, and the entry at ``seq`` is still
    the one the state was kept after. False (the state is left half-changed, to be dropped)
    for anything else."""
    behind = now_seq - seq
    if not 0 < behind <= CATCH_UP_LIMIT or state.rows is None:
        return False
    parameters = {"negotiation": negotiation_id, "seq": seq, "number": state.counts.get("all", 0)}
    found = db.execute(_SINCE, parameters).all()
    first = parameters["number"] + 1
    if [row.Message.number for row in found] != list(range(first, first + behind)):
        return False
    if any(row.anchor != head_hash for row in found):
        return False
    negotiation = state.rows[0]
    by_id = {m.id: m for m in state.recent.values()}
    moves = []
    for row in found:
        message = by_id[row.Message.id] = row.Message
        if message.sender == MEDIATOR and message.source_id not in (None, *by_id):
            return False  # passes on a message older than the state remembers
        move = move_of(message, by_id)
        if move is not None:
            moves.append((move, hours_since_opened(negotiation, message.created_at)))
    if replay(state.machine, moves):
        return False  # a stored move the rules refuse: rebuilt, as a replay leaves it out
    for row in found:
        state.next_numbers(room_of(row.Message.sender, row.Message.recipient))
        state.remember(row.Message)
    return True


def _taken(db: Session, negotiation: Negotiation) -> LiveState | None:
    """The state this write took, while the transaction that took it still holds the lock."""
    return _taken_at(db, negotiation.id, eventlog.locked_head(db, negotiation.id))


def _taken_at(db: Session, negotiation_id: str, head: eventlog.Head | None) -> LiveState | None:
    found = db.info.get(TAKEN_KEY, {}).get(negotiation_id)
    if found is None or head is None or found[0] is not head:
        return None
    return found[1]  # type: ignore[no-any-return]


def _keep(db: Session, negotiation: Negotiation) -> None:
    """Hand the state this write leaves back, under the head it moved the log to, with the
    negotiation's row and seats as this write leaves them."""
    state, head = _taken(db, negotiation), eventlog.locked_head(db, negotiation.id)
    states: LiveStates | None = db.info.get(SESSION_KEY)
    if state is not None and head is not None and states is not None:
        state.rows = (negotiation, seats(db, negotiation))
        states.keep(negotiation.id, head.seq, head.hash, state)


def _clock(negotiation: Negotiation) -> tuple[datetime, float]:
    """Now, and the negotiation's hour now. A move is checked and applied at this hour and its
    message stored with this moment, so a replay of the stored messages applies it at the same
    hour (the state a write keeps is the state a replay gives)."""
    moment = datetime.now(UTC)
    return moment, hours_since_opened(negotiation, moment)


def _check_move(rules: RelayMachine, move: Move, now: float) -> None:
    refused = rules.refusal(move, now)
    if refused is not None:
        raise ServiceError(409, f"not allowed now: {refused}", _FIXES.get(refused[:12], ""))


_FIXES = {
    "the deadline": "the mediator can close the negotiation",
    "the round li": "accept or reject what was passed, or the mediator closes the negotiation",
    "nothing to a": "wait until the mediator passes you a proposal",
}


def start(db: Session, negotiation: Negotiation) -> None:
    _require_status(negotiation, "setup", action="start")
    negotiation.status = "open"
    negotiation.opened_at = datetime.now(UTC)  # hour 0 of its clock: the deadline counts from here
    eventlog.append(db, negotiation.id, "started", {"at": negotiation.opened_at.isoformat()})
    model = scenario(db, negotiation)
    rules = _live_state(db, negotiation, model).machine
    for item in seats(db, negotiation):
        if item.agent and item.party_id == model.first_mover:
            moment, now = _clock(negotiation)
            outcome = agents.opening(
                rules, item.party_id, item.agent, negotiation.seed, item.id, now
            )
            _move(db, negotiation, model, rules, Propose(item.party_id, outcome), moment)
    _keep(db, negotiation)  # the first message then finds the machine and the rows kept


def party_message(
    db: Session,
    negotiation: Negotiation,
    party_id: str,
    kind: str,
    terms: dict | None,
    text: str,
) -> Message:
    """A party speaks to the mediator (the only one it can speak to)."""
    _require_status(negotiation, "open", action="send messages")
    model = scenario(db, negotiation)
    outcome = _outcome_for(db, negotiation, model, party_id, kind, terms)
    rules = _live_state(db, negotiation, model).machine
    moment, now = _clock(negotiation)
    if kind == "note":
        message = _store(db, negotiation, party_id, MEDIATOR, kind, model, outcome, text, moment)
        _keep(db, negotiation)
        return message
    assert outcome is not None  # a proposal, acceptance or rejection names its package
    move = Propose(party_id, outcome) if kind == "proposal" else Respond(party_id, kind, outcome)  # type: ignore[arg-type]
    _check_move(rules, move, now)
    message = _store(db, negotiation, party_id, MEDIATOR, kind, model, outcome, text, moment)
    _settle(db, negotiation, model, rules, move, now)
    _keep(db, negotiation)
    return message


def relay(
    db: Session,
    negotiation: Negotiation,
    recipient: str,
    kind: str | None,
    terms: dict | None,
    text: str | None,
    source_id: int | None,
) -> Message:
    """The mediator passes something to one party: a received message as is, or edited."""
    _require_status(negotiation, "open", action="pass messages on")
    target = seat(db, negotiation, recipient)
    model = scenario(db, negotiation)
    source = None
    if source_id is not None:
        source = message_numbered(db, negotiation, source_id)
        if source is None:
            raise ServiceError(404, f"no message {source_id} here", "pass on a listed message")
    kind = kind or (source.kind if source else "note")
    if terms is None and source is not None and kind in ("proposal", "accept", "reject"):
        terms = source.terms
    text = text if text is not None else (source.text if source else "")
    if kind == "proposal" and terms is None:
        raise ServiceError(422, "a proposal needs terms", "give a value for every issue")
    outcome = outcome_of(model, terms) if terms is not None else None
    edited = source is not None and (outcome != source.outcome or text != source.text)
    (moment, now), rules = _clock(negotiation), _live_state(db, negotiation, model).machine
    passed = None
    if kind in ("proposal", "accept", "reject"):
        sender = source.sender if source is not None else MEDIATOR
        sent = source.outcome if source is not None else outcome
        passed = Pass(recipient, kind, sender, sent, outcome)  # type: ignore[arg-type]
        _check_move(rules, passed, now)
    message = _store(
        db, negotiation, MEDIATOR, recipient, kind, model, outcome, text, moment, source, edited
    )
    if passed is not None:
        rules.apply(passed, now)
    if target.agent and kind == "proposal" and not rules.is_over:
        _agent_answers(db, negotiation, model, rules, target, moment)
    _keep(db, negotiation)
    return message


def _agent_answers(
    db: Session,
    negotiation: Negotiation,
    model: Scenario,
    rules: RelayMachine,
    target: Seat,
    moment: datetime,
) -> None:
    """An agent seat answers what was just passed to it, through the same machine."""
    now = hours_since_opened(negotiation, moment)
    party, strategy = target.party_id, target.agent or ""
    move = agents.answer(rules, party, strategy, negotiation.seed, target.id, now)
    passed = rules.last_passed(party)
    assert passed is not None
    answer: Move = Respond(party, "accept" if move.accept else "reject", passed)
    _move(db, negotiation, model, rules, answer, moment)
    if move.counter is not None and rules.refusal(Propose(party, move.counter), now) is None:
        _move(db, negotiation, model, rules, Propose(party, move.counter), moment)


def _move(
    db: Session,
    negotiation: Negotiation,
    model: Scenario,
    rules: RelayMachine,
    move: Propose | Respond,
    moment: datetime,
) -> None:
    """An agent seat's move: checked, stored as its message, applied."""
    now = hours_since_opened(negotiation, moment)
    _check_move(rules, move, now)
    kind = "proposal" if isinstance(move, Propose) else move.answer
    _store(db, negotiation, move.party, MEDIATOR, kind, model, move.outcome, "", moment)
    _settle(db, negotiation, model, rules, move, now)


def _settle(
    db: Session,
    negotiation: Negotiation,
    model: Scenario,
    rules: RelayMachine,
    move: Move,
    now: float,
) -> None:
    """Apply the stored move; when the machine finds every party on one package, agreed."""
    rules.apply(move, now)
    if rules.agreement is None or negotiation.status != "open":
        return
    negotiation.status = "agreed"
    negotiation.agreement = rules.agreement
    eventlog.append(
        db,
        negotiation.id,
        "agreement",
        {"outcome": negotiation.agreement, "terms": terms_of(model, negotiation.agreement)},
    )


def add_draft(db: Session, negotiation: Negotiation, terms: dict, note: str) -> Draft:
    _require_status(negotiation, "setup", "open", action="draft a text")
    model = scenario(db, negotiation)
    outcome = outcome_of(model, terms)
    version = len(drafts(db, negotiation)) + 1
    draft = Draft(
        negotiation_id=negotiation.id,
        version=version,
        terms=terms_of(model, outcome),
        outcome=outcome,
        note=note,
    )
    db.add(draft)
    eventlog.append(
        db, negotiation.id, "draft", {"version": version, "terms": draft.terms, "note": note}
    )
    return draft


def close(db: Session, negotiation: Negotiation) -> None:
    _require_status(negotiation, "setup", "open", "agreed", action="close")
    negotiation.status = "closed"
    eventlog.append(db, negotiation.id, "closed", {"agreement": negotiation.agreement})


def _outcome_for(
    db: Session, negotiation: Negotiation, model: Scenario, party_id: str, kind: str, terms
) -> int | None:
    if terms is not None:
        return outcome_of(model, terms)
    if kind == "proposal":
        raise ServiceError(422, "a proposal needs terms", "give a value for every issue")
    if kind in ("accept", "reject"):
        passed = [
            m
            for m in messages(db, negotiation, party_id)
            if m.recipient == party_id and m.kind == "proposal"
        ]
        if not passed:
            raise ServiceError(
                409, f"nothing to {kind} yet", "wait until the mediator passes you a proposal"
            )
        return passed[-1].outcome
    return None


def _store(
    db: Session,
    negotiation: Negotiation,
    sender: str,
    recipient: str,
    kind: str,
    model: Scenario,
    outcome: int | None,
    text: str,
    moment: datetime,
    source: Message | None = None,
    edited: bool = False,
) -> Message:
    party = room_of(sender, recipient)
    number, party_number = _next_numbers(db, negotiation, party)
    values = {
        "negotiation_id": negotiation.id,
        "sender": sender,
        "recipient": recipient,
        "kind": kind,
        "outcome": outcome,
        "terms": terms_of(model, outcome) if outcome is not None else None,
        "text": text,
        "source_id": source.id if source is not None else None,
        "number": number,
        "party_number": party_number,
        "edited": edited,
        "created_at": moment,  # the moment the move was checked and applied at
    }
    # One prebuilt INSERT, not the ORM's unit of work: the message is never changed in this
    # transaction, and reading it back (``messages``) loads it like any stored one.
    (added,) = _ADD_MESSAGE.rows(db, values)
    message = Message(id=added.id, **values)
    state = _taken(db, negotiation)
    if state is not None:
        state.remember(message)
    if "read_once" in db.info:
        kept = db.info["read_once"][1]
        for key in [k for k in kept if k[:2] == ("messages", negotiation.id)]:
            del kept[key]
    eventlog.append(
        db,
        negotiation.id,
        "message",
        {
            "id": message.id,
            "sender": sender,
            "recipient": recipient,
            "kind": kind,
            "terms": message.terms,
            "outcome": outcome,
            "text": text,
            "source": message.source_id,
            "edited": edited,
        },
    )
    return message


def positions(db: Session, negotiation: Negotiation) -> dict[str, int | None]:
    """Each party's standing position in the machine: its latest proposal or acceptance (None
    after a rejection)."""
    return dict(machine(db, negotiation).positions)
