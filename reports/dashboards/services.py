"""Keeping the summary rows (ClassFigures) in step with the records they count."""

from collections.abc import Iterator

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from classes.models import Enrollment, TrainingClass
from evaluations.selectors import (
    conclusion_from_facts,
    coverage_from_facts,
    grade_from_facts,
    with_review_facts,
)
from followups.models import FollowupSample
from followups.selectors import (
    employment_grades_by,
    grades_from_counts,
    with_completion_counts,
)

from .figures import MONTH_SUMMED, area_sums
from .models import EMPLOYMENT_FIELDS, ClassFigures, FiguresRefresh, InstitutionFigures, MonthFigures

BATCH_SIZE = 500
REFRESH_RUNS_KEPT = 50
COUNTED_FIELDS = [field.name for field in ClassFigures._meta.concrete_fields if field.name != "training_class"]


def _batches(class_ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(class_ids), BATCH_SIZE):
        yield class_ids[start:start + BATCH_SIZE]


def _counted(class_ids: list[int]) -> dict[int, ClassFigures]:
    """The figures of a batch of classes, from the selectors the class pages use: four queries per batch."""
    samples = {
        row["training_class_id"]: row
        for row in with_completion_counts(FollowupSample.objects.filter(training_class_id__in=class_ids)).values(
            "training_class_id", "target_size", "completed", "on_time", "due_date"
        )
    }
    employment = employment_grades_by(Enrollment.objects.filter(training_class_id__in=class_ids), "training_class_id")
    no_employment = grades_from_counts({})
    figures = {}
    for facts in with_review_facts(TrainingClass.objects.filter(pk__in=class_ids)):
        sample = samples.get(facts.pk)
        row = ClassFigures(
            training_class_id=facts.pk,
            conclusion=conclusion_from_facts(facts, grade_from_facts(facts)),
            enrolled=facts.enrolled_total,
            completed=facts.completed_total,
            valid_forms=facts.forms_from_completed,
            is_form_coverage_sufficient=coverage_from_facts(facts),
            has_followup_sample=sample is not None,
            followup_target=sample["target_size"] if sample else 0,
            followup_completed=sample["completed"] if sample else 0,
            followup_on_time=sample["on_time"] if sample else 0,
            followup_due_date=sample["due_date"] if sample else None,
        )
        for grade in employment.get(facts.pk, no_employment):
            total_field, successes_field = EMPLOYMENT_FIELDS[grade.group]
            setattr(row, total_field, grade.total)
            setattr(row, successes_field, grade.successes)
        figures[facts.pk] = row
    return figures


def _values(row: ClassFigures) -> tuple:
    return tuple(getattr(row, name) for name in COUNTED_FIELDS)


def class_figures_refresh() -> FiguresRefresh:
    """Recounts every finished class and writes the rows that changed; drops the rows of classes no longer
    finished. Run by the beat task (reports.refresh_class_figures) and by seed_demo; safe to run twice at once
    (the writes are upserts of the same counts). Reads every class on purpose: the rows are the league-wide
    summary that the scoped pages then read through classes_visible_to."""
    started_at = timezone.now()
    class_ids = list(
        TrainingClass.objects.filter(status=TrainingClass.Status.FINISHED).order_by("pk").values_list("pk", flat=True)
    )
    changed = 0
    for batch in _batches(class_ids):
        counted = _counted(batch)
        stored = {row.training_class_id: _values(row) for row in ClassFigures.objects.filter(training_class_id__in=batch)}
        rows = [row for pk, row in counted.items() if stored.get(pk) != _values(row)]
        if rows:
            ClassFigures.objects.bulk_create(
                rows, update_conflicts=True, unique_fields=["training_class"], update_fields=COUNTED_FIELDS
            )
        changed += len(rows)
    with transaction.atomic():
        changed += ClassFigures.objects.exclude(training_class__status=TrainingClass.Status.FINISHED).delete()[0]
        institution_figures_rebuild()
        month_figures_rebuild()
        run = FiguresRefresh.objects.create(
            started_at=started_at, finished_at=timezone.now(), classes_checked=len(class_ids), rows_changed=changed
        )
        old_runs = FiguresRefresh.objects.order_by("-finished_at", "-pk").values_list("pk", flat=True)[REFRESH_RUNS_KEPT:]
        FiguresRefresh.objects.filter(pk__in=list(old_runs)).delete()
    return run


