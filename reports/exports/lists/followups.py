"""The follow-up worklist, the calls, the coverage per county and the employment grades, as their pages show them."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from accounts.models import Role
from followups.forms import coverage_period
from followups.selectors import (
    GROUP_LABELS,
    EmploymentGrade,
    call_attempts_visible_to,
    county_coverage_for,
    employment_overview_for,
    with_worklist_facts,
    worklist_filtered_for,
)

from ..columns import DATE, DATETIME, DECIMAL, INTEGER, PERCENT, PHONE, Column, ListExport


def is_bureau(user) -> bool:
    """Follow-ups are the bureaus' work (policy §5): the pages refuse everyone else with 404."""
    return user.read_role in (Role.COUNTY, Role.LEAGUE)


def _is_overdue(item) -> str:
    return "逾期" if item.sample.due_date < timezone.localdate() else ""


# The worklist is what callers phone from: they see the full number, as on the call page, and the export is
# audited like each number shown there.
WORKLIST = ListExport(
    key="followup-worklist",
    title="电话回访工作清单",
    page="followups:worklist",
    rows=lambda user, params: with_worklist_facts(worklist_filtered_for(user, params=params, today=timezone.localdate())),
    is_allowed=is_bureau,
    reveals_personal_data=is_bureau,
    columns=(
        Column("学员姓名", lambda item: item.enrollment.roster_name, width=10),
        Column("联系电话", lambda item: item.enrollment.phone, width=14, personal=PHONE),
        Column("审核（备案）班期", lambda item: item.sample.training_class.batch_number, width=22),
        Column("培训机构", lambda item: item.sample.training_class.institution.name, width=28),
        Column("旗县市", lambda item: item.sample.training_class.institution.county.name, width=12),
        Column("回访截止日期", lambda item: item.sample.due_date, DATE, 12),
        Column("是否逾期", _is_overdue, width=8),
        Column("已拨打次数", lambda item: item.attempt_count, INTEGER, 10),
    ),
)


def _calls(user, params):
    """Every call the user may see, optionally of one class (``class``, from the class's follow-up page) and
    matching ``q`` (batch number or trainee name), as the worklist searches."""
    calls = call_attempts_visible_to(user).select_related(
        "caller", "item__enrollment__trainee", "item__sample__training_class__institution__county"
    )
    class_id = (params.get("class") or "").strip()
    if class_id:
        calls = calls.filter(item__sample__training_class_id=int(class_id)) if class_id.isdigit() else calls.none()
    query = (params.get("q") or "").strip()
    if query:
        calls = calls.filter(
            Q(item__sample__training_class__batch_number__icontains=query) | Q(item__enrollment__trainee__name__icontains=query)
        )
    return calls.order_by("item__sample__training_class__batch_number", "item__position", "called_at", "id")


# A record of calls made: nobody needs the number again, so it stays masked.
CALLS = ListExport(
    key="followup-calls",
    title="电话回访通话记录",
    page="followups:worklist",
    rows=_calls,
    is_allowed=is_bureau,
    columns=(
        Column("审核（备案）班期", lambda call: call.item.sample.training_class.batch_number, width=22),
        Column("旗县市", lambda call: call.item.sample.training_class.institution.county.name, width=12),
        Column("抽取顺位", lambda call: call.item.position + 1, INTEGER, 8),
        Column("学员姓名", lambda call: call.item.enrollment.roster_name, width=10),
        Column("联系电话", lambda call: call.item.enrollment.phone, width=14, personal=PHONE),
        Column("通话时间", lambda call: call.called_at, DATETIME, 17),
        Column("回访人", lambda call: call.caller.display_name, width=10),
        Column("结果", lambda call: call.get_outcome_display(), width=10),
        Column("约定回拨时间", lambda call: call.callback_at, DATETIME, 17),
        Column("备注", lambda call: call.note, width=20),
        Column("回访状态", lambda call: call.item.get_status_display(), width=8),
        Column("参训情况", lambda call: call.item.participation_display, width=8),
        Column("满意度", lambda call: call.item.get_satisfaction_display(), width=8),
        Column("就业状况", lambda call: call.item.get_employment_status_display(), width=14),
        Column("就业单位", lambda call: call.item.employer, width=20),
        Column("月工资收入（元）", lambda call: call.item.monthly_wage, DECIMAL, 14),
        Column("完成时间", lambda call: call.item.completed_at, DATETIME, 17),
    ),
)


def _coverage(user, params):
    _form, due_from, due_to = coverage_period(params, today=timezone.localdate())
    return county_coverage_for(user, due_from=due_from, due_to=due_to)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


COVERAGE = ListExport(
    key="followup-coverage",
    title="电话回访完成情况",
    page="followups:coverage",
    rows=_coverage,
    is_allowed=is_bureau,
    columns=(
        Column("旗县市", lambda row: row["county"], width=12),
        Column("培训班", lambda row: row["classes"], INTEGER, 8),
        Column("达到20%的班", lambda row: row["reached"], INTEGER, 12),
        Column("应回访人数", lambda row: row["target"], INTEGER, 10),
        Column("已完成人数", lambda row: row["completed"], INTEGER, 10),
        Column("按时完成人数", lambda row: row["on_time"], INTEGER, 12),
        Column("完成率", lambda row: _share(row["completed"], row["target"]), PERCENT, 8),
        Column("按时率", lambda row: _share(row["on_time"], row["completed"]), PERCENT, 8),
    ),
)


@dataclass(frozen=True)
class EmploymentRow:
    level: str
    name: str
    county: str
    grades: list[EmploymentGrade]

    def grade(self, group: str) -> EmploymentGrade:
        return next(grade for grade in self.grades if grade.group == group)


def _employment(user, params) -> list[EmploymentRow]:
    overview = employment_overview_for(user)
    return [EmploymentRow("旗县市", county.name, county.name, grades) for county, grades in overview.counties] + [
        EmploymentRow("培训机构", institution.name, institution.county.name, grades)
        for institution, grades in overview.institutions
    ]


def _group_columns(group: str, label: str) -> tuple[Column, ...]:
    short = label.split("（")[0]
    return (
        Column(f"{short}成功人数", lambda row: row.grade(group).successes, INTEGER, 10),
        Column(f"{short}结业人数", lambda row: row.grade(group).total, INTEGER, 10),
        Column(f"{short}比率", lambda row: _share(row.grade(group).successes, row.grade(group).total), PERCENT, 10),
        Column(f"{short}评价", lambda row: row.grade(group).grade_label, width=10),
    )


EMPLOYMENT = ListExport(
    key="employment",
    title="培训后就业评价",
    page="followups:employment_overview",
    rows=_employment,
    columns=(
        Column("层级", lambda row: row.level, width=8),
        Column("名称", lambda row: row.name, width=28),
        Column("所在旗县市", lambda row: row.county, width=12),
        *(column for group, label in GROUP_LABELS.items() for column in _group_columns(group, label)),
    ),
)

EXPORTS = (WORKLIST, CALLS, COVERAGE, EMPLOYMENT)
