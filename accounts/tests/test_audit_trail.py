"""The audit trail is append-only and hash-chained; audit_verify finds a gap or an edit; old records are archived."""

import gzip
import json
import threading
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from accounts.audit import audit_event_record, chained_fields
from accounts.audit_archive import AuditArchiveError, audit_events_archive
from accounts.audit_chain import GENESIS_HASH, record_hash
from accounts.models import AuditEvent
from accounts.tasks import archive_audit_events
from conftest import PASSWORD, audit_triggers_suspended

pytestmark = pytest.mark.django_db


def record(count):
    return [audit_event_record(action=AuditEvent.Action.LOGIN_FAILED, username=f"user{number}")
            for number in range(count)]


def verify(*arguments):
    output = StringIO()
    call_command("audit_verify", *arguments, stdout=output)
    return output.getvalue()


def refused(statement):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        statement()


def test_each_record_is_chained_to_the_one_before():
    first, second, third = record(3)
    assert [first.sequence, second.sequence, third.sequence] == [1, 2, 3]
    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.record_hash and third.previous_hash == second.record_hash
    assert len({first.record_hash, second.record_hash, third.record_hash}) == 3
    assert "第 1 至 3 条，共 3 条" in verify()


def test_the_orm_cannot_change_or_delete_a_record():
    event, _ = record(2)
    event.detail = "改过"
    refused(event.save)
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(detail="改过"))
    refused(event.delete)
    refused(lambda: AuditEvent.objects.all().delete())
    assert AuditEvent.objects.get(pk=event.pk).detail == ""
    assert AuditEvent.objects.count() == 2


def test_raw_sql_cannot_change_delete_or_truncate_the_table():
    record(2)
    statements = ["UPDATE accounts_auditevent SET detail = 'x'", "DELETE FROM accounts_auditevent"]
    if connection.vendor == "postgresql":
        # The test's own inserts leave deferred foreign-key checks pending, which would block TRUNCATE first.
        statements.append("SET CONSTRAINTS ALL IMMEDIATE; TRUNCATE accounts_auditevent")
    for statement in statements:
        def run(sql=statement):
            with connection.cursor() as cursor:
                cursor.execute(sql)
        refused(run)
    assert AuditEvent.objects.filter(detail="").count() == 2


def test_the_archiving_switch_alone_does_not_open_the_table():
    # The session variable without a marker, or for recent rows, changes nothing.
    record(2)
    if connection.vendor == "postgresql":
        def delete_with_the_switch():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL xingan.audit_archiving = on")
                cursor.execute("DELETE FROM accounts_auditevent")
        refused(delete_with_the_switch)
    assert AuditEvent.objects.count() == 2


def test_an_edited_record_is_found():
    record(4)
    with audit_triggers_suspended(connection):
        AuditEvent.objects.filter(sequence=3).update(detail="悄悄改过")
    with pytest.raises(CommandError, match="第 3 条记录的内容与其哈希不符"):
        verify()


def test_a_record_rehashed_after_an_edit_breaks_the_next_link():
    record(4)
    with audit_triggers_suspended(connection):
        forged = AuditEvent.objects.get(sequence=2)
        forged.username = "someone_else"
        forged.record_hash = record_hash(chained_fields(forged))
        forged.save()
    with pytest.raises(CommandError, match="第 3 条记录的前一条哈希与第 2 条不符"):
        verify()


def test_a_deleted_record_is_found():
    record(5)
    with audit_triggers_suspended(connection):
        AuditEvent.objects.filter(sequence=3).delete()
    with pytest.raises(CommandError, match="缺少第 3 条"):
        verify("--batch-size", "2")


def test_deleting_the_first_records_without_an_archive_marker_is_found():
    record(3)
    with audit_triggers_suspended(connection):
        AuditEvent.objects.filter(sequence=1).delete()
    with pytest.raises(CommandError, match="第 1 至 1 条记录不在表中"):
        verify()


def test_an_empty_table_verifies():
    assert "没有记录" in verify()


@pytest.fixture
def archive_dir(tmp_path):
    with override_settings(AUDIT_ARCHIVE_DIR=tmp_path):
        yield tmp_path


