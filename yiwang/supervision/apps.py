from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "yiwang.supervision"
    label = "supervision"
    verbose_name = _("督查督办与营商环境监测")

    def ready(self):
        from . import actions, measures, messages  # noqa: F401
        from .services import deadlines

        deadlines.register()
