"""The one place the dashboards' and the statistics report's figures come from.

FIGURES is a registry. An entry is a function decorated with ``@figure(...)``: it takes a FigureContext (the user's
finished classes of the period, scoped by classes_visible_to and narrowed by the dashboard's filters) and returns a
FigureResult: table columns and rows whose numbers are Cells linked to the filtered class list behind them, and an
ECharts option (charts.bar_chart) whose data items carry the same links. A dashboard draws, in registration order,
every entry registered for it; a new figure is one more entry, not a new page or template.

An entry that reads another app's model names it (``requires_model="supervision.Inspection"``): while that model
is not installed the dashboard shows （该项数据尚未启用） in its place.

Figures read the summary rows (models.ClassFigures), never the trainee forms, calls or employment records
themselves (STYLE.md, "Figures at scale"); the league's and a county's dashboards read those rows already summed per
institution and month (models.MonthFigures, month_figures_for) and count live only the classes finished since. Each
entry runs a fixed number of queries; the per-area sums that several entries show are read once per page
(FigureContext.area_rows), so the number of queries of a dashboard does not grow with the number of classes.
"""

import json
from collections.abc import Callable
from html import escape
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from urllib.parse import urlencode

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from accounts.models import Role
from classes.models import TrainingCategory, TrainingClass
from classes.selectors import counties_visible_to, institutions_visible_to
from evaluations import rules
from followups.sampling import SAMPLE_DENOMINATOR
from followups.selectors import EmploymentGrade, grades_from_counts
from supervision.rules import below_average

from .charts import Series, Threshold, bar_chart
from .filters import FORM_COVERAGE_CONDITIONS, conclusion_condition, followup_condition
from .models import EMPLOYMENT_FIELDS, ClassFigures, FiguresRefresh, MonthFigures
from .periods import Period, month_bounds

LEAGUE = "league"
COUNTY = "county"
INSTITUTION = "institution"
ALL_DASHBOARDS = frozenset({LEAGUE, COUNTY, INSTITUTION})
BUREAU_DASHBOARDS = frozenset({LEAGUE, COUNTY})

CONCLUSIONS = [
    (ClassFigures.Conclusion.OUTSTANDING, "#2e7d32"),
    (ClassFigures.Conclusion.QUALIFIED, "#1f6fb2"),
    (ClassFigures.Conclusion.RECTIFYING, "#e0a100"),
    (ClassFigures.Conclusion.UNDER_INVESTIGATION, "#8e44ad"),
    (ClassFigures.Conclusion.FAILED, "#c62828"),
    (ClassFigures.Conclusion.NO_DATA, "#9aa0a6"),
]
GRADED_CONCLUSIONS = [conclusion for conclusion, _ in CONCLUSIONS if conclusion != ClassFigures.Conclusion.NO_DATA]
EMPLOYMENT_GROUPS = [
    (rules.FARMER_HERDER, "农牧民", "#2e7d32"),
    (rules.URBAN_UNEMPLOYED, "城镇失业人员", "#1f6fb2"),
    (rules.ENTREPRENEURSHIP, "创业培训", "#e0a100"),
]
FOLLOWUP_PCT = 100 // SAMPLE_DENOMINATOR  # policy §5: at least 20% of a class is phoned (⌈N/5⌉)
NOT_ENABLED = "（该项数据尚未启用）"


def percent_text(part: int, whole: int) -> str:
    share = rules.percentage(part, whole)
    return "—" if share is None else f"{float(share):.1f}%"


def percent_value(part: int, whole: int) -> float | None:
    """A bar's length; None (no bar, "—" in the table) when there is nothing to divide."""
    share = rules.percentage(part, whole)
    return None if share is None else round(float(share), 1)


# Per-area sums: the statistics report's rows and the dashboards' tables -------------------------------------


@dataclass(frozen=True)
class Area:
    """What a table's rows are: the counties of the league, or the institutions of a county."""

    path: str
    name_path: str
    order_path: str
    param: str  # the class list filter that selects one row's classes
    label: str


COUNTY_AREA = Area("institution__county", "institution__county__name", "institution__county__code", "county", "旗县市")
INSTITUTION_AREA = Area("institution", "institution__name", "institution__name", "institution", "培训机构")


@dataclass
class AreaFigures:
    """The sums of one county or institution (or their total) over the finished classes of a period."""

    key: int | None
    name: str
    classes: int = 0
    uncounted: int = 0  # finished after the last refresh: no summary row yet
    enrolled: int = 0
    completed: int = 0
    conclusions: dict[str, int] = field(default_factory=dict)
    valid_forms: int = 0
    forms_below: int = 0
    followup_target: int = 0
    followup_completed: int = 0
    followup_on_time: int = 0
    followup_reached: int = 0
    followup_overdue: int = 0
    followup_unsampled: int = 0
    employment_counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # group → (successes, total)

    @property
    def employment(self) -> list[EmploymentGrade]:
        return grades_from_counts({
            group: {"successes": successes, "total": total}
            for group, (successes, total) in self.employment_counts.items()
        })

    @property
    def form_coverage(self) -> str:
        return percent_text(self.valid_forms, self.completed)

    @property
    def followup_share(self) -> str:
        return percent_text(self.followup_completed, self.enrolled)

    @property
    def on_time_rate(self) -> str:
        return percent_text(self.followup_on_time, self.followup_completed)


SUMMED = ["classes", "uncounted", "enrolled", "completed", "valid_forms", "forms_below", "followup_target",
          "followup_completed", "followup_on_time", "followup_reached", "followup_overdue", "followup_unsampled"]


