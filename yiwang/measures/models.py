"""Monthly facts: the additive roll-ups every dashboard and KPI reads (DESIGN: figures come from roll-ups).

One row per identity — (metric, month, region, department, key) — holding additive numbers:
``count`` plus six generic sums ``v1`` … ``v6`` whose meaning each metric declares when it registers
(``register_metric("cases.decided", fields=("on_time", "workdays_sum", …))`` maps the names onto
``v1``, ``v2``, … in order). Numbers only ever add up, so a figure over any months, regions or
departments is a ``SUM`` and a rate is a quotient of two sums.

Writers never wait on a hot row: an event appends its increments to ``PendingFact`` (an insert, no
lock on any shared row) in its own transaction, and a folding task (``measures_fold``, every minute)
adds them into ``MonthlyFact`` and deletes them. Readers sum both tables, so a figure is exact the
moment the event commits.

The region is stored as its own code plus its county and town codes, so a subtree filter is an
equality on an indexed column (county, town or the region itself) that the planner estimates
like any other equality — never a ``LIKE`` on a deep path.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

VALUE_COLUMNS = ("v1", "v2", "v3", "v4", "v5", "v6")


class FactColumns(models.Model):
    """The identity and numbers shared by a monthly fact and a pending increment of one."""

    metric = models.CharField(_("指标"), max_length=64)
    month = models.DateField(_("月份"), help_text=_("当月1日"))
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("区划代码"), max_length=12)
    county_code = models.CharField(_("县级代码"), max_length=6, blank=True, default="")
    town_code = models.CharField(_("乡镇代码"), max_length=9, blank=True, default="")
    department = models.ForeignKey(
        "org.Department", verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    key = models.CharField(_("分类键"), max_length=64, blank=True, default="", help_text=_("事项编码、类别、渠道等"))
    count = models.BigIntegerField(_("计数"), default=0)
    v1 = models.BigIntegerField(default=0)
    v2 = models.BigIntegerField(default=0)
    v3 = models.BigIntegerField(default=0)
    v4 = models.BigIntegerField(default=0)
    v5 = models.BigIntegerField(default=0)
    v6 = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class MonthlyFact(FactColumns):
    """One fact: the folded sum of every increment of its identity."""

    class Meta:
        verbose_name = _("月度统计事实")
        verbose_name_plural = _("月度统计事实")
        constraints = [
            # NULL departments never conflict in a plain unique index, so the identity is two partial ones.
            models.UniqueConstraint(
                fields=["metric", "month", "region", "department", "key"],
                condition=Q(department__isnull=False),
                name="measures_fact_identity",
            ),
            models.UniqueConstraint(
                fields=["metric", "month", "region", "key"],
                condition=Q(department__isnull=True),
                name="measures_fact_identity_no_department",
            ),
        ]
        indexes = [
            models.Index(fields=["metric", "month"], name="measures_fact_metric_month"),
            models.Index(fields=["metric", "county_code", "month"], name="measures_fact_county"),
            models.Index(fields=["metric", "town_code", "month"], name="measures_fact_town"),
            models.Index(fields=["metric", "region_code", "month"], name="measures_fact_region"),
            models.Index(fields=["metric", "department", "month"], name="measures_fact_department"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.month:%Y-%m} {self.region_code} {self.department_id or '-'} {self.key}"


class PendingFact(FactColumns):
    """An increment written with its event and not yet folded into ``MonthlyFact`` (append-only)."""

    class Meta:
        verbose_name = _("待汇总统计增量")
        verbose_name_plural = _("待汇总统计增量")
        indexes = [models.Index(fields=["metric", "month"], name="measures_pending_metric_month")]

    def __str__(self) -> str:
        return f"+{self.metric} {self.month:%Y-%m} {self.region_code} {self.department_id or '-'} {self.key}"
