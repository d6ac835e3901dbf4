"""The hotline dashboard's late responses (active dispatches past their sign-off limit with no response
yet) are found by a partial index on the unanswered active dispatches, a bounded set, instead of a scan
of every dispatch there has been (issue: province scale)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hotline", "0006_similar_appeals_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dispatch",
            index=models.Index(
                condition=models.Q(("responded_on_time__isnull", True), ("state", "active")),
                fields=["dispatched_at"],
                name="hotline_dispatch_unanswered",
            ),
        ),
    ]
