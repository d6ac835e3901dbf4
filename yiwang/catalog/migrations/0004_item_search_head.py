# PostgreSQL: the name and keyword words of the item's tsvector (weights A and B) in a small column the
# database keeps in step, so that ranking thousands of hits does not unpack every full vector.
# SQLite keeps the substring search (no column there).

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE catalog_serviceitem ADD COLUMN search_head tsvector"
        " GENERATED ALWAYS AS (ts_filter(search_vector, '{a,b}')) STORED"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE catalog_serviceitem DROP COLUMN IF EXISTS search_head")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_item_search_vector"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
