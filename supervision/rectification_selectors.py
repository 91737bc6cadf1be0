"""Scoped reads of the rectification ledger (整改清单, policy §8.6).

Who sees an item: the county of the institution, the league above it, and the institution itself; anyone else
nothing (another county's item is a 404, as a missing one). Raising and closing rights are in rectification.py.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet

from accounts.models import Role
from accounts.scoping import scope_to_user
from classes.models import Institution, Region
from classes.selectors import counties_visible_to, institutions_visible_to

from .models import RectificationAttachment, RectificationItem, RectificationItemEvent
from .models.rectification import RECTIFICATION_CLOSED_LAST
from .rules import rectification_overdue

UNRESOLVED = RectificationItem.UNRESOLVED_STATUSES
UNRESOLVED_FILTER = "unresolved"  # the list's status filter for every status not yet closed (未销号)


def rectification_items_visible_to(user) -> QuerySet[RectificationItem]:
    return scope_to_user(RectificationItem.objects.all(), user, county_path="institution__county", institution_path="institution")


def rectification_attachments_visible_to(user) -> QuerySet[RectificationAttachment]:
    """Evidence files of the items ``user`` sees: the institution its own, the bureaus those of their scope."""
    return scope_to_user(
        RectificationAttachment.objects.all(), user,
        county_path="evidence__item__institution__county", institution_path="evidence__item__institution",
    )


def overdue_filter(today: date) -> Q:
    """The database face of rules.rectification_overdue: not closed and the deadline before today."""
    return Q(status__in=UNRESOLVED, deadline__lt=today)


def rectification_item_list_for(
    user, *, today: date, query: str = "", source: str = "", status: str = "", is_overdue: bool = False,
    institution: Institution | None = None, county: Region | None = None,
    found_from: date | None = None, found_to: date | None = None,
) -> QuerySet[RectificationItem]:
    """The ledger page: scoped, filtered, overdue first then by deadline, with every column in one query."""
    items = rectification_items_visible_to(user)
    query = query.strip()
    if query:
        items = items.filter(
            Q(problem__icontains=query) | Q(measures__icontains=query) | Q(institution__name__icontains=query)
            | Q(responsible_name__icontains=query) | Q(training_class__batch_number__icontains=query)
            | Q(notice__number__icontains=query)
        )
    if source:
        items = items.filter(source=source)
    if status == UNRESOLVED_FILTER:
        items = items.filter(status__in=UNRESOLVED)
    elif status:
        items = items.filter(status=status)
    if is_overdue:
        items = items.filter(overdue_filter(today))
    if institution is not None:
        items = items.filter(institution=institution)
    if county is not None:
        items = items.filter(institution__county=county)
    if found_from is not None:
        items = items.filter(found_on__gte=found_from)
    if found_to is not None:
        items = items.filter(found_on__lte=found_to)
    # Unresolved items first (the earliest deadline, so the overdue ones, on top), then the closed ones: the order of
    # the index rectification_ledger_order, so a page reads its items from the index (the view pages first).
    return items.select_related("institution__county", "training_class", "notice").order_by(
        RECTIFICATION_CLOSED_LAST.asc(), "deadline", "id"
    )


@dataclass(frozen=True)
class LedgerRow:
    item: RectificationItem
    is_overdue: bool
    overdue_days: int


def ledger_rows(items, *, today: date) -> list[LedgerRow]:
    """The rows a page shows (already paged), each with its overdue state by the policy's rule."""
    rows = []
    for item in items:
        is_overdue = rectification_overdue(item.deadline, today, item.is_closed)
        rows.append(LedgerRow(item, is_overdue, (today - item.deadline).days if is_overdue else 0))
    return rows


@dataclass(frozen=True)
class RectificationCounts:
    unresolved: int
    overdue: int


def rectification_counts_for(user, *, today: date, county=None, institution=None) -> RectificationCounts:
    """Unresolved and overdue items in the user's scope, in one query over the (status, deadline) index: the
    landing page's figures come from the open working set, never from the closed history. ``county`` and
    ``institution`` (a Region/Institution or its pk) narrow it as the ledger's filters of the same names do."""
    items = rectification_items_visible_to(user).filter(status__in=UNRESOLVED)
    if county:
        items = items.filter(institution__county=county)
    if institution:
        items = items.filter(institution=institution)
    figures = items.aggregate(
        unresolved=Count("pk"), overdue=Count("pk", filter=Q(deadline__lt=today))
    )
    return RectificationCounts(figures["unresolved"], figures["overdue"])


def rectification_item_events(item: RectificationItem) -> QuerySet[RectificationItemEvent]:
    """The history of an item the caller already fetched through rectification_items_visible_to."""
    return item.events.select_related("actor")


def rectification_evidence_of(item: RectificationItem):
    """The institution's reports of an item (fetched through the scope), oldest first, with their files."""
    return item.evidence_submissions.select_related("submitted_by").prefetch_related("attachments")


def institutions_for_raising(user) -> QuerySet[Institution]:
    """Whom ``user`` may raise an item about: county staff the institutions of their county, league staff those
    of the league; nobody else."""
    if not user.is_authenticated or user.role not in (Role.COUNTY, Role.LEAGUE):
        return Institution.objects.none()
    return institutions_visible_to(user).select_related("county").order_by("county__code", "name")


def counties_for_printing(user) -> QuerySet[Region]:
    """The counties whose list of open items ``user`` may print: a county its own, the league each of its
    counties. Institutions print none (the list names other institutions)."""
    if not user.is_authenticated or (user.read_role not in (Role.COUNTY, Role.LEAGUE) and not user.is_superuser):
        return Region.objects.none()
    return counties_visible_to(user).order_by("code")


def county_open_items(user, county: Region) -> QuerySet[RectificationItem]:
    """The printable list of a county: its unresolved items the user may see, the earliest deadline first."""
    return (
        rectification_items_visible_to(user)
        .filter(institution__county=county, status__in=UNRESOLVED)
        .select_related("institution", "training_class", "notice")
        .order_by("deadline", "institution__name", "id")
    )
