"""Recording a printout when an official PDF is made, and checking one from its code on the public page."""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction

from accounts.models import User
from classes.models import TrainingClass
from evaluations.models import ClassReview

from ..models import Printout
from .codes import display_code, new_code
from .fingerprints import fingerprint_of, has_source

CODE_ATTEMPTS = 5  # 60 random bits: a collision is already unheard of; retrying covers the impossible


def printout_record(
    *, actor: User | None, kind: str, training_class: TrainingClass | None = None, object_id: object = None,
    reference: str = "",
) -> Printout:
    """Records one printing of an official document and returns it with a fresh code for its footer.

    Called by the views (and the background renderer) that already fetched the record through the printer's
    scope. ``object_id`` defaults to the class's id (附表1, a class's 附表2, the follow-up sheet); ``reference``
    is what the public page may show beside the class (a notice's number, a report's period) — never personal.
    """
    object_id = str(object_id if object_id is not None else training_class.pk)
    fingerprint = fingerprint_of(kind, object_id)
    if fingerprint is None:
        raise ValueError(f"no record to fingerprint for {kind} {object_id}")
    review_status = ""
    if training_class is not None:
        review_status = ClassReview.objects.filter(training_class=training_class).values_list("status", flat=True).first() or ""
    for attempt in range(CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                return Printout.objects.create(
                    code=new_code(), kind=kind, training_class=training_class, object_id=object_id,
                    reference=reference[:100], fingerprint=fingerprint, review_status=review_status, printed_by=actor,
                )
        except IntegrityError:
            if attempt == CODE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


MATCHES = "matches"
CHANGED = "changed"
RECORD_GONE = "gone"
UNCHECKABLE = "uncheckable"

REVIEW_LABELS = dict(ClassReview.Status.choices)


# A statistics report prints figures of a period and scope, not one class's record.
STATISTICS_WORDING = {"record_noun": "统计数据", "reference_label": "统计期间 / 范围"}


@dataclass(frozen=True)
class PrintoutCheck:
    """What the public page says about a printout: nothing personal, only the document and its state."""

    code: str
    kind_label: str
    batch_number: str
    reference: str
    printed_at: datetime
    review_status_then: str
    review_status_now: str
    outcome: str  # MATCHES, CHANGED, RECORD_GONE or UNCHECKABLE
    record_noun: str = "对应记录"  # what the verdict speaks of
    reference_label: str = "文号 / 期间"

    @property
    def is_unchanged(self) -> bool:
        return self.outcome == MATCHES


def printout_check(code: str) -> PrintoutCheck | None:
    """Public (no login): the printout with this (normalised) code compared with its record now; None for an
    unknown code. The caller rate-limits lookups per address (throttle.py)."""
    printout = Printout.objects.select_related("training_class__review").filter(code=code).first()
    if printout is None:
        return None
    training_class = printout.training_class
    review = getattr(training_class, "review", None) if training_class is not None else None
    if not has_source(printout.kind):
        outcome = UNCHECKABLE
    else:
        now = fingerprint_of(printout.kind, printout.object_id)
        outcome = RECORD_GONE if now is None else MATCHES if now == printout.fingerprint else CHANGED
    return PrintoutCheck(
        code=display_code(printout.code),
        kind_label=printout.get_kind_display(),
        batch_number=training_class.batch_number if training_class else "",
        reference=printout.reference,
        printed_at=printout.printed_at,
        review_status_then=REVIEW_LABELS.get(printout.review_status, ""),
        review_status_now=REVIEW_LABELS.get(review.status, "") if review else "",
        outcome=outcome,
        **(STATISTICS_WORDING if printout.kind == Printout.Kind.STATISTICS_REPORT else {}),
    )
