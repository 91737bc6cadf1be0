"""The oversight lists of supervision: the rectification ledger, opening reviews, inspections and their coverage,
the institutions' yearly performance, the red/black list decisions and the departments' lists. Each reads the list page's own selector and filter form, so the export shows
what the page shows, in the same scope."""

from django.db.models import IntegerField, Value
from django.utils import timezone

from classes.selectors import counties_visible_to, institutions_visible_to
from supervision.forms.inspections import CoverageFilterForm, InspectionFilterForm
from supervision.department_list_selectors import can_read_department_lists, department_list_overview_for
from supervision.forms.opening import DepartmentListFilterForm, OpeningFilterForm
from supervision.forms.performance import DecisionFilterForm, PerformanceFilterForm, TeacherPerformanceFilterForm
from supervision.forms.rectification import RectificationFilterForm
from supervision.inspection_selectors import can_read_coverage, inspection_coverage_for, inspection_list_for
from supervision.opening_selectors import opening_list_for
from supervision.performance_selectors import (
    GROUPS,
    TEACHER_EMPLOYMENT_HEADINGS,
    can_read_institution_evaluations,
    teacher_performance_for,
    teacher_performance_rows,
    institution_year_evidence,
    league_employment_of_year,
    list_decision_list_for,
    performance_list_for,
    years_with_classes,
)
from supervision.models import ListDecision
from supervision.rectification_selectors import counties_for_printing, ledger_rows, rectification_item_list_for
from supervision.views.inspections import coverage_years

from ..columns import DATE, DATETIME, INTEGER, PERCENT, Column, ListExport, class_columns


def _rectification_items(user, params):
    form = RectificationFilterForm(
        params or None, counties=counties_for_printing(user),
        institutions=institutions_visible_to(user).order_by("county__code", "name"),
    )
    return rectification_item_list_for(user, today=timezone.localdate(), **form.filters())


def _responsible(row) -> str:
    return row.item.responsible_name or "待机构明确"


RECTIFICATION = ListExport(
    key="rectifications",
    title="整改清单",
    page="supervision:rectification_list",
    rows=_rectification_items,
    prepare=lambda user, batch: ledger_rows(batch, today=timezone.localdate()),
    columns=(
        Column("状态", lambda row: row.item.get_status_display(), width=8),
        Column("整改期限", lambda row: row.item.deadline, DATE, 12),
        Column("逾期天数", lambda row: row.overdue_days or None, INTEGER, 10),
        Column("培训机构", lambda row: row.item.institution.name, width=28),
        Column("旗县市", lambda row: row.item.institution.county.name, width=12),
        Column("审核（备案）班期", lambda row: row.item.training_class.batch_number if row.item.training_class else "", width=22),
        Column("存在问题", lambda row: row.item.problem, width=40),
        Column("整改措施", lambda row: row.item.measures, width=40),
        Column("问题来源", lambda row: row.item.get_source_display(), width=16),
        Column("整改通知书文号", lambda row: row.item.notice.number if row.item.notice else "", width=20),
        Column("责任人", _responsible, width=10),
        Column("责任人职务", lambda row: row.item.responsible_position, width=12),
        Column("提出单位", lambda row: row.item.raising_office, width=20),
        Column("发现日期", lambda row: row.item.found_on, DATE, 12),
        Column("销号时间", lambda row: row.item.closed_at, DATETIME, 17),
    ),
)


def _opening_state(training_class) -> str:
    review = getattr(training_class, "opening_review", None)
    return review.get_status_display() if review else "未提交开班审核"


OPENING = ListExport(
    key="opening-reviews",
    title="开班审核",
    page="supervision:opening_list",
    rows=lambda user, params: opening_list_for(user, **OpeningFilterForm(params or None).filters()),
    columns=(
        *class_columns(),
        Column("花名册人数", lambda item: item.enrolled_count, INTEGER, 10),
        Column("备案人数", lambda item: item.registered_headcount, INTEGER, 10),
        Column("开班审核", _opening_state, width=14),
        Column("备案变更待审核", lambda item: item.pending_changes, INTEGER, 14),
        Column("提交时间", lambda item: item.opening_review.submitted_at if getattr(item, "opening_review", None) else None,
               DATETIME, 17),
    ),
)


def _inspections(user, params):
    form = InspectionFilterForm(params or None, counties=counties_visible_to(user).order_by("code"))
    return inspection_list_for(user, **form.filters())


