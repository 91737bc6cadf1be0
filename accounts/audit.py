"""Writes audit events into the hash chain. Called by services, views and the login signal receivers."""

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from .audit_chain import CHAINED_FIELDS, GENESIS_HASH, record_hash
from .models import AuditEvent, User
from .security import client_ip

# pg_advisory_xact_lock key of the audit chain ("XAUD"). An advisory lock rather than a lock on a chain-head row:
# it needs no extra table and no row to keep up to date, and PostgreSQL releases it with the transaction (commit or
# rollback), so a crashed writer never leaves the chain locked. It only serialises writers that ask for it, which
# is every writer (this function); the unique constraints on sequence and previous_hash are the database's own
# guarantee that two records can never claim the same place, even from code that forgot the lock.
CHAIN_LOCK_KEY = 0x58415544


def chain_lock() -> None:
    """Serialise chain writers until the end of the current transaction (SQLite's IMMEDIATE transactions already do)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


def chained_fields(event: AuditEvent) -> dict:
    return {name: getattr(event, name) for name in CHAINED_FIELDS}


def audit_event_append(**fields) -> AuditEvent:
    """Append one record after the chain's head. The lock is held until the caller's transaction ends, so callers
    write their audit record last in their transaction."""
    with transaction.atomic():
        chain_lock()
        head = AuditEvent.objects.order_by("-sequence").values("sequence", "record_hash").first()
        event = AuditEvent(
            sequence=head["sequence"] + 1 if head else 1,
            previous_hash=head["record_hash"] if head else GENESIS_HASH,
            created_at=timezone.now(),
            **fields,
        )
        event.record_hash = record_hash(chained_fields(event))
        event.save(force_insert=True)
    return event


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
    return audit_event_append(
        action=action,
        actor=actor,
        username=(actor.username if actor else username)[:150],
        ip_address=_stored_form(client_ip(request)) if request is not None else None,
        object_type=target._meta.label if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        detail=detail[:500],
    )


def _stored_form(address: str | None) -> str | None:
    # The hash is taken before saving: give the address the form the database will return (IPv6 compressed).
    return clean_ipv6_address(address) if address and ":" in address else address


def audit_state_change(*, action: str, actor: User | None, target: models.Model, step: str, from_label: str = "",
                       to_label: str = "", note: str = "") -> AuditEvent:
    """One state change of the supervision chain, written last in the service's transaction: which step, from
    which status to which, and the reason or text given with it."""
    change = f"{from_label or '—'} → {to_label}" if to_label else ""
    detail = "：".join(part for part in (step, change) if part)
    return audit_event_record(action=action, actor=actor, target=target,
                              detail=f"{detail}；说明：{note}" if note else detail)
