"""Scoped reads of the institutions' yearly performance, the red/black list and teacher performance (policy §8.7,
§8.8), and the evidence the portal draws for them.

Figures at scale: pages page their rows first; the evidence is then gathered for the rows shown, in a fixed number
of grouped queries whatever the number of rows (one per figure, never one per institution or teacher).
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Case, CharField, Count, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Role
from classes.models import Enrollment, Institution, TrainingClass
from classes.selectors import classes_visible_to, enrollments_visible_to, institutions_visible_to
from evaluations import rules as evaluation_rules
from evaluations.models import Investigation
from evaluations.permissions import VERIFIED
from evaluations.selectors import conclusion_from_facts, grade_from_facts, investigations_visible_to, with_counted_review_facts
from followups.selectors import employment_grades_by

from . import rules
from .inspection_selectors import inspections_visible_to
from .models import CatalogueStatusChange, Inspection, InstitutionEvaluation, ListDecision, RectificationItem
from .rectification_selectors import rectification_items_visible_to
from .teacher_selectors import class_teachers_visible_to

# A class belongs to the year it started in (Decision): each class counts once, and 长期不开展培训 is about starts too.
# A class still 筹备中 has not started, whatever date it was registered for.
STARTED_CLASS_STATUSES = (TrainingClass.Status.IN_TRAINING, TrainingClass.Status.FINISHED)
CONCLUSION_ORDER = (
    evaluation_rules.CONCLUSION_OUTSTANDING,
    evaluation_rules.CONCLUSION_QUALIFIED,
    evaluation_rules.CONCLUSION_RECTIFYING,
    evaluation_rules.CONCLUSION_UNDER_INVESTIGATION,
    evaluation_rules.CONCLUSION_FAILED,
    evaluation_rules.CONCLUSION_NO_DATA,
)
GROUPS = (evaluation_rules.FARMER_HERDER, evaluation_rules.URBAN_UNEMPLOYED, evaluation_rules.ENTREPRENEURSHIP)
GOOD_RATINGS = (evaluation_rules.EXCELLENT, evaluation_rules.GOOD)


def can_evaluate_institutions(user) -> bool:
    """The yearly evaluation and the red/black list are the league's (S2 四(二)): league staff only."""
    return bool(
        user is not None and user.is_authenticated and user.is_active and user.role == Role.LEAGUE and user.region_id
    )


def can_read_institution_evaluations(user) -> bool:
    """The pages of the yearly evaluation: league staff, and an auditor reading as league staff (User.read_role)."""
    return bool(
        user is not None and user.is_authenticated and user.is_active and user.read_role == Role.LEAGUE and user.region_id
    )


def institutions_for_evaluation(user) -> QuerySet[Institution]:
    """The institutions of the league staff's league; nothing for anyone else (their pages answer 404)."""
    if not can_read_institution_evaluations(user):
        return Institution.objects.none()
    return institutions_visible_to(user)


def institution_evaluations_visible_to(user) -> QuerySet[InstitutionEvaluation]:
    return InstitutionEvaluation.objects.filter(institution__in=institutions_for_evaluation(user))


def list_decisions_visible_to(user) -> QuerySet[ListDecision]:
    return ListDecision.objects.filter(evaluation__institution__in=institutions_for_evaluation(user))


def catalogue_changes_visible_to(user) -> QuerySet[CatalogueStatusChange]:
    return CatalogueStatusChange.objects.filter(institution__in=institutions_for_evaluation(user))


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def default_evaluation_date(year: int, today: date) -> date:
    """The evaluation date of a year not yet evaluated: the year's last day, or today while the year runs."""
    return min(today, date(year, 12, 31))


def _year_classes(classes: QuerySet[TrainingClass], year: int) -> QuerySet[TrainingClass]:
    return classes.filter(start_date__range=year_bounds(year), status__in=STARTED_CLASS_STATUSES)


