"""Meixian demo for ``inspections``: two quarters (2026 Q2 and Q3) of 双随机、一公开 over the credit demo's entities.

Item lists and rosters for 县市场监管局, 县文化和旅游局, 县卫健局, 县生态环境局 and 县农业农村局 (the
departments of the org demo that inspect market entities), a few declared conflicts, then per quarter
four plans — food businesses, retail, a joint inspection of 农家乐 and tourist hotels (three
departments, teams from different departments), and a joint inspection of cold stores, fertiliser
dealers and distilleries led by 生态环境局 — each published with its seed commitment, drawn, inspected
and published through the services. Most results are published within the 20 working days (county
default), some late; a few of Q3's results are still waiting for publication, so the deadline sweep
has work. Dates are set back to the quarter once each step is done; the roll-ups are rebuilt at the end.

Idempotent: a second run finds the first plan and does nothing. Without the credit demo's entities it
says so and creates nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time

from django.db import transaction
from django.utils import timezone

COUNTY = "610326"
FIRST_PLAN = "SJ-2026-Q2-01"

# department code → (items: (code, name, kind, legal basis), roster size)
ITEMS = {
    "market-regulation": (
        [
            (
                "SC-001",
                "食品经营者经营条件和食品安全管理制度检查",
                "key",
                "《中华人民共和国食品安全法》第一百一十条、第一百一十三条",
            ),
            ("SC-002", "企业公示信息情况检查", "general", "《企业信息公示暂行条例》第十四条"),
            ("SC-003", "商品零售场所商品质量检查", "general", "《中华人民共和国产品质量法》第十五条"),
            ("SC-004", "特种设备使用单位使用情况检查", "key", "《中华人民共和国特种设备安全法》第五十七条"),
        ],
        12,
    ),
    "culture-tourism": (
        [("WL-001", "旅游经营者经营行为检查", "general", "《中华人民共和国旅游法》第八十三条、第八十五条")],
        5,
    ),
    "health": (
        [("WJ-001", "公共场所卫生监督检查", "general", "《公共场所卫生管理条例》第十条")],
        5,
    ),
    "ecology-environment": (
        [("HJ-001", "排污单位污染物排放情况检查", "key", "《中华人民共和国环境保护法》第二十四条")],
        5,
    ),
    "agriculture-rural": (
        [("NY-001", "农药、化肥经营单位经营行为检查", "general", "《农药管理条例》第四十四条")],
        5,
    ),
}

# (suffix, title, lead, joint departments, item codes, industry prefixes, distinct departments)
PLANS = [
    ("01", "餐饮服务食品安全“双随机”抽查", "market-regulation", [], ["SC-001", "SC-002"], ["H622"], False),
    ("02", "商品零售场所产品质量“双随机”抽查", "market-regulation", [], ["SC-003", "SC-002"], ["F52"], False),
    (
        "03",
        "农家乐和旅游饭店跨部门联合抽查",
        "market-regulation",
        ["culture-tourism", "health"],
        ["SC-001", "WL-001", "WJ-001"],
        ["H621", "H611"],
        True,
    ),
    (
        "04",
        "果品冷库、农资和酒类生产企业联合抽查",
        "ecology-environment",
        ["agriculture-rural", "market-regulation"],
        ["HJ-001", "NY-001", "SC-004"],
        ["G595", "F5166", "C1512"],
        True,
    ),
]

QUARTERS = [("Q2", dt.date(2026, 4, 1), dt.date(2026, 6, 30)), ("Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30))]

FINDINGS = {
    "problems": [
        "从业人员健康证明过期，已责令改正",
        "未按规定公示食品经营许可证",
        "进货查验记录不完整，已责令限期整改",
        "冷库温度记录缺失，已责令整改",
        "消毒设施未正常使用，已责令改正",
    ],
    "problems_case": ["发现过期食品待进一步调查处理", "疑似无证经营农药，移送立案调查"],
    "not_found": ["通过登记的住所无法联系，已依法列入经营异常名录程序"],
}


def _write(stdout, text: str) -> None:
    (stdout or sys.stdout).write(text + "\n")


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def seed(*, stdout=None) -> None:
    from yiwang.credit.models import Entity
    from yiwang.inspections.models import Plan
    from yiwang.org.models import Region

    started = time.monotonic()
    if Plan.objects.filter(number=FIRST_PLAN).exists():
        _write(stdout, "双随机抽查演示数据已存在，跳过")
        return
    county = Region.objects.filter(code=COUNTY).first()
    if county is None:
        _write(stdout, "未找到眉县区划，请先运行 org 的演示数据；未创建双随机抽查数据")
        return
    if not Entity.objects.filter(region=county).exists():
        _write(stdout, "未找到眉县的市场主体（credit 演示数据），未创建双随机抽查数据")
        return
    with transaction.atomic():  # one commit: all of it or nothing, and no fsync per service call
        Demo(county, stdout).run()
    _write(stdout, f"双随机抽查演示数据完成（{time.monotonic() - started:.1f} 秒）")


class Demo:
    def __init__(self, county, stdout):
        from yiwang.cases.demo.dataset import GIVEN, SURNAMES
        from yiwang.org.models import Department, Membership, Role

        self.county = county
        self.stdout = stdout
        self.rng = random.Random(20260401)
        self.today = timezone.localdate()
        self.surnames, self.given = SURNAMES, GIVEN
        self.departments = {d.code: d for d in Department.objects.filter(code__in=ITEMS)}
        self.users = {}
        for m in Membership.objects.filter(department__in=self.departments.values()).select_related("user"):
            self.users.setdefault((m.department.code, m.role), m.user)
        self.inspector_user = self.users.get(("market-regulation", Role.INSPECTOR))
        self.items = {}
        self.counts = {"tasks": 0, "published": 0, "late": 0, "waiting": 0, "problems": 0}

    def actor(self, department_code: str):
        from yiwang.org.models import Role

        return self.users.get((department_code, Role.HANDLER))  # None: the system

    def person(self) -> str:
        return self.rng.choice(self.surnames) + "".join(
            self.rng.choice(self.given) for _ in range(self.rng.choice((1, 2)))
        )

    def run(self) -> None:
        missing = sorted(set(ITEMS) - set(self.departments))
        if missing:
            _write(self.stdout, f"  缺少部门 {', '.join(missing)}，相关事项和联合计划从略")
        self.roster()
        for quarter, start, end in QUARTERS:
            for plan_row in PLANS:
                if plan_row[2] in self.departments and all(d in self.departments for d in plan_row[3]):
                    self.quarter_plan(quarter, start, end, plan_row)
        from yiwang.inspections.measures import DRAWN, PUBLISHED, RESULTS
        from yiwang.measures.services import measures_rebuild

        measures_rebuild(metrics=[DRAWN, RESULTS, PUBLISHED])
        c = self.counts
        _write(
            self.stdout,
            f"  检查任务 {c['tasks']} 户；已公示 {c['published']}（超期公示 {c['late']}），待公示 {c['waiting']}；"
            f"发现问题 {c['problems']}（已转入信用记录）",
        )

    def roster(self) -> None:
        from yiwang.credit.models import Entity
        from yiwang.inspections import services

        serial = 0
        people = []
        for code, (items, size) in ITEMS.items():
            department = self.departments.get(code)
            if department is None:
                continue
            for item_code, name, kind, basis in items:
                self.items[item_code] = services.inspection_item_create(
                    code=item_code,
                    name=name,
                    department=department,
                    legal_basis=basis,
                    kind=kind,
                    method="现场检查、书面检查",
                    actor=self.actor(code),
                )
            for i in range(size):
                serial += 1
                user = self.inspector_user if code == "market-regulation" and i == 0 else None
                name = user.display_name if user is not None and user.display_name else self.person()
                people.append(
                    services.inspector_create(
                        department=department,
                        name=name,
                        certificate_no=f"6103260{serial:05d}",
                        certificate_expires_on=dt.date(2028 + i % 3, 12, 31),
                        user=user,
                        actor=self.actor(code),
                    )
                )
        # Declared conflicts (回避): relatives' businesses and former employers.
        entities = list(Entity.objects.filter(region=self.county).order_by("pk").values_list("pk", flat=True))
        chosen = self.rng.sample(entities, min(12, len(entities)))
        kinds = ("relative", "former_employer")
        for index, entity_id in enumerate(chosen):
            person = people[index % len(people)]
            services.inspector_conflict_declare(
                inspector=person,
                entity=Entity.objects.get(pk=entity_id),
                kind=kinds[index % 2],
                note="配偶经营" if index % 2 == 0 else "曾在该单位任职",
                actor=self.actor(person.department.code),
            )
        _write(
            self.stdout, f"  抽查事项 {len(self.items)} 项；执法检查人员 {len(people)} 人；回避申报 {len(chosen)} 条"
        )

    def quarter_plan(self, quarter: str, start: dt.date, end: dt.date, row) -> None:
        from yiwang.inspections import services
        from yiwang.inspections.models import Draw, Plan, Task

        suffix, title, lead_code, joint, item_codes, prefixes, distinct = row
        lead = self.departments[lead_code]
        actor = self.actor(lead_code)
        plan = services.plan_create(
            number=f"SJ-2026-{quarter}-{suffix}",
            title=f"2026年{'第二' if quarter == 'Q2' else '第三'}季度{title}",
            region=self.county,
            lead_department=lead,
            departments=[self.departments[c] for c in joint],
            items=[self.items[c] for c in item_codes],
            pool_filter={"industry_prefixes": prefixes},
            distinct_departments=distinct,
            period_start=start,
            period_end=end,
            actor=actor,
        )
        published_on = start - dt.timedelta(days=3)
        services.plan_publish(plan=plan, actor=actor)
        draw = services.plan_draw(plan=plan, actor=actor)
        Plan.objects.filter(pk=plan.pk).update(published_at=_at(published_on, 9))
        services.draw_verification_record(draw=draw, actor=actor)
        Draw.objects.filter(pk=draw.pk).update(
            drawn_at=_at(start + dt.timedelta(days=6), 15), verified_at=_at(start + dt.timedelta(days=6), 16)
        )
        span = (end - start).days - 20
        for task in Task.objects.filter(draw=draw).select_related("plan").order_by("pk"):
            self.counts["tasks"] += 1
            self.inspect(task, start + dt.timedelta(days=10 + self.rng.randrange(span)), actor, last=quarter == "Q3")

    def inspect(self, task, inspected_on: dt.date, actor, *, last: bool) -> None:
        from yiwang.inspections import services
        from yiwang.inspections.models import Task
        from yiwang.workdays.selectors import add_workdays

        roll = self.rng.random()
        result = (
            "normal"
            if roll < 0.78
            else "problems"
            if roll < 0.90
            else "problems_case"
            if roll < 0.94
            else "not_found"
            if roll < 0.98
            else "closed"
        )
        findings = self.rng.choice(FINDINGS[result]) if result in FINDINGS else ""
        task = services.task_result_record(
            task=task, result=result, findings=findings, inspected_on=inspected_on, actor=actor
        )
        Task.objects.filter(pk=task.pk).update(recorded_at=_at(inspected_on, 17))
        if result in Task.PROBLEM_RESULTS:
            self.counts["problems"] += 1
            kind = {"problems": "rectify", "problems_case": "case", "not_found": "abnormal"}.get(result)
            if kind:
                services.follow_up_add(task=task, kind=kind, note=findings[:60], actor=actor)
        if last and self.rng.random() < 0.04:
            self.counts["waiting"] += 1  # still waiting for publication: the sweep reminds and warns
            return
        late = self.rng.random() < 0.12
        delay = self.rng.randint(21, 32) if late else self.rng.randint(2, 15)
        on = min(add_workdays(inspected_on, delay).due, self.today)
        task = services.task_publish(task=task, actor=actor, on=on)
        self.counts["published"] += 1
        self.counts["late"] += int(task.published_on_time is False)
