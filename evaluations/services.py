"""The review chain of policy §6 and the consequences of §3/§7, one service function per transition.

Each function checks the actor's role and scope, checks the current state, locks the row, writes the new
state with a ReviewEvent (who, when, from, to, why), and refuses anything else with a Chinese message.
"""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from accounts.audit import audit_state_change
from accounts.models import AuditEvent, Role, User
from classes import hooks
from classes.models import Enrollment, Institution, TrainingClass
from classes.selectors import classes_visible_to
from xingan_training.errors import ServiceError
from xingan_training.locking import LockedRecordError, approval_lock_lifted
from xingan_training.personal_data import id_number_digest

from .form_counts import trainee_form_counts_add, trainee_form_counts_remove
from .hooks import notify_notice_changed
from .items import CLASS_ITEM_FIELDS, TRAINEE_ANSWER_FIELDS
from .models import (
    ClassAssessment,
    ClassReview,
    EvaluationLink,
    Investigation,
    RectificationEvent,
    RectificationNotice,
    RectificationNumberCounter,
    ReviewEvent,
    TraineeEvaluation,
)
from followups.selectors import coverage_of

from .selectors import coverage_from_facts, grade_from_facts, with_review_facts

Status = ClassReview.Status
STALE_VERSION = "此评价已被他人修改，您的修改未保存。请刷新页面查看最新内容后重试。"


def _require_role(actor: User, role: str, message: str) -> None:
    if actor.role != role:
        raise ServiceError(message)


def _lock_review(actor: User, training_class: TrainingClass) -> ClassReview:
    """The class's review under a row lock, reached through the actor's scope (created on first use)."""
    if not classes_visible_to(actor).filter(pk=training_class.pk).exists():
        raise ServiceError("培训班不存在或无权操作。")
    ClassReview.objects.get_or_create(training_class_id=training_class.pk)
    return ClassReview.objects.select_for_update().select_related("training_class__institution").get(
        training_class_id=training_class.pk
    )


def _check_consequences_open(review: ClassReview) -> None:
    """Consequences (整改, 核查, untruthful marks) change the record the league reviews (policy §6.8): refused
    while the league holds the class and after approval, until the league returns or reopens it."""
    if review.status == Status.APPROVED:
        raise LockedRecordError()
    if review.status == Status.FORWARDED:
        raise ServiceError("该培训班已上报盟级复核，须盟级退回后才能修改。")


def _investigation_states(training_class: TrainingClass) -> set[str]:
    return set(Investigation.objects.filter(training_class=training_class).values_list("status", flat=True))


def _check_version(review: ClassReview, version: int | None) -> None:
    if version is not None and version != review.version:
        raise ServiceError(STALE_VERSION)


def _move(review: ClassReview, *, actor: User, to_status: str, action: str, reason: str = "", fields=()) -> ClassReview:
    from_status = review.status
    review.status = to_status
    review.version += 1
    review.save(update_fields=["status", "version", "updated_at", *fields])
    ReviewEvent.objects.create(
        review=review, action=action, from_status=from_status, to_status=to_status, actor=actor, reason=reason
    )
    audit_state_change(action=AuditEvent.Action.EVALUATION_REVIEW, actor=actor, target=review.training_class, step=action,
                       from_label=Status(from_status).label, to_label=review.get_status_display(), note=reason)
    return review


def _save_assessment(review: ClassReview, *, party: str, actor: User, ratings: dict, overall: str,
                     evaluator: str, evaluated_on: date) -> None:
    values = {name: ratings[name] for name in CLASS_ITEM_FIELDS}
    ClassAssessment.objects.update_or_create(
        review=review,
        party=party,
        defaults={**values, "overall": overall, "evaluator": evaluator, "evaluated_on": evaluated_on, "submitted_by": actor},
    )


