"""Every consistency rule refuses a proposal with its own code, and nothing is written."""

import pytest

from yiwang.catalog import services
from yiwang.catalog.models import ItemChange, ServiceItem
from yiwang.catalog.tests.factories import elements, material
from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent

pytestmark = pytest.mark.django_db

BAD = [
    ("catalog.promised_exceeds_legal", {"legal_days": 5, "promised_days": 10}),
    ("catalog.instant_needs_zero_days", {"handling_type": "instant", "promised_days": 3}),
    ("catalog.zero_days_must_be_instant", {"handling_type": "promised", "promised_days": 0}),
    ("catalog.depth_iv_needs_zero_visits", {"online_depth": 4, "visits_required": 1}),
    ("catalog.visits_reason_missing", {"visits_required": 2, "visits_reason": "  "}),
    ("catalog.payment_without_fee", {"fee_charged": False, "online_payment": True}),
    ("catalog.region_unknown", {"region": "999999"}),
    ("catalog.material_key_deferrable", {"materials": [material(key=True, deferrable=True)]}),
    ("catalog.material_key_not_required", {"materials": [material(key=True, required=False, deferrable=False)]}),
    ("catalog.material_pledge_not_allowed", {"pledge_allowed": False, "reform_mode": ""}),
    ("catalog.material_duplicate", {"materials": [material(), material(code="M09")]}),
    ("catalog.enum_invalid", {"kind": "行政处罚"}),
    ("catalog.enum_invalid", {"online_depth": 5}),
    ("catalog.department_unknown", {"competent_department": "no-such-bureau"}),
    ("catalog.field_required", {"name": ""}),
]


@pytest.mark.parametrize(("code", "overrides"), BAD, ids=[f"{c}-{i}" for i, (c, _o) in enumerate(BAD)])
def test_it_refuses_an_inconsistent_item_and_changes_nothing(admin_user, departments, code, overrides):
    with pytest.raises(ApplicationError) as refused:
        services.item_change_propose(elements=elements(**overrides), reason="新增", actor=admin_user)
    assert refused.value.code == code
    assert code in {p["code"] for p in refused.value.details["problems"]}
    assert refused.value.message  # Chinese message for people
    assert not ServiceItem.objects.exists()
    assert not ItemChange.objects.exists()
    assert not AuditEvent.objects.exists()


def test_it_lists_every_problem_at_once(admin_user, departments):
    with pytest.raises(ApplicationError) as refused:
        services.item_change_propose(
            elements=elements(legal_days=3, promised_days=5, fee_charged=False, online_payment=True),
            reason="新增",
            actor=admin_user,
        )
    codes = [p["code"] for p in refused.value.details["problems"]]
    assert codes == ["catalog.promised_exceeds_legal", "catalog.payment_without_fee"]
    assert "承诺办结时限（5个工作日）不得超过法定办结时限（3个工作日）" in refused.value.message


def test_it_accepts_an_instant_item_with_zero_days(admin_user, departments):
    change = services.item_change_propose(
        elements=elements(
            handling_type="instant", promised_days=0, online_depth=4, visits_required=0, visits_reason=""
        ),
        reason="新增即办事项",
        actor=admin_user,
    )
    assert change.elements["handling_type"] == "instant"
    assert change.item.status == "draft"


def test_the_database_refuses_what_the_rules_refuse(food_item):
    from django.db import IntegrityError, transaction

    for field, value in (("promised_days", 30), ("online_payment", True), ("visits_reason", "")):
        with pytest.raises(IntegrityError), transaction.atomic():
            ServiceItem.objects.filter(pk=food_item.pk).update(**{field: value})
