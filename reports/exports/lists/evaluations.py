"""The county and league review queues and the commendation list, as their pages show them."""

from dataclasses import dataclass

from django.utils import timezone

from accounts.models import Role
from evaluations import rules
from evaluations.forms import CommendationPeriodForm
from evaluations.selectors import (
    commendation_candidates_for,
    commendation_rows,
    conclusion_from_facts,
    contradiction_counts,
    county_queue_for,
    grade_from_facts,
    league_queue_for,
    with_queue_facts,
)

from ..columns import DATE, INTEGER, PERCENT, Column, ListExport, class_columns
from .classes import filtered_classes


@dataclass(frozen=True)
class QueueRow:
    training_class: object  # annotated by evaluations.selectors.with_review_facts
    grade: rules.ClassGrade
    conclusion: str
    contradictions: int


def queue_rows(user, batch: list) -> list[QueueRow]:
    """What the queue page computes for its shown classes, for one chunk: grade, conclusion, contradictions."""
    contradictions = contradiction_counts(batch)
    rows = []
    for training_class in batch:
        grade = grade_from_facts(training_class)
        conclusion = rules.CONCLUSION_LABELS[conclusion_from_facts(training_class, grade)]
        rows.append(QueueRow(training_class, grade, conclusion, contradictions[training_class.pk]))
    return rows


def _yes(value: bool) -> str:
    return "是" if value else ""


QUEUE_COLUMNS = (
    Column("审核（备案）班期", lambda row: row.training_class.batch_number, width=22),
    Column("培训机构", lambda row: row.training_class.institution.name, width=28),
    Column("旗县市", lambda row: row.training_class.institution.county.name, width=12),
    Column("培训职业（工种）", lambda row: row.training_class.occupation.name, width=18),
    Column("培训开始日期", lambda row: row.training_class.start_date, DATE, 12),
    Column("培训结束日期", lambda row: row.training_class.end_date, DATE, 12),
    Column("评价状态", lambda row: row.training_class.review.get_status_display(), width=20),
    Column("有效评价表", lambda row: row.grade.total, INTEGER, 10),
    Column("花名册人数", lambda row: row.training_class.enrolled_total, INTEGER, 10),
    Column("优", lambda row: row.grade.excellent, INTEGER, 6),
    Column("良", lambda row: row.grade.good, INTEGER, 6),
    Column("一般", lambda row: row.grade.fair, INTEGER, 6),
    Column("差", lambda row: row.grade.poor, INTEGER, 6),
    Column("结论", lambda row: row.conclusion, width=10),
    Column("优秀", lambda row: _yes(row.grade.outstanding), width=6),
    Column("需整改", lambda row: _yes(row.grade.needs_rectification), width=8),
    Column("需核查", lambda row: _yes(row.grade.needs_investigation), width=8),
    Column("填写不一致人数", lambda row: row.contradictions, INTEGER, 14),
)

COUNTY_QUEUE = ListExport(
    key="county-queue",
    title="待评价核实的培训班",
    page="evaluations:county_queue",
    rows=lambda user, params: with_queue_facts(filtered_classes(user, params, county_queue_for(user))),
    prepare=queue_rows,
    columns=QUEUE_COLUMNS,
    is_allowed=lambda user: user.read_role == Role.COUNTY,
)

LEAGUE_QUEUE = ListExport(
    key="league-queue",
    title="待盟级复核的培训班",
    page="evaluations:league_queue",
    rows=lambda user, params: with_queue_facts(filtered_classes(user, params, league_queue_for(user))),
    prepare=queue_rows,
    columns=QUEUE_COLUMNS,
    is_allowed=lambda user: user.read_role == Role.LEAGUE,
)


def commendation_export_rows(user, params) -> list:
    """The commendation list of the page's period (this year unless ``year`` says otherwise), checked live."""
    year = CommendationPeriodForm(params or None, today=timezone.localdate()).chosen_year()
    return commendation_rows(list(commendation_candidates_for(user, year=year).values_list("pk", flat=True)))


def _valid_forms(item) -> int:
    return item.forms_excellent + item.forms_good + item.forms_fair + item.forms_poor


COMMENDATIONS = ListExport(
    key="commendations",
    title="优秀培训班次",
    page="evaluations:commendations",
    rows=lambda user, params: commendation_export_rows(user, params),
    columns=(
        *class_columns(),
        Column("评价为优", lambda item: item.forms_excellent, INTEGER, 10),
        Column("有效评价表", lambda item: _valid_forms(item), INTEGER, 10),
        Column("优的比例", lambda item: item.forms_excellent / _valid_forms(item) if _valid_forms(item) else None, PERCENT, 10),
    ),
)

EXPORTS = (COUNTY_QUEUE, LEAGUE_QUEUE, COMMENDATIONS)
