import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from yiwang.hotline.conf import conf, hotline_config


def test_it_merges_a_nested_override_key_by_key():
    with override_settings(HOTLINE={"REPLY_WORKDAYS": {"general": 3}, "SIGN_OFF_WORKDAYS": 2}):
        assert conf("REPLY_WORKDAYS") == {"simple": 1, "general": 3, "complex": 7}
        assert hotline_config()["REPLY_WORKDAYS"] == {"simple": 1, "general": 3, "complex": 7}
        assert conf("SIGN_OFF_WORKDAYS") == 2
        assert conf("RETURN_LIMIT") == 1


def test_it_answers_the_plan_defaults_without_settings():
    assert conf("UNRESOLVED_WORKDAYS") == {"simple": 0, "general": 1, "complex": 7}
    assert hotline_config()["COUNTY_CODE"] == "610326"


def test_it_refuses_an_unknown_key_in_settings():
    with override_settings(HOTLINE={"REPLY_DAYS": {"general": 3}}):
        with pytest.raises(ImproperlyConfigured, match="HOTLINE has unknown keys: REPLY_DAYS"):
            conf("REPLY_WORKDAYS")
        with pytest.raises(ImproperlyConfigured):
            hotline_config()
