"""Scoped reads of on-site inspections and of inspection coverage (policy §8.5, S2 四(一)).

The only place a commissioned third party (受委托第三方) reads anything: the inspections assigned to it and, of each
assigned class, what an inspection needs (batch, institution, occupation, dates, location, roster names with
masked ID numbers). accounts.scoping.scope_to_user gives it nothing anywhere else.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.fields import BooleanField

from accounts.models import Role, User
from accounts.scoping import scope_to_user
from classes.masking import mask_id_number
from classes.models import Enrollment, Institution, Region, TrainingClass
from classes.selectors import classes_visible_to, counties_visible_to

from .inspection_rules import inspection_pace_behind, inspections_to_regain_pace
from .models import Inspection, InspectionAttachment
from .models.inspections import INSPECTION_OPEN_FIRST
from .rules import inspection_coverage_met

# Decision (policy §8.5 "the classes that ran in that year"): a class has run once it started (培训中 or 已结业);
# one still 筹备中 has not.
BATCH_STATUSES = (TrainingClass.Status.IN_TRAINING, TrainingClass.Status.FINISHED)


def inspections_visible_to(user) -> QuerySet[Inspection]:
    """League staff: inspections of their league's classes; county staff: of their county's classes; a third
    party: the inspections it is assigned to, nothing else; superusers: all. Institutions and everyone else:
    nothing (an institution learns of findings through the rectification ledger, not the inspectors' notes)."""
    inspections = Inspection.objects.all()
    if user is None or not user.is_authenticated or not user.is_active:
        return inspections.none()
    if user.role == Role.THIRD_PARTY and not user.is_superuser:
        return inspections.filter(inspectors=user)
    if user.role == Role.INSTITUTION and not user.is_superuser:
        return inspections.none()
    return scope_to_user(
        inspections, user, county_path="training_class__institution__county", institution_path="training_class__institution"
    )


def inspection_attachments_visible_to(user) -> QuerySet[InspectionAttachment]:
    """The photos and documents of the inspections the user sees."""
    return InspectionAttachment.objects.filter(inspection__in=inspections_visible_to(user).values("pk"))


def inspection_list_for(user, *, status: str = "", county: Region | None = None) -> QuerySet[Inspection]:
    """The inspection list, within inspections_visible_to: open plans first, then the rest, newest first (the order
    of the index inspection_list_order, so a page reads its entries from the index; the view pages first)."""
    inspections = inspections_visible_to(user)
    if status:
        inspections = inspections.filter(status=status)
    if county is not None:
        inspections = inspections.filter(training_class__institution__county=county)
    return (
        inspections.select_related("training_class__institution__county", "training_class__occupation")
        .prefetch_related("inspectors")
        .order_by(INSPECTION_OPEN_FIRST.asc(), "-planned_on", "-id")
    )


def inspection_detail_for(user, pk) -> Inspection | None:
    """One inspection the user may see, with its class; None for a missing and a forbidden one alike."""
    return (
        inspections_visible_to(user)
        .select_related(
            "training_class__institution__county", "training_class__occupation", "planned_by", "recorded_by", "cancelled_by"
        )
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class RosterEntry:
    """What an inspector sees of a trainee: the roster's name and the masked ID number, for the headcount."""

    enrollment_id: int
    name: str
    masked_id_number: str
    is_dropped: bool


def inspection_roster(inspection: Inspection) -> list[RosterEntry]:
    """The roster of an inspection's class, for a caller who fetched the inspection through inspections_visible_to.
    Only names and masked ID numbers leave this function: no phone, no category, no full number."""
    rows = (
        Enrollment.objects.filter(training_class_id=inspection.training_class_id)
        .order_by("id")
        .values_list("id", "roster_name", "trainee__id_number", "completion")
    )
    return [
        RosterEntry(pk, name, mask_id_number(number), completion == Enrollment.Completion.DROPPED)
        for pk, name, number, completion in rows
    ]


def inspection_absentees(inspection: Inspection) -> list[RosterEntry]:
    absent = set(inspection.absent_enrollments.values_list("pk", flat=True))
    return [entry for entry in inspection_roster(inspection) if entry.enrollment_id in absent]


def inspector_candidates(training_class: TrainingClass) -> QuerySet[User]:
    """Who may inspect a class: active staff of its county or its league, and third parties commissioned by
    either. The planning service checks the same rule (inspections.may_inspect)."""
    county = training_class.institution.county
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(role=Role.COUNTY, region=county)
            | Q(role=Role.LEAGUE, region_id=county.parent_id)
            | Q(role=Role.THIRD_PARTY, region_id__in=[county.pk, county.parent_id])
        )
        .select_related("region")
        .order_by("role", "first_name", "username")
    )


# Coverage --------------------------------------------------------------------------------------------------


def batches_of_year(classes: QuerySet[TrainingClass], year: int) -> QuerySet[TrainingClass]:
    """The batches (培训班期) of a calendar year among ``classes``.

    Decision (policy §8.5): a class *ran* in a year when it has started (status 培训中 or 已结业) and its training
    period shares at least one day with the year: start_date <= 31 December and end_date >= 1 January. A class
    across New Year is a batch of both years; an inspection counts for the year it is made in.
    """
    return classes.filter(status__in=BATCH_STATUSES, start_date__lte=date(year, 12, 31), end_date__gte=date(year, 1, 1))


