"""Each figure on the leader page opens the cases behind exactly that figure; 在办超期件 opens the
overdue list; a supervisor issues a 督办 on an overdue case and the department answers it."""

import datetime as dt
import re
from contextlib import contextmanager
from html import unescape
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from yiwang.cases import services
from yiwang.cases.drill import overdue_cases, with_lateness
from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent, InboxMessage
from yiwang.supervision.models import Notice
from yiwang.supervision.services.urging import case_urge, urge_answer
from yiwang.workdays.sweep import clocks_sweep

from ..clock import at
from ..conftest import FORM, complete_steps

pytestmark = pytest.mark.django_db
ALL = ("M01", "M02", "M03", "M04")
MARCH = {"start": "2026-03-01", "end": "2026-03-31"}
SHANGHAI = ZoneInfo("Asia/Shanghai")


@contextmanager
def on(day: dt.date, hour: int = 10):
    """Everything (services, sweep, views) runs on ``day``."""
    moment = dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)
    with mock.patch("django.utils.timezone.now", return_value=moment), at(day, hour):
        yield moment


def _accepted(citizen, person, food_item, clerk, day, **kwargs):
    received = kwargs.pop("received", ALL)
    with at(day):
        case = services.case_submit(
            actor=citizen, applicant=person, item=food_item, form_data=FORM, delivery_method="electronic"
        )
        services.case_accept(case=case, actor=clerk, received=received, **kwargs)
    return case


def _decide(case, handler, day):
    with at(day):
        services.case_assign(case=case, actor=handler)
        complete_steps(case, handler)
        services.case_decide(case=case, actor=handler, outcome="approved", reasons="符合条件")


@pytest.fixture
def march(citizen, person, food_item, clerk, handler_a):
    return build_march(citizen, person, food_item, clerk, handler_a)


def build_march(citizen, person, food_item, clerk, handler_a):
    """食品经营许可 (10 promised working days, 县市场监管局): one decided on time (4 Mar), one late
    (20 Mar, due 16 Mar), one withdrawn, two left open and overdue by the sweep of 20 March (one of
    them accepted with a deferred material)."""
    on_time = _accepted(citizen, person, food_item, clerk, dt.date(2026, 3, 2))
    _decide(on_time, handler_a, dt.date(2026, 3, 4))
    late = _accepted(citizen, person, food_item, clerk, dt.date(2026, 3, 2))
    _decide(late, handler_a, dt.date(2026, 3, 20))
    with at(dt.date(2026, 3, 3)):
        withdrawn = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
        services.case_withdraw(case=withdrawn, actor=citizen)
    open_late = _accepted(citizen, person, food_item, clerk, dt.date(2026, 3, 3))
    deferred = _accepted(
        citizen,
        person,
        food_item,
        clerk,
        dt.date(2026, 3, 5),
        received=("M01", "M02", "M04"),
        deferred_materials=("M03",),
    )
    clocks_sweep(today=dt.date(2026, 3, 20))
    for case in (on_time, late, open_late, deferred):
        case.refresh_from_db()
    return {"on_time": on_time, "late": late, "open_late": open_late, "deferred": deferred}


def _figure_links(html: str) -> dict[str, str]:
    return {name: unescape(href) for name, href in re.findall(r'data-figure="(\w+)" href="([^"]+)"', html)}


def test_it_lists_exactly_the_cases_each_figure_counts(client, leader, march):
    client.force_login(leader)
    page = client.get("/cases/leader/", MARCH)
    m = page.context["m"]
    links = _figure_links(page.content.decode())
    expected = {
        "submitted": m.submitted,
        "on_time": m.decided,
        "avg_workdays": m.decided,
        "late": m.decided - m.on_time,
        "fully_online": m.fully_online,
        "zero_visit": m.zero_visit,
        "deferred": m.deferred,
        "pledged": m.pledges,
        "open_overdue": m.open_overdue,
        "opening": m.opening["completed"],
    }
    assert set(links) == set(expected)
    # the hand-counted figures of the fixture
    assert (m.submitted, m.decided, m.on_time, m.deferred, m.open_overdue) == (5, 2, 1, 1, 2)
    for name, figure in expected.items():
        listed = client.get(links[name])
        assert listed.status_code == 200, name
        assert listed.context["total"] == figure, name
        assert len(listed.context["page"].object_list) == figure, name


