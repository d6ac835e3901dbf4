"""The due date a case shows matches its promised working days.

A demo case showed "承诺 5 个工作日 · 到期 2026-12-29", 21 working days after its acceptance: the demo
counted into the due day a pause that had not ended (or not begun) and an extension not yet granted.
A clock's due day is its start + its days + the working days of its *ended* pauses (``workdays``), and
a case's days are its promised days plus an extension only once approved.
"""

from io import StringIO

import pytest

from yiwang.cases.demo import bulk as demo
from yiwang.cases.models import HANDLING_STATES, Case, DeferredMaterial
from yiwang.workdays.models import Clock
from yiwang.workdays.selectors import add_workdays

pytestmark = pytest.mark.django_db


def test_every_open_case_is_due_its_promised_working_days_after_acceptance(
    food_item, instant_item, counter_item, opening_bundle, clerk, handler_a, citizen, monkeypatch
):
    monkeypatch.setattr(demo, "MONTHS", 1)
    monkeypatch.setattr(demo, "SINGLE_PER_WORKDAY", (4, 6))
    demo.seed(stdout=StringIO())
    open_cases = list(Case.objects.filter(state__in=HANDLING_STATES, clock__isnull=False).select_related("clock"))
    assert len(open_cases) > 10
    paused = [c for c in open_cases if c.clock.state == Clock.State.PAUSED]
    assert paused, "the slice should hold a case paused today"
    for case in open_cases:
        clock = case.clock
        assert clock.days == case.promised_days + (10 if case.extended else 0), case.number
        expected = add_workdays(clock.started_at, clock.days + clock.paused_workdays).due
        assert clock.due_on == expected == case.due_on, (case.number, case.promised_days, case.due_on, expected)
    for deferral in DeferredMaterial.objects.select_related("case"):
        assert deferral.due_on <= deferral.case.due_on, deferral.case.number


def test_the_demo_shows_the_window_receiving_deferred_materials_and_signed_pledges(
    food_item, instant_item, counter_item, opening_bundle, clerk, handler_a, citizen, monkeypatch
):
    from yiwang.cases.models import Notice, NoticeKind, Pledge

    monkeypatch.setattr(demo, "MONTHS", 2)
    monkeypatch.setattr(demo, "SINGLE_PER_WORKDAY", (6, 8))
    demo.seed(stdout=StringIO())
    received = DeferredMaterial.objects.filter(supplied_by__isnull=False, original_checked=True)
    assert received.exists()
    assert all(d.material.status == "received" for d in received.select_related("material"))
    assert Pledge.objects.filter(signature_method="confirmed", signature_recorded_by__isnull=False).exists()
    assert Notice.objects.filter(kind=NoticeKind.PLEDGE).exists()
    issuers = set(Notice.objects.values_list("content__issuer", flat=True))
    assert issuers and not any("政务服务中心" in issuer for issuer in issuers)
    deferred_notice = Notice.objects.filter(kind=NoticeKind.DEFERRED).first()
    assert deferred_notice is not None and "申请材料齐全" not in "".join(deferred_notice.content["paragraphs"])


def test_every_pledge_verification_of_the_demo_runs_on_its_working_day_clock(
    food_item, instant_item, counter_item, opening_bundle, clerk, handler_a, citizen, monkeypatch, settings
):
    from yiwang.cases.models import PledgeVerification

    settings.YIWANG_CASES = {"PLEDGE_VERIFICATION_DAYS": 15}  # the county's setting, not a number of the demo's
    monkeypatch.setattr(demo, "MONTHS", 2)
    monkeypatch.setattr(demo, "SINGLE_PER_WORKDAY", (6, 8))
    demo.seed(stdout=StringIO())
    verifications = list(PledgeVerification.objects.select_related("clock", "case"))
    assert verifications and any(v.state == PledgeVerification.State.PENDING for v in verifications)
    for v in verifications:
        clock = v.clock
        assert clock is not None and clock.object_id == v.case_id, v.case.number
        assert clock.days == 15 and clock.started_at == v.case.decided_at, v.case.number
        assert clock.due_on == v.due_on == add_workdays(clock.started_at, 15).due, v.case.number
        pending = v.state == PledgeVerification.State.PENDING
        assert (clock.state == Clock.State.RUNNING) is pending and (clock.stopped_on is None) is pending
