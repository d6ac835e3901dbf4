"""Indexes for similar appeals (hotline.similar): a partial (town, received_at) index of the open and
replied appeals (both databases), and on PostgreSQL a partial trigram index (pg_trgm, GIN) on their
text — the expression is the one ``hotline.similar.INDEXED_TEXT_SQL`` queries with."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

STATES = ("dispatched", "received", "reopened", "replied", "returned", "signed_off")
TRIGRAM_INDEX = "hotline_appeal_open_text_trgm"


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    states = ", ".join(f"'{s}'" for s in STATES)
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON hotline_appeal "
        f"USING gin ((left(title || ' ' || content, 2000)) gin_trgm_ops) WHERE state IN ({states})"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("hotline", "0005_appeal_event_kind_created_index"),
    ]

    operations = [
        TrigramExtension(),  # does nothing on SQLite
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(
                condition=models.Q(state__in=list(STATES)),
                fields=["town", "received_at"],
                name="hotline_appeal_open_town_recv",
            ),
        ),
        migrations.RunPython(create_trigram_index, drop_trigram_index, elidable=False),
    ]
