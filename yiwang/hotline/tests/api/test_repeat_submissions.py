"""A keyless repeat of the same appeal from the same client within the window is answered with the first
(API, Open311 and the public form); other content, another client or a later send creates a new one."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from yiwang.core.models import IdempotencyRecord
from yiwang.hotline.models import Appeal

pytestmark = pytest.mark.django_db

API = "/api/hotline/appeals"
OPEN311 = "/open311/v2/requests.json"
APPEAL = {
    "kind": "complaint",
    "title": "营头镇红河谷村通村路坑洼严重",
    "content": "红河谷村到营头镇的通村路多处坑洼，下雨积水，猕猴桃运输车辆通行困难。",
    "contact_name": "张建国",
    "contact_phone": "13991712345",
    "public_consent": True,
}
REQUEST = {
    "service_code": "rural-roads",
    "address_string": "营头镇红河谷村",
    "description": "通村路坑洼积水，请修补。",
    "first_name": "建国",
    "last_name": "张",
    "phone": "13991712345",
}
FORM = {
    "kind": "complaint",
    "title": "红河谷村通村路坑洼",
    "content": "红河谷村到营头镇的通村路坑洼积水，车辆通行困难，请尽快修补。",
    "anonymous": "",
    "contact_name": "张建国",
    "contact_phone": "13991712345",
    "public_consent": "on",
}


def _expire_window():
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(seconds=121))


def api_post(client, data, **extra):
    return client.post(API, json.dumps(data), content_type="application/json", **extra)


def test_the_api_answers_a_repeat_with_the_first_appeal(client, citizen, categories):
    client.force_login(citizen)
    first = api_post(client, APPEAL)
    repeat = api_post(client, APPEAL)

    assert first.status_code == repeat.status_code == 201
    assert repeat.json()["code"] == first.json()["code"]
    assert Appeal.objects.count() == 1


def test_the_api_creates_a_new_appeal_for_new_content_another_user_or_after_the_window(
    client, citizen, handler_a, categories
):
    client.force_login(citizen)
    api_post(client, APPEAL)
    assert api_post(client, {**APPEAL, "title": "红河谷村路灯不亮"}).status_code == 201
    client.force_login(handler_a)
    assert api_post(client, APPEAL).status_code == 201
    assert Appeal.objects.count() == 3

    client.force_login(citizen)
    _expire_window()
    later = api_post(client, APPEAL)
    assert later.status_code == 201 and not later.has_header("Idempotent-Replayed")
    assert Appeal.objects.count() == 4


def test_open311_answers_a_repeat_from_the_same_address_and_contact_with_the_first(client, categories):
    first = client.post(OPEN311, REQUEST, REMOTE_ADDR="198.51.100.7")
    repeat = client.post(OPEN311, REQUEST, REMOTE_ADDR="198.51.100.7")

    assert first.status_code == repeat.status_code == 201
    assert repeat.json()[0]["service_request_id"] == first.json()[0]["service_request_id"]
    assert Appeal.objects.count() == 1


def test_open311_creates_a_new_request_for_another_address_contact_or_after_the_window(client, categories):
    client.post(OPEN311, REQUEST, REMOTE_ADDR="198.51.100.7")
    assert client.post(OPEN311, REQUEST, REMOTE_ADDR="198.51.100.8").status_code == 201
    assert client.post(OPEN311, {**REQUEST, "phone": "13991710000"}, REMOTE_ADDR="198.51.100.7").status_code == 201
    _expire_window()
    assert client.post(OPEN311, REQUEST, REMOTE_ADDR="198.51.100.7").status_code == 201
    assert Appeal.objects.count() == 4


def test_the_public_form_sent_again_from_a_fresh_page_gives_the_first_appeal(client, categories):
    first = client.post(reverse("hotline:submit"), {**FORM, "submission_key": "page-1"})
    # The page shown again renders a new submission key; the content is the same.
    repeat = client.post(reverse("hotline:submit"), {**FORM, "submission_key": "page-2"})

    appeal = Appeal.objects.get()
    assert first.status_code == repeat.status_code == 302
    assert repeat["Location"] == first["Location"] and repeat["Location"].endswith(f"?code={appeal.code}")


def test_the_public_form_creates_a_new_appeal_for_new_content_or_after_the_window(client, categories):
    client.post(reverse("hotline:submit"), {**FORM, "submission_key": "page-1"})
    client.post(reverse("hotline:submit"), {**FORM, "title": "红河谷村路灯不亮", "submission_key": "page-2"})
    assert Appeal.objects.count() == 2
    _expire_window()
    client.post(reverse("hotline:submit"), {**FORM, "submission_key": "page-3"})
    assert Appeal.objects.count() == 3


def test_a_refused_form_is_not_remembered(client, categories):
    refused = client.post(reverse("hotline:submit"), {**FORM, "contact_phone": "", "submission_key": "page-1"})
    assert refused.status_code == 400
    assert not IdempotencyRecord.objects.exists()
