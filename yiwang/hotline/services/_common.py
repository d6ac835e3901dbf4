"""Helpers the appeal services share: errors, locking, events, audit, notices and clocks."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.urls import reverse
from django.utils import timezone

from yiwang.core.audit import audit_record, snapshot
from yiwang.core.errors import ApplicationError
from yiwang.core.notify import ToDepartment, ToPhone, ToRegionQueue, notify
from yiwang.hotline import measures, similar
from yiwang.hotline.conf import conf
from yiwang.hotline.models import (
    Appeal,
    AppealEvent,
    Dispatch,
)
from yiwang.hotline.workflow import check_transition
from yiwang.org.models import Department, Region, Role
from yiwang.org.scoping import scope_for
from yiwang.workdays.models import Clock
from yiwang.workdays.services import clock_start, clock_stop

State = Appeal.State


Kind = AppealEvent.Kind


CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud over the phone


SELF_SERVICE_CHANNELS = frozenset({Appeal.Channel.PORTAL, Appeal.Channel.API})


STAFF_CHANNELS = frozenset({Appeal.Channel.PHONE, Appeal.Channel.COUNTER, Appeal.Channel.LETTER})


MOBILE = re.compile(r"^1[3-9]\d{9}$")


LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


AUDIT_FIELDS = ["state", "lead_department", "tier", "category", "return_count", "extension_count", "reopen_count"]


def _error(code: str, message: str, *, status: int = 400, **details) -> ApplicationError:
    return ApplicationError(code, message, details=details, status=status)


def _forbidden(message: str) -> ApplicationError:
    return ApplicationError("appeal.forbidden", message, status=403)


def _require(actor, action: str, message: str, **where) -> None:
    """Refuse (403 ``appeal.forbidden``) unless the actor's scope allows ``action`` here
    (``yiwang.org.scoping``; ``where`` as for ``Scope.can``, none = role level)."""
    if not scope_for(actor).can(action, **where):
        raise _forbidden(message)


def _require_dispatcher(actor, appeal: Appeal | None = None, action: str = "appeal.dispatch") -> None:
    """The county's 12345 centre (dispatch, returns, extensions, revisits, merging)."""
    where = {"region": appeal.region} if appeal is not None else {}
    _require(actor, action, "只有 12345 派单员可以执行此操作", **where)


def _require_intake(actor, message: str, appeal: Appeal | None = None, action: str = "appeal.intake") -> None:
    """Operators of the 12345 centre and window clerks (a town's clerks for their town)."""
    where = {"region": appeal.town or appeal.region} if appeal is not None else {}
    _require(actor, action, message, **where)


def _require_lead(actor, appeal: Appeal, action: str = "appeal.reply") -> None:
    """首接负责: only the lead department acts on the appeal (DESIGN: department scoping)."""
    _require(
        actor,
        action,
        "只有主办部门的经办人员可以办理该诉求",
        department=appeal.lead_department,
        region=appeal.region,
    )


def _new_code(prefix: str, model, at: dt.datetime) -> str:
    day = timezone.localtime(at).strftime("%y%m%d")
    for _ in range(10):
        code = prefix + day + "".join(secrets.choice(CODE_ALPHABET) for _ in range(5))
        if not model.objects.filter(code=code).exists():
            return code
    raise RuntimeError("could not draw a free code")  # 32**5 codes a day; never in practice


def _county() -> Region:
    return Region.objects.get(code=conf("COUNTY_CODE"))


def _region_code(appeal: Appeal) -> str:
    return appeal.region.code


def _locked(appeal: Appeal) -> Appeal:
    return (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("region", "lead_department", "lead_department__region", "handling_clock")
        .get(pk=appeal.pk)
    )


def _event(
    appeal: Appeal,
    kind: str,
    *,
    actor,
    note: str = "",
    department=None,
    from_state="",
    to_state="",
    dedupe_key=None,
    at=None,
):
    return AppealEvent.objects.create(
        appeal=appeal,
        region_id=appeal.region_id,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        department=department,
        note=note,
        from_state=from_state,
        to_state=to_state,
        dedupe_key=dedupe_key,
        created_at=at or timezone.now(),
    )


def _audit(appeal: Appeal, action: str, *, actor, before: dict | None, details: dict | None = None) -> None:
    audit_record(
        actor=actor if getattr(actor, "pk", None) else None,
        action=f"hotline.appeal_{action}",
        obj=appeal,
        before=before,
        after=snapshot(appeal, AUDIT_FIELDS),
        region_code=_region_code(appeal),
        details=details,
    )


