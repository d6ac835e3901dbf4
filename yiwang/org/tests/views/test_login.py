import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from yiwang.core.models import AuditEvent
from yiwang.org.models import LoginThrottle, User
from yiwang.org.tests.factories import TEST_PASSWORD

LOGIN = "/login/"


def post_login(client, username="clerk", password=TEST_PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra}, REMOTE_ADDR="192.0.2.7")


def test_it_is_mounted_where_settings_point(db):
    assert reverse("org:login") == LOGIN
    assert reverse("org:logout") == "/logout/"
    assert reverse("org:workbench") == "/workbench/"


def test_it_shows_a_labelled_login_form(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "工作人员登录" in html
    assert '<label class="form-label" for="id_username">用户名</label>' in html
    assert '<label class="form-label" for="id_password">密码</label>' in html
    assert 'autocomplete="current-password"' in html
    assert "连续 5 次密码错误将锁定账户 15 分钟" in html


def test_it_signs_in_and_goes_to_the_workbench(client, clerk):
    response = post_login(client)
    assert response.status_code == 302
    assert response["Location"] == "/workbench/"
    assert int(client.session["_auth_user_id"]) == clerk.pk
    event = AuditEvent.objects.get(action="auth.login_succeeded")
    assert event.details["ip"] == "192.0.2.7"


def test_it_follows_a_safe_next_and_ignores_an_outside_one(client, clerk):
    assert post_login(client, next="/profile/")["Location"] == "/profile/"
    client.logout()
    assert post_login(client, next="https://evil.example/")["Location"] == "/workbench/"


def test_it_sends_a_signed_in_visitor_on(client, clerk):
    client.force_login(clerk)
    assert client.get(LOGIN)["Location"] == "/workbench/"


def test_it_says_the_same_thing_for_a_wrong_password_and_an_unknown_user(client, clerk):
    wrong = post_login(client, password="Wrong#pass1").content.decode()
    unknown = post_login(client, username="nobody", password="Wrong#pass1").content.decode()
    for html in (wrong, unknown):
        assert "用户名或密码不正确" in html
        assert "账户已锁定" not in html
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 2


def test_it_requires_both_fields(client, db):
    response = client.post(LOGIN, {"username": "", "password": ""})
    html = response.content.decode()
    assert html.count("这个字段是必填项。") == 2
    assert 'aria-invalid="true"' in html
    assert not AuditEvent.objects.exists()


def test_it_locks_after_five_failures_and_says_until_when(client, clerk):
    for _ in range(4):
        post_login(client, password="Wrong#pass1")
    html = post_login(client, password="Wrong#pass1").content.decode()
    assert "账户已锁定" in html
    assert "15 分钟后" in html

    html = post_login(client).content.decode()  # the right password, still refused
    assert "账户已锁定" in html
    assert "_auth_user_id" not in client.session
    locked_until = LoginThrottle.objects.get(username="clerk", ip="192.0.2.7").locked_until
    assert locked_until > timezone.now() + dt.timedelta(minutes=14)
    local_until = timezone.localtime(locked_until).strftime("%H:%M")
    assert f"{local_until} 之后" in html


def test_it_lets_the_user_in_after_the_lock_runs_out(client, clerk):
    User.objects.filter(pk=clerk.pk).update(failed_login_count=5, locked_until=timezone.now() - dt.timedelta(seconds=5))
    assert post_login(client)["Location"] == "/workbench/"


@pytest.mark.parametrize("method", ["get", "put"])
def test_it_logs_out_only_by_post(client, clerk, method):
    client.force_login(clerk)
    assert getattr(client, method)("/logout/").status_code == 405
    assert "_auth_user_id" in client.session


def test_it_logs_out_and_audits_it(client, clerk):
    client.force_login(clerk)
    response = client.post("/logout/", REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="auth.logout")
    assert event.actor_id == clerk.pk
    assert event.details == {"username": "clerk", "ip": "192.0.2.7"}
