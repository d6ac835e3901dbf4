"""The service catalog (政务服务事项实施清单): items, their materials, versions, changes under review, bundles.

A ``ServiceItem`` row always holds the elements that are in force (or, before its first publication,
the draft). Every publication freezes the elements into an immutable ``ServiceItemVersion``; a case
refers to the version it was filed under, so a later adjustment (动态调整) never changes what an
applicant was told. Changes to the catalog are ``ItemChange`` proposals that a reviewer of another
department approves without seeing who proposed them (交叉盲审).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    LICENSING = "licensing", _("行政许可")
    CONFIRMATION = "confirmation", _("行政确认")
    PAYMENT = "payment", _("行政给付")
    ADJUDICATION = "adjudication", _("行政裁决")
    REWARD = "reward", _("行政奖励")
    FILING = "filing", _("行政备案")
    OTHER_POWER = "other_power", _("其他行政权力")
    PUBLIC_SERVICE = "public_service", _("公共服务")


class ItemLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")
    TOWN = "town", _("镇（街道）级")
    VILLAGE = "village", _("村（社区）级")


class Audience(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("法人")
    BOTH = "both", _("自然人、法人")


class LimitUnit(models.TextChoices):
    """How an item's time limits are counted; a blank legal limit means 无法定时限."""

    WORKDAYS = "workdays", _("工作日")
    CALENDAR_DAYS = "calendar_days", _("自然日")


class HandlingType(models.TextChoices):
    INSTANT = "instant", _("即办件")
    PROMISED = "promised", _("承诺件")


class OnlineDepth(models.IntegerChoices):
    """网办深度 (国办发〔2018〕45号 levels): I guide only … IV fully online with zero visits."""

    I = 1, _("一级（网上咨询）")  # noqa: E741 — the level's own name
    II = 2, _("二级（网上预约、表格下载）")
    III = 3, _("三级（网上受理，最多跑一次）")
    IV = 4, _("四级（全程网办，零跑动）")


class ReformMode(models.TextChoices):
    """证照分离 reform modes (国发〔2021〕7号). Only the first three count towards the plan's 106."""

    NONE = "", _("不涉及")
    CANCEL = "cancel", _("直接取消审批")
    FILING = "filing", _("审批改为备案")
    PLEDGE = "pledge", _("实行告知承诺")
    OPTIMISE = "optimise", _("优化审批服务")


# The modes the plan counts (四、（一）2: 取消审批、改为备案或实行告知承诺 ≥ 106 items).
COUNTED_REFORM_MODES = (ReformMode.CANCEL, ReformMode.FILING, ReformMode.PLEDGE)


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("待发布")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已停用")


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", _("原件")
    COPY = "copy", _("复印件")
    BOTH = "both", _("原件和复印件")
    UNKNOWN = "unknown", _("未列明")


