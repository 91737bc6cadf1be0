"""Writes of on-site inspections (policy §8.5, S2 四(一)): county or league staff plan a visit and name its
inspectors (staff, or a commissioned third party); one inspector records it, once; an open plan may be cancelled.

Each transition is one function: it checks the actor, locks the inspection, checks the status, writes with the
actor in the history (django-simple-history), and calls the rectification hook inside the transaction.
"""

import uuid
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import audit_state_change
from accounts.models import AuditEvent, Role, User
from classes.models import Enrollment, Region, TrainingClass
from classes.selectors import classes_visible_to
from xingan_training.errors import ServiceError

from .inspection_files import AttachmentError, CheckedAttachment, check_attachments
from .inspection_hooks import notify_rectification_needed
from .inspection_selectors import inspections_visible_to
from .models import Inspection, InspectionAttachment

MAX_INSPECTORS = 6
MAX_FINDINGS = 2000
MAX_RECTIFICATION = 1000
MAX_PRESENT = 999
PLANNABLE_STATUSES = (TrainingClass.Status.DRAFT, TrainingClass.Status.IN_TRAINING)


def can_plan_inspections(user) -> bool:
    """County staff for their county's classes, league staff for their league's."""
    return bool(
        user.is_authenticated and user.is_active and user.role in (Role.COUNTY, Role.LEAGUE) and user.region_id
    )


def may_inspect(user: User, county: Region) -> bool:
    """Who may be named an inspector of a class in ``county``: active staff of the county or of its league, or a
    third party commissioned by either (its anchor region). Mirrors inspection_selectors.inspector_candidates."""
    if not user.is_active:
        return False
    if user.role == Role.COUNTY:
        return user.region_id == county.pk
    if user.role == Role.LEAGUE:
        return user.region_id == county.parent_id
    if user.role == Role.THIRD_PARTY:
        return user.region_id in (county.pk, county.parent_id)
    return False


def can_record_inspection(user, inspection: Inspection) -> bool:
    return (
        user.is_authenticated and user.is_active and inspection.status == Inspection.Status.PLANNED
        and inspection.inspectors.filter(pk=user.pk).exists()
    )


def can_cancel_inspection(user, inspection: Inspection) -> bool:
    return can_plan_inspections(user) and inspection.status == Inspection.Status.PLANNED


def inspection_plan(*, actor: User, training_class: TrainingClass, planned_on: date, inspectors, today: date | None = None) -> Inspection:
    """County or league staff plan a visit to a class in their scope that has not ended: a date within its
    training period and not in the past, and one to six inspectors who may inspect it (may_inspect).
    Refused while the class already has an open plan (one at a time; the database says so too)."""
    today = today or timezone.localdate()
    if not can_plan_inspections(actor):
        raise ServiceError("只有旗县市或盟级人社部门可以安排现场检查。")
    inspectors = list(inspectors)
    if not inspectors:
        raise ServiceError("请至少选择一名检查人员。")
    if len({inspector.pk for inspector in inspectors}) > MAX_INSPECTORS:
        raise ServiceError(f"一次检查最多安排{MAX_INSPECTORS}名检查人员。")
    with transaction.atomic():
        locked_class = (
            classes_visible_to(actor).select_for_update(of=("self",)).select_related("institution__county").filter(pk=training_class.pk).first()
        )
        if locked_class is None:
            raise ServiceError("培训班不存在或无权操作。")
        if locked_class.status not in PLANNABLE_STATUSES or locked_class.end_date < today:
            raise ServiceError("该培训班的培训已经结束，不能再安排现场检查。")
        if not (max(locked_class.start_date, today) <= planned_on <= locked_class.end_date):
            raise ServiceError(
                f"计划检查日期须在培训期内（{locked_class.start_date:%Y-%m-%d}至{locked_class.end_date:%Y-%m-%d}），且不早于今天。"
            )
        county = locked_class.institution.county
        refused = [inspector.display_name for inspector in inspectors if not may_inspect(inspector, county)]
        if refused:
            raise ServiceError(f"以下人员不能检查{county.name}的培训班：{'、'.join(refused)}。")
        if locked_class.inspections.filter(status=Inspection.Status.PLANNED).exists():
            raise ServiceError("该培训班已有待检查的安排，请先完成或取消。")
        inspection = Inspection(training_class=locked_class, planned_on=planned_on, planned_by=actor)
        inspection._history_user = actor
        try:
            with transaction.atomic():
                inspection.save()
        except IntegrityError:
            # Two planners at once: the partial unique constraint lets one plan through.
            raise ServiceError("该培训班已有待检查的安排，请先完成或取消。") from None
        inspection.inspectors.set(inspectors)
        audit_state_change(action=AuditEvent.Action.INSPECTION, actor=actor, target=inspection,
                           step=f"安排现场检查（{planned_on:%Y-%m-%d}）", to_label=inspection.get_status_display())
    return inspection


