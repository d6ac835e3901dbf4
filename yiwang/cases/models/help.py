"""远程帮办: help requests and their log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.fields import EncryptedCharField, PiiHashField

from .case import Case, case_region_field


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
