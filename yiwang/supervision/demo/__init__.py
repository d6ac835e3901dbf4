"""Meixian demo for ``supervision``: the seed plan imported from its own text, a year of following it.

Runs last (after every other module's seed). It:

1. imports ``seed/meixian-2021-business-environment-plan.txt`` from the shared folder (when it is
   absent the demo says so and skips everything that hangs on the plan);
2. loads the 18 indicators and enters, with evidence, the quarterly values of those Yiwang cannot
   measure (the rest are read from the other modules' roll-ups);
3. plays the last twelve months through the services: the supervision office sets quarterly
   milestones, lead departments report progress (most on time, some late, some not at all), overdue
   milestones get their 督办单 and the long-overdue ones are escalated, finished tasks are closed;
4. keeps an arrears ledger (清欠台账) with items cleared and open, and special-governance items.

Idempotent: a second run finds the plan unchanged and the history present and does nothing.
Lead departments without a demo account get one liaison officer (督办联络员) each, named below.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from yiwang.org.models import Department, Membership, Role, User
from yiwang.workdays.selectors import add_workdays

PLAN_FILE = "meixian-2021-business-environment-plan.txt"
OFFICE_USERNAME = "gaojie"
# Illustrative liaison officers for lead departments that have no demo account.
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = ["建华", "丽娟", "志刚", "海燕", "晓东", "春梅", "国强", "秀英", "文博", "红霞", "永峰", "静怡", "振华", "亚楠"]

QUARTER_STEPS = ["制定工作方案并明确责任人", "完成主要改革举措并报送阶段总结", "完成年度任务并报送成效材料"]
REPORT_TEXTS = [
    "已召开专题推进会，细化任务清单，明确责任股室和完成时限。",
    "已完成与市级平台的系统对接，正在组织窗口人员业务培训。",
    "本月办理相关业务{n}件，群众反映良好，已梳理存在问题{m}条并逐项整改。",
    "已赴槐芽镇、汤峪镇便民服务中心实地督导，推动措施向镇村延伸。",
    "结合猕猴桃产业企业需求，开展政策宣传和上门服务，走访企业{m}家。",
    "已形成阶段性总结，相关制度文件已印发执行。",
]
ARREARS = [
    ("县城区道路提升改造工程款", "眉县秦岭路桥建设有限公司", 1_280_000, "housing-construction", True),
    ("政务服务中心智能化改造尾款", "陕西云端信息科技有限公司", 356_000, "admin-approval", True),
    ("猕猴桃冷链仓储补助资金", "眉县金渠果业专业合作社", 180_000, "agriculture-rural", True),
    ("便民服务站办公设备采购款", "眉县首善办公用品有限公司", 92_500, "shoushan-subdistrict", False),
    ("汤峪镇污水管网工程进度款", "宝鸡渭水市政工程有限公司", 2_150_000, "housing-construction", False),
    ("乡村道路养护费用", "眉县通达公路养护有限公司", 468_000, "transport", True),
    ("卫生院医疗设备采购款", "陕西康泰医疗器械有限公司", 275_800, "health", True),
    ("红河谷景区标识标牌制作费", "眉县华彩广告装饰有限公司", 38_600, "culture-tourism", True),
    ("农村饮水安全工程质保金", "眉县清源水务工程有限公司", 512_000, "water-resources", False),
    ("防汛物资采购款", "眉县安达商贸有限公司", 64_300, "water-resources", True),
]
GOVERNANCE = [
    ("转供电环节加价清理（县经开区两处商业综合体）", "转供电加价", "market-regulation", True),
    ("违规设置行政审批前置条件清理", "违规设置审批前置条件", "justice", True),
    ("医院就诊卡预付款余额退还", "就诊卡预付款退还", "health", False),
    ("政府承诺不兑现问题排查（招商引资协议）", "政务失信", "development-reform", False),
    ("“新官不理旧账”问题专项治理", "政务失信", "commerce-industry-it", True),
]
# Entered values: (sub-measure code, start, step per quarter, evidence).
ENTERED = {
    "opening-procedures": (4, -1, "县行政审批服务局企业开办专区流程图（一表填报、一窗发放）"),
    "opening-cost": (0.6, -0.2, "刻章、税控设备费用由财政承担，按人均可支配收入折算"),
    "opening-min-capital": (0, 0, "《公司法》实行认缴制，无实缴最低资本要求"),
    "labour-wage-arrears-cleared": (88, 3, "县人社局劳动保障监察大队季度报表"),
    "labour-dispute-days": (42, -4, "县劳动人事争议仲裁院结案统计"),
    "procurement-electronic": (61, 6, "陕西省政府采购电子卖场交易记录"),
    "procurement-payment-days": (28, -3, "县财政局国库集中支付台账"),
    "bidding-electronic": (72, 6, "宝鸡市公共资源交易中心眉县分中心统计"),
    "bidding-complaint-days": (18, -2, "县发改局招投标投诉处理登记簿"),
    "property-days": (10, -2, "县不动产登记中心月报"),
    "property-online": (55, 8, "县不动产登记中心“互联网+不动产登记”统计"),
    "credit-first-loan": (8, 2, "人民银行眉县支行小微企业首贷统计"),
    "investor-protection-index": (5.5, 0.5, "县法院商事审判工作报告"),
    "ip-patents-per-10k": (2.1, 0.2, "宝鸡市知识产权局统计公报"),
    "ip-pledge-amount": (600, 250, "县市场监管局知识产权质押登记台账"),
    "trade-export-hours": (52, -6, "县商务和工业信息化局外贸企业调查"),
    "tax-hours": (150, -10, "国家税务总局眉县税务局纳税服务统计"),
    "tax-online": (86, 3, "电子税务局业务量统计"),
    "contract-days": (420, -25, "县法院审判管理系统"),
    "insolvency-recovery": (32, 4, "县法院破产案件管理人报告"),
    "high-tech-enterprises": (11, 1, "县科技局高新技术企业认定名单"),
}


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def _liaison(department: Department, seq: int) -> User:
    """The department's handler: an existing demo account, else one illustrative liaison officer."""
    member = (
        Membership.objects.filter(department=department, role=Role.HANDLER, user__is_active=True)
        .select_related("user")
        .first()
    )
    if member is not None:
        return member.user
    username = f"duban-{department.code}"[:150]
    user = User.objects.filter(username=username).first()
    if user is None:
        name = SURNAMES[seq % len(SURNAMES)] + GIVEN[(seq * 7) % len(GIVEN)]
        user = User.objects.create_user(username=username, display_name=name, password=None)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        Membership.objects.create(user=user, role=Role.HANDLER, department=department)
    return user


