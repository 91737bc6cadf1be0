"""Writes of the institutions' yearly performance and the red/black list (policy §8.7, S2 四(二)).

League staff evaluate an institution's year item by item, decide each red/black list entry with its reason and
date, publish it or not, and may withdraw it. A black entry takes the institution out of the subsidised catalogue
(classes.services.training_class_create and training_class_start refuse it then); league staff re-admit it with a
reason. Every catalogue change is a CatalogueStatusChange row.
"""

import re
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import audit_state_change
from accounts.models import AuditEvent, User
from classes.models import Institution
from evaluations.models import Rating
from xingan_training.errors import ServiceError

from .models import CatalogueStatusChange, InstitutionEvaluation, ListDecision
from .models.performance import PERFORMANCE_ITEMS
from .performance_selectors import (
    can_evaluate_institutions,
    institution_evaluations_visible_to,
    institution_year_evidence,
    institutions_for_evaluation,
    list_decisions_visible_to,
)

# The first year the portal evaluates: S1 (兴人社办发〔2021〕55号) dates from 2021.
FIRST_YEAR = 2021
NOTE_MAX = 500
REASON_MAX = 500
SUMMARY_MAX = 1000
# Policy §8.7 Decision: a rating of 一般 or 差 says why.
RATINGS_NEEDING_A_NOTE = (Rating.FAIR, Rating.POOR)
# A published reason is read by anyone: it must not carry an ID number or a mobile number.
PERSONAL_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|1[3-9][0-9]{9})(?![0-9])")


def _require_league(actor: User, message: str) -> None:
    if not can_evaluate_institutions(actor):
        raise ServiceError(message)


def _today() -> date:
    return timezone.localdate()


def institution_evaluation_save(
    *, actor: User, institution: Institution, year: int, ratings: dict[str, str], notes: dict[str, str],
    evaluated_on: date, summary: str = "",
) -> InstitutionEvaluation:
    """League staff write (or revise) an institution's evaluation of ``year``: the five items of S2 四(二), each
    优/良/一般/差 with a note (required for 一般 and 差), and the evaluation date. Refused for anyone but league staff,
    an institution outside their league, a year before 2021 or not begun, a date outside [1 January of the year,
    today], a missing or unknown rating. Revisions keep their history."""
    _require_league(actor, "只有盟级人社部门可以开展培训机构年度绩效评估。")
    today = _today()
    if not isinstance(year, int) or not FIRST_YEAR <= year <= today.year:
        raise ServiceError(f"评估年度应在{FIRST_YEAR}年至{today.year}年之间。")
    if not date(year, 1, 1) <= evaluated_on <= today:
        raise ServiceError(f"评估日期应在{year}年1月1日至今天之间。")
    values = {}
    for name, label in PERFORMANCE_ITEMS:
        rating = ratings.get(name, "")
        if rating not in Rating.values:
            raise ServiceError(f"请为“{label}”评定等级（优、良、一般、差）。")
        note = (notes.get(name) or "").strip()
        if len(note) > NOTE_MAX:
            raise ServiceError(f"“{label}”的说明不能超过{NOTE_MAX}字。")
        if rating in RATINGS_NEEDING_A_NOTE and not note:
            raise ServiceError(f"“{label}”评为“{Rating(rating).label}”，请写明说明。")
        values[name] = rating
        values[f"{name}_note"] = note
    summary = (summary or "").strip()
    if len(summary) > SUMMARY_MAX:
        raise ServiceError(f"综合意见不能超过{SUMMARY_MAX}字。")
    with transaction.atomic():
        locked = institutions_for_evaluation(actor).select_for_update().filter(pk=institution.pk).first()
        if locked is None:
            raise ServiceError("培训机构不存在或无权操作。")
        # The institution row is locked: two officers saving the same year meet here, one after the other.
        evaluation = InstitutionEvaluation.objects.filter(institution=locked, year=year).first()
        evaluation = evaluation or InstitutionEvaluation(institution=locked, year=year)
        for name, value in values.items():
            setattr(evaluation, name, value)
        evaluation.evaluated_on = evaluated_on
        evaluation.summary = summary
        evaluation.evaluated_by = actor
        evaluation._history_user = actor
        evaluation.save()
    return evaluation


