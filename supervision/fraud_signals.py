"""Fraud signals (policy §8.4): every write, one function per transition.

- ``fraud_signals_recompute`` (a task after each relevant change, see ``enqueue_recompute``) and
  ``fraud_signals_sweep`` (nightly, every class in batches) compare what the detectors find with the stored rows:
  a new finding opens a signal, a signal no longer found reads 不再出现, one found again is back. Idempotent.
- ``fraud_signal_dismiss``: the county dismisses a signal with a reason; the dismissal survives every recompute.

Signals inform the county's evaluation; they never block (nothing here is a forwarding blocker).

Concurrency. A recompute locks its classes' ClassSignalCheck rows before it reads the facts, so two recomputes of
one class run one after the other and the second reads what the first wrote. Two recomputes of different classes
may still share a subject (a phone across two classes): each row remembers when the facts behind it were read
(``checked_at``) and an older read never overwrites a newer one. The sweep takes its batches with SKIP LOCKED.
"""

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.audit import audit_state_change
from accounts.models import AuditEvent, Role, User
from classes.models import TrainingClass
from xingan_training.errors import ServiceError

from . import signal_facts
from . import signals_detection as detection
from .models import ClassSignalCheck, FraudSignal
from .signal_selectors import fraud_signals_visible_to

logger = logging.getLogger(__name__)
SWEEP_BATCH = 500
CHECK_ROWS_CHUNK = 5000
# A nightly batch may touch thousands of subjects and rows: they are read in chunks the SQL parameter limit allows.
SUBJECT_CHUNK = 900
DISMISSAL_REASON_MAX = 500


@dataclass
class RecomputeResult:
    classes: int = 0
    created: int = 0
    reopened: int = 0
    no_longer_detected: int = 0
    created_by_kind: Counter = field(default_factory=Counter)

    def add(self, other: "RecomputeResult") -> None:
        self.classes += other.classes
        self.created += other.created
        self.reopened += other.reopened
        self.no_longer_detected += other.no_longer_detected
        self.created_by_kind.update(other.created_by_kind)


