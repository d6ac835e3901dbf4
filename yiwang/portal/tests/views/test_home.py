import datetime as dt

import pytest
from django.urls import reverse

from yiwang.portal.tests.helpers import make_halls

pytestmark = pytest.mark.django_db


def _freeze_today(monkeypatch, day: dt.date):
    monkeypatch.setattr("yiwang.portal.views.timezone.localdate", lambda: day)


def test_it_shows_the_service_network_counts(client):
    make_halls()
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    overview = response.context["overview"]
    assert overview == {"halls": 2, "windows": 3, "departments": 0, "towns": 2}
    assert "一网通办" in response.content.decode()


def test_it_says_a_spring_festival_day_is_a_rest_day_and_names_the_next_workday(client, monkeypatch):
    _freeze_today(monkeypatch, dt.date(2026, 2, 16))  # 春节 holiday, a Monday
    body = client.get(reverse("portal:home")).content.decode()
    assert "是休息日" in body
    assert "2月24日" in body  # first working day after the 2026 Spring Festival break


def test_it_says_an_adjusted_saturday_is_a_workday(client, monkeypatch):
    _freeze_today(monkeypatch, dt.date(2026, 2, 14))  # 调休 Saturday
    body = client.get(reverse("portal:home")).content.decode()
    assert "是工作日" in body


def test_it_filters_halls_by_kind_and_town_and_counts_active_windows(client):
    halls = make_halls()
    response = client.get(reverse("portal:halls"), {"town": halls["yingtou"].code})
    listed = list(response.context["halls"])
    assert [h.name for h in listed] == ["营头镇便民服务中心"]

    response = client.get(reverse("portal:halls"), {"kind": "county_hall"})
    (county_hall,) = response.context["halls"]
    assert county_hall.window_count == 2  # the inactive window is not counted


def test_it_ignores_an_unknown_kind(client):
    make_halls()
    response = client.get(reverse("portal:halls"), {"kind": "nonsense"})
    assert len(response.context["halls"]) == 2


def test_it_rerenders_only_the_rows_for_htmx(client):
    make_halls()
    response = client.get(reverse("portal:halls"), {"kind": "town_centre"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    assert "营头镇便民服务中心" in body and "眉县政务服务中心" not in body


def test_it_toggles_elder_mode_with_a_cookie_and_a_larger_layout(client):
    response = client.post(reverse("portal:elder_mode"), {"next": "/halls/"})
    assert response.status_code == 302 and response["Location"] == "/halls/"
    assert client.cookies["elder_mode"].value == "1"
    assert 'class="elder"' in client.get(reverse("portal:home")).content.decode()

    client.post(reverse("portal:elder_mode"), {"next": "/"})
    assert 'class="elder"' not in client.get(reverse("portal:home")).content.decode()


def test_it_refuses_to_redirect_elder_mode_to_another_site(client):
    response = client.post(reverse("portal:elder_mode"), {"next": "https://evil.example.com/"})
    assert response["Location"] == "/"


def test_it_answers_the_health_check(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_it_speaks_english_when_the_visitor_chooses_it(client, monkeypatch):
    _freeze_today(monkeypatch, dt.date(2026, 2, 16))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get(reverse("portal:home")).content.decode()
    assert '<html lang="en"' in body
    assert "Meixian Government Services" in body
    assert "February 24" in body  # next working day, in the English date format
    assert "是休息日" not in body
