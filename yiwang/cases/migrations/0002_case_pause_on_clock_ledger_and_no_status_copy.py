"""A case pause points at its clock's pause-ledger row (workdays.ClockPause) instead of keeping its own
dates and working days; the case's deadline status is the clock's, no longer copied onto the case."""

import django.db.models.deletion
from django.db import migrations, models


def link_pauses(apps, schema_editor):
    """Link each case pause to the ledger row of the case's decision clock opened the same day."""
    CasePause = apps.get_model("cases", "CasePause")
    ClockPause = apps.get_model("workdays", "ClockPause")
    taken = set()
    pauses = CasePause.objects.filter(clock_pause__isnull=True, case__clock__isnull=False).select_related("case")
    for pause in pauses.order_by("case_id", "paused_on", "id").iterator(chunk_size=1000):
        ledger = (
            ClockPause.objects.filter(clock_id=pause.case.clock_id, paused_on=pause.paused_on)
            .exclude(pk__in=taken)
            .order_by("id")
            .first()
        )
        if ledger is not None:
            taken.add(ledger.pk)
            pause.clock_pause_id = ledger.pk
            pause.save(update_fields=["clock_pause"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_case_materials_steps_notices_help"),
        ("workdays", "0003_clock_status_and_reminder"),
    ]

    operations = [
        migrations.AddField(
            model_name="casepause",
            name="clock_pause",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="case_pause",
                to="workdays.clockpause",
                verbose_name="期限暂停记录",
            ),
        ),
        migrations.RunPython(link_pauses, migrations.RunPython.noop, elidable=True),
        migrations.AlterModelOptions(
            name="casepause",
            options={"ordering": ["case", "id"], "verbose_name": "暂停计时", "verbose_name_plural": "暂停计时"},
        ),
        migrations.RemoveConstraint(
            model_name="casepause",
            name="cases_pause_one_open_per_case",
        ),
        migrations.RemoveField(
            model_name="case",
            name="deadline_status",
        ),
        migrations.RemoveField(
            model_name="casepause",
            name="paused_on",
        ),
        migrations.RemoveField(
            model_name="casepause",
            name="resumed_on",
        ),
        migrations.RemoveField(
            model_name="casepause",
            name="workdays",
        ),
    ]
