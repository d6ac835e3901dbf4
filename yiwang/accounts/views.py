"""The applicant account pages (/account/…), apart from the staff login (/login/).

Sign-in and sign-up are one flow: a mobile number, then the SMS code; the first successful code opens
a new account (群众). Whether a number has an account is never shown before the code is right.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.accounts import selectors, services
from yiwang.accounts.conf import accounts_settings
from yiwang.accounts.forms import AuthorisationForm, CodeForm, DecisionForm, PhoneForm, RealNameForm
from yiwang.accounts.models import EnterpriseAuthorisation
from yiwang.core.errors import ApplicationError, add_application_error
from yiwang.core.inputs import compact
from yiwang.core.lookups import id_or_none
from yiwang.core.paging import page_of
from yiwang.core.pii import mask_id_number, mask_phone
from yiwang.core.ratelimits import RateLimited, client_address, rate_limit, rate_limited_page
from yiwang.hotline import selectors as hotline_selectors
from yiwang.org.permissions import action_required

PHONE_SESSION_KEY = "accounts_sign_in_phone"
NEXT_SESSION_KEY = "accounts_sign_in_next"
SIGN_IN_URL = "accounts:sign_in"


def _safe_next(request, target: str | None) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _code_sent_message(phone: str) -> str:
    return f"验证码已发送至 {mask_phone(phone)}，{accounts_settings.get('CODE_TTL_MINUTES')} 分钟内有效"


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request):
    """Step 1: the mobile number. The same answer for every number (registered or not)."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "GET" and request.user.is_authenticated and selectors.applicant_account(request.user):
        return redirect(next_url or "accounts:home")
    form = PhoneForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            phone = form.cleaned_data["phone"]
            try:
                rate_limit(request, "accounts.code_request", target=phone)
                services.sign_in_code_send(phone=phone, ip=client_address(request))
            except RateLimited as error:
                return rate_limited_page(request, error)
            except ApplicationError as error:
                if error.code != "account.resend_too_soon":
                    add_application_error(form, error)
                    return render(request, "accounts/sign_in.html", {"form": form, "next": next_url}, status=400)
                messages.warning(request, error.message)
            else:
                messages.success(request, _code_sent_message(phone))
            request.session[PHONE_SESSION_KEY] = phone
            request.session[NEXT_SESSION_KEY] = next_url
            return redirect("accounts:sign_in_code")
    return render(request, "accounts/sign_in.html", {"form": form, "next": next_url}, status=status)


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def sign_in_code(request):
    """Step 2: the SMS code. Right → signed in (a new account on the first time); wrong, expired or
    tried too often → a specific message, nothing else changes."""
    phone = request.session.get(PHONE_SESSION_KEY)
    if not phone:
        return redirect(SIGN_IN_URL)
    form = CodeForm(request.POST or None, initial={"phone": phone})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                rate_limit(request, "accounts.code_verify", target=phone)
                user, created = services.sign_in_code_verify(
                    phone=phone, code=form.cleaned_data["code"], ip=client_address(request)
                )
            except RateLimited as error:
                return rate_limited_page(request, error)
            except ApplicationError as error:
                add_application_error(form, error, field="code")
            else:
                next_url = request.session.pop(NEXT_SESSION_KEY, "") or ""
                request.session.pop(PHONE_SESSION_KEY, None)
                login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
                if created:
                    messages.success(request, "注册成功。请完成实名登记，办事时将自动填写申请人信息")
                    target = reverse("accounts:real_name")
                    return redirect(f"{target}?{urlencode({'next': next_url})}" if next_url else target)
                messages.success(request, "登录成功")
                return redirect(next_url or "accounts:home")
    context = {
        "form": form,
        "masked_phone": mask_phone(phone),
        "phone": phone,
        "rules": accounts_settings.as_dict(),
        "rules_default": all(accounts_settings.is_default(k) for k in accounts_settings.defaults),
    }
    return render(request, "accounts/sign_in_code.html", context, status=status)


def _applicant_only(view):
    """Signed in with an applicant account (staff accounts have none)."""

    @login_required(login_url=SIGN_IN_URL)
    def wrapped(request, *args, **kwargs):
        account = selectors.applicant_account(request.user)
        if account is None:
            messages.info(request, "工作人员账户不能办理个人事务，请用手机号登录群众和企业账户")
            return redirect(SIGN_IN_URL)
        request.applicant_account = account
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@_applicant_only
def home(request):
    account = request.applicant_account
    user = request.user
    context = {
        "account": account,
        "masked_phone": mask_phone(account.phone),
        "masked_id_number": mask_id_number(user.id_number) if user.id_number else "",
        "authorisations": selectors.my_authorisations(user),
        "authorisation_form": AuthorisationForm(),
        "active_usccs": [
            a for a in selectors.my_authorisations(user) if a.state == EnterpriseAuthorisation.State.ACTIVE
        ],
    }
    return render(request, "accounts/home.html", context)


