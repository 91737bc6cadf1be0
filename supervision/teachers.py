"""Writes of the teacher pool (policy §8.8, S2 五(一)): institutions propose, league staff confirm or reject,
institutions assign confirmed teachers to their classes."""

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_event_record, audit_state_change
from accounts.models import AuditEvent, Role, User
from classes.identity import IdentifierError, clean_person_name, parse_resident_id
from classes.models import Institution, TrainingClass
from classes.selectors import classes_visible_to
from xingan_training.errors import ServiceError
from xingan_training.personal_data import id_number_digest

from . import fraud_signals
from .models import ClassTeacher, Teacher
from .opening_selectors import teachers_change_refusal
from .teacher_selectors import teachers_visible_to

TEACHER_FIELDS = ("employment_type", "qualification", "certificate_number", "employer")


def can_propose_teacher(user) -> bool:
    return user.is_authenticated and user.is_active and user.role == Role.INSTITUTION and user.institution_id is not None


def can_review_teachers(user) -> bool:
    return user.is_authenticated and user.is_active and user.role == Role.LEAGUE and user.region_id is not None


def can_reveal_teacher_id(user, teacher: Teacher) -> bool:
    """League staff (and an auditor reading as league staff, audited like them), and the institution that proposed
    the teacher (it typed the number in)."""
    return (user.is_authenticated and user.is_active and user.read_role == Role.LEAGUE and user.region_id is not None) or (
        can_propose_teacher(user) and user.institution_id == teacher.proposed_by_institution_id
    )


def can_assign_teachers(user, training_class: TrainingClass) -> bool:
    return (
        can_propose_teacher(user)
        and user.institution_id == training_class.institution_id
        and training_class.status == TrainingClass.Status.DRAFT
        and teachers_change_refusal(training_class.pk) is None
    )


def teacher_propose(*, actor: User, name: str, id_number: str, occupations, **fields) -> Teacher:
    """Institution staff propose a teacher for the league pool (status 待确认).

    One person is one teacher: an ID number already in the pool or waiting for confirmation is refused; a person
    rejected earlier may be proposed again, which reopens the same row (its history keeps the rejection)."""
    if not can_propose_teacher(actor):
        raise ServiceError("只有培训机构人员可以推荐教师。")
    institution: Institution = actor.institution
    try:
        name = clean_person_name(name)
        id_number = parse_resident_id(id_number).number
    except IdentifierError as error:
        raise ServiceError(str(error)) from None
    occupations = list(occupations)
    if not occupations:
        raise ServiceError("请至少选择一个授课职业（工种）。")
    values = {field_name: str(fields[field_name]).strip() for field_name in TEACHER_FIELDS}
    if not values["certificate_number"] or not values["employer"]:
        raise ServiceError("请填写证书编号和工作单位。")
    if values["employment_type"] not in Teacher.EmploymentType.values or values["qualification"] not in Teacher.Qualification.values:
        raise ServiceError("请从列出的选项中选择专兼职和资质类别。")
    if len(values["certificate_number"]) > 50 or len(values["employer"]) > 100:
        raise ServiceError("证书编号最多50个字符，工作单位最多100个字。")
    with transaction.atomic():
        teacher = Teacher.objects.select_for_update().filter(id_number_digest=id_number_digest(id_number)).first()
        if teacher is not None and teacher.status == Teacher.Status.CONFIRMED:
            raise ServiceError("该身份证号的教师已在师资库中，可直接在培训班中选用。")
        if teacher is not None and teacher.status == Teacher.Status.PROPOSED:
            raise ServiceError("该身份证号的教师已被推荐，正在等待盟级确认。")
        teacher = teacher or Teacher(id_number=id_number)
        teacher.name = name
        for field_name, value in values.items():
            setattr(teacher, field_name, value)
        teacher.status = Teacher.Status.PROPOSED
        teacher.proposed_by_institution = institution
        teacher.proposed_by = actor
        teacher.proposed_at = timezone.now()
        teacher.reviewed_by = None
        teacher.reviewed_at = None
        teacher.rejection_reason = ""
        teacher._history_user = actor
        teacher.save()
        teacher.occupations.set(occupations)
    return teacher


def _lock_proposal(actor: User, teacher: Teacher) -> Teacher:
    if not can_review_teachers(actor):
        raise ServiceError("只有盟级人社部门可以审核师资。")
    locked = teachers_visible_to(actor).select_for_update().filter(pk=teacher.pk).first()
    if locked is None:
        raise ServiceError("教师不存在或无权操作。")
    if locked.status != Teacher.Status.PROPOSED:
        raise ServiceError(f"只有“待确认”的教师可以审核，当前为“{locked.get_status_display()}”。")
    return locked


