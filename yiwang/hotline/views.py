"""Pages of the hotline: the public column, and the operator, dispatcher, handler and leader pages.

Views validate the shape of input, call a service and render; business-rule errors come back as
form errors with the service's Chinese message. An HTMX request re-renders only its partial.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.core.errors import ApplicationError, add_application_error
from yiwang.core.idempotency import idempotent
from yiwang.core.paging import page_of, query_without_page
from yiwang.core.periods import period_check
from yiwang.core.ratelimits import limit_page
from yiwang.hotline import forms, selectors, services
from yiwang.hotline.conf import conf, hotline_config
from yiwang.hotline.models import Appeal, UnresolvedMatter
from yiwang.hotline.rules import screen_text
from yiwang.org.models import Region
from yiwang.org.permissions import PAGE_FORBIDDEN, action_required

# --- public column -------------------------------------------------------------------------------


def _int(value) -> int:
    """A primary key from a query parameter; 0 (no row) for anything else."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _public_context(request, form=None) -> dict:
    replied = list(selectors.public_appeal_list()[:6])
    return {
        "form": form or forms.PublicAppealForm(),
        "track_form": forms.TrackForm(),
        "recent": replied,
        "replies": selectors.latest_replies(replied),
        "categories": selectors.categories(),
    }


@require_GET
def index(request):
    """“有问必应、接诉即办”: submit, track by code, read the public replies."""
    return render(request, "hotline/index.html", _public_context(request))


@require_http_methods(["GET", "POST"])
@idempotent(deduplicate=True)  # a repeat of the same appeal answers with the first
def submit(request):
    form = forms.PublicAppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appeal = services.appeal_submit(
                channel=Appeal.Channel.PORTAL,
                kind=data["kind"],
                title=data["title"],
                content=data["content"],
                actor=request.user,
                town=data["town"],
                village=data["village"],
                address=data["address"],
                anonymous=data["anonymous"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                public_consent=data["public_consent"],
                confirm_not_emergency=data["confirm_not_emergency"],
                submission_key=data["submission_key"],
            )
        except ApplicationError as error:
            add_application_error(
                form, error, field=error.details.get("field") if error.details.get("field") in form.fields else None
            )
            if error.code == "appeal.emergency":
                form.emergency = error.details
        else:
            codes = request.session.get(TRACKED_CODES_SESSION_KEY, [])
            request.session[TRACKED_CODES_SESSION_KEY] = [*codes, appeal.code][-20:]
            messages.success(
                request, _("诉求已受理，请牢记受理编号 %(code)s，凭编号查询办理进度。") % {"code": appeal.code}
            )
            return redirect(f"{reverse('hotline:track')}?code={appeal.code}")
    status = 400 if request.method == "POST" else 200
    return render(request, "hotline/submit.html", {"form": form}, status=status)


@require_GET
def villages(request):
    """``<option>``s of a town's villages (HTMX, for the town → village selects)."""
    town = Region.objects.filter(pk=_int(request.GET.get("town")), level=Region.Level.TOWN).first()
    return render(request, "hotline/_village_options.html", {"villages": selectors.villages(town)})


# The codes this browser session submitted: its own appeals are shown without the phone digits.
TRACKED_CODES_SESSION_KEY = "hotline_submitted_codes"


@require_GET
@limit_page("hotline.track", target=lambda request: (request.GET.get("code") or "").strip().upper()[:20])
def track(request):
    form = forms.TrackForm(request.GET or None)
    appeal = None
    searched = False
    if form.is_valid():
        searched = True
        appeal = selectors.appeal_track_public(
            code=form.cleaned_data["code"],
            phone_last4=form.cleaned_data["phone_last4"],
            user=request.user,
            known_codes=request.session.get(TRACKED_CODES_SESSION_KEY, ()),
        )
    context = {"form": form, "appeal": appeal, "searched": searched}
    if appeal is not None:
        context.update(
            timeline=selectors.appeal_timeline(appeal, public=True),
            reply=selectors.public_reply(appeal),
            deadline=selectors.deadlines.reply_deadline(appeal),
        )
    return render(request, "hotline/track.html", context, status=404 if searched and appeal is None else 200)


@require_GET
def public_list(request):
    category = request.GET.get("category") or None
    town = request.GET.get("town") or None
    q = (request.GET.get("q") or "").strip()[:50] or None
    since = selectors.public_replies_since()
    page = Paginator(selectors.public_appeal_list(category=category, town=town, q=q, since=since), 10).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "keep": query_without_page(request),
        "since": since,
        "window": conf("PUBLIC_REPLIES_WINDOW"),
        "replies": selectors.latest_replies(list(page.object_list)),
        "categories": selectors.categories(),
        "towns": selectors.towns(),
        "filters": {"category": category or "", "town": town or "", "q": q or ""},
    }
    template = "hotline/_public_rows.html" if request.htmx else "hotline/public_list.html"
    return render(request, template, context)


