"""A clock pause carries its clock's region code (the sharding key, docs/scale.md).

Written by ``clock_pause`` and the demo from now on; existing pauses take their clock's code in one
UPDATE (a clock's region never changes).
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_from_the_clock(apps, schema_editor):
    """Pauses without a region code take their clock's: one ``UPDATE … SET region_code = (SELECT …)``."""
    Clock = apps.get_model("workdays", "Clock")
    ClockPause = apps.get_model("workdays", "ClockPause")
    code = Clock.objects.filter(pk=OuterRef("clock_id")).values("region_code")[:1]
    ClockPause.objects.filter(region_code="").update(region_code=Subquery(code))


class Migration(migrations.Migration):
    dependencies = [
        ("workdays", "0003_clock_status_and_reminder"),
    ]

    operations = [
        migrations.AddField(
            model_name="clockpause",
            name="region_code",
            field=models.CharField(blank=True, max_length=12, verbose_name="区划代码"),
        ),
        migrations.RunPython(fill_from_the_clock, migrations.RunPython.noop),
    ]
