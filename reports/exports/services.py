"""Exports of a list: written inside the request up to settings.EXPORT_INLINE_MAX_ROWS rows, above it by a
worker through the GeneratedDocument machinery (reports/services.py), with its progress counted in rows.

Either way the rows are read in chunks (QuerySet.iterator) and written in openpyxl's write-only mode to a
temporary file, so a web worker or a Celery worker holds one chunk at a time, never the whole list.
"""

import tempfile
from collections.abc import Callable, Iterator
from itertools import islice
from typing import IO

from django.conf import settings
from django.db.models import QuerySet
from django.http import QueryDict

from accounts.models import User
from xingan_training.errors import ServiceError

from .columns import ListExport
from .workbook import write_workbook

CHUNK_ROWS = 2000
# Parameters of the list page that do not choose rows.
IGNORED_PARAMETERS = ("page",)
QUERY_MAX_LENGTH = 2000


def export_query(params: QueryDict) -> str:
    """The list page's query string without its page number: what a background export stores and re-reads."""
    query = params.copy()
    for name in IGNORED_PARAMETERS:
        query.pop(name, None)
    encoded = query.urlencode()
    if len(encoded) > QUERY_MAX_LENGTH:
        raise ServiceError("筛选条件过长，无法导出，请减少筛选条件后重试。")
    return encoded


def row_count(rows) -> int:
    return rows.count() if isinstance(rows, QuerySet) else len(rows)


def is_inline(rows) -> bool:
    """Small enough to write within the request (settings.EXPORT_INLINE_MAX_ROWS); above it a worker writes it."""
    return row_count(rows) <= settings.EXPORT_INLINE_MAX_ROWS


def _batches(spec: ListExport, user: User, rows) -> Iterator:
    iterator = rows.iterator(chunk_size=CHUNK_ROWS) if isinstance(rows, QuerySet) else iter(rows)
    while batch := list(islice(iterator, CHUNK_ROWS)):
        yield spec.prepared(user, batch)


def reveals_personal_data(spec: ListExport, user: User) -> bool:
    """Whether this export prints full ID or phone numbers for ``user``: only when the list has such a column
    and the list's rule says the role needs it."""
    return spec.has_personal_data(user) and spec.reveals_personal_data(user)


def audit_detail(spec: ListExport, user: User, rows: int, *, reveal: bool) -> str:
    """The audit line of an audited export (ListExport.is_audited): which list, how, how many rows."""
    if not spec.has_personal_data(user):
        return f"导出{spec.title}（{rows}行）"
    how = "含完整身份证号、电话" if reveal else "脱敏"
    return f"导出{spec.title}（{how}，{rows}行）"


def list_export_write(
    *, spec: ListExport, user: User, rows, target, reveal: bool, on_progress: Callable[[int], None] | None = None
) -> int:
    """Writes ``rows`` (``spec.rows``: the list's selector, read through the user's scope) to ``target``;
    returns the row count."""
    return write_workbook(
        target, title=spec.title, columns=spec.columns_for(user), batches=_batches(spec, user, rows), reveal=reveal,
        on_progress=on_progress,
    )


def list_export_file(*, spec: ListExport, user: User, rows) -> tuple[IO[bytes], int]:
    """The inline path: the workbook in an anonymous temporary file (gone when closed), rewound for reading."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the FileResponse that streams it)
    written = list_export_write(spec=spec, user=user, rows=rows, target=handle, reveal=reveals_personal_data(spec, user))
    handle.seek(0)
    return handle, written
