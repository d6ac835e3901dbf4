"""The in-app inbox: one page per user, newest first, read state changed by POST only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from yiwang.core import selectors, services
from yiwang.core.errors import ApplicationError

PAGE_SIZE = 20


def _inbox_context(request) -> dict:
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.inbox_for(request.user, unread_only=unread_only), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return {"page": page, "unread_only": unread_only, "inbox_unread": selectors.inbox_unread_count(request.user)}


def _render_list(request):
    template = "core/_inbox_list.html" if request.htmx else "core/inbox.html"
    return render(request, template, _inbox_context(request))


@login_required
@require_GET
def inbox(request):
    return _render_list(request)


@login_required
@require_POST
def inbox_read(request, message_id: int):
    try:
        message = selectors.inbox_message_get(user=request.user, message_id=message_id)
        services.inbox_mark_read(message=message, actor=request.user)
    except ApplicationError as error:
        raise Http404(error.message) from None
    if request.htmx:
        return _render_list(request)
    return redirect("core:inbox")


@login_required
@require_POST
def inbox_read_all(request):
    count = services.inbox_mark_all_read(actor=request.user)
    if request.htmx:
        return _render_list(request)
    messages.success(request, f"已将 {count} 条消息标为已读" if count else "没有未读消息")
    return redirect("core:inbox")
