"""The class-opening review (开班审核, policy §8.2, S2 三) and change requests after it (备案变更): one service per
transition. Each checks the actor's role and scope and the current state, locks the row, writes the new state with
an OpeningEvent (who, when, from, to, why), and refuses anything else with a Chinese message.

- The institution attaches its documents, then submits the class (roster, teachers and documents as they stand);
  a returned class is fixed and submitted again (a new round).
- The county decides on each trainee whose checks fail (accept with a reason, or exclude from the subsidy), then
  approves, or returns the class with a reason the institution sees at once.
- After approval the registered fields and the roster change only by a change request the county approves.
"""

import hashlib
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from accounts.audit import audit_state_change
from accounts.models import AuditEvent, Role, User
from classes import services as class_services
from classes.models import MAX_REGISTERED_HEADCOUNT, Enrollment, Institution, Occupation, TrainingClass
from classes.roster_file import RowError
from classes.selectors import classes_visible_to
from xingan_training.errors import ServiceError

from . import opening_files
from .models import CHANGEABLE_FIELDS, ChangeRequest, OpeningDocument, OpeningEvent, OpeningReview, OpeningTraineeDecision
from .opening_selectors import (
    change_requests_visible_to,
    opening_checks,
    opening_reviews_visible_to,
    registered_values_of,
    submission_problems,
    trainee_checks,
)

Status = OpeningReview.Status
MAX_DOCUMENTS_PER_CLASS = 20


class RosterRowsError(ServiceError):
    """A roster file attached to a change request has bad rows; ``errors`` lists them."""

    def __init__(self, errors: list[RowError]):
        super().__init__("增加学员的名册有错误，未提交申请。")
        self.errors = errors


# Who may do what (the services check the same) -----------------------------------------------------------


def _is_owner(user, training_class: TrainingClass) -> bool:
    return (
        user.is_authenticated and user.is_active and user.role == Role.INSTITUTION
        and user.institution_id is not None and user.institution_id == training_class.institution_id
    )


def _review_of(training_class: TrainingClass) -> OpeningReview | None:
    return OpeningReview.objects.filter(training_class=training_class).first()


def can_prepare_opening(user, training_class: TrainingClass, review: OpeningReview | None) -> bool:
    """The owner institution prepares (documents) and submits while the class is 筹备中 and not submitted or returned."""
    return (
        _is_owner(user, training_class) and training_class.status == TrainingClass.Status.DRAFT
        and (review is None or review.status == Status.RETURNED)
    )


def can_review_opening(user, training_class: TrainingClass, review: OpeningReview | None) -> bool:
    """County staff of the class's county decide a submitted class."""
    return (
        user.is_authenticated and user.is_active and user.role == Role.COUNTY
        and user.region_id == training_class.institution.county_id
        and review is not None and review.status == Status.SUBMITTED
    )


def can_request_change(user, training_class: TrainingClass, review: OpeningReview | None) -> bool:
    return (
        _is_owner(user, training_class) and review is not None and review.status == Status.APPROVED
        and training_class.status in (TrainingClass.Status.DRAFT, TrainingClass.Status.IN_TRAINING)
    )


def can_decide_change(user, change_request: ChangeRequest) -> bool:
    return (
        user.is_authenticated and user.is_active and user.role == Role.COUNTY
        and user.region_id == change_request.training_class.institution.county_id
        and change_request.status == ChangeRequest.Status.PENDING
    )


# Internals ----------------------------------------------------------------------------------------------


def _require_institution(actor: User, message: str) -> None:
    if actor.role != Role.INSTITUTION or actor.institution_id is None:
        raise ServiceError(message)


def _require_county(actor: User, message: str) -> None:
    if actor.role != Role.COUNTY or actor.region_id is None:
        raise ServiceError(message)


