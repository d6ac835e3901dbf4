"""What one appeal through the API costs the database, and the code drawn without a read first.

The query bound is today's count (PostgreSQL: session, user, the idempotency claim and its record, the
appeal, its event, the audit event — its stream's id known from the warm-up —, the SMS in the outbox, the
caller's scope): a new query on this path fails here and must be paid for on purpose.
"""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiwang.hotline.models import Appeal
from yiwang.hotline.services import intake
from yiwang.org.models import Region
from yiwang.org.tests.factories import RegionFactory

PAYLOAD = {
    "kind": "complaint",
    "channel": "api",
    "title": "首善街道通村路坑洼积水",
    "content": "首善街道第3组通村路有多处坑洼，下雨后积水严重，车辆和行人通行困难，请尽快修补。",
    "town_code": "610326105",
    "contact_name": "王秀兰",
    "contact_phone": "13991712345",
    "confirm_not_emergency": True,
}
# Statements of one appeal intake by vendor (transaction control included).
MAX_QUERIES = {"postgresql": 14, "sqlite": 14}


def post(client, data, key):
    return client.post(
        "/api/hotline/appeals", data=json.dumps(data), content_type="application/json", headers={"Idempotency-Key": key}
    )


@pytest.fixture
def citizen_client(client, citizen, categories, settings):
    settings.HOTLINE_ROUTING_AFTER_COMMIT = True  # as with a worker: the suggestion follows the commit
    client.force_login(citizen)
    post(client, PAYLOAD, "warm-up")  # the first request of a process loads what later ones reuse
    return client


def test_one_appeal_through_the_api_stays_within_its_queries(citizen_client):
    with CaptureQueriesContext(connection) as queries:
        response = post(citizen_client, PAYLOAD, "count-1")

    assert response.status_code == 201, response.content
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) <= MAX_QUERIES[connection.vendor], "\n".join(statements)
    # The town's county came with the town: the county row is not read on its own.
    assert not [s for s in statements if "org_region" in s and "610326'" in s], statements
    # No read of the code before the insert: the unique index decides.
    assert not [s for s in statements if s.startswith("SELECT") and 'hotline_appeal"."code" =' in s], statements


def test_a_code_already_taken_is_drawn_again(citizen_client, monkeypatch):
    taken = Appeal.objects.get()  # the warm-up's
    drawn = iter([taken.code, "YW260101ZZZZZ"])
    monkeypatch.setattr(intake, "_draw_code", lambda prefix, at: next(drawn))

    response = post(citizen_client, {**PAYLOAD, "title": "第二件诉求"}, "second")

    assert response.status_code == 201, response.content
    assert response.json()["code"] == "YW260101ZZZZZ"
    assert Appeal.objects.count() == 2
    taken.refresh_from_db()
    assert taken.title == PAYLOAD["title"]  # the first appeal is untouched


def test_a_village_without_its_town_still_finds_both(citizen_client):
    town = Region.objects.get(code="610326105")
    village = RegionFactory(level=Region.Level.VILLAGE, parent=town, code="610326105201", name="示例村")
    payload = {**PAYLOAD, "town_code": None, "village_code": village.code}

    response = post(citizen_client, payload, "village-1")

    assert response.status_code == 201, response.content
    appeal = Appeal.objects.get(code=response.json()["code"])
    assert appeal.town == town and appeal.village == village and appeal.region.code == "610326"
