"""年度/季度 培训质量监督和绩效评价情况统计表: per county, from the same per-area sums as the dashboards."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from django.utils import timezone

from accounts.models import Role
from classes.selectors import classes_visible_to
from evaluations import rules

from ..dashboards.figures import (
    CONCLUSIONS,
    COUNTY_AREA,
    EMPLOYMENT_GROUPS,
    AreaFigures,
    area_figures,
    area_total,
    finished_classes_of,
    latest_refresh,
)
from ..dashboards.models import FiguresRefresh
from ..dashboards.periods import Period

INT, PERCENT, TEXT = "int", "percent", "text"


@dataclass(frozen=True)
class Column:
    group: str  # the upper header ("" for a column without one)
    label: str
    value: Callable[[AreaFigures], object]  # int, Fraction (a percentage, exact), str, or None (nothing to divide)
    kind: str
    in_pdf: bool = True
    in_xlsx: bool = True
    width: str = "count"  # the printed column's width class (statistics-pdf.css): area, count, narrow, fraction, percent, grade


def _employment_columns() -> list[Column]:
    columns = []
    for index, (group, label, _) in enumerate(EMPLOYMENT_GROUPS):
        success = "创业" if group == rules.ENTREPRENEURSHIP else "就业"
        rate = "创业成功率" if group == rules.ENTREPRENEURSHIP else "就业率"

        def grade(row: AreaFigures, index=index):
            return row.employment[index]

        columns += [
            Column(label, "结业", lambda row, grade=grade: grade(row).total, INT, in_pdf=False),
            Column(label, success, lambda row, grade=grade: grade(row).successes, INT, in_pdf=False),
            Column(label, f"{success}/结业", lambda row, grade=grade: f"{grade(row).successes}/{grade(row).total}", TEXT,
                   in_xlsx=False, width="fraction"),
            Column(label, rate, lambda row, grade=grade: rules.percentage(grade(row).successes, grade(row).total), PERCENT,
                   width="percent"),
            Column(label, "评级", lambda row, grade=grade: grade(row).grade_label, TEXT, width="grade"),
        ]
    return columns


COLUMNS: list[Column] = [
    Column("", "旗县市", lambda row: row.name, TEXT, width="area"),
    Column("", "培训班", lambda row: row.classes, INT),
    Column("", "参训人数", lambda row: row.enrolled, INT),
    Column("", "结业人数", lambda row: row.completed, INT),
    *[Column("评价结论", conclusion.label, lambda row, conclusion=conclusion: row.conclusions[conclusion], INT, width="narrow")
      for conclusion, _ in CONCLUSIONS],
    Column("附表2", "有效份数", lambda row: row.valid_forms, INT),
    Column("附表2", "覆盖率", lambda row: rules.percentage(row.valid_forms, row.completed), PERCENT, width="percent"),
    Column("附表2", "不足80%的班", lambda row: row.forms_below, INT, width="narrow"),
    Column("电话回访", "应回访", lambda row: row.followup_target, INT, in_pdf=False),
    Column("电话回访", "已完成", lambda row: row.followup_completed, INT, in_pdf=False),
    Column("电话回访", "已完成/应回访", lambda row: f"{row.followup_completed}/{row.followup_target}", TEXT, in_xlsx=False,
           width="fraction"),
    Column("电话回访", "回访比例", lambda row: rules.percentage(row.followup_completed, row.enrolled), PERCENT, width="percent"),
    Column("电话回访", "按时完成", lambda row: row.followup_on_time, INT, in_pdf=False),
    Column("电话回访", "按时率", lambda row: rules.percentage(row.followup_on_time, row.followup_completed), PERCENT,
           width="percent"),
    Column("电话回访", "达标的班", lambda row: row.followup_reached, INT),
    *_employment_columns(),
]


def display(value: object, kind: str) -> str:
    if value is None:
        return "—"
    if kind == PERCENT:
        return f"{float(value):.1f}%"
    return str(value)


@dataclass
class StatisticsReport:
    title: str
    period: Period
    rows: list[AreaFigures]
    total: AreaFigures
    refresh: FiguresRefresh | None
    printed_at: datetime

    @property
    def header_rows(self) -> tuple[list[tuple[str, int, int]], list[str]]:
        """The printed header: the upper row as (text, colspan, rowspan) — a column without a group spans both
        rows — and the lower row's labels of the grouped columns."""
        upper: list[tuple[str, int, int]] = []
        lower: list[str] = []
        previous_group = None
        for column in self.pdf_columns:
            if not column.group:
                upper.append((column.label, 1, 2))
            elif column.group == previous_group:
                text, span, rows = upper[-1]
                upper[-1] = (text, span + 1, rows)
            else:
                upper.append((column.group, 1, 1))
            if column.group:
                lower.append(column.label)
            previous_group = column.group
        return upper, lower

    @property
    def pdf_columns(self) -> list[Column]:
        return [column for column in COLUMNS if column.in_pdf]

    @property
    def xlsx_columns(self) -> list[Column]:
        return [column for column in COLUMNS if column.in_xlsx]

    def pdf_cells(self, row: AreaFigures) -> list[tuple[str, str]]:
        return [(display(column.value(row), column.kind), column.kind) for column in self.pdf_columns]

    @property
    def pdf_rows(self) -> list[list[tuple[str, str]]]:
        return [self.pdf_cells(row) for row in self.rows]

    @property
    def pdf_total(self) -> list[tuple[str, str]]:
        return self.pdf_cells(self.total)


def can_print_statistics(user) -> bool:
    """League and county staff (and superusers) print the report; an institution has no statistics of counties."""
    return user.is_authenticated and (user.is_superuser or user.read_role in (Role.LEAGUE, Role.COUNTY))


def _region_title(user) -> tuple[str, str]:
    """(who the report covers, the total row's name)."""
    if user.read_role == Role.COUNTY and user.region_id:
        parent = user.region.parent.name if user.region.parent_id else ""
        return f"{parent}{user.region.name}", "合计"
    if user.read_role == Role.LEAGUE and user.region_id:
        return user.region.name, "全盟合计"
    return "", "合计"


def statistics_report_for(user, *, period: Period) -> StatisticsReport:
    """The report of the counties ``user`` may see (classes_visible_to): league staff get every county of the
    league, county staff their own county. Callers check can_print_statistics first."""
    region, total_name = _region_title(user)
    rows = area_figures(
        finished_classes_of(classes_visible_to(user), period), COUNTY_AREA, today=timezone.localdate()
    )
    return StatisticsReport(
        title=f"{region}{period.label}培训质量监督和绩效评价情况统计表",
        period=period,
        rows=rows,
        total=area_total(rows, total_name),
        refresh=latest_refresh(),
        printed_at=timezone.localtime(),
    )


def as_number(value: object, kind: str) -> object:
    """A cell's value for the spreadsheet: counts as integers, percentages as fractions of one (formatted 0.0%)."""
    if kind == PERCENT:
        return None if value is None else float(Fraction(value) / 100)
    return value
