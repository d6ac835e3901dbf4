"""Pages of the catalog: public search, guides and bundles; staff catalog, review, import/export, targets.

Views validate the shape of input, call a service or selector and render; an HTMX request gets only
the partial it asked for. Staff pages are gated by the catalog actions of ``yiwang.org.scoping``
(``catalog.workspace`` for any staff role, ``catalog.propose``, ``catalog.review``,
``catalog.withdraw``); object-level scoping happens in the selectors and services.
"""

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.core.errors import ApplicationError
from yiwang.core.paging import query_without_page
from yiwang.org.models import Region
from yiwang.org.permissions import action_required
from yiwang.workdays.selectors import add_workdays, is_workday

from . import excel, pdf, selectors, services
from .conf import TARGETS
from .elements import item_elements
from .forms import ImportForm, ProposalForm, ReasonForm, ReviewForm, SearchForm, StaffFilterForm
from .models import ItemLevel, ItemStatus, LimitUnit, ServiceItem
from .rules import MAX_VISITS

PAGE_SIZE = 20


# --- public --------------------------------------------------------------------------------------


def search(request):
    choices = selectors.filter_choices()
    form = SearchForm(request.GET, departments=choices["departments"], bundles=choices["bundles"])
    filters = form.filters()
    query = filters.pop("query")
    outcome = selectors.item_search(query=query, **filters)
    page = outcome.page(request.GET.get("page"), PAGE_SIZE)
    context = {
        "form": form,
        "page": page,
        "query": query,
        "fuzzy": outcome.fuzzy,
        "bundles": list(selectors.bundle_list(query=query)[:4]) if query else [],
        "querystring": query_without_page(request),
    }
    template = "catalog/_results.html" if request.htmx else "catalog/search.html"
    return render(request, template, context)


def pledge_list(request):
    """告知承诺事项清单: public, filterable by department and by name or code."""
    department = (request.GET.get("department") or "")[:64]
    query = (request.GET.get("q") or "").strip()[:50]
    items = selectors.pledge_items(department=department, query=query)
    departments = (
        selectors.pledge_items()
        .values_list("competent_department__code", "competent_department__name")
        .distinct()
        .order_by("competent_department__code")
    )
    context = {"items": items, "departments": departments, "department": department, "query": query}
    return render(request, "catalog/pledge_list.html", context)


def _promise_due(item: ServiceItem) -> dt.date | None:
    # 承诺时限 counts working days from the day after acceptance (民法典 Art. 201), via workdays.
    if item.is_instant:
        return None
    if item.limit_unit == LimitUnit.CALENDAR_DAYS:
        # 自然日: N calendar days; a last day off work runs to the next working day (民法典 Art. 203).
        due = timezone.localdate() + dt.timedelta(days=item.promised_days)
        while not is_workday(due):
            due += dt.timedelta(days=1)
        return due
    return add_workdays(timezone.localdate(), item.promised_days).due


def _guide_url(request, code: str) -> str:
    return request.build_absolute_uri(reverse("catalog:guide", args=[code]))


def guide(request, code: str):
    item = selectors.item_guide(code)
    if item is None:
        withdrawn = selectors.item_withdrawn(code)
        if withdrawn is None:
            raise Http404
        return render(request, "catalog/withdrawn.html", {"item": withdrawn}, status=410)
    url = _guide_url(request, code)
    context = {
        "item": item,
        "materials": list(item.materials.all()),
        "bundles": list(item.bundles.all()),
        "guide_url": url,
        "qr_svg": pdf.qr_svg(url),
        "promise_due": _promise_due(item),
        "max_visits": MAX_VISITS,
        "depth_label": excel.DEPTH_LABELS[item.online_depth],
    }
    return render(request, "catalog/guide.html", context)


def guide_pdf(request, code: str):
    item = selectors.item_guide(code)
    if item is None:
        raise Http404
    body = pdf.guide_pdf(item, url=_guide_url(request, code), promise_due=_promise_due(item))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="guide-{code}.pdf"'
    return response


def guide_qr(request, code: str):
    if selectors.item_guide(code) is None:
        raise Http404
    return HttpResponse(pdf.qr_svg(_guide_url(request, code)), content_type="image/svg+xml")


