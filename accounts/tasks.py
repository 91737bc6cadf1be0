"""Celery tasks of the accounts app: thin wrappers around services."""

from celery import shared_task

from .audit_archive import audit_events_archive


@shared_task(name="accounts.archive_audit_events")
def archive_audit_events() -> int | None:
    marker = audit_events_archive()
    return marker.archived_through if marker else None