def _lock_own_class(actor: User, training_class: TrainingClass) -> TrainingClass:
    locked = (
        classes_visible_to(actor).select_for_update().select_related("institution__county", "occupation")
        .filter(pk=training_class.pk).first()
    )
    if locked is None or locked.institution_id != actor.institution_id:
        raise ServiceError("培训班不存在或无权操作。")
    return locked


def _lock_review(actor: User, training_class: TrainingClass) -> OpeningReview:
    """The class's opening review under a row lock, through the actor's scope."""
    review = (
        opening_reviews_visible_to(actor).select_for_update()
        .select_related("training_class__institution__county", "training_class__occupation")
        .filter(training_class_id=training_class.pk).first()
    )
    if review is None:
        if classes_visible_to(actor).filter(pk=training_class.pk).exists():
            raise ServiceError("该培训班尚未提交开班审核。")
        raise ServiceError("培训班不存在或无权操作。")
    return review


def _event(review: OpeningReview, *, actor: User, action: str, from_status: str, to_status: str, reason: str = "",
           change_request: ChangeRequest | None = None) -> None:
    OpeningEvent.objects.create(
        review=review, change_request=change_request, action=action, from_status=from_status, to_status=to_status,
        actor=actor, reason=reason,
    )
    labels = dict((ChangeRequest.Status if change_request else Status).choices)
    audit_state_change(action=AuditEvent.Action.OPENING_REVIEW, actor=actor, target=change_request or review.training_class,
                       step=action, from_label=labels.get(from_status, ""), to_label=labels[to_status], note=reason)


def _check_preparing(training_class: TrainingClass, review: OpeningReview | None) -> None:
    if training_class.status != TrainingClass.Status.DRAFT:
        raise ServiceError(f"培训班状态为“{training_class.get_status_display()}”，不能再办理开班审核。")
    if review is not None and review.status == Status.SUBMITTED:
        raise ServiceError("开班审核进行中，材料暂不能修改；审核退回后可以修改。")
    if review is not None and review.status == Status.APPROVED:
        raise ServiceError("该培训班已核准开班，材料不能再修改。")


def _reason(text: str, message: str, *, max_length: int = 1000) -> str:
    text = (text or "").strip()
    if not text:
        raise ServiceError(message)
    if len(text) > max_length:
        raise ServiceError(f"说明不能超过{max_length}字。")
    return text


# Documents ----------------------------------------------------------------------------------------------


def opening_document_upload(*, actor: User, training_class: TrainingClass, kind: str, file_name: str,
                            data: bytes) -> OpeningDocument:
    """The owner institution attaches a document while it prepares the class. Refused for a file whose content is
    not PDF, Word, Excel, JPG or PNG, or does not agree with its extension, for a file over the size limit, past
    MAX_DOCUMENTS_PER_CLASS, and once the class is submitted, approved or started. The file goes to the default
    storage under a generated path; nothing of the uploader's name reaches the file system."""
    _require_institution(actor, "只有培训机构人员可以上传开班审核材料。")
    if kind not in OpeningDocument.Kind.values:
        raise ServiceError("请选择材料类型。")
    try:
        document_type = opening_files.document_type_of(data, file_name, max_bytes=settings.OPENING_DOCUMENT_MAX_BYTES)
    except opening_files.DocumentError as error:
        raise ServiceError(str(error)) from None
    with transaction.atomic():
        locked = _lock_own_class(actor, training_class)
        _check_preparing(locked, _review_of(locked))
        if locked.opening_documents.count() >= MAX_DOCUMENTS_PER_CLASS:
            raise ServiceError(f"每个培训班最多上传 {MAX_DOCUMENTS_PER_CLASS} 份材料，请删除不需要的材料后再上传。")
        document = OpeningDocument(
            training_class=locked, kind=kind, file_type=document_type.code,
            original_name=opening_files.clean_file_name(file_name), size=len(data),
            sha256=hashlib.sha256(data).hexdigest(), uploaded_by=actor,
        )
        document.file.save("upload", ContentFile(data), save=False)
        try:
            document.save()
        except DatabaseError:
            # The row was not written: its file must not stay behind in the storage.
            document.file.delete(save=False)
            raise
    return document


