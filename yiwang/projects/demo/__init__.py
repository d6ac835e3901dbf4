"""Meixian demo for ``projects`` (illustrative names): construction projects of every category and
stage — a kiwi processing plant in the 经开区 (社会投资), the Taibai Mountain visitor centre (政府投资),
a small low-risk warehouse (小型低风险, merged permit) and more — with stewards and their logs, monthly 企业服务日 and their
issues, area assessments of the 经开区 reused by its projects, and utility connections of every
category, some late.

Everything is made by the app's own services (and the cases services for each item), each step run
at its moment in the past months (``timezone.now`` is set to the step's time), so clocks, cases and
audit events carry their real dates. Idempotent: a project, assessment or connection that exists is
left alone.

Each case walked through the cases services costs about a second, so the demo keeps to seven
projects (every category, every stage, one late) and lets only three utility connections carry
their own approval cases; the rest of the connections show the clocks without them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from unittest import mock

from django.db import transaction
from django.utils import timezone

from yiwang.core.identifiers import make_uscc
from yiwang.org.models import Department, Membership, Region, Role, User
from yiwang.workdays.selectors import add_workdays

from .. import services
from ..catalog_items import items_publish
from ..models import AreaAssessment, ConstructionProject, ProjectStage, ServiceDay, StageItem, UtilityConnection

STAFF = {
    # username: (name, department code); a department that already has a handler keeps its own.
    "xuemei": ("薛梅", "admin-approval"),
    "tianye": ("田野", "development-reform"),
    "caojing": ("曹静", "natural-resources"),
    "lvhao": ("吕浩", "ecology-environment"),
    "dingwei": ("丁伟", "water-resources"),
    "jiangtao": ("姜涛", "urban-management"),
    "qinfeng": ("秦峰", "housing-construction"),
    "zhanghua_power": ("张华", "state-grid-meixian"),
    "wangqiang_water": ("王强", "meixian-water"),
    "liuyan_gas": ("刘艳", "china-gas-meixian"),
}

ZONE = "眉县经济技术开发区"

# code, name, category, builder, USCC body, town code, area, site, steward, options, plan
PROJECTS = [
    (
        "2106-610326-04-01-318201",
        "眉县猕猴桃精深加工产业园建设项目",
        "social",
        "陕西秦岭猕猴桃食品科技有限公司",
        "91610326MA6XK0Q1P",
        "610326001",
        ZONE,
        "眉县经开区渭河大道与霸王河路交叉口东北角",
        "xuemei",
        {},
        ("acceptance", 150, True),
    ),
    (
        "2109-610326-04-01-560077",
        "槐芽镇果品冷链仓储库项目",
        "low_risk",
        "眉县槐芽镇宏丰果品购销有限公司",
        "91610326MA6XN5R8C",
        "610326101",
        "",
        "槐芽镇槐芽村东组",
        "xuemei",
        {"merged_permit": True},
        ("done", 70, False),
    ),
    (
        "2011-610326-04-01-005523",
        "太白山旅游区游客服务中心提升改造项目",
        "government",
        "眉县太白山旅游区管理委员会",
        "11610326MB1763205",
        "610326103",
        "太白山旅游区",
        "汤峪镇太白山森林公园山门东侧",
        "hanbo",
        {},
        ("done", 170, False),
    ),
    (
        "2107-610326-04-01-771030",
        "汤峪温泉度假酒店改扩建项目",
        "social",
        "眉县汤峪温泉旅游开发有限公司",
        "91610326MA6XP2H4D",
        "610326103",
        "",
        "汤峪镇汤峪村温泉路",
        "xuemei",
        {"land_start": True},
        ("engineering", 45, False),
    ),
    (
        "2111-610326-04-01-902315",
        "眉县太白酒业智能灌装车间建设项目",
        "social",
        "陕西眉县太白酒业有限责任公司",
        "91610326MA6XR3K9F",
        "610326001",
        ZONE,
        "眉县经开区太白酒业厂区内",
        "xuemei",
        {},
        ("planning", 8, True),
    ),
    (
        "2104-610326-04-01-240318",
        "眉县经开区猕猴桃冷链物流中心项目",
        "social",
        "眉县齐峰果业冷链物流有限公司",
        "91610326MA6XT6M2G",
        "610326106",
        ZONE,
        "眉县经开区常兴产业园纬二路",
        "xuemei",
        {},
        ("done", 130, False),
    ),
    (
        "2111-610326-04-01-905507",
        "眉县首善街道第二初级中学教学综合楼建设项目",
        "government",
        "眉县教育局",
        "11610326MB3081422",
        "610326001",
        "",
        "首善街道迎宾社区",
        "hanbo",
        {},
        ("registered", 0, False),
    ),
]

ASSESSMENTS = [
    (
        "geological",
        "610326-GC-0104",
        "natural-resources",
        "评估区地质灾害危险性小，适宜工程建设；入区项目不再单独编制地质灾害危险性评估报告",
    ),
    ("minerals", "610326-GC-0105", "natural-resources", "评估区内未压覆已查明重要矿产资源"),
    ("soil_water", "610326-GC-0203", "water-resources", "区域水土保持方案已批复，入区项目实行承诺制管理"),
    ("environment", "610326-GC-0202", "ecology-environment", "园区规划环评已审查，入园项目环评文件简化编制"),
    (
        "energy",
        "610326-GC-0204",
        "development-reform",
        "区域节能评价已完成，年综合能耗1000吨标准煤以下项目不再单独节能审查",
    ),
]

LOGS = [
    ("visit", "上门走访，梳理项目全流程审批事项清单，一次性告知所需材料"),
    ("problem", "企业反映施工图审查意见需反复修改，影响工程建设许可阶段进度"),
    ("solution", "协调县住建局组织联审会，一次性出具审查意见"),
    ("visit", "现场查看施工进度，提醒提前准备竣工联合验收资料"),
]

ISSUES = [
    ("陕西秦岭猕猴桃食品科技有限公司", "冷库外线电源接入需跨越霸王河路，请协调占掘路审批", "urban-management"),
    ("眉县汤峪温泉旅游开发有限公司", "温泉取水许可与建设工程规划许可办理顺序不明确", "water-resources"),
    ("陕西眉县太白酒业有限责任公司", "灌装车间消防验收标准咨询", "housing-construction"),
    ("眉县金渠镇惠农农资有限公司", "仓库用地规划条件中容积率要求需确认", "natural-resources"),
    ("眉县槐芽镇宏丰果品购销有限公司", "冷链仓储库用电报装容量核定", "state-grid-meixian"),
    ("眉县齐镇兴农猕猴桃专业合作社", "分选车间临时用水接入费用标准", "meixian-water"),
]

CONNECTIONS = [
    # kind, category, applicant, address, town code, days ago accepted, done after (workdays) or None, approvals
    ("electricity", "resident", "王秀兰", "首善街道东关社区2号楼", "610326001", 60, 3, ()),
    ("electricity", "resident", "李建军", "槐芽镇槐芽村", "610326101", 40, 4, ()),
    ("electricity", "resident", "赵丽娟", "营头镇红河谷村", "610326105", 12, 7, ()),
    ("electricity", "resident", "马永强", "金渠镇金渠村三组", "610326104", 3, None, ()),
    (
        "electricity",
        "low_voltage_sanling",
        "眉县槐芽镇宏丰果品购销有限公司",
        "槐芽镇槐芽村东组",
        "610326101",
        80,
        16,
        (),
    ),
    (
        "electricity",
        "low_voltage_sanling",
        "眉县汤峪镇张记农家乐",
        "汤峪镇汤峪村",
        "610326103",
        70,
        23,
        ("road_digging",),
    ),
    ("electricity", "low_voltage_sanling", "眉县常兴镇秦川果品冷库", "常兴镇常兴村", "610326106", 15, None, ()),
    ("electricity", "low_voltage", "眉县首善街道鑫源超市", "首善街道景贤社区", "610326001", 50, 5, ()),
    ("electricity", "low_voltage", "眉县齐镇兴农猕猴桃专业合作社", "齐镇齐镇村", "610326107", 35, 8, ()),
    ("electricity", "low_voltage", "眉县横渠镇张载书院文创店", "横渠镇横渠村", "610326102", 4, None, ()),
    (
        "electricity",
        "high_single",
        "陕西秦岭猕猴桃食品科技有限公司",
        "眉县经开区渭河大道北侧",
        "610326001",
        100,
        20,
        ("road_digging", "route_planning"),
    ),
    (
        "electricity",
        "high_single",
        "眉县金渠镇惠农农资有限公司",
        "金渠镇金渠村二组",
        "610326104",
        40,
        None,
        (),
    ),
    (
        "electricity",
        "high_dual",
        "眉县太白山旅游区管理委员会",
        "汤峪镇太白山森林公园山门",
        "610326103",
        120,
        30,
        (),
    ),
    (
        "electricity",
        "high_dual",
        "陕西眉县太白酒业有限责任公司",
        "眉县经开区太白酒业厂区",
        "610326001",
        55,
        None,
        (),
    ),
    ("water", "resident", "周桂兰", "首善街道滨河社区", "610326001", 30, 3, ()),
    ("water", "non_resident", "陕西秦岭猕猴桃食品科技有限公司", "眉县经开区渭河大道北侧", "610326001", 60, 9, ()),
    ("water", "non_resident", "眉县汤峪温泉旅游开发有限公司", "汤峪镇汤峪村温泉路", "610326103", 25, None, ()),
    ("gas", "resident", "杨淑芳", "首善街道迎宾社区", "610326001", 20, 4, ()),
    ("gas", "non_resident", "眉县首善街道老味道餐馆", "首善街道东关社区", "610326001", 45, 14, ()),
    ("gas", "non_resident", "眉县槐芽镇宏丰果品购销有限公司", "槐芽镇槐芽村东组", "610326101", 10, None, ()),
]


def _write(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text + "\n")


@contextlib.contextmanager
def _at(moment: dt.datetime):
    """Run services as of ``moment`` (the demo's past months)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _moment(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _workday_before(today: dt.date, n: int) -> dt.date:
    """A working day about ``n`` calendar days ago (``n`` = 0: today)."""
    day = today - dt.timedelta(days=n)
    return add_workdays(day - dt.timedelta(days=1), 1).due if n else today


def _staff(admin, stdout=None) -> dict[str, User]:
    from yiwang.org.demo.generate import generate_password
    from yiwang.org.services import membership_grant, user_create

    departments = {d.code: d for d in Department.objects.filter(code__in={c for _, c in STAFF.values()})}
    users = {}
    for username, (name, code) in STAFF.items():
        if code not in departments:
            continue
        existing = Membership.objects.filter(role=Role.HANDLER, department=departments[code]).select_related("user")
        existing = existing.exclude(user__username=username).first() if code != "admin-approval" else None
        if existing is not None:
            users[username] = existing.user
            continue
        user = User.objects.filter(username=username).first()
        if user is None:
            password = generate_password()
            user = user_create(username=username, password=password, display_name=name, actor=admin)
            # Shown once, like the org demo's accounts (reset with manage.py changepassword).
            _write(stdout, f"  演示账户 {username:<16}{departments[code].short_name:<10}{name:<6}{password}")
        if not Membership.objects.filter(user=user, role=Role.HANDLER, department=departments[code]).exists():
            membership_grant(user=user, role=Role.HANDLER, department=departments[code], actor=admin)
        users[username] = user
    return users


def _handler_for(department_id: int, users: dict[str, User]) -> User | None:
    for user in users.values():
        if Membership.objects.filter(user=user, role=Role.HANDLER, department_id=department_id).exists():
            return user
    membership = (
        Membership.objects.filter(role=Role.HANDLER, department_id=department_id).select_related("user").first()
    )
    return membership.user if membership else None


def _walk(case, *, clerk, handler, accepted: dt.datetime, decided: dt.datetime | None, deny: bool = False) -> None:
    """Accept, assign, review and decide a case at its moments (decided None: left in review)."""
    from yiwang.cases import services as case_services
    from yiwang.cases.models import ReviewStep

    with _at(accepted):
        case = case_services.case_accept(case=case, actor=clerk, received=("M01",))
        case = case_services.case_assign(case=case, actor=handler)
    if decided is None:
        return
    with _at(decided):
        while case.steps.filter(state=ReviewStep.State.PENDING).exists():
            case_services.review_step_complete(case=case, actor=handler, opinion="材料齐全，符合条件")
            case.refresh_from_db()
        case_services.case_decide(
            case=case,
            actor=handler,
            outcome="denied" if deny else "approved",
            reasons="选址与国土空间规划不符，请调整后重新申报" if deny else "材料齐全，符合法定条件，准予许可",
        )


def _run_stage(
    stage, *, start: dt.datetime, today: dt.date, clerk, users, finish: bool, late_item: bool, rng
) -> dt.datetime:
    """Open a stage at ``start`` and walk its items; returns when the stage finished (or ``start``)."""
    applicant = stage.project.steward or users.get("xuemei")
    with _at(start):
        services.project_stage_open(stage=stage, actor=applicant)
    stage.refresh_from_db()
    finished = start
    # With 拿地即开工 the 施工许可 stage was applied for together with 工程建设许可: walk both.
    items = list(
        StageItem.objects.filter(
            stage__project_id=stage.project_id, stage__state="running", stage__opened_at=start, state="open"
        ).select_related("case", "department")
    )
    accepted = _moment(add_workdays(start, 1).due, 9)
    if accepted.date() > today:
        return finished
    plans = []
    for index, item in enumerate(items):
        handler = _handler_for(item.department_id, users)
        if handler is None:
            continue
        leave_open = not finish and (late_item and index == 0 or index % 2 == 1)
        decided = None
        if not leave_open:
            spread = max(1, min(stage.days - 1, item.case.promised_days or 3))
            decided = _moment(add_workdays(accepted, rng.randint(1, spread)).due, 15)
            if decided.date() > today:
                decided = _moment(today, 9)
        plans.append((item, handler, decided))
    # Decide in time order, so the stage completes when its last item does.
    plans.sort(key=lambda p: (p[2] is None, p[2] or accepted))
    for item, handler, decided in plans:
        _walk(item.case, clerk=clerk, handler=handler, accepted=accepted, decided=decided)
        if decided is not None:
            finished = max(finished, decided)
    return finished


def _project(row, *, admin, lead, clerk, users, today, rng, stdout) -> None:
    code, name, category, builder, uscc_body, town_code, area, site, steward, options, plan = row
    if ConstructionProject.objects.filter(code=code).exists():
        return
    stage_to, days_ago, late = plan
    county = Region.objects.get(code="610326")
    town = Region.objects.filter(code=town_code).first()
    start = _moment(_workday_before(today, days_ago) if days_ago else today, 9)
    registrar = users.get("xuemei") or admin
    with _at(start - dt.timedelta(days=3)):
        project = services.project_register(
            code=code,
            name=name,
            category=category,
            builder_name=builder,
            builder_uscc=make_uscc(uscc_body),
            region=county,
            town=town,
            area=area,
            site=site,
            lead_department=lead,
            steward=users.get(steward),
            actor=registrar,
            **options,
        )
        for kind, text in LOGS[: 1 + (days_ago // 40)]:
            services.steward_log_add(project=project, kind=kind, text=text, actor=users.get(steward) or registrar)
    if stage_to == "registered":
        return
    moment = start
    order = ["planning", "engineering", "construction", "acceptance"]
    target = {"construction_ready": "engineering", "done": "acceptance"}.get(stage_to, stage_to)
    for stage_code in order:
        stage = ProjectStage.objects.get(project=project, code=stage_code)
        if stage.state == "merged" or stage.state == "running":
            continue
        if stage.state != "ready":
            break
        last = stage_code == target
        finish = not last or stage_to in ("done", "construction_ready")
        # The time the builder takes between stages (not counted).
        if stage_code != "planning":
            moment = _moment(add_workdays(moment, rng.randint(2, 6)).due, 9)
        if moment.date() > today:
            break
        moment = _run_stage(
            stage, start=moment, today=today, clerk=clerk, users=users, finish=finish, late_item=late and last, rng=rng
        )
        if last:
            break
    if stage_to in ("acceptance", "done"):
        # 多测合并: one survey for the planning check, housing and completion measurements.
        surveyed = min(moment, _moment(today, 9))
        with _at(surveyed):
            services.joint_survey_record(
                project=project,
                surveyor="宝鸡市勘察测绘院有限公司",
                kinds=["planning_check", "housing", "completion"],
                summary="规划核实测量、房产测绘、竣工地形测量一次完成，成果共享验收部门",
                actor=users.get(steward) or registrar,
            )
    _write(stdout, f"  项目：{name}（{project.get_category_display()}）")


def _assessments(*, users, today) -> None:
    county = Region.objects.get(code="610326")
    for kind, item_code, department_code, summary in ASSESSMENTS:
        if AreaAssessment.objects.filter(area=ZONE, kind=kind).exists():
            continue
        department = Department.objects.filter(code=department_code).first()
        actor = _handler_for(department.pk, users) if department else None
        if actor is None:
            continue
        with _at(_moment(today - dt.timedelta(days=200))):
            services.assessment_publish(
                area=ZONE,
                region=county,
                kind=kind,
                item_code=item_code,
                department=department,
                summary=summary,
                valid_until=today + dt.timedelta(days=3 * 365),
                actor=actor,
            )


def _service_days(*, lead, users, today, rng) -> None:
    county = Region.objects.get(code="610326")
    host_user = users.get("xuemei")
    if host_user is None:
        return
    for months_ago in (4, 3, 2, 1):
        day = _workday_before(today, months_ago * 30 - 5)
        if ServiceDay.objects.filter(region=county, held_on=day).exists():
            continue
        with _at(_moment(day, 9)):
            service_day = services.service_day_hold(
                region=county, held_on=day, place="眉县政务服务中心三楼会议室", host=lead, actor=host_user
            )
        for enterprise, text, department_code in ISSUES[(4 - months_ago) : (4 - months_ago) + 3]:
            department = Department.objects.filter(code=department_code).first()
            if department is None:
                continue
            with _at(_moment(day, 10)):
                issue = services.service_issue_raise(
                    enterprise_name=enterprise,
                    text=text,
                    department=department,
                    service_day=service_day,
                    actor=host_user,
                )
            # Older issues answered (one late); the last month's still open.
            if months_ago > 1:
                handler = _handler_for(department.pk, users)
                answer = add_workdays(day, rng.choice([2, 3, 4, 7])).due
                if handler is not None and answer <= today:
                    with _at(_moment(answer, 16)):
                        services.service_issue_resolve(issue=issue, resolution="已现场答复并限时办结", actor=handler)


def _connections(*, users, today, stdout) -> None:
    if UtilityConnection.objects.exists():
        return
    from yiwang.cases.models import Case

    staff = {
        "electricity": users.get("zhanghua_power"),
        "water": users.get("wangqiang_water"),
        "gas": users.get("liuyan_gas"),
    }
    clerk = Membership.objects.filter(role=Role.CLERK, hall__name="眉县政务服务中心").select_related("user").first()
    for index, (kind, category, applicant, address, town_code, days_ago, done_after, approvals) in enumerate(
        CONNECTIONS
    ):
        actor = staff.get(kind)
        if actor is None:
            continue
        accepted = _moment(_workday_before(today, days_ago), 10)
        region = Region.objects.filter(code=town_code).first() or Region.objects.get(code="610326")
        uscc = make_uscc(f"91610326MA6Y{index:05d}") if approvals else ""
        with _at(accepted):
            connection = services.connection_apply(
                kind=kind,
                category=category,
                applicant_name=applicant,
                applicant_phone=f"1389171{index:04d}",
                applicant_uscc=uscc,
                address=address,
                region=region,
                approvals=approvals,
                actor=actor,
            )
        for approval in connection.approvals.select_related("case"):
            handler = _handler_for(approval.case.department_id, users) if approval.case else None
            if handler is None or clerk is None:
                continue
            decided = _moment(add_workdays(accepted, 3).due, 15) if done_after is not None else None
            _walk(
                Case.objects.get(pk=approval.case_id),
                clerk=clerk.user,
                handler=handler,
                accepted=_moment(add_workdays(accepted, 1).due, 9),
                decided=decided,
            )
        if done_after is not None:
            finished = _moment(add_workdays(accepted, done_after).due, 16)
            if finished.date() <= today:
                with _at(finished):
                    services.connection_complete(connection=connection, actor=actor)
    _write(stdout, f"  报装：{UtilityConnection.objects.count()} 件")


def seed(*, stdout=None) -> None:
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    lead = Department.objects.filter(code="admin-approval").first()
    clerk_membership = (
        Membership.objects.filter(role=Role.CLERK, hall__name="眉县政务服务中心").select_related("user").first()
    )
    if admin is None or lead is None or clerk_membership is None:
        _write(stdout, "工程建设项目：缺少管理员、县行政审批服务局或政务服务中心窗口，跳过")
        return
    with transaction.atomic():  # one commit: the seed is all or nothing, and fast on SQLite
        _seed(admin=admin, lead=lead, clerk=clerk_membership.user, stdout=stdout)


def _seed(*, admin, lead, clerk, stdout) -> None:
    published = items_publish(actor=admin)
    users = _staff(admin, stdout)
    users.setdefault(
        "hanbo",
        Membership.objects.filter(role=Role.HANDLER, department=lead).exclude(user=users.get("xuemei")).first().user,
    )
    today = timezone.localdate()
    rng = random.Random(20210326)
    _assessments(users=users, today=today)
    for row in PROJECTS:
        _project(row, admin=admin, lead=lead, clerk=clerk, users=users, today=today, rng=rng, stdout=stdout)
    _service_days(lead=lead, users=users, today=today, rng=rng)
    _connections(users=users, today=today, stdout=stdout)
    _write(
        stdout,
        f"工程建设项目：{ConstructionProject.objects.count()} 个项目，新发布事项 {published} 项，"
        f"区域评估 {AreaAssessment.objects.count()} 项，报装 {UtilityConnection.objects.count()} 件",
    )
