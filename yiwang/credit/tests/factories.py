"""Factories for credit rows (direct inserts: the world a test needs, not the behaviour under test)."""

import factory
from factory.django import DjangoModelFactory

from yiwang.core.identifiers import make_uscc
from yiwang.credit.models import Entity
from yiwang.org.tests.factories import meixian_county


class EntityFactory(DjangoModelFactory):
    class Meta:
        model = Entity

    uscc = factory.Sequence(lambda n: make_uscc(f"92610326MA{n:07d}"))
    name = factory.Sequence(lambda n: f"眉县示例猕猴桃专业合作社{n}")
    kind = Entity.Kind.ENTERPRISE
    industry_code = "A0151"
    industry_name = "仁果类和核果类水果种植"
    region = factory.LazyFunction(meixian_county)
    legal_representative = "王建国"