# Evidence ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupplementaryEvidence:
    """One more evidence figure beside the core ones. ``gather(user, institution_ids, year)`` returns institution
    id → the figure's text for the ids asked, in a fixed number of queries; ``None`` until the data exists, and the
    page then shows ``absent_text``."""

    label: str
    absent_text: str
    gather: Callable[[object, Sequence[int], int], dict[int, str]] | None = None


def _inspection_findings(user, institution_ids: Sequence[int], year: int) -> dict[int, str]:
    """The on-site inspections recorded in ``year`` at the institutions' classes (policy §8.5), by result; one query."""
    texts = {}
    for row in (
        inspections_visible_to(user)
        .filter(status=Inspection.Status.RECORDED, inspected_on__range=year_bounds(year),
                training_class__institution_id__in=institution_ids)
        .values("training_class__institution_id")
        .annotate(done=Count("pk"), problems=Count("pk", filter=Q(result=Inspection.Result.PROBLEMS)),
                  serious=Count("pk", filter=Q(result=Inspection.Result.SERIOUS)))
        .order_by()
    ):
        findings = [f"发现问题{row['problems']}次" if row["problems"] else "",
                    f"严重问题{row['serious']}次" if row["serious"] else ""]
        texts[row["training_class__institution_id"]] = (
            f"检查{row['done']}次，" + ("，".join(text for text in findings if text) or "均合格"))
    return texts


def _rectification_items(user, institution_ids: Sequence[int], year: int) -> dict[int, str]:
    """The rectification items (policy §8.6) raised in ``year`` against the institutions, and how many are still
    open and overdue now; one query."""
    today = timezone.localdate()
    unresolved = Q(status__in=RectificationItem.UNRESOLVED_STATUSES)
    texts = {}
    for row in (
        rectification_items_visible_to(user)
        .filter(found_on__range=year_bounds(year), institution_id__in=institution_ids)
        .values("institution_id")
        .annotate(raised=Count("pk"), open=Count("pk", filter=unresolved),
                  overdue=Count("pk", filter=unresolved & Q(deadline__lt=today)))
        .order_by()
    ):
        state = f"未销号{row['open']}项" + (f"（逾期{row['overdue']}项）" if row["overdue"] else "") if row["open"] else "均已销号"
        texts[row["institution_id"]] = f"提出{row['raised']}项，{state}"
    return texts


# The evidence other features supply beside the core figures (policy §8.7: inspection findings; the rectification
# ledger of §8.6). An institution without any shows 无.
SUPPLEMENTARY_EVIDENCE: tuple[SupplementaryEvidence, ...] = (
    SupplementaryEvidence("现场检查", "（尚无现场检查数据）", _inspection_findings),
    SupplementaryEvidence("整改事项", "（尚无整改清单数据）", _rectification_items),
)


@dataclass(frozen=True)
class EvidenceFigure:
    label: str
    text: str
    is_absent: bool


@dataclass(frozen=True)
class FalsificationFinding:
    batch_number: str
    class_id: int
    concluded_on: date | None
    reason: str


@dataclass
class InstitutionEvidence:
    """What the portal draws for one institution's year, and the red/black proposals that follow from it."""

    facts: rules.InstitutionYearFacts
    classes: int = 0
    enrolled: int = 0
    completed: int = 0
    falsifications: list[FalsificationFinding] = field(default_factory=list)
    supplementary: list[EvidenceFigure] = field(default_factory=list)

    @property
    def conclusions(self) -> list[tuple[str, str, int]]:
        """(conclusion, label, classes) in the order of policy §3's labels, best first."""
        return [
            (conclusion, evaluation_rules.CONCLUSION_LABELS[conclusion], self.facts.conclusions.get(conclusion, 0))
            for conclusion in CONCLUSION_ORDER
        ]

    @property
    def employment(self) -> tuple[rules.GroupEmployment, ...]:
        return self.facts.employment

    @property
    def is_inactive(self) -> bool:
        return self.facts.is_inactive

    @property
    def black_reasons(self) -> list[str]:
        return rules.black_list_reasons(self.facts)

    @property
    def red_reasons(self) -> list[str]:
        return rules.red_list_reasons(self.facts)

    @property
    def proposal(self) -> str:
        """'black', 'red' or '' — what the portal proposes (black wins: red asks for no black reason)."""
        return "black" if self.black_reasons else "red" if self.red_reasons else ""

    def proposed_reasons(self) -> list[dict]:
        """The proposal as kept beside a decision."""
        return [{"listing": "black", "reason": reason} for reason in self.black_reasons] + [
            {"listing": "red", "reason": reason} for reason in self.red_reasons
        ]


