"""好差评: ratings, rectifications of bad ratings and findings, the quarterly service check (效能大体检).

Plan 四(十五)6 and 三5: 一次一评 (at the counter) / 一事一评 (online), public ratings and replies, and a
management system on five mechanisms — evaluation, feedback, rectification, supervision, publication.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yiwang.core.fields import PiiOriginalsField, PiiTextField


class Level(models.IntegerChoices):
    """The five levels of the national 好差评 standard."""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASIC = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


BAD_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)
GOOD_LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED)


class RatingChannel(models.TextChoices):
    PAD = "pad", _("窗口评价器")
    ONLINE = "online", _("网上评价")
    APP = "app", _("移动端")
    SMS = "sms", _("短信评价")
    HOTLINE = "hotline", _("12345回访")
    DEFAULT = "default", _("默认评价")


class Rating(models.Model):
    """One rating of one finished case (bundle parents and single cases) or one replied appeal."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("办件"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appeal = models.ForeignKey(
        "hotline.Appeal", verbose_name=_("诉求"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_number = models.CharField(_("办件/诉求编号"), max_length=24)
    subject_title = models.CharField(_("事项/诉求"), max_length=200)
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "org.Department", verbose_name=_("被评部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hall = models.ForeignKey(
        "org.ServiceHall", verbose_name=_("大厅"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    window = models.ForeignKey(
        "org.Window", verbose_name=_("窗口"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("被评工作人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    item = models.ForeignKey(
        "catalog.ServiceItem", verbose_name=_("事项"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    item_code = models.CharField(_("事项编码"), max_length=64, blank=True)

    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices)
    scores = models.JSONField(_("分项评价"), default=dict, blank=True)
    # Phone and ID numbers typed into the comment are stored masked; as typed in pii_originals (SM4).
    comment = PiiTextField(_("评价内容"), blank=True, originals="pii_originals")
    channel = models.CharField(_("评价渠道"), max_length=16, choices=RatingChannel.choices)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人账户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rater_name = models.CharField(_("评价人"), max_length=200, blank=True)
    real_name = models.BooleanField(_("实名评价"), default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    finished_at = models.DateTimeField(_("办结/答复时间"))
    rated_at = models.DateTimeField(_("评价时间"))
    pii_originals = PiiOriginalsField()

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        ordering = ["-rated_at", "-id"]
        indexes = [
            models.Index(fields=["department", "rated_at"], name="ratings_rating_dept_at"),
            models.Index(fields=["rated_at"], name="ratings_rating_at"),
            models.Index(fields=["level", "rated_at"], name="ratings_rating_level_at"),
        ]
        constraints = [
            # 一次一评 / 一事一评: one rating per case and per appeal.
            models.UniqueConstraint(fields=["case"], name="ratings_one_per_case"),
            models.UniqueConstraint(fields=["appeal"], name="ratings_one_per_appeal"),
            models.CheckConstraint(
                name="ratings_rating_one_subject",
                condition=Q(case__isnull=False, appeal__isnull=True) | Q(case__isnull=True, appeal__isnull=False),
            ),
            models.CheckConstraint(name="ratings_rating_level_range", condition=Q(level__gte=1, level__lte=5)),
            models.CheckConstraint(
                name="ratings_rating_channel_valid", condition=Q(channel__in=[c for c, _l in RatingChannel.choices])
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_number} {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS


class Monitor(models.Model):
    """营商环境监督员: a roster of the people who carry out service checks."""

    class Kind(models.TextChoices):
        SUPERVISOR = "supervisor", _("督查人员")
        CITIZEN = "citizen", _("群众代表")
        ENTERPRISE = "enterprise", _("企业代表")
        DEPUTY = "deputy", _("人大代表/政协委员")

    name = models.CharField(_("姓名"), max_length=64)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    organisation = models.CharField(_("单位/身份"), max_length=128, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(_("在册"), default=True)

    class Meta:
        verbose_name = _("营商环境监督员")
        verbose_name_plural = _("营商环境监督员")
        ordering = ["kind", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name", "organisation"], name="ratings_monitor_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"


class ServiceCheck(models.Model):
    """效能大体检: one quarter's check of the halls of a region (plan: every quarter)."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("已安排")
        CLOSED = "closed", _("已结束")

    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    title = models.CharField(_("名称"), max_length=120)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.SCHEDULED)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("安排人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    scheduled_at = models.DateTimeField(_("安排时间"))

    class Meta:
        verbose_name = _("效能大体检")
        verbose_name_plural = _("效能大体检")
        ordering = ["-year", "-quarter", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "quarter"], name="ratings_check_one_per_quarter"),
            models.CheckConstraint(name="ratings_check_quarter_range", condition=Q(quarter__gte=1, quarter__lte=4)),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def period(self) -> str:
        return f"{self.year}年第{self.quarter}季度"


class CheckAssignment(models.Model):
    """One monitor assigned to one hall in one check."""

    service_check = models.ForeignKey(
        ServiceCheck, verbose_name=_("体检"), on_delete=models.CASCADE, related_name="assignments"
    )
    monitor = models.ForeignKey(Monitor, verbose_name=_("监督员"), on_delete=models.PROTECT, related_name="assignments")
    hall = models.ForeignKey("org.ServiceHall", verbose_name=_("大厅"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("体检分工")
        verbose_name_plural = _("体检分工")
        constraints = [
            models.UniqueConstraint(fields=["service_check", "monitor", "hall"], name="ratings_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.service_check} {self.monitor} → {self.hall}"


class Finding(models.Model):
    """One fault found in a check; each opens a rectification with a deadline."""

    class Category(models.TextChoices):
        ATTITUDE = "attitude", _("服务态度")
        EFFICIENCY = "efficiency", _("办事效率")
        GUIDANCE = "guidance", _("指南与告知")
        DISCIPLINE = "discipline", _("工作纪律")
        FACILITIES = "facilities", _("场所设施")
        ONLINE = "online", _("网办平台")
        OTHER = "other", _("其他")

    class Severity(models.TextChoices):
        MINOR = "minor", _("轻微")
        GENERAL = "general", _("一般")
        SERIOUS = "serious", _("严重")

    service_check = models.ForeignKey(
        ServiceCheck, verbose_name=_("体检"), on_delete=models.PROTECT, related_name="findings"
    )
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    hall = models.ForeignKey("org.ServiceHall", verbose_name=_("大厅"), on_delete=models.PROTECT, related_name="+")
    window = models.ForeignKey(
        "org.Window", verbose_name=_("窗口"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        "catalog.ServiceItem", verbose_name=_("事项"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("责任部门"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("问题类别"), max_length=16, choices=Category.choices)
    severity = models.CharField(_("严重程度"), max_length=16, choices=Severity.choices)
    description = PiiTextField(_("问题描述"))
    photo = models.FileField(_("现场照片"), upload_to="ratings/findings/%Y/%m", blank=True)
    monitor = models.ForeignKey(
        Monitor, verbose_name=_("发现人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    repeated = models.BooleanField(_("重复发现"), default=False, help_text=_("同一大厅、同一类别在此前季度已发现过"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("体检发现问题")
        verbose_name_plural = _("体检发现问题")
        ordering = ["service_check", "hall", "id"]
        indexes = [models.Index(fields=["hall", "category"], name="ratings_finding_hall_cat")]

    def __str__(self) -> str:
        return f"{self.hall} {self.get_category_display()}"


class Rectification(models.Model):
    """差评整改: a bad rating or a check finding, followed to a fix the supervisor accepts."""

    class Source(models.TextChoices):
        RATING = "rating", _("差评")
        FINDING = "finding", _("效能大体检")

    class State(models.TextChoices):
        VERIFYING = "verifying", _("待核实")
        CLASSIFYING = "classifying", _("待定性")
        APPEALED = "appealed", _("申诉待审")
        RECTIFYING = "rectifying", _("整改中")
        REPLYING = "replying", _("待答复")
        REVISITING = "revisiting", _("待回访")
        REVIEWING = "reviewing", _("待督查审核")
        CLOSED = "closed", _("已办结")
        ANNULLED = "annulled", _("申诉成立")

    class Classification(models.TextChoices):
        FIX_NOW = "fix_now", _("诉求清楚合理，立行立改")
        FIX_WITHIN = "fix_within", _("情况复杂，限期整改")
        EXPLAIN = "explain", _("缺乏法定依据，解释说明")
        APPEAL = "appeal", _("恶意或错误差评，申诉")

    number = models.CharField(_("整改编号"), max_length=24, unique=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    rating = models.OneToOneField(
        Rating, verbose_name=_("差评"), null=True, blank=True, on_delete=models.PROTECT, related_name="rectification"
    )
    finding = models.OneToOneField(
        Finding,
        verbose_name=_("体检问题"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectification",
    )
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "org.Department", verbose_name=_("责任部门"), on_delete=models.PROTECT, related_name="+"
    )
    hall = models.ForeignKey(
        "org.ServiceHall", verbose_name=_("大厅"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.CharField(_("问题摘要"), max_length=200)
    real_name = models.BooleanField(_("实名差评"), default=False)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.VERIFYING)
    classification = models.CharField(_("定性"), max_length=16, choices=Classification.choices, blank=True)
    clock = models.ForeignKey(
        "workdays.Clock", verbose_name=_("整改期限"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField(_("到期日"))
    opened_at = models.DateTimeField(_("启动时间"))

    called_back = models.BooleanField(_("已回访核实"), default=False)
    callback_note = PiiTextField(_("核实情况"), blank=True)
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    classification_note = PiiTextField(_("定性说明"), blank=True)
    evidence = models.FileField(_("申诉证据"), upload_to="ratings/evidence/%Y/%m", blank=True)
    classified_at = models.DateTimeField(_("定性时间"), null=True, blank=True)
    appeal_decision_note = models.CharField(_("申诉审核意见"), max_length=500, blank=True)
    measures_taken = PiiTextField(_("整改措施（改了什么）"), blank=True)
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    reply = PiiTextField(_("答复内容"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    revisit_level = models.PositiveSmallIntegerField(_("回访满意度"), choices=Level.choices, null=True, blank=True)
    revisit_note = PiiTextField(_("回访记录"), blank=True)
    revisited_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=500, blank=True)
    sent_back_count = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    on_time = models.BooleanField(_("按期整改"), null=True, blank=True)
    overdue_notified = models.BooleanField(_("已发超期通知"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("整改")
        verbose_name_plural = _("整改")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["department", "state", "due_on"], name="ratings_rect_dept_state_due"),
            models.Index(fields=["state", "closed_at"], name="ratings_rect_state_closed"),
            # The department's queue: its open rectifications by due day, never the closed history.
            models.Index(
                fields=["department", "due_on"],
                condition=~Q(state__in=["closed", "annulled"]),
                name="ratings_rect_open_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="ratings_rect_one_source",
                condition=Q(source="rating", rating__isnull=False, finding__isnull=True)
                | Q(source="finding", rating__isnull=True, finding__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.summary}"

    @property
    def is_open(self) -> bool:
        return self.state not in (self.State.CLOSED, self.State.ANNULLED)
