"""Scoped reads of the departments' lists (policy §8.2). The lists are personal data of people who never asked
to be trained: league staff read their league's lists; county staff see only the matches of their own county's
classes, on the opening review page; institutions and the public see nothing."""

from django.db.models import QuerySet

from accounts.models import Role
from xingan_training.personal_data import id_number_digest

from .models import DepartmentList, DepartmentListEntry, DepartmentListKind


def can_manage_department_lists(user) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.is_active and user.role == Role.LEAGUE and user.region_id
    )


def can_read_department_lists(user) -> bool:
    """League staff and superusers, and an auditor reading as league staff (User.read_role)."""
    return bool(
        user is not None and user.is_authenticated and user.is_active
        and (user.is_superuser or (user.read_role == Role.LEAGUE and user.region_id))
    )


def can_reveal_department_list_entries(user) -> bool:
    """League staff, and an auditor reading as league staff; each reveal is audited (superusers administer, they
    do not read ID numbers)."""
    return bool(
        user is not None and user.is_authenticated and user.is_active and user.read_role == Role.LEAGUE and user.region_id
    )


def department_lists_visible_to(user) -> QuerySet[DepartmentList]:
    if user is not None and user.is_authenticated and user.is_active and user.is_superuser:
        return DepartmentList.objects.all()
    if not can_read_department_lists(user):
        return DepartmentList.objects.none()
    return DepartmentList.objects.filter(league_id=user.region_id)


def department_list_entries_visible_to(user) -> QuerySet[DepartmentListEntry]:
    return DepartmentListEntry.objects.filter(department_list__in=department_lists_visible_to(user))


def department_list_overview_for(user, *, kind: DepartmentListKind | None = None, is_current: bool | None = None) -> QuerySet[DepartmentList]:
    """Every list the user may read, current ones first, newest first."""
    lists = department_lists_visible_to(user).select_related("kind", "imported_by", "league", "replaced_by")
    if kind is not None:
        lists = lists.filter(kind=kind)
    if is_current is not None:
        lists = lists.filter(is_current=is_current)
    return lists.order_by("-is_current", "kind__sort_order", "-imported_at", "-id")


def department_list_entries_of(department_list: DepartmentList, *, query: str = "") -> QuerySet[DepartmentListEntry]:
    """The rows of a list the caller fetched through department_lists_visible_to; ``query`` is a name or a full ID
    number (a part of an ID number would let a reader enumerate the list by guessing digits)."""
    entries = department_list.entries.order_by("row_number")
    query = query.strip().upper()
    if query:
        if len(query) == 18:
            entries = entries.filter(id_number_digest=id_number_digest(query))
        else:
            entries = entries.filter(name__icontains=query)
    return entries


def department_list_kinds() -> QuerySet[DepartmentListKind]:
    return DepartmentListKind.objects.select_related("category").order_by("sort_order", "id")
