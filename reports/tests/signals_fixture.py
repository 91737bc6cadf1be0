"""Fraud signals written as the recompute stores them (supervision.signals_detection's evidence layout), for the
dashboard and search tests that count or show them without running the detection."""

from django.utils import timezone

from accounts.models import User
from supervision.models import FraudSignal

OPEN, DISMISSED, NOT_DETECTED = FraudSignal.Status.OPEN, FraudSignal.Status.DISMISSED, FraudSignal.Status.NOT_DETECTED


def class_ref(training_class) -> dict:
    return {"id": training_class.pk, "county_id": training_class.institution.county_id,
            "batch": training_class.batch_number, "institution": training_class.institution.name,
            "start": training_class.start_date.isoformat(), "end": training_class.end_date.isoformat()}


def roster_row(enrollment) -> dict:
    return {"class_id": enrollment.training_class_id, "enrollment_id": enrollment.pk, "name": enrollment.roster_name,
            "masked_id": "152201********0000", "completion": enrollment.completion}


def evidence_of(kind: str, training_class, enrollments) -> dict:
    """Evidence of the four kinds the tests use: people by roster row, or none (a teacher's conflict)."""
    rows = [roster_row(enrollment) for enrollment in enrollments]
    classes = [class_ref(training_class)]
    if kind == FraudSignal.Kind.ID_OVERLAP:
        return {"masked_id": "152201********0000", "classes": classes, "rows": rows}
    if kind == FraudSignal.Kind.SHARED_PHONE:
        return {"masked_phone": "138****0000", "trainee_count": len(rows), "row_count": len(rows), "classes": classes,
                "rows": rows}
    if kind == FraudSignal.Kind.ATTENDANCE_SHORTFALL:
        return {"count": len(rows), "classes": classes,
                "rows": [{**row, "attended_days": 3, "training_days": 10} for row in rows]}
    if kind == FraudSignal.Kind.TEACHER_CONFLICT:
        return {"teacher": {"name": "王老师", "masked_id": "152201********0000"}, "classes": classes, "pairs": []}
    raise ValueError(kind)


SIMPLE_KINDS = (FraudSignal.Kind.ID_OVERLAP, FraudSignal.Kind.SHARED_PHONE, FraudSignal.Kind.ATTENDANCE_SHORTFALL,
                FraudSignal.Kind.TEACHER_CONFLICT)


def add_signal(training_class, kind: str, *, enrollments=(), status: str = OPEN, key: str = "", subject: str = "",
               dismissed_by: User | None = None) -> FraudSignal:
    now = timezone.now()
    dismissal = {"dismissed_by": dismissed_by, "dismissed_at": now, "dismissal_reason": "已电话核实"} if status == DISMISSED else {}
    return FraudSignal.objects.create(
        kind=kind, training_class=training_class, key=key or f"{kind}:{training_class.pk}",
        subject=subject or f"class:{training_class.pk}", evidence=evidence_of(kind, training_class, enrollments),
        evidence_digest="0" * 64, status=status, first_detected_at=now, last_detected_at=now, checked_at=now,
        not_detected_since=now if status == NOT_DETECTED else None, **dismissal,
    )
