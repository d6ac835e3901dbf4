"""The county defaults of the credit rules: a change of any number must be made here on purpose."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from yiwang.credit.conf import CREDIT, KEY_FIELDS, credit_setting


def test_the_county_defaults():
    assert credit_setting("RISK_POINTS") == {
        "commendation": -10,
        "penalty.minor": 3,
        "penalty.general": 5,
        "penalty.serious": 20,
        "dishonesty": 20,
        "false_pledge": 20,
        "inspection": 5,
        "first_offence": 0,
        "blacklist": 40,
    }
    assert credit_setting("RISK_THRESHOLDS") == {"A_MAX": -10, "C_FROM": 10, "D_FROM": 40}
    assert credit_setting("D_LISTS") == ["key_fields", "wage_arrears", "bidding", "ip"]
    assert credit_setting("PUBLICATION_MONTHS")["penalty.general"] == 12
    assert credit_setting("PUBLICATION_MONTHS")["penalty.serious"] == 36
    assert credit_setting("CLUE_HANDLE_WORKDAYS") == 10
    assert credit_setting("REPAIR_DECIDE_WORKDAYS") == 5
    assert credit_setting("REPAIR_REMIND_WORKDAYS") == 1
    assert credit_setting("CLUE_REMIND_WORKDAYS") == 2
    assert credit_setting("FIRST_OFFENCE_WINDOW_YEARS") == 2
    assert credit_setting("DEFERRAL_CLASSES") == ["A", "B"]
    assert credit_setting("PLEDGE_CLASSES") == ["A", "B", "C"]
    assert credit_setting("LOAN_DEFAULT_CLASSES") == ["A", "B", "C"]


def test_the_23_key_fields_of_the_plan():
    # plan 二(五)(2): 在23个重点领域开展失信问题专项治理
    assert len(KEY_FIELDS) == 23 and len(set(KEY_FIELDS)) == 23


@override_settings(YIWANG_CREDIT={"RISK_THRESHOLD": {}})
def test_a_typo_in_settings_is_refused():
    with pytest.raises(ImproperlyConfigured, match="RISK_THRESHOLD"):
        credit_setting("RISK_THRESHOLDS")


@override_settings(YIWANG_CREDIT={"CLUE_HANDLE_WORKDAYS": 7})
def test_an_override_is_not_the_county_default():
    assert credit_setting("CLUE_HANDLE_WORKDAYS") == 7
    assert not CREDIT.is_default("CLUE_HANDLE_WORKDAYS")