def form_pdf(request, code: str):
    item = selectors.item_guide(code)
    if item is None or not item.form_fields:
        raise Http404
    body = pdf.form_pdf(name=item.name, code=item.code, form_fields=item.form_fields)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="form-{code}.pdf"'
    return response


def version(request, code: str, number: int):
    item = selectors.item_listed(code)
    frozen = selectors.item_version(item, number) if item is not None else None
    if frozen is None:
        raise Http404
    context = {"item": item, "version": frozen, "rows": selectors.version_rows(frozen), "materials": frozen.materials}
    return render(request, "catalog/version.html", context)


def bundle_list(request):
    return render(request, "catalog/bundle_list.html", {"bundles": selectors.bundle_list()})


def bundle_detail(request, code: str):
    bundle = selectors.bundle_detail(code)
    if bundle is None:
        raise Http404
    context = {
        "bundle": bundle,
        "items": [bi.item for bi in bundle.bundle_items.all()],
        "materials": selectors.bundle_merged_materials(bundle),
        "form_fields": selectors.bundle_merged_form(bundle),
        "totals": selectors.bundle_totals(bundle),
    }
    return render(request, "catalog/bundle_detail.html", context)


# --- staff ---------------------------------------------------------------------------------------


def _staff_filters(request):
    choices = selectors.filter_choices()
    form = StaffFilterForm(request.GET, departments=choices["departments"], bundles=choices["bundles"])
    filters = form.filters()
    return form, filters


@action_required("catalog.workspace")
def staff_list(request):
    form, filters = _staff_filters(request)
    query = filters.pop("query")
    items, problems = selectors.staff_item_list(user=request.user, query=query, **filters)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(item, problems[item.pk]) for item in page.object_list]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "total": len(items),
        "with_errors": sum(1 for item in items if any(p.severity == "error" for p in problems[item.pk])),
        "with_warnings": sum(1 for item in items if problems[item.pk]),
        "querystring": query_without_page(request),
        "export_query": request.GET.urlencode(),
        "pending_reviews": len(selectors.review_queue(reviewer=request.user)),
    }
    template = "catalog/staff/_rows.html" if request.htmx else "catalog/staff/list.html"
    return render(request, template, context)


@action_required("catalog.workspace")
def staff_export(request):
    _form, filters = _staff_filters(request)
    query = filters.pop("query")
    items, _problems = selectors.staff_item_list(user=request.user, query=query, **filters)
    body = excel.workbook_bytes(excel.workbook_export(items))
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="catalog-{stamp}.xlsx"'
    return response