def _lock(actor: User, inspection: Inspection) -> Inspection:
    locked = (
        inspections_visible_to(actor).select_for_update(of=("self",)).filter(pk=inspection.pk)
        .select_related("training_class__institution__county").first()
    )
    if locked is None:
        raise ServiceError("现场检查不存在或无权操作。")
    return locked


def inspection_cancel(*, actor: User, inspection: Inspection, reason: str) -> Inspection:
    """County or league staff in scope call off an open plan, with a reason: 待检查 → 已取消."""
    reason = (reason or "").strip()
    if not can_plan_inspections(actor):
        raise ServiceError("只有旗县市或盟级人社部门可以取消现场检查。")
    if not reason:
        raise ServiceError("请填写取消原因。")
    with transaction.atomic():
        locked = _lock(actor, inspection)
        if locked.status != Inspection.Status.PLANNED:
            raise ServiceError(f"只有“待检查”的安排可以取消，当前为“{locked.get_status_display()}”。")
        locked.status = Inspection.Status.CANCELLED
        locked.cancelled_by = actor
        locked.cancelled_at = timezone.now()
        locked.cancellation_reason = reason[:500]
        locked._history_user = actor
        locked.save(update_fields=["status", "cancelled_by", "cancelled_at", "cancellation_reason"])
        audit_state_change(action=AuditEvent.Action.INSPECTION, actor=actor, target=locked, step="取消现场检查",
                           from_label=Inspection.Status.PLANNED.label, to_label=locked.get_status_display(), note=reason)
    return locked


@dataclass(frozen=True)
class InspectionRecordOutcome:
    inspection: Inspection
    is_new: bool  # False: the same record (same client id) had already arrived; nothing was written


def _check_record(
    *, aspects, methods, present_count: int, findings: str, result: str, needs_rectification: bool, rectification_text: str
) -> None:
    if not aspects or not set(aspects) <= set(Inspection.Aspect.values):
        raise ServiceError("请选择检查内容（招生、师资、培训、后续跟踪服务，可多选）。")
    if not methods or not set(methods) <= set(Inspection.Method.values):
        raise ServiceError("请选择检查方式（问询、听课、查阅资料，可多选）。")
    if isinstance(present_count, bool) or not isinstance(present_count, int) or not 0 <= present_count <= MAX_PRESENT:
        raise ServiceError(f"实到人数应为0至{MAX_PRESENT}之间的整数。")
    if result not in Inspection.Result.values:
        raise ServiceError("请选择检查结论。")
    if len(findings) > MAX_FINDINGS or len(rectification_text) > MAX_RECTIFICATION:
        raise ServiceError(f"检查发现最多{MAX_FINDINGS}字，整改要求最多{MAX_RECTIFICATION}字。")
    if result != Inspection.Result.QUALIFIED and not findings:
        raise ServiceError("结论为“发现问题”或“严重问题”时，请写明检查发现的问题。")
    if result == Inspection.Result.QUALIFIED and needs_rectification:
        raise ServiceError("结论为“合格”时不能提出整改；如需整改，请选择“发现问题”。")
    if needs_rectification and not rectification_text:
        raise ServiceError("请写明整改要求。")


def _same_record(actor: User, client_id: uuid.UUID, inspection: Inspection) -> Inspection | None:
    """The record this client id already made, if it is this inspection's and the actor may see it; refused if
    it is another inspection's."""
    existing = Inspection.objects.filter(client_id=client_id).first()
    if existing is None:
        return None
    if existing.pk != inspection.pk:
        raise ServiceError("提交编号已被另一条检查记录使用，请重新打开检查表填写。")
    if not inspections_visible_to(actor).filter(pk=existing.pk).exists():
        raise ServiceError("现场检查不存在或无权操作。")
    return existing


def _store_attachments(inspection: Inspection, files: list[CheckedAttachment], actor: User) -> None:
    stored = []
    try:
        for item in files:
            attachment = InspectionAttachment(
                inspection=inspection, kind=item.kind, content_type=item.content_type, original_name=item.name,
                size=item.size, sha256=item.sha256, uploaded_by=actor,
            )
            attachment.file.save(item.name, item.uploaded, save=False)
            stored.append(attachment.file)
            attachment.save()
    except BaseException:
        # The transaction rolls the rows back; the storage is not transactional, so its files go by hand.
        for field_file in stored:
            field_file.storage.delete(field_file.name)
        raise


