"""manage.py backup and restore: a backup of real data restores into a new database with the same rows and files."""

import io
import secrets
import tarfile
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from psycopg import sql

from accounts.audit import audit_event_record
from accounts.models import AuditEvent
from conftest import IS_CI, enroll
from xingan_training.backup import table_row_counts

pytestmark = pytest.mark.django_db(transaction=True)

SAMPLED_TABLES = ("classes_trainee", "classes_enrollment", "classes_trainingclass", "accounts_user", "accounts_auditevent")


def keywords(dbname):
    settings = connection.settings_dict
    found = {"dbname": dbname, "user": settings["USER"], "password": settings["PASSWORD"], "host": settings["HOST"],
             "port": str(settings["PORT"] or "")}
    return {key: value for key, value in found.items() if value}


def url(dbname):
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{dbname}"


@pytest.fixture
def scratch_database():
    if connection.vendor != "postgresql":
        if IS_CI:
            pytest.fail("CI runs on PostgreSQL: backups need pg_dump and pg_restore")
        pytest.skip("backups are of PostgreSQL databases")
    name = f"restore_{secrets.token_hex(6)}"
    with psycopg.connect(**keywords("postgres"), autocommit=True) as server:
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(**keywords("postgres"), autocommit=True) as server:
        server.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


@pytest.fixture
def folders(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path / "media", BACKUP_DIR=tmp_path / "backups"):
        yield tmp_path


@pytest.fixture
def portal_data(training_class, county_user):
    enroll(training_class, 12)
    audit_event_record(action=AuditEvent.Action.LOGIN, actor=county_user)
    audit_event_record(action=AuditEvent.Action.VIEW_PERSONAL_DATA, actor=county_user, target=training_class)
    return default_storage.save("opening/2026/开班材料.pdf", ContentFile(b"%PDF-1.4 uploaded document"))


def rows(cursor, table):
    cursor.execute(sql.SQL("SELECT * FROM {} ORDER BY 1").format(sql.Identifier(table)))
    return cursor.fetchall()


def backup():
    output = io.StringIO()
    call_command("backup", stdout=output)
    return Path(output.getvalue().strip())


def test_a_backup_restores_into_a_new_database_with_every_row_and_file(scratch_database, folders, portal_data):
    path = backup()
    assert path.parent == folders / "backups" and path.suffix == ".tar"

    output = io.StringIO()
    call_command("restore", str(path), "--database-url", url(scratch_database), "--media-root",
                 str(folders / "restored-media"), stdout=output)

    assert "行数与清单一致" in output.getvalue()
    with connection.cursor() as source, psycopg.connect(**keywords(scratch_database)) as restored:
        with restored.cursor() as target:
            source_counts = table_row_counts(source.cursor)
            assert table_row_counts(target) == source_counts
            assert source_counts["classes_enrollment"] == 12 and source_counts["accounts_auditevent"] == 2
            for table in SAMPLED_TABLES:
                assert rows(target, table) == rows(source.cursor, table), table
            # The restored audit table is append-only too: the triggers came with it.
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                target.execute("UPDATE accounts_auditevent SET detail = 'x'")
    assert (folders / "restored-media" / portal_data).read_bytes() == b"%PDF-1.4 uploaded document"


def test_restore_refuses_a_database_that_is_not_empty(scratch_database, folders, portal_data):
    path = backup()
    with psycopg.connect(**keywords(scratch_database), autocommit=True) as target:
        target.execute("CREATE TABLE kept (id int)")
        target.execute("INSERT INTO kept VALUES (1)")
    with pytest.raises(CommandError, match="目标数据库不是空的"):
        call_command("restore", str(path), "--database-url", url(scratch_database))
    with psycopg.connect(**keywords(scratch_database)) as target:
        assert target.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == 1


def test_restore_refuses_the_current_database(folders, portal_data, scratch_database):
    path = backup()
    with pytest.raises(CommandError, match="目标数据库不是空的"):
        call_command("restore", str(path), "--database-url", url(connection.settings_dict["NAME"]))


def test_a_damaged_backup_is_refused_before_anything_is_written(scratch_database, folders, portal_data):
    path = backup()
    damaged = folders / "damaged.tar"
    with tarfile.open(path) as original, tarfile.open(damaged, "w") as copy:
        for member in original.getmembers():
            content = original.extractfile(member).read()
            if member.name.startswith("media/"):
                content = b"replaced"
                member.size = len(content)
            copy.addfile(member, io.BytesIO(content))
    with pytest.raises(CommandError, match="与清单中的校验值不符"):
        call_command("restore", str(damaged), "--database-url", url(scratch_database), "--media-root",
                     str(folders / "restored-media"))
    with psycopg.connect(**keywords(scratch_database)) as target:
        assert target.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == 0
    assert not (folders / "restored-media").exists()


def test_an_unreadable_file_and_a_bad_address_get_a_clear_error(folders, tmp_path, scratch_database):
    not_a_backup = tmp_path / "x.tar"
    not_a_backup.write_bytes(b"nothing")
    with pytest.raises(CommandError, match="备份文件无法读取"):
        call_command("restore", str(not_a_backup), "--database-url", url(scratch_database))
    with pytest.raises(CommandError, match="只支持 PostgreSQL"):
        call_command("restore", str(not_a_backup), "--database-url", "sqlite:///x.sqlite3")