INSPECTIONS = ListExport(
    key="inspections",
    title="现场检查",
    page="supervision:inspection_list",
    rows=_inspections,
    columns=(
        Column("审核（备案）班期", lambda inspection: inspection.training_class.batch_number, width=22),
        Column("培训机构", lambda inspection: inspection.training_class.institution.name, width=28),
        Column("旗县市", lambda inspection: inspection.training_class.institution.county.name, width=12),
        Column("培训职业（工种）", lambda inspection: inspection.training_class.occupation.name, width=18),
        Column("计划检查日期", lambda inspection: inspection.planned_on, DATE, 12),
        Column("检查人员", lambda inspection: "、".join(person.display_name for person in inspection.inspectors.all()),
               width=20),
        Column("状态", lambda inspection: inspection.get_status_display(), width=8),
        Column("结论", lambda inspection: inspection.get_result_display() if inspection.result else "", width=14),
    ),
)


def _coverage(user, params):
    """The coverage page's table: every visible county (or the chosen county or institution) for the chosen year."""
    today = timezone.localdate()
    counties = counties_visible_to(user).order_by("code")
    form = CoverageFilterForm(params or None, counties=counties, years=coverage_years(today),
                              institutions=institutions_visible_to(user).order_by("county__code", "name"))
    return inspection_coverage_for(user, today=today, **form.filters(default_year=today.year))


def _pace(row) -> str:
    if row.is_behind is None:
        return "尚无已结束的班期"
    return f"落后，至少还需检查 {row.to_regain_pace} 个班期" if row.is_behind else "正常"


COVERAGE = ListExport(
    key="inspection-coverage",
    title="现场检查覆盖率",
    page="supervision:inspection_coverage",
    rows=_coverage,
    is_allowed=can_read_coverage,
    columns=(
        Column("旗县市", lambda row: row.county.name, width=12),
        Column("年度", lambda row: row.year, INTEGER, 8),
        Column("班期", lambda row: row.batches, INTEGER, 8),
        Column("已检查", lambda row: row.inspected, INTEGER, 8),
        Column("覆盖率", lambda row: None if row.batches == 0 else row.inspected / row.batches, PERCENT, 10),
        Column("是否达到60%", lambda row: {True: "达标", False: "未达标", None: "无班期"}[row.is_met], width=12),
        Column("60%目标", lambda row: row.target, INTEGER, 10),
        Column("已结束未检查", lambda row: row.missed, INTEGER, 12),
        Column("在训未检查", lambda row: row.still_open, INTEGER, 12),
        Column("进度", _pace, width=28),
    ),
)


def _decisions(user, params):
    form = DecisionFilterForm(params or None, years=years_with_classes(user, today=timezone.localdate()))
    return list_decision_list_for(user, **form.filters())


def _published(decision) -> str:
    if decision.listing == decision.Listing.NONE:
        return ""
    return "已公布" if decision.is_published else "未公布"


DECISIONS = ListExport(
    key="list-decisions",
    title="红黑名单决定",
    page="supervision:decision_list",
    rows=_decisions,
    is_allowed=can_read_institution_evaluations,
    columns=(
        Column("年度", lambda decision: decision.evaluation.year, INTEGER, 8),
        Column("培训机构", lambda decision: decision.evaluation.institution.name, width=28),
        Column("旗县市", lambda decision: decision.evaluation.institution.county.name, width=12),
        Column("决定", lambda decision: decision.get_listing_display(), width=12),
        Column("是否有效", lambda decision: "有效" if decision.is_standing else "已撤销", width=8),
        Column("理由", lambda decision: decision.reason, width=50),
        Column("决定日期", lambda decision: decision.decided_on, DATE, 12),
        Column("公布", _published, width=8),
        Column("决定人", lambda decision: decision.decided_by.display_name, width=10),
        Column("撤销时间", lambda decision: decision.withdrawn_at, DATETIME, 17),
    ),
)

def _performance(user, params):
    years = years_with_classes(user, today=timezone.localdate())
    filters = PerformanceFilterForm(params or None, years=years, counties=counties_visible_to(user)).filters()
    # The year rides on each row, for the evidence gathered per chunk (prepare has no parameters).
    return performance_list_for(user, **filters).annotate(export_year=Value(filters["year"], output_field=IntegerField()))


def _with_evidence(user, batch: list) -> list:
    """Each institution of a chunk with its year's evidence, as the page gathers it for the rows it shows."""
    if not batch:
        return []
    year = batch[0].export_year
    evidence = institution_year_evidence(user, [institution.pk for institution in batch], year=year,
                                         today=timezone.localdate(), league=league_employment_of_year(user, year))
    return [(institution, evidence[institution.pk]) for institution in batch]


def _conclusions(evidence) -> str:
    return " ".join(f"{label}{count}" for _, label, count in evidence.conclusions if count)


def _employment(evidence) -> str:
    return "；".join(
        f"{group.short_label} {group.successes}/{group.total}（全盟 {group.all_successes}/{group.all_total}）"
        + ("，低于平均" if group.is_below_average else "")
        for group in evidence.employment if group.total
    )


