from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "yiwang.org"
    label = "org"

    def ready(self) -> None:
        from yiwang.core.notify import register_queue_resolver
        from yiwang.org.recipients import resolve_queue

        register_queue_resolver(resolve_queue)
