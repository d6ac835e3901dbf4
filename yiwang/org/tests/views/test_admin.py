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


def test_it_grants_a_role_in_the_admin_through_the_audited_service(client, admin_user, citizen, dept_a):
    client.force_login(admin_user)
    response = client.post(
        "/admin/org/membership/add/", {"user": citizen.pk, "role": "handler", "department": dept_a.pk}
    )
    assert response.status_code == 302
    membership = citizen.memberships.get(role="handler")
    assert membership.department == dept_a
    [event] = AuditEvent.objects.filter(action="org.membership_granted", object_id=str(membership.pk))
    assert event.actor_id == admin_user.pk


def test_it_refuses_a_handler_without_department_with_the_service_message(client, admin_user, citizen):
    client.force_login(admin_user)
    before = AuditEvent.objects.count()
    response = client.post("/admin/org/membership/add/", {"user": citizen.pk, "role": "handler"})
    assert response.status_code == 200
    assert "须指定所属部门" in response.content.decode()
    assert not citizen.memberships.filter(role="handler").exists()
    assert AuditEvent.objects.count() == before  # the check ran in a rolled-back transaction


def test_it_revokes_a_role_in_the_admin_with_an_audit_event_and_never_edits_one(client, admin_user, handler_a):
    client.force_login(admin_user)
    membership = handler_a.memberships.get(role="handler")
    assert client.get(f"/admin/org/membership/{membership.pk}/change/").status_code == 200  # read-only view
    response = client.post(f"/admin/org/membership/{membership.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not handler_a.memberships.filter(role="handler").exists()
    assert AuditEvent.objects.filter(action="org.membership_revoked", object_id=str(membership.pk)).exists()


def test_it_audits_making_a_user_staff_in_the_admin(rf, admin_user, clerk):
    from django.contrib import admin

    from yiwang.org.models import User

    model_admin = admin.site._registry[User]
    request = rf.post("/admin/org/user/")
    request.user = admin_user
    clerk.is_staff = True
    model_admin.save_model(request, clerk, form=None, change=True)

    clerk.refresh_from_db()
    assert clerk.is_staff
    [event] = AuditEvent.objects.filter(action="org.user_changed_in_admin", object_id=str(clerk.pk))
    assert (event.before["is_staff"], event.after["is_staff"], event.actor_id) == (False, True, admin_user.pk)


def test_it_writes_no_audit_event_when_the_admin_saves_an_unchanged_user(rf, admin_user, clerk):
    from django.contrib import admin

    from yiwang.org.models import User

    request = rf.post("/admin/org/user/")
    request.user = admin_user
    admin.site._registry[User].save_model(request, clerk, form=None, change=True)
    assert not AuditEvent.objects.filter(action="org.user_changed_in_admin").exists()
