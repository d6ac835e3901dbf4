"""Pages: the public policy library, an enterprise's 我的惠企政策, the officer's workspace, the figures."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from yiwang.core.errors import ApplicationError, add_application_error
from yiwang.core.lookups import id_or_none
from yiwang.core.paging import page_of, query_without_page
from yiwang.org.permissions import PAGE_FORBIDDEN, action_required
from yiwang.org.scoping import scope_for

from . import selectors, services
from .conf import policies_setting
from .forms import ApplyForm, ConditionFormSet, GrantForm, ModeForm, PolicyForm, initial_conditions
from .models import BenefitKind, PolicyLevel, PolicyState

STAFF_PAGE = 30  # policies a page of 惠企政策管理 shows, each with its roll-up; the count is of all
INTEGRATED_PAGE = 50  # cases awaiting, and licences issued, a page of 一业一证 shows of each

# --- public library -----------------------------------------------------------------------------


def library(request):
    query = (request.GET.get("q") or "").strip()[:50]
    level = request.GET.get("level") if request.GET.get("level") in PolicyLevel.values else ""
    kind = request.GET.get("kind") if request.GET.get("kind") in BenefitKind.values else ""
    page = Paginator(selectors.public_policies(query=query, level=level, kind=kind), 20).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "policies/library.html",
        {
            "page": page,
            "keep": query_without_page(request),
            "q": query,
            "level": level,
            "kind": kind,
            "levels": PolicyLevel.choices,
            "kinds": BenefitKind.choices,
        },
    )


def policy_detail(request, pk: int):
    policy = selectors.public_policy(pk)
    if policy is None:
        raise Http404("没有找到该政策")
    explanation = match = None
    if request.user.is_authenticated:
        entity = selectors.user_entity(request.user)
        if entity is not None and policy.state == PolicyState.PUBLISHED:
            explanation = selectors.explain(policy, entity)
            match = policy.matches.filter(entity=entity).first()
    return render(
        request,
        "policies/policy_detail.html",
        {
            "policy": policy,
            "conditions": selectors.policy_conditions_text(policy),
            "flow": selectors.flow_chart(policy),
            "explanation": explanation,
            "match": match,
        },
    )


# --- enterprise ---------------------------------------------------------------------------------


@action_required("policy.mine")
def mine(request):
    entity = selectors.user_entity(request.user)
    context = {"entity": entity}
    if entity is not None:
        context.update(selectors.my_policies(entity))
    return render(request, "policies/mine.html", context)


@action_required("policy.mine")
def mine_apply(request, pk: int):
    """Apply for a matched policy: the registration data are shown, not typed (免填报)."""
    match = selectors.my_match(request.user, id_or_none(pk))
    if match is None:
        raise Http404("没有找到该政策匹配")
    policy = match.policy
    if request.method == "POST":
        form = ApplyForm(request.POST)
        if form.is_valid():
            try:
                services.policy_match_apply(match=match, actor=request.user, **form.cleaned_data)
            except ApplicationError as error:
                add_application_error(form, error)
            else:
                if policy.catalog_item_id:
                    messages.success(request, "已登记申请，请继续在线提交办件材料（申请人信息已自动带入）。")
                    return redirect("cases:apply", kind="item", code=policy.catalog_item.code)
                messages.success(request, f"已提交“{policy.title}”的申请。")
                return redirect("policies:mine")
    else:
        form = ApplyForm(initial={"contact_name": request.user.display_name, "contact_phone": request.user.phone or ""})
    return render(
        request,
        "policies/apply.html",
        {"match": match, "policy": policy, "form": form, "prefill": services.application_prefill(match.entity)},
    )


# --- staff --------------------------------------------------------------------------------------


def _staff_policy(request, pk, action="policy.read"):
    policy = selectors.staff_policy(request.scope, id_or_none(pk), action)
    if policy is None:
        if selectors.staff_policy(scope_for(request.user), id_or_none(pk), "policy.read") is not None:
            raise PermissionDenied(PAGE_FORBIDDEN)
        raise Http404("没有找到该政策")
    return policy


def _managed_departments(request):
    return list(request.scope.departments("policy.manage").filter(is_active=True).order_by("pk"))


@action_required("policy.read")
def staff(request):
    state = request.GET.get("state") if request.GET.get("state") in PolicyState.values else ""
    # every policy counted, the page's rows read, and the roll-ups read for those rows only
    page = page_of(request, selectors.staff_policies(request.scope, state=state), STAFF_PAGE)
    rows = [(p, selectors.policy_reach(p)) for p in page.object_list]
    return render(
        request,
        "policies/staff.html",
        {
            "rows": rows,
            "page": page,
            "query": query_without_page(request),
            "state": state,
            "states": PolicyState.choices,
            "can_manage": request.scope.can("policy.manage"),
        },
    )


@action_required("policy.manage")
def staff_new(request):
    departments = _managed_departments(request)
    if not departments:
        raise PermissionDenied(PAGE_FORBIDDEN)
    form = PolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            policy = services.policy_create(actor=request.user, department=departments[0], values=form.values())
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(request, "政策已保存为草稿，请设置享受条件。")
            return redirect("policies:staff_rules", pk=policy.pk)
    return render(request, "policies/staff_form.html", {"form": form, "department": departments[0]})


@action_required("policy.manage")
def staff_edit(request, pk: int):
    policy = _staff_policy(request, pk, "policy.manage")
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_update(policy=policy, actor=request.user, values=form.values())
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(request, "政策已保存。")
            return redirect("policies:staff_policy", pk=policy.pk)
    return render(
        request, "policies/staff_form.html", {"form": form, "policy": policy, "department": policy.department}
    )


@action_required("policy.manage")
def staff_rules(request, pk: int):
    """The rule editor: a formset of conditions; validated when saved, errors on the row concerned."""
    policy = _staff_policy(request, pk, "policy.manage")
    towns = services.town_names()
    if request.method == "POST":
        mode_form = ModeForm(request.POST)
        mode = mode_form.data.get("mode") if mode_form.is_valid() else "all"
        formset = ConditionFormSet(request.POST, mode=mode, towns=towns, valid_towns=set(towns))
        if mode_form.is_valid() and formset.is_valid():
            try:
                services.policy_rules_set(policy=policy, actor=request.user, rules=formset.rules)
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, "享受条件已保存。")
                return redirect("policies:staff_policy", pk=policy.pk)
    else:
        mode_form = ModeForm(initial={"mode": (policy.rules or {}).get("mode", "all")})
        formset = ConditionFormSet(
            initial=initial_conditions(policy.rules, towns), mode="all", towns=towns, valid_towns=set(towns)
        )
    return render(
        request,
        "policies/staff_rules.html",
        {"policy": policy, "formset": formset, "mode_form": mode_form, "towns": sorted(towns.values())},
    )


@action_required("policy.read")
def staff_policy(request, pk: int):
    policy = _staff_policy(request, pk)
    stage = request.GET.get("stage") or ""
    matches = selectors.policy_matches(policy, stage=stage)
    page = Paginator(matches, policies_setting("MATCH_PAGE_SIZE")).get_page(request.GET.get("page"))
    can_manage = request.scope.can("policy.manage", department=policy.department)
    can_grant = request.scope.can("policy.grant", department=policy.department)
    return render(
        request,
        "policies/staff_policy.html",
        {
            "policy": policy,
            "reach": selectors.policy_reach(policy),
            "page": page,
            "keep": query_without_page(request),
            "stage": stage,
            "conditions": selectors.policy_conditions_text(policy),
            "flow": selectors.flow_chart(policy),
            "can_manage": can_manage,
            "can_grant": can_grant,
            "grant_candidates": (
                selectors.policy_matches(policy, stage="pending_grant").count()
                if policy.no_application and can_grant
                else 0
            ),
        },
    )


@require_POST
@action_required("policy.manage")
def staff_publish(request, pk: int):
    policy = _staff_policy(request, pk, "policy.manage")
    target = request.POST.get("to")
    try:
        if target == "expired":
            services.policy_expire(policy=policy, actor=request.user)
            messages.success(request, "政策已失效。")
        else:
            services.policy_publish(policy=policy, actor=request.user)
            policy.refresh_from_db()
            reach = selectors.policy_reach(policy)
            messages.success(
                request, f"政策已发布，已匹配 {reach['matched']} 户市场主体，推送 {reach['notified']} 户。"
            )
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("policies:staff_policy", pk=policy.pk)


@action_required("policy.read")
def staff_match(request, pk: int, match_pk: int):
    policy = _staff_policy(request, pk)
    match = selectors.staff_match(policy, id_or_none(match_pk))
    if match is None:
        raise Http404("没有找到该匹配")
    can_grant = request.scope.can("policy.grant", department=policy.department)
    form = GrantForm(request.POST or None, initial={"amount": policy.benefit_amount})
    if request.method == "POST":
        if not can_grant:
            raise PermissionDenied(PAGE_FORBIDDEN)
        if form.is_valid():
            try:
                services.policy_match_grant(match=match, actor=request.user, amount=form.cleaned_data["amount"])
            except ApplicationError as error:
                add_application_error(form, error)
            else:
                messages.success(request, "已记录兑现。")
                return redirect("policies:staff_match", pk=policy.pk, match_pk=match.pk)
    return render(
        request,
        "policies/staff_match.html",
        {
            "policy": policy,
            "match": match,
            "explanation": selectors.explain(policy, match.entity),
            "form": form,
            "can_grant": can_grant and match.granted_at is None,
        },
    )


@action_required("policy.grant")
def staff_grants(request, pk: int):
    """免申即享: the computed list (eligible, not yet granted); the officer confirms it and it is granted."""
    policy = _staff_policy(request, pk, "policy.grant")
    if not policy.no_application:
        messages.error(request, "该政策不是免申即享政策，请在企业申请后逐户兑现。")
        return redirect("policies:staff_policy", pk=policy.pk)
    candidates = list(selectors.policy_matches(policy, stage="pending_grant")[: policies_setting("GRANT_BATCH_MAX")])
    form = GrantForm(request.POST or None, initial={"amount": policy.benefit_amount})
    if request.method == "POST" and form.is_valid():
        try:
            granted = services.policy_grants_confirm(
                policy=policy,
                actor=request.user,
                match_ids=[i for i in (id_or_none(v) for v in request.POST.getlist("matches")) if i],
                amount=form.cleaned_data["amount"],
            )
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(request, f"已确认名单，{len(granted)} 户企业免申即享兑现完成并已告知。")
            return redirect("policies:staff_policy", pk=policy.pk)
    return render(request, "policies/staff_grants.html", {"policy": policy, "candidates": candidates, "form": form})


# --- figures ------------------------------------------------------------------------------------


def _months(request):
    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(request.GET.get("start") or "")
    except ValueError:
        start = today.replace(month=1, day=1)
    try:
        end = dt.date.fromisoformat(request.GET.get("end") or "")
    except ValueError:
        end = today
    if end < start:
        start, end = end, start
    return start, end


@action_required("policy.measures")
def measures_page(request):
    start, end = _months(request)
    regions = None if request.scope.is_platform_admin else _top_regions(request.scope.regions("policy.measures"))
    m = selectors.policy_measures(months=(start, end), regions=regions)
    return render(
        request,
        "policies/measures.html",
        {"m": m, "start": start, "end": end, "chart_days": [[d, n] for d, n in m["grants_histogram"]]},
    )


def _top_regions(regions) -> list:
    """The regions not under another one of the list (their subtrees cover the rest)."""
    regions = sorted(regions, key=lambda r: len(r.path))
    top = []
    for region in regions:
        if not any(region.path.startswith(t.path) for t in top):
            top.append(region)
    return top


# --- 一业一证 -------------------------------------------------------------------------------------


def integrated_verify(request, number: str):
    """Public (the QR code's target): the register's verdict and the permits the licence stands for."""
    from .integrated import integrated_verify as verify

    check = (request.GET.get("c") or "").strip()[:64] or None
    result = verify(number[:64], check=check)
    return render(request, "policies/integrated_verify.html", {"result": result, "number": number[:64]})


def _industry_scope(request):
    from .models import IndustryLicenceType

    return request.scope.filter(
        IndustryLicenceType.objects.select_related("department", "bundle"),
        "integrated_licence.manage",
        department="department",
        region="department__region",
    )


@action_required("integrated_licence.manage")
def integrated_staff(request):
    from .integrated import integrated_cases_due
    from .models import IntegratedLicence

    industries = list(_industry_scope(request))
    # both lists counted in full and paged on their own (?due_page=, ?issued_page=)
    due = page_of(
        request,
        integrated_cases_due().filter(bundle__industry_licence_type__in=industries).order_by("decided_at", "pk"),
        INTEGRATED_PAGE,
        "due_page",
    )
    issued = page_of(
        request,
        IntegratedLicence.objects.filter(industry_type__in=industries)
        .select_related("industry_type", "licence")
        .order_by("-issued_at", "-pk"),
        INTEGRATED_PAGE,
        "issued_page",
    )
    return render(
        request,
        "policies/integrated_staff.html",
        {
            "industries": industries,
            "due": due.object_list,
            "due_page": due,
            "due_keep": query_without_page(request, "due_page"),
            "issued": issued.object_list,
            "issued_page": issued,
            "issued_keep": query_without_page(request, "issued_page"),
        },
    )


@require_POST
@action_required("integrated_licence.manage")
def integrated_issue(request, number: str):
    from yiwang.cases.models import Case

    from .integrated import integrated_licence_issue

    case = Case.objects.filter(number=number, bundle__industry_licence_type__in=_industry_scope(request)).first()
    if case is None:
        raise Http404("没有找到该办件")
    try:
        integrated = integrated_licence_issue(case=case, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("policies:integrated_staff")
    messages.success(request, f"已发放行业综合许可证 {integrated.licence.number}。")
    return redirect("policies:integrated_detail", pk=integrated.pk)


@action_required("integrated_licence.manage")
def integrated_detail(request, pk: int):
    import base64

    from yiwang.cases.models import Case
    from yiwang.cases.notices import qr_png

    from .integrated import integrated_licence_cancel, integrated_licence_change, verify_path
    from .models import IntegratedLicence

    integrated = (
        IntegratedLicence.objects.filter(pk=id_or_none(pk), industry_type__in=_industry_scope(request))
        .select_related("industry_type", "licence", "case")
        .first()
    )
    if integrated is None:
        raise Http404("没有找到该证")
    if request.method == "POST":
        case = Case.objects.filter(number=(request.POST.get("case_number") or "").strip()[:24]).first()
        try:
            if request.POST.get("action") == "cancel":
                integrated_licence_cancel(
                    integrated=integrated, case=case, actor=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(request, "行业综合许可证已注销。")
            else:
                integrated_licence_change(
                    integrated=integrated, case=case, actor=request.user, address=request.POST.get("address", "")
                )
                messages.success(request, "已变更换发行业综合许可证。")
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("policies:integrated_detail", pk=integrated.pk)
    url = request.build_absolute_uri(verify_path(integrated.licence))
    qr = base64.b64encode(qr_png(url)).decode("ascii")
    return render(request, "policies/integrated_detail.html", {"integrated": integrated, "qr": qr, "verify_url": url})


@action_required("integrated_licence.manage")
def integrated_pdf(request, pk: int):
    """The integrated licence's PDF from the register's ``licence_pdf``, its QR code pointing at this
    app's verification page (which lists the permits the licence stands for)."""
    from django.http import HttpResponse

    from yiwang.licences.pdf import licence_pdf

    from .integrated import verify_path
    from .models import IntegratedLicence

    integrated = (
        IntegratedLicence.objects.filter(pk=id_or_none(pk), industry_type__in=_industry_scope(request))
        .select_related("licence")
        .first()
    )
    if integrated is None:
        raise Http404("没有找到该证")
    licence = integrated.licence
    pdf = licence_pdf(licence, verify_url=request.build_absolute_uri(verify_path(licence)))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{licence.number}.pdf"'
    return response
