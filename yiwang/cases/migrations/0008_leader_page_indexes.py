"""The leader page's live figures read bounded sets (issue: province scale): its latest late 企业开办 by a
partial index on bundle applications (not their parts) by decision time, instead of intersecting every
bundle case with every case decided in the period; 承诺核查逾期 by a partial index on the pending overdue
verifications, instead of a scan of every verification done."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_case_children_region"),
        ("catalog", "0006_item_search_fts_sqlite"),
        ("org", "0003_department_alias_unique_per_department"),
        ("workdays", "0004_clock_pause_region"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("bundle__isnull", False), ("parent__isnull", True)),
                fields=["bundle", "decided_at"],
                name="cases_case_bundle_decided",
            ),
        ),
        migrations.AddIndex(
            model_name="pledgeverification",
            index=models.Index(
                condition=models.Q(("overdue", True), ("state", "pending")),
                fields=["case"],
                name="cases_verification_overdue",
            ),
        ),
    ]
