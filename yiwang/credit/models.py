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


class RecordKind(models.TextChoices):
    """What a credit record says (公共信用信息的类别)."""

    COMMENDATION = "commendation", _("守信激励（红名单）")
    PENALTY = "penalty", _("行政处罚")
    DISHONESTY = "dishonesty", _("失信记录")
    FALSE_PLEDGE = "false_pledge", _("虚假承诺")
    INSPECTION = "inspection", _("抽查检查发现问题")
    FIRST_OFFENCE = "first_offence", _("首违不罚")
    BLACKLIST = "blacklist", _("严重失信主体名单")
    GOVERNMENT = "government", _("政务失信")


class NamedList(models.TextChoices):
    """The lists the plan names (a record may put its subject on one of them)."""

    NONE = "", _("—")
    KEY_FIELDS = "key_fields", _("23个重点领域严重失信（二(五)）")
    WAGE_ARREARS = "wage_arrears", _("拖欠农民工工资失信联合惩戒对象名单（四(十二)6）")
    BIDDING = "bidding", _("招标投标领域黑名单（四(十四)3）")
    IP = "ip", _("知识产权严重违法失信名单（四(十六)2）")
    RED = "red", _("诚信红名单")


class Severity(models.TextChoices):
    MINOR = "minor", _("轻微")
    GENERAL = "general", _("一般")
    SERIOUS = "serious", _("严重")


class CreditRecord(models.Model):
    """One piece of public credit information about an entity (or, for 政务失信, a government body).

    A record counts towards the risk class while it is in effect: not repaired, not revoked and not
    past ``expires_on``. ``source`` names where it came from ("cases.falsepledge:12",
    "inspections.task:7"); a non-empty source is unique, so importing the same fact twice adds nothing.
    """

    class State(models.TextChoices):
        EFFECTIVE = "effective", _("有效")
        REPAIRED = "repaired", _("已信用修复")
        REVOKED = "revoked", _("已撤销")

    entity = models.ForeignKey(
        Entity,
        verbose_name=_("市场主体"),
        on_delete=models.PROTECT,
        related_name="credit_records",
        null=True,
        blank=True,
    )
    # 政务失信 (四(十)3(2)): the dishonest party is a government body, not a market entity.
    subject_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("失信政府机构"),
        on_delete=models.PROTECT,
        related_name="government_dishonesty",
        null=True,
        blank=True,
    )
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=16, choices=RecordKind.choices, db_index=True)
    named_list = models.CharField(_("名单"), max_length=16, choices=NamedList.choices, blank=True, default="")
    # one of the 23 key fields of the county's campaign (二(五)), e.g. 食品药品, 安全生产
    key_field = models.CharField(_("重点领域"), max_length=32, blank=True)
    # 首违不罚: the code of the offence on the configured list (FIRST_OFFENCES)
    offence_code = models.CharField(_("首违不罚事项"), max_length=32, blank=True)
    severity = models.CharField(_("情节"), max_length=8, choices=Severity.choices, default=Severity.GENERAL)
    title = models.CharField(_("事由"), max_length=200)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("认定部门"), on_delete=models.PROTECT, related_name="credit_records"
    )
    decided_on = models.DateField(_("认定日期"))
    legal_basis = models.CharField(_("依据"), max_length=300, blank=True)
    document_number = models.CharField(_("文书号"), max_length=64, blank=True)
    source = models.CharField(_("来源"), max_length=64, blank=True)
    expires_on = models.DateField(_("有效期（公示期）至"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.EFFECTIVE, db_index=True)
    created_by = models.ForeignKey(
        "org.User", verbose_name=_("录入人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    ended_at = models.DateTimeField(_("修复/撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source"], condition=~models.Q(source=""), name="credit_record_source_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(entity__isnull=False, subject_department__isnull=True)
                | models.Q(entity__isnull=True, subject_department__isnull=False, kind="government"),
                name="credit_record_one_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=models.F("decided_on")),
                name="credit_record_expiry_after_decision",
            ),
        ]
        indexes = [
            models.Index(fields=["entity", "state"], name="credit_record_entity_state"),
            models.Index(fields=["region", "kind", "decided_on"], name="credit_record_region_kind"),
            models.Index(fields=["named_list", "state"], name="credit_record_list"),
            models.Index(fields=["expires_on"], name="credit_record_expiry"),
        ]

    def __str__(self) -> str:
        subject = self.entity.name if self.entity_id else str(self.subject_department)
        return f"{subject} {self.get_kind_display()}：{self.title}"

    def in_effect(self, today) -> bool:
        return self.state == self.State.EFFECTIVE and (self.expires_on is None or self.expires_on >= today)


class RiskClassChange(models.Model):
    """History of an entity's risk class: one row each time the class changes."""

    entity = models.ForeignKey(
        Entity, verbose_name=_("市场主体"), on_delete=models.CASCADE, related_name="class_changes"
    )
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    from_class = models.CharField(_("原分类"), max_length=1, choices=RiskClass.choices, blank=True)
    to_class = models.CharField(_("新分类"), max_length=1, choices=RiskClass.choices)
    score = models.IntegerField(_("风险分值"))
    reason = models.CharField(_("原因"), max_length=200)
    record = models.ForeignKey(
        CreditRecord, verbose_name=_("触发记录"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("变更时间"))

    class Meta:
        verbose_name = _("风险分类变更")
        verbose_name_plural = _("风险分类变更")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["entity", "changed_at"], name="credit_classchange_entity")]

    def __str__(self) -> str:
        return f"{self.entity_id} {self.from_class or '—'}→{self.to_class}"


