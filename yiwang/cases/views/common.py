"""What several case pages share: the application form built from its spec, error display."""

from __future__ import annotations

from yiwang.core.errors import ApplicationError

from ..forms import ApplicationForm
from ..selectors import ApplicationSpec


def application_form(spec: ApplicationSpec, data=None, files=None, initial=None) -> ApplicationForm:
    return ApplicationForm(
        data,
        files,
        initial=initial,
        form_fields=spec.form_fields,
        materials=spec.materials,
        delivery_choices=spec.delivery,
        kinds=spec.kinds,
    )


FIELD_MAP = {
    "applicant_id_number": "applicant_id_number",
    "applicant_uscc": "applicant_uscc",
    "applicant_name": "applicant_name",
    "applicant_phone": "applicant_phone",
    "applicant_kind": "applicant_kind",
    "postal_address": "postal_address",
    "delivery_method": "delivery_method",
}


def form_error(form, error: ApplicationError) -> None:
    """Show a service error on the form: on its field when the form has it, else on top."""
    per_field = error.details.get("errors")
    if error.details.get("field") == "form_data" and isinstance(per_field, dict):
        # One message per answer of the item's form, each next to its field.
        placed = {key: message for key, message in per_field.items() if f"f_{key}" in form.fields}
        for key, message in placed.items():
            form.add_error(f"f_{key}", message)
        if len(placed) == len(per_field):
            return
    field = FIELD_MAP.get(error.details.get("field"))
    form.add_error(field if field in form.fields else None, error.message)
