"""综合窗口: intake of any item at any window, material check and the acceptance decision, delivery desk."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from yiwang.catalog.models import Bundle, BundleStatus, ItemStatus, ServiceItem
from yiwang.core.errors import ApplicationError
from yiwang.core.paging import page_of, query_without_page
from yiwang.org.permissions import action_required

from .. import selectors, services
from ..forms import DeliveryForm, RejectForm, new_token
from ..models import CaseState, CorrectionEntry, MaterialStatus
from ..services import SubmissionFiles
from .common import application_form, form_error
from .portal import _target, applicant_input

QUEUE_PAGE = 50  # cases a page of the intake queue and of the delivery desk lists; the counts are of all
FOUND_PAGE = 20  # items a page of the clerk's search shows; the count is of every match

# The clerk's verdict per material on the check sheet.
CHECK_CHOICES = [
    ("ok", "已收/已提交"),
    ("deferred", "容缺后补"),
    ("pledged", "告知承诺"),
    ("missing", "缺少（补正）"),
    ("defective", "不符合要求（补正）"),
]


@action_required("case.intake")
def counter_home(request):
    number = (request.GET.get("number") or "").strip()
    if number:
        # The applicant at the counter names their case (补交容缺材料, 签署承诺书, 补正…).
        found = selectors.find_case_for_window(request.user, number)
        if found is not None:
            return redirect("cases:counter_case", number=found.number)
        messages.error(request, f"没有找到办件“{number[:40]}”，或不属于本大厅办理")
    query = (request.GET.get("q") or "").strip()
    found_page, found_bundles = None, []
    if query:
        # every matching item counted, one page read (?found_page=); the matching bundles are few (one
        # per 一件事 of the county's list), all shown above them
        found_page = page_of(
            request,
            ServiceItem.objects.filter(
                Q(name__icontains=query) | Q(keywords__icontains=query), status=ItemStatus.PUBLISHED
            )
            .select_related("implementing_department")
            .order_by("level", "code", "pk"),
            FOUND_PAGE,
            "found_page",
        )
        found_bundles = list(
            Bundle.objects.filter(name__icontains=query, status=BundleStatus.PUBLISHED).order_by("name", "pk")
        )
    # every waiting case counted, the page's rows read (oldest intake deadline first, as the queue orders)
    queue = page_of(request, selectors.clerk_intake_queue_shown(request.user), QUEUE_PAGE)
    context = {
        "hall": selectors.clerk_hall(request.user),
        "queue": queue.object_list,
        "page": queue,
        "page_query": query_without_page(request),
        "deliveries": selectors.clerk_delivery_queue(request.user).count(),
        "query": query,
        "number": number,
        "found_items": found_page.object_list if found_page else [],
        "found_page": found_page,
        "found_keep": query_without_page(request, "found_page"),
        "found_bundles": found_bundles,
    }
    template = "cases/_counter_search.html" if request.htmx and "q" in request.GET else "cases/counter_home.html"
    return render(request, template, context)


@action_required("case.intake")
def counter_intake(request, kind: str, code: str):
    """Take an application in at this window (前台综合受理), for any item of any department."""
    item, bundle = _target(kind, code)
    spec = selectors.application_spec(item=item, bundle=bundle)
    hall = selectors.clerk_hall(request.user)
    if request.method == "POST":
        form = application_form(spec, request.POST, request.FILES)
        if form.is_valid():
            try:
                case = services.case_submit(
                    actor=request.user,
                    applicant=applicant_input(form),
                    item=item,
                    bundle=bundle,
                    channel="counter",
                    hall=hall,
                    form_data=form.form_data(),
                    delivery_method=form.cleaned_data["delivery_method"],
                    postal_address=form.cleaned_data["postal_address"],
                    submission_token=form.cleaned_data["submission_token"],
                    files=SubmissionFiles(form.files_by_code()),
                )
            except ApplicationError as error:
                if error.code == "case.duplicate_submission":
                    return redirect("cases:counter_case", number=error.details["number"])
                form_error(form, error)
            else:
                messages.success(request, f"已收件，办件编号 {case.number}。请核验材料并作出受理决定。")
                return redirect("cases:counter_case", number=case.number)
    else:
        form = application_form(spec, initial={"submission_token": new_token()})
    return render(
        request, "cases/counter_intake.html", {"form": form, "spec": spec, "item": item, "bundle": bundle, "hall": hall}
    )


def _clerk_case_or_404(request, number):
    case = selectors.clerk_case(request.user, number)
    if case is None:
        raise Http404("没有找到该办件，或不属于您所在大厅")
    return case


@action_required("case.accept")
def counter_case(request, number: str):
    """Material check and the decision: accept (容缺/承诺 per material), one-time correction, or reject."""
    case = _clerk_case_or_404(request, number)
    reject_form = RejectForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action")
        verdicts = {m.code: request.POST.get(f"check_{m.code}", "") for m in case.materials.all()}
        notes = {m.code: request.POST.get(f"note_{m.code}", "") for m in case.materials.all()}
        try:
            if action == "accept":
                services.case_accept(
                    case=case,
                    actor=request.user,
                    received=[c for c, v in verdicts.items() if v == "ok"],
                    deferred_materials=[c for c, v in verdicts.items() if v == "deferred"],
                    pledged_materials=[c for c, v in verdicts.items() if v == "pledged"],
                )
                messages.success(request, "已受理，请打印受理通知书交申请人")
            elif action == "correction":
                entries = [
                    {"code": c, "problem": v, "note": notes[c]}
                    for c, v in verdicts.items()
                    if v in (CorrectionEntry.Problem.MISSING, CorrectionEntry.Problem.DEFECTIVE)
                ]
                services.case_correction_request(
                    case=case, actor=request.user, entries=entries, note=request.POST.get("correction_note", "")
                )
                messages.success(request, "已一次性告知补正，请打印补正告知书")
            elif action == "reject":
                if reject_form.is_valid():
                    services.case_reject(
                        case=case,
                        actor=request.user,
                        reason=reject_form.cleaned_data["reason"],
                        legal_basis=reject_form.cleaned_data["legal_basis"],
                    )
                    messages.success(request, "已作出不予受理决定")
            elif action == "supplied":
                services.case_correction_supply(case=case, actor=request.user)
                messages.success(request, "已登记补正材料")
            elif action == "receive_deferred":
                code = request.POST.get("material", "")
                deferral = services.deferred_material_receive(
                    case=case,
                    material_code=code,
                    actor=request.user,
                    original_checked=request.POST.get(f"original_{code}") == "1",
                    upload=request.FILES.get(f"file_{code}"),
                )
                messages.success(request, f"已收取容缺材料“{deferral.material.name}”，已通知办理部门继续审查")
            elif action == "pledge_signed":
                services.pledge_signature_record(
                    case=case,
                    actor=request.user,
                    upload=request.FILES.get("pledge_file"),
                    confirmed=request.POST.get("pledge_confirmed") == "1",
                )
                messages.success(request, "告知承诺书签署已记录")
            else:
                messages.error(request, "未知操作")
        except ApplicationError as error:
            messages.error(request, error.message)
            if action == "reject":
                form_error(reject_form, error)
        else:
            return redirect("cases:counter_case", number=case.number)
    case = selectors.case_detail(case)
    rows = []
    for m in case.materials.all():
        default = "ok" if m.satisfied else ("missing" if m.required else "")
        if m.status == MaterialStatus.DEFECTIVE:
            default = "defective"
        rows.append({"material": m, "default": request.POST.get(f"check_{m.code}", default)})
    return render(
        request,
        "cases/counter_case.html",
        {
            "case": case,
            "rows": rows,
            "choices": CHECK_CHOICES,
            "reject_form": reject_form,
            "can_decide": case.state == CaseState.SUBMITTED,
            "timeline": selectors.case_timeline(case, public_only=False),
            "deferrals": list(case.deferred.select_related("material", "supplied_by").order_by("due_on", "id")),
            "pledge": getattr(case, "pledge", None) if case.has_pledge else None,
        },
    )


@action_required("case.deliver")
def delivery_desk(request):
    # every decided case waiting at this hall counted, the page's rows read, longest-waiting first
    page = page_of(request, selectors.clerk_delivery_queue(request.user).order_by("decided_at", "pk"), QUEUE_PAGE)
    return render(
        request, "cases/delivery_desk.html", {"cases": page.object_list, "page": page, "form": DeliveryForm()}
    )


@action_required("case.deliver")
@require_POST
def counter_deliver(request, number: str):
    case = selectors.clerk_delivery_queue(request.user).filter(number=number).first()
    if case is None:
        raise Http404("没有找到待出件的办件")
    form = DeliveryForm(request.POST)
    if form.is_valid():
        try:
            services.case_deliver(case=case, actor=request.user, **form.cleaned_data)
            messages.success(request, f"{case.number} 已出件")
        except ApplicationError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, "请选择出件方式")
    return redirect("cases:delivery_desk")
