"""Dynamic adjustment (动态调整) under cross blind review (交叉盲审): propose → approve/reject → version."""

import pytest

from yiwang.catalog import services
from yiwang.catalog.elements import item_elements
from yiwang.catalog.models import ChangeStatus, ItemChange, ItemStatus, ServiceItem, ServiceItemVersion
from yiwang.catalog.tests.factories import elements
from yiwang.core.audit import audit_history
from yiwang.core.errors import ApplicationError

pytestmark = pytest.mark.django_db


def _faster(item, days=3):
    return {**item_elements(item), "promised_days": days}


def test_it_publishes_a_new_version_only_after_a_cross_review(food_item, handler_a, handler_c):
    change = services.item_change_propose(
        elements=_faster(food_item), reason="压缩承诺时限", actor=handler_a, item=food_item
    )
    food_item.refresh_from_db()
    assert change.status == ChangeStatus.PENDING
    assert (food_item.version, food_item.promised_days) == (1, 5)  # nothing public changes yet

    version = services.item_change_approve(change=change, actor=handler_c, note="同意")

    food_item.refresh_from_db()
    assert (food_item.version, food_item.promised_days, food_item.status) == (2, 3, ItemStatus.PUBLISHED)
    assert version.number == 2 and version.elements["promised_days"] == 3
    assert version.proposed_by == handler_a and version.reviewed_by == handler_c
    assert version.reason == "压缩承诺时限"
    # The old version is frozen: a case filed under v1 still reads 5 days.
    assert ServiceItemVersion.objects.get(item=food_item, number=1).elements["promised_days"] == 5
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED and change.reviewed_by == handler_c
    actions = [e.action for e in audit_history(object_type="catalog.serviceitem", object_id=food_item.pk)]
    assert actions == ["catalog.item.published", "catalog.item.published"]
    change_actions = [e.action for e in audit_history(object_type="catalog.itemchange", object_id=change.pk)]
    assert change_actions == ["catalog.change.proposed", "catalog.change.approved"]


@pytest.mark.parametrize(
    ("reviewer", "code"),
    [
        ("handler_a", "catalog.reviewer_is_proposer"),
        ("handler_b", "catalog.reviewer_same_department"),  # the item's competent department
        ("admin_user", "catalog.reviewer_without_department"),
        ("citizen", "catalog.not_reviewer"),
    ],
)
def test_it_refuses_a_reviewer_who_is_not_independent(request, food_item, handler_a, reviewer, code):
    change = services.item_change_propose(elements=_faster(food_item), reason="压缩", actor=handler_a, item=food_item)
    with pytest.raises(ApplicationError) as refused:
        services.item_change_approve(change=change, actor=request.getfixturevalue(reviewer))
    assert refused.value.code == code
    assert refused.value.status == 403
    food_item.refresh_from_db()
    assert food_item.version == 1
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING


def test_a_supervisor_of_another_office_may_review(food_item, handler_a, supervisor):
    change = services.item_change_propose(elements=_faster(food_item), reason="压缩", actor=handler_a, item=food_item)
    assert services.item_change_approve(change=change, actor=supervisor).number == 2


def test_it_rejects_with_reasons_and_keeps_the_published_version(food_item, handler_a, handler_c):
    change = services.item_change_propose(elements=_faster(food_item), reason="压缩", actor=handler_a, item=food_item)
    with pytest.raises(ApplicationError) as refused:
        services.item_change_reject(change=change, actor=handler_c, note=" ")
    assert refused.value.code == "catalog.review_note_required"

    services.item_change_reject(change=change, actor=handler_c, note="依据不足")
    change.refresh_from_db()
    food_item.refresh_from_db()
    assert (change.status, change.review_note) == (ChangeStatus.REJECTED, "依据不足")
    assert (food_item.version, food_item.promised_days) == (1, 5)
    with pytest.raises(ApplicationError) as again:
        services.item_change_approve(change=change, actor=handler_c)
    assert again.value.code == "change.invalid_transition" and again.value.status == 409


def test_it_allows_one_pending_proposal_per_item(food_item, handler_a, handler_b):
    services.item_change_propose(elements=_faster(food_item), reason="压缩", actor=handler_a, item=food_item)
    with pytest.raises(ApplicationError) as refused:
        services.item_change_propose(elements=_faster(food_item, 2), reason="再压缩", actor=handler_b, item=food_item)
    assert refused.value.code == "catalog.change_pending" and refused.value.status == 409
    assert ItemChange.objects.count() == 1


