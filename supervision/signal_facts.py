"""The facts the fraud-signal detectors need (supervision/signals_detection.py), read for a set of classes.

Unscoped, for the recompute service alone: it runs in a task for every county at once. Pages never read
through here; they read the stored signals through supervision/signal_selectors.py.

For the classes asked about, the facts are complete for every subject they touch: all enrollments of their
trainees, all enrollments with their phone numbers, all classes of their teachers, and their own forms,
check-ins and calls. ``LoadedFacts.subjects`` names those subjects; a finding about another subject (a phone of
a trainee's other class, say) may rest on partial facts and is left to the recompute of its own classes.
"""

import functools
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery

from classes.models import Enrollment, Occupation, TrainingClass
from evaluations.items import TRAINEE_ITEM_FIELDS
from evaluations.models import TraineeEvaluation
from followups.models import FollowupItem

from . import signals_detection as detection
from .models import AttendanceDay, CheckIn, ClassTeacher, ShortfallDismissal
from .teacher_selectors import teacher_conflicts

# Everything a trainee chooses on 附表2 except the suggestions (§8.4: identical answers), in the form's order.
FORM_ANSWER_FIELDS = (
    *TRAINEE_ITEM_FIELDS, "overall", "completed_training", "attended_from", "attended_to", "attended_amount",
    "attended_unit", "organiser_name", "occupation_name",
)
ROSTER_FIELDS = ("id", "training_class_id", "trainee_id", "trainee__id_number", "roster_name", "phone", "completion")
CLASS_FIELDS = (
    "id", "institution__county_id", "batch_number", "institution__name", "occupation__code", "occupation__level",
    "occupation__name", "start_date", "end_date", "status",
)
PHONE_KEY_SALT = "supervision.fraud_signals.phone"
LEVEL_LABELS = dict(Occupation.Level.choices)


@functools.cache
def _phone_key_secret(secret_key: str) -> bytes:
    return hashlib.sha256(f"{PHONE_KEY_SALT}:{secret_key}".encode()).digest()


def phone_key(phone: str) -> str:
    """The stable stand-in for a phone number in a signal's key: a keyed hash (HMAC-SHA256 under a key derived from
    SECRET_KEY), so the number is not stored and cannot be recovered by hashing every mobile number. Rotating
    SECRET_KEY changes it: the signals of shared phones then start afresh (the old rows read 不再出现, with their
    dismissals)."""
    return hmac.new(_phone_key_secret(settings.SECRET_KEY), phone.encode(), hashlib.sha256).hexdigest()[:24]


@dataclass(frozen=True)
class LoadedFacts:
    facts: detection.Facts
    subjects: frozenset[str]


def _chunks(values, size: int = 900):
    ordered = sorted(values)
    for start in range(0, len(ordered), size):
        yield ordered[start:start + size]


def _class_facts(class_ids) -> dict[int, detection.ClassFacts]:
    rows = [row for chunk in _chunks(class_ids) for row in TrainingClass.objects.filter(pk__in=chunk).values_list(*CLASS_FIELDS)]
    return {
        pk: detection.ClassFacts(
            class_id=pk, county_id=county_id, batch_number=batch, institution_name=institution, occupation_code=code,
            occupation_level=level, occupation_label=f"{name}（{LEVEL_LABELS.get(level, level)}）",
            start_date=start, end_date=end, status=status,
        )
        for pk, county_id, batch, institution, code, level, name, start, end, status in rows
    }


def _roster_entry(row) -> detection.RosterEntry:
    enrollment_id, class_id, trainee_id, id_number, roster_name, phone, completion = row
    return detection.RosterEntry(enrollment_id, class_id, trainee_id, id_number, roster_name, phone, completion)


