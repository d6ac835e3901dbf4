"""Business-rule violations: one exception type, a machine-readable code and a Chinese message.

The API maps it once to ``{"code", "message", "details"}`` (see ``yiwang.api.api``); forms map it to
a form error with ``add_application_error``.
"""

from django.http import JsonResponse


class ApplicationError(Exception):
    """A rule refused the request; nothing was changed.

    ``code`` is dotted and stable (``case.materials_missing``); ``message`` is for people
    (Simplified Chinese); ``details`` carries structured context (fields, line numbers…).
    ``status`` is the HTTP status the API answers with: 409 for a conflict with current state,
    400 for input that breaks a rule, 404/403 where those fit.
    """

    def __init__(self, code: str, message: str, *, details: dict | None = None, status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}
        self.status = status

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "details": self.details}

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def add_application_error(form, error: ApplicationError, field: str | None = None) -> None:
    """Show a business-rule error on a Django form (the same message the API returns)."""
    form.add_error(field or error.details.get("field"), error.message)


def application_error_response(error: ApplicationError):
    """The API's JSON error body (``{"code", "message", "details"}``) for code outside a NinjaAPI."""
    return JsonResponse(error.as_dict(), status=error.status, json_dumps_params={"ensure_ascii": False})
