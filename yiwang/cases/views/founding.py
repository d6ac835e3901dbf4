"""企业开办 (one form for a company-to-be) and 企业注销 (from the company's code): the founder's pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from yiwang.cases.founding_forms import ERROR_FIELDS, DissolutionForm, FoundingForm, shareholder_field
from yiwang.cases.services import ApplicantInput, SubmissionFiles
from yiwang.cases.services.founding import (
    dissolution_blockers,
    dissolution_submit,
    founding_name_check,
    founding_submit,
    opening_bundle,
)
from yiwang.core.errors import ApplicationError
from yiwang.core.idempotency import idempotent
from yiwang.core.identifiers import is_valid_uscc

from ..models import ApplicantKind, Case


def _material_code(case_materials, word: str) -> str | None:
    return next((m.code for m in case_materials if word in m.name), None)


def _place_error(form, error: ApplicationError) -> None:
    errors = error.details.get("errors")
    if isinstance(errors, dict):
        for key, message in errors.items():
            name = shareholder_field(key) or key
            form.add_error(name if name in form.fields else None, message)
        return
    field = ERROR_FIELDS.get(error.details.get("field"))
    form.add_error(field if field in form.fields else None, error.message)


def _files(form, bundle_materials) -> SubmissionFiles:
    """The two uploads go to the founding's material lines (ID proofs; the address proof)."""
    by_code: dict[str, list] = {}
    for field, word in (("id_proof", "身份证明"), ("address_proof", "住所")):
        upload = form.cleaned_data.get(field)
        code = _material_code(bundle_materials, word)
        if upload and code:
            by_code.setdefault(code, []).append(upload)
    return SubmissionFiles(by_code)


def _planned_materials(bundle):
    """The founding's material lines as they will be numbered (B01 …) — the service's own filter."""
    from yiwang.cases.services.founding import _founding_materials

    return _founding_materials(Case(), bundle)


@login_required
@idempotent(deduplicate=True)  # a repeat of the same application answers with the first
def founding_new(request):
    """一表填报: the company-to-be and the six parts of 企业开办 in one form (plan 四（一）1)."""
    bundle = opening_bundle()
    if bundle is None:
        return render(request, "cases/founding/unavailable.html", status=404)
    materials, generated = _planned_materials(bundle)
    if request.method == "POST":
        form = FoundingForm(request.POST, request.FILES, county=bundle.region)
        if form.is_valid():
            d = form.cleaned_data
            try:
                case = founding_submit(
                    actor=request.user,
                    founder=ApplicantInput(
                        kind=ApplicantKind.PERSON,
                        name=d["applicant_name"],
                        id_number=d["applicant_id_number"],
                        phone=d["applicant_phone"],
                    ),
                    data=form.founding_input(),
                    as_agent=d["as_agent"] == "agent",
                    submission_token=d["submission_token"] or None,
                    files=_files(form, materials),
                )
            except ApplicationError as error:
                if error.code == "case.duplicate_submission":
                    messages.info(request, error.message)
                    return redirect("cases:my_case", number=error.details["number"])
                _place_error(form, error)
            else:
                messages.success(
                    request, f"企业开办申请已提交，办件编号 {case.number}，查询码 {case.verification_code}"
                )
                return redirect("cases:my_case", number=case.number)
    else:
        form = FoundingForm(county=bundle.region, initial={"applicant_name": getattr(request.user, "display_name", "")})
    return render(
        request,
        "cases/founding/new.html",
        {"form": form, "bundle": bundle, "materials": materials, "generated": generated},
    )


@login_required  # the founder is signed in to apply; no anonymous probing of the name register
def founding_name_check_view(request):
    """名称自主申报检查: the proposed name's problems, all at once (an HTMX fragment or a page)."""
    name = (request.GET.get("proposed_name") or "").strip()[:60]
    result = founding_name_check(name=name) if name else None
    return render(request, "cases/founding/_name_check.html", {"result": result, "name": name})


@login_required
@idempotent(deduplicate=True)
def dissolution_start(request):
    """企业注销 from the company's code: the blockers named, or one bundle application (plan 四（一）3)."""
    entity, blockers = None, None
    known = sorted(
        set(
            Case.objects.filter(applicant_user=request.user)
            .exclude(applicant_uscc="")
            .values_list("applicant_uscc", flat=True)[:20]
        )
    )
    if request.method == "POST":
        form = DissolutionForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            uscc = d["uscc"].strip().upper()
            if request.POST.get("action") == "check" or not is_valid_uscc(uscc):
                if is_valid_uscc(uscc):
                    entity, blockers = dissolution_blockers(uscc=uscc)
                else:
                    form.add_error("uscc", "统一社会信用代码不正确（18位，末位校验码须正确）")
            else:
                try:
                    case = dissolution_submit(
                        actor=request.user,
                        uscc=uscc,
                        phone=d["phone"],
                        reason=d["reason"],
                        submission_token=d["submission_token"] or None,
                        user=request.user,
                    )
                except ApplicationError as error:
                    if error.code == "case.duplicate_submission":
                        return redirect("cases:my_case", number=error.details["number"])
                    if error.code == "dissolution.blocked":
                        entity, blockers = dissolution_blockers(uscc=uscc)
                    else:
                        field = {"reason": "reason", "uscc": "uscc"}.get(error.details.get("field"))
                        form.add_error(field if field in form.fields else None, error.message)
                else:
                    messages.success(request, f"企业注销申请已提交，办件编号 {case.number}")
                    return redirect("cases:my_case", number=case.number)
    else:
        from yiwang.cases.forms import new_token

        form = DissolutionForm(initial={"submission_token": new_token(), "uscc": request.GET.get("uscc", "")})
    return render(
        request,
        "cases/founding/dissolution.html",
        {"form": form, "entity": entity, "blockers": blockers, "known": known},
    )