class TextSearchVectorField(models.Field):
    """A ``tsvector`` on PostgreSQL (searched with ``to_tsquery('simple', …)``); plain text elsewhere."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"


class ServiceItem(models.Model):
    """One service item with its implementation elements, as in force now."""

    code = models.CharField(_("事项编码"), max_length=64, unique=True)
    name = models.CharField(_("事项名称"), max_length=200)
    kind = models.CharField(_("事项类型"), max_length=32, choices=ItemKind.choices)
    region = models.ForeignKey(
        "org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="service_items"
    )
    competent_department = models.ForeignKey(
        "org.Department", verbose_name=_("主管部门"), on_delete=models.PROTECT, related_name="competent_items"
    )
    implementing_department = models.ForeignKey(
        "org.Department", verbose_name=_("实施主体"), on_delete=models.PROTECT, related_name="implemented_items"
    )
    level = models.CharField(_("行使层级"), max_length=16, choices=ItemLevel.choices, default=ItemLevel.COUNTY)
    audience = models.CharField(_("服务对象"), max_length=16, choices=Audience.choices, default=Audience.BOTH)
    on_application = models.BooleanField(_("依申请事项"), default=True)
    legal_basis = models.TextField(_("设定依据"), blank=True)
    conditions = models.TextField(_("受理条件"), blank=True)
    # None: no statutory limit (无法定时限). Both limits are counted in ``limit_unit``.
    legal_days = models.PositiveSmallIntegerField(_("法定办结时限"), null=True, blank=True)
    promised_days = models.PositiveSmallIntegerField(_("承诺办结时限"))
    limit_unit = models.CharField(_("时限单位"), max_length=16, choices=LimitUnit.choices, default=LimitUnit.WORKDAYS)
    handling_type = models.CharField(_("办件类型"), max_length=16, choices=HandlingType.choices)
    online_depth = models.PositiveSmallIntegerField(_("网办深度"), choices=OnlineDepth.choices)
    visits_required = models.PositiveSmallIntegerField(_("到办事现场次数"), default=0)
    visits_reason = models.TextField(_("必须现场办理原因"), blank=True)
    # None: the source does not say (未列明); the guide tells the applicant to ask at the window.
    fee_charged = models.BooleanField(_("是否收费"), null=True, blank=True, default=False)
    fee_description = models.TextField(_("收费标准及依据"), blank=True)
    online_payment = models.BooleanField(_("支持网上支付"), default=False)
    delivery_window = models.BooleanField(_("窗口领取"), default=True)
    delivery_post = models.BooleanField(_("邮寄送达"), default=False)
    delivery_electronic = models.BooleanField(_("电子证照/电子送达"), default=False)
    # All three off: the delivery method is not listed in the source (未列明).
    where_to_apply = models.TextField(_("办理地点"), blank=True)
    when_to_apply = models.TextField(_("办理时间"), blank=True)
    consult_phone = models.CharField(_("咨询电话"), max_length=64, blank=True)
    complaint_phone = models.CharField(_("监督投诉电话"), max_length=64, blank=True)
    reform_mode = models.CharField(_("证照分离改革方式"), max_length=16, choices=ReformMode.choices, blank=True)
    pledge_allowed = models.BooleanField(_("可实行告知承诺"), default=False)
    kiosk_available = models.BooleanField(_("7×24自助办理"), default=False)
    cross_region = models.BooleanField(_("跨区通办"), default=False)
    keywords = models.CharField(_("检索关键词"), max_length=255, blank=True)
    form_fields = models.JSONField(_("申请表字段"), default=list, blank=True)

    status = models.CharField(_("状态"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.DRAFT)
    version = models.PositiveIntegerField(_("现行版本号"), default=0)
    published_at = models.DateTimeField(_("最近发布时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    # Derived, normalised text for the keyword search (see search.py); rebuilt whenever elements change.
    search_name = models.CharField(max_length=255, blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)
    # PostgreSQL: the jieba-segmented words of the item (name A, keywords B, the rest C) in a tsvector
    # with a GIN index (migration 0003's SQL), written when a version is published. Unused on SQLite.
    search_vector = TextSearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("政务服务事项")
        verbose_name_plural = _("政务服务事项")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["status", "level", "kind"], name="catalog_item_status_level"),
            models.Index(fields=["status", "competent_department"], name="catalog_item_status_dept"),
            models.Index(fields=["status", "online_depth"], name="catalog_item_status_depth"),
            models.Index(fields=["region", "status"], name="catalog_item_region_status"),
        ]
        constraints = [
            models.CheckConstraint(
                name="catalog_item_promised_le_legal",
                condition=Q(legal_days__isnull=True) | Q(promised_days__lte=F("legal_days")),
            ),
            models.CheckConstraint(
                name="catalog_item_instant_iff_zero_days",
                condition=Q(handling_type="instant", promised_days=0)
                | Q(handling_type="promised", promised_days__gt=0),
            ),
            models.CheckConstraint(
                name="catalog_item_depth_range", condition=Q(online_depth__gte=1, online_depth__lte=4)
            ),
            models.CheckConstraint(
                name="catalog_item_depth4_zero_visits", condition=Q(online_depth__lt=4) | Q(visits_required=0)
            ),
            models.CheckConstraint(
                name="catalog_item_visits_need_reason", condition=Q(visits_required=0) | ~Q(visits_reason="")
            ),
            models.CheckConstraint(
                name="catalog_item_no_fee_no_payment", condition=Q(fee_charged=True) | Q(online_payment=False)
            ),
            models.CheckConstraint(
                name="catalog_item_limit_unit_valid", condition=Q(limit_unit__in=["workdays", "calendar_days"])
            ),
            models.CheckConstraint(
                name="catalog_item_kind_valid", condition=Q(kind__in=[value for value, _label in ItemKind.choices])
            ),
            models.CheckConstraint(
                name="catalog_item_reform_mode_valid",
                condition=Q(reform_mode__in=[value for value, _label in ReformMode.choices]),
            ),
            models.CheckConstraint(
                name="catalog_item_status_valid", condition=Q(status__in=["draft", "published", "withdrawn"])
            ),
            models.CheckConstraint(
                name="catalog_item_published_has_version", condition=Q(status="draft") | Q(version__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def is_instant(self) -> bool:
        return self.handling_type == HandlingType.INSTANT

    def _days_text(self, days: int | None) -> str:
        if days is None:
            return str(_("无法定时限"))
        return f"{days}个{LimitUnit(self.limit_unit or LimitUnit.WORKDAYS).label}"

    @property
    def legal_limit_text(self) -> str:
        """ "20个工作日", "60个自然日" or "无法定时限"."""
        return self._days_text(self.legal_days)

    @property
    def promised_limit_text(self) -> str:
        return self._days_text(self.promised_days)

    @property
    def delivery_labels(self) -> list[str]:
        labels = []
        if self.delivery_window:
            labels.append(str(_("窗口领取")))
        if self.delivery_post:
            labels.append(str(_("邮寄送达")))
        if self.delivery_electronic:
            labels.append(str(_("电子证照/电子送达")))
        return labels


class ItemMaterial(models.Model):
    """One material (申请材料) an applicant provides for an item, as in force now.

    ``code`` is stable across versions so a case can say which material is missing or deferred.
    A key material (关键要件) is never deferrable: 容缺 applies only to non-key materials (plan 四（十五）8).
    """

    item = models.ForeignKey(ServiceItem, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="materials")
    position = models.PositiveSmallIntegerField(_("序号"), default=1)
    code = models.CharField(_("材料编码"), max_length=32)
    name = models.CharField(_("材料名称"), max_length=200)
    form = models.CharField(_("材料形式"), max_length=16, choices=MaterialForm.choices, default=MaterialForm.ORIGINAL)
    copies = models.PositiveSmallIntegerField(_("份数"), null=True, blank=True, default=1)  # None: 未列明
    required = models.BooleanField(_("必需"), default=True)
    key = models.BooleanField(_("关键要件"), default=False)
    deferrable = models.BooleanField(_("可容缺后补"), default=False)
    pledge_replaceable = models.BooleanField(_("可告知承诺替代"), default=False)
    licence_type = models.CharField(_("可用电子证照"), max_length=100, blank=True)
    blank_form = models.FileField(_("空白表格"), upload_to="catalog/forms/", max_length=255, blank=True)
    sample = models.FileField(_("示例样表"), upload_to="catalog/samples/", max_length=255, blank=True)
    note = models.TextField(_("填报须知"), blank=True)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["item", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "code"], name="catalog_material_code_unique_in_item"),
            models.CheckConstraint(name="catalog_material_key_not_deferrable", condition=~Q(key=True, deferrable=True)),
            models.CheckConstraint(name="catalog_material_key_is_required", condition=~Q(key=True, required=False)),
            models.CheckConstraint(name="catalog_material_copies_positive", condition=Q(copies__gte=1)),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceItemVersion(models.Model):
    """An immutable snapshot of an item's elements at one publication (动态调整 history).

    ``elements`` holds every element, the materials and the form fields exactly as published; who
    proposed, who reviewed, why and when are kept alongside.
    """

    item = models.ForeignKey(ServiceItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    elements = models.JSONField(_("办理要素"))
    reason = models.TextField(_("调整理由"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("提出时间"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_note = models.TextField(_("审核意见"), blank=True)
    published_at = models.DateTimeField(_("发布时间"))
    change = models.OneToOneField(
        "ItemChange",
        verbose_name=_("调整申请"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="version",
    )
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("事项版本")
        verbose_name_plural = _("事项版本")
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="catalog_version_number_unique_in_item"),
            models.CheckConstraint(name="catalog_version_number_positive", condition=Q(number__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.elements.get('name', '')} 第{self.number}版"

    @property
    def materials(self) -> list[dict]:
        """The material checklist of this version (what a case filed under it must check)."""
        return list(self.elements.get("materials", []))


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过并发布")
    REJECTED = "rejected", _("已退回")
    CANCELLED = "cancelled", _("已撤回")


class ItemChange(models.Model):
    """A proposed adjustment of an item (new item, change or republication), awaiting blind review.

    ``recused_departments`` freezes, when proposing, the proposer's departments and the item's own: the
    reviewer must belong to none of them (交叉盲审, plan 四（十五）2). ``base_version`` detects a stale
    proposal.
    """

    class Kind(models.TextChoices):
        CREATE = "create", _("新增事项")
        UPDATE = "update", _("调整要素")
        REPUBLISH = "republish", _("恢复发布")

    item = models.ForeignKey(ServiceItem, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("调整类型"), max_length=16, choices=Kind.choices)
    elements = models.JSONField(_("拟发布要素"))
    base_version = models.PositiveIntegerField(_("基于版本号"), default=0)
    reason = models.TextField(_("调整理由"))
    status = models.CharField(_("状态"), max_length=16, choices=ChangeStatus.choices, default=ChangeStatus.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recused_departments = models.JSONField(_("回避部门"), default=list, blank=True)
    proposed_at = models.DateTimeField(_("提出时间"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_note = models.TextField(_("审核意见"), blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("事项调整申请")
        verbose_name_plural = _("事项调整申请")
        ordering = ["-proposed_at", "-id"]
        indexes = [models.Index(fields=["status", "proposed_at"], name="catalog_change_status_time")]
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=Q(status="pending"), name="catalog_change_one_pending_per_item"
            ),
            models.CheckConstraint(
                name="catalog_change_status_valid",
                condition=Q(status__in=["pending", "approved", "rejected", "cancelled"]),
            ),
            models.CheckConstraint(
                name="catalog_change_reviewed_has_reviewer",
                condition=~Q(status__in=["approved", "rejected"]) | Q(reviewed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.code} {self.get_kind_display()}（{self.get_status_display()}）"


class BundleStatus(models.TextChoices):
    DRAFT = "draft", _("待发布")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已停用")


class Bundle(models.Model):
    """一件事一次办: a life event served by several items with one merged form and one material list."""

    code = models.SlugField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    description = models.TextField(_("说明"), blank=True)
    audience = models.CharField(_("服务对象"), max_length=16, choices=Audience.choices, default=Audience.BOTH)
    region = models.ForeignKey(
        "org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="bundles"
    )
    lead_department = models.ForeignKey(
        "org.Department", verbose_name=_("牵头部门"), on_delete=models.PROTECT, related_name="led_bundles"
    )
    target_days = models.PositiveSmallIntegerField(
        _("目标办结时限（工作日）"), null=True, blank=True, help_text=_("例如企业开办：1个工作日内（实施方案 三、2）。")
    )
    keywords = models.CharField(_("检索关键词"), max_length=255, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=BundleStatus.choices, default=BundleStatus.PUBLISHED)
    items = models.ManyToManyField(ServiceItem, through="BundleItem", related_name="bundles", verbose_name=_("事项"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("一件事")
        verbose_name_plural = _("一件事")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="catalog_bundle_status_valid", condition=Q(status__in=["draft", "published", "withdrawn"])
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, verbose_name=_("一件事"), on_delete=models.CASCADE, related_name="bundle_items")
    item = models.ForeignKey(ServiceItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="bundle_items")
    position = models.PositiveSmallIntegerField(_("顺序"), default=1)

    class Meta:
        verbose_name = _("一件事包含事项")
        verbose_name_plural = _("一件事包含事项")
        ordering = ["bundle", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["bundle", "item"], name="catalog_bundle_item_unique")]

    def __str__(self) -> str:
        return f"{self.bundle} · {self.item}"
