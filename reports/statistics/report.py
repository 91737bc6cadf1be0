"""年度/季度 培训质量监督和绩效评价情况统计表: per county, from the same per-area sums as the dashboards."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from django.utils import timezone

from accounts.models import Role, User
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
from ..dashboards.periods import Period, period_from_file_label

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
    scope: str  # whose counties: scope_key_of the printer (the printout's record re-derives the figures from it)
    scope_name: str  # the same as printed: 兴安盟, 兴安盟乌兰浩特市
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

    @property
    def printout_id(self) -> str:
        """What the printout record keeps to recompute the figures: period and scope, e.g. "2026Q3/county-7"."""
        return f"{self.period.file_label}/{self.scope}"

    @property
    def printout_reference(self) -> str:
        """Period and scope as the public verification page shows them (nothing personal)."""
        return f"{self.period.label} · {self.scope_name or '全部旗县市'}"


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


def scope_key_of(user) -> str:
    """The scope of the counties a printer's report covers, as a printout keeps it: "all" (superuser) or
    "<role>-<region id>"."""
    return "all" if user.is_superuser else f"{user.read_role}-{user.region_id}"  # an auditor prints what it reads


def _user_of_scope(scope: str) -> User | None:
    """An unsaved user holding only the scope ``scope_key_of`` kept, so the printout's check reads the classes
    through classes_visible_to exactly as the printer did (not through a second copy of the scoping rule)."""
    if scope == "all":
        return User(is_superuser=True)
    role, _, region_id = scope.partition("-")
    if role not in (Role.LEAGUE, Role.COUNTY) or not (region_id.isdigit() or region_id == "None"):
        return None
    # "None": staff without a region, whose scope (and so report) is empty, as classes_visible_to gives them.
    return User(role=role, region_id=int(region_id) if region_id.isdigit() else None)


def _area_rows(user, period: Period) -> list[AreaFigures]:
    return area_figures(
        finished_classes_of(classes_visible_to(user), period), COUNTY_AREA, today=timezone.localdate()
    )


def statistics_report_for(user, *, period: Period) -> StatisticsReport:
    """The report of the counties ``user`` may see (classes_visible_to): league staff get every county of the
    league, county staff their own county. Callers check can_print_statistics first."""
    region, total_name = _region_title(user)
    rows = _area_rows(user, period)
    return StatisticsReport(
        title=f"{region}{period.label}培训质量监督和绩效评价情况统计表",
        period=period,
        scope=scope_key_of(user),
        scope_name=region,
        rows=rows,
        total=area_total(rows, total_name),
        refresh=latest_refresh(),
        printed_at=timezone.localtime(),
    )


def printed_figures(printout_id: str) -> list[list[str]] | None:
    """The verification source of a printed report (fingerprints.register_fingerprint_source): every column's
    figure, as displayed, of each county row and the total, recomputed for the period and scope the printout
    kept. A change of any class's summary row in that scope (its conclusion, its forms, calls or employment)
    changes it. None when the kept id cannot be read."""
    period_label, _, scope = printout_id.partition("/")
    period = period_from_file_label(period_label)
    user = _user_of_scope(scope)
    if period is None or user is None:
        return None
    rows = _area_rows(user, period)
    return [[display(column.value(row), column.kind) for column in COLUMNS] for row in [*rows, area_total(rows, "")]]


def as_number(value: object, kind: str) -> object:
    """A cell's value for the spreadsheet: counts as integers, percentages as fractions of one (formatted 0.0%)."""
    if kind == PERCENT:
        return None if value is None else float(Fraction(value) / 100)
    return value
