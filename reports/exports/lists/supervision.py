"""The supervision lists: demand catalogue, training wishes, teacher pool, attendance classes, fraud signals."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from supervision.attendance_permissions import can_see_evidence, is_training_day
from supervision.attendance_selectors import attendance_classes_for, class_list_counts
from supervision.demand import can_tell_registrants
from supervision.demand_selectors import (
    can_read_wishes,
    catalogue_list_for,
    training_wish_list_for,
    wish_counties_visible_to,
)
from classes.selectors import counties_visible_to, institutions_visible_to
from supervision.forms.demand import CatalogueFilterForm, WishFilterForm
from supervision.forms.signals import SignalFilterForm
from supervision.signal_selectors import SignalRow, can_read_signals, signal_list_for, with_evidence
from supervision.forms.teachers import TeacherFilterForm
from supervision.teacher_selectors import teacher_list_for, teacher_queue_for, with_teacher_facts
from supervision.teachers import can_review_teachers
from supervision.views.attendance import RECENT_DAYS

from ..columns import DATE, DATETIME, DECIMAL, ID_NUMBER, INTEGER, PHONE, Column, ListExport


def _catalogue_state(entry) -> str:
    """The state the catalogue page shows beside each entry."""
    today = timezone.localdate()
    if entry.ended_at:
        return "已终止"
    if entry.valid_to < today:
        return "已过期"
    if entry.valid_from > today:
        return "尚未生效"
    return "有效"


CATALOGUE = ListExport(
    key="demand-catalogue",
    title="培训需求指导目录",
    page="supervision:catalogue_list",
    rows=lambda user, params: catalogue_list_for(user, today=timezone.localdate(), **CatalogueFilterForm(params or None).filters()),
    columns=(
        Column("职业编码", lambda entry: entry.occupation.code, width=12),
        Column("职业（工种）", lambda entry: entry.occupation.name, width=18),
        Column("等级", lambda entry: entry.occupation.get_level_display(), width=14),
        Column("培训类型", lambda entry: entry.get_training_type_display(), width=16),
        Column("补贴标准（元/人）", lambda entry: entry.subsidy_per_person, DECIMAL, 16),
        Column("急需紧缺", lambda entry: "是" if entry.is_urgent else "", width=8),
        Column("有效期起", lambda entry: entry.valid_from, DATE, 12),
        Column("有效期止", lambda entry: entry.valid_to, DATE, 12),
        Column("状态", _catalogue_state, width=10),
        Column("终止原因", lambda entry: entry.end_reason, width=20),
    ),
)


def _wishes(user, params):
    form = WishFilterForm(params or None, counties=wish_counties_visible_to(user))
    return training_wish_list_for(user, **form.filters())


# County staff phone the registrants when a class opens (policy §8.1): they need the number; league staff read
# the list for demand only.
WISHES = ListExport(
    key="training-wishes",
    title="培训意愿登记名单",
    page="supervision:wish_list",
    rows=_wishes,
    is_allowed=can_read_wishes,
    reveals_personal_data=can_tell_registrants,
    columns=(
        Column("姓名", lambda wish: wish.name, width=10),
        Column("手机号", lambda wish: wish.phone, width=14, personal=PHONE),
        Column("人员类别", lambda wish: wish.category.name, width=20),
        Column("意向职业（工种）", lambda wish: wish.occupation.name, width=18),
        Column("职业编码", lambda wish: wish.occupation.code, width=12),
        Column("所在旗县市", lambda wish: wish.county.name, width=12),
        Column("登记时间", lambda wish: wish.created_at, DATETIME, 17),
        Column("通知情况", lambda wish: "已通知" if wish.is_told else "未通知", width=8),
        Column("通知时间", lambda wish: wish.told_at, DATETIME, 17),
        Column("通知参加的培训班", lambda wish: wish.told_class.batch_number if wish.told_class else "", width=22),
        Column("备注", lambda wish: wish.note, width=20),
    ),
)

# A teacher as the pool and the review queue show one: the ID number masked to every role (the full number is
# revealed one teacher at a time, audited, on the teacher's page).
TEACHER_COLUMNS = (
    Column("姓名", lambda teacher: teacher.name, width=10),
    Column("身份证号", lambda teacher: teacher.id_number, width=20, personal=ID_NUMBER),
    Column("专兼职", lambda teacher: teacher.get_employment_type_display(), width=8),
    Column("授课职业（工种）", lambda teacher: "、".join(item.name for item in teacher.occupations.all()), width=24),
    Column("资质类别", lambda teacher: teacher.get_qualification_display(), width=18),
    Column("证书编号", lambda teacher: teacher.certificate_number, width=18),
    Column("工作单位", lambda teacher: teacher.employer, width=24),
    Column("推荐机构", lambda teacher: teacher.proposed_by_institution.name, width=28),
)

TEACHERS = ListExport(
    key="teachers",
    title="职业技能培训师资库",
    page="supervision:teacher_list",
    rows=lambda user, params: with_teacher_facts(teacher_list_for(user, **TeacherFilterForm(params or None).filters())),
    columns=(
        *TEACHER_COLUMNS,
        Column("授课班次（全盟）", lambda teacher: teacher.class_count, INTEGER, 14),
        Column("状态", lambda teacher: teacher.get_status_display(), width=8),
    ),
)

# The league's queue of proposals.
TEACHER_QUEUE = ListExport(
    key="teacher-queue",
    title="待确认的教师推荐",
    page="supervision:teacher_queue",
    rows=lambda user, params: teacher_queue_for(user),
    is_allowed=can_review_teachers,
    columns=(
        *TEACHER_COLUMNS,
        Column("旗县市", lambda teacher: teacher.proposed_by_institution.county.name, width=12),
        Column("推荐时间", lambda teacher: teacher.proposed_at, DATETIME, 17),
    ),
)


@dataclass(frozen=True)
class AttendanceRow:
    training_class: object
    is_training_today: bool
    today: int
    flagged: int


def _attendance_classes(user, params):
    return attendance_classes_for(user, since=timezone.localdate() - timedelta(days=RECENT_DAYS))


def _attendance_rows(user, batch: list) -> list[AttendanceRow]:
    """Today's check-ins and open signals of one chunk of classes, as the page counts its shown page."""
    today = timezone.localdate()
    counts = class_list_counts([item.pk for item in batch], today, far_metres=settings.CHECKIN_FAR_METRES)
    return [AttendanceRow(item, is_training_day(item, today), **counts[item.pk]) for item in batch]