def self_assessment_submit(*, actor: User, training_class: TrainingClass, ratings: dict, overall: str,
                           evaluator: str, evaluated_on: date, version: int | None = None) -> ClassReview:
    """The institution's 附表1 self-evaluation (policy §6.1). Allowed to its own institution's staff while the
    class trains or has finished, until the county takes the class up; a resubmission replaces the earlier one."""
    _require_role(actor, Role.INSTITUTION, "只有培训机构可以填写自评。")
    with transaction.atomic():
        review = _lock_review(actor, training_class)
        if review.training_class.institution_id != actor.institution_id:
            raise ServiceError("培训班不存在或无权操作。")
        if review.training_class.status == TrainingClass.Status.DRAFT:
            raise ServiceError("培训班尚未开班，不能自评。")
        if review.status not in (Status.AWAITING_SELF_EVALUATION, Status.AWAITING_COUNTY):
            raise ServiceError(f"评价状态为“{review.get_status_display()}”，机构不能再修改自评。")
        _check_version(review, version)
        _save_assessment(review, party=ClassAssessment.Party.INSTITUTION, actor=actor, ratings=ratings,
                         overall=overall, evaluator=evaluator, evaluated_on=evaluated_on)
        return _move(review, actor=actor, to_status=Status.AWAITING_COUNTY, action="机构提交自评")


def county_verification_submit(*, actor: User, training_class: TrainingClass, ratings: dict, overall: str,
                               evaluator: str, evaluated_on: date, is_qualified: bool, passing_trainees: int,
                               responsible_person: str, verified_on: date, version: int | None = None,
                               unqualified_reason: str = "") -> ClassReview:
    """The county's 附表1 evaluation and verification (policy §6.3), after the class finished and the
    institution self-evaluated; also the county's correction after a return by the league.

    Policy §6.7: refused while an investigation is open; 合格 refused after a confirmed investigation;
    不合格 for any other reason needs a written reason."""
    _require_role(actor, Role.COUNTY, "只有旗县市人社部门可以评价核实。")
    unqualified_reason = (unqualified_reason or "").strip()
    with transaction.atomic():
        review = _lock_review(actor, training_class)
        if review.training_class.status != TrainingClass.Status.FINISHED:
            raise ServiceError("培训班结业后才能评价核实。")
        if review.status not in (Status.AWAITING_COUNTY, Status.COUNTY_VERIFIED, Status.RETURNED):
            raise ServiceError(f"评价状态为“{review.get_status_display()}”，不能评价核实。")
        _check_version(review, version)
        investigations = _investigation_states(review.training_class)
        if Investigation.Status.OPEN in investigations:
            raise ServiceError("该培训班有进行中的核查，须先作出核查结论才能评价核实。")
        confirmed = Investigation.Status.CONFIRMED in investigations
        if confirmed and is_qualified:
            raise ServiceError("核查结论为情况属实，该培训班为不合格班次，不能核实为合格。")
        if not is_qualified and not confirmed and not unqualified_reason:
            raise ServiceError("核实为不合格须填写不合格的原因。")
        enrolled = review.training_class.enrollments.count()
        if passing_trainees > enrolled:
            raise ServiceError(f"初审合格学员 {passing_trainees} 人，多于花名册的 {enrolled} 人。")
        _save_assessment(review, party=ClassAssessment.Party.COUNTY, actor=actor, ratings=ratings,
                         overall=overall, evaluator=evaluator, evaluated_on=evaluated_on)
        review.is_qualified = is_qualified
        review.passing_trainees = passing_trainees
        review.responsible_person = responsible_person
        review.verified_on = verified_on
        review.unqualified_reason = "" if is_qualified else (unqualified_reason or "核查情况属实")
        action = "旗县修改评价核实" if review.status == Status.RETURNED else "旗县评价核实"
        return _move(review, actor=actor, to_status=Status.COUNTY_VERIFIED, action=action,
                     reason=review.unqualified_reason,
                     fields=("is_qualified", "passing_trainees", "responsible_person", "verified_on", "unqualified_reason"))


