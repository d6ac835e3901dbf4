"""What several case pages share: role checks, the application form's context, error display."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from yiwang.catalog.models import Bundle, ServiceItem
from yiwang.catalog.selectors import bundle_merged_form, bundle_merged_materials
from yiwang.core.errors import ApplicationError
from yiwang.org.selectors import user_roles

from ..forms import ApplicationForm
from ..models import ApplicantKind, DeliveryMethod
from ..services import DELIVERY_FLAGS


def roles_required(*roles):
    """Signed in and holding one of ``roles`` (an administrator passes every check)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            held = user_roles(request.user)
            if not held & {*roles, "admin"}:
                raise PermissionDenied("您没有访问此页面的权限")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def application_spec(*, item: ServiceItem | None = None, bundle: Bundle | None = None) -> dict:
    """Title, form fields, material list, delivery choices and applicant kinds for an application form."""
    if item is not None:
        version = item.versions.filter(number=item.version).first()
        elements = version.elements if version else {}
        materials = [dict(m) for m in elements.get("materials", [])]
        form_fields = elements.get("form_fields", [])
        audience = elements.get("audience", item.audience)
        flags = [elements]
        title, promised = item.name, item.promised_days
    else:
        merged = bundle_merged_materials(bundle)
        materials = [
            {
                "code": f"B{n:02d}",
                "name": m.name,
                "required": m.required,
                "key": m.key,
                "deferrable": m.deferrable,
                "licence_type": m.licence_type,
                "items": m.item_names,
            }
            for n, m in enumerate(merged, start=1)
        ]
        form_fields = bundle_merged_form(bundle)
        audience = bundle.audience
        items = [bi.item for bi in bundle.bundle_items.all()]
        flags = [{f: getattr(i, f) for f in DELIVERY_FLAGS.values()} for i in items]
        title, promised = bundle.name, bundle.target_days or max((i.promised_days for i in items), default=0)
    delivery = [(m.value, m.label) for m in DeliveryMethod if all(f.get(DELIVERY_FLAGS[m.value]) for f in flags)]
    kinds = {"person": [ApplicantKind.PERSON], "enterprise": [ApplicantKind.ENTERPRISE]}.get(
        audience, [ApplicantKind.PERSON, ApplicantKind.ENTERPRISE]
    )
    return {
        "title": title,
        "materials": materials,
        "form_fields": form_fields,
        "delivery": delivery,
        "kinds": [k.value for k in kinds],
        "promised": promised,
    }


def application_form(spec: dict, data=None, files=None, initial=None) -> ApplicationForm:
    return ApplicationForm(
        data,
        files,
        initial=initial,
        form_fields=spec["form_fields"],
        materials=spec["materials"],
        delivery_choices=spec["delivery"],
        kinds=spec["kinds"],
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
    field = FIELD_MAP.get(error.details.get("field"))
    form.add_error(field if field in form.fields else None, error.message)
