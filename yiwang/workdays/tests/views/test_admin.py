import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from yiwang.workdays.models import Clock
from yiwang.workdays.services import clock_pause
from yiwang.workdays.tests.factories import start_clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser(username="root", email="root@example.org", password="Root-2026!x")
    client.force_login(user)
    return client


def test_it_lists_the_calendar_read_only_with_a_link_to_the_import_page(admin_client):
    html = admin_client.get("/admin/workdays/calendaryear/").content.decode()
    assert 'href="/workdays/import/"' in html
    assert 'href="/workdays/?year=2026"' in html
    assert admin_client.get("/admin/workdays/calendaryear/add/").status_code == 403
    html = admin_client.get("/admin/workdays/calendarday/?year=2026").content.decode()
    assert "2026-02-14" in html or "2026年2月14日" in html


def test_it_shows_a_clock_with_its_pause_ledger(admin_client):
    clock = start_clock(dt.date(2026, 3, 2), 10)
    clock_pause(clock=clock, on=dt.date(2026, 3, 4), reason="专家评审", actor=None)
    response = admin_client.get(f"/admin/workdays/clock/{clock.pk}/change/")
    assert response.status_code == 200
    assert "专家评审" in response.content.decode()
    assert Clock.objects.get().state == "paused"
