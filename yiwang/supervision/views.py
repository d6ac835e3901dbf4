"""Pages of supervision: tasks, 督办单, ledgers, indicators, the leader dashboard and the assessment.

Views validate the form and call a service; business rules live in ``services``; every list is
scoped through ``selectors`` (a handler sees only their department's work).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from yiwang.core.errors import ApplicationError, add_application_error
from yiwang.core.paging import page_of, query_without_page
from yiwang.org.models import Department
from yiwang.org.permissions import action_required
from yiwang.org.scoping import scope_for

from . import selectors
from .assessment import COMPONENTS, assessment, assessment_pdf, assessment_xlsx
from .conf import supervision_setting
from .indicators import COUNTY_DEFAULT, DB_BOUNDS
from .measuring import MEASUREMENTS, rows_url
from .models import IndicatorValue, LedgerItem, Milestone, Notice, SubMeasure
from .services.indicators import indicator_value_enter
from .services.ledgers import ledger_clear, ledger_record, ledger_register
from .services.plan import county_region
from .services.tasks import milestone_create, notice_issue_by_office, progress_report, task_close

TASK_LIST_PAGE = 20  # progress reports, and notices, a page of a task's page shows of each; counts are of all

METHOD = (
    "（最差值 − 实际值）÷（最差值 − 前沿值）× 100，限定在 0—100（世界银行营商环境“前沿距离”法；方案未规定计分公式）"
)


class ReportForm(forms.Form):
    department = forms.ModelChoiceField(label="报送部门", queryset=Department.objects.none())
    text = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    percent_done = forms.IntegerField(label="完成进度（%）", min_value=0, max_value=100)
    milestone = forms.ModelChoiceField(label="完成的节点（可选）", queryset=Milestone.objects.none(), required=False)
    attachment = forms.FileField(label="附件（可选）", required=False)


class MilestoneForm(forms.Form):
    title = forms.CharField(label="节点内容", max_length=300)
    due_on = forms.DateField(label="完成时限", widget=forms.DateInput(attrs={"type": "date"}))


class NoteForm(forms.Form):
    text = forms.CharField(label="意见", widget=forms.Textarea(attrs={"rows": 2}), max_length=500, required=False)


class ValueForm(forms.Form):
    month = forms.DateField(
        label="月份", widget=forms.DateInput(attrs={"type": "month"}), input_formats=["%Y-%m", "%Y-%m-%d"]
    )
    value = forms.CharField(label="数值", max_length=32)
    evidence = forms.CharField(
        label="佐证说明（来源、口径）", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    attachment = forms.FileField(label="佐证材料（可选）", required=False)


class LedgerForm(forms.Form):
    kind = forms.ChoiceField(label="台账", choices=LedgerItem.Kind.choices)
    department = forms.ModelChoiceField(
        label="责任单位", queryset=Department.objects.filter(is_active=True).order_by("code")
    )
    title = forms.CharField(label="事项", max_length=200)
    category = forms.CharField(label="类别", max_length=64, required=False)
    creditor = forms.CharField(label="债权企业（清欠）", max_length=128, required=False)
    creditor_uscc = forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    amount_owed = forms.CharField(label="拖欠金额（元）", max_length=20, required=False)
    due_on = forms.DateField(label="完成时限", widget=forms.DateInput(attrs={"type": "date"}))


class LedgerEntryForm(forms.Form):
    amount = forms.CharField(label="本次清偿（元）", max_length=20, required=False)
    note = forms.CharField(label="说明", max_length=500)


def _period(request) -> tuple[tuple[dt.date, dt.date], int | None, int | None]:
    try:
        year = int(request.GET.get("year") or 0) or None
        quarter = int(request.GET.get("quarter") or 0) or None
    except ValueError:
        year = quarter = None
    if year is not None and not 2000 <= year <= 2100:
        year = None
    if quarter is not None and not 1 <= quarter <= 4:
        quarter = None
    return selectors.period_months(year=year, quarter=quarter if year else None), year, quarter


def _form_error(form, error: ApplicationError) -> None:
    """The service's message on the form: beside its field when the form has it, else above."""
    field = error.details.get("field")
    add_application_error(form, error, field if field in form.fields else None)
    if field not in form.fields:
        form.errors.setdefault("__all__", form.error_class())


def _with_deadlines(milestones):
    from yiwang.workdays.deadlines import deadline_of_clock

    rows = list(milestones)
    for m in rows:
        m.deadline = deadline_of_clock(m.clock) if m.clock_id and m.state == "open" else None
    return rows


# --- tasks ---------------------------------------------------------------------------------------