def _review_facts(training_class: TrainingClass) -> TrainingClass:
    return with_review_facts(TrainingClass.objects.filter(pk=training_class.pk)).get()


def forwarding_blockers(training_class: TrainingClass, *, facts: TrainingClass | None = None,
                        review: ClassReview | None = None) -> list[str]:
    """Why a verified class cannot go to the league yet; empty when it can (policy §3, §5, §6.4). ``facts`` and
    ``review``, when the caller already holds them, save reading them again."""
    facts = facts or _review_facts(training_class)
    grade = grade_from_facts(facts)
    blockers = []
    if grade.total == 0:
        blockers.append("尚无有效的学员评价表（附表2）")
    has_notice = facts.rectification_open or facts.rectification_closed
    if grade.needs_rectification and not has_notice:
        blockers.append("评价为“一般”的学员达到20%，须先下达整改通知书")
    has_investigation = facts.investigation_open or facts.investigation_confirmed or facts.investigation_cleared
    if grade.needs_investigation and not has_investigation:
        blockers.append("评价为“差”的学员达到10%，须先立案核查")
    if facts.investigation_open:
        blockers.append("有进行中的核查，须先作出核查结论并重新评价核实")
    review = review or ClassReview.objects.filter(training_class=training_class).first()
    if facts.investigation_confirmed and review is not None and review.is_qualified:
        blockers.append("核查情况属实，须重新评价核实为不合格")
    coverage = coverage_of(training_class)
    if not coverage.has_sample:
        blockers.append("尚未抽取电话回访样本")
    elif not coverage.is_reached:
        blockers.append(f"电话回访未达到20%（已完成 {coverage.completed} 人，须完成 {coverage.target} 人）")
    return blockers


def forwarding_needs_coverage_reason(training_class: TrainingClass, *, facts: TrainingClass | None = None) -> bool:
    """Policy §3: below 80% of completed trainees with a valid 附表2, forwarding needs the county's reason."""
    return coverage_from_facts(facts or _review_facts(training_class)) is not True


def review_forward(*, actor: User, training_class: TrainingClass, version: int | None = None,
                   coverage_reason: str = "") -> ClassReview:
    """County → league center (policy §6.4): 附表1, all 附表2 and the follow-up records go up for review.
    Refused while anything in ``forwarding_blockers`` remains, and below 80% form coverage without a reason."""
    _require_role(actor, Role.COUNTY, "只有旗县市人社部门可以上报。")
    coverage_reason = (coverage_reason or "").strip()
    with transaction.atomic():
        review = _lock_review(actor, training_class)
        if review.status != Status.COUNTY_VERIFIED:
            raise ServiceError(f"评价状态为“{review.get_status_display()}”，须先完成评价核实才能上报。")
        _check_version(review, version)
        facts = _review_facts(review.training_class)
        blockers = forwarding_blockers(review.training_class, facts=facts, review=review)
        if blockers:
            raise ServiceError("不能上报：" + "；".join(blockers) + "。")
        reason = ""
        if forwarding_needs_coverage_reason(review.training_class, facts=facts):
            if not coverage_reason:
                raise ServiceError("有效学员评价表不足结业学员的80%，上报须填写书面说明。")
            reason = f"学员评价表覆盖率不足80%的说明：{coverage_reason}"
        return _move(review, actor=actor, to_status=Status.FORWARDED, action="上报盟级复核", reason=reason)


def review_approve(*, actor: User, training_class: TrainingClass) -> ClassReview:
    """League center approves (policy §6.5): the class's records are locked from now on."""
    _require_role(actor, Role.LEAGUE, "只有盟人力资源和就业服务中心可以复核。")
    with transaction.atomic():
        review = _lock_review(actor, training_class)
        if review.status != Status.FORWARDED:
            raise ServiceError(f"评价状态为“{review.get_status_display()}”，只有已上报的培训班可以复核通过。")
        if Investigation.Status.OPEN in _investigation_states(review.training_class):
            # Policy §6.7: an open investigation may still make the class 不合格.
            raise ServiceError("该培训班有进行中的核查，不能复核通过。")
        return _move(review, actor=actor, to_status=Status.APPROVED, action="盟级复核通过")


