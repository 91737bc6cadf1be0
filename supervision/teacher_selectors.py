"""Scoped reads of the teacher pool and of class teachers (policy §8.8, S2 五(一))."""

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from accounts.models import Role
from accounts.scoping import scope_to_user
from classes.models import Occupation, TrainingClass

from .leagues import league_id_of
from .models import ClassTeacher, Teacher
from xingan_training.counting import related_count


def teachers_visible_to(user) -> QuerySet[Teacher]:
    """The confirmed teachers of the user's league pool, plus the proposals within the user's scope: league staff
    all proposals of the league, county staff those of their county's institutions, institution staff their
    own (待确认 and 未通过 included). Nothing for the public."""
    proposals = scope_to_user(
        Teacher.objects.all(), user, county_path="proposed_by_institution__county", institution_path="proposed_by_institution"
    )
    league_id = league_id_of(user)
    pool = Q(status=Teacher.Status.CONFIRMED, proposed_by_institution__county__parent_id=league_id) if league_id else Q(pk__in=[])
    return Teacher.objects.filter(Q(pk__in=proposals.values("pk")) | pool)


def class_teachers_visible_to(user) -> QuerySet[ClassTeacher]:
    """Who teaches which class, for whoever may see the class."""
    return scope_to_user(
        ClassTeacher.objects.all(), user, county_path="training_class__institution__county", institution_path="training_class__institution"
    )


def teacher_list_for(
    user, *, query: str = "", occupation: Occupation | None = None, status: str = "", employment_type: str = ""
) -> QuerySet[Teacher]:
    """The teacher list, scoped, filtered and in its order; a page reads its lines through teacher_list_rows."""
    teachers = teachers_visible_to(user)
    query = query.strip()
    if query:
        teachers = teachers.filter(
            Q(name__icontains=query) | Q(employer__icontains=query) | Q(certificate_number__icontains=query)
        )
    if occupation is not None:
        teachers = teachers.filter(occupations__code=occupation.code).distinct()
    if status:
        teachers = teachers.filter(status=status)
    if employment_type:
        teachers = teachers.filter(employment_type=employment_type)
    return teachers.order_by("name", "id")


def with_teacher_facts(teachers: QuerySet[Teacher]) -> QuerySet[Teacher]:
    """What a teacher line shows: the proposing institution, the occupations and the classes taught."""
    return (
        teachers.select_related("proposed_by_institution")
        .prefetch_related("occupations")
        .annotate(class_count=related_count(ClassTeacher.objects.all(), field="teacher"))
    )


def teacher_list_rows(teacher_ids: list[int]) -> QuerySet[Teacher]:
    """The lines of one teacher list page, for ids that teacher_list_for already scoped and filtered."""
    return with_teacher_facts(Teacher.objects.filter(pk__in=teacher_ids))


def teacher_queue_for(user) -> QuerySet[Teacher]:
    """Proposals waiting for the league's decision, oldest first; empty for anyone but league staff."""
    if not user.is_authenticated or user.role != Role.LEAGUE:
        return Teacher.objects.none()
    return (
        teachers_visible_to(user).filter(status=Teacher.Status.PROPOSED)
        .select_related("proposed_by_institution__county", "proposed_by")
        .prefetch_related("occupations")
        .order_by("proposed_at", "id")
    )


def confirmed_teachers_for_class(user, training_class: TrainingClass) -> QuerySet[Teacher]:
    """The pool a class may draw from: confirmed teachers the user sees, those of the class's occupation first."""
    return (
        teachers_visible_to(user).filter(status=Teacher.Status.CONFIRMED)
        .prefetch_related("occupations")
        .annotate(teaches_occupation=Count("occupations", filter=Q(occupations__code=training_class.occupation.code)))
        .order_by("-teaches_occupation", "name", "id")
    )


@dataclass(frozen=True)
class TeacherConflict:
    """One teacher on two classes whose dates overlap (fraud signal §8.4: a teacher cannot teach both)."""

    teacher: Teacher
    first_class: TrainingClass
    second_class: TrainingClass


def teacher_conflicts(teacher_ids=None) -> list[TeacherConflict]:
    """Every pair of classes taught by the same teacher whose dates overlap (both ends inclusive: a class ending
    on the day another starts overlaps; one ending the day before does not). Unscoped, for the fraud-signal
    task; pages filter the result through classes_visible_to. Each pair once, the earlier class first."""
    assignments = ClassTeacher.objects.all()
    if teacher_ids is not None:
        assignments = assignments.filter(teacher_id__in=list(teacher_ids))
    # One filter() call, so the three conditions apply to the same second assignment of the teacher (a self-join).
    pairs = assignments.filter(
        teacher__assignments__training_class__start_date__lte=F("training_class__end_date"),
        teacher__assignments__training_class__end_date__gte=F("training_class__start_date"),
        teacher__assignments__training_class_id__gt=F("training_class_id"),
    ).values_list("teacher_id", "training_class_id", "teacher__assignments__training_class_id")
    pairs = sorted(set(pairs))
    teachers = Teacher.objects.in_bulk({teacher_id for teacher_id, _first, _second in pairs})
    classes = TrainingClass.objects.select_related("institution__county", "occupation").in_bulk(
        {class_id for _teacher, first, second in pairs for class_id in (first, second)}
    )
    conflicts = []
    for teacher_id, first_id, second_id in pairs:
        first, second = sorted((classes[first_id], classes[second_id]), key=lambda item: (item.start_date, item.pk))
        conflicts.append(TeacherConflict(teachers[teacher_id], first, second))
    return sorted(conflicts, key=lambda conflict: (conflict.teacher.name, conflict.first_class.start_date, conflict.first_class.pk))