def _inspected_in(year: int) -> Exists:
    return Exists(
        Inspection.objects.filter(
            training_class=OuterRef("pk"), status=Inspection.Status.RECORDED,
            inspected_on__gte=date(year, 1, 1), inspected_on__lte=date(year, 12, 31),
        )
    )


def _no_longer_inspectable(year: int, today: date) -> Q:
    """No longer inspectable for ``year``: its training ended (finished, or the end date passed), or the year did
    (inspection_rules.last_inspection_day before today)."""
    if date(year, 12, 31) < today:
        return Q(pk__isnull=False)
    return Q(status=TrainingClass.Status.FINISHED) | Q(end_date__lt=today)


@dataclass(frozen=True)
class CountyCoverage:
    county: Region
    year: int
    batches: int
    inspected: int
    missed: int  # ended (or the year did) without an inspection in the year

    @property
    def still_open(self) -> int:
        """Batches still training and not yet inspected: the ones to visit next."""
        return self.batches - self.inspected - self.missed

    @property
    def is_met(self) -> bool | None:
        return inspection_coverage_met(self.inspected, self.batches)

    @property
    def percent(self) -> float | None:
        """For display only; the judgement is is_met (exact integers, policy §1)."""
        return None if self.batches == 0 else round(self.inspected * 100 / self.batches, 1)

    @property
    def is_behind(self) -> bool | None:
        return inspection_pace_behind(self.inspected, self.missed)

    @property
    def to_regain_pace(self) -> int:
        return inspections_to_regain_pace(self.inspected, self.missed)

    @property
    def target(self) -> int:
        """Batches to inspect for 60% of the batches known so far: the least n with n * 100 >= 60 * batches."""
        return -(-60 * self.batches // 100)


def can_read_coverage(user) -> bool:
    """Coverage is the bureaus' figure: league and county staff (and superusers), not institutions or third parties."""
    return bool(
        user is not None and user.is_authenticated and user.is_active
        and (user.is_superuser or user.read_role in (Role.LEAGUE, Role.COUNTY))
    )


def inspection_coverage_for(
    user, *, year: int, today: date, county: Region | None = None, institution: Institution | None = None
) -> list[CountyCoverage]:
    """Each county's coverage for a calendar year: league staff every county of their league, county staff their
    own, others nothing; ``county`` keeps one county, ``institution`` counts only its batches (in its county's
    row). One grouped query over the year's visible batches."""
    if not can_read_coverage(user):
        return []
    counties = counties_visible_to(user).order_by("code")
    if county is not None:
        counties = counties.filter(pk=county.pk)
    if institution is not None:
        counties = counties.filter(pk=institution.county_id)
    counties = list(counties)
    if not counties:
        return []
    settled = _no_longer_inspectable(year, today)
    classes = batches_of_year(classes_visible_to(user), year)
    if institution is not None:
        classes = classes.filter(institution=institution)
    # Grouped by (county, inspected, settled), so that the inspection check runs once per batch (a filtered count
    # per figure would run it once per figure); the figures are summed from the at most four groups of a county.
    rows = (
        classes
        .filter(institution__county__in=counties)
        .annotate(
            is_inspected=_inspected_in(year),
            is_settled=Case(When(settled, then=Value(True)), default=Value(False), output_field=BooleanField()),
        )
        .values("institution__county", "is_inspected", "is_settled")
        .annotate(batches=Count("pk"))
        .order_by()
    )
    figures: dict[int, dict[str, int]] = {}
    for row in rows:
        figure = figures.setdefault(row["institution__county"], {"batches": 0, "inspected": 0, "missed": 0})
        figure["batches"] += row["batches"]
        if row["is_inspected"]:
            figure["inspected"] += row["batches"]
        elif row["is_settled"]:
            figure["missed"] += row["batches"]
    coverage = []
    for region in counties:
        figure = figures.get(region.pk, {})
        coverage.append(CountyCoverage(region, year, figure.get("batches", 0), figure.get("inspected", 0), figure.get("missed", 0)))
    return coverage


def uninspected_batches_for(
    user, *, year: int, today: date, county: Region | None = None, institution: Institution | None = None
) -> QuerySet[TrainingClass]:
    """The year's batches without an inspection in the year, those still training first (the ones to visit next),
    then by end date. Callers page first; the annotations are computed for the rows shown."""
    if not can_read_coverage(user):
        return TrainingClass.objects.none()
    classes = batches_of_year(classes_visible_to(user), year)
    if county is not None:
        classes = classes.filter(institution__county=county)
    if institution is not None:
        classes = classes.filter(institution=institution)
    settled = _no_longer_inspectable(year, today)
    return (
        classes.annotate(is_inspected=_inspected_in(year))
        .filter(is_inspected=False)
        .annotate(
            is_settled=Case(When(settled, then=Value(True)), default=Value(False), output_field=BooleanField()),
            has_open_plan=Exists(
                Inspection.objects.filter(training_class=OuterRef("pk"), status=Inspection.Status.PLANNED)
            ),
        )
        .select_related("institution__county", "occupation")
        .order_by("is_settled", "end_date", "pk")
    )


def county_pace_for(user, *, today: date) -> CountyCoverage | None:
    """The landing page's figure for county staff: their county's coverage of the current year."""
    if not user.is_authenticated or user.read_role != Role.COUNTY or not user.region_id:
        return None
    coverage = inspection_coverage_for(user, year=today.year, today=today)
    return coverage[0] if coverage else None
