"""The public column (有问必应) reads the published replies from a partial index in its own order, latest
first: its window's edge (the 5,000th latest reply, hotline PUBLIC_REPLIES_WINDOW), its page and its count
come from the index's head instead of a scan and sort of every appeal ever received (issue: province scale)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hotline", "0011_drop_similar_appeals_trigram_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(
                condition=models.Q(
                    ("merged_into__isnull", True),
                    ("public_consent", True),
                    ("state__in", ["answered", "closed", "replied", "revisited"]),
                ),
                fields=["replied_at", "id"],
                name="hotline_appeal_public_replied",
            ),
        ),
    ]
