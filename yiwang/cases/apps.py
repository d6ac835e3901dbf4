from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "yiwang.cases"
    label = "cases"

    def ready(self) -> None:
        from yiwang.cases import messages  # noqa: F401 — registers the message templates
        from yiwang.cases.models import Case
        from yiwang.cases.services.sweep import on_case_deadline, on_case_due_changed
        from yiwang.workdays.sweep import register_deadline_handler

        register_deadline_handler(Case, on_case_deadline, on_due_change=on_case_due_changed)
