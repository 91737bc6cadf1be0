"""Every write of the training domain that matters. Views call these; nothing else sets ``status``."""

import hashlib
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.audit import audit_event_record, audit_state_change
from accounts.models import AuditEvent, Role, User
from xingan_training.locking import LockedRecordError
from xingan_training.errors import ServiceError
from xingan_training.personal_data import id_number_digests

from . import hooks, roster_file
from .models import MAX_REGISTERED_HEADCOUNT, Enrollment, Institution, RosterImport, Trainee, TraineeCategory, TrainingClass
from .selectors import classes_visible_to

CLASS_FIELDS = (
    "batch_number",
    "occupation",
    "category",
    "start_date",
    "end_date",
    "assessment_end_date",
    "registered_headcount",
    "class_hours",
    "location",
)
ROSTER_EDITABLE_STATUSES = (TrainingClass.Status.DRAFT, TrainingClass.Status.IN_TRAINING)


def _require_institution_staff(actor: User) -> Institution:
    if actor.role != Role.INSTITUTION or actor.institution is None:
        raise ServiceError("只有培训机构人员可以办理此事项。")
    return actor.institution


def _lock_own_class(actor: User, training_class: TrainingClass) -> TrainingClass:
    """Re-reads the class under a row lock, through the actor's scope, and checks it is the actor's own."""
    institution = _require_institution_staff(actor)
    locked = classes_visible_to(actor).select_for_update().filter(pk=training_class.pk).first()
    if locked is None or locked.institution_id != institution.pk:
        raise ServiceError("培训班不存在或无权操作。")
    if locked.is_locked():
        raise LockedRecordError()
    return locked


def _check_registered_change_allowed(training_class: TrainingClass) -> None:
    """The class-opening review (policy §8.2) may hold the class's registered fields and roster: while the county
    reviews a submission, and after approval (then changes go through its change requests)."""
    refusal = hooks.registered_change_refusal(training_class.pk)
    if refusal:
        raise ServiceError(refusal)


def _lock_county_class(actor: User, training_class: TrainingClass) -> TrainingClass:
    """Re-reads the class under a row lock for county staff whose county it belongs to."""
    if actor.role != Role.COUNTY:
        raise ServiceError("只有旗县市人社部门可以办理此事项。")
    locked = classes_visible_to(actor).select_for_update().filter(pk=training_class.pk).first()
    if locked is None:
        raise ServiceError("培训班不存在或无权操作。")
    if locked.is_locked():
        raise LockedRecordError()
    return locked


def _check_occupation_licensed(institution: Institution, occupation) -> None:
    # S2 三: the occupation must be within the institution's licensed scope (行政许可办学范围).
    if not institution.licensed_occupations.filter(pk=occupation.pk).exists():
        raise ServiceError(f"“{occupation}”不在本机构的办学许可范围内。")


def _check_headcount(fields: dict) -> None:
    # The form says so too; a caller without the form must not meet the database constraint, whose
    # IntegrityError would read as a duplicate batch number below.
    headcount = fields.get("registered_headcount")
    if headcount is not None and not 1 <= headcount <= MAX_REGISTERED_HEADCOUNT:
        raise ServiceError(f"备案人数应为1至{MAX_REGISTERED_HEADCOUNT}人：一个培训班是一个教学班，人数更多请分班备案。")


def training_class_create(*, actor: User, **fields) -> TrainingClass:
    """Institution staff open a class of their own institution, in status 筹备中."""
    institution = _require_institution_staff(actor)
    if institution.catalogue_status != Institution.CatalogueStatus.LISTED:
        raise ServiceError("本机构当前不在补贴性培训机构目录内，不能新建培训班。")
    _check_occupation_licensed(institution, fields["occupation"])
    _check_headcount(fields)
    values = {name: fields[name] for name in CLASS_FIELDS if name in fields}
    try:
        with transaction.atomic():
            training_class = TrainingClass.objects.create(
                institution=institution, created_by=actor, status=TrainingClass.Status.DRAFT, **values
            )
    except IntegrityError:
        raise ServiceError("班期编号已存在，请更换。") from None
    return training_class