def teacher_confirm(*, actor: User, teacher: Teacher) -> Teacher:
    """League staff take a proposed teacher into the pool: 待确认 → 已入库."""
    with transaction.atomic():
        locked = _lock_proposal(actor, teacher)
        locked.status = Teacher.Status.CONFIRMED
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked._history_user = actor
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        audit_state_change(action=AuditEvent.Action.TEACHER_REVIEW, actor=actor, target=locked, step="确认入库",
                           from_label=Teacher.Status.PROPOSED.label, to_label=locked.get_status_display())
    return locked


def teacher_reject(*, actor: User, teacher: Teacher, reason: str) -> Teacher:
    """League staff turn a proposal down with a reason: 待确认 → 未通过."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写未通过的原因。")
    with transaction.atomic():
        locked = _lock_proposal(actor, teacher)
        locked.status = Teacher.Status.REJECTED
        locked.rejection_reason = reason[:500]
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked._history_user = actor
        locked.save(update_fields=["status", "rejection_reason", "reviewed_by", "reviewed_at"])
        audit_state_change(action=AuditEvent.Action.TEACHER_REVIEW, actor=actor, target=locked, step="不予入库",
                           from_label=Teacher.Status.PROPOSED.label, to_label=locked.get_status_display(), note=reason)
    return locked


def teacher_reveal_id_number(*, actor: User, teacher: Teacher, request=None) -> str:
    """The full ID number of a teacher, for league staff and the proposing institution. Audited."""
    if not teachers_visible_to(actor).filter(pk=teacher.pk).exists() or not can_reveal_teacher_id(actor, teacher):
        raise ServiceError("教师不存在或无权查看。")
    audit_event_record(
        action=AuditEvent.Action.VIEW_PERSONAL_DATA, request=request, actor=actor, target=teacher, detail="师资库身份证号",
    )
    return teacher.id_number


def class_teachers_assign(*, actor: User, training_class: TrainingClass, teachers) -> list[ClassTeacher]:
    """Institution staff set who teaches their class while it is being prepared (筹备中): the class's teachers
    become exactly ``teachers``. Refused for another institution's class, a class past 筹备中, and any teacher
    who is not a confirmed teacher of the pool or does not teach the class's occupation (Decision)."""
    if not can_propose_teacher(actor):
        raise ServiceError("只有培训机构人员可以安排授课教师。")
    teacher_ids = {teacher.pk for teacher in teachers}
    with transaction.atomic():
        locked_class = classes_visible_to(actor).select_for_update().filter(pk=training_class.pk).select_related("occupation").first()
        if locked_class is None or locked_class.institution_id != actor.institution_id:
            raise ServiceError("培训班不存在或无权操作。")
        if locked_class.status != TrainingClass.Status.DRAFT:
            raise ServiceError(f"只有“筹备中”的培训班可以安排授课教师，当前为“{locked_class.get_status_display()}”。")
        refusal = teachers_change_refusal(locked_class.pk)
        if refusal:
            raise ServiceError(refusal)
        chosen = list(
            teachers_visible_to(actor).filter(pk__in=teacher_ids, status=Teacher.Status.CONFIRMED).prefetch_related("occupations")
        )
        if len(chosen) != len(teacher_ids):
            raise ServiceError("只能选择师资库中已确认入库的教师。")
        code = locked_class.occupation.code
        unqualified = [teacher.name for teacher in chosen if code not in {occupation.code for occupation in teacher.occupations.all()}]
        if unqualified:
            raise ServiceError(f"以下教师的授课职业不含“{locked_class.occupation.name}”：{'、'.join(unqualified)}。")
        current = {assignment.teacher_id: assignment for assignment in locked_class.teacher_assignments.all()}
        for teacher_id, assignment in current.items():
            if teacher_id not in teacher_ids:
                assignment._history_user = actor
                assignment.delete()
        for teacher in chosen:
            if teacher.pk not in current:
                assignment = ClassTeacher(training_class=locked_class, teacher=teacher, assigned_by=actor)
                assignment._history_user = actor
                assignment.save()
        # One teacher in two classes at once is a fraud signal (§8.4); so is clearing one by removing a teacher.
        fraud_signals.enqueue_recompute(locked_class.pk, "teachers_assigned")
    return list(locked_class.teacher_assignments.select_related("teacher").order_by("teacher__name"))
