"""Request hygiene before any view runs: bad input gets a clear 4xx with a code and changes nothing.

``RequestGuardMiddleware`` refuses, before the view sees the request:

- a NUL byte in the path, the query string, a form field or a JSON body (``request.nul_byte``, 400) —
  PostgreSQL cannot store one in text and no form of ours expects one;
- a body larger than ``REQUEST_MAX_BYTES`` (``request.too_large``, 413), or form fields beyond
  ``DATA_UPLOAD_MAX_MEMORY_SIZE`` / ``DATA_UPLOAD_MAX_NUMBER_FIELDS``;
- a multipart body without a boundary or one that cannot be parsed (``request.multipart_malformed``, 400).

Under ``/api/`` (and any path in ``JSON_PREFIXES``) the refusal is the API's ``{"code", "message",
"details"}``; elsewhere a short Chinese page with the code in the ``X-Error-Code`` header. The same
middleware gives every non-JSON error answer under ``/api/`` (a URL that does not exist, a method
not allowed, Django's own 400/413 pages) the API's error shape, so a client never parses HTML, and turns
an ``ApplicationError`` that escapes a page view into the same coded 4xx page instead of a 500.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.html import escape

from yiwang.core.errors import ApplicationError

JSON_PREFIXES = ("/api/",)
OPEN311_PREFIX = "/open311/"

# A JSON string escape for U+0000 that is not itself escaped (``\\u0000`` is a backslash and text).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)

STATUS_CODES = {
    400: ("request.bad", "请求格式不正确"),
    401: ("auth.required", "请先登录"),
    403: ("auth.forbidden", "没有权限执行此操作"),
    404: ("request.not_found", "请求的地址不存在"),
    405: ("request.method_not_allowed", "不支持此请求方法"),
    413: ("request.too_large", "请求内容超过大小上限"),
    415: ("request.unsupported_media_type", "不支持的内容类型"),
    500: ("server.error", "服务器内部错误，请稍后再试"),
}


def request_max_bytes() -> int:
    """The largest request body accepted (uploads included), ``settings.REQUEST_MAX_BYTES``."""
    return int(getattr(settings, "REQUEST_MAX_BYTES", 12 * 1024 * 1024))


def wants_json(request) -> bool:
    return request.path_info.startswith(JSON_PREFIXES)


def error_response(request, code: str, message: str, *, status: int, details: dict | None = None) -> HttpResponse:
    """The refusal in the shape the caller reads: the API's JSON, or a short Chinese page."""
    if wants_json(request):
        body = {"code": code, "message": message, "details": details or {}}
        response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    elif request.path_info.startswith(OPEN311_PREFIX):
        # GeoReport v2's own error list.
        body = [{"code": status, "description": message}]
        response = JsonResponse(body, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
    else:
        html = (
            '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{escape(message)}</title></head><body><h1>{escape(message)}</h1>"
            f'<p>错误代码：<code>{escape(code)}</code></p><p><a href="/">返回首页</a></p></body></html>'
        )
        response = HttpResponse(html, status=status, content_type="text/html; charset=utf-8")
    response["X-Error-Code"] = code
    return response


def _has_nul(value: str) -> bool:
    return "\x00" in value


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self.refusal(request)
        if refusal is not None:
            return refusal
        response = self.get_response(request)
        if wants_json(request):
            response = self.as_api_error(request, response)
        return response

    def process_exception(self, request, exception):
        """A business-rule refusal that escapes a page is a coded 4xx, never a 500."""
        if isinstance(exception, ApplicationError):
            return error_response(
                request, exception.code, exception.message, status=exception.status, details=exception.details
            )
        return None

    # --- checks --------------------------------------------------------------------------------

    def refusal(self, request) -> HttpResponse | None:
        raw_query = request.META.get("QUERY_STRING", "")
        if _has_nul(request.path) or _has_nul(request.path_info) or "%00" in raw_query or _has_nul(raw_query):
            return self.nul(request, "url")
        if any(_has_nul(k) or any(_has_nul(v) for v in request.GET.getlist(k)) for k in request.GET):
            return self.nul(request, "query")
        if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
            return None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > request_max_bytes():
            return self.too_large(request, length)
        content_type = (request.META.get("CONTENT_TYPE") or "").lower()
        if content_type.startswith("multipart/") and "boundary=" not in content_type:
            return error_response(
                request,
                "request.multipart_malformed",
                "上传内容格式不正确（multipart 缺少 boundary）",
                status=400,
            )
        try:
            if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
                for key in request.POST:
                    if _has_nul(key) or any(_has_nul(v) for v in request.POST.getlist(key)):
                        return self.nul(request, "form", key)
                for key in request.FILES:
                    if any(_has_nul(f.name or "") for f in request.FILES.getlist(key)):
                        return self.nul(request, "file", key)
            elif "json" in content_type:
                body = request.body
                if b"\x00" in body or _JSON_NUL.search(body):
                    return self.nul(request, "json")
        except RequestDataTooBig:
            # Fields and JSON are held in memory up to their own, smaller limit: name that one.
            return self.too_large(request, length, limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        except (TooManyFieldsSent, TooManyFilesSent):
            return error_response(request, "request.too_many_fields", "提交的字段或文件数量过多", status=400)
        except MultiPartParserError:
            return error_response(request, "request.multipart_malformed", "上传内容格式不正确，无法解析", status=400)
        return None

    def nul(self, request, where: str, field: str | None = None) -> HttpResponse:
        details = {"where": where}
        if field:
            details["field"] = field
        return error_response(
            request, "request.nul_byte", "请求中含有不允许的空字符（NUL）", status=400, details=details
        )

    def too_large(self, request, length: int, limit: int | None = None) -> HttpResponse:
        limit = limit or request_max_bytes()
        size = f"{limit / 1048576:.0f} MB" if limit >= 1048576 else f"{limit / 1024:.0f} KB"
        return error_response(
            request,
            "request.too_large",
            f"请求内容超过 {size} 的上限",
            status=413,
            details={"size": length, "limit": limit},
        )

    # --- the API's error shape for Django's own answers -----------------------------------------

    def as_api_error(self, request, response) -> HttpResponse:
        if response.status_code < 400 or response.get("Content-Type", "").startswith("application/json"):
            return response
        if response.status_code >= 500 and settings.DEBUG:
            return response  # development keeps the traceback page
        code, message = STATUS_CODES.get(
            response.status_code, ("request.error" if response.status_code < 500 else "server.error", "请求失败")
        )
        wrapped = JsonResponse(
            {"code": code, "message": message, "details": {}},
            status=response.status_code,
            json_dumps_params={"ensure_ascii": False},
        )
        if response.has_header("Allow"):
            wrapped["Allow"] = response["Allow"]
        wrapped["X-Error-Code"] = code
        return wrapped
