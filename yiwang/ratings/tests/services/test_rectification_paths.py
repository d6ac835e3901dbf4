"""Every path of a rectification: fix, explain, appeal (upheld / rejected), send back; deadlines."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent
from yiwang.measures.selectors import measures_check
from yiwang.ratings import measures as m
from yiwang.ratings.models import Rectification
from yiwang.ratings.services import (
    rating_submit,
    rectification_classify,
    rectification_decide_appeal,
    rectification_rectify,
    rectification_reply,
    rectification_review,
    rectification_revisit,
    rectification_verify,
)
from yiwang.workdays.models import Clock
from yiwang.workdays.sweep import clocks_sweep

pytestmark = pytest.mark.django_db
S = Rectification.State


@pytest.fixture
def opened(finished_case, citizen):
    rating = rating_submit(actor=citizen, case=finished_case, level=1, channel="online", comment="窗口人员态度差")
    return Rectification.objects.get(rating=rating)


def _to_review(r, handler, classification="fix_now"):
    r = rectification_verify(rectification=r, reached=True, note="电话联系申请人，核实属实", actor=handler)
    r = rectification_classify(rectification=r, classification=classification, note="诉求合理", actor=handler)
    if classification != "explain":
        r = rectification_rectify(rectification=r, measures_taken="对窗口人员批评教育并开展服务礼仪培训", actor=handler)
    r = rectification_reply(rectification=r, reply="已整改，感谢您的监督", actor=handler)
    return rectification_revisit(rectification=r, level=4, note="申请人表示满意", actor=handler)


def test_it_walks_fix_now_to_closure(opened, handler_a, supervisor, citizen):
    r = _to_review(opened, handler_a)
    assert r.state == S.REVIEWING and r.on_time is True
    assert Clock.objects.get(pk=r.clock_id).state == Clock.State.PAUSED
    assert citizen.inbox_messages.filter(template="ratings.rectification_replied").exists()
    assert supervisor.inbox_messages.filter(template="ratings.rectification_review").exists()
    r = rectification_review(rectification=r, accept=True, note="", actor=supervisor)
    assert r.state == S.CLOSED and r.closed_at is not None
    assert Clock.objects.get(pk=r.clock_id).state == Clock.State.STOPPED
    actions = list(
        AuditEvent.objects.filter(object_type="ratings.rectification", object_id=str(r.pk)).values_list(
            "action", flat=True
        )
    )
    for step in ("opened", "verified", "classified", "rectified", "replied", "revisited", "accepted"):
        assert f"ratings.rectification_{step}" in actions
    assert measures_check(metrics=[m.RECTIFICATIONS]) == []


def test_explain_skips_the_fix(opened, handler_a, supervisor):
    r = _to_review(opened, handler_a, classification="explain")
    assert r.state == S.REVIEWING and r.measures_taken == ""


def test_a_send_back_resumes_the_clock(opened, handler_a, supervisor):
    r = _to_review(opened, handler_a)
    with pytest.raises(ApplicationError) as error:
        rectification_review(rectification=r, accept=False, note="", actor=supervisor)
    assert error.value.code == "rectification.text_required"
    r = rectification_review(rectification=r, accept=False, note="整改措施不具体", actor=supervisor)
    assert r.state == S.RECTIFYING and r.sent_back_count == 1 and r.on_time is None
    assert Clock.objects.get(pk=r.clock_id).state == Clock.State.RUNNING
    assert handler_a.inbox_messages.filter(template="ratings.rectification_sent_back").exists()


def test_an_upheld_appeal_annuls(opened, handler_a, supervisor):
    r = rectification_verify(rectification=opened, reached=False, note="电话无人接听，短信告知", actor=handler_a)
    assert r.called_back is False
    with pytest.raises(ApplicationError) as error:
        rectification_classify(rectification=r, classification="appeal", note="恶意差评", actor=handler_a)
    assert error.value.code == "rectification.evidence_required"
    evidence = SimpleUploadedFile("evidence.pdf", b"%PDF-1.4 video log", content_type="application/pdf")
    r = rectification_classify(
        rectification=r,
        classification="appeal",
        note="监控显示当场办结，差评与事实不符",
        evidence=evidence,
        actor=handler_a,
    )
    assert r.state == S.APPEALED
    with pytest.raises(ApplicationError) as error:
        rectification_decide_appeal(rectification=r, upheld=True, note="同意", actor=handler_a)
    assert error.value.status == 403
    r = rectification_decide_appeal(rectification=r, upheld=True, note="经查证据充分，申诉成立", actor=supervisor)
    assert r.state == S.ANNULLED
    assert measures_check(metrics=[m.RECTIFICATIONS]) == []


def test_a_rejected_appeal_goes_back_to_classification(opened, handler_a, supervisor):
    r = rectification_verify(rectification=opened, reached=True, note="已核实", actor=handler_a)
    evidence = SimpleUploadedFile("e.pdf", b"%PDF-1.4", content_type="application/pdf")
    r = rectification_classify(
        rectification=r, classification="appeal", note="错误评价", evidence=evidence, actor=handler_a
    )
    r = rectification_decide_appeal(rectification=r, upheld=False, note="证据不足，应当整改", actor=supervisor)
    assert r.state == S.CLASSIFYING and r.classification == ""


def test_a_handler_of_another_department_cannot_act(opened, handler_b):
    with pytest.raises(ApplicationError) as error:
        rectification_verify(rectification=opened, reached=True, note="核实", actor=handler_b)
    assert error.value.status == 403
    opened.refresh_from_db()
    assert opened.state == S.VERIFYING


def test_a_wrong_step_is_refused(opened, handler_a):
    with pytest.raises(ApplicationError) as error:
        rectification_reply(rectification=opened, reply="已整改完毕", actor=handler_a)
    assert error.value.code == "rectification.invalid_transition" and error.value.status == 409


def test_the_sweep_reminds_and_reports_overdue(opened, handler_a, supervisor):
    due = opened.due_on
    day_before = due - dt.timedelta(days=1)
    while day_before.weekday() >= 5:
        day_before -= dt.timedelta(days=1)
    clocks_sweep(today=day_before)
    assert handler_a.inbox_messages.filter(template="ratings.rectification_reminder").count() == 1
    clocks_sweep(today=due + dt.timedelta(days=7))
    clocks_sweep(today=due + dt.timedelta(days=8))
    assert handler_a.inbox_messages.filter(template="ratings.rectification_overdue").count() == 1
    assert supervisor.inbox_messages.filter(template="ratings.rectification_overdue_supervisor").count() == 1
    opened.refresh_from_db()
    assert opened.overdue_notified


def test_late_revisit_is_not_on_time(opened, handler_a, monkeypatch):
    r = opened
    late = timezone.now() + dt.timedelta(days=30)
    r = rectification_verify(rectification=r, reached=True, note="已核实", actor=handler_a)
    r = rectification_classify(rectification=r, classification="explain", note="无法定依据", actor=handler_a)
    r = rectification_reply(rectification=r, reply="依法解释说明", actor=handler_a)
    monkeypatch.setattr("django.utils.timezone.now", lambda: late)
    r = rectification_revisit(rectification=r, level=3, note="表示理解", actor=handler_a)
    assert r.on_time is False


def test_the_deadline_is_five_working_days_by_default(opened):
    assert opened.clock.days == 5
