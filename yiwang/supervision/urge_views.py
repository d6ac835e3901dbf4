"""督办 on overdue cases and appeals: issue (the office), answer (the department), the list."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from yiwang.core.errors import ApplicationError
from yiwang.org.models import Department
from yiwang.org.permissions import action_required
from yiwang.org.scoping import scope_for

from . import selectors
from .models import Notice
from .services.urging import appeal_urge, case_urge, urge_answer


def _back(request, default: str):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


def _days(request) -> int | None:
    raw = (request.POST.get("days") or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ApplicationError("supervision.urge_days", "答复时限须为整数个工作日", details={"field": "days"})
    return int(raw)


@action_required("supervision.urge")
@require_POST
def urge_case(request, number: str):
    from yiwang.cases.drill import readable_cases

    case = readable_cases(request.user).filter(number=number).first()
    if case is None:
        raise Http404("没有找到该办件")
    try:
        notice = case_urge(case=case, actor=request.user, text=request.POST.get("text", ""), days=_days(request))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"督办单{notice.number}已签发至{notice.department.short_name}")
    return _back(request, "/cases/leader/overdue/")


@action_required("supervision.urge")
@require_POST
def urge_appeal(request, code: str):
    from yiwang.hotline.models import Appeal
    from yiwang.hotline.selectors import scope_appeals

    appeal = scope_appeals(Appeal.objects.all(), request.user).filter(code=code).first()
    if appeal is None:
        raise Http404("没有找到该诉求")
    try:
        notice = appeal_urge(appeal=appeal, actor=request.user, text=request.POST.get("text", ""), days=_days(request))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"督办单{notice.number}已签发至{notice.department.short_name}")
    return _back(request, "/hotline/staff/overdue/")


@action_required("supervision.read")
def urge_list(request):
    state = request.GET.get("state") or ""
    subject = request.GET.get("subject") or ""
    department = None
    raw = request.GET.get("department") or ""
    if raw.isdigit():
        department = Department.objects.filter(pk=int(raw)).first()
    qs = selectors.urge_list(user=request.user, state=state, department=department, subject=subject)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    keep = {k: v for k, v in request.GET.items() if k != "page"}
    departments = scope_for(request.user).departments("supervision.read").order_by("short_name")
    return render(
        request,
        "supervision/urges.html",
        {
            "page": page,
            "state": state,
            "subject": subject,
            "department": department,
            "departments": departments.values_list("pk", "short_name"),
            "states": [
                ("awaiting", "待答复"),
                ("overdue", "逾期未答复"),
                ("answered", "已答复"),
                ("late", "逾期答复"),
            ],
            "query": urlencode(keep),
            "perms_dashboard": scope_for(request.user).can("supervision.dashboard"),
        },
    )


@action_required("supervision.read")
def urge_detail(request, pk: int):
    notice = selectors.urge_visible(request.user, pk)
    can_answer = notice.answer_state == Notice.AnswerState.AWAITING and scope_for(request.user).can(
        "supervision.answer", department=notice.department
    )
    error = None
    if request.method == "POST":
        try:
            urge_answer(notice=notice, actor=request.user, answer=request.POST.get("answer", ""))
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, f"督办单{notice.number}已答复")
            return redirect("supervision:urge", pk=notice.pk)
    return render(
        request,
        "supervision/urge.html",
        {
            "n": notice,
            "can_answer": can_answer,
            "error": error,
            "answer": request.POST.get("answer", ""),
            "perms_dashboard": scope_for(request.user).can("supervision.dashboard"),
        },
    )
