"""Phone follow-up (policy §5): drawing samples, recording calls, replacing the unreachable; the employment file.

Drawing is idempotent: the class row is locked and the sample is unique per class, so two workers (or a
worker and the county's button) at once still draw once. Each draw is one transaction: a worker killed
half-way leaves no sample without its trainees.
"""

import logging
import secrets
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, F, Max, OuterRef, Subquery, Value, When
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.audit import audit_event_record, audit_state_change
from accounts.models import AuditEvent, Role, User
from classes import hooks
from classes.models import Enrollment, TrainingClass
from classes.roster_file import RosterFileError
from classes.selectors import classes_visible_to
from xingan_training.errors import ServiceError

from .employment_file import check_employment_rows
from .models import CallAttempt, EmploymentRecord, FollowupItem, FollowupSample, Reminder
from .replacement import replacement_reason
from .sampling import draw_order, followup_due_date, sample_size
from .selectors import followup_items_visible_to, overdue_samples, with_completion_counts

logger = logging.getLogger(__name__)
SWEEP_BATCH = 200
EMPLOYMENT_FIELDS = ("destination", "employer", "monthly_wage", "skill_improvement")
TEXT_ANSWER_FIELDS = ("employer", "skill_improvement", "suggestions")


def _new_sample(training_class: TrainingClass, candidates: list[int], *, trigger: str,
                actor: User | None) -> tuple[FollowupSample, list[FollowupItem]]:
    seed = secrets.token_hex(16)
    order = draw_order(candidates, seed)
    target = sample_size(len(candidates))
    sample = FollowupSample(
        training_class=training_class,
        seed=seed,
        candidates=sorted(candidates),
        order=order,
        target_size=target,
        due_date=followup_due_date(training_class.assessment_end_date),
        trigger=trigger,
        drawn_by=actor,
    )
    items = [FollowupItem(enrollment_id=enrollment_id, position=position) for position, enrollment_id in enumerate(order[:target])]
    return sample, items


def _eligible_classes():
    """Classes whose assessment has ended, with a roster and no sample yet."""
    return TrainingClass.objects.filter(
        assessment_end_date__isnull=False,
        assessment_end_date__lte=timezone.localdate(),
        followup_sample__isnull=True,
    ).filter(Exists(Enrollment.objects.filter(training_class=OuterRef("pk"))))


def followup_sample_draw(*, training_class_id: int, trigger: str, actor: User | None = None) -> FollowupSample | None:
    """Draws the class's sample once; returns the existing sample when there is one, None when the class
    is not due (assessment not ended) or has nobody to phone.

    ``trigger`` records which path drew it (FollowupSample.Trigger); only a manual draw names its actor.
    """
    if trigger not in FollowupSample.Trigger.values or (trigger == FollowupSample.Trigger.MANUAL) != (actor is not None):
        raise ValueError(f"a draw by {trigger!r} with actor {actor!r}: only a manual draw has an actor, and it must")
    sample, _drawn_now = _draw_once(training_class_id=training_class_id, trigger=trigger, actor=actor)
    return sample


def _draw_once(*, training_class_id: int, trigger: str, actor: User | None) -> tuple[FollowupSample | None, bool]:
    """The draw itself; the flag says whether this call drew the sample (False when it found one), so the
    sweep counts only its own draws."""
    try:
        with transaction.atomic():
            training_class = TrainingClass.objects.select_for_update().get(pk=training_class_id)
            existing = FollowupSample.objects.filter(training_class=training_class).first()
            if existing is not None:
                return existing, False
            if training_class.assessment_end_date is None or training_class.assessment_end_date > timezone.localdate():
                return None, False
            candidates = list(training_class.enrollments.values_list("id", flat=True))
            if not candidates:
                return None, False
            sample, items = _new_sample(training_class, candidates, trigger=trigger, actor=actor)
            sample.save()
            for item in items:
                item.sample = sample
            FollowupItem.objects.bulk_create(items)
            audit_state_change(action=AuditEvent.Action.FOLLOWUP, actor=actor, target=training_class,
                               step=f"抽取回访样本（{sample.get_trigger_display()}，{len(items)} 人）")
            return sample, True
    except IntegrityError:
        # Another worker drew it between our check and our insert: theirs stands.
        return FollowupSample.objects.get(training_class_id=training_class_id), False


