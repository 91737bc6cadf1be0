"""Audit events written before the chain existed are chained in the order they were written (accounts 0006), and
the migrations reverse."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("accounts", "0005_second_factor_and_sessions")]
AFTER = [("accounts", "0009_audit_event_append_only_triggers")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_events_are_chained_oldest_first():
    old = migrate(BEFORE)
    try:
        AuditEvent = old.get_model("accounts", "AuditEvent")
        now = timezone.now()
        for days, username in ((1, "newest"), (3, "oldest"), (2, "middle")):
            event = AuditEvent.objects.create(action="login", username=username, ip_address="10.0.0.1")
            AuditEvent.objects.filter(pk=event.pk).update(created_at=now - timedelta(days=days))
    finally:
        new = migrate(AFTER)
    chained = new.get_model("accounts", "AuditEvent").objects.order_by("sequence")
    assert list(chained.values_list("sequence", "username")) == [(1, "oldest"), (2, "middle"), (3, "newest")]
    output = StringIO()
    call_command("audit_verify", stdout=output)
    assert "第 1 至 3 条，共 3 条" in output.getvalue()
