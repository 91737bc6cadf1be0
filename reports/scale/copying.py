"""Streaming rows into PostgreSQL with COPY (psycopg 3), with primary keys allocated by the loader.

The loader gives every row its id itself, so that rows of later tables can point at rows of earlier ones
without reading them back; each table's sequence is moved past the ids used once the table is written.
"""

import time
from collections.abc import Iterable, Sequence
from contextlib import contextmanager

from django.db import connection
from django.db.models import Model


class Progress:
    """Prints one line per table: rows, seconds, rows per second."""

    def __init__(self, write):
        self.write = write
        self.started = time.monotonic()
        self.counts: dict[str, int] = {}

    def table(self, label: str, rows: int, seconds: float) -> None:
        self.counts[label] = self.counts.get(label, 0) + rows
        rate = f"{rows / seconds:,.0f} 行/秒" if seconds > 0 else "—"
        self.write(f"  {label:<44} {rows:>10,} 行  {seconds:7.1f} 秒  {rate}")

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


def next_id(model: type[Model]) -> int:
    """The first free primary key of a table (1 on an empty table)."""
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) + 1 FROM {table}")
        return cursor.fetchone()[0]


def move_sequence(model: type[Model]) -> None:
    """Moves a table's id sequence past the ids the loader gave, so the portal's own inserts do not collide."""
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
        sequence = cursor.fetchone()[0]
        if sequence:
            cursor.execute(
                f"SELECT setval(%s, COALESCE((SELECT MAX({connection.ops.quote_name(pk)}) FROM "
                f"{connection.ops.quote_name(table)}), 0) + 1, false)",
                [sequence],
            )


def copy_rows(model: type[Model] | str, fields: Sequence[str], rows: Iterable[Sequence], *,
              progress: Progress, label: str | None = None) -> int:
    """COPY ``rows`` (tuples in the order of ``fields``, model field names or, for a through table given by
    name, column names) into the model's table. Returns the number of rows written."""
    if isinstance(model, str):
        table, columns = model, list(fields)
    else:
        table = model._meta.db_table
        columns = [model._meta.get_field(name).column for name in fields]
    started = time.monotonic()
    count = 0
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        with cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    if not isinstance(model, str):
        move_sequence(model)
    progress.table(label or table, count, time.monotonic() - started)
    return count


class ForeignKeyViolation(Exception):
    pass


@contextmanager
def foreign_keys_checked_at_the_end(progress: Progress):
    """Inside the load's transaction: PostgreSQL's row-by-row foreign-key triggers are skipped while rows are
    copied (session_replication_role = replica, superuser only), and every foreign key of the schema is then
    checked set-wise, one anti-join per constraint, before the transaction commits. A dangling reference raises
    and the whole load rolls back: the same guarantee as the triggers, in a fraction of the time (the triggers
    cost about a third of the load). The schema is not touched. Without superuser rights the triggers run."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        is_superuser = cursor.fetchone()[0]
        if is_superuser:
            cursor.execute("SET LOCAL session_replication_role = replica")
    yield
    if not is_superuser:
        return
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = origin")
        cursor.execute("""
            SELECT c.conname, c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, af.attname
            FROM pg_constraint c
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
            WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
              AND cardinality(c.conkey) = 1
        """)
        constraints = cursor.fetchall()
        for name, table, column, parent, parent_column in constraints:
            quote = connection.ops.quote_name
            cursor.execute(
                f"SELECT count(*) FROM {table} AS child WHERE child.{quote(column)} IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {parent} AS parent WHERE parent.{quote(parent_column)} = child.{quote(column)})"
            )
            dangling = cursor.fetchone()[0]
            if dangling:
                raise ForeignKeyViolation(f"{table}.{column}: {dangling} 行引用的 {parent} 不存在（{name}）")
    progress.table(f"外键检查（{len(constraints)} 个约束）", 0, time.monotonic() - started)