def _check_publishable_text(reason: str) -> None:
    if PERSONAL_NUMBER.search(reason):
        raise ServiceError("红黑名单的理由会向社会公布，不能含有身份证号或手机号。")


def _catalogue_status_change(
    institution: Institution, *, to_status: str, actor: User, reason: str, list_decision: ListDecision | None = None
) -> CatalogueStatusChange:
    """Moves a locked institution in or out of the catalogue and keeps the row that says who, when and why."""
    change = CatalogueStatusChange.objects.create(
        institution=institution, from_status=institution.catalogue_status, to_status=to_status, reason=reason[:500],
        list_decision=list_decision, changed_by=actor,
    )
    from_label = institution.get_catalogue_status_display()
    institution.catalogue_status = to_status
    institution._history_user = actor
    institution.save(update_fields=["catalogue_status"])
    audit_state_change(action=AuditEvent.Action.LIST_DECISION, actor=actor, target=institution, step="目录状态变更",
                       from_label=from_label, to_label=institution.get_catalogue_status_display(), note=reason)
    return change


def list_decision_record(
    *, actor: User, evaluation: InstitutionEvaluation, listing: str, reason: str, decided_on: date, publish: bool = False,
) -> ListDecision:
    """League staff decide an institution's year: 红名单, 黑名单 or 不列入, with the reason and the date, published
    at once or later. The portal's proposal at that moment is kept beside the decision.

    A black entry takes the institution out of the subsidised catalogue (已退出目录), with a history row.
    Refused for anyone but league staff of the institution's league, without a reason, with a reason carrying an ID
    or mobile number (red/black), a date before the evaluation date or after today, publishing 不列入, a red entry
    for an institution outside the catalogue, and a second standing decision of the same year (withdraw it first)."""
    _require_league(actor, "只有盟级人社部门可以决定红黑名单。")
    if listing not in ListDecision.Listing.values:
        raise ServiceError("请选择：列入红名单、列入黑名单或不列入。")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写理由。")
    if len(reason) > REASON_MAX:
        raise ServiceError(f"理由不能超过{REASON_MAX}字。")
    if listing in ListDecision.PUBLISHABLE:
        _check_publishable_text(reason)
    elif publish:
        raise ServiceError("“不列入”的决定不公布。")
    today = _today()
    with transaction.atomic():
        locked_evaluation = (
            institution_evaluations_visible_to(actor).select_for_update().filter(pk=evaluation.pk).first()
        )
        if locked_evaluation is None:
            raise ServiceError("年度评估不存在或无权操作。")
        if not locked_evaluation.evaluated_on <= decided_on <= today:
            raise ServiceError(f"决定日期应在评估日期（{locked_evaluation.evaluated_on:%Y-%m-%d}）至今天之间。")
        institution = Institution.objects.select_for_update().get(pk=locked_evaluation.institution_id)
        if list_decisions_visible_to(actor).filter(evaluation=locked_evaluation, withdrawn_at__isnull=True).exists():
            raise ServiceError(f"该机构{locked_evaluation.year}年度已有名单决定；如需改变，请先撤销原决定。")
        if listing == ListDecision.Listing.RED and institution.catalogue_status != Institution.CatalogueStatus.LISTED:
            raise ServiceError("该机构不在补贴性培训机构目录内，不能列入红名单。")
        evidence = institution_year_evidence(actor, [institution.pk], year=locked_evaluation.year, today=today)
        now = timezone.now()
        decision = ListDecision(
            evaluation=locked_evaluation, listing=listing, reason=reason, decided_on=decided_on, decided_by=actor,
            proposed_reasons=evidence[institution.pk].proposed_reasons(),
            is_published=publish, published_at=now if publish else None, published_by=actor if publish else None,
        )
        decision._history_user = actor
        try:
            with transaction.atomic():
                decision.save()
        except IntegrityError:
            raise ServiceError(f"该机构{locked_evaluation.year}年度已有名单决定；如需改变，请先撤销原决定。") from None
        audit_state_change(action=AuditEvent.Action.LIST_DECISION, actor=actor, target=decision,
                           step=f"{locked_evaluation.year}年度名单决定：{decision.get_listing_display()}"
                                + ("（即时公布）" if publish else ""), note=reason)
        if listing == ListDecision.Listing.BLACK and institution.catalogue_status != Institution.CatalogueStatus.REMOVED:
            _catalogue_status_change(
                institution, to_status=Institution.CatalogueStatus.REMOVED, actor=actor, list_decision=decision,
                reason=f"列入{locked_evaluation.year}年度黑名单：{reason}",
            )
    return decision


