"""Pages: public verification (the QR code's target), 我的证照, the staff register with revocation,
the licence PDF and the figures."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.core.errors import ApplicationError
from yiwang.core.idempotency import idempotent
from yiwang.core.paging import count_capped, page_of, query_without_page
from yiwang.core.periods import month_param
from yiwang.core.pii import mask_name
from yiwang.core.ratelimits import limit_page
from yiwang.org.permissions import action_required
from yiwang.org.scoping import scope_for

from . import selectors, services
from .conf import licences_setting
from .models import Licence, LicenceState, LicenceType
from .pdf import licence_pdf

NUMBER_MAX = 64
LICENCE_PAGE = 50  # licences a page of the staff list shows; the count is of all the filters leave
USES_PAGE = 50  # uses a page of a licence's (or a holder's) use log shows; the count is of all
USES_ORDER = ("-used_at", "-id")  # newest first, as LicenceUse.Meta orders them


def verify_url(request, licence: Licence) -> str:
    """The absolute URL the QR code carries: the number and the check code of its signature."""
    path = reverse("licences:verify", args=[licence.number])
    return request.build_absolute_uri(f"{path}?c={selectors.check_code(licence)}")


def verify_form(request):
    """Enter a licence number by hand (or arrive from the QR code's URL)."""
    number = (request.GET.get("number") or "").strip()[:NUMBER_MAX]
    if number:
        return redirect("licences:verify", number=number)
    return render(request, "licences/verify.html", {"result": None})


@limit_page("licences.verify", target=lambda request: request.resolver_match.kwargs.get("number", "")[:NUMBER_MAX])
def verify(request, number: str):
    """Public: genuine / tampered / expired / revoked / unknown; no personal data beyond a masked name."""
    check = request.GET.get("c")
    check = check.strip()[:64] if check else None
    result = selectors.licence_verify_number(number[:NUMBER_MAX], check=check)
    return render(request, "licences/verify.html", {"result": result.public(), "number": number[:NUMBER_MAX]})


def _licence_for_download(request, number: str) -> Licence:
    licence = (
        Licence.objects.select_related("licence_type", "department", "key").filter(number=number[:NUMBER_MAX]).first()
    )
    if licence is None:
        raise Http404("没有该证照")
    user = request.user
    if selectors.licences_of_user(user).filter(pk=licence.pk).exists():
        return licence
    if scope_for(user).can("licence.read", department=licence.department, region=licence.region):
        return licence
    raise Http404("没有该证照")


@login_required
def download(request, number: str):
    """The licence PDF, for its holder or staff of the issuing department (others: 404)."""
    licence = _licence_for_download(request, number)
    pdf = licence_pdf(licence, verify_url=verify_url(request, licence))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="licence-{licence.pk}.pdf"'
    return response


@action_required("licence.hold", "licence.read")
def mine(request):
    """我的证照: the holder's licences and every use of them (who used which licence for what)."""
    licences = list(selectors.licences_of_user(request.user))
    soon = timezone.localdate() + dt.timedelta(days=int(licences_setting("EXPIRY_WARNING_DAYS")))
    page = page_of(request, selectors.uses_of_user(request.user), USES_PAGE)  # every use counted, a page read
    return render(
        request,
        "licences/mine.html",
        {
            "licences": licences,
            "uses": page.object_list,
            "page": page,
            "soon": soon,
            "today": timezone.localdate(),
            "warning_days": licences_setting("EXPIRY_WARNING_DAYS"),
        },
    )


@action_required("licence.read")
def staff_list(request):
    state = request.GET.get("state", "")
    state = state if state in LicenceState.values else ""
    q = (request.GET.get("q") or "").strip()[:100]
    type_code = (request.GET.get("type") or "").strip()[:40]
    month, month_error = month_param(request.GET.get("issued"))
    licences = selectors.licences_for_staff(request.user, state=state, q=q, licence_type=type_code, issued_month=month)
    page = page_of(request, licences, LICENCE_PAGE)  # every licence the filters leave counted, a page read
    return render(
        request,
        "licences/staff_list.html",
        {
            "licences": page.object_list,
            "page": page,
            "query": query_without_page(request, "page", *(["issued"] if month_error else [])),
            "state": state,
            "q": q,
            "type_code": type_code,
            "issued": month.strftime("%Y-%m") if month else "",
            "month_error": month_error,
            "states": LicenceState.choices,
            "types": LicenceType.objects.order_by("code"),
        },
    )


EXPORT_MAX = 20_000  # licences one workbook holds; a larger register is exported filter by filter


@require_http_methods(["GET", "POST"])
@action_required("licence.issue")
@idempotent(deduplicate=True)  # a repeated form issues one licence
def staff_issue(request):
    """Issue a licence outside a case (存量证照电子化, 一业一证): the type's fields, the holder, the
    department (one the handler may issue for); a refusal shows its Chinese message, nothing issued."""
    types = list(LicenceType.objects.filter(is_active=True).order_by("code"))
    chosen = (request.POST.get("licence_type") or request.GET.get("type") or "").strip()[:40]
    licence_type = next((t for t in types if t.code == chosen), None)
    departments = list(scope_for(request.user).departments("licence.issue").order_by("name"))
    error, values = None, {}
    if request.method == "POST" and licence_type is not None:
        values = {k: request.POST.get(k, "") for k in ("holder_name", "holder_id_number", "holder_uscc", "valid_until")}
        department = next((d for d in departments if str(d.pk) == request.POST.get("department")), None)
        fields = {f["key"]: request.POST.get(f"field_{f['key']}", "") for f in licence_type.fields_schema or []}
        try:
            valid_until = None
            if values["valid_until"]:
                try:
                    valid_until = dt.date.fromisoformat(values["valid_until"])
                except ValueError:
                    raise ApplicationError(
                        "licence.validity_invalid",
                        "有效期截止日应为 YYYY-MM-DD 格式的日期",
                        details={"field": "valid_until"},
                    ) from None
            if department is None:
                raise ApplicationError("licence.department_required", "请选择发证部门", details={"field": "department"})
            licence = services.licence_issue(
                licence_type=licence_type,
                holder_name=values["holder_name"],
                holder_id_number=values["holder_id_number"],
                holder_uscc=values["holder_uscc"],
                fields=fields,
                department=department,
                valid_until=valid_until,
                actor=request.user,
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, f"已签发 {licence.licence_type.name} {licence.number}")
            return redirect("licences:staff_detail", pk=licence.pk)
    field_rows = [
        {**f, "value": request.POST.get(f"field_{f['key']}", "")}
        for f in (licence_type.fields_schema if licence_type else [])
    ]
    return render(
        request,
        "licences/staff_issue.html",
        {
            "types": types,
            "licence_type": licence_type,
            "departments": departments,
            "field_rows": field_rows,
            "values": values,
            "error": error,
            "selected_department": request.POST.get("department", ""),
        },
        status=400 if error else 200,
    )


@action_required("licence.read")
def staff_export(request):
    """The filtered register as an Excel workbook (the holder's ID number is never exported)."""
    from openpyxl import Workbook

    from yiwang.core.xlsx import workbook_bytes

    state = request.GET.get("state", "")
    state = state if state in LicenceState.values else ""
    month, month_error = month_param(request.GET.get("issued"))
    if month_error:
        messages.error(request, month_error.replace("已列出全部月份", "未导出"))
        return redirect(f"{reverse('licences:staff_list')}?{request.GET.urlencode()}")
    licences = selectors.licences_for_staff(
        request.user,
        state=state,
        q=(request.GET.get("q") or "").strip()[:100],
        licence_type=(request.GET.get("type") or "").strip()[:40],
        issued_month=month,
    )
    if count_capped(licences, EXPORT_MAX)[1]:
        # a workbook cut at the cap would pass for the whole register: nothing is exported, and the clerk
        # is told why and what to do
        messages.error(
            request,
            f"筛选后的证照超过 {EXPORT_MAX:,} 张，一次导出放不下，未导出。请按发证月份、证照类型或状态筛选后分批导出。",
        )
        return redirect(f"{reverse('licences:staff_list')}?{request.GET.urlencode()}")
    wb = Workbook()
    ws = wb.active
    ws.title = "电子证照"
    ws.append(
        [
            "证照编号",
            "证照类型",
            "持证主体",
            "主体类型",
            "统一社会信用代码",
            "发证机关",
            "发证日期",
            "有效期至",
            "状态",
            "注销原因",
            "办件编号",
        ]
    )
    for lic in licences.select_related("case"):
        ws.append(
            [
                lic.number,
                lic.licence_type.name,
                lic.holder_name,
                lic.get_holder_kind_display(),
                lic.holder_uscc,
                lic.department.name,
                lic.issued_on,
                lic.valid_until or "长期",
                lic.get_state_display(),
                lic.revoked_reason,
                lic.case.number if lic.case_id else "",
            ]
        )
    response = HttpResponse(
        workbook_bytes(wb), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="licences-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


@action_required("licence.read")
def staff_detail(request, pk: int):
    licence = selectors.licence_for_staff(request.user, pk)
    if licence is None:
        raise Http404("没有该证照")
    verification = selectors.licence_verify(licence)
    uses = page_of(request, licence.uses.select_related("case", "department", "actor").order_by(*USES_ORDER), USES_PAGE)
    return render(
        request,
        "licences/staff_detail.html",
        {
            "licence": licence,
            "verification": verification,
            "uses": uses.object_list,
            "page": uses,
            "holder_masked": mask_name(licence.holder_name),
            "can_revoke": scope_for(request.user).can("licence.revoke", department=licence.department)
            and licence.state != LicenceState.REVOKED,
            "labels": licence.licence_type.field_labels,
            "verify_url": verify_url(request, licence),
        },
    )


@require_POST
@action_required("licence.revoke")
def staff_revoke(request, pk: int):
    licence = selectors.licence_for_staff(request.user, pk)
    if licence is None:
        raise Http404("没有该证照")
    try:
        services.licence_revoke(licence=licence, actor=request.user, reason=request.POST.get("reason", ""))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"证照 {licence.number} 已注销")
    return redirect("licences:staff_detail", pk=licence.pk)


@action_required("licence.read")
def figures(request):
    """Issued, reused and revoked per month and per licence type (roll-ups)."""
    data = selectors.licence_figures(request.user)
    names = dict(LicenceType.objects.values_list("code", "name"))
    months = sorted({row["month"] for rows in data.values() for row in rows})
    series = {}
    for name, rows in data.items():
        by_month = {}
        for row in rows:
            by_month[row["month"]] = by_month.get(row["month"], 0) + row["count"]
        series[name] = [by_month.get(m, 0) for m in months]
    by_type = {}
    for name, rows in data.items():
        for row in rows:
            entry = by_type.setdefault(
                row["key"], {"name": names.get(row["key"], row["key"]), "issued": 0, "reused": 0, "revoked": 0}
            )
            entry[name] += row["count"]
    return render(
        request,
        "licences/figures.html",
        {
            "chart": {"months": [f"{m:%Y-%m}" for m in months], **series},
            "by_type": sorted(by_type.values(), key=lambda e: -e["issued"]),
        },
    )