def opening_document_delete(*, actor: User, document: OpeningDocument) -> None:
    """The owner institution removes a document while it prepares the class (not once submitted or approved)."""
    _require_institution(actor, "只有培训机构人员可以删除开班审核材料。")
    with transaction.atomic():
        locked = _lock_own_class(actor, document.training_class)
        _check_preparing(locked, _review_of(locked))
        stored = OpeningDocument.objects.filter(pk=document.pk, training_class=locked).first()
        if stored is None:
            raise ServiceError("材料不存在或已删除。")
        stored.delete()
        transaction.on_commit(lambda: stored.file.delete(save=False))


# Submission and decision --------------------------------------------------------------------------------


def opening_submit(*, actor: User, training_class: TrainingClass, note: str = "") -> OpeningReview:
    """The owner institution submits its class for opening review (未提交/退回 → 待开班审核) with its roster,
    teachers and documents as they stand. Refused to an institution that is not listed in the subsidised
    catalogue (suspended, removed, black-listed), and while the class lacks what the review needs (roster within
    the registered headcount, confirmed pool teachers of the occupation, teaching and assessment plans, an
    occupation within the licence)."""
    _require_institution(actor, "只有培训机构人员可以提交开班审核。")
    note = (note or "").strip()
    if len(note) > 1000:
        raise ServiceError("说明不能超过1000字。")
    with transaction.atomic():
        locked = _lock_own_class(actor, training_class)
        if locked.institution.catalogue_status != Institution.CatalogueStatus.LISTED:
            raise ServiceError(
                f"本机构目录状态为“{locked.institution.get_catalogue_status_display()}”，不能提交开班审核。"
            )
        review = OpeningReview.objects.select_for_update().filter(training_class=locked).first()
        _check_preparing(locked, review)
        problems = submission_problems(locked)
        if problems:
            raise ServiceError("还不能提交：" + "；".join(problems) + "。")
        from_status = review.status if review else ""
        if review is None:
            review = OpeningReview(training_class=locked, round=1)
        else:
            review.round += 1
        review.status = Status.SUBMITTED
        review.note = note
        review.submitted_by = actor
        review.submitted_at = timezone.now()
        review.save()
        _event(review, actor=actor, action="提交开班审核" if review.round == 1 else "修改后重新提交",
               from_status=from_status, to_status=Status.SUBMITTED, reason=note)
    return review


def opening_trainee_decide(*, actor: User, training_class: TrainingClass, enrollment: Enrollment, decision: str,
                           reason: str) -> OpeningTraineeDecision:
    """County staff decide on one trainee whose checks fail, in the current round: accept with a reason (for an
    overlap, the override §8.2 asks for) or exclude from the subsidy. A second decision in the round replaces the
    first (the history keeps both). Refused while the class is not 待开班审核, for a trainee whose checks all pass,
    and without a reason."""
    _require_county(actor, "只有旗县市人社部门可以审核学员。")
    if decision not in OpeningTraineeDecision.Decision.values:
        raise ServiceError("请选择审核意见。")
    reason = _reason(reason, "请填写理由。", max_length=500)
    with transaction.atomic():
        review = _lock_review(actor, training_class)
        if review.status != Status.SUBMITTED:
            raise ServiceError(f"开班审核状态为“{review.get_status_display()}”，不能再审核学员。")
        locked_class = review.training_class
        own = locked_class.enrollments.select_related("trainee__category").filter(pk=enrollment.pk).first()
        if own is None:
            raise ServiceError("该学员不在本班花名册中。")
        check = trainee_checks(locked_class, [own])[0]
        if not check.needs_decision:
            raise ServiceError("该学员各项核查均已通过，无需审核意见。")
        existing = OpeningTraineeDecision.objects.select_for_update().filter(
            review=review, enrollment=own, round=review.round
        ).first()
        record = existing or OpeningTraineeDecision(review=review, enrollment=own, round=review.round)
        record.decision = decision
        record.reason = reason
        record.evidence = "；".join(check.problems())
        record.decided_by = actor
        record.decided_at = timezone.now()
        record._history_user = actor
        record.save()
        audit_state_change(action=AuditEvent.Action.OPENING_REVIEW, actor=actor, target=own,
                           step=f"学员审核意见：{record.get_decision_display()}", note=reason)
    return record


