"""7×24 不打烊 kiosk mode: large touch targets, identify by ID card, check status, apply, print receipts."""

from __future__ import annotations

import dataclasses
import time
from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.core.errors import ApplicationError
from yiwang.core.identifiers import is_valid_id_number
from yiwang.core.paging import page_of, query_without_page
from yiwang.core.pii import mask_id_number, mask_name, pii_lookup_hash
from yiwang.core.ratelimits import client_address, limit_page
from yiwang.org.models import ServiceHall

from .. import selectors
from ..conf import cases_setting, kiosk_allowed
from ..forms import KioskIdentifyForm, new_token
from ..models import ApplicantKind, Case, CaseState
from ..printing import Receipt, get_receipt_printer
from ..services import ApplicantInput, case_submit
from .common import application_form, form_error

SESSION_KEY = "cases_kiosk"
KIOSK_PAGE = 20  # 我的办件 a page: big touch rows
ITEMS_PAGE = 30  # items a page of 自助申请 shows, two big buttons a row; the count is of all


def kiosk_only(view):
    """Serve the view only to registered kiosk terminals; any other client gets a 403 page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not kiosk_allowed(request):
            return render(request, "cases/kiosk_forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def _identity(request) -> dict | None:
    data = request.session.get(SESSION_KEY)
    if not data:
        return None
    if "id" in data or time.time() - data.get("at", 0) > int(cases_setting("KIOSK_IDLE_SECONDS")):
        # Expired, or stored in the old form that held the ID number itself: identify again.
        request.session.pop(SESSION_KEY, None)
        return None
    data["at"] = time.time()
    request.session[SESSION_KEY] = data
    return data


def _kiosk_hall() -> ServiceHall | None:
    return ServiceHall.objects.filter(kind=ServiceHall.Kind.COUNTY_HALL).order_by("pk").first()


# Rate-limit targets: the ID number tried (by its lookup hash), and the person identified.
def _identified_hash(request) -> str | None:
    data = request.session.get(SESSION_KEY) or {}
    return data.get("hash") or client_address(request)


def _id_number_tried(request) -> str | None:
    number = (request.POST.get("id_number") or "").strip().upper()
    return pii_lookup_hash(number) if number else None


@kiosk_only
def kiosk_home(request):
    return render(request, "cases/kiosk_home.html", {"identity": _identity(request)})


@kiosk_only
@limit_page("cases.kiosk_identify", target=_id_number_tried, methods=("POST",))
def kiosk_identify(request):
    form = KioskIdentifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["id_number"].strip().upper()
        if not is_valid_id_number(number):
            form.add_error("id_number", "身份证号不正确，请重新读卡或输入")
        else:
            # The session keeps only the lookup hash and the masked number, never the ID number itself.
            request.session[SESSION_KEY] = {
                "hash": pii_lookup_hash(number),
                "masked": mask_id_number(number),
                "name": form.cleaned_data["name"].strip(),
                "at": time.time(),
            }
            target = request.GET.get("next") or ""
            if not url_has_allowed_host_and_scheme(
                target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                target = reverse("cases:kiosk_cases")
            return redirect(target)
    return render(request, "cases/kiosk_identify.html", {"form": form})


@kiosk_only
def kiosk_exit(request):
    request.session.pop(SESSION_KEY, None)
    return redirect("cases:kiosk")


@kiosk_only
def kiosk_cases(request):
    identity = _identity(request)
    if identity is None:
        return redirect("cases:kiosk_identify")
    return render(
        request,
        "cases/kiosk_cases.html",
        {
            "page": page_of(
                request, selectors.kiosk_cases(id_number_hash=identity["hash"], name=identity["name"]), KIOSK_PAGE
            ),
            "who": mask_name(identity["name"]),
            "id_masked": identity.get("masked", ""),
        },
    )


@kiosk_only
def kiosk_items(request):
    items = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, kiosk_available=True).exclude(audience="enterprise")
    # every item the terminal offers counted, one page read; the key last so pages never overlap
    page = page_of(request, items.select_related("implementing_department").order_by("level", "name", "pk"), ITEMS_PAGE)
    return render(request, "cases/kiosk_items.html", {"page": page, "query": query_without_page(request)})


@kiosk_only
def kiosk_apply(request, code: str):
    identity = _identity(request)
    if identity is None:
        return redirect(f"{reverse('cases:kiosk_identify')}?next={request.path}")
    item = ServiceItem.objects.filter(code=code, status=ItemStatus.PUBLISHED, kiosk_available=True).first()
    if item is None:
        raise Http404("该事项不能在自助终端办理")
    spec = dataclasses.replace(selectors.application_spec(item=item), kinds=[ApplicantKind.PERSON.value])
    if request.method == "POST":
        form = application_form(spec, request.POST, request.FILES)
        # The ID card is read again for the application: it must be the identified person's.
        if form.is_valid() and not _same_person(form.cleaned_data.get("applicant_id_number", ""), identity):
            form.add_error("applicant_id_number", "身份证号与已识别的身份不一致，请重新读卡")
        if form.is_valid():
            try:
                case = case_submit(
                    actor=request.user,
                    applicant=ApplicantInput(
                        kind=ApplicantKind.PERSON,
                        name=identity["name"],
                        id_number=form.cleaned_data["applicant_id_number"].strip().upper(),
                        phone=form.cleaned_data.get("applicant_phone", ""),
                    ),
                    item=item,
                    channel="kiosk",
                    hall=_kiosk_hall(),
                    form_data=form.form_data(),
                    delivery_method=form.cleaned_data["delivery_method"],
                    postal_address=form.cleaned_data["postal_address"],
                    submission_token=form.cleaned_data["submission_token"],
                )
            except ApplicationError as error:
                if error.code == "case.duplicate_submission":
                    return redirect("cases:kiosk_receipt", number=error.details["number"])
                form_error(form, error)
            else:
                return redirect("cases:kiosk_receipt", number=case.number)
    else:
        form = application_form(
            spec,
            initial={
                "submission_token": new_token(),
                "applicant_kind": "person",
                "applicant_name": identity["name"],
            },
        )
    return render(request, "cases/kiosk_apply.html", {"form": form, "spec": spec, "item": item})


def _same_person(id_number: str, identity: dict) -> bool:
    number = (id_number or "").strip().upper()
    return bool(number) and pii_lookup_hash(number) == identity.get("hash")


def _receipt_case(request, number) -> Case:
    """The case, only when the person identified at this terminal by ID number *and* name is its
    applicant; any other number (they are sequential) is a 404 that shows nothing of the case."""
    identity = _identity(request)
    if identity is None or not identity.get("hash"):
        raise Http404("请先读取身份证")
    case = selectors.kiosk_case(id_number_hash=identity["hash"], name=identity.get("name", ""), number=number)
    if case is None:
        raise Http404("没有找到该办件")
    return case


@kiosk_only
@limit_page("cases.kiosk_receipt", target=_identified_hash)
def kiosk_receipt(request, number: str):
    case = _receipt_case(request, number)
    return render(request, "cases/kiosk_receipt.html", {"case": case, "S": CaseState})


@kiosk_only
@require_POST
@limit_page("cases.kiosk_receipt", target=_identified_hash)
def kiosk_print(request, number: str):
    case = _receipt_case(request, number)
    receipt = Receipt(
        title="眉县政务服务中心 办件回执",
        lines=[
            f"办件编号：{case.number}",
            f"查询码：{case.verification_code}",
            f"事项：{case.title}",
            f"申请人：{mask_name(case.applicant_name)}",
            f"状态：{CaseState(case.state).label}",
            f"提交时间：{case.submitted_at:%Y-%m-%d %H:%M}",
            "扫码或登录“一网”查询进度",
        ],
    )
    job = get_receipt_printer().print_receipt(receipt)
    if job.ok:
        messages.success(request, "回执已打印，请在出纸口取走")
    else:
        messages.error(request, f"打印失败：{job.message}，请联系大厅工作人员")
    return redirect("cases:kiosk_receipt", number=case.number)
