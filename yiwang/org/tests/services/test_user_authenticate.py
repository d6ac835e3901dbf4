import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent
from yiwang.org.models import LoginThrottle, User
from yiwang.org.services import user_authenticate
from yiwang.org.tests.factories import TEST_PASSWORD, UserFactory

IP = "10.0.0.8"


def fail(username="clerk", password="wrong-Password1"):
    with pytest.raises(ApplicationError) as excinfo:
        user_authenticate(username=username, password=password, ip=IP)
    return excinfo.value


def test_it_signs_in_with_the_right_password_and_audits_it(clerk):
    user = user_authenticate(username="clerk", password=TEST_PASSWORD, ip=IP)
    assert user == clerk
    event = AuditEvent.objects.get(action="auth.login_succeeded")
    assert event.actor_id == clerk.pk
    assert event.details == {"username": "clerk", "ip": IP}


def test_it_counts_a_wrong_password_and_audits_the_username_and_ip(clerk):
    error = fail()
    assert error.code == "auth.invalid_credentials"
    assert error.message == "用户名或密码不正确"
    clerk.refresh_from_db()
    assert clerk.failed_login_count == 1
    assert clerk.last_failed_login_at is not None
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.details["username"] == "clerk"
    assert event.details["ip"] == IP
    assert event.details["reason"] == "wrong_password"


def test_it_answers_an_unknown_username_with_the_same_message_and_audits_it(db):
    error = fail(username="nobody")
    assert (error.code, error.message) == ("auth.invalid_credentials", "用户名或密码不正确")
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.actor_id is None
    assert event.details == {"username": "nobody", "ip": IP, "reason": "unknown_user"}


def test_it_refuses_a_disabled_account_with_the_generic_message(clerk):
    User.objects.filter(pk=clerk.pk).update(is_active=False)
    error = fail(password=TEST_PASSWORD)
    assert error.code == "auth.invalid_credentials"
    assert AuditEvent.objects.get(action="auth.login_failed").details["reason"] == "inactive"


def test_it_resets_the_counter_on_success(clerk):
    fail()
    fail()
    user_authenticate(username="clerk", password=TEST_PASSWORD, ip=IP)
    clerk.refresh_from_db()
    assert clerk.failed_login_count == 0


def test_it_locks_after_five_failures_and_refuses_the_right_password(clerk, settings):
    assert settings.LOGIN_MAX_FAILURES == 5 and settings.LOGIN_LOCKOUT_MINUTES == 15
    before = timezone.now()
    errors = [fail() for _ in range(5)]
    assert [e.code for e in errors] == ["auth.invalid_credentials"] * 4 + ["auth.locked"]

    clerk.refresh_from_db()
    assert clerk.failed_login_count == 5
    # The lock holds for this username from this address (one address cannot lock the account).
    throttle = LoginThrottle.objects.get(username="clerk", ip=IP)
    assert before + dt.timedelta(minutes=15) <= throttle.locked_until <= timezone.now() + dt.timedelta(minutes=15)
    assert clerk.locked_until is None
    locked = AuditEvent.objects.get(action="auth.locked")
    assert locked.details["ip"] == IP and locked.details["failures"] == 5
    assert locked.details["scope"] == "username_ip"

    sixth = fail(password=TEST_PASSWORD)
    assert sixth.code == "auth.locked"
    assert sixth.status == 423
    assert "锁定" in sixth.message and "15 分钟" in sixth.message
    assert sixth.details["minutes"] == 15
    assert AuditEvent.objects.filter(action="auth.login_failed", details__reason="locked").count() == 1
    assert not AuditEvent.objects.filter(action="auth.login_succeeded").exists()


def test_it_does_not_extend_the_lock_on_attempts_while_locked(clerk):
    for _ in range(5):
        fail()
    locked_until = LoginThrottle.objects.get(username="clerk", ip=IP).locked_until
    fail()
    fail(password=TEST_PASSWORD)
    clerk.refresh_from_db()
    assert LoginThrottle.objects.get(username="clerk", ip=IP).locked_until == locked_until
    assert clerk.failed_login_count == 5


def test_it_lets_the_user_in_once_fifteen_minutes_have_passed(clerk, monkeypatch):
    for _ in range(5):
        fail()
    later = timezone.now() + dt.timedelta(minutes=15, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert user_authenticate(username="clerk", password=TEST_PASSWORD, ip=IP) == clerk
    clerk.refresh_from_db()
    assert clerk.locked_until is None
    assert clerk.failed_login_count == 0


def test_it_says_how_many_minutes_are_left(clerk):
    User.objects.filter(pk=clerk.pk).update(
        failed_login_count=5, locked_until=timezone.now() + dt.timedelta(minutes=6, seconds=10)
    )
    error = fail(password=TEST_PASSWORD)
    assert error.details["minutes"] == 7
    assert "7 分钟后" in error.message


def test_it_starts_a_fresh_count_after_an_expired_lock(clerk):
    User.objects.filter(pk=clerk.pk).update(failed_login_count=5, locked_until=timezone.now() - dt.timedelta(seconds=1))
    error = fail()
    assert error.code == "auth.invalid_credentials"
    clerk.refresh_from_db()
    assert clerk.failed_login_count == 1
    assert clerk.locked_until is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite serialises writers")
def test_it_counts_parallel_failures_exactly():
    UserFactory(username="racer")
    barrier = threading.Barrier(5)

    def attempt():
        barrier.wait()
        try:
            user_authenticate(username="racer", password="wrong-Password1", ip=IP)
        except ApplicationError:
            pass
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    user = User.objects.get(username="racer")
    assert user.failed_login_count == 5
    assert LoginThrottle.objects.get(username="racer", ip=IP).locked_until is not None
