"""The result: the decision (办理决定) and the delivery (出件)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .case import Case, DeliveryMethod, case_region_field


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