@action_required("supervision.read")
def task_list(request):
    plan = selectors.current_plan()
    area = request.GET.get("area")
    state = request.GET.get("state") if request.GET.get("state") in ("open", "done", "closed") else None
    tasks = selectors.task_list(
        user=request.user, plan=plan, area=int(area) if (area or "").isdigit() else None, state=state
    )
    today = timezone.localdate()
    overdue_ids = set(selectors.milestones_overdue(user=request.user, today=today).values_list("task_id", flat=True))
    overdue_only = request.GET.get("overdue") == "1"
    if overdue_only:  # the dashboard's 有逾期节点的任务
        tasks = tasks.filter(pk__in=overdue_ids)
    page = Paginator(tasks, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/tasks.html",
        {
            "plan": plan,
            "page": page,
            "keep": query_without_page(request),
            "overdue_ids": overdue_ids,
            "areas": plan.areas.all() if plan else [],
            "area": area,
            "state": state,
            "is_office": request.scope.can("supervision.manage"),
            "overdue_only": overdue_only,
        },
    )


@action_required("supervision.read")
def task_detail(request, pk: int):
    task = selectors.task_get(user=request.user, pk=pk)
    scope = request.scope
    reporting = selectors.task_reporting_departments(user=request.user, task=task)
    is_office = scope.can("supervision.manage", region=task.region)
    report_form = milestone_form = note_form = None
    if reporting:
        report_form = ReportForm(prefix="r")
        report_form.fields["department"].queryset = Department.objects.filter(pk__in=[d.pk for d in reporting])
        report_form.fields["milestone"].queryset = task.milestones.filter(state="open")
        if len(reporting) == 1:
            report_form.fields["department"].initial = reporting[0].pk
    if is_office:
        milestone_form, note_form = MilestoneForm(prefix="m"), NoteForm(prefix="n")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "report" and report_form is not None:
                report_form = ReportForm(request.POST, request.FILES, prefix="r")
                report_form.fields["department"].queryset = Department.objects.filter(pk__in=[d.pk for d in reporting])
                report_form.fields["milestone"].queryset = task.milestones.filter(state="open")
                if report_form.is_valid():
                    d = report_form.cleaned_data
                    progress_report(
                        task=task,
                        actor=request.user,
                        department=d["department"],
                        text=d["text"],
                        percent_done=d["percent_done"],
                        attachment=d["attachment"],
                        milestone=d["milestone"],
                    )
                    messages.success(request, "进展已报送")
                    return redirect("supervision:task", pk=task.pk)
            elif action == "milestone" and is_office:
                milestone_form = MilestoneForm(request.POST, prefix="m")
                if milestone_form.is_valid():
                    milestone_create(task=task, actor=request.user, **milestone_form.cleaned_data)
                    messages.success(request, "节点已设定，已通知牵头部门")
                    return redirect("supervision:task", pk=task.pk)
            elif action in ("close", "notice") and is_office:
                note_form = NoteForm(request.POST, prefix="n")
                if note_form.is_valid():
                    if action == "close":
                        task_close(task=task, actor=request.user, note=note_form.cleaned_data["text"])
                        messages.success(request, "任务已销号")
                    else:
                        notice = notice_issue_by_office(
                            task=task, actor=request.user, text=note_form.cleaned_data["text"]
                        )
                        messages.success(request, f"督办单{notice.number}已签发")
                    return redirect("supervision:task", pk=task.pk)
            else:
                raise Http404("未知操作")
        except ApplicationError as error:
            form = {"report": report_form, "milestone": milestone_form}.get(action) or note_form
            _form_error(form, error)
    # the progress reports and the notices, each counted in full and paged on its own
    reports = page_of(
        request,
        task.reports.select_related("department", "author").order_by("-reported_at", "-pk"),
        TASK_LIST_PAGE,
        "reports_page",
    )
    notices = page_of(
        request, selectors.notice_list(user=request.user).filter(task=task), TASK_LIST_PAGE, "notices_page"
    )
    return render(
        request,
        "supervision/task.html",
        {
            "task": task,
            "milestones": _with_deadlines(task.milestones.select_related("clock").order_by("due_on")),
            "reports": reports.object_list,
            "reports_page": reports,
            "reports_keep": query_without_page(request, "reports_page"),
            "notices": notices.object_list,
            "notices_page": notices,
            "notices_keep": query_without_page(request, "notices_page"),
            "targets": task.targets.all(),
            "report_form": report_form,
            "milestone_form": milestone_form,
            "note_form": note_form,
            "is_office": is_office,
        },
    )


