"""Every number of 好差评 is a county default in settings (the plan gives none); each is pinned here."""

import pytest
from django.test import override_settings

from yiwang.ratings.conf import DEFAULTS, ON_SITE_INDICATORS, ONLINE_INDICATORS
from yiwang.ratings.models import Rectification
from yiwang.ratings.services import indicators_for, rating_submit

pytestmark = pytest.mark.django_db


def test_the_county_defaults():
    assert DEFAULTS["RECTIFICATION_WORKDAYS"] == 5
    assert DEFAULTS["FINDING_WORKDAYS"] == 5
    assert DEFAULTS["REMIND_LEAD_WORKDAYS"] == 1
    assert DEFAULTS["TARGET_CALLBACK_RATE"] == 1.0
    assert DEFAULTS["TARGET_RECTIFICATION_RATE"] == 1.0
    assert DEFAULTS["TARGET_ON_TIME_RATE"] == 0.95
    assert list(ONLINE_INDICATORS) == ["overall", "efficiency", "guide_accuracy", "convenience", "usability"]
    assert list(ON_SITE_INDICATORS) == ["overall", "efficiency", "service_level", "attitude"]
    assert indicators_for("pad") == ON_SITE_INDICATORS and indicators_for("online") == ONLINE_INDICATORS


@override_settings(YIWANG_RATINGS={"RECTIFICATION_WORKDAYS": 3})
def test_the_deadline_follows_the_setting(finished_case, citizen):
    rating = rating_submit(actor=citizen, case=finished_case, level=2, channel="online", comment="慢")
    assert Rectification.objects.get(rating=rating).clock.days == 3


def test_an_unknown_setting_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    from yiwang.ratings.conf import setting

    with override_settings(YIWANG_RATINGS={"RECTIFICATION_DAYS": 3}), pytest.raises(ImproperlyConfigured):
        setting("RECTIFICATION_WORKDAYS")
