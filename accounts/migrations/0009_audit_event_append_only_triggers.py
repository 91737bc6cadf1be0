"""Triggers make the audit table append-only: UPDATE, DELETE and (PostgreSQL) TRUNCATE are refused.

The one DELETE let through is the archiving path (accounts/audit_archive.py), and only when all of these hold:
the transaction set ``xingan.audit_archiving`` to ``on`` (PostgreSQL; SQLite, the local development database, has
no session variables), the row is older than the legal minimum of 180 days (网络安全法 §21), and an
``audit_archived`` marker already in the chain says an archive file holds the row. Keep this migration after every
other migration that alters the audit table: on SQLite a table rebuild drops its triggers.
"""

from django.db import migrations

POSTGRESQL_INSTALL = ["""
CREATE FUNCTION accounts_auditevent_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF current_setting('xingan.audit_archiving', true) = 'on'
           AND OLD.created_at < now() - interval '180 days'
           AND EXISTS (SELECT 1 FROM accounts_auditevent AS marker
                       WHERE marker.action = 'audit_archived' AND marker.archived_through >= OLD.sequence) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit records are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER accounts_auditevent_append_only BEFORE UPDATE OR DELETE ON accounts_auditevent
    FOR EACH ROW EXECUTE FUNCTION accounts_auditevent_refuse_change();
CREATE TRIGGER accounts_auditevent_no_truncate BEFORE TRUNCATE ON accounts_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_auditevent_refuse_change();
"""]

POSTGRESQL_REMOVE = ["""
DROP TRIGGER accounts_auditevent_no_truncate ON accounts_auditevent;
DROP TRIGGER accounts_auditevent_append_only ON accounts_auditevent;
DROP FUNCTION accounts_auditevent_refuse_change();
"""]

SQLITE_INSTALL = [
    """CREATE TRIGGER accounts_auditevent_no_update BEFORE UPDATE ON accounts_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit records are append-only: UPDATE on accounts_auditevent refused'); END""",
    """CREATE TRIGGER accounts_auditevent_no_delete BEFORE DELETE ON accounts_auditevent
    WHEN NOT (OLD.created_at < datetime('now', '-180 days')
              AND EXISTS (SELECT 1 FROM accounts_auditevent AS marker
                          WHERE marker.action = 'audit_archived' AND marker.archived_through >= OLD.sequence))
    BEGIN SELECT RAISE(ABORT, 'audit records are append-only: DELETE on accounts_auditevent refused'); END""",
]

SQLITE_REMOVE = [
    "DROP TRIGGER accounts_auditevent_no_delete",
    "DROP TRIGGER accounts_auditevent_no_update",
]


def run(statements_by_vendor: dict):
    def operation(apps, schema_editor):
        # params=None: the SQL is passed as written (its % signs are PL/pgSQL's, not placeholders).
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)
    return operation


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0008_audit_event_actions_of_the_second_factor_and_the_chain"),
    ]

    operations = [
        migrations.RunPython(
            run({"postgresql": POSTGRESQL_INSTALL, "sqlite": SQLITE_INSTALL}),
            run({"postgresql": POSTGRESQL_REMOVE, "sqlite": SQLITE_REMOVE}),
        ),
    ]