def followup_sample_draw_for(*, actor: User, training_class: TrainingClass) -> FollowupSample:
    """The county's "draw now" button: same draw, refused outside the county's scope or before assessment ends."""
    if actor.role not in (Role.COUNTY, Role.LEAGUE) or not classes_visible_to(actor).filter(pk=training_class.pk).exists():
        raise ServiceError("只有人社部门可以抽取回访样本。")
    sample = followup_sample_draw(training_class_id=training_class.pk, trigger=FollowupSample.Trigger.MANUAL, actor=actor)
    if sample is None:
        raise ServiceError("培训鉴定结束后、花名册不为空时才能抽取回访样本。")
    return sample


def followup_samples_sweep(*, trigger: str = FollowupSample.Trigger.SWEEP, batch_size: int = SWEEP_BATCH) -> int:
    """The beat sweep (or ``manage.py sample_followups``, trigger COMMAND): draws every due class in batches;
    returns how many samples it drew.

    Each batch locks its class rows with SKIP LOCKED (PostgreSQL), so two sweeping workers share the work
    instead of waiting; the unique sample per class settles anything that still collides.
    """
    if trigger not in (FollowupSample.Trigger.SWEEP, FollowupSample.Trigger.COMMAND):
        raise ValueError(f"the sweep is drawn by the beat or the command line, not {trigger!r}")
    drawn = 0
    after = 0  # keyset: each batch starts past the last one, so the sweep reads the classes once, not once per batch
    while True:
        with transaction.atomic():
            batch = list(
                _eligible_classes().filter(pk__gt=after).select_for_update(skip_locked=True, of=("self",)).order_by("pk")[:batch_size]
            )
            if not batch:
                return drawn
            after = batch[-1].pk
            candidates: dict[int, list[int]] = {training_class.pk: [] for training_class in batch}
            for class_id, enrollment_id in Enrollment.objects.filter(training_class__in=batch).values_list(
                "training_class_id", "id"
            ):
                candidates[class_id].append(enrollment_id)
            drafts = [
                _new_sample(training_class, candidates[training_class.pk], trigger=trigger, actor=None) for training_class in batch
            ]
            try:
                with transaction.atomic():
                    samples = FollowupSample.objects.bulk_create([sample for sample, _items in drafts])
                    items = []
                    for sample, (_draft, sample_items) in zip(samples, drafts):
                        for item in sample_items:
                            item.sample = sample
                            items.append(item)
                    FollowupItem.objects.bulk_create(items, batch_size=1000)
                    drawn += len(samples)
            except IntegrityError:
                # Another worker or a button click drew one of these meanwhile (a class row it had locked and
                # released is not skipped, and this statement's snapshot predates its sample): fall back to
                # one class at a time, counting only the samples this sweep drew.
                for training_class in batch:
                    _sample, drawn_now = _draw_once(training_class_id=training_class.pk, trigger=trigger, actor=None)
                    drawn += drawn_now


def enqueue_sample_draw(training_class_id: int) -> None:
    """Queues the draw after the surrounding transaction commits. A broker that is down costs nothing:
    the finished class is already in the database, and the daily sweep draws it."""
    from .tasks import draw_followup_sample

    def send():
        try:
            draw_followup_sample.apply_async(args=[training_class_id], retry=False)
        except (OperationalError, OSError) as error:
            logger.warning("follow-up draw for class %s left to the sweep: broker unavailable (%s)", training_class_id, error)

    transaction.on_commit(send)


def _require_caller(actor: User) -> None:
    if actor.role not in (Role.COUNTY, Role.LEAGUE):
        raise ServiceError("只有盟、旗县市人社部门可以电话回访。")


def followup_phone_reveal(*, actor: User, item: FollowupItem, request=None) -> str:
    """The caller sees the full number the class's roster gave (not another roster's); each view is audited. An
    auditor reading as bureau staff (User.read_role) sees it too, audited alike; it cannot record a call."""
    if actor.read_role not in (Role.COUNTY, Role.LEAGUE):
        raise ServiceError("只有盟、旗县市人社部门可以电话回访。")
    if not followup_items_visible_to(actor).filter(pk=item.pk).exists():
        raise ServiceError("回访对象不存在或无权查看。")
    enrollment = item.enrollment
    audit_event_record(action=AuditEvent.Action.VIEW_PERSONAL_DATA, request=request, actor=actor,
                       target=enrollment.trainee, detail="电话回访查看联系电话")
    return enrollment.phone


