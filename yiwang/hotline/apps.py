from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "yiwang.hotline"
    label = "hotline"

    def ready(self):
        from yiwang.hotline import messages  # noqa: F401  (registers the hotline's message templates)
        from yiwang.hotline.services.sweep import register_deadline_handlers

        register_deadline_handlers()  # the one deadline sweep (workdays) calls the hotline's handlers

        from celery.signals import worker_process_init

        from yiwang.hotline.warm import on_worker_process_init

        # routers loaded when a Celery worker process starts, not on its first appeal
        worker_process_init.connect(on_worker_process_init, dispatch_uid="hotline.routing_warm")
