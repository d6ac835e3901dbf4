"""``POST /api/hotline/appeals/batch``: appeals pushed in batches by a partner system.

Each appeal gets the rows one ``POST /appeals`` gives it (event, roll-up count, audit event, SMS), a
rule broken by one appeal refuses that appeal only, a retried push registers nothing twice, and the
statements of a batch do not grow with its size but for one SMS row per appeal."""

import csv
import json

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiwang.core.models import AuditEvent, OutboxMessage
from yiwang.hotline.models import Appeal, AppealEvent
from yiwang.hotline.services import batch as batch_service
from yiwang.measures.models import MonthlyFact, PendingFact

URL = "/api/hotline/appeals/batch"
TOWN = "610326105"  # 营头镇 of the test county


def item(n: int, **overrides) -> dict:
    values = {
        "key": f"partner-{n:05d}",
        "kind": "complaint",
        "channel": "api",
        "title": f"营头镇红河谷村第{n % 9 + 1}组通村路坑洼",
        "content": f"红河谷村第{n % 9 + 1}组到营头镇的通村路多处坑洼，下雨积水，猕猴桃运输车辆通行困难，请尽快修补。",
        "town_code": TOWN,
        "category_code": "rural-roads",
        "contact_name": "张建国",
        "contact_phone": f"139{n:08d}",
        "confirm_not_emergency": True,
    }
    values.update(overrides)
    return values


def push(client, appeals, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(URL, data=json.dumps({"appeals": appeals}), content_type="application/json", headers=headers)


def received_count() -> int:
    """The county's ``hotline.received`` roll-up: stored facts plus increments not yet folded."""
    stored = sum(MonthlyFact.objects.filter(metric="hotline.received").values_list("count", flat=True))
    pending = sum(PendingFact.objects.filter(metric="hotline.received").values_list("count", flat=True))
    return stored + pending


def rows() -> dict:
    return {
        "appeals": Appeal.objects.count(),
        "events": AppealEvent.objects.count(),
        "audit": AuditEvent.objects.filter(action="hotline.appeal_received").count(),
        "sms": OutboxMessage.objects.count(),
        "received": received_count(),
    }


@pytest.fixture
def partner(client, dispatcher, categories, meixian):
    """A partner system's account: the 12345 centre's intake action."""
    client.force_login(dispatcher)
    return client


def test_a_batch_registers_each_good_appeal_and_reports_each_bad_one(partner):
    appeals = [
        item(1),
        item(2, town_code="610326999"),  # no such town
        item(3),
        item(4, contact_name="", contact_phone=""),  # named but no contact
        item(5, anonymous=True, contact_name="", contact_phone=""),
    ]

    response = push(partner, appeals)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["existing"], body["failed"]) == (3, 0, 2)
    by_key = {i["key"]: i for i in body["items"]}
    assert [i["index"] for i in body["items"]] == [0, 1, 2, 3, 4]
    assert by_key["partner-00002"]["status"] == "error"
    assert by_key["partner-00002"]["error"]["code"] == "appeal.unknown_region"
    assert by_key["partner-00002"]["error"]["details"]["field"] == "town_code"
    assert by_key["partner-00004"]["error"]["code"] == "appeal.contact_required"
    created = {i["key"]: i["code"] for i in body["items"] if i["status"] == "created"}
    assert set(created) == {"partner-00001", "partner-00003", "partner-00005"}

    stored = {a.submission_key: a for a in Appeal.objects.select_related("town", "category")}
    assert set(stored) == set(created)
    for key, code in created.items():
        appeal = stored[key]
        assert appeal.code == code and appeal.state == Appeal.State.RECEIVED
        assert appeal.town.code == TOWN and appeal.category.code == "rural-roads"
        assert appeal.channel == "api" and appeal.received_by is None
        assert list(appeal.events.values_list("kind", "to_state")) == [("received", "received")]
    assert stored["partner-00001"].contact_phone == "13900000001"
    assert stored["partner-00005"].anonymous and stored["partner-00005"].contact_name is None
    assert rows() == {"appeals": 3, "events": 3, "audit": 3, "sms": 2, "received": 3}
    audited = set(AuditEvent.objects.filter(action="hotline.appeal_received").values_list("object_id", flat=True))
    assert audited == {str(a.pk) for a in stored.values()}


def test_a_retried_push_registers_nothing_twice(partner):
    appeals = [item(n) for n in range(1, 6)]
    first = push(partner, appeals).json()
    before = rows()

    again = push(partner, appeals)  # the partner never saw the answer and sends the same batch

    assert again.status_code == 200
    body = again.json()
    assert (body["created"], body["existing"], body["failed"]) == (0, 5, 0)
    assert [i["code"] for i in body["items"]] == [i["code"] for i in first["items"]]
    assert rows() == before

    # A new batch that repeats two of them and adds one registers only the new one.
    mixed = push(partner, [appeals[0], item(6), appeals[4]]).json()
    assert [i["status"] for i in mixed["items"]] == ["existing", "created", "existing"]
    assert rows()["appeals"] == before["appeals"] + 1


