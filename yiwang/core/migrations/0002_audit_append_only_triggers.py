"""Make the database itself refuse to change or delete audit events.

UPDATE is always refused. DELETE (and TRUNCATE on PostgreSQL) is refused unless the session is in
audit maintenance (``yiwang.core.audit.audit_maintenance``), which ``flush`` uses to wipe a whole
database. Verification (``manage.py audit verify``) does not rely on these triggers: it detects
changes made after they were dropped.

On SQLite a table rebuild drops its triggers: a later migration that alters core_auditevent must
run ``create_triggers`` again.
"""

from django.db import migrations

POSTGRESQL_CREATE = """
CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' OR coalesce(current_setting('yiwang.audit_unlocked', true), '') <> 'on' THEN
        RAISE EXCEPTION 'core_auditevent is append-only: % refused', TG_OP
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_LEVEL = 'ROW' THEN
        RETURN OLD;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only();
CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only();
CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_append_only();
"""

POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS core_auditevent_no_update ON core_auditevent;
DROP TRIGGER IF EXISTS core_auditevent_no_delete ON core_auditevent;
DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;
DROP FUNCTION IF EXISTS core_auditevent_append_only();
"""

# yiwang_audit_deletes_allowed() is registered on every Django connection (CoreConfig.ready);
# any other client lacks it, so its DELETE fails too.
SQLITE_CREATE = [
    """
    CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
    BEGIN
        SELECT RAISE(ABORT, 'core_auditevent is append-only: UPDATE refused');
    END
    """,
    """
    CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent
    WHEN NOT yiwang_audit_deletes_allowed()
    BEGIN
        SELECT RAISE(ABORT, 'core_auditevent is append-only: DELETE refused');
    END
    """,
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_update",
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete",
]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_CREATE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_DROP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_audit_log_outbox_idempotency")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