def review_return(*, actor: User, training_class: TrainingClass, reason: str) -> ClassReview:
    """League center returns the class to the county with a required reason, shown to the county at once."""
    _require_role(actor, Role.LEAGUE, "只有盟人力资源和就业服务中心可以退回。")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("退回必须填写原因。")
    with transaction.atomic():
        review = _lock_review(actor, training_class)
        if review.status != Status.FORWARDED:
            raise ServiceError(f"评价状态为“{review.get_status_display()}”，只有已上报的培训班可以退回。")
        review.return_reason = reason
        return _move(review, actor=actor, to_status=Status.RETURNED, action="盟级退回", reason=reason,
                     fields=("return_reason",))


def review_reopen(*, actor: User, training_class: TrainingClass, reason: str) -> ClassReview:
    """撤销复核 (policy §6.8): the league reopens an approved class after a later finding (audit, inspection,
    complaint). The only way back from approval; the class returns to the county, the reason is kept in the
    history, and the usual chain runs again."""
    _require_role(actor, Role.LEAGUE, "只有盟人力资源和就业服务中心可以撤销复核。")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("撤销复核必须填写原因。")
    with transaction.atomic():
        review = _lock_review(actor, training_class)
        if review.status != Status.APPROVED:
            raise ServiceError(f"评价状态为“{review.get_status_display()}”，只有复核通过的培训班可以撤销复核。")
        review.return_reason = reason
        with approval_lock_lifted():
            return _move(review, actor=actor, to_status=Status.RETURNED, action="盟级撤销复核", reason=reason,
                         fields=("return_reason",))


@dataclass(frozen=True)
class BulkResult:
    training_class: TrainingClass
    is_approved: bool
    message: str


def reviews_bulk_approve(*, actor: User, training_classes) -> list[BulkResult]:
    """Approves each class on its own: one refusal does not stop the others, and each gets its answer."""
    results = []
    for training_class in training_classes:
        try:
            review_approve(actor=actor, training_class=training_class)
        except ServiceError as error:
            results.append(BulkResult(training_class, False, error.message))
        else:
            results.append(BulkResult(training_class, True, "复核通过"))
    return results


# 附表2 ----------------------------------------------------------------------------------------------------


def evaluation_window_is_open(training_class: TrainingClass, *, today: date | None = None) -> bool:
    """附表2 is filled before the class ends (S1 二(二)); EVALUATION_GRACE_DAYS allows a late paper round."""
    today = today or timezone.localdate()
    closes = training_class.end_date + timedelta(days=settings.EVALUATION_GRACE_DAYS)
    return training_class.start_date <= today <= closes


def _trainee_form_open(review: ClassReview | None) -> None:
    if review is not None and review.status not in (Status.AWAITING_SELF_EVALUATION, Status.AWAITING_COUNTY):
        raise ServiceError("该培训班的评价已进入核实阶段，不再接收学员评价表。")


UNTRUTHFUL_RESUBMISSION = "该学员的评价表已被认定为不如实填报，不能重新提交。"
ALREADY_SUBMITTED = "该学员已提交过有效的评价表，无需重复提交。"