def test_it_lists_the_late_case_first_and_says_the_unit(client, leader, march):
    client.force_login(leader)
    listed = client.get("/cases/leader/rows/", {"metric": "cases.decided", "field": "count", **MARCH})
    rows = list(listed.context["page"].object_list)
    assert [c.number for c in rows] == [march["late"].number, march["on_time"].number]
    text = listed.content.decode()
    assert "计数单位：部门办件" in text and "超期</span>" in text
    late_only = client.get(
        "/cases/leader/rows/", {"metric": "cases.decided", "field": "on_time", "negate": "1", **MARCH}
    )
    assert [c.number for c in late_only.context["page"].object_list] == [march["late"].number]


def test_the_leader_page_names_units_and_denominators(client, leader, march):
    client.force_login(leader)
    text = client.get("/cases/leader/", MARCH).content.decode()
    assert "1 ÷ 2 件部门办件（一件事按各部门子件计）" in text
    assert "单位：申请（一件事计 1 件，不含部门子件）" in text
    assert "0 ÷ 5 件申请" in text or "÷ 5 件申请" in text
    assert "单位：部门办件，当前在办且已过承诺时限" in text


def test_the_lists_are_filtered_by_period_department_and_state(client, leader, march, dept_b):
    client.force_login(leader)
    april = client.get("/cases/leader/rows/", {"metric": "cases.applied", "start": "2026-04-01", "end": "2026-04-30"})
    assert april.context["total"] == 0
    other = client.get("/cases/leader/rows/", {"metric": "cases.applied", "department": dept_b.pk, **MARCH})
    assert other.context["total"] == 0
    withdrawn = client.get("/cases/leader/rows/", {"metric": "cases.applied", "state": "withdrawn", **MARCH})
    assert withdrawn.context["total"] == 1
    bad = client.get("/cases/leader/rows/", {"metric": "cases.applied", "state": "nonsense", **MARCH})
    assert bad.status_code == 400
    unknown = client.get("/cases/leader/rows/", {"metric": "cases.decided", "field": "workdays_sum", **MARCH})
    assert unknown.status_code == 400


def test_a_handler_sees_only_the_cases_of_their_department(client, handler_a, handler_b, citizen, march):
    client.force_login(handler_b)
    assert client.get("/cases/leader/rows/", {"metric": "cases.applied", **MARCH}).context["total"] == 0
    assert client.get("/cases/leader/overdue/").context["total"] == 0
    client.force_login(handler_a)
    assert client.get("/cases/leader/rows/", {"metric": "cases.applied", **MARCH}).context["total"] == 5
    assert client.get("/cases/leader/overdue/").context["total"] == 2
    client.force_login(citizen)
    assert client.get("/cases/leader/overdue/").status_code == 403


def test_the_overdue_list_says_how_many_working_days_late_most_late_first(leader, march):
    rows = with_lateness(overdue_cases(leader), today=dt.date(2026, 3, 20))
    # accepted Tue 3 Mar: 10 working days → due Tue 17 Mar, 3 working days late on Fri 20 Mar;
    # accepted Thu 5 Mar → due Thu 19 Mar, 1 working day late.
    assert [(r.case.number, r.case.clock.due_on, r.late_workdays) for r in rows] == [
        (march["open_late"].number, dt.date(2026, 3, 17), 3),
        (march["deferred"].number, dt.date(2026, 3, 19), 1),
    ]


def test_the_overdue_list_filters_by_department(client, leader, march, dept_a, dept_b):
    client.force_login(leader)
    assert client.get("/cases/leader/overdue/", {"department": dept_a.pk}).context["total"] == 2
    assert client.get("/cases/leader/overdue/", {"department": dept_b.pk}).context["total"] == 0
    assert client.get("/cases/leader/overdue/", {"department": "x"}).status_code == 400


# --- 督办 -------------------------------------------------------------------------------------------


