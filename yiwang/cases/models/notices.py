"""Written notices (文书) issued on a case."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .case import Case, case_region_field


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
