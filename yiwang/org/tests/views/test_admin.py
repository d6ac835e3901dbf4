from yiwang.core.models import AuditEvent


def test_it_shows_phone_masked_in_the_user_admin(client, admin_user, citizen):
    client.force_login(admin_user)
    html = client.get("/admin/org/user/").content.decode()
    assert "138****2345" in html
    assert "13891712345" not in html
    html = client.get(f"/admin/org/user/{citizen.pk}/change/").content.decode()
    assert "138****2345" in html
    assert "13891712345" not in html


def test_it_renders_every_org_admin_page(client, admin_user, county_hall, dept_a, clerk):
    client.force_login(admin_user)
    for model in ["region", "department", "departmentalias", "servicehall", "window", "membership", "user"]:
        assert client.get(f"/admin/org/{model}/").status_code == 200, model
        assert client.get(f"/admin/org/{model}/add/").status_code == 200, model


def test_it_sends_the_admin_login_to_the_one_sign_in_page(client, db):
    response = client.get("/admin/login/?next=/admin/org/user/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/admin/org/user/"


def test_it_does_not_loop_a_signed_in_non_staff_user(client, citizen):
    client.force_login(citizen)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/workbench/"
    assert "您没有管理后台的权限" in response.content.decode()


def test_it_unlocks_users_from_the_admin(client, admin_user, clerk):
    from django.utils import timezone

    type(clerk).objects.filter(pk=clerk.pk).update(failed_login_count=5, locked_until=timezone.now())
    client.force_login(admin_user)
    client.post("/admin/org/user/", {"action": "unlock_users", "_selected_action": [clerk.pk]})
    clerk.refresh_from_db()
    assert clerk.failed_login_count == 0
    assert AuditEvent.objects.filter(action="auth.unlocked", actor_id=admin_user.pk).exists()
