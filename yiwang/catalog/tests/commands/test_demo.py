"""The demo catalog: the plan's counts, bundles, months of adjustments; a second run creates nothing."""

import io

import pytest

from yiwang.catalog import demo, selectors
from yiwang.catalog.models import Bundle, ChangeStatus, ItemChange, ServiceItem, ServiceItemVersion
from yiwang.org import demo as org_demo

pytestmark = pytest.mark.django_db


def test_it_seeds_a_realistic_catalog_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    org_demo.seed(stdout=io.StringIO())
    out = io.StringIO()
    demo.seed(stdout=out)

    assert ServiceItem.objects.filter(level="county").count() >= 300
    assert ServiceItem.objects.filter(level="town").count() == 75  # plan 三、1
    assert ServiceItem.objects.filter(level="village").count() == 52
    opening = selectors.bundle_detail("qiye-kaiban")
    names = [bi.item.name for bi in opening.bundle_items.all()]
    for part in ("设立登记", "印章", "发票", "参保", "住房公积金", "银行"):
        assert any(part in name for name in names), part
    assert opening.target_days == 1
    assert Bundle.objects.count() >= 5
    assert ServiceItemVersion.objects.filter(number__gte=2).exists()
    assert ItemChange.objects.filter(status=ChangeStatus.PENDING).exists()
    assert ItemChange.objects.filter(status=ChangeStatus.REJECTED).exists()
    targets = selectors.catalog_targets()
    assert targets["overall"].online_rate >= 0.6

    counts = (
        ServiceItem.objects.count(),
        ServiceItemVersion.objects.count(),
        ItemChange.objects.count(),
        Bundle.objects.count(),
    )
    demo.seed(stdout=io.StringIO())
    assert (
        ServiceItem.objects.count(),
        ServiceItemVersion.objects.count(),
        ItemChange.objects.count(),
        Bundle.objects.count(),
    ) == counts
