"""``POST /api/hotline/appeals/batch`` under what partners and concurrency really send: keys of two
pushers that collide, two pushes of the same keys at the same moment (PostgreSQL), a town station's
clerk pushing for another town, odd values per appeal."""

import json
import threading

import pytest
from django.db import connection, connections

from yiwang.core.errors import ApplicationError
from yiwang.hotline.models import Appeal, AppealEvent
from yiwang.hotline.services import appeal_submit_many
from yiwang.org.models import Membership, Role
from yiwang.org.tests.factories import UserFactory

from .test_appeals_batch import TOWN, item, push, rows

HUAIYA = "610326101"  # 槐芽镇 of the test county


@pytest.fixture
def partner(client, dispatcher, categories, meixian):
    client.force_login(dispatcher)
    return client


@pytest.fixture
def huaiya_clerk(town_hall, categories):
    """A clerk of 槐芽镇便民服务中心: intake for 槐芽镇 only."""
    user = UserFactory(username="huaiya_clerk")
    Membership.objects.create(user=user, role=Role.CLERK, hall=town_hall)
    return user


def test_a_town_clerk_pushes_for_their_own_town_only(client, huaiya_clerk, meixian):
    assert meixian.huaiya.code == HUAIYA
    client.force_login(huaiya_clerk)

    body = push(client, [item(1, town_code=HUAIYA), item(2, town_code=TOWN), item(3, town_code=None)]).json()

    assert [i["status"] for i in body["items"]] == ["created", "error", "error"]
    assert {i["error"]["code"] for i in body["items"][1:]} == {"appeal.forbidden"}
    assert list(Appeal.objects.values_list("town__code", flat=True)) == [HUAIYA]


def test_a_key_another_pusher_registered_is_refused_not_answered_with_their_appeal(
    client, partner, huaiya_clerk, meixian
):
    """Keys are chosen by each partner system (a call centre numbers its work orders 1, 2, 3 …): a key
    the county's 12345 centre used before is no retry of the town's push. Answering ``existing`` with
    the centre's appeal registered nothing for the town's citizen and told the town it had."""
    first = push(partner, [item(1, key="WO-0001")]).json()
    assert first["created"] == 1
    client.force_login(huaiya_clerk)

    body = push(client, [item(2, key="WO-0001", town_code=HUAIYA), item(3, key="WO-0002", town_code=HUAIYA)])

    assert body.status_code == 200, body.content
    outcome = body.json()["items"][0]
    assert outcome["status"] == "error", outcome
    assert outcome["error"]["code"] == "appeal.key_conflict"
    assert outcome["code"] is None  # the other pusher's appeal code is not shown
    assert body.json()["items"][1]["status"] == "created"
    assert Appeal.objects.filter(town__code=HUAIYA).count() == 1


def test_a_key_of_another_pusher_is_refused_within_a_batch_by_the_service_too(dispatcher, huaiya_clerk, meixian):
    appeal_submit_many(items=[item(1, key="WO-7")], actor=dispatcher)

    [outcome] = appeal_submit_many(items=[item(1, key="WO-7", town_code=HUAIYA)], actor=huaiya_clerk)
    again = appeal_submit_many(items=[item(1, key="WO-7")], actor=dispatcher)  # the centre's own retry

    assert (outcome.status, outcome.appeal, outcome.error.code) == ("error", None, "appeal.key_conflict")
    assert again[0].status == "existing" and again[0].appeal.submission_key == "WO-7"
    assert Appeal.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"kind": "praise"}, "appeal.bad_kind"),
        ({"tier": "urgentest"}, "appeal.bad_tier"),
        ({"channel": "fax"}, "appeal.bad_channel"),
        ({"title": "   "}, "appeal.title_required"),
        ({"latitude": 34.27, "longitude": None}, "appeal.bad_location"),
        ({"village_code": "610326101201"}, "appeal.bad_village"),  # a village of 槐芽镇
        ({"village_code": "610326105999"}, "appeal.unknown_region"),
        ({"town_code": "610326"}, "appeal.bad_town"),  # the county itself
        ({"category_code": "x" * 5000}, "appeal.unknown_category"),
        ({"contact_phone": "139000000"}, "appeal.bad_phone"),
    ],
)
def test_an_odd_value_is_that_appeals_error_and_the_other_goes_in(partner, overrides, code):
    body = push(partner, [item(1), item(2, **overrides)])

    assert body.status_code == 200, body.content
    assert [i["status"] for i in body.json()["items"]] == ["created", "error"]
    assert body.json()["items"][1]["error"]["code"] == code
    assert rows()["appeals"] == rows()["events"] == 1


def test_coordinates_on_the_edge_of_the_globe_are_kept(partner):
    body = push(partner, [item(1, latitude=-90, longitude=180), item(2, latitude=89.9999996, longitude=-179.9999996)])

    assert body.json()["created"] == 2, body.content
    stored = {a.submission_key: (float(a.latitude), float(a.longitude)) for a in Appeal.objects.all()}
    assert stored == {"partner-00001": (-90.0, 180.0), "partner-00002": (90.0, -180.0)}


