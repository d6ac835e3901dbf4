"""Kiosk receipts need the ID number *and* the name; case numbers alone open nothing public."""

import re

import pytest
from django.urls import get_resolver

from yiwang.cases import services
from yiwang.cases.models import Case

from ..factories import CITIZEN_ID

pytestmark = pytest.mark.django_db


def _identify(client, id_number=CITIZEN_ID, name="王秀兰", ip="127.0.0.1"):
    return client.post("/cases/kiosk/identify/", {"id_number": id_number, "name": name}, REMOTE_ADDR=ip)


@pytest.fixture
def case(citizen, person, food_item):
    return services.case_submit(
        actor=citizen, applicant=person, item=food_item, form_data={"applicant_address": "东关社区"}
    )


def test_the_receipt_refuses_the_right_id_number_with_another_name(client, case):
    _identify(client, name="王秀")

    page = client.get(f"/cases/kiosk/receipt/{case.number}/")
    printed = client.post(f"/cases/kiosk/receipt/{case.number}/print/")

    assert page.status_code == 404 and printed.status_code == 404
    assert case.verification_code not in page.content.decode()
    assert "没有查到您的办件" in client.get("/cases/kiosk/cases/").content.decode()


def test_the_receipt_shows_the_query_code_when_both_match(client, case):
    _identify(client)
    html = client.get(f"/cases/kiosk/receipt/{case.number}/").content.decode()
    assert case.verification_code in html and case.number in html


def test_the_receipt_needs_an_identified_person(client, case):
    response = client.get(f"/cases/kiosk/receipt/{case.number}/")
    assert response.status_code == 404
    assert case.verification_code not in response.content.decode()


def test_the_receipt_does_not_open_a_bundle_part_by_its_number(client, case):
    part = Case.objects.create(
        **{
            f.name: getattr(case, f.name)
            for f in Case._meta.concrete_fields
            if f.name not in ("id", "number", "verification_code", "parent")
        },
        number=case.number + "-1",
        verification_code="PARTCODE",
        parent=case,
    )
    _identify(client)
    response = client.get(f"/cases/kiosk/receipt/{part.number}/")
    assert response.status_code == 404 and "PARTCODE" not in response.content.decode()


def _number_urls() -> list[str]:
    """Every page of the cases app whose address takes a case number."""
    found = []
    for pattern in get_resolver().url_patterns:
        if getattr(pattern, "app_name", None) == "cases":
            for sub in pattern.url_patterns:
                if "<str:number>" in str(sub.pattern):
                    found.append(str(sub.pattern))
    return found


def test_nothing_public_is_reachable_by_a_case_number_alone(client, django_user_model, case):
    paths = _number_urls()
    assert len(paths) >= 5  # mine, counter, handling, delivery, kiosk receipt…
    stranger = django_user_model.objects.create_user(username="stranger", password="x")
    for who in (None, stranger):
        client.logout()
        if who:
            client.force_login(who)
        for pattern in paths:
            url = "/cases/" + re.sub(r"<str:number>", case.number, pattern)
            for response in (client.get(url), client.post(url)):
                body = response.content.decode(errors="replace")
                assert response.status_code in (302, 403, 404, 405), (url, response.status_code)
                assert case.verification_code not in body and "王秀兰" not in body, url
        api = client.get(f"/api/cases/cases/{case.number}")
        assert api.status_code in (401, 403, 404)
        assert case.verification_code not in api.content.decode()
        status = client.get(f"/cases/status/?number={case.number}&code=")
        assert case.title not in status.content.decode() or "没有找到" in status.content.decode()


LIMITS = {"cases.kiosk_identify": {"ip": "5/10m", "target": "3/10m"}, "cases.kiosk_receipt": {"ip": "4/10m"}}


def test_identification_is_refused_at_the_fourth_try_of_one_id_number(client, settings, case):
    settings.YIWANG_RATELIMITS = LIMITS
    for name in ["甲", "乙", "丙"]:
        assert _identify(client, name=name).status_code == 302
    refused = _identify(client)
    assert refused.status_code == 429 and "操作过于频繁" in refused.content.decode()
    # Another ID number from the same terminal is still served.
    import datetime as dt

    from yiwang.core.identifiers import make_id_number

    assert (
        _identify(client, id_number=make_id_number("610326", dt.date(1990, 1, 1), "011"), name="赵").status_code == 302
    )


def test_identification_is_refused_at_the_sixth_try_from_one_terminal(client, settings, db):
    import datetime as dt

    from yiwang.core.identifiers import make_id_number

    settings.YIWANG_RATELIMITS = LIMITS
    settings.YIWANG_CASES = {"KIOSK_ALLOWED_IPS": ["127.0.0.1", "10.0.0.2"]}
    numbers = [make_id_number("610326", dt.date(1990, 1, n), "011") for n in range(1, 7)]
    assert [_identify(client, id_number=n, name="赵").status_code for n in numbers[:5]] == [302] * 5
    assert _identify(client, id_number=numbers[5], name="赵").status_code == 429
    assert _identify(client, id_number=numbers[5], name="赵", ip="10.0.0.2").status_code == 302


def test_receipts_are_refused_past_the_limit(client, settings, case):
    settings.YIWANG_RATELIMITS = LIMITS
    _identify(client)
    codes = [client.get(f"/cases/kiosk/receipt/{case.number}/").status_code for _ in range(5)]
    assert codes == [200] * 4 + [429]
