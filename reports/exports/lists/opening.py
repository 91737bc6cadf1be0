"""The records of one object behind the opening review (policy §8.2): a class's 备案变更 requests and the people
of one department list. Each names its object in the query string (``class``, ``list``) and finds it through the
scoping function its page uses, so another county's class or a list the user may not read is a 404 here too."""

from collections.abc import Mapping

from classes.selectors import classes_visible_to
from supervision.department_list_selectors import department_list_entries_of, department_lists_visible_to
from supervision.opening_selectors import change_requests_of
from supervision.models import ChangeRequest, DepartmentListEntry

from ..columns import DATETIME, ID_NUMBER, INTEGER, Column, ListExport


def _pk(params: Mapping, name: str) -> int | None:
    value = (params.get(name) or "").strip()
    return int(value) if value.isdigit() and len(value) < 12 else None


def _class_of(user, params: Mapping):
    pk = _pk(params, "class")
    return None if pk is None else classes_visible_to(user).filter(pk=pk).first()


def _change_requests(user, params: Mapping):
    training_class = _class_of(user, params)
    if training_class is None:
        return ChangeRequest.objects.none()
    return change_requests_of(user, training_class).select_related("training_class")


def _field_changes(change_request: ChangeRequest) -> str:
    return "；".join(f"{change['label']}：{change['old']} → {change['new']}" for change in change_request.field_changes_in_form_order())


def _removals(change_request: ChangeRequest) -> str:
    # The request stores the removed trainees' ID numbers masked already (the page shows them so).
    return "、".join(f"{item['name']}（{item['id_number']}）" for item in change_request.roster_removals)


CHANGE_REQUESTS = ListExport(
    key="change-requests",
    title="备案变更申请",
    page="supervision:opening_list",
    rows=_change_requests,
    subject=_class_of,
    columns=(
        Column("审核（备案）班期", lambda change: change.training_class.batch_number, width=22),
        Column("申请时间", lambda change: change.submitted_at, DATETIME, 17),
        Column("申请人", lambda change: change.submitted_by.display_name, width=10),
        Column("状态", lambda change: change.get_status_display(), width=10),
        Column("备案信息变更", _field_changes, width=40),
        Column("移出学员", _removals, width=30),
        Column("增加学员人数", lambda change: change.roster_additions or None, INTEGER, 12),
        Column("变更理由", lambda change: change.reason, width=30),
        Column("审核人", lambda change: change.decided_by.display_name if change.decided_by else "", width=10),
        Column("审核时间", lambda change: change.decided_at, DATETIME, 17),
        Column("不予核准原因", lambda change: change.refusal_reason, width=30),
    ),
)


def _department_list_of(user, params: Mapping):
    pk = _pk(params, "list")
    return None if pk is None else department_lists_visible_to(user).select_related("kind").filter(pk=pk).first()


def _entries(user, params: Mapping):
    department_list = _department_list_of(user, params)
    if department_list is None:
        return DepartmentListEntry.objects.none()
    return department_list_entries_of(department_list, query=params.get("q") or "")


# The page shows every ID number masked and reveals one at a time, each reveal audited: the export keeps them
# masked for every role (a whole list of full numbers in a spreadsheet is what one-at-a-time reveals prevent) and
# is audited for the names it carries.
DEPARTMENT_LIST_ENTRIES = ListExport(
    key="department-list-entries",
    title="部门名单人员",
    page="supervision:department_list_list",
    rows=_entries,
    subject=_department_list_of,
    columns=(
        Column("行号", lambda entry: entry.row_number, INTEGER, 8),
        Column("姓名", lambda entry: entry.name, width=10),
        Column("身份证号", lambda entry: entry.id_number, width=20, personal=ID_NUMBER),
    ),
)

EXPORTS = (CHANGE_REQUESTS, DEPARTMENT_LIST_ENTRIES)
