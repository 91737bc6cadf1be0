"""Counts of related rows that a paged list can afford (STYLE.md, "Figures at scale": page before you annotate)."""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce


def related_count(related: QuerySet, *, field: str) -> Coalesce:
    """The number of ``related`` rows whose ``field`` points at the outer row, as a correlated subquery. PostgreSQL
    evaluates an expensive select-list expression after ORDER BY … LIMIT, so a page counts the related rows of its
    own rows only, where a JOIN + GROUP BY (``Count("enrollments")``) counts those of every row before paging, and
    the page count (which drops unused annotations) does not join them at all."""
    counted = related.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(number=Count("pk")).values("number")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