def conclusion_counts(*, verified_only: bool) -> dict[str, Count]:
    """Aggregates counting the classes of each graded conclusion (filters.conclusion_condition)."""
    return {
        f"conclusion_{conclusion}": Count("pk", filter=conclusion_condition(conclusion, verified_only=verified_only))
        for conclusion in GRADED_CONCLUSIONS
    }


def area_sums(*, today: date, verified_only: bool = False) -> dict:
    """The aggregates of a group of classes (AreaFigures's counts, conclusion_<value> and the employment fields), over
    their summary rows: the live dashboards group the classes by area with these, the refresh by institution and
    month into MonthFigures. ``verified_only``: conclusions as an institution reads them (filters.py)."""
    sums = {
        "classes": Count("pk"),
        "uncounted": Count("pk", filter=Q(figures__isnull=True)),
        "enrolled": Coalesce(Sum("figures__enrolled"), 0),
        "completed": Coalesce(Sum("figures__completed"), 0),
        "valid_forms": Coalesce(Sum("figures__valid_forms"), 0),
        "forms_below": Count("pk", filter=FORM_COVERAGE_CONDITIONS["below"]),
        "followup_target": Coalesce(Sum("figures__followup_target"), 0),
        "followup_completed": Coalesce(Sum("figures__followup_completed"), 0),
        "followup_on_time": Coalesce(Sum("figures__followup_on_time"), 0),
        "followup_reached": Count("pk", filter=followup_condition("reached", today=today)),
        "followup_overdue": Count("pk", filter=followup_condition("overdue", today=today)),
        "followup_unsampled": Count("pk", filter=followup_condition("none", today=today)),
    }
    sums.update(conclusion_counts(verified_only=verified_only))
    for total_field, successes_field in EMPLOYMENT_FIELDS.values():
        sums[total_field] = Coalesce(Sum(f"figures__{total_field}"), 0)
        sums[successes_field] = Coalesce(Sum(f"figures__{successes_field}"), 0)
    return sums


def area_figures(
    classes: QuerySet[TrainingClass], area: Area, *, today: date, verified_only: bool = False
) -> list[AreaFigures]:
    """One row per county or institution that has classes in ``classes`` (already scoped and filtered), from the
    summary rows, in one query. ``verified_only``: conclusions as an institution reads them (filters.py)."""
    sums = area_sums(today=today, verified_only=verified_only)
    rows = classes.values(area.path, area.name_path).annotate(**sums).order_by(area.order_path)
    return [_area_row(row[area.path], row[area.name_path], row) for row in rows]


# MonthFigures's counts: every AreaFigures count but ``uncounted`` (the table holds the counted classes only).
MONTH_SUMMED = [name for name in SUMMED if name != "uncounted"] + [
    f"conclusion_{conclusion}" for conclusion in GRADED_CONCLUSIONS
] + [name for pair in EMPLOYMENT_FIELDS.values() for name in pair]
# What a class finished since the last refresh adds, as area_figures counts it: no conclusion, no sample, uncounted.
LATE_COUNTED = ("classes", "uncounted", "followup_unsampled")


@dataclass(frozen=True)
class LateClasses:
    """The finished classes of one month and area that the last refresh did not count yet."""

    month: date
    key: int
    name: str
    total: int


def late_classes_of(classes: QuerySet[TrainingClass], area: Area) -> list[LateClasses]:
    """``classes`` (the period's finished classes, scoped and filtered) without a summary row yet, per month and
    county or institution, in the areas' order: MonthFigures holds the rest."""
    keys = list(dict.fromkeys((area.path, area.name_path, area.order_path)))
    rows = (classes.filter(figures__isnull=True).annotate(month=TruncMonth("end_date")).values("month", *keys)
            .annotate(total=Count("pk")).order_by(area.order_path, "month"))
    return [LateClasses(row["month"], row[area.path], row[area.name_path], row["total"]) for row in rows]


def area_figures_from_months(
    monthly: QuerySet[MonthFigures], late: list[LateClasses], area: Area
) -> list[AreaFigures]:
    """area_figures from MonthFigures (``monthly``: the period's rows, scoped and filtered) in one query, with the
    classes the refresh did not count yet added as area_figures counts them (an area with only those comes last)."""
    rows = monthly.values(area.path, area.name_path).annotate(
        **{name: Sum(name) for name in MONTH_SUMMED}).order_by(area.order_path)
    sums = {row[area.path]: (row[area.name_path], {**row, "uncounted": 0}) for row in rows}
    for classes in late:
        _, totals = sums.setdefault(classes.key, (classes.name, dict.fromkeys((*MONTH_SUMMED, "uncounted"), 0)))
        for name in LATE_COUNTED:
            totals[name] += classes.total
    return [_area_row(key, name, totals) for key, (name, totals) in sums.items()]


def month_conclusion_counts(
    monthly: QuerySet[MonthFigures], late: list[LateClasses], area: Area, *, split: bool
) -> list[dict]:
    """Classes and graded conclusions per month (and area when ``split``) from MonthFigures in one query, with the
    classes the refresh did not count yet added to the total (they have no conclusion yet); in month and area order,
    shaped as conclusions_by_month's live query returns them."""
    conclusion_names = [f"conclusion_{conclusion}" for conclusion in GRADED_CONCLUSIONS]
    keys = ["month", area.path, area.name_path] if split else ["month"]
    rows = monthly.values(*keys).annotate(total=Sum("classes"), **{name: Sum(name) for name in conclusion_names})
    ordered = rows.order_by("month", *([area.order_path] if split else []))
    counts = {tuple(row[key] for key in keys): row for row in ordered}
    for classes in late:
        key = (classes.month, classes.key, classes.name) if split else (classes.month,)
        row = counts.setdefault(key, {**dict(zip(keys, key)), "total": 0, **dict.fromkeys(conclusion_names, 0)})
        row["total"] += classes.total
    return sorted(counts.values(), key=lambda row: row["month"])


