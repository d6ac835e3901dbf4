import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_shows_an_official_year_with_its_holidays(client):
    response = client.get(reverse("workdays:calendar"), {"year": 2026})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026 年工作日日历" in html
    assert '<span class="badge text-bg-success" data-testid="calendar-status">官方数据</span>' in html
    assert html.count('<td class="wd-holiday"') == 33
    assert html.count('<td class="wd-workday"') == 6
    assert '<caption class="caption-top">12 月</caption>' in html
    assert '<th scope="col">' in html


def test_it_shows_a_fallback_year_as_provisional(client):
    html = client.get(reverse("workdays:calendar"), {"year": 2027}).content.decode()
    assert "临时（依法定规则推算）" in html
    assert html.count('<td class="wd-holiday"') == 13
    assert '<td class="wd-workday"' not in html


def test_it_answers_the_htmx_form_with_the_partial_only(client):
    response = client.get(reverse("workdays:add"), {"start": "2026-02-12", "days": 20}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<strong data-testid="due">2026-03-18</strong>' in html
    assert "<html" not in html


def test_it_answers_without_javascript_with_the_whole_page(client):
    html = client.get(reverse("workdays:add"), {"start": "2027-01-05", "days": 3}).content.decode()
    assert '<strong data-testid="due">2027-01-08</strong>' in html
    assert "临时（依法定规则推算）" in html
    assert "<html" in html


def test_it_shows_form_errors_for_negative_days(client):
    response = client.get(reverse("workdays:add"), {"start": "2026-02-12", "days": -2}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "工作日数：工作日数不能为负数" in html
    assert 'data-testid="due"' not in html
