"""The ratings' daily unrated sweep looks for appeals replied within its window (``UNRATED_LOOKBACK_DAYS``
before the cutoff) in the rateable states with a lead department: a partial index on their reply time
finds those, instead of a walk through every appeal there has been (issue: province scale)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hotline", "0008_similar_appeals_town_trigram_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(
                condition=models.Q(
                    ("lead_department__isnull", False), ("state__in", ["replied", "revisited", "closed"])
                ),
                fields=["replied_at"],
                name="hotline_appeal_unrated_window",
            ),
        ),
    ]
