"""An outbox message carries the region code of the case or appeal it is about (the sharding key,
docs/scale.md). Existing messages keep it empty: a message names no row it came from, and a sent
message is never read by region again."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_audit_sequencer"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="region_code",
            field=models.CharField(blank=True, max_length=12, verbose_name="区划代码"),
        ),
    ]
