import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yiwang.core.sessions import REFRESHED_KEY
from yiwang.org.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen_client(client):
    client.force_login(User.objects.create_user("wang-xiulan", password="Xiulan#2026mx", display_name="王秀兰"))
    return client


def _stored(client) -> tuple[dict, dt.datetime]:
    row = Session.objects.get(session_key=client.session.session_key)
    return row.get_decoded(), row.expire_date


def test_it_writes_no_session_for_an_api_call_right_after_a_save(citizen_client):
    assert REFRESHED_KEY not in _stored(citizen_client)[0]
    # The first call finds no stamp: it slides the session and stamps it.
    assert citizen_client.get("/api/cases/cases").status_code == 200
    data, expiry = _stored(citizen_client)
    assert isinstance(data[REFRESHED_KEY], int)

    response = citizen_client.get("/api/cases/cases")
    assert response.status_code == 200
    assert "Cookie" in response["Vary"]
    assert _stored(citizen_client) == (data, expiry)  # not written: same data, same expiry


def test_it_refreshes_an_api_session_once_the_last_save_is_a_minute_old(citizen_client):
    key = citizen_client.session.session_key
    session = citizen_client.session
    session[REFRESHED_KEY] = int(timezone.now().timestamp()) - 61
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + dt.timedelta(minutes=2))

    assert citizen_client.get("/api/cases/cases").status_code == 200
    data, expiry = _stored(citizen_client)
    assert expiry > timezone.now() + dt.timedelta(minutes=29)
    assert abs(data[REFRESHED_KEY] - timezone.now().timestamp()) < 5


def test_it_stamps_a_page_session_on_every_save(citizen_client):
    key = citizen_client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + dt.timedelta(minutes=2))
    assert citizen_client.get("/inbox/").status_code == 200
    data, expiry = _stored(citizen_client)
    assert expiry > timezone.now() + dt.timedelta(minutes=29)
    assert isinstance(data[REFRESHED_KEY], int)


def test_it_creates_no_session_for_a_stale_cookie(client):
    client.cookies["sessionid"] = "no-such-session-key-0123456789abcdef"
    assert client.get("/api/cases/cases").status_code == 401
    assert client.get("/").status_code == 200
    assert not Session.objects.exists()


# --- with a shared cache (production: CACHE_URL) sessions are read from it ----------------------------


@pytest.fixture
def cached_client(client, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    client.force_login(User.objects.create_user("li-ming", password="Liming#2026mx", display_name="李明"))
    return client


def test_with_a_shared_cache_an_api_call_reads_no_session_row(cached_client):
    assert cached_client.get("/api/cases/cases").status_code == 200  # slides and stamps the session

    with CaptureQueriesContext(connection) as queries:
        response = cached_client.get("/api/cases/cases")

    assert response.status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]
    assert Session.objects.filter(session_key=cached_client.session.session_key).exists()  # stored too


def test_a_sign_out_ends_a_cached_session(cached_client):
    assert cached_client.get("/api/cases/cases").status_code == 200
    key = cached_client.cookies["sessionid"].value

    cached_client.logout()
    cached_client.cookies["sessionid"] = key  # the old cookie, sent again

    assert cached_client.get("/api/cases/cases").status_code == 401
    assert not Session.objects.filter(session_key=key).exists()
