import datetime as dt
import json
import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.client import BOUNDARY, encode_multipart
from django.utils import timezone

from yiwang.core.idempotency import purge_idempotency_records, request_fingerprint
from yiwang.core.models import IdempotencyRecord, OutboxMessage
from yiwang.core.tests import idempotency_urls
from yiwang.core.tests.idempotency_urls import create_message_form

pytestmark = [pytest.mark.django_db, pytest.mark.urls("yiwang.core.tests.idempotency_urls")]

URL = "/api/messages"
MESSAGE = {"phone": "13812345678", "body": "您的申请已受理"}


def post(client, payload=MESSAGE, key="7f1c2a9e-0b7d-4c53-a1f2-6f0c9d1e2b3a"):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(URL, json.dumps(payload), content_type="application/json", headers=headers)


def test_it_creates_one_row_for_two_posts_with_one_key(client):
    first = post(client)
    retry = post(client)

    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert retry["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert OutboxMessage.objects.count() == 1
    assert retry.json() == {"id": OutboxMessage.objects.get().pk, "state": "pending"}
    assert IdempotencyRecord.objects.get().state == IdempotencyRecord.State.DONE


def test_it_runs_every_post_without_a_key(client):
    post(client, key=None)
    post(client, key=None)
    assert OutboxMessage.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_it_refuses_a_key_reused_for_another_request(client):
    post(client)
    reused = post(client, payload={**MESSAGE, "body": "另一条"})
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency.key_reused"
    assert OutboxMessage.objects.count() == 1


def test_it_answers_409_while_the_first_request_runs(client):
    post(client, key="first")
    IdempotencyRecord.objects.update(state=IdempotencyRecord.State.IN_PROGRESS, key="running")
    concurrent = post(client, key="running")
    assert concurrent.status_code == 409
    assert concurrent.json()["code"] == "idempotency.in_progress"
    assert OutboxMessage.objects.count() == 1


def test_it_takes_over_an_abandoned_claim(client):
    post(client, key="first")
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    IdempotencyRecord.objects.update(state=IdempotencyRecord.State.IN_PROGRESS, key="abandoned", locked_at=long_ago)
    OutboxMessage.objects.all().delete()  # the abandoned request's writes never committed

    retry = post(client, key="abandoned")
    assert retry.status_code == 201
    assert OutboxMessage.objects.count() == 1
    assert IdempotencyRecord.objects.get().state == IdempotencyRecord.State.DONE


def test_it_undoes_the_work_of_a_request_whose_claim_was_taken(client):
    response = post(client, payload={**MESSAGE, "body": "taken over"})
    assert response.status_code == 409
    assert not OutboxMessage.objects.exists()


def test_it_releases_the_key_when_the_request_fails(client):
    with pytest.raises(RuntimeError):
        post(client, payload={**MESSAGE, "body": "boom"})
    assert not IdempotencyRecord.objects.exists()

    rejected = post(client, payload={**MESSAGE, "body": ""})
    assert rejected.status_code == 400
    assert rejected.json()["code"] == "message.empty"
    assert not IdempotencyRecord.objects.exists()

    corrected = post(client)  # same key, corrected request
    assert corrected.status_code == 201
    assert OutboxMessage.objects.count() == 1


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "键"])
def test_it_refuses_a_malformed_key(client, key):
    response = post(client, key=key)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency.bad_key"
    assert not OutboxMessage.objects.exists()


def test_it_accepts_the_longest_key(client):
    assert post(client, key="k" * 255).status_code == 201


def test_it_ignores_the_key_on_reads(client):
    response = client.get(URL, headers={"Idempotency-Key": "abc"})
    assert response.status_code == 405
    assert not IdempotencyRecord.objects.exists()


def test_it_replays_a_plain_views_redirect(client):
    form = {"phone": "13812345678", "body": "已受理"}
    first = client.post("/form/messages/", form, headers={"Idempotency-Key": "form-1"})
    retry = client.post("/form/messages/", form, headers={"Idempotency-Key": "form-1"})
    message = OutboxMessage.objects.get()
    assert first.status_code == retry.status_code == 302
    assert retry["Location"] == first["Location"] == f"/form/messages/{message.pk}/"
    assert retry["Idempotent-Replayed"] == "true"


def test_it_scopes_keys_per_user(rf, clerk, handler):
    def submit(user):
        request = rf.post("/form/messages/", {"phone": "13812345678", "body": "已受理"}, HTTP_IDEMPOTENCY_KEY="same")
        request.user = user
        return create_message_form(request)

    assert submit(clerk).status_code == 302
    assert submit(handler).status_code == 302
    replay = submit(clerk)
    assert replay["Idempotent-Replayed"] == "true"
    assert submit(AnonymousUser()).status_code == 302
    assert submit(AnonymousUser())["Idempotent-Replayed"] == "true"  # anonymous visitors share one scope
    assert OutboxMessage.objects.count() == 3
    assert sorted(IdempotencyRecord.objects.values_list("user_id", flat=True), key=str) == [101, 202, None]


def test_it_fingerprints_forms_regardless_of_the_multipart_boundary(rf):
    data = {"body": "已受理", "phone": "13812345678"}
    fingerprints = {
        request_fingerprint(
            rf.generic(
                "POST",
                "/form/messages/",
                encode_multipart(boundary, data),
                content_type=f"multipart/form-data; boundary={boundary}",
            )
        )
        for boundary in (BOUNDARY, "another-boundary")
    }
    assert len(fingerprints) == 1


def test_it_purges_old_records(client):
    post(client, key="old")
    post(client, key="new", payload={**MESSAGE, "body": "新的"})
    IdempotencyRecord.objects.filter(key="old").update(created_at=timezone.now() - dt.timedelta(hours=25))

    assert purge_idempotency_records(older_than_hours=24) == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises the two requests instead")
@pytest.mark.django_db(transaction=True)
def test_it_answers_409_to_a_truly_concurrent_retry():
    slow = {**MESSAGE, "body": "slow"}
    responses = {}
    idempotency_urls.view_entered.clear()
    idempotency_urls.view_may_finish.clear()

    def first_request():
        try:
            responses["first"] = post(Client(), payload=slow, key="concurrent")
        finally:
            connection.close()

    worker = threading.Thread(target=first_request)
    worker.start()
    try:
        assert idempotency_urls.view_entered.wait(10)
        concurrent = post(Client(), payload=slow, key="concurrent")
    finally:
        idempotency_urls.view_may_finish.set()
        worker.join()

    assert concurrent.status_code == 409
    assert concurrent.json()["code"] == "idempotency.in_progress"
    assert responses["first"].status_code == 201
    replay = post(Client(), payload=slow, key="concurrent")
    assert replay.content == responses["first"].content
    assert OutboxMessage.objects.count() == 1
