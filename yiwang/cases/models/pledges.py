"""告知承诺: the pledge, the materials it replaces, its verification and a false pledge's record."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .case import Case, case_region_field
from .materials import CaseMaterial


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
