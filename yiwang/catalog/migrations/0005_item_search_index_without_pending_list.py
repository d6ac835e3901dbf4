# PostgreSQL: the search index takes each item's words into its tree when the vector is written, not
# into a pending list that every search reads through until the next vacuum (a bulk import publishes
# thousands of items at once; catalog writes are rare, searches are not).

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER INDEX catalog_item_search_vector SET (fastupdate = off)")
    schema_editor.execute("SELECT gin_clean_pending_list('catalog_item_search_vector'::regclass)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER INDEX catalog_item_search_vector RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_item_search_head"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
