"""企业开办 (plan 三、2 and 四（一）1): a company that does not exist yet applies through one form.

A ``Founding`` is the company-to-be behind one 企业开办 bundle case: its proposed name, type, capital,
address, scope, legal representative and shareholders, and the answers for the bundle's other parts
(seal, tax, social insurance, housing fund, bank appointment). Its unified social credit code is empty
until the registration sub-case is approved; then it is taken from the county's range and recorded in
``UsccAssignment``, a ledger that is never deleted from, so no code is ever handed out twice.

Imported by ``cases.models`` so the app registry finds these models.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yiwang.cases.models import case_region_field  # defined before cases.models imports this module
from yiwang.core.fields import EncryptedCharField, PiiHashField


class Founding(models.Model):
    case = models.OneToOneField(
        "cases.Case", verbose_name=_("企业开办办件"), on_delete=models.CASCADE, related_name="founding"
    )
    region = case_region_field()
    proposed_name = models.CharField(_("拟设企业名称"), max_length=60)
    # The name without the county's name and the organisation form (字号 + 行业): two names with the
    # same core are the same name (企业名称登记管理规定 第十七条).
    name_core = models.CharField(_("名称主体"), max_length=60, db_index=True)
    company_type = models.CharField(_("企业类型"), max_length=16)
    registered_capital = models.DecimalField(_("注册资本（万元）"), max_digits=12, decimal_places=2)
    town = models.ForeignKey(
        "org.Region", verbose_name=_("住所所在镇（街道）"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("住所"), max_length=200)
    business_scope = models.TextField(_("经营范围"))
    legal_representative = models.CharField(_("法定代表人"), max_length=64)
    legal_representative_id_number = EncryptedCharField(_("法定代表人身份证号"), max_length=18)
    legal_representative_id_number_hash = PiiHashField()
    # 印章刻制, 发票申领/税控, 员工参保登记, 住房公积金缴存登记, 银行开户预约: the one form's answers.
    parts = models.JSONField(_("一表填报其他部分"), default=dict)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, default="")
    uscc_assigned_at = models.DateTimeField(_("赋码时间"), null=True, blank=True)
    entity = models.ForeignKey(
        "credit.Entity", verbose_name=_("市场主体"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("企业开办申请")
        verbose_name_plural = _("企业开办申请")
        constraints = [
            models.UniqueConstraint(fields=["uscc"], condition=~Q(uscc=""), name="cases_founding_uscc_unique"),
            models.CheckConstraint(name="cases_founding_capital_positive", condition=Q(registered_capital__gt=0)),
        ]

    def __str__(self) -> str:
        return self.proposed_name


class FoundingShareholder(models.Model):
    """One natural-person shareholder (股东) of the company-to-be and the capital it subscribes."""

    founding = models.ForeignKey(
        Founding, verbose_name=_("企业开办申请"), on_delete=models.CASCADE, related_name="shareholders"
    )
    region = case_region_field()
    position = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("股东姓名"), max_length=64)
    id_number = EncryptedCharField(_("身份证号"), max_length=18)
    id_number_hash = PiiHashField()
    contribution = models.DecimalField(_("认缴出资（万元）"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("股东")
        verbose_name_plural = _("股东")
        ordering = ["founding", "position"]
        constraints = [
            models.UniqueConstraint(fields=["founding", "position"], name="cases_shareholder_position_unique"),
            models.CheckConstraint(name="cases_shareholder_contribution_positive", condition=Q(contribution__gt=0)),
        ]

    def __str__(self) -> str:
        return self.name


class UsccAssignment(models.Model):
    """Every unified social credit code the county has handed out: append-only, one row per serial."""

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    prefix = models.CharField(_("号段前缀"), max_length=16)
    serial = models.PositiveIntegerField(_("号段序号"))
    founding = models.ForeignKey(
        Founding, verbose_name=_("企业开办申请"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    region = case_region_field()
    case_number = models.CharField(_("办件编号"), max_length=32)
    company_name = models.CharField(_("企业名称"), max_length=60)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("核准人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(_("赋码时间"))

    class Meta:
        verbose_name = _("统一社会信用代码赋码记录")
        verbose_name_plural = _("统一社会信用代码赋码记录")
        ordering = ["prefix", "serial"]
        constraints = [
            models.UniqueConstraint(fields=["prefix", "serial"], name="cases_uscc_serial_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.uscc} {self.company_name}"
