"""The leader's drill-down of decided cases (late first) reads a page from the head of a partial index in
its own order, instead of sorting every case decided in the period (issue: province scale).

PostgreSQL only: SQLite cannot say NULLS FIRST/LAST in an index (its small tables need no such index)."""

from django.db import migrations, models

INDEX = models.Index(
    models.OrderBy(models.F("on_time"), nulls_first=True),
    models.OrderBy(models.F("decided_workdays"), descending=True, nulls_last=True),
    models.OrderBy(models.F("decided_at"), descending=True),
    models.OrderBy(models.F("id"), descending=True),
    condition=models.Q(("bundle__isnull", True), ("decided_at__isnull", False)),
    name="cases_case_late_first",
)


def add_on_postgresql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("cases", "Case"), INDEX)


def remove_on_postgresql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("cases", "Case"), INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_leader_page_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="case", index=INDEX)],
            database_operations=[migrations.RunPython(add_on_postgresql, remove_on_postgresql)],
        ),
    ]
