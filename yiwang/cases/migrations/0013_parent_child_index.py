"""The foreign key to a bundle's main case is indexed for the sub-cases only (cases_case_parent_child, WHERE
parent IS NOT NULL) instead of for every case. Nearly every case has no parent; SQLite's statistics count the
NULLs as one key of a few rows, so at 459 k cases it read "parent IS NULL" — the counter's count of results
waiting, the delivery desk — through the full index, every application there has been (180-410 ms). Looking
up a case's sub-cases (parent = x) uses the partial index on both engines."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0012_delivery_waiting_index"),
        ("catalog", "0006_item_search_fts_sqlite"),
        ("org", "0003_department_alias_unique_per_department"),
        ("workdays", "0004_clock_pause_region"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # The field's own index is dropped by name, not by altering the field: on SQLite altering a field rebuilds
    # the table, and the rebuild re-creates cases_case_late_first from its migration state (a plain Index),
    # whose NULLS FIRST SQLite refuses. The name is Django's for (cases_case, parent_id) on both engines.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="parent",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="children",
                        to="cases.case",
                        verbose_name="一件事主件",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_case_parent_id_30365dcb"',
                    reverse_sql='CREATE INDEX "cases_case_parent_id_30365dcb" ON "cases_case" ("parent_id")',
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("parent__isnull", False)), fields=["parent"], name="cases_case_parent_child"
            ),
        ),
    ]
