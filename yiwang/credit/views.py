"""Credit pages: the public announcement and lists, staff credit reports, queues, import, the financing board."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.core.errors import ApplicationError
from yiwang.core.idempotency import idempotent
from yiwang.core.paging import page_of, query_without_page
from yiwang.core.xlsx import workbook_bytes
from yiwang.credit import selectors, services
from yiwang.credit.conf import CREDIT, KEY_FIELDS, credit_setting
from yiwang.credit.forms import (
    ClueFeedbackForm,
    ClueHandleForm,
    FirstOffenceForm,
    GovernmentDishonestyForm,
    GrantForm,
    ImportForm,
    NeedForm,
    ProductForm,
    ReasonForm,
    RecordForm,
    RepairDecideForm,
    RepairRequestForm,
)
from yiwang.credit.models import Clue, CreditRecord, CreditRepair, Entity, FinancingNeed, LoanProduct, RiskClass
from yiwang.org.models import Region
from yiwang.org.permissions import action_required
from yiwang.org.scoping import scope_for


def _county() -> Region | None:
    return Region.objects.filter(level=Region.Level.COUNTY).order_by("code").first()


def _page(request, qs, size=50):
    """A page of ``qs``; its template shows the count of all rows and the page links (cases/_list_pages)."""
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _staff(request, template: str, context: dict, status: int = 200):
    """Render a staff page; the tabs show only the pages the user may open."""
    scope = getattr(request, "scope", None) or scope_for(request.user)
    context.update(
        can_repair=scope.can("credit.repair"),
        can_finance=scope.can("credit.loan_product"),
        can_import=scope.can("credit.import"),
        can_record=scope.can("credit.record"),
    )
    return render(request, template, context, status=status)


def _error(request, error: ApplicationError):
    messages.error(request, error.message)


# --- public --------------------------------------------------------------------------------------


@require_GET
def public_announcement(request):
    code = request.GET.get("list", "")
    q = (request.GET.get("q") or "").strip()[:60]
    page = _page(request, selectors.public_list(code, q))
    return render(
        request,
        "credit/public.html",
        {
            "lists": selectors.PUBLIC_LISTS,
            "active": code,
            "q": q,
            "page": page,
            "rows": selectors.public_rows(page.object_list),
        },
    )


@require_GET
def first_offences(request):
    """The published list of first minor offences not penalised (plan 四(六)6, 四(十七)3)."""
    return render(
        request,
        "credit/first_offences.html",
        {
            "offences": credit_setting("FIRST_OFFENCES"),
            "window": credit_setting("FIRST_OFFENCE_WINDOW_YEARS"),
            "window_default": CREDIT.is_default("FIRST_OFFENCE_WINDOW_YEARS"),
            "key_fields": KEY_FIELDS,
        },
    )


@require_GET
def financing_board(request):
    return render(
        request,
        "credit/financing_board.html",
        {"products": selectors.loan_products(), "figures": selectors.financing_figures(_county())},
    )


# --- enterprise ----------------------------------------------------------------------------------


def _own_entity(request) -> Entity | None:
    uscc = (getattr(request.user, "uscc", "") or "").upper()
    return Entity.objects.filter(uscc=uscc).first() if uscc else None


@action_required("credit.repair_request", "credit.financing_need")
@require_http_methods(["GET", "POST"])
@idempotent(deduplicate=True)
def my_credit(request):
    entity = _own_entity(request)
    need_form = NeedForm(request.POST if request.POST.get("form") == "need" else None)
    if entity is not None and request.method == "POST" and need_form.is_bound and need_form.is_valid():
        try:
            services.financing_need_publish(entity=entity, actor=request.user, **need_form.cleaned_data)
            messages.success(request, "融资需求已发布，已为您匹配符合条件的信贷产品")
            return redirect("credit:my_credit")
        except ApplicationError as error:
            _error(request, error)
    context = {"entity": entity, "need_form": need_form, "repair_form": RepairRequestForm()}
    if entity is not None:
        context.update(selectors.entity_report(entity))
    return render(request, "credit/my_credit.html", context)


@action_required("credit.repair_request")
@require_POST
@idempotent(deduplicate=True)
def repair_request(request, pk: int):
    entity = _own_entity(request)
    record = CreditRecord.objects.filter(pk=pk, entity=entity).first() if entity else None
    if record is None:
        raise Http404("信用记录不存在")
    form = RepairRequestForm(request.POST)
    if form.is_valid():
        try:
            services.credit_repair_request(record=record, actor=request.user, **form.cleaned_data)
            messages.success(request, "信用修复申请已提交，认定部门将按期审核")
        except ApplicationError as error:
            _error(request, error)
    return redirect("credit:my_credit")


# --- staff: entities and records -------------------------------------------------------------------


@action_required("credit.read")
@require_GET
def entity_list(request):
    q = (request.GET.get("q") or "").strip()[:60]
    risk_class = request.GET.get("class", "")
    town = request.GET.get("town", "")
    scope = request.scope
    page = _page(request, selectors.entities_for(scope, q=q, risk_class=risk_class, town=town))
    # The towns and the class distribution of the reader's area, not of the first county by code.
    return _staff(
        request,
        "credit/staff/entities.html",
        {
            "page": page,
            "q": q,
            "risk_class": risk_class,
            "town": town,
            "classes": RiskClass.choices,
            "towns": scope.towns("credit.read").order_by("code"),
            "distribution": selectors.class_distribution(scope=scope),
        },
    )


def _report_context(request, entity: Entity, **forms) -> dict:
    scope = request.scope
    context = selectors.entity_report(entity)
    context.update(
        can_record=scope.can("credit.record"),
        record_form=forms.get("record_form") or RecordForm(departments=_acting_departments(request)),
        first_form=forms.get("first_form") or FirstOffenceForm(departments=_acting_departments(request)),
        reason_form=ReasonForm(),
        thresholds=credit_setting("RISK_THRESHOLDS"),
        points=credit_setting("RISK_POINTS"),
        rules_default=CREDIT.is_default("RISK_POINTS") and CREDIT.is_default("RISK_THRESHOLDS"),
    )
    return context


def _entity_or_404(request, uscc: str) -> Entity:
    entity = selectors.entity_for(request.scope, uscc)
    if entity is None:
        raise Http404("市场主体不存在或不在您的查看范围内")
    return entity


def _acting_departments(request):
    """The departments the user may record for: the choices of the 录入部门 select."""
    return request.scope.departments("credit.record")


@action_required("credit.read")
@require_GET
def entity_report(request, uscc: str):
    entity = _entity_or_404(request, uscc)
    return _staff(request, "credit/staff/report.html", _report_context(request, entity))


@action_required("credit.record")
@require_POST
@idempotent(deduplicate=True)
def record_add(request, uscc: str):
    entity = _entity_or_404(request, uscc)
    first = request.POST.get("form") == "first_offence"
    departments = _acting_departments(request)
    form = (FirstOffenceForm if first else RecordForm)(request.POST, departments=departments)
    if form.is_valid():
        department = form.cleaned_data.pop("department")
        try:
            if first:
                services.first_offence_record(
                    entity=entity, department=department, actor=request.user, **form.cleaned_data
                )
            else:
                services.credit_record_create(
                    entity=entity, department=department, actor=request.user, **form.cleaned_data
                )
            messages.success(request, "信用记录已录入，风险分类已重算")
            return redirect("credit:entity", uscc=entity.uscc)
        except ApplicationError as error:
            form.add_error(
                error.details.get("field") if error.details.get("field") in form.fields else None, error.message
            )
    context = _report_context(request, entity, **({"first_form": form} if first else {"record_form": form}))
    return _staff(request, "credit/staff/report.html", context, status=400)


@action_required("credit.record")
@require_POST
def record_revoke(request, pk: int):
    record = (
        request.scope.filter(CreditRecord.objects.select_related("entity"), "credit.record", region=None)
        .filter(pk=pk)
        .first()
    )
    if record is None:
        raise Http404("信用记录不存在或不是本部门认定")
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.credit_record_revoke(record=record, reason=form.cleaned_data["reason"], actor=request.user)
            messages.success(request, "信用记录已撤销")
        except ApplicationError as error:
            _error(request, error)
    else:
        messages.error(request, "请填写撤销理由")
    return redirect("credit:entity", uscc=record.entity.uscc) if record.entity_id else redirect("credit:staff")


# --- staff: repairs and clues ----------------------------------------------------------------------


@action_required("credit.repair")
@require_GET
def repairs(request):
    state = request.GET.get("state", "pending")
    return _staff(
        request,
        "credit/staff/repairs.html",
        {
            "page": _page(request, selectors.repairs_for(request.scope, state=state)),
            "query": query_without_page(request),
            "state": state,
            "form": RepairDecideForm(),
            "states": CreditRepair.State.choices,
        },
    )


@action_required("credit.repair")
@require_POST
def repair_decide(request, pk: int):
    repair = selectors.repairs_for(request.scope, state="").filter(pk=pk).first()
    if repair is None:
        raise Http404("修复申请不存在")
    form = RepairDecideForm(request.POST)
    if form.is_valid():
        try:
            services.credit_repair_decide(repair=repair, actor=request.user, **form.cleaned_data)
            messages.success(request, "审核结果已保存")
        except ApplicationError as error:
            _error(request, error)
    else:
        messages.error(request, "请选择审核结果并填写审核意见")
    return redirect("credit:repairs")


@action_required("credit.clue_read")
@require_GET
def clues(request):
    state = request.GET.get("state", "")
    scope = request.scope
    # The figures count exactly the clues of the list: the same scope on the clue's department and
    # region (a handler's departments, a supervisor's or leader's region subtree), never the whole database.
    return _staff(
        request,
        "credit/staff/clues.html",
        {
            "page": _page(request, selectors.clues_for(scope, state=state)),
            "query": query_without_page(request),
            "state": state,
            "states": Clue.State.choices,
            "figures": selectors.clue_figures(scope=scope),
            "handle_days": credit_setting("CLUE_HANDLE_WORKDAYS"),
            "handle_default": CREDIT.is_default("CLUE_HANDLE_WORKDAYS"),
        },
    )


@action_required("credit.clue_read")
@require_http_methods(["GET", "POST"])
def clue_detail(request, pk: int):
    clue = selectors.clue_for(request.scope, pk)
    if clue is None:
        raise Http404("线索不存在或不在您的查看范围内")
    can_act = request.scope.can("credit.clue", department=clue.department)
    handle_form = ClueHandleForm(request.POST if request.POST.get("form") == "handle" else None)
    feedback_form = ClueFeedbackForm(request.POST if request.POST.get("form") == "feedback" else None)
    if request.method == "POST":
        if not can_act:
            raise PermissionDenied("该线索不由本部门处置")
        try:
            if handle_form.is_bound and handle_form.is_valid():
                services.clue_handle(clue=clue, actor=request.user, **handle_form.cleaned_data)
                messages.success(request, "处置措施已登记")
                return redirect("credit:clue", pk=clue.pk)
            if feedback_form.is_bound and feedback_form.is_valid():
                services.clue_feedback(clue=clue, actor=request.user, **feedback_form.cleaned_data)
                messages.success(request, "反馈已提交")
                return redirect("credit:clue", pk=clue.pk)
        except ApplicationError as error:
            _error(request, error)
    from yiwang.workdays.deadlines import deadline_of_clock

    return _staff(
        request,
        "credit/staff/clue.html",
        {
            "clue": clue,
            "can_act": can_act,
            "handle_form": handle_form,
            "feedback_form": feedback_form,
            "deadline": deadline_of_clock(clue.clock, label="反馈期限") if clue.clock_id else None,
        },
    )


# --- staff: import, dashboard, financing ---------------------------------------------------------------


@action_required("credit.record")
@require_http_methods(["GET", "POST"])
@idempotent(deduplicate=True)
def government_dishonesty(request):
    """政务失信 (plan 四(十)3(2)): recorded against a government body by the deciding department."""
    form = GovernmentDishonestyForm(request.POST or None, departments=_acting_departments(request))
    if request.method == "POST" and form.is_valid():
        department = form.cleaned_data.pop("department")
        try:
            services.credit_record_create(
                entity=None, kind="government", department=department, actor=request.user, **form.cleaned_data
            )
            messages.success(request, "政务失信记录已登记并公示")
            return redirect("credit:government")
        except ApplicationError as error:
            form.add_error(None, error.message)
    # every record counted, the page's rows read (newest first) and shown
    page = page_of(request, selectors.public_records(kind="government"), 50)
    return _staff(
        request,
        "credit/staff/government.html",
        {"form": form, "rows": selectors.public_rows(page.object_list), "page": page, "query": ""},
    )


@action_required("credit.import")
@require_http_methods(["GET", "POST"])
def entity_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        county = _county()
        from yiwang.credit.importing import entities_import

        try:
            created = entities_import(content=form.cleaned_data["file"].read(), county=county, actor=request.user)
            messages.success(request, f"已导入市场主体 {len(created)} 户")
            return redirect("credit:entities")
        except ApplicationError as error:
            errors = error.details.get("errors", [])
            messages.error(request, "导入失败，未写入任何数据；请按下列错误修改后重新上传")
    return _staff(request, "credit/staff/import.html", {"form": form, "errors": errors})


@action_required("credit.import")
@require_GET
def import_template(request):
    from yiwang.credit.importing import template_workbook

    response = HttpResponse(
        workbook_bytes(template_workbook()),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = "attachment; filename=credit-entities-template.xlsx"
    return response


@action_required("credit.read", "credit.measures")
@require_GET
def staff_index(request):
    # The figures of the reader's area (a handler's county, a supervisor's or leader's region, the
    # clues of their clue list), never the first county's for everyone.
    scope = request.scope
    kinds = selectors.records_by_kind(scope=scope)
    from yiwang.credit.models import RecordKind

    return _staff(
        request,
        "credit/staff/index.html",
        {
            "distribution": selectors.class_distribution(scope=scope),
            "kinds": [
                (label, kinds.get(code, {}).get("count", 0), kinds.get(code, {}).get("repaired", 0))
                for code, label in RecordKind.choices
            ],
            "clue_figures": selectors.clue_figures(scope=scope),
            "financing": selectors.financing_figures(scope=scope),
            "thresholds": credit_setting("RISK_THRESHOLDS"),
            "points": credit_setting("RISK_POINTS"),
            "rules_default": CREDIT.is_default("RISK_POINTS") and CREDIT.is_default("RISK_THRESHOLDS"),
            "deferral": credit_setting("DEFERRAL_CLASSES"),
            "pledge": credit_setting("PLEDGE_CLASSES"),
        },
    )


@action_required("credit.loan_product")
@require_http_methods(["GET", "POST"])
@idempotent(deduplicate=True)
def staff_financing(request):
    form = ProductForm(request.POST if request.POST.get("form") == "product" else None)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "product" and form.is_valid():
                data = dict(form.cleaned_data)
                data["industries"] = [
                    p.strip().upper() for p in data["industries"].replace("，", ",").split(",") if p.strip()
                ]
                services.loan_product_publish(region=_county(), actor=request.user, **data)
                messages.success(request, "信贷产品已发布，并已与待对接的融资需求匹配")
                return redirect("credit:staff_financing")
            if request.POST.get("form") == "grant":
                grant = GrantForm(request.POST)
                need = selectors.needs_for(request.scope).filter(pk=request.POST.get("need")).first()
                if need is None or not grant.is_valid():
                    messages.error(request, "请填写放款金额")
                else:
                    product = LoanProduct.objects.filter(pk=grant.cleaned_data["product"]).first()
                    services.loan_grant(
                        need=need, product=product, amount=grant.cleaned_data["amount"], actor=request.user
                    )
                    messages.success(request, "放款已登记")
                return redirect("credit:staff_financing")
        except ApplicationError as error:
            _error(request, error)
    needs = selectors.needs_for(request.scope).order_by("-published_at")
    return _staff(
        request,
        "credit/staff/financing.html",
        {
            "form": form,
            "page": _page(request, needs, 30),
            "query": "",
            "products": selectors.loan_products(),
            "figures": selectors.financing_figures(scope=request.scope, action="credit.loan_product"),
            "states": FinancingNeed.State,
        },
    )


@login_required
@require_GET
def home(request):
    scope = scope_for(request.user)
    if scope.can("credit.read") or scope.can("credit.measures"):
        return redirect("credit:staff")
    return redirect("credit:my_credit")
