"""The review chain of policy §6 and the consequences of §3/§7, one service function per transition.

Each function checks the actor's role and scope, checks the current state, locks the row, writes the new
state with a ReviewEvent (who, when, from, to, why), and refuses anything else with a Chinese message.
"""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role, User
from classes.models import Enrollment, Institution, TrainingClass
from classes.selectors import classes_visible_to
from xingan_training.errors import ServiceError

from .items import CLASS_ITEM_FIELDS, TRAINEE_ANSWER_FIELDS
from .models import (
    ClassAssessment,
    ClassReview,
    EvaluationLink,
    Investigation,
    RectificationNotice,
    ReviewEvent,
    TraineeEvaluation,
)
from followups.selectors import coverage_of

from .selectors import grade_from_facts, with_review_facts

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
                               responsible_person: str, verified_on: date, version: int | None = None) -> ClassReview:
    """The county's 附表1 evaluation and verification (policy §6.3), after the class finished and the
    institution self-evaluated; also the county's correction after a return by the league."""
    _require_role(actor, Role.COUNTY, "只有旗县市人社部门可以评价核实。")
    with transaction.atomic():
        review = _lock_review(actor, training_class)
        if review.training_class.status != TrainingClass.Status.FINISHED:
            raise ServiceError("培训班结业后才能评价核实。")
        if review.status not in (Status.AWAITING_COUNTY, Status.COUNTY_VERIFIED, Status.RETURNED):
            raise ServiceError(f"评价状态为“{review.get_status_display()}”，不能评价核实。")
        _check_version(review, version)
        enrolled = review.training_class.enrollments.count()
        if passing_trainees > enrolled:
            raise ServiceError(f"初审合格学员 {passing_trainees} 人，多于花名册的 {enrolled} 人。")
        _save_assessment(review, party=ClassAssessment.Party.COUNTY, actor=actor, ratings=ratings,
                         overall=overall, evaluator=evaluator, evaluated_on=evaluated_on)
        review.is_qualified = is_qualified
        review.passing_trainees = passing_trainees
        review.responsible_person = responsible_person
        review.verified_on = verified_on
        action = "旗县修改评价核实" if review.status == Status.RETURNED else "旗县评价核实"
        return _move(review, actor=actor, to_status=Status.COUNTY_VERIFIED, action=action,
                     fields=("is_qualified", "passing_trainees", "responsible_person", "verified_on"))


def forwarding_blockers(training_class: TrainingClass) -> list[str]:
    """Why a verified class cannot go to the league yet; empty when it can (policy §3, §5, §6.4)."""
    facts = with_review_facts(TrainingClass.objects.filter(pk=training_class.pk)).get()
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
    coverage = coverage_of(training_class)
    if not coverage.has_sample:
        blockers.append("尚未抽取电话回访样本")
    elif not coverage.is_reached:
        blockers.append(f"电话回访未达到20%（已完成 {coverage.completed} 人，须完成 {coverage.target} 人）")
    return blockers


def review_forward(*, actor: User, training_class: TrainingClass, version: int | None = None) -> ClassReview:
    """County → league center (policy §6.4): 附表1, all 附表2 and the follow-up records go up for review."""
    _require_role(actor, Role.COUNTY, "只有旗县市人社部门可以上报。")
    with transaction.atomic():
        review = _lock_review(actor, training_class)
        if review.status != Status.COUNTY_VERIFIED:
            raise ServiceError(f"评价状态为“{review.get_status_display()}”，须先完成评价核实才能上报。")
        _check_version(review, version)
        blockers = forwarding_blockers(review.training_class)
        if blockers:
            raise ServiceError("不能上报：" + "；".join(blockers) + "。")
        return _move(review, actor=actor, to_status=Status.FORWARDED, action="上报盟级复核")


def review_approve(*, actor: User, training_class: TrainingClass) -> ClassReview:
    """League center approves (policy §6.5): the class's records are locked from now on."""
    _require_role(actor, Role.LEAGUE, "只有盟人力资源和就业服务中心可以复核。")
    with transaction.atomic():
        review = _lock_review(actor, training_class)
        if review.status != Status.FORWARDED:
            raise ServiceError(f"评价状态为“{review.get_status_display()}”，只有已上报的培训班可以复核通过。")
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


def _create_trainee_evaluation(enrollment: Enrollment, answers: dict, **extra) -> TraineeEvaluation:
    values = {name: answers[name] for name in TRAINEE_ANSWER_FIELDS if name in answers}
    if not values.get("is_confirmed"):
        raise ServiceError("请本人确认签字后提交。")
    try:
        with transaction.atomic():
            return TraineeEvaluation.objects.create(enrollment=enrollment, **values, **extra)
    except IntegrityError:
        # The partial unique index settles two identical submissions racing each other.
        raise ServiceError("该学员已提交过有效的评价表，无需重复提交。") from None


class TraineeIdentityMismatch(ServiceError):
    """The name + ID number is not on the class roster; the trainee form counts these against guessing."""


