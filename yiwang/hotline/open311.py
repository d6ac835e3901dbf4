"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over the appeals.

Services are the appeal categories (``service_code`` = category code); a service request is an
appeal (``service_request_id`` = its public tracking code). Every resource answers in JSON and in
XML (the spec's two formats, chosen by the ``.json`` / ``.xml`` suffix). Errors are the spec's
list of ``{"code", "description"}``.

Privacy: the request list (also when asked for specific ids) shows only appeals whose citizen
consented to publication, with personal data removed; a single request fetched by its code shows
its status, and its text and place only with consent. The place is never finer than town and
village (the free-text street address is not published) and coordinates are rounded to 3 decimals. Posting needs no account (like the portal column) unless API keys are configured.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from yiwang.core.errors import ApplicationError
from yiwang.core.idempotency import idempotent
from yiwang.core.ratelimits import RateLimited, rate_limit
from yiwang.hotline import selectors, services
from yiwang.hotline.conf import conf
from yiwang.hotline.models import Appeal, Category
from yiwang.hotline.rules import redact_text
from yiwang.org.models import Region

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-01-01T00:00:00+08:00"
CLOSED_STATES = {Appeal.State.CLOSED, Appeal.State.ANSWERED, Appeal.State.DECLINED, Appeal.State.MERGED}
MAX_REQUESTS = 1000
# Ids per ``service_request_id`` query: enough for a client refreshing its own requests, too few
# to enumerate tracking codes in bulk.
MAX_IDS = 50
# Published coordinates are rounded to ~100 m so a point does not pinpoint a household.
COORD_DECIMALS = 3
DEFAULT_WINDOW_DAYS = 90

# XML element names for list items, by the name of the list that holds them.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


# --- rendering -----------------------------------------------------------------------------------


def _xml_value(parent: ET.Element, tag: str, value) -> None:
    element = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_value(element, key, item)
    elif isinstance(value, list):
        child_tag = ITEM_TAGS.get(tag, "item")
        for item in value:
            _xml_value(element, child_tag, item)
    elif value is None:
        pass
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = str(value)


def render(data, fmt: str, root: str, status: int = 200) -> HttpResponse:
    """``data`` as JSON, or as XML under ``root`` (a list's items named by ``ITEM_TAGS``)."""
    if fmt == "xml":
        element = ET.Element(root)
        if isinstance(data, list):
            for item in data:
                _xml_value(element, ITEM_TAGS[root], item)
        else:
            for key, value in data.items():
                _xml_value(element, key, value)
        body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
            element, encoding="utf-8", xml_declaration=False
        )
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return render([{"code": status, "description": description}], fmt, "errors", status=status)


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# --- resources -----------------------------------------------------------------------------------