@require_GET
def unresolved_summary(request):
    return render(request, "hotline/unresolved_summary.html", {"months": selectors.unresolved_monthly_summary()})


# --- staff: access -------------------------------------------------------------------------------
# Pages are gated by ``action_required`` (role level); the object-level answer comes from the scope
# in the selectors and again in the services. The API asks the same actions (``api.py``).


def _field_of(form, error: ApplicationError):
    field = error.details.get("field")
    return field if field in form.fields else None


# --- operator intake -----------------------------------------------------------------------------


@action_required("appeal.intake")
@require_http_methods(["GET", "POST"])
def intake(request):
    """The operator's form, fast enough to fill during a call (keyboard shortcuts in the page)."""
    form = forms.IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # A resent form (double click, reload) must not register the call twice nor act on it again.
        repeated = selectors.appeal_by_submission_key(data["submission_key"])
        if repeated:
            messages.info(request, _("该来电已登记，受理编号 %(code)s。") % {"code": repeated.code})
            return redirect(f"{reverse('hotline:intake')}?last={repeated.code}")
        try:
            appeal = services.appeal_intake(
                outcome=data["action"] or "register",
                answer=data["answer"],
                knowledge_entry=data["knowledge_entry"],
                decline_reason=data["decline_reason"],
                channel=data["channel"],
                kind=data["kind"],
                title=data["title"],
                content=data["content"],
                actor=request.user,
                town=data["town"],
                village=data["village"],
                address=data["address"],
                anonymous=data["anonymous"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                public_consent=data["public_consent"],
                category=data["category"],
                tier=data["tier"],
                submission_key=data["submission_key"] or None,
            )
        except ApplicationError as error:
            add_application_error(form, error, _field_of(form, error))
        else:
            if appeal.state == Appeal.State.ANSWERED:
                messages.success(request, _("已直接办结，受理编号 %(code)s。") % {"code": appeal.code})
            elif appeal.state == Appeal.State.DECLINED:
                messages.warning(
                    request,
                    _("已登记为不予受理，受理编号 %(code)s，请向来电人告知：%(advice)s")
                    % {"code": appeal.code, "advice": appeal.decline_advice},
                )
            else:
                messages.success(request, _("已登记，受理编号 %(code)s，已进入待派单。") % {"code": appeal.code})
            return redirect(f"{reverse('hotline:intake')}?last={appeal.code}")
    last = selectors.appeal_last_intake(user=request.user, code=request.GET.get("last"))
    return render(
        request, "hotline/staff/intake.html", {"form": form, "last": last}, status=400 if form.errors else 200
    )


@action_required("appeal.intake")
@require_POST
def intake_assist(request):
    """HTMX: as the operator types — screening hints, knowledge entries, the routing suggestion,
    the caller's earlier appeals."""
    title = request.POST.get("title", "")[:120]
    content = request.POST.get("content", "")[:2000]
    text = f"{title} {content}".strip()
    town = Region.objects.filter(pk=_int(request.POST.get("town")), level=Region.Level.TOWN).first()
    context = {
        "screening": screen_text(text) if text else None,
        "knowledge": selectors.knowledge_search(text) if len(text) >= 4 else [],
        "suggestion": selectors.routing_suggest(title=title, content=content, town=town) if len(text) >= 6 else None,
        "history": selectors.caller_history(user=request.user, phone=request.POST.get("contact_phone", "").strip()),
    }
    return render(request, "hotline/staff/_assist.html", context)


# --- dispatcher ----------------------------------------------------------------------------------


def _department_options(appeals) -> dict[int, str]:
    """appeal pk → the department <option>s with its suggestion selected: rendered once per page and
    marked per row, not a template loop over every department in every row."""
    options = format_html_join(
        "", '<option value="{}">{}</option>', ((d.pk, str(d)) for d in forms._department_choices())
    )
    marked = {}
    for appeal in appeals:
        pk = appeal.suggested_department_id
        selected = options.replace(f'<option value="{pk}">', f'<option value="{pk}" selected>', 1) if pk else options
        marked[appeal.pk] = mark_safe(selected)  # noqa: S308 (the options were escaped above)
    return marked


REVISITS_PAGE = 30  # replied appeals awaiting a revisit a page of the dispatch queue lists; the count is of all


@action_required("appeal.dispatch")
@require_GET
def dispatch_queue(request):
    queue = selectors.dispatcher_queue(user=request.user)
    page = page_of(request, queue.received, 30)
    revisits = page_of(request, queue.revisits, REVISITS_PAGE, "revisits_page")
    # one look-up for the whole page (hotline.similar), not one per appeal
    similar = selectors.similar_open_appeals_for(page.object_list, limit=3)
    context = {
        "queue": queue,
        "page": page,
        "revisits": revisits,
        "page_keep": query_without_page(request, "page"),
        "revisits_keep": query_without_page(request, "revisits_page"),
        "similar": similar,
        "department_options": _department_options(page.object_list),
        "threshold": hotline_config()["ROUTING_CONFIDENCE_THRESHOLD"],
        "model": selectors.routing_active_model(),
    }
    return render(request, "hotline/staff/dispatch_queue.html", context)


# --- handler queue -------------------------------------------------------------------------------

SORTS = {"deadline": _("按时限"), "received": _("按受理时间"), "status": _("按预警状态")}


@action_required("appeal.sign_off", "appeal.dispatch")
@require_GET
def handler_queue(request):
    """The department's open appeals, nearest deadline first, with normal/warning/overdue badges."""
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "deadline"
    state = request.GET.get("state") if request.GET.get("state") in selectors.HANDLER_STATES else None
    rows = selectors.handler_queue(user=request.user, sort=sort, state=state)
    counts = {s: sum(1 for r in rows if r.status == s) for s in ("normal", "warning", "due", "overdue")}
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": page.object_list,
        "total": len(rows),
        "counts": counts,
        "sort": sort,
        "sorts": SORTS,
        "state": state or "",
        "states": [(s, Appeal.State(s).label) for s in selectors.HANDLER_STATES],
    }
    template = "hotline/staff/_queue_rows.html" if request.htmx else "hotline/staff/handler_queue.html"
    return render(request, template, context)


