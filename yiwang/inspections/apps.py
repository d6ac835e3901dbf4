from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "yiwang.inspections"
    label = "inspections"
    verbose_name = _("双随机、一公开")

    def ready(self):
        from yiwang.inspections import actions, measures, messages  # noqa: F401
        from yiwang.inspections.services.tasks import register_deadline_handlers

        actions.register()
        register_deadline_handlers()