def _area_row(key, name, sums: dict) -> AreaFigures:
    row = AreaFigures(key=key, name=name, **{name_: sums[name_] for name_ in SUMMED})
    row.conclusions = {conclusion: sums[f"conclusion_{conclusion}"] for conclusion in GRADED_CONCLUSIONS}
    row.conclusions[ClassFigures.Conclusion.NO_DATA] = row.classes - sum(row.conclusions.values())
    row.employment_counts = {
        group: (sums[successes_field], sums[total_field])
        for group, (total_field, successes_field) in EMPLOYMENT_FIELDS.items()
    }
    return row


def area_total(rows: list[AreaFigures], name: str) -> AreaFigures:
    """The total row: sums of the rows' counts; rates and grades recomputed from the sums (never averaged)."""
    total = AreaFigures(key=None, name=name, **{name_: sum(getattr(row, name_) for row in rows) for name_ in SUMMED})
    total.conclusions = {conclusion: sum(row.conclusions.get(conclusion, 0) for row in rows) for conclusion, _ in CONCLUSIONS}
    total.employment_counts = {
        group: (sum(row.employment_counts[group][0] for row in rows), sum(row.employment_counts[group][1] for row in rows))
        for group in EMPLOYMENT_FIELDS
    }
    return total


def finished_classes_of(classes: QuerySet[TrainingClass], period: Period) -> QuerySet[TrainingClass]:
    """What the statistics count: the finished classes (已结业) whose training ended in the period."""
    return classes.filter(
        status=TrainingClass.Status.FINISHED, end_date__gte=period.first_day, end_date__lte=period.last_day
    )


def not_outstanding_figures() -> QuerySet:
    """The summary rows that conclude anything but 优秀: the commendation list leaves their classes out."""
    return ClassFigures.objects.exclude(conclusion=ClassFigures.Conclusion.OUTSTANDING)


def latest_refresh() -> FiguresRefresh | None:
    return FiguresRefresh.objects.order_by("-finished_at", "-pk").first()


# The registry --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    text: str
    link: str = ""
    is_number: bool = True


@dataclass
class FigureResult:
    columns: list[str]
    rows: list[list[Cell]]
    chart: dict | None = None
    total: list[Cell] | None = None
    notes: list[str] = field(default_factory=list)
    empty_text: str = "所选期间和条件下没有已结业的培训班。"  # shown instead of a table without rows
    is_wide: bool = False  # a table too wide to sit beside its chart: the chart above it, both full width

    @property
    def header(self) -> list[tuple[str, bool]]:
        """(column, is_number): a column's header aligns like its cells."""
        first = self.rows[0] if self.rows else []
        return [(column, index < len(first) and first[index].is_number) for index, column in enumerate(self.columns)]

    @property
    def rows_html(self) -> list[SafeString]:
        """Each row's cells as HTML. A dashboard draws thousands of cells (months × counties × figures): built here
        in one pass, not by a template loop per cell, which cost a county dashboard a third of its time."""
        return [self._cells_html(row) for row in self.rows]

    @property
    def total_html(self) -> SafeString:
        return self._cells_html(self.total) if self.total else SafeString("")

    def _cells_html(self, cells: list[Cell]) -> SafeString:
        # Plain-text cells (no entry builds markup), so the standard library's escape is the whole job.
        last = len(self.columns) - 1
        parts = []
        for index, cell in enumerate(cells):
            label = escape(self.columns[min(index, last)]) if last >= 0 else ""
            text = escape(str(cell.text))
            inner = f'<a href="{escape(cell.link)}">{text}</a>' if cell.link else text
            parts.append(f'<td data-label="{label}"{NUMBER_CELL if cell.is_number else ""}>{inner}</td>')
        return mark_safe("".join(parts))  # noqa: S308 (every part escaped above)


NUMBER_CELL = ' class="text-end text-nowrap"'


@lru_cache(maxsize=4096)
def _query_pair(key: str, value) -> str:
    """One ``key=value`` of a link's query, as urlencode writes it: a dashboard's thousands of links share a few
    dozen pairs (its filters, the counties, the conclusions), so each is quoted once."""
    return urlencode({key: value})


@dataclass
class FigureContext:
    """What an entry may read: the user's classes within the dashboard's filters and period, and how to link."""

    user: object
    dashboard: str
    period: Period
    classes: QuerySet[TrainingClass]  # finished in the period: what the figures count
    classes_any_status: QuerySet[TrainingClass]  # every class ending in the period (the institution's own list)
    link_params: dict[str, str]  # the dashboard's filters, carried into every link
    today: date
    league_comparison: Callable[[], "AreaFigures"] | None = None  # the league's sums, for averages (policy §8.7)
    # The period's MonthFigures in the same scope and filters, where they can answer (month_figures_for); None: the
    # figures group the period's classes and their summary rows live (area_figures).
    monthly: QuerySet[MonthFigures] | None = None

    @property
    def area(self) -> Area:
        return COUNTY_AREA if self.dashboard == LEAGUE else INSTITUTION_AREA

    @cached_property
    def late_classes(self) -> list[LateClasses]:
        return late_classes_of(self.classes, self.area)

    @cached_property
    def area_rows(self) -> list[AreaFigures]:
        if self.monthly is not None:
            return area_figures_from_months(self.monthly, self.late_classes, self.area)
        return area_figures(self.classes, self.area, today=self.today, verified_only=self.dashboard == INSTITUTION)

    @cached_property
    def total(self) -> AreaFigures:
        return area_total(self.area_rows, "合计")

    @cached_property
    def class_list_url(self) -> str:
        return reverse("classes:class_list")  # once per page: a county's dashboard draws thousands of links

    def class_list_link(self, **params) -> str:
        merged = {**self.link_params, **{key: value for key, value in params.items() if value is not None}}
        return f"{self.class_list_url}?{'&'.join(_query_pair(key, value) for key, value in merged.items())}"

    def area_link(self, row: AreaFigures, **params) -> str:
        return self.class_list_link(**({self.area.param: row.key} if row.key is not None else {}), **params)


