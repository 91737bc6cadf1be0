"""Demo fraud signals (policy §8.4) for a local run: three planted cases the signals find, then a full recompute.

Called by seed_demo after the other demo parts. In the first class in training of the demo county (乌兰浩特市,
the "county" login) whose 附表2 are open:

- three trainees of the roster share one phone number (拉人头);
- a trainee of that class is also on the roster of an overlapping class, of another county where there is one
  (the "county2" login's 突泉县 when dates allow), so each county sees the other class only as "辖区外";
- five trainees' 附表2 arrive online with identical answers within seven minutes (one phone filling them in).

The other demo parts already give far check-ins, attendance below 80% and a teacher on two classes at once.
Idempotent and deterministic for a seeded generator: every choice depends on the classes and rosters only, and
what was planted is recognised on a re-run (the shared number, the second enrollment, the planted answers).
"""

import random
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from classes import hooks
from classes.demo_data import make_mobile
from classes.models import Enrollment, TrainingClass
from evaluations.form_counts import trainee_form_counts_rebuild
from evaluations.items import TRAINEE_ITEM_FIELDS
from evaluations.models import ClassReview, TraineeEvaluation

from . import fraud_signals
from .models import FraudSignal

DEMO_COUNTY_CODE = "152201"  # 乌兰浩特市: the demo county login
OTHER_COUNTY_CODE = "152224"  # 突泉县: the county2 login
SHARED_PHONE_TRAINEES = 3
IDENTICAL_FORMS = 5
FORMS_OPEN = (ClassReview.Status.AWAITING_SELF_EVALUATION, ClassReview.Status.AWAITING_COUNTY)
SUGGESTIONS = ("", "老师讲得很好", "", "希望多安排实操", "")


def _home_class(today) -> TrainingClass | None:
    return (
        TrainingClass.objects.filter(
            status=TrainingClass.Status.IN_TRAINING, institution__county__code=DEMO_COUNTY_CODE,
            start_date__lte=today, end_date__gte=today,
        )
        .filter(Q(review__isnull=True) | Q(review__status__in=FORMS_OPEN))
        .annotate(enrolled=Count("enrollments"))
        .filter(enrolled__gte=SHARED_PHONE_TRAINEES + 1 + IDENTICAL_FORMS)
        .select_related("institution", "occupation")
        .order_by("start_date", "pk")
        .first()
    )


def _share_a_phone(enrollments: list[Enrollment], phone: str) -> None:
    """The first three of the roster give one number (the roster's own phone field: 拉人头 with one contact)."""
    chosen = enrollments[:SHARED_PHONE_TRAINEES]
    for enrollment in chosen:  # through save(): the phone's digest is computed on save, update() would skip it
        enrollment.phone = phone
        enrollment.save(update_fields=["phone", "phone_digest"])


def _enroll_in_an_overlapping_class(home: TrainingClass, enrollment: Enrollment, phone: str) -> None:
    overlapping = list(
        TrainingClass.objects.filter(
            status__in=(TrainingClass.Status.DRAFT, TrainingClass.Status.IN_TRAINING),
            start_date__lte=home.end_date, end_date__gte=home.start_date,
        )
        .exclude(pk=home.pk)
        .annotate(enrolled=Count("enrollments"))
        .select_related("institution__county")
        .order_by("start_date", "pk")
    )
    if any(other.enrollments.filter(trainee_id=enrollment.trainee_id).exists() for other in overlapping):
        return  # planted by an earlier run
    # Another county first (the demo's second county login before the rest), where the roster has room.
    overlapping.sort(key=lambda other: (
        other.institution.county.code == DEMO_COUNTY_CODE, other.institution.county.code != OTHER_COUNTY_CODE,
    ))
    # A roster the institution may still change directly (no approved opening review in the way: classes/hooks.py).
    target = next((
        other for other in overlapping
        if other.enrolled < other.registered_headcount and hooks.registered_change_refusal(other.pk) is None
    ), None)
    if target is not None:
        Enrollment.objects.create(
            training_class=target, trainee_id=enrollment.trainee_id, roster_name=enrollment.roster_name, phone=phone,
        )


def _planted_answers(home: TrainingClass) -> dict:
    answers = {name: "excellent" for name in TRAINEE_ITEM_FIELDS}
    answers.update(
        overall="excellent", completed_training=True, attended_from=home.start_date, attended_to=home.end_date,
        attended_amount=home.class_hours, attended_unit=TraineeEvaluation.HoursUnit.HOURS,
        organiser_name=home.institution.name, occupation_name=home.occupation.name,
    )
    return answers


def _fill_identical_forms(home: TrainingClass, enrollments: list[Enrollment], today) -> None:
    """Five trainees at the end of the roster without a 附表2 (or with the planted one) get identical answers,
    submitted online a minute and a half apart, within the last hour."""
    answers = _planted_answers(home)
    forms = {form.enrollment_id: form for form in TraineeEvaluation.objects.filter(enrollment__training_class=home)}
    chosen = [
        enrollment for enrollment in reversed(enrollments)
        if enrollment.pk not in forms
        or all(getattr(forms[enrollment.pk], name) == value for name, value in answers.items())
    ][:IDENTICAL_FORMS]
    start = timezone.now() - timedelta(minutes=50)
    for index, enrollment in enumerate(chosen):
        if enrollment.pk in forms:
            continue
        form = TraineeEvaluation.objects.create(
            enrollment=enrollment, source=TraineeEvaluation.Source.ONLINE, suggestions=SUGGESTIONS[index],
            is_confirmed=True, signed_on=today, **answers,
        )
        TraineeEvaluation.objects.filter(pk=form.pk).update(submitted_at=start + timedelta(seconds=95 * index))
    # Written past the form window and the service, so the class's form counts are recounted as a loader does.
    trainee_form_counts_rebuild(class_ids=[home.pk])


def seed_signals_demo(rng: random.Random) -> dict[str, int]:
    """Plants the cases, then recomputes every class's signals at once; returns the open signals per kind."""
    today = timezone.localdate()
    # Drawn first: a re-run consumes the generator exactly as the first run did.
    shared_phone, second_phone = make_mobile(rng), make_mobile(rng)
    with transaction.atomic():
        home = _home_class(today)
        if home is not None:
            enrollments = list(home.enrollments.order_by("id"))
            _share_a_phone(enrollments, shared_phone)
            _enroll_in_an_overlapping_class(home, enrollments[SHARED_PHONE_TRAINEES], second_phone)
            _fill_identical_forms(home, enrollments[SHARED_PHONE_TRAINEES + 1:], today)
    fraud_signals.fraud_signals_sweep()
    counts = dict.fromkeys(FraudSignal.Kind.values, 0)
    counts.update(
        FraudSignal.objects.filter(status=FraudSignal.Status.OPEN).order_by().values_list("kind").annotate(total=Count("id"))
    )
    return counts