def seed(*, stdout=None) -> None:
    from ..models import LedgerItem, ProgressReport
    from ..services.indicators import indicators_load
    from ..services.plan import plan_import

    started = time.monotonic()
    office = User.objects.filter(username=OFFICE_USERNAME, is_active=True).first()
    if office is None:
        _say(stdout, "督查督办：未找到督查室演示账号（gaojie），请先运行组织机构演示数据；跳过")
        return
    _urges(office, stdout)
    path = settings.SHARED_DIR / "seed" / PLAN_FILE
    indicators_load()
    if not path.exists():
        _say(stdout, f"督查督办：未找到实施方案 {path}，跳过方案导入与督办演示数据（指标已载入）")
        return
    result = plan_import(text=path.read_text(encoding="utf-8"), actor=office, source_name=PLAN_FILE)
    plan = result.plan
    if ProgressReport.objects.filter(task__plan=plan).exists() and LedgerItem.objects.exists():
        _say(stdout, "督查督办：方案与督办记录已存在，未作修改")
        return
    rng = random.Random(2021)
    today = timezone.localdate()
    with transaction.atomic():
        _history(plan, office, rng, today)
        _indicator_values(office, today)
        _ledgers(office, rng, today)
    _say(
        stdout,
        f"督查督办：已导入{plan.title}（{plan.tasks.count()}项任务），一年的进展、督办单、指标填报和清欠台账"
        f"（{time.monotonic() - started:.1f} 秒）",
    )


