"""Task tracking: milestones set by the office, progress by the lead department only, reminders and
督办单 through the one deadline sweep, escalation to the leader, closing only by the office."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent, InboxMessage
from yiwang.supervision.models import Milestone, Notice, PlanTask, ProgressReport, TaskState
from yiwang.supervision.selectors import milestones_overdue, notice_list, task_get, task_list
from yiwang.supervision.services.deadlines import milestones_escalate
from yiwang.supervision.services.plan import plan_import
from yiwang.supervision.services.tasks import milestone_create, progress_report, task_close
from yiwang.workdays.sweep import clocks_sweep

PLAN = """眉县2026年优化营商环境工作方案
一、思路目标
目标。
二、2026年重点工作
（一）推进一网通办。网上可办率达到60%以上。（县行政审批服务局牵头，信息中心按职责分工负责）
三、2026年特色亮点工作
1.设立窗口。（县行政审批服务局牵头）
四、2026年工作任务分工
（一）简化企业开办（包抓领导：县委常委、副县长陈尚东，牵头部门：县行政审批服务局、市场监管局）
1.推行平台。企业开办1日内办结。（县行政审批服务局牵头，县税务局等相关部门按职责分工负责）
2.深化证照分离。达到106项以上。（县市场监管局牵头，县行政审批服务局等相关部门按职责分工负责）
五、保障措施
（一）加强组织领导。各部门要加强领导。
"""

SET_ON = dt.date(2026, 3, 2)  # a Monday
DUE = dt.date(2026, 3, 20)  # a Friday


@pytest.fixture
def small_plan(office, county_leader):
    return plan_import(text=PLAN, actor=office).plan


@pytest.fixture
def platform_task(small_plan):
    return PlanTask.objects.get(
        plan=small_plan, part=4, no=1
    )  # 县行政审批服务局 leads, 县市场监管局 helps? no: 县税务局


@pytest.fixture
def reform_task(small_plan):
    return PlanTask.objects.get(plan=small_plan, part=4, no=2)  # 县市场监管局 leads, 县行政审批服务局 co-operates


def test_it_lets_the_office_set_a_milestone_and_tells_the_lead_department(platform_task, office, approval_handler):
    milestone = milestone_create(task=platform_task, title="平台上线试运行", due_on=DUE, actor=office, on=SET_ON)
    assert milestone.clock.due_on == DUE and milestone.source == "office"
    assert InboxMessage.objects.filter(user=approval_handler, template="supervision.milestone_set").exists()
    again = milestone_create(task=platform_task, title="平台上线试运行", due_on=DUE, actor=office, on=SET_ON)
    assert again == milestone and Milestone.objects.filter(task=platform_task).count() == 1
    assert AuditEvent.objects.filter(action="supervision.milestone_set").count() == 1


def test_only_the_office_sets_milestones(platform_task, approval_handler, county_leader):
    for user in (approval_handler, county_leader):
        with pytest.raises(ApplicationError) as refused:
            milestone_create(task=platform_task, title="x", due_on=DUE, actor=user, on=SET_ON)
        assert refused.value.code == "supervision.forbidden"


def test_the_lead_department_reports_progress_and_a_co_department_cannot(
    platform_task, reform_task, office, approval, market, approval_handler, market_handler
):
    milestone = milestone_create(task=platform_task, title="平台上线", due_on=DUE, actor=office, on=SET_ON)
    report = progress_report(
        task=platform_task,
        actor=approval_handler,
        department=approval,
        text="已完成系统对接。",
        percent_done=60,
        attachment=SimpleUploadedFile("对接记录.pdf", b"%PDF-1.4 test"),
        milestone=milestone,
    )
    platform_task.refresh_from_db()
    milestone.refresh_from_db()
    assert (platform_task.percent_done, platform_task.state) == (60, TaskState.OPEN)
    assert report.attachment.name.endswith(".pdf")
    assert milestone.state == "done" and milestone.clock.state == "stopped"
    assert InboxMessage.objects.filter(user=office, template="supervision.reported").exists()

    # 县行政审批服务局 only co-operates on 四（一）2; 县市场监管局 does not take part in 四（一）1.
    with pytest.raises(ApplicationError) as refused:
        progress_report(task=reform_task, actor=approval_handler, department=approval, text="配合", percent_done=10)
    assert refused.value.code == "supervision.forbidden"
    with pytest.raises(ApplicationError):
        progress_report(task=platform_task, actor=market_handler, department=approval, text="冒名", percent_done=10)
    for bad in (101, -1, "50"):
        with pytest.raises(ApplicationError) as refused:
            progress_report(task=platform_task, actor=approval_handler, department=approval, text="x", percent_done=bad)
        assert refused.value.code == "supervision.bad_percent"
    with pytest.raises(ApplicationError) as refused:
        progress_report(task=platform_task, actor=approval_handler, department=approval, text="  ", percent_done=5)
    assert refused.value.code == "supervision.report_text"
    assert ProgressReport.objects.count() == 1


def test_a_report_of_100_percent_waits_for_the_office_to_close(platform_task, office, approval, approval_handler):
    progress_report(
        task=platform_task, actor=approval_handler, department=approval, text="全部完成。", percent_done=100
    )
    platform_task.refresh_from_db()
    assert platform_task.state == TaskState.DONE
    assert InboxMessage.objects.filter(user=office, template="supervision.done").exists()
    with pytest.raises(ApplicationError) as refused:
        task_close(task=platform_task, actor=approval_handler)
    assert refused.value.code == "supervision.forbidden"
    milestone_create(task=platform_task, title="验收", due_on=DUE, actor=office, on=SET_ON)
    task_close(task=platform_task, actor=office, note="经核查已完成")
    platform_task.refresh_from_db()
    assert platform_task.state == TaskState.CLOSED and platform_task.closed_by == office
    assert not platform_task.milestones.filter(state="open").exists()
    with pytest.raises(ApplicationError) as refused:
        task_close(task=platform_task, actor=office)
    assert refused.value.code == "supervision.task_closed"
    with pytest.raises(ApplicationError):
        progress_report(task=platform_task, actor=approval_handler, department=approval, text="又报", percent_done=100)
    assert AuditEvent.objects.filter(action="supervision.task_closed", object_id=str(platform_task.pk)).count() == 1


def test_the_sweep_reminds_before_due_issues_a_notice_after_and_escalates_to_the_leader(
    platform_task, office, approval_handler, county_leader
):
    milestone = milestone_create(task=platform_task, title="平台上线", due_on=DUE, actor=office, on=SET_ON)
    clocks_sweep(today=dt.date(2026, 3, 16))  # 4 working days before: nothing yet (county default lead 3)
    assert not Notice.objects.exists()
    clocks_sweep(today=dt.date(2026, 3, 17))  # 3 working days before
    reminder = Notice.objects.get(kind="reminder")
    assert reminder.number.startswith("TX2026-") and reminder.department.code == "admin-approval"
    assert InboxMessage.objects.filter(user=approval_handler, template="supervision.reminder").exists()
    clocks_sweep(today=dt.date(2026, 3, 23))  # the Monday after the due Friday
    notice = Notice.objects.get(kind="overdue")
    assert notice.number.startswith("DB2026-") and notice.milestone == milestone
    assert InboxMessage.objects.filter(user=approval_handler, template="supervision.overdue").exists()
    clocks_sweep(today=dt.date(2026, 3, 24))
    assert Notice.objects.filter(kind="overdue").count() == 1  # idempotent
    assert list(milestones_overdue(today=dt.date(2026, 3, 24))) == [milestone]

    assert milestones_escalate(now=None)["escalated"] in (0, 1)  # real today: far after the due day
    Notice.objects.filter(kind="escalation").delete()
    Milestone.objects.filter(pk=milestone.pk).update(escalated=False)
    from django.utils import timezone

    early = timezone.make_aware(dt.datetime(2026, 3, 26, 9))  # 4 working days late: not yet (default 5)
    assert milestones_escalate(now=early) == {"escalated": 0}
    late = timezone.make_aware(dt.datetime(2026, 3, 27, 9))
    assert milestones_escalate(now=late) == {"escalated": 1}
    assert milestones_escalate(now=late) == {"escalated": 0}
    escalation = Notice.objects.get(kind="escalation")
    assert escalation.number.startswith("SJ2026-")
    # 陈尚东 leads area 四（一） and has an account: the escalation reaches him by name.
    assert InboxMessage.objects.filter(user=county_leader, template="supervision.escalated").exists()


def test_a_department_sees_only_its_own_tasks(small_plan, office, county_leader, approval_handler, market_handler):
    assert task_list(user=office).count() == 5
    assert task_list(user=county_leader).count() == 5
    mine = set(task_list(user=market_handler).values_list("title", flat=True))
    assert mine == {"深化证照分离"}
    assert set(task_list(user=approval_handler).values_list("title", flat=True)) == {
        "推进一网通办",
        "设立窗口",
        "推行平台",
        "深化证照分离",
    }
    other = PlanTask.objects.get(title="推行平台")
    from django.http import Http404

    with pytest.raises(Http404):
        task_get(user=market_handler, pk=other.pk)
    assert list(notice_list(user=market_handler)) == []