@dataclass(frozen=True)
class LeagueEmployment:
    """The league's employment per policy §4 group over one year (successes, total): the yardstick of
    ``rules.below_average`` (§8.7). ``as_of`` is when the summary rows it was read from were counted; None when
    it was counted live."""

    counts: dict[str, tuple[int, int]]
    as_of: datetime | None = None


# Where the league's year comes from when a page shows many institutions: reports keeps per-class policy §4 counts in
# its summary rows and registers the reader at start-up (ReportsConfig.ready); supervision imports nothing of reports.
# ``read(classes)`` returns the summed counts of those classes (already scoped) and when they were counted.
_league_employment_summary: list[Callable[[QuerySet[TrainingClass]], tuple[dict[str, tuple[int, int]], datetime | None]]] = []


def register_league_employment_summary(read) -> None:
    _league_employment_summary[:] = [read]


def league_employment_of_year(user, year: int) -> LeagueEmployment:
    """The league's year for a page of many institutions (the performance list and its export): summed from the
    summary rows of the year's classes, with their time, instead of counting several hundred thousand enrolments on
    every page; counted live before the first refresh or without a reader. The detail page, where the league
    evaluates one institution, counts live (institution_year_evidence without ``league``)."""
    year_classes = _year_classes(classes_visible_to(user), year)
    if _league_employment_summary:
        counts, as_of = _league_employment_summary[0](year_classes)
        if as_of is not None:
            return LeagueEmployment(counts, as_of)
    return LeagueEmployment(_league_counts_live(_year_enrollments(user, year)))


def _year_enrollments(user, year: int) -> QuerySet[Enrollment]:
    """The enrolments of the classes started in ``year``, found through their class's own columns, not a list of
    the year's classes: PostgreSQL then walks the year's classes by index instead of joining every enrolment first
    (same rows: an enrolment is visible exactly when its class is)."""
    return enrollments_visible_to(user).filter(
        training_class__start_date__range=year_bounds(year), training_class__status__in=STARTED_CLASS_STATUSES
    )


def _league_counts_live(year_enrollments: QuerySet[Enrollment]) -> dict[str, tuple[int, int]]:
    league_counts: dict[str, tuple[int, int]] = {}
    # One league for league staff; a superuser's call would sum every league.
    for groups in _employment_counts(year_enrollments, "training_class__institution__county__parent_id").values():
        for group, (successes, total) in groups.items():
            before = league_counts.get(group, (0, 0))
            league_counts[group] = (before[0] + successes, before[1] + total)
    return league_counts


def _employment_counts(enrollments: QuerySet[Enrollment], key: str) -> dict[object, dict[str, tuple[int, int]]]:
    return {
        value: {grade.group: (grade.successes, grade.total) for grade in grades}
        for value, grades in employment_grades_by(enrollments, key).items()
    }


