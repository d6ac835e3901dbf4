"""Who may use each ratings URL with an object identifier; each is driven for several roles below."""

import pytest
from django.urls import reverse

from yiwang.org.models import Role
from yiwang.org.tests.factories import MembershipFactory, ServiceHallFactory, UserFactory, WindowFactory
from yiwang.ratings.models import Rectification
from yiwang.ratings.services import check_schedule, rating_submit

pytestmark = pytest.mark.django_db

ACCESS_ROUTES = {
    "ratings/rate/case/<str:number>/": "the case's applicant only; other citizens 404; anonymous → login",
    "ratings/rate/appeal/<str:code>/": "the person who raised the appeal only; others 404; anonymous → login",
    "ratings/pad/<str:number>/": "clerks of the case's hall (rating.pad); clerks of other halls 404; others 403",
    "ratings/staff/rectifications/<int:pk>/": "the responsible department's handlers, supervisors and leaders of "
    "the region (read); other departments 404",
    "ratings/supervision/rectifications/<int:pk>/": "supervisors of the region (rectification.review); others 403",
    "ratings/supervision/checks/<int:pk>/": "supervisors of the region (servicecheck.manage); others 403",
    "ratings/supervision/checks/<int:pk>/report.xlsx": "supervisors of the region; others 403",
    "ratings/supervision/checks/<int:pk>/report.pdf": "supervisors of the region; others 403",
    "api/ratings/rectifications/<pk>": "the responsible department, supervisors and leaders; others 403/404",
    "api/ratings/rectifications/<pk>/steps": "the responsible department's handlers (their steps), supervisors "
    "(review); others 403/404",
}


def _status(client, user, method, url, data=None):
    if user is None:
        client.logout()
    else:
        client.force_login(user)
    if method == "POST" and url.startswith("/api/"):
        return client.post(url, data or {}, content_type="application/json").status_code
    if method == "POST":
        return client.post(url, data or {}).status_code
    return client.get(url).status_code


@pytest.fixture
def other_citizen(meixian):
    user = UserFactory(username="citizen_b", display_name="李娜")
    MembershipFactory(user=user, role=Role.CITIZEN)
    return user


@pytest.fixture
def other_clerk(meixian):
    hall = ServiceHallFactory(name="眉县不动产登记中心", kind="county_hall", region=meixian.county)
    window = WindowFactory(hall=hall, number=1, label="1号 综合受理窗口")
    user = UserFactory(username="clerk_y", display_name="孙丽")
    MembershipFactory(user=user, role=Role.CLERK, hall=hall, window=window)
    return user


def test_rating_forms_are_the_applicants_own(client, finished_case, replied_appeal, citizen, other_citizen, handler_a):
    for url in (
        reverse("ratings:rate_case", args=[finished_case.number]),
        reverse("ratings:rate_appeal", args=[replied_appeal.code]),
    ):
        assert _status(client, citizen, "GET", url) == 200
        assert _status(client, other_citizen, "GET", url) == 404
        assert _status(client, handler_a, "GET", url) == 404
        assert _status(client, None, "GET", url) == 302
        assert _status(client, other_citizen, "POST", url, {"level": 5}) == 404


def test_the_pad_is_the_halls_own(client, counter_case, clerk, other_clerk, handler_a, citizen):
    url = reverse("ratings:pad", args=[counter_case.number])
    assert _status(client, clerk, "GET", url) == 200
    assert _status(client, other_clerk, "GET", url) == 404
    assert _status(client, other_clerk, "POST", url, {"level": 1}) == 404
    assert _status(client, handler_a, "GET", url) == 403
    assert _status(client, citizen, "GET", url) == 403
    assert _status(client, None, "GET", url) == 302


def test_a_rectification_is_the_departments_own(
    client, finished_case, citizen, handler_a, handler_b, supervisor, leader, clerk
):
    rating = rating_submit(actor=citizen, case=finished_case, level=1, channel="online", comment="推诿扯皮")
    r = Rectification.objects.get(rating=rating)
    page = reverse("ratings:rectification", args=[r.pk])
    assert _status(client, handler_a, "GET", page) == 200
    assert _status(client, supervisor, "GET", page) == 200
    assert _status(client, leader, "GET", page) == 200
    assert _status(client, handler_b, "GET", page) == 404
    assert _status(client, handler_b, "POST", page, {"note": "核实", "reached": "on"}) == 404
    assert _status(client, leader, "POST", page, {"note": "核实", "reached": "on"}) == 403
    assert _status(client, clerk, "GET", page) == 403
    assert _status(client, citizen, "GET", page) == 403
    assert _status(client, None, "GET", page) == 302
    review = reverse("ratings:review", args=[r.pk])
    assert _status(client, supervisor, "GET", review) == 200
    assert _status(client, handler_a, "GET", review) == 403
    assert _status(client, leader, "GET", review) == 403
    assert _status(client, None, "GET", review) == 302
    api = f"/api/ratings/rectifications/{r.pk}"
    assert _status(client, handler_a, "GET", api) == 200
    assert _status(client, supervisor, "GET", api) == 200
    assert _status(client, handler_b, "GET", api) == 404
    assert _status(client, citizen, "GET", api) == 403
    assert _status(client, None, "GET", api) in (401, 403)
    step = {"step": "verify", "note": "已电话核实", "reached": True}
    assert _status(client, handler_b, "POST", api + "/steps", step) == 404
    assert _status(client, supervisor, "POST", api + "/steps", step) == 403
    assert _status(client, citizen, "POST", api + "/steps", step) == 403
    r.refresh_from_db()
    assert r.state == Rectification.State.VERIFYING
    assert _status(client, handler_a, "POST", api + "/steps", step) == 200


def test_checks_are_the_supervisors(client, meixian, supervisor, handler_a, leader, citizen):
    check = check_schedule(region=meixian.county, year=2026, quarter=1, actor=supervisor)
    for name in ("check", "check_xlsx", "check_pdf"):
        url = reverse(f"ratings:{name}", args=[check.pk])
        assert _status(client, supervisor, "GET", url) == 200
        assert _status(client, handler_a, "GET", url) == 403
        assert _status(client, leader, "GET", url) == 403
        assert _status(client, citizen, "GET", url) == 403
        assert _status(client, None, "GET", url) == 302


def test_the_public_page_shows_no_personal_data(client, finished_case, citizen, handler_a, supervisor):
    from yiwang.ratings import services

    rating = rating_submit(
        actor=citizen, case=finished_case, level=1, channel="online", comment="王秀兰办事被推诿，电话13891712345"
    )
    r = Rectification.objects.get(rating=rating)
    r = services.rectification_verify(rectification=r, reached=True, note="已回访", actor=handler_a)
    r = services.rectification_classify(rectification=r, classification="fix_now", note="属实", actor=handler_a)
    r = services.rectification_rectify(
        rectification=r, measures_taken="王秀兰反映的问题已整改，窗口推行首问负责", actor=handler_a
    )
    r = services.rectification_reply(rectification=r, reply="已整改", actor=handler_a)
    r = services.rectification_revisit(rectification=r, level=5, note="满意", actor=handler_a)
    services.rectification_review(rectification=r, accept=True, note="", actor=supervisor)
    client.logout()
    html = client.get(reverse("ratings:public")).content.decode()
    assert "窗口推行首问负责" in html
    assert "王秀兰" not in html and "13891712345" not in html
    assert "王**" in html
