"""The few statements every write runs, prepared once and run on the driver's own connection.

Every write checks the caller's grant, stores a message and appends to the event log: four
statements. Through the session each cost about 60 µs of SQLAlchemy's Python above the
driver's own work, and pg8000 sends an unprepared statement in three round trips (parse,
describe, execute). A ``Prepared`` statement is compiled once per dialect and then runs in the
session's transaction on the driver's connection: on SQLite through its cursor (which keeps the
compiled statement), on PostgreSQL through pg8000 as a named prepared statement of that
connection, one round trip. Values go through the column types' own conversions both ways, and
driver errors come out as SQLAlchemy's (``IntegrityError`` and the rest), as from the session.
Another driver gets the session's ordinary execution.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

_KEPT_CONNECTION = "backchannel.prepared_connection"
"""``session.info`` key: the transaction the connection below was taken for, and it."""
Convert = Callable[[Any], Any]
Converter = Convert | None


@dataclass(frozen=True)
class _Form:
    """A statement as one dialect runs it: its SQL, its values in order, its row shape."""

    sql: str
    names: tuple[str, ...]
    to_database: tuple[tuple[int, Convert], ...]  # only the values that need converting
    row: type[tuple[Any, ...]] | None
    from_database: tuple[tuple[int, Convert], ...]  # only the columns that need converting

    def values(self, parameters: Mapping[str, Any]) -> tuple[Any, ...]:
        found = [parameters[name] for name in self.names]
        for index, convert in self.to_database:
            found[index] = convert(found[index])
        return tuple(found)

    def rows(self, raw: Sequence[Sequence[Any]]) -> list[Any]:
        if self.row is None:
            return []
        shaped = []
        for found in raw:
            columns = list(found)
            for index, convert in self.from_database:
                columns[index] = convert(columns[index])
            shaped.append(self.row(*columns))
        return shaped


class Prepared:
    """One prebuilt statement (a ``select``, or an ``insert`` or ``update`` with or without
    ``returning``); ``rows`` runs it in the session's transaction."""

    def __init__(self, statement: Executable, name: str) -> None:
        self.statement = statement
        self.name = name
        self._forms: dict[tuple[str, tuple[str, ...]], _Form] = {}

    def rows(self, session: Session, parameters: Mapping[str, Any]) -> list[Any]:
        """The rows it returns (none for a statement without ``returning``), as named tuples."""
        connection = _connection_of(session)
        dialect = connection.dialect
        driver = connection.connection.dbapi_connection
        run = _RUNNERS.get(dialect.driver)
        if run is None or driver is None or not run.fits(driver):
            result = session.execute(self.statement, dict(parameters))
            return list(result) if result.returns_rows else []
        form = self._form(dialect, tuple(parameters))
        values = form.values(parameters)
        try:
            raw = run.execute(driver, form.sql, values)
        except dialect.loaded_dbapi.Error as error:
            lost = dialect.is_disconnect(error, driver, None)
            if lost:  # as SQLAlchemy's own execution does: every older connection is replaced
                connection.engine.pool._invalidate(connection.connection, error)
                connection.invalidate(error)
            raise DBAPIError.instance(
                form.sql,
                values,
                error,
                dialect.loaded_dbapi.Error,
                connection_invalidated=lost,
                dialect=dialect,
            ) from error
        return form.rows(raw)

    def _form(self, dialect: Dialect, keys: tuple[str, ...]) -> _Form:
        found = self._forms.get((dialect.name, keys))
        if found is None:
            found = self._forms[(dialect.name, keys)] = _compile(self, dialect, keys)
        return found


def _connection_of(session: Session) -> Connection:
    """The session's connection, kept in the session for as long as its transaction lasts:
    asking the session again costs more Python than a short statement on SQLite."""
    transaction = session.get_transaction()
    kept = session.info.get(_KEPT_CONNECTION)
    if (
        kept is not None
        and transaction is not None
        and kept[0] is transaction
        and transaction.is_active
        and not kept[1].invalidated
    ):
        return kept[1]
    connection = session.connection()
    session.info[_KEPT_CONNECTION] = (session.get_transaction(), connection)
    return connection


def _compile(prepared: Prepared, dialect: Dialect, keys: tuple[str, ...]) -> _Form:
    compiled = prepared.statement.compile(dialect=dialect, column_keys=list(keys))
    names = tuple(compiled.positiontup or ())
    missing = [name for name in names if name not in keys]
    if missing:  # a column default the driver would not fill in
        raise ValueError(f"{prepared.name}: give a value for {', '.join(missing)}")
    to_database = _needed(
        compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    )
    columns = list(getattr(prepared.statement, "exported_columns", []))
    fields = [(getattr(c, "name", None) or f"column_{i}", Any) for i, c in enumerate(columns)]
    row = NamedTuple(prepared.name, fields) if columns else None
    from_database = _needed(
        column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
    )
    sql = _RUNNERS[dialect.driver].placeholders(str(compiled), len(names))
    return _Form(sql, names, to_database, row, from_database)


