"""What each printed document's fingerprint covers: the fields of the record it prints, read again when the
public page checks a printout. Any change to those fields since printing changes the fingerprint.

These reads take a printout's stored reference (kind + object id) and have no user: they run for an anonymous
visitor of the verification page, which shows a yes/no and non-personal identifiers only, never the data
hashed here. So they read the record by primary key without a scope, and return None when it is gone.
"""

import hashlib
import json
from collections.abc import Callable

from classes.models import TrainingClass
from evaluations.items import CLASS_ITEM_FIELDS, TRAINEE_ITEM_FIELDS
from evaluations.models import ClassAssessment, ClassReview, RectificationNotice, TraineeEvaluation
from followups.models import FollowupItem, FollowupSample

from ..models import Printout

Kind = Printout.Kind


def digest(data) -> str:
    """SHA-256 of a canonical JSON form (sorted keys, dates and decimals as text)."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _class_header(training_class: TrainingClass) -> list:
    return [
        training_class.institution.name, training_class.batch_number, training_class.start_date, training_class.end_date,
        training_class.location, training_class.occupation.name, training_class.category,
        training_class.registered_headcount,
    ]


def _class(object_id: str) -> TrainingClass | None:
    return TrainingClass.objects.select_related("institution", "occupation").filter(pk=object_id).first()


def form1_data(object_id: str):
    """附表1: the class header, the review (status and version, the county's verification) and both parties'
    ten items, overall, evaluator and date."""
    training_class = _class(object_id)
    if training_class is None:
        return None
    review = ClassReview.objects.filter(training_class=training_class).first()
    assessments = ClassAssessment.objects.filter(review=review).order_by("party") if review else []
    return {
        "class": _class_header(training_class),
        "review": [review.status, review.version, review.is_qualified, review.passing_trainees,
                   review.responsible_person, review.verified_on] if review else None,
        "assessments": [
            [item.party, *(getattr(item, name) for name in CLASS_ITEM_FIELDS), item.overall, item.evaluator,
             item.evaluated_on]
            for item in assessments
        ],
    }


def _form2(evaluation: TraineeEvaluation) -> list:
    enrollment = evaluation.enrollment
    return [
        evaluation.pk, evaluation.is_valid, enrollment.trainee.name, enrollment.trainee.gender,
        enrollment.trainee.id_number, enrollment.phone, *(getattr(evaluation, name) for name in TRAINEE_ITEM_FIELDS),
        evaluation.suggestions, evaluation.overall, evaluation.completed_training, evaluation.attended_from,
        evaluation.attended_to, evaluation.attended_amount, evaluation.attended_unit, evaluation.organiser_name,
        evaluation.occupation_name, evaluation.is_confirmed, evaluation.source, evaluation.signed_on,
    ]


def class_form2_data(object_id: str):
    """All valid 附表2 of a class: which forms, and what each says (a form found untruthful leaves the set)."""
    training_class = _class(object_id)
    if training_class is None:
        return None
    forms = (
        TraineeEvaluation.objects.filter(enrollment__training_class=training_class, is_valid=True)
        .select_related("enrollment__trainee").order_by("enrollment_id")
    )
    return {"class": training_class.batch_number, "forms": [_form2(form) for form in forms]}


def trainee_form2_data(object_id: str):
    evaluation = TraineeEvaluation.objects.select_related("enrollment__trainee").filter(pk=object_id).first()
    return None if evaluation is None else _form2(evaluation)


def rectification_notice_data(object_id: str):
    """整改通知书 as issued: number, offices, problems, requirements, deadline, date, and the class it names.
    Its later progress (reported, closed) changes the notice's status, which the page shows, not the paper."""
    notice = RectificationNotice.objects.select_related("training_class__institution", "training_class__occupation").filter(
        pk=object_id
    ).first()
    if notice is None:
        return None
    return [
        notice.number, notice.issuing_office, notice.addressee, notice.problems, notice.requirements, notice.deadline,
        notice.issued_on, _class_header(notice.training_class),
    ]


def followups_data(object_id: str):
    """The follow-up record sheet: the sample and every sampled trainee's status, answers and calls, and the
    附表2 answer each finding is checked against."""
    sample = FollowupSample.objects.filter(training_class_id=object_id).first()
    if sample is None:
        return None
    items = FollowupItem.objects.filter(sample=sample).select_related("enrollment__trainee").prefetch_related(
        "attempts", "enrollment__evaluations"
    ).order_by("position")
    return {
        "sample": [sample.pk, sample.seed, sample.target_size, sample.due_date, sample.trigger],
        "items": [
            [item.pk, item.status, item.replacement_reason, item.completed_at, item.enrollment.trainee.name,
             item.enrollment.phone, *(getattr(item, name) for name in FollowupItem.ANSWER_FIELDS),
             [(attempt.pk, attempt.outcome, attempt.caller_id) for attempt in item.attempts.all()],
             [(form.pk, form.is_valid, form.completed_training) for form in item.enrollment.evaluations.all()]]
            for item in items
        ],
    }


# Each printed kind's record, by its stored object id. The statistics report registers its own source
# (register_fingerprint_source) where it is built; a kind without one prints but cannot be re-checked.
SOURCES: dict[str, Callable[[str], object]] = {
    Kind.FORM1: form1_data,
    Kind.CLASS_FORM2: class_form2_data,
    Kind.TRAINEE_FORM2: trainee_form2_data,
    Kind.RECTIFICATION_NOTICE: rectification_notice_data,
    Kind.FOLLOWUPS: followups_data,
}


def register_fingerprint_source(kind: str, source: Callable[[str], object]) -> None:
    """For a document built elsewhere in reports (the statistics report): ``source(object_id)`` returns the
    figures it prints (JSON-able), or None when they can no longer be produced."""
    SOURCES[kind] = source


def has_source(kind: str) -> bool:
    return kind in SOURCES


def fingerprint_of(kind: str, object_id: str) -> str | None:
    """The fingerprint of the record as it is now; None when the record is gone or the kind has no source."""
    source = SOURCES.get(kind)
    data = source(object_id) if source else None
    return None if data is None else digest(data)
