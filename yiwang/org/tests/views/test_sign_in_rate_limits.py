"""Sign-in forms are rate-limited per client address and per username (HTTP 429, Chinese page)."""

import pytest

from yiwang.core.models import AuditEvent
from yiwang.org.tests.factories import TEST_PASSWORD

LIMITS = {
    "auth.login": {"ip": "4/10m", "target": "3/10m"},
    "auth.admin_login": {"ip": "2/10m", "target": "2/10m"},
    "auth.password_change": {"ip": "2/10m", "target": "2/10m"},
}


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.YIWANG_RATELIMITS = LIMITS


def login(client, username, ip, password="Wrong#pass1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_it_refuses_the_fourth_try_at_one_username_from_any_address(client, clerk):
    assert [login(client, "clerk", f"198.51.100.{n}").status_code for n in range(1, 4)] == [200, 200, 200]

    refused = login(client, "clerk", "198.51.100.99", password=TEST_PASSWORD)

    assert refused.status_code == 429
    assert "操作过于频繁" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session
    # The refused try never reached the sign-in service.
    assert AuditEvent.objects.filter(action__startswith="auth.login").count() == 3
    # Another username from the same address is not refused.
    assert login(client, "handler_a", "198.51.100.99").status_code == 200


def test_it_refuses_the_fifth_try_from_one_address_and_not_from_another(client, clerk):
    for name in ["a1", "a2", "a3", "a4"]:
        assert login(client, name, "198.51.100.7").status_code == 200
    assert login(client, "a5", "198.51.100.7").status_code == 429
    assert login(client, "a5", "198.51.100.8").status_code == 200


def test_it_does_not_count_showing_the_form(client, db):
    for _ in range(10):
        assert client.get("/login/", REMOTE_ADDR="198.51.100.9").status_code == 200


def test_it_limits_posts_to_the_admin_login(client, db):
    for _ in range(2):
        assert client.post("/admin/login/", {"username": "root"}, REMOTE_ADDR="198.51.100.10").status_code == 302
    assert client.post("/admin/login/", {"username": "root"}, REMOTE_ADDR="198.51.100.10").status_code == 429


def test_it_limits_the_password_change_form_per_account(client, citizen):
    client.force_login(citizen)
    data = {"old_password": "Wrong#pass1", "new_password": "Kiwi#Orchard2026", "new_password_again": "Kiwi#Orchard2026"}
    assert client.post("/profile/password/", data, REMOTE_ADDR="198.51.100.11").status_code == 400
    assert client.post("/profile/password/", data, REMOTE_ADDR="198.51.100.12").status_code == 400
    refused = client.post("/profile/password/", data, REMOTE_ADDR="198.51.100.13")
    assert refused.status_code == 429
    assert AuditEvent.objects.filter(action="auth.password_check_failed").count() == 2