def _create_trainee_evaluation(enrollment: Enrollment, answers: dict, **extra) -> TraineeEvaluation:
    values = {name: answers[name] for name in TRAINEE_ANSWER_FIELDS if name in answers}
    if not values.get("is_confirmed"):
        raise ServiceError("请本人确认签字后提交。")
    # Policy §7: a form is only ever invalidated as untruthful; that trainee stays out of the class's grade.
    # The online path reads the flag with the enrollment; paper entry asks here.
    has_untruthful_form = getattr(enrollment, "has_untruthful_form", None)
    if has_untruthful_form is None:
        has_untruthful_form = TraineeEvaluation.objects.filter(enrollment=enrollment, is_valid=False).exists()
    if has_untruthful_form:
        raise ServiceError(UNTRUTHFUL_RESUBMISSION)
    if getattr(enrollment, "has_valid_form", False):  # read with the enrollment: a repeat costs no failed insert
        raise ServiceError(ALREADY_SUBMITTED)
    try:
        with transaction.atomic():
            evaluation = TraineeEvaluation.objects.create(enrollment=enrollment, **values, **extra)
            trainee_form_counts_add(form=evaluation)
            return evaluation
    except IntegrityError:
        # The partial unique index settles two identical submissions racing each other.
        raise ServiceError(ALREADY_SUBMITTED) from None


class TraineeIdentityMismatch(ServiceError):
    """The name + ID number is not on the class roster; the trainee form counts these against guessing."""


def trainee_evaluation_submit_online(*, link: EvaluationLink, name: str, id_number: str, answers: dict) -> TraineeEvaluation:
    """A trainee's own 附表2 through the class link, read by ``selectors.evaluation_link_for_trainee`` with its class
    and review (so the link is read once per request). The trainee proves who they are by name + ID number
    matching the roster; the answer never says which of the two did not match. Refused: a revoked link, outside
    the evaluation window, a class past the county's verification (approval lock), a second valid form of the
    same trainee (the partial unique index decides a race), a trainee whose form was found untruthful."""
    if link.revoked_at is not None:
        raise ServiceError("该评价链接无效或已停用，请向培训机构或人社部门索取新的二维码。")
    training_class = link.training_class
    if not evaluation_window_is_open(training_class):
        raise ServiceError("现在不在该培训班的评价时间内。")
    _trainee_form_open(getattr(training_class, "review", None))
    name = (name or "").strip()
    enrollment = (
        Enrollment.objects.filter(training_class=training_class, trainee__id_number_digest=id_number_digest(id_number))
        .annotate(
            registered_name=F("trainee__name"),
            has_untruthful_form=Exists(TraineeEvaluation.objects.filter(enrollment=OuterRef("pk"), is_valid=False)),
            has_valid_form=Exists(TraineeEvaluation.objects.filter(enrollment=OuterRef("pk"), is_valid=True)),
        )
        .first()
    )
    # The trainee may give the name this roster wrote or the name first registered under the ID.
    if enrollment is None or name not in (enrollment.roster_name, enrollment.registered_name):
        raise TraineeIdentityMismatch("姓名或身份证号与本班花名册不符，请核对后重新填写。")
    evaluation = _create_trainee_evaluation(enrollment, answers, source=TraineeEvaluation.Source.ONLINE)
    hooks.notify_class_changed(training_class.pk, hooks.ClassChange.TRAINEE_FORM)
    return evaluation


def trainee_evaluation_enter_paper(*, actor: User, enrollment: Enrollment, answers: dict) -> TraineeEvaluation:
    """County staff enter a trainee's signed paper 附表2; the entry records who entered it."""
    _require_role(actor, Role.COUNTY, "只有旗县市人社部门可以录入纸质评价表。")
    with transaction.atomic():
        review = _lock_review(actor, enrollment.training_class)
        _trainee_form_open(review)
        evaluation = _create_trainee_evaluation(
            enrollment, answers, source=TraineeEvaluation.Source.PAPER, entered_by=actor
        )
        hooks.notify_class_changed(enrollment.training_class_id, hooks.ClassChange.TRAINEE_FORM)
    return evaluation