ATTENDANCE = ListExport(
    key="attendance",
    title="考勤签到",
    page="supervision:attendance_classes",
    rows=_attendance_classes,
    prepare=_attendance_rows,
    columns=(
        Column("审核（备案）班期", lambda row: row.training_class.batch_number, width=22),
        Column("培训机构", lambda row: row.training_class.institution.name, width=28),
        Column("旗县市", lambda row: row.training_class.institution.county.name, width=12),
        Column("培训职业（工种）", lambda row: row.training_class.occupation.name, width=18),
        Column("培训开始日期", lambda row: row.training_class.start_date, DATE, 12),
        Column("培训结束日期", lambda row: row.training_class.end_date, DATE, 12),
        Column("状态", lambda row: row.training_class.get_status_display(), width=8),
        Column("培训地点", lambda row: "已登记" if hasattr(row.training_class, "attendance_site") else "未登记", width=8),
        Column("花名册人数", lambda row: row.training_class.enrolled_count, INTEGER, 10),
        Column("今日签到", lambda row: row.today if row.is_training_today else None, INTEGER, 10),
        Column("待核实异常", lambda row: row.flagged, INTEGER, 10, is_shown_to=can_see_evidence),
    ),
)

def _signals(user, params):
    form = SignalFilterForm(params, counties=counties_visible_to(user), institutions=institutions_visible_to(user))
    return signal_list_for(user, **form.filters())


def _dismissed_by(row: SignalRow) -> str:
    user = row.signal.dismissed_by
    return (user.get_full_name() or user.username) if user else ""


# The list's rows with their evidence as the page shows it (other counties' classes only as a count; ID and phone
# numbers masked in the evidence itself).
SIGNALS = ListExport(
    key="signals",
    title="疑点清单",
    page="supervision:signal_list",
    rows=_signals,
    prepare=with_evidence,
    is_allowed=can_read_signals,
    columns=(
        Column("状态", lambda row: row.signal.get_status_display(), width=8),
        Column("疑点类型", lambda row: row.signal.get_kind_display(), width=26),
        Column("审核（备案）班期", lambda row: row.signal.training_class.batch_number, width=22),
        Column("培训机构", lambda row: row.signal.training_class.institution.name, width=28),
        Column("旗县市", lambda row: row.signal.training_class.institution.county.name, width=12),
        Column("培训职业（工种）", lambda row: row.signal.training_class.occupation.name, width=18),
        Column("培训开始日期", lambda row: row.signal.training_class.start_date, DATE, 12),
        Column("证据", lambda row: row.evidence.summary, width=50),
        Column("首次发现时间", lambda row: row.signal.first_detected_at, DATETIME, 17),
        Column("不再出现时间", lambda row: row.signal.not_detected_since, DATETIME, 17),
        Column("核销人", _dismissed_by, width=10),
        Column("核销时间", lambda row: row.signal.dismissed_at, DATETIME, 17),
        Column("核销理由", lambda row: row.signal.dismissal_reason, width=30),
    ),
)

EXPORTS = (CATALOGUE, WISHES, TEACHERS, TEACHER_QUEUE, ATTENDANCE, SIGNALS)
