"""The one NinjaAPI instance. Each app contributes ``api.py`` with a ``router``."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.security import django_auth

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


def _register_routers() -> None:
    from yiwang.cases.api import router as cases_router
    from yiwang.catalog.api import router as catalog_router
    from yiwang.hotline.api import router as hotline_router
    from yiwang.org.api import router as org_router
    from yiwang.workdays.api import router as workdays_router

    api.add_router("/workdays/", workdays_router)
    api.add_router("/org/", org_router)
    api.add_router("/catalog/", catalog_router)
    api.add_router("/cases/", cases_router)
    api.add_router("/hotline/", hotline_router)


_register_routers()
