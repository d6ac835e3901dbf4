"""The pages as their users see them."""

import pytest
from django.urls import reverse

from yiwang.ratings.models import Rating, Rectification
from yiwang.ratings.services import rating_submit

pytestmark = pytest.mark.django_db


def test_the_applicant_rates_online_once(client, finished_case, citizen):
    client.force_login(citizen)
    mine = client.get(reverse("ratings:mine")).content.decode()
    assert finished_case.number in mine and "去评价" in mine
    url = reverse("ratings:rate_case", args=[finished_case.number])
    response = client.post(url, {"level": "2", "comment": "", "score_efficiency": "2"})
    assert "差评请简要说明原因" in response.content.decode()
    assert not Rating.objects.exists()
    response = client.post(url, {"level": "2", "comment": "等了很久", "score_efficiency": "2"})
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert rating.scores == {"efficiency": 2, "overall": 2}
    assert Rectification.objects.filter(rating=rating).exists()
    again = client.post(url, {"level": "5"})
    assert "已评价" in again.content.decode()
    assert Rating.objects.count() == 1


def test_the_pad_takes_one_tap(client, counter_case, clerk):
    client.force_login(clerk)
    home = client.get(reverse("ratings:pad_home")).content.decode()
    assert counter_case.number in home
    url = reverse("ratings:pad", args=[counter_case.number])
    response = client.post(url, {"level": "1"})
    assert "差评请简要说明原因" in response.content.decode()
    response = client.post(url, {"level": "1", "reason": ["等候时间长", "伪造原因"]})
    assert "感谢您的评价" in response.content.decode()
    rating = Rating.objects.get()
    assert rating.channel == "pad" and rating.comment == "等候时间长"
    assert counter_case.number not in client.get(reverse("ratings:pad_home")).content.decode()


def test_the_department_works_its_queue(client, finished_case, citizen, handler_a, handler_b, supervisor):
    rating = rating_submit(actor=citizen, case=finished_case, level=1, channel="online", comment="态度差")
    r = Rectification.objects.get(rating=rating)
    client.force_login(handler_b)
    assert r.number not in client.get(reverse("ratings:queue")).content.decode()
    client.force_login(handler_a)
    queue = client.get(reverse("ratings:queue")).content.decode()
    assert r.number in queue and "badge" in queue
    url = reverse("ratings:rectification", args=[r.pk])
    assert client.post(url, {"note": "已电话联系申请人", "reached": "on"}).status_code == 302
    r.refresh_from_db()
    assert r.state == "classifying"
    response = client.post(url, {"classification": "appeal", "note": "恶意差评"})
    assert "申诉须上传证据材料" in response.content.decode()
    assert client.post(url, {"classification": "fix_now", "note": "诉求合理"}).status_code == 302
    client.post(url, {"measures_taken": "调整窗口人员"})
    client.post(url, {"reply": "已整改"})
    client.post(url, {"level": "5", "note": "满意"})
    r.refresh_from_db()
    assert r.state == "reviewing"
    client.force_login(supervisor)
    assert r.number in client.get(reverse("ratings:review_queue")).content.decode()
    assert client.post(reverse("ratings:review", args=[r.pk]), {"decision": "accept"}).status_code == 302
    r.refresh_from_db()
    assert r.state == "closed"
    assert "调整窗口人员" in client.get(reverse("ratings:public")).content.decode()


def test_targets_page_labels_county_defaults(client, finished_case, citizen, supervisor, leader):
    rating_submit(actor=citizen, case=finished_case, level=1, channel="online", comment="态度差")
    for user in (supervisor, leader):
        client.force_login(user)
        html = client.get(reverse("ratings:targets")).content.decode()
        assert "实名差评回访率" in html and "县级默认值" in html and "5 个工作日" in html
        for by in ("hall", "window", "staff", "item", "channel"):
            assert client.get(reverse("ratings:targets") + f"?by={by}").status_code == 200


def test_a_supervisor_runs_a_check(client, meixian, county_hall, dept_a, supervisor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(supervisor)
    response = client.post(reverse("ratings:checks"), {"form": "monitor", "name": "张建国", "kind": "citizen"})
    assert response.status_code == 302
    response = client.post(reverse("ratings:checks"), {"form": "schedule", "year": 2026, "quarter": 2})
    assert response.status_code == 302
    url = response["Location"]
    from yiwang.ratings.models import Monitor

    monitor = Monitor.objects.get()
    assert client.post(url, {"form": "assign", "monitor": monitor.pk, "hall": county_hall.pk}).status_code == 302
    photo = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    data = {
        "form": "finding",
        "hall": county_hall.pk,
        "department": dept_a.pk,
        "monitor": monitor.pk,
        "category": "attitude",
        "severity": "general",
        "description": "窗口人员玩手机",
        "photo": photo,
    }
    assert client.post(url, data).status_code == 302
    html = client.get(url).content.decode()
    assert "窗口人员玩手机" in html and "发现问题 1 项" in html
    assert Rectification.objects.get().source == "finding"
    duplicate = client.post(reverse("ratings:checks"), {"form": "schedule", "year": 2026, "quarter": 2})
    assert "已安排效能大体检" in duplicate.content.decode()


def test_a_handler_reads_only_their_departments_ratings(client, finished_case, citizen, handler_a, handler_b, leader):
    rating_submit(actor=citizen, case=finished_case, level=4, channel="online", comment="挺好")
    url = reverse("ratings:staff_ratings")
    client.force_login(handler_a)
    assert finished_case.number in client.get(url).content.decode()
    assert finished_case.number not in client.get(url + "?level=1").content.decode()
    client.force_login(handler_b)
    assert finished_case.number not in client.get(url).content.decode()
    client.force_login(leader)
    assert finished_case.number in client.get(url).content.decode()
    client.force_login(citizen)
    assert client.get(url).status_code == 403


def test_the_portal_home_links_the_public_ratings_page(client):
    home = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("ratings:public")}"' in home and "政务服务好差评" in home
