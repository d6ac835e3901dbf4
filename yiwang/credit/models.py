"""Credit (信用): market entities. Credit records, risk rules and clues build on ``Entity``.

Every big table carries its region (DESIGN.md): an entity belongs to the county it is registered in
and, where known, to a town of it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.identifiers import validate_uscc


class RiskClass(models.TextChoices):
    """信用风险分类: A low … D high (国发〔2019〕18号 分级分类监管)."""

    A = "A", _("A类（低风险）")
    B = "B", _("B类（一般风险）")
    C = "C", _("C类（较高风险）")
    D = "D", _("D类（高风险）")


class Entity(models.Model):
    """A market entity (市场主体): an enterprise, an individual business or a cooperative, by USCC."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        INDIVIDUAL = "individual", _("个体工商户")
        COOPERATIVE = "cooperative", _("农民专业合作社")

    class Status(models.TextChoices):
        ACTIVE = "active", _("存续")
        REVOKED = "revoked", _("吊销")
        CANCELLED = "cancelled", _("注销")

    class Size(models.TextChoices):
        MICRO = "micro", _("微型")
        SMALL = "small", _("小型")
        MEDIUM = "medium", _("中型")
        LARGE = "large", _("大型")

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc])
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("主体类型"), max_length=16, choices=Kind.choices, default=Kind.ENTERPRISE)
    # 国民经济行业分类 (GB/T 4754-2017) code, e.g. "A0151" 仁果类和核果类水果种植, "H6210" 正餐服务
    industry_code = models.CharField(_("行业代码"), max_length=8, blank=True, db_index=True)
    industry_name = models.CharField(_("行业"), max_length=64, blank=True)
    region = models.ForeignKey(
        "org.Region", verbose_name=_("登记区县"), on_delete=models.PROTECT, related_name="entities"
    )
    town = models.ForeignKey(
        "org.Region",
        verbose_name=_("所在镇街"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="town_entities",
    )
    address = models.CharField(_("住所"), max_length=200, blank=True)
    legal_representative = models.CharField(_("法定代表人/经营者"), max_length=64, blank=True)
    registered_capital = models.DecimalField(
        _("注册资本（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    status = models.CharField(_("登记状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    size = models.CharField(_("企业规模"), max_length=8, choices=Size.choices, blank=True)
    # free tags such as 高新技术企业, 小微企业, 农业产业化龙头企业
    tags = models.JSONField(_("标签"), default=list, blank=True)
    risk_class = models.CharField(
        _("信用风险分类"), max_length=1, choices=RiskClass.choices, default=RiskClass.B, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("市场主体")
        verbose_name_plural = _("市场主体")
        indexes = [
            models.Index(fields=["region", "risk_class"], name="credit_entity_region_class"),
            models.Index(fields=["town"], name="credit_entity_town"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.uscc}）"