@pytest.mark.django_db(transaction=True)
def test_two_pushes_of_the_same_keys_in_opposite_orders_at_once_both_answer(dispatcher, categories, meixian):
    """Two workers of a partner push overlapping batches at the same moment, the keys in different
    orders. Each appeal is registered once and both pushes answer; neither fails with a deadlock."""
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL; SQLite serialises them")
    with connection.cursor() as cursor:  # each appeal row a little slow to insert: the pushes interleave
        cursor.execute(
            "CREATE FUNCTION yc_slow_insert() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN PERFORM pg_sleep(0.01); RETURN NEW; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER yc_slow_insert BEFORE INSERT ON hotline_appeal FOR EACH ROW EXECUTE FUNCTION yc_slow_insert()"
        )
    try:
        appeals = [item(n) for n in range(30)]
        barrier = threading.Barrier(2)
        outcomes: dict[str, object] = {}

        def run(name, batch):
            try:
                barrier.wait()
                outcomes[name] = [
                    (o.key, o.status, o.appeal.pk if o.appeal else None)
                    for o in appeal_submit_many(items=batch, actor=dispatcher)
                ]
            except Exception as error:  # noqa: BLE001 (the outcome under test)
                outcomes[name] = repr(error)
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=run, args=("forward", appeals)),
            threading.Thread(target=run, args=("backward", appeals[::-1])),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS yc_slow_insert ON hotline_appeal")
            cursor.execute("DROP FUNCTION IF EXISTS yc_slow_insert()")

    assert all(isinstance(v, list) for v in outcomes.values()), outcomes
    assert Appeal.objects.count() == 30 and AppealEvent.objects.count() == 30
    forward = {key: pk for key, _, pk in outcomes["forward"]}
    backward = {key: pk for key, _, pk in outcomes["backward"]}
    assert forward == backward  # both answer with the same appeal for each key
    statuses = sorted(s for o in outcomes.values() for _, s, _ in o)
    assert statuses.count("created") == 30 and statuses.count("existing") == 30


def test_the_service_refuses_a_non_text_value_per_appeal(dispatcher, categories, meixian):
    """The service takes mappings from any caller, not only the API's schema."""
    outcomes = appeal_submit_many(
        items=[
            item(1),
            item(2, title=12345),
            item(3, anonymous="false"),
            "not an appeal",
            item(5, content="村道坑洼\x00请修补路面"),
            item(6, key="WO\x006"),
        ],
        actor=dispatcher,
    )

    assert [o.status for o in outcomes] == ["created", "error", "error", "error", "error", "error"]
    assert [o.error.code for o in outcomes[1:]] == [
        "appeal.bad_value",
        "appeal.bad_value",
        "appeal.bad_item",
        "appeal.bad_value",
        "appeal.key_required",
    ]
    assert all(isinstance(o.error, ApplicationError) for o in outcomes[1:])
    assert Appeal.objects.count() == 1


def test_a_phone_number_sent_as_a_json_number_is_refused_by_the_schema(partner):
    response = partner.post(
        "/api/hotline/appeals/batch",
        data=json.dumps({"appeals": [item(1), {**item(2), "contact_phone": 13900000002}]}),
        content_type="application/json",
    )

    assert response.status_code == 422, response.content
    assert rows()["appeals"] == 0


# --- faults of the rules both paths share (services/intake.py ``_checked``, ``appeal_submit``) ----


def test_a_contact_name_over_its_limit_is_that_appeals_error(partner):
    body = push(partner, [item(1), item(2, contact_name="张" * 65)])

    assert [i["status"] for i in body.json()["items"]] == ["created", "error"]
    assert body.json()["items"][1]["error"]["details"]["field"] == "contact_name"
    assert Appeal.objects.count() == 1


def test_a_town_clerk_may_not_register_a_phone_appeal_for_another_town_one_at_a_time(client, huaiya_clerk, meixian):
    client.force_login(huaiya_clerk)
    single = {k: v for k, v in item(1, channel="phone", town_code=TOWN).items() if k != "key"}

    response = client.post("/api/hotline/appeals", data=json.dumps(single), content_type="application/json")

    assert response.status_code == 403, response.content
    assert not Appeal.objects.exists()


def test_a_full_batch_of_appeals_at_the_content_limit_is_accepted(partner):
    from yiwang.core.limits import text_limit

    content = ("村道坑洼不平请修补。" * 1000)[: text_limit("APPEAL_CONTENT")]
    data = json.dumps({"appeals": [item(n, content=content) for n in range(100)]})  # \\uXXXX escapes

    response = partner.post("/api/hotline/appeals/batch", data=data, content_type="application/json")

    assert response.status_code == 200, response.content[:300]
    assert response.json()["created"] == 100
