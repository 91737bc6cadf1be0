"""Scoped reads of follow-ups, coverage (policy §5) and employment grades (policy §4)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum

from accounts.models import Role
from accounts.scoping import scope_to_user
from classes.models import Enrollment, Institution, Region, TraineeCategory, TrainingCategory, TrainingClass
from classes.selectors import counties_visible_to, institutions_visible_to
from evaluations import rules
from evaluations.models import TraineeEvaluation
from xingan_training.counting import related_count

from .contradictions import CallAnswers, contradicts_form2, followup_problems
from .models import CallAttempt, EmploymentRecord, FollowupItem, FollowupSample

EMPLOYED = ("employee", "self_employed", "flexible")
STARTED_BUSINESS = ("business",)


def followup_items_visible_to(user) -> QuerySet[FollowupItem]:
    """Follow-ups are the bureaus' work: institutions never see the worklist (policy §5)."""
    if user.is_authenticated and user.role == Role.INSTITUTION:
        return FollowupItem.objects.none()
    return scope_to_user(
        FollowupItem.objects.all(),
        user,
        county_path="sample__training_class__institution__county",
        institution_path="sample__training_class__institution",
    )


def samples_visible_to(user) -> QuerySet[FollowupSample]:
    return scope_to_user(
        FollowupSample.objects.all(), user,
        county_path="training_class__institution__county", institution_path="training_class__institution",
    )


def samples_with_calls_visible_to(user) -> QuerySet[FollowupSample]:
    """Samples whose call records (names, answers, suggestions) the user may read: like the items, never
    an institution's, although it may see that its class was sampled."""
    if user.is_authenticated and user.role == Role.INSTITUTION:
        return FollowupSample.objects.none()
    return samples_visible_to(user)


def employment_records_visible_to(user) -> QuerySet[EmploymentRecord]:
    return scope_to_user(
        EmploymentRecord.objects.all(), user,
        county_path="enrollment__training_class__institution__county",
        institution_path="enrollment__training_class__institution",
    )


class FollowupFinding(NamedTuple):
    """One completed call whose answers say the trainee did not attend or did not complete the class."""

    item: FollowupItem  # annotated with form2_completed: the valid 附表2's answer, None without one
    trainee_name: str
    problems: list[str]  # Chinese sentences, e.g. "回访中表示未参加此次培训，附表2却填写“已完成此次培训”"

    @property
    def contradicts_form2(self) -> bool:
        """True for a contradiction with 附表2 (a fraud signal, policy §8.4), False for a finding without one."""
        return contradicts_form2(_call_answers(self.item), self.item.form2_completed)


def _call_answers(item: FollowupItem) -> CallAnswers:
    return CallAnswers(received_training=item.received_training, completed_training=item.completed_training)


def followup_contradictions_for(training_class: TrainingClass, *, user) -> list[FollowupFinding]:
    """The class's completed follow-up calls that say the trainee did not attend or did not complete it, each
    checked against the trainee's valid 附表2 (policy §5; a fraud signal of §8.4), in draw order. One query.

    Each entry unpacks as ``(item, trainee_name, problems)``; ``.contradicts_form2`` tells a contradiction with
    附表2 from a finding without one. Scoped like the follow-up items: bureau staff within their scope;
    institutions and outsiders get an empty list.
    """
    form2_completed = TraineeEvaluation.objects.filter(enrollment=OuterRef("enrollment"), is_valid=True).values(
        "completed_training"
    )[:1]
    items = (
        followup_items_visible_to(user)
        .filter(sample__training_class=training_class, status=FollowupItem.Status.COMPLETED)
        .filter(Q(received_training=False) | Q(completed_training=False))
        .select_related("enrollment__trainee")
        .annotate(form2_completed=Subquery(form2_completed))
        .order_by("position")
    )
    findings = []
    for item in items:
        problems = followup_problems(_call_answers(item), item.form2_completed)
        if problems:
            findings.append(FollowupFinding(item, item.enrollment.trainee.name, problems))
    return findings


@dataclass(frozen=True)
class Coverage:
    has_sample: bool
    enrolled: int
    target: int
    completed: int
    on_time: int
    due_date: date | None

    @property
    def is_reached(self) -> bool:
        # Policy §5: at least 20% of the class is phoned, i.e. completed calls reach ⌈N/5⌉.
        return self.has_sample and self.completed >= self.target

    @property
    def on_time_rate(self) -> str:
        return "—" if not self.completed else f"{self.on_time * 100 / self.completed:.0f}%"


def coverage_of(training_class: TrainingClass) -> Coverage:
    sample = FollowupSample.objects.filter(training_class=training_class).first()
    if sample is None:
        return Coverage(False, training_class.enrollments.count(), 0, 0, 0, None)
    completed = sample.items.filter(status=FollowupItem.Status.COMPLETED)
    return Coverage(
        has_sample=True,
        enrolled=len(sample.candidates),
        target=sample.target_size,
        completed=completed.count(),
        on_time=completed.filter(completed_at__date__lte=sample.due_date).count(),
        due_date=sample.due_date,
    )


