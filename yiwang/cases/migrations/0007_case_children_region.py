"""The case's region on every child table that grows with the work (the sharding key, docs/scale.md).

Same pattern as ``0006_case_event_region``: a nullable column, written by the services and the demo
from now on; existing rows take their case's region in one UPDATE per table (the region of a case
never changes).
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

# Child model → its foreign key to the case.
CHILDREN = ("CaseMaterial", "CaseUpload", "ReviewStep", "CasePause", "Decision", "Delivery", "Notice")


def fill_from_the_case(apps, schema_editor):
    """Rows without a region take their case's: one ``UPDATE … SET region_id = (SELECT …)`` per table."""
    Case = apps.get_model("cases", "Case")
    region = Case.objects.filter(pk=OuterRef("case_id")).values("region_id")[:1]
    for name in CHILDREN:
        apps.get_model("cases", name).objects.filter(region__isnull=True).update(region_id=Subquery(region))


def _region_field():
    return models.ForeignKey(
        blank=True,
        db_index=False,
        null=True,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="org.region",
        verbose_name="所属区划",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_case_event_region"),
        ("org", "0003_department_alias_unique_per_department"),
    ]

    operations = [
        *(migrations.AddField(model_name=name.lower(), name="region", field=_region_field()) for name in CHILDREN),
        migrations.RunPython(fill_from_the_case, migrations.RunPython.noop),
    ]
