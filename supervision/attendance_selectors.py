"""Scoped reads of daily attendance (policy §8.3). Views read attendance rows only through these.

Every function narrows through accounts.scoping like the class selectors, so another county's class, check-in
or photo is simply not there (404). Photos and spot checks are for county and league staff alone.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from accounts.models import Role
from accounts.scoping import scope_to_user
from classes.models import Enrollment, TrainingClass

from . import attendance_rules, rules
from .models import (
    AttendanceDay,
    CheckIn,
    ClassSite,
    PhotoSpotCheck,
    PhotoSpotCheckItem,
    ShortfallDismissal,
)
from xingan_training.counting import related_count

CLASS_PATHS = {"county_path": "training_class__institution__county", "institution_path": "training_class__institution"}


def _is_bureau(user) -> bool:
    return user.is_authenticated and user.read_role in (Role.COUNTY, Role.LEAGUE)


def class_sites_visible_to(user) -> QuerySet[ClassSite]:
    return scope_to_user(ClassSite.objects.all(), user, **CLASS_PATHS)


def attendance_days_visible_to(user) -> QuerySet[AttendanceDay]:
    return scope_to_user(AttendanceDay.objects.all(), user, **CLASS_PATHS)


def check_ins_visible_to(user) -> QuerySet[CheckIn]:
    """Who checked in and when: the class's institution too (its pages leave the evidence out)."""
    return scope_to_user(CheckIn.objects.all(), user, **CLASS_PATHS)


def check_in_photos_visible_to(user) -> QuerySet[CheckIn]:
    """Check-ins whose photo the user may open: county and league staff of the class, nobody else."""
    if not _is_bureau(user):
        return CheckIn.objects.none()
    return check_ins_visible_to(user).exclude(photo="")


def spot_checks_visible_to(user) -> QuerySet[PhotoSpotCheck]:
    if not _is_bureau(user):
        return PhotoSpotCheck.objects.none()
    return scope_to_user(PhotoSpotCheck.objects.all(), user, **CLASS_PATHS)


def spot_check_items_visible_to(user) -> QuerySet[PhotoSpotCheckItem]:
    if not _is_bureau(user):
        return PhotoSpotCheckItem.objects.none()
    return scope_to_user(
        PhotoSpotCheckItem.objects.all(), user,
        county_path="spot_check__training_class__institution__county",
        institution_path="spot_check__training_class__institution",
    )


def shortfall_dismissals_visible_to(user) -> QuerySet[ShortfallDismissal]:
    if not _is_bureau(user):
        return ShortfallDismissal.objects.none()
    return scope_to_user(
        ShortfallDismissal.objects.all(), user,
        county_path="enrollment__training_class__institution__county",
        institution_path="enrollment__training_class__institution",
    )


def attendance_classes_for(user, *, since: date) -> QuerySet[TrainingClass]:
    """Classes whose attendance is worth watching: in training, or finished on or after ``since``."""
    from classes.selectors import classes_visible_to

    return (
        classes_visible_to(user)
        .filter(Q(status=TrainingClass.Status.IN_TRAINING) | Q(status=TrainingClass.Status.FINISHED, end_date__gte=since))
        .select_related("institution__county", "occupation", "attendance_site")
        .annotate(enrolled_count=related_count(Enrollment.objects.all(), field="training_class"))
        .order_by("-start_date", "-id")
    )


def class_list_counts(class_ids: list[int], day: date, *, far_metres: int) -> dict[int, dict[str, int]]:
    """For the classes of one page, in one query: check-ins on ``day`` and open signals over the whole class."""
    rows = (
        CheckIn.objects.filter(training_class_id__in=class_ids)
        .values("training_class_id")
        .annotate(today=Count("id", filter=Q(date=day)), flagged=Count("id", filter=_open_flag(far_metres)))
    )
    counts = {class_id: {"today": 0, "flagged": 0} for class_id in class_ids}
    for row in rows:
        counts[row["training_class_id"]] = {"today": row["today"], "flagged": row["flagged"]}
    return counts