def with_completion_counts(samples: QuerySet[FollowupSample]) -> QuerySet[FollowupSample]:
    """Each sample's completed calls and those completed by its due date (policy §5), exact. Correlated subqueries
    over the completed items only (index ``followup_completed_sample``), not a join of every item grouped by
    sample: a year of the league's samples is 10,000 samples of 665,000 items."""
    completed = FollowupItem.objects.filter(status=FollowupItem.Status.COMPLETED)
    return samples.annotate(
        completed=related_count(completed, field="sample"),
        on_time=related_count(completed.filter(completed_at__date__lte=OuterRef("due_date")), field="sample"),
    )


def overdue_samples(*, today: date) -> QuerySet[FollowupSample]:
    """Samples past their due date and short of their target, by the counts call_attempt_record keeps in the
    call's transaction (completed_calls), not a recount of every past sample's calls each day."""
    return (
        FollowupSample.objects.filter(due_date__lt=today, completed_calls__lt=F("target_size"))
        .select_related("training_class__institution__county")
    )


def worklist_for(user) -> QuerySet[FollowupItem]:
    """The pending calls in their order, not annotated: a page reads its lines through worklist_rows.

    The due date is read by a correlated subquery rather than from the join on purpose: ordered by the joined
    column, PostgreSQL walks the samples' ``sample_due_date`` index from the oldest, expecting pending calls
    everywhere, while they sit in the newest samples (2,725 pending of 665,000 items at region scale: 97,000
    samples visited, 300–500 ms). Ordered by the subquery, it starts from the pending items
    (``followup_status_sample``) and sorts only those (14 ms)."""
    due_date = FollowupSample.objects.filter(pk=OuterRef("sample_id")).values("due_date")
    return (
        followup_items_visible_to(user)
        .filter(status=FollowupItem.Status.PENDING)
        .order_by(Subquery(due_date), "sample_id", "position")
    )


def with_worklist_facts(items: QuerySet[FollowupItem]) -> QuerySet[FollowupItem]:
    """What a worklist line shows: trainee, class, county and the calls tried so far."""
    return items.select_related("enrollment__trainee", "sample__training_class__institution__county").annotate(
        attempt_count=Count("attempts")
    )


def worklist_rows(item_ids: list[int]) -> QuerySet[FollowupItem]:
    """The lines of one worklist page, for ids that worklist_for already scoped."""
    return with_worklist_facts(FollowupItem.objects.filter(pk__in=item_ids))


def worklist_filtered_for(user, *, params, today: date) -> QuerySet[FollowupItem]:
    """The worklist as its page filters it (``q``: batch number or trainee name; ``overdue``: due before
    today). Shared by the page and its Excel export."""
    items = worklist_for(user)
    query = (params.get("q") or "").strip()
    if query:
        items = items.filter(Q(sample__training_class__batch_number__icontains=query) | Q(enrollment__trainee__name__icontains=query))
    if params.get("overdue"):
        items = items.filter(sample__due_date__lt=today)
    return items


def call_attempts_visible_to(user) -> QuerySet[CallAttempt]:
    """Every call of the follow-ups the user may see: like the items, never an institution's."""
    return CallAttempt.objects.filter(item__in=followup_items_visible_to(user))


def county_coverage_for(user, *, due_from: date, due_to: date) -> list[dict]:
    """Per county over a period (by due date): classes sampled, completed calls against the 20% targets, calls on
    time, and classes that reached their target. One grouped query over the samples' own counts of completed
    calls, which call_attempt_record keeps in the call's transaction (FollowupSample.completed_calls,
    completed_on_time): the league's year is 10,000 sample rows, never their 60,000 calls."""
    reached = Q(completed_calls__gte=F("target_size"))
    return list(
        samples_visible_to(user).filter(due_date__gte=due_from, due_date__lte=due_to)
        .values(county=F("training_class__institution__county__name"))
        .annotate(classes=Count("pk"), target=Sum("target_size"), completed=Sum("completed_calls"),
                  on_time=Sum("completed_on_time"), reached=Count("pk", filter=reached))
        .order_by("county")
    )


@dataclass(frozen=True)
class EmploymentGrade:
    group: str
    label: str
    successes: int
    total: int
    grade: str | None
    thresholds: tuple[int, int, int]

    @property
    def rate(self) -> str:
        return "—" if not self.total else f"{self.successes * 100 / self.total:.1f}%"

    @property
    def grade_label(self) -> str:
        return {"excellent": "优秀", "good": "良好", "fair": "一般", "poor": "差", None: "无数据"}[self.grade]


GROUP_LABELS = {
    rules.FARMER_HERDER: "农牧民（就业率）",
    rules.URBAN_UNEMPLOYED: "城镇失业人员（就业率）",
    rules.ENTREPRENEURSHIP: "创业培训（创业成功率）",
}


