"""The per-class counts of valid 附表2 (TraineeFormCounts), kept exact by the services that add or void a form.

Only evaluations.services calls ``trainee_form_counts_add`` and ``trainee_form_counts_remove``, inside the transaction
that writes the form: a rolled-back form never counted, a committed one always did. The row is one per class, so
two forms of the same class at the same moment queue on its lock for the few milliseconds until commit; forms of
different classes never wait for each other. ``trainee_form_counts_rebuild`` recounts from the forms, for the
loaders that write forms in bulk (seed_scale, the demo) and never through a service.
"""

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, F, Q

from . import rules
from .models import TraineeEvaluation, TraineeFormCounts

GOOD_ITEM_7 = (rules.EXCELLENT, rules.GOOD)
OVERALL_COLUMNS = tuple(f"overall_{rating}" for rating in rules.RATINGS)


def _is_good_item_7(form: TraineeEvaluation) -> int:
    return int(form.item_7 in GOOD_ITEM_7)


def _overall_column(form: TraineeEvaluation) -> str:
    # A column name from a fixed list, never from the request: the rating was validated with the form.
    if form.overall not in rules.RATINGS:
        raise ValueError(f"unknown overall rating {form.overall!r}")
    return f"overall_{form.overall}"


def trainee_form_counts_add(*, form: TraineeEvaluation) -> None:
    """A valid form was just written, in the caller's open transaction. One statement (the public form's
    submissions are the portal's busiest writes): the class's first form inserts its row, every later one adds to
    it under the row lock, relative to what is committed (a concurrent first form of the same class waits for
    the other's commit, then adds). PostgreSQL and SQLite both read this upsert."""
    assert transaction.get_connection().in_atomic_block, "the count changes in the form's own transaction"
    table = connection.ops.quote_name(TraineeFormCounts._meta.db_table)
    overall = _overall_column(form)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (training_class_id, valid_forms, item_7_good, {', '.join(OVERALL_COLUMNS)}) "
            f"VALUES (%s, 1, %s, {', '.join('1' if column == overall else '0' for column in OVERALL_COLUMNS)}) "
            f"ON CONFLICT (training_class_id) DO UPDATE SET valid_forms = {table}.valid_forms + 1, "
            f"item_7_good = {table}.item_7_good + excluded.item_7_good, {overall} = {table}.{overall} + 1",
            [form.training_class_id, _is_good_item_7(form)],
        )


def trainee_form_counts_remove(*, form: TraineeEvaluation) -> None:
    """A valid form was just voided, in the caller's open transaction. The class's row exists (the form was
    counted when it was written, or by the loaders' recount); a count below zero fails the transaction."""
    assert transaction.get_connection().in_atomic_block, "the count changes in the form's own transaction"
    changed = TraineeFormCounts.objects.filter(training_class_id=form.training_class_id).update(
        valid_forms=F("valid_forms") - 1, item_7_good=F("item_7_good") - _is_good_item_7(form),
        **{_overall_column(form): F(_overall_column(form)) - 1},
    )
    if changed != 1:
        raise TraineeFormCounts.DoesNotExist(f"no form counts for class {form.training_class_id}")


def trainee_form_counts_rebuild(*, class_ids: Iterable[int] | None = None) -> int:
    """Recounts the classes' rows from their valid forms (every class when ``class_ids`` is None): for bulk
    loaders that write forms without the services. Returns the number of rows written."""
    forms = TraineeEvaluation.objects.filter(is_valid=True)
    rows = TraineeFormCounts.objects.all()
    if class_ids is not None:
        class_ids = list(class_ids)
        forms = forms.filter(training_class_id__in=class_ids)
        rows = rows.filter(training_class_id__in=class_ids)
    counted = [
        TraineeFormCounts(training_class_id=row["training_class"], valid_forms=row["valid"], item_7_good=row["good"],
                          **{f"overall_{rating}": row[f"overall_{rating}"] for rating in rules.RATINGS})
        for row in forms.order_by().values("training_class").annotate(
            valid=Count("pk"), good=Count("pk", filter=Q(item_7__in=GOOD_ITEM_7)),
            **{f"overall_{rating}": Count("pk", filter=Q(overall=rating)) for rating in rules.RATINGS},
        )
    ]
    with transaction.atomic():
        rows.delete()
        TraineeFormCounts.objects.bulk_create(counted, batch_size=5000)
    return len(counted)