@dataclass(frozen=True)
class Figure:
    key: str
    title: str  # may name the rows: "{area}" becomes 旗县市 or 培训机构
    dashboards: frozenset[str]
    compute: Callable[[FigureContext], FigureResult]
    requires_model: str = ""

    @property
    def is_enabled(self) -> bool:
        if self.requires_model:
            try:
                apps.get_model(self.requires_model)
            except LookupError:
                return False
        return True

    def title_for(self, context: FigureContext) -> str:
        return self.title.format(area=context.area.label)


FIGURES: dict[str, Figure] = {}


def figure(*, key: str, title: str, dashboards: frozenset[str], requires_model: str = ""):
    def register(compute: Callable[[FigureContext], FigureResult]):
        FIGURES[key] = Figure(key, title, dashboards, compute, requires_model)
        return compute
    return register


@dataclass
class DrawnFigure:
    key: str
    title: str
    result: FigureResult | None  # None: （该项数据尚未启用）

    @property
    def chart_id(self) -> str:
        return f"chart-{self.key}"

    @property
    def chart_script(self) -> SafeString:
        """The chart's option as Django's json_script writes it, escaped with str.replace rather than str.translate:
        a county's charts carry 200 KB of links, and translating them cost 9 ms of its dashboard."""
        text = json.dumps(self.result.chart, cls=DjangoJSONEncoder)
        for character, escaped in JSON_SCRIPT_ESCAPES:
            text = text.replace(character, escaped)
        return format_html(
            '<script id="{}" type="application/json">{}</script>', self.chart_id, mark_safe(text)  # noqa: S308 (escaped above)
        )


JSON_SCRIPT_ESCAPES = (("&", "\\u0026"), ("<", "\\u003C"), (">", "\\u003E"))  # django.utils.html.json_script's


def figures_for(context: FigureContext) -> list[DrawnFigure]:
    """Every entry of the context's dashboard, computed, or marked not enabled."""
    return [
        DrawnFigure(entry.key, entry.title_for(context), entry.compute(context) if entry.is_enabled else None)
        for entry in FIGURES.values()
        if context.dashboard in entry.dashboards
    ]


# Entries -------------------------------------------------------------------------------------------------------


def _number(value: int, link: str = "") -> Cell:
    return Cell(str(value), link)


def _text(value: str) -> Cell:
    return Cell(value, is_number=False)


def _conclusion_cells(row: AreaFigures, link: Callable[..., str]) -> list[Cell]:
    return [_number(row.conclusions[conclusion], link(conclusion=conclusion)) for conclusion, _ in CONCLUSIONS]


CONCLUSION_COLUMNS = [conclusion.label for conclusion, _ in CONCLUSIONS]


@figure(key="conclusions_by_area", title="培训班评价结论（各{area}）", dashboards=BUREAU_DASHBOARDS)
def conclusions_by_area(context: FigureContext) -> FigureResult:
    """Policy §3 conclusions of the finished classes, per county (league) or institution (county)."""
    rows = [
        [_text(row.name), _number(row.classes, context.area_link(row)),
         *_conclusion_cells(row, lambda **params: context.area_link(row, **params))]
        for row in context.area_rows
    ]
    total = context.total
    chart = bar_chart(
        categories=[row.name for row in context.area_rows], stacked=True,
        series=[
            Series(conclusion.label, color, [(row.conclusions[conclusion], context.area_link(row, conclusion=conclusion))
                                             for row in context.area_rows])
            for conclusion, color in CONCLUSIONS
        ],
    )
    return FigureResult(
        columns=[context.area.label, "培训班", *CONCLUSION_COLUMNS], rows=rows, chart=chart,
        total=[_text("合计"), _number(total.classes, context.class_list_link()),
               *_conclusion_cells(total, context.class_list_link)],
    )


