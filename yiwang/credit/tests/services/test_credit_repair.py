import datetime as dt

import pytest

from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent, InboxMessage
from yiwang.credit import services
from yiwang.credit.models import CreditRecord, CreditRepair, RiskClassChange
from yiwang.credit.tests.factories import EntityFactory

TODAY = dt.date.today()


@pytest.fixture
def entity(meixian, enterprise_user):
    return EntityFactory(uscc=enterprise_user.uscc, name="眉县秦岭猕猴桃冷链有限公司", region=meixian.county)


def _dishonesty(entity, dept, actor, days_ago=400):
    return services.credit_record_create(
        entity=entity,
        kind="dishonesty",
        title="虚报冒领农机补贴",
        department=dept,
        decided_on=TODAY - dt.timedelta(days=days_ago),
        expires_on=TODAY + dt.timedelta(days=300),
        actor=actor,
    )


def test_an_approved_repair_ends_the_record_and_lowers_the_class(entity, dept_a, handler_a, enterprise_user):
    record = _dishonesty(entity, dept_a, handler_a)
    entity.refresh_from_db()
    assert entity.risk_class == "C"
    repair = services.credit_repair_request(
        record=record, statement="已退回补贴", commitment=True, actor=enterprise_user
    )
    assert repair.state == "pending" and repair.clock.days == 5 and repair.due_on == repair.clock.due_on
    assert InboxMessage.objects.filter(user=handler_a, template="credit.repair_requested").exists()
    services.credit_repair_decide(repair=repair, approve=True, opinion="纠正到位，同意修复", actor=handler_a)
    record.refresh_from_db()
    entity.refresh_from_db()
    assert record.state == CreditRecord.State.REPAIRED and entity.risk_class == "B"
    assert RiskClassChange.objects.filter(entity=entity, reason="信用修复", to_class="B").exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"credit.repair_requested", "credit.repair_approved", "credit.record_repaired"} <= actions
    assert InboxMessage.objects.filter(user=enterprise_user, template="credit.repair_decided").exists()


def test_a_refused_repair_keeps_the_record(entity, dept_a, handler_a, enterprise_user):
    record = _dishonesty(entity, dept_a, handler_a)
    repair = services.credit_repair_request(record=record, statement="已整改", commitment=True, actor=enterprise_user)
    services.credit_repair_decide(repair=repair, approve=False, opinion="罚款尚未缴纳", actor=handler_a)
    record.refresh_from_db()
    assert record.state == "effective"
    with pytest.raises(ApplicationError) as error:
        services.credit_repair_decide(repair=repair, approve=True, opinion="改判", actor=handler_a)
    assert error.value.code == "credit.repair_closed"


@pytest.mark.parametrize(
    ("setup", "kw", "code"),
    [
        ("early", {}, "credit.repair_too_early"),
        ("ok", {"commitment": False}, "credit.commitment_required"),
        ("ok", {"statement": " "}, "credit.statement_required"),
        ("blacklist", {}, "credit.not_repairable"),
        ("twice", {}, "credit.repair_pending"),
    ],
)
def test_repair_rules(entity, dept_a, handler_a, enterprise_user, setup, kw, code):
    if setup == "blacklist":
        record = services.credit_record_create(
            entity=entity,
            kind="blacklist",
            named_list="bidding",
            title="串通投标",
            department=dept_a,
            decided_on=TODAY - dt.timedelta(days=800),
            actor=handler_a,
        )
    else:
        record = _dishonesty(entity, dept_a, handler_a, days_ago=30 if setup == "early" else 400)
    if setup == "twice":
        services.credit_repair_request(record=record, statement="已整改", commitment=True, actor=enterprise_user)
    args = {"statement": "已整改", "commitment": True, **kw}
    with pytest.raises(ApplicationError) as error:
        services.credit_repair_request(record=record, actor=enterprise_user, **args)
    assert error.value.code == code
    assert CreditRepair.objects.count() == (1 if setup == "twice" else 0)


def test_only_the_deciding_department_decides(entity, dept_a, handler_a, handler_b, enterprise_user):
    repair = services.credit_repair_request(
        record=_dishonesty(entity, dept_a, handler_a), statement="已整改", commitment=True, actor=enterprise_user
    )
    with pytest.raises(ApplicationError) as error:
        services.credit_repair_decide(repair=repair, approve=True, opinion="同意", actor=handler_b)
    assert error.value.code == "credit.not_your_department"


def test_the_sweep_reminds_then_announces_an_overdue_repair_once(entity, dept_a, handler_a, enterprise_user):
    from yiwang.workdays.sweep import clocks_sweep

    record = _dishonesty(entity, dept_a, handler_a)
    repair = services.credit_repair_request(
        record=record, statement="已退回补贴", commitment=True, actor=enterprise_user
    )
    due = repair.clock.due_on
    clocks_sweep(today=due)
    clocks_sweep(today=due)
    assert InboxMessage.objects.filter(user=handler_a, template="credit.repair_due_soon").count() == 1
    assert not InboxMessage.objects.filter(template="credit.repair_overdue").exists()
    clocks_sweep(today=due + dt.timedelta(days=7))
    clocks_sweep(today=due + dt.timedelta(days=8))
    overdue = InboxMessage.objects.filter(user=handler_a, template="credit.repair_overdue")
    assert overdue.count() == 1 and "虚报冒领农机补贴" in overdue.get().body


def test_a_decided_repair_is_not_chased(entity, dept_a, handler_a, enterprise_user):
    from yiwang.workdays.sweep import clocks_sweep

    record = _dishonesty(entity, dept_a, handler_a)
    repair = services.credit_repair_request(
        record=record, statement="已退回补贴", commitment=True, actor=enterprise_user
    )
    services.credit_repair_decide(repair=repair, approve=False, opinion="罚款尚未缴纳", actor=handler_a)
    clocks_sweep(today=repair.clock.due_on + dt.timedelta(days=7))
    assert not InboxMessage.objects.filter(template__in=["credit.repair_due_soon", "credit.repair_overdue"]).exists()