def call_attempt_record(*, actor: User, item: FollowupItem, outcome: str, callback_at=None, note: str = "",
                        answers: dict | None = None) -> CallAttempt:
    """Keeps one call (bureau staff within their scope; refused for anyone else and once the trainee is no
    longer pending). A completed call stores the answers and feeds the employment file. 空号 or 拒绝回访
    replaces the trainee at once by the next of the random order; 无人接听, 关机 and 占线 do so when they reach
    FOLLOWUP_MAX_FAILED_ATTEMPTS (policy §5 Decision, followups/replacement.py)."""
    _require_caller(actor)
    if outcome not in CallAttempt.Outcome.values:
        raise ServiceError("请选择通话结果。")
    if outcome == CallAttempt.Outcome.CALLBACK and callback_at is None:
        raise ServiceError("约定回拨须填写回拨时间。")
    with transaction.atomic():
        locked = followup_items_visible_to(actor).select_for_update(of=("self",)).filter(pk=item.pk).first()
        if locked is None:
            raise ServiceError("回访对象不存在或无权操作。")
        if locked.status != FollowupItem.Status.PENDING:
            raise ServiceError(f"该学员回访状态为“{locked.get_status_display()}”，不能再记录通话。")
        attempt = CallAttempt.objects.create(item=locked, caller=actor, outcome=outcome, callback_at=callback_at, note=note.strip())
        if outcome == CallAttempt.Outcome.COMPLETED:
            _complete(actor, locked, answers or {})
            # The answers may contradict the trainee's 附表2 (policy §5): a fraud signal (§8.4).
            hooks.notify_class_changed(locked.sample.training_class_id, hooks.ClassChange.FOLLOWUP_CALL)
        else:
            reason = replacement_reason(
                list(locked.attempts.values_list("outcome", flat=True)),
                max_failed_attempts=settings.FOLLOWUP_MAX_FAILED_ATTEMPTS,
            )
            if reason is not None:
                _replace(locked, reason)
        audit_state_change(action=AuditEvent.Action.FOLLOWUP, actor=actor, target=locked,
                           step=f"记录回访通话：{attempt.get_outcome_display()}",
                           from_label=FollowupItem.Status.PENDING.label, to_label=locked.get_status_display())
    return attempt


def _complete(actor: User, item: FollowupItem, answers: dict) -> None:
    required = ("received_training", "satisfaction", "employment_status")
    if any(answers.get(name) in (None, "") for name in required):
        raise ServiceError("接通完成须填写是否参加培训、满意度和就业状况。")
    # Whether the trainee completed the class is what 附表2 is checked against (policy §5): a trainee who
    # attended must answer it; one who did not attend did not complete, and is not asked.
    if answers["received_training"] and answers.get("completed_training") is None:
        raise ServiceError("学员参加了培训时须填写是否完成了此次培训。")
    if not answers["received_training"] and answers.get("completed_training"):
        raise ServiceError("学员表示未参加培训，不能同时记录为已完成培训。")
    item.received_training = answers["received_training"]
    item.completed_training = answers.get("completed_training") if answers["received_training"] else None
    item.satisfaction = answers["satisfaction"]
    item.employment_status = answers["employment_status"]
    item.monthly_wage = answers.get("monthly_wage")
    # Free-text answers are kept whatever else is left empty; a missing one is stored as empty text.
    for name in TEXT_ANSWER_FIELDS:
        setattr(item, name, (answers.get(name) or "").strip())
    item.status = FollowupItem.Status.COMPLETED
    item.completed_at = timezone.now()
    item.save()
    # The sample's counts of completed calls (the coverage report), in this same transaction: on time when
    # completed on or before the due date (policy §5), by the local date as the class pages count it.
    FollowupSample.objects.filter(pk=item.sample_id).update(
        completed_calls=F("completed_calls") + 1,
        completed_on_time=F("completed_on_time") + Case(
            When(due_date__gte=timezone.localdate(item.completed_at), then=Value(1)), default=Value(0)
        ),
    )
    EmploymentRecord.objects.update_or_create(
        enrollment_id=item.enrollment_id,
        defaults={
            "destination": item.employment_status,
            "employer": item.employer,
            "monthly_wage": item.monthly_wage,
            "skill_improvement": item.skill_improvement,
            "source": EmploymentRecord.Source.FOLLOWUP,
            "updated_by": actor,
        },
    )