@figure(key="conclusions_by_month", title="培训班评价结论（按结束月份）", dashboards=ALL_DASHBOARDS)
def conclusions_by_month(context: FigureContext) -> FigureResult:
    """Conclusions per month of the training's end; the league's table splits each month by county. A county's is
    not split by institution: a hundred institutions × twelve months drew a thousand rows (2 MB, 5 s at region
    scale) that conclusions_by_area and the institution filter already give."""
    split = context.dashboard == LEAGUE
    keys = ["month"] + ([context.area.path, context.area.name_path] if split else [])
    if context.monthly is not None:
        counts = month_conclusion_counts(context.monthly, context.late_classes, context.area, split=split)
    else:
        counts = (
            context.classes.annotate(month=TruncMonth("end_date")).values(*keys)
            .annotate(total=Count("pk"), **conclusion_counts(verified_only=context.dashboard == INSTITUTION))
            .order_by("month", *([context.area.order_path] if split else []))
        )
    by_month: dict[date, dict[str, int]] = {}
    by_row: dict[tuple, dict[str, int]] = {}
    for count in counts:
        row_counts = {conclusion: count[f"conclusion_{conclusion}"] for conclusion in GRADED_CONCLUSIONS}
        row_counts[ClassFigures.Conclusion.NO_DATA] = count["total"] - sum(row_counts.values())
        row_key = (count["month"], count[context.area.path], count[context.area.name_path]) if split else (
            count["month"], None, "")
        by_row[row_key] = row_counts
        month_counts = by_month.setdefault(count["month"], dict.fromkeys(row_counts, 0))
        for conclusion, total in row_counts.items():
            month_counts[conclusion] += total

    def month_link(month: date, area_key=None, **params) -> str:
        first, last = month_bounds(month)
        area = {context.area.param: area_key} if area_key is not None else {}
        return context.class_list_link(end_from=first.isoformat(), end_to=last.isoformat(), **area, **params)

    rows = []
    for (month, area_key, area_name), row_counts in by_row.items():
        cells = [_text(f"{month:%Y-%m}")] + ([_text(area_name)] if split else [])
        cells.append(_number(sum(row_counts.values()), month_link(month, area_key)))
        cells += [_number(row_counts[conclusion], month_link(month, area_key, conclusion=conclusion))
                  for conclusion, _ in CONCLUSIONS]
        rows.append(cells)
    months = list(by_month)
    chart = bar_chart(
        categories=[f"{month:%Y-%m}" for month in months], stacked=True, horizontal=False,
        series=[
            Series(conclusion.label, color, [(by_month[month][conclusion], month_link(month, conclusion=conclusion))
                                             for month in months])
            for conclusion, color in CONCLUSIONS
        ],
    )
    return FigureResult(
        columns=["月份", *([context.area.label] if split else []), "培训班", *CONCLUSION_COLUMNS], rows=rows, chart=chart,
    )


@figure(key="form_coverage", title="附表2 覆盖率（有效附表2 / 结业学员，应达到80%）", dashboards=BUREAU_DASHBOARDS)
def form_coverage(context: FigureContext) -> FigureResult:
    """Policy §3: valid 附表2 over trainees who completed; classes below 80% are graded provisionally (暂定)."""
    def cells(row: AreaFigures, link: Callable[..., str]) -> list[Cell]:
        return [_number(row.classes, link()), _number(row.completed, link()), _number(row.valid_forms, link()),
                Cell(row.form_coverage), _number(row.forms_below, link(form_coverage="below"))]

    rows = [[_text(row.name), *cells(row, lambda **params: context.area_link(row, **params))] for row in context.area_rows]
    chart = bar_chart(
        categories=[row.name for row in context.area_rows], percent=True,
        series=[Series("附表2覆盖率", "#1f6fb2", [(percent_value(row.valid_forms, row.completed), context.area_link(row))
                                            for row in context.area_rows])],
        thresholds=[Threshold(f"{rules.FORM_COVERAGE_PCT}%", rules.FORM_COVERAGE_PCT, "#c62828")],
    )
    return FigureResult(
        columns=[context.area.label, "培训班", "结业学员", "有效附表2", "覆盖率", "不足80%的班"], rows=rows, chart=chart,
        total=[_text("合计"), *cells(context.total, context.class_list_link)],
    )


@figure(key="followups", title="电话回访（不低于参训学员20%）与按时完成率", dashboards=BUREAU_DASHBOARDS)
def followups(context: FigureContext) -> FigureResult:
    """Policy §5: completed calls against the trainees of the finished classes (20% line), classes whose ⌈N/5⌉ was
    reached, overdue or not sampled, and the share of calls completed by the due date."""
    def cells(row: AreaFigures, link: Callable[..., str]) -> list[Cell]:
        return [
            _number(row.enrolled, link()), _number(row.followup_target, link()), _number(row.followup_completed, link()),
            Cell(row.followup_share), _number(row.followup_reached, link(followup="reached")),
            _number(row.followup_overdue, link(followup="overdue")),
            _number(row.followup_unsampled, link(followup="none")), Cell(row.on_time_rate),
        ]

    rows = [[_text(row.name), *cells(row, lambda **params: context.area_link(row, **params))] for row in context.area_rows]
    chart = bar_chart(
        categories=[row.name for row in context.area_rows], percent=True,
        series=[
            Series("已回访占参训学员", "#1f6fb2", [(percent_value(row.followup_completed, row.enrolled), context.area_link(row))
                                           for row in context.area_rows]),
            Series("按时完成率", "#2e7d32", [(percent_value(row.followup_on_time, row.followup_completed), context.area_link(row))
                                        for row in context.area_rows]),
        ],
        thresholds=[Threshold(f"{FOLLOWUP_PCT}%", FOLLOWUP_PCT, "#c62828")],
    )
    return FigureResult(
        columns=[context.area.label, "参训学员", "应回访", "已回访", "回访比例", "达标的班", "逾期未达标的班", "未抽样的班",
                 "按时完成率"],
        rows=rows, chart=chart, total=[_text("合计"), *cells(context.total, context.class_list_link)], is_wide=True,
    )


def _employment_cells(grades: list[EmploymentGrade], link: Callable[..., str]) -> list[Cell]:
    """One cell per group: successes/completed, the rate and the grade, linked to the classes counted."""
    return [
        Cell(f"{grade.successes}/{grade.total}（{grade.rate}）{grade.grade_label}",
             link(category=TrainingCategory.ENTREPRENEURSHIP) if grade.group == rules.ENTREPRENEURSHIP else link())
        for grade in grades
    ]


