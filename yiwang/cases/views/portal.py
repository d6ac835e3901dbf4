"""The applicant's pages: 在线导办, online application, my cases, the public status page, notices, remote help."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from yiwang.catalog.models import Bundle, BundleStatus, ItemStatus, ServiceItem
from yiwang.catalog.selectors import bundle_detail, bundle_merged_materials
from yiwang.core.errors import ApplicationError
from yiwang.core.idempotency import idempotent
from yiwang.core.lookups import id_or_none
from yiwang.core.paging import page_of
from yiwang.core.ratelimits import limit_page
from yiwang.org.models import Region, Role
from yiwang.org.permissions import action_required
from yiwang.org.scoping import scope_for

from .. import guide, selectors, services
from ..conf import cases_setting
from ..forms import HelpRequestForm, StatusLookupForm, UploadForm, new_token
from ..models import ApplicantKind, Case, CaseState, HelpRequest, Notice
from ..notices import notice_pdf
from ..services import ApplicantInput, SubmissionFiles
from .common import application_form, form_error

MY_CASES_PAGE = 30  # cases a page of 我的办件 lists; the count is of all the account's cases

# --- 在线导办 -------------------------------------------------------------------------------------


def guide_index(request):
    return render(request, "cases/guide_index.html", {"events": guide.EVENTS})


def guide_event(request, slug: str):
    event = guide.EVENTS_BY_SLUG.get(slug)
    if event is None:
        raise Http404("没有这个办事场景")
    answers = guide.clean_answers(event, request.GET)
    question = guide.next_question(event, answers)
    context = {"event": event, "answers": answers, "question": question, "answered": _answered(event, answers)}
    if question is None:
        result = guide.guide_resolve(event, answers)
        context["result"] = result
        context["bundle_materials"] = (
            bundle_merged_materials(bundle_detail(result.bundle.code)) if result.bundle else []
        )
        context["item_materials"] = {item.pk: list(item.materials.all()) for item in result.items}
    template = "cases/_guide_step.html" if request.htmx else "cases/guide_event.html"
    return render(request, template, context)


def _answered(event, answers):
    rows = []
    for q in event["questions"]:
        if q["key"] in answers:
            rows.append((q["text"], dict(q["options"])[answers[q["key"]]]))
    return rows


# --- online application --------------------------------------------------------------------------


def _applicant_initial(user) -> dict:
    roles = scope_for(user).roles
    initial = {"applicant_phone": user.phone or "", "submission_token": new_token()}
    if Role.ENTERPRISE in roles or user.uscc:
        from yiwang.credit.models import Entity

        entity = Entity.objects.filter(uscc=user.uscc).only("name").first() if user.uscc else None
        initial.update(
            applicant_kind=ApplicantKind.ENTERPRISE,
            applicant_uscc=user.uscc,
            applicant_name=entity.name if entity else "",
        )
    else:
        initial.update(
            applicant_kind=ApplicantKind.PERSON,
            applicant_name=user.display_name,
            applicant_id_number=user.id_number or "",
        )
    return initial


def _target(kind: str, code: str):
    if kind == "item":
        item = ServiceItem.objects.filter(code=code, status=ItemStatus.PUBLISHED).first()
        if item is None:
            raise Http404("事项不存在或已停用")
        return item, None
    bundle = bundle_detail(code)
    if bundle is None or bundle.status != BundleStatus.PUBLISHED:
        raise Http404("“一件事”不存在或已停用")
    return None, bundle


def applicant_input(form, user=None) -> ApplicantInput:
    data = form.cleaned_data
    return ApplicantInput(
        kind=data["applicant_kind"],
        name=data["applicant_name"],
        id_number=data.get("applicant_id_number", ""),
        uscc=data.get("applicant_uscc", ""),
        phone=data.get("applicant_phone", ""),
        user=user,
    )


@login_required(login_url="accounts:sign_in")
@idempotent(deduplicate=True)  # a repeat of the same application answers with the first
def apply(request, kind: str, code: str):
    """Online application (网上申请) with uploads; a staff member may fill it for a remote-help request."""
    item, bundle = _target(kind, code)
    if bundle is not None and bundle.code == cases_setting("ENTERPRISE_OPENING_BUNDLE"):
        return redirect("cases:founding_new")  # a company-to-be has no code yet: the one form of 企业开办
    spec = selectors.application_spec(item=item, bundle=bundle)
    help_request = None
    if request.GET.get("help"):
        help_request = get_object_or_404(
            HelpRequest, pk=id_or_none(request.GET["help"]), helper=request.user, state=HelpRequest.State.TAKEN
        )
    if request.method == "POST":
        form = application_form(spec, request.POST, request.FILES)
        if form.is_valid():
            try:
                case = services.case_submit(
                    actor=request.user,
                    applicant=applicant_input(form, help_request.requester if help_request else None),
                    item=item,
                    bundle=bundle,
                    form_data=form.form_data(),
                    delivery_method=form.cleaned_data["delivery_method"],
                    postal_address=form.cleaned_data["postal_address"],
                    agent_kind="remote" if help_request else "",
                    submission_token=form.cleaned_data["submission_token"],
                    files=SubmissionFiles(form.files_by_code()),
                )
            except ApplicationError as error:
                if error.code == "case.duplicate_submission":
                    messages.info(request, error.message)
                    return (
                        redirect("cases:my_case", number=error.details["number"])
                        if not help_request
                        else redirect("cases:counter")
                    )
                form_error(form, error)
            else:
                if help_request:
                    services.help_request_complete(help_request=help_request, actor=request.user, case=case)
                    messages.success(
                        request, f"已代为提交申请，办件编号 {case.number}，查询码 {case.verification_code}"
                    )
                    return redirect("cases:help_queue")
                messages.success(request, f"申请已提交，办件编号 {case.number}，查询码 {case.verification_code}")
                return redirect("cases:my_case", number=case.number)
    else:
        initial = (
            _applicant_initial(request.user)
            if not help_request
            else {
                "submission_token": new_token(),
                "applicant_name": help_request.name,
                "applicant_phone": help_request.phone,
            }
        )
        form = application_form(spec, initial=initial)
    return render(
        request,
        "cases/apply.html",
        {"form": form, "spec": spec, "item": item, "bundle": bundle, "help_request": help_request},
    )


@login_required(login_url="accounts:sign_in")
def my_cases(request):
    # every case of the account counted, one page read, newest first (selectors.applicant_cases orders them)
    page = page_of(request, selectors.applicant_cases(request.user), MY_CASES_PAGE)
    return render(request, "cases/my_cases.html", {"cases": page.object_list, "page": page})


def _my_case_or_404(request, number):
    case = selectors.applicant_case(request.user, number)
    if case is None:
        raise Http404("没有找到该办件")
    return case


@login_required(login_url="accounts:sign_in")
def my_case(request, number: str):
    case = selectors.case_detail(_my_case_or_404(request, number))
    upload_form = UploadForm()
    return render(
        request,
        "cases/my_case.html",
        {
            "case": case,
            "timeline": selectors.case_timeline(case),
            "outstanding": selectors.case_outstanding(case),
            "upload_form": upload_form,
            "can_upload": case.state in (CaseState.SUBMITTED, CaseState.CORRECTION_REQUESTED),
        },
    )


@login_required
@require_POST
def my_case_upload(request, number: str):
    case = _my_case_or_404(request, number)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要上传的文件")
    else:
        try:
            services.case_material_upload(
                case=case,
                material_code=form.cleaned_data["material"],
                upload=form.cleaned_data["file"],
                actor=request.user,
            )
            messages.success(request, "材料已上传")
        except ApplicationError as error:
            messages.error(request, error.message)
    return redirect("cases:my_case", number=number)


@login_required
@require_POST
def my_case_supplied(request, number: str):
    case = _my_case_or_404(request, number)
    try:
        services.case_correction_supply(case=case, actor=request.user)
        messages.success(request, "已提交补正，窗口将尽快受理")
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("cases:my_case", number=number)


@login_required
@require_POST
def my_case_withdraw(request, number: str):
    case = _my_case_or_404(request, number)
    try:
        services.case_withdraw(case=case, actor=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, "申请已撤回")
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("cases:my_case", number=number)


# --- public status page --------------------------------------------------------------------------


@limit_page("cases.status", target=lambda request: (request.GET.get("number") or "").strip()[:40])
def status(request):
    form = StatusLookupForm(request.GET or None)
    result, searched = None, False
    if form.is_bound and form.is_valid():
        searched = True
        result = selectors.public_status(form.cleaned_data["number"], form.cleaned_data["code"])
    return render(request, "cases/status.html", {"form": form, "result": result, "searched": searched})


def status_url(request, case: Case) -> str:
    root = case.parent or case
    return request.build_absolute_uri(reverse("cases:status") + f"?number={root.number}&code={root.verification_code}")


def _may_read_notice(request, notice: Notice) -> bool:
    case = notice.case
    root = case.parent or case
    if request.GET.get("code") and request.GET["code"].upper() == root.verification_code:
        return True
    user = request.user
    if not user.is_authenticated:
        return False
    return selectors.case_readable(user, case)


@limit_page("cases.notice", target=lambda request: request.GET.get("code") and request.path)
def notice_download(request, pk: int):
    """A notice as PDF (with a QR code to the public status page) for whoever may read the case."""
    notice = get_object_or_404(Notice.objects.select_related("case", "case__parent", "case__department"), pk=pk)
    if not _may_read_notice(request, notice):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        raise PermissionDenied("您无权查看该文书")
    body = notice_pdf(notice.content, status_url=status_url(request, notice.case))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{notice.pk}.pdf"'
    return response


# --- remote help (远程帮办) ----------------------------------------------------------------------


def help_request(request):
    initial = {}
    if request.user.is_authenticated:
        initial = {"name": request.user.display_name, "phone": request.user.phone or ""}
    form = HelpRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        region = Region.objects.filter(code="610326").first() or Region.objects.filter(level="county").first()
        try:
            services.help_request_create(actor=request.user, region=region, **form.cleaned_data)
        except ApplicationError as error:
            form_error(form, error)
        else:
            messages.success(request, "帮办请求已提交，工作人员将尽快与您联系")
            return redirect("cases:help_request")
    return render(request, "cases/help_request.html", {"form": form})


@action_required("case.help")
def help_queue(request):
    if request.method == "POST":
        # Only a request within the staff member's region (the scoped queue); any other is a 404.
        target = get_object_or_404(selectors.help_queue(request.user), pk=id_or_none(request.POST.get("help")))
        try:
            action = request.POST.get("action")
            if action == "take":
                services.help_request_take(help_request=target, actor=request.user)
            elif action == "note":
                services.help_request_note(help_request=target, actor=request.user, note=request.POST.get("note", ""))
            elif action == "done":
                services.help_request_complete(
                    help_request=target, actor=request.user, note=request.POST.get("note", "")
                )
            messages.success(request, "已记录")
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("cases:help_queue")
    requests = selectors.help_queue(request.user).select_related("item", "bundle").prefetch_related("logs")
    return render(request, "cases/help_queue.html", {"requests": requests})


def bundles_for_apply():
    return Bundle.objects.filter(status=BundleStatus.PUBLISHED).order_by("code")