def test_a_key_given_twice_in_one_batch_is_one_appeal(partner):
    body = push(partner, [item(1), item(2), item(1, title="同一条诉求又发了一次")]).json()

    assert [i["status"] for i in body["items"]] == ["created", "created", "existing"]
    assert body["items"][2]["code"] == body["items"][0]["code"]
    assert Appeal.objects.count() == 2
    assert Appeal.objects.get(submission_key="partner-00001").title.startswith("营头镇红河谷村")


def test_an_emergency_online_is_refused_with_the_advice_and_the_others_go_in(partner):
    fire = item(2, title="营头镇红河谷村着火了", content="红河谷村有房子着火了，火很大，有人被困在里面，快来救火！")
    fire.pop("confirm_not_emergency")

    body = push(partner, [item(1), fire]).json()

    assert [i["status"] for i in body["items"]] == ["created", "error"]
    assert body["items"][1]["error"]["code"] == "appeal.emergency"
    assert "119" in body["items"][1]["error"]["message"]
    assert Appeal.objects.count() == 1


@pytest.mark.parametrize(
    ("appeals", "limit", "code"),
    [([], 100, "appeal.batch_empty"), ([item(n) for n in range(3)], 2, "appeal.batch_too_large")],
)
def test_an_empty_or_oversized_batch_is_refused_whole(partner, settings, appeals, limit, code):
    settings.HOTLINE = {"INTAKE_BATCH_MAX": limit}

    response = push(partner, appeals)

    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert rows()["appeals"] == 0


def test_the_limit_is_the_county_default_of_100(partner):
    assert batch_service.conf("INTAKE_BATCH_MAX") == 100
    response = push(partner, [item(n) for n in range(101)])
    assert response.status_code == 400 and response.json()["code"] == "appeal.batch_too_large"
    assert "最多 100 条" in response.json()["message"]
    assert rows()["appeals"] == 0


def test_a_body_off_the_schema_is_refused_whole(partner):
    response = push(partner, [item(1), {**item(2), "key": ""}])  # a key is required

    assert response.status_code == 422, response.content
    assert rows()["appeals"] == 0


def test_a_citizen_may_not_push_a_batch(client, citizen, categories):
    client.force_login(citizen)

    response = push(client, [item(1)])

    assert response.status_code == 403, response.content
    assert rows()["appeals"] == 0


def test_the_same_rows_as_one_appeal_at_a_time(partner):
    single = partner.post(
        "/api/hotline/appeals",
        data=json.dumps({k: v for k, v in item(1).items() if k != "key"}),
        content_type="application/json",
        headers={"Idempotency-Key": "one-at-a-time"},
    )
    assert single.status_code == 201, single.content
    push(partner, [item(1, key="batched")])

    one, batched = Appeal.objects.exclude(submission_key="batched").get(), Appeal.objects.get(submission_key="batched")
    compared = [
        "region_id",
        "channel",
        "kind",
        "title",
        "content",
        "category_id",
        "town_id",
        "village_id",
        "anonymous",
        "contact_name",
        "contact_phone",
        "contact_phone_hash",
        "tier",
        "state",
        "screening",
        "submitted_by_id",
        "received_by_id",
    ]
    assert {f: getattr(batched, f) for f in compared} == {f: getattr(one, f) for f in compared}
    audits = {a.object_id: a.after for a in AuditEvent.objects.filter(action="hotline.appeal_received")}
    strip = lambda after: {k: v for k, v in after.items() if k not in ("code",)}  # noqa: E731
    assert strip(audits[str(batched.pk)]) == strip(audits[str(one.pk)])
    assert OutboxMessage.objects.count() == 2
    assert received_count() == 2


