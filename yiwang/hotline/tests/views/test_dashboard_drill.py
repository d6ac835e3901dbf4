"""Each figure of the 接诉即办 dashboard opens the replies or revisits behind it; 在办超期诉求 opens the
overdue list; a supervisor issues a 督办 on an overdue appeal and its lead department answers it."""

import datetime as dt
import re
from html import unescape

import pytest
from django.utils import timezone

from yiwang.core.errors import ApplicationError
from yiwang.core.models import InboxMessage
from yiwang.hotline import services
from yiwang.hotline.drill import overdue_appeals, with_lateness
from yiwang.supervision.models import Notice
from yiwang.supervision.services.urging import appeal_urge, urge_answer
from yiwang.workdays.sweep import clocks_sweep

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2026, 3, 2)
MARCH = {"start": "2026-03", "end": "2026-03"}


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def march(make_appeal, operator, dept_a, dept_b, handler_a, handler_b, travel):
    """Three appeals dispatched Mon 2 Mar (general: reply within 5 working days, due 9 Mar):
    A1 replied on time, resolved and satisfied; A2 replied late (11 Mar), unresolved, dissatisfied
    (重办); B1 signed off by department B and never replied — overdue in the sweep of 12 March."""
    with travel.to(_at(MONDAY)):
        a1 = services.appeal_dispatch(appeal=make_appeal(title="路灯不亮"), department=dept_a, actor=operator)
        services.appeal_sign_off(appeal=a1, actor=handler_a)
        services.appeal_reply(appeal=a1, content="已更换灯泡，路灯恢复照明，感谢反映。", actor=handler_a)
        services.appeal_revisit(appeal=a1, resolved=True, satisfaction=5, actor=operator)
        a2 = services.appeal_dispatch(appeal=make_appeal(title="下水道堵塞"), department=dept_a, actor=operator)
        services.appeal_sign_off(appeal=a2, actor=handler_a)
        b1 = services.appeal_dispatch(appeal=make_appeal(title="夜间施工噪音"), department=dept_b, actor=operator)
        services.appeal_sign_off(appeal=b1, actor=handler_b)
    with travel.to(_at(dt.date(2026, 3, 11))):
        services.appeal_reply(appeal=a2, content="已疏通一段，其余需协调施工队伍。", actor=handler_a)
        services.appeal_revisit(appeal=a2, resolved=False, satisfaction=1, within_power=True, actor=operator)
    clocks_sweep(today=dt.date(2026, 3, 12))
    return {"a1": a1, "a2": a2, "b1": b1}


def _links(html: str) -> dict[str, str]:
    return {name: unescape(href) for name, href in re.findall(r'data-figure="(\w+)" href="([^"]+)"', html)}


def test_each_figure_lists_exactly_its_rows(client, leader, march, travel):
    client.force_login(leader)
    with travel.to(_at(dt.date(2026, 3, 12))):
        page = client.get("/hotline/staff/dashboard/", MARCH)
        total = page.context["report"].total
        links = _links(page.content.decode())
        assert set(links) == {"resolution", "satisfaction", "on_time", "overdue"}
        expected = {
            "resolution": total.revisited,
            "satisfaction": total.revisited,
            "on_time": total.replies,
            "overdue": overdue_appeals(leader).count(),
        }
        assert (total.revisited, total.replies, total.replies_on_time, expected["overdue"]) == (2, 2, 1, 1)
        for name, figure in expected.items():
            listed = client.get(links[name])
            assert listed.status_code == 200, name
            assert listed.context["total"] == figure == len(listed.context["page"].object_list), name
        late = client.get(
            "/hotline/staff/dashboard/rows/", {"metric": "hotline.replies", "field": "on_time", "negate": "1", **MARCH}
        )
        assert [r.appeal.code for r in late.context["page"].object_list] == [march["a2"].code]
        assert late.context["total"] == total.replies - total.replies_on_time
        replies = client.get("/hotline/staff/dashboard/rows/", {"metric": "hotline.replies", **MARCH})
        assert [r.appeal.code for r in replies.context["page"].object_list] == [march["a2"].code, march["a1"].code]
        text = page.content.decode()
    assert "1 ÷ 2 次部门答复" in text and "次回访" in text and "单位：诉求（按主办部门）" in text


def test_a_department_sees_only_its_own_rows(client, handler_a, handler_b, march, travel, dept_a):
    with travel.to(_at(dt.date(2026, 3, 12))):
        client.force_login(handler_b)
        assert (
            client.get("/hotline/staff/dashboard/rows/", {"metric": "hotline.replies", **MARCH}).context["total"] == 0
        )
        assert client.get("/hotline/staff/overdue/").context["total"] == 1
        client.force_login(handler_a)
        assert (
            client.get("/hotline/staff/dashboard/rows/", {"metric": "hotline.replies", **MARCH}).context["total"] == 2
        )
        assert client.get("/hotline/staff/overdue/").context["total"] == 0
        bad = client.get("/hotline/staff/dashboard/rows/", {"metric": "hotline.dispatched", **MARCH})
        assert bad.status_code == 400


def test_the_overdue_list_says_how_late_and_filters_by_department(client, leader, march, travel, dept_a, dept_b):
    rows = with_lateness(overdue_appeals(leader), today=dt.date(2026, 3, 12))
    assert [(r.appeal.code, r.appeal.due_day, r.late_workdays) for r in rows] == [
        (march["b1"].code, dt.date(2026, 3, 9), 3)
    ]
    client.force_login(leader)
    with travel.to(_at(dt.date(2026, 3, 12))):
        assert client.get("/hotline/staff/overdue/", {"department": dept_b.pk}).context["total"] == 1
        assert client.get("/hotline/staff/overdue/", {"department": dept_a.pk}).context["total"] == 0


def test_a_supervisor_urges_an_overdue_appeal_and_its_department_answers(
    client, supervisor, handler_a, handler_b, march, travel
):
    b1 = march["b1"]
    with travel.to(_at(dt.date(2026, 3, 12))):
        with pytest.raises(ApplicationError) as error:
            appeal_urge(appeal=march["a1"], actor=supervisor)
        assert error.value.code == "supervision.not_overdue"
        client.force_login(supervisor)
        page = client.get("/hotline/staff/overdue/").content.decode()
        assert page.count("督办</button>") == 1
        client.post(f"/supervision/urge/appeal/{b1.code}/", {"days": "2", "text": "请两日内答复群众。"})
        client.post(f"/supervision/urge/appeal/{b1.code}/", {"days": "2", "text": "重复点击"})
    notice = Notice.objects.get()
    assert notice.appeal == b1 and notice.department == b1.lead_department and notice.text == "请两日内答复群众。"
    assert InboxMessage.objects.filter(user=handler_b, key=f"supervision:urge:{notice.pk}").exists()
    with travel.to(_at(dt.date(2026, 3, 13))):
        client.force_login(handler_b)
        item = client.get(f"/hotline/staff/appeals/{b1.code}/").content.decode()
        assert notice.number in item
        assert "件督办待答复" in client.get("/hotline/staff/queue/").content.decode()
        with pytest.raises(ApplicationError) as error:
            urge_answer(notice=notice, actor=handler_a, answer="不是本部门")
        assert error.value.code == "supervision.forbidden"
        client.post(f"/supervision/urges/{notice.pk}/", {"answer": "已约谈施工单位，夜间停工。"})
    notice.refresh_from_db()
    assert notice.answer_state == "answered" and notice.answered_on_time is True
