"""The per-class counts of valid 附表2 (TraineeFormCounts), kept exact by the services that add or void a form.

Only evaluations.services calls ``trainee_form_counts_add`` and ``trainee_form_counts_remove``, inside the transaction
that writes the form: a rolled-back form never counted, a committed one always did. The row is one per class, so
two forms of the same class at the same moment queue on its lock for the few milliseconds until commit; forms of
different classes never wait for each other. ``trainee_form_counts_rebuild`` recounts from the forms, for the
loaders that write forms in bulk (seed_scale, the demo) and never through a service.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, F, Q

from . import rules
from .models import TraineeEvaluation, TraineeFormCounts

GOOD_ITEM_7 = (rules.EXCELLENT, rules.GOOD)


def _change(form: TraineeEvaluation, step: int) -> None:
    # Make sure the class has its row (a concurrent first form of the same class inserts nothing here and waits
    # for the other's commit), then change it under its row lock, relative to what is committed.
    TraineeFormCounts.objects.bulk_create([TraineeFormCounts(training_class_id=form.training_class_id)], ignore_conflicts=True)
    changes = {"valid_forms": F("valid_forms") + step}
    if form.item_7 in GOOD_ITEM_7:
        changes["item_7_good"] = F("item_7_good") + step
    TraineeFormCounts.objects.filter(training_class_id=form.training_class_id).update(**changes)


def trainee_form_counts_add(*, form: TraineeEvaluation) -> None:
    """A valid form was just written, in the caller's open transaction."""
    assert transaction.get_connection().in_atomic_block, "the count changes in the form's own transaction"
    _change(form, +1)


def trainee_form_counts_remove(*, form: TraineeEvaluation) -> None:
    """A valid form was just voided, in the caller's open transaction."""
    assert transaction.get_connection().in_atomic_block, "the count changes in the form's own transaction"
    _change(form, -1)


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
        TraineeFormCounts(training_class_id=row["training_class"], valid_forms=row["valid"], item_7_good=row["good"])
        for row in forms.order_by().values("training_class").annotate(
            valid=Count("pk"), good=Count("pk", filter=Q(item_7__in=GOOD_ITEM_7))
        )
    ]
    with transaction.atomic():
        rows.delete()
        TraineeFormCounts.objects.bulk_create(counted, batch_size=5000)
    return len(counted)
