"""Bad input to the hotline pages, API and Open311: a clear 4xx with a code, and nothing changed."""

import pytest
from django.test import Client

from yiwang.hotline.models import Appeal

pytestmark = pytest.mark.django_db

API = "/api/hotline/appeals"


def _appeal(**changes) -> dict:
    data = {
        "kind": "complaint",
        "title": "红河谷村通村路坑洼",
        "content": "红河谷村到营头镇的通村路多处坑洼，下雨积水，请尽快修补。",
        "anonymous": True,
        "confirm_not_emergency": True,
    }
    data.update(changes)
    return data


@pytest.fixture
def api_client(citizen):
    client = Client(raise_request_exception=False)
    client.force_login(citizen)
    return client


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}, body
    assert body["code"] == code, body
    return body


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('"latitude": 1e308, "longitude": 107.7', "latitude"),
        ('"latitude": NaN, "longitude": 107.7', "latitude"),
        ('"latitude": 34.2, "longitude": Infinity', "longitude"),
        ('"latitude": 91, "longitude": 107.7', "latitude"),
        ('"latitude": 34.2, "longitude": -180.5', "longitude"),
    ],
)
def test_the_api_refuses_a_location_off_the_globe(api_client, categories, meixian, raw, field):
    body = (
        '{"kind": "complaint", "title": "路面坑洼", "content": "通村路多处坑洼，请修补。", '
        f'"anonymous": true, "confirm_not_emergency": true, {raw}}}'
    )
    response = api_client.post(API, data=body, content_type="application/json")
    error = _error(response, 422, "request.invalid")
    assert field in str(error["details"]["errors"])
    assert not Appeal.objects.exists()


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(float("nan"), 107.7), (1e308, 107.7), (34.2, float("inf")), (34.2, None), ("东经", 107.7)],
)
def test_the_service_refuses_a_location_off_the_globe(operator, categories, latitude, longitude):
    from yiwang.core.errors import ApplicationError
    from yiwang.hotline import services

    with pytest.raises(ApplicationError) as caught:
        services.appeal_submit(
            channel=Appeal.Channel.PHONE,
            kind="complaint",
            title="路面坑洼",
            content="通村路多处坑洼，请修补。",
            actor=operator,
            anonymous=True,
            latitude=latitude,
            longitude=longitude,
        )
    assert caught.value.code == "appeal.bad_location" and caught.value.status == 400
    assert not Appeal.objects.exists()


@pytest.mark.parametrize(
    "data", [{"lat": "1e308", "long": "107.7"}, {"lat": "nan", "long": "nan"}, {"lat": "34", "long": "inf"}]
)
def test_open311_refuses_a_location_off_the_globe(client, categories, data):
    response = client.post(
        "/open311/v2/requests.json",
        {"service_code": "rural-roads", "description": "通村路多处坑洼，请尽快修补。", **data},
    )
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("code_of", ["county", "huaiya", "province"])
def test_a_region_of_the_wrong_level_is_not_a_village(api_client, categories, meixian, code_of):
    region = getattr(meixian, code_of)
    response = api_client.post(API, _appeal(village_code=region.code), content_type="application/json")
    body = _error(response, 400, "appeal.bad_village")
    assert body["details"]["field"] == "village"
    assert not Appeal.objects.exists()


@pytest.mark.parametrize(
    ("where", "body"),
    [
        (
            "json",
            '{"kind": "complaint", "title": "路\\u0000面", "content": "通村路多处坑洼，请修补。", "anonymous": true}',
        ),
        (
            "json",
            '{"kind": "complaint", "title": "路面", "content": "通村路多处坑洼\\u0000，请修补。", "anonymous": true}',
        ),
    ],
)
def test_a_nul_in_a_json_field_is_refused(api_client, categories, where, body):
    response = api_client.post(API, data=body, content_type="application/json")
    assert _error(response, 400, "request.nul_byte")["details"]["where"] == where
    assert not Appeal.objects.exists()


def test_an_escaped_backslash_before_u0000_is_text_not_a_nul(api_client, categories):
    body = '{"kind": "complaint", "title": "路径 C:\\\\u0000", "content": "通村路多处坑洼，请修补。", "anonymous": true, "confirm_not_emergency": true}'
    response = api_client.post(API, data=body, content_type="application/json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    "query",
    [{"offset": "99999999999999999999"}, {"offset": "9223372036854775807"}, {"limit": "100000"}, {"offset": "-1"}],
)
def test_a_huge_offset_or_limit_is_refused(client, operator, query):
    client.force_login(operator)
    _error(client.get(API, query), 422, "request.invalid")


def test_offset_and_limit_within_their_caps_are_answered(client, operator):
    client.force_login(operator)
    assert client.get(API, {"offset": "100000", "limit": "200"}).json() == {"count": 0, "items": []}


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"start": "0001-01-01", "end": "9999-12-31"}, "period.out_of_range"),
        ({"start": "0001-01-01"}, "period.out_of_range"),
        ({"end": "9999-12-31"}, "period.out_of_range"),
        ({"start": "2026-05-01", "end": "2026-01-01"}, "period.reversed"),
    ],
)
def test_the_kpis_refuse_a_period_out_of_range(client, operator, query, code):
    client.force_login(operator)
    _error(client.get("/api/hotline/kpis", query), 400, code)


