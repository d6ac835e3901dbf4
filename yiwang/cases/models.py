"""Applications (办件): a case from submission to delivery, against working-day clocks.

A case keeps the catalog *version* it was filed under, so later adjustments of the item never change
what the applicant was told. A bundle case (一件事) is a parent with one sub-case per item; the
applicant sees the parent. Materials, corrections, deferred materials and pledges belong to the case
that was accepted at the window (the parent for a bundle).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from yiwang.catalog.models import LimitUnit
from yiwang.core.fields import EncryptedCharField, PiiHashField, PiiJSONField, PiiOriginalsField
from yiwang.core.indexes import NullsOrderedIndex


class Channel(models.TextChoices):
    ONLINE = "online", _("网上申请")
    COUNTER = "counter", _("大厅窗口")
    TOWN_CENTRE = "town_centre", _("镇便民服务中心")
    VILLAGE_STATION = "village_station", _("村便民服务站")
    KIOSK = "kiosk", _("7×24自助终端")


class CaseState(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    CORRECTION_REQUESTED = "correction_requested", _("待补正")
    ACCEPTED = "accepted", _("已受理")
    ACCEPTED_DEFERRED = "accepted_deferred", _("容缺受理")
    REJECTED = "rejected", _("不予受理")
    IN_REVIEW = "in_review", _("审查中")
    PAUSED = "paused", _("暂停计时")
    DECIDED_APPROVED = "decided_approved", _("准予许可/办结")
    DECIDED_DENIED = "decided_denied", _("不予许可")
    DELIVERED = "delivered", _("已出件")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_STATES = (
    CaseState.SUBMITTED,
    CaseState.CORRECTION_REQUESTED,
    CaseState.ACCEPTED,
    CaseState.ACCEPTED_DEFERRED,
    CaseState.IN_REVIEW,
    CaseState.PAUSED,
)
HANDLING_STATES = (CaseState.ACCEPTED, CaseState.ACCEPTED_DEFERRED, CaseState.IN_REVIEW, CaseState.PAUSED)
DECIDED_STATES = (CaseState.DECIDED_APPROVED, CaseState.DECIDED_DENIED)
CLOSED_STATES = (CaseState.DELIVERED, CaseState.REJECTED, CaseState.WITHDRAWN)


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("法人/企业")


class AgentKind(models.TextChoices):
    NONE = "", _("无")
    PROXY = "proxy", _("代办")
    ASSIST = "assist", _("帮办")
    REMOTE = "remote", _("远程帮办")


class DeliveryMethod(models.TextChoices):
    WINDOW = "window", _("窗口领取")
    POST = "post", _("邮寄送达")
    ELECTRONIC = "electronic", _("电子送达")


class Case(models.Model):
    """One application of one item version, or of one bundle (then ``parent`` of its sub-cases)."""

    number = models.CharField(_("办件编号"), max_length=24, unique=True)
    verification_code = models.CharField(_("查询码"), max_length=8)
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "org.Department", verbose_name=_("办理部门"), on_delete=models.PROTECT, related_name="cases"
    )
    channel = models.CharField(_("申请渠道"), max_length=16, choices=Channel.choices)
    hall = models.ForeignKey(
        "org.ServiceHall", verbose_name=_("受理大厅"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    window = models.ForeignKey(
        "org.Window", verbose_name=_("收件窗口"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pickup_hall = models.ForeignKey(
        "org.ServiceHall", verbose_name=_("领取大厅"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    item = models.ForeignKey(
        "catalog.ServiceItem", verbose_name=_("事项"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    item_version = models.ForeignKey(
        "catalog.ServiceItemVersion",
        verbose_name=_("事项版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    bundle = models.ForeignKey(
        "catalog.Bundle", verbose_name=_("一件事"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("一件事主件"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    title = models.CharField(_("办件名称"), max_length=200)

    applicant_kind = models.CharField(_("申请人类型"), max_length=16, choices=ApplicantKind.choices)
    applicant_name = models.CharField(_("申请人"), max_length=200)
    applicant_id_number = EncryptedCharField(_("身份证号"), max_length=18, blank=True, null=True)
    applicant_id_number_hash = PiiHashField()
    applicant_phone = EncryptedCharField(_("联系电话"), max_length=20, blank=True, null=True)
    applicant_phone_hash = PiiHashField()
    applicant_uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人账户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    agent_kind = models.CharField(_("代办/帮办"), max_length=8, choices=AgentKind.choices, blank=True, default="")
    agent_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代办/帮办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Phone and ID numbers typed into the form's answers are stored masked; the numbers as typed are
    # in pii_originals (SM4), shown to the applicant and the handler only (core.fields.revealed).
    form_data = PiiJSONField(_("申请表"), default=dict, blank=True, originals="pii_originals")

    state = models.CharField(_("状态"), max_length=24, choices=CaseState.choices, default=CaseState.SUBMITTED)
    instant = models.BooleanField(_("即办件"), default=False)
    promised_days = models.PositiveSmallIntegerField(_("承诺时限（工作日）"), default=0)
    legal_days = models.PositiveSmallIntegerField(_("法定时限（工作日）"), default=0)
    intake_clock = models.ForeignKey(
        "workdays.Clock", verbose_name=_("受理期限"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    clock = models.ForeignKey(
        "workdays.Clock", verbose_name=_("办理期限"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A denormalised copy of ``clock.due_on``/``clock.provisional`` for the queues' ORDER BY, written
    # only where the clock changes (acceptance, resume, extension, decision) and by the deadline
    # handler. The deadline's status is the clock's (``workdays.deadlines``), never stored here.
    due_on = models.DateField(_("到期日"), null=True, blank=True)
    due_provisional = models.BooleanField(_("临时期限"), default=False)
    deferred_overdue = models.BooleanField(_("容缺材料逾期"), default=False)
    has_pledge = models.BooleanField(_("告知承诺"), default=False)
    extended = models.BooleanField(_("已延期"), default=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    delivery_method = models.CharField(
        _("出件方式"), max_length=16, choices=DeliveryMethod.choices, default=DeliveryMethod.WINDOW
    )
    postal_address = models.CharField(_("邮寄地址"), max_length=255, blank=True)
    visits = models.PositiveSmallIntegerField(_("到现场次数"), default=0)
    submission_token = models.CharField(_("提交令牌"), max_length=64, null=True, blank=True, unique=True)

    submitted_at = models.DateTimeField(_("提交时间"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("出件时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # Measured at decision: working days accepted → decided, and whether it met the clock.
    decided_workdays = models.PositiveSmallIntegerField(_("办理用时（工作日）"), null=True, blank=True)
    on_time = models.BooleanField(_("按时办结"), null=True, blank=True)
    # Measured when a case (a bundle parent: all its sub-cases) is decided: submission → result,
    # for the indicators (企业开办 within 1 working day).
    elapsed_seconds = models.PositiveIntegerField(_("申请至办结用时（秒）"), null=True, blank=True)
    elapsed_workdays = models.PositiveSmallIntegerField(_("申请至办结（工作日）"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    pii_originals = PiiOriginalsField()

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["region", "state"], name="cases_case_region_state"),
            models.Index(fields=["department", "state", "due_on"], name="cases_case_dept_state_due"),
            models.Index(fields=["hall", "state"], name="cases_case_hall_state"),
            models.Index(fields=["submitted_at"], name="cases_case_submitted"),
            models.Index(fields=["decided_at"], name="cases_case_decided"),
            models.Index(fields=["applicant_user", "submitted_at"], name="cases_case_user_submitted"),
            models.Index(fields=["bundle", "state"], name="cases_case_bundle_state"),
            # A bundle's applications (not their parts) by decision time: the leader page's latest late
            # 企业开办 without reading every decided case of the period.
            models.Index(
                fields=["bundle", "decided_at"],
                condition=Q(parent__isnull=True, bundle__isnull=False),
                name="cases_case_bundle_decided",
            ),
            # The drill-down of decided cases, late first (cases.drill.LATE_FIRST): a page is read from
            # the head of this index instead of sorting every case decided in the period.
            NullsOrderedIndex(
                F("on_time").asc(nulls_first=True),
                F("decided_workdays").desc(nulls_last=True),
                F("decided_at").desc(),
                F("id").desc(),
                condition=Q(decided_at__isnull=False, bundle__isnull=True),
                name="cases_case_late_first",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="cases_case_state_valid", condition=Q(state__in=[value for value, _label in CaseState.choices])
            ),
            models.CheckConstraint(
                name="cases_case_channel_valid", condition=Q(channel__in=[value for value, _label in Channel.choices])
            ),
            models.CheckConstraint(
                name="cases_case_item_or_bundle",
                condition=Q(item_version__isnull=False, bundle__isnull=True)
                | Q(item_version__isnull=True, bundle__isnull=False, parent__isnull=True),
            ),
            models.CheckConstraint(
                name="cases_case_enterprise_has_uscc", condition=~Q(applicant_kind="enterprise") | ~Q(applicant_uscc="")
            ),
            models.CheckConstraint(
                name="cases_case_post_has_address", condition=~Q(delivery_method="post") | ~Q(postal_address="")
            ),
            models.CheckConstraint(
                name="cases_case_counter_has_hall", condition=Q(channel="online") | Q(hall__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_bundle_parent(self) -> bool:
        return self.bundle_id is not None

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def promised_limit_text(self) -> str:
        """The promised limit in the unit of the item version the case was filed under: "20个工作日" or
        "30个自然日" (a bundle counts working days)."""
        unit = (self.item_version.elements.get("limit_unit") if self.item_version_id else None) or LimitUnit.WORKDAYS
        return f"{self.promised_days}个{LimitUnit(unit).label}"


class MaterialStatus(models.TextChoices):
    MISSING = "missing", _("未提交")
    UPLOADED = "uploaded", _("已上传")
    RECEIVED = "received", _("窗口已收")
    LICENCE = "licence", _("电子证照免提交")
    DEFERRED = "deferred", _("容缺后补")
    PLEDGED = "pledged", _("告知承诺替代")
    DEFECTIVE = "defective", _("需补正")
    NOT_REQUIRED = "not_required", _("非必需未提交")


SATISFIED_MATERIAL = (MaterialStatus.UPLOADED, MaterialStatus.RECEIVED, MaterialStatus.LICENCE, MaterialStatus.PLEDGED)


def case_region_field():
    """The case's region, copied onto a child row when it is written: the sharding key is on every big
    table (docs/scale.md), so a county's child rows live where its cases do. A case's region never
    changes, so there is no second place to keep current; rows from before the column are filled from
    their case by the migration that added it."""
    return models.ForeignKey(
        "org.Region",
        verbose_name=_("所属区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )


class CaseMaterial(models.Model):
    """One line of a case's checklist, copied from the item version (or the bundle's merged list)."""

    case = models.ForeignKey(Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="materials")
    region = case_region_field()
    position = models.PositiveSmallIntegerField(_("序号"), default=1)
    code = models.CharField(_("材料编码"), max_length=40)
    name = models.CharField(_("材料名称"), max_length=200)
    required = models.BooleanField(_("必需"), default=True)
    key = models.BooleanField(_("关键要件"), default=False)
    deferrable = models.BooleanField(_("可容缺"), default=False)
    pledge_replaceable = models.BooleanField(_("可承诺替代"), default=False)
    licence_type = models.CharField(_("可用电子证照"), max_length=100, blank=True)
    # For a bundle: the (item code, material code) pairs this merged line serves.
    sources = models.JSONField(_("对应事项材料"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=MaterialStatus.choices, default=MaterialStatus.MISSING)
    licence_ref = models.CharField(_("电子证照编号"), max_length=100, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("办件材料")
        verbose_name_plural = _("办件材料")
        ordering = ["case", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "code"], name="cases_material_code_unique_in_case"),
            models.CheckConstraint(name="cases_material_key_not_deferrable", condition=~Q(key=True, deferrable=True)),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def satisfied(self) -> bool:
        return self.status in SATISFIED_MATERIAL


def _upload_path(instance, filename: str) -> str:
    return f"cases/{instance.case.number}/{instance.sha256[:16]}-{filename}"


class CaseUpload(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="uploads")
    region = case_region_field()
    material = models.ForeignKey(CaseMaterial, verbose_name=_("材料"), on_delete=models.CASCADE, related_name="uploads")
    file = models.FileField(_("文件"), upload_to=_upload_path, max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=255)
    file_type = models.CharField(_("类型"), max_length=8)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("材料文件")
        verbose_name_plural = _("材料文件")
        ordering = ["case", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class CorrectionRequest(models.Model):
    """补正告知 (一次性告知, 行政许可法 Art. 32(4)): every missing or defective material listed at once."""

    case = models.ForeignKey(Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="corrections")
    region = case_region_field()
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    note = models.TextField(_("说明"), blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("告知人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(_("告知时间"))
    fulfilled_at = models.DateTimeField(_("补正时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("补正告知")
        verbose_name_plural = _("补正告知")
        ordering = ["case", "round"]
        constraints = [models.UniqueConstraint(fields=["case", "round"], name="cases_correction_round_unique")]

    def __str__(self) -> str:
        return f"{self.case.number} 第{self.round}次补正"


class CorrectionEntry(models.Model):
    class Problem(models.TextChoices):
        MISSING = "missing", _("缺少")
        DEFECTIVE = "defective", _("不符合要求")

    correction = models.ForeignKey(
        CorrectionRequest, verbose_name=_("补正告知"), on_delete=models.CASCADE, related_name="entries"
    )
    region = case_region_field()
    material = models.ForeignKey(CaseMaterial, verbose_name=_("材料"), on_delete=models.CASCADE, related_name="+")
    problem = models.CharField(_("问题"), max_length=16, choices=Problem.choices)
    note = models.CharField(_("具体要求"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("补正事项")
        verbose_name_plural = _("补正事项")
        ordering = ["correction", "material__position"]
        constraints = [models.UniqueConstraint(fields=["correction", "material"], name="cases_correction_entry_unique")]

    def __str__(self) -> str:
        return f"{self.material}：{self.get_problem_display()}"


class DeferredMaterial(models.Model):
    """容缺受理: a non-key material accepted as missing, to be supplied by ``due_on``."""

    case = models.ForeignKey(Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="deferred")
    material = models.OneToOneField(
        CaseMaterial, verbose_name=_("材料"), on_delete=models.CASCADE, related_name="deferral"
    )
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    clock = models.ForeignKey(
        "workdays.Clock", verbose_name=_("期限"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField(_("补交期限"))
    supplied_at = models.DateTimeField(_("补交时间"), null=True, blank=True)
    # Who took the material in (the window, or the applicant's own upload) and whether the window
    # checked the original against the copy (原件核验).
    supplied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    original_checked = models.BooleanField(_("原件已核验"), default=False)
    overdue = models.BooleanField(_("已逾期"), default=False)

    class Meta:
        verbose_name = _("容缺材料")
        verbose_name_plural = _("容缺材料")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["supplied_at", "due_on"], name="cases_deferred_open_due")]

    def __str__(self) -> str:
        return f"{self.material}（{self.due_on.isoformat()}前补交）"


class Pledge(models.Model):
    """告知承诺: the applicant's signed commitment replacing named proofs."""

    case = models.OneToOneField(Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="pledge")
    region = case_region_field()
    materials = models.ManyToManyField(
        CaseMaterial, verbose_name=_("替代的材料"), related_name="pledges", through="PledgeMaterial"
    )
    text = models.TextField(_("承诺内容"))
    signed_by = models.CharField(_("承诺人"), max_length=200)
    signed_at = models.DateTimeField(_("承诺时间"))
    # The signed 告知承诺书 on record: a scan uploaded, or the window's confirmation that the
    # applicant signed the printed pledge in front of the clerk.
    signature_method = models.CharField(
        _("签署记录方式"),
        max_length=12,
        blank=True,
        choices=[("upload", _("上传签字件")), ("confirmed", _("窗口确认签字"))],
    )
    signature_recorded_at = models.DateTimeField(_("签署记录时间"), null=True, blank=True)
    signature_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签署记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signature_upload = models.ForeignKey(
        "CaseUpload", verbose_name=_("签字件"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("告知承诺")
        verbose_name_plural = _("告知承诺")

    def __str__(self) -> str:
        return f"{self.case.number} 告知承诺"


class PledgeMaterial(models.Model):
    """A material a pledge replaces, with the case's region like every row that hangs off a case
    (docs/scale.md). The table is the one Django made for the many-to-many before it had a model:
    its name, its ``casematerial_id`` column and its unique pair are kept, so no row moves."""

    pledge = models.ForeignKey(Pledge, verbose_name=_("告知承诺"), on_delete=models.CASCADE, related_name="+")
    material = models.ForeignKey(
        CaseMaterial, verbose_name=_("材料"), on_delete=models.CASCADE, related_name="+", db_column="casematerial_id"
    )
    region = case_region_field()

    class Meta:
        db_table = "cases_pledge_materials"
        verbose_name = _("承诺替代材料")
        verbose_name_plural = _("承诺替代材料")
        unique_together = [("pledge", "material")]  # the many-to-many's own constraint, under its own name

    def __str__(self) -> str:
        return f"{self.pledge_id}：{self.material_id}"


class PledgeVerification(models.Model):
    """事中事后核查 of a pledge, a task for the competent department after approval."""

    class State(models.TextChoices):
        PENDING = "pending", _("待核查")
        CONFIRMED = "confirmed", _("承诺属实")
        FALSE = "false", _("承诺不实")

    pledge = models.OneToOneField(
        Pledge, verbose_name=_("告知承诺"), on_delete=models.CASCADE, related_name="verification"
    )
    case = models.ForeignKey(Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="verifications")
    department = models.ForeignKey(
        "org.Department", verbose_name=_("核查部门"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    clock = models.ForeignKey(
        "workdays.Clock", verbose_name=_("期限"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField(_("核查期限"))
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.PENDING)
    overdue = models.BooleanField(_("已逾期"), default=False)
    finding = models.TextField(_("核查结论"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核查人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("承诺核查")
        verbose_name_plural = _("承诺核查")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["department", "state", "due_on"], name="cases_verification_queue"),
            # The leader page's 承诺核查逾期: the pending overdue ones only, not every verification done.
            models.Index(
                fields=["case"], condition=Q(state="pending", overdue=True), name="cases_verification_overdue"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} 承诺核查"


class FalsePledgeRecord(models.Model):
    """A pledge found false in verification, recorded against the applicant (失信记录)."""

    applicant_name = models.CharField(_("申请人"), max_length=200)
    applicant_id_number_hash = models.CharField(_("身份证号哈希"), max_length=64, blank=True, db_index=True)
    applicant_uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    case = models.ForeignKey(Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="+")
    verification = models.OneToOneField(
        PledgeVerification, verbose_name=_("核查"), on_delete=models.PROTECT, related_name="false_record"
    )
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    finding = models.TextField(_("核查结论"))
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("虚假承诺记录")
        verbose_name_plural = _("虚假承诺记录")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.applicant_name} 虚假承诺（{self.case.number}）"


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


class Decision(models.Model):
    class Outcome(models.TextChoices):
        APPROVED = "approved", _("准予")
        DENIED = "denied", _("不予")

    case = models.OneToOneField(Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="decision")
    region = case_region_field()
    outcome = models.CharField(_("决定"), max_length=8, choices=Outcome.choices)
    reasons = models.TextField(_("理由"))
    legal_basis = models.TextField(_("依据"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("决定人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("决定时间"))

    class Meta:
        verbose_name = _("办理决定")
        verbose_name_plural = _("办理决定")
        constraints = [models.CheckConstraint(name="cases_decision_reasons_required", condition=~Q(reasons=""))]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_outcome_display()}"


class Delivery(models.Model):
    case = models.OneToOneField(Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="delivery")
    region = case_region_field()
    method = models.CharField(_("出件方式"), max_length=16, choices=DeliveryMethod.choices)
    tracking_number = models.CharField(_("邮件单号"), max_length=40, blank=True)
    recipient = models.CharField(_("领取人"), max_length=100, blank=True)
    hall = models.ForeignKey(
        "org.ServiceHall", verbose_name=_("出件大厅"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("出件人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    delivered_at = models.DateTimeField(_("出件时间"))

    class Meta:
        verbose_name = _("出件")
        verbose_name_plural = _("出件")
        constraints = [
            models.CheckConstraint(
                name="cases_delivery_post_has_tracking", condition=~Q(method="post") | ~Q(tracking_number="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_method_display()}"


class NoticeKind(models.TextChoices):
    ACCEPTANCE = "acceptance", _("受理通知书")
    CORRECTION = "correction", _("补正材料告知书")
    REJECTION = "rejection", _("不予受理通知书")
    DEFERRED = "deferred", _("容缺受理通知书")
    DECISION = "decision", _("办理决定书")
    PLEDGE = "pledge", _("告知承诺书")


class Notice(models.Model):
    """A written notice; ``content`` is the frozen text, the PDF is rendered from it on download."""

    case = models.ForeignKey(Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="notices")
    region = case_region_field()
    kind = models.CharField(_("文书"), max_length=16, choices=NoticeKind.choices)
    number = models.CharField(_("文号"), max_length=40, unique=True)
    content = models.JSONField(_("内容"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("签发时间"))

    class Meta:
        verbose_name = _("文书")
        verbose_name_plural = _("文书")
        ordering = ["case", "issued_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class HelpRequest(models.Model):
    """远程帮办: someone asks for help; a staff member takes it and may fill the application as agent."""

    class State(models.TextChoices):
        OPEN = "open", _("待响应")
        TAKEN = "taken", _("帮办中")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("求助人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("姓名"), max_length=64)
    phone = EncryptedCharField(_("联系电话"), max_length=20)
    phone_hash = PiiHashField()
    topic = models.CharField(_("想办的事"), max_length=200)
    description = models.TextField(_("遇到的问题"), blank=True)
    item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name=_("事项"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    bundle = models.ForeignKey(
        "catalog.Bundle", verbose_name=_("一件事"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.OPEN)
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("帮办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    case = models.ForeignKey(
        Case, verbose_name=_("代填办件"), null=True, blank=True, on_delete=models.SET_NULL, related_name="help_requests"
    )
    created_at = models.DateTimeField(_("求助时间"))
    taken_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("远程帮办")
        verbose_name_plural = _("远程帮办")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["region", "state", "created_at"], name="cases_help_queue")]

    def __str__(self) -> str:
        return f"{self.name}：{self.topic}"


class HelpLog(models.Model):
    help_request = models.ForeignKey(HelpRequest, verbose_name=_("帮办"), on_delete=models.CASCADE, related_name="logs")
    region = case_region_field()  # its help request's region
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("动作"), max_length=32)
    note = models.TextField(_("记录"), blank=True)

    class Meta:
        verbose_name = _("帮办记录")
        verbose_name_plural = _("帮办记录")
        ordering = ["help_request", "at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class CaseEvent(models.Model):
    """The applicant-facing timeline (the audit log is the legal record; this is what people read)."""

    case = models.ForeignKey(Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"))
    action = models.CharField(_("动作"), max_length=40)
    label = models.CharField(_("说明"), max_length=300)
    public = models.BooleanField(_("申请人可见"), default=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    region = case_region_field()  # the case's region, copied when the event is written

    class Meta:
        verbose_name = _("办件进度")
        verbose_name_plural = _("办件进度")
        ordering = ["case", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.label}"


from yiwang.cases.founding_models import Founding, FoundingShareholder, UsccAssignment  # noqa: E402, F401