def _move(appeal: Appeal, target: str, *, actor, kind: str, note: str = "", department=None, extra_fields=()) -> dict:
    """Check and apply one transition; returns the ``before`` snapshot for the audit event."""
    check_transition(appeal, target)
    before = snapshot(appeal, AUDIT_FIELDS)
    source = appeal.state
    appeal.state = target
    similar_fields = similar.on_move(appeal, source, target)
    appeal.save(update_fields=["state", "updated_at", *extra_fields, *similar_fields])
    _event(appeal, kind, actor=actor, note=note, department=department, from_state=source, to_state=target)
    return before


def _staff_link(appeal: Appeal) -> str:
    """The appeal's staff page, where a notice leads."""
    return reverse("hotline:appeal", kwargs={"code": appeal.code})


def _notify_department(department: Department, template: str, key: str, *, link: str = "", **context) -> None:
    """An inbox message to the department's handlers (template in ``yiwang.hotline.messages``)."""
    notify(to=ToDepartment(department.pk), template=template, context=context, key=key, link=link)


def _notify_dispatchers(template: str, key: str, *, link: str = "", **context) -> None:
    """An inbox message to the county's 12345 dispatchers."""
    notify(
        to=ToRegionQueue(conf("COUNTY_CODE"), Role.DISPATCHER.value),
        template=template,
        context=context,
        key=key,
        link=link,
    )


def _notify_citizen(appeal: Appeal, template: str, key: str, **context) -> None:
    """An SMS to the citizen's mobile (a landline cannot receive one); ``code`` is the appeal's."""
    if appeal.contact_phone and MOBILE.match(appeal.contact_phone):
        notify(
            to=ToPhone(appeal.contact_phone),
            template=template,
            context={"code": appeal.code, **context},
            key=key,
            region_code=appeal.region.code,
        )


def _stop(clock: Clock | None, actor) -> None:
    if clock is not None and clock.state != Clock.State.STOPPED:
        clock_stop(clock=clock, actor=actor if getattr(actor, "pk", None) else None)


def _reply_workdays(tier: str) -> int:
    return int(conf("REPLY_WORKDAYS")[tier])


def _start_handling(appeal: Appeal, *, at: dt.datetime, actor, label: str) -> None:
    """The reply deadline from ``at``: urgent in hours, other tiers in working days."""
    if appeal.tier == Appeal.Tier.URGENT:
        appeal.handling_clock = None
        appeal.reply_due_at = at + dt.timedelta(hours=conf("URGENT_REPLY_HOURS"))
    else:
        appeal.reply_due_at = None
        appeal.handling_clock = clock_start(
            label=f"{appeal.code} {label}",
            started_at=at,
            days=_reply_workdays(appeal.tier),
            actor=actor if getattr(actor, "pk", None) else None,
            owner=appeal,
            region_code=_region_code(appeal),
        )


def _open_dispatch(
    appeal: Appeal, *, department: Department, co_departments, actor, note: str, at: dt.datetime
) -> Dispatch:
    dispatch = Dispatch(
        appeal=appeal,
        region_id=appeal.region_id,
        department=department,
        note=note,
        dispatched_by=actor if getattr(actor, "pk", None) else None,
        dispatched_at=at,
        followed_suggestion=(appeal.suggested_department_id == department.pk)
        if appeal.suggested_department_id
        else None,
    )
    if appeal.tier == Appeal.Tier.URGENT:
        dispatch.sign_off_due_at = at + dt.timedelta(hours=conf("URGENT_SIGN_OFF_HOURS"))
    dispatch.save()
    if appeal.tier != Appeal.Tier.URGENT:
        dispatch.sign_off_clock = clock_start(
            label=f"{appeal.code} 签收时限",
            started_at=at,
            days=int(conf("SIGN_OFF_WORKDAYS")),
            actor=actor if getattr(actor, "pk", None) else None,
            owner=dispatch,
            region_code=_region_code(appeal),
        )
        dispatch.save(update_fields=["sign_off_clock"])
    co = [d for d in co_departments if d.pk != department.pk]
    if co:
        dispatch.co_departments.set(co)
    appeal.lead_department = department
    appeal.dispatched_at = at
    _start_handling(appeal, at=at, actor=actor, label="答复时限")
    _notify_department(
        department,
        "hotline.dispatched",
        f"appeal:{appeal.pk}:dispatch:{dispatch.pk}",
        link=_staff_link(appeal),
        code=appeal.code,
        title=appeal.title,
    )
    for co_department in co:
        _notify_department(
            co_department,
            "hotline.co_dispatched",
            f"appeal:{appeal.pk}:dispatch:{dispatch.pk}:co:{co_department.pk}",
            link=_staff_link(appeal),
            code=appeal.code,
            lead=str(department),
        )
    measures.on_dispatch_created(dispatch)  # every new dispatch is counted where it is made
    return dispatch


def _active_dispatch(appeal: Appeal) -> Dispatch | None:
    return (
        Dispatch.objects.select_for_update(of=("self",))
        .select_related("sign_off_clock")
        .filter(appeal=appeal, state=Dispatch.State.ACTIVE)
        .first()
    )
