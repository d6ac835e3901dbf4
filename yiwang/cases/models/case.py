"""The case (办件) itself: its channel, states, applicant and agent kinds, and the region field its
child rows copy from it."""

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
    # Indexed for its sub-cases only (cases_case_parent_child): nearly every case has no parent, and an index
    # holding them all made SQLite read the queues through it for "parent IS NULL".
    parent = models.ForeignKey(
        "self",
        verbose_name=_("一件事主件"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        db_index=False,
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
            # The results waiting at the counter (统一窗口出件): the decided applications not yet handed out,
            # in the delivery desk's order, with the halls the queue filters on, so the counter page's count
            # and the desk's page read these, not every case there has been.
            models.Index(
                fields=["decided_at", "id", "pickup_hall", "hall"],
                condition=Q(parent__isnull=True, state__in=DECIDED_STATES),
                name="cases_case_delivery_waiting",
            ),
            # A bundle's sub-cases by their main case (the foreign key's own index, without the cases that
            # have none: SQLite's statistics count the NULLs as one key of 15 rows, so with every case in it
            # the planner read "parent IS NULL" — every application there has been — through it).
            models.Index(fields=["parent"], condition=Q(parent__isnull=False), name="cases_case_parent_child"),
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
