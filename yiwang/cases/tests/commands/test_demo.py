"""The demo seed on a small slice: runs, fills every state family, and creates nothing the second time."""

from io import StringIO

import pytest

from yiwang.cases.demo import bulk as demo
from yiwang.cases.models import Case

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_once(
    food_item, instant_item, counter_item, opening_bundle, clerk, handler_a, citizen, monkeypatch
):
    monkeypatch.setattr(demo, "MONTHS", 1)
    monkeypatch.setattr(demo, "SINGLE_PER_WORKDAY", (3, 5))
    out = StringIO()
    demo.seed(stdout=out)
    first = Case.objects.count()
    assert first > 40 and "办件：" in out.getvalue()
    states = set(Case.objects.values_list("state", flat=True))
    assert {"delivered", "in_review"} <= states
    assert Case.objects.filter(bundle__code="qiye-kaiban", children__isnull=False).exists()
    demo.seed(stdout=out)
    assert Case.objects.count() == first and "已存在，跳过" in out.getvalue()
