"""Appeals (诉求) from intake to revisit, the 办不成事 register, the knowledge base and the router.

Every big table carries its region (the county the appeal was raised in); town and village are
the place the appeal is about.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.fields import EncryptedCharField, PiiCharField, PiiHashField, PiiOriginalsField, PiiTextField


class Category(models.Model):
    """What an appeal is about (农村道路, 工资拖欠…); one Open311 service per category."""

    code = models.SlugField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=64, unique=True)
    group = models.CharField(_("大类"), max_length=32, help_text=_("如 城乡建设、劳动和社会保障、农业农村"))
    description = models.CharField(_("说明"), max_length=255, blank=True)
    keywords = models.CharField(_("关键词"), max_length=255, blank=True, help_text=_("逗号分隔"))
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class CategoryDepartmentMapping(models.Model):
    """Which department normally handles a category, optionally only in one town (data, not code)."""

    category = models.ForeignKey(Category, verbose_name=_("类别"), on_delete=models.CASCADE, related_name="mappings")
    town = models.ForeignKey(
        "org.Region",
        verbose_name=_("镇街"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("留空表示全县通用"),
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("承办部门"), on_delete=models.CASCADE, related_name="hotline_mappings"
    )

    class Meta:
        verbose_name = _("类别—部门对应")
        verbose_name_plural = _("类别—部门对应")
        ordering = ["category", "town"]
        constraints = [
            models.UniqueConstraint(fields=["category", "town"], name="hotline_mapping_one_per_category_town"),
            models.UniqueConstraint(
                fields=["category"], condition=Q(town__isnull=True), name="hotline_mapping_one_default_per_category"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} → {self.department}" + (f"（{self.town}）" if self.town_id else "")


class Appeal(models.Model):
    """One citizen or enterprise appeal (诉求 / 工单), from any channel."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("12345热线")
        PORTAL = "portal", _("门户网站")
        COUNTER = "counter", _("窗口")
        LETTER = "letter", _("来信")
        API = "api", _("小程序/接口")

    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("咨询")
        HELP = "help", _("求助")
        COMPLAINT = "complaint", _("投诉")
        REPORT = "report", _("举报")
        SUGGESTION = "suggestion", _("建议")

    class Tier(models.TextChoices):
        URGENT = "urgent", _("紧急")
        SIMPLE = "simple", _("简单")
        GENERAL = "general", _("一般")
        COMPLEX = "complex", _("复杂")

    class State(models.TextChoices):
        RECEIVED = "received", _("待派单")
        ANSWERED = "answered", _("直接办结")
        DECLINED = "declined", _("不予受理")
        DISPATCHED = "dispatched", _("待签收")
        RETURNED = "returned", _("退单待审")
        SIGNED_OFF = "signed_off", _("办理中")
        REPLIED = "replied", _("已答复")
        REVISITED = "revisited", _("已回访")
        REOPENED = "reopened", _("重办中")
        CLOSED = "closed", _("已办结")
        MERGED = "merged", _("已合并")

    class DeclineReason(models.TextChoices):
        POLICE_110 = "police_110", _("治安警情（110）")
        FIRE_119 = "fire_119", _("火警（119）")
        MEDICAL_120 = "medical_120", _("医疗急救（120）")
        TRAFFIC_122 = "traffic_122", _("交通事故（122）")
        LITIGATION = "litigation", _("已进入诉讼程序")
        ARBITRATION = "arbitration", _("已进入仲裁程序")
        DISCIPLINE = "discipline", _("纪检监察事项")
        RECONSIDERATION = "reconsideration", _("已申请行政复议")
        PETITION = "petition", _("信访事项")

    code = models.CharField(_("受理编号"), max_length=20, unique=True)
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    kind = models.CharField(_("诉求类型"), max_length=16, choices=Kind.choices)
    # Phone and ID numbers typed into the title or the text are stored masked; the numbers as typed
    # are in pii_originals (SM4), shown to the owner and the handler only (core.fields.revealed).
    title = PiiCharField(_("标题"), max_length=120, originals="pii_originals")
    content = PiiTextField(_("诉求内容"), originals="pii_originals")
    category = models.ForeignKey(
        Category, verbose_name=_("类别"), null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    town = models.ForeignKey(
        "org.Region", verbose_name=_("镇街"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        "org.Region", verbose_name=_("村/社区"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("详细地址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)

    anonymous = models.BooleanField(_("匿名"), default=False)
    contact_name = EncryptedCharField(_("联系人"), max_length=64, blank=True, null=True)
    contact_phone = EncryptedCharField(_("联系电话"), max_length=32, blank=True, null=True)
    contact_phone_hash = PiiHashField()
    contact_email = EncryptedCharField(_("电子邮箱"), max_length=254, blank=True, null=True)
    public_consent = models.BooleanField(_("同意公开"), default=False)

    tier = models.CharField(_("办理等级"), max_length=16, choices=Tier.choices, default=Tier.GENERAL)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.RECEIVED)
    screening = models.CharField(_("受理甄别提示"), max_length=64, blank=True)
    decline_reason = models.CharField(_("不予受理原因"), max_length=32, choices=DeclineReason.choices, blank=True)
    decline_advice = models.CharField(_("告知内容"), max_length=255, blank=True)

    lead_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("主办部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hotline_appeals",
    )
    handling_clock = models.ForeignKey(
        "workdays.Clock", verbose_name=_("办理时限"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply_due_at = models.DateTimeField(_("答复时限（紧急，按小时）"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("合并至"), null=True, blank=True, on_delete=models.PROTECT, related_name="merged_appeals"
    )

    suggested_department = models.ForeignKey(
        "org.Department", verbose_name=_("推荐部门"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suggested_category = models.ForeignKey(
        Category, verbose_name=_("推荐类别"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suggestion_confidence = models.FloatField(_("推荐置信度"), null=True, blank=True)
    suggestion_low_confidence = models.BooleanField(_("低置信度"), default=False)

    return_count = models.PositiveSmallIntegerField(_("退单次数"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("延期次数"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)

    submission_key = models.CharField(_("提交标识"), max_length=64, null=True, blank=True, unique=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    received_at = models.DateTimeField(_("受理时间"), default=timezone.now)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    pii_originals = PiiOriginalsField()
    # When its similar appeals were last found and stored (hotline.similar): set only while it is open or
    # replied and every pair with the others open or replied is in SimilarPair; None while that is pending.
    similar_at = models.DateTimeField(_("相似诉求索引时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["state", "received_at"], name="hotline_appeal_state_recv"),
            models.Index(fields=["lead_department", "state"], name="hotline_appeal_dept_state"),
            models.Index(fields=["region", "received_at"], name="hotline_appeal_region_recv"),
            models.Index(fields=["town", "category"], name="hotline_appeal_town_cat"),
            # similar appeals (hotline.similar): the open and replied ones of a town, recent first
            models.Index(
                fields=["town", "received_at"],
                name="hotline_appeal_open_town_recv",
                condition=Q(state__in=["dispatched", "received", "reopened", "replied", "returned", "signed_off"]),
            ),
            # The open and replied appeals whose similar pairs are not stored yet (hotline.similar): a few,
            # between a commit and the worker that stores them.
            models.Index(
                fields=["town", "received_at"],
                name="hotline_appeal_similar_pending",
                condition=Q(
                    state__in=["dispatched", "received", "reopened", "replied", "returned", "signed_off"],
                    similar_at__isnull=True,
                ),
            ),
            # The public column (hotline.selectors.public): the published replies, latest first.
            models.Index(
                fields=["replied_at", "id"],
                name="hotline_appeal_public_replied",
                condition=Q(
                    public_consent=True,
                    state__in=["answered", "closed", "replied", "revisited"],
                    merged_into__isnull=True,
                ),
            ),
            # The ratings' daily unrated sweep: the rateable appeals replied within its window (ratings
            # RATEABLE_APPEAL_STATES, UNRATED_LOOKBACK_DAYS), not every appeal of all history.
            models.Index(
                fields=["replied_at"],
                name="hotline_appeal_unrated_window",
                condition=Q(state__in=["replied", "revisited", "closed"], lead_department__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="hotline_appeal_anonymous_has_no_name",
                condition=Q(anonymous=False) | Q(contact_name__isnull=True),
            ),
            models.CheckConstraint(
                name="hotline_appeal_merged_has_target",
                condition=~Q(state="merged") | Q(merged_into__isnull=False),
            ),
            models.CheckConstraint(
                name="hotline_appeal_declined_has_reason", condition=~Q(state="declined") | ~Q(decline_reason="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class SimilarPair(models.Model):
    """Two open or replied appeals of one place whose texts score at least the index's threshold
    (hotline.similar), stored both ways round when the later of them was indexed: a page reads them
    instead of scoring the place's open work again. Derived data: rebuilt by ``hotline similar``."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    score = models.FloatField(_("相似度"))

    class Meta:
        verbose_name = _("相似诉求")
        verbose_name_plural = _("相似诉求")
        constraints = [models.UniqueConstraint(fields=["appeal", "other"], name="hotline_similarpair_unique")]
        indexes = [models.Index(fields=["other"], name="hotline_similarpair_other")]

    def __str__(self) -> str:
        return f"{self.appeal_id} ~ {self.other_id} ({self.score:.3f})"


class SimilarIndex(models.Model):
    """The threshold the stored pairs were found at (one row): pages use them only at that threshold
    or above, and a changed setting has them rebuilt."""

    threshold = models.FloatField(_("相似度阈值"))
    built_at = models.DateTimeField(_("重建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("相似诉求索引")
        verbose_name_plural = _("相似诉求索引")

    def __str__(self) -> str:
        return f"{self.threshold}"


OPEN_STATES = frozenset(
    {
        Appeal.State.RECEIVED,
        Appeal.State.DISPATCHED,
        Appeal.State.RETURNED,
        Appeal.State.SIGNED_OFF,
        Appeal.State.REOPENED,
    }
)
# States whose appeal has a reply the public may read (with consent).
REPLIED_STATES = frozenset({Appeal.State.ANSWERED, Appeal.State.REPLIED, Appeal.State.REVISITED, Appeal.State.CLOSED})


class Dispatch(models.Model):
    """One assignment (派单) of an appeal to a lead department, with optional co-departments."""

    class State(models.TextChoices):
        ACTIVE = "active", _("有效")
        RETURNED = "returned", _("已退回")
        CLOSED = "closed", _("已结束")

    appeal = models.ForeignKey(Appeal, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="dispatches")
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "org.Department", verbose_name=_("主办部门"), on_delete=models.PROTECT, related_name="hotline_dispatches"
    )
    co_departments = models.ManyToManyField(
        "org.Department", verbose_name=_("协办部门"), blank=True, related_name="hotline_co_dispatches"
    )
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.ACTIVE)
    note = models.CharField(_("派单意见"), max_length=500, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("派单人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    dispatched_at = models.DateTimeField(_("派单时间"), default=timezone.now)
    sign_off_clock = models.ForeignKey(
        "workdays.Clock", verbose_name=_("签收时限"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sign_off_due_at = models.DateTimeField(_("签收时限（紧急，按小时）"), null=True, blank=True)
    signed_off_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签收人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Response (响应) = signed off, or a return asked for, within the sign-off limit.
    responded_on_time = models.BooleanField(_("按时响应"), null=True, blank=True)
    followed_suggestion = models.BooleanField(_("采纳智能推荐"), null=True, blank=True)

    class Meta:
        verbose_name = _("派单")
        verbose_name_plural = _("派单")
        ordering = ["-dispatched_at", "-id"]
        indexes = [
            models.Index(fields=["department", "dispatched_at"], name="hotline_dispatch_dept_at"),
            # The dashboard's late responses: active dispatches not yet answered (a bounded set).
            models.Index(
                fields=["dispatched_at"],
                condition=Q(state="active", responded_on_time__isnull=True),
                name="hotline_dispatch_unanswered",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal"], condition=Q(state="active"), name="hotline_dispatch_one_active_per_appeal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.appeal.code} → {self.department}"


class ReturnRequest(models.Model):
    """退单: the department says the appeal is not theirs; the dispatcher approves (and re-dispatches)."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已同意")
        REJECTED = "rejected", _("已驳回")

    appeal = models.ForeignKey(Appeal, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="returns")
    dispatch = models.ForeignKey(Dispatch, verbose_name=_("派单"), on_delete=models.CASCADE, related_name="returns")
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "org.Department", verbose_name=_("退单部门"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("退单理由"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.CharField(_("审核意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("退单申请")
        verbose_name_plural = _("退单申请")
        ordering = ["-requested_at"]
        constraints = [
            # 退单 once per dispatch (the rule's "once"): the database refuses a second row.
            models.UniqueConstraint(fields=["dispatch"], name="hotline_return_once_per_dispatch"),
        ]
        indexes = [
            # The dispatch queue's pending returns: a handful among every return ever decided.
            models.Index(fields=["requested_at"], condition=Q(state="pending"), name="hotline_return_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal.code} 退单（{self.get_state_display()}）"


class ExtensionRequest(models.Model):
    """延期: more working days to reply, asked before the deadline, approved by a dispatcher."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已同意")
        REJECTED = "rejected", _("已驳回")
        WITHDRAWN = "withdrawn", _("已撤回")

    appeal = models.ForeignKey(Appeal, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="extensions")
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "org.Department", verbose_name=_("申请部门"), on_delete=models.PROTECT, related_name="+"
    )
    days = models.PositiveSmallIntegerField(_("申请延期（工作日）"))
    reason = models.TextField(_("延期理由"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PENDING)
    previous_due_on = models.DateField(_("原到期日"))
    new_due_on = models.DateField(_("延期后到期日"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.CharField(_("审核意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(name="hotline_extension_days_positive", condition=Q(days__gte=1)),
            models.UniqueConstraint(
                fields=["appeal"], condition=Q(state="pending"), name="hotline_extension_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appeal.code} 延期 {self.days} 个工作日（{self.get_state_display()}）"


class Reply(models.Model):
    """The lead department's answer to the citizen (首接负责: the lead answers)."""

    class Result(models.TextChoices):
        RESOLVED = "resolved", _("已解决")
        EXPLAINED = "explained", _("已解释说明")
        UNRESOLVABLE = "unresolvable", _("暂无法解决（已说明原因）")

    appeal = models.ForeignKey(Appeal, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="replies")
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "org.Department", verbose_name=_("答复部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    content = PiiTextField(_("答复内容"), originals="pii_originals")
    result = models.CharField(_("办理结果"), max_length=16, choices=Result.choices, default=Result.RESOLVED)
    knowledge_entry = models.ForeignKey(
        "KnowledgeEntry", verbose_name=_("引用知识"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("答复人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_at = models.DateTimeField(_("答复时间"), default=timezone.now)
    on_time = models.BooleanField(_("按时答复"), default=True)
    pii_originals = PiiOriginalsField()

    class Meta:
        verbose_name = _("答复")
        verbose_name_plural = _("答复")
        ordering = ["replied_at", "id"]
        indexes = [models.Index(fields=["department", "replied_at"], name="hotline_reply_dept_at")]

    def __str__(self) -> str:
        return f"{self.appeal.code} 第{self.round}次答复"


class Revisit(models.Model):
    """回访 after the reply: resolved? satisfied (5 levels)?"""

    class Satisfaction(models.IntegerChoices):
        VERY_SATISFIED = 5, _("非常满意")
        SATISFIED = 4, _("满意")
        BASIC = 3, _("基本满意")
        DISSATISFIED = 2, _("不满意")
        VERY_DISSATISFIED = 1, _("非常不满意")

    class Outcome(models.TextChoices):
        CLOSED = "closed", _("办结")
        REOPENED = "reopened", _("重办")

    appeal = models.ForeignKey(Appeal, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="revisits")
    reply = models.ForeignKey(Reply, verbose_name=_("答复"), on_delete=models.CASCADE, related_name="revisits")
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "org.Department", verbose_name=_("被评部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved = models.BooleanField(_("问题是否解决"))
    satisfaction = models.PositiveSmallIntegerField(_("满意度"), choices=Satisfaction.choices)
    comment = PiiTextField(_("回访记录"), blank=True)  # numbers masked
    within_power = models.BooleanField(
        _("不满意原因属部门职权范围"), default=False, help_text=_("属职权范围内的不满意将重办")
    )
    outcome = models.CharField(_("回访结果"), max_length=16, choices=Outcome.choices)
    revisited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("回访人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revisited_at = models.DateTimeField(_("回访时间"), default=timezone.now)

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["revisited_at", "id"]
        indexes = [models.Index(fields=["department", "revisited_at"], name="hotline_revisit_dept_at")]
        constraints = [
            models.CheckConstraint(
                name="hotline_revisit_satisfaction_range", condition=Q(satisfaction__gte=1, satisfaction__lte=5)
            ),
            models.UniqueConstraint(fields=["reply"], name="hotline_revisit_one_per_reply"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal.code} 回访：{self.get_satisfaction_display()}"

    @property
    def satisfied(self) -> bool:
        return self.satisfaction >= self.Satisfaction.BASIC


class AppealEvent(models.Model):
    """The appeal's timeline (what happened, by whom, when). The hash-chained audit log in
    ``yiwang.core`` is the compliance record; this is the domain history shown on pages."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("受理登记")
        ANSWERED = "answered", _("直接办结")
        DECLINED = "declined", _("不予受理")
        DISPATCHED = "dispatched", _("派单")
        SIGNED_OFF = "signed_off", _("签收")
        RETURN_REQUESTED = "return_requested", _("申请退单")
        RETURN_APPROVED = "return_approved", _("同意退单")
        RETURN_REJECTED = "return_rejected", _("驳回退单")
        EXTENSION_REQUESTED = "extension_requested", _("申请延期")
        EXTENSION_APPROVED = "extension_approved", _("同意延期")
        EXTENSION_REJECTED = "extension_rejected", _("驳回延期")
        EXTENSION_WITHDRAWN = "extension_withdrawn", _("撤回延期")
        OPINION = "opinion", _("协办意见")
        REPLIED = "replied", _("答复")
        REVISITED = "revisited", _("回访")
        CLOSED = "closed", _("办结")
        REOPENED = "reopened", _("重办")
        MERGED = "merged", _("合并")
        REMINDER = "reminder", _("催办")
        OVERDUE = "overdue", _("超期通报")
        RECLASSIFIED = "reclassified", _("调整分类")

    # What the citizen sees on the tracking page; the rest is internal.
    PUBLIC_KINDS = frozenset(
        {
            "received",
            "answered",
            "declined",
            "dispatched",
            "signed_off",
            "replied",
            "revisited",
            "closed",
            "reopened",
            "merged",
        }
    )

    appeal = models.ForeignKey(Appeal, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="events")
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("事件"), max_length=32, choices=Kind.choices)
    from_state = models.CharField(_("原状态"), max_length=16, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("部门"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = PiiTextField(_("说明"), blank=True)  # quotes replies: numbers masked (the reply keeps them)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    dedupe_key = models.CharField(_("去重键"), max_length=120, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("诉求办理记录")
        verbose_name_plural = _("诉求办理记录")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["appeal", "created_at"], name="hotline_event_appeal_at"),
            # the dashboard's overdue notices since a day
            models.Index(fields=["kind", "created_at"], name="hotline_event_kind_at"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal.code} {self.get_kind_display()}"


class UnresolvedMatter(models.Model):
    """办不成事: something a person could not get done, logged one by one (plan 三、4)."""

    class Channel(models.TextChoices):
        WINDOW = "window", _("窗口当面")
        PHONE = "phone", _("电话")
        LETTER = "letter", _("信函")
        ONLINE = "online", _("网络")

    class Tier(models.TextChoices):
        SIMPLE = "simple", _("简单（现场解决）")
        GENERAL = "general", _("一般（1个工作日）")
        COMPLEX = "complex", _("复杂（7个工作日）")

    class State(models.TextChoices):
        OPEN = "open", _("办理中")
        RESOLVED = "resolved", _("已办结")

    class Resolution(models.TextChoices):
        SOLVED = "solved", _("已办成")
        EXPLAINED = "explained", _("已解释说明")
        REFERRED = "referred", _("已转交相关部门并反馈")

    code = models.CharField(_("登记编号"), max_length=20, unique=True)
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    town = models.ForeignKey(
        "org.Region", verbose_name=_("镇街"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hall = models.ForeignKey(
        "org.ServiceHall",
        verbose_name=_("登记地点"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(_("反映方式"), max_length=16, choices=Channel.choices)
    summary = models.CharField(_("事项摘要"), max_length=120)
    description = PiiTextField(_("具体情况"), originals="pii_originals")
    category = models.ForeignKey(
        Category, verbose_name=_("类别"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("归口部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tier = models.CharField(_("分级"), max_length=16, choices=Tier.choices)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.OPEN)
    reporter_name = EncryptedCharField(_("反映人"), max_length=64, blank=True, null=True)
    reporter_phone = EncryptedCharField(_("联系电话"), max_length=32, blank=True, null=True)
    clock = models.ForeignKey(
        "workdays.Clock", verbose_name=_("办理时限"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(_("办理结果"), max_length=16, choices=Resolution.choices, blank=True)
    resolution_note = PiiTextField(_("办理情况"), blank=True, originals="pii_originals")
    on_time = models.BooleanField(_("按时办结"), null=True, blank=True)
    submission_key = models.CharField(_("提交标识"), max_length=64, null=True, blank=True, unique=True)
    reported_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    appeal = models.ForeignKey(
        Appeal, verbose_name=_("关联诉求"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pii_originals = PiiOriginalsField()

    class Meta:
        verbose_name = _("办不成事登记")
        verbose_name_plural = _("办不成事登记")
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["region", "reported_at"], name="hotline_unres_region_at")]
        constraints = [
            models.CheckConstraint(
                name="hotline_unresolved_resolved_has_result",
                condition=~Q(state="resolved") | (~Q(resolution="") & Q(resolved_at__isnull=False)),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.summary}"


class KnowledgeEntry(models.Model):
    """An answer the operator may give on the spot (直接办结) to a common consultation."""

    question = models.CharField(_("问题"), max_length=200)
    answer = models.TextField(_("答复口径"))
    keywords = models.CharField(_("关键词"), max_length=255, blank=True, help_text=_("逗号或空格分隔"))
    category = models.ForeignKey(
        Category, verbose_name=_("类别"), null=True, blank=True, on_delete=models.SET_NULL, related_name="knowledge"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("口径提供部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("启用"), default=True)
    use_count = models.PositiveIntegerField(_("引用次数"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("知识库条目")
        verbose_name_plural = _("知识库")
        ordering = ["-use_count", "id"]

    def __str__(self) -> str:
        return self.question


class RoutingModel(models.Model):
    """A trained text classifier (department or category), stored with its metrics.

    The blob is a joblib pickle written only by ``routing_model_train`` on this platform; it is
    never accepted from outside (unpickling untrusted data would run code).
    """

    class Target(models.TextChoices):
        DEPARTMENT = "department", _("承办部门")
        CATEGORY = "category", _("诉求类别")

    target = models.CharField(_("预测对象"), max_length=16, choices=Target.choices)
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    blob = models.BinaryField(_("模型"))
    labels = models.JSONField(_("类别标签"), default=list)
    metrics = models.JSONField(_("评估指标"), default=dict)
    n_samples = models.PositiveIntegerField(_("训练样本数"))
    is_active = models.BooleanField(_("当前使用"), default=True)
    trained_at = models.DateTimeField(_("训练时间"), default=timezone.now)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("训练人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("智能分拨模型")
        verbose_name_plural = _("智能分拨模型")
        ordering = ["-trained_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "target"], condition=Q(is_active=True), name="hotline_routing_one_active_per_target"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_target_display()}模型 #{self.pk}（{self.n_samples} 条）"
