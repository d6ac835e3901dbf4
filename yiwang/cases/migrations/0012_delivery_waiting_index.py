"""The results waiting at a hall (统一窗口出件) are read from a partial index on the decided applications not
yet handed out, in the delivery desk's order (decision time, key) with the two hall columns the queue filters
on: the counter page counts them by an index-only scan and the desk reads its page from the index's head,
instead of walking every application the county has had (issue: province scale; at 306 k cases the count
took 137 ms and the desk's page 336 ms, each reading every root case)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_pledge_material_region"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("parent__isnull", True), ("state__in", ["decided_approved", "decided_denied"])),
                fields=["decided_at", "id", "pickup_hall", "hall"],
                name="cases_case_delivery_waiting",
            ),
        ),
    ]
