"""Scoped reads of fraud signals (policy §8.4). Pages read signals only through these.

County staff see the signals of their county's classes, league staff those of their league, superusers all.
Institutions never see a signal: they are the supervised party (the evidence is the bureaus', as with attendance
photos and follow-up calls).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import Role
from accounts.scoping import scope_to_user
from classes.models import Institution, Occupation, Region, TrainingClass
from classes.selectors import classes_visible_to

from .models import FraudSignal
from .signal_evidence import EvidenceView, evidence_view


def can_read_signals(user) -> bool:
    return bool(
        user.is_authenticated and user.is_active and (user.is_superuser or user.read_role in (Role.COUNTY, Role.LEAGUE))
    )


def fraud_signals_visible_to(user) -> QuerySet[FraudSignal]:
    if not can_read_signals(user):
        return FraudSignal.objects.none()
    return scope_to_user(
        FraudSignal.objects.all(), user,
        county_path="training_class__institution__county", institution_path="training_class__institution",
    )


# Open first, then dismissed, then no longer found; the newest finding first within each.
_STATUS_ORDER = Case(
    When(status=FraudSignal.Status.OPEN, then=Value(0)),
    When(status=FraudSignal.Status.DISMISSED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def signals_filtered_for(
    user, *, kind: str = "", status: str = "", county: Region | int | None = None,
    institution: Institution | int | None = None, occupation: Occupation | int | None = None, category: str = "",
    start_from: date | None = None, start_to: date | None = None, query: str = "",
) -> QuerySet[FraudSignal]:
    """The user's signals narrowed by the list's filters, unordered: the list and the dashboard's figure (which
    links each count to the list with the same filters) count the same rows. The period filters the classes'
    start dates, both ends included; the search matches the batch number or the institution's name."""
    signals = fraud_signals_visible_to(user)
    if kind:
        signals = signals.filter(kind=kind)
    if status:
        signals = signals.filter(status=status)
    if county is not None:
        signals = signals.filter(training_class__institution__county=county)
    if institution is not None:
        signals = signals.filter(training_class__institution=institution)
    if occupation is not None:
        signals = signals.filter(training_class__occupation=occupation)
    if category:
        signals = signals.filter(training_class__category=category)
    if start_from:
        signals = signals.filter(training_class__start_date__gte=start_from)
    if start_to:
        signals = signals.filter(training_class__start_date__lte=start_to)
    query = query.strip()
    if query:
        signals = signals.filter(
            Q(training_class__batch_number__icontains=query) | Q(training_class__institution__name__icontains=query)
        )
    return signals


def signal_list_for(user, **filters) -> QuerySet[FraudSignal]:
    """The county's (league's) list (filters: signals_filtered_for): open first, the newest finding first."""
    return (
        signals_filtered_for(user, **filters).select_related("training_class__institution__county", "training_class__occupation", "dismissed_by")
        .annotate(status_order=_STATUS_ORDER)
        .order_by("status_order", "-last_detected_at", "-id")
    )


def class_signals_for(user, training_class: TrainingClass) -> QuerySet[FraudSignal]:
    """The signals of one class the caller fetched through classes_visible_to."""
    return (
        fraud_signals_visible_to(user).filter(training_class=training_class)
        .select_related("dismissed_by")
        .annotate(status_order=_STATUS_ORDER)
        .order_by("status_order", "kind", "-last_detected_at", "-id")
    )


def open_signal_count(user, training_class: TrainingClass) -> int | None:
    """Open signals of a class for its page's card; None for a user who may not read signals."""
    if not can_read_signals(user):
        return None
    return fraud_signals_visible_to(user).filter(training_class=training_class, status=FraudSignal.Status.OPEN).count()


@dataclass(frozen=True)
class SignalRow:
    signal: FraudSignal
    evidence: EvidenceView


def with_evidence(user, signals) -> list[SignalRow]:
    """The signals of one page with their evidence as the user may read it: one query for every class they name."""
    signals = list(signals)
    named = {ref["id"] for signal in signals for ref in signal.evidence.get("classes", [])}
    visible = set(classes_visible_to(user).filter(pk__in=named).values_list("pk", flat=True)) if named else set()
    tz = timezone.get_current_timezone()
    return [SignalRow(signal, evidence_view(signal.kind, signal.evidence, visible, tz=tz)) for signal in signals]


def signal_status_counts(user, training_class: TrainingClass | None = None) -> dict[str, int]:
    signals = fraud_signals_visible_to(user)
    if training_class is not None:
        signals = signals.filter(training_class=training_class)
    counts = dict.fromkeys(FraudSignal.Status.values, 0)
    counts.update(signals.order_by().values_list("status").annotate(total=Count("id")))
    return counts


def open_signal_counts_for(user, *, group_by: tuple[str, ...], **filters) -> list[dict]:
    """Open signals (待核实) counted per kind and per ``group_by`` (paths from the signal, e.g. the class's county
    id and name), one query: the dashboards' figure. Filters as signals_filtered_for."""
    return list(
        signals_filtered_for(user, status=FraudSignal.Status.OPEN, **filters)
        .values("kind", *group_by).annotate(total=Count("id")).order_by(*group_by, "kind")
    )
