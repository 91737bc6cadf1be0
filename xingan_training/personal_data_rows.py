"""Rewriting encrypted columns in place, in batches: the data migrations (clear <-> encrypted) and
``manage.py reencrypt_personal_data`` (old key -> current key).

Works on raw column values through SQL, never through the model fields, so it reads clear text and ciphertext
alike and runs against the historical models of a migration. Each batch is one SELECT by primary key and one
UPDATE statement per set of changed columns (executemany); memory stays bounded whatever the table size.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from . import personal_data

BATCH_SIZE = 2000


@dataclass(frozen=True)
class Column:
    name: str
    purpose: str
    digest: str = ""  # the blind index column kept beside it, if any


# A rewrite takes a stored value (never empty) and its column, and returns the value to store and the digest to
# store beside it (None: keep the digest), or None to leave the value as it is.
Rewrite = Callable[[str, Column], tuple[str, str | None] | None]


def rewrite_table(connection, *, table: str, pk: str, columns: list[Column], rewrite: Rewrite,
                  batch_size: int = BATCH_SIZE) -> int:
    """Passes every non-empty value of ``columns`` through ``rewrite``; returns the number of rows written."""
    quote = connection.ops.quote_name
    selected = ", ".join(quote(column.name) for column in columns)
    written, last_pk = 0, None
    with connection.cursor() as cursor:
        while True:
            after = f"WHERE {quote(pk)} > %s " if last_pk is not None else ""
            cursor.execute(
                f"SELECT {quote(pk)}, {selected} FROM {quote(table)} {after}ORDER BY {quote(pk)} LIMIT %s",
                [last_pk, batch_size] if last_pk is not None else [batch_size],
            )
            rows = cursor.fetchall()
            if not rows:
                return written
            last_pk = rows[-1][0]
            # Rows that change the same columns share one statement, sent with executemany (pipelined).
            updates: dict[tuple[str, ...], list[list]] = defaultdict(list)
            for row_pk, *values in rows:
                assigned, parameters = [], []
                for column, value in zip(columns, values):
                    result = rewrite(value, column) if value else None
                    if result is None:
                        continue
                    new_value, digest = result
                    assigned.append(column.name)
                    parameters.append(new_value)
                    if column.digest and digest is not None:
                        assigned.append(column.digest)
                        parameters.append(digest)
                if assigned:
                    updates[tuple(assigned)].append([*parameters, row_pk])
            with transaction.atomic(using=connection.alias):  # a batch is written whole or not at all
                for assigned, parameter_rows in updates.items():
                    assignments = ", ".join(f"{quote(name)} = %s" for name in assigned)
                    cursor.executemany(
                        f"UPDATE {quote(table)} SET {assignments} WHERE {quote(pk)} = %s", parameter_rows
                    )
                    written += len(parameter_rows)


def encrypt_value(value: str, column: Column) -> tuple[str, str]:
    """Clear text -> ciphertext and its digest (forward data migration)."""
    return personal_data.encrypt(value, column.purpose), personal_data.blind_index(value, column.purpose)


def decrypt_value(value: str, column: Column) -> tuple[str, None]:
    """Ciphertext -> clear text (reverse data migration; the digest column is dropped after it)."""
    return personal_data.decrypt(value, column.purpose), None


def reencrypt_value(value: str, column: Column) -> tuple[str, None] | None:
    """A value under an old key -> the same value under the current key; the digest does not change."""
    if not personal_data.needs_reencryption(value):
        return None
    return personal_data.encrypt(personal_data.decrypt(value, column.purpose), column.purpose), None


def rewrite_models(apps, schema_editor, specs: dict[str, list[Column]], rewrite: Rewrite) -> None:
    """For data migrations: ``specs`` maps "app_label.ModelName" (historical models included) to its columns."""
    for label, columns in specs.items():
        model = apps.get_model(label)
        rewrite_table(schema_editor.connection, table=model._meta.db_table, pk=model._meta.pk.column,
                      columns=columns, rewrite=rewrite)
