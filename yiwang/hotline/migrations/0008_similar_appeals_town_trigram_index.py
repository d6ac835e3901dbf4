"""Similar appeals (hotline.similar): the trigram index of open and replied appeals is keyed by town
first (btree_gin), so a look-up reads the posting lists of its own town's open appeals, not of every
open appeal there is — the cost follows a town's open work, not the province's."""

from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations

STATES = ("dispatched", "received", "reopened", "replied", "returned", "signed_off")
OLD_INDEX = "hotline_appeal_open_text_trgm"
NEW_INDEX = "hotline_appeal_open_town_text_trgm"
TEXT = "left(title || ' ' || content, 2000)"


def _states() -> str:
    return ", ".join(f"'{s}'" for s in STATES)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NEW_INDEX} ON hotline_appeal "
        f"USING gin ((coalesce(town_id, 0)), ({TEXT}) gin_trgm_ops) WHERE state IN ({_states()})"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON hotline_appeal "
        f"USING gin (({TEXT}) gin_trgm_ops) WHERE state IN ({_states()})"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {NEW_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("hotline", "0007_dispatch_unanswered_index"),
    ]

    operations = [
        BtreeGinExtension(),  # does nothing on SQLite
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
