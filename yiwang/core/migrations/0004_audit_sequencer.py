"""Audit events are appended unlinked and linked into their stream's chain by a sequencer.

An append no longer locks its stream's head row until commit (every intake of a county queued behind
it); the sequencer (``yiwang.core.audit.audit_seal``) links committed events in order shortly after.

The triggers keep refusing DELETE (outside audit maintenance) and every UPDATE but one: an unlinked
event (``seq`` NULL, empty ``hash``) getting its ``seq``, ``prev_hash`` and ``hash`` with every other
column unchanged. A linked event can no longer change at all. On SQLite the rebuild of the table for
the nullable ``seq`` drops its triggers; they are created again here.
"""

from django.db import migrations, models

CONTENT_COLUMNS = (
    "id",
    "stream_id",
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

POSTGRESQL_PREVIOUS = """
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


def link_only_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FUNCTION, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


def previous_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_PREVIOUS, params=None)
    elif vendor == "sqlite":
        from importlib import import_module

        previous = import_module("yiwang.core.migrations.0002_audit_append_only_triggers")
        for statement in [*previous.SQLITE_DROP, *previous.SQLITE_CREATE]:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_inbox_messages")]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="哈希"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="前序哈希"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="序号"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("seq__isnull", True)), fields=["stream", "id"], name="core_auditevent_unlinked"
            ),
        ),
        migrations.RunPython(link_only_triggers, previous_triggers, elidable=False),
    ]