def opening_approve(*, actor: User, training_class: TrainingClass) -> OpeningReview:
    """County staff of the class's county approve the opening (待开班审核 → 已核准开班), recording who and when
    and the registered values. Refused unless every blocking class check passes and every trainee whose checks
    fail has the county's decision in this round. Trainees decided 不予纳入补贴 lose the class's subsidy."""
    _require_county(actor, "只有旗县市人社部门可以审核开班。")
    with transaction.atomic():
        review = _lock_review(actor, training_class)
        if review.status != Status.SUBMITTED:
            raise ServiceError(f"开班审核状态为“{review.get_status_display()}”，只有待开班审核的培训班可以核准。")
        locked_class = review.training_class
        checks = opening_checks(locked_class, review=review)
        if checks.class_blockers:
            raise ServiceError("不能核准：" + "；".join(f"{check.label}（{check.evidence}）" for check in checks.class_blockers)
                               + "。请退回机构修改。")
        if checks.undecided:
            names = "、".join(check.enrollment.roster_name for check in checks.undecided[:10])
            raise ServiceError(f"还有 {len(checks.undecided)} 名学员核查未通过且未给出审核意见（{names}），"
                               "请逐一认可（说明理由）或不予纳入补贴，或退回机构修改。")
        excluded = [check.decision for check in checks.needing_decision
                    if check.decision.decision == OpeningTraineeDecision.Decision.EXCLUDE]
        for decision in excluded:
            class_services.enrollment_exclude_from_subsidy(
                actor=actor, enrollment=decision.enrollment, reason=f"开班审核不予纳入补贴：{decision.reason}"
            )
        review.status = Status.APPROVED
        review.decided_by = actor
        review.decided_at = timezone.now()
        review.return_reason = ""
        review.registered_values = registered_values_of(locked_class)
        review.save()
        accepted = len(checks.needing_decision) - len(excluded)
        summary = f"花名册 {len(checks.trainees)} 人；核查未通过 {len(checks.needing_decision)} 人，认可 {accepted} 人，不予纳入补贴 {len(excluded)} 人"
        _event(review, actor=actor, action="核准开班", from_status=Status.SUBMITTED, to_status=Status.APPROVED, reason=summary)
    return review


def opening_return(*, actor: User, training_class: TrainingClass, reason: str) -> OpeningReview:
    """County staff return a submitted class with a reason (待开班审核 → 开班审核退回); the institution sees the
    reason at once and may fix the class and submit again."""
    _require_county(actor, "只有旗县市人社部门可以退回开班审核。")
    reason = _reason(reason, "退回必须填写原因。")
    with transaction.atomic():
        review = _lock_review(actor, training_class)
        if review.status != Status.SUBMITTED:
            raise ServiceError(f"开班审核状态为“{review.get_status_display()}”，只有待开班审核的培训班可以退回。")
        review.status = Status.RETURNED
        review.return_reason = reason
        review.decided_by = actor
        review.decided_at = timezone.now()
        review.save()
        _event(review, actor=actor, action="退回开班审核", from_status=Status.SUBMITTED, to_status=Status.RETURNED, reason=reason)
    return review


# Change requests ----------------------------------------------------------------------------------------


def _shown(value) -> str:
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _stored(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Occupation):
        return value.pk
    return value