def _history(plan, office, rng: random.Random, today: dt.date) -> None:
    """A year of following the plan, written in bulk (a few statements per table) with one audit
    event per change (``audit_record_many``) and the milestone roll-up rebuilt from the rows."""
    from django.contrib.contenttypes.models import ContentType

    from yiwang.core.audit import AuditEntry, audit_record_many
    from yiwang.core.notify import ToDepartment, ToRegionQueue, notify
    from yiwang.measures.services import measures_rebuild
    from yiwang.workdays.deadlines import clock_status, warning_ratio
    from yiwang.workdays.models import Clock

    from ..measures import MILESTONES
    from ..models import Milestone, Notice, PlanTask, ProgressReport, TaskDepartment
    from ..services.tasks import progress_report

    start = (today.replace(day=1) - dt.timedelta(days=335)).replace(day=1)  # twelve months ago
    quarter_ends = [add_workdays(start, n).due for n in (60, 125, 185)]
    tz = timezone.get_current_timezone()

    def at(day: dt.date, hour: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), tzinfo=tz)

    tasks = list(
        PlanTask.objects.filter(plan=plan, part__in=[2, 3, 4])
        .select_related("region", "area")
        .prefetch_related("assignments__department")
        .order_by("part", "area__no", "no")
    )
    liaisons: dict[int, User] = {}
    # The plan's own dated milestones (2021) were met by their departments at the time (services).
    for milestone in Milestone.objects.filter(task__plan=plan, source="plan", state="open").select_related("task"):
        lead = next(
            (a.department for a in milestone.task.assignments.all() if a.role == TaskDepartment.Role.LEAD), None
        )
        if lead is not None:
            liaisons.setdefault(lead.pk, _liaison(lead, len(liaisons)))
            progress_report(
                task=milestone.task,
                actor=liaisons[lead.pk],
                department=lead,
                text="已按方案时限完成。",
                percent_done=30,
                milestone=milestone,
                reported_at=at(milestone.due_on - dt.timedelta(days=5), 16),
            )

    ratio = warning_ratio()
    plans = []  # (task, lead, handler, fate, [(milestone, reports, done_on, late)])
    new_milestones: list[Milestone] = []
    for index, task in enumerate(tasks):
        leads = [a.department for a in task.assignments.all() if a.role == TaskDepartment.Role.LEAD]
        if not leads:
            continue
        lead = leads[0]
        if lead.pk not in liaisons:
            liaisons[lead.pk] = _liaison(lead, len(liaisons))
        # 0 on time and closed, 1 on time and still running, 2 one milestone late, 3 stalled (overdue)
        fate = 3 if index % 9 == 4 else 2 if index % 7 == 3 else 0 if index % 3 == 0 else 1
        steps = []
        for i in range(3 if fate != 1 else 2):
            due = quarter_ends[i]
            milestone = Milestone(task=task, title=QUARTER_STEPS[i], due_on=due, source="office", set_by=office)
            stalled = fate == 3 and i >= 1
            late = fate == 2 and i == 1
            done_on = None
            if not stalled:
                done_on = (
                    due + dt.timedelta(days=rng.randint(6, 12)) if late else due - dt.timedelta(days=rng.randint(0, 6))
                )
                if done_on > today:
                    done_on = None
            if done_on is not None:
                milestone.state, milestone.done_on = "done", done_on
            new_milestones.append(milestone)
            steps.append((milestone, stalled, late, done_on))
        plans.append((task, lead, liaisons[lead.pk], fate, steps))
    Milestone.objects.bulk_create(new_milestones)

    milestone_type = ContentType.objects.get_for_model(Milestone)
    clocks = []
    for milestone in new_milestones:
        days = max(_workdays_between(start, milestone.due_on), 0)
        clock = Clock(
            label=f"任务节点：{milestone.title}",
            started_at=at(start, 9),
            days=days,
            due_on=milestone.due_on,
            warning_ratio=ratio,
            region_code=plan.region.code,
            content_type=milestone_type,
            object_id=milestone.pk,
        )
        if milestone.state == "done":
            clock.state, clock.stopped_on = Clock.State.STOPPED, milestone.done_on
        else:
            clock.status = clock_status(clock, today)
            clock.reminded_for = milestone.due_on if milestone.due_on <= today else None
        clocks.append(clock)
    Clock.objects.bulk_create(clocks)
    for milestone, clock in zip(new_milestones, clocks, strict=True):
        milestone.clock = clock
    Milestone.objects.bulk_update(new_milestones, ["clock"])

    reports, notices, task_updates, closed = [], [], [], []
    for task, lead, handler, fate, steps in plans:
        percent = 0
        for i, (milestone, stalled, late, done_on) in enumerate(steps):
            due = milestone.due_on
            if stalled:
                for kind, day in (("reminder", due - dt.timedelta(days=4)), ("overdue", due + dt.timedelta(days=1))):
                    if day <= today:
                        notices.append(
                            Notice(
                                kind=kind,
                                task=task,
                                milestone=milestone,
                                department=lead,
                                issued_on=day,
                                text=f"节点“{milestone.title}”{'将于' if kind == 'reminder' else '已于'}{due:%Y年%m月%d日}"
                                f"{'到期，请抓紧推进。' if kind == 'reminder' else '逾期，请立即办理并书面报送。'}",
                            )
                        )
                if i == 1 and due + dt.timedelta(days=10) < today:
                    milestone.escalated = True
                    notices.append(
                        Notice(
                            kind="escalation",
                            task=task,
                            milestone=milestone,
                            issued_on=due + dt.timedelta(days=9),
                            text=f"节点“{milestone.title}”逾期仍未完成，报请包抓领导协调督促。",
                        )
                    )
                continue
            if late:
                notices.append(
                    Notice(
                        kind="overdue",
                        task=task,
                        milestone=milestone,
                        department=lead,
                        issued_on=due + dt.timedelta(days=1),
                        text=f"节点“{milestone.title}”已于{due:%Y年%m月%d日}逾期，请立即办理并书面报送。",
                    )
                )
            for offset in (40, 20):
                moment = due - dt.timedelta(days=offset)
                if start < moment <= today:
                    percent = min(percent + rng.randint(8, 15), 95)
                    text = rng.choice(REPORT_TEXTS).format(n=rng.randint(30, 400), m=rng.randint(2, 12))
                    reports.append(
                        ProgressReport(
                            task=task,
                            department=lead,
                            author=handler,
                            text=text,
                            percent_done=percent,
                            reported_at=at(moment, 10),
                        )
                    )
            if done_on is not None:
                percent = min(percent + rng.randint(10, 20), 100 if i == len(steps) - 1 and fate == 0 else 95)
                reports.append(
                    ProgressReport(
                        task=task,
                        department=lead,
                        author=handler,
                        percent_done=percent,
                        text=f"{milestone.title}：已完成，材料已报督查室。",
                        reported_at=at(done_on, 15),
                    )
                )
        task.percent_done = percent
        task.state = "done" if percent == 100 else "open"
        if fate == 0 and percent == 100:
            task.state, task.closed_at, task.closed_by = "closed", at(steps[-1][3], 17), office
            task.closing_note = "经督查室核查，任务已完成，予以销号。"
            closed.append(task)
        task_updates.append(task)
    ProgressReport.objects.bulk_create(reports)
    PlanTask.objects.bulk_update(task_updates, ["percent_done", "state", "closed_at", "closed_by", "closing_note"])
    Milestone.objects.bulk_update([m for m in new_milestones if m.escalated], ["escalated"])
    for n, notice in enumerate(notices):
        notice.number = f"demo-{n}"
    Notice.objects.bulk_create(notices)
    prefixes = {"reminder": "TX", "overdue": "DB", "escalation": "SJ"}
    for notice in notices:
        notice.number = f"{prefixes[notice.kind]}{notice.issued_on:%Y}-{notice.pk:05d}"
    Notice.objects.bulk_update(notices, ["number"])

    region = plan.region.code
    audit_record_many(
        actor=office,
        action="supervision.milestone_set",
        entries=[
            AuditEntry(m, after={"title": m.title, "due_on": m.due_on.isoformat()}, region_code=region)
            for m in new_milestones
        ],
    )
    audit_record_many(
        actor=None,
        action="supervision.progress_reported",
        entries=[
            AuditEntry(
                r.task,
                after={"percent_done": r.percent_done},
                details={"report": r.pk, "department": r.department_id},
                region_code=region,
            )
            for r in reports
        ],
    )
    audit_record_many(
        actor=None,
        action="supervision.milestone_done",
        entries=[
            AuditEntry(
                m,
                before={"state": "open"},
                after={"state": "done", "done_on": m.done_on.isoformat()},
                region_code=region,
            )
            for m in new_milestones
            if m.state == "done"
        ],
    )
    audit_record_many(
        actor=None,
        action="supervision.notice_issued",
        entries=[
            AuditEntry(n, after={"number": n.number, "kind": n.kind, "task": n.task_id}, region_code=region)
            for n in notices
        ],
    )
    audit_record_many(
        actor=office,
        action="supervision.task_closed",
        entries=[
            AuditEntry(t, before={"state": "open"}, after={"state": "closed"}, region_code=region) for t in closed
        ],
    )
    for notice in notices:
        if notice.issued_on < today - dt.timedelta(days=60):
            continue  # only the recent ones are still in the inboxes
        to = (
            [ToDepartment(notice.department_id)] if notice.department_id else [ToRegionQueue(region, Role.LEADER.value)]
        )
        template = {
            "reminder": "supervision.reminder",
            "overdue": "supervision.overdue",
            "escalation": "supervision.escalated",
        }
        notify(
            to=to,
            template=template[notice.kind],
            key=f"supervision:notice:{notice.pk}",
            link=f"/supervision/tasks/{notice.task_id}/",
            context={
                "ref": notice.task.reference,
                "title": notice.task.title,
                "milestone": notice.milestone.title,
                "due_on": f"{notice.milestone.due_on:%Y年%m月%d日}",
                "number": notice.number,
            },
        )
    measures_rebuild(metrics=[MILESTONES])


