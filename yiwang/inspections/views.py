"""Pages: plans, the draw, the inspector's tasks, the roster, figures and the public results.

Pages are gated by ``action_required`` (role level); the object-level answer comes from the
selectors (a plan or task outside the user's scope is 404) and the services.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.core.errors import ApplicationError, add_application_error
from yiwang.core.idempotency import idempotent
from yiwang.core.paging import page_of, query_without_page
from yiwang.inspections import actions, forms, selectors, services
from yiwang.inspections.models import InspectionItem, Inspector, Plan, Task
from yiwang.org.models import Department, Region
from yiwang.org.permissions import PAGE_FORBIDDEN, action_required

TASK_PAGE = 50  # tasks a page of the task list shows; the count is of every task the filters leave


def _field(form, error: ApplicationError) -> str | None:
    field = error.details.get("field")
    return field if field in form.fields else None


@action_required(actions.READ, actions.PLAN)
@require_GET
def plan_list(request):
    plans = list(selectors.plans_visible(request.scope))
    return render(
        request,
        "inspections/plans.html",
        {
            "plans": plans,
            "shortfalls": selectors.frequency_shortfalls(plans),
            "can_plan": request.scope.can(actions.PLAN),
            "settings_shown": selectors.settings_shown(),
        },
    )


def _plan_form(request, lead: Department, data=None):
    county = lead.region
    # Joint partners: departments of the county with items on the 抽查事项清单.
    departments = (
        Department.objects.filter(
            region__path__startswith=county.path,
            is_active=True,
            pk__in=InspectionItem.objects.filter(is_active=True).values("department"),
        )
        .exclude(pk=lead.pk)
        .order_by("pk")
    )
    items = InspectionItem.objects.filter(
        is_active=True, department__region__path__startswith=county.path
    ).select_related("department")
    towns = Region.objects.filter(path__startswith=county.path, level=Region.Level.TOWN).order_by("code")
    defaults = selectors.settings_shown()["ratio_bp"]
    initial = {f"ratio_{c.lower()}": defaults[c] / 100 for c in forms.CLASSES}
    return forms.PlanForm(data, initial=initial, departments=departments, items=items, towns=towns), items


@action_required(actions.PLAN)
@require_http_methods(["GET", "POST"])
@idempotent(deduplicate=True)  # a repeated submission answers with the first plan
def plan_new(request):
    lead = request.scope.departments(actions.PLAN).select_related("region").order_by("pk").first()
    if lead is None:
        raise PermissionDenied(PAGE_FORBIDDEN)
    form, items = _plan_form(request, lead, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = [i for i in items if str(i.pk) in set(data["items"])]
        try:
            plan = services.plan_create(
                number=data["number"],
                title=data["title"],
                region=lead.region,
                lead_department=lead,
                departments=list(data["departments"]),
                items=chosen,
                pool_filter={
                    "towns": [t.pk for t in data["towns"]],
                    "kinds": data["kinds"],
                    "industry_prefixes": [
                        p for p in data["industry_prefixes"].replace("，", ",").split(",") if p.strip()
                    ],
                },
                ratio_bp=form.ratio_bp(),
                full_coverage=data["full_coverage"],
                distinct_departments=data["distinct_departments"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                beacon_source=data["beacon_source"],
                actor=request.user,
            )
        except ApplicationError as error:
            add_application_error(form, error, field=_field(form, error))
        else:
            messages.success(request, f"抽查计划 {plan.number} 已保存（草拟），公布后即确定随机种子承诺值。")
            return redirect("inspections:plan", pk=plan.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "inspections/plan_new.html", {"form": form, "lead": lead}, status=status)


def _plan_context(request, plan: Plan, draw_form=None) -> dict:
    draw = selectors.plan_current_draw(plan)
    tasks = list(selectors.plan_tasks(plan)) if draw else []
    return {
        "plan": plan,
        "departments": plan.departments.order_by("pk"),
        "items": plan.items.select_related("department"),
        "draw": draw,
        "draws": plan.draws.order_by("attempt"),
        "tasks": tasks,
        "recorded": sum(1 for t in tasks if t.state == Task.State.RECORDED),
        "can_manage": selectors.plan_can_manage(request.scope, plan),
        "draw_form": draw_form or forms.DrawForm(),
    }


@action_required(actions.READ, actions.PLAN)
@require_GET
def plan_detail(request, pk: int):
    plan = selectors.plan_get(request.scope, pk)
    return render(request, "inspections/plan.html", _plan_context(request, plan))


def _managed_plan(request, pk: int) -> Plan:
    plan = selectors.plan_get(request.scope, pk)
    if not selectors.plan_can_manage(request.scope, plan):
        raise PermissionDenied(PAGE_FORBIDDEN)
    return plan


@action_required(actions.READ, actions.PLAN)
@require_GET
def plan_tasks_xlsx(request, pk: int):
    """The plan's task list as an Excel file (the plan's readers)."""
    from django.http import HttpResponse

    from yiwang.inspections.excel import plan_tasks_xlsx as build

    plan = selectors.plan_get(request.scope, pk)
    response = HttpResponse(
        build(plan), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{plan.number}.xlsx"'
    return response


@action_required(actions.PLAN)
@require_POST
def plan_publish_view(request, pk: int):
    plan = _managed_plan(request, pk)
    try:
        services.plan_publish(plan=plan, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "计划已公布，随机种子承诺值已确定。")
    return redirect("inspections:plan", pk=plan.pk)


@action_required(actions.PLAN)
@require_POST
def plan_draw_view(request, pk: int):
    plan = _managed_plan(request, pk)
    form = forms.DrawForm(request.POST)
    if form.is_valid():
        try:
            draw = services.plan_draw(
                plan=plan, actor=request.user, beacon=form.cleaned_data["beacon"], reason=form.cleaned_data["reason"]
            )
        except ApplicationError as error:
            add_application_error(form, error, field=_field(form, error))
        else:
            messages.success(request, f"第{draw.attempt}次抽取完成，共抽中 {sum(draw.selected_counts.values())} 户。")
            return redirect("inspections:plan", pk=plan.pk)
    plan.refresh_from_db()
    return render(request, "inspections/plan.html", _plan_context(request, plan, draw_form=form), status=400)


@action_required(actions.READ, actions.PLAN)
@require_POST
def plan_verify_view(request, pk: int):
    """Recompute the plan's current draw on request (audited) and store the outcome on the draw."""
    plan = selectors.plan_get(request.scope, pk)
    draw = selectors.plan_current_draw(plan)
    if draw is None:
        messages.error(request, "该计划尚未抽取，无可复核的抽取结果。")
        return redirect("inspections:plan", pk=plan.pk)
    result = services.draw_verification_record(draw=draw, actor=request.user)
    if result.consistent:
        messages.success(request, "复核完成：重算结果与公布结果逐字节一致。")
    else:
        messages.error(request, "复核完成：重算结果与公布结果不一致（" + "；".join(result.problems) + "）。")
    return redirect("inspections:plan", pk=plan.pk)


