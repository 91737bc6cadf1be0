"""Celery tasks of supervision: thin wrappers that take ids and call services (STYLE.md)."""

from datetime import datetime

from celery import shared_task
from django.db import DatabaseError

from . import fraud_signals


@shared_task(name="supervision.recompute_signals", acks_late=True, autoretry_for=(DatabaseError,), max_retries=3,
             retry_backoff=True)
def recompute_signals(class_ids: list[int], queued_at: str | None = None) -> int:
    """Queued on commit after a change to these classes (fraud_signals.enqueue_recompute); a class recomputed
    since ``queued_at`` is skipped. A database error (a deadlock between two recomputes sharing a subject, say) is
    retried; the nightly sweep catches anything left."""
    since = datetime.fromisoformat(queued_at) if queued_at else None
    return fraud_signals.fraud_signals_recompute(class_ids=class_ids, unless_checked_since=since).created


@shared_task(name="supervision.sweep_signals", acks_late=True)
def sweep_signals() -> int:
    return fraud_signals.fraud_signals_sweep().created
