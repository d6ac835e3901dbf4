"""A case's checklist and what fills it: materials, their files, correction requests (补正) and
deferred materials (容缺)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .case import Case, case_region_field


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
