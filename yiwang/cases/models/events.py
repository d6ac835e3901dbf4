"""The applicant-facing timeline of a case."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .case import Case, case_region_field


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
