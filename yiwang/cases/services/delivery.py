"""Delivery of results (统一窗口出件): window, post, electronic; 行政许可法 Art. 44."""

from __future__ import annotations

from django.db import transaction

from yiwang.cases.measures import case_facts, on_case_changed
from yiwang.cases.models import (
    Case,
    Delivery,
    DeliveryMethod,
)
from yiwang.cases.services import _common
from yiwang.cases.services._common import (
    S,
    _audit,
    _check_clerk,
    _conflict,
    _event,
    _forbidden,
    _locked,
    _notify_applicant,
    _required,
    _snap,
)
from yiwang.cases.workflow import check_case_transition
from yiwang.catalog.selectors import item_spec
from yiwang.org.models import Role
from yiwang.org.scoping import scope_for


def _check_deliverer(case: Case, actor) -> None:
    """Post or electronic delivery (``case.deliver``): a clerk of the case's hall (or, for an online case,
    of a hall over its region), or a handler of the case's department.
    Errors: ``case.clerk_outside_hall`` (403) for a clerk, ``case.not_your_department`` (403) otherwise."""
    scope = scope_for(actor)
    if scope.can("case.deliver", department=case.department, region=case.region, hall=case.hall):
        return
    if Role.CLERK in scope.roles:
        raise _forbidden("case.clerk_outside_hall", "该办件不属于您所在大厅的出件范围", case=case.number)
    raise _forbidden(
        "case.not_your_department",
        f"该办件由{case.department}办理，您无权操作",
        case=case.number,
        department=case.department.code,
    )


def case_deliver(
    *, case: Case, actor, method: str | None = None, tracking_number: str = "", recipient: str = ""
) -> Delivery:
    """统一窗口出件: hand out the result at the window, post it with a tracking number, or deliver it electronically.

    Window pickup is done by a clerk of the pickup hall; a bundle is delivered as one (its sub-cases
    with it). Errors: ``case.invalid_transition`` (409), ``case.bundle_delivered_together`` (409),
    ``case.delivery_method_unavailable``, ``case.tracking_number_required``, ``case.clerk_outside_hall``
    (403), ``case.not_a_clerk`` (403), ``case.not_your_department`` (403).
    """
    tracking_number, recipient = (tracking_number or "").strip(), (recipient or "").strip()
    with transaction.atomic():
        case = _locked(case)
        # Who may hand out this case's result is asked before its state, so someone without the
        # right hears 403, never what state another hall's or department's case is in.
        if not scope_for(actor).can(
            "case.deliver", department=case.department, region=case.region, hall=case.pickup_hall or case.hall
        ):
            _check_deliverer(case, actor)
        if case.parent_id:
            raise _conflict("case.bundle_delivered_together", "“一件事”的结果随主件统一出件", case=case.number)
        check_case_transition(case, S.DELIVERED)
        method = method or case.delivery_method
        if method not in DeliveryMethod.values:
            raise _required("case.delivery_method_unavailable", "出件方式不正确", "method")
        if case.item_version_id and not item_spec(version=case.item_version).offers_delivery(method):
            raise _required("case.delivery_method_unavailable", "该事项不支持所选的出件方式", "method")
        hall = None
        if method == DeliveryMethod.WINDOW:
            scope = scope_for(actor)
            if Role.CLERK not in scope.roles and not scope.is_platform_admin:
                raise _forbidden("case.not_a_clerk", "窗口出件须由出件窗口工作人员办理")
            pickup = case.pickup_hall or case.hall
            if pickup is None:
                # No hall took the case in: the clerk must be one who may act on it at all.
                hall = _check_clerk(case, actor, "case.deliver")
            else:
                hall = pickup if scope.can("case.deliver", hall=pickup) else None
            if hall is None:
                raise _forbidden(
                    "case.clerk_outside_hall", f"该办件在{case.pickup_hall or case.hall}领取", case=case.number
                )
        elif method == DeliveryMethod.POST:
            if not tracking_number:
                raise _required("case.tracking_number_required", "邮寄送达须填写邮件单号", "tracking_number")
            _check_deliverer(case, actor)
        else:
            _check_deliverer(case, actor)
        before = _snap(case)
        now = _common._now()
        delivery = Delivery.objects.create(
            case=case,
            region_id=case.region_id,
            method=method,
            tracking_number=tracking_number,
            recipient=recipient or (case.applicant_name if method == DeliveryMethod.WINDOW else ""),
            hall=hall,
            delivered_by=actor,
            delivered_at=now,
        )
        for target in [case, *case.children.select_for_update()]:
            facts_before = case_facts(target)
            target.state = S.DELIVERED
            target.delivered_at = now
            target.closed_at = now
            if target.pk == case.pk and method == DeliveryMethod.WINDOW:
                target.visits += 1
            target.save()
            on_case_changed(target, before=facts_before)
        _audit(
            actor=actor,
            action="case.delivered",
            case=case,
            before=before,
            details={"method": method, "tracking_number": tracking_number},
        )
        text = {
            DeliveryMethod.WINDOW: f"已在{hall}出件窗口领取",
            DeliveryMethod.POST: f"已邮寄送达（单号 {tracking_number}）",
            DeliveryMethod.ELECTRONIC: "已电子送达，可在线下载",
        }[method]
        _event(case, "delivered", text, actor, at=now)
        _notify_applicant(case, "cases.delivered", "delivered", text=text)
    return delivery
