import datetime as dt

import pytest
from django.test import override_settings

from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent
from yiwang.credit import services
from yiwang.credit.models import CreditRecord, Entity, RiskClassChange
from yiwang.credit.services.records import add_months, class_for_score
from yiwang.credit.tests.factories import EntityFactory

TODAY = dt.date.today()


@pytest.fixture
def entity(meixian):
    return services.entity_create(
        actor=None,
        uscc=EntityFactory.build().uscc,
        name="眉县齐峰果业有限责任公司",
        region=meixian.county,
        town=meixian.huaiya,
    )


def _record(entity, dept, actor, kind="penalty", **kw):
    kw.setdefault("title", "销售不符合标准的猕猴桃")
    kw.setdefault("decided_on", TODAY - dt.timedelta(days=10))
    return services.credit_record_create(entity=entity, kind=kind, department=dept, actor=actor, **kw)


def test_it_records_a_penalty_and_keeps_the_class_when_the_score_stays_low(entity, dept_a, handler_a):
    record = _record(entity, dept_a, handler_a, legal_basis="产品质量法第49条")
    entity.refresh_from_db()
    assert record.state == CreditRecord.State.EFFECTIVE
    assert record.region == entity.town
    # general penalty: 12 months of publication by default (county default)
    assert record.expires_on == add_months(record.decided_on, 12)
    assert entity.risk_class == "B"
    assert AuditEvent.objects.filter(action="credit.record_created", object_id=str(record.pk)).exists()


def test_it_moves_the_class_and_keeps_history(entity, dept_a, handler_a):
    _record(entity, dept_a, handler_a)
    _record(entity, dept_a, handler_a, title="冷库未落实安全生产责任")  # 5 + 5 = 10 → C
    entity.refresh_from_db()
    assert entity.risk_class == "C"
    history = list(RiskClassChange.objects.filter(entity=entity).order_by("id").values_list("from_class", "to_class"))
    assert history == [("", "B"), ("B", "C")]
    assert AuditEvent.objects.filter(action="credit.risk_class_changed", object_id=str(entity.pk)).count() == 1


def test_a_blacklist_forces_class_d(entity, dept_a, handler_a):
    _record(entity, dept_a, handler_a, kind="blacklist", named_list="wage_arrears", title="拖欠农民工工资")
    entity.refresh_from_db()
    assert entity.risk_class == "D"


def test_commendations_lead_to_class_a(entity, dept_a, handler_a):
    _record(entity, dept_a, handler_a, kind="commendation", title="眉县诚信示范企业")
    entity.refresh_from_db()
    assert entity.risk_class == "A"


@pytest.mark.parametrize(
    ("score", "expected"), [(-20, "A"), (-10, "A"), (-9, "B"), (9, "B"), (10, "C"), (39, "C"), (40, "D")]
)
def test_the_county_default_thresholds(score, expected):
    assert class_for_score(score) == expected


@override_settings(YIWANG_CREDIT={"RISK_THRESHOLDS": {"A_MAX": -10, "C_FROM": 5, "D_FROM": 40}})
def test_thresholds_are_configuration(entity, dept_a, handler_a):
    _record(entity, dept_a, handler_a)
    entity.refresh_from_db()
    assert entity.risk_class == "C"


def test_an_expired_record_no_longer_counts(entity, dept_a, handler_a):
    _record(
        entity,
        dept_a,
        handler_a,
        kind="dishonesty",
        decided_on=TODAY - dt.timedelta(days=400),
        expires_on=TODAY - dt.timedelta(days=2),
        title="虚报冒领补贴",
    )
    entity.refresh_from_db()
    assert entity.risk_class == "B"  # never counted: already past its period


def test_the_expiry_sweep_recomputes(entity, dept_a, handler_a):
    _record(
        entity,
        dept_a,
        handler_a,
        kind="dishonesty",
        decided_on=TODAY - dt.timedelta(days=30),
        expires_on=TODAY,
        title="虚报冒领补贴",
    )
    entity.refresh_from_db()
    assert entity.risk_class == "C"
    from django.utils import timezone

    later = timezone.now() + dt.timedelta(days=2)
    assert services.credit_expiry_sweep(now=later) == 1
    entity.refresh_from_db()
    assert entity.risk_class == "B"
    assert RiskClassChange.objects.filter(entity=entity, reason="信用记录公示期届满").count() == 1


def test_the_same_source_twice_makes_one_record(entity, dept_a, handler_a):
    first = _record(entity, dept_a, handler_a, source="inspections.task:7")
    again = _record(entity, dept_a, handler_a, source="inspections.task:7")
    assert first.pk == again.pk
    assert CreditRecord.objects.count() == 1


def test_another_department_cannot_record(entity, dept_a, handler_b):
    with pytest.raises(ApplicationError) as error:
        _record(entity, dept_a, handler_b)
    assert error.value.code == "credit.not_your_department"
    assert not CreditRecord.objects.exists()


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"title": "  "}, "credit.title_required"),
        ({"decided_on": TODAY + dt.timedelta(days=1)}, "credit.date_in_future"),
        ({"expires_on": TODAY - dt.timedelta(days=30)}, "credit.expiry_before_decision"),
        ({"kind": "rumour"}, "credit.kind_invalid"),
        ({"key_field": "火星采矿"}, "credit.key_field_invalid"),
        ({"kind": "blacklist"}, "credit.list_required"),
        ({"kind": "penalty", "named_list": "bidding"}, "credit.list_invalid"),
        ({"kind": "dishonesty", "named_list": "key_fields"}, "credit.key_field_required"),
    ],
)
def test_bad_input_changes_nothing(entity, dept_a, handler_a, kw, code):
    with pytest.raises(ApplicationError) as error:
        _record(entity, dept_a, handler_a, **kw)
    assert error.value.code == code
    assert not CreditRecord.objects.exists()
    assert Entity.objects.get(pk=entity.pk).risk_class == "B"


def test_first_offence_is_recorded_not_penalised_and_only_once(entity, dept_a, handler_a):
    record = services.first_offence_record(
        entity=entity, offence_code="amr-licence-display", department=dept_a, decided_on=TODAY, actor=handler_a
    )
    assert record.kind == "first_offence" and record.severity == "minor"
    entity.refresh_from_db()
    assert entity.risk_class == "B"
    with pytest.raises(ApplicationError) as error:
        services.first_offence_record(
            entity=entity, offence_code="amr-licence-display", department=dept_a, decided_on=TODAY, actor=handler_a
        )
    assert error.value.code == "credit.not_first_offence"
    with pytest.raises(ApplicationError) as error:
        services.first_offence_record(
            entity=entity, offence_code="no-such", department=dept_a, decided_on=TODAY, actor=handler_a
        )
    assert error.value.code == "credit.offence_unknown"


def test_government_dishonesty_names_a_department(dept_a, dept_b, handler_a):
    record = services.credit_record_create(
        entity=None,
        subject_department=dept_b,
        kind="government",
        title="承诺的招商引资奖励未兑现",
        department=dept_a,
        decided_on=TODAY,
        actor=handler_a,
    )
    assert record.subject_department == dept_b and record.entity is None


def test_revoking_restores_the_class(entity, dept_a, handler_a):
    record = _record(entity, dept_a, handler_a, kind="dishonesty", title="虚报冒领补贴")
    entity.refresh_from_db()
    assert entity.risk_class == "C"
    services.credit_record_revoke(record=record, reason="复议撤销原处罚决定", actor=handler_a)
    entity.refresh_from_db()
    assert entity.risk_class == "B"
    assert AuditEvent.objects.filter(action="credit.record_revoked").count() == 1