def evidence_digest(evidence: dict) -> str:
    return hashlib.sha256(json.dumps(evidence, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# Recompute ---------------------------------------------------------------------------------------------------


def _lock_checks(class_ids: list[int], *, unless_checked_since: datetime | None) -> list[int]:
    """Locks the ClassSignalCheck rows of existing classes among ``class_ids`` (creating the missing ones) in id
    order; returns those still to recompute: not checked since ``unless_checked_since``, if given."""
    existing = set(TrainingClass.objects.filter(pk__in=class_ids).values_list("pk", flat=True))
    ClassSignalCheck.objects.bulk_create(
        [ClassSignalCheck(training_class_id=class_id) for class_id in sorted(existing)], ignore_conflicts=True
    )
    locked = ClassSignalCheck.objects.filter(training_class_id__in=existing).select_for_update()
    return [
        class_id for class_id, checked_at in locked.order_by("training_class_id").values_list("training_class_id", "checked_at")
        if unless_checked_since is None or checked_at is None or checked_at < unless_checked_since
    ]


def _existing_rows(class_ids: list[int], subjects: frozenset[str]) -> dict[tuple, FraudSignal]:
    """The stored rows a recompute decides: those of its classes and those about a subject it loaded completely,
    locked in id order (two recomputes never wait on each other in a circle)."""
    ids = set(FraudSignal.objects.filter(training_class_id__in=class_ids).values_list("pk", flat=True))
    # Signals are few and subjects many (one per trainee and phone of the classes): intersect in memory first.
    stored = set(FraudSignal.objects.exclude(subject__startswith="class:").order_by().values_list("subject", flat=True).distinct())
    ordered_subjects = sorted(stored & subjects)
    for start in range(0, len(ordered_subjects), SUBJECT_CHUNK):
        chunk = ordered_subjects[start:start + SUBJECT_CHUNK]
        ids.update(FraudSignal.objects.filter(subject__in=chunk).values_list("pk", flat=True))
    ordered_ids = sorted(ids)
    rows = {}
    for start in range(0, len(ordered_ids), SUBJECT_CHUNK):
        chunk = ordered_ids[start:start + SUBJECT_CHUNK]
        for row in FraudSignal.objects.filter(pk__in=chunk).select_for_update().order_by("pk"):
            rows[(row.kind, row.training_class_id, row.key)] = row
    return rows


def _reconcile(class_ids: list[int], loaded: signal_facts.LoadedFacts, *, read_at: datetime) -> RecomputeResult:
    findings = [
        finding for finding in detection.all_findings(
            loaded.facts, phone_key=signal_facts.phone_key, far_metres=settings.CHECKIN_FAR_METRES
        )
        if finding.subject in loaded.subjects
    ]
    wanted = {(finding.kind, class_id, finding.key): finding for finding in findings for class_id in finding.class_ids}
    result = RecomputeResult(classes=len(class_ids))
    changed = []
    for identity, row in _existing_rows(class_ids, loaded.subjects).items():
        finding = wanted.pop(identity, None)
        if row.checked_at > read_at:
            continue  # a recompute that read later has written this row already
        row.checked_at = read_at
        if finding is not None:
            row.evidence, row.evidence_digest, row.last_detected_at = finding.evidence, evidence_digest(finding.evidence), read_at
            if row.status == FraudSignal.Status.NOT_DETECTED:
                # Back again: a dismissal stands (policy §8.4: dismissed by the county, with its reason).
                row.status = FraudSignal.Status.DISMISSED if row.dismissed_at else FraudSignal.Status.OPEN
                row.not_detected_since = None
                result.reopened += 1
        elif row.status != FraudSignal.Status.NOT_DETECTED:
            row.status, row.not_detected_since = FraudSignal.Status.NOT_DETECTED, read_at
            result.no_longer_detected += 1
        changed.append(row)
    FraudSignal.objects.bulk_update(
        changed, ["evidence", "evidence_digest", "last_detected_at", "checked_at", "status", "not_detected_since"],
        batch_size=500,
    )
    new_rows = [
        FraudSignal(
            kind=kind, training_class_id=class_id, key=key, subject=finding.subject, evidence=finding.evidence,
            evidence_digest=evidence_digest(finding.evidence), status=FraudSignal.Status.OPEN,
            first_detected_at=read_at, last_detected_at=read_at, checked_at=read_at,
        )
        for (kind, class_id, key), finding in sorted(wanted.items())
    ]
    # ignore_conflicts: a recompute of another class sharing the subject may insert the same row at the same time
    # (theirs stands; the counts below then include it once more).
    FraudSignal.objects.bulk_create(new_rows, ignore_conflicts=True, batch_size=500)
    result.created = len(new_rows)
    result.created_by_kind.update(row.kind for row in new_rows)
    return result


def _stored_subjects(class_ids: list[int]) -> dict[str, set[int]]:
    """The people, teachers and phones (as the enrollments that gave them) behind the classes' standing
    cross-class signals: the recompute decides them again even if they have just left these classes."""
    subjects = {"trainee": set(), "teacher": set(), "phone_enrollment": set()}
    standing = FraudSignal.objects.filter(training_class_id__in=class_ids).exclude(status=FraudSignal.Status.NOT_DETECTED)
    people = standing.filter(Q(subject__startswith="trainee:") | Q(subject__startswith="teacher:"))
    for subject in people.values_list("subject", flat=True):
        kind, _, number = subject.partition(":")
        subjects[kind].add(int(number))
    for evidence in standing.filter(kind=FraudSignal.Kind.SHARED_PHONE).values_list("evidence", flat=True):
        subjects["phone_enrollment"].update(row["enrollment_id"] for row in evidence["rows"])
    return subjects


def _recompute_locked(class_ids: list[int]) -> RecomputeResult:
    if not class_ids:
        return RecomputeResult()
    read_at = timezone.now()
    stored = _stored_subjects(class_ids)
    loaded = signal_facts.facts_for(
        class_ids, also_trainee_ids=stored["trainee"], also_teacher_ids=stored["teacher"],
        also_phone_enrollment_ids=stored["phone_enrollment"],
    )
    result = _reconcile(class_ids, loaded, read_at=read_at)
    ClassSignalCheck.objects.filter(training_class_id__in=class_ids).update(checked_at=read_at)
    return result


def fraud_signals_recompute(*, class_ids: Iterable[int], unless_checked_since: datetime | None = None) -> RecomputeResult:
    """Recomputes the signals of these classes and of every subject they touch (the other classes of their
    trainees, phones and teachers). For the task and for seeding; no actor: it only writes what the facts say.
    A class that no longer exists is skipped, and so is one recomputed since ``unless_checked_since`` (the task
    passes when it was queued: a burst of changes to one class, such as a classroom filling in 附表2, queues
    many tasks, and the first to run has read every change committed before they were queued)."""
    ordered = sorted(set(class_ids))
    with transaction.atomic():
        return _recompute_locked(_lock_checks(ordered, unless_checked_since=unless_checked_since))


def fraud_signals_sweep(*, batch_size: int = SWEEP_BATCH) -> RecomputeResult:
    """Nightly: recomputes every class not recomputed since the sweep started, a batch at a time.

    Each batch is one transaction that takes its classes with SKIP LOCKED, so two sweeping workers share the work
    and a class being recomputed after a change is left to that recompute. Running it again finds nothing new."""
    started = timezone.now()
    # Every class gets its check row, a bounded chunk at a time (100,000 classes are never held in memory at once).
    missing = TrainingClass.objects.filter(signal_check__isnull=True).values_list("pk", flat=True).iterator(chunk_size=CHECK_ROWS_CHUNK)
    while chunk := list(islice(missing, CHECK_ROWS_CHUNK)):
        ClassSignalCheck.objects.bulk_create([ClassSignalCheck(training_class_id=class_id) for class_id in chunk], ignore_conflicts=True)
    total = RecomputeResult()
    after = 0  # keyset: each batch starts past the last one, so the sweep reads the table once, not once per batch
    while True:
        with transaction.atomic():
            batch = list(
                ClassSignalCheck.objects.filter(Q(checked_at__isnull=True) | Q(checked_at__lt=started), training_class_id__gt=after)
                .select_for_update(skip_locked=True).order_by("training_class_id")
                .values_list("training_class_id", flat=True)[:batch_size]
            )
            if not batch:
                return total
            total.add(_recompute_locked(batch))
        after = batch[-1]


# A burst of changes to one class (a classroom filling in 附表2: 100 forms a minute) must cost one recompute, not
# one per form. Each change's task waits this long; the first to run reads every change committed before it and
# stamps the class checked, so the rest of the burst (queued before that stamp) skip after one locked read.
RECOMPUTE_DELAY_SECONDS = 30
# Within this window after a class's recompute was queued, further changes ride on it instead of publishing one more
# message each (a Redis SET NX instead of a broker publish: a fifth of a trainee form's web time at 100 forms/s).
# Shorter than the delay, so the last change that rides on a queued recompute has committed at least ten seconds
# before that recompute reads the class.
PENDING_WINDOW_SECONDS = 20


def _is_already_pending(training_class_id: int) -> bool:
    try:
        return not cache.add(f"fraud-signals:pending:{training_class_id}", True, timeout=PENDING_WINDOW_SECONDS)
    except Exception:  # noqa: BLE001 (a cache that is down must not cost a recompute: publish as before)
        return False


def enqueue_recompute(training_class_id: int, change: str = "") -> None:
    """Queues the class's recompute after the surrounding transaction commits (nothing for a rollback), unless one
    queued within PENDING_WINDOW_SECONDS will read this change anyway. A broker that is down costs the user nothing:
    the change is in the database and the nightly sweep finds it."""
    from .tasks import recompute_signals

    def send():
        if _is_already_pending(training_class_id):
            return
        try:
            recompute_signals.apply_async(args=[[training_class_id], timezone.now().isoformat()],
                                          countdown=RECOMPUTE_DELAY_SECONDS, retry=False)
        except (OperationalError, OSError) as error:
            logger.warning("fraud signals of class %s (%s) left to the nightly sweep: broker unavailable (%s)",
                           training_class_id, change, error)

    transaction.on_commit(send)


def enqueue_recompute_for_finished_class(training_class_id: int) -> None:
    enqueue_recompute(training_class_id, "class_finished")


# Dismissal ---------------------------------------------------------------------------------------------------


def can_dismiss_signals(user) -> bool:
    """Decision: the county dismisses (policy §8.4: "dismissed by the county with a reason"). League staff see every
    signal and every dismissal with its reason, but do not dismiss: they review the county's conclusions (§6), and
    the reviewer does not clear the evidence under review."""
    return user.is_authenticated and user.is_active and user.role == Role.COUNTY and user.region_id is not None


def fraud_signal_dismiss(*, actor: User, signal: FraudSignal, reason: str) -> FraudSignal:
    """County staff of the class's county dismiss a signal with a reason (e.g. "family members share the phone,
    verified by call"); who and when are kept with it, with the evidence they saw. Refused for anyone else, for a
    signal outside the county, without a reason, and for a signal already dismissed. A signal that is 不再出现 may
    be dismissed too (if it comes back, it stays dismissed)."""
    if not can_dismiss_signals(actor):
        raise ServiceError("只有培训班所在旗县市人社部门可以核销疑点。")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写核销理由。")
    if len(reason) > DISMISSAL_REASON_MAX:
        raise ServiceError(f"核销理由最多{DISMISSAL_REASON_MAX}个字。")
    with transaction.atomic():
        locked = fraud_signals_visible_to(actor).select_for_update(of=("self",)).filter(pk=signal.pk).first()
        if locked is None:
            raise ServiceError("疑点不存在或无权操作。")
        if locked.dismissed_at is not None:
            raise ServiceError(f"该疑点已于 {timezone.localtime(locked.dismissed_at):%Y-%m-%d %H:%M} 核销。")
        from_status = locked.status
        if locked.status == FraudSignal.Status.OPEN:
            locked.status = FraudSignal.Status.DISMISSED
        locked.dismissal_reason, locked.dismissed_by, locked.dismissed_at = reason, actor, timezone.now()
        locked.dismissed_evidence_digest = locked.evidence_digest
        locked.save(update_fields=["status", "dismissal_reason", "dismissed_by", "dismissed_at", "dismissed_evidence_digest"])
        audit_state_change(action=AuditEvent.Action.SIGNAL_DISMISSED, actor=actor, target=locked,
                           step=f"核销疑点：{locked.get_kind_display()}", from_label=FraudSignal.Status(from_status).label,
                           to_label=locked.get_status_display(), note=reason)
    return locked
