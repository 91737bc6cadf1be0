"""Scoped reads of the training domain. Views, exports, PDFs and tasks read rows only through these."""

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from accounts.models import Role
from accounts.scoping import scope_to_user

from .models import Enrollment, Institution, Region, RosterImport, Trainee, TrainingClass


def classes_visible_to(user) -> QuerySet[TrainingClass]:
    return scope_to_user(
        TrainingClass.objects.all(), user, county_path="institution__county", institution_path="institution"
    )


def institutions_visible_to(user) -> QuerySet[Institution]:
    return scope_to_user(Institution.objects.all(), user, county_path="county", institution_path="pk")


def enrollments_visible_to(user) -> QuerySet[Enrollment]:
    return scope_to_user(
        Enrollment.objects.all(),
        user,
        county_path="training_class__institution__county",
        institution_path="training_class__institution",
    )


def trainees_visible_to(user) -> QuerySet[Trainee]:
    """A trainee is visible to whoever may see one of the classes the trainee is enrolled in."""
    visible = enrollments_visible_to(user).filter(trainee=OuterRef("pk"))
    return Trainee.objects.filter(Exists(visible))


def roster_imports_visible_to(user) -> QuerySet[RosterImport]:
    return scope_to_user(
        RosterImport.objects.all(),
        user,
        county_path="training_class__institution__county",
        institution_path="training_class__institution",
    )


def counties_visible_to(user) -> QuerySet[Region]:
    counties = Region.objects.filter(level=Region.Level.COUNTY)
    if not user.is_authenticated:
        return counties.none()
    if user.is_superuser:
        return counties
    if user.read_role == Role.LEAGUE:
        return counties.filter(parent_id=user.region_id)
    if user.read_role == Role.COUNTY:
        return counties.filter(pk=user.region_id)
    if user.role == Role.INSTITUTION and user.institution_id:
        return counties.filter(institutions__pk=user.institution_id)
    return counties.none()


def class_list_for(user) -> QuerySet[TrainingClass]:
    """The class list page: scoped, with what each row shows fetched in the same query."""
    return (
        classes_visible_to(user)
        .select_related("institution__county", "occupation")
        .annotate(enrolled_count=Count("enrollments", distinct=True))
        .order_by("-start_date", "-id")
    )


def class_roster(training_class: TrainingClass) -> QuerySet[Enrollment]:
    """The roster of a class the caller already fetched through classes_visible_to."""
    return training_class.enrollments.select_related("trainee__category").order_by("id")


def roster_name_mismatches(training_class: TrainingClass) -> QuerySet[Enrollment]:
    """The enrollments of a class whose roster wrote another name than the one the ID number was first
    registered under. For county and league staff only (ClassActions.can_see_name_mismatches): the
    institution must not learn the other registration's name."""
    return class_roster(training_class).exclude(roster_name=F("trainee__name"))


def class_status_counts(user) -> dict[str, int]:
    rows = classes_visible_to(user).values("status").annotate(total=Count("id"))
    return {row["status"]: row["total"] for row in rows}


def dashboard_counts(user) -> dict[str, int]:
    classes = classes_visible_to(user)
    return {
        "classes": classes.count(),
        "institutions": institutions_visible_to(user).count(),
        "enrollments": enrollments_visible_to(user).count(),
        "classes_in_training": classes.filter(status=TrainingClass.Status.IN_TRAINING).count(),
        "classes_assessment_done": classes.filter(~Q(assessment_end_date=None)).count(),
    }


def class_counts_by_county(user) -> list[dict]:
    """Per-county class counts for a league or superuser dashboard; empty for narrower roles."""
    if not (user.is_superuser or user.read_role == Role.LEAGUE):
        return []
    return list(
        classes_visible_to(user)
        .values("institution__county__name", "institution__county__code")
        .annotate(
            total=Count("id"),
            in_training=Count("id", filter=Q(status=TrainingClass.Status.IN_TRAINING)),
            finished=Count("id", filter=Q(status=TrainingClass.Status.FINISHED)),
        )
        .order_by("institution__county__code")
    )


def institution_list_for(user) -> QuerySet[Institution]:
    return (
        institutions_visible_to(user)
        .select_related("county")
        .annotate(class_count=Count("classes", distinct=True))
        .order_by("county__code", "name")
    )


def class_history(training_class: TrainingClass, *, limit: int = 50) -> list[dict]:
    """Who changed what on a class and when, newest first, with each change's old and new values."""
    records = list(training_class.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    entries = []
    for record, previous in zip(records[:limit], records[1 : limit + 1] + [None]):
        changes = []
        if previous is not None:
            for change in record.diff_against(previous, excluded_fields=["updated_at"]).changes:
                field = TrainingClass._meta.get_field(change.field)
                display = dict(field.choices) if field.choices else {}
                changes.append(
                    {
                        "field": field.verbose_name,
                        "old": display.get(change.old, change.old),
                        "new": display.get(change.new, change.new),
                    }
                )
        entries.append(
            {
                "when": record.history_date,
                "who": record.history_user.display_name if record.history_user else "系统",
                "action": {"+": "创建", "~": "修改", "-": "删除"}[record.history_type],
                "changes": changes,
            }
        )
    return entries