def training_class_update(*, actor: User, training_class: TrainingClass, **fields) -> TrainingClass:
    """Institution staff edit their class while it is being prepared or trained; a finished class is fixed."""
    with transaction.atomic():
        locked = _lock_own_class(actor, training_class)
        if locked.status not in ROSTER_EDITABLE_STATUSES:
            raise ServiceError(f"培训班状态为“{locked.get_status_display()}”，不能修改。")
        _check_registered_change_allowed(locked)
        if "occupation" in fields:
            _check_occupation_licensed(locked.institution, fields["occupation"])
        _check_headcount(fields)
        for name in CLASS_FIELDS:
            if name in fields:
                setattr(locked, name, fields[name])
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            raise ServiceError("班期编号已存在，请更换。") from None
        hooks.notify_class_changed(locked.pk, hooks.ClassChange.CLASS_UPDATED)
    return locked


def training_class_start(*, actor: User, training_class: TrainingClass) -> TrainingClass:
    """筹备中 → 培训中. Refused without a roster, for an institution that left the subsidised catalogue (policy §8.7:
    a black-listed institution cannot open classes), and unless the opening review lets the class start (policy
    §8.2: only classes the county approved for opening start)."""
    with transaction.atomic():
        locked = _lock_own_class(actor, training_class)
        if locked.status != TrainingClass.Status.DRAFT:
            raise ServiceError(f"只有“筹备中”的培训班可以开班，当前为“{locked.get_status_display()}”。")
        if Institution.objects.get(pk=locked.institution_id).catalogue_status != Institution.CatalogueStatus.LISTED:
            raise ServiceError("本机构当前不在补贴性培训机构目录内，不能开班。")
        refusal = hooks.start_refusal(locked.pk)
        if refusal:
            raise ServiceError(refusal)
        if not locked.enrollments.exists():
            raise ServiceError("花名册为空，请先导入学员名册。")
        locked.status = TrainingClass.Status.IN_TRAINING
        locked.save(update_fields=["status", "updated_at"])
        audit_state_change(action=AuditEvent.Action.CLASS_STATUS, actor=actor, target=locked, step="开班",
                           from_label=TrainingClass.Status.DRAFT.label, to_label=locked.get_status_display())
    return locked


def training_class_finish(*, actor: User, training_class: TrainingClass, assessment_end_date: date) -> TrainingClass:
    """培训中 → 已结业, recording the assessment end date that starts the follow-up month (policy §5)."""
    with transaction.atomic():
        locked = _lock_own_class(actor, training_class)
        if locked.status != TrainingClass.Status.IN_TRAINING:
            raise ServiceError(f"只有“培训中”的培训班可以结业，当前为“{locked.get_status_display()}”。")
        if assessment_end_date < locked.end_date:
            raise ServiceError("培训鉴定结束日期不能早于培训结束日期。")
        if assessment_end_date > timezone.localdate():
            raise ServiceError("培训鉴定结束日期不能晚于今天。")
        locked.status = TrainingClass.Status.FINISHED
        locked.assessment_end_date = assessment_end_date
        locked.save(update_fields=["status", "assessment_end_date", "updated_at"])
        locked.enrollments.filter(completion=Enrollment.Completion.ENROLLED).update(
            completion=Enrollment.Completion.COMPLETED
        )
        audit_state_change(action=AuditEvent.Action.CLASS_STATUS, actor=actor, target=locked, step="结业",
                           from_label=TrainingClass.Status.IN_TRAINING.label, to_label=locked.get_status_display(),
                           note=f"鉴定结束日期 {assessment_end_date:%Y-%m-%d}")
        # Policy §5: the follow-up month starts now; the follow-up app queues its draw after commit.
        hooks.notify_class_finished(locked.pk)
    return locked


