"""Scoped reads of the trainee search: the people enrolled in the user's classes who match, and for each
the classes, 附表2, follow-ups and fraud signals the user may see. A fixed number of queries per search."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from accounts.models import Role
from classes.models import Enrollment, Trainee
from classes.selectors import enrollments_visible_to, trainees_visible_to
from evaluations.models import TraineeEvaluation
from evaluations.selectors import trainee_evaluations_visible_to
from followups.models import FollowupItem
from followups.selectors import followup_items_visible_to
from supervision.attendance_selectors import check_ins_visible_to
from supervision.models import FraudSignal
from supervision.signal_evidence import PersonRefs, check_in_ids_named, names_people, names_person
from supervision.signal_facts import phone_key
from supervision.signal_selectors import fraud_signals_visible_to
from xingan_training.personal_data import id_number_digest, phone_digest

from .queries import ID_NUMBER, PHONE, TraineeQuery

MAX_RESULTS = 20


def can_search_trainees(user) -> bool:
    """County and league staff look people up; institutions (and anyone else) get 404."""
    return bool(user.is_authenticated and user.is_active and user.read_role in (Role.COUNTY, Role.LEAGUE))


def _matching_enrollments(user, query: TraineeQuery) -> QuerySet[Enrollment]:
    enrollments = enrollments_visible_to(user)
    if query.kind == ID_NUMBER:
        return enrollments.filter(trainee__id_number_digest=id_number_digest(query.value))
    if query.kind == PHONE:
        # The phone belongs to the roster that gave it: only a roster in the user's scope can match.
        return enrollments.filter(phone_digest=phone_digest(query.value))
    return enrollments.filter(Q(trainee__name__icontains=query.value) | Q(roster_name__icontains=query.value))


@dataclass(frozen=True)
class SignalFound:
    signal: FraudSignal
    is_about_person: bool  # False: about the class as a whole (its evidence names nobody)


@dataclass
class EnrollmentFacts:
    enrollment: Enrollment
    forms: list[TraineeEvaluation] = field(default_factory=list)
    followups: list[FollowupItem] = field(default_factory=list)
    signals: list[SignalFound] = field(default_factory=list)
    other_signals: int = 0  # signals of the class that name other people only


@dataclass
class TraineeFound:
    trainee: Trainee
    enrollments: list[EnrollmentFacts] = field(default_factory=list)


@dataclass
class SearchResult:
    people: list[TraineeFound]
    is_truncated: bool  # more than MAX_RESULTS people matched: the user should narrow the search


def trainee_search_for(user, query: TraineeQuery) -> SearchResult:
    """Trainees enrolled in a class ``user`` may see who match ``query``, with what the user may see of them:
    only their enrollments in the user's scope (a county never learns of the person's classes elsewhere).
    Empty for anyone can_search_trainees refuses."""
    if not can_search_trainees(user):
        return SearchResult([], False)
    matching = _matching_enrollments(user, query).values("trainee_id")
    trainees = list(
        trainees_visible_to(user).filter(pk__in=matching).select_related("category").order_by("name", "pk")[: MAX_RESULTS + 1]
    )
    is_truncated = len(trainees) > MAX_RESULTS
    trainees = trainees[:MAX_RESULTS]
    enrollments = list(
        enrollments_visible_to(user).filter(trainee__in=trainees)
        .select_related("training_class__institution__county", "training_class__occupation", "training_class__review")
        .order_by("-training_class__start_date", "pk")
    )
    facts = {enrollment.pk: EnrollmentFacts(enrollment) for enrollment in enrollments}
    for form in trainee_evaluations_visible_to(user).filter(enrollment__in=enrollments).order_by("-submitted_at"):
        facts[form.enrollment_id].forms.append(form)
    for item in followup_items_visible_to(user).filter(enrollment__in=enrollments).select_related("sample").order_by("pk"):
        facts[item.enrollment_id].followups.append(item)
    _add_signals(user, enrollments, facts)
    people = {trainee.pk: TraineeFound(trainee) for trainee in trainees}
    for enrollment in enrollments:
        people[enrollment.trainee_id].enrollments.append(facts[enrollment.pk])
    return SearchResult(list(people.values()), is_truncated)


def _add_signals(user, enrollments: list[Enrollment], facts: dict[int, "EnrollmentFacts"]) -> None:
    """The open and dismissed fraud signals (policy §8.4) of the person's classes, read through the user's scope
    (fraud_signals_visible_to): those whose evidence names this person (signal_evidence.names_person), and those
    about the class that name nobody (a teacher's conflict). A signal naming only others is counted, not shown:
    it says nothing about this person. Two queries at most, whatever the number of people and signals."""
    class_ids = {enrollment.training_class_id for enrollment in enrollments}
    if not class_ids:
        return
    signals = sorted(
        fraud_signals_visible_to(user).filter(
            training_class_id__in=class_ids, status__in=(FraudSignal.Status.OPEN, FraudSignal.Status.DISMISSED)
        ),
        key=lambda signal: (signal.status != FraudSignal.Status.OPEN, signal.kind, signal.pk),
    )
    check_ins_named = {pk for signal in signals for pk in check_in_ids_named(signal.evidence)}
    check_ins: dict[int, set[int]] = {}
    if check_ins_named:
        for check_in_id, enrollment_id in check_ins_visible_to(user).filter(
            pk__in=check_ins_named, enrollment__in=enrollments
        ).values_list("pk", "enrollment_id"):
            check_ins.setdefault(enrollment_id, set()).add(check_in_id)
    by_class: dict[int, list[FraudSignal]] = {}
    for signal in signals:
        by_class.setdefault(signal.training_class_id, []).append(signal)
    for enrollment in enrollments:
        found = facts[enrollment.pk]
        person = PersonRefs(
            enrollment_id=enrollment.pk, trainee_id=enrollment.trainee_id, phone_key=phone_key(enrollment.phone),
            form_ids=frozenset(form.pk for form in found.forms),
            check_in_ids=frozenset(check_ins.get(enrollment.pk, ())),
        )
        for signal in by_class.get(enrollment.training_class_id, []):
            if names_person(subject=signal.subject, key=signal.key, evidence=signal.evidence, person=person):
                found.signals.append(SignalFound(signal, is_about_person=True))
            elif not names_people(signal.evidence):
                found.signals.append(SignalFound(signal, is_about_person=False))
            else:
                found.other_signals += 1
