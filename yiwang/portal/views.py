from datetime import timedelta

from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from yiwang.org.models import Region, ServiceHall
from yiwang.org.scoping import scope_for
from yiwang.workdays.selectors import add_workdays, is_workday

from .context_processors import ELDER_COOKIE
from .limits import SOURCE_LABELS, limit_rows
from .selectors import hall_list, portal_overview


def home(request):
    today = timezone.localdate()
    context = {
        "overview": portal_overview(),
        "today": today,
        "today_is_workday": is_workday(today),
        "next_workday": add_workdays(today, 1),
    }
    return render(request, "portal/home.html", context)


def limits(request):
    """目标与时限依据: every limit and target enforced now, with the plan section, the law or 县级默认."""
    rows = limit_rows()
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(row.group, []).append(row)
    counts = {label: sum(1 for r in rows if r.source_label == label) for label in SOURCE_LABELS.values()}
    context = {
        "groups": groups,
        "counts": counts,
        "show_settings": scope_for(request.user).can("catalog.workspace"),
    }
    return render(request, "portal/limits.html", context)


def halls(request):
    kind = request.GET.get("kind") or None
    town = request.GET.get("town") or None
    if kind not in ServiceHall.Kind.values:
        kind = None
    context = {
        "halls": hall_list(kind=kind, town_code=town),
        "kinds": ServiceHall.Kind.choices,
        "towns": Region.objects.filter(level=Region.Level.TOWN).order_by("code"),
        "selected_kind": kind,
        "selected_town": town,
    }
    template = "portal/_hall_rows.html" if request.htmx else "portal/halls.html"
    return render(request, template, context)


@require_POST
def elder_mode_toggle(request):
    """长辈版 switch: a cookie, so it works without an account and survives the session."""
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    if request.COOKIES.get(ELDER_COOKIE) == "1":
        response.delete_cookie(ELDER_COOKIE)
    else:
        response.set_cookie(ELDER_COOKIE, "1", max_age=int(timedelta(days=365).total_seconds()), samesite="Lax")
    return response


def healthz(request):
    return JsonResponse({"status": "ok"}) if request.method == "GET" else HttpResponse(status=405)
