"""A request reads its negotiation's seats and messages once per transaction, and still sees
its own writes and, in its next transaction, everyone else's."""

from __future__ import annotations

from sqlalchemy import event

from backchannel.service import live
from backchannel.service.storage.models import Negotiation


def test_reads_are_shared_within_a_transaction_and_renewed_after_it(world) -> None:
    factory = world.app.state.sessionmaker
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    engine = world.app.state.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        with factory() as db:
            negotiation = db.get(Negotiation, world.id)
            first = live.messages(db, negotiation)
            seats = live.seats(db, negotiation)
            reads = len(statements)
            assert live.messages(db, negotiation) == first
            assert live.seats(db, negotiation) == seats
            assert len(statements) == reads, "the second look costs no query"
            note = live.party_message(db, negotiation, "us", "note", None, "own write")
            assert live.messages(db, negotiation)[-1].id == note.id, "its own write shows at once"
            db.commit()
            with factory() as other:
                theirs = live.party_message(
                    other, other.get(Negotiation, world.id), "iran", "note", None, "theirs"
                )
                other.commit()
                their_id = theirs.id
            assert live.messages(db, negotiation)[-1].id == their_id, "a new transaction sees it"
    finally:
        event.remove(engine, "before_cursor_execute", count)