def institution_year_evidence(
    user, institution_ids: Sequence[int], *, year: int, today: date, league: "LeagueEmployment | None" = None
) -> dict[int, InstitutionEvidence]:
    """The evidence of ``year`` for the listed institutions (the page's rows), read through the user's scope:
    classes started in the year and their trainees; the classes' conclusions (policy §3); employment per policy §4
    group against the league's whole year (``below_average``); confirmed falsifications of the year's classes; the
    last class start before the evaluation date (the saved evaluation's, else ``default_evaluation_date``); and the
    SUPPLEMENTARY_EVIDENCE figures. Seven queries plus one per supplementary figure, whatever the number of ids;
    five when the caller brings the league's year (``league``: league_employment_of_year)."""
    ids = list(institution_ids)
    if not ids:
        return {}
    # 1. The evaluation date of each institution's year, and the last class started on or before it.
    saved_dates = InstitutionEvaluation.objects.filter(institution=OuterRef("pk"), year=year).values("evaluated_on")[:1]
    last_starts = (
        TrainingClass.objects.filter(
            institution=OuterRef("pk"), status__in=STARTED_CLASS_STATUSES, start_date__lte=OuterRef("evaluation_date")
        ).order_by("-start_date").values("start_date")[:1]
    )
    dates = (
        institutions_visible_to(user).filter(pk__in=ids)
        .annotate(evaluation_date=Coalesce(Subquery(saved_dates), Value(default_evaluation_date(year, today))))
        .annotate(last_class_start=Subquery(last_starts))
        .values_list("pk", "evaluation_date", "last_class_start")
    )
    known = {pk: (evaluation_date, last_start) for pk, evaluation_date, last_start in dates}
    # 2. The year's classes with their review facts: counts, trainees and conclusions per institution.
    year_classes = _year_classes(classes_visible_to(user), year)
    tallies: dict[int, dict] = {pk: {"classes": 0, "enrolled": 0, "completed": 0, "conclusions": {}} for pk in known}
    for training_class in with_counted_review_facts(year_classes.filter(institution_id__in=known)).order_by():
        tally = tallies[training_class.institution_id]
        tally["classes"] += 1
        tally["enrolled"] += training_class.enrolled_total
        tally["completed"] += training_class.completed_total
        conclusion = conclusion_from_facts(training_class, grade_from_facts(training_class))
        tally["conclusions"][conclusion] = tally["conclusions"].get(conclusion, 0) + 1
    # 3. Confirmed falsifications of the year's classes.
    findings: dict[int, list[FalsificationFinding]] = {}
    for row in (
        investigations_visible_to(user)
        .filter(training_class__in=year_classes.filter(institution_id__in=known), status=Investigation.Status.CONFIRMED,
                is_falsification=True)
        .values("training_class__institution_id", "training_class__batch_number", "training_class_id", "concluded_at",
                "conclusion_reason")
        .order_by("concluded_at", "pk")
    ):
        findings.setdefault(row["training_class__institution_id"], []).append(FalsificationFinding(
            batch_number=row["training_class__batch_number"], class_id=row["training_class_id"],
            concluded_on=timezone.localdate(row["concluded_at"]) if row["concluded_at"] else None,
            reason=row["conclusion_reason"],
        ))
    # 4–7. Employment per group: the institutions' own, and the league's whole year unless the caller brought it
    # (two queries each).
    year_enrollments = _year_enrollments(user, year)
    own = _employment_counts(year_enrollments.filter(training_class__institution_id__in=known), "training_class__institution_id")
    league_counts = _league_counts_live(year_enrollments) if league is None else league.counts
    supplementary = [(source, source.gather(user, list(known), year) if source.gather else None) for source in SUPPLEMENTARY_EVIDENCE]
    evidence = {}
    for pk, (evaluation_date, last_start) in known.items():
        tally = tallies[pk]
        employment = tuple(
            rules.GroupEmployment(group, *own.get(pk, {}).get(group, (0, 0)), *league_counts.get(group, (0, 0)))
            for group in GROUPS
        )
        evidence[pk] = InstitutionEvidence(
            facts=rules.InstitutionYearFacts(
                year=year, evaluation_date=evaluation_date, last_class_start=last_start,
                conclusions=tally["conclusions"], falsifications=len(findings.get(pk, [])), employment=employment,
            ),
            classes=tally["classes"], enrolled=tally["enrolled"], completed=tally["completed"],
            falsifications=findings.get(pk, []),
            supplementary=[
                EvidenceFigure(source.label, source.absent_text, True) if texts is None
                else EvidenceFigure(source.label, texts.get(pk, "无"), False)
                for source, texts in supplementary
            ],
        )
    return evidence


# The league's pages -------------------------------------------------------------------------------------------------