@_applicant_only
@require_http_methods(["GET", "POST"])
def real_name(request):
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    user = request.user
    initial = {"name": user.display_name} if user.display_name else {}
    form = RealNameForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.account_set_real_name(
                    user=user, name=form.cleaned_data["name"], id_number=form.cleaned_data["id_number"]
                )
            except ApplicationError as error:
                add_application_error(form, error)
            else:
                messages.success(request, "实名信息已登记")
                return redirect(next_url or "accounts:home")
    return render(request, "accounts/real_name.html", {"form": form, "next": next_url}, status=status)


@_applicant_only
@require_POST
def authorisation_request(request):
    form = AuthorisationForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.authorisation_request(
                user=request.user,
                uscc=form.cleaned_data["uscc"],
                basis=form.cleaned_data["basis"],
                letter=form.cleaned_data.get("letter"),
            )
        except ApplicationError as error:
            add_application_error(
                form, error, field=error.details.get("field") if error.details.get("field") in form.fields else None
            )
        else:
            messages.success(request, "授权申请已提交，窗口工作人员确认后生效")
            return redirect("accounts:home")
    account = request.applicant_account
    context = {
        "account": account,
        "masked_phone": mask_phone(account.phone),
        "masked_id_number": mask_id_number(request.user.id_number) if request.user.id_number else "",
        "authorisations": selectors.my_authorisations(request.user),
        "authorisation_form": form,
        "active_usccs": [],
    }
    return render(request, "accounts/home.html", context, status=400)


@_applicant_only
@require_POST
def authorisation_revoke(request, pk: int):
    row = get_object_or_404(selectors.my_authorisations(request.user), pk=pk)
    try:
        services.authorisation_revoke(authorisation=row, actor=request.user)
        messages.success(request, "授权已撤销")
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("accounts:home")


@_applicant_only
@require_POST
def enterprise_switch(request):
    try:
        services.account_switch_enterprise(user=request.user, uscc=compact(request.POST.get("uscc", "")).upper())
        messages.success(request, "已切换办事身份")
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("accounts:home")


# --- 我的诉求 ------------------------------------------------------------------------------------

MY_APPEALS_PAGE = 20  # appeals a page of 我的诉求 shows, each with its timeline; the count is of all


@login_required(login_url=SIGN_IN_URL)
def my_appeals(request):
    # every appeal of the person counted, one page read, newest first; timelines for the page's rows only
    page = page_of(request, selectors.my_appeals(request.user), MY_APPEALS_PAGE)
    rows = [{"appeal": a, "timeline": hotline_selectors.appeal_timeline(a, public=True)} for a in page.object_list]
    return render(request, "accounts/my_appeals.html", {"rows": rows, "page": page})


@login_required(login_url=SIGN_IN_URL)
def my_appeal(request, code: str):
    appeal = selectors.my_appeal(request.user, code)
    if appeal is None:
        raise Http404("没有找到该诉求")
    context = {
        "appeal": appeal,
        "timeline": hotline_selectors.appeal_timeline(appeal, public=True),
        "reply": hotline_selectors.public_reply(appeal),
    }
    return render(request, "accounts/my_appeal.html", context)


# --- window: confirming enterprise authorisations --------------------------------------------------


@action_required("account.authorise")
@require_http_methods(["GET", "POST"])
def authorisations(request):
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            row = get_object_or_404(selectors.authorisation_queue(), pk=form.cleaned_data["authorisation"])
            try:
                services.authorisation_decide(
                    authorisation=row,
                    approve=form.cleaned_data["decision"] == "approve",
                    actor=request.user,
                    note=form.cleaned_data["note"],
                )
                messages.success(request, "已记录")
            except ApplicationError as error:
                messages.error(request, error.message)
        else:
            messages.error(request, "请选择确认或不予确认")
        return redirect("accounts:authorisations")
    rows = [
        {"row": row, "masked_id_number": mask_id_number(row.user.id_number) if row.user.id_number else ""}
        for row in selectors.authorisation_queue()
    ]
    return render(request, "accounts/authorisations.html", {"rows": rows})


@action_required("account.authorise")
def authorisation_letter(request, pk: int):
    row = get_object_or_404(EnterpriseAuthorisation, pk=id_or_none(pk))
    if not row.letter:
        raise Http404("没有上传授权委托书")
    return FileResponse(row.letter.open("rb"), filename=row.letter.name.rsplit("/", 1)[-1])
