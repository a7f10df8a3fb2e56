"""Bulk writers: PostgreSQL ``COPY`` through psycopg 3, SQLite ``executemany`` of one prepared INSERT.

Django's ``bulk_create`` tops out near 7,000 rows/s (and on SQLite sends only ~83 rows per INSERT);
these paths write 5–15 times faster. They run inside the caller's ``transaction.atomic`` on Django's
own connection, so the load commits or rolls back as a whole, together with its ``demo.loaded`` event.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Final, Protocol

from django.db import connection, models

from kizuna.activities.models import Activity, Task
from kizuna.core import search
from kizuna.core.models import SearchableModel
from kizuna.customers.models import Company, Contact
from kizuna.sales.models import Deal, DealStageChange, Order, OrderLine
from kizuna.support.models import Feedback, Ticket

from .related import (
    ACTIVITY_COLUMNS,
    DEAL_COLUMNS,
    FEEDBACK_COLUMNS,
    ORDER_COLUMNS,
    ORDER_LINE_COLUMNS,
    STAGE_CHANGE_COLUMNS,
    TASK_COLUMNS,
    TICKET_COLUMNS,
)
from .rows import COMPANY_COLUMNS, CONTACT_COLUMNS, CONTACT_TAG_COLUMNS, Row

# Generator table key -> (model, attributes each row fills, in order). Parents before children.
TABLES: Final[dict[str, tuple[type[models.Model], tuple[str, ...]]]] = {
    "company": (Company, COMPANY_COLUMNS),
    "contact": (Contact, CONTACT_COLUMNS),
    "contact_tags": (Contact.tags.through, CONTACT_TAG_COLUMNS),
    "deal": (Deal, DEAL_COLUMNS),
    "stage_change": (DealStageChange, STAGE_CHANGE_COLUMNS),
    "order": (Order, ORDER_COLUMNS),
    "order_line": (OrderLine, ORDER_LINE_COLUMNS),
    "ticket": (Ticket, TICKET_COLUMNS),
    "feedback": (Feedback, FEEDBACK_COLUMNS),
    "activity": (Activity, ACTIVITY_COLUMNS),
    "task": (Task, TASK_COLUMNS),
}


class DemoSchemaError(RuntimeError):
    """The models changed and the demo generator no longer fills every required column."""


def db_columns(model: type[models.Model], attnames: Sequence[str]) -> list[str]:
    """The database columns for ``attnames``; fails when a NOT NULL column would be left out."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    unknown = [name for name in attnames if name not in fields]
    missing = [
        f.attname
        for f in fields.values()
        if f.attname not in attnames
        and not f.null
        and f.db_default is models.NOT_PROVIDED
        and not f.generated  # computed by the database
    ]
    if unknown or missing:
        raise DemoSchemaError(
            f"{model._meta.label}: demo rows name unknown fields {unknown} and leave out required {missing}; "
            "update kizuna/demo to match the model"
        )
    return [fields[name].column for name in attnames]


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


class BulkWriter(Protocol):
    def next_ids(self) -> dict[str, int]: ...

    def suspend_indexes(self) -> None: ...

    def write(self, key: str, rows: list[Row]) -> None: ...

    def restore_indexes(self) -> None: ...

    def finish(self, written: Mapping[str, int]) -> None: ...


