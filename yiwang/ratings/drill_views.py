"""The ratings and rectifications behind each figure of the targets page (same months, key, scope)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.http import urlencode

from yiwang.core.errors import ApplicationError
from yiwang.measures.rows import metric_rows
from yiwang.org.models import Department
from yiwang.org.permissions import action_required
from yiwang.org.scoping import scope_for

from . import measures as m
from . import selectors

# (metric, field, negate) → what the list holds; rectifications are those opened for a bad rating,
# as on the targets page.
FIGURES = {
    (m.RECTIFICATIONS, "real_name", False): "实名差评整改（实名差评回访率的分母）",
    (m.RECTIFICATIONS, "called_back", False): "已回访的实名差评整改（实名差评回访率的分子）",
    (m.RECTIFICATIONS, "annulled", True): "应整改的差评（申诉成立的不计，差评整改率的分母）",
    (m.RECTIFICATIONS, "closed", False): "已整改销号（差评整改率的分子、按期整改率的分母）",
    (m.RECTIFICATIONS, "closed_on_time", False): "按期整改销号（按期整改率的分子）",
    (m.RATED, "count", False): "评价",
    (m.RATED, "bad", False): "差评（不满意、非常不满意）",
    (m.RATED, "implicit", False): "默认评价（未评价按政策计入）",
}


@action_required("ratings.measures")
def figure_rows(request):
    metric = request.GET.get("metric") or m.RECTIFICATIONS
    field = request.GET.get("field") or "count"
    negate = request.GET.get("negate") == "1"
    if (metric, field, negate) not in FIGURES:
        raise ApplicationError("list.unknown_figure", "没有这一项统计数据的明细", status=400)
    months = selectors.default_months()
    department = None
    raw = (request.GET.get("department") or "").strip()
    if raw:
        department = Department.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        if department is None:
            raise ApplicationError("list.unknown_department", f"部门编号无效：{raw[:20]}", status=400)
    key = "rating" if metric == m.RECTIFICATIONS else None
    qs = metric_rows(metric, months=months, key=key, field=field, negate=negate, department=department)
    qs = scope_for(request.user).filter(qs, "ratings.measures", department="department", region="region")
    qs = qs.select_related("department").order_by("-pk")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    keep = {k: v for k, v in request.GET.items() if k != "page"}
    departments = scope_for(request.user).departments("ratings.measures").order_by("short_name")
    return render(
        request,
        "ratings/figure_rows.html",
        {
            "title": FIGURES[(metric, field, negate)],
            "metric": metric,
            "field": field,
            "negate": negate,
            "rectifications": metric == m.RECTIFICATIONS,
            "page": page,
            "total": page.paginator.count,
            "months": months,
            "department": department,
            "departments": departments.values_list("pk", "short_name"),
            "query": urlencode(keep),
            "can_review": scope_for(request.user).can("rectification.review"),
        },
    )
