"""Applicant accounts (群众和企业账户), kept apart from staff accounts.

An applicant signs up and signs in with a mobile number and a one-time SMS code; there is no password,
so the staff login (username + password, 等保 lockout) can never open an applicant account, and a staff
member's phone number opens only a separate applicant account of their own. Real-name details (name
and ID number, checked by the GB 11643 check character) are kept on the user, encrypted. A person acts
for an enterprise through an ``EnterpriseAuthorisation`` a window clerk has confirmed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yiwang.core.fields import EncryptedCharField, PiiHashField


class ApplicantAccount(models.Model):
    """The applicant side of a user: the verified mobile number and when real-name details were given."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="applicant_account"
    )
    phone = EncryptedCharField(_("手机号"), max_length=11)
    phone_hash = PiiHashField(unique=True)
    # The ID number lives on the user (encrypted); its hash here is unique, so one ID opens one account.
    id_number_hash = models.CharField(_("身份证号哈希"), max_length=64, null=True, blank=True, unique=True)
    real_name_at = models.DateTimeField(_("实名登记时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("注册时间"), auto_now_add=True)
    last_sign_in_at = models.DateTimeField(_("最近登录"), null=True, blank=True)

    class Meta:
        verbose_name = _("群众和企业账户")
        verbose_name_plural = _("群众和企业账户")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def has_real_name(self) -> bool:
        return self.real_name_at is not None


class SignInCode(models.Model):
    """One SMS code sent to a number. Only its keyed hash is stored; it expires, counts wrong tries
    and is used once (county defaults in ``accounts.conf``)."""

    phone = EncryptedCharField(_("手机号"), max_length=11)
    phone_hash = PiiHashField()
    code_hash = models.CharField(_("验证码哈希"), max_length=96)
    created_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("错误次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    ip = models.CharField(_("来源地址"), max_length=45, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes = [models.Index(fields=["phone_hash", "created_at"], name="accounts_code_phone_created")]

    def __str__(self) -> str:
        return f"验证码 #{self.pk}"


class EnterpriseAuthorisation(models.Model):
    """A person's authority to act for an enterprise (USCC), and how it was established.

    ``basis``: the person is the legal representative registered for the code (their real-name name
    matches ``credit.Entity.legal_representative``), or holds a signed 授权委托书 (uploaded). Either
    way a window clerk confirms it before it takes effect: the register holds the representative's
    name only, and a name alone is shared by many people.
    """

    class Basis(models.TextChoices):
        LEGAL_REPRESENTATIVE = "legal_representative", _("法定代表人本人")
        LETTER = "letter", _("授权委托书")

    class State(models.TextChoices):
        PENDING = "pending", _("待确认")
        ACTIVE = "active", _("已授权")
        REFUSED = "refused", _("未通过")
        REVOKED = "revoked", _("已撤销")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), on_delete=models.CASCADE, related_name="authorisations"
    )
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, db_index=True)
    entity_name = models.CharField(_("企业名称"), max_length=200)
    basis = models.CharField(_("授权依据"), max_length=24, choices=Basis.choices)
    letter = models.FileField(_("授权委托书"), upload_to="accounts/letters/%Y/%m/", blank=True)
    name_matches_register = models.BooleanField(_("姓名与登记的法定代表人一致"), default=False)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PENDING)
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("企业经办授权")
        verbose_name_plural = _("企业经办授权")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "uscc"],
                condition=Q(state__in=["pending", "active"]),
                name="accounts_authorisation_one_open_per_user_uscc",
            ),
            models.CheckConstraint(
                name="accounts_authorisation_letter_basis_has_letter",
                condition=~Q(basis="letter") | ~Q(letter=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.entity_name}（{self.get_state_display()}）"
