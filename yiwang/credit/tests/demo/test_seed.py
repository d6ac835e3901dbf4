import pytest

from yiwang.credit import demo, measures, selectors
from yiwang.credit.models import Clue, CreditRecord, Entity, FinancingNeed, LoanProduct, RiskClassChange
from yiwang.measures.selectors import measures_check
from yiwang.org.tests.factories import DepartmentFactory


@pytest.fixture
def departments(meixian):
    for code, name in [
        ("market-regulation", "眉县市场监督管理局"),
        ("human-resources-social-security", "眉县人力资源和社会保障局"),
        ("development-reform", "眉县发展和改革局"),
        ("taxation", "国家税务总局眉县税务局"),
        ("agriculture-rural", "眉县农业农村局"),
        ("kiwifruit-park", "眉县猕猴桃产业园区管理委员会"),
    ]:
        DepartmentFactory(code=code, name=name, region=meixian.county)


def test_the_seed_is_consistent_and_idempotent(departments, enterprise_user, monkeypatch):
    monkeypatch.setattr(demo, "SMALL_BUSINESSES", 400)
    demo.seed()
    entities = Entity.objects.count()
    assert entities >= 390
    assert Entity.objects.filter(uscc=enterprise_user.uscc).exists()  # the demo enterprise account's company
    assert CreditRecord.objects.exists() and Clue.objects.exists() and LoanProduct.objects.count() == len(demo.BANKS)
    assert FinancingNeed.objects.exists()
    # every entity has its first class-history row; the roll-up distribution equals the entities' classes
    assert RiskClassChange.objects.filter(from_class="").count() == entities
    distribution = selectors.class_distribution()
    for risk_class, count in distribution.items():
        assert Entity.objects.filter(risk_class=risk_class).count() == count
    assert measures_check(metrics=[measures.RECORDS, measures.CLASS_MOVES, measures.CLUES, measures.FINANCING]) == []
    # a class in the table is the class the live rules give today
    from yiwang.credit.services import entity_risk_assess

    for entity in Entity.objects.filter(credit_records__isnull=False).distinct()[:50]:
        assert entity_risk_assess(entity=entity).risk_class == entity.risk_class
    demo.seed()
    assert Entity.objects.count() == entities