def _lock_standing_decision(actor: User, decision: ListDecision) -> ListDecision:
    locked = list_decisions_visible_to(actor).select_for_update().filter(pk=decision.pk).select_related("evaluation").first()
    if locked is None:
        raise ServiceError("名单决定不存在或无权操作。")
    if locked.withdrawn_at is not None:
        raise ServiceError("该决定已撤销。")
    return locked


def list_decision_publish(*, actor: User, decision: ListDecision) -> ListDecision:
    """League staff publish a red or black entry kept unpublished so far. Refused for anyone else, a withdrawn or
    already published decision, and 不列入."""
    _require_league(actor, "只有盟级人社部门可以公布红黑名单。")
    with transaction.atomic():
        locked = _lock_standing_decision(actor, decision)
        if locked.listing not in ListDecision.PUBLISHABLE:
            raise ServiceError("“不列入”的决定不公布。")
        if locked.is_published:
            raise ServiceError("该决定已公布。")
        _check_publishable_text(locked.reason)
        locked.is_published = True
        locked.published_at = timezone.now()
        locked.published_by = actor
        locked._history_user = actor
        locked.save(update_fields=["is_published", "published_at", "published_by"])
        audit_state_change(action=AuditEvent.Action.LIST_DECISION, actor=actor, target=locked,
                           step=f"公布{locked.evaluation.year}年度名单决定：{locked.get_listing_display()}")
    return locked


def list_decision_withdraw(*, actor: User, decision: ListDecision, reason: str) -> ListDecision:
    """League staff withdraw a decision (it leaves the public pages; the row and its history stay), so that the
    year can be decided anew. Withdrawing a black entry does not re-admit the institution: that is
    institution_readmit, with its own reason. Refused for anyone else, without a reason, or twice."""
    _require_league(actor, "只有盟级人社部门可以撤销红黑名单决定。")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写撤销原因。")
    if len(reason) > REASON_MAX:
        raise ServiceError(f"撤销原因不能超过{REASON_MAX}字。")
    with transaction.atomic():
        locked = _lock_standing_decision(actor, decision)
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by = actor
        locked.withdrawal_reason = reason
        locked._history_user = actor
        locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
        audit_state_change(action=AuditEvent.Action.LIST_DECISION, actor=actor, target=locked,
                           step=f"撤销{locked.evaluation.year}年度名单决定：{locked.get_listing_display()}", note=reason)
    return locked


def institution_readmit(*, actor: User, institution: Institution, reason: str) -> CatalogueStatusChange:
    """League staff take an institution back into the subsidised catalogue (在目录内), with the reason. Refused for
    anyone else, without a reason, and for an institution already in the catalogue."""
    _require_league(actor, "只有盟级人社部门可以将培训机构重新纳入目录。")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写重新纳入目录的理由。")
    if len(reason) > REASON_MAX:
        raise ServiceError(f"理由不能超过{REASON_MAX}字。")
    with transaction.atomic():
        locked = institutions_for_evaluation(actor).select_for_update().filter(pk=institution.pk).first()
        if locked is None:
            raise ServiceError("培训机构不存在或无权操作。")
        if locked.catalogue_status == Institution.CatalogueStatus.LISTED:
            raise ServiceError("该机构已在补贴性培训机构目录内。")
        return _catalogue_status_change(
            locked, to_status=Institution.CatalogueStatus.LISTED, actor=actor, reason=f"重新纳入目录：{reason}"
        )
