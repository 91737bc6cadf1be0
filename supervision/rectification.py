"""Writes of the rectification ledger (整改清单, policy §8.6, S2 八), one service per step:

    raised (整改中) → evidence submitted (待销号) → closed (已整改) by the office that raised it
                            ↘ sent back with a reason (整改中 again)

County staff raise items about the institutions of their county, league staff about any institution of the league;
the raising office alone sends back and closes (the office may also close an item it verified itself, on site,
before any report). Every step leaves a RectificationItemEvent: who, when, from, to, what.

A 整改通知书 (policy §3) is one source among others, with one flow: evaluations' notice services are the single
implementation of its steps (numbering, the class's approval lock, the county's scope), and each step calls
``evaluations.hooks.notify_notice_changed`` in its transaction, through which ``rectification_item_follow_notice``
keeps the notice's item in step. The ledger's services hand a notice's item to those notice services, so a notice
closed on its own page or in the ledger is closed in both, and never one without the other.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_state_change
from accounts.models import AuditEvent, Role, User
from classes.identity import IdentifierError, clean_person_name
from classes.models import Institution, TrainingClass
from classes.selectors import classes_visible_to
from evaluations import services as notice_services
from evaluations.models import RectificationEvent, RectificationNotice
from xingan_training.errors import ServiceError

from .models import (
    RectificationAttachment,
    RectificationEvidence,
    RectificationItem,
    RectificationItemEvent,
    RectificationSource,
)
from .rectification_files import checked_uploads
from .rectification_selectors import institutions_for_raising, rectification_items_visible_to

Status = RectificationItem.Status
TEXT_MAX = 2000
NOT_FOUND = "整改事项不存在或无权操作。"


def can_raise_rectification(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in (Role.COUNTY, Role.LEAGUE) and user.region_id is not None


def is_raising_office(user, item: RectificationItem) -> bool:
    """Staff of the office that raised the item (the county bureau or the league centre): only it closes."""
    return can_raise_rectification(user) and user.region_id == item.raising_region_id


def is_addressed_institution(user, item: RectificationItem) -> bool:
    return user.is_authenticated and user.role == Role.INSTITUTION and user.institution_id == item.institution_id


@dataclass(frozen=True)
class RectificationActions:
    can_submit_evidence: bool
    can_send_back: bool
    can_close: bool
    can_see_source_reference: bool
    must_name_responsible: bool
    is_record_locked: bool


def rectification_actions_for(user, item: RectificationItem) -> RectificationActions:
    """What an item's page offers ``user``; the services enforce the same. A 整改通知书 of a class whose evaluation
    the league approved is part of the locked record (policy §6.8): no step until the league reopens the class."""
    is_record_locked = item.notice_id is not None and item.notice.is_locked()
    is_office = is_raising_office(user, item) and not is_record_locked
    is_institution = is_addressed_institution(user, item)
    return RectificationActions(
        can_submit_evidence=is_institution and not is_record_locked and item.status == Status.OPEN,
        can_send_back=is_office and item.status == Status.SUBMITTED,
        can_close=is_office and item.status in RectificationItem.UNRESOLVED_STATUSES,
        # The bureau's reference may name who reported the problem (巡视巡查, 审计, a complaint): bureaus only.
        can_see_source_reference=user.is_superuser or user.read_role in (Role.COUNTY, Role.LEAGUE),
        must_name_responsible=not item.responsible_name,
        is_record_locked=is_record_locked,
    )


def office_name_of(user: User) -> str:
    """The office a bureau user acts for, as it signs its documents."""
    if user.role == Role.LEAGUE:
        return f"{user.region.name}人力资源和就业服务中心"
    return f"{user.region.name}人力资源和社会保障局"


def _required(value: str, message: str, *, max_length: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(message)
    if len(value) > max_length:
        raise ServiceError(f"内容过长（最多{max_length}字）。")
    return value


def _responsible(name: str, position: str) -> tuple[str, str]:
    try:
        name = clean_person_name(name)
    except IdentifierError as error:
        raise ServiceError(f"责任人：{error}。") from None
    return name, _required(position, "请填写责任人的职务。", max_length=40)


def _event(item: RectificationItem, *, actor: User, action: str, from_status: str, text: str = "", when=None) -> None:
    RectificationItemEvent.objects.create(
        item=item, action=action, from_status=from_status, to_status=item.status, actor=actor, text=text,
        created_at=when or timezone.now(),
    )
    if item.notice_id is None:  # a notice's steps are audited once, by the notice's own service
        audit_state_change(action=AuditEvent.Action.RECTIFICATION, actor=actor, target=item, step=action,
                           from_label=Status(from_status).label if from_status else "", to_label=item.get_status_display(),
                           note=text)


def _lock_item(actor: User, item: RectificationItem) -> RectificationItem:
    """The item under a row lock, reached through the actor's scope (another county's item is not found)."""
    locked = rectification_items_visible_to(actor).select_for_update().filter(pk=item.pk).first()
    if locked is None:
        raise ServiceError(NOT_FOUND)
    return locked


def _check_visible(actor: User, item: RectificationItem) -> None:
    if not rectification_items_visible_to(actor).filter(pk=item.pk).exists():
        raise ServiceError(NOT_FOUND)


def rectification_item_raise(
    *, actor: User, institution: Institution, source: str, problem: str, measures: str, deadline: date,
    responsible_name: str, responsible_position: str, training_class: TrainingClass | None = None,
    source_reference: str = "", found_on: date | None = None,
) -> RectificationItem:
    """County staff (institutions of their county) or league staff (institutions of the league) put a problem on
    the ledger, with the measures, a deadline after today and the responsible person at the institution.

    Refused: other roles, an institution or class outside the actor's scope, a class of another institution, a
    finding dated in the future, and the source 培训班评价整改通知书 — a notice is issued on the class's evaluation
    page (evaluations.services.rectification_issue), numbered, and joins the ledger by itself.

    A class whose evaluation the league approved is allowed here: policy §6.8 locks the class's *evaluation
    record* (附表1, 附表2, its 整改 and 核查), and a later finding about it goes back into that record only by the
    league reopening the class. An audit or an on-site inspection finding an institution-level problem after
    approval is exactly what the ledger is for; its item changes nothing in the locked record."""
    if not can_raise_rectification(actor):
        raise ServiceError("只有旗县市人社部门和盟人力资源和就业服务中心可以登记整改事项。")
    if source == RectificationSource.CLASS_EVALUATION:
        raise ServiceError("培训班评价的整改通知书请在该培训班的绩效评价页面下达，下达后自动列入整改清单。")
    if source not in RectificationSource.values:
        raise ServiceError("请选择问题来源。")
    if not institutions_for_raising(actor).filter(pk=institution.pk).exists():
        raise ServiceError("培训机构不存在或无权操作。")
    if training_class is not None and not classes_visible_to(actor).filter(pk=training_class.pk, institution=institution).exists():
        raise ServiceError("所选培训班不属于该培训机构。")
    problem = _required(problem, "请填写存在的问题。")
    measures = _required(measures, "请填写整改措施。")
    responsible_name, responsible_position = _responsible(responsible_name, responsible_position)
    source_reference = (source_reference or "").strip()
    if len(source_reference) > 200:
        raise ServiceError("来源说明过长（最多200字）。")
    today = timezone.localdate()
    found_on = found_on or today
    if found_on > today:
        raise ServiceError("发现日期不能晚于今天。")
    if deadline <= today:
        raise ServiceError("整改期限须晚于今天。")
    with transaction.atomic():
        item = RectificationItem.objects.create(
            source=source, source_reference=source_reference, institution=institution, training_class=training_class,
            problem=problem, measures=measures, deadline=deadline, responsible_name=responsible_name,
            responsible_position=responsible_position, found_on=found_on, raising_region_id=actor.region_id,
            raising_office=office_name_of(actor), raised_by=actor,
        )
        _event(item, actor=actor, action="登记整改事项", from_status="", text=problem)
    return item


# Policy §8.5/§8.6: an inspection finding that needs rectification is an item with an owner and a deadline.
INSPECTION_RECTIFICATION_DAYS = 30


def rectification_item_follow_inspection(inspection_id: int) -> RectificationItem:
    """Registered with supervision.inspection_hooks: a recorded inspection whose findings need rectification puts
    one item on the ledger, in the recording transaction (called once per new record; idempotent by reference).

    The office that planned the inspection raised it (a third party inspects on its behalf); the deadline is 30
    days after the inspection (at least 30 days from today); the institution names its responsible person when it
    reports, as it does for a 整改通知书."""
    from .models import Inspection

    inspection = Inspection.objects.select_related("training_class__institution", "planned_by__region").get(pk=inspection_id)
    reference = f"现场检查记录 {inspection.pk}（{inspection.inspected_on:%Y-%m-%d}）"
    existing = RectificationItem.objects.filter(source=RectificationSource.ON_SITE_INSPECTION,
                                                training_class=inspection.training_class,
                                                source_reference=reference).first()
    if existing is not None:
        return existing
    planner = inspection.planned_by
    start = max(inspection.inspected_on, timezone.localdate())
    item = RectificationItem.objects.create(
        source=RectificationSource.ON_SITE_INSPECTION, source_reference=reference,
        institution=inspection.training_class.institution, training_class=inspection.training_class,
        problem=(inspection.findings or inspection.rectification_text).strip(),
        measures=inspection.rectification_text.strip(), deadline=start + timedelta(days=INSPECTION_RECTIFICATION_DAYS),
        found_on=inspection.inspected_on, raising_region_id=planner.region_id, raising_office=office_name_of(planner),
        raised_by=planner,
    )
    _event(item, actor=planner, action="现场检查发现问题，列入整改清单", from_status="", text=item.problem)
    return item


def rectification_evidence_submit(
    *, actor: User, item: RectificationItem, text: str, files=(), responsible_name: str = "",
    responsible_position: str = "",
) -> RectificationItem:
    """The institution the item is about reports its rectification (整改情况) with optional attachments (PDF,
    JPG, PNG, checked by content); the item then waits for the raising office (待销号). Also after a send-back,
    with a new report; late reports are accepted (the item shows it is overdue).

    The responsible person may be named or changed with the report, and must be when the item has none yet (a
    整改通知书 does not name one). Refused: anyone but the institution's staff, an item not 整改中, a report
    without text, a file that is not a PDF or image that opens."""
    if not is_addressed_institution(actor, item):
        raise ServiceError("只有整改事项所涉及的培训机构可以报送整改情况。")
    _check_visible(actor, item)
    text = _required(text, "请填写整改情况。", max_length=4000)
    names_person = bool((responsible_name or "").strip() or (responsible_position or "").strip())
    if names_person:
        responsible_name, responsible_position = _responsible(responsible_name, responsible_position)
    elif not item.responsible_name:
        raise ServiceError("请明确整改责任人的姓名和职务。")
    uploads = checked_uploads(files)
    stored = []
    try:
        with transaction.atomic():
            if item.notice_id:
                # The notice's own step (its lock and checks); the hook below moves the item and files the report.
                notice_services.rectification_report_submit(actor=actor, notice=item.notice, report=text)
                locked = RectificationItem.objects.select_for_update().get(pk=item.pk)
                evidence = locked.evidence_submissions.order_by("-submitted_at", "-id").first()
            else:
                locked = _lock_item(actor, item)
                if locked.status != Status.OPEN:
                    raise ServiceError(f"整改事项状态为“{locked.get_status_display()}”，不能报送整改情况。")
                locked.status = Status.SUBMITTED
                locked.save(update_fields=["status", "updated_at"])
                evidence = RectificationEvidence.objects.create(item=locked, text=text, submitted_by=actor)
                _event(locked, actor=actor, action="报送整改情况", from_status=Status.OPEN, text=text)
            if names_person and (responsible_name, responsible_position) != (locked.responsible_name, locked.responsible_position):
                locked.responsible_name, locked.responsible_position = responsible_name, responsible_position
                locked.save(update_fields=["responsible_name", "responsible_position", "updated_at"])
                _event(locked, actor=actor, action="明确责任人", from_status=locked.status,
                       text=f"{responsible_name}（{responsible_position}）")
            for checked in uploads:
                attachment = RectificationAttachment(
                    evidence=evidence, original_name=checked.original_name, content_type=checked.kind, size=checked.size
                )
                attachment.file.save(checked.original_name, checked.upload, save=False)
                stored.append(attachment.file.name)
                attachment.save()
    except Exception:
        # The storage is not transactional: files written for a report that did not commit are removed.
        for name in stored:
            default_storage.delete(name)
        raise
    return locked


def _check_raising_office(actor: User, item: RectificationItem, what: str) -> None:
    if not is_raising_office(actor, item):
        raise ServiceError(f"只有提出该整改事项的{item.raising_office}可以{what}。")


def rectification_item_send_back(*, actor: User, item: RectificationItem, reason: str) -> RectificationItem:
    """The raising office sends the institution's report back with a required reason: 待销号 → 整改中."""
    _check_raising_office(actor, item, "退回")
    _check_visible(actor, item)
    reason = _required(reason, "退回必须填写原因。")
    with transaction.atomic():
        if item.notice_id:
            notice_services.rectification_return(actor=actor, notice=item.notice, reason=reason)
            return RectificationItem.objects.get(pk=item.pk)
        locked = _lock_item(actor, item)
        if locked.status != Status.SUBMITTED:
            raise ServiceError(f"整改事项状态为“{locked.get_status_display()}”，只有待销号的可以退回。")
        locked.status = Status.OPEN
        locked.return_reason = reason
        locked.save(update_fields=["status", "return_reason", "updated_at"])
        _event(locked, actor=actor, action="退回整改情况", from_status=Status.SUBMITTED, text=reason)
    return locked