def _check_roster(training_class: TrainingClass, data: bytes) -> roster_file.RosterCheck:
    records = roster_file.read_rows(data, max_rows=settings.ROSTER_MAX_ROWS)
    id_numbers = {str(raw["id_number"]).strip().upper() for _row, raw in records if raw["id_number"] is not None}
    enrolled = set(
        training_class.enrollments.filter(trainee__id_number_digest__in=id_number_digests(id_numbers)).values_list("trainee__id_number", flat=True)
    )
    categories = dict(TraineeCategory.objects.values_list("name", "id"))
    check = roster_file.check_rows(
        records,
        category_ids_by_name=categories,
        enrolled_id_numbers=enrolled,
        today=timezone.localdate(),
    )
    enrolled_total = training_class.enrollments.count()
    if check.is_valid and enrolled_total + len(check.rows) > training_class.registered_headcount:
        # S2 三: no head-count padding beyond the registered number (备案人数).
        check.errors.append(
            roster_file.RowError(
                0,
                "",
                f"导入后花名册为 {enrolled_total + len(check.rows)} 人，超过备案人数 {training_class.registered_headcount} 人",
            )
        )
    return check


def roster_import_preview(*, actor: User, training_class: TrainingClass, file_name: str, data: bytes) -> RosterImport:
    """Checks an uploaded roster and records it for confirmation. Writes no trainee and no enrollment.

    Refuses a file that is not a safe, bounded .xlsx (ServiceError, nothing stored). A file with bad rows is
    stored as REJECTED with its per-row errors and without its content.
    """
    with transaction.atomic():
        locked = _lock_own_class(actor, training_class)
        if locked.status not in ROSTER_EDITABLE_STATUSES:
            raise ServiceError(f"培训班状态为“{locked.get_status_display()}”，不能修改花名册。")
        _check_registered_change_allowed(locked)
    try:
        roster_file.check_container(data, max_bytes=settings.ROSTER_UPLOAD_MAX_BYTES)
        check = _check_roster(locked, data)
    except roster_file.RosterFileError as error:
        raise ServiceError(str(error)) from None
    return RosterImport.objects.create(
        training_class=locked,
        uploaded_by=actor,
        file_name=file_name[:200],
        file_sha256=hashlib.sha256(data).hexdigest(),
        content=data if check.is_valid else b"",
        status=RosterImport.Status.PREVIEWED if check.is_valid else RosterImport.Status.REJECTED,
        row_count=check.row_count,
        errors=[error.as_dict() for error in check.errors],
    )


def roster_import_preview_rows(roster_import: RosterImport) -> list[roster_file.RosterRow]:
    """The checked rows of a pending import, for the preview page (masked there)."""
    if roster_import.status != RosterImport.Status.PREVIEWED:
        return []
    return _check_roster(roster_import.training_class, bytes(roster_import.content)).rows


def roster_import_confirm(*, actor: User, roster_import: RosterImport, request=None) -> RosterImport:
    """Writes a previewed roster: every row or none.

    The file is checked again inside the transaction, because the roster may have changed since the
    preview. Refused when the import is not pending, or the class is not the actor's own or is closed.
    """
    try:
        with transaction.atomic():
            locked_class = _lock_own_class(actor, roster_import.training_class)
            pending = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
            if pending.status != RosterImport.Status.PREVIEWED:
                raise ServiceError(f"该导入状态为“{pending.get_status_display()}”，不能再次确认。")
            if locked_class.status not in ROSTER_EDITABLE_STATUSES:
                raise ServiceError(f"培训班状态为“{locked_class.get_status_display()}”，不能修改花名册。")
            _check_registered_change_allowed(locked_class)
            check = _check_roster(locked_class, bytes(pending.content))
            if not check.is_valid:
                pending.status = RosterImport.Status.REJECTED
                pending.errors = [error.as_dict() for error in check.errors]
                pending.content = b""
                pending.save(update_fields=["status", "errors", "content"])
                return pending
            _write_roster(actor, locked_class, pending, check.rows)
            pending.status = RosterImport.Status.CONFIRMED
            pending.content = b""
            pending.confirmed_at = timezone.now()
            pending.save(update_fields=["status", "content", "confirmed_at"])
            audit_event_record(
                action=AuditEvent.Action.IMPORT_ROSTER,
                request=request,
                actor=actor,
                target=locked_class,
                detail=f"导入 {len(check.rows)} 名学员",
            )
            hooks.notify_class_changed(locked_class.pk, hooks.ClassChange.ROSTER_IMPORTED)
    except IntegrityError:
        # Another import wrote one of these people at the same moment; ours rolled back whole.
        raise ServiceError("名册在导入过程中被他人同时修改，本次未导入任何数据，请重新上传。") from None
    return pending


