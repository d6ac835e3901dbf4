"""Who may use each policies URL with an object identifier; each is driven for several roles below."""

import pytest
from django.urls import reverse

from yiwang.policies import services
from yiwang.policies.models import IntegratedLicence, PolicyMatch
from yiwang.policies.tests.factories import PolicyFactory

ACCESS_ROUTES = {
    "policies/<int:pk>/": "anyone (published or expired policies only; drafts 404); no personal data",
    "policies/mine/<int:pk>/apply/": "the matched entity's own account (USCC); other enterprises 404; staff 403",
    "policies/staff/<int:pk>/": "handlers of the policy's department, leaders/supervisors of its region; others 403/404",
    "policies/staff/<int:pk>/edit/": "handlers of the policy's department (policy.manage); others 403",
    "policies/staff/<int:pk>/rules/": "handlers of the policy's department (policy.manage); others 403",
    "policies/staff/<int:pk>/publish/": "handlers of the policy's department (policy.manage), POST; others 403",
    "policies/staff/<int:pk>/grants/": "handlers of the policy's department (policy.grant); others 403",
    "policies/staff/<int:pk>/matches/<int:match_pk>/": "as the policy page; granting only its department's handlers",
    "policies/yiye/verify/<str:number>/": "anyone (the QR code's target); no personal data beyond the licence's holder",
    "policies/yiye/staff/issue/<str:number>/": "handlers of the industry's issuing department (POST); others 403/404",
    "policies/yiye/staff/<int:pk>/": "handlers of the industry's issuing department; others 403/404",
    "policies/yiye/staff/<int:pk>/pdf/": "handlers of the industry's issuing department; others 403/404",
    "api/policies/policies/<pk>": "anyone (published or expired policies only)",
    "api/policies/policies/<pk>/rules": "handlers of the policy's department (policy.manage); others 403/404",
    "api/policies/policies/<pk>/publish": "handlers of the policy's department (policy.manage); others 403/404",
    "api/policies/policies/<pk>/reach": "handlers of the policy's department, leaders/supervisors of its region",
    "api/policies/matches/<pk>/grant": "handlers of the policy's department (policy.grant); others 403/404",
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(dept_a, handler_a, entities, django_capture_on_commit_callbacks):
    policy = PolicyFactory(department=dept_a, no_application=True)
    draft = PolicyFactory(department=dept_a, title="草稿政策")
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_publish(policy=policy, actor=handler_a)
    match = PolicyMatch.objects.get(policy=policy)
    return policy, draft, match


def _status(client, user, method, url, data=None, **extra):
    if user is not None:
        client.force_login(user)
    else:
        client.logout()
    if method == "POST":
        return client.post(url, data or {}, **extra).status_code
    if method == "PUT":
        return client.put(url, data, content_type="application/json").status_code
    return client.get(url).status_code


def test_public_pages_show_published_policies_without_personal_data(client, world, enterprise_user):
    policy, draft, _ = world
    response = client.get(reverse("policies:policy", args=[policy.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "眉县金桔猕猴桃专业合作社" not in body and enterprise_user.uscc not in body
    assert _status(client, None, "GET", reverse("policies:policy", args=[draft.pk])) == 404
    assert _status(client, None, "GET", f"/api/policies/policies/{policy.pk}") == 200
    assert _status(client, None, "GET", f"/api/policies/policies/{draft.pk}") == 404
    assert _status(client, None, "GET", reverse("policies:library")) == 200


def test_staff_pages_belong_to_the_policy_department(
    client, world, handler_a, handler_b, leader, supervisor, citizen, enterprise_user
):
    policy, _, match = world
    read_urls = [
        reverse("policies:staff_policy", args=[policy.pk]),
        reverse("policies:staff_match", args=[policy.pk, match.pk]),
    ]
    manage_urls = [
        reverse("policies:staff_edit", args=[policy.pk]),
        reverse("policies:staff_rules", args=[policy.pk]),
        reverse("policies:staff_grants", args=[policy.pk]),
    ]
    for url in read_urls:
        for user in (handler_a, leader, supervisor):
            assert _status(client, user, "GET", url) == 200, (url, user)
        assert _status(client, handler_b, "GET", url) == 404
        assert _status(client, citizen, "GET", url) == 403
        assert _status(client, enterprise_user, "GET", url) == 403
        assert _status(client, None, "GET", url) == 302
    for url in manage_urls:
        assert _status(client, handler_a, "GET", url) == 200, url
        assert _status(client, handler_b, "GET", url) == 404
        assert _status(client, leader, "GET", url) == 403
        assert _status(client, enterprise_user, "GET", url) == 403
        assert _status(client, None, "GET", url) == 302
    publish = reverse("policies:staff_publish", args=[policy.pk])
    assert _status(client, handler_b, "POST", publish, {"to": "expired"}) == 404
    assert _status(client, leader, "POST", publish, {"to": "expired"}) == 403
    assert _status(client, None, "POST", publish, {"to": "expired"}) == 302
    policy.refresh_from_db()
    assert policy.state == "published"
    # granting on the match page: only the department's handlers
    match_url = reverse("policies:staff_match", args=[policy.pk, match.pk])
    assert _status(client, leader, "POST", match_url, {"amount": "1"}) == 403
    match.refresh_from_db()
    assert match.granted_at is None
    assert _status(client, handler_a, "POST", publish, {"to": "expired"}) == 302
    policy.refresh_from_db()
    assert policy.state == "expired"


def test_staff_api_belongs_to_the_policy_department(client, world, handler_a, handler_b, leader, citizen):
    policy, draft, match = world
    reach = f"/api/policies/policies/{policy.pk}/reach"
    assert _status(client, handler_a, "GET", reach) == 200
    assert _status(client, leader, "GET", reach) == 200
    assert _status(client, handler_b, "GET", reach) == 404
    assert _status(client, citizen, "GET", reach) == 403
    assert _status(client, None, "GET", reach) == 401
    rules = f"/api/policies/policies/{draft.pk}/rules"
    body = {"mode": "all", "conditions": [{"attribute": "size", "operator": "in", "values": ["small"]}]}
    assert _status(client, handler_b, "PUT", rules, body) == 404
    assert _status(client, leader, "PUT", rules, body) == 403
    assert _status(client, handler_a, "PUT", rules, body) == 200
    bad = {"conditions": [{"attribute": "registered_capital", "operator": "range", "min": "9", "max": "1"}]}
    client.force_login(handler_a)
    response = client.put(rules, bad, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "policy.rules_invalid"
    publish = f"/api/policies/policies/{draft.pk}/publish"
    assert _status(client, handler_b, "POST", publish) == 404
    assert _status(client, leader, "POST", publish) == 403
    assert _status(client, handler_a, "POST", publish) == 200
    grant = f"/api/policies/matches/{match.pk}/grant"
    assert _status(client, handler_b, "POST", grant, {}, content_type="application/json") == 404
    assert _status(client, leader, "POST", grant, {}, content_type="application/json") == 403
    assert _status(client, handler_a, "POST", grant, {}, content_type="application/json") == 200
    assert _status(client, handler_a, "POST", grant, {}, content_type="application/json") == 409


def test_only_the_matched_entity_applies(
    client, dept_a, handler_a, entities, enterprise_user, citizen, django_capture_on_commit_callbacks
):
    from yiwang.org.models import Role
    from yiwang.org.tests.factories import MembershipFactory, UserFactory

    policy = PolicyFactory(department=dept_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_publish(policy=policy, actor=handler_a)
    match = PolicyMatch.objects.get(policy=policy)
    url = reverse("policies:mine_apply", args=[match.pk])
    other = UserFactory(username="other-enterprise", uscc=entities[1].uscc)
    MembershipFactory(user=other, role=Role.ENTERPRISE)
    assert _status(client, enterprise_user, "GET", url) == 200
    assert _status(client, other, "GET", url) == 404
    assert _status(client, handler_a, "GET", url) == 403
    assert _status(client, citizen, "GET", url) == 403
    assert _status(client, None, "GET", url) == 302
    assert _status(client, enterprise_user, "GET", reverse("policies:mine")) == 200
    assert _status(client, enterprise_user, "GET", "/api/policies/mine") == 200
    assert _status(client, handler_a, "GET", "/api/policies/mine") == 403


def test_integrated_licence_pages(
    settings, client, admin_user, dept_a, dept_b, handler_a, handler_b, leader, enterprise_user
):
    # the issue page is the catch-up for a bundle approved without the issuer (normally issued on approval)
    settings.YIWANG_CASES = {"LICENCE_ISSUER": "yiwang.licences.lookup.RegisterLicenceIssuer"}
    from yiwang.cases.tests.conftest import complete_steps  # noqa: F401
    from yiwang.policies.tests.services import test_integrated as t
    from yiwang.workdays.seeding import seed_official_calendar

    seed_official_calendar()
    bundle = t.store_bundle.__wrapped__(admin_user, dept_a, dept_b)
    from yiwang.policies import integrated as yiye

    industry = yiye.industry_licence_type_create(
        code="bianlidian", name="便利店", bundle=bundle, department=dept_a, actor=handler_a
    )
    from yiwang.org.models import Role
    from yiwang.org.tests.factories import MembershipFactory, UserFactory

    clerk = UserFactory(username="clerk-x")
    from yiwang.org.tests.factories import ServiceHallFactory

    hall = ServiceHallFactory(name="眉县政务服务中心", region=dept_a.region)
    MembershipFactory(user=clerk, role=Role.CLERK, hall=hall)
    case = t._approved_bundle_case(
        enterprise_user, t.applicant.__wrapped__(), industry.bundle, clerk, handler_a, handler_b
    )
    issue = reverse("policies:integrated_issue", args=[case.number])
    assert _status(client, None, "POST", issue) == 302 and not IntegratedLicence.objects.exists()
    assert _status(client, leader, "POST", issue) == 403
    assert _status(client, handler_b, "POST", issue) == 404
    assert _status(client, enterprise_user, "POST", issue) == 403
    assert _status(client, handler_a, "POST", issue) == 302
    integrated = IntegratedLicence.objects.get()
    detail = reverse("policies:integrated_detail", args=[integrated.pk])
    assert _status(client, handler_a, "GET", detail) == 200
    assert _status(client, handler_b, "GET", detail) == 404
    assert _status(client, leader, "GET", detail) == 403
    assert _status(client, None, "GET", detail) == 302
    pdf = reverse("policies:integrated_pdf", args=[integrated.pk])
    assert _status(client, handler_a, "GET", pdf) == 200
    assert _status(client, handler_b, "GET", pdf) == 404
    assert _status(client, leader, "GET", pdf) == 403
    assert _status(client, None, "GET", pdf) == 302
    verify = reverse("policies:integrated_verify", args=[integrated.licence.number])
    assert _status(client, None, "GET", verify) == 200
    assert _status(client, None, "GET", reverse("policies:integrated_verify", args=["NOPE"])) == 200
