"""The lists behind the 接诉即办 dashboard's figures, and 在办超期诉求 (with 督办 for supervisors)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from yiwang.core.errors import ApplicationError
from yiwang.measures.rows import countable_fields
from yiwang.org.models import Department
from yiwang.org.permissions import action_required
from yiwang.org.scoping import scope_for
from yiwang.supervision.conf import supervision_setting

from . import drill
from . import measures as hm
from .views import _period

PAGE_SIZE = 50

# The dashboard's listable figures: (metric, field, negate) → what the list holds.
FIGURES = {
    (hm.REPLIES, "count", False): "答复（按答复月份，诉求每轮答复各计一次）",
    (hm.REPLIES, "on_time", False): "时限内答复",
    (hm.REPLIES, "on_time", True): "超时答复",
    (hm.REVISITS, "count", False): "回访（按回访月份）",
    (hm.REVISITS, "resolved", False): "回访已解决",
    (hm.REVISITS, "resolved", True): "回访未解决",
    (hm.REVISITS, "satisfied", False): "回访满意（基本满意及以上）",
    (hm.REVISITS, "satisfied", True): "回访不满意",
    (hm.REVISITS, "reopened", False): "回访后重办",
}


def _departments(user):
    return list(scope_for(user).departments("appeal.read").order_by("short_name").values_list("pk", "short_name"))


def _department(request):
    raw = (request.GET.get("department") or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ApplicationError("list.bad_department", f"部门编号无效：{raw[:20]}", status=400)
    department = Department.objects.filter(pk=int(raw)).first()
    if department is None:
        raise ApplicationError("list.unknown_department", f"没有编号为{raw}的部门", status=400)
    return department


@action_required("appeal.read")
@require_GET
def dashboard_rows(request):
    """The replies or revisits behind one dashboard figure: same metric, months and scope; paged."""
    metric = request.GET.get("metric") or hm.REPLIES
    field = request.GET.get("field") or "count"
    negate = request.GET.get("negate") == "1"
    if (metric, field, negate) not in FIGURES or field not in countable_fields(metric):
        raise ApplicationError("list.unknown_figure", "没有这一项统计数据的明细", status=400)
    start, end = _period(request)
    department = _department(request)
    qs = drill.figure_rows(
        request.user, metric=metric, months=(start, end), field=field, negate=negate, department=department
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    keep = {k: v for k, v in request.GET.items() if k != "page"}
    return render(
        request,
        "hotline/staff/dashboard_rows.html",
        {
            "title": FIGURES[(metric, field, negate)],
            "metric": metric,
            "field": field,
            "negate": negate,
            "replies": metric == hm.REPLIES,
            "page": page,
            "total": page.paginator.count,
            "start": start,
            "end": end,
            "department": department,
            "departments": _departments(request.user),
            "query": urlencode(keep),
        },
    )


@action_required("appeal.read")
@require_GET
def overdue(request):
    """在办超期诉求, most overdue first, with working days late; a supervisor can 督办 each."""
    department = _department(request)
    qs = drill.overdue_appeals(request.user, department=department)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    keep = {k: v for k, v in request.GET.items() if k != "page"}
    return render(
        request,
        "hotline/staff/overdue.html",
        {
            "page": page,
            "rows": drill.with_lateness(page.object_list),
            "total": page.paginator.count,
            "department": department,
            "departments": _departments(request.user),
            "can_urge": scope_for(request.user).can("supervision.urge"),
            "urge_days": supervision_setting("URGE_ANSWER_WORKDAYS"),
            "urge_max": supervision_setting("URGE_MAX_WORKDAYS"),
            "query": urlencode(keep),
        },
    )