EMPLOYMENT_COUNTED = [name for pair in EMPLOYMENT_FIELDS.values() for name in pair]


def institution_figures_rebuild() -> int:
    """Sums the ClassFigures rows per institution into InstitutionFigures (one grouped query over the summary rows,
    not the enrolments); called by class_figures_refresh inside its closing transaction, so that a reader sees the
    per-institution sums of the same run that FiguresRefresh dates. Returns the number of institutions."""
    sums = (
        ClassFigures.objects.values("training_class__institution")
        .annotate(**{name: Sum(name) for name in (*EMPLOYMENT_COUNTED, "enrolled")}, finished_classes=Count("pk"))
        .order_by()
    )
    rows = [
        InstitutionFigures(institution_id=row["training_class__institution"],
                           **{name: row[name] for name in (*EMPLOYMENT_COUNTED, "enrolled", "finished_classes")})
        for row in sums
    ]
    InstitutionFigures.objects.all().delete()
    # As in month_figures_rebuild: a refresh running at the same time inserts rows this delete does not see; ours then
    # overwrite them instead of failing on the primary key.
    InstitutionFigures.objects.bulk_create(rows, update_conflicts=True, unique_fields=["institution"],
                                           update_fields=[*EMPLOYMENT_COUNTED, "enrolled", "finished_classes"])
    return len(rows)


def month_figures_rebuild() -> int:
    """Sums the ClassFigures rows per institution and month of the training's end into MonthFigures, with the
    aggregates the live dashboards use (figures.area_sums, the follow-up states as of today); called by
    class_figures_refresh inside its closing transaction, so that the dashboards read the sums of the run whose time
    they show. Returns the number of rows."""
    sums = area_sums(today=timezone.localdate())
    del sums["uncounted"]  # every class grouped here has its row
    grouped = (
        TrainingClass.objects.filter(status=TrainingClass.Status.FINISHED, figures__isnull=False)
        .annotate(month=TruncMonth("end_date")).values("institution", "month").annotate(**sums).order_by()
    )
    rows = [
        MonthFigures(institution_id=row["institution"], month=row["month"], **{name: row[name] for name in MONTH_SUMMED})
        for row in grouped
    ]
    MonthFigures.objects.all().delete()
    # Two refreshes at once: the second's delete does not see the rows the first inserted meanwhile, so its inserts
    # overwrite those rows rather than collide with them.
    MonthFigures.objects.bulk_create(rows, batch_size=2_000, update_conflicts=True,
                                     unique_fields=["institution", "month"], update_fields=MONTH_SUMMED)
    return len(rows)


def classes_employment_counts(classes) -> tuple[dict[str, tuple[int, int]], object]:
    """The reader supervision's performance list calls for the league's year (registered in ReportsConfig.ready):
    the policy §4 (successes, total) per group summed over the summary rows of ``classes`` (already scoped by the
    caller), and when the refresh that wrote them finished."""
    sums = ClassFigures.objects.filter(training_class__in=classes).aggregate(
        **{name: Sum(name) for name in EMPLOYMENT_COUNTED})
    counts = {
        group: (sums[successes_field] or 0, sums[total_field] or 0)
        for group, (total_field, successes_field) in EMPLOYMENT_FIELDS.items()
    }
    run = FiguresRefresh.objects.order_by("-finished_at", "-pk").first()
    return counts, run.finished_at if run else None


def institution_employment_counts(institutions) -> tuple[dict[int, dict[str, dict]], object]:
    """The reader followups' employment overview calls (registered in ReportsConfig.ready): the summed policy §4
    counts of ``institutions`` (already scoped by the caller) and when the refresh that wrote them finished."""
    counts = {
        row.institution_id: {
            group: {"total": getattr(row, total_field), "successes": getattr(row, successes_field)}
            for group, (total_field, successes_field) in EMPLOYMENT_FIELDS.items()
        }
        for row in InstitutionFigures.objects.filter(institution__in=institutions)
    }
    run = FiguresRefresh.objects.order_by("-finished_at", "-pk").first()
    return counts, run.finished_at if run else None
