"""Handling in the department: the review chain and its steps, pauses of the clock and extensions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .case import Case, case_region_field


class StepRole(models.TextChoices):
    CLERK = "clerk", _("综合窗口")
    HANDLER = "handler", _("部门经办")


class ReviewChain(models.Model):
    """The review chain configured for one item (受理 → 审查 → 审核 → 审批 …); otherwise the default."""

    item = models.OneToOneField(
        "catalog.ServiceItem", verbose_name=_("事项"), on_delete=models.CASCADE, related_name="review_chain"
    )
    steps = models.JSONField(_("审批环节"))
    # Separation of duties: by default 审查, 审核 and 审批 of one case are done by different people;
    # an item whose chain allows it may let one person act on several steps.
    same_person_allowed = models.BooleanField(_("允许同一人办理多个环节"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("审批环节配置")
        verbose_name_plural = _("审批环节配置")

    def __str__(self) -> str:
        return " → ".join(step["name"] for step in self.steps)


class ReviewStep(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("未开始")
        ACTIVE = "active", _("办理中")
        DONE = "done", _("已完成")

    case = models.ForeignKey(Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="steps")
    region = case_region_field()
    position = models.PositiveSmallIntegerField(_("顺序"))
    name = models.CharField(_("环节"), max_length=32)
    role = models.CharField(_("办理角色"), max_length=16, choices=StepRole.choices)
    share = models.FloatField(_("时限占比"))
    days = models.PositiveSmallIntegerField(_("环节时限（工作日）"), default=0)
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.PENDING)
    clock = models.ForeignKey(
        "workdays.Clock", verbose_name=_("期限"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField(_("环节到期日"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opinion = models.TextField(_("意见"), blank=True)

    class Meta:
        verbose_name = _("审批环节")
        verbose_name_plural = _("审批环节")
        ordering = ["case", "position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "position"], name="cases_step_position_unique"),
            models.UniqueConstraint(fields=["case"], condition=Q(state="active"), name="cases_step_one_active"),
            models.CheckConstraint(name="cases_step_share_range", condition=Q(share__gte=0, share__lte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.name}"


class PauseKind(models.TextChoices):
    """行政许可法 Art. 45: time for these is not counted in the deadline."""

    HEARING = "hearing", _("听证")
    TENDER = "tender", _("招标、拍卖")
    TESTING = "testing", _("检验、检测、检疫")
    SITE_INSPECTION = "site_inspection", _("现场勘验")
    EXPERT_REVIEW = "expert_review", _("专家评审")


class CasePause(models.Model):
    """Why a case's decision clock was paused (行政许可法 Art. 45). The dates and the working days
    excluded are the clock's pause-ledger row (``workdays.ClockPause``), never counted again here."""

    case = models.ForeignKey(Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="pauses")
    region = case_region_field()
    kind = models.CharField(_("暂停事由"), max_length=16, choices=PauseKind.choices)
    reason = models.CharField(_("说明"), max_length=500)
    clock_pause = models.OneToOneField(
        "workdays.ClockPause",
        verbose_name=_("期限暂停记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_pause",
    )
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("暂停计时")
        verbose_name_plural = _("暂停计时")
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_kind_display()}"

    @property
    def paused_on(self):
        return self.clock_pause.paused_on if self.clock_pause_id else None

    @property
    def resumed_on(self):
        return self.clock_pause.resumed_on if self.clock_pause_id else None

    @property
    def workdays(self) -> int:
        """Working days excluded from the deadline (the ledger's count; 0 while open)."""
        return self.clock_pause.workdays if self.clock_pause_id else 0


class Extension(models.Model):
    """延期 (行政许可法 Art. 42): +10 working days with approval, once per case."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("未批准")

    case = models.ForeignKey(Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="extensions")
    region = case_region_field()
    days = models.PositiveSmallIntegerField(_("延长工作日"))
    reason = models.TextField(_("延期理由"))
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(state__in=["requested", "approved"]), name="cases_extension_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} 延期{self.days}个工作日"