def _needed(converters: Iterable[Converter]) -> tuple[tuple[int, Convert], ...]:
    """The converters that do something, with their positions (most columns have none)."""
    return tuple((index, convert) for index, convert in enumerate(converters) if convert)


class _Sqlite:
    """The standard library's driver: its cursor keeps recent statements compiled."""

    @staticmethod
    def fits(driver: Any) -> bool:
        return hasattr(driver, "execute")

    @staticmethod
    def placeholders(sql: str, count: int) -> str:
        return sql  # qmark, as compiled

    @staticmethod
    def execute(driver: Any, sql: str, values: tuple[Any, ...]) -> list[Any]:
        return list(driver.execute(sql, values).fetchall())


class _Pg8000:
    """pg8000: each connection parses a statement once, then binds and executes it in one
    round trip. Its transaction begins as its own cursor would begin it, in one round trip."""

    @staticmethod
    def fits(driver: Any) -> bool:
        needed = ("prepare_statement", "execute_named", "execute_simple", "py_types", "autocommit")
        return all(hasattr(driver, name) for name in needed) and hasattr(
            type(driver), "_in_transaction"
        )

    @staticmethod
    def placeholders(sql: str, count: int) -> str:
        """pg8000's prepared statements number their values ($1, $2, ...); the dialect compiles
        them as %s, with a literal percent sign written %%."""
        numbered = iter(range(1, count + 1))
        converted = re.sub(r"%%|%s", lambda m: "%" if m[0] == "%%" else f"${next(numbered)}", sql)
        if next(numbered, None) is not None:
            raise ValueError(f"expected {count} values in: {sql}")
        return converted

    @staticmethod
    def execute(driver: Any, sql: str, values: tuple[Any, ...]) -> list[Any]:
        from pg8000 import DatabaseError, InterfaceError
        from pg8000.converters import make_params

        try:
            kept = _PREPARED_ON.setdefault(driver, {})
            found = kept.get(sql)
            if found is None:
                found = kept[sql] = driver.prepare_statement(sql, ())
            name, columns, input_funcs = found
            if not driver._in_transaction and not driver.autocommit:
                driver.execute_simple("begin transaction")
            context = driver.execute_named(
                name, make_params(driver.py_types, values), columns, input_funcs, sql
            )
        except DatabaseError as error:
            raise _as_its_cursor_raises(error) from None
        except OSError as error:  # a closed connection's socket, as pg8000 reports a write's
            raise InterfaceError("network error") from error
        return list(context.rows or [])


class _Asyncpg:
    """asyncpg under SQLAlchemy's asyncio layer (inside ``greenlet_spawn``): the statement goes
    to asyncpg's connection, which keeps it prepared; the transaction begins as SQLAlchemy's
    cursor would begin it."""

    @staticmethod
    def fits(driver: Any) -> bool:
        needed = ("_connection", "_transaction", "_start_transaction", "_handle_exception")
        return all(hasattr(driver, name) for name in needed)

    @staticmethod
    def placeholders(sql: str, count: int) -> str:
        return sql  # numbered ($1, $2, ...), as compiled

    @staticmethod
    def execute(driver: Any, sql: str, values: tuple[Any, ...]) -> list[Any]:
        from sqlalchemy.util import await_only

        try:
            if driver._transaction is None:
                await_only(driver._start_transaction())
            return list(await_only(driver._connection.fetch(sql, *values)))
        except Exception as error:
            driver._handle_exception(error)  # raises the DB-API error SQLAlchemy expects
            raise


def _as_its_cursor_raises(error: Exception) -> Exception:
    """pg8000's cursor turns the server's error into a DB-API class by its code (a unique key
    broken is IntegrityError), which SQLAlchemy then maps to its own; so does this."""
    from pg8000 import IntegrityError, InterfaceError, ProgrammingError

    message = error.args[0] if error.args else None
    if not isinstance(message, dict):
        return ProgrammingError(message)
    code = message.get("C")
    if code == "28000":
        return InterfaceError(message)
    if code == "23505":
        return IntegrityError(message)
    return ProgrammingError(message)


_PREPARED_ON: weakref.WeakKeyDictionary[Any, dict[str, tuple[Any, Any, Any]]] = (
    weakref.WeakKeyDictionary()
)
"""Each pg8000 connection's prepared statements, by SQL: a statement is prepared per connection."""

_RUNNERS: dict[str, Any] = {"pysqlite": _Sqlite, "pg8000": _Pg8000, "asyncpg": _Asyncpg}
"""By the SQLAlchemy dialect's driver name."""
