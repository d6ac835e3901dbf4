from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.core.errors import ApplicationError, add_application_error
from yiwang.core.pii import mask_id_number, mask_phone
from yiwang.core.ratelimits import limit_page
from yiwang.org import excel, selectors, services
from yiwang.org.forms import LoginForm, OrgImportForm, PasswordChangeForm
from yiwang.org.permissions import action_required
from yiwang.org.workbench import cards_for
from yiwang.workdays.selectors import add_workdays, day_info


def client_ip(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR")


def _safe_next(request, target: str | None) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _username_tried(request) -> str | None:
    return (request.POST.get("username") or "").strip()[:150] or None


def _signed_in_user(request) -> str | None:
    return str(request.user.pk) if request.user.is_authenticated else None


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
@limit_page("auth.login", target=_username_tried, methods=("POST",))
def login_view(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "GET" and request.user.is_authenticated:
        return redirect(_safe_next(request, next_url))
    form = LoginForm(request.POST or None)
    locked = None
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_authenticate(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                ip=client_ip(request),
            )
        except ApplicationError as error:
            if error.code == "auth.locked":
                # Shown in its own notice (with what to do), not as a form error.
                locked = {"message": error.message, **error.details}
            else:
                add_application_error(form, error)
        else:
            # The service has checked the password; record the first configured backend for the session.
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            return redirect(_safe_next(request, next_url))
    context = {
        "form": form,
        "next": next_url,
        "locked": locked,
        "max_failures": settings.LOGIN_MAX_FAILURES,
        "lockout_minutes": settings.LOGIN_LOCKOUT_MINUTES,
        "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
    }
    return render(request, "org/login.html", context, status=200)


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        services.user_record_logout(user=request.user, ip=client_ip(request))
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@login_required
def workbench(request):
    user = request.user
    today = timezone.localdate()
    roles = selectors.user_roles(user)
    context = {
        "memberships": selectors.user_memberships(user),
        "cards": cards_for(user, roles),
        "has_roles": bool(roles),
        "today": today,
        "today_info": day_info(today),
        "next_workday": add_workdays(today, 1),
    }
    return render(request, "org/workbench.html", context)


@login_required
def profile(request):
    return render(request, "org/profile.html", _profile_context(request, PasswordChangeForm(user=request.user)))


def _profile_context(request, form) -> dict:
    user = request.user
    return {
        "form": form,
        "masked_phone": mask_phone(user.phone) if user.phone else "",
        "masked_id_number": mask_id_number(user.id_number) if user.id_number else "",
        "memberships": selectors.user_memberships(user),
    }


@sensitive_post_parameters("old_password", "new_password", "new_password_again")
@login_required
@require_POST
@limit_page("auth.password_change", target=_signed_in_user, methods=("POST",))
def password_change(request):
    form = PasswordChangeForm(request.POST, user=request.user)
    if form.is_valid():
        # The current password is checked under the sign-in lockout (a taken-over session cannot
        # guess it without limit); a lock ends the session.
        try:
            services.user_verify_password(
                user=request.user, password=form.cleaned_data["old_password"], ip=client_ip(request)
            )
        except ApplicationError as error:
            if error.code == "auth.locked":
                logout(request)
                messages.error(request, error.message)
                return redirect("org:login")
            add_application_error(form, error, field="old_password")
    if form.is_valid():
        try:
            user = services.user_set_password(
                user=request.user, password=form.cleaned_data["new_password"], actor=request.user
            )
        except ApplicationError as error:
            add_application_error(form, error, field="new_password")
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("密码已修改。"))
            return redirect("org:profile")
    return render(request, "org/profile.html", _profile_context(request, form), status=400)


def departments(request):
    """Departments and the spellings they go by; public, since the API lists the same."""
    q = (request.GET.get("q") or "").strip()[:64]
    context = {
        "departments": selectors.department_list(q=q),
        "q": q,
        "resolved": selectors.department_resolve(q) if q else None,
    }
    template = "org/_department_rows.html" if request.htmx else "org/departments.html"
    return render(request, template, context)


@action_required("org.manage")
def org_template(request):
    response = HttpResponse(
        excel.workbook_bytes(excel.template_workbook()),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="org-template.xlsx"'
    return response


@action_required("org.manage")
@require_http_methods(["GET", "POST"])
def org_import(request):
    """Regions and departments from a filled-in template; all or nothing, every error listed."""
    form = OrgImportForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    status = 200
    if request.method == "POST" and form.is_valid():
        parsed = excel.workbook_parse(form.cleaned_data["file"])
        try:
            context["report"] = services.org_import(
                regions=parsed.regions, departments=parsed.departments, errors=parsed.errors, actor=request.user
            )
        except ApplicationError as error:
            context["errors"] = error.details.get("errors") or [
                {"sheet": "", "row": None, "column": None, "message": error.message}
            ]
            context["error_message"] = error.message
            status = 400
        else:
            context["form"] = OrgImportForm()
    elif request.method == "POST":
        status = 400
    return render(request, "org/import.html", context, status=status)