class AppealMention(models.Model):
    """A complaint or report in the 12345 hotline that names an entity (its name in the title or text).

    Kept by the daily complaint-clue scan, which matches only the appeals changed since its last run
    (and the entities added or renamed since then) instead of every entity against every appeal.
    """

    appeal = models.ForeignKey("hotline.Appeal", verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="+")
    entity = models.ForeignKey(Entity, verbose_name=_("市场主体"), on_delete=models.CASCADE, related_name="+")
    received_at = models.DateTimeField(_("受理时间"))

    class Meta:
        verbose_name = _("投诉举报涉及主体")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["appeal", "entity"], name="credit_mention_once")]
        indexes = [models.Index(fields=["entity", "received_at"], name="credit_mention_entity_day")]

    def __str__(self) -> str:
        return f"{self.appeal_id}→{self.entity_id}"


class ScanMark(models.Model):
    """How far an incremental scan has read: the last ``updated_at`` of each source it matched."""

    name = models.CharField(max_length=64, unique=True)
    appeals_until = models.DateTimeField(null=True, blank=True)
    entities_until = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_appeals = models.PositiveIntegerField(default=0)
    last_entities = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("增量扫描位置")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return self.name


class CreditRepair(models.Model):
    """信用修复: the subject asks, the deciding department checks the correction and decides."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已修复")
        REJECTED = "rejected", _("不予修复")

    record = models.ForeignKey(
        CreditRecord, verbose_name=_("信用记录"), on_delete=models.PROTECT, related_name="repairs"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("审核部门"), on_delete=models.PROTECT, related_name="credit_repairs"
    )
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    statement = models.TextField(_("纠正失信行为情况"))
    commitment = models.BooleanField(_("已签署信用承诺书"), default=False)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    requested_by = models.ForeignKey(
        "org.User", verbose_name=_("申请人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"))
    due_on = models.DateField(_("审核期限"))
    clock = models.ForeignKey(
        "workdays.Clock", verbose_name=_("期限"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        "org.User", verbose_name=_("审核人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    opinion = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("信用修复申请")
        verbose_name_plural = _("信用修复申请")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"], condition=models.Q(state="pending"), name="credit_repair_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"信用修复：{self.record}"


class Clue(models.Model):
    """A risk-warning clue (互联网+监管 风险预警线索, plan 四(十七)2): pushed → handled → fed back.

    Raised by a configured rule (``CLUE_RULES``) over credit records, appeals, ratings or inspection
    results, pushed to the responsible department with a working-day deadline (``clock``).
    """

    class State(models.TextChoices):
        PUSHED = "pushed", _("已推送待处置")
        HANDLED = "handled", _("已处置待反馈")
        FED_BACK = "fed_back", _("已反馈")

    class Finding(models.TextChoices):
        CONFIRMED = "confirmed", _("风险属实，已处置")
        NOT_CONFIRMED = "not_confirmed", _("经核查风险不属实")

    entity = models.ForeignKey(Entity, verbose_name=_("市场主体"), on_delete=models.PROTECT, related_name="clues")
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "org.Department", verbose_name=_("责任部门"), on_delete=models.PROTECT, related_name="credit_clues"
    )
    rule_code = models.CharField(_("预警规则"), max_length=32)
    rule_label = models.CharField(_("预警规则名称"), max_length=100)
    summary = models.CharField(_("线索摘要"), max_length=300)
    evidence = models.JSONField(_("依据数据"), default=dict, blank=True)
    # one clue per rule, entity and window: the same facts never raise a second clue
    dedupe_key = models.CharField(max_length=120, unique=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PUSHED, db_index=True)
    pushed_at = models.DateTimeField(_("推送时间"))
    due_on = models.DateField(_("反馈期限"))
    clock = models.ForeignKey(
        "workdays.Clock", verbose_name=_("期限"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    measures_taken = models.TextField(_("处置措施"), blank=True)
    handled_by = models.ForeignKey(
        "org.User", verbose_name=_("处置人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    finding = models.CharField(_("核查结论"), max_length=16, choices=Finding.choices, blank=True)
    feedback = models.TextField(_("反馈意见"), blank=True)
    fed_back_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    handled_on_time = models.BooleanField(_("按期反馈"), null=True)

    class Meta:
        verbose_name = _("风险预警线索")
        verbose_name_plural = _("风险预警线索")
        ordering = ["-pushed_at", "-id"]
        indexes = [
            models.Index(fields=["department", "state", "due_on"], name="credit_clue_queue"),
            models.Index(fields=["entity", "pushed_at"], name="credit_clue_entity"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_label}：{self.entity.name}"


class LoanProduct(models.Model):
    """A bank's loan product on the financing board (金融信息服务平台 / 信易贷, plan 四(九)2(2), 四(九)5)."""

    bank = models.CharField(_("金融机构"), max_length=100)
    name = models.CharField(_("产品名称"), max_length=100)
    region = models.ForeignKey("org.Region", verbose_name=_("服务区划"), on_delete=models.PROTECT, related_name="+")
    min_amount = models.PositiveIntegerField(_("最低额度（万元）"), default=1)
    max_amount = models.PositiveIntegerField(_("最高额度（万元）"))
    term_months = models.PositiveSmallIntegerField(_("最长期限（月）"), default=12)
    rate_text = models.CharField(_("参考利率"), max_length=64, blank=True)
    # GB/T 4754 industry section letters or code prefixes ("A", "H62"); empty = every industry
    industries = models.JSONField(_("适用行业"), default=list, blank=True)
    classes = models.JSONField(_("准入信用分类"), default=list, blank=True)
    collateral_free = models.BooleanField(_("纯信用（免抵押）"), default=False)
    is_active = models.BooleanField(_("在架"), default=True)
    published_by = models.ForeignKey(
        "org.User", verbose_name=_("发布人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"))

    class Meta:
        verbose_name = _("信贷产品")
        verbose_name_plural = _("信贷产品")
        ordering = ["bank", "name"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "name"], name="credit_loanproduct_bank_name"),
            models.CheckConstraint(
                condition=models.Q(max_amount__gte=models.F("min_amount")), name="credit_loan_amounts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank}·{self.name}"


class FinancingNeed(models.Model):
    """An enterprise's financing need published on the board; matched to products; loan granted."""

    class State(models.TextChoices):
        OPEN = "open", _("待对接")
        MATCHED = "matched", _("已匹配")
        GRANTED = "granted", _("已放款")
        CLOSED = "closed", _("已关闭")

    entity = models.ForeignKey(
        Entity, verbose_name=_("市场主体"), on_delete=models.PROTECT, related_name="financing_needs"
    )
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    industry_section = models.CharField(_("行业门类"), max_length=1, blank=True)
    amount = models.PositiveIntegerField(_("融资金额（万元）"))
    term_months = models.PositiveSmallIntegerField(_("期限（月）"), default=12)
    purpose = models.CharField(_("用途"), max_length=200)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    match_count = models.PositiveIntegerField(_("匹配产品数"), default=0)
    granted_product = models.ForeignKey(
        LoanProduct, verbose_name=_("放款产品"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    granted_amount = models.PositiveIntegerField(_("放款金额（万元）"), null=True, blank=True)
    granted_at = models.DateTimeField(_("放款时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        "org.User", verbose_name=_("发布人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"))

    class Meta:
        verbose_name = _("融资需求")
        verbose_name_plural = _("融资需求")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return f"{self.entity.name} 融资 {self.amount} 万元"


class LoanMatch(models.Model):
    """A product that fits a need by amount, industry and credit class (at the time of matching)."""

    need = models.ForeignKey(
        FinancingNeed, verbose_name=_("融资需求"), on_delete=models.CASCADE, related_name="matches"
    )
    product = models.ForeignKey(
        LoanProduct, verbose_name=_("信贷产品"), on_delete=models.PROTECT, related_name="matches"
    )
    risk_class = models.CharField(_("匹配时信用分类"), max_length=1, choices=RiskClass.choices)
    matched_at = models.DateTimeField(_("匹配时间"))

    class Meta:
        verbose_name = _("融资对接")
        verbose_name_plural = _("融资对接")
        constraints = [models.UniqueConstraint(fields=["need", "product"], name="credit_loanmatch_once")]

    def __str__(self) -> str:
        return f"{self.need_id} ↔ {self.product}"
