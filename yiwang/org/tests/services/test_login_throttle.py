"""The lockout counts per username + client address, with a ceiling for the account itself."""

import pytest

from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent
from yiwang.org.models import LoginThrottle
from yiwang.org.services import user_authenticate, user_unlock, user_verify_password
from yiwang.org.tests.factories import TEST_PASSWORD


def attempt(username="clerk", password="Wrong#pass1", ip="198.51.100.1") -> str:
    try:
        user_authenticate(username=username, password=password, ip=ip)
    except ApplicationError as error:
        return error.code
    return "ok"


def test_it_does_not_lock_the_account_for_the_owner_at_another_address(clerk):
    codes = [attempt(ip="198.51.100.66") for _ in range(6)]
    assert codes[-2:] == ["auth.locked", "auth.locked"]

    assert attempt(password=TEST_PASSWORD, ip="198.51.100.66") == "auth.locked"
    assert attempt(password=TEST_PASSWORD, ip="203.0.113.5") == "ok"
    clerk.refresh_from_db()
    assert clerk.locked_until is None and clerk.failed_login_count == 0


def test_it_locks_the_account_everywhere_when_failures_from_many_addresses_reach_the_ceiling(clerk, settings):
    settings.LOGIN_ACCOUNT_MAX_FAILURES = 8
    codes = [attempt(ip=f"198.51.100.{n}") for n in range(1, 5) for _ in range(2)]
    assert codes[:-1] == ["auth.invalid_credentials"] * 7
    assert codes[-1] == "auth.locked"

    assert attempt(password=TEST_PASSWORD, ip="203.0.113.9") == "auth.locked"
    clerk.refresh_from_db()
    assert clerk.locked_until is not None
    event = AuditEvent.objects.get(action="auth.locked")
    assert event.details["scope"] == "account" and event.details["failures"] == 8


def test_it_audits_every_lock_with_its_scope(clerk):
    for _ in range(5):
        attempt(ip="198.51.100.7")
    for _ in range(5):
        attempt(ip="198.51.100.8")
    scopes = [(e.details["ip"], e.details["scope"]) for e in AuditEvent.objects.filter(action="auth.locked")]
    assert sorted(scopes) == [("198.51.100.7", "username_ip"), ("198.51.100.8", "username_ip")]


def test_it_locks_an_unknown_username_like_a_known_one(db):
    codes = [attempt(username="nobody") for _ in range(6)]
    assert codes == ["auth.invalid_credentials"] * 4 + ["auth.locked", "auth.locked"]


def test_a_success_clears_only_that_address(clerk):
    for _ in range(3):
        attempt(ip="198.51.100.20")
    attempt(ip="198.51.100.21")
    assert attempt(password=TEST_PASSWORD, ip="198.51.100.20") == "ok"
    assert not LoginThrottle.objects.filter(username="clerk", ip="198.51.100.20").exists()
    assert LoginThrottle.objects.get(username="clerk", ip="198.51.100.21").failures == 1


def test_an_administrator_unlock_clears_every_address(clerk, admin_user):
    for _ in range(5):
        attempt(ip="198.51.100.30")
    user_unlock(user=clerk, actor=admin_user)
    assert not LoginThrottle.objects.filter(username="clerk").exists()
    assert attempt(password=TEST_PASSWORD, ip="198.51.100.30") == "ok"


def test_wrong_current_passwords_count_and_lock_like_sign_in_failures(clerk):
    codes = []
    for _ in range(5):
        with pytest.raises(ApplicationError) as excinfo:
            user_verify_password(user=clerk, password="Wrong#pass1", ip="198.51.100.40")
        codes.append(excinfo.value.code)
    assert codes == ["auth.wrong_password"] * 4 + ["auth.locked"]
    with pytest.raises(ApplicationError) as excinfo:
        user_verify_password(user=clerk, password=TEST_PASSWORD, ip="198.51.100.40")
    assert excinfo.value.code == "auth.locked"
    # The same lock holds for signing in from that address.
    assert attempt(password=TEST_PASSWORD, ip="198.51.100.40") == "auth.locked"
    assert AuditEvent.objects.filter(action="auth.password_check_failed").count() == 6
    assert AuditEvent.objects.filter(action="auth.locked", details__scope="username_ip").count() == 1
