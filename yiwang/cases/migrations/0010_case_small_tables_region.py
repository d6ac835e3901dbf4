"""The case's region on the small child tables left without it by ``0007_case_children_region``: corrections
and their entries, pledges, extensions, the help log and the 企业开办 tables (the sharding key, docs/scale.md).

Same pattern as ``0007``: a nullable column, written by the services and the demo from now on; existing rows
take their parent's region in one UPDATE per table, parents before their children (the region of a case
never changes, nor that of a help request).
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

# Child model → (the model it hangs off, its foreign key to it), in the order they are filled: a case's
# direct children first, then the rows that reach the case through one of them.
CHILDREN = {
    "CorrectionRequest": ("Case", "case_id"),
    "Pledge": ("Case", "case_id"),
    "Extension": ("Case", "case_id"),
    "Founding": ("Case", "case_id"),
    "CorrectionEntry": ("CorrectionRequest", "correction_id"),
    "FoundingShareholder": ("Founding", "founding_id"),
    "UsccAssignment": ("Founding", "founding_id"),
    "HelpLog": ("HelpRequest", "help_request_id"),
}


def fill_from_the_parent(apps, schema_editor):
    """Rows without a region take their parent's: one ``UPDATE … SET region_id = (SELECT …)`` per table."""
    for name, (parent, key) in CHILDREN.items():
        region = apps.get_model("cases", parent).objects.filter(pk=OuterRef(key)).values("region_id")[:1]
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
        ("cases", "0009_drill_late_first_index"),
        ("org", "0003_department_alias_unique_per_department"),
    ]

    operations = [
        *(migrations.AddField(model_name=name.lower(), name="region", field=_region_field()) for name in CHILDREN),
        migrations.RunPython(fill_from_the_parent, migrations.RunPython.noop),
    ]
