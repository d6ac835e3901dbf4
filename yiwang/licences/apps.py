from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicencesConfig(AppConfig):
    name = "yiwang.licences"
    label = "licences"
    verbose_name = _("电子证照")

    def ready(self):
        from yiwang.licences import actions, measures, messages  # noqa: F401  (actions, metrics, texts)
        from yiwang.licences.services import expiry_sweep_hook
        from yiwang.workdays.sweep import register_sweep_hook

        register_sweep_hook("licences.expiry", expiry_sweep_hook)  # daily: valid → expired past valid_until
