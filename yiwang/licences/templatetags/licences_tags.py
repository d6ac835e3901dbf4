"""``{% case_licences case staff=False %}``: the e-licences issued with a case (and with a bundle's
sub-cases) on the applicant's and the staff case pages — number, state, verify link, PDF; on the
staff page of an approved, undelivered case, "以电子证照出件" (electronic delivery)."""

from __future__ import annotations

from django import template
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ..models import Licence, LicenceState
from ..selectors import check_code

register = template.Library()


def case_licence_rows(case) -> list[dict]:
    if case is None or not getattr(case, "pk", None):
        return []
    licences = (
        Licence.objects.select_related("licence_type", "department")
        .filter(Q(case=case) | Q(case__parent=case))
        .order_by("issued_on", "id")
    )
    today = timezone.localdate()
    rows = []
    for licence in licences:
        expired = (
            licence.state == LicenceState.VALID and licence.valid_until is not None and licence.valid_until < today
        )
        rows.append(
            {
                "licence": licence,
                "state_label": "已过期" if expired else licence.get_state_display(),
                "usable": licence.state == LicenceState.VALID and not expired,
                "verify_url": f"{reverse('licences:verify', args=[licence.number])}?c={check_code(licence)}",
                "pdf_url": reverse("licences:download", args=[licence.number]),
            }
        )
    return rows


@register.inclusion_tag("licences/_case_licences.html")
def case_licences(case, staff=False):
    rows = case_licence_rows(case)
    offer_delivery = bool(
        staff
        and any(row["usable"] for row in rows)
        and getattr(case, "parent_id", None) is None
        and getattr(case, "state", "") == "decided_approved"
    )
    return {"rows": rows, "staff": staff, "offer_delivery": offer_delivery}
