"""bench/generate.py: copies of the database's own appeals, consistent with the services' rules."""

import io
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from yiwang.core.models import AuditEvent
from yiwang.hotline import services
from yiwang.hotline.models import OPEN_STATES, Appeal, Dispatch, Reply, Revisit
from yiwang.hotline.selectors import similar_open_appeals_for
from yiwang.hotline.similar import CANDIDATE_STATES
from yiwang.hotline.tests.conftest import categories, make_appeal, operator  # noqa: F401 (fixtures)
from yiwang.hotline.tests.selectors.test_similar_appeals import rule_for_every_appeal

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
import generate  # noqa: E402

ROAD = ("村道坑洼", "营头镇{n}组的村道坑洼不平，下雨积水，车辆无法通行，请尽快修补路面。")


@pytest.fixture
def history(transactional_db, make_appeal, operator, dept_a, handler_a, categories):  # noqa: F811
    """Three appeals replied and revisited (closed) and one still waiting for dispatch, written through the services."""
    for n in range(3):
        appeal = make_appeal(title=ROAD[0], content=ROAD[1].format(n=n + 1), category=categories["roads"])
        services.appeal_dispatch(appeal=appeal, department=dept_a, actor=operator)
        services.appeal_sign_off(appeal=appeal, actor=handler_a)
        services.appeal_reply(appeal=appeal, content="已安排施工队修补坑洼路段并清理积水，感谢反映。", actor=handler_a)
        services.appeal_revisit(appeal=appeal, resolved=True, satisfaction=5, actor=operator)
    return make_appeal(title="路灯不亮", content="营头镇街道路灯不亮，夜间出行不便。", category=categories["roads"])


def test_the_generated_history_passes_measures_check_and_audit_verify(history):
    summary = generate.main(["--cases", "0", "--appeals", "30", "--weeks", "20", "--live-share", "0", "--quiet"])

    copies = Appeal.objects.filter(code__startswith="G")
    # 3 finished templates a round (the open one only in unshifted rounds, and there are none): 10 rounds
    assert summary["rounds"] == 10 and copies.count() == 30
    assert not copies.filter(state__in=OPEN_STATES).exists()
    assert Dispatch.objects.filter(appeal__in=copies).count() == 30
    templates = {a.content: a.received_at for a in Appeal.objects.exclude(code__startswith="G")}
    for appeal in copies.prefetch_related("dispatches", "replies"):
        (dispatch,) = appeal.dispatches.all()
        (reply,) = appeal.replies.all()
        assert appeal.received_at <= dispatch.dispatched_at <= dispatch.signed_off_at <= reply.replied_at
        shift = templates[appeal.content] - appeal.received_at
        assert shift.days > 0 and shift.days % 7 == 0 and shift.seconds == 0  # whole weeks back
    assert Reply.objects.filter(appeal__in=copies).count() == 30
    assert Revisit.objects.filter(appeal__in=copies).count() == 30

    out = io.StringIO()
    call_command("measures", "check", stdout=out)
    assert "统计核对一致" in out.getvalue()
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "审计链校验通过" in out.getvalue()
    assert AuditEvent.objects.filter(action="bench.generated").count() == 1

    # a top-up copies the same templates again, never the copies: 3 a round, so 10 more rounds for 30 more
    # appeals (were the 30 copies templates too, one round of 33 would do); the bound is recorded once
    again = generate.main(["--cases", "0", "--appeals", "30", "--weeks", "20", "--live-share", "0", "--quiet"])
    assert again["templates"]["hotline.Appeal"] == 4 and again["rounds"] == 10
    assert Appeal.objects.filter(code__startswith="G").count() == 60
    assert AuditEvent.objects.filter(action="bench.templates").count() == 1


def test_the_generated_open_appeals_have_their_similar_pairs_stored(history, capsys):
    summary = generate.main(["--cases", "0", "--appeals", "12", "--weeks", "4", "--live-share", "1"])

    open_copies = list(Appeal.objects.filter(code__startswith="G", state__in=CANDIDATE_STATES))
    assert open_copies and summary["similar_marked"] >= len(open_copies)
    assert not Appeal.objects.filter(state__in=CANDIDATE_STATES, similar_at__isnull=True).exists()
    assert "相似诉求" in capsys.readouterr().out
    everyone = list(Appeal.objects.filter(state__in=CANDIDATE_STATES))
    found = similar_open_appeals_for(everyone)
    assert any(found.values())  # the copies of one open template, same place and text
    for appeal in everyone:
        assert [(s.appeal.code, s.score) for s in found[appeal.pk]] == rule_for_every_appeal(appeal)