# --- appeal detail and actions -------------------------------------------------------------------


def _detail_context(request, appeal: Appeal, bound: dict | None = None) -> dict:
    user = request.user
    actions = selectors.appeal_allowed_actions(user=user, appeal=appeal)
    deadlines = selectors.appeal_deadlines(appeal)
    dispatch = deadlines["dispatch"]
    initial_dispatch = {
        "department": appeal.suggested_department_id,
        "tier": appeal.tier,
        "category": appeal.category_id or appeal.suggested_category_id,
    }
    bound = bound or {}
    context = {
        "appeal": appeal,
        "actions": actions,
        "deadlines": deadlines,
        "dispatch": dispatch,
        "co_departments": list(dispatch.co_departments.all()) if dispatch else [],
        "timeline": selectors.appeal_timeline(appeal),
        **selectors.appeal_records(appeal),
        "show_contact": selectors.user_sees_contact(user=user, appeal=appeal),
        "similar": selectors.similar_open_appeals(appeal) if {"merge", "dispatch"} & actions else [],
        "knowledge": selectors.knowledge_search(f"{appeal.title} {appeal.content}") if "answer" in actions else [],
        "forms": {
            "dispatch": bound.get("dispatch") or forms.DispatchForm(initial=initial_dispatch),
            "return": bound.get("return") or forms.ReasonForm(),
            "decide_return": bound.get("decide_return") or forms.DecideReturnForm(initial={"approve": "1"}),
            "extend": bound.get("extend") or forms.ExtensionForm(initial={"days": 3}),
            "decide_extension": bound.get("decide_extension") or forms.DecideExtensionForm(initial={"approve": "1"}),
            "withdraw_extension": bound.get("withdraw_extension") or forms.ReasonForm(),
            "reply": bound.get("reply") or forms.ReplyForm(),
            "revisit": bound.get("revisit") or forms.RevisitForm(),
            "merge": bound.get("merge") or forms.MergeForm(),
            "decline": bound.get("decline") or forms.DeclineForm(initial={"reason": appeal.screening or None}),
            "answer": bound.get("answer") or forms.AnswerForm(),
            "opinion": bound.get("opinion") or forms.OpinionForm(),
        },
    }
    return context


