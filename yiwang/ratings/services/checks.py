"""效能大体检: the quarterly service check (plan: every quarter, supervisors and citizen representatives
visit the halls to "find the faults"); each finding becomes a rectification with a deadline."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.core.audit import audit_record
from yiwang.core.errors import ApplicationError
from yiwang.org.models import Region, ServiceHall, Window
from yiwang.org.scoping import scope_for

from ..models import CheckAssignment, Finding, Monitor, ServiceCheck
from .rectifications import rectification_open_for_finding

PHOTO_TYPES = {".jpg", ".jpeg", ".png"}
PHOTO_MAX_BYTES = 10 * 1024 * 1024


def _require(actor, region: Region) -> None:
    if not scope_for(actor).can("servicecheck.manage", region=region):
        raise ApplicationError("auth.forbidden", "您无权安排或记录效能大体检", status=403)


def monitor_add(*, region: Region, name: str, kind: str, organisation: str = "", user=None, actor) -> Monitor:
    """Add a 营商环境监督员 to the region's roster."""
    _require(actor, region)
    name = (name or "").strip()
    if not name:
        raise ApplicationError("monitor.name_required", "请填写监督员姓名", details={"field": "name"})
    if kind not in Monitor.Kind.values:
        raise ApplicationError("monitor.bad_kind", "请选择监督员类别", details={"field": "kind"})
    with transaction.atomic():
        monitor, created = Monitor.objects.get_or_create(
            region=region,
            name=name,
            organisation=(organisation or "").strip(),
            defaults={"kind": kind, "user": user},
        )
        if created:
            audit_record(actor=actor, action="ratings.monitor_added", obj=monitor, after={"name": name, "kind": kind})
    return monitor


def check_schedule(*, region: Region, year: int, quarter: int, actor, title: str = "") -> ServiceCheck:
    """Schedule a region's check for one quarter; one per quarter (409 ``servicecheck.duplicate``)."""
    _require(actor, region)
    if quarter not in (1, 2, 3, 4):
        raise ApplicationError("servicecheck.bad_quarter", "季度应为1至4", details={"field": "quarter"})
    if not 2020 <= int(year) <= 2100:
        raise ApplicationError("servicecheck.bad_year", "年度无效", details={"field": "year"})
    title = (title or "").strip() or f"{region.name}{year}年第{quarter}季度政务服务效能大体检"
    try:
        with transaction.atomic():
            check = ServiceCheck.objects.create(
                region=region,
                year=year,
                quarter=quarter,
                title=title[:120],
                scheduled_by=actor,
                scheduled_at=timezone.now(),
            )
            audit_record(
                actor=actor, action="ratings.check_scheduled", obj=check, after={"year": year, "quarter": quarter}
            )
    except IntegrityError:
        raise ApplicationError(
            "servicecheck.duplicate", f"{year}年第{quarter}季度已安排效能大体检", status=409
        ) from None
    return check


def check_assign(*, check: ServiceCheck, monitor: Monitor, hall: ServiceHall, actor) -> CheckAssignment:
    """Assign a monitor to a hall (idempotent)."""
    _require(actor, check.region)
    if not monitor.is_active:
        raise ApplicationError("servicecheck.monitor_inactive", "该监督员已不在册")
    if not hall.region.path.startswith(check.region.path):
        raise ApplicationError("servicecheck.hall_outside", "该大厅不在本次体检范围内", details={"field": "hall"})
    with transaction.atomic():
        assignment, created = CheckAssignment.objects.get_or_create(service_check=check, monitor=monitor, hall=hall)
        if created:
            audit_record(
                actor=actor,
                action="ratings.check_assigned",
                obj=assignment,
                after={"monitor": monitor.pk, "hall": hall.pk},
                region_code=check.region.code,
            )
    return assignment


def _clean_photo(photo) -> None:
    if not photo:
        return
    name = (getattr(photo, "name", "") or "").lower()
    if not any(name.endswith(ext) for ext in PHOTO_TYPES):
        raise ApplicationError("finding.bad_photo", "现场照片须为 JPG 或 PNG 图片", details={"field": "photo"})
    if getattr(photo, "size", 0) > PHOTO_MAX_BYTES:
        raise ApplicationError("finding.photo_too_large", "现场照片不能超过10MB", details={"field": "photo"})


def finding_record(
    *,
    check: ServiceCheck,
    hall: ServiceHall,
    department,
    category: str,
    severity: str,
    description: str,
    actor,
    window: Window | None = None,
    item=None,
    monitor: Monitor | None = None,
    photo=None,
) -> Finding:
    """Record a finding and open its rectification; a finding of the same hall and category in an
    earlier quarter marks it ``repeated`` (highlighted in the report)."""
    _require(actor, check.region)
    if check.state != ServiceCheck.State.SCHEDULED:
        raise ApplicationError("servicecheck.closed", "本次体检已结束，不能再记录问题", status=409)
    if category not in Finding.Category.values:
        raise ApplicationError("finding.bad_category", "请选择问题类别", details={"field": "category"})
    if severity not in Finding.Severity.values:
        raise ApplicationError("finding.bad_severity", "请选择严重程度", details={"field": "severity"})
    description = (description or "").strip()
    if len(description) < 4:
        raise ApplicationError("finding.description_required", "请描述发现的问题", details={"field": "description"})
    if not hall.region.path.startswith(check.region.path):
        raise ApplicationError("servicecheck.hall_outside", "该大厅不在本次体检范围内", details={"field": "hall"})
    if window is not None and window.hall_id != hall.pk:
        raise ApplicationError("finding.window_mismatch", "窗口不属于该大厅", details={"field": "window"})
    _clean_photo(photo)
    earlier = Finding.objects.filter(hall=hall, category=category).exclude(service_check=check)
    repeated = (
        earlier.filter(service_check__year__lt=check.year).exists()
        or earlier.filter(service_check__year=check.year, service_check__quarter__lt=check.quarter).exists()
    )
    with transaction.atomic():
        finding = Finding(
            service_check=check,
            region=hall.region,
            hall=hall,
            window=window,
            item=item,
            department=department,
            category=category,
            severity=severity,
            description=description,
            monitor=monitor,
            repeated=repeated,
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        if photo:
            finding.photo = photo
        finding.save()
        audit_record(
            actor=actor,
            action="ratings.finding_recorded",
            obj=finding,
            after={"hall": hall.pk, "category": category, "severity": severity, "repeated": repeated},
        )
        rectification_open_for_finding(finding=finding, actor=actor)
    return finding


def check_close(*, check: ServiceCheck, actor) -> ServiceCheck:
    """End the check's visits (its rectifications go on to their own closure)."""
    _require(actor, check.region)
    with transaction.atomic():
        check = ServiceCheck.objects.select_for_update().get(pk=check.pk)
        if check.state == ServiceCheck.State.CLOSED:
            raise ApplicationError("servicecheck.closed", "本次体检已结束", status=409)
        check.state = ServiceCheck.State.CLOSED
        check.save(update_fields=["state"])
        audit_record(
            actor=actor,
            action="ratings.check_closed",
            obj=check,
            before={"state": "scheduled"},
            after={"state": "closed"},
        )
    return check
