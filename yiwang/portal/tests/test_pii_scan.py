"""PII scan: crawl every page and API response reachable signed out, on a small demo-like dataset
with disguised phone and ID numbers planted in appeal texts, replies and application forms, and
find no phone or ID number in clear (detected with the same normaliser that masks them).

Public = reachable signed out: the home page, the catalog and its guides, the halls, the hotline's
public column with its list and search, appeal tracking, case status, Open311 and every API GET
operation that answers without a session. Pages are found from the URL patterns without arguments,
the links of every page crawled, and the codes of the planted data for the lookups.
"""

import html
import json
import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver

from yiwang.cases import services as case_services
from yiwang.cases.models import ApplicantKind
from yiwang.cases.services import ApplicantInput
from yiwang.cases.tests.factories import elements, publish
from yiwang.core.pii import find_numbers, normalize_text
from yiwang.hotline import services as hotline_services
from yiwang.hotline.models import Appeal, Category, CategoryDepartmentMapping
from yiwang.workdays.seeding import seed_official_calendar

pytestmark = pytest.mark.django_db

# The numbers planted, and how they are written (every kind of disguise the masking must see through).
PLANTED = {
    "13991755555": "1 3 9 9 1 7 5 5 5 5 5",
    "13700001111": "137\u200b0000\u200d1111",
    "18629171234": "+86（186）2917—1234",
    "15809173333": "１５８＿０９１７／３３３３",
    "610326199001011234": "610326 19900101 1234",
    "61032619850505421X": "6103·2619·8505·0542·1X",
    "13891712345": "13891712345",  # the citizen's own phone (contact column and profile)
    "61032619680312042X": "61032619680312042X",  # the applicant's ID number
}
SKIP_PREFIXES = ("/admin/", "/static/", "/media/", "/i18n/", "/logout/", "/api/docs")
MAX_PAGES = 400


@pytest.fixture
def planted(meixian, dept_a, dept_b, dispatcher, handler_a, citizen, admin_user):
    seed_official_calendar()
    roads = Category.objects.create(code="rural-roads", name="农村道路", group="交通运输", keywords="道路,坑洼")
    CategoryDepartmentMapping.objects.create(category=roads, department=dept_a)
    disguised = list(PLANTED.values())
    codes = []
    for i, (consent, anonymous) in enumerate([(True, False), (True, True), (False, False), (True, False)]):
        appeal = hotline_services.appeal_submit(
            channel=Appeal.Channel.PHONE,
            kind=Appeal.Kind.COMPLAINT,
            title=f"村道坑洼 联系{disguised[i]}",
            content=f"营头镇红河谷村道路坑洼积水，请回电 {disguised[i + 1]}，身份证 {disguised[4 + i % 2]}。",
            town=meixian.yingtou,
            anonymous=anonymous,
            contact_name="" if anonymous else "张建国",
            contact_phone="13891712345",
            public_consent=consent,
            actor=dispatcher,
        )
        appeal = hotline_services.appeal_dispatch(appeal=appeal, department=dept_a, actor=dispatcher, category=roads)
        appeal = hotline_services.appeal_sign_off(appeal=appeal, actor=handler_a)
        hotline_services.appeal_reply(
            appeal=appeal,
            content=f"已安排施工队修补路面，如有问题请联系王工 {disguised[(i + 2) % 4]} 或 {disguised[5]}。",
            actor=handler_a,
        )
        codes.append(appeal.code)
    item = publish(admin_user, elements("610326-XK-0001", "食品经营许可（新办）", dept_a))[0]
    applicant = ApplicantInput(
        kind=ApplicantKind.PERSON, name="王秀兰", id_number="61032619680312042X", phone="13891712345", user=citizen
    )
    case = case_services.case_submit(
        actor=citizen,
        applicant=applicant,
        item=item,
        form_data={"applicant_address": f"眉县首善街道东关社区，电话 {disguised[2]}，身份证 {disguised[5]}"},
    )
    return {"appeals": codes, "case": case, "item": item}


