"""The kiosk serves registered terminals only and keeps no ID number in the session."""

import datetime as dt

import pytest
from django.test import override_settings

from yiwang.cases import services
from yiwang.cases.models import Case
from yiwang.cases.views.kiosk import SESSION_KEY
from yiwang.core.identifiers import make_id_number
from yiwang.core.pii import mask_id_number, pii_lookup_hash

from ..factories import CITIZEN_ID

pytestmark = pytest.mark.django_db
OTHER_ID = make_id_number("610326", dt.date(1980, 5, 12), "013")


def _identify(client, id_number=CITIZEN_ID, name="王秀兰", next_url=None):
    url = "/cases/kiosk/identify/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"id_number": id_number, "name": name})


@pytest.mark.parametrize("path", ["/cases/kiosk/", "/cases/kiosk/identify/", "/cases/kiosk/cases/"])
def test_it_refuses_a_browser_that_is_not_a_kiosk(client, path):
    response = client.get(path, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 403
    assert "本功能仅限政务服务大厅自助终端使用" in response.content.decode()


def test_it_refuses_to_identify_from_another_address(client):
    response = client.post(
        "/cases/kiosk/identify/", {"id_number": CITIZEN_ID, "name": "王秀兰"}, REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 403 and SESSION_KEY not in client.session


@override_settings(YIWANG_CASES={"KIOSK_ALLOWED_IPS": ["10.1.2.3"]})
def test_it_serves_the_registered_terminals_from_the_setting(client):
    assert client.get("/cases/kiosk/", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/cases/kiosk/", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_the_session_holds_the_hash_and_the_masked_number_only(client):
    response = _identify(client)
    assert response.status_code == 302 and response.url == "/cases/kiosk/cases/"
    stored = client.session[SESSION_KEY]
    assert stored["hash"] == pii_lookup_hash(CITIZEN_ID) and stored["masked"] == mask_id_number(CITIZEN_ID)
    assert CITIZEN_ID not in str(dict(client.session))
    assert mask_id_number(CITIZEN_ID) in client.get("/cases/kiosk/cases/").content.decode()


@pytest.mark.parametrize("target", ["https://evil.example.com/", "//evil.example.com/x"])
def test_it_refuses_to_redirect_off_site_after_identification(client, target):
    response = _identify(client, next_url=target)
    assert response.status_code == 302 and response.url == "/cases/kiosk/cases/"


def test_it_follows_a_local_next_after_identification(client, food_item):
    response = _identify(client, next_url=f"/cases/kiosk/apply/{food_item.code}/")
    assert response.status_code == 302 and response.url == f"/cases/kiosk/apply/{food_item.code}/"


def test_the_receipt_is_only_for_the_cases_applicant(client, citizen, person, food_item):
    case = services.case_submit(
        actor=citizen, applicant=person, item=food_item, form_data={"applicant_address": "东关社区"}
    )
    _identify(client, id_number=OTHER_ID, name="李建军")
    assert client.get(f"/cases/kiosk/receipt/{case.number}/").status_code == 404
    assert client.post(f"/cases/kiosk/receipt/{case.number}/print/").status_code == 404
    _identify(client)
    assert client.get(f"/cases/kiosk/receipt/{case.number}/").status_code == 200


def test_the_application_needs_the_identified_persons_card(client, food_item, county_hall):
    _identify(client)
    data = {
        "applicant_kind": "person",
        "applicant_name": "王秀兰",
        "applicant_id_number": OTHER_ID,
        "applicant_phone": "13891712345",
        "f_applicant_address": "眉县首善街道东关社区",
        "delivery_method": "window",
        "postal_address": "",
        "submission_token": "kiosk-other",
    }
    page = client.post(f"/cases/kiosk/apply/{food_item.code}/", data)
    assert page.status_code == 200 and "身份证号与已识别的身份不一致" in page.content.decode()
    assert not Case.objects.exists()
