"""The access matrix: every endpoint that takes an object identifier × every role, allowed or refused as
the scope says (``yiwang.org.scoping``), web pages and API alike.

The endpoints come from the registries (Django's URL resolver, which also carries every django-ninja
operation); each must have a row in ``MATRIX``, so a new endpoint without one fails the test. A row
names the method and the rule: an action of the scope with the object it is anchored on, the owner of
the object, public, or the admin site. Each request runs in a savepoint that is rolled back, so every
role meets the same objects. *Refused* is 401/403/404 or a redirect to the sign-in page; anything
else (200, 201, a redirect elsewhere, 400/409/422 from the rules after the gate) got past the gate;
a 500 fails the test.

Driven by every role today: every case and appeal endpoint (pages, API, Open311). The rows of the
catalog, kiosk, notice, inbox and admin endpoints keep the table complete but are not yet requested
(their objects are not built here); ``_checked`` says which rows run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from yiwang.cases import services as case_services
from yiwang.cases.models import ApplicantKind, Notice
from yiwang.cases.services import ApplicantInput
from yiwang.cases.tests.factories import CITIZEN_ID, elements, pdf_file, publish
from yiwang.core.models import InboxMessage
from yiwang.hotline import services as hotline_services
from yiwang.hotline.models import Appeal, Category, CategoryDepartmentMapping
from yiwang.org.models import Role, ServiceHall
from yiwang.org.scoping import scope_for
from yiwang.org.tests.factories import MembershipFactory, ServiceHallFactory, UserFactory, WindowFactory
from yiwang.workdays.seeding import seed_official_calendar

pytestmark = pytest.mark.django_db

IDENTIFIER = re.compile(r"<(?:[a-z]+:)?[a-z_]+>|\(\?P<")


@dataclass(frozen=True)
class Rule:
    kind: str  # "action", "owner", "public", "admin", "kiosk"
    action: str = ""
    on: str = ""  # the object the action is anchored on: "case_hall", "case_department", "appeal", "item"


def act(action: str, on: str) -> Rule:
    return Rule("action", action, on)


PUBLIC, OWNER, ADMIN, KIOSK = Rule("public"), Rule("owner"), Rule("admin"), Rule("kiosk")

# route (as the resolver spells it) → (method, rule). Admin-site routes share one prefix row.
MATRIX: dict[str, tuple[str, Rule]] = {
    # catalog: public guides
    "services/items/<str:code>/": ("GET", PUBLIC),
    "services/items/<str:code>/guide.pdf": ("GET", PUBLIC),
    "services/items/<str:code>/qr.svg": ("GET", PUBLIC),
    "services/items/<str:code>/form.pdf": ("GET", PUBLIC),
    "services/items/<str:code>/v<int:number>/": ("GET", PUBLIC),
    "services/bundles/<slug:code>/": ("GET", PUBLIC),
    "services/staff/items/<str:code>/": ("GET", act("catalog.workspace", "platform")),
    "services/staff/items/<str:code>/propose/": ("GET", act("catalog.propose", "item")),
    "services/staff/items/<str:code>/withdraw/": ("POST", act("catalog.withdraw", "item")),
    "services/staff/reviews/<int:pk>/": ("GET", act("catalog.review", "review")),
    "services/staff/changes/<int:pk>/cancel/": ("POST", act("catalog.propose", "change")),
    "cases/guide/<slug:slug>/": ("GET", PUBLIC),
    # cases: the applicant's pages
    "cases/apply/<str:kind>/<str:code>/": ("GET", act("case.apply", "platform")),
    "cases/mine/<str:number>/": ("GET", OWNER),
    "cases/mine/<str:number>/upload/": ("POST", OWNER),
    "cases/mine/<str:number>/supplied/": ("POST", OWNER),
    "cases/mine/<str:number>/withdraw/": ("POST", OWNER),
    "cases/notices/<int:pk>.pdf": ("GET", OWNER),
    "cases/kiosk/apply/<str:code>/": ("GET", KIOSK),
    "cases/kiosk/receipt/<str:number>/": ("GET", KIOSK),
    "cases/kiosk/receipt/<str:number>/print/": ("POST", KIOSK),
    # cases: window, handling
    "cases/counter/new/<str:kind>/<str:code>/": ("GET", act("case.intake", "hall")),
    "cases/counter/case/<str:number>/": ("GET", act("case.accept", "case_hall")),
    "cases/counter/delivery/<str:number>/": ("POST", act("case.deliver", "case_hall")),
    "cases/handling/case/<str:number>/": ("GET", act("case.review", "case_department")),
    # hotline pages
    "hotline/staff/appeals/<str:code>/": ("GET", act("appeal.read", "appeal")),
    "hotline/staff/appeals/<str:code>/<str:action>/": ("POST", act("appeal.sign_off", "appeal")),
    "hotline/staff/unresolved/<str:code>/resolve/": ("POST", act("unresolved.handle", "unresolved")),
    # Open311: public by the GeoReport spec, without personal data
    "open311/v2/services/<slug:code>.<open311fmt:fmt>": ("GET", PUBLIC),
    "open311/v2/requests/<str:request_id>.<open311fmt:fmt>": ("GET", PUBLIC),
    "inbox/<int:message_id>/read/": ("POST", OWNER),
    # API: catalog
    "api/catalog/items/<code>": ("GET", PUBLIC),
    "api/catalog/items/<code>/versions/<number>": ("GET", PUBLIC),
    "api/catalog/bundles/<code>": ("GET", PUBLIC),
    "api/catalog/changes/<pk>/approve": ("POST", act("catalog.review", "change")),
    "api/catalog/changes/<pk>/reject": ("POST", act("catalog.review", "change")),
    # API: cases
    "api/cases/cases/<number>": ("GET", Rule("case_read")),
    "api/cases/cases/<number>/materials/<code>": ("POST", Rule("case_upload")),
    "api/cases/cases/<number>/accept": ("POST", act("case.accept", "case_hall")),
    "api/cases/cases/<number>/correction": ("POST", act("case.accept", "case_hall")),
    "api/cases/cases/<number>/correction/supplied": ("POST", Rule("case_read")),
    "api/cases/cases/<number>/reject": ("POST", act("case.accept", "case_hall")),
    "api/cases/cases/<number>/assign": ("POST", act("case.review", "case_department")),
    "api/cases/cases/<number>/steps/complete": ("POST", act("case.review", "case_department")),
    "api/cases/cases/<number>/pause": ("POST", act("case.pause", "case_department")),
    "api/cases/cases/<number>/resume": ("POST", act("case.pause", "case_department")),
    "api/cases/cases/<number>/extension": ("POST", act("case.extend", "case_department")),
    "api/cases/cases/<number>/decision": ("POST", act("case.decide", "case_department")),
    "api/cases/cases/<number>/delivery": ("POST", act("case.deliver", "case_hall")),
    # API: hotline
    "api/hotline/appeals/<code>": ("GET", act("appeal.read", "appeal")),
    "api/hotline/appeals/<code>/similar": ("GET", act("appeal.dispatch", "appeal")),
    "api/hotline/appeals/<code>/dispatch": ("POST", act("appeal.dispatch", "appeal")),
    "api/hotline/appeals/<code>/sign-off": ("POST", act("appeal.sign_off", "appeal")),
    "api/hotline/appeals/<code>/return": ("POST", act("appeal.return", "appeal")),
    "api/hotline/returns/<return_id>/decision": ("POST", act("appeal.approve_return", "appeal")),
    "api/hotline/appeals/<code>/extensions": ("POST", act("appeal.request_extension", "appeal")),
    "api/hotline/extensions/<extension_id>/decision": ("POST", act("appeal.approve_extension", "appeal")),
    "api/hotline/appeals/<code>/reply": ("POST", act("appeal.reply", "appeal")),
    "api/hotline/appeals/<code>/revisit": ("POST", act("appeal.revisit", "appeal")),
    "api/hotline/appeals/<code>/merge": ("POST", act("appeal.dispatch", "appeal")),
    "api/hotline/appeals/<code>/decline": ("POST", act("appeal.intake", "appeal")),
    "api/hotline/appeals/<code>/answer": ("POST", act("appeal.intake", "appeal")),
}
ADMIN_PREFIX = "admin/"

# A body that passes each operation's schema, so the request reaches the gate behind it.
BODIES = {
    "correction": {"entries": [{"code": "M01", "problem": "missing"}]},
    "reject": {"reason": "不属于本机关职权范围", "legal_basis": "《行政许可法》第三十二条"},
    "steps/complete": {"opinion": "材料齐全，同意"},
    "pause": {"kind": "expert_review", "reason": "需要专家评审"},
    "extension": {"reason": "情况复杂，需要延长期限"},
    # a case's decision and the 12345 centre's decision on a return or an extension share the suffix
    "decision": {"outcome": "approved", "reasons": "符合条件", "approve": False, "note": "不同意"},
    "dispatch": {"department": "admin-approval"},
    "return": {"reason": "不属于本部门职责范围"},
    "extensions": {"days": 2, "reason": "需要协调施工队排期"},
    "reply": {"content": "已安排施工队于本周内修补坑洼路段，感谢反映。"},
    "revisit": {"resolved": True, "satisfaction": 5},
    "merge": {"into": "OTHER_APPEAL"},
    "decline": {"reason": "不属于受理范围"},
    "answer": {"content": "您好，通村路养护由县交通运输局负责，已转告。"},
}

# Mismatches the matrix found that belong to other findings of the same review; each must be fixed
# there and then removed here (the test fails when one of them no longer happens).
KNOWN = {
    # Not a scope question: the department's handler may deliver by post or electronically, but the
    # matrix posts a window pickup, which only a clerk hands out (403 case.not_a_clerk).
    ("api/cases/cases/<number>/delivery", "handler_a"),
    # Not a scope question: the case is not awaiting delivery, so the window's delivery queue finds it
    # not (404) for the clerk of its own hall too.
    ("cases/counter/delivery/<str:number>/", "clerk_x"),
}


def _routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and IDENTIFIER.search(route):
            yield route


OBJECT_ROUTES = sorted(set(_routes()))


def test_every_object_endpoint_has_a_matrix_row():
    missing = [r for r in OBJECT_ROUTES if r not in MATRIX and not r.startswith(ADMIN_PREFIX)]
    assert not missing, f"endpoints without a row in the access matrix: {missing}"
    stale = sorted(set(MATRIX) - set(OBJECT_ROUTES))
    assert not stale, f"matrix rows for endpoints that no longer exist: {stale}"


# --- the roles and one object of each kind ---------------------------------------------------------

ROLES = (
    "anonymous",
    "citizen_a",
    "citizen_b",
    "clerk_x",
    "clerk_y",
    "town_clerk",
    "handler_a",
    "handler_b",
    "dispatcher",
    "inspector",
    "supervisor",
    "leader",
)


def _user(username, role, **anchors):
    user = UserFactory(username=username, display_name=username)
    MembershipFactory(user=user, role=role, **anchors)
    return user


@pytest.fixture
def world(
    meixian,
    county_hall,
    town_hall,
    dept_a,
    dept_b,
    citizen,
    clerk,
    handler_a,
    handler_b,
    dispatcher,
    inspector,
    supervisor,
    leader,
    admin_user,
):
    seed_official_calendar()
    hall_y = ServiceHallFactory(name="眉县不动产登记中心", kind=ServiceHall.Kind.COUNTY_HALL, region=meixian.county)
    WindowFactory(hall=hall_y, number=1, label="1号 综合受理窗口")
    town_window = town_hall.windows.get(number=1)
    users = {
        "citizen_a": citizen,
        "citizen_b": _user("citizen_b", Role.CITIZEN),
        "clerk_x": clerk,
        "clerk_y": _user("clerk_y", Role.CLERK, hall=hall_y, window=hall_y.windows.get()),
        "town_clerk": _user("town_clerk", Role.CLERK, hall=town_hall, window=town_window),
        "handler_a": handler_a,
        "handler_b": handler_b,
        "dispatcher": dispatcher,
        "inspector": inspector,
        "supervisor": supervisor,
        "leader": leader,
    }
    item = publish(admin_user, elements("610326-XK-0001", "食品经营许可（新办）", dept_a))[0]
    applicant = ApplicantInput(kind=ApplicantKind.PERSON, name="王秀兰", id_number=CITIZEN_ID, phone="13891712345")
    case = case_services.case_submit(
        actor=citizen, applicant=applicant, item=item, form_data={"applicant_address": "眉县首善街道东关社区"}
    )
    case = case_services.case_accept(case=case, actor=clerk, received=("M01", "M02", "M03", "M04"))
    roads = Category.objects.create(code="rural-roads", name="农村道路", group="交通运输", keywords="道路")
    CategoryDepartmentMapping.objects.create(category=roads, department=dept_a)

    def appeal(title):
        submitted = hotline_services.appeal_submit(
            actor=citizen,
            channel=Appeal.Channel.API,
            kind=Appeal.Kind.COMPLAINT,
            title=title,
            content="红河谷村到营头镇的通村路多处坑洼，下雨积水，车辆通行困难。",
            contact_name="王秀兰",
            contact_phone="13891712345",
            town=meixian.yingtou,
        )
        return hotline_services.appeal_dispatch(appeal=submitted, department=dept_a, actor=dispatcher, category=roads)

    main = appeal("红河谷村通村路坑洼")
    returned = hotline_services.appeal_return(
        appeal=appeal("营头镇路灯不亮"), reason="路灯归镇政府管理，不属本部门职责", actor=handler_a
    )
    extended_appeal = hotline_services.appeal_sign_off(appeal=appeal("槐芽村道路积水"), actor=handler_a)
    extension = hotline_services.appeal_extension_request(
        appeal=extended_appeal, days=3, reason="需要协调施工队排期", actor=handler_a
    )
    return {
        "users": users,
        "item": item,
        "case": case,
        "appeal": Appeal.objects.get(pk=main.pk),
        "return": returned,
        "other_appeal": appeal("营头镇红河谷村道路坑洼"),
        "extension": extension,
        "notice": Notice.objects.filter(case=case).first(),
        "message": InboxMessage.objects.filter(user=citizen).first(),
    }


def _url(route: str, world) -> str:
    values = {
        "code": world["item"].code,
        "number": world["case"].number,
        "kind": "item",
        "slug": "kai-fandian",
        "fmt": "json",
        "request_id": world["appeal"].code,
        "action": "sign_off",
        "return_id": str(world["return"].pk),
        "extension_id": str(world["extension"].pk),
        "pk": str(world["notice"].pk if world["notice"] else 0),
        "message_id": str(world["message"].pk if world["message"] else 0),
    }
    if "appeals/" in route or route.startswith("open311/"):
        values["code"] = world["appeal"].code
    if "/materials/" in route:
        values["code"] = "M05"
    if "services/items/" in route and "v<int:number>" in route or "versions/<number>" in route:
        url = route.replace("<int:number>", "1").replace("<number>", "1")
        route = url
    if "open311/v2/services/" in route:
        values["code"] = "rural-roads"

    def fill(match):
        name = match.group(0).strip("<>").split(":")[-1]
        return values[name]

    return "/" + re.sub(r"<[^>]+>", fill, route)


def _expected(rule: Rule, role: str, world) -> bool:
    user = world["users"].get(role)
    if rule.kind == "public":
        return True
    if user is None:
        return False
    if rule.kind == "owner":
        return role == "citizen_a"
    if rule.kind == "case_read":  # the applicant, or a reader of the case where it is
        case = world["case"]
        scope = scope_for(user)
        return (
            role == "citizen_a"
            or scope.can("case.read", department=case.department)
            or scope.can("case.read", region=case.region, hall=case.hall)
        )
    if rule.kind == "case_upload":  # the applicant, or the window where the case was taken in
        case = world["case"]
        return role == "citizen_a" or scope_for(user).can("case.accept", region=case.region, hall=case.hall)
    scope = scope_for(user)
    case, appeal = world["case"], world["appeal"]
    where = {
        "case_hall": {"region": case.region, "hall": case.hall},
        "case_department": {"department": case.department},
        "appeal": {"department": appeal.lead_department, "region": appeal.region},
    }[rule.on]
    if rule.on == "appeal" and not scope.can("appeal.read", **where):
        return False  # an appeal outside the reading scope is not found, whatever the action
    return scope.can(rule.action, **where)


def _refused(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    return response.status_code == 302 and "/login/" in response.get("Location", "")


CHECKED = {"public", "owner", "case_read", "case_upload", "action"}
CHECKED_ON = {"case_hall", "case_department", "appeal"}


def _checked(route: str, rule: Rule) -> bool:
    if rule.kind not in CHECKED or (rule.kind == "action" and rule.on not in CHECKED_ON):
        return False
    return route.startswith(("cases/", "api/cases/", "hotline/staff/appeals/", "api/hotline/", "open311/"))


def test_every_role_meets_the_scope_on_every_case_and_appeal_endpoint(world):
    clients = {"anonymous": Client(raise_request_exception=False)}
    for role, user in world["users"].items():
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(user)
    mismatches, errors, resolved = [], [], []
    for route, (method, rule) in MATRIX.items():
        if not _checked(route, rule) or rule.kind == "owner" and "notices" in route:
            continue
        url = _url(route, world)
        for role in ROLES:
            with transaction.atomic():
                if method == "GET":
                    response = clients[role].get(url)
                else:
                    body = next((b for suffix, b in BODIES.items() if route.endswith("/" + suffix)), {})
                    data = json.dumps(body).replace("OTHER_APPEAL", world["other_appeal"].code)
                    if "/materials/" in route:
                        response = clients[role].post(url, {"file": pdf_file("补充材料.pdf")})
                    else:
                        response = clients[role].post(url, data, content_type="application/json")
                transaction.set_rollback(True)
            if response.status_code >= 500:
                problem = (route, role, response.status_code)
            else:
                allowed = not _refused(response)
                problem = None
                if allowed != _expected(rule, role, world):
                    problem = (url, method, role, response.status_code, "allowed" if allowed else "refused")
            if (route, role) in KNOWN:
                if problem is None:
                    resolved.append((route, role))
            elif problem is not None:
                (errors if len(problem) == 3 else mismatches).append(problem)
    assert not resolved, f"fixed — remove these from KNOWN: {resolved}"
    assert not mismatches, "\n".join(map(str, mismatches))
    assert not errors, errors
