from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _register_sqlite_functions(sender, connection, **kwargs):
    # The SQLite DELETE trigger on core_auditevent asks this function whether deletes are
    # allowed (only under audit_maintenance()); a connection without it cannot delete at all.
    if connection.vendor == "sqlite":
        from yiwang.core.audit import audit_deletes_allowed

        connection.connection.create_function(
            "yiwang_audit_deletes_allowed", 0, lambda: int(audit_deletes_allowed()), deterministic=False
        )


class CoreConfig(AppConfig):
    name = "yiwang.core"
    label = "core"
    verbose_name = "平台基础"

    def ready(self) -> None:
        connection_created.connect(_register_sqlite_functions, dispatch_uid="core.sqlite_functions")
