"""Writes security audit events. Called by services and by the login signal receivers."""

from django.db import models

from .models import AuditEvent, User
from .security import client_ip


def audit_event_record(
    *,
    action: str,
    request=None,
    actor: User | None = None,
    username: str = "",
    target: models.Model | None = None,
    detail: str = "",
) -> AuditEvent:
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        username=(actor.username if actor else username)[:150],
        ip_address=client_ip(request) if request is not None else None,
        object_type=target._meta.label if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        detail=detail[:500],
    )
