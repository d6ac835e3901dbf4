# SQLite: the same jieba words as PostgreSQL's tsvector, in an FTS5 table (rowid = the item's id), so
# the embedded default answers a search from an index too. Filled here for the items already stored;
# publishing writes it from then on. A SQLite built without FTS5 keeps the substring search.

import re
import unicodedata

from django.db import migrations
from django.db.utils import OperationalError

_WORD = re.compile(r"\w", re.UNICODE)
_TABLE = "catalog_item_fts"


def _words(text):
    import jieba

    jieba.setLogLevel(60)
    text = " ".join(unicodedata.normalize("NFKC", text or "").lower().split())
    return " ".join(w.strip() for w in jieba.cut_for_search(text) if w.strip() and _WORD.search(w))


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    try:
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {_TABLE} USING fts5(name, keywords, body, tokenize = 'unicode61 remove_diacritics 0')"
        )
    except OperationalError:  # no FTS5 in this SQLite
        return
    ServiceItem = apps.get_model("catalog", "ServiceItem")
    rows = [
        (pk, _words(name), _words(keywords), _words(text))
        for pk, name, keywords, text in ServiceItem.objects.values_list("pk", "search_name", "keywords", "search_text")
    ]
    if rows:
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {_TABLE} (rowid, name, keywords, body) VALUES (%s, %s, %s, %s)", rows)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {_TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_item_search_index_without_pending_list"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
