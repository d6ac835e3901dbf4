from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "yiwang.credit"
    label = "credit"
    verbose_name = _("信用")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from yiwang.credit import actions, measures, messages  # noqa: F401 — registers actions, metrics, texts
        from yiwang.credit.services import hooks

        post_save.connect(hooks.on_false_pledge_saved, sender="cases.FalsePledgeRecord", dispatch_uid="credit.pledge")
        hooks.register()
