"""``{% founding_panel case %}`` on the case pages and ``{% founding_late_list … %}`` on the leader page."""

from django import template

from yiwang.cases.founding_conf import founding_setting
from yiwang.cases.founding_selectors import (
    founding_of,
    founding_timing,
    late_openings,
    opening_target_days,
)
from yiwang.cases.services.founding import is_registration_item

register = template.Library()


@register.inclusion_tag("cases/founding/_panel.html")
def founding_panel(case, staff=False):
    """The company-to-be behind a 企业开办 case (or one of its sub-cases): its code once assigned, the
    one form's parts, and the time against the target with the reasons when over it."""
    founding = founding_of(case) if case is not None and (case.bundle_id or case.parent_id) else None
    if founding is None:
        return {"founding": None}
    parent = founding.case
    types = founding_setting("COMPANY_TYPES")
    return {
        "founding": founding,
        "staff": staff,
        "type_label": types.get(founding.company_type, {}).get("label", founding.company_type),
        "shareholders": list(founding.shareholders.filter(region_id=founding.region_id)) if staff else [],
        "waiting": bool(case.parent_id and not founding.uscc and not is_registration_item(case.item)),
        "registration_denied": not founding.uscc
        and parent.children.filter(
            region_id=parent.region_id, title__endswith="设立登记", state="decided_denied"
        ).exists(),
        "timing": founding_timing(parent) if parent.accepted_at else None,
    }


@register.inclusion_tag("cases/founding/_late_list.html", takes_context=True)
def founding_late_list(context):
    """The 企业开办 over the target in the leader page's period and scope, each with its reasons: how many
    from the page's ``cases.opening`` roll-up (completed minus within the target, the same months and
    regions), the latest ten read by the bundle's decision-time index — never a count of history."""
    from yiwang.cases.selectors import leader_scope

    scope = leader_scope(context["request"].user)
    start, end = context["start"], context["end"]
    opening = context["m"].opening
    return {
        "late": late_openings(scope, start=start, end=end),
        "total": opening["completed"] - opening["within_target"],
        "target": opening_target_days(),
    }