@action_required("catalog.workspace")
def staff_template(request):
    response = HttpResponse(
        excel.workbook_bytes(excel.template_workbook()),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="catalog-template.xlsx"'
    return response


@action_required("catalog.workspace")
def staff_item(request, code: str):
    item = selectors.staff_item(request.user, code)
    if item is None:
        raise Http404
    context = {
        "item": item,
        "problems": selectors.item_problems(item),
        "versions": selectors.item_history(item),
        "changes": selectors.item_changes(item),
        "can_withdraw": item.status == ItemStatus.PUBLISHED
        and request.scope.can("catalog.withdraw", region=item.region),
        "withdraw_form": ReasonForm(),
    }
    return render(request, "catalog/staff/item.html", context)


@action_required("catalog.withdraw")
@require_POST
def staff_withdraw(request, code: str):
    item = selectors.staff_item(request.user, code)
    if item is None:
        raise Http404
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写停用理由"))
        return redirect("catalog:staff_item", code=code)
    try:
        services.item_withdraw(item=item, reason=form.cleaned_data["reason"], actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("事项已停用，公众目录不再显示。"))
    return redirect("catalog:staff_item", code=code)


@action_required("catalog.propose")
@require_http_methods(["GET", "POST"])
def staff_propose(request, code: str):
    item = selectors.staff_item(request.user, code)
    if item is None:
        raise Http404
    current = item_elements(item)
    if request.method == "POST":
        form = ProposalForm(request.POST)
        if form.is_valid():
            try:
                services.item_change_propose(
                    elements=form.elements(current), reason=form.cleaned_data["reason"], actor=request.user, item=item
                )
            except ApplicationError as error:
                for problem in error.details.get("problems", []) or [
                    {"field": error.details.get("field"), "message": error.message}
                ]:
                    field = problem.get("field")
                    form.add_error(field if field in form.fields else None, problem["message"])
            else:
                messages.success(request, _("调整申请已提交，待其他部门交叉审核后发布。"))
                return redirect("catalog:staff_item", code=code)
    else:
        form = ProposalForm(initial={**current, "reason": ""})
    return render(request, "catalog/staff/propose.html", {"item": item, "form": form})


@action_required("catalog.review")
def review_queue(request):
    changes = selectors.review_queue(reviewer=request.user)
    return render(request, "catalog/staff/reviews.html", {"changes": changes})


@action_required("catalog.review")
@require_http_methods(["GET", "POST"])
def review_detail(request, pk: int):
    change = selectors.change_get(pk)
    view = selectors.review_detail(change=change, reviewer=request.user) if change is not None else None
    if view is None:
        raise Http404
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                version = services.item_change_approve(
                    change=change, actor=request.user, note=form.cleaned_data["note"]
                )
                messages.success(
                    request, _("已通过，%(name)s 第%(n)d版已发布。") % {"name": change.item.name, "n": version.number}
                )
            else:
                services.item_change_reject(change=change, actor=request.user, note=form.cleaned_data["note"])
                messages.success(request, _("已退回。"))
        except ApplicationError as error:
            form.add_error("note" if error.details.get("field") == "note" else None, error.message)
        else:
            return redirect("catalog:review_queue")
    return render(request, "catalog/staff/review.html", {**view, "form": form})


@action_required("catalog.propose")
def my_changes(request):
    return render(request, "catalog/staff/my_changes.html", {"changes": selectors.changes_proposed_by(request.user)})


@action_required("catalog.propose")
@require_POST
def change_cancel(request, pk: int):
    change = selectors.change_get(pk, pending=True)
    if change is None:
        raise Http404
    try:
        services.item_change_cancel(change=change, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("调整申请已撤回。"))
    return redirect("catalog:my_changes")


@action_required("catalog.propose")
@require_http_methods(["GET", "POST"])
def staff_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            report = services.catalog_import(
                file=form.cleaned_data["file"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
                baseline=form.cleaned_data["baseline"],
            )
        except ApplicationError as error:
            context["errors"] = error.details.get("errors") or [
                {"sheet": "", "row": None, "column": None, "message": error.message}
            ]
            context["error_message"] = error.message
        else:
            context["report"] = report
            form = ImportForm()
            context["form"] = form
    return render(request, "catalog/staff/import.html", context)


@action_required("catalog.workspace")
def data_quality(request):
    """The data-quality report: the user's items with elements the source did not list (未列明)."""
    rows = selectors.items_data_quality(selectors.staff_items(request.user))
    return render(request, "catalog/staff/quality.html", {"rows": rows})


@action_required("catalog.workspace")
def targets(request):
    level = request.GET.get("level") or None
    if level not in ItemLevel.values:
        level = None
    region = Region.objects.filter(code=(request.GET.get("region") or "")[:12]).first()
    data = selectors.catalog_targets(level=level, region=region)
    chart = [
        {"name": row.label, "rate": round((row.online_rate or 0) * 100, 1)}
        for row in data["departments"]
        if row.applied
    ]
    context = {
        **data,
        "chart": chart,
        "chart_height": 60 + 26 * len(chart),
        "level": level,
        "level_choices": ItemLevel.choices,
        "region": region,
        "target_online_pct": round(data["targets"]["online_rate"] * 100),
        "reform_gap": max(0, data["targets"]["reform_items"] - data["overall"].reform),
        "instant_gap": max(0, (data["targets"]["instant_items"] or 0) - data["overall"].instant),
        "instant_default": TARGETS.is_default("instant_items"),
        "grassroots": selectors.grassroots_targets(),
    }
    return render(request, "catalog/staff/targets.html", context)