def performance_list_for(user, *, year: int, query: str = "", county=None, evaluated: bool | None = None) -> QuerySet[Institution]:
    """The league's institutions for the year's evaluation page, each with its evaluation and standing decision
    of that year (one query per page; the evidence is gathered for the page's rows afterwards)."""
    institutions = institutions_for_evaluation(user)
    query = query.strip()
    if query:
        institutions = institutions.filter(Q(name__icontains=query) | Q(credit_code__iexact=query))
    if county is not None:
        institutions = institutions.filter(county=county)
    evaluations = InstitutionEvaluation.objects.filter(institution=OuterRef("pk"), year=year)
    decisions = ListDecision.objects.filter(
        evaluation__institution=OuterRef("pk"), evaluation__year=year, withdrawn_at__isnull=True
    )
    institutions = institutions.annotate(
        evaluated_on=Subquery(evaluations.values("evaluated_on")[:1]),
        decision_listing=Subquery(decisions.values("listing")[:1]),
        decision_published=Subquery(decisions.values("is_published")[:1]),
    )
    if evaluated is not None:
        institutions = institutions.filter(evaluated_on__isnull=not evaluated)
    return institutions.select_related("county").order_by("county__code", "name", "pk")


def evaluation_of(user, institution: Institution, year: int) -> InstitutionEvaluation | None:
    return institution_evaluations_visible_to(user).filter(institution=institution, year=year).select_related("evaluated_by").first()


def decisions_of(user, institution: Institution) -> QuerySet[ListDecision]:
    """Every decision on the institution, all years, withdrawn ones included, newest first."""
    return (
        list_decisions_visible_to(user).filter(evaluation__institution=institution)
        .select_related("evaluation", "decided_by", "published_by", "withdrawn_by")
        .order_by("-evaluation__year", "-decided_at", "-id")
    )


def catalogue_changes_of(user, institution: Institution) -> QuerySet[CatalogueStatusChange]:
    return (
        catalogue_changes_visible_to(user).filter(institution=institution)
        .select_related("changed_by", "list_decision__evaluation").order_by("-changed_at", "-id")
    )


def list_decision_list_for(user, *, year: int | None = None, listing: str = "", published: bool | None = None) -> QuerySet[ListDecision]:
    decisions = list_decisions_visible_to(user)
    if year:
        decisions = decisions.filter(evaluation__year=year)
    if listing:
        decisions = decisions.filter(listing=listing)
    if published is not None:
        decisions = decisions.filter(is_published=published)
    return decisions.select_related("evaluation__institution__county", "decided_by", "withdrawn_by").order_by(
        "-evaluation__year", "-decided_on", "-id"
    )


# Public pages -------------------------------------------------------------------------------------------------------

# What the public pages may read of a decision and its institution: nothing personal (no person, no phone, no ID).
PUBLIC_ENTRY_FIELDS = (
    "pk", "listing", "listing_label", "reason", "decided_on", "evaluation__year", "evaluation__institution__name",
    "evaluation__institution__county__name",
)


def _published(decisions: QuerySet[ListDecision]) -> QuerySet[ListDecision]:
    return decisions.filter(is_published=True, withdrawn_at__isnull=True, listing__in=ListDecision.PUBLISHABLE).annotate(
        listing_label=Case(
            *(When(listing=value, then=Value(label)) for value, label in ListDecision.Listing.choices),
            output_field=CharField(),
        )
    )


def published_list_entries(*, query: str = "", listing: str = "") -> QuerySet:
    """The public red/black list: published entries that stand, newest decision first, as plain values."""
    entries = _published(ListDecision.objects.all())
    query = query.strip()
    if query:
        entries = entries.filter(
            Q(evaluation__institution__name__icontains=query) | Q(evaluation__institution__credit_code__iexact=query)
        )
    if listing in ListDecision.PUBLISHABLE:
        entries = entries.filter(listing=listing)
    return entries.order_by("-decided_on", "-pk").values(*PUBLIC_ENTRY_FIELDS)


