"""A keyless repeat of the same application from the same user within the window is answered with the
first case (API and the online form); other content or a later send creates a new one."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from yiwang.cases.models import Case
from yiwang.core.models import IdempotencyRecord

from ..factories import CITIZEN_ID

pytestmark = pytest.mark.django_db
URL = "/api/cases/cases"


def _payload(food_item, **changes):
    data = {
        "item_code": food_item.code,
        "applicant": {"kind": "person", "name": "王秀兰", "id_number": CITIZEN_ID, "phone": "13891712345"},
        "form_data": {"applicant_address": "眉县首善街道东关社区"},
        "delivery_method": "electronic",
    }
    data.update(changes)
    return data


def _form(token, **extra):
    data = {
        "applicant_kind": "person",
        "applicant_name": "王秀兰",
        "applicant_id_number": CITIZEN_ID,
        "applicant_phone": "13891712345",
        "f_applicant_address": "眉县首善街道东关社区",
        "delivery_method": "window",
        "postal_address": "",
        "submission_token": token,
    }
    data.update(extra)
    return data


def _expire_window():
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(seconds=121))


def test_the_api_answers_a_repeat_with_the_first_case(client, citizen, food_item):
    client.force_login(citizen)
    first = client.post(URL, _payload(food_item), content_type="application/json")
    repeat = client.post(URL, _payload(food_item), content_type="application/json")

    assert first.status_code == repeat.status_code == 201
    assert repeat.json()["number"] == first.json()["number"]
    assert Case.objects.count() == 1


def test_the_api_creates_a_new_case_for_new_content_or_after_the_window(client, citizen, food_item):
    client.force_login(citizen)
    client.post(URL, _payload(food_item), content_type="application/json")
    other = client.post(URL, _payload(food_item, delivery_method="window"), content_type="application/json")
    assert other.status_code == 201
    assert Case.objects.count() == 2
    _expire_window()
    later = client.post(URL, _payload(food_item), content_type="application/json")
    assert later.status_code == 201 and not later.has_header("Idempotent-Replayed")
    assert Case.objects.count() == 3


def test_the_online_form_sent_again_from_a_fresh_page_gives_the_first_case(client, citizen, food_item):
    client.force_login(citizen)
    url = f"/cases/apply/item/{food_item.code}/"
    first = client.post(url, _form("page-1"))
    repeat = client.post(url, _form("page-2"))  # the form shown again renders a new token

    case = Case.objects.get()
    assert first.status_code == repeat.status_code == 302
    assert repeat["Location"] == first["Location"] == reverse("cases:my_case", kwargs={"number": case.number})


def test_the_online_form_creates_a_new_case_for_new_content_or_after_the_window(client, citizen, food_item):
    client.force_login(citizen)
    url = f"/cases/apply/item/{food_item.code}/"
    client.post(url, _form("page-1"))
    client.post(url, _form("page-2", f_applicant_address="眉县首善街道西关社区"))
    assert Case.objects.count() == 2
    _expire_window()
    client.post(url, _form("page-3"))
    assert Case.objects.count() == 3