def test_it_refuses_a_proposal_identical_to_the_version_in_force(food_item, handler_a):
    with pytest.raises(ApplicationError) as refused:
        services.item_change_propose(
            elements=item_elements(food_item), reason="无变化", actor=handler_a, item=food_item
        )
    assert refused.value.code == "catalog.change_empty"


def test_it_refuses_a_proposal_without_a_reason(food_item, handler_a):
    with pytest.raises(ApplicationError) as refused:
        services.item_change_propose(elements=_faster(food_item), reason="", actor=handler_a, item=food_item)
    assert refused.value.code == "catalog.reason_required"
    assert not ItemChange.objects.exists()


def test_it_refuses_staff_of_an_unrelated_department(food_item, handler_c):
    with pytest.raises(ApplicationError) as refused:
        services.item_change_propose(elements=_faster(food_item), reason="压缩", actor=handler_c, item=food_item)
    assert refused.value.code == "catalog.not_permitted" and refused.value.status == 403


def test_it_refuses_to_change_the_code(food_item, handler_a):
    with pytest.raises(ApplicationError) as refused:
        services.item_change_propose(
            elements={**_faster(food_item), "code": "610326-XK-9999"}, reason="改编码", actor=handler_a, item=food_item
        )
    assert refused.value.code == "catalog.code_mismatch"


def test_a_new_item_stays_a_draft_until_approved(handler_a, handler_c, departments):
    change = services.item_change_propose(elements=elements(code="610326-XK-0100"), reason="新增事项", actor=handler_a)
    item = ServiceItem.objects.get(code="610326-XK-0100")
    assert (item.status, item.version, change.kind) == (ItemStatus.DRAFT, 0, ItemChange.Kind.CREATE)
    services.item_change_approve(change=change, actor=handler_c)
    item.refresh_from_db()
    assert (item.status, item.version) == (ItemStatus.PUBLISHED, 1)


def test_the_proposer_can_cancel_but_others_cannot(food_item, handler_a, handler_c):
    change = services.item_change_propose(elements=_faster(food_item), reason="压缩", actor=handler_a, item=food_item)
    with pytest.raises(ApplicationError) as refused:
        services.item_change_cancel(change=change, actor=handler_c)
    assert refused.value.code == "catalog.not_permitted"
    services.item_change_cancel(change=change, actor=handler_a)
    change.refresh_from_db()
    assert change.status == ChangeStatus.CANCELLED


def test_withdrawing_and_republishing_are_audited(food_item, admin_user, handler_a, handler_c):
    with pytest.raises(ApplicationError) as refused:
        services.item_withdraw(item=food_item, reason="取消", actor=handler_a)
    assert refused.value.code == "catalog.not_permitted"
    services.item_withdraw(item=food_item, reason="依据国务院决定直接取消审批", actor=admin_user)
    food_item.refresh_from_db()
    assert food_item.status == ItemStatus.WITHDRAWN and food_item.withdrawn_at is not None
    with pytest.raises(ApplicationError) as twice:
        services.item_withdraw(item=food_item, reason="再次", actor=admin_user)
    assert twice.value.code == "item.invalid_transition"

    change = services.item_change_propose(
        elements=item_elements(food_item), reason="恢复受理", actor=handler_a, item=food_item
    )
    assert change.kind == ItemChange.Kind.REPUBLISH
    services.item_change_approve(change=change, actor=handler_c)
    food_item.refresh_from_db()
    assert (food_item.status, food_item.version) == (ItemStatus.PUBLISHED, 2)
    actions = [e.action for e in audit_history(object_type="catalog.serviceitem", object_id=food_item.pk)]
    assert actions == ["catalog.item.published", "catalog.item.withdrawn", "catalog.item.published"]
    withdrawn = audit_history(object_type="catalog.serviceitem", object_id=food_item.pk)[1]
    assert withdrawn.details["reason"] == "依据国务院决定直接取消审批"
    assert withdrawn.actor_id == admin_user.pk


def test_baseline_publication_is_for_administrators_and_new_codes_only(food_item, admin_user, handler_a):
    with pytest.raises(ApplicationError) as refused:
        services.items_publish_baseline(elements_list=[elements(code="610326-XK-0002")], reason="初始", actor=handler_a)
    assert refused.value.code == "catalog.not_permitted"
    with pytest.raises(ApplicationError) as exists:
        services.items_publish_baseline(elements_list=[elements()], reason="初始", actor=admin_user)
    assert exists.value.code == "catalog.item_exists" and exists.value.status == 409
    assert ServiceItem.objects.count() == 1
