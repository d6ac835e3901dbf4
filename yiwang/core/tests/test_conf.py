import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from yiwang.core.conf import app_settings

DEFAULTS = {"DAYS": 5, "TIERS": {"simple": 1, "complex": 7}, "NAMES": ["a"]}
conf = app_settings("YIWANG_TESTMOD", DEFAULTS)


def test_it_answers_defaults_without_overrides():
    assert conf.get("DAYS") == 5
    assert conf["TIERS"] == {"simple": 1, "complex": 7}
    assert conf.is_default("DAYS")


@override_settings(YIWANG_TESTMOD={"DAYS": 3, "TIERS": {"complex": 10}})
def test_it_overrides_key_by_key_and_merges_nested_dicts():
    assert conf.get("DAYS") == 3
    assert conf.get("TIERS") == {"simple": 1, "complex": 10}
    assert conf.get("NAMES") == ["a"]
    assert not conf.is_default("DAYS")
    assert conf.as_dict()["TIERS"]["complex"] == 10


@override_settings(YIWANG_TESTMOD={"DAYZ": 3})
def test_it_refuses_an_unknown_key_naming_it():
    with pytest.raises(ImproperlyConfigured, match="YIWANG_TESTMOD has unknown keys: DAYZ"):
        conf.get("DAYS")


def test_it_refuses_a_key_it_does_not_define():
    with pytest.raises(KeyError):
        conf.get("NOPE")


def test_it_never_hands_out_the_defaults_object():
    conf.get("NAMES").append("b")
    assert conf.get("NAMES") == ["a"]


def test_settings_read_once_found_valid_are_checked_again_when_the_object_changes():
    """The keys of a settings dict are checked once per dict, not on every read: a new dict
    (``override_settings``) and a key added to the same dict are both checked again."""
    settings_dict = {"DAYS": 3}
    with override_settings(YIWANG_TESTMOD=settings_dict):
        assert conf.get("DAYS") == 3
        assert conf.get("DAYS") == 3  # the second read: the same dict, already checked
        settings_dict["DAYZ"] = 4
        with pytest.raises(ImproperlyConfigured, match="unknown keys: DAYZ"):
            conf.get("DAYS")
    with override_settings(YIWANG_TESTMOD={"NAMEZ": []}), pytest.raises(ImproperlyConfigured, match="NAMEZ"):
        conf.get("DAYS")
    assert conf.get("DAYS") == 5


def test_a_dict_default_is_a_copy_each_time_and_a_number_is_the_number():
    conf.get("TIERS")["simple"] = 99
    assert conf.get("TIERS") == {"simple": 1, "complex": 7}
    assert conf.get("DAYS") is DEFAULTS["DAYS"]