@action_required("appeal.read")
@require_GET
def appeal_detail(request, code: str):
    try:
        appeal = selectors.appeal_get_for_user(user=request.user, code=code)
    except ApplicationError:
        raise Http404(_("未找到该诉求")) from None
    return render(request, "hotline/staff/appeal_detail.html", _detail_context(request, appeal))


def _run_action(request, appeal: Appeal, action: str):
    """Validate the action's form and call its service; returns (form, error-free?)."""
    post = request.POST
    user = request.user
    if action == "sign_off":
        services.appeal_sign_off(appeal=appeal, actor=user)
        return None, _("已签收，请在答复时限内办理。")
    form_class = {
        "dispatch": forms.DispatchForm,
        "return": forms.ReasonForm,
        "decide_return": forms.DecideReturnForm,
        "extend": forms.ExtensionForm,
        "decide_extension": forms.DecideExtensionForm,
        "withdraw_extension": forms.ReasonForm,
        "reply": forms.ReplyForm,
        "revisit": forms.RevisitForm,
        "merge": forms.MergeForm,
        "decline": forms.DeclineForm,
        "answer": forms.AnswerForm,
        "opinion": forms.OpinionForm,
    }[action]
    form = form_class(post)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    try:
        if action == "dispatch":
            services.appeal_dispatch(
                appeal=appeal,
                department=data["department"],
                co_departments=data["co_departments"],
                tier=data["tier"],
                category=data["category"],
                note=data["note"],
                actor=user,
            )
            return form, _("已派单至 %(dept)s。") % {"dept": data["department"]}
        if action == "return":
            services.appeal_return(appeal=appeal, reason=data["reason"], actor=user)
            return form, _("已申请退单，等待 12345 审核。")
        if action == "decide_return":
            request_row = selectors.appeal_pending_return(appeal)
            if request_row is None:
                raise ApplicationError("appeal.return_decided", "没有待审核的退单申请", status=409)
            services.appeal_return_decide(
                return_request=request_row,
                approve=data["approve"],
                department=data["department"],
                note=data["note"],
                actor=user,
            )
            return form, _("已同意退单并改派。") if data["approve"] else _("已驳回退单。")
        if action == "extend":
            services.appeal_extension_request(appeal=appeal, days=data["days"], reason=data["reason"], actor=user)
            return form, _("已申请延期，等待 12345 审核。")
        if action == "decide_extension":
            row = selectors.appeal_pending_extension(appeal)
            if row is None:
                raise ApplicationError("appeal.extension_decided", "没有待审核的延期申请", status=409)
            services.appeal_extension_decide(
                extension=row, approve=data["approve"], days=data["days"], note=data["note"], actor=user
            )
            return form, _("已审核延期申请。")
        if action == "withdraw_extension":
            row = selectors.appeal_pending_extension(appeal)
            if row is None:
                raise ApplicationError("appeal.extension_decided", "没有待审核的延期申请", status=409)
            services.appeal_extension_withdraw(extension=row, reason=data["reason"], actor=user)
            return form, _("已撤回延期申请。")
        if action == "reply":
            services.appeal_reply(appeal=appeal, content=data["content"], result=data["result"], actor=user)
            return form, _("已答复，等待回访。")
        if action == "revisit":
            revisit = services.appeal_revisit(
                appeal=appeal,
                resolved=data["resolved"],
                satisfaction=data["satisfaction"],
                within_power=data["within_power"],
                comment=data["comment"],
                actor=user,
            )
            return form, _("回访已记录，诉求已重办。") if revisit.outcome == "reopened" else _(
                "回访已记录，诉求已办结。"
            )
        if action == "merge":
            target = selectors.appeal_get_for_user(user=user, code=data["into"].strip().upper())
            services.appeal_merge(appeal=appeal, into=target, note=data["note"], actor=user)
            return form, _("已合并至 %(code)s。") % {"code": target.code}
        if action == "decline":
            services.appeal_decline(appeal=appeal, reason=data["reason"], note=data["note"], actor=user)
            return form, _("已不予受理并告知。")
        if action == "answer":
            services.appeal_answer(
                appeal=appeal, content=data["content"], knowledge_entry=data["knowledge_entry"], actor=user
            )
            return form, _("已直接办结。")
        if action == "opinion":
            services.appeal_add_opinion(appeal=appeal, note=data["note"], actor=user)
            return form, _("协办意见已记录。")
    except ApplicationError as error:
        add_application_error(form, error, _field_of(form, error))
        return form, None
    raise Http404


