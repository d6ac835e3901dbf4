"""A department's rectification queue reads its open rectifications by due day from a partial index,
never the closed history it would otherwise filter out row by row (issue: province scale)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0003_department_alias_unique_per_department"),
        ("ratings", "0001_ratings_rectifications_checks"),
        ("workdays", "0004_clock_pause_region"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="rectification",
            index=models.Index(
                condition=models.Q(("state__in", ["closed", "annulled"]), _negated=True),
                fields=["department", "due_on"],
                name="ratings_rect_open_due",
            ),
        ),
    ]
