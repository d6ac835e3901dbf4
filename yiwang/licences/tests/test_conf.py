"""The e-licence numbers (county defaults; the plan gives none) and what they compute."""

import datetime as dt

from django.test import override_settings

from yiwang.licences.conf import DEFAULTS, LICENCES
from yiwang.licences.models import LicenceType
from yiwang.licences.selectors import check_code
from yiwang.licences.services import default_valid_until


def test_the_county_defaults():
    assert DEFAULTS["DEFAULT_VALIDITY_YEARS"] is None  # 长期有效 unless the type says otherwise
    assert DEFAULTS["EXPIRY_WARNING_DAYS"] == 30
    assert DEFAULTS["ISSUE_ON_APPROVAL"] is True
    assert DEFAULTS["QR_CHECK_LENGTH"] == 16


def test_validity_comes_from_the_type_then_the_county_default():
    five = LicenceType(code="a", name="a", validity_years=5)
    open_ended = LicenceType(code="b", name="b")
    assert default_valid_until(five, dt.date(2026, 3, 1)) == dt.date(2031, 2, 28)
    assert default_valid_until(open_ended, dt.date(2026, 3, 1)) is None
    with override_settings(YIWANG_LICENCES={"DEFAULT_VALIDITY_YEARS": 3}):
        assert LICENCES.get("DEFAULT_VALIDITY_YEARS") == 3
        assert default_valid_until(open_ended, dt.date(2026, 3, 1)) == dt.date(2029, 2, 28)
        assert default_valid_until(five, dt.date(2026, 3, 1)) == dt.date(2031, 2, 28)


def test_the_check_code_length_follows_the_setting(company_licence):
    assert len(check_code(company_licence)) == 16
    with override_settings(YIWANG_LICENCES={"QR_CHECK_LENGTH": 24}):
        assert len(check_code(company_licence)) == 24


def test_issue_on_approval_can_be_switched_off(db):
    from yiwang.licences.lookup import RegisterLicenceIssuer

    class Case:
        item_id = 1

    with override_settings(YIWANG_LICENCES={"ISSUE_ON_APPROVAL": False}):
        assert RegisterLicenceIssuer().issue_for_case(case=Case(), actor=None) == []
