from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class MeasuresConfig(AppConfig):
    name = "yiwang.measures"
    label = "measures"
    verbose_name = "月度统计"

    def ready(self):
        # Each app's metric definitions live in its own ``measures`` module and register themselves;
        # this app imports none of them by name.
        autodiscover_modules("measures")
