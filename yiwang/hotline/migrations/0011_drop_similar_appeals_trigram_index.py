"""Similar appeals (hotline.similar) no longer read a trigram index: their candidates come from the
partial (town, received_at) btree index (0006) and are scored exactly, so the pg_trgm GIN index of 0008
— which proposed only part of what the rule calls similar on long real messages, and cost every intake
an insert into it — is dropped. The extensions stay (dropping them needs rights a deployment may not
grant, and they cost nothing unused); reversing rebuilds the index as 0008 made it."""

from django.db import migrations

STATES = ("dispatched", "received", "reopened", "replied", "returned", "signed_off")
INDEX = "hotline_appeal_open_town_text_trgm"
TEXT = "left(title || ' ' || content, 2000)"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    states = ", ".join(f"'{s}'" for s in STATES)
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON hotline_appeal "
        f"USING gin ((coalesce(town_id, 0)), ({TEXT}) gin_trgm_ops) WHERE state IN ({states})"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("hotline", "0010_return_request_pending_index"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
