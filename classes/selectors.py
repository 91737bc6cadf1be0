"""Scoped reads of the training domain. Views, exports, PDFs and tasks read rows only through these."""

from django.db.models import Count, Exists, F, OuterRef, QuerySet

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
    """The class list page, scoped and in its order (index class_start_id). Not annotated: the page reads its own
    rows' figures through class_list_rows, so no query groups every enrollment of the region."""
    return classes_visible_to(user).order_by("-start_date", "-id")


def class_list_rows(class_ids: list[int]) -> QuerySet[TrainingClass]:
    """What each line of the class list shows, for the ids of one page that class_list_for already scoped."""
    return with_enrolled_counts(TrainingClass.objects.filter(pk__in=class_ids))


def with_enrolled_counts(classes: QuerySet[TrainingClass]) -> QuerySet[TrainingClass]:
    """The class list's line: institution, county, occupation and roster size (the export reads every line so)."""
    return classes.select_related("institution__county", "occupation").annotate(enrolled_count=Count("enrollments"))


def class_roster(training_class: TrainingClass) -> QuerySet[Enrollment]:
    """The roster of a class the caller already fetched through classes_visible_to."""
    return training_class.enrollments.select_related("trainee__category").order_by("id")


def roster_name_mismatches(training_class: TrainingClass) -> QuerySet[Enrollment]:
    """The enrollments of a class whose roster wrote another name than the one the ID number was first
    registered under. For county and league staff only (ClassActions.can_see_name_mismatches): the
    institution must not learn the other registration's name."""
    return class_roster(training_class).exclude(roster_name=F("trainee__name"))


UNFINISHED_STATUSES = [status for status in TrainingClass.Status.values if status != TrainingClass.Status.FINISHED]


def unfinished_class_counts_for(user) -> list[dict]:
    """The user's classes not yet finished (draft, in training), per county and status: the few that change (1,200 of
    100,000 at region scale), read through the status indexes. The finished ones are counted by the summary rows
    (reports), since a class never leaves 已结业 (classes.services)."""
    return list(
        classes_visible_to(user).filter(status__in=UNFINISHED_STATUSES)
        .values("institution__county__code", "institution__county__name", "status")
        .annotate(total=Count("id"))
        .order_by()
    )


def enrollments_of_unfinished_classes_count(user) -> int:
    """Trainees on the rosters of the user's classes that have not finished (draft, in training): few classes,
    read through their index. The finished classes' rosters are counted by the summary rows (reports)."""
    return enrollments_visible_to(user).filter(training_class__status__in=UNFINISHED_STATUSES).count()


def institution_list_for(user, *, query: str = "") -> QuerySet[Institution]:
    """The institution list, scoped, searched by name and in its order; the page reads its lines through
    institution_list_rows."""
    institutions = institutions_visible_to(user)
    if query.strip():
        institutions = institutions.filter(name__icontains=query.strip())
    return institutions.order_by("county__code", "name", "pk")


def institution_list_rows(institution_ids: list[int]) -> QuerySet[Institution]:
    return Institution.objects.filter(pk__in=institution_ids).select_related("county").annotate(class_count=Count("classes"))


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