@action_required("supervision.read")
def notice_list(request):
    kind = request.GET.get("kind") if request.GET.get("kind") in Notice.Kind.values else None
    page = Paginator(selectors.notice_list(user=request.user, kind=kind), 50).get_page(request.GET.get("page"))
    return render(request, "supervision/notices.html", {"page": page, "kind": kind, "kinds": Notice.Kind.choices})


# --- ledgers -------------------------------------------------------------------------------------


@action_required("supervision.read")
def ledger_list(request):
    kind = request.GET.get("kind") if request.GET.get("kind") in LedgerItem.Kind.values else None
    is_office = request.scope.can("supervision.manage", region=county_region())
    form = LedgerForm() if is_office else None
    if request.method == "POST":
        if not is_office:
            raise Http404
        form = LedgerForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                item = ledger_register(actor=request.user, **d)
            except ApplicationError as error:
                _form_error(form, error)
            else:
                messages.success(request, f"已登记 {item.number}")
                return redirect("supervision:ledger", pk=item.pk)
    items = selectors.ledger_list(user=request.user, kind=kind)
    if request.GET.get("format") == "xlsx":
        from .exports import ledger_xlsx

        response = HttpResponse(
            ledger_xlsx(items.select_related("task"), today=timezone.localdate()),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = "attachment; filename*=UTF-8''ledgers.xlsx"
        return response
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/ledgers.html",
        {"page": page, "kind": kind, "form": form, "totals": selectors.ledger_totals(), "today": timezone.localdate()},
    )


@action_required("supervision.read")
def ledger_detail(request, pk: int):
    item = selectors.ledger_get(user=request.user, pk=pk)
    scope = request.scope
    can_record = item.state == "open" and (
        scope.can("supervision.report", department=item.department)
        or scope.can("supervision.manage", region=item.region)
    )
    can_clear = item.state == "open" and scope.can("supervision.manage", region=item.region)
    form = LedgerEntryForm() if can_record else None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "clear" and can_clear:
                ledger_clear(item=item, actor=request.user, note=request.POST.get("note", "")[:500])
                messages.success(request, "已销号")
                return redirect("supervision:ledger", pk=item.pk)
            if request.POST.get("action") == "record" and can_record:
                form = LedgerEntryForm(request.POST)
                if form.is_valid():
                    ledger_record(item=item, actor=request.user, **form.cleaned_data)
                    messages.success(request, "已记录")
                    return redirect("supervision:ledger", pk=item.pk)
            else:
                raise Http404("未知操作")
        except ApplicationError as error:
            messages.error(request, error.message)
    return render(
        request,
        "supervision/ledger.html",
        {"item": item, "entries": item.entries.select_related("author"), "form": form, "can_clear": can_clear},
    )


# --- indicators ----------------------------------------------------------------------------------


@action_required("supervision.read")
def indicator_board(request):
    months, year, quarter = _period(request)
    board = selectors.indicator_board(months=months, region=county_region())
    scope = request.scope
    own = set(scope.departments("supervision.report").values_list("pk", flat=True))
    is_office = scope.can("supervision.manage")
    if not (is_office or scope.can("supervision.dashboard")):
        board = [row for row in board if row.indicator.department_id in own]
    return render(
        request,
        "supervision/indicators.html",
        {
            "board": board,
            "months": months,
            "method": METHOD,
            "own": own,
            "is_office": is_office,
            "db_bounds": DB_BOUNDS,
            "county_default": COUNTY_DEFAULT,
            "year": year,
            "quarter": quarter,
        },
    )


VALUES_PAGE = 24  # months a page of an indicator's entered values shows, the latest first; the count is of all


