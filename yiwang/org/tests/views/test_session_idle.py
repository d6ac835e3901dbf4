import datetime as dt

from django.contrib.sessions.models import Session
from django.utils import timezone

from yiwang.org.tests.factories import TEST_PASSWORD


def test_it_keeps_an_idle_limit_of_thirty_minutes(settings):
    # 等保 level 3: sessions end after 30 idle minutes; every request slides the expiry.
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_it_slides_the_expiry_on_every_request(client, clerk):
    client.post("/login/", {"username": "clerk", "password": TEST_PASSWORD})
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + dt.timedelta(minutes=2))
    assert client.get("/workbench/").status_code == 200
    session = Session.objects.get(session_key=key)
    assert session.expire_date > timezone.now() + dt.timedelta(minutes=29)


def test_it_logs_out_a_session_idle_past_the_limit(client, clerk):
    client.post("/login/", {"username": "clerk", "password": TEST_PASSWORD})
    assert client.get("/workbench/").status_code == 200
    # The last request was 31 minutes ago: the stored session has expired.
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(minutes=1)
    )
    response = client.get("/workbench/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/workbench/")
