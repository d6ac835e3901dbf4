"""The unrated policy (county default: 基本满意 after 7 working days; or not counted)."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from yiwang.cases.models import Case
from yiwang.hotline.models import Appeal
from yiwang.hotline.services import appeal_revisit
from yiwang.ratings.conf import DEFAULTS
from yiwang.ratings.models import Rating, Rectification
from yiwang.ratings.services import ratings_record_unrated, unrated_cutoff
from yiwang.workdays.sweep import clocks_sweep

pytestmark = pytest.mark.django_db


def test_the_defaults_are_the_county_defaults():
    assert DEFAULTS["UNRATED_POLICY"] == "basic"
    assert DEFAULTS["UNRATED_WORKDAYS"] == 7
    assert DEFAULTS["RECTIFICATION_WORKDAYS"] == 5


def test_the_cutoff_counts_seven_working_days():
    # Monday 2026-03-16: seven working days back (not counting weekends) is Friday 2026-03-06.
    assert unrated_cutoff(dt.date(2026, 3, 16)) == dt.date(2026, 3, 5)


def _age(case, days):
    Case.objects.filter(pk=case.pk).update(decided_at=timezone.now() - dt.timedelta(days=days))


def test_an_old_unrated_case_counts_as_basic_once(finished_case, make_case):
    fresh = make_case()
    _age(finished_case, 20)
    assert ratings_record_unrated()["cases"] == 1
    rating = Rating.objects.get()
    assert rating.case_id == finished_case.pk and rating.level == 3 and rating.channel == "default"
    assert not rating.real_name and rating.rater_id is None
    assert ratings_record_unrated()["cases"] == 0
    assert Rating.objects.count() == 1
    assert not Rating.objects.filter(case=fresh).exists()


@override_settings(YIWANG_RATINGS={"UNRATED_POLICY": "not_counted"})
def test_not_counted_records_nothing(finished_case):
    _age(finished_case, 30)
    ratings_record_unrated()
    assert not Rating.objects.exists()


def test_the_revisit_becomes_the_appeals_rating(replied_appeal, dispatcher):
    appeal_revisit(appeal=replied_appeal, resolved=False, satisfaction=1, comment="路还是坏的", actor=dispatcher)
    Appeal.objects.filter(pk=replied_appeal.pk).update(replied_at=timezone.now() - dt.timedelta(days=20))
    counts = ratings_record_unrated()
    assert counts["appeals"] == 1 and counts["revisits"] == 1
    rating = Rating.objects.get()
    assert rating.channel == "hotline" and rating.level == 1 and rating.real_name
    assert Rectification.objects.filter(rating=rating).exists()


def test_the_sweep_runs_the_policy(finished_case):
    _age(finished_case, 20)
    report = clocks_sweep()
    assert report.hooks["ratings.unrated"]["cases"] == 1


@override_settings(YIWANG_RATINGS={"UNRATED_POLICY": "basic_after_days"})
def test_an_unknown_policy_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        ratings_record_unrated()


def test_the_daily_run_looks_back_a_bounded_window_and_a_catch_up_looks_at_everything(finished_case, make_case):
    assert DEFAULTS["UNRATED_LOOKBACK_DAYS"] == 60
    recent, old = make_case(), finished_case
    Case.objects.filter(pk=recent.pk).update(state=old.state, decided_at=timezone.now() - dt.timedelta(days=40))
    _age(old, 200)  # long before the window: the daily run does not read that far back
    assert ratings_record_unrated()["cases"] == 1
    assert list(Rating.objects.values_list("case_id", flat=True)) == [recent.pk]
    assert ratings_record_unrated(lookback_days=0)["cases"] == 1  # a catch-up after a long stop
    assert set(Rating.objects.values_list("case_id", flat=True)) == {recent.pk, old.pk}