def day_counts(training_class: TrainingClass, day: date, *, far_metres: int) -> dict[str, int]:
    return CheckIn.objects.filter(training_class=training_class, date=day).aggregate(
        total=Count("id"), flagged=Count("id", filter=_open_flag(far_metres))
    )


def _open_flag(far_metres: int) -> Q:
    """Check-ins that are a signal (policy §8.4) the county has not dismissed: farther than the limit from the
    site, or without location."""
    return (Q(distance_m__isnull=True) | Q(distance_m__gt=far_metres)) & Q(flag_dismissed_at__isnull=True)


@dataclass(frozen=True)
class CountedPeriod:
    """The days that count for a class today: from its start to ``cutoff``, ``training_days`` of them."""

    start: date
    cutoff: date
    training_days: int


def counted_period(training_class: TrainingClass, today: date) -> CountedPeriod:
    cutoff = attendance_rules.attendance_cutoff(
        training_class.start_date, training_class.end_date, today,
        is_started=training_class.status != TrainingClass.Status.DRAFT,
        is_finished=training_class.status == TrainingClass.Status.FINISHED,
    )
    return CountedPeriod(
        training_class.start_date, cutoff,
        attendance_rules.training_days_through(training_class.start_date, training_class.end_date, cutoff),
    )


@dataclass(frozen=True)
class ClassAttendance:
    enrolled: int
    training_days: int  # counted so far (attendance_rules.training_days_through)
    registered_days: int
    period: CountedPeriod
    days_opened: int
    attended_person_days: int
    expected_person_days: int
    attended_hours: float | None
    below_count: int
    flagged_check_ins: int

    @property
    def attended_share(self) -> str:
        if not self.expected_person_days:
            return "—"
        return f"{self.attended_person_days * 100 / self.expected_person_days:.1f}%"


def counted_check_ins(period: CountedPeriod, prefix: str = "") -> Q:
    """Check-ins inside the counted period: at most one per trainee and training day, whatever dates the class
    had when they were made (an institution may move its dates while training)."""
    return Q(**{f"{prefix}date__gte": period.start, f"{prefix}date__lte": period.cutoff})


def class_attendance(training_class: TrainingClass, *, today: date, far_metres: int) -> ClassAttendance:
    """The class's attendance figures: a fixed number of aggregate queries whatever the class's size."""
    period = counted_period(training_class, today)
    registered_days = attendance_rules.training_days_through(
        training_class.start_date, training_class.end_date, training_class.end_date
    )
    enrolled = training_class.enrollments.count()
    totals = CheckIn.objects.filter(training_class=training_class).aggregate(
        counted=Count("id", filter=counted_check_ins(period)),
        flagged=Count("id", filter=_open_flag(far_metres)),
    )
    expected = enrolled * period.training_days
    below = trainees_below(trainee_attendance(training_class, period=period), period.training_days).count()
    return ClassAttendance(
        enrolled=enrolled,
        training_days=period.training_days,
        registered_days=registered_days,
        period=period,
        days_opened=AttendanceDay.objects.filter(training_class=training_class).count(),
        attended_person_days=totals["counted"],
        expected_person_days=expected,
        attended_hours=attendance_rules.attended_hours(training_class.class_hours, totals["counted"], expected),
        below_count=below,
        flagged_check_ins=totals["flagged"],
    )


def _below_filter(training_days: int) -> dict:
    """The rows attendance_sufficient (policy §8.3) refuses, as a database filter: attended days below the
    fewest days that suffice."""
    if not training_days:
        return {"pk__in": []}
    fewest = next(days for days in range(training_days + 1) if rules.attendance_sufficient(days, training_days))
    return {"attended_days__lt": fewest}


def trainee_attendance(training_class: TrainingClass, *, period: CountedPeriod) -> QuerySet[Enrollment]:
    """The roster with each trainee's attended days in the counted period, for one page of rows at a time."""
    dismissal = ShortfallDismissal.objects.filter(enrollment=OuterRef("pk"))
    return (
        training_class.enrollments.select_related("trainee", "attendance_shortfall_dismissal__dismissed_by")
        .annotate(attended_days=Count("check_ins", filter=counted_check_ins(period, "check_ins__")),
                  is_dismissed=Exists(dismissal))
        .order_by("id")
    )