EMPLOYMENT_COLUMNS = [label for _, label, _ in EMPLOYMENT_GROUPS]


def _percent_axis_end(values: list[float]) -> int:
    """A percentage axis long enough for the bars and the threshold lines, in steps of 10, at most 100."""
    return min(100, (int(max((value for value in values if value is not None), default=0)) // 10 + 2) * 10)


@figure(key="employment", title="就业率（创业成功率）与评级标准（各{area}）", dashboards=BUREAU_DASHBOARDS)
def employment(context: FigureContext) -> FigureResult:
    """Policy §4 per group: the rate of each county or institution, graded by the group's thresholds (the dashed
    lines mark each group's 一般 threshold, in the group's colour)."""
    rows = [[_text(row.name), *_employment_cells(row.employment, lambda **params: context.area_link(row, **params))]
            for row in context.area_rows]
    series = [
        Series(label, color, [
            (percent_value(*row.employment_counts[group]), context.area_link(
                row, **({"category": TrainingCategory.ENTREPRENEURSHIP} if group == rules.ENTREPRENEURSHIP else {})))
            for row in context.area_rows
        ])
        for group, label, color in EMPLOYMENT_GROUPS
    ]
    fair = {group: rules.EMPLOYMENT_THRESHOLDS[group][2] for group, _, _ in EMPLOYMENT_GROUPS}
    chart = bar_chart(
        categories=[row.name for row in context.area_rows], percent=True, series=series,
        thresholds=[Threshold(f"{fair[group]}%", fair[group], color) for group, _, color in EMPLOYMENT_GROUPS],
        percent_max=_percent_axis_end([value for item in series for value, _ in item.values] + list(fair.values())),
    )
    return FigureResult(
        columns=[context.area.label, *EMPLOYMENT_COLUMNS], rows=rows, chart=chart,
        total=[_text("合计"), *_employment_cells(context.total.employment, context.class_list_link)],
        notes=["表中为就业（创业）人数/结业人数（比率）及评级。评级标准（优秀/良好/一般，低于一般为差）：" + "；".join(
            f"{label} {'/'.join(f'{pct}%' for pct in rules.EMPLOYMENT_THRESHOLDS[group])}"
            for group, label, _ in EMPLOYMENT_GROUPS
        ) + "。虚线为各类“一般”的标准。学生只统计，不评级。"],
        is_wide=True,
    )


@figure(key="institution_classes", title="本机构培训班（按状态）", dashboards=frozenset({INSTITUTION}))
def institution_classes(context: FigureContext) -> FigureResult:
    """The institution's classes ending in the period, whatever their state."""
    counts = dict(context.classes_any_status.values_list("status").annotate(total=Count("pk")).order_by())

    def status_link(status: str) -> str:
        return context.class_list_link(status=status)

    statuses = TrainingClass.Status.choices
    chart = bar_chart(
        categories=[label for _, label in statuses],
        series=[Series("培训班", "#1f6fb2", [(counts.get(value, 0), status_link(value)) for value, _ in statuses])],
    )
    return FigureResult(
        columns=["状态", "培训班"], chart=chart,
        rows=[[_text(label), _number(counts.get(value, 0), status_link(value))] for value, label in statuses],
    )


@figure(key="institution_employment", title="本机构就业率与全盟平均水平", dashboards=frozenset({INSTITUTION}))
def institution_employment(context: FigureContext) -> FigureResult:
    """Policy §8.7: the institution's rate per group against the league's (below_average compares exactly)."""
    own = context.total
    league = context.league_comparison()
    own_grades, league_grades = own.employment, league.employment
    rows = []
    for grade, league_grade in zip(own_grades, league_grades):
        is_below = below_average(grade.successes, grade.total, league_grade.successes, league_grade.total)
        link = context.class_list_link(**({"category": TrainingCategory.ENTREPRENEURSHIP}
                                           if grade.group == rules.ENTREPRENEURSHIP else {}))
        rows.append([
            _text(grade.label), Cell(f"{grade.successes}/{grade.total}", link), Cell(grade.rate), _text(grade.grade_label),
            Cell(league_grade.rate), _text({True: "低于平均", False: "不低于平均", None: "无数据"}[is_below]),
        ])
    series = [
        Series("本机构", "#1f6fb2", [(percent_value(grade.successes, grade.total), context.class_list_link())
                                   for grade in own_grades]),
        Series("全盟平均", "#9aa0a6", [(percent_value(grade.successes, grade.total), "") for grade in league_grades]),
    ]
    chart = bar_chart(
        categories=[label for _, label, _ in EMPLOYMENT_GROUPS], percent=True, series=series,
        percent_max=_percent_axis_end([value for item in series for value, _ in item.values]),
    )
    return FigureResult(columns=["人员类别", "就业/结业", "比率", "评级", "全盟平均", "与平均水平比较"], rows=rows, chart=chart)


def league_comparison_of(
    league_classes: QuerySet[TrainingClass], *, today: date, monthly: QuerySet[MonthFigures] | None = None
) -> AreaFigures:
    """The league's sums over the same period, occupation and category: only totals leave here, never a row.
    ``monthly``: the league's MonthFigures of the period, where they can answer (no occupation or category filter)."""
    if monthly is not None:
        late = late_classes_of(league_classes, COUNTY_AREA)
        return area_total(area_figures_from_months(monthly, late, COUNTY_AREA), "全盟")
    return area_total(area_figures(league_classes, COUNTY_AREA, today=today), "全盟")


# Short column headers of the signal kinds (the full names are long sentences: supervision FraudSignal.Kind).
SIGNAL_KIND_COLUMNS = {
    "id_overlap": "身份证重叠", "shared_phone": "共用手机", "repeat_training": "重复培训", "identical_forms": "附表2雷同",
    "far_check_ins": "签到过远", "attendance_shortfall": "出勤不足", "followup_contradiction": "回访矛盾",
    "teacher_conflict": "教师冲突",
}
SIGNAL_KIND_COLORS = ["#c62828", "#e0a100", "#8e44ad", "#1f6fb2", "#2e7d32", "#6d4c41", "#00838f", "#9aa0a6"]
SIGNAL_FILTERS = ("county", "institution", "occupation", "category")
LEDGER_FILTERS = ("county", "institution")  # the ledger's own filters among the dashboard's


@figure(key="fraud_signals", title="待核实的疑点（各{area}，按疑点类型）", dashboards=BUREAU_DASHBOARDS,
        requires_model="supervision.FraudSignal")
def fraud_signals(context: FigureContext) -> FigureResult:
    """Policy §8.4: the open signals (待核实) in the user's scope, per county (league) or institution (county) and
    per kind, within the dashboard's county, institution, occupation and category filters, whatever the period
    (a signal stays open until the county checks it, as a rectification item does). Each number links to the
    signal list with the same filters. Institutions have no such figure: signals are evidence about them and
    supervision.signal_selectors shows them none."""
    from supervision.models import FraudSignal
    from supervision.signal_selectors import open_signal_counts_for

    filters = {name: context.link_params[name] for name in SIGNAL_FILTERS if name in context.link_params}
    area_path, name_path, order_path = (f"training_class__{path}" for path in (
        context.area.path, context.area.name_path, context.area.order_path))
    counts = open_signal_counts_for(context.user, group_by=tuple(dict.fromkeys((order_path, area_path, name_path))),
                                    **filters)
    signal_list = reverse("supervision:signal_list")

    def link(**params) -> str:
        merged = {"status": FraudSignal.Status.OPEN, **filters, **{key: value for key, value in params.items() if value}}
        return f"{signal_list}?{urlencode(merged)}"

    kinds = [kind for kind in FraudSignal.Kind.values if any(count["kind"] == kind for count in counts)]
    by_area: dict[int, dict[str, int]] = {}
    names: dict[int, str] = {}
    for count in counts:
        names[count[area_path]] = count[name_path]
        by_area.setdefault(count[area_path], {})[count["kind"]] = count["total"]
    by_kind = {kind: sum(area.get(kind, 0) for area in by_area.values()) for kind in kinds}

    def cells(area_key: int | None, area_counts: dict[str, int]) -> list[Cell]:
        area = {context.area.param: area_key}
        return [_number(sum(area_counts.values()), link(**area)),
                *[_number(area_counts.get(kind, 0), link(kind=kind, **area)) for kind in kinds]]

    rows = [[_text(names[key]), *cells(key, area_counts)] for key, area_counts in by_area.items()]
    chart = bar_chart(
        categories=[names[key] for key in by_area], stacked=True,
        series=[
            Series(SIGNAL_KIND_COLUMNS.get(kind, kind), SIGNAL_KIND_COLORS[index % len(SIGNAL_KIND_COLORS)],
                   [(by_area[key].get(kind, 0), link(kind=kind, **{context.area.param: key})) for key in by_area])
            for index, kind in enumerate(kinds)
        ],
    ) if rows else None
    labels = dict(FraudSignal.Kind.choices)
    return FigureResult(
        columns=[context.area.label, "待核实", *(SIGNAL_KIND_COLUMNS.get(kind, kind) for kind in kinds)],
        rows=rows, chart=chart, total=[_text("合计"), *cells(None, by_kind)] if rows else None,
        notes=["统计当前所有待核实的疑点，不限统计期间；核实后由旗县市核销。"]
        + (["疑点类型：" + "；".join(f"{SIGNAL_KIND_COLUMNS.get(kind, kind)}＝{labels[kind]}" for kind in kinds) + "。"]
           if kinds else []),
        empty_text="没有待核实的疑点。", is_wide=True,
    )


@figure(key="rectification_items", title="整改事项（未销号 / 逾期）", dashboards=ALL_DASHBOARDS,
        requires_model="supervision.RectificationItem")
def rectification_items(context: FigureContext) -> FigureResult:
    """Policy §8.6: the ledger's open working set in the user's scope (whatever the period: an item stays open
    until closed), linked to the ledger list; overdue = past the deadline and not closed."""
    from supervision.rectification_selectors import rectification_counts_for

    from supervision.rectification_selectors import UNRESOLVED_FILTER

    filters = {name: context.link_params[name] for name in LEDGER_FILTERS if name in context.link_params}
    counts = rectification_counts_for(context.user, today=context.today, **filters)
    ledger = reverse("supervision:rectification_list")
    return FigureResult(
        columns=["整改事项", "数量"],
        rows=[[_text("未销号"), _number(counts.unresolved, f"{ledger}?{urlencode({'status': UNRESOLVED_FILTER, **filters})}")],
              [_text("其中已逾期"), _number(counts.overdue, f"{ledger}?{urlencode({'overdue': 'overdue', **filters})}")]],
    )


def _filtered(visible: QuerySet, pk):
    """The dashboard filter's object, read through the user's scope (None without the filter)."""
    return visible.filter(pk=pk).first() if pk else None


@figure(key="inspection_coverage", title="现场检查覆盖率（不低于60%）", dashboards=BUREAU_DASHBOARDS,
        requires_model="supervision.Inspection")
def inspection_coverage(context: FigureContext) -> FigureResult:
    """Policy §8.5 for the period's calendar year: inspected batches against the year's batches per county, with
    inspection_coverage_met deciding (exact integers), linked to the coverage page."""
    from supervision.inspection_selectors import inspection_coverage_for

    year = context.period.year
    # The dashboard's county and institution filters narrow the batches; the rows stay per county (§8.5).
    county = _filtered(counties_visible_to(context.user), context.link_params.get("county"))
    institution = _filtered(institutions_visible_to(context.user), context.link_params.get("institution"))
    coverage = inspection_coverage_for(context.user, year=year, today=context.today, county=county, institution=institution)
    coverage_page = reverse("supervision:inspection_coverage")

    def link(row) -> str:
        params = {"year": year, "county": row.county.pk, **({"institution": institution.pk} if institution else {})}
        return f"{coverage_page}?{urlencode(params)}"

    verdict = {True: "达标", False: "未达标", None: "无班期"}
    rows = [[_text(row.county.name), _number(row.batches, link(row)), _number(row.inspected, link(row)),
             Cell("—" if row.percent is None else f"{row.percent}%"), _text(verdict[row.is_met]),
             _text("落后" if row.is_behind else "正常")] for row in coverage]
    chart = bar_chart(
        categories=[row.county.name for row in coverage], percent=True,
        series=[Series("检查覆盖率", "#1f6fb2", [(row.percent, link(row)) for row in coverage])],
        thresholds=[Threshold("60%", 60, "#c62828")],
    )
    return FigureResult(columns=["旗县市", "班期", "已检查", "覆盖率", "是否达到60%", "进度"], rows=rows, chart=chart)


# A dashboard's context -------------------------------------------------------------------------------------------


def dashboard_kind_for(user) -> str | None:
    """Which dashboard a user gets: league staff (and superusers) the league's, county staff their county's,
    institution staff their institution's; nobody else has one."""
    if not user.is_authenticated:
        return None
    if user.is_superuser or user.read_role == Role.LEAGUE:
        return LEAGUE
    if user.read_role == Role.COUNTY and user.region_id:
        return COUNTY
    if user.role == Role.INSTITUTION and user.institution_id:
        return INSTITUTION
    return None


def _league_classes_of_institution(user) -> QuerySet[TrainingClass]:
    """The classes of the institution's whole league, read past the user's scope on purpose: only the
    comparison's sums leave figures.py (league_comparison_of), never a class."""
    return TrainingClass.objects.filter(institution__county__parent_id=user.institution.county.parent_id)


def figure_context_for(
    user, *, dashboard: str, period: Period, filtered_classes: QuerySet[TrainingClass], filter_values: dict, today: date
) -> FigureContext:
    """``filtered_classes``: classes_visible_to(user) narrowed by the dashboard's filters (TrainingClassFilter);
    ``filter_values``: those filters' cleaned values (county, institution, occupation, category), for the links."""
    in_period = filtered_classes.filter(end_date__gte=period.first_day, end_date__lte=period.last_day)
    link_params = {"status": TrainingClass.Status.FINISHED, "end_from": period.first_day.isoformat(),
                   "end_to": period.last_day.isoformat()}
    for name, value in filter_values.items():
        if value:
            link_params[name] = getattr(value, "pk", value)
    league_comparison = None
    monthly = month_figures_for(user, dashboard=dashboard, period=period, filter_values=filter_values)
    if dashboard == INSTITUTION:
        league_classes = finished_classes_of(_league_classes_of_institution(user), period)
        if filter_values.get("occupation"):
            league_classes = league_classes.filter(occupation=filter_values["occupation"])
        if filter_values.get("category"):
            league_classes = league_classes.filter(category=filter_values["category"])

        def league_comparison():
            league_months = None
            if _can_read_month_figures(filter_values):
                league_months = MonthFigures.objects.filter(
                    institution__county__parent_id=user.institution.county.parent_id,
                    month__gte=period.first_day, month__lte=period.last_day)
            return league_comparison_of(league_classes, today=today, monthly=league_months)
    return FigureContext(
        user=user, dashboard=dashboard, period=period, classes=finished_classes_of(filtered_classes, period),
        classes_any_status=in_period, link_params=link_params, today=today, league_comparison=league_comparison,
        monthly=monthly,
    )


def month_figures_for(user, *, dashboard: str, period: Period, filter_values: dict) -> QuerySet[MonthFigures] | None:
    """The period's MonthFigures of the institutions in the user's scope and the dashboard's county and institution
    filters, for the league's and a county's dashboards. None where the table cannot answer: an occupation or category
    filter (the table is per institution and month), or the institution's dashboard (it reads a conclusion only once
    verified, filters.conclusion_condition, and its own classes are few enough to count live; its league comparison
    reads the table, league_comparison_of)."""
    if dashboard not in BUREAU_DASHBOARDS or not _can_read_month_figures(filter_values):
        return None
    institutions = institutions_visible_to(user)
    if filter_values.get("county"):
        institutions = institutions.filter(county=filter_values["county"])
    if filter_values.get("institution"):
        institutions = institutions.filter(pk=filter_values["institution"].pk)
    # A period is whole months, so its months are exactly those whose first day falls in it.
    return MonthFigures.objects.filter(
        institution__in=institutions, month__gte=period.first_day, month__lte=period.last_day)


def _can_read_month_figures(filter_values: dict) -> bool:
    """Whether MonthFigures can answer: not under an occupation or category filter (the table is per institution and
    month), and not before the first refresh that built it (after the table was added, the figures count live)."""
    if filter_values.get("occupation") or filter_values.get("category"):
        return False
    return MonthFigures.objects.exists()
