import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from yiwang.cases.conf import CASES, cases_setting


def test_it_answers_the_default_until_overridden():
    assert cases_setting("DEFERRED_DAYS") == 10
    assert CASES.is_default("DEFERRED_DAYS")
    with override_settings(YIWANG_CASES={"DEFERRED_DAYS": 7}):
        assert cases_setting("DEFERRED_DAYS") == 7
        assert cases_setting("EXTENSION_DAYS") == 10
        assert not CASES.is_default("DEFERRED_DAYS")


def test_it_refuses_an_unknown_key_in_settings():
    with (
        override_settings(YIWANG_CASES={"DEFERED_DAYS": 7}),
        pytest.raises(ImproperlyConfigured, match="YIWANG_CASES has unknown keys: DEFERED_DAYS"),
    ):
        cases_setting("DEFERRED_DAYS")


def test_it_refuses_an_unknown_name():
    with pytest.raises(KeyError):
        cases_setting("NO_SUCH_SETTING")


def test_it_hands_out_a_copy_of_a_default_list():
    cases_setting("KIOSK_ALLOWED_IPS").append("10.0.0.1")
    assert cases_setting("KIOSK_ALLOWED_IPS") == ["127.0.0.1", "::1"]