def trainees_below(queryset: QuerySet[Enrollment], training_days: int) -> QuerySet[Enrollment]:
    return queryset.filter(**_below_filter(training_days))


DAY_FILTERS = {"all": "全部", "present": "已签到", "absent": "未签到", "flagged": "有异常"}


def day_roster(training_class: TrainingClass, day: date, *, show: str, far_metres: int) -> QuerySet[Enrollment]:
    """The roster on ``day``: who checked in first, then who did not; ``show`` narrows it (DAY_FILTERS)."""
    day_check_ins = CheckIn.objects.filter(enrollment=OuterRef("pk"), date=day)
    roster = training_class.enrollments.select_related("trainee").annotate(has_checked_in=Exists(day_check_ins))
    if show == "present":
        roster = roster.filter(has_checked_in=True)
    elif show == "absent":
        roster = roster.filter(has_checked_in=False)
    elif show == "flagged":
        roster = roster.filter(Exists(day_check_ins.filter(_open_flag(far_metres))))
    return roster.order_by("-has_checked_in", "id")


def check_ins_of_day(training_class: TrainingClass, day: date, enrollment_ids: list[int]) -> dict[int, CheckIn]:
    rows = CheckIn.objects.filter(training_class=training_class, date=day, enrollment_id__in=enrollment_ids).select_related(
        "flag_dismissed_by"
    )
    return {row.enrollment_id: row for row in rows}


def shared_devices(training_class: TrainingClass, day: date) -> dict[str, int]:
    """Devices that checked in more than one trainee of the class on ``day``, with how many."""
    rows = (
        CheckIn.objects.filter(training_class=training_class, date=day).exclude(device="")
        .values("device").annotate(total=Count("id")).filter(total__gt=1)
    )
    return {row["device"]: row["total"] for row in rows}


def attendance_day_list(training_class: TrainingClass, *, today: date, far_metres: int) -> list[dict]:
    """Every registered day of the class up to today, newest first: whether the institution opened the code
    (a day never opened is a day not taught), check-ins and open signals. Two aggregate queries."""
    last = min(training_class.end_date, today)
    opened = dict(AttendanceDay.objects.filter(training_class=training_class).values_list("date", "opened_at"))
    counts = {
        row["date"]: row
        for row in CheckIn.objects.filter(training_class=training_class)
        .values("date")
        .annotate(total=Count("id"), flagged=Count("id", filter=_open_flag(far_metres)))
    }
    days = []
    for offset in range(max(0, (last - training_class.start_date).days + 1)):
        day = last - timedelta(days=offset)
        row = counts.get(day, {})
        days.append({"date": day, "opened_at": opened.get(day), "total": row.get("total", 0), "flagged": row.get("flagged", 0)})
    return days


def spot_check_summary(training_class: TrainingClass) -> dict[str, int]:
    rows = (
        PhotoSpotCheckItem.objects.filter(spot_check__training_class=training_class)
        .values("verdict").annotate(total=Count("id"))
    )
    return {row["verdict"] or "pending": row["total"] for row in rows}


def other_photos_of(enrollment_ids: list[int], *, exclude_ids: list[int], per_trainee: int = 3) -> dict[int, list[CheckIn]]:
    """Up to ``per_trainee`` other check-in photos of each trainee, newest first, for comparison (one query)."""
    rows = (
        CheckIn.objects.filter(enrollment_id__in=enrollment_ids).exclude(photo="").exclude(pk__in=exclude_ids)
        .order_by("enrollment_id", "-date").only("id", "enrollment_id", "date")
    )
    photos: dict[int, list[CheckIn]] = {enrollment_id: [] for enrollment_id in enrollment_ids}
    for row in rows:
        if len(photos[row.enrollment_id]) < per_trainee:
            photos[row.enrollment_id].append(row)
    return photos