class _Base:
    def __init__(self) -> None:
        self.statements = {key: self._statement(model, cols) for key, (model, cols) in TABLES.items()}

    def _statement(self, model: type[models.Model], attnames: Sequence[str]) -> str:
        raise NotImplementedError  # one per engine

    def _max_id(self, table: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX(id) FROM {_quote(table)}")  # noqa: S608 - table from model meta
            return int(cursor.fetchone()[0] or 0)


class SQLiteWriter(_Base):
    """``executemany`` of one prepared INSERT on Django's sqlite3 connection (in its transaction)."""

    def __init__(self) -> None:
        super().__init__()
        connection.ensure_connection()
        self.raw: sqlite3.Connection = connection.connection
        self.suspended: list[str] = []
        self.search_tables: list[str] = []

    def _statement(self, model: type[models.Model], attnames: Sequence[str]) -> str:
        cols = db_columns(model, attnames)
        names = ", ".join(_quote(c) for c in cols)
        marks = ", ".join("?" * len(cols))
        return f"INSERT INTO {_quote(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608

    def next_ids(self) -> dict[str, int]:
        # AUTOINCREMENT keeps the highest id ever used in sqlite_sequence: start above it so ids of
        # deleted rows (still named in events and audit entries) are never handed out again.
        out = {}
        for key, (model, _) in TABLES.items():
            table = model._meta.db_table
            row = self.raw.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
            out[key] = max(self._max_id(table), int(row[0]) if row else 0) + 1
        return out

    def write(self, key: str, rows: list[Row]) -> None:
        self.raw.executemany(self.statements[key], rows)

    def suspend_indexes(self) -> None:
        """Drop the secondary indexes of the loaded tables; :meth:`restore_indexes` recreates them.

        Maintaining nine indexes row by row made contacts three times slower to insert than building
        each index once, sorted, at the end. The exact CREATE INDEX text comes from sqlite_master, and
        it all happens inside the load's transaction, so a failure rolls the drop back too. Indexes
        behind UNIQUE columns (sqlite_autoindex_*) cannot be dropped and keep enforcing uniqueness.
        """
        for model, _ in TABLES.values():
            found = self.raw.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                (model._meta.db_table,),
            ).fetchall()
            for name, sql in found:
                self.raw.execute(f"DROP INDEX {_quote(name)}")
                self.suspended.append(sql)
            if issubclass(model, SearchableModel):
                # The search index is re-read from the table once at the end instead of row by row.
                search.drop_triggers(connection, model._meta.db_table)
                self.search_tables.append(model._meta.db_table)

    def restore_indexes(self) -> None:
        for sql in self.suspended:
            self.raw.execute(sql)
        self.suspended.clear()
        for table in self.search_tables:
            search.rebuild(connection, table)
        self.search_tables.clear()

    def finish(self, written: Mapping[str, int]) -> None:
        # Explicit ids move sqlite_sequence forward by themselves; nothing to reset. Statistics, or the
        # planner guesses that a team owns ten rows and sorts half the table for a list page.
        for key, (model, _) in TABLES.items():
            if written.get(key):
                self.raw.execute(f"ANALYZE {_quote(model._meta.db_table)}")


