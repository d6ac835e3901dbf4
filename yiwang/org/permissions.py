"""The one gate for pages and API operations, on top of ``yiwang.org.scoping``.

Pages::

    @action_required("case.decide", "case.review")       # signed in and granted one of them
    def handler_queue(request): ... request.scope ...

    @calendar_manage_required                             # administrators (the working-day calendar)
    def calendar_edit(request): ...

API operations (django-ninja)::

    @router.post("/cases/{number}/decision")
    def decide(request, number: str, payload: DecisionIn):
        case = ...
        require_action(request, "case.decide", department=case.department)

    @router.get("/appeals/dashboard")
    @api_action_required("appeal.dashboard")              # role level, before the body runs
    def dashboard(request): ...

A refusal in the API is the shape every ApplicationError has: 403 ``{"code": "auth.forbidden",
"message": …, "details": {"action": …}}`` (401 ``auth.required`` when signed out), mapped once in
``yiwang.api.api``. The object-level check still belongs in the selector or service that loads the
object; the decorators only gate who may reach the page at all.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from ninja.decorators import decorate_view

from yiwang.core.errors import ApplicationError, application_error_response
from yiwang.org.scoping import UNSET, Scope, action_get, scope_for

PAGE_FORBIDDEN = "您没有访问此页面的权限"
API_FORBIDDEN = "您无权执行此操作"


def forbidden_error(action: str, message: str = API_FORBIDDEN) -> ApplicationError:
    """The API's refusal for ``action`` (403 ``auth.forbidden``)."""
    return ApplicationError("auth.forbidden", message, details={"action": action}, status=403)


def action_required(*actions: str):
    """View decorator: signed in and granted at least one of ``actions`` (role level).

    Anonymous → redirect to the login page; signed in without any of the actions' roles → 403
    ``PermissionDenied`` with a Chinese message. Sets ``request.scope`` for the view and its
    selectors. Unknown action names fail at import time.
    """
    if not actions:
        raise ValueError("action_required needs at least one action")
    for name in actions:
        action_get(name)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            scope = scope_for(request.user)
            if not any(scope.can(name) for name in actions):
                raise PermissionDenied(PAGE_FORBIDDEN)
            request.scope = scope
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# The working-day calendar is maintained by administrators (a platform or region administrator).
calendar_manage_required = action_required("calendar.manage")


def require_action(request, action: str, *, department=UNSET, region=UNSET, hall=UNSET) -> Scope:
    """API helper: the request's Scope if it may do ``action`` (here, when an object is given).

    Raises ``ApplicationError`` 401 ``auth.required`` when signed out and 403 ``auth.forbidden``
    otherwise; the anchors are passed as to ``Scope.can`` (omit one the object lacks). Sets
    ``request.scope``.
    """
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        raise ApplicationError("auth.required", "请先登录", status=401)
    scope = scope_for(user)
    if not scope.can(action, department=department, region=region, hall=hall):
        raise forbidden_error(action)
    request.scope = scope
    return scope


def api_action_required(*actions: str):
    """Decorator for a django-ninja operation: granted at least one of ``actions`` (role level).

    It guards the operation's ``run`` (like ``decorate_view``) rather than wrapping the function, so
    it holds in any order with ``@idempotent`` and keeps the function's annotations visible to ninja.
    Errors as in ``require_action``, answered as the API's JSON error body.
    """
    for name in actions:
        action_get(name)

    def guard(run):
        @wraps(run)
        def guarded(request, *args, **kwargs):
            try:
                _check_api_actions(request, actions)
            except ApplicationError as error:
                return application_error_response(error)
            return run(request, *args, **kwargs)

        return guarded

    def decorator(operation):
        return decorate_view(guard)(operation)

    return decorator


def _check_api_actions(request, actions: tuple[str, ...]) -> Scope:
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        raise ApplicationError("auth.required", "请先登录", status=401)
    scope = scope_for(user)
    if not any(scope.can(name) for name in actions):
        raise forbidden_error(actions[0])
    request.scope = scope
    return scope
