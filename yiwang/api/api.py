"""The one NinjaAPI instance. Each app contributes ``api.py`` with a ``router``."""

import json

from django.core.exceptions import RequestDataTooBig
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.security import django_auth

from yiwang.api.schemas import ErrorOut
from yiwang.core.errors import ApplicationError


class ReadableJSONRenderer(JSONRenderer):
    """JSON with Chinese left readable (no \\uXXXX escapes)."""

    def render(self, request: HttpRequest, data, *, response_status: int) -> str:
        return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)


api = NinjaAPI(
    title="Yiwang 一网 API",
    version="1",
    description="眉县政务服务与营商环境平台 — 一网通办、接诉即办、好差评。",
    renderer=ReadableJSONRenderer(),
    auth=django_auth,
)


@api.exception_handler(ApplicationError)
def application_error(request, exc: ApplicationError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    body = {"code": "request.invalid", "message": "请求参数不正确", "details": {"errors": exc.errors}}
    return api.create_response(request, body, status=422)


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    body = {"code": "auth.required", "message": "请先登录", "details": {}}
    return api.create_response(request, body, status=401)


@api.exception_handler(Http404)
def not_found(request, exc):
    """``get_object_or_404`` and any other Http404: the same shape as every other error."""
    body = {"code": "request.not_found", "message": "没有找到请求的对象", "details": {}}
    return api.create_response(request, body, status=404)


# ninja's own HttpError carries a status and an English text (e.g. an unparsable body).
HTTP_ERROR_CODES = {
    400: ("request.malformed", "请求内容无法解析，请提交正确的 JSON 或表单"),
    401: ("auth.required", "请先登录"),
    403: ("auth.forbidden", "没有权限执行此操作"),
    404: ("request.not_found", "没有找到请求的对象"),
    405: ("request.method_not_allowed", "不支持此请求方法"),
    413: ("request.too_large", "请求内容超过大小上限"),
    429: ("request.throttled", "请求过于频繁，请稍后再试"),
}


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    code, message = HTTP_ERROR_CODES.get(exc.status_code, ("request.error", "请求失败"))
    body = {"code": code, "message": message, "details": {}}
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def request_too_big(request, exc):
    body = {"code": "request.too_large", "message": "请求内容超过大小上限", "details": {}}
    return api.create_response(request, body, status=413)


# Errors any operation can answer, whatever its own checks: a refused request (NUL bytes, bad JSON), an
# oversized body, a parameter that fails its schema, a rate limit. Operations behind a login add 401/403,
# operations on one object 404, operations that change one 409 (a state that does not allow it).
COMMON_ERRORS = (400, 413, 422, 429)


def declare_errors(api: NinjaAPI) -> None:
    """Declare the error statuses every operation can return, with the one ``ErrorOut`` shape, in the
    operation itself (so the OpenAPI document lists them) — on top of what each operation declares."""
    # The bound routers hold the operations the URLs and the OpenAPI document are built from (their auth
    # resolved from the router and the API); django-ninja builds them once and caches them.
    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                statuses = set(COMMON_ERRORS)
                if operation.auth_callbacks:
                    statuses |= {401, 403}
                # An object named in the path, the query or the body may not exist (404); a write may
                # meet a state that refuses it (409).
                statuses.add(404)
                if set(operation.methods) - {"GET"}:
                    statuses.add(409)
                for status in sorted(statuses):
                    if status not in operation.response_models:
                        operation.response_models[status] = operation._create_response_model(ErrorOut)


def _register_routers() -> None:
    from yiwang.cases.api import router as cases_router
    from yiwang.catalog.api import router as catalog_router
    from yiwang.credit.api import router as credit_router
    from yiwang.hotline.api import router as hotline_router
    from yiwang.inspections.api import router as inspections_router
    from yiwang.licences.api import router as licences_router
    from yiwang.org.api import router as org_router
    from yiwang.policies.api import router as policies_router
    from yiwang.projects.api import router as projects_router
    from yiwang.ratings.api import router as ratings_router
    from yiwang.supervision.api import router as supervision_router
    from yiwang.workdays.api import router as workdays_router

    api.add_router("/workdays/", workdays_router)
    api.add_router("/org/", org_router)
    api.add_router("/catalog/", catalog_router)
    api.add_router("/cases/", cases_router)
    api.add_router("/hotline/", hotline_router)
    api.add_router("/credit/", credit_router)
    api.add_router("/licences/", licences_router)
    api.add_router("/ratings/", ratings_router)
    api.add_router("/inspections/", inspections_router)
    api.add_router("/projects/", projects_router)
    api.add_router("/policies/", policies_router)
    api.add_router("/supervision/", supervision_router)


_register_routers()
declare_errors(api)