# Each button of the page → the action of the scope's table it needs (the API asks the same).
ACTIONS = {
    "dispatch": "appeal.dispatch",
    "sign_off": "appeal.sign_off",
    "return": "appeal.return",
    "decide_return": "appeal.approve_return",
    "extend": "appeal.request_extension",
    "decide_extension": "appeal.approve_extension",
    "withdraw_extension": "appeal.request_extension",
    "reply": "appeal.reply",
    "revisit": "appeal.revisit",
    "merge": "appeal.dispatch",
    "decline": "appeal.intake",
    "answer": "appeal.intake",
    "opinion": "appeal.opinion",
}


@login_required
@require_POST
def appeal_action(request, code: str, action: str):
    if action not in ACTIONS:
        raise Http404
    try:
        appeal = selectors.appeal_get_for_user(user=request.user, code=code)
    except ApplicationError:
        raise Http404(_("未找到该诉求")) from None
    # Object level: e.g. a co-department reads the appeal but only the lead department signs off;
    # co-departments add opinions (the service decides which department they speak for).
    if action != "opinion" and not selectors.appeal_can(request.user, ACTIONS[action], appeal):
        raise PermissionDenied(PAGE_FORBIDDEN)
    try:
        form, done = _run_action(request, appeal, action)
    except ApplicationError as error:  # sign-off has no form
        messages.error(request, error.message)
        return redirect("hotline:appeal", code=appeal.code)
    if done:
        messages.success(request, done)
        nxt = request.POST.get("next")
        if nxt == "dispatch_queue":
            return redirect("hotline:dispatch_queue")
        return redirect("hotline:appeal", code=appeal.code)
    appeal.refresh_from_db()
    context = _detail_context(request, appeal, bound={action: form})
    context["open_action"] = action
    return render(request, "hotline/staff/appeal_detail.html", context, status=400)


# --- 办不成事 (staff) ------------------------------------------------------------------------------


@action_required("unresolved.read", "unresolved.register")
@require_http_methods(["GET", "POST"])
def unresolved(request):
    user = request.user
    can_register = request.scope.can("unresolved.register")
    form = forms.UnresolvedForm(request.POST or None) if can_register else None
    if request.method == "POST":
        if not can_register:
            raise PermissionDenied(PAGE_FORBIDDEN)
        if form.is_valid():
            data = form.cleaned_data
            try:
                matter = services.unresolved_register(
                    channel=data["channel"],
                    summary=data["summary"],
                    description=data["description"],
                    tier=data["tier"],
                    category=data["category"],
                    department=data["department"],
                    town=data["town"],
                    reporter_name=data["reporter_name"],
                    reporter_phone=data["reporter_phone"],
                    resolution=data["resolution"],
                    resolution_note=data["resolution_note"],
                    actor=user,
                    submission_key=data["submission_key"] or None,
                )
            except ApplicationError as error:
                add_application_error(form, error, _field_of(form, error))
            else:
                messages.success(request, _("已登记办不成事 %(code)s。") % {"code": matter.code})
                return redirect("hotline:unresolved")
    qs = selectors.unresolved_list(
        user=user, state=request.GET.get("state") or None, tier=request.GET.get("tier") or None
    )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(m, selectors.unresolved_deadline(m, today)) for m in page.object_list]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "resolve_form": forms.ResolveForm(),
        "state": request.GET.get("state", ""),
        "tier": request.GET.get("tier", ""),
        "tiers": UnresolvedMatter.Tier.choices,
        "limits": hotline_config()["UNRESOLVED_WORKDAYS"],
    }
    return render(
        request, "hotline/staff/unresolved.html", context, status=400 if form is not None and form.errors else 200
    )


