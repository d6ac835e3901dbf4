"""惠企政策: the policy library, eligibility rules as data, matches (reach → applied → granted).

Plan 五(三): departments explain policies (政策解读), publish flow charts and guides, and push
policies precisely to the enterprises they help (精准推送). 免申即享 goes beyond the plan: eligible
entities receive the benefit without applying once an officer confirms the computed list.

Every big table carries its region (DESIGN.md): a match carries its entity's region.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PolicyLevel(models.TextChoices):
    COUNTY = "county", _("县级")
    CITY = "city", _("市级")
    PROVINCE = "province", _("省级")


class PolicyState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    EXPIRED = "expired", _("已失效")


class BenefitKind(models.TextChoices):
    SUBSIDY = "subsidy", _("资金补贴")
    TAX_RELIEF = "tax_relief", _("税费减免")
    LOAN_INTEREST = "loan_interest", _("贷款贴息")
    EMPLOYMENT = "employment", _("稳岗就业补贴")
    AWARD = "award", _("奖励")
    SERVICE = "service", _("服务支持")


class Policy(models.Model):
    """One 惠企政策: the document, its plain-language interpretation, steps and eligibility rules."""

    title = models.CharField(_("政策名称"), max_length=200)
    issuer = models.CharField(_("发文机关"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=100)
    level = models.CharField(_("政策层级"), max_length=16, choices=PolicyLevel.choices, default=PolicyLevel.COUNTY)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("承办部门"),
        on_delete=models.PROTECT,
        related_name="policies",
        help_text=_("在本县负责解读、推送和兑现的部门。"),
    )
    region = models.ForeignKey(
        "org.Region", verbose_name=_("适用区划"), on_delete=models.PROTECT, related_name="policies"
    )
    issued_on = models.DateField(_("发布日期"))
    effective_on = models.DateField(_("生效日期"))
    expires_on = models.DateField(_("截止日期"), null=True, blank=True)
    full_text = models.TextField(_("政策原文"))
    interpretation = models.TextField(_("政策解读"), help_text=_("用通俗的话说明谁能享受、享受什么、怎么办。"))
    steps = models.JSONField(_("办理流程"), default=list, blank=True)
    benefit_kind = models.CharField(_("扶持方式"), max_length=16, choices=BenefitKind.choices)
    benefit_amount = models.DecimalField(
        _("扶持标准（元）"), max_digits=14, decimal_places=2, null=True, blank=True, help_text=_("每户标准金额，可空。")
    )
    benefit_note = models.CharField(_("扶持内容"), max_length=200, blank=True)
    no_application = models.BooleanField(_("免申即享"), default=False)
    catalog_item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name=_("申办事项"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="policies",
    )
    rules = models.JSONField(_("享受条件"), default=dict, blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=PolicyState.choices, default=PolicyState.DRAFT)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    expired_at = models.DateTimeField(_("失效时间"), null=True, blank=True)
    matched_at = models.DateTimeField(_("最近匹配时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        "org.User", verbose_name=_("录入人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("惠企政策")
        verbose_name_plural = _("惠企政策")
        ordering = ["-issued_on", "-pk"]
        indexes = [models.Index(fields=["state", "department"], name="policies_policy_state_dept")]
        constraints = [
            models.CheckConstraint(
                name="policies_policy_expires_after_effective",
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("effective_on")),
            ),
            models.CheckConstraint(
                name="policies_policy_amount_not_negative",
                condition=Q(benefit_amount__isnull=True) | Q(benefit_amount__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.document_number}）"


class PolicyAttachment(models.Model):
    policy = models.ForeignKey(Policy, verbose_name=_("政策"), on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("附件名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to="policies/attachments/", max_length=255)

    class Meta:
        verbose_name = _("政策附件")
        verbose_name_plural = _("政策附件")

    def __str__(self) -> str:
        return self.title


class PolicyMatch(models.Model):
    """One entity found eligible for one policy: pushed once, then applied for and granted (or granted directly)."""

    policy = models.ForeignKey(Policy, verbose_name=_("政策"), on_delete=models.PROTECT, related_name="matches")
    entity = models.ForeignKey(
        "credit.Entity", verbose_name=_("市场主体"), on_delete=models.PROTECT, related_name="policy_matches"
    )
    region = models.ForeignKey("org.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    matched_at = models.DateTimeField(_("匹配时间"))
    eligible = models.BooleanField(_("当前符合条件"), default=True)
    notified_at = models.DateTimeField(_("推送时间"), null=True, blank=True)
    applied_at = models.DateTimeField(_("申请时间"), null=True, blank=True)
    application = models.JSONField(_("申请信息"), default=dict, blank=True)
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("办件"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(_("兑现时间"), null=True, blank=True)
    amount = models.DecimalField(_("兑现金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    granted_by = models.ForeignKey(
        "org.User", verbose_name=_("兑现经办人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("政策匹配")
        verbose_name_plural = _("政策匹配")
        ordering = ["policy", "entity"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "entity"], name="policies_match_once_per_policy_entity"),
            models.CheckConstraint(
                name="policies_match_amount_when_granted",
                condition=Q(granted_at__isnull=True, amount__isnull=True)
                | Q(granted_at__isnull=False, amount__isnull=False, amount__gte=0),
            ),
        ]
        indexes = [
            models.Index(fields=["entity", "eligible"], name="policies_match_entity"),
            models.Index(fields=["policy", "eligible"], name="policies_match_policy"),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} → {self.entity_id}"

    @property
    def stage(self) -> str:
        if self.granted_at:
            return "已兑现"
        if self.applied_at:
            return "已申请"
        if self.notified_at:
            return "已推送"
        return "已匹配"


# --- 一业一证 (plan 三2: explore one integrated licence for one line of business) -------------------


class IndustryLicenceType(models.Model):
    """An industry (便利店, 饭店, 药店) whose several permits are applied for through one bundle and
    stand as one integrated licence (行业综合许可证), issued through the e-licence register."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("行业"), max_length=50, unique=True)
    bundle = models.OneToOneField(
        "catalog.Bundle", verbose_name=_("一件事"), on_delete=models.PROTECT, related_name="industry_licence_type"
    )
    licence_type = models.ForeignKey(
        "licences.LicenceType", verbose_name=_("证照类型"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("发证部门"), on_delete=models.PROTECT, related_name="industry_licence_types"
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("一业一证行业")
        verbose_name_plural = _("一业一证行业")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}行业综合许可"


class IntegratedLicenceState(models.TextChoices):
    VALID = "valid", _("有效")
    CANCELLED = "cancelled", _("已注销")


class IntegratedLicence(models.Model):
    """One 行业综合许可证: the e-licence (current one after changes) and the permits it stands for."""

    industry_type = models.ForeignKey(
        IndustryLicenceType, verbose_name=_("行业"), on_delete=models.PROTECT, related_name="licences"
    )
    case = models.OneToOneField(
        "cases.Case", verbose_name=_("一件事办件"), on_delete=models.PROTECT, related_name="integrated_licence"
    )
    licence = models.OneToOneField(
        "licences.Licence", verbose_name=_("电子证照"), on_delete=models.PROTECT, related_name="integrated"
    )
    holder_name = models.CharField(_("持证主体"), max_length=200)
    holder_uscc = models.CharField(_("统一社会信用代码"), max_length=18, db_index=True)
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    permits = models.JSONField(_("涵盖的许可"), default=list)
    state = models.CharField(
        _("状态"), max_length=12, choices=IntegratedLicenceState.choices, default=IntegratedLicenceState.VALID
    )
    issued_at = models.DateTimeField(_("发证时间"))
    history = models.JSONField(_("变更记录"), default=list, blank=True)
    cancelled_at = models.DateTimeField(_("注销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("行业综合许可证")
        verbose_name_plural = _("行业综合许可证")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.industry_type.name}行业综合许可证 {self.holder_name}"


class PreviousIntegratedLicence(models.Model):
    """An e-licence an integrated licence stood as before a change (换发) — its QR still verifies to it."""

    integrated = models.ForeignKey(
        IntegratedLicence, verbose_name=_("行业综合许可证"), on_delete=models.CASCADE, related_name="previous"
    )
    licence = models.OneToOneField(
        "licences.Licence", verbose_name=_("原电子证照"), on_delete=models.PROTECT, related_name="integrated_before"
    )

    class Meta:
        verbose_name = _("行业综合许可证原证")
        verbose_name_plural = _("行业综合许可证原证")

    def __str__(self) -> str:
        return f"{self.integrated_id} ← {self.licence_id}"