def _write_roster(actor: User, training_class: TrainingClass, roster_import: RosterImport, rows) -> None:
    digests = id_number_digests(row.id_number for row in rows)
    existing = dict(Trainee.objects.filter(id_number_digest__in=digests).values_list("id_number", "id"))
    new_trainees = [
        Trainee(
            id_number=row.id_number,
            name=row.name,
            gender=row.gender,
            birth_date=row.birth_date,
            category_id=row.category_id,
        )
        for row in rows
        if row.id_number not in existing
    ]
    created = bulk_create_with_history(new_trainees, Trainee, batch_size=500, default_user=actor)
    existing.update({trainee.id_number: trainee.pk for trainee in created})
    if len(existing) < len(rows):
        existing.update(
            Trainee.objects.filter(id_number_digest__in=digests).values_list("id_number", "id")
        )
    # The person is linked, never rewritten: name and phone as this roster gives them go on the enrollment.
    enrollments = [
        Enrollment(
            training_class=training_class, trainee_id=existing[row.id_number], roster_import=roster_import,
            roster_name=row.name, phone=row.phone,
        )
        for row in rows
    ]
    bulk_create_with_history(enrollments, Enrollment, batch_size=500, default_user=actor)


def enrollment_reveal_personal_data(*, actor: User, enrollment: Enrollment, request=None) -> dict[str, str]:
    """The full ID number of one trainee and the phone this class's roster gave, for staff whose scope covers
    the class. Audited."""
    if not classes_visible_to(actor).filter(pk=enrollment.training_class_id).exists():
        raise ServiceError("学员不存在或无权查看。")
    trainee = enrollment.trainee
    audit_event_record(
        action=AuditEvent.Action.VIEW_PERSONAL_DATA,
        request=request,
        actor=actor,
        target=trainee,
        detail=f"培训班 {enrollment.training_class.batch_number}",
    )
    return {"id_number": trainee.id_number, "phone": enrollment.phone}


def enrollment_mark_dropped(*, actor: User, enrollment: Enrollment) -> Enrollment:
    """Institution staff record that a trainee left the class before the end (中途退出). Dropped trainees are
    not in the employment denominator (policy §4: trainees who completed the class)."""
    with transaction.atomic():
        locked_class = _lock_own_class(actor, enrollment.training_class)
        if locked_class.status != TrainingClass.Status.IN_TRAINING:
            raise ServiceError("只有“培训中”的培训班可以登记中途退出。")
        locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk, training_class=locked_class)
        if locked.completion != Enrollment.Completion.ENROLLED:
            raise ServiceError(f"该学员结业情况为“{locked.get_completion_display()}”。")
        locked.completion = Enrollment.Completion.DROPPED
        locked.save(update_fields=["completion"])
        audit_state_change(action=AuditEvent.Action.CLASS_STATUS, actor=actor, target=locked, step="登记中途退出",
                           from_label=Enrollment.Completion.ENROLLED.label, to_label=locked.get_completion_display())
        hooks.notify_class_changed(locked_class.pk, hooks.ClassChange.ROSTER_CHANGED)
    return locked


def enrollment_remove(*, actor: User, enrollment: Enrollment) -> None:
    """Institution staff take a trainee off the roster of a class still being prepared."""
    with transaction.atomic():
        locked = _lock_own_class(actor, enrollment.training_class)
        if locked.status != TrainingClass.Status.DRAFT:
            raise ServiceError("只有“筹备中”的培训班可以移除学员。")
        _check_registered_change_allowed(locked)
        Enrollment.objects.filter(pk=enrollment.pk, training_class=locked).delete()
        hooks.notify_class_changed(locked.pk, hooks.ClassChange.ROSTER_CHANGED)


def roster_file_check(*, training_class: TrainingClass, data: bytes) -> roster_file.RosterCheck:
    """Checks a roster workbook against a class without writing anything: the same container limits and row checks
    as the import (for a change request that adds trainees). Refuses a file that is not a safe, bounded .xlsx."""
    try:
        roster_file.check_container(data, max_bytes=settings.ROSTER_UPLOAD_MAX_BYTES)
        return _check_roster(training_class, data)
    except roster_file.RosterFileError as error:
        raise ServiceError(str(error)) from None