def inspection_record(
    *,
    actor: User,
    inspection: Inspection,
    client_id: uuid.UUID,
    inspected_on: date,
    aspects,
    methods,
    present_count: int,
    absent_enrollment_ids=(),
    findings: str = "",
    result: str,
    needs_rectification: bool = False,
    rectification_text: str = "",
    attachments=(),
    today: date | None = None,
) -> InspectionRecordOutcome:
    """One of the inspection's inspectors records the visit: 待检查 → 已检查.

    Idempotent by ``client_id`` (made when the form opened): a send repeated after a lost connection, also two
    sends at once, returns the record the first one made and writes nothing (the row lock makes the second wait
    for the first; the unique client id catches any other path). Refused: someone not named as inspector, a
    cancelled or already recorded inspection (by another send), a date outside the training period or in the
    future (Decision: on-site means while the class trains), absentees not on the class's roster, a result
    without findings, 合格 with rectification, and any attachment that is not a real image or PDF.
    """
    today = today or timezone.localdate()
    findings = (findings or "").strip()
    rectification_text = (rectification_text or "").strip() if needs_rectification else ""
    if not isinstance(client_id, uuid.UUID):
        raise ServiceError("缺少提交编号，请刷新页面后重新填写。")
    existing = _same_record(actor, client_id, inspection)
    if existing is not None:
        return InspectionRecordOutcome(existing, False)
    _check_record(
        aspects=aspects, methods=methods, present_count=present_count, findings=findings, result=result,
        needs_rectification=needs_rectification, rectification_text=rectification_text,
    )
    try:
        files = check_attachments(attachments)
    except AttachmentError as error:
        raise ServiceError(str(error)) from None
    absent_ids = set(absent_enrollment_ids)
    with transaction.atomic():
        locked = _lock(actor, inspection)
        if locked.status == Inspection.Status.RECORDED and locked.client_id == client_id:
            return InspectionRecordOutcome(locked, False)  # the other send of the same record won the lock
        if not locked.inspectors.filter(pk=actor.pk).exists() or not actor.is_active:
            raise ServiceError("只有被安排的检查人员可以填写检查记录。")
        if locked.status == Inspection.Status.RECORDED:
            who = locked.recorded_by.display_name if locked.recorded_by else ""
            raise ServiceError(f"该检查已由{who}于{timezone.localtime(locked.recorded_at):%Y-%m-%d %H:%M}记录，不能重复记录。")
        if locked.status != Inspection.Status.PLANNED:
            raise ServiceError(f"该检查已{locked.get_status_display()}，不能记录。")
        training_class = locked.training_class
        if not (training_class.start_date <= inspected_on <= training_class.end_date):
            raise ServiceError(
                f"检查日期须在培训期内（{training_class.start_date:%Y-%m-%d}至{training_class.end_date:%Y-%m-%d}）。"
            )
        if inspected_on > today:
            raise ServiceError("检查日期不能晚于今天。")
        roster = Enrollment.objects.filter(training_class=training_class)
        roster_ids = set(roster.values_list("pk", flat=True))
        if not absent_ids <= roster_ids:
            raise ServiceError("缺勤学员须是本班花名册上的学员。")
        roster_size = roster.exclude(completion=Enrollment.Completion.DROPPED).count()

        locked.status = Inspection.Status.RECORDED
        locked.client_id = client_id
        locked.inspected_on = inspected_on
        locked.recorded_by = actor
        locked.recorded_at = timezone.now()
        for aspect, field in Inspection.ASPECT_FIELDS.items():
            setattr(locked, field, aspect in aspects)
        for method, field in Inspection.METHOD_FIELDS.items():
            setattr(locked, field, method in methods)
        locked.roster_size = roster_size
        locked.present_count = present_count
        locked.findings = findings
        locked.result = result
        locked.needs_rectification = needs_rectification
        locked.rectification_text = rectification_text
        locked.proposes_catalogue_removal = result == Inspection.Result.SERIOUS
        locked._history_user = actor
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            # The same client id reached the database through another inspection in the meantime.
            raise ServiceError("提交编号已被另一条检查记录使用，请重新打开检查表填写。") from None
        locked.absent_enrollments.set(absent_ids)
        _store_attachments(locked, files, actor)
        if needs_rectification:
            notify_rectification_needed(locked.pk)
        audit_state_change(action=AuditEvent.Action.INSPECTION, actor=actor, target=locked,
                           step=f"记录现场检查：{locked.get_result_display()}",
                           from_label=Inspection.Status.PLANNED.label, to_label=locked.get_status_display())
    return InspectionRecordOutcome(locked, True)