def _workdays_between(start: dt.date, end: dt.date) -> int:
    from yiwang.workdays.selectors import count_workdays

    return count_workdays(start, end)


def _indicator_values(office, today: dt.date) -> None:
    from ..models import SubMeasure
    from ..services.indicators import indicator_value_enter

    measures = {m.code: m for m in SubMeasure.objects.select_related("indicator__department")}
    quarters = [(today.replace(day=1) - dt.timedelta(days=d)).replace(day=1) for d in (270, 180, 90, 0)]
    for code, spec in ENTERED.items():
        if spec is None or code not in measures:
            continue
        base, step, evidence = spec
        for q, month in enumerate(quarters):
            value = round(base + step * q, 2)
            indicator_value_enter(
                measure=measures[code],
                month=month,
                value=str(max(value, 0)),
                evidence=f"{evidence}（{month:%Y年%m月}）",
                actor=office,
            )


def _ledgers(office, rng: random.Random, today: dt.date) -> None:
    from ..models import LedgerItem
    from ..services.ledgers import ledger_clear, ledger_record, ledger_register

    if LedgerItem.objects.exists():
        return
    start = today - dt.timedelta(days=300)
    departments = {d.code: d for d in Department.objects.all()}
    fallback = departments.get("commerce-industry-it")
    for i, (title, creditor, amount, code, cleared) in enumerate(ARREARS):
        department = departments.get(code, fallback)
        registered = start + dt.timedelta(days=9 * i)
        item = ledger_register(
            kind="arrears",
            department=department,
            title=title,
            creditor=creditor,
            amount_owed=str(amount),
            due_on=registered + dt.timedelta(days=150),
            actor=office,
            registered_on=registered,
        )
        first = round(amount * rng.choice([0.3, 0.4, 0.5]), 2)
        ledger_record(
            item=item,
            actor=office,
            amount=str(first),
            note="按还款计划支付第一笔",
            on=registered + dt.timedelta(days=40),
        )
        if cleared:
            ledger_record(
                item=item,
                actor=office,
                amount=str(round(amount - first, 2)),
                note="付清余款",
                on=registered + dt.timedelta(days=110),
            )
            ledger_clear(item=item, actor=office, note="清理一项、销号一项", on=registered + dt.timedelta(days=112))
    for i, (title, category, code, cleared) in enumerate(GOVERNANCE):
        department = departments.get(code, fallback)
        registered = start + dt.timedelta(days=20 + 15 * i)
        item = ledger_register(
            kind="governance",
            department=department,
            title=title,
            category=category,
            due_on=registered + dt.timedelta(days=120),
            actor=office,
            registered_on=registered,
        )
        ledger_record(
            item=item, actor=office, note="已完成摸底排查，制定整改方案", on=registered + dt.timedelta(days=30)
        )
        if cleared:
            ledger_clear(item=item, actor=office, note="整改到位，予以销号", on=registered + dt.timedelta(days=100))