def employment_grades_by(enrollments: QuerySet[Enrollment], key: str) -> dict[object, list[EmploymentGrade]]:
    """Policy §4 per trainee group, for each value of ``key`` (e.g. the county), in two queries.

    Completed trainees are the denominator; every trainee of an entrepreneurship class is in the
    entrepreneurship group whatever the person's category; students are reported, not graded."""
    completed = enrollments.filter(completion=Enrollment.Completion.COMPLETED)
    counts: dict[object, dict[str, dict]] = {}
    for row in (
        completed.filter(training_class__category=TrainingCategory.ENTREPRENEURSHIP)
        .values(key)
        .annotate(total=Count("id"), successes=Count("id", filter=Q(employment_record__destination__in=STARTED_BUSINESS)))
    ):
        counts.setdefault(row[key], {})[rules.ENTREPRENEURSHIP] = row
    for row in (
        completed.exclude(training_class__category=TrainingCategory.ENTREPRENEURSHIP)
        .filter(trainee__category__employment_group__in=(rules.FARMER_HERDER, rules.URBAN_UNEMPLOYED))
        .values(key, "trainee__category__employment_group")
        .annotate(total=Count("id"), successes=Count("id", filter=Q(employment_record__destination__in=EMPLOYED)))
    ):
        counts.setdefault(row[key], {})[row["trainee__category__employment_group"]] = row
    return {value: grades_from_counts(groups) for value, groups in counts.items()}


# Where the overview's per-institution counts come from: reports keeps them in its summary rows (refreshed by its
# beat task) and registers the reader at start-up (ReportsConfig.ready); followups imports nothing of reports.
EmploymentCounts = dict[int, dict[str, dict]]  # institution id → policy §4 group → {"total": …, "successes": …}
_employment_summary: list[Callable[[QuerySet[Institution]], tuple[EmploymentCounts, datetime | None]]] = []


def register_employment_summary(read: Callable[[QuerySet[Institution]], tuple[EmploymentCounts, datetime | None]]) -> None:
    """``read(institutions)`` returns the counts of those institutions and when they were taken."""
    _employment_summary[:] = [read]


@dataclass(frozen=True)
class EmploymentOverview:
    counties: list[tuple[Region, list[EmploymentGrade]]]
    institutions: list[tuple[Institution, list[EmploymentGrade]]]
    as_of: datetime | None  # when the summary rows were counted; None before the first refresh


def employment_overview_for(user) -> EmploymentOverview:
    """Policy §4 grades of every county and every institution in the user's scope, each with its grades
    ("无数据" where nobody completed), from the summary rows: a county's grade is graded from its institutions'
    summed counts, never averaged. Shared by the employment page and its Excel export."""
    institutions = list(institutions_visible_to(user).select_related("county").order_by("county__code", "name"))
    [read] = _employment_summary
    counts, as_of = read(institutions_visible_to(user))
    by_county: dict[int, dict[str, dict]] = {}
    for institution in institutions:
        for group, row in counts.get(institution.pk, {}).items():
            county_row = by_county.setdefault(institution.county_id, {}).setdefault(group, {"total": 0, "successes": 0})
            county_row["total"] += row["total"]
            county_row["successes"] += row["successes"]
    return EmploymentOverview(
        counties=[(county, grades_from_counts(by_county.get(county.pk, {}))) for county in counties_visible_to(user)],
        institutions=[(institution, grades_from_counts(counts.get(institution.pk, {}))) for institution in institutions],
        as_of=as_of,
    )


def grades_from_counts(groups: dict[str, dict]) -> list[EmploymentGrade]:
    grades = []
    for group in (rules.FARMER_HERDER, rules.URBAN_UNEMPLOYED, rules.ENTREPRENEURSHIP):
        row = groups.get(group) or {"total": 0, "successes": 0}
        grades.append(EmploymentGrade(
            group=group, label=GROUP_LABELS[group], successes=row["successes"], total=row["total"],
            grade=rules.grade_employment(group, row["successes"], row["total"]),
            thresholds=rules.EMPLOYMENT_THRESHOLDS[group],
        ))
    return grades


def employment_grades(enrollments: QuerySet[Enrollment]) -> list[EmploymentGrade]:
    """The grades of one set of enrollments as a whole (a class)."""
    by_class = employment_grades_by(enrollments, "training_class_id")
    if len(by_class) > 1:
        raise ValueError("employment_grades expects the enrollments of one class; use employment_grades_by")
    return next(iter(by_class.values()), grades_from_counts({}))


def students_reported(enrollments: QuerySet[Enrollment]) -> dict:
    """Students are reported, not graded (policy §4)."""
    students = enrollments.filter(
        completion=Enrollment.Completion.COMPLETED,
        trainee__category__employment_group=TraineeCategory.EmploymentGroup.STUDENT,
    ).exclude(training_class__category=TrainingCategory.ENTREPRENEURSHIP)
    return students.aggregate(total=Count("id"), employed=Count("id", filter=Q(employment_record__destination__in=EMPLOYED)))