@action_required("supervision.report", "supervision.manage")
def indicator_enter(request, pk: int):
    measure = get_object_or_404(SubMeasure.objects.select_related("indicator__department"), pk=pk)
    scope = request.scope
    indicator = measure.indicator
    if not (
        scope.can("supervision.manage")
        or (indicator.department and scope.can("supervision.report", department=indicator.department))
    ):
        raise Http404("无权填报该指标")
    form = ValueForm(initial={"month": timezone.localdate().replace(day=1)})
    if request.method == "POST":
        form = ValueForm(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            try:
                indicator_value_enter(
                    measure=measure,
                    actor=request.user,
                    month=d["month"],
                    value=d["value"],
                    evidence=d["evidence"],
                    attachment=d["attachment"],
                )
            except ApplicationError as error:
                _form_error(form, error)
            else:
                messages.success(request, "已填报")
                return redirect("supervision:indicators")
    # every month entered counted, one page read (the latest month first; one value a month)
    values = page_of(
        request,
        IndicatorValue.objects.filter(measure=measure).select_related("department").order_by("-month"),
        VALUES_PAGE,
    )
    return render(
        request,
        "supervision/indicator_enter.html",
        {"measure": measure, "form": form, "page": values, "query": query_without_page(request)},
    )


@action_required("supervision.dashboard")
def drill(request, code: str):
    """The figure behind a dashboard cell: the roll-up by department and month, and the module's own list."""
    from yiwang.measures.selectors import facts

    measure = get_object_or_404(SubMeasure.objects.select_related("indicator"), code=code)
    spec = MEASUREMENTS.get(measure.metric)
    months, _, _ = _period(request)
    rows = []
    if spec is not None and spec.available:
        data = facts(
            spec.metric,
            months=None if spec.snapshot else months,
            region=county_region(),
            key=list(spec.keys) if spec.keys else None,
            group_by=("department", "key") if spec.by_key else ("department",),
        )
        grouped: dict = {}
        for row in data:
            grouped.setdefault(row["department"], []).append(row)
        names = dict(Department.objects.filter(pk__in=[k for k in grouped if k]).values_list("pk", "short_name"))
        for department_id, group in grouped.items():
            rows.append(
                {
                    "department": names.get(department_id, "（未指定部门）"),
                    "count": sum(r["count"] for r in group),
                    "value": spec.compute(group),
                    "rows_url": rows_url(spec, months, department_id) if department_id else "",
                }
            )
        rows.sort(key=lambda r: -r["count"])
    context = {
        "measure": measure,
        "spec": spec,
        "rows": rows,
        "months": months,
        "rows_url": rows_url(spec, months) if spec is not None and spec.available else "",
        "total": sum(r["count"] for r in rows),
    }
    return render(request, "supervision/drill.html", context)


# --- dashboard and assessment --------------------------------------------------------------------


OVERDUE_PAGE = 10  # overdue milestones a page of the dashboard shows, the longest overdue first; the count is of all


@action_required("supervision.dashboard")
def dashboard(request):
    plan = selectors.current_plan()
    months, year, quarter = _period(request)
    if plan is None:
        return render(request, "supervision/dashboard.html", {"plan": None})
    data = selectors.dashboard(plan=plan, months=months)
    # every overdue milestone counted, one page read (?overdue_page=), the period kept on its links
    overdue = page_of(request, selectors.milestones_overdue(plan=plan), OVERDUE_PAGE, "overdue_page")
    labels = data["month_labels"]
    charts = []
    for row in data["areas"]:
        series = []
        for m in row.measures:
            if not m.trend:
                continue
            points = {month.strftime("%Y-%m"): value for month, value in m.trend}
            series.append(
                {
                    "name": f"{m.measure.name}（{m.measure.unit}）",
                    "data": [None if points.get(label) is None else round(points[label], 2) for label in labels],
                    "target": None if m.measure.target is None else float(m.measure.target),
                }
            )
        charts.append({"id": f"area-{row.area.no}", "series": series})
    return render(
        request,
        "supervision/dashboard.html",
        {
            "plan": plan,
            "d": data,
            "charts": {"labels": labels, "areas": charts},
            "method": METHOD,
            "year": year,
            "quarter": quarter,
            "amber_margin": int(100 * float(supervision_setting("AMBER_MARGIN"))),
            "overdue_page": overdue,
            "overdue_keep": query_without_page(request, "overdue_page"),
        },
    )


@action_required("supervision.dashboard")
def assessment_view(request):
    plan = selectors.current_plan()
    months, year, quarter = _period(request)
    rows = assessment(plan=plan, months=months) if plan else []
    label = (
        f"{year}年第{quarter}季度"
        if year and quarter
        else f"{year}年度"
        if year
        else f"{months[0]:%Y年%m月}至{months[1]:%Y年%m月}"
    )
    title = f"优化营商环境工作考核结果（{label}）"
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        response = HttpResponse(
            assessment_xlsx(rows, title=title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = "attachment; filename*=UTF-8''assessment.xlsx"
        return response
    if fmt == "pdf":
        response = HttpResponse(assessment_pdf(rows, title=title), content_type="application/pdf")
        response["Content-Disposition"] = "attachment; filename*=UTF-8''assessment.pdf"
        return response
    return render(
        request,
        "supervision/assessment.html",
        {
            "rows": rows,
            "title": title,
            "components": COMPONENTS,
            "weights": supervision_setting("ASSESSMENT_WEIGHTS"),
            "year": year or timezone.localdate().year,
            "quarter": quarter,
            "query": request.GET.urlencode(),
            "years": range(timezone.localdate().year - 5, timezone.localdate().year + 1),
        },
    )


def index(request):
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    if scope_for(request.user).can("supervision.dashboard"):
        return redirect("supervision:dashboard")
    return redirect("supervision:tasks")