def _field_changes(training_class: TrainingClass, changes: dict) -> dict:
    unknown = set(changes) - set(CHANGEABLE_FIELDS)
    if unknown:
        raise ServiceError("只能变更培训日期、职业（工种）、备案人数、培训地点和课时。")
    result = {}
    for name, label in CHANGEABLE_FIELDS.items():
        if name not in changes or changes[name] in (None, ""):
            continue
        new, old = changes[name], getattr(training_class, name)
        if isinstance(new, str):
            new = new.strip()
        if new == old:
            continue
        result[name] = {"label": label, "old": _shown(old), "new": _shown(new), "value": _stored(new)}
    return result


def _check_field_values(training_class: TrainingClass, changes: dict) -> None:
    start = changes.get("start_date", training_class.start_date)
    end = changes.get("end_date", training_class.end_date)
    if end < start:
        raise ServiceError("培训结束日期不能早于开始日期。")
    occupation = changes.get("occupation")
    if occupation is not None:
        if not occupation.is_active or not training_class.institution.licensed_occupations.filter(pk=occupation.pk).exists():
            raise ServiceError(f"“{occupation}”不在本机构的办学许可范围内。")
    headcount = changes.get("registered_headcount")
    if headcount is not None and not 1 <= headcount <= MAX_REGISTERED_HEADCOUNT:
        raise ServiceError(f"备案人数应为1至{MAX_REGISTERED_HEADCOUNT}人。")
    hours = changes.get("class_hours")
    if hours is not None and hours < 1:
        raise ServiceError("培训课时至少为1。")
    location = changes.get("location")
    if location is not None and (not location.strip() or len(location) > 200):
        raise ServiceError("培训地点不能为空，最多200字。")


def change_request_submit(
    *, actor: User, training_class: TrainingClass, reason: str, changes: dict | None = None,
    roster_file_name: str = "", roster_data: bytes | None = None, removed_enrollments=(),
) -> ChangeRequest:
    """The owner institution asks to change an approved class's registered fields or roster (备案变更). Refused
    before approval (the class is then edited directly), for a finished class, while another request waits, for a
    request that changes nothing, without a reason, and for values the class could not take (dates out of order,
    an occupation outside the licence, a roster above the headcount, a roster file with bad rows)."""
    _require_institution(actor, "只有培训机构人员可以申请备案变更。")
    reason = _reason(reason, "请填写变更理由。")
    changes = dict(changes or {})
    with transaction.atomic():
        locked = _lock_own_class(actor, training_class)
        review = OpeningReview.objects.filter(training_class=locked).first()
        if review is None or review.status != Status.APPROVED:
            raise ServiceError("只有已核准开班的培训班需要申请备案变更；未核准的培训班请直接修改。")
        if locked.status not in (TrainingClass.Status.DRAFT, TrainingClass.Status.IN_TRAINING):
            raise ServiceError(f"培训班状态为“{locked.get_status_display()}”，不能再变更。")
        if ChangeRequest.objects.filter(training_class=locked, status=ChangeRequest.Status.PENDING).exists():
            raise ServiceError("该培训班已有待审核的备案变更申请，请等待旗县市人社部门审核后再申请。")
        _check_field_values(locked, changes)
        field_changes = _field_changes(locked, changes)
        removal_ids = {enrollment.pk for enrollment in removed_enrollments}
        removals = list(locked.enrollments.select_related("trainee").filter(pk__in=removal_ids).order_by("id"))
        if len(removals) != len(removal_ids):
            raise ServiceError("要移出的学员不在本班花名册中。")
        additions = 0
        if roster_data:
            check = class_services.roster_file_check(training_class=locked, data=roster_data)
            # The headcount is judged below against the requested headcount, not the current one.
            row_errors = [error for error in check.errors if error.row_number]
            if row_errors:
                raise RosterRowsError(row_errors)
            additions = check.row_count
        if not field_changes and not removals and not additions:
            raise ServiceError("申请中没有任何变更。")
        headcount = changes.get("registered_headcount") or locked.registered_headcount
        roster_size = locked.enrollments.count() - len(removals) + additions
        if roster_size > headcount:
            raise ServiceError(f"变更后花名册为 {roster_size} 人，超过备案人数 {headcount} 人。")
        try:
            change_request = ChangeRequest.objects.create(
                training_class=locked, field_changes=field_changes,
                roster_removals=[{"enrollment": item.pk, "name": item.roster_name, "id_number": item.trainee.masked_id_number}
                                 for item in removals],
                roster_file_name=opening_files.clean_file_name(roster_file_name) if roster_data else "",
                roster_content=roster_data or b"", roster_additions=additions, reason=reason, submitted_by=actor,
            )
        except IntegrityError:
            raise ServiceError("该培训班已有待审核的备案变更申请，请等待旗县市人社部门审核后再申请。") from None
        _event(review, actor=actor, action="申请备案变更", from_status="", to_status=ChangeRequest.Status.PENDING,
               reason=reason, change_request=change_request)
    return change_request


