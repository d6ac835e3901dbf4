"""Pages of 好差评: the public page, the citizen's rating forms, the hall's rating pad, the
department's rectification queue, and the supervisor's review, targets and service-check pages.

Views validate the shape of input, call a service and render; business-rule errors come back as form
errors with the service's Chinese message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from yiwang.cases.models import Case
from yiwang.core.errors import ApplicationError, add_application_error
from yiwang.core.paging import page_of, query_without_page
from yiwang.core.periods import month_param
from yiwang.hotline.models import Appeal
from yiwang.measures.registry import month_bounds
from yiwang.org.models import Department, Region, ServiceHall, Window
from yiwang.org.permissions import PAGE_FORBIDDEN, action_required

from . import forms, reports, selectors, services
from .conf import is_county_default, setting
from .models import Monitor, Rectification
from .workflow import NEXT_STEP

S = Rectification.State
QUEUE_PAGE = 50  # rectifications a page of a queue shows, with their deadlines; the counts are of all
RATINGS_PAGE = 50  # ratings a page of the staff list shows; the count is of all
MINE_PAGE = 30  # ratings a page of 我的评价 shows; the count is of all the citizen's ratings


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _chart(rows: list[dict]) -> dict:
    return {
        "months": [r["label"] for r in rows],
        "satisfaction": [None if r["satisfaction"] is None else round(r["satisfaction"] * 100, 1) for r in rows],
        "count": [r["count"] for r in rows],
        "bad": [r["bad"] for r in rows],
    }


def _county():
    return Region.objects.filter(level=Region.Level.COUNTY).order_by("code").first()


# --- public -------------------------------------------------------------------------------------


@require_http_methods(["GET"])
def public(request):
    """好差评公开: the figures (from the roll-ups) and the accepted rectifications, masked."""
    months = selectors.default_months()
    by_month = selectors.satisfaction_by("month", months=months)
    return render(
        request,
        "ratings/public.html",
        {
            "totals": selectors.rating_totals(months=months),
            "by_department": sorted(
                selectors.satisfaction_by("department", months=months), key=lambda r: -(r["satisfaction"] or 0)
            ),
            "chart": _chart(by_month),
            "cases": selectors.public_rectifications(),
            "months": months,
        },
    )


# --- the citizen --------------------------------------------------------------------------------


@login_required
def mine(request):
    # every rating of the citizen counted, a page read newest first, each with its rectification (one join)
    rated = selectors.ratings_of_user(request.user).select_related("rectification").order_by("-rated_at", "-id")
    ratings = page_of(request, rated, MINE_PAGE)
    # what is still to rate, every case and appeal counted, each list paged on its own
    cases = page_of(request, selectors.rateable_cases(request.user, limit=None), MINE_PAGE, "cases_page")
    appeals = page_of(request, selectors.rateable_appeals(request.user, limit=None), MINE_PAGE, "appeals_page")
    return render(
        request,
        "ratings/mine.html",
        {
            "ratings": ratings.object_list,
            "page": ratings,
            "cases": cases.object_list,
            "cases_page": cases,
            "cases_keep": query_without_page(request, "cases_page"),
            "appeals": appeals.object_list,
            "appeals_page": appeals,
            "appeals_keep": query_without_page(request, "appeals_page"),
        },
    )


def _rate(request, *, subject, kind: str, back: str):
    indicators = services.indicators_for("online")
    existing = selectors.rating_for_case(subject) if kind == "case" else selectors.rating_for_appeal(subject)
    form = forms.RatingForm(request.POST or None, indicators=indicators)
    if request.method == "POST" and existing is None and form.is_valid():
        try:
            services.rating_submit(
                actor=request.user,
                level=form.cleaned_data["level"],
                channel="online",
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
                **{kind: subject},
            )
        except ApplicationError as error:
            if error.status == 403:
                raise PermissionDenied(error.message) from None
            add_application_error(form, error)
        else:
            messages.success(request, "感谢您的评价！差评将由责任部门核实整改并答复您。")
            return redirect("ratings:mine")
    return render(
        request,
        "ratings/rate.html",
        {"form": form, "subject": subject, "kind": kind, "existing": existing, "back": back},
    )


@login_required
@require_http_methods(["GET", "POST"])
def rate_case(request, number: str):
    """一事一评: the applicant rates their finished case online."""
    case = Case.objects.filter(number=number, applicant_user=request.user).select_related("department").first()
    if case is None:
        raise Http404("没有找到该办件")
    if not services.case_is_rateable(case):
        messages.info(request, "办件办结后才能评价。")
        return redirect("ratings:mine")
    return _rate(request, subject=case, kind="case", back=reverse("ratings:mine"))


@login_required
@require_http_methods(["GET", "POST"])
def rate_appeal(request, code: str):
    """The person who raised an appeal rates its reply."""
    appeal = Appeal.objects.filter(code=code, submitted_by=request.user).first()
    if appeal is None or services.appeal_rater_id(appeal) != request.user.pk:
        raise Http404("没有找到该诉求")
    if not services.appeal_is_rateable(appeal):
        messages.info(request, "诉求答复后才能评价。")
        return redirect("ratings:mine")
    return _rate(request, subject=appeal, kind="appeal", back=reverse("ratings:mine"))


# --- the hall's rating pad (一次一评) ------------------------------------------------------------

PAD_REASONS = ["等候时间长", "服务态度不好", "一次性告知不清", "多次跑腿", "办事效率低"]


@action_required("rating.pad")
def pad_home(request):
    return render(request, "ratings/pad_home.html", {"cases": selectors.pad_cases(request.user)})


@action_required("rating.pad")
@require_http_methods(["GET", "POST"])
def pad(request, number: str):
    """The pad the applicant taps at the window: five big buttons, reasons for a bad rating."""
    case = selectors.pad_case(request.user, number)
    error = None
    if request.method == "POST":
        reasons = [r for r in request.POST.getlist("reason") if r in PAD_REASONS]
        comment = "；".join([*reasons, (request.POST.get("comment") or "").strip()]).strip("；")
        try:
            services.rating_submit(
                actor=request.user, case=case, level=request.POST.get("level"), channel="pad", comment=comment
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            return render(request, "ratings/pad_thanks.html", {"case": case})
    return render(
        request,
        "ratings/pad.html",
        {
            "case": case,
            "existing": selectors.rating_for_case(case),
            "reasons": PAD_REASONS,
            "error": error,
            "levels": [
                (5, "非常满意", "success"),
                (4, "满意", "success"),
                (3, "基本满意", "secondary"),
                (2, "不满意", "warning"),
                (1, "非常不满意", "danger"),
            ],
        },
    )


# --- the department -----------------------------------------------------------------------------


@action_required("rating.read")
def staff_ratings(request):
    """The ratings of the departments the user may read (a handler: their own), newest first, paged (the
    page once showed the newest 200 as the whole list). A filter's newest ``LIST_CAP`` ratings are counted
    and paged ("N+" when there are more); past the cap, ``?older=<id>`` (the last page's link) lists the
    ratings after that one in the same order, so every rating of any filter can be reached."""
    level = _int(request.GET.get("level"))
    visible = selectors.ratings_visible(request.user)
    qs = visible
    if level in (1, 2, 3, 4, 5):
        qs = qs.filter(level=level)
    month, month_error = month_param(request.GET.get("month"))
    if month is not None:
        start, end = month_bounds((month, month))
        qs = qs.filter(rated_at__gte=start, rated_at__lt=end)
    older = visible.filter(pk=_int(request.GET.get("older"))).values("pk", "rated_at").first()
    if older is not None:  # a rating the reader cannot see (or no number) lists from the newest
        qs = qs.filter(Q(rated_at__lt=older["rated_at"]) | Q(rated_at=older["rated_at"], pk__lt=older["pk"]))
    page = page_of(request, qs.order_by("-rated_at", "-id"), RATINGS_PAGE, cap=setting("LIST_CAP"))
    dropped = ["month"] if month_error else []
    return render(
        request,
        "ratings/staff_ratings.html",
        {
            "page": page,
            # a month that is not one is not carried on to the page links (its box is shown empty)
            "query": query_without_page(request, "page", *dropped),
            # past the cap, the link on from the last page's last rating
            "newest_query": query_without_page(request, "page", "older", *dropped),
            "older_link": page.paginator.count_capped and not page.has_next() and bool(page.object_list),
            "older_than": page.object_list[-1].pk if page.object_list else None,
            "continued": older is not None,
            "level": level,
            "month": month.strftime("%Y-%m") if month else "",
            "month_error": month_error,
            "cap": setting("LIST_CAP"),
            "cap_default": is_county_default("LIST_CAP"),
            "levels": [(5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")],
        },
    )


@action_required("rectification.handle")
def queue(request):
    state = request.GET.get("state") or ""
    # every open rectification counted, the page's rows read with their deadlines
    qs = selectors.department_queue_rectifications(request.user, state=state if state in S.values else None)
    page = page_of(request, qs, QUEUE_PAGE)
    return render(
        request,
        "ratings/queue.html",
        {
            "rows": selectors.queue_rows(page.object_list),
            "page": page,
            "query": query_without_page(request),
            "states": [(s, S(s).label) for s in NEXT_STEP],
            "state": state,
            "next_step": NEXT_STEP,
        },
    )


STEP_FORMS = {
    S.VERIFYING: forms.VerifyForm,
    S.CLASSIFYING: forms.ClassifyForm,
    S.RECTIFYING: forms.RectifyForm,
    S.REPLYING: forms.ReplyForm,
    S.REVISITING: forms.RevisitForm,
}


def _run_step(request, r: Rectification, form) -> Rectification:
    data = form.cleaned_data
    if r.state == S.VERIFYING:
        return services.rectification_verify(
            rectification=r, reached=data["reached"], note=data["note"], actor=request.user
        )
    if r.state == S.CLASSIFYING:
        return services.rectification_classify(
            rectification=r,
            classification=data["classification"],
            note=data["note"],
            evidence=data.get("evidence"),
            actor=request.user,
        )
    if r.state == S.RECTIFYING:
        return services.rectification_rectify(
            rectification=r, measures_taken=data["measures_taken"], actor=request.user
        )
    if r.state == S.REPLYING:
        return services.rectification_reply(rectification=r, reply=data["reply"], actor=request.user)
    return services.rectification_revisit(rectification=r, level=data["level"], note=data["note"], actor=request.user)


@action_required("rectification.handle", "rectification.read")
@require_http_methods(["GET", "POST"])
def rectification(request, pk: int):
    """One rectification: its source, history and the department's next step."""
    r = selectors.rectification_get(request.user, pk)
    can_act = request.scope.can("rectification.handle", department=r.department)
    form_class = STEP_FORMS.get(r.state) if can_act else None
    form = None
    if form_class is not None:
        form = form_class(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                _run_step(request, r, form)
            except ApplicationError as error:
                add_application_error(form, error)
            else:
                messages.success(request, "已保存。")
                return redirect("ratings:rectification", pk=r.pk)
    elif request.method == "POST":
        raise PermissionDenied(PAGE_FORBIDDEN)
    return render(
        request,
        "ratings/rectification.html",
        {
            "r": r,
            "deadline": selectors.rectification_deadline(r),
            "history": selectors.rectification_history(r),
            "form": form,
            "step": NEXT_STEP.get(r.state),
        },
    )


# --- the supervisor -----------------------------------------------------------------------------


@action_required("rectification.review")
def review_queue(request):
    # two lists, each counted in full and paged on its own (?page= and ?overdue_page=)
    page = page_of(request, selectors.review_queue_rectifications(request.user), QUEUE_PAGE)
    overdue = Paginator(selectors.overdue_rectifications(request.user), QUEUE_PAGE).get_page(
        request.GET.get("overdue_page")
    )
    overdue.object_list = list(overdue.object_list)
    return render(
        request,
        "ratings/review_queue.html",
        {
            "rows": selectors.queue_rows(page.object_list),
            "page": page,
            "overdue": selectors.queue_rows(overdue.object_list),
            "overdue_page": overdue,
            "query": urlencode({"overdue_page": overdue.number}),
            "overdue_query": urlencode({"page": page.number}),
        },
    )


@action_required("rectification.review")
@require_http_methods(["GET", "POST"])
def review(request, pk: int):
    r = selectors.rectification_get(request.user, pk)
    if not request.scope.can("rectification.review", region=r.region):
        raise Http404("没有找到该整改")
    form = None
    if r.state == S.REVIEWING:
        form = forms.ReviewForm(request.POST or None)
    elif r.state == S.APPEALED:
        form = forms.AppealDecisionForm(request.POST or None)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(PAGE_FORBIDDEN)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if r.state == S.REVIEWING:
                    services.rectification_review(
                        rectification=r, accept=data["decision"] == "accept", note=data["note"], actor=request.user
                    )
                else:
                    services.rectification_decide_appeal(
                        rectification=r, upheld=data["decision"] == "uphold", note=data["note"], actor=request.user
                    )
            except ApplicationError as error:
                add_application_error(form, error)
            else:
                messages.success(request, "审核意见已保存。")
                return redirect("ratings:review_queue")
    return render(
        request,
        "ratings/review.html",
        {
            "r": r,
            "deadline": selectors.rectification_deadline(r),
            "history": selectors.rectification_history(r),
            "form": form,
        },
    )


@action_required("ratings.measures")
def targets(request):
    """Targets and satisfaction by department, hall, window, item and month (all from the roll-ups)."""
    months = selectors.default_months()
    dimension = request.GET.get("by") or "department"
    if dimension not in ("department", "hall", "window", "staff", "item", "channel"):
        dimension = "department"
    # The reader's area, as the lists behind the figures (figure_rows), never every region's ratings.
    scope = request.scope
    by_month = selectors.satisfaction_by("month", months=months, scope=scope)
    return render(
        request,
        "ratings/targets.html",
        {
            "targets": selectors.targets(months=months, scope=scope),
            "defaults": selectors.county_defaults(),
            "totals": selectors.rating_totals(months=months, scope=scope),
            "rows": selectors.satisfaction_by(dimension, months=months, scope=scope),
            "dimension": dimension,
            "dimensions": [
                ("department", "部门"),
                ("hall", "大厅"),
                ("window", "窗口"),
                ("staff", "工作人员"),
                ("item", "事项"),
                ("channel", "渠道"),
            ],
            "chart": _chart(by_month),
            "months": months,
        },
    )


# --- service checks -----------------------------------------------------------------------------


@action_required("servicecheck.manage")
@require_http_methods(["GET", "POST"])
def checks(request):
    region = request.scope.regions("servicecheck.manage").filter(level=Region.Level.COUNTY).first() or _county()
    today = timezone.localdate()
    schedule_form = forms.ScheduleForm(
        request.POST if request.POST.get("form") == "schedule" else None,
        initial={"year": today.year, "quarter": (today.month - 1) // 3 + 1},
    )
    monitor_form = forms.MonitorForm(request.POST if request.POST.get("form") == "monitor" else None)
    if request.method == "POST":
        form = schedule_form if request.POST.get("form") == "schedule" else monitor_form
        if form.is_valid():
            try:
                if form is schedule_form:
                    check = services.check_schedule(region=region, actor=request.user, **form.cleaned_data)
                    return redirect("ratings:check", pk=check.pk)
                services.monitor_add(region=region, actor=request.user, **form.cleaned_data)
                messages.success(request, "监督员已加入名册。")
                return redirect("ratings:checks")
            except ApplicationError as error:
                add_application_error(form, error)
    return render(
        request,
        "ratings/checks.html",
        {
            "checks": selectors.checks_visible(request.user),
            "monitors": Monitor.objects.filter(region=region, is_active=True) if region else [],
            "schedule_form": schedule_form,
            "monitor_form": monitor_form,
        },
    )


@action_required("servicecheck.manage")
@require_http_methods(["GET", "POST"])
def check(request, pk: int):
    check = selectors.check_get(request.user, pk)
    halls = ServiceHall.objects.filter(region__path__startswith=check.region.path).order_by("kind", "name")
    monitors = Monitor.objects.filter(region=check.region, is_active=True)
    assign_form = forms.AssignForm(request.POST if request.POST.get("form") == "assign" else None)
    finding_form = forms.FindingForm(
        request.POST if request.POST.get("form") == "finding" else None,
        request.FILES if request.POST.get("form") == "finding" else None,
    )
    if request.method == "POST":
        kind = request.POST.get("form")
        try:
            if kind == "assign" and assign_form.is_valid():
                services.check_assign(
                    check=check,
                    monitor=_get(monitors, assign_form.cleaned_data["monitor"], "监督员"),
                    hall=_get(halls, assign_form.cleaned_data["hall"], "大厅"),
                    actor=request.user,
                )
                return redirect("ratings:check", pk=check.pk)
            if kind == "finding" and finding_form.is_valid():
                data = finding_form.cleaned_data
                hall = _get(halls, data["hall"], "大厅")
                services.finding_record(
                    check=check,
                    hall=hall,
                    window=_get(Window.objects.filter(hall=hall), data["window"], "窗口") if data["window"] else None,
                    department=_get(Department.objects.filter(is_active=True), data["department"], "责任部门"),
                    monitor=_get(monitors, data["monitor"], "监督员") if data["monitor"] else None,
                    category=data["category"],
                    severity=data["severity"],
                    description=data["description"],
                    photo=data.get("photo"),
                    actor=request.user,
                )
                messages.success(request, "问题已记录，并已派发整改。")
                return redirect("ratings:check", pk=check.pk)
            if kind == "close":
                services.check_close(check=check, actor=request.user)
                return redirect("ratings:check", pk=check.pk)
        except ApplicationError as error:
            add_application_error(finding_form if kind == "finding" else assign_form, error)
    return render(
        request,
        "ratings/check.html",
        {
            "check": check,
            "report": selectors.check_report(check),
            "assignments": check.assignments.select_related("monitor", "hall"),
            "halls": halls,
            "monitors": monitors,
            "windows": Window.objects.filter(hall__in=halls).select_related("hall"),
            "departments": Department.objects.filter(is_active=True).order_by("name"),
            "assign_form": assign_form,
            "finding_form": finding_form,
        },
    )


def _get(qs, pk, label: str):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise ApplicationError("servicecheck.not_found", f"请选择有效的{label}")
    return obj


@action_required("servicecheck.manage")
def check_xlsx(request, pk: int):
    check = selectors.check_get(request.user, pk)
    response = HttpResponse(
        reports.check_report_xlsx(selectors.check_report(check)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="service-check-{check.year}Q{check.quarter}.xlsx"'
    return response


@action_required("servicecheck.manage")
def check_pdf(request, pk: int):
    check = selectors.check_get(request.user, pk)
    response = HttpResponse(reports.check_report_pdf(selectors.check_report(check)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="service-check-{check.year}Q{check.quarter}.pdf"'
    return response