def _plain_paths() -> list[str]:
    """Every URL pattern without arguments, as a path."""
    paths = []

    def walk(patterns, prefix):
        for entry in patterns:
            route = str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + route)
            elif isinstance(entry, URLPattern) and "<" not in route and not route.startswith("^"):
                paths.append("/" + (prefix + route).lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns, "")
    return paths


def _texts(response) -> str:
    content_type = response.get("Content-Type", "")
    body = response.content.decode("utf-8", errors="replace")
    if "json" in content_type:
        strings = []

        def collect(value):
            if isinstance(value, str):
                strings.append(value)
            elif isinstance(value, dict):
                for key, item in value.items():
                    collect(key)
                    collect(item)
            elif isinstance(value, list):
                for item in value:
                    collect(item)

        collect(json.loads(body))
        return "\n".join(strings)
    return html.unescape(body)


def _leaks(text: str) -> list[str]:
    found = [f"{n.kind}:{n.digits}" for n in find_numbers(text) if n.kind in ("phone", "id")]
    digits = re.sub(r"[^0-9X]", "", normalize_text(text)[0].upper())
    found += [f"planted:{number}" for number in PLANTED if number in digits]
    return found


def test_no_public_page_or_api_response_shows_a_phone_or_id_number(client, planted):
    case = planted["case"]
    seeds = [p for p in _plain_paths() if not p.startswith(SKIP_PREFIXES)]
    seeds += [f"/hotline/track/?code={code}" for code in planted["appeals"]]
    seeds += [f"/hotline/track/?code={code}&phone_last4=2345" for code in planted["appeals"]]
    seeds += ["/hotline/public/?q=坑洼", "/hotline/public/?q=138", "/hotline/?q=坑洼"]
    seeds += [f"/cases/status/?number={case.number}&code={case.verification_code}"]
    seeds += [f"/api/cases/status?number={case.number}&code={case.verification_code}"]
    seeds += [f"/open311/v2/requests/{code}.json" for code in planted["appeals"]]
    seeds += [f"/open311/v2/requests/{code}.xml" for code in planted["appeals"]]
    seeds += ["/open311/v2/requests.json", "/open311/v2/requests.xml", "/open311/v2/services.json"]
    seeds += [f"/services/items/{planted['item'].code}/"]
    spec = client.get("/api/openapi.json").json()
    for path, operations in spec["paths"].items():
        if "get" in operations and "{" not in path:
            seeds.append(path)
        elif "get" in operations and path.endswith("{code}"):
            seeds += [path.replace("{code}", code) for code in planted["appeals"]]

    seen, queue, crawled, leaks = set(), deque(seeds), 0, {}
    while queue and crawled < MAX_PAGES:
        url = urldefrag(queue.popleft())[0]
        if url in seen or url.startswith(SKIP_PREFIXES) or not url.startswith("/"):
            continue
        seen.add(url)
        cache.clear()  # the per-IP limits on public lookups must not hide a page from the scan
        response = client.get(url)
        crawled += 1
        if response.status_code != 200 or response.get("Content-Type", "").startswith(("application/pdf", "image/")):
            continue
        if response.get("Content-Type", "").startswith(("application/vnd", "application/octet")):
            continue
        text = _texts(response)
        if found := _leaks(text):
            leaks[url] = found
        if "html" in response.get("Content-Type", ""):
            for href in re.findall(r'href="([^"]+)"', response.content.decode("utf-8", errors="replace")):
                href = html.unescape(href)
                if href.startswith("/") and not href.startswith("//") and urlsplit(href).path not in {"/logout/"}:
                    queue.append(href)

    assert leaks == {}, leaks
    assert crawled > 40, f"the crawl reached only {crawled} pages"
    # The planted appeals really are on the public column and Open311 (the scan saw them, masked).
    public = client.get("/hotline/public/").content.decode()
    assert "139****5555" in public and "6103**********1234" in public
    assert "****" in client.get(f"/open311/v2/requests/{planted['appeals'][0]}.json").content.decode()
