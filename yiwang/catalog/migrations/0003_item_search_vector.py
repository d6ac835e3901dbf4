# PostgreSQL: a jieba-segmented tsvector per item with a GIN index, filled for the items already
# stored. SQLite keeps the substring search (the column stays empty there).

import re
import unicodedata

from django.db import migrations

import yiwang.catalog.models

_WORD = re.compile(r"\w", re.UNICODE)
_SQL = (
    "UPDATE catalog_serviceitem SET search_vector = setweight(to_tsvector('simple', %s), 'A')"
    " || setweight(to_tsvector('simple', %s), 'B') || setweight(to_tsvector('simple', %s), 'C') WHERE id = %s"
)


def _words(text):
    import jieba

    jieba.setLogLevel(60)
    text = " ".join(unicodedata.normalize("NFKC", text or "").lower().split())
    return " ".join(w.strip() for w in jieba.cut_for_search(text) if w.strip() and _WORD.search(w))


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE INDEX catalog_item_search_vector ON catalog_serviceitem USING gin (search_vector)")
    ServiceItem = apps.get_model("catalog", "ServiceItem")
    rows = [
        (_words(name), _words(keywords), _words(text), pk)
        for pk, name, keywords, text in ServiceItem.objects.values_list("pk", "search_name", "keywords", "search_text")
    ]
    if rows:
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(_SQL, rows)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS catalog_item_search_vector")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_real_lists_levels_limits_unknowns"),
    ]

    operations = [
        migrations.AddField(
            model_name="serviceitem",
            name="search_vector",
            field=yiwang.catalog.models.TextSearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(forwards, backwards),
    ]