@pytest.mark.parametrize("path", ["/hotline/staff/dashboard/", "/hotline/staff/hotspots/"])
@pytest.mark.parametrize(
    "query", [{"start": "0001-01", "end": "9999-12"}, {"start": "0001-01", "end": "0001-01"}, {"end": "9999-12"}]
)
def test_the_dashboard_refuses_months_out_of_range(operator, path, query):
    client = Client(raise_request_exception=False)
    client.force_login(operator)
    response = client.get(path, query)
    assert response.status_code == 400
    assert response["X-Error-Code"] == "period.out_of_range"
    assert "超出可查询范围" in response.content.decode()


def test_a_nul_in_a_public_form_is_refused_and_files_nothing(client, categories):
    response = client.post("/hotline/submit/", {"title": "路面\x00坑洼", "content": "通村路多处坑洼，请修补。"})
    assert response.status_code == 400 and response["X-Error-Code"] == "request.nul_byte"
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("path", ["/hotline/track/", "/hotline/public/"])
def test_a_nul_in_a_public_query_is_refused(client, path):
    response = client.get(path, {"code": "YW\x00", "q": "\x00"})
    assert response.status_code == 400 and response["X-Error-Code"] == "request.nul_byte"
    assert "空字符" in response.content.decode()


def test_a_nul_in_an_open311_path_keeps_the_open311_error_shape(client):
    response = client.get("/open311/v2/requests/YW%00.json")
    assert response.status_code == 400 and response.json()[0]["code"] == 400


# --- free text has a maximum; similarity and routing read a bounded prefix ------------------------


def test_an_appeal_of_780000_characters_is_refused_quickly_by_the_api(api_client, categories):
    import time

    started = time.perf_counter()
    response = api_client.post(API, _appeal(content="坑洼" * 390_000), content_type="application/json")
    assert time.perf_counter() - started < 3
    _error(response, 413, "request.too_large")  # 2.3 MB of text: over the body limit before any parsing
    assert not Appeal.objects.exists()


def test_an_appeal_over_the_content_limit_is_refused_by_the_api(api_client, categories):
    response = api_client.post(API, _appeal(content="坑" * 5001), content_type="application/json")
    body = _error(response, 422, "request.invalid")
    assert body["details"]["errors"][0]["loc"][-1] == "content"
    assert not Appeal.objects.exists()


def test_the_service_refuses_an_appeal_over_the_county_limit(operator, categories, settings):
    from yiwang.core.errors import ApplicationError
    from yiwang.hotline import services

    settings.YIWANG_TEXT_LIMITS = {"APPEAL_CONTENT": 50}
    with pytest.raises(ApplicationError) as caught:
        services.appeal_submit(
            channel=Appeal.Channel.PHONE,
            kind="complaint",
            title="路面坑洼",
            content="通村路多处坑洼，请修补。" * 10,
            actor=operator,
            anonymous=True,
        )
    assert caught.value.code == "appeal.content_too_long"
    assert caught.value.details == {"field": "content", "limit": 50, "length": 120}
    assert not Appeal.objects.exists()


def test_the_public_form_refuses_an_appeal_over_the_limit(client, categories):
    response = client.post(
        "/hotline/submit/", {"kind": "complaint", "title": "路面坑洼", "content": "坑" * 6000, "anonymous": "on"}
    )
    assert response.status_code == 400  # the form again, with the field's error
    assert "5000" in response.content.decode()
    assert not Appeal.objects.exists()


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("reply", {"content": "已修补。" * 2000}),
        ("return", {"reason": "不属于本部门职责。" * 300}),
        ("extensions", {"days": 3, "reason": "需要协调施工。" * 400}),
    ],
)
def test_replies_and_reasons_over_the_limit_are_refused(client, handler_a, signed_off, path, payload):
    client.force_login(handler_a)
    state = signed_off.state
    response = client.post(f"{API}/{signed_off.code}/{path}", payload, content_type="application/json")
    _error(response, 422, "request.invalid")
    signed_off.refresh_from_db()
    assert signed_off.state == state


def test_similarity_and_routing_read_a_bounded_prefix(make_appeal, categories):
    import time

    from yiwang.hotline import selectors
    from yiwang.hotline.models import Appeal as AppealModel

    first = make_appeal()
    # A row stored before the limit existed: the desk must not pay for its length.
    AppealModel.objects.filter(pk=first.pk).update(content="红河谷村通村路坑洼积水" * 70_000)
    second = make_appeal()
    started = time.perf_counter()
    similar = selectors.similar_open_appeals(second)
    selectors.routing_suggest(title="通村路坑洼", content="红河谷村通村路坑洼积水" * 70_000)
    assert time.perf_counter() - started < 3
    assert [s.appeal.pk for s in similar] == [first.pk]