URGE_TEXTS = {
    "case": "该件已超过承诺时限，请说明超期原因，{days}个工作日内办结并书面答复督查室。",
    "appeal": "该诉求已超过答复时限，请立即联系群众办理，{days}个工作日内书面答复督查室。",
}
URGE_ANSWERS = [
    "已与申请人联系，材料已补齐，已于当日作出决定并通知领取。超期原因：现场核查排期冲突，已调整核查安排。",
    "已安排专人现场处置，问题已解决并电话答复群众，群众表示认可。",
    "超期原因为专家评审延迟，已协调评审专家，本周内完成审查并作出决定。",
]


def _workdays_back(today: dt.date, n: int) -> dt.date:
    from yiwang.workdays.selectors import is_workday

    day = today
    while n > 0:
        day -= dt.timedelta(days=1)
        if is_workday(day):
            n -= 1
    return day


def _urges(office, stdout) -> None:
    """督办 on overdue cases and appeals: answered on time, answered late, unanswered past the
    deadline (marked by the sweep's handler), and some just issued."""
    from yiwang.cases.drill import overdue_cases
    from yiwang.hotline.drill import overdue_appeals
    from yiwang.workdays.deadlines import DeadlineStatus
    from yiwang.workdays.sweep import clocks_sweep

    from ..models import Notice
    from ..services.urging import appeal_urge, case_urge, urge_answer, urge_deadline_changed

    if Notice.objects.exclude(answer_state=Notice.AnswerState.NONE).exists():
        return
    clocks_sweep(call_handlers=False)  # the stored deadline statuses the overdue lists read
    today = timezone.localdate()
    tz = timezone.get_current_timezone()

    def moment(day: dt.date, hour: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, 20), tzinfo=tz)

    start = _workdays_back(today, 7)
    # (answer after n working days | None = unanswered, days allowed, issued on start or today)
    plans = [(2, 3, start), (5, 3, start), (None, 2, start), (None, 3, today)]
    issued = []
    with transaction.atomic():
        for case, (answer_after, days, on) in zip(overdue_cases(office)[:4], plans, strict=False):
            text = URGE_TEXTS["case"].format(days=days)
            issued.append((case_urge(case=case, actor=office, text=text, days=days, at=moment(on, 9)), answer_after))
        appeal_plans = [(1, 3, start), (None, 2, start), (None, 3, today)]
        for appeal, (answer_after, days, on) in zip(overdue_appeals(office)[:3], appeal_plans, strict=False):
            text = URGE_TEXTS["appeal"].format(days=days)
            notice = appeal_urge(appeal=appeal, actor=office, text=text, days=days, at=moment(on, 10))
            issued.append((notice, answer_after))
        for seq, (notice, answer_after) in enumerate(issued):
            if answer_after is None:
                continue
            answered_on = add_workdays(notice.issued_on, answer_after).due
            urge_answer(
                notice=notice,
                actor=_liaison(notice.department, seq),
                answer=URGE_ANSWERS[seq % len(URGE_ANSWERS)],
                at=moment(min(answered_on, today), 16),
            )
        for notice, _answer_after in issued:
            notice.refresh_from_db()
            if notice.answer_state == Notice.AnswerState.AWAITING and notice.clock.due_on < today:
                urge_deadline_changed(
                    clock=notice.clock,
                    owner=notice,
                    before=notice.clock.status,
                    after=DeadlineStatus.OVERDUE,
                    today=today,
                )
    answered = sum(1 for _n, a in issued if a is not None)
    _say(stdout, f"督查督办：对在办超期办件、诉求签发督办单{len(issued)}件，已答复{answered}件（其中1件逾期答复）")
