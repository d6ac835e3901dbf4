"""Factories for policies (direct inserts; the behaviour under test goes through services)."""

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from yiwang.policies.models import BenefitKind, Policy, PolicyLevel


class PolicyFactory(DjangoModelFactory):
    class Meta:
        model = Policy

    title = factory.Sequence(lambda n: f"眉县猕猴桃冷库建设补贴{n}")
    issuer = "眉县农业农村局 眉县财政局"
    document_number = factory.Sequence(lambda n: f"眉农发〔2026〕{n + 1}号")
    level = PolicyLevel.COUNTY
    region = factory.LazyAttribute(lambda o: o.department.region)
    issued_on = dt.date(2026, 3, 1)
    effective_on = dt.date(2026, 3, 1)
    expires_on = dt.date(2027, 12, 31)
    full_text = "第一条 为支持猕猴桃产业发展……"
    interpretation = "新建或改扩建冷库的猕猴桃种植、经营主体可申请补贴。"
    steps = ["企业在线申请", "镇街初审", "农业农村局复核", "公示5天", "资金拨付"]
    benefit_kind = BenefitKind.SUBSIDY
    benefit_amount = 20000
    rules = factory.LazyFunction(
        lambda: {
            "mode": "all",
            "conditions": [
                {"attribute": "industry_code", "operator": "prefix", "values": ["A015"]},
                {"attribute": "registered_capital", "operator": "range", "min": "100", "max": None},
            ],
        }
    )
