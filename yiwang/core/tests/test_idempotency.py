import datetime as dt
import json
import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.test import Client
from django.test.client import BOUNDARY, encode_multipart
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone

from yiwang.core.idempotency import _Claim, _claim, purge_idempotency_records, request_fingerprint
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


def test_it_does_not_let_a_claim_left_by_a_dead_process_block_the_retry(client):
    """A committed claim still in progress has no live holder (a live claim is never visible outside its
    transaction): the retry runs at once instead of waiting out a lock timeout."""
    post(client, key="first")
    IdempotencyRecord.objects.update(
        state=IdempotencyRecord.State.IN_PROGRESS, key="abandoned", locked_at=timezone.now()
    )
    OutboxMessage.objects.all().delete()  # the dead request's writes never committed

    retry = post(client, key="abandoned")
    assert retry.status_code == 201
    assert OutboxMessage.objects.count() == 1
    record = IdempotencyRecord.objects.get()
    assert record.state == IdempotencyRecord.State.DONE
    assert record.status_code == 201


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
def test_it_answers_409_to_a_truly_concurrent_retry(settings):
    settings.YIWANG_IDEMPOTENCY = {"CLAIM_WAIT_SECONDS": 0.5}  # the first is still running after the wait
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


# --- a claim belongs to its transaction (PostgreSQL: concurrent sessions) ---------------------------

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent sessions: run with DATABASE_URL=postgres://…"
)


def _foreign_claim(key: str):
    """A second database session that claims ``key`` (as a request in flight would) and holds it
    uncommitted; closing it without a commit is what a killed process does."""
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    session = psycopg.connect(**params)
    now = timezone.now()
    session.execute(
        "INSERT INTO core_idempotencyrecord (key, user_id, method, path, request_fingerprint, state, claim_token,"
        " content_type, response_headers, created_at, locked_at)"
        " VALUES (%s, NULL, 'POST', %s, %s, 'in_progress', 'other-process', '', '{}', %s, %s)",
        [key, "/api/messages", request_fingerprint_of(MESSAGE), now, now],
    )
    return session


def request_fingerprint_of(payload) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(payload).encode()).hexdigest()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_frees_the_claim_of_a_killed_process_at_once(settings):
    settings.YIWANG_IDEMPOTENCY = {"CLAIM_WAIT_SECONDS": 0.5}
    session = _foreign_claim("killed")
    try:
        while_alive = post(Client(), key="killed")
    finally:
        session.close()  # the process dies: its transaction, and the claim in it, go with it

    assert while_alive.status_code == 409
    assert while_alive.json()["code"] == "idempotency.in_progress"
    retry = post(Client(), key="killed")
    assert retry.status_code == 201
    assert OutboxMessage.objects.count() == 1
    assert IdempotencyRecord.objects.get(key="killed").state == IdempotencyRecord.State.DONE


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_answers_a_retry_that_waited_for_the_first_with_its_outcome(settings):
    settings.YIWANG_IDEMPOTENCY = {"CLAIM_WAIT_SECONDS": 10}
    slow = {**MESSAGE, "body": "slow"}
    responses = {}
    idempotency_urls.view_entered.clear()
    idempotency_urls.view_may_finish.clear()

    def retry():
        try:
            responses["retry"] = post(Client(), payload=slow, key="waited")
        finally:
            connection.close()

    def first_request():
        try:
            responses["first"] = post(Client(), payload=slow, key="waited")
        finally:
            connection.close()

    first = threading.Thread(target=first_request)
    first.start()
    assert idempotency_urls.view_entered.wait(10)
    second = threading.Thread(target=retry)
    second.start()
    second.join(0.5)
    assert second.is_alive()  # it waits for the first instead of running or refusing
    idempotency_urls.view_may_finish.set()
    first.join()
    second.join()

    assert responses["first"].status_code == responses["retry"].status_code == 201
    assert responses["retry"].content == responses["first"].content
    assert responses["retry"]["Idempotent-Replayed"] == "true"
    assert OutboxMessage.objects.count() == 1


# --- keyless repeats (deduplicate=True) ------------------------------------------------------------

LETTERS = "/api/letters"


def send_letter(client, payload=MESSAGE, **extra):
    return client.post(LETTERS, json.dumps(payload), content_type="application/json", **extra)


def test_it_answers_a_keyless_repeat_with_the_first_outcome(client):
    first = send_letter(client)
    # The same content with its keys in another order is the same submission.
    repeat = client.post(LETTERS, json.dumps(dict(reversed(list(MESSAGE.items())))), content_type="application/json")
    assert first.status_code == repeat.status_code == 201
    assert repeat.content == first.content
    assert repeat["Idempotent-Replayed"] == "true"
    assert OutboxMessage.objects.count() == 1