def rectification_item_close(*, actor: User, item: RectificationItem, note: str) -> RectificationItem:
    """The raising office closes the item (销号) with what it verified, after the institution's report or on its
    own findings (an inspection on site): 整改中 or 待销号 → 已整改. Refused to everyone else and when closed."""
    _check_raising_office(actor, item, "销号")
    _check_visible(actor, item)
    note = _required(note, "请填写销号意见（整改情况及核实佐证）。")
    with transaction.atomic():
        if item.notice_id:
            notice_services.rectification_close(actor=actor, notice=item.notice, evidence=note)
            return RectificationItem.objects.get(pk=item.pk)
        locked = _lock_item(actor, item)
        if locked.status not in RectificationItem.UNRESOLVED_STATUSES:
            raise ServiceError("该整改事项已销号。")
        from_status = locked.status
        locked.status = Status.CLOSED
        locked.closing_note = note
        locked.closed_by = actor
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closing_note", "closed_by", "closed_at", "updated_at"])
        _event(locked, actor=actor, action="销号", from_status=from_status, text=note)
    return locked


# The 整改通知书 as a source -------------------------------------------------------------------------------


def _item_from_notice(notice: RectificationNotice) -> RectificationItem:
    return RectificationItem.objects.create(
        source=RectificationSource.CLASS_EVALUATION,
        notice=notice,
        institution_id=notice.training_class.institution_id,
        training_class_id=notice.training_class_id,
        problem=notice.problems or "见整改通知书",
        measures=notice.requirements,
        deadline=notice.deadline,
        found_on=notice.issued_on,
        raising_region_id=notice.county_id,
        raising_office=notice.issuing_office,
        raised_by_id=notice.issued_by_id,
        raised_at=notice.issued_at,
        status=notice.status,
    )


def rectification_item_follow_notice(event: RectificationEvent) -> None:
    """Hook of evaluations (registered in SupervisionConfig.ready), called inside every notice step's transaction
    after the notice's row lock: issuing creates the item; reporting files the report as evidence; a send-back
    keeps the reason; closing keeps the county's evidence and who closed it. The item takes the notice's status,
    and its history the notice's event."""
    notice = event.notice
    item = RectificationItem.objects.select_for_update().filter(notice_id=notice.pk).first()
    if item is None:
        item = _item_from_notice(notice)
    else:
        item.status = notice.status
        if event.to_status == Status.SUBMITTED:
            RectificationEvidence.objects.create(item=item, text=event.text, submitted_by=event.actor, submitted_at=event.created_at)
        elif event.from_status == Status.SUBMITTED and event.to_status == Status.OPEN:
            item.return_reason = notice.return_reason
        elif event.to_status == Status.CLOSED:
            item.closing_note, item.closed_by_id, item.closed_at = notice.evidence, notice.closed_by_id, notice.closed_at
        item.save()
    _event(item, actor=event.actor, action=event.action, from_status=event.from_status, text=event.text, when=event.created_at)
