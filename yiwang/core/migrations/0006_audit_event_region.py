"""An audit event carries its stream's region code (the sharding key, docs/scale.md).

Written by ``audit_record`` and ``audit_record_many`` from now on. Existing events take their
stream's code in one UPDATE, with the append-only triggers held off for that statement only (on
PostgreSQL disabled and enabled again in this migration's transaction; on SQLite the table rebuild
for the new column has dropped them). The code is not part of an event's hash: the stream's key,
which is, names the region already, so ``audit verify`` still holds for every event.

The triggers are then created again with ``region_code`` among the columns a link must leave
unchanged, so the sequencer cannot alter it and nothing else can either.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

CONTENT_COLUMNS = (
    "id",
    "stream_id",
    "region_code",
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "before",
    "after",
    "details",
)


def _link_only(new: str, old: str, distinct: str) -> str:
    unchanged = " AND ".join(f"{new}.{c} {distinct} {old}.{c}" for c in CONTENT_COLUMNS)
    return (
        f"{old}.seq IS NULL AND {old}.hash = '' AND {new}.seq IS NOT NULL "
        f"AND length({new}.hash) = 64 AND length({new}.prev_hash) = 64 AND {unchanged}"
    )


POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF {_link_only("NEW", "OLD", "IS NOT DISTINCT FROM")} THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'core_auditevent is append-only: UPDATE refused (only the sequencer links an event once)'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF coalesce(current_setting('yiwang.audit_unlocked', true), '') <> 'on' THEN
        RAISE EXCEPTION 'core_auditevent is append-only: % refused', TG_OP
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_LEVEL = 'ROW' THEN
        RETURN OLD;
    END IF;
    RETURN NULL;
END
$$;
"""

SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_update",
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete",
    f"""
    CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
    WHEN NOT ({_link_only("NEW", "OLD", "IS")})
    BEGIN
        SELECT RAISE(ABORT, 'core_auditevent is append-only: UPDATE refused (only the sequencer links an event once)');
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


def fill_from_the_stream(apps, schema_editor):
    """Events without a region code take their stream's: one ``UPDATE … SET region_code = (SELECT …)``."""
    AuditStream = apps.get_model("core", "AuditStream")
    AuditEvent = apps.get_model("core", "AuditEvent")
    code = AuditStream.objects.filter(pk=OuterRef("stream_id")).values("region_code")[:1]
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_update")
    AuditEvent._base_manager.filter(region_code="").update(region_code=Subquery(code))
    if postgresql:
        schema_editor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_no_update")


def region_code_unchangeable(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FUNCTION, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


def previous_triggers(apps, schema_editor):
    from importlib import import_module

    import_module("yiwang.core.migrations.0004_audit_sequencer").link_only_triggers(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_outbox_message_region")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="region_code",
            field=models.CharField(blank=True, default="", max_length=12, verbose_name="区划代码"),
        ),
        migrations.RunPython(fill_from_the_stream, migrations.RunPython.noop),
        migrations.RunPython(region_code_unchangeable, previous_triggers),
    ]