def trainee_evaluation_mark_untruthful(*, actor: User, evaluation: TraineeEvaluation, reason: str) -> TraineeEvaluation:
    """Policy §7: a trainee who filled 附表2 untruthfully loses the subsidy; the form no longer counts."""
    _require_role(actor, Role.COUNTY, "只有旗县市人社部门可以认定。")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写认定不如实填报的事实。")
    with transaction.atomic():
        _check_consequences_open(_lock_review(actor, evaluation.enrollment.training_class))
        locked = TraineeEvaluation.objects.select_for_update().get(pk=evaluation.pk)
        if not locked.is_valid:
            raise ServiceError("该评价表已作废。")
        locked.is_valid = False
        locked.invalidated_reason = f"不如实填报：{reason}"
        locked.save(update_fields=["is_valid", "invalidated_reason"])
        trainee_form_counts_remove(form=locked)
        enrollment = Enrollment.objects.select_for_update().get(pk=locked.enrollment_id)
        enrollment.is_subsidy_eligible = False
        enrollment.ineligibility_reason = f"附表2不如实填报：{reason}"
        enrollment.save(update_fields=["is_subsidy_eligible", "ineligibility_reason"])
        hooks.notify_class_changed(enrollment.training_class_id, hooks.ClassChange.TRAINEE_FORM)
        audit_state_change(action=AuditEvent.Action.EVALUATION_REVIEW, actor=actor, target=locked,
                           step="认定附表2不如实填报", note=reason)
    return locked


def evaluation_link_create(*, actor: User, training_class: TrainingClass) -> EvaluationLink:
    """A new unguessable link for the class's trainees; any earlier link stops working. Policy §6.6: the
    county organises 附表2, never the institution being evaluated."""
    _require_role(actor, Role.COUNTY, "学员评价表由旗县市人社部门组织填写，只有旗县市人社部门可以生成评价链接。")
    with transaction.atomic():
        review = _lock_review(actor, training_class)
        _trainee_form_open(review)
        EvaluationLink.objects.filter(training_class=training_class, revoked_at__isnull=True).update(revoked_at=timezone.now())
        link = EvaluationLink.objects.create(training_class=training_class, token=secrets.token_urlsafe(24), created_by=actor)
        audit_state_change(action=AuditEvent.Action.EVALUATION_REVIEW, actor=actor, target=training_class,
                           step="生成学员评价链接（此前的链接停用）")
        return link


def evaluation_link_revoke(*, actor: User, link: EvaluationLink) -> EvaluationLink:
    """County staff stop a link (a lost poster, a photo of the QR shared too widely)."""
    _require_role(actor, Role.COUNTY, "只有旗县市人社部门可以停用评价链接。")
    with transaction.atomic():
        _lock_review(actor, link.training_class)
        if EvaluationLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
            audit_state_change(action=AuditEvent.Action.EVALUATION_REVIEW, actor=actor, target=link.training_class,
                               step="停用学员评价链接")
    link.refresh_from_db()
    return link


# Consequences --------------------------------------------------------------------------------------------


def rectification_issue(*, actor: User, training_class: TrainingClass, requirements: str, deadline: date,
                        problems: str = "") -> RectificationNotice:
    """整改通知书 with a deadline (policy §3), issued by the class's county as an official notice: numbered per
    county and year (乌兰浩特市人社整改〔2026〕3号), addressed to the institution by its full name, signed by the
    county bureau (the issuer's region)."""
    _require_role(actor, Role.COUNTY, "只有旗县市人社部门可以下达整改通知书。")
    if deadline <= timezone.localdate():
        raise ServiceError("整改期限须晚于今天。")
    if not (requirements or "").strip():
        raise ServiceError("请填写整改要求。")
    with transaction.atomic():
        review = _lock_review(actor, training_class)
        _check_consequences_open(review)
        problems = (problems or "").strip() or _problems_from_grade(training_class)
        county = actor.region
        issued_on = timezone.localdate()
        sequence = _notice_sequence_next(county=county, year=issued_on.year)
        notice = RectificationNotice.objects.create(
            training_class=training_class,
            county=county,
            year=issued_on.year,
            sequence=sequence,
            number=f"{county.name}人社整改〔{issued_on.year}〕{sequence}号",
            issuing_office=f"{county.name}人力资源和社会保障局",
            addressee=review.training_class.institution.name,
            problems=problems,
            requirements=requirements.strip(),
            deadline=deadline,
            issued_by=actor,
            issued_on=issued_on,
        )
        _notice_event(notice, actor=actor, action="下达整改通知书", from_status="")
    return notice


