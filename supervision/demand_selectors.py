"""Scoped reads of the training demand catalogue and of the workers' training wishes (policy §8.1)."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet

from accounts.models import Role
from accounts.scoping import scope_to_user
from classes.models import Occupation, Region, TraineeCategory, TrainingCategory, TrainingClass
from classes.selectors import classes_visible_to

from .leagues import league_id_of
from .models import DemandCatalogueEntry, OpeningReview, TrainingWish

# Decision: a class "opens" for registrants once the county approved its opening (policy §8.2), while it is
# being prepared or trained and has not started before today.
CLASS_STATUSES_OPEN_FOR_WISHES = (TrainingClass.Status.DRAFT, TrainingClass.Status.IN_TRAINING)
OPENING_STATUS_OPEN_FOR_WISHES = OpeningReview.Status.APPROVED


def catalogue_entries_visible_to(user) -> QuerySet[DemandCatalogueEntry]:
    """Staff read their league's catalogue (league staff their league, county and institution staff the league
    above them); superusers all. Anonymous visitors read only what is current, via current_catalogue_entries."""
    entries = DemandCatalogueEntry.objects.all()
    if user is not None and user.is_authenticated and user.is_active and user.is_superuser:
        return entries
    league_id = league_id_of(user)
    return entries.filter(league_id=league_id) if league_id else entries.none()


def _search_entries(entries: QuerySet[DemandCatalogueEntry], query: str) -> QuerySet[DemandCatalogueEntry]:
    query = query.strip()
    if not query:
        return entries
    types = [value for value, label in TrainingCategory.choices if query in label]
    return entries.filter(
        Q(occupation__name__icontains=query) | Q(occupation__code__icontains=query) | Q(training_type__in=types)
    )


def current_catalogue_entries(*, today: date, query: str = "") -> QuerySet[DemandCatalogueEntry]:
    """The public page: entries valid today (valid_from <= today <= valid_to, both inclusive), urgent first."""
    entries = DemandCatalogueEntry.objects.filter(valid_from__lte=today, valid_to__gte=today)
    return (
        _search_entries(entries, query)
        .select_related("occupation")
        .order_by("-is_urgent", "occupation__name", "occupation__level", "id")
    )


CATALOGUE_STATES = {"current": "当前有效", "upcoming": "尚未生效", "expired": "已过期或已终止"}


def catalogue_list_for(
    user, *, today: date, query: str = "", training_type: str = "", is_urgent: bool | None = None, state: str = ""
) -> QuerySet[DemandCatalogueEntry]:
    entries = _search_entries(catalogue_entries_visible_to(user), query)
    if training_type:
        entries = entries.filter(training_type=training_type)
    if is_urgent is not None:
        entries = entries.filter(is_urgent=is_urgent)
    if state == "current":
        entries = entries.filter(valid_from__lte=today, valid_to__gte=today)
    elif state == "upcoming":
        entries = entries.filter(valid_from__gt=today)
    elif state == "expired":
        entries = entries.filter(valid_to__lt=today)
    return entries.select_related("occupation").order_by("-valid_to", "-is_urgent", "occupation__code", "-id")


def catalogue_entry_history(entry: DemandCatalogueEntry, *, limit: int = 30) -> list[dict]:
    """Who changed what on an entry, newest first."""
    records = list(entry.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    entries = []
    for record, previous in zip(records[:limit], records[1 : limit + 1] + [None]):
        changes = []
        if previous is not None:
            for change in record.diff_against(previous).changes:
                model_field = DemandCatalogueEntry._meta.get_field(change.field)
                display = dict(model_field.choices) if model_field.choices else {}
                if isinstance(change.new, bool):
                    display = {True: "是", False: "否"}
                changes.append({
                    "field": model_field.verbose_name,
                    "old": display.get(change.old, change.old),
                    "new": display.get(change.new, change.new),
                })
        entries.append({
            "when": record.history_date,
            "who": record.history_user.display_name if record.history_user else "系统",
            "action": {"+": "发布", "~": "修改", "-": "删除"}[record.history_type],
            "changes": changes,
        })
    return entries


def can_read_wishes(user) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.is_active
        and (user.is_superuser or user.read_role in (Role.LEAGUE, Role.COUNTY))
    )


def training_wishes_visible_to(user) -> QuerySet[TrainingWish]:
    """Workers' wishes are personal data kept for the bureaus: county staff see their county's, league staff
    their league's counties'. Institutions and the public never see one."""
    if not can_read_wishes(user):
        return TrainingWish.objects.none()
    # institution_path is never used: institution staff were refused above.
    return scope_to_user(TrainingWish.objects.all(), user, county_path="county", institution_path="county__institutions")


def wish_counties_visible_to(user) -> QuerySet[Region]:
    """The counties whose wishes the user may filter on."""
    if not can_read_wishes(user):
        return Region.objects.none()
    counties = Region.objects.filter(level=Region.Level.COUNTY)
    if user.is_superuser:
        return counties
    if user.read_role == Role.LEAGUE:
        return counties.filter(parent_id=user.region_id)
    return counties.filter(pk=user.region_id)


def public_wish_counties() -> QuerySet[Region]:
    """The counties a worker may choose on the public form: every county of a league."""
    return Region.objects.filter(level=Region.Level.COUNTY, parent__level=Region.Level.LEAGUE).order_by("code")


def _in_period(wishes: QuerySet[TrainingWish], date_from: date | None, date_to: date | None) -> QuerySet[TrainingWish]:
    if date_from:
        wishes = wishes.filter(created_at__date__gte=date_from)
    if date_to:
        wishes = wishes.filter(created_at__date__lte=date_to)
    return wishes


@dataclass
class OccupationDemand:
    occupation: Occupation
    counts: list[int] = field(default_factory=list)  # per category, in the order of the page's columns
    total: int = 0
    told: int = 0
    matching_classes: int = 0

    @property
    def untold(self) -> int:
        return self.total - self.told


def demand_per_occupation(
    user, *, today: date, date_from: date | None = None, date_to: date | None = None, county: Region | None = None
) -> tuple[list[TraineeCategory], list[OccupationDemand]]:
    """Registrations per wished occupation and category in the period, with how many were told and how many
    classes are open for them, within the user's scope (optionally one county). Most wished first."""
    wishes = _in_period(training_wishes_visible_to(user), date_from, date_to)
    if county is not None:
        wishes = wishes.filter(county=county)
    categories = list(TraineeCategory.objects.order_by("sort_order", "id"))
    column = {category.pk: index for index, category in enumerate(categories)}
    rows: dict[int, OccupationDemand] = {}
    counted = wishes.values("occupation_id", "category_id").annotate(
        total=Count("id"), told=Count("id", filter=Q(told_at__isnull=False))
    )
    for row in counted:
        demand = rows.get(row["occupation_id"])
        if demand is None:
            demand = rows[row["occupation_id"]] = OccupationDemand(occupation=None, counts=[0] * len(categories))
        demand.counts[column[row["category_id"]]] += row["total"]
        demand.total += row["total"]
        demand.told += row["told"]
    occupations = Occupation.objects.in_bulk(rows)
    classes = classes_open_for_wishes(classes_visible_to(user), today=today)
    if county is not None:
        classes = classes.filter(institution__county=county)
    open_per_code = dict(
        classes.filter(occupation__code__in={occupation.code for occupation in occupations.values()})
        .values("occupation__code")
        .annotate(total=Count("id"))
        .values_list("occupation__code", "total")
    )
    for occupation_id, demand in rows.items():
        demand.occupation = occupations[occupation_id]
        demand.matching_classes = open_per_code.get(demand.occupation.code, 0)
    ordered = sorted(rows.values(), key=lambda demand: (-demand.total, demand.occupation.code))
    return categories, ordered