def test_a_supervisor_urges_an_overdue_case_and_the_department_answers_on_time(client, supervisor, handler_a, march):
    case = march["open_late"]
    with on(dt.date(2026, 3, 20)):
        notice = case_urge(case=case, actor=supervisor, text="请说明超期原因并于3日内办结。", days=3)
        again = case_urge(case=case, actor=supervisor, text="重复提交", days=3)
    assert again.pk == notice.pk and Notice.objects.filter(case=case).count() == 1
    notice.refresh_from_db()
    assert notice.department_id == case.department_id and notice.answer_state == "awaiting"
    assert notice.clock.due_on == dt.date(2026, 3, 25)  # Fri + 3 working days
    assert notice.number.startswith("DB2026-")
    assert InboxMessage.objects.filter(user=handler_a, key=f"supervision:urge:{notice.pk}").exists()
    assert AuditEvent.objects.filter(action="supervision.urge_issued", object_id=str(notice.pk)).exists()

    # the handler sees it on the case and above the queue
    client.force_login(handler_a)
    with on(dt.date(2026, 3, 23)):
        item = client.get(f"/cases/handling/case/{case.number}/").content.decode()
        queue = client.get("/cases/handling/").content.decode()
        assert notice.number in item and "请说明超期原因" in item
        assert "件督办待答复" in queue
        response = client.post(f"/supervision/urges/{notice.pk}/", {"answer": "材料已补齐，3月24日作出决定。"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.answer_state == "answered" and notice.answered_on_time is True
    assert notice.answered_by == handler_a and notice.clock.state == "stopped"
    assert AuditEvent.objects.filter(action="supervision.urge_answered", object_id=str(notice.pk)).exists()
    assert InboxMessage.objects.filter(user=supervisor, key=f"supervision:urge:{notice.pk}:answered").exists()


def test_an_unanswered_urge_turns_overdue_in_the_sweep_and_a_late_answer_is_marked_late(supervisor, handler_a, march):
    with on(dt.date(2026, 3, 20)):
        notice = case_urge(case=march["deferred"], actor=supervisor, days=1)
    clocks_sweep(today=dt.date(2026, 3, 23))  # due Mon 23 Mar: due, not yet overdue
    notice.refresh_from_db()
    assert notice.overdue is False
    clocks_sweep(today=dt.date(2026, 3, 24))
    notice.refresh_from_db()
    assert notice.overdue is True and notice.answer_state == "awaiting"
    assert AuditEvent.objects.filter(action="supervision.urge_overdue", object_id=str(notice.pk)).count() == 1
    clocks_sweep(today=dt.date(2026, 3, 25))
    assert AuditEvent.objects.filter(action="supervision.urge_overdue", object_id=str(notice.pk)).count() == 1
    with on(dt.date(2026, 3, 25)):
        urge_answer(notice=notice, actor=handler_a, answer="已补正材料，正在审查。")
    notice.refresh_from_db()
    assert notice.answer_state == "answered" and notice.answered_on_time is False


def test_an_urge_is_refused_on_a_case_that_is_not_overdue(supervisor, march):
    with on(dt.date(2026, 3, 20)), pytest.raises(ApplicationError) as error:
        case_urge(case=march["on_time"], actor=supervisor)
    assert error.value.code == "supervision.not_overdue"
    assert not Notice.objects.exists()


def test_only_a_supervisor_urges_and_only_the_department_answers_once(
    client, leader, handler_a, handler_b, supervisor, march
):
    with on(dt.date(2026, 3, 20)):
        for actor in (leader, handler_a):
            with pytest.raises(ApplicationError) as error:
                case_urge(case=march["open_late"], actor=actor)
            assert error.value.code == "supervision.forbidden"
        with pytest.raises(ApplicationError) as error:
            case_urge(case=march["open_late"], actor=supervisor, days=0)
        assert error.value.code == "supervision.urge_days"
        assert not Notice.objects.exists()
        notice = case_urge(case=march["open_late"], actor=supervisor)
        with pytest.raises(ApplicationError) as error:
            urge_answer(notice=notice, actor=handler_b, answer="不是我们的件")
        assert error.value.code == "supervision.forbidden"
        with pytest.raises(ApplicationError) as error:
            urge_answer(notice=notice, actor=handler_a, answer="   ")
        assert error.value.code == "supervision.answer_text"
        urge_answer(notice=notice, actor=handler_a, answer="已办结。")
        with pytest.raises(ApplicationError) as error:
            urge_answer(notice=notice, actor=handler_a, answer="再答一次")
        assert error.value.code == "supervision.urge_answered"
    notice.refresh_from_db()
    assert notice.answer == "已办结。"
    # another department cannot even open it
    client.force_login(handler_b)
    assert client.get(f"/supervision/urges/{notice.pk}/").status_code == 404


def test_the_overdue_page_issues_a_urge_for_a_supervisor(client, supervisor, leader, march):
    client.force_login(leader)
    page = client.get("/cases/leader/overdue/").content.decode()
    assert "督办</button>" not in page  # a leader reads; the office urges
    client.force_login(supervisor)
    with on(dt.date(2026, 3, 20)):
        page = client.get("/cases/leader/overdue/").content.decode()
        assert page.count("督办</button>") == 2
        assert "督办答复时限默认 3 个工作日" in page and "县级默认值" in page  # the plan gives no number
        response = client.post(
            f"/supervision/urge/case/{march['open_late'].number}/",
            {"days": "2", "text": "请两日内办结", "next": "/cases/leader/overdue/"},
        )
        assert response.status_code == 302 and response["Location"] == "/cases/leader/overdue/"
        bad = client.post(f"/supervision/urge/case/{march['on_time'].number}/", {"days": "2"}, follow=True)
        assert "不是在办超期件" in bad.content.decode()
        page = client.get("/cases/leader/overdue/").content.decode()
    notice = Notice.objects.get()
    assert notice.case == march["open_late"] and notice.answer_days == 2 and notice.text == "请两日内办结"
    assert f'{notice.number}</a> <span class="badge text-bg-primary">待答复</span>' in page
    assert page.count("督办</button>") == 1


def test_an_indicator_measured_from_cases_opens_the_cases_it_was_measured_from(client, leader, march, dept_a):
    from yiwang.supervision.services.indicators import indicators_load

    indicators_load()
    client.force_login(leader)
    drill = client.get("/supervision/indicators/cases-on-time/drill/", {"year": "2026", "quarter": "1"})
    assert drill.status_code == 200
    rows = drill.context["rows"]
    assert [(r["count"], round(r["value"], 1)) for r in rows] == [(2, 50.0)]
    listed = client.get(drill.context["rows_url"])
    assert listed.context["total"] == drill.context["total"] == 2
    by_department = client.get(rows[0]["rows_url"])
    assert by_department.context["total"] == 2 and by_department.context["department"] == dept_a


def test_each_department_row_opens_its_decided_and_late_cases(client, leader, march, dept_a):
    client.force_login(leader)
    page = client.get("/cases/leader/", MARCH)
    (row,) = page.context["m"].by_department
    assert (row["department_id"], row["decided"], row["late"]) == (dept_a.pk, 2, 1)
    html = unescape(page.content.decode())
    decided = re.search(rf'href="([^"]+department={dept_a.pk}[^"]*)">2</a>', html).group(1)
    late = re.search(rf'href="([^"]+negate=1&department={dept_a.pk}[^"]*)">超期 1 件</a>', html).group(1)
    assert client.get(decided).context["total"] == 2
    assert client.get(late).context["total"] == 1


def test_the_opening_figure_lists_the_opening_bundles_longest_first(
    client, leader, enterprise_user, company, opening_bundle, clerk, handler_a, handler_b
):
    from .test_leader_figures import _opening

    for decided in (dt.date(2026, 3, 2), dt.date(2026, 3, 4), dt.date(2026, 3, 3)):
        _opening(
            dt.date(2026, 3, 2),
            decided,
            enterprise_user=enterprise_user,
            company=company,
            opening_bundle=opening_bundle,
            clerk=clerk,
            handlers=(handler_a, handler_b),
        )
    client.force_login(leader)
    page = client.get("/cases/leader/", MARCH)
    link = _figure_links(page.content.decode())["opening"]
    listed = client.get(link)
    assert listed.context["total"] == page.context["m"].opening["completed"] == 3
    assert [c.elapsed_workdays for c in listed.context["page"].object_list] == [2, 1, 0]


def test_the_urge_routes_for_each_role(client, march, supervisor, leader, handler_a, handler_b, clerk, citizen):
    """The access-matrix rows of ``supervision/urge…`` (declared in yiwang/supervision/tests/test_access.py)."""
    case = march["open_late"]
    with on(dt.date(2026, 3, 20)):
        notice = case_urge(case=case, actor=supervisor)

    def status(user, method, url, data=None):
        client.logout()
        if user is not None:
            client.force_login(user)
        return (client.get(url) if method == "GET" else client.post(url, data or {})).status_code

    roles = (None, citizen, clerk, handler_a, handler_b, leader, supervisor)
    detail = f"/supervision/urges/{notice.pk}/"
    assert [status(u, "GET", detail) for u in roles] == [302, 403, 403, 200, 404, 200, 200]
    urge_case_url = f"/supervision/urge/case/{march['deferred'].number}/"
    assert [status(u, "POST", urge_case_url, {"days": "2"}) for u in roles[:-1]] == [302, 403, 403, 403, 403, 403]
    assert not Notice.objects.filter(case=march["deferred"]).exists()
    assert status(supervisor, "POST", urge_case_url, {"days": "2"}) == 302
    assert Notice.objects.filter(case=march["deferred"]).count() == 1
    urge_appeal_url = "/supervision/urge/appeal/YW000000NONE/"
    assert [status(u, "POST", urge_appeal_url) for u in roles] == [302, 403, 403, 403, 403, 403, 404]
    # only the addressed department answers
    assert status(handler_b, "POST", detail, {"answer": "不是本部门"}) == 404
    assert status(leader, "POST", detail, {"answer": "领导代答"}) == 200  # the page, with the refusal
    notice.refresh_from_db()
    assert notice.answer_state == "awaiting"
    assert status(handler_a, "POST", detail, {"answer": "已办结"}) == 302
    notice.refresh_from_db()
    assert notice.answer_state == "answered" and notice.answered_by == handler_a
