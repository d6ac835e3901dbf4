"""电子证照: licence types, licences signed with SM2, the departments' signing keys and the use log."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yiwang.core.fields import EncryptedCharField, PiiHashField
from yiwang.core.pii import mask_name


class LicenceType(models.Model):
    """A kind of licence (营业执照, 食品经营许可证…): its fields and default validity, and which service
    items or results issue it at approval."""

    code = models.SlugField(_("证照类型编码"), max_length=40, unique=True)
    name = models.CharField(_("证照名称"), max_length=100, unique=True)
    # [{"key": "scope", "label": "经营范围", "required": true}, …]: the licence's own fields.
    fields_schema = models.JSONField(_("证照字段"), default=list, blank=True)
    # Years of validity when the issuer gives no date; null = 长期有效.
    validity_years = models.PositiveSmallIntegerField(_("默认有效期（年）"), null=True, blank=True)
    # Issued at approval of these items (the cases' issuer hook matches on the item code).
    item_codes = models.JSONField(_("颁发该证照的事项编码"), default=list, blank=True)
    # The result names (办理结果) the type stands for; descriptive until the catalog carries a result
    # element to match on.
    result_names = models.JSONField(_("对应的办理结果名称"), default=list, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("证照类型")
        verbose_name_plural = _("证照类型")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def field_labels(self) -> dict[str, str]:
        return {f["key"]: f.get("label", f["key"]) for f in self.fields_schema or []}


class SigningKey(models.Model):
    """A department's SM2 key pair. The private key is SM4-encrypted at rest (the PII key); the
    public key is clear. Rotation retires the active key and keeps it, so licences it signed still
    verify; only one key per department is active."""

    department = models.ForeignKey(
        "org.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="licence_keys"
    )
    key_id = models.CharField(_("密钥标识"), max_length=80, unique=True)
    private_key = EncryptedCharField(_("私钥（加密存储）"), max_length=64)
    public_key = models.CharField(_("公钥"), max_length=128)
    active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(_("生成时间"))
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("签章密钥")
        verbose_name_plural = _("签章密钥")
        constraints = [
            models.UniqueConstraint(
                fields=["department"], condition=Q(active=True), name="licences_one_active_key_per_department"
            ),
        ]

    def __str__(self) -> str:
        return self.key_id


class HolderKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("法人和其他组织")


class LicenceState(models.TextChoices):
    VALID = "valid", _("有效")
    EXPIRED = "expired", _("已过期")
    REVOKED = "revoked", _("已注销")


class Licence(models.Model):
    """One e-licence: numbered, signed by the issuing department's key over its canonical form
    (``yiwang.licences.signing.canonical_bytes``)."""

    number = models.CharField(_("证照编号"), max_length=64, unique=True)
    licence_type = models.ForeignKey(
        LicenceType, verbose_name=_("证照类型"), on_delete=models.PROTECT, related_name="licences"
    )
    holder_kind = models.CharField(_("持证主体类型"), max_length=12, choices=HolderKind.choices)
    holder_name = models.CharField(_("持证主体"), max_length=200)
    holder_id_number = EncryptedCharField(_("身份证号"), max_length=18, blank=True, null=True)
    holder_id_number_hash = PiiHashField()
    holder_uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    holder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("持证人账户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="licences",
    )
    fields = models.JSONField(_("证照内容"), default=dict, blank=True)
    issued_on = models.DateField(_("发证日期"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("发证部门"), on_delete=models.PROTECT, related_name="licences"
    )
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="licences",
    )
    state = models.CharField(_("状态"), max_length=10, choices=LicenceState.choices, default=LicenceState.VALID)
    revoked_reason = models.CharField(_("注销原因"), max_length=500, blank=True)
    revoked_at = models.DateTimeField(_("注销时间"), null=True, blank=True)
    signature = models.CharField(_("SM2 签名"), max_length=128)
    key = models.ForeignKey(SigningKey, verbose_name=_("签章密钥"), on_delete=models.PROTECT, related_name="licences")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        ordering = ["-issued_on", "-id"]
        constraints = [
            # Issuance at approval is idempotent: one licence of a type per case.
            models.UniqueConstraint(
                fields=["case", "licence_type"], condition=Q(case__isnull=False), name="licences_one_per_case_and_type"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("issued_on")),
                name="licences_valid_after_issue",
            ),
            models.CheckConstraint(
                condition=(Q(holder_kind="person") & ~Q(holder_id_number_hash=""))
                | (Q(holder_kind="enterprise") & ~Q(holder_uscc="")),
                name="licences_holder_identified",
            ),
        ]
        indexes = [
            models.Index(fields=["holder_uscc", "licence_type", "state"], name="licences_uscc_type"),
            models.Index(fields=["holder_id_number_hash", "licence_type", "state"], name="licences_person_type"),
            models.Index(fields=["state", "valid_until"], name="licences_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.licence_type.name} {self.number}"

    @property
    def public_holder_name(self) -> str:
        """The holder's name as a public verification shows it: a person's name is masked."""
        if self.holder_kind == HolderKind.PERSON:
            return mask_name(self.holder_name)
        return self.holder_name


class LicenceUse(models.Model):
    """One use of a licence (调用共享): who used which licence for what (a case's material)."""

    licence = models.ForeignKey(Licence, verbose_name=_("证照"), on_delete=models.PROTECT, related_name="uses")
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("办件"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("调用人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("调用部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(_("用途"), max_length=300)
    used_at = models.DateTimeField(_("调用时间"))

    class Meta:
        verbose_name = _("证照调用记录")
        verbose_name_plural = _("证照调用记录")
        ordering = ["-used_at", "-id"]
        indexes = [models.Index(fields=["licence", "used_at"], name="licences_use_when")]

    def __str__(self) -> str:
        return f"{self.licence_id} {self.purpose}"