def training_wish_list_for(
    user,
    *,
    occupation: Occupation | None = None,
    county: Region | None = None,
    category: TraineeCategory | None = None,
    is_told: bool | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    query: str = "",
) -> QuerySet[TrainingWish]:
    wishes = _in_period(training_wishes_visible_to(user), date_from, date_to)
    if occupation is not None:
        wishes = wishes.filter(occupation=occupation)
    if county is not None:
        wishes = wishes.filter(county=county)
    if category is not None:
        wishes = wishes.filter(category=category)
    if is_told is not None:
        wishes = wishes.filter(told_at__isnull=not is_told)
    if query.strip():
        wishes = wishes.filter(name__icontains=query.strip())
    return wishes.select_related("occupation", "category", "county", "told_by", "told_class").order_by("-created_at", "-id")


def classes_open_for_wishes(classes: QuerySet[TrainingClass], *, today: date) -> QuerySet[TrainingClass]:
    """Of these classes, those registrants can still join: approved for opening, not started before today."""
    return classes.filter(
        status__in=CLASS_STATUSES_OPEN_FOR_WISHES, opening_review__status=OPENING_STATUS_OPEN_FOR_WISHES,
        start_date__gte=today,
    )


def classes_matching_wishes(user, *, county_id: int, occupation_code: str, today: date) -> QuerySet[TrainingClass]:
    """Classes the user may see, in the wishes' county, of the wished occupation (same occupation code, any
    level), that registrants can still join. The same rule decides what training_wishes_mark_told accepts."""
    return (
        classes_open_for_wishes(classes_visible_to(user), today=today)
        .filter(institution__county_id=county_id, occupation__code=occupation_code)
        .select_related("institution", "occupation")
        .order_by("start_date", "batch_number")
    )
