from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "yiwang.projects"
    label = "projects"
    verbose_name = _("工程建设项目与公用报装")

    def ready(self) -> None:
        from yiwang.projects import actions, measures, messages, workbench  # noqa: F401 — actions, metrics, texts, links
        from yiwang.projects.handlers import register

        register()
