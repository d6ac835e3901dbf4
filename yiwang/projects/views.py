"""Pages of ``projects``: the project list and page (stage clocks, blockers, steward log), the leader's
list of projects at risk and figures, 企业服务日 issues, the utility's connection desk, the public
connection status and the published area assessments. Views validate shape and call services."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.core.errors import ApplicationError
from yiwang.core.idempotency import idempotent
from yiwang.core.paging import page_of, query_without_page
from yiwang.org.models import Department
from yiwang.org.permissions import action_required
from yiwang.org.scoping import scope_for
from yiwang.workdays.deadlines import deadline_of_clock

from . import selectors, services
from .conf import setting, utility_categories
from .models import (
    AreaAssessment,
    Category,
    ConstructionProject,
    JointSurvey,
    ProjectStage,
    ServiceIssue,
    StageItem,
    StewardLog,
    UtilityKind,
)

PAGE_SIZE = 50  # rows a page of the project, issue and connection lists shows; the count is of all
DETAIL_PAGE = 20  # steward log entries, and issues, a page of the project's page shows of each


def _visible_project(request, pk: int) -> ConstructionProject:
    project = (
        selectors.projects_visible(request.user)
        .filter(pk=pk)
        .select_related("lead_department", "steward", "region", "town")
        .first()
    )
    if project is None:
        raise Http404("未找到该项目")
    return project


@login_required
def project_list(request):
    page = page_of(
        request,
        selectors.projects_visible(request.user)
        .select_related("lead_department", "steward", "town")
        .prefetch_related("stages")
        .order_by("state", "-created_at", "-pk"),
        PAGE_SIZE,
    )
    if not page.object_list and not scope_for(request.user).can("project.read"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("您无权查看工程建设项目")
    return render(
        request, "projects/project_list.html", {"projects": page.object_list, "page": page, "categories": Category}
    )


@login_required
def project_detail(request, pk: int):
    project = _visible_project(request, pk)
    view = selectors.project_view(project)
    scope = scope_for(request.user)
    may_apply = services._may_apply(project, request.user)
    may_manage = scope.can("project.manage", department=project.lead_department)
    may_log = request.user.pk == project.steward_id or may_manage
    # the steward log and the issues, each counted in full and paged on its own (?logs_page=, ?issues_page=)
    logs = page_of(request, project.logs.select_related("author").order_by("-on", "-id"), DETAIL_PAGE, "logs_page")
    issues = page_of(
        request,
        project.issues.select_related("department", "clock").order_by("-raised_at", "-id"),
        DETAIL_PAGE,
        "issues_page",
    )
    return render(
        request,
        "projects/project_detail.html",
        {
            "view": view,
            "project": project,
            "may_apply": may_apply,
            "may_log": may_log,
            "logs": logs.object_list,
            "logs_page": logs,
            "logs_keep": query_without_page(request, "logs_page"),
            "issues": _with_deadlines(issues.object_list),
            "issues_page": issues,
            "issues_keep": query_without_page(request, "issues_page"),
            "log_kinds": StewardLog.Kind.choices,
            "connections": project.connections.select_related("utility", "clock"),
            "today": timezone.localdate(),
            "issue_days": setting("ISSUE_DAYS"),
            "surveys": project.surveys.all(),
            "survey_kinds": JointSurvey.Kind.choices,
            "may_manage": may_manage,
            "steward_choices": _steward_choices(project) if may_manage else [],
            "departments": Department.objects.filter(
                is_active=True, region__path__startswith=project.region.path
            ).order_by("kind", "code")
            if may_log
            else [],
        },
    )


def _steward_choices(project):
    from yiwang.org.models import User

    return (
        User.objects.filter(
            memberships__department=project.lead_department, memberships__role="handler", is_active=True
        )
        .distinct()
        .order_by("display_name")
    )


@require_POST
@login_required
def survey_record(request, pk: int):
    project = _visible_project(request, pk)
    try:
        services.joint_survey_record(
            project=project,
            surveyor=request.POST.get("surveyor", ""),
            kinds=request.POST.getlist("kinds"),
            summary=request.POST.get("summary", ""),
            actor=request.user,
        )
        messages.success(request, "联合测绘成果已登记并共享给验收部门")
    except ApplicationError as error:
        _fail(request, error)
    return redirect("projects:detail", pk=project.pk)


@require_POST
@login_required
def steward_assign(request, pk: int):
    project = _visible_project(request, pk)
    from yiwang.org.models import User

    steward = User.objects.filter(pk=request.POST.get("steward") or 0).first()
    try:
        services.project_steward_assign(project=project, steward=steward, actor=request.user)
        messages.success(request, f"已指定项目管家：{steward.display_name}")
    except ApplicationError as error:
        _fail(request, error)
    return redirect("projects:detail", pk=project.pk)


def _with_deadlines(issues) -> list[ServiceIssue]:
    rows = list(issues)
    for issue in rows:
        issue.deadline = deadline_of_clock(issue.clock, label="办理时限") if issue.clock_id else None
    return rows


def _fail(request, error: ApplicationError):
    messages.error(request, error.message)


@require_POST
@login_required
def stage_open(request, pk: int, stage_pk: int):
    project = _visible_project(request, pk)
    stage = get_object_or_404(ProjectStage, pk=stage_pk, project=project)
    try:
        services.project_stage_open(stage=stage, actor=request.user)
        messages.success(request, f"已申报{stage.get_code_display()}阶段，各事项并联办理")
    except ApplicationError as error:
        _fail(request, error)
    return redirect("projects:detail", pk=project.pk)


@require_POST
@login_required
def item_reapply(request, pk: int, item_pk: int):
    project = _visible_project(request, pk)
    item = get_object_or_404(StageItem, pk=item_pk, stage__project=project)
    try:
        services.project_item_reapply(item=item, actor=request.user)
        messages.success(request, f"已重新申报“{item.name}”")
    except ApplicationError as error:
        _fail(request, error)
    return redirect("projects:detail", pk=project.pk)


@require_POST
@login_required
def log_add(request, pk: int):
    project = _visible_project(request, pk)
    try:
        on = dt.date.fromisoformat(request.POST.get("on") or timezone.localdate().isoformat())
    except ValueError:
        messages.error(request, "日期格式应为 YYYY-MM-DD")
        return redirect("projects:detail", pk=project.pk)
    try:
        services.steward_log_add(
            project=project,
            kind=request.POST.get("kind", ""),
            text=request.POST.get("text", ""),
            on=on,
            actor=request.user,
        )
        messages.success(request, "服务记录已保存")
    except ApplicationError as error:
        _fail(request, error)
    return redirect("projects:detail", pk=project.pk)


@action_required("project.read", "project.measures")
def at_risk(request):
    rows = selectors.projects_at_risk(request.user)
    return render(request, "projects/at_risk.html", {"rows": rows})


def _blocker_text(b) -> str:
    parts = [b.department] + ([b.case_number] if b.case_number else [])
    if b.overdue_workdays:
        parts.append(f"超期 {b.overdue_workdays} 个工作日")
    return f"{b.item}（{'，'.join(parts)}）"


@action_required("project.read", "project.measures")
def at_risk_export(request):
    """The list of projects at risk as a workbook (督办 lists live in Excel)."""
    from django.http import HttpResponse
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from yiwang.core.xlsx import workbook_bytes

    book = Workbook()
    sheet = book.active
    sheet.title = "临期超期项目"
    header = ["项目代码", "项目名称", "类别", "期限", "状态", "到期日", "超期工作日", "卡在哪里", "项目管家"]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r in selectors.projects_at_risk(request.user):
        sheet.append(
            [
                r.project.code,
                r.project.name,
                r.project.get_category_display(),
                r.deadline.label,
                r.deadline.status_label,
                r.deadline.due_on,
                r.deadline.overdue_workdays,
                "；".join(_blocker_text(b) for b in r.blockers),
                r.project.steward.display_name if r.project.steward_id else "",
            ]
        )
    response = HttpResponse(
        workbook_bytes(book), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="projects-at-risk.xlsx"'
    return response


@action_required("project.measures")
def measures_page(request):
    approvals = selectors.approval_measures(request.user)
    connections = selectors.connection_measures(request.user)
    charts = {
        "categories": [r["label"] for r in approvals],
        "limits": [r["limit"] for r in approvals],
        "avg": [r["avg_workdays"] or 0 for r in approvals],
        "utility_labels": [f"{r['kind']}·{r['category']}" for r in connections],
        "utility_limits": [r["limit"] for r in connections],
        "utility_avg": [r["avg_workdays"] or 0 for r in connections],
    }
    return render(
        request,
        "projects/measures.html",
        {"approvals": approvals, "connections": connections, "charts": charts},
    )


@action_required("issue.handle", "project.read")
def issues(request):
    # the department's region with each row: may_resolve reads it for every open issue on the page
    issues = selectors.issues_visible(request.user).select_related("department__region")
    page = page_of(request, issues.order_by("state", "-raised_at", "-pk"), PAGE_SIZE)
    rows = _with_deadlines(page.object_list)  # the page's rows only
    scope = scope_for(request.user)
    for issue in rows:
        issue.may_resolve = issue.state == "open" and scope.can("issue.handle", department=issue.department)
    from yiwang.org.models import Region

    from .models import ServiceDay

    held = ServiceDay.objects.order_by("-held_on").select_related("region").first()
    county = held.region if held else Region.objects.filter(level=Region.Level.COUNTY).order_by("code").first()
    plan = selectors.service_day_plan(county) if county else None
    return render(request, "projects/issues.html", {"issues": rows, "page": page, "plan": plan})


@require_POST
@login_required
def issue_resolve(request, pk: int):
    issue = selectors.issues_visible(request.user).filter(pk=pk).first()
    if issue is None:
        raise Http404("未找到该问题")
    try:
        services.service_issue_resolve(issue=issue, resolution=request.POST.get("resolution", ""), actor=request.user)
        messages.success(request, "已办结并答复企业")
    except ApplicationError as error:
        _fail(request, error)
    return redirect("projects:issues")


@require_POST
@login_required
def issue_raise(request, pk: int):
    project = _visible_project(request, pk)
    department = Department.objects.filter(pk=request.POST.get("department") or 0).first()
    if department is None:
        messages.error(request, "请选择责任部门")
        return redirect("projects:detail", pk=project.pk)
    try:
        services.service_issue_raise(
            enterprise_name=project.builder_name,
            text=request.POST.get("text", ""),
            department=department,
            project=project,
            actor=request.user,
        )
        messages.success(request, "问题已登记并转责任部门限时办理")
    except ApplicationError as error:
        _fail(request, error)
    return redirect("projects:detail", pk=project.pk)


@action_required("utility.read")
def connections(request):
    page = page_of(
        request, selectors.connections_visible(request.user).order_by("state", "-accepted_at", "-pk"), PAGE_SIZE
    )
    for row in page.object_list:
        row.category_label = selectors.category_label(row.kind, row.category)
    return render(request, "projects/connections.html", {"connections": page.object_list, "page": page})


@action_required("utility.read")
def connection_detail(request, pk: int):
    connection = selectors.connections_visible(request.user).filter(pk=pk).first()
    if connection is None:
        raise Http404("未找到该报装")
    status = selectors.connection_status(number=connection.number, code=connection.query_code)
    spec = utility_categories(connection.kind)[connection.category]
    may_complete = connection.state == "accepted" and scope_for(request.user).can(
        "utility.handle", department=connection.utility
    )
    return render(
        request,
        "projects/connection_detail.html",
        {"connection": connection, "status": status, "spec": spec, "may_complete": may_complete},
    )


@require_POST
@action_required("utility.handle")
def connection_complete(request, pk: int):
    connection = selectors.connections_visible(request.user).filter(pk=pk).first()
    if connection is None:
        raise Http404("未找到该报装")
    try:
        services.connection_complete(connection=connection, actor=request.user)
        messages.success(request, "已记录接入，报装办结")
    except ApplicationError as error:
        _fail(request, error)
    return redirect("projects:connection", pk=connection.pk)


@require_http_methods(["GET", "POST"])
@idempotent(deduplicate=True)  # a repeat of the same application answers with the first
@action_required("utility.apply")
def connection_apply(request):
    """The applicant applies online for an electricity, water or gas connection (plan 四(三)2: 线上办理)."""
    from django.urls import reverse

    from yiwang.org.models import Region

    towns = Region.objects.filter(level=Region.Level.TOWN).order_by("code")
    kinds = [(kind, utility_categories(kind.value)) for kind in UtilityKind]
    approvals = setting("UTILITY_APPROVAL_ITEMS")
    data = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        kind_category = request.POST.get("kind_category", "")
        kind, _, category = kind_category.partition(":")
        region = towns.filter(code=request.POST.get("town", "")).first()
        if region is None:
            messages.error(request, "请选择所在镇（街道）")
        else:
            try:
                connection = services.connection_apply(
                    kind=kind,
                    category=category,
                    applicant_name=request.POST.get("applicant_name", ""),
                    applicant_phone=request.POST.get("applicant_phone", ""),
                    applicant_uscc=request.POST.get("applicant_uscc", ""),
                    address=request.POST.get("address", ""),
                    capacity=request.POST.get("capacity", ""),
                    region=region,
                    approvals=request.POST.getlist("approvals"),
                    actor=request.user,
                )
            except ApplicationError as error:
                _fail(request, error)
            else:
                messages.success(
                    request, f"报装已受理：编号 {connection.number}，查询码 {connection.query_code}，请妥善保存"
                )
                return redirect(
                    f"{reverse('projects:connection_status')}?number={connection.number}&code={connection.query_code}"
                )
    return render(
        request,
        "projects/connection_apply.html",
        {"towns": towns, "kinds": kinds, "approvals": approvals, "data": data},
    )


def connection_status(request):
    """Public: the applicant's status by number and query code (plan 四(三)2: 用户可在线查询)."""
    number, code = request.GET.get("number", ""), request.GET.get("code", "")
    status = selectors.connection_status(number=number, code=code) if number or code else None
    return render(
        request,
        "projects/connection_status.html",
        {"status": status, "number": number, "code": code, "asked": bool(number or code)},
    )


def assessments(request):
    """Public: published area assessments (plan 四(二)3: 及时公开评估结果) and how many projects reuse each."""
    rows = AreaAssessment.objects.filter(published_at__isnull=False).select_related("department")
    from django.db.models import Count

    rows = rows.annotate(reused=Count("uses")).order_by("area", "kind")
    return render(request, "projects/assessments.html", {"assessments": rows})


def limits(request):
    """Public: the limits in force, with their source (plan section or county default)."""
    return render(
        request,
        "projects/limits.html",
        {
            "whole": setting("WHOLE_LIMIT_DAYS"),
            "categories": Category,
            "stage_days": setting("STAGE_DAYS"),
            "utility": [(kind, utility_categories(kind.value)) for kind in UtilityKind],
            "joint_days": setting("JOINT_DAYS"),
            "issue_days": setting("ISSUE_DAYS"),
            "service_day_months": setting("SERVICE_DAY_EVERY_MONTHS"),
        },
    )