def _lock_change_request(actor: User, change_request: ChangeRequest) -> ChangeRequest:
    locked = (
        change_requests_visible_to(actor).select_for_update()
        .select_related("training_class__institution__county").filter(pk=change_request.pk).first()
    )
    if locked is None:
        raise ServiceError("备案变更申请不存在或无权操作。")
    if locked.status != ChangeRequest.Status.PENDING:
        raise ServiceError(f"该申请状态为“{locked.get_status_display()}”，不能再审核。")
    return locked


def change_request_approve(*, actor: User, change_request: ChangeRequest, request=None) -> ChangeRequest:
    """County staff of the class's county approve a change request: the class takes the new values and roster at
    once, in the same transaction (classes.services.training_class_change_apply checks them again)."""
    _require_county(actor, "只有旗县市人社部门可以审核备案变更。")
    with transaction.atomic():
        locked = _lock_change_request(actor, change_request)
        values = {}
        for name, change in locked.field_changes.items():
            value = change["value"]
            if name in ("start_date", "end_date"):
                value = date.fromisoformat(value)
            elif name == "occupation":
                value = Occupation.objects.filter(pk=value).first()
                if value is None:
                    raise ServiceError("申请的职业（工种）已不存在。")
            values[name] = value
        class_services.training_class_change_apply(
            actor=actor, training_class=locked.training_class, fields=values,
            roster_data=bytes(locked.roster_content) or None,
            removed_enrollment_ids=[item["enrollment"] for item in locked.roster_removals], request=request,
        )
        locked.status = ChangeRequest.Status.APPROVED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.roster_content = b""
        locked.save(update_fields=["status", "decided_by", "decided_at", "roster_content"])
        _event(locked.training_class.opening_review, actor=actor, action="核准备案变更",
               from_status=ChangeRequest.Status.PENDING, to_status=ChangeRequest.Status.APPROVED, change_request=locked)
    return locked


def change_request_refuse(*, actor: User, change_request: ChangeRequest, reason: str) -> ChangeRequest:
    """County staff refuse a change request with a reason; the class keeps its registered values."""
    _require_county(actor, "只有旗县市人社部门可以审核备案变更。")
    reason = _reason(reason, "不予核准必须填写原因。")
    with transaction.atomic():
        locked = _lock_change_request(actor, change_request)
        locked.status = ChangeRequest.Status.REFUSED
        locked.refusal_reason = reason
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.roster_content = b""
        locked.save(update_fields=["status", "refusal_reason", "decided_by", "decided_at", "roster_content"])
        _event(locked.training_class.opening_review, actor=actor, action="不予核准备案变更",
               from_status=ChangeRequest.Status.PENDING, to_status=ChangeRequest.Status.REFUSED, reason=reason,
               change_request=locked)
    return locked