def rectification_close(*, actor: User, notice: RectificationNotice, evidence: str) -> RectificationNotice:
    """The county closes a notice (销号) with the evidence of the rectification, whether or not the institution
    reported first (a paper report, an inspection on site)."""
    _require_role(actor, Role.COUNTY, "只有旗县市人社部门可以销号。")
    if not (evidence or "").strip():
        raise ServiceError("请填写整改情况及佐证。")
    with transaction.atomic():
        _check_consequences_open(_lock_review(actor, notice.training_class))
        locked = RectificationNotice.objects.select_for_update().get(pk=notice.pk)
        if locked.status not in RectificationNotice.UNRESOLVED_STATUSES:
            raise ServiceError("该整改通知书已销号。")
        from_status = locked.status
        locked.status = RectificationNotice.Status.CLOSED
        locked.evidence = evidence.strip()
        locked.closed_by = actor
        locked.closed_at = timezone.now()
        locked.save()
        _notice_event(locked, actor=actor, action="销号", from_status=from_status, text=locked.evidence)
    return locked


def investigation_open(*, actor: User, training_class: TrainingClass, findings: str = "") -> Investigation:
    _require_role(actor, Role.COUNTY, "只有旗县市人社部门可以立案核查。")
    try:
        with transaction.atomic():
            _check_consequences_open(_lock_review(actor, training_class))
            investigation = Investigation.objects.create(training_class=training_class, findings=findings.strip(),
                                                         opened_by=actor)
            audit_state_change(action=AuditEvent.Action.INVESTIGATION, actor=actor, target=investigation,
                               step="立案核查", to_label=investigation.get_status_display())
            return investigation
    except IntegrityError:
        raise ServiceError("该培训班已有进行中的核查。") from None


def investigation_conclude(*, actor: User, investigation: Investigation, is_confirmed: bool, findings: str,
                           reason: str, is_falsification: bool = False) -> Investigation:
    """Confirmed: the class is 不合格 and loses its subsidy; falsification also marks the institution for
    handling (policy §7). Not confirmed: the reason is kept and any commendation stands."""
    _require_role(actor, Role.COUNTY, "只有旗县市人社部门可以作出核查结论。")
    if not (reason or "").strip():
        raise ServiceError("请填写结论及理由。")
    if is_falsification and not is_confirmed:
        raise ServiceError("认定弄虚作假时，核查结论应为“情况属实”。")
    with transaction.atomic():
        _check_consequences_open(_lock_review(actor, investigation.training_class))
        locked = Investigation.objects.select_for_update().select_related("training_class__institution").get(pk=investigation.pk)
        if locked.status != Investigation.Status.OPEN:
            raise ServiceError("该核查已有结论。")
        locked.status = Investigation.Status.CONFIRMED if is_confirmed else Investigation.Status.NOT_CONFIRMED
        locked.findings = findings.strip()
        locked.conclusion_reason = reason.strip()
        locked.is_falsification = is_falsification
        locked.concluded_by = actor
        locked.concluded_at = timezone.now()
        locked.save()
        if is_falsification:
            institution = Institution.objects.select_for_update().get(pk=locked.training_class.institution_id)
            institution.is_flagged_for_handling = True
            institution.flag_reason = f"培训班 {locked.training_class.batch_number} 弄虚作假：{reason.strip()}"[:500]
            institution.save(update_fields=["is_flagged_for_handling", "flag_reason"])
        audit_state_change(action=AuditEvent.Action.INVESTIGATION, actor=actor, target=locked,
                           step="核查结论（认定弄虚作假）" if is_falsification else "核查结论",
                           from_label=Investigation.Status.OPEN.label, to_label=locked.get_status_display(),
                           note=locked.conclusion_reason)
    return locked