CREDIT_CODE = re.compile(r"^[0-9A-HJ-NP-RT-UW-Y]{18}$")
PUBLIC_LOOKUP_LIMIT = 10
PUBLIC_LOOKUP_MIN_CHARS = 2


@dataclass(frozen=True)
class PublicInstitutionStatus:
    name: str
    credit_code: str
    county: str
    is_listed: bool
    status_label: str
    entries: list[dict]


def public_institution_lookup(query: str) -> tuple[list[PublicInstitutionStatus], bool]:
    """Anyone looks up an institution by its unified social credit code (exact) or its name (the exact name, else
    names containing the words, at most 10). Returns the matches and whether more were left out. Two queries."""
    query = query.strip()
    if len(query) < PUBLIC_LOOKUP_MIN_CHARS:
        return [], False
    institutions = Institution.objects.select_related("county").only(
        "name", "credit_code", "catalogue_status", "county__name"
    ).order_by("name", "pk")
    if CREDIT_CODE.match(query.upper()):
        matches = list(institutions.filter(credit_code=query.upper())[:1])
    else:
        matches = list(institutions.filter(name=query)[:1]) or list(
            institutions.filter(name__icontains=query)[: PUBLIC_LOOKUP_LIMIT + 1]
        )
    has_more = len(matches) > PUBLIC_LOOKUP_LIMIT
    matches = matches[:PUBLIC_LOOKUP_LIMIT]
    entries: dict[int, list[dict]] = {}
    if matches:
        for entry in (
            _published(ListDecision.objects.filter(evaluation__institution__in=matches))
            .order_by("-decided_on", "-pk").values("evaluation__institution_id", *PUBLIC_ENTRY_FIELDS)
        ):
            entries.setdefault(entry["evaluation__institution_id"], []).append(entry)
    return [
        PublicInstitutionStatus(
            name=institution.name, credit_code=institution.credit_code, county=institution.county.name,
            is_listed=institution.catalogue_status == Institution.CatalogueStatus.LISTED,
            status_label=institution.get_catalogue_status_display(), entries=entries.get(institution.pk, []),
        )
        for institution in matches
    ], has_more


# Teacher performance (policy §8.8) ----------------------------------------------------------------------------------

TEACHER_SORTS = ("share", "share_asc", "classes", "name")


def teacher_forms_verified_only(user) -> bool:
    """An institution reads its classes' 附表2 counts only once the county has verified the class (policy §6.6)."""
    return user.role == Role.INSTITUTION


def _teacher_assignments(user, *, year: int, query: str) -> QuerySet:
    assignments = class_teachers_visible_to(user).filter(
        training_class__start_date__range=year_bounds(year), training_class__status__in=STARTED_CLASS_STATUSES
    )
    if query.strip():
        assignments = assignments.filter(teacher__name__icontains=query.strip())
    return assignments


def _teacher_order(sort: str):
    """The sort key of a row: ``share`` best first, ties by the number of forms (more first), then name; ``share_asc``
    worst first, same ties; ``classes`` most classes first, then the best share, then name; ``name``. A teacher
    without forms (no share) comes after every share. The share is compared as the float the database compared
    when it sorted these rows (good_forms / forms in double precision), so the order is the same."""
    by_name = lambda row: (row["teacher__name"], row["teacher_id"])  # noqa: E731
    if sort == "name":
        return by_name
    if sort == "share_asc":
        return lambda row: (row["share"] is None, row["share"] or 0.0, -row["forms"], *by_name(row))
    best_share = lambda row: (row["share"] is None, -(row["share"] or 0.0))  # noqa: E731
    if sort == "classes":
        return lambda row: (-row["classes"], *best_share(row), *by_name(row))
    return lambda row: (*best_share(row), -row["forms"], *by_name(row))


