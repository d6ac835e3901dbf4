"""The public tracking page: a non-consented appeal needs the code *and* the phone's last four
digits; guessing codes is rate-limited per address and per code (Open311 requests/{id} too)."""

import pytest
from django.urls import reverse

from yiwang.hotline import services
from yiwang.hotline.models import Appeal

TRACK = "/hotline/track/"
REPLY = "已安排施工队于本周内修补坑洼路段并清理积水，感谢反映。"


@pytest.fixture
def private(make_appeal, operator, dept_a, handler_a):
    appeal = make_appeal(public_consent=False, title="东关社区噪音扰民")
    services.appeal_dispatch(appeal=appeal, department=dept_a, actor=operator)
    services.appeal_sign_off(appeal=appeal, actor=handler_a)
    services.appeal_reply(appeal=appeal, content=REPLY, actor=handler_a)
    return appeal


def test_a_non_consented_appeal_is_not_shown_by_its_code_alone(client, private):
    response = client.get(TRACK, {"code": private.code})
    html = response.content.decode()
    assert response.status_code == 404
    assert "东关社区噪音扰民" not in html and REPLY not in html
    # The same answer as an unknown code: a guess learns nothing.
    unknown = client.get(TRACK, {"code": "YW000000AAAAA"})
    assert unknown.status_code == 404
    assert "未找到该受理编号" in html and "未找到该受理编号" in unknown.content.decode()


@pytest.mark.parametrize("digits", ["1234", "2344", "9999"])
def test_wrong_phone_digits_show_nothing(client, private, digits):
    response = client.get(TRACK, {"code": private.code, "phone_last4": digits})
    assert response.status_code == 404 and REPLY not in response.content.decode()


def test_the_code_and_the_last_four_digits_show_it(client, private):
    response = client.get(TRACK, {"code": private.code, "phone_last4": "2345"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "东关社区噪音扰民" in html and REPLY in html
    assert "13991712345" not in html and "139****2345" in html


def test_a_consented_appeal_is_shown_by_its_code_as_before(client, replied):
    response = client.get(TRACK, {"code": replied.code})
    assert response.status_code == 200 and REPLY in response.content.decode()


def test_an_anonymous_appeal_without_a_phone_is_not_public_by_code(client, make_appeal):
    appeal = make_appeal(public_consent=False, anonymous=True, contact_name="", contact_phone="")
    assert client.get(TRACK, {"code": appeal.code}).status_code == 404
    assert client.get(TRACK, {"code": appeal.code, "phone_last4": "0000"}).status_code == 404


def test_the_browser_that_submitted_it_sees_it_without_the_digits(client, categories):
    form = {
        "kind": "complaint",
        "title": "路灯不亮",
        "content": "首善街道东关社区路灯连续一周不亮，夜间出行不便。",
        "contact_name": "张建国",
        "contact_phone": "13991712345",
        "submission_key": "track-own-1",
    }
    response = client.post(reverse("hotline:submit"), form)
    appeal = Appeal.objects.get()
    assert not appeal.public_consent
    page = client.get(response["Location"])
    assert page.status_code == 200 and "路灯不亮" in page.content.decode()
    # Another browser needs the digits.
    client.cookies.clear()
    assert client.get(response["Location"]).status_code == 404


def test_the_signed_in_submitter_sees_it(client, citizen, categories):
    appeal = services.appeal_submit(
        channel=Appeal.Channel.PORTAL,
        kind="complaint",
        title="小区供暖不热",
        content="首善街道某小区供暖温度不达标，室内只有十四度。",
        actor=citizen,
        contact_name="王秀兰",
        contact_phone="13891712345",
        public_consent=False,
    )
    client.force_login(citizen)
    assert client.get(TRACK, {"code": appeal.code}).status_code == 200


LIMITS = {"hotline.track": {"ip": "5/10m", "target": "3/10m"}, "open311.request": {"ip": "5/10m", "target": "3/10m"}}


def test_the_fourth_try_at_one_code_is_refused_from_any_address(client, settings, private):
    settings.YIWANG_RATELIMITS = LIMITS
    for n, digits in enumerate(["0000", "1111", "2222"]):
        r = client.get(TRACK, {"code": private.code, "phone_last4": digits}, REMOTE_ADDR=f"198.51.100.{n}")
        assert r.status_code == 404
    refused = client.get(TRACK, {"code": private.code, "phone_last4": "2345"}, REMOTE_ADDR="198.51.100.9")
    assert refused.status_code == 429
    assert "操作过于频繁" in refused.content.decode() and REPLY not in refused.content.decode()
    assert client.get(TRACK, {"code": "YW000000AAAAA"}, REMOTE_ADDR="198.51.100.9").status_code == 404


def test_the_sixth_code_from_one_address_is_refused_and_not_from_another(client, settings, db):
    settings.YIWANG_RATELIMITS = LIMITS
    codes = [f"YW00000000{n:03d}" for n in range(6)]
    assert [client.get(TRACK, {"code": c}).status_code for c in codes[:5]] == [404] * 5
    assert client.get(TRACK, {"code": codes[5]}).status_code == 429
    assert client.get(TRACK, {"code": codes[5]}, REMOTE_ADDR="198.51.100.200").status_code == 404


def test_open311_request_by_id_is_rate_limited_in_the_spec_error_shape(client, settings, replied):
    settings.YIWANG_RATELIMITS = LIMITS
    url = f"/open311/v2/requests/{replied.code}.json"
    assert [client.get(url).status_code for _ in range(3)] == [200] * 3
    refused = client.get(url)
    assert refused.status_code == 429
    [error] = refused.json()
    assert error["code"] == 429 and "操作过于频繁" in error["description"]
    assert client.get(f"/open311/v2/requests/{replied.code}.json", REMOTE_ADDR="198.51.100.3").status_code == 429
    assert client.get("/open311/v2/requests/YW000000AAAAA.json").status_code == 404


def test_open311_requests_by_ids_count_per_address(client, settings, replied):
    settings.YIWANG_RATELIMITS = LIMITS
    url = "/open311/v2/requests.json"
    for _ in range(5):
        assert client.get(url, {"service_request_id": replied.code}).status_code == 200
    assert client.get(url, {"service_request_id": replied.code}).status_code == 429
    assert client.get(url, {"service_request_id": replied.code}, REMOTE_ADDR="198.51.100.4").status_code == 200


def test_the_revisit_is_shown_as_done_by_the_12345_centre(client, replied, operator, dept_a):
    services.appeal_revisit(appeal=replied, resolved=True, satisfaction=5, actor=operator)
    html = client.get(TRACK, {"code": replied.code}).content.decode()
    timeline = html[html.index("办理过程") :]
    revisit_row = next(line for line in timeline.splitlines() if "回访" in line)
    assert "12345热线中心" in revisit_row
    assert dept_a.name not in revisit_row
