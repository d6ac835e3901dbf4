"""The working-day calendar as data, and the deadlines (clocks) that are counted on it.

Only the exceptions to "Monday–Friday work, Saturday–Sunday rest" are stored: statutory holidays
(放假) and the weekend days worked in exchange (调休上班). ``CalendarYear`` says which years carry the
State Council's official data; every other year falls back to the statutory rules (see
``calendar.py``) and anything counted across it is provisional.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.workdays.deadlines import DeadlineStatus


class CalendarYear(models.Model):
    """One year of the calendar and where its data came from."""

    class Source(models.TextChoices):
        CHINESE_CALENDAR = "chinese-calendar", _("chinese-calendar 数据包")
        IMPORT = "import", _("管理员导入")

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    official = models.BooleanField(_("官方数据"), default=True)
    source = models.CharField(_("来源"), max_length=32, choices=Source.choices)
    imported_at = models.DateTimeField(_("导入时间"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notice = models.TextField(_("通知原文"), blank=True)

    class Meta:
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                name="workdays_calendaryear_source_valid", condition=Q(source__in=["chinese-calendar", "import"])
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}"


class CalendarDay(models.Model):
    """A day that breaks the weekly rule: a holiday (any weekday) or a weekend day worked (调休).

    ``year`` is the notice year the day belongs to, which is usually ``date.year`` but not always:
    the notice for 2012 moved 2011-12-31 to a working day, so that row belongs to 2012 and is
    replaced when 2012 is imported again.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("节日"), max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(_("所属年度"), db_index=True)

    class Meta:
        verbose_name = _("节假日/调休日")
        verbose_name_plural = _("节假日/调休日")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                name="workdays_calendarday_kind_valid", condition=Q(kind__in=["holiday", "workday"])
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}".strip()


class Clock(models.Model):
    """A stored deadline: ``days`` working days counted from the day after ``started_at``.

    ``due_on`` is derived (start + days + paused working days) and recomputed whenever the
    calendar or the pause ledger changes; ``provisional`` says it was counted across a year
    without official data.

    ``status`` is the deadline status the last sweep saw (``sweep.clocks_sweep``) — the sweep's
    memory, so each change reaches the owner's handler once; pages compute the live status with
    ``deadlines.deadline_of_clock``. ``reminded_for`` is the due day a reminder was last sent for.
    """

    class State(models.TextChoices):
        RUNNING = "running", _("计时中")
        PAUSED = "paused", _("已暂停")
        STOPPED = "stopped", _("已结束")

    label = models.CharField(_("名称"), max_length=200)
    started_at = models.DateTimeField(_("起算事件时间"))
    days = models.PositiveIntegerField(_("时限（工作日）"))
    due_on = models.DateField(_("到期日"))
    provisional = models.BooleanField(_("临时（依法定规则推算）"), default=False)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.RUNNING)
    paused_since = models.DateField(_("暂停起始日"), null=True, blank=True)
    paused_workdays = models.PositiveIntegerField(_("已暂停工作日"), default=0)
    stopped_on = models.DateField(_("结束日"), null=True, blank=True)
    warning_ratio = models.FloatField(_("预警比例"), default=0.8)
    status = models.CharField(
        _("期限状态"), max_length=16, choices=DeadlineStatus.choices, default=DeadlineStatus.NORMAL, db_index=True
    )
    reminded_for = models.DateField(_("已催办的到期日"), null=True, blank=True)
    region_code = models.CharField(_("区划代码"), max_length=12, blank=True)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("所属对象类型"), null=True, blank=True, on_delete=models.CASCADE
    )
    object_id = models.PositiveBigIntegerField(_("所属对象"), null=True, blank=True)
    owner = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("期限")
        verbose_name_plural = _("期限")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["provisional", "due_on"], name="workdays_clock_prov_due"),
            models.Index(fields=["state", "due_on"], name="workdays_clock_state_due"),
            models.Index(fields=["content_type", "object_id"], name="workdays_clock_owner"),
        ]
        constraints = [
            models.CheckConstraint(
                name="workdays_clock_state_valid", condition=Q(state__in=["running", "paused", "stopped"])
            ),
            models.CheckConstraint(
                name="workdays_clock_paused_has_since",
                condition=Q(state="paused", paused_since__isnull=False)
                | ~Q(state="paused") & Q(paused_since__isnull=True),
            ),
            models.CheckConstraint(
                name="workdays_clock_status_valid",
                condition=Q(status__in=["normal", "warning", "due", "overdue"]),
            ),
            models.CheckConstraint(
                name="workdays_clock_warning_ratio_range", condition=Q(warning_ratio__gt=0, warning_ratio__lte=1)
            ),
            models.CheckConstraint(
                name="workdays_clock_owner_complete",
                condition=Q(content_type__isnull=True, object_id__isnull=True)
                | Q(content_type__isnull=False, object_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}（{self.due_on.isoformat()}）"


class ClockPause(models.Model):
    """One pause of a clock (行政许可法 Art. 45: hearings, tests, expert review… are not counted).

    The pause day itself still counts; counting resumes the working day after ``resumed_on``, so a
    closed pause excludes the working days in (paused_on, resumed_on] — stored in ``workdays``.
    """

    clock = models.ForeignKey(Clock, verbose_name=_("期限"), on_delete=models.CASCADE, related_name="pauses")
    # The clock's region code, copied when the pause is written (the sharding key, docs/scale.md).
    region_code = models.CharField(_("区划代码"), max_length=12, blank=True)
    paused_on = models.DateField(_("暂停日"))
    resumed_on = models.DateField(_("恢复日"), null=True, blank=True)
    workdays = models.PositiveIntegerField(_("暂停工作日"), default=0)
    reason = models.CharField(_("暂停原因"), max_length=500)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("暂停记录")
        verbose_name_plural = _("暂停记录")
        ordering = ["clock", "paused_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="workdays_clockpause_resume_after_pause",
                condition=Q(resumed_on__isnull=True) | Q(resumed_on__gte=models.F("paused_on")),
            ),
            models.UniqueConstraint(
                fields=["clock"], condition=Q(resumed_on__isnull=True), name="workdays_clockpause_one_open_per_clock"
            ),
        ]

    def __str__(self) -> str:
        end = self.resumed_on.isoformat() if self.resumed_on else "…"
        return f"{self.paused_on.isoformat()} – {end}：{self.reason}"