class PostgreSQLWriter(_Base):
    """``COPY … FROM STDIN`` through psycopg 3 on Django's connection (in its transaction)."""

    def __init__(self) -> None:
        super().__init__()
        self.wrapper = connection.cursor()
        self.cursor: Any = self.wrapper.cursor
        # Kizuna's statement_timeout guards web requests; one COPY of a chunk may take longer.
        # The demo rows carry naive UTC text timestamps, read in the session's time zone.
        self.cursor.execute("SET LOCAL statement_timeout = 0")
        self.cursor.execute("SET LOCAL synchronous_commit = off")
        self.cursor.execute("SET LOCAL TIME ZONE 'UTC'")
        self.foreign_keys: list[tuple[str, str, str]] = []
        self.indexes: list[tuple[str, str]] = []

    def _statement(self, model: type[models.Model], attnames: Sequence[str]) -> str:
        names = ", ".join(_quote(c) for c in db_columns(model, attnames))
        return f"COPY {_quote(model._meta.db_table)} ({names}) FROM STDIN"

    def next_ids(self) -> dict[str, int]:
        out = {}
        for key, (model, _) in TABLES.items():
            table = model._meta.db_table
            self.cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", (_quote(table),))
            sequence = self.cursor.fetchone()[0]
            self.cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608 - from the catalog
            last_value, is_called = self.cursor.fetchone()
            # Start above every id the sequence ever handed out, even of rows deleted since.
            used = int(last_value) if is_called else int(last_value) - 1
            out[key] = max(self._max_id(table), used) + 1
        return out

    def write(self, key: str, rows: list[Row]) -> None:
        with self.cursor.copy(self.statements[key]) as copy:
            for row in rows:
                copy.write_row(row)

    def suspend_indexes(self) -> None:
        """Drop the loaded tables' foreign keys and plain indexes; :meth:`restore_indexes` recreates them.

        Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: each COPY'd row queues one trigger
        per key, all run at COMMIT (22 s for 1M rows here). Re-adding a key checks every row in one
        join instead, and building an index once beats updating it per row. Definitions come from
        pg_get_constraintdef/pg_get_indexdef, inside the load's transaction: a failure rolls it all
        back. Primary keys and unique constraints stay and keep checking every row.
        """
        tables = [model._meta.db_table for model, _ in TABLES.values()]
        # The reference rows (users, teams …) written earlier in this transaction queued deferred
        # foreign-key checks; PostgreSQL refuses to ALTER a table with pending trigger events, so run
        # them now.
        self.cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            (tables,),
        )
        self.foreign_keys = self.cursor.fetchall()
        self.cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " WHERE i.indrelid::regclass::text = ANY(%s)"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
            (tables,),
        )
        self.indexes = self.cursor.fetchall()
        for table, name, _ in self.foreign_keys:
            self.cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_quote(name)}")
        for name, _ in self.indexes:
            self.cursor.execute(f"DROP INDEX {name}")

    def restore_indexes(self) -> None:
        self.cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in self.indexes:
            self.cursor.execute(definition)
        for table, name, definition in self.foreign_keys:
            # Validates every row: a demo row pointing nowhere fails the whole load here.
            self.cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {_quote(name)} {definition}")
        self.indexes, self.foreign_keys = [], []
        self.cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # back to Django's default

    def finish(self, written: Mapping[str, int]) -> None:
        # The ids were set by the generator, so the sequences have not moved: bring each one up to the
        # highest id, or the next ORM insert would collide with a demo row.
        for key, (model, _) in TABLES.items():
            if written.get(key):
                table = _quote(model._meta.db_table)
                self.cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM {table}))",  # noqa: S608
                    (table,),
                )
                # Fresh statistics, or the planner treats a million-row table as empty until autovacuum.
                self.cursor.execute(f"ANALYZE {table}")
        self.wrapper.close()


def make_writer() -> BulkWriter:
    if connection.vendor == "postgresql":
        return PostgreSQLWriter()
    if connection.vendor == "sqlite":
        return SQLiteWriter()
    raise DemoSchemaError(f"kizuna demo supports SQLite and PostgreSQL, not {connection.vendor}")


# PRAGMA -> value for the load. synchronous=OFF skips the fsyncs; a 1 GiB page cache keeps the hot
# pages of the growing tables in memory; temp_store=MEMORY and two sorter threads make the final
# CREATE INDEX (40 s of a million-contact load) sort in memory, on both cores.
_LOAD_PRAGMAS: Final = {
    "synchronous": "OFF",
    "cache_size": "-1048576",
    "temp_store": "MEMORY",
    "threads": "2",
}


@contextmanager
def sqlite_tuning() -> Iterator[None]:
    """Tune SQLite for the load only and restore every setting afterwards.

    A power cut during the load could lose the demo data (it is rolled back or simply missing), which
    can be loaded again. Foreign keys stay on. PRAGMAs cannot change inside a transaction, so this
    is a no-op when called in one.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    saved: dict[str, int] = {}
    with connection.cursor() as cursor:
        for name, value in _LOAD_PRAGMAS.items():
            cursor.execute(f"PRAGMA {name}")
            saved[name] = int(cursor.fetchone()[0])
            cursor.execute(f"PRAGMA {name} = {value}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name, previous in saved.items():
                cursor.execute(f"PRAGMA {name} = {previous}")