def test_records_past_retention_are_archived_then_removed_and_the_chain_still_verifies(archive_dir):
    with time_machine.travel(timezone.now() - timedelta(days=200)):
        old = record(3)
    recent = record(2)

    assert archive_audit_events.apply().get() == 3  # the beat task, run in place
    marker = AuditEvent.objects.get(action=AuditEvent.Action.AUDIT_ARCHIVED)

    assert marker.archived_through == 3 and marker.sequence == 6
    assert list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True)) == [4, 5, 6]
    facts = json.loads(marker.detail)
    assert facts["last_hash"] == old[-1].record_hash and recent[0].previous_hash == old[-1].record_hash
    archive = archive_dir / facts["file"]
    with gzip.open(archive, "rt", encoding="utf-8") as lines:
        archived = [json.loads(line) for line in lines]
    assert [line["sequence"] for line in archived] == [1, 2, 3]
    assert [line["record_hash"] for line in archived] == [event.record_hash for event in old]
    assert "第 4 至 6 条，共 3 条" in verify()
    assert "第 1 至 3 条，共 3 条" in verify("--archive", str(archive))


def test_a_second_archive_continues_from_the_first(archive_dir):
    with time_machine.travel(timezone.now() - timedelta(days=400)):
        record(2)
        first_marker = audit_events_archive(now=timezone.now() + timedelta(days=200))
    with time_machine.travel(timezone.now() - timedelta(days=190)):
        record(2)
    second_marker = audit_events_archive()
    assert first_marker.archived_through == 2 and second_marker.archived_through == 5
    assert list(AuditEvent.objects.values_list("sequence", flat=True)) == [6]
    assert "第 6 至 6 条" in verify()
    assert len(list(archive_dir.glob("*.jsonl.gz"))) == 2
    assert audit_events_archive() is None  # nothing older than retention left but the marker, which is recent


def test_a_tampered_archive_file_is_found(archive_dir):
    with time_machine.travel(timezone.now() - timedelta(days=200)):
        record(3)
    record(1)
    marker = audit_events_archive()
    archive = archive_dir / json.loads(marker.detail)["file"]
    with gzip.open(archive, "rt", encoding="utf-8") as lines:
        content = [json.loads(line) for line in lines]
    content[1]["username"] = "nobody"
    with gzip.open(archive, "wt", encoding="utf-8") as lines:
        lines.writelines(json.dumps(line, ensure_ascii=False) + "\n" for line in content)
    with pytest.raises(CommandError, match="第 2 条记录的内容与其哈希不符"):
        verify("--archive", str(archive))
    # Dropping the edited line and rewriting the file passes the chain inside it, not its marker.
    with gzip.open(archive, "wt", encoding="utf-8") as lines:
        lines.write(json.dumps(content[0], ensure_ascii=False) + "\n")
    with pytest.raises(CommandError, match="归档文件与链中的归档标记不符"):
        verify("--archive", str(archive))


def test_an_unreadable_archive_file_is_reported(tmp_path):
    broken = tmp_path / "broken.jsonl.gz"
    broken.write_bytes(b"not gzip")
    with pytest.raises(CommandError, match="归档文件无法读取"):
        verify("--archive", str(broken))


def test_a_broken_chain_is_not_archived(archive_dir):
    with time_machine.travel(timezone.now() - timedelta(days=200)):
        record(3)
    with audit_triggers_suspended(connection):
        AuditEvent.objects.filter(sequence=2).update(detail="改过")
    with pytest.raises(AuditArchiveError, match="第 2 条记录的内容与其哈希不符"):
        audit_events_archive()
    assert AuditEvent.objects.count() == 3
    assert list(archive_dir.iterdir()) == []


def test_recent_records_are_kept(archive_dir):
    with time_machine.travel(timezone.now() - timedelta(days=179)):
        record(2)
    assert audit_events_archive() is None
    assert AuditEvent.objects.count() == 2


def test_logins_and_failed_logins_enter_the_chain(client, county_user):
    client.post("/accounts/login/", {"username": "county", "password": "wrong-password"})
    client.post("/accounts/login/", {"username": "county", "password": PASSWORD})
    actions = list(AuditEvent.objects.order_by("sequence").values_list("action", "username"))
    assert actions == [(AuditEvent.Action.LOGIN_FAILED, "county"), (AuditEvent.Action.LOGIN, "county")]
    assert "共 2 条" in verify()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain():
    errors = []

    def write():
        try:
            for _ in range(15):
                record(1)
        except Exception as error:  # collected and asserted below: a thread's exception would otherwise vanish
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True)) == list(range(1, 61))
    assert "共 60 条" in verify()