def facts_for(
    class_ids: list[int], *, also_trainee_ids=(), also_teacher_ids=(), also_phone_enrollment_ids=()
) -> LoadedFacts:
    """The facts about ``class_ids`` and every subject they touch, plus the subjects named by ``also_*`` (those
    of the classes' stored signals: a person, phone or teacher that has just left a class still decides the
    signals of the other classes involved). A fixed number of queries whatever the number of classes (id lists
    go in chunks the SQL parameter limit allows)."""
    own = Enrollment.objects.filter(training_class_id__in=class_ids)
    own_rows = list(own.values_list(*ROSTER_FIELDS))
    related = {row[0]: row for row in own_rows}
    extra_phones = {
        (phone, digest) for chunk in _chunks(also_phone_enrollment_ids)
        for phone, digest in Enrollment.objects.filter(pk__in=chunk).values_list("phone", "phone_digest")
    }
    # Every roster row of these people and every one with these phone numbers (by their digests), each on its
    # index (one OR of both would read the whole table).
    extra_phone_digests = {digest for _phone, digest in extra_phones}
    for column, extras in (("trainee_id", set(also_trainee_ids)), ("phone_digest", extra_phone_digests)):
        for values in (own.values(column), *_chunks(extras)):
            rows = Enrollment.objects.filter(**{f"{column}__in": values}).values_list(*ROSTER_FIELDS)
            related.update((row[0], row) for row in rows)
    entries = [_roster_entry(row) for _pk, row in sorted(related.items())]
    trainee_ids = {row[2] for row in own_rows} | set(also_trainee_ids)
    phones = {row[5] for row in own_rows} | {phone for phone, _digest in extra_phones}

    teacher_ids = set(ClassTeacher.objects.filter(training_class_id__in=class_ids).values_list("teacher_id", flat=True))
    teacher_ids |= set(also_teacher_ids)
    conflicts = teacher_conflicts(teacher_ids) if teacher_ids else []
    pairs = [
        detection.TeacherPair(
            conflict.teacher.pk, conflict.teacher.name, conflict.teacher.masked_id_number,
            conflict.first_class.pk, conflict.second_class.pk,
        )
        for conflict in conflicts
    ]

    classes = _class_facts(
        set(class_ids) | {entry.class_id for entry in entries}
        | {class_id for pair in pairs for class_id in (pair.first_class_id, pair.second_class_id)}
    )
    facts = detection.Facts(
        classes=classes, enrollments=entries, forms=_forms(class_ids), check_ins=_far_check_ins(class_ids),
        attendance=_attendance(class_ids), followups=_followups(class_ids), teacher_pairs=pairs,
    )
    subjects = frozenset(
        {f"class:{class_id}" for class_id in class_ids}
        | {f"trainee:{trainee_id}" for trainee_id in trainee_ids}
        | {f"phone:{phone_key(phone)}" for phone in phones}
        | {f"teacher:{teacher_id}" for teacher_id in teacher_ids}
    )
    return LoadedFacts(facts, subjects)


def _forms(class_ids) -> list[detection.FormFacts]:
    rows = (
        TraineeEvaluation.objects.filter(
            enrollment__training_class_id__in=class_ids, is_valid=True, source=TraineeEvaluation.Source.ONLINE
        )
        .values_list("id", "enrollment__training_class_id", "enrollment_id", "enrollment__roster_name",
                     "enrollment__trainee__id_number", "submitted_at", *FORM_ANSWER_FIELDS)
    )
    return [detection.FormFacts(*row[:6], answers=tuple(row[6:])) for row in rows]


def _far_check_ins(class_ids) -> list[detection.CheckInFacts]:
    # Only the far ones leave the database; detection applies geo.is_far again. A check-in the county dismissed
    # on the attendance pages (check_in_flag_dismiss) is no longer evidence.
    rows = (
        CheckIn.objects.filter(
            training_class_id__in=class_ids, distance_m__gt=settings.CHECKIN_FAR_METRES, flag_dismissed_at__isnull=True
        )
        .values_list("id", "training_class_id", "enrollment_id", "enrollment__roster_name",
                     "enrollment__trainee__id_number", "date", "distance_m")
    )
    return [detection.CheckInFacts(*row) for row in rows]


def _attendance(class_ids) -> list[detection.AttendanceFacts]:
    """Trainees of finished classes that took attendance (opened at least one day), not dropped and not already
    dismissed on the attendance pages (ShortfallDismissal). Decision: a class that never opened a classroom code
    has no attendance to judge (it may predate the feature); the attendance pages show it without check-ins."""
    rows = (
        Enrollment.objects.filter(
            training_class_id__in=class_ids, training_class__status=TrainingClass.Status.FINISHED,
        )
        .filter(Exists(AttendanceDay.objects.filter(training_class=OuterRef("training_class_id"))))
        .exclude(completion=Enrollment.Completion.DROPPED)
        .exclude(Exists(ShortfallDismissal.objects.filter(enrollment=OuterRef("pk"))))
        .annotate(attended=Count("check_ins", filter=Q(
            check_ins__date__gte=F("training_class__start_date"), check_ins__date__lte=F("training_class__end_date"),
        )))
        .values_list("training_class_id", "id", "roster_name", "trainee__id_number", "attended")
    )
    return [detection.AttendanceFacts(*row) for row in rows]


def _followups(class_ids) -> list[detection.FollowupFacts]:
    form2_completed = TraineeEvaluation.objects.filter(enrollment=OuterRef("enrollment"), is_valid=True).values(
        "completed_training"
    )[:1]
    rows = (
        FollowupItem.objects.filter(sample__training_class_id__in=class_ids, status=FollowupItem.Status.COMPLETED)
        .filter(Q(received_training=False) | Q(completed_training=False))
        .annotate(form2_completed=Subquery(form2_completed))
        .values_list("id", "sample__training_class_id", "enrollment_id", "enrollment__roster_name",
                     "enrollment__trainee__id_number", "received_training", "completed_training", "form2_completed")
    )
    return [detection.FollowupFacts(*row) for row in rows]
