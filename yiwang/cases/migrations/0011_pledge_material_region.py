"""The pledge's link to the materials it replaces gets the case's region, the last table hanging off a case
without it (the sharding key, docs/scale.md).

The link was Django's own many-to-many table (``cases_pledge_materials``), which can hold no column of ours.
It becomes an explicit through model on the *same* table: the state learns the model (same name, same
``casematerial_id`` column, same unique pair, so the database is left as it is), then the region is added
like ``0010``'s — a nullable column, written by the services and the demo from now on — and existing rows
take their pledge's region in one UPDATE (``0010`` filled the pledges from their cases).
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_from_the_pledge(apps, schema_editor):
    """Links without a region take their pledge's: one ``UPDATE … SET region_id = (SELECT …)``."""
    region = apps.get_model("cases", "Pledge").objects.filter(pk=OuterRef("pledge_id")).values("region_id")[:1]
    apps.get_model("cases", "PledgeMaterial").objects.filter(region__isnull=True).update(region_id=Subquery(region))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_case_small_tables_region"),
        ("org", "0003_department_alias_unique_per_department"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table, its columns, indexes and unique pair exist already (0001 made them for the
            # many-to-many): only Django's picture of them changes.
            state_operations=[
                migrations.CreateModel(
                    name="PledgeMaterial",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "material",
                            models.ForeignKey(
                                db_column="casematerial_id",
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="cases.casematerial",
                                verbose_name="材料",
                            ),
                        ),
                        (
                            "pledge",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="cases.pledge",
                                verbose_name="告知承诺",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "承诺替代材料",
                        "verbose_name_plural": "承诺替代材料",
                        "db_table": "cases_pledge_materials",
                        "unique_together": {("pledge", "material")},
                    },
                ),
                migrations.AlterField(
                    model_name="pledge",
                    name="materials",
                    field=models.ManyToManyField(
                        related_name="pledges",
                        through="cases.PledgeMaterial",
                        to="cases.casematerial",
                        verbose_name="替代的材料",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="pledgematerial",
            name="region",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="org.region",
                verbose_name="所属区划",
            ),
        ),
        migrations.RunPython(fill_from_the_pledge, migrations.RunPython.noop),
    ]
