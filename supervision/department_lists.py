"""Writes of the departments' lists (policy §8.2, S2 三: 与教育、农牧等部门的数据共享比对).

League staff import a department's .xlsx list, all or nothing; a new list of a kind replaces the league's
current list of that kind (the old one keeps its metadata and loses its rows, see DepartmentList).
"""

import hashlib
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_event_record
from accounts.models import AuditEvent, User
from classes import roster_file
from xingan_training.errors import ServiceError

from . import department_list_file
from .department_list_selectors import can_manage_department_lists, department_list_entries_visible_to
from .models import DepartmentList, DepartmentListEntry, DepartmentListKind

EARLIEST_LIST_DATE = date(2000, 1, 1)


class ListRowsError(ServiceError):
    """The workbook has bad rows; ``errors`` lists every one (row, column, Chinese message). Nothing was imported."""

    def __init__(self, errors: list[roster_file.RowError], row_count: int):
        super().__init__(f"名单中有 {len(errors)} 处错误，未导入任何数据，请修改后重新上传。")
        self.errors = errors
        self.row_count = row_count


def department_list_import(
    *, actor: User, kind: DepartmentListKind, source_department: str, list_date: date, file_name: str, data: bytes,
    request=None,
) -> DepartmentList:
    """League staff import a list for their league. Refused to anyone else; for a file that is not a safe, bounded
    .xlsx (ServiceError); for any bad row (ListRowsError with every row's error; nothing written); for a list dated
    in the future or before 2000. Replaces the league's current list of the kind in the same transaction, under a
    lock on the kind so that two imports of one kind never both become current."""
    if not can_manage_department_lists(actor):
        raise ServiceError("只有盟级人社部门可以导入部门名单。")
    source_department = (source_department or "").strip()
    if not source_department or len(source_department) > 100:
        raise ServiceError("请填写提供名单的部门（最多100字）。")
    today = timezone.localdate()
    if not EARLIEST_LIST_DATE <= list_date <= today:
        raise ServiceError("名单日期应在2000年1月1日至今天之间。")
    try:
        roster_file.check_container(data, max_bytes=settings.DEPARTMENT_LIST_UPLOAD_MAX_BYTES)
        records = roster_file.read_rows(
            data, max_rows=settings.DEPARTMENT_LIST_MAX_ROWS, columns=department_list_file.COLUMNS
        )
    except roster_file.RosterFileError as error:
        raise ServiceError(str(error)) from None
    check = department_list_file.check_list_rows(records, today=today)
    if not check.is_valid:
        raise ListRowsError(check.errors, len(records))
    with transaction.atomic():
        locked_kind = DepartmentListKind.objects.select_for_update().get(pk=kind.pk)
        previous = (
            DepartmentList.objects.select_for_update()
            .filter(league_id=actor.region_id, kind=locked_kind, is_current=True).first()
        )
        if previous is not None:
            previous.entries.all().delete()
            previous.is_current = False
            previous.replaced_at = timezone.now()
            previous.save(update_fields=["is_current", "replaced_at"])
        new_list = DepartmentList.objects.create(
            league_id=actor.region_id, kind=locked_kind, source_department=source_department, list_date=list_date,
            file_name=file_name[:200], file_sha256=hashlib.sha256(data).hexdigest(), row_count=len(check.rows),
            imported_by=actor,
        )
        DepartmentListEntry.objects.bulk_create(
            [DepartmentListEntry(department_list=new_list, id_number=row.id_number, name=row.name, row_number=row.row_number)
             for row in check.rows],
            batch_size=2000,
        )
        if previous is not None:
            previous.replaced_by = new_list
            previous.save(update_fields=["replaced_by"])
        audit_event_record(
            action=AuditEvent.Action.IMPORT_ROSTER, request=request, actor=actor, target=new_list,
            detail=f"导入部门名单：{locked_kind.name}（{source_department}，{list_date:%Y-%m-%d}）{len(check.rows)} 人"
            + ("，替换原名单" if previous is not None else ""),
        )
    return new_list


def department_list_entry_reveal(*, actor: User, entry: DepartmentListEntry, request=None) -> str:
    """The full ID number of one person on a list, for league staff of the list's league. Audited."""
    if not department_list_entries_visible_to(actor).filter(pk=entry.pk).exists():
        raise ServiceError("名单人员不存在或无权查看。")
    audit_event_record(
        action=AuditEvent.Action.VIEW_PERSONAL_DATA, request=request, actor=actor, target=entry,
        detail=f"部门名单 {entry.department_list.kind.name}（{entry.department_list.list_date:%Y-%m-%d}）",
    )
    return entry.id_number
