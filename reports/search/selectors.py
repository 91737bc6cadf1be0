"""Scoped reads of the trainee search: the people enrolled in the user's classes who match, and for each
the classes, 附表2, follow-ups and fraud signals the user may see. A fixed number of queries per search."""

from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Q, QuerySet

from accounts.models import Role
from classes.models import Enrollment, Trainee
from classes.selectors import enrollments_visible_to, trainees_visible_to
from evaluations.models import TraineeEvaluation
from evaluations.selectors import trainee_evaluations_visible_to
from followups.models import FollowupItem
from followups.selectors import followup_items_visible_to

from .queries import ID_NUMBER, PHONE, TraineeQuery

MAX_RESULTS = 20


def can_search_trainees(user) -> bool:
    """County and league staff look people up; institutions (and anyone else) get 404."""
    return bool(user.is_authenticated and user.is_active and user.read_role in (Role.COUNTY, Role.LEAGUE))


def _matching_enrollments(user, query: TraineeQuery) -> QuerySet[Enrollment]:
    enrollments = enrollments_visible_to(user)
    if query.kind == ID_NUMBER:
        return enrollments.filter(trainee__id_number=query.value)
    if query.kind == PHONE:
        # The phone belongs to the roster that gave it: only a roster in the user's scope can match.
        return enrollments.filter(phone=query.value)
    return enrollments.filter(Q(trainee__name__icontains=query.value) | Q(roster_name__icontains=query.value))


@dataclass
class EnrollmentFacts:
    enrollment: Enrollment
    forms: list[TraineeEvaluation] = field(default_factory=list)
    followups: list[FollowupItem] = field(default_factory=list)
    signals: list = field(default_factory=list)


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
    for enrollment_id, signal in _signals_for(user, enrollments):
        facts[enrollment_id].signals.append(signal)
    people = {trainee.pk: TraineeFound(trainee) for trainee in trainees}
    for enrollment in enrollments:
        people[enrollment.trainee_id].enrollments.append(facts[enrollment.pk])
    return SearchResult(list(people.values()), is_truncated)


def _signals_for(user, enrollments: list[Enrollment]) -> list[tuple[int, object]]:
    """Fraud signals (policy §8.4) about these enrollments, when the supervision app has them.

    The signal model is built in parallel (supervision.FraudSignal); until it exists the search shows none.
    Signals are read through the enrollments, which the caller already read through the user's scope.
    """
    try:
        model = apps.get_model("supervision", "FraudSignal")
    except LookupError:
        return []
    link = next((item.name for item in model._meta.get_fields()
                 if item.is_relation and item.many_to_one and item.related_model is Enrollment), None)
    if link is None:
        return []
    signals = model._default_manager.filter(**{f"{link}__in": enrollments})
    return [(getattr(signal, f"{link}_id"), signal) for signal in signals]