def _decision(institution) -> str:
    if not institution.decision_listing:
        return ""
    label = dict(ListDecision.Listing.choices)[institution.decision_listing]
    if institution.decision_listing == ListDecision.Listing.NONE:
        return label
    return f"{label}（{'已公布' if institution.decision_published else '未公布'}）"


PROPOSALS = {"black": "黑名单候选", "red": "红名单候选", "": ""}

PERFORMANCE = ListExport(
    key="institution-performance",
    title="培训机构绩效评估",
    page="supervision:performance_list",
    rows=_performance,
    prepare=_with_evidence,
    is_allowed=can_read_institution_evaluations,
    columns=(
        Column("评估年度", lambda row: row[0].export_year, INTEGER, 8),
        Column("培训机构", lambda row: row[0].name, width=28),
        Column("旗县市", lambda row: row[0].county.name, width=12),
        Column("目录状态", lambda row: row[0].get_catalogue_status_display(), width=10),
        Column("开班数", lambda row: row[1].classes, INTEGER, 8),
        Column("学员数", lambda row: row[1].enrolled, INTEGER, 8),
        Column("班次结论", lambda row: _conclusions(row[1]), width=24),
        Column("培训后就业（括号内为全盟）", lambda row: _employment(row[1]), width=40),
        Column("弄虚作假属实", lambda row: len(row[1].falsifications), INTEGER, 12),
        Column("最近开班", lambda row: row[1].facts.last_class_start, DATE, 12),
        Column("长期未开班", lambda row: "是" if row[1].is_inactive else "", width=10),
        Column("其他依据", lambda row: "；".join(f"{figure.label}：{figure.text}" for figure in row[1].supplementary
                                              if not figure.is_absent), width=30),
        Column("平台提示", lambda row: PROPOSALS[row[1].proposal], width=12),
        Column("评估日期", lambda row: row[0].evaluated_on, DATE, 12),
        Column("认定决定", lambda row: _decision(row[0]), width=14),
    ),
)

# The lists themselves, not their people: the rows (names, ID numbers) stay on the page, one reveal at a time.
DEPARTMENT_LISTS = ListExport(
    key="department-lists",
    title="部门名单",
    page="supervision:department_list_list",
    rows=lambda user, params: department_list_overview_for(user, **DepartmentListFilterForm(params or None).filters()),
    is_allowed=can_read_department_lists,
    columns=(
        Column("名单类别", lambda item: item.kind.name, width=20),
        Column("提供部门", lambda item: item.source_department, width=24),
        Column("名单日期", lambda item: item.list_date, DATE, 12),
        Column("人数", lambda item: item.row_count, INTEGER, 8),
        Column("导入人", lambda item: item.imported_by.display_name, width=10),
        Column("导入时间", lambda item: item.imported_at, DATETIME, 17),
        Column("状态", lambda item: "现行名单" if item.is_current else "已被替换", width=10),
        Column("替换时间", lambda item: item.replaced_at, DATETIME, 17),
    ),
)

def _teacher_performance(user, params):
    filters = TeacherPerformanceFilterForm(params or None, years=years_with_classes(user, today=timezone.localdate())).filters()
    # The year rides on each row, for the employment counted per chunk (prepare has no parameters).
    return [{**row, "export_year": filters["year"]} for row in teacher_performance_for(user, **filters)]


def _with_teacher_employment(user, batch: list) -> list:
    """Each teacher of a chunk with the employment of the trainees taught, read as the page reads it for its rows."""
    if not batch:
        return []
    return list(zip(batch, teacher_performance_rows(user, batch, year=batch[0]["export_year"], first_rank=1)))


def _employment_column(index: int, group: str) -> Column:
    def cell(row) -> str:
        _heading, successes, total = row[1].employment[index]
        return f"{successes}/{total}" if total else "—"

    return Column(f"{TEACHER_EMPLOYMENT_HEADINGS[group]}（就业/结业）", cell, width=16)


TEACHER_PERFORMANCE = ListExport(
    key="teacher-performance",
    title="教师绩效",
    page="supervision:teacher_performance",
    rows=_teacher_performance,
    prepare=_with_teacher_employment,
    columns=(
        Column("年度", lambda row: row[0]["export_year"], INTEGER, 8),
        Column("教师", lambda row: row[1].name, width=12),
        Column("用工形式", lambda row: row[1].employment_type, width=8),
        Column("授课班次", lambda row: row[1].classes, INTEGER, 10),
        Column("有效附表2", lambda row: row[1].forms, INTEGER, 10),
        Column("第7项优良", lambda row: row[1].good_forms, INTEGER, 10),
        Column("优良占比", lambda row: row[1].share, width=10),
        *(_employment_column(index, group) for index, group in enumerate(GROUPS)),
    ),
)


EXPORTS = (RECTIFICATION, OPENING, INSPECTIONS, COVERAGE, DECISIONS, PERFORMANCE, DEPARTMENT_LISTS, TEACHER_PERFORMANCE)