def _replace(item: FollowupItem, reason: str) -> FollowupItem | None:
    sample = FollowupSample.objects.select_for_update().get(pk=item.sample_id)
    next_position = sample.items.aggregate(last=Max("position"))["last"] + 1
    replacement = None
    if next_position < len(sample.order):
        replacement = FollowupItem.objects.create(
            sample=sample, enrollment_id=sample.order[next_position], position=next_position
        )
    item.status = FollowupItem.Status.REPLACED
    item.replaced_by = replacement
    item.replacement_reason = reason
    item.save(update_fields=["status", "replaced_by", "replacement_reason"])
    return replacement


def _require_own_class(actor: User, training_class: TrainingClass) -> None:
    # Policy §6.8: the employment file is not part of the approved record; institutions keep tracking
    # employment after the league's approval (S1 三).
    if actor.role != Role.INSTITUTION or training_class.institution_id != actor.institution_id:
        raise ServiceError("只有本班培训机构可以维护就业跟踪档案。")


def employment_record_save(*, actor: User, enrollment: Enrollment, destination: str, employer: str = "",
                           monthly_wage=None, skill_improvement: str = "") -> EmploymentRecord:
    """The institution keeps its trainees' employment file (S1 三); a follow-up answer may overwrite it."""
    _require_own_class(actor, enrollment.training_class)
    if destination not in FollowupItem.EmploymentStatus.values:
        raise ServiceError("请选择就业去向。")
    record, _created = EmploymentRecord.objects.update_or_create(
        enrollment=enrollment,
        defaults={"destination": destination, "employer": employer.strip(), "monthly_wage": monthly_wage,
                  "skill_improvement": skill_improvement.strip(), "source": EmploymentRecord.Source.INSTITUTION,
                  "updated_by": actor},
    )
    return record


def reminders_create_for_overdue(*, today: date | None = None) -> int:
    """Daily: reminds the county staff of each class whose follow-up is overdue and short of its target."""
    today = today or timezone.localdate()
    created = 0
    for sample in overdue_samples(today=today):
        county = sample.training_class.institution.county
        message = (
            f"培训班 {sample.training_class.batch_number} 的电话回访已于 {sample.due_date:%Y-%m-%d} 到期，"
            f"已完成 {sample.completed_calls} 人，须完成 {sample.target_size} 人。"
        )
        for user in User.objects.filter(role=Role.COUNTY, region=county, is_active=True):
            _reminder, is_new = Reminder.objects.get_or_create(
                user=user, training_class=sample.training_class, created_on=today, defaults={"message": message}
            )
            if is_new:
                created += 1
                if user.email:
                    send_mail("电话回访逾期提醒", message, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=True)
    return created


def employment_records_import(*, actor: User, training_class: TrainingClass, data: bytes) -> tuple[int, list]:
    """Imports a filled employment file for a class: every row or none. Returns (rows written, row errors)."""
    _require_own_class(actor, training_class)
    # The file shows each roster's own name (employment_export_xlsx), so the names are checked against it.
    names = dict(training_class.enrollments.values_list("id", "roster_name"))
    try:
        rows, errors = check_employment_rows(
            data, enrollments_by_id=names, max_bytes=settings.ROSTER_UPLOAD_MAX_BYTES, max_rows=settings.ROSTER_MAX_ROWS
        )
    except RosterFileError as error:
        raise ServiceError(str(error)) from None
    if errors:
        return 0, errors
    with transaction.atomic():
        for row in rows:
            EmploymentRecord.objects.update_or_create(
                enrollment_id=row.pop("enrollment_id"),
                defaults={**row, "source": EmploymentRecord.Source.INSTITUTION, "updated_by": actor},
            )
    return len(rows), []


def followup_call_counts_rebuild(*, sample_ids=None) -> int:
    """Recounts the samples' completed calls and those on time (every sample when ``sample_ids`` is None) from
    their items, as selectors.with_completion_counts counts them: for loaders that write calls in bulk, never
    through call_attempt_record (seed_scale). Returns the number of samples written."""
    samples = FollowupSample.objects.all()
    if sample_ids is not None:
        samples = samples.filter(pk__in=list(sample_ids))
    counted = with_completion_counts(FollowupSample.objects.filter(pk=OuterRef("pk")))
    return samples.update(
        completed_calls=Subquery(counted.values("completed")[:1]),
        completed_on_time=Subquery(counted.values("on_time")[:1]),
    )