@action_required("unresolved.handle")
@require_POST
def unresolved_resolve(request, code: str):
    matter = get_object_or_404(selectors.unresolved_list(user=request.user), code=code)
    form = forms.ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.unresolved_resolve(
                matter=matter,
                resolution=form.cleaned_data["resolution"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(code)s 已办结。") % {"code": matter.code})
    else:
        messages.error(request, _("请选择办理结果并填写办理情况。"))
    return redirect("hotline:unresolved")


# --- dashboard and hotspots ----------------------------------------------------------------------


def _period(request) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()

    def month(value, default):
        try:
            return dt.datetime.strptime(value, "%Y-%m").date()
        except (TypeError, ValueError):
            return default

    end_month = month(request.GET.get("end"), today.replace(day=1))
    period_check(None, end_month)  # 0001-01 or 9999-12: a coded 400, before any date arithmetic
    start = month(request.GET.get("start"), (end_month - dt.timedelta(days=150)).replace(day=1))
    period_check(start, None)
    end = min(today, (end_month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1))
    if start > end:
        start = end.replace(day=1)
    return start, end


def _pct(value) -> float | None:
    return round(value * 100, 1) if value is not None else None


@action_required("appeal.dashboard")
@require_GET
def dashboard(request):
    """三率 (response, resolution, satisfaction), on-time replies, returns, extensions and
    reopenings by department and month, with charts, for dispatchers and leaders."""
    start, end = _period(request)
    report = selectors.appeal_kpis(user=request.user, start=start, end=end)
    by_department = sorted(report.by_department(), key=lambda row: -row[1].dispatched)
    by_month = report.by_month()
    chart = {
        "months": [m.strftime("%Y-%m") for m, _k in by_month],
        "response": [_pct(k.response_rate) for _m, k in by_month],
        "resolution": [_pct(k.resolution_rate) for _m, k in by_month],
        "satisfaction": [_pct(k.satisfaction_rate) for _m, k in by_month],
        "on_time": [_pct(k.on_time_rate) for _m, k in by_month],
        "departments": [str(d) for d, _k in by_department[:12]],
        "returns": [k.returns for _d, k in by_department[:12]],
        "extensions": [k.extensions for _d, k in by_department[:12]],
        "reopened": [k.reopened for _d, k in by_department[:12]],
    }
    open_counts, overdue_events = selectors.appeal_open_work(user=request.user, since=start)
    context = {
        "report": report,
        "by_department": by_department,
        "by_month": by_month,
        "chart": chart,
        "start": start,
        "end": end,
        "config": hotline_config(),
        "open_counts": open_counts,
        "overdue_events": overdue_events,
    }
    return render(request, "hotline/staff/dashboard.html", context)


@action_required("appeal.dashboard")
@require_GET
def hotspots_view(request):
    start, end = _period(request)
    data = selectors.hotspots(user=request.user, start=start, end=end)
    heat = [
        [t_index, c_index, data.counts.get((category.pk, town.pk), 0)]
        for c_index, category in enumerate(data.categories)
        for t_index, town in enumerate(data.towns)
    ]
    chart = {
        "towns": [t.name for t in data.towns],
        "categories": [c.name for c in data.categories],
        "heat": heat,
        "max": data.max_count,
    }
    rows = [(category, data.row(category), sum(data.row(category))) for category in data.categories]
    town_totals = [sum(data.counts.get((c.pk, t.pk), 0) for c in data.categories) for t in data.towns]
    return render(
        request,
        "hotline/staff/hotspots.html",
        {"data": data, "rows": rows, "chart": chart, "start": start, "end": end, "town_totals": town_totals},
    )


KNOWLEDGE_PAGE = 20  # entries a page of the knowledge base shows, the best match first; the count is of every match


@action_required("appeal.intake", "appeal.dashboard")
@require_GET
def knowledge(request):
    """The knowledge base the operators answer from (直接办结), searchable; HTMX re-renders the list."""
    q = (request.GET.get("q") or "").strip()[:100]
    if q:
        # every match counted and ranked (keys only), the page's entries read whole in the ranking's order
        page = Paginator(selectors.knowledge_ranking(q), KNOWLEDGE_PAGE).get_page(request.GET.get("page"))
        entries = selectors.knowledge_list().in_bulk(page.object_list)
        page.object_list = [entries[pk] for pk in page.object_list if pk in entries]
    else:
        page = page_of(request, selectors.knowledge_list(), KNOWLEDGE_PAGE)
    context = {"page": page, "query": query_without_page(request), "q": q}
    template = "hotline/staff/_knowledge.html" if request.htmx else "hotline/staff/knowledge.html"
    return render(request, template, context)