@require_GET
def discovery(request, fmt: str):
    base = request.build_absolute_uri(reverse("open311:services", kwargs={"fmt": "json"})).rsplit("/services.json", 1)[
        0
    ]
    data = {
        "changeset": CHANGESET,
        "contact": "眉县12345政务服务便民热线（县信息中心）",
        "key_service": "提交诉求无需密钥；如需接入密钥请联系县信息中心",
        "endpoints": [
            {
                "specification": SPEC_URL,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(data, fmt, "discovery")


def _service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or f"{category.group}·{category.name}",
        "metadata": True,
        "type": "realtime",
        "keywords": category.keywords.replace("，", ","),
        "group": category.group,
    }


@require_GET
def service_list(request, fmt: str):
    return render([_service(c) for c in selectors.categories()], fmt, "services")


def _attributes() -> list[dict]:
    kinds = [{"key": value, "name": str(label)} for value, label in Appeal.Kind.choices]
    towns = [{"key": town.code, "name": town.name} for town in selectors.towns()]
    return [
        {
            "variable": True,
            "code": "appeal_type",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": "缺省为投诉（complaint）",
            "order": 1,
            "description": "诉求类型",
            "values": kinds,
        },
        {
            "variable": True,
            "code": "town",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": "镇（街道）区划代码",
            "order": 2,
            "description": "诉求发生地所在镇（街道）",
            "values": towns,
        },
        {
            "variable": True,
            "code": "public",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": "true 表示同意在“有问必应、接诉即办”专栏公开（个人信息脱敏）",
            "order": 3,
            "description": "是否同意公开",
            "values": [{"key": "true", "name": "同意公开"}, {"key": "false", "name": "不公开"}],
        },
    ]


@require_GET
def service_definition(request, code: str, fmt: str):
    category = selectors.categories().filter(code=code).first()
    if category is None:
        return error(fmt, 404, f"service_code {code} not found")
    return render({"service_code": category.code, "attributes": _attributes()}, fmt, "service_definition")


def _coordinate(value) -> float | None:
    return round(float(value), COORD_DECIMALS) if value is not None else None


def _request(appeal: Appeal, *, with_text: bool) -> dict:
    deadline = selectors.deadlines.reply_deadline(appeal)
    expected = None
    if deadline is not None:
        expected = deadline.due_at or timezone.make_aware(dt.datetime.combine(deadline.due_on, dt.time(23, 59, 59)))
    notes = str(appeal.get_state_display())
    if appeal.state == Appeal.State.DECLINED:
        notes = f"{notes}：{appeal.decline_advice}"
    elif appeal.state == Appeal.State.MERGED and appeal.merged_into_id:
        notes = f"{notes}（与 {appeal.merged_into.code} 合并办理）"
    reply = selectors.public_reply(appeal)
    if reply is not None and with_text:
        notes = f"{notes}：{redact_text(reply.content)}"
    return {
        "service_request_id": appeal.code,
        "status": "closed" if appeal.state in CLOSED_STATES else "open",
        "status_notes": notes,
        "service_name": appeal.category.name if appeal.category_id else None,
        "service_code": appeal.category.code if appeal.category_id else None,
        "description": redact_text(appeal.content) if with_text else None,
        "agency_responsible": appeal.lead_department.name if appeal.lead_department_id else None,
        "service_notice": None,
        "requested_datetime": _iso(appeal.received_at),
        "updated_datetime": _iso(appeal.updated_at),
        "expected_datetime": _iso(expected),
        # Town/village only: the typed street/house address can identify the person.
        "address": " ".join(
            p
            for p in [
                appeal.town.name if with_text and appeal.town_id else "",
                appeal.village.name if with_text and appeal.village_id else "",
            ]
            if p
        )
        or None,
        "address_id": None,
        "zipcode": "722300",
        "lat": _coordinate(appeal.latitude) if with_text else None,
        "long": _coordinate(appeal.longitude) if with_text else None,
        "media_url": None,
    }


def _parse_datetime(value: str | None):
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        raise ValueError(value)
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _list_requests(request, fmt: str) -> HttpResponse:
    qs = Appeal.objects.filter(public_consent=True).select_related(
        "category", "town", "village", "lead_department", "handling_clock", "merged_into"
    )
    ids = [i.strip() for i in request.GET.get("service_request_id", "").split(",") if i.strip()]
    if len(ids) > MAX_IDS:
        return error(fmt, 400, f"at most {MAX_IDS} service_request_id values per request")
    if ids:
        refused = _rate_limited(request, fmt, None)  # asking by ids counts per address
        if refused is not None:
            return refused
        # Same consent filter as the list: asking by id must not reveal unpublished appeals.
        qs = qs.filter(code__in=ids)
    else:
        try:
            start = _parse_datetime(request.GET.get("start_date"))
            end = _parse_datetime(request.GET.get("end_date"))
        except ValueError as bad:
            return error(fmt, 400, f"start_date/end_date must be w3c datetimes: {bad}")
        end = end or timezone.now()
        start = start or end - dt.timedelta(days=DEFAULT_WINDOW_DAYS)
        qs = qs.filter(received_at__gte=start, received_at__lte=end)
        if request.GET.get("service_code"):
            qs = qs.filter(category__code__in=request.GET["service_code"].split(","))
        status = request.GET.get("status")
        if status == "closed":
            qs = qs.filter(state__in=CLOSED_STATES)
        elif status == "open":
            qs = qs.exclude(state__in=CLOSED_STATES)
        elif status:
            return error(fmt, 400, "status must be open or closed")
    rows = [_request(a, with_text=a.public_consent) for a in qs.order_by("-received_at")[:MAX_REQUESTS]]
    return render(rows, fmt, "service_requests")


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "y", "on"}


def _create_request(request, fmt: str) -> HttpResponse:
    data = request.POST
    keys = conf("OPEN311_API_KEYS")
    if keys and data.get("api_key") not in keys:
        return error(fmt, 403, "Invalid api_key received -- can't proceed with create_request.")
    jurisdiction = data.get("jurisdiction_id")
    if jurisdiction and jurisdiction != conf("OPEN311_JURISDICTION"):
        return error(fmt, 404, f"jurisdiction_id {jurisdiction} not found")
    code = data.get("service_code", "").strip()
    if not code:
        return error(fmt, 400, "service_code is required")
    category = selectors.categories().filter(code=code).first()
    if category is None:
        return error(fmt, 404, f"service_code {code} not found")
    has_point = data.get("lat") and data.get("long")
    if not (has_point or data.get("address_string") or data.get("address_id")):
        return error(fmt, 400, "a location is required: lat & long, address_string or address_id")
    try:
        latitude = round(float(data["lat"]), 6) if has_point else None
        longitude = round(float(data["long"]), 6) if has_point else None
    except ValueError:
        return error(fmt, 400, "lat and long must be numbers")
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return error(fmt, 400, "lat/long out of range")
    kind = data.get("attribute[appeal_type]") or Appeal.Kind.COMPLAINT
    town = None
    if data.get("attribute[town]"):
        town = Region.objects.filter(code=data["attribute[town]"], level=Region.Level.TOWN).first()
        if town is None:
            return error(fmt, 400, f"attribute[town] {data['attribute[town]']} is not a town code")
    description = (data.get("description") or "").strip()
    name = f"{data.get('last_name', '').strip()}{data.get('first_name', '').strip()}"
    phone = (data.get("phone") or "").strip()
    try:
        appeal = services.appeal_submit(
            channel=Appeal.Channel.API,
            kind=kind,
            title=(description.splitlines()[0][:30] if description else category.name) or category.name,
            content=description,
            actor=None,  # no session identity without CSRF protection
            town=town,
            address=data.get("address_string", ""),
            latitude=latitude,
            longitude=longitude,
            anonymous=not (name and phone),
            contact_name=name,
            contact_phone=phone,
            contact_email=data.get("email", ""),
            public_consent=_truthy(data.get("attribute[public]")),
            category=category,
            confirm_not_emergency=_truthy(data.get("attribute[not_emergency]")),
        )
    except ApplicationError as refused:
        return error(fmt, refused.status if refused.status != 409 else 400, f"{refused.code}: {refused.message}")
    notice = f"诉求已受理，受理编号 {appeal.code}，可在“有问必应、接诉即办”专栏查询办理进度。"
    return render(
        [{"service_request_id": appeal.code, "service_notice": notice, "account_id": None}],
        fmt,
        "service_requests",
        status=201,
    )


@csrf_exempt  # Open311 clients post without a session or CSRF cookie; the POST acts as no user.
@require_http_methods(["GET", "POST"])
@idempotent(deduplicate=True)
def requests_collection(request, fmt: str):
    if request.method == "POST":
        return _create_request(request, fmt)
    return _list_requests(request, fmt)


def _rate_limited(request, fmt: str, target: str | None) -> HttpResponse | None:
    """The spec's error list with 429 when this address or this code is tried too often."""
    try:
        rate_limit(request, "open311.request", target=target)
    except RateLimited as refused:
        response = error(fmt, 429, refused.message)
        response["Retry-After"] = str(refused.retry_after)
        return response
    return None


@require_GET
def request_detail(request, request_id: str, fmt: str):
    refused = _rate_limited(request, fmt, request_id.strip().upper()[:20])
    if refused is not None:
        return refused
    appeal = selectors.appeal_track(code=request_id)
    if appeal is None:
        return error(fmt, 404, f"service_request_id {request_id} not found")
    return render([_request(appeal, with_text=appeal.public_consent)], fmt, "service_requests")