def test_it_creates_anew_for_other_content_or_another_client(client, rf, clerk, handler):
    send_letter(client)
    send_letter(client, payload={**MESSAGE, "body": "另一封"})
    send_letter(client, REMOTE_ADDR="192.0.2.44")  # another anonymous visitor
    assert OutboxMessage.objects.count() == 3

    def as_user(user):
        request = rf.post(LETTERS, json.dumps(MESSAGE), content_type="application/json")
        request.user = user
        return resolve(LETTERS).func(request)

    assert as_user(clerk).status_code == 201
    assert as_user(handler).status_code == 201
    assert as_user(clerk)["Idempotent-Replayed"] == "true"
    assert OutboxMessage.objects.count() == 5


def test_it_creates_anew_after_the_window(client, settings):
    settings.YIWANG_IDEMPOTENCY = {"REPEAT_WINDOW_SECONDS": 120}
    send_letter(client)
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(seconds=121))
    later = send_letter(client)
    assert later.status_code == 201
    assert not later.has_header("Idempotent-Replayed")
    assert OutboxMessage.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 1  # the expired record made way for the new one


def test_it_compares_forms_without_their_per_render_fields(client):
    def submit(token, **fields):
        data = {"csrfmiddlewaretoken": token, "submission_token": token, "phone": "13812345678", "body": "已受理"}
        return client.post("/form/letters/", {**data, **fields})

    first = submit("render-1")
    repeat = submit("render-2")  # the same form shown again and sent with the same content
    assert first.status_code == repeat.status_code == 302
    assert repeat["Location"] == first["Location"]
    assert OutboxMessage.objects.count() == 1
    assert submit("render-3", body="改了内容").status_code == 302
    assert OutboxMessage.objects.count() == 2


def test_it_does_not_remember_a_form_shown_again_or_a_refusal(client):
    assert client.post("/form/letters/", {"phone": "13812345678", "body": ""}).status_code == 200
    assert client.post(LETTERS, json.dumps({**MESSAGE, "body": ""}), content_type="application/json").status_code == 400
    assert not IdempotencyRecord.objects.exists()


def test_it_keeps_client_keys_apart_from_repeat_keys(client):
    first = send_letter(client, headers={"Idempotency-Key": "letter-1"})
    keyless = send_letter(client)  # no key: its own repeat claim, which no client key can name
    assert first.status_code == keyless.status_code == 201
    assert sorted(IdempotencyRecord.objects.values_list("key", flat=True))[0] == "letter-1"
    assert IdempotencyRecord.objects.filter(key__startswith="repeat ").count() == 1


# --- the claim's cost -------------------------------------------------------------------------------


def test_it_claims_a_key_in_one_statement_and_stores_the_outcome_in_one_more(client):
    with CaptureQueriesContext(connection) as queries:
        response = post(client, key="one-statement")

    assert response.status_code == 201
    touching = [q["sql"].split()[0] for q in queries.captured_queries if "core_idempotencyrecord" in q["sql"]]
    assert touching == ["INSERT", "UPDATE"]
    # The wait limit travels inside the claim's statement, not in statements of its own.
    assert not [q for q in queries.captured_queries if q["sql"].startswith("SELECT") and "lock_timeout" in q["sql"]]
    record = IdempotencyRecord.objects.get()
    assert (record.key, record.state, record.status_code) == ("one-statement", IdempotencyRecord.State.DONE, 201)


@postgres_only
def test_it_puts_the_lock_timeout_back_after_claiming(settings):
    """The wait limit bounds the claim only: the rest of the request's transaction keeps its own."""
    settings.YIWANG_IDEMPOTENCY = {"CLAIM_WAIT_SECONDS": 0.5}
    claim = _Claim(key="timeout", user_id=None, method="POST", path=URL, fingerprint="f" * 64)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = '7s'")
        first = _claim(claim)  # the key was free: the row went in
        cursor.execute("SELECT current_setting('lock_timeout')")
        after_insert = cursor.fetchone()[0]
        # Our own claim, seen again, has no live holder elsewhere: no row goes in at first, the record
        # is taken over, and the second insert goes in.
        second = _claim(claim)
        cursor.execute("SELECT current_setting('lock_timeout')")
        after_conflict = cursor.fetchone()[0]

    assert (after_insert, after_conflict) == ("7s", "7s")
    assert first.pk != second.pk


def test_it_rolls_back_nothing_but_the_claim_when_a_key_is_reused(client):
    post(client, key="reused")
    refused = post(client, payload={**MESSAGE, "body": "另一条"}, key="reused")
    fresh = post(client, payload={**MESSAGE, "body": "另一条"}, key="fresh")

    assert refused.status_code == 422 and fresh.status_code == 201
    assert sorted(OutboxMessage.objects.values_list("body", flat=True)) == sorted([MESSAGE["body"], "另一条"])
    assert sorted(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh", "reused"]
