import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from yiwang.catalog.conf import catalog_targets_config


def test_it_keeps_the_plan_targets_by_default():
    targets = catalog_targets_config()
    assert targets["online_rate"] == 0.60
    assert targets["reform_items"] == 106
    assert targets["zero_visit_share"] is None


def test_it_overrides_one_target():
    with override_settings(YIWANG_CATALOG_TARGETS={"online_rate": 0.7}):
        targets = catalog_targets_config()
    assert targets["online_rate"] == 0.7
    assert targets["reform_items"] == 106


def test_it_refuses_an_unknown_target():
    with (
        override_settings(YIWANG_CATALOG_TARGETS={"online_rates": 0.7}),
        pytest.raises(ImproperlyConfigured, match="online_rates"),
    ):
        catalog_targets_config()