def test_a_batch_of_50_costs_one_statement_more_per_appeal_than_a_batch_of_5(partner, settings):
    settings.HOTLINE_ROUTING_AFTER_COMMIT = True  # as with a worker: online appeals are routed after the commit
    push(partner, [item(n, key=f"warm-{n}") for n in range(3)])  # what a process loads once

    def statements(first: int, size: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = push(partner, [item(n) for n in range(first, first + size)])
            count = len(queries.captured_queries)
        assert response.status_code == 200 and response.json()["created"] == size, response.content
        return count

    small, large = statements(100, 5), statements(200, 50)

    # The appeals, events, audit events, roll-up increments and code reads are one statement each for
    # the batch (SQLite splits the 50 appeals' insert in three: its limit of 999 parameters); only the
    # SMS (one outbox row per mobile) is written appeal by appeal.
    assert large - small <= 45 + 2, (small, large)


SAMPLE = (settings.SHARED_DIR / "data" / "appeals-sample-tipdm2020.csv").resolve()


@pytest.mark.skipif(
    not SAMPLE.exists(),
    reason=f"the shared sample of real citizen messages is not present at {SAMPLE} (read-only data outside the project)",
)
def test_real_citizen_messages_pushed_in_batches_of_100(partner):
    with SAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        messages = list(csv.DictReader(handle))
    assert len(messages) == 495
    sent = 0
    outcomes = []
    for start in range(0, len(messages), 100):
        chunk = messages[start : start + 100]
        appeals = [
            {
                "key": f"tipdm-{m['id']}",
                "kind": "complaint",
                "title": m["title"][:120],
                "content": m["body"][:2000],
                "anonymous": True,
                "confirm_not_emergency": True,
            }
            for m in chunk
        ]
        response = push(partner, appeals)
        assert response.status_code == 200, response.content[:500]
        outcomes += response.json()["items"]
        sent += len(chunk)

    created = [o for o in outcomes if o["status"] == "created"]
    refused = [o for o in outcomes if o["status"] == "error"]
    # Every message either went in or was refused with a specific code; duplicates of an id in the
    # sample answer with the first.
    assert len(outcomes) == sent == 495
    assert all(o["error"]["code"].startswith("appeal.") for o in refused), refused[:3]
    assert {o["status"] for o in outcomes} <= {"created", "existing", "error"}
    assert Appeal.objects.count() == len(created)
    assert len(created) >= 490, refused[:5]
    stored = {a.submission_key: a for a in Appeal.objects.all()}
    by_id = {f"tipdm-{m['id']}": m for m in messages}
    for outcome in created[:50]:
        appeal = stored[outcome["key"]]
        assert appeal.title == by_id[outcome["key"]]["title"][:120].strip()
        assert appeal.events.count() == 1


ONLINE_TEXTS = [
    ("通村路坑洼", "横渠镇第三组的村道坑洼不平，下雨积水，车辆无法通行，请修补路面。"),
    ("餐馆过期食品", "常兴镇一家餐馆后厨卫生很差，食品过期变质，吃后肚子疼。"),
    ("村道积水", "齐镇五组村道坑洼积水，三轮车无法通行。"),
    ("饭店卫生差", "金渠镇饭店后厨卫生差，食品过期变质。"),
]


def unrouted(n: int, title: str, content: str, **overrides) -> dict:
    values = item(n, title=title, content=content, **overrides)
    values.pop("category_code")
    return values


def test_online_appeals_of_a_batch_queue_one_routing_batch_after_the_commit(
    partner, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from yiwang.hotline import tasks

    settings.HOTLINE_ROUTING_AFTER_COMMIT = True
    queued = []
    monkeypatch.setattr(tasks.suggest_pending_routing, "apply_async", lambda **kw: queued.append(kw))

    with django_capture_on_commit_callbacks(execute=True):
        body = push(partner, [unrouted(n, t, c) for n, (t, c) in enumerate(ONLINE_TEXTS)]).json()

    assert body["created"] == 4
    assert len(queued) == 1  # one task for the batch, as for many online commits
    assert not Appeal.objects.filter(suggested_category__isnull=False).exists()  # not yet run
    assert tasks.suggest_pending_routing() == 4
    assert Appeal.objects.filter(suggested_category__isnull=False).count() == 4


def test_phone_appeals_of_a_batch_are_routed_on_the_request_once_per_router(
    partner, dept_a, dept_b, trained_routers, monkeypatch
):
    from yiwang.hotline import routing, selectors

    alone = [selectors.routing_suggest(title=t, content=c, town=None) for t, c in ONLINE_TEXTS]
    calls = []
    predict = routing.TextRouter._predict
    monkeypatch.setattr(
        routing.TextRouter, "_predict", lambda self, texts, top: calls.append(len(texts)) or predict(self, texts, top)
    )

    body = push(partner, [unrouted(n, t, c, channel="phone", town_code=None) for n, (t, c) in enumerate(ONLINE_TEXTS)])

    assert body.status_code == 200 and body.json()["created"] == 4, body.content
    assert calls == [4, 4]  # the category router and the department router, once each for the batch
    stored = {a.submission_key: a for a in Appeal.objects.all()}
    for n, expected in enumerate(alone):
        appeal = stored[f"partner-{n:05d}"]
        assert (appeal.suggested_department, appeal.suggested_category) == (expected.department, expected.category)
        assert appeal.received_by is not None and appeal.channel == "phone"
    assert [stored[f"partner-{n:05d}"].suggested_department for n in range(4)] == [dept_a, dept_b, dept_a, dept_b]
