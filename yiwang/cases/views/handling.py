"""后台分类办理: the department's queue by deadline, review steps, pauses, extensions, decisions, verification."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from yiwang.core.errors import ApplicationError
from yiwang.core.lookups import id_or_none
from yiwang.core.paging import page_of, query_without_page
from yiwang.org.permissions import API_FORBIDDEN, action_required
from yiwang.workdays.deadlines import DeadlineStatus

from .. import selectors, services
from ..forms import DecisionForm, DeliveryForm, ExtensionForm, OpinionForm, PauseForm
from ..models import CaseState, Extension, PledgeVerification, ReviewStep

QUEUE_PAGE = 50  # cases (verifications) a page of the department (verification) queue shows, nearest deadline
# first; the count is of all


@action_required("case.review")
def queue(request):
    status = request.GET.get("status") or None
    if status not in DeadlineStatus.values:
        status = None
    mine = request.GET.get("mine") == "1"
    today = timezone.localdate()
    # every open case counted, the page's rows read, deadlines worked out for those rows only
    page = page_of(request, selectors.handler_queue_shown(request.user, mine=mine, status=status), QUEUE_PAGE)
    context = {
        "rows": selectors.with_case_deadlines(page.object_list, today),
        "page": page,
        "query": query_without_page(request),
        "status": status,
        "mine": mine,
        "statuses": DeadlineStatus.choices,
        "verifications": selectors.verification_queue(request.user).count(),
        "extensions": selectors.extension_queue(request.user).count(),
    }
    template = "cases/_handler_rows.html" if request.htmx else "cases/handler_queue.html"
    return render(request, template, context)


ACTIONS = {"assign", "step", "pause", "resume", "extension", "decide", "deliver"}


@action_required("case.review")
def handler_case(request, number: str):
    case = selectors.handler_case(request.user, number)
    if case is None:
        # Acting on another department's case is refused outright; looking for one finds nothing.
        if request.method == "POST" and selectors.case_by_number(number) is not None:
            raise PermissionDenied(API_FORBIDDEN)
        raise Http404("没有找到该办件，或不属于您的部门")
    forms = {
        "opinion": OpinionForm(),
        "pause": PauseForm(),
        "extension": ExtensionForm(),
        "decision": DecisionForm(),
        "delivery": DeliveryForm(initial={"method": "electronic"}),
    }
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "assign":
                services.case_assign(case=case, actor=request.user)
                messages.success(request, "已签收办理")
            elif action == "step":
                services.review_step_complete(case=case, actor=request.user, opinion=request.POST.get("opinion", ""))
                messages.success(request, "本环节已完成")
            elif action == "pause":
                services.case_pause(
                    case=case,
                    actor=request.user,
                    kind=request.POST.get("kind", ""),
                    reason=request.POST.get("reason", ""),
                )
                messages.success(request, "已暂停计时")
            elif action == "resume":
                services.case_resume(case=case, actor=request.user)
                messages.success(request, "已恢复计时")
            elif action == "extension":
                services.case_extension_request(case=case, actor=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, "延期申请已提交审批")
            elif action == "decide":
                services.case_decide(
                    case=case,
                    actor=request.user,
                    outcome=request.POST.get("outcome", ""),
                    reasons=request.POST.get("reasons", ""),
                    legal_basis=request.POST.get("legal_basis", ""),
                )
                messages.success(request, "已作出办理决定")
            elif action == "deliver":
                services.case_deliver(
                    case=case,
                    actor=request.user,
                    method=request.POST.get("method"),
                    tracking_number=request.POST.get("tracking_number", ""),
                )
                messages.success(request, "已出件")
            else:
                messages.error(request, "未知操作")
        except ApplicationError as error:
            messages.error(request, error.message)
            bound = {
                "step": "opinion",
                "pause": "pause",
                "extension": "extension",
                "decide": "decision",
                "deliver": "delivery",
            }
            if action in bound:
                key = bound[action]
                forms[key] = type(forms[key])(request.POST)
                forms[key].is_valid()
                field = error.details.get("field")
                forms[key].add_error(field if field in forms[key].fields else None, error.message)
        else:
            return redirect("cases:handler_case", number=case.number)
    case = selectors.case_detail(case)
    active = next((s for s in case.steps.all() if s.state == ReviewStep.State.ACTIVE), None)
    pending = [s for s in case.steps.all() if s.state == ReviewStep.State.PENDING]
    separation_note = ""
    if active is not None and case.state == CaseState.IN_REVIEW:
        try:  # 审查、审核、审批分离: say so before the handler types an opinion
            services._check_separation(case, request.user, active)
        except ApplicationError as error:
            separation_note = error.message
    return render(
        request,
        "cases/handler_case.html",
        {
            "case": case,
            "deadline": selectors.case_deadline(case) if case.is_open else None,
            "form_rows": selectors.form_rows(case, reveal=True),  # the handler of this case
            "active": active,
            "last_step": active is not None and not pending,
            "forms": forms,
            "timeline": selectors.case_timeline(case, public_only=False),
            "root": selectors.case_root(case),
            "deferred": selectors.relevant_deferred(case),
            "separation_note": separation_note,
            "S": CaseState,
        },
    )


@action_required("case.verify_pledge")
def verifications(request):
    if request.method == "POST":
        task = get_object_or_404(
            selectors.verification_queue(request.user), pk=id_or_none(request.POST.get("verification"))
        )
        try:
            services.pledge_verification_complete(
                verification=task,
                actor=request.user,
                truthful=request.POST.get("truthful") == "1",
                finding=request.POST.get("finding", ""),
            )
            messages.success(request, "核查结果已记录")
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("cases:verifications")
    # every pending verification counted, the page's tasks read (nearest deadline first)
    page = page_of(request, selectors.verification_queue_shown(request.user), QUEUE_PAGE)
    return render(
        request,
        "cases/verifications.html",
        {
            "tasks": page.object_list,
            "page": page,
            "page_query": query_without_page(request),
            "today": timezone.localdate(),
            "State": PledgeVerification.State,
        },
    )


@action_required("case.approve_extension")
def extensions(request):
    if request.method == "POST":
        extension = get_object_or_404(
            selectors.extension_queue(request.user), pk=id_or_none(request.POST.get("extension"))
        )
        try:
            services.case_extension_decide(
                extension=extension,
                actor=request.user,
                approve=request.POST.get("approve") == "1",
                note=request.POST.get("note", ""),
            )
            messages.success(request, "延期审批已完成")
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("cases:extensions")
    return render(
        request, "cases/extensions.html", {"pending": selectors.extension_queue(request.user), "State": Extension.State}
    )