def training_class_change_apply(
    *, actor: User, training_class: TrainingClass, fields: dict, roster_data: bytes | None = None,
    removed_enrollment_ids=(), request=None,
) -> TrainingClass:
    """Writes a change of a class's registered fields and roster that its county approved (备案变更, policy §8.2).

    Called by the opening review's change-request approval, which checked the request; county staff of the class's
    county only. Refused for a finished class, an occupation outside the institution's licence, a headcount below
    the roster, an added roster that no longer passes its checks, and a trainee who cannot leave the roster any
    more (附表2, follow-up calls or other records of the person in this class). All or nothing.
    """
    with transaction.atomic():
        locked = _lock_county_class(actor, training_class)
        if locked.status not in ROSTER_EDITABLE_STATUSES:
            raise ServiceError(f"培训班状态为“{locked.get_status_display()}”，不能变更。")
        if "occupation" in fields:
            _check_occupation_licensed(locked.institution, fields["occupation"])
            fields = {**fields, "category": fields["occupation"].training_type}
        _check_headcount(fields)
        for name in CLASS_FIELDS:
            if name in fields:
                setattr(locked, name, fields[name])
        if locked.end_date < locked.start_date:
            raise ServiceError("培训结束日期不能早于开始日期。")
        removed = list(locked.enrollments.filter(pk__in=list(removed_enrollment_ids)))
        if len(removed) != len(set(removed_enrollment_ids)):
            raise ServiceError("要移出的学员已不在本班花名册中。")
        for enrollment in removed:
            try:
                with transaction.atomic():
                    enrollment.delete()
            except (ProtectedError, RestrictedError):
                raise ServiceError(f"学员 {enrollment.roster_name} 在本班已有评价、回访等记录，不能移出花名册。") from None
        added = []
        if roster_data:
            check = _check_roster(locked, roster_data)
            if not check.is_valid:
                first = check.errors[0]
                where = f"第 {first.row_number} 行 {first.column}：" if first.row_number else ""
                raise ServiceError(f"增加的学员名册未通过检查（{where}{first.message}），本次变更未执行。")
            added = check.rows
        if locked.enrollments.count() + len(added) > locked.registered_headcount:
            raise ServiceError(f"变更后花名册人数超过备案人数 {locked.registered_headcount} 人。")
        locked.save()
        if added:
            _write_roster(actor, locked, None, added)
            audit_event_record(
                action=AuditEvent.Action.IMPORT_ROSTER, request=request, actor=actor, target=locked,
                detail=f"备案变更增加 {len(added)} 名学员",
            )
        hooks.notify_class_changed(locked.pk, hooks.ClassChange.CLASS_UPDATED)
    return locked


def enrollment_exclude_from_subsidy(*, actor: User, enrollment: Enrollment, reason: str) -> Enrollment:
    """County staff take a trainee out of the class's subsidy (the opening review's 不予纳入补贴, policy §8.2): the
    person may still attend, but the enrollment no longer counts as subsidised training."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写不予纳入补贴的理由。")
    with transaction.atomic():
        locked_class = _lock_county_class(actor, enrollment.training_class)
        locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk, training_class=locked_class)
        locked.is_subsidy_eligible = False
        locked.ineligibility_reason = reason[:500]
        locked.save(update_fields=["is_subsidy_eligible", "ineligibility_reason"])
    return locked


def roster_imports_purge_stale(*, older_than) -> int:
    """Clears the stored file of imports left unconfirmed since ``older_than``. Run by beat, hourly.

    A previewed roster holds ID numbers; if nobody confirms it, it must not stay in the database.
    """
    return (
        RosterImport.objects.filter(status=RosterImport.Status.PREVIEWED, created_at__lt=older_than)
        .update(status=RosterImport.Status.REJECTED, content=b"", errors=[{"row": 0, "column": "", "message": "预览超过24小时未确认，已作废，请重新上传"}])
    )
