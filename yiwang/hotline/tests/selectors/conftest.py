"""Fixtures of the similar-appeal tests: a second village of 营头镇 and appeals of a text and a place."""

import pytest

from yiwang.org.models import Region
from yiwang.org.tests.factories import region_chain


@pytest.fixture
def sanjiao(meixian) -> Region:
    """A second village of 营头镇."""
    return region_chain(
        ("610000", "陕西省", Region.Level.PROVINCE),
        ("610300", "宝鸡市", Region.Level.CITY),
        ("610326", "眉县", Region.Level.COUNTY),
        ("610326105", "营头镇", Region.Level.TOWN),
        ("610326105206", "三角村", Region.Level.VILLAGE),
    )


@pytest.fixture
def appeal_of(make_appeal):
    """An appeal of (title, content) in a village (its town with it) or a town."""

    def factory(text, **place):
        title, content = text
        if "village" in place:
            place.setdefault("town", place["village"].parent)
        return make_appeal(title=title, content=content, **place)

    return factory
