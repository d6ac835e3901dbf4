from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "yiwang.policies"
    label = "policies"
    verbose_name = _("惠企政策")

    def ready(self) -> None:
        from yiwang.policies import actions, measures, messages, receivers, workbench  # noqa: F401
