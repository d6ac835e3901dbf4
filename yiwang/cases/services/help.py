"""Remote help requests (远程帮办): staff take, note and complete them as the applicant's agent."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from yiwang.cases.models import (
    Case,
    HelpLog,
    HelpRequest,
)
from yiwang.cases.services import _common
from yiwang.cases.services._common import _conflict, _forbidden, _required
from yiwang.core.audit import audit_record
from yiwang.core.notify import ToPhone, ToRegionQueue, notify
from yiwang.org.models import Role
from yiwang.org.scoping import scope_for


def _help_log(help_request: HelpRequest, actor, action: str, note: str = "") -> None:
    HelpLog.objects.create(
        help_request=help_request,
        region_id=help_request.region_id,
        at=_common._now(),
        actor=actor,
        action=action,
        note=note,
    )


def help_request_create(
    *, actor, region, name: str, phone: str, topic: str, description: str = "", item=None, bundle=None
) -> HelpRequest:
    """Someone asks for remote help with an application. Errors: ``case.field_required``, ``case.phone_invalid``."""
    name, phone, topic = (name or "").strip(), (phone or "").strip(), (topic or "").strip()
    if not name or not topic:
        raise _required("case.field_required", "请填写姓名和想办理的事", "topic" if name else "name")
    if not (phone.isdigit() and 7 <= len(phone) <= 12):
        raise _required("case.phone_invalid", "请填写正确的联系电话", "phone")
    with transaction.atomic():
        help_request = HelpRequest.objects.create(
            region=region,
            requester=actor if getattr(actor, "is_authenticated", False) else None,
            name=name,
            phone=phone,
            topic=topic,
            description=(description or "").strip(),
            item=item,
            bundle=bundle,
            created_at=_common._now(),
        )
        _help_log(help_request, help_request.requester, "created", topic)
        audit_record(actor=actor, action="case.help_requested", obj=help_request, after={"topic": topic})
        # The region's windows answer remote help first (any staff member serving the region may take it).
        notify(
            to=ToRegionQueue(region.code, Role.CLERK),
            template="cases.help_requested",
            context={"name": name, "topic": topic},
            key=f"help:{help_request.pk}:created",
            link=reverse("cases:help_queue"),
        )
    return help_request


def _check_staff(actor, help_request: HelpRequest) -> None:
    """``case.help``: a clerk of the request's town, a handler whose department serves its region."""
    if not scope_for(actor).can("case.help", region=help_request.region):
        raise _forbidden("case.not_staff", "只有服务该地区的窗口或部门工作人员可以提供帮办")


def help_request_take(*, help_request: HelpRequest, actor) -> HelpRequest:
    """A staff member takes an open request. Errors: ``case.not_staff`` (403), ``case.help_not_open`` (409)."""
    with transaction.atomic():
        help_request = HelpRequest.objects.select_for_update().select_related("region").get(pk=help_request.pk)
        _check_staff(actor, help_request)
        if help_request.state != HelpRequest.State.OPEN:
            raise _conflict("case.help_not_open", "该帮办请求已有人响应或已结束")
        help_request.state = HelpRequest.State.TAKEN
        help_request.helper = actor
        help_request.taken_at = _common._now()
        help_request.save(update_fields=["state", "helper", "taken_at"])
        _help_log(help_request, actor, "taken", "已联系求助人")
        audit_record(actor=actor, action="case.help_taken", obj=help_request, after={"state": help_request.state})
        notify(
            to=ToPhone(help_request.phone),
            template="cases.help_taken",
            context={"topic": help_request.topic, "helper": str(actor)},
            key=f"help:{help_request.pk}:taken",
            region_code=help_request.region.code,
        )
    return help_request


def help_request_note(*, help_request: HelpRequest, actor, note: str) -> HelpLog:
    note = (note or "").strip()
    if not note:
        raise _required("case.note_required", "请填写帮办记录", "note")
    with transaction.atomic():
        help_request = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
        if help_request.helper_id != getattr(actor, "pk", None):
            raise _forbidden("case.not_your_help", "只有帮办人可以记录")
        log = HelpLog.objects.create(
            help_request=help_request,
            region_id=help_request.region_id,
            at=_common._now(),
            actor=actor,
            action="note",
            note=note,
        )
        audit_record(actor=actor, action="case.help_noted", obj=help_request, details={"note": note[:300]})
    return log


def help_request_complete(*, help_request: HelpRequest, actor, case: Case | None = None, note: str = "") -> HelpRequest:
    """Close a taken request, optionally linking the case filled with the requester (as agent).

    Errors: ``case.not_your_help`` (403), ``case.help_not_taken`` (409).
    """
    with transaction.atomic():
        help_request = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
        if help_request.state != HelpRequest.State.TAKEN:
            raise _conflict("case.help_not_taken", "只有帮办中的请求可以办结")
        if help_request.helper_id != getattr(actor, "pk", None):
            raise _forbidden("case.not_your_help", "只有帮办人可以办结")
        help_request.state = HelpRequest.State.DONE
        help_request.case = case
        help_request.closed_at = _common._now()
        help_request.save(update_fields=["state", "case", "closed_at"])
        _help_log(
            help_request, actor, "done", (note or "").strip() or (f"代为填报办件 {case.number}" if case else "已解答")
        )
        audit_record(
            actor=actor,
            action="case.help_done",
            obj=help_request,
            after={"state": help_request.state, "case": case.number if case else None},
        )
    return help_request