def trainee_evaluation_submit_online(*, token: str, name: str, id_number: str, answers: dict) -> TraineeEvaluation:
    """A trainee's own 附表2 through the class link. The trainee proves who they are by name + ID number
    matching the roster; the answer never says which of the two did not match."""
    link = EvaluationLink.objects.select_related("training_class__institution").filter(token=token).first()
    if link is None or link.revoked_at is not None:
        raise ServiceError("该评价链接无效或已停用，请向培训机构或人社部门索取新的二维码。")
    training_class = link.training_class
    if not evaluation_window_is_open(training_class):
        raise ServiceError("现在不在该培训班的评价时间内。")
    _trainee_form_open(ClassReview.objects.filter(training_class=training_class).first())
    enrollment = (
        Enrollment.objects.filter(
            training_class=training_class,
            trainee__id_number=(id_number or "").strip().upper(),
            trainee__name=(name or "").strip(),
        )
        .select_related("trainee")
        .first()
    )
    if enrollment is None:
        raise TraineeIdentityMismatch("姓名或身份证号与本班花名册不符，请核对后重新填写。")
    return _create_trainee_evaluation(enrollment, answers, source=TraineeEvaluation.Source.ONLINE)


def trainee_evaluation_enter_paper(*, actor: User, enrollment: Enrollment, answers: dict) -> TraineeEvaluation:
    """County staff enter a trainee's signed paper 附表2; the entry records who entered it."""
    _require_role(actor, Role.COUNTY, "只有旗县市人社部门可以录入纸质评价表。")
    with transaction.atomic():
        review = _lock_review(actor, enrollment.training_class)
        _trainee_form_open(review)
        return _create_trainee_evaluation(
            enrollment, answers, source=TraineeEvaluation.Source.PAPER, entered_by=actor
        )


def trainee_evaluation_mark_untruthful(*, actor: User, evaluation: TraineeEvaluation, reason: str) -> TraineeEvaluation:
    """Policy §7: a trainee who filled 附表2 untruthfully loses the subsidy; the form no longer counts."""
    _require_role(actor, Role.COUNTY, "只有旗县市人社部门可以认定。")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写认定不如实填报的事实。")
    with transaction.atomic():
        _lock_review(actor, evaluation.enrollment.training_class)
        locked = TraineeEvaluation.objects.select_for_update().get(pk=evaluation.pk)
        if not locked.is_valid:
            raise ServiceError("该评价表已作废。")
        locked.is_valid = False
        locked.invalidated_reason = f"不如实填报：{reason}"
        locked.save(update_fields=["is_valid", "invalidated_reason"])
        enrollment = Enrollment.objects.select_for_update().get(pk=locked.enrollment_id)
        enrollment.is_subsidy_eligible = False
        enrollment.ineligibility_reason = f"附表2不如实填报：{reason}"
        enrollment.save(update_fields=["is_subsidy_eligible", "ineligibility_reason"])
    return locked


def evaluation_link_create(*, actor: User, training_class: TrainingClass) -> EvaluationLink:
    """A new unguessable link for the class's trainees; any earlier link stops working."""
    if actor.role not in (Role.COUNTY, Role.INSTITUTION):
        raise ServiceError("只有旗县市人社部门或本班培训机构可以生成评价链接。")
    with transaction.atomic():
        review = _lock_review(actor, training_class)
        if actor.role == Role.INSTITUTION and review.training_class.institution_id != actor.institution_id:
            raise ServiceError("培训班不存在或无权操作。")
        _trainee_form_open(review)
        EvaluationLink.objects.filter(training_class=training_class, revoked_at__isnull=True).update(revoked_at=timezone.now())
        return EvaluationLink.objects.create(training_class=training_class, token=secrets.token_urlsafe(24), created_by=actor)


def evaluation_link_revoke(*, actor: User, link: EvaluationLink) -> EvaluationLink:
    if actor.role not in (Role.COUNTY, Role.INSTITUTION):
        raise ServiceError("无权操作。")
    with transaction.atomic():
        _lock_review(actor, link.training_class)
        EvaluationLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    link.refresh_from_db()
    return link


# Consequences --------------------------------------------------------------------------------------------


def rectification_issue(*, actor: User, training_class: TrainingClass, requirements: str, deadline: date) -> RectificationNotice:
    """整改通知书 with a deadline (policy §3), issued by the class's county."""
    _require_role(actor, Role.COUNTY, "只有旗县市人社部门可以下达整改通知书。")
    if deadline <= timezone.localdate():
        raise ServiceError("整改期限须晚于今天。")
    with transaction.atomic():
        _lock_review(actor, training_class)
        return RectificationNotice.objects.create(
            training_class=training_class, requirements=requirements.strip(), deadline=deadline, issued_by=actor
        )


def rectification_close(*, actor: User, notice: RectificationNotice, evidence: str) -> RectificationNotice:
    _require_role(actor, Role.COUNTY, "只有旗县市人社部门可以销号。")
    if not (evidence or "").strip():
        raise ServiceError("请填写整改情况及佐证。")
    with transaction.atomic():
        _lock_review(actor, notice.training_class)
        locked = RectificationNotice.objects.select_for_update().get(pk=notice.pk)
        if locked.status != RectificationNotice.Status.OPEN:
            raise ServiceError("该整改通知书已销号。")
        locked.status = RectificationNotice.Status.CLOSED
        locked.evidence = evidence.strip()
        locked.closed_by = actor
        locked.closed_at = timezone.now()
        locked.save()
    return locked


def investigation_open(*, actor: User, training_class: TrainingClass, findings: str = "") -> Investigation:
    _require_role(actor, Role.COUNTY, "只有旗县市人社部门可以立案核查。")
    try:
        with transaction.atomic():
            _lock_review(actor, training_class)
            return Investigation.objects.create(training_class=training_class, findings=findings.strip(), opened_by=actor)
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
        _lock_review(actor, investigation.training_class)
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
    return locked