def teacher_performance_for(user, *, year: int, sort: str = "share", query: str = "") -> list[dict]:
    """One row per teacher who taught a class started in ``year`` that the user may see: league staff their league's
    classes, county staff their county's, institution staff their own (class_teachers_visible_to). Each row: classes
    taught, valid 附表2 of those classes and how many rated item 7 (师资配备和授课质量) 优 or 良 — for an institution
    only the forms of classes the county has verified, as on its class pages (policy §6.6). Rows are dicts
    (teacher_id, teacher__name, teacher__employment_type, classes, forms, good_forms, share), in the page's order.

    The ranking needs every teacher's share, so the figures are summed for all of them, exactly, in one grouped
    query over the year's assignments (18,000 for the league) and each class's form counts (TraineeFormCounts: one
    row per class, kept by the form services in the form's own transaction, evaluations.form_counts) — no form is
    read, no roster joined, and a class's forms count once per teacher of the class, never multiplied."""
    # The filter on the class's review applies to the counts only: the institution still sees its classes taught.
    counted = Q(training_class__review__status__in=VERIFIED) if teacher_forms_verified_only(user) else None
    rows = list(
        _teacher_assignments(user, year=year, query=query).order_by()
        .values("teacher_id", "teacher__name", "teacher__employment_type")
        .annotate(
            classes=Count("pk"),  # a teacher is assigned to a class once (class_teacher_once_per_class)
            forms=Coalesce(Sum("training_class__trainee_form_counts__valid_forms", filter=counted), 0),
            good_forms=Coalesce(Sum("training_class__trainee_form_counts__item_7_good", filter=counted), 0),
        )
    )
    for row in rows:
        row["share"] = row["good_forms"] / row["forms"] if row["forms"] else None
    return sorted(rows, key=_teacher_order(sort if sort in TEACHER_SORTS else "share"))


@dataclass(frozen=True)
class TeacherPerformance:
    rank: int
    teacher_id: int
    name: str
    employment_type: str
    classes: int
    forms: int
    good_forms: int
    employment: list[tuple[str, int, int]]  # (heading, employed or started a business, completed)

    @property
    def share(self) -> str:
        share = evaluation_rules.percentage(self.good_forms, self.forms)
        return "—" if share is None else f"{float(share):.1f}%"


EMPLOYMENT_TYPE_LABELS = {"full_time": "专职", "part_time": "兼职"}
TEACHER_EMPLOYMENT_HEADINGS = {
    evaluation_rules.FARMER_HERDER: "农牧民就业",
    evaluation_rules.URBAN_UNEMPLOYED: "城镇失业人员就业",
    evaluation_rules.ENTREPRENEURSHIP: "创业培训创业",
}


def teacher_performance_rows(user, rows: Sequence[dict], *, year: int, first_rank: int) -> list[TeacherPerformance]:
    """The page's rows with the employment of the trainees each teacher taught (policy §4 groups, counts), read
    through the user's scope. Two queries whatever the number of rows."""
    ids = [row["teacher_id"] for row in rows]
    taught = enrollments_visible_to(user).filter(
        training_class__teacher_assignments__teacher_id__in=ids,
        training_class__start_date__range=year_bounds(year), training_class__status__in=STARTED_CLASS_STATUSES,
    )
    employment = _employment_counts(taught, "training_class__teacher_assignments__teacher_id") if ids else {}
    return [
        TeacherPerformance(
            rank=first_rank + index, teacher_id=row["teacher_id"], name=row["teacher__name"],
            employment_type=EMPLOYMENT_TYPE_LABELS.get(row["teacher__employment_type"], ""),
            classes=row["classes"], forms=row["forms"], good_forms=row["good_forms"],
            employment=[
                (TEACHER_EMPLOYMENT_HEADINGS[group], *employment.get(row["teacher_id"], {}).get(group, (0, 0))) for group in GROUPS
            ],
        )
        for index, row in enumerate(rows)
    ]


def years_with_classes(user, *, today: date) -> list[int]:
    """The years a year picker offers: from the first visible class's start to this year (one query)."""
    first = classes_visible_to(user).order_by("start_date").values_list("start_date", flat=True).first()
    first_year = first.year if first else today.year
    return list(range(today.year, min(first_year, today.year) - 1, -1))