@action_required(actions.PLAN)
@require_POST
def plan_results_publish_view(request, pk: int):
    plan = _managed_plan(request, pk)
    try:
        count = services.plan_results_publish(plan=plan, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已公示 {count} 条检查结果。")
    return redirect("inspections:plan", pk=plan.pk)


@action_required(actions.READ, actions.RESULT)
@require_GET
def task_list(request):
    state = request.GET.get("state") or None
    if state not in (None, *Task.State.values):
        state = None
    mine = request.GET.get("mine") == "1"
    # every task counted, the page's rows read; page links keep the filters
    page = page_of(request, selectors.tasks_visible(request.user, request.scope, state=state, mine=mine), TASK_PAGE)
    return render(
        request,
        "inspections/tasks.html",
        {
            "tasks": page.object_list,
            "page": page,
            "query": query_without_page(request),
            "state": state,
            "mine": mine,
            "states": Task.State.choices,
            "today": timezone.localdate(),
        },
    )


@action_required(actions.READ, actions.RESULT)
@require_http_methods(["GET", "POST"])
def task_detail(request, pk: int):
    task = selectors.task_get(request.user, request.scope, pk)
    can_record = selectors.task_can_record(request.user, request.scope, task)
    result_form = forms.ResultForm(
        initial={
            "result": task.result,
            "inspected_on": task.inspected_on or timezone.localdate(),
            "findings": task.findings,
        }
    )
    follow_form = forms.FollowUpForm()
    status = 200
    if request.method == "POST":
        if not can_record and not selectors.plan_can_manage(request.scope, task.plan):
            raise PermissionDenied(PAGE_FORBIDDEN)
        action = request.POST.get("action")
        try:
            if action == "result":
                result_form = forms.ResultForm(request.POST)
                if result_form.is_valid():
                    services.task_result_record(task=task, actor=request.user, **result_form.cleaned_data)
                    messages.success(request, "检查结果已录入。")
                    return redirect("inspections:task", pk=task.pk)
            elif action == "follow_up":
                follow_form = forms.FollowUpForm(request.POST)
                if follow_form.is_valid():
                    services.follow_up_add(task=task, actor=request.user, **follow_form.cleaned_data)
                    messages.success(request, "后续处置已登记。")
                    return redirect("inspections:task", pk=task.pk)
            elif action == "publish":
                if not selectors.plan_can_manage(request.scope, task.plan):
                    raise PermissionDenied(PAGE_FORBIDDEN)
                services.task_publish(task=task, actor=request.user)
                messages.success(request, "检查结果已公示。")
                return redirect("inspections:task", pk=task.pk)
        except ApplicationError as error:
            target = follow_form if action == "follow_up" else result_form
            if action == "publish":
                messages.error(request, error.message)
            else:
                add_application_error(target, error, field=_field(target, error))
        status = 400
        task = selectors.task_get(request.user, request.scope, pk)
    return render(
        request,
        "inspections/task.html",
        {
            "task": task,
            "team": task.assignments.select_related("inspector", "department"),
            "deadline": selectors.task_deadline(task),
            "follow_ups": selectors.task_follow_ups(task),
            "can_record": can_record,
            "can_publish": task.state == Task.State.RECORDED and selectors.plan_can_manage(request.scope, task.plan),
            "result_form": result_form,
            "inspected_on_value": _date_value(result_form),
            "follow_form": follow_form,
        },
        status=status,
    )


def _date_value(form) -> str:
    value = form["inspected_on"].value()
    return value.isoformat() if hasattr(value, "isoformat") else (value or "")


@action_required(actions.PLAN, actions.READ)
@require_http_methods(["GET", "POST"])
def roster(request):
    """The item list and the roster of the user's departments; handlers add items, people and conflicts."""
    departments = request.scope.departments(actions.READ) | request.scope.departments(actions.PLAN)
    managed = request.scope.departments(actions.PLAN).select_related("region").order_by("pk").first()
    item_form, inspector_form, conflict_form = forms.ItemForm(), forms.InspectorForm(), forms.ConflictForm()
    status = 200
    if request.method == "POST":
        if managed is None:
            raise PermissionDenied(PAGE_FORBIDDEN)
        action = request.POST.get("action")
        if action == "import":
            upload = request.FILES.get("file")
            try:
                if upload is None:
                    raise ApplicationError("inspection.import_no_file", "请选择要导入的 Excel 文件")
                count = services.inspector_import(department=managed, file=upload, actor=request.user)
            except ApplicationError as error:
                messages.error(request, error.message)
                for row in error.details.get("errors", []):
                    where = f"第{row['row']}行" if row.get("row") else ""
                    where += f"“{row['column']}”列" if row.get("column") else ""
                    messages.error(request, f"{where}：{row['message']}" if where else row["message"])
                return redirect("inspections:roster")
            messages.success(request, f"已从 Excel 导入 {count} 名检查人员。")
            return redirect("inspections:roster")
        form = {"item": forms.ItemForm, "inspector": forms.InspectorForm, "conflict": forms.ConflictForm}.get(action)
        if form is None:
            raise PermissionDenied(PAGE_FORBIDDEN)
        bound = form(request.POST)
        if bound.is_valid():
            try:
                message = _roster_change(request, managed, action, bound.cleaned_data)
            except ApplicationError as error:
                add_application_error(bound, error, field=_field(bound, error))
            else:
                messages.success(request, message)
                return redirect("inspections:roster")
        status = 400
        item_form, inspector_form, conflict_form = (
            bound if action == "item" else item_form,
            bound if action == "inspector" else inspector_form,
            bound if action == "conflict" else conflict_form,
        )
    return render(
        request,
        "inspections/roster.html",
        {
            "inspectors": selectors.roster_for(departments),
            "items": selectors.items_for(departments),
            "today": timezone.localdate(),
            "managed": managed,
            "item_form": item_form,
            "inspector_form": inspector_form,
            "conflict_form": conflict_form,
            "own_inspectors": selectors.roster_for([managed]) if managed else [],
            "recusal_days": selectors.settings_shown()["recusal_days"],
        },
        status=status,
    )


def _roster_change(request, department, action: str, data: dict) -> str:
    from yiwang.credit.models import Entity
    from yiwang.org.models import User

    if action == "item":
        item = services.inspection_item_create(department=department, actor=request.user, **data)
        return f"已加入抽查事项清单：{item.name}"
    if action == "inspector":
        user = None
        if data["username"]:
            user = User.objects.filter(username=data["username"], memberships__department=department).first()
            if user is None:
                raise ApplicationError(
                    "inspection.unknown_user", "该账号不存在或不属于本部门", details={"field": "username"}
                )
        person = services.inspector_create(
            department=department,
            name=data["name"],
            certificate_no=data["certificate_no"],
            certificate_expires_on=data["certificate_expires_on"],
            user=user,
            actor=request.user,
        )
        return f"已加入执法检查人员名录库：{person.name}"
    person = Inspector.objects.filter(pk=data["inspector"], department=department).first()
    if person is None:
        raise ApplicationError("inspection.unknown_inspector", "请选择本部门的检查人员", details={"field": "inspector"})
    entity = Entity.objects.filter(uscc=data["uscc"].strip().upper()).first()
    if entity is None:
        raise ApplicationError(
            "inspection.unknown_entity", "未找到该统一社会信用代码的市场主体", details={"field": "uscc"}
        )
    services.inspector_conflict_declare(
        inspector=person, entity=entity, kind=data["kind"], note=data["note"], actor=request.user
    )
    return f"已登记回避：{person.name} 不参与对 {entity.name} 的检查"


@action_required(actions.MEASURES, actions.PLAN)
@require_GET
def measures_page(request):
    regions = request.scope.regions(actions.MEASURES) | request.scope.regions(actions.PLAN)
    county = regions.filter(level=Region.Level.COUNTY).order_by("path").first() or regions.order_by("path").first()
    figures = selectors.inspection_figures(region=county)
    chart = {
        "classes": [r["key"] for r in figures["by_class"]],
        "coverage": [round((r["coverage"] or 0) * 100, 1) for r in figures["by_class"]],
        "months": [r["month"].strftime("%Y-%m") for r in figures["months"]],
        "on_time": [round((r["on_time_rate"] or 0) * 100, 1) for r in figures["months"]],
    }
    return render(
        request,
        "inspections/measures.html",
        {
            "figures": figures,
            "county": county,
            "settings_shown": selectors.settings_shown(),
            "chart": chart,
        },
    )


# --- public (一公开) ---------------------------------------------------------------------------------


PUBLIC_PAGE = 50  # plans a page of the public list shows, the latest period first; the count is of every plan shown


@require_GET
def public_results(request):
    # every published or drawn plan counted, one page read
    page = page_of(request, selectors.public_plans(), PUBLIC_PAGE)
    return render(request, "inspections/public.html", {"page": page, "query": query_without_page(request)})


@require_GET
def public_plan(request, pk: int):
    plan = selectors.public_plan_get(pk)
    return render(
        request,
        "inspections/public_plan.html",
        {
            "plan": plan,
            "draws": selectors.public_draws(plan),
            "rows": selectors.public_results(plan),
            "settings_shown": selectors.settings_shown(),
        },
    )
