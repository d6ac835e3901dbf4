"""Who may use the staff catalog, web and API alike: the catalog actions of ``yiwang.org.scoping``.

A role without the action gets 403 and nothing changes. ``catalog.workspace`` (any staff role) opens
the staff list and the targets; ``catalog.propose`` (handlers) proposes; ``catalog.review``
(handlers, supervisors) reviews; ``catalog.withdraw`` is for administrators.
"""

import pytest

from yiwang.catalog import services
from yiwang.catalog.elements import item_elements
from yiwang.catalog.models import ChangeStatus, ItemChange, ItemStatus
from yiwang.catalog.tests.factories import elements

pytestmark = pytest.mark.django_db

ITEM = "/services/staff/items/610326-XK-0001/"


@pytest.fixture
def pending_change(food_item, handler_a):
    return services.item_change_propose(
        elements={**item_elements(food_item), "promised_days": 3},
        reason="压缩承诺时限",
        actor=handler_a,
        item=food_item,
    )


def _api_post(client, url, payload):
    return client.post(url, payload, content_type="application/json")


def test_any_staff_role_opens_the_staff_list_and_the_targets(client, food_item, clerk, inspector, leader):
    for user in (clerk, inspector, leader):
        client.force_login(user)
        assert client.get("/services/staff/").status_code == 200
        assert client.get("/services/staff/targets/").status_code == 200


def test_citizens_get_403_on_every_staff_page(client, food_item, citizen):
    client.force_login(citizen)
    for url in ("/services/staff/", "/services/staff/targets/", "/services/staff/reviews/", "/services/staff/import/"):
        assert client.get(url).status_code == 403, url


def test_a_clerk_cannot_propose_on_the_web_nor_through_the_api(client, food_item, clerk):
    client.force_login(clerk)
    data = {k: v for k, v in item_elements(food_item).items() if k not in ("code", "materials", "form_fields")}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    data.update(promised_days=3, reason="压缩")
    assert client.get(f"{ITEM}propose/").status_code == 403
    assert client.post(f"{ITEM}propose/", data).status_code == 403
    response = _api_post(
        client, "/api/catalog/changes", {"elements": elements(code="610326-XK-0600"), "reason": "新增"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "auth.forbidden"
    assert response.json()["details"] == {"action": "catalog.propose"}
    assert not ItemChange.objects.exists()


def test_a_dispatcher_no_longer_proposes_catalog_changes(client, food_item, dispatcher):
    # Rule change: proposals are catalog.propose (handlers), no longer any role acting for a department.
    client.force_login(dispatcher)
    response = _api_post(
        client, "/api/catalog/changes", {"elements": elements(code="610326-XK-0601"), "reason": "新增"}
    )
    assert response.status_code == 403
    assert not ItemChange.objects.exists()


def test_an_inspector_cannot_review_on_the_web_nor_through_the_api(client, pending_change, inspector):
    client.force_login(inspector)
    assert client.get("/services/staff/reviews/").status_code == 403
    assert client.get(f"/services/staff/reviews/{pending_change.pk}/").status_code == 403
    posted = client.post(f"/services/staff/reviews/{pending_change.pk}/", {"decision": "approve", "note": "同意"})
    assert posted.status_code == 403
    assert client.get("/api/catalog/reviews").status_code == 403
    for verb in ("approve", "reject"):
        response = _api_post(client, f"/api/catalog/changes/{pending_change.pk}/{verb}", {"note": "不同意"})
        assert response.status_code == 403 and response.json()["code"] == "auth.forbidden"
    pending_change.refresh_from_db()
    assert pending_change.status == ChangeStatus.PENDING


def test_a_leader_may_look_but_not_review(client, pending_change, leader):
    client.force_login(leader)
    assert client.get("/services/staff/").status_code == 200
    assert _api_post(client, f"/api/catalog/changes/{pending_change.pk}/approve", {"note": ""}).status_code == 403
    pending_change.refresh_from_db()
    assert pending_change.status == ChangeStatus.PENDING


def test_a_supervisor_may_review(client, pending_change, supervisor):
    client.force_login(supervisor)
    assert client.get(f"/services/staff/reviews/{pending_change.pk}/").status_code == 200
    response = _api_post(client, f"/api/catalog/changes/{pending_change.pk}/approve", {"note": "同意"})
    assert response.status_code == 200 and response.json()["number"] == 2


def test_only_administrators_withdraw(client, food_item, handler_a, admin_user):
    client.force_login(handler_a)
    assert 'action="/services/staff/items/610326-XK-0001/withdraw/"' not in client.get(ITEM).content.decode()
    assert client.post(f"{ITEM}withdraw/", {"reason": "取消"}).status_code == 403
    food_item.refresh_from_db()
    assert food_item.status == ItemStatus.PUBLISHED

    client.force_login(admin_user)
    assert 'action="/services/staff/items/610326-XK-0001/withdraw/"' in client.get(ITEM).content.decode()
    client.post(f"{ITEM}withdraw/", {"reason": "依据国务院决定取消"})
    food_item.refresh_from_db()
    assert food_item.status == ItemStatus.WITHDRAWN
