"""The 办不成事 register (plan 三、4): simple on the spot, general ≤ 1, complex ≤ 7 working days."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from yiwang.core.audit import audit_record, snapshot
from yiwang.hotline.conf import conf
from yiwang.hotline.models import (
    Category,
    UnresolvedMatter,
)
from yiwang.hotline.services._common import (
    _county,
    _error,
    _forbidden,
    _new_code,
    _notify_department,
    _require,
    _stop,
)
from yiwang.hotline.services.intake import _clean_phone
from yiwang.org.models import Department, Region
from yiwang.org.scoping import scope_for
from yiwang.workdays.services import clock_start


def _unresolved_days(tier: str) -> int:
    return int(conf("UNRESOLVED_WORKDAYS")[tier])


def unresolved_register(
    *,
    channel: str,
    summary: str,
    description: str,
    tier: str,
    actor,
    department: Department | None = None,
    category: Category | None = None,
    town: Region | None = None,
    hall=None,
    reporter_name: str = "",
    reporter_phone: str = "",
    resolution: str = "",
    resolution_note: str = "",
    reported_at: dt.datetime | None = None,
    submission_key: str | None = None,
) -> UnresolvedMatter:
    """办不成事: log one matter (plan 三、4: 逐事登记、分级负责、归口办理). Simple matters are solved
    on the spot (same day), general within 1 working day, complex within 7 (``UNRESOLVED_WORKDAYS``).
    Passing ``resolution`` records it as solved at once (the simple case). A repeated
    ``submission_key`` returns the first matter (double submit)."""
    # A town's clerks register for their town; without a town the role decides (the county's staff).
    where = {"region": town} if town is not None else {}
    _require(actor, "unresolved.register", "只有窗口工作人员或话务员可以登记办不成事", **where)
    if submission_key:
        existing = UnresolvedMatter.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    if channel not in UnresolvedMatter.Channel.values:
        raise _error("unresolved.bad_channel", "请选择反映方式", field="channel")
    if tier not in UnresolvedMatter.Tier.values:
        raise _error("unresolved.bad_tier", "请选择分级（简单、一般、复杂）", field="tier")
    summary, description = (summary or "").strip(), (description or "").strip()
    if not summary:
        raise _error("unresolved.summary_required", "请填写事项摘要", field="summary")
    if len(description) < 5:
        raise _error("unresolved.description_required", "请具体描述没有办成的情况", field="description")
    if resolution and resolution not in UnresolvedMatter.Resolution.values:
        raise _error("unresolved.bad_resolution", "请选择办理结果", field="resolution")
    if department is None and not resolution:
        # 归口办理 (plan 三、4): a matter not solved on the spot is accepted only with the department
        # that answers for it, whose deadline the sweep then chases.
        raise _error("unresolved.department_required", "未现场解决的事项，请指定归口办理的责任部门", field="department")
    reporter_phone = _clean_phone(reporter_phone)
    at = reported_at or timezone.now()
    county = _county()
    with transaction.atomic():
        matter = UnresolvedMatter.objects.create(
            code=_new_code("BC", UnresolvedMatter, at),
            region=county,
            town=town,
            hall=hall,
            channel=channel,
            summary=summary[:120],
            description=description,
            category=category,
            department=department,
            tier=tier,
            reporter_name=(reporter_name or "").strip() or None,
            reporter_phone=reporter_phone or None,
            reported_at=at,
            recorded_by=actor,
            submission_key=submission_key or None,
        )
        matter.clock = clock_start(
            label=f"办不成事 {matter.code}",
            started_at=at,
            days=_unresolved_days(tier),
            actor=actor,
            owner=matter,
            region_code=county.code,
        )
        matter.save(update_fields=["clock"])
        audit_record(
            actor=actor,
            action="hotline.unresolved_registered",
            obj=matter,
            after=snapshot(matter, ["channel", "tier", "department", "category", "summary"]),
            region_code=county.code,
        )
        if department is not None:
            _notify_department(
                department,
                "hotline.unresolved_registered",
                f"unresolved:{matter.pk}:registered",
                link=reverse("hotline:unresolved"),
                code=matter.code,
                summary=matter.summary,
            )
    if resolution:
        matter = unresolved_resolve(matter=matter, resolution=resolution, note=resolution_note, actor=actor)
    return matter


def unresolved_resolve(*, matter: UnresolvedMatter, resolution: str, note: str, actor) -> UnresolvedMatter:
    """Record how a 办不成事 matter ended; on time when by its due day."""
    note = (note or "").strip()
    if resolution not in UnresolvedMatter.Resolution.values:
        raise _error("unresolved.bad_resolution", "请选择办理结果", field="resolution")
    if len(note) < 5:
        raise _error("unresolved.note_required", "请填写办理情况（至少 5 个字）", field="note")
    with transaction.atomic():
        matter = (
            UnresolvedMatter.objects.select_for_update(of=("self",))
            .select_related("clock", "region", "department__region", "town", "hall")
            .get(pk=matter.pk)
        )
        if matter.state == UnresolvedMatter.State.RESOLVED:
            raise _error("unresolved.already_resolved", "该事项已办结", status=409)
        scope = scope_for(actor)
        where = {"department": matter.department, "hall": matter.hall}
        if not (
            scope.can("unresolved.handle", region=matter.region, **where)
            or (matter.town is not None and scope.can("unresolved.handle", region=matter.town, **where))
        ):
            raise _forbidden("只有登记人员或归口部门可以办结")
        before = snapshot(matter, ["state", "resolution", "on_time"])
        now = timezone.now()
        matter.state = UnresolvedMatter.State.RESOLVED
        matter.resolution = resolution
        matter.resolution_note = note
        matter.resolved_at = now
        matter.resolved_by = actor
        matter.on_time = matter.clock is None or timezone.localtime(now).date() <= matter.clock.due_on
        matter.save(
            update_fields=[
                "state",
                "resolution",
                "resolution_note",
                "pii_originals",
                "resolved_at",
                "resolved_by",
                "on_time",
            ]
        )
        _stop(matter.clock, actor)
        audit_record(
            actor=actor,
            action="hotline.unresolved_resolved",
            obj=matter,
            before=before,
            after=snapshot(matter, ["state", "resolution", "on_time"]),
            region_code=matter.region.code,
        )
    return matter
