from yiwang.core.models import AuditEvent
from yiwang.org.tests.factories import TEST_PASSWORD


def test_it_shows_phone_and_id_number_masked(client, citizen):
    citizen.id_number = "610326196803120424"
    citizen.save()
    client.force_login(citizen)
    html = client.get("/profile/").content.decode()
    assert "138****2345" in html
    assert "13891712345" not in html
    assert "610326196803120424" not in html
    assert "6103**********0424" in html
    assert "王秀兰" in html and "群众" in html


def test_it_changes_the_password(client, citizen):
    client.force_login(citizen)
    response = client.post(
        "/profile/password/",
        {"old_password": TEST_PASSWORD, "new_password": "Kiwi#Orchard2026", "new_password_again": "Kiwi#Orchard2026"},
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.check_password("Kiwi#Orchard2026")
    assert AuditEvent.objects.filter(action="auth.password_changed").exists()
    assert client.get("/workbench/").status_code == 200  # still signed in


def test_it_refuses_a_weak_new_password_with_the_reason(client, citizen):
    client.force_login(citizen)
    response = client.post(
        "/profile/password/",
        {"old_password": TEST_PASSWORD, "new_password": "kiwikiwi", "new_password_again": "kiwikiwi"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "密码过于简单" in html
    citizen.refresh_from_db()
    assert citizen.check_password(TEST_PASSWORD)


def test_it_refuses_a_wrong_current_password(client, citizen):
    client.force_login(citizen)
    response = client.post(
        "/profile/password/",
        {"old_password": "Wrong#pass1", "new_password": "Kiwi#Orchard2026", "new_password_again": "Kiwi#Orchard2026"},
    )
    assert "当前密码不正确" in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.check_password(TEST_PASSWORD)


def test_it_locks_and_signs_out_after_five_wrong_current_passwords(client, citizen):
    client.force_login(citizen)
    wrong = {
        "old_password": "Wrong#pass1",
        "new_password": "Kiwi#Orchard2026",
        "new_password_again": "Kiwi#Orchard2026",
    }
    for _ in range(4):
        response = client.post("/profile/password/", wrong, REMOTE_ADDR="198.51.100.50")
        assert response.status_code == 400 and "当前密码不正确" in response.content.decode()

    response = client.post("/profile/password/", wrong, REMOTE_ADDR="198.51.100.50")

    assert response.status_code == 302 and response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.locked", details__username=citizen.username).exists()
    citizen.refresh_from_db()
    assert citizen.check_password(TEST_PASSWORD)
    html = client.post(
        "/login/", {"username": citizen.username, "password": TEST_PASSWORD}, REMOTE_ADDR="198.51.100.50"
    ).content.decode()
    assert "账户已锁定" in html


def test_it_refuses_a_pattern_password_with_the_reason(client, citizen):
    client.force_login(citizen)
    response = client.post(
        "/profile/password/",
        {"old_password": TEST_PASSWORD, "new_password": "Meixian@2026", "new_password_again": "Meixian@2026"},
    )
    assert response.status_code == 400
    assert "密码过于常见" in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.check_password(TEST_PASSWORD)
