"""The lists behind the leader page's figures: the cases counted in a figure, and 在办超期件."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.http import urlencode

from yiwang.core.errors import ApplicationError
from yiwang.measures.rows import countable_fields
from yiwang.org.models import Department
from yiwang.org.permissions import action_required
from yiwang.org.scoping import scope_for
from yiwang.supervision.conf import supervision_setting

from .. import drill
from .. import measures as case_metrics
from ..models import CaseState
from .leader import _period

PAGE_SIZE = 50

# What each listable figure is called on the leader page, by (metric, field, negate).
FIGURES = {
    (case_metrics.APPLIED, "count", False): "申请件数（按提交月份）",
    (case_metrics.APPLIED, "fully_online", False): "全程网办申请",
    (case_metrics.APPLIED, "zero_visit", False): "零跑动申请",
    (case_metrics.APPLIED, "pledged", False): "告知承诺申请",
    (case_metrics.APPLIED, "deferred", False): "容缺受理申请",
    (case_metrics.DECIDED, "count", False): "办结件数（部门办件，按决定月份）",
    (case_metrics.DECIDED, "on_time", False): "承诺时限内办结",
    (case_metrics.DECIDED, "on_time", True): "超过承诺时限办结",
    (case_metrics.OPENING, "count", False): "企业开办办结（一件事，按办结月份）",
}


def _department(request, scope_action: str = "case.read"):
    raw = (request.GET.get("department") or "").strip()
    if not raw:
        return None, []
    departments = scope_for(request.user).departments(scope_action)
    if not raw.isdigit():
        raise ApplicationError("list.bad_department", f"部门编号无效：{raw[:20]}", status=400)
    department = Department.objects.filter(pk=int(raw)).first()
    if department is None:
        raise ApplicationError("list.unknown_department", f"没有编号为{raw}的部门", status=400)
    return department, departments


def _department_choices(user):
    return list(scope_for(user).departments("case.read").order_by("short_name").values_list("pk", "short_name"))


@action_required("case.read")
def leader_rows(request):
    """The cases behind one figure: same metric, same months, same scope; filterable, paged."""
    metric = request.GET.get("metric") or case_metrics.DECIDED
    field = request.GET.get("field") or "count"
    negate = request.GET.get("negate") == "1"
    if (metric, field, negate) not in FIGURES or field not in countable_fields(metric):
        raise ApplicationError("list.unknown_figure", "没有这一项统计数据的明细", status=400)
    start, end, form = _period(request)
    department, _ = _department(request)
    state = request.GET.get("state") or ""
    if state and state not in CaseState.values:
        raise ApplicationError("list.bad_state", f"办件状态无效：{state[:20]}", status=400)
    qs = drill.figure_cases(
        request.user, metric=metric, months=(start, end), field=field, negate=negate, department=department, state=state
    )
    page = drill.page_of(qs, request.GET.get("page"), PAGE_SIZE)
    keep = {k: v for k, v in request.GET.items() if k != "page"}
    return render(
        request,
        "cases/leader_rows.html",
        {
            "title": FIGURES[(metric, field, negate)],
            "metric": metric,
            "field": field,
            "negate": negate,
            "page": page,
            "total": page.paginator.count,
            "start": start,
            "end": end,
            "form": form,
            "department": department,
            "departments": _department_choices(request.user),
            "state": state,
            "states": CaseState.choices,
            "decided": metric == case_metrics.DECIDED,
            "opening": metric == case_metrics.OPENING,
            "query": urlencode(keep),
            "link_cases": scope_for(request.user).can("case.review"),
        },
    )


@action_required("case.read")
def leader_overdue(request):
    """在办超期件, most overdue first, with how many working days late; a supervisor can 督办 each."""
    department, _ = _department(request)
    qs = drill.overdue_cases(request.user, department=department)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = drill.with_lateness(page.object_list)
    keep = {k: v for k, v in request.GET.items() if k != "page"}
    return render(
        request,
        "cases/leader_overdue.html",
        {
            "page": page,
            "rows": rows,
            "total": page.paginator.count,
            "department": department,
            "departments": _department_choices(request.user),
            "can_urge": scope_for(request.user).can("supervision.urge"),
            "urge_days": supervision_setting("URGE_ANSWER_WORKDAYS"),
            "urge_max": supervision_setting("URGE_MAX_WORKDAYS"),
            "query": urlencode(keep),
            "link_cases": scope_for(request.user).can("case.review"),
        },
    )