def _notice_sequence_next(*, county, year: int) -> int:
    """The next number of the county's notices in ``year``. The counter row stays locked until the issuing
    transaction ends, so concurrent issues wait for each other; get_or_create settles two first notices of a
    year racing to create the row (one insert fails on the unique constraint and reads the other's row)."""
    counter, _ = RectificationNumberCounter.objects.select_for_update().get_or_create(county=county, year=year)
    counter.last_sequence += 1
    counter.save(update_fields=["last_sequence"])
    return counter.last_sequence


def _problems_from_grade(training_class: TrainingClass) -> str:
    """What a notice states as the problem when the county wrote none: the grade that triggers it (policy §3)."""
    grade = grade_from_facts(with_review_facts(TrainingClass.objects.filter(pk=training_class.pk)).get())
    if not grade.has_data:
        return ""
    return (f"学员绩效评价和诚信登记表（附表2）有效{grade.total}份，综合评价为“一般”的{grade.fair}份，"
            f"占{float(grade.share('fair')):.1f}%。")


def _notice_event(notice: RectificationNotice, *, actor: User, action: str, from_status: str, text: str = "") -> None:
    event = RectificationEvent.objects.create(
        notice=notice, action=action, from_status=from_status, to_status=notice.status, actor=actor, text=text
    )
    # The rectification ledger (policy §8.6) keeps the notice's item in step, in this same transaction.
    notify_notice_changed(event)
    audit_state_change(action=AuditEvent.Action.RECTIFICATION, actor=actor, target=notice, step=f"{notice.number} {action}",
                       from_label=RectificationNotice.Status(from_status).label if from_status else "",
                       to_label=notice.get_status_display(), note=text)


def _lock_notice(actor: User, notice: RectificationNotice) -> RectificationNotice:
    """The notice under a row lock, reached through the actor's scope (its class's review locked first, in the
    same order as every other consequence)."""
    _lock_review(actor, notice.training_class)
    return RectificationNotice.objects.select_for_update().select_related("training_class__institution").get(pk=notice.pk)


def rectification_report_submit(*, actor: User, notice: RectificationNotice, report: str) -> RectificationNotice:
    """The addressed institution reports how it rectified (整改情况); the notice waits for the county's 销号.
    Also after a send-back, with a new report. Late reports are accepted: the notice shows it is overdue."""
    _require_role(actor, Role.INSTITUTION, "只有被通知的培训机构可以报送整改情况。")
    report = (report or "").strip()
    if not report:
        raise ServiceError("请填写整改情况。")
    with transaction.atomic():
        locked = _lock_notice(actor, notice)
        if locked.training_class.institution_id != actor.institution_id:
            raise ServiceError("整改通知书不存在或无权操作。")
        if locked.status != RectificationNotice.Status.OPEN:
            raise ServiceError(f"整改通知书状态为“{locked.get_status_display()}”，不能报送整改情况。")
        locked.status = RectificationNotice.Status.SUBMITTED
        locked.report = report
        locked.reported_by = actor
        locked.reported_at = timezone.now()
        locked.save()
        _notice_event(locked, actor=actor, action="报送整改情况", from_status=RectificationNotice.Status.OPEN, text=report)
    return locked


def rectification_return(*, actor: User, notice: RectificationNotice, reason: str) -> RectificationNotice:
    """The county sends the institution's report back with a required reason; the rectification goes on."""
    _require_role(actor, Role.COUNTY, "只有旗县市人社部门可以退回整改情况。")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("退回必须填写原因。")
    with transaction.atomic():
        locked = _lock_notice(actor, notice)
        if locked.status != RectificationNotice.Status.SUBMITTED:
            raise ServiceError(f"整改通知书状态为“{locked.get_status_display()}”，只有待销号的可以退回。")
        locked.status = RectificationNotice.Status.OPEN
        locked.return_reason = reason
        locked.save()
        _notice_event(locked, actor=actor, action="退回整改情况", from_status=RectificationNotice.Status.SUBMITTED, text=reason)
    return locked
