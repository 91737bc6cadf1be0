"""Pagination that stays fast at region scale (100,000 classes, 3 million trainees), shared by every list.

- Page before annotating: the page's ids come from the plain (scoped, filtered, ordered) queryset, and only those
  rows are read again with what the page shows (``rows_for``), so no query groups millions of rows for 25 lines.
- Count without counting millions on every request: up to ``EXACT_UP_TO`` rows the count is exact (a bounded
  ``COUNT`` over at most that many rows); beyond, an unfiltered table takes PostgreSQL's own estimate
  (``pg_class.reltuples``) and a filtered list a count kept in the cache for ``CACHED_COUNT_SECONDS``. Either is
  shown as "约 N 条" (``is_estimated``). No policy figure is read from here: these counts only size the pager.
"""

import hashlib
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

EXACT_UP_TO = 2_000
CACHED_COUNT_SECONDS = 300


class ScaledPaginator(Paginator):
    def __init__(self, object_list: QuerySet, per_page: int, *, rows_for: Callable[[list[int]], Iterable] | None = None):
        super().__init__(object_list, per_page)
        self.rows_for = rows_for
        self.is_estimated = False

    @cached_property
    def count(self) -> int:
        total, self.is_estimated = scaled_count(self.object_list)
        return total

    def page(self, number):
        page = super().page(number)
        if self.rows_for is not None:
            ids = list(page.object_list.values_list("pk", flat=True))
            rows = {row.pk: row for row in self.rows_for(ids)}
            page.object_list = [rows[pk] for pk in ids if pk in rows]
        return page


def scaled_count(queryset: QuerySet) -> tuple[int, bool]:
    """(how many rows, whether that is an estimate): exact up to EXACT_UP_TO rows, else estimated or cached.

    A list already counted beyond EXACT_UP_TO in the last CACHED_COUNT_SECONDS takes that count without the bounded
    count (at 100,000 classes the bounded count of the league's review queue cost 30–50 ms per request); it may
    then say "约 N" for up to that time after the list shrank below the limit. Only the pager reads it."""
    try:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # .none() or an empty IN: nothing to count
        return 0, False
    key = "page-count:" + hashlib.sha256(repr((queryset.db, sql, params)).encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return cached, True
    bounded = queryset.order_by().values("pk")[: EXACT_UP_TO + 1].count()
    if bounded <= EXACT_UP_TO:
        return bounded, False
    if not queryset.query.where and connections[queryset.db].vendor == "postgresql":
        return max(_table_estimate(queryset), bounded), True
    total = queryset.order_by().count()
    cache.set(key, total, CACHED_COUNT_SECONDS)
    return total, True


def count_label(queryset: QuerySet) -> int | str:
    """A count for a badge: the number itself, or "约 N" beyond the exact limit."""
    total, is_estimated = scaled_count(queryset)
    return f"约 {total}" if is_estimated else total


def _table_estimate(queryset: QuerySet) -> int:
    with connections[queryset.db].cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [queryset.model._meta.db_table])
        row = cursor.fetchone()
    return int(row[0]) if row else 0



class QuerysetsInSequence:
    """Two ordered querysets read as one list, every row of ``first`` before those of ``second``, for a Paginator.

    For an order PostgreSQL cannot walk by an index across a LEFT JOIN (the opening list: the review's submission
    time, never-submitted classes last), each part walks its own index. Like ScaledPaginator, a page reads the
    ids of its rows from the parts, then only those rows with what it shows (``rows_for``). A page inside
    ``first`` reads one part; ``first`` is counted only for a page wholly beyond it. ``total`` is the whole list
    (both parts), counted for the pager.
    """

    def __init__(self, first: QuerySet, second: QuerySet, *, total: QuerySet, rows_for: Callable[[list[int]], Iterable]):
        self.first, self.second, self.total, self.rows_for = first, second, total, rows_for

    def count(self) -> int:
        return self.total.count()

    def __getitem__(self, key: slice) -> list:
        if not isinstance(key, slice) or key.step is not None or key.stop is None:
            raise TypeError("QuerysetsInSequence reads a page: a slice with an end")
        start, stop = key.start or 0, key.stop
        ids = list(self.first.values_list("pk", flat=True)[start:stop])
        if len(ids) < stop - start:
            first_count = start + len(ids) if ids else self.first.count()
            ids += self.second.values_list("pk", flat=True)[max(0, start - first_count):stop - first_count]
        rows = {row.pk: row for row in self.rows_for(ids)} if ids else {}
        return [rows[pk] for pk in ids if pk in rows]
