from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "yiwang.hotline"
    label = "hotline"

    def ready(self):
        from yiwang.hotline import messages  # noqa: F401  (registers the hotline's message templates)
        from yiwang.hotline.services.sweep import register_deadline_handlers

        register_deadline_handlers()  # the one deadline sweep (workdays) calls the hotline's handlers
