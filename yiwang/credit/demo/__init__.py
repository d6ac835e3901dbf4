"""Meixian demo for ``credit``: a year of market entities, credit records, class history, repairs,
risk-warning clues and the financing board.

The entities are the enterprises that applied in the cases demo (same USCC and name) plus several
thousand kiwi growers, cooperatives, cold stores, 农家乐, shops, restaurants and workshops in the real
towns. History is written in bulk (like the hotline's), the risk class of each entity is computed by
the credit rules themselves (``services.records.assess``) record by record in date order, so the
class history is what the live rules would have produced; roll-ups are rebuilt at the end. Names of
people and the smaller villages are illustrative. Idempotent: a second run only tops up.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections import defaultdict
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from yiwang.core.audit import audit_record
from yiwang.core.identifiers import USCC_ALPHABET, make_uscc

COUNTY = "610326"
# small businesses generated besides the enterprises of the cases demo
SMALL_BUSINESSES = 3600

# (weight, kind, registration prefix, industry code, industry name, name patterns, size)
TRADES = [
    (
        30,
        "individual",
        "92",
        "A0159",
        "其他水果种植",
        ["眉县{town}{person}猕猴桃种植园", "眉县{town}{village}{surname}家猕猴桃园"],
        "micro",
    ),
    (
        9,
        "cooperative",
        "93",
        "A0159",
        "其他水果种植",
        ["眉县{town}{village}猕猴桃专业合作社", "眉县{village}{word}果业专业合作社"],
        "small",
    ),
    (
        5,
        "enterprise",
        "91",
        "G5950",
        "低温仓储",
        ["眉县{village}{word}冷链物流有限公司", "眉县{town}{word}果品冷库有限公司"],
        "small",
    ),
    (
        12,
        "individual",
        "92",
        "H6210",
        "正餐服务",
        ["眉县{town}{village}{surname}家农家乐", "眉县{town}{person}农家乐"],
        "micro",
    ),
    (14, "individual", "92", "F5211", "百货零售", ["眉县{town}{person}日杂店", "眉县{town}{word}便民超市"], "micro"),
    (10, "individual", "92", "H6220", "快餐服务", ["眉县{town}{surname}记面馆", "眉县{town}{word}小吃店"], "micro"),
    (
        5,
        "individual",
        "92",
        "C2032",
        "木门窗制造",
        ["眉县{town}{person}木器加工坊", "眉县{town}{word}门窗加工部"],
        "micro",
    ),
    (3, "enterprise", "91", "C1512", "白酒制造", ["眉县{word}酒业有限公司"], "small"),
    (
        4,
        "enterprise",
        "91",
        "E4710",
        "房屋建筑业",
        ["眉县{word}建筑工程有限公司", "宝鸡{word}建设有限公司眉县分公司"],
        "small",
    ),
    (3, "enterprise", "91", "F5166", "化肥批发", ["眉县{town}{word}农资有限公司"], "small"),
    (3, "individual", "92", "O8010", "理发及美容服务", ["眉县{town}{person}理发店"], "micro"),
    (
        2,
        "enterprise",
        "91",
        "H6110",
        "旅游饭店",
        ["眉县汤峪{word}温泉酒店有限公司", "眉县太白山{word}宾馆有限公司"],
        "small",
    ),
]
WORDS = [
    "秦岭",
    "太白",
    "渭河",
    "红河谷",
    "金渠",
    "齐峰",
    "宏达",
    "鑫源",
    "丰华",
    "绿源",
    "嘉禾",
    "秦美",
    "金果",
    "雨润",
    "顺通",
    "兴旺",
    "恒信",
    "康源",
    "华秦",
    "瑞丰",
    "聚丰",
    "天源",
    "禾盛",
    "众鑫",
]
TOWN_VILLAGES = {
    "首善街道": ["东关", "景贤", "迎宾", "滨河", "北兴", "三寨", "三和", "通远", "王长官寨"],
    "横渠镇": ["横渠", "崖下", "大镇", "第五", "西副"],
    "槐芽镇": ["槐芽", "八亩沟", "清湫", "西街", "田家寨"],
    "汤峪镇": ["汤峪", "屯庄", "新庄", "大寨", "闫家堡"],
    "常兴镇": ["常兴", "尧上", "西铁炉", "车圈", "河北"],
    "金渠镇": ["金渠", "宁渠", "田家", "下第五", "河底"],
    "营头镇": ["和平", "营头", "黄家", "第二坡", "红河谷", "万霞", "新河"],
    "齐镇": ["齐镇", "斜峪关", "小法仪", "堡子", "蔡家崖"],
}
CASE_INDUSTRIES = [
    ("果业", "A0159", "其他水果种植"),
    ("冷链", "G5950", "低温仓储"),
    ("酒店", "H6110", "旅游饭店"),
    ("旅游", "N7850", "游览景区管理"),
    ("农资", "F5166", "化肥批发"),
    ("建筑", "E4710", "房屋建筑业"),
    ("餐饮", "H6210", "正餐服务"),
]
PENALTIES = [
    ("market-regulation", "销售不符合食品安全标准的食品", "食品安全法第124条", "食品药品"),
    ("market-regulation", "使用超过保质期的食品原料", "食品安全法第124条", "食品药品"),
    ("market-regulation", "猕猴桃使用膨大剂超标销售", "农产品质量安全法第71条", "农资（种子、化肥、农药）"),
    ("market-regulation", "销售假冒“眉县猕猴桃”地理标志产品", "商标法第60条", "知识产权"),
    ("market-regulation", "价格欺诈，虚构原价", "价格法第40条", "价格"),
    ("agriculture-rural", "经营假劣农药", "农药管理条例第55条", "农资（种子、化肥、农药）"),
    ("ecology-environment", "冷库制冷剂泄漏未报告", "大气污染防治法第108条", "生态环境"),
    ("housing-construction", "施工现场扬尘防治措施不落实", "大气污染防治法第115条", "工程建设"),
    ("culture-tourism", "农家乐擅自经营住宿未登记旅客信息", "旅馆业治安管理办法", "文化旅游"),
    ("taxation", "未按规定开具发票", "发票管理办法第35条", "税收"),
    ("health", "从业人员未取得健康证明上岗", "公共场所卫生管理条例", "医疗卫生"),
    ("transport", "货车超限运输猕猴桃", "公路安全保护条例第64条", "交通运输"),
]
COMMENDATIONS = [
    ("market-regulation", "眉县“守合同重信用”企业"),
    ("taxation", "纳税信用A级纳税人"),
    ("development-reform", "眉县诚信示范经营户"),
    ("agriculture-rural", "眉县猕猴桃标准化生产示范园"),
    ("culture-tourism", "眉县星级农家乐"),
]
GOVERNMENT_DISHONESTY = [
    ("kiwifruit-park", "园区招商承诺的冷库建设补贴逾期未兑现"),
    ("binhe-new-district", "拖欠民营企业道路工程款"),
    ("housing-construction", "“新官不理旧账”，前任签订的棚改项目协议未履行"),
]
BANKS = [
    ("眉县农村商业银行", "猕猴桃贷", 3, 50, 36, "年化4.35%起", ["A01", "A05"], [], True),
    ("眉县农村商业银行", "秦岭农家乐贷", 1, 30, 24, "年化4.6%起", ["H"], ["A", "B"], True),
    ("中国邮政储蓄银行眉县支行", "小微易贷", 5, 100, 12, "LPR+50BP", [], ["A", "B"], True),
    ("中国农业银行眉县支行", "惠农e贷", 1, 30, 12, "年化3.95%起", ["A"], [], True),
    ("中国建设银行眉县支行", "善新贷", 10, 300, 36, "LPR", ["C", "G", "E"], ["A", "B"], False),
    ("长安银行眉县支行", "税易贷", 5, 200, 12, "年化4.2%起", [], ["A"], True),
    ("中国工商银行眉县支行", "经营快贷", 5, 100, 12, "LPR+30BP", ["F", "H", "G"], [], True),
    ("宝鸡眉县融资担保公司合作", "冷链仓储担保贷", 50, 500, 60, "担保费率1%", ["G59"], ["A", "B"], False),
]


def _write(stdout, text: str) -> None:
    (stdout or sys.stdout).write(text + "\n")


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def seed(*, stdout=None) -> None:
    from yiwang.org.models import Region

    started = time.monotonic()
    county = Region.objects.filter(code=COUNTY).first()
    if county is None:
        _write(stdout, "未找到眉县区划，请先运行 org 的演示数据")
        return
    from yiwang.credit.models import LoanProduct

    if LoanProduct.objects.filter(bank=BANKS[0][0], name=BANKS[0][1]).exists():
        from yiwang.credit.services import false_pledges_import

        made = false_pledges_import()
        _write(stdout, f"信用演示数据已存在，跳过（补录虚假承诺信用记录 {made} 条）")
        return
    Demo(county, stdout).run()
    _write(stdout, f"信用演示数据完成（{time.monotonic() - started:.1f} 秒）")


class Demo:
    def __init__(self, county, stdout):
        from yiwang.org.models import Department, Region

        self.county = county
        self.stdout = stdout
        self.rng = random.Random(20210326)
        self.today = timezone.localdate()
        self.towns = {r.name: r for r in Region.objects.filter(parent=county, level=Region.Level.TOWN)}
        self.departments = {d.code: d for d in Department.objects.all()}
        from yiwang.cases.demo.dataset import GIVEN, SURNAMES

        self.surnames, self.given = SURNAMES, GIVEN

    # --- entities ---------------------------------------------------------------------------------

    def person(self) -> str:
        return self.rng.choice(self.surnames) + "".join(
            self.rng.choice(self.given) for _ in range(self.rng.choice((1, 2)))
        )

    def entities(self):
        from yiwang.cases.models import Case
        from yiwang.credit.models import Entity
        from yiwang.org.models import Role, User

        rng, made, seen = self.rng, [], set()
        town_names = [t for t in TOWN_VILLAGES if t in self.towns] or list(self.towns)

        def entity(uscc, name, kind, code, industry, town_name, person, size, established, capital, tags=()):
            tags = list(tags)
            seen.add(uscc)
            town = self.towns.get(town_name)
            village = rng.choice(TOWN_VILLAGES.get(town_name, ["城关"]))
            made.append(
                Entity(
                    uscc=uscc,
                    name=name[:200],
                    kind=kind,
                    industry_code=code,
                    industry_name=industry,
                    region=self.county,
                    town=town,
                    address=f"眉县{town_name}{village}{'社区' if town_name == '首善街道' else '村'}",
                    legal_representative=person,
                    registered_capital=capital,
                    established_on=established,
                    size=size,
                    tags=tags,
                )
            )

        # the enterprises of the cases demo, with their USCC and name
        enterprise = User.objects.filter(memberships__role=Role.ENTERPRISE).exclude(uscc="").order_by("pk").first()
        applicants = dict(
            Case.objects.exclude(applicant_uscc="")
            .values_list("applicant_uscc", "applicant_name")
            .order_by("applicant_uscc")
        )
        if enterprise is not None:
            applicants.setdefault(enterprise.uscc, "眉县秦岭猕猴桃冷链有限公司")
        for uscc, name in sorted(applicants.items()):
            if uscc in seen:
                continue
            code, industry = next(((c, n) for word, c, n in CASE_INDUSTRIES if word in name), ("A0159", "其他水果种植"))
            town_name = next((t for t in town_names if t[:2] in name), rng.choice(town_names))
            entity(
                uscc,
                name,
                "enterprise",
                code,
                industry,
                town_name,
                self.person(),
                rng.choice(["small", "small", "medium"]),
                self.today - dt.timedelta(days=rng.randint(400, 6000)),
                Decimal(rng.choice([50, 100, 200, 500, 1000, 3000])),
            )
        # the county's small businesses
        weights = [t[0] for t in TRADES]
        for n in range(SMALL_BUSINESSES):
            _w, kind, prefix, code, industry, patterns, size = rng.choices(TRADES, weights)[0]
            town_name = rng.choice(town_names)
            person = self.person()
            name = rng.choice(patterns).format(
                town=town_name.replace("街道", ""),
                village=rng.choice(TOWN_VILLAGES.get(town_name, ["城关"])),
                person=person,
                surname=person[0],
                word=rng.choice(WORDS),
            )
            body = f"{prefix}{COUNTY}MA7" + "".join(rng.choice(USCC_ALPHABET) for _ in range(5)) + USCC_ALPHABET[n % 31]
            uscc = make_uscc(body)
            if uscc in seen:
                continue
            capital = (
                Decimal(rng.choice([1, 2, 3, 5, 10]))
                if kind == "individual"
                else Decimal(rng.choice([50, 100, 200, 500]))
            )
            tags = (
                ["农家乐"]
                if "农家乐" in name
                else ["猕猴桃"]
                if code == "A0159"
                else ["冷链"]
                if code.startswith("G59")
                else []
            )
            entity(
                uscc,
                name,
                kind,
                code,
                industry,
                town_name,
                person,
                size,
                self.today - dt.timedelta(days=rng.randint(200, 5000)),
                capital,
                tags,
            )
        return made

    # --- records ---------------------------------------------------------------------------------

    def records(self, entities):
        from yiwang.credit.models import CreditRecord
        from yiwang.credit.services.records import default_expiry

        rng, out = self.rng, []
        dept = self.departments

        def day():
            return self.today - dt.timedelta(days=rng.randint(1, 365))

        def add(entity, kind, title, department, decided_on, **kw):
            if department is None:
                return
            severity = kw.pop("severity", "general")
            expires = kw.pop("expires_on", None) or default_expiry(kind, severity, decided_on)
            out.append(
                CreditRecord(
                    entity=entity,
                    region_id=entity.town_id or entity.region_id if entity else kw.pop("region_id"),
                    kind=kind,
                    severity=severity,
                    title=title,
                    department=department,
                    decided_on=decided_on,
                    expires_on=expires,
                    **kw,
                )
            )

        for e in entities:
            roll = rng.random()
            if roll < 0.07:
                code, title, basis, field = rng.choice(PENALTIES)
                add(
                    e,
                    "penalty",
                    title,
                    dept.get(code),
                    day(),
                    legal_basis=basis,
                    key_field=field,
                    severity=rng.choice(["minor", "general", "general", "serious"]),
                    document_number=f"眉{code[:2].upper()}罚〔{self.today.year}〕{rng.randint(1, 400)}号",
                )
                if rng.random() < 0.3:
                    code, title, basis, field = rng.choice(PENALTIES)
                    add(e, "penalty", title, dept.get(code), day(), legal_basis=basis, key_field=field)
            elif roll < 0.10:
                code, title = rng.choice(COMMENDATIONS)
                add(e, "commendation", title, dept.get(code), day(), named_list="red")
            elif roll < 0.125:
                from yiwang.credit.conf import credit_setting

                offence = rng.choice(credit_setting("FIRST_OFFENCES"))
                add(
                    e,
                    "first_offence",
                    offence["title"],
                    dept.get("taxation" if offence["code"].startswith("tax") else "market-regulation"),
                    day(),
                    severity="minor",
                    offence_code=offence["code"],
                    legal_basis=offence["basis"],
                )
            elif roll < 0.135:
                code, title, basis, field = rng.choice(PENALTIES)
                add(
                    e,
                    "dishonesty",
                    f"{title}，情节严重",
                    dept.get(code),
                    day(),
                    key_field=field,
                    legal_basis=basis,
                    named_list="key_fields" if rng.random() < 0.4 else "",
                )
        builders = [e for e in entities if e.industry_code.startswith("E")]
        for e in rng.sample(builders, min(3, len(builders))):
            add(
                e,
                "blacklist",
                "拖欠农民工工资被列入失信联合惩戒对象名单",
                dept.get("human-resources-social-security"),
                day(),
                named_list="wage_arrears",
                key_field="劳动用工（拖欠农民工工资）",
                legal_basis="保障农民工工资支付条例第48条",
            )
        for e in rng.sample(builders, min(2, len(builders))):
            add(
                e,
                "blacklist",
                "串通投标，列入招标投标领域黑名单",
                dept.get("development-reform"),
                day(),
                named_list="bidding",
                key_field="招标投标",
                legal_basis="招标投标法第53条",
            )
        growers = [e for e in entities if e.industry_code == "A0159"]
        for e in rng.sample(growers, min(2, len(growers))):
            add(
                e,
                "blacklist",
                "假冒“眉县猕猴桃”地理标志，列入知识产权严重违法失信名单",
                dept.get("market-regulation"),
                day(),
                named_list="ip",
                key_field="知识产权",
                legal_basis="商标法第60条；地理标志产品保护规定",
            )
        for code, title in GOVERNMENT_DISHONESTY:
            subject = dept.get(code)
            if subject is not None:
                out.append(
                    CreditRecord(
                        entity=None,
                        subject_department=subject,
                        region_id=subject.region_id,
                        kind="government",
                        title=title,
                        department=dept.get("development-reform") or subject,
                        decided_on=day(),
                        expires_on=None,
                        legal_basis="眉县政务诚信专项治理（方案四(十)3(2)）",
                    )
                )
        for r in out:
            if r.expires_on is None and r.kind == "government":
                r.expires_on = default_expiry("government", "general", r.decided_on)
        return out

    def history(self, entities, records):
        """Class after each record in date order, by the live rules; one change row per change."""
        from yiwang.credit.models import RiskClassChange
        from yiwang.credit.services.records import assess, risk_rules

        rules = risk_rules()
        by_entity = defaultdict(list)
        for r in records:
            if r.entity is not None:
                by_entity[r.entity.uscc].append(r)
        changes = []
        for e in entities:
            start = _at(max(e.established_on or self.today, self.today - dt.timedelta(days=366)), 9)
            changes.append(
                RiskClassChange(
                    entity=e,
                    region_id=e.town_id or e.region_id,
                    from_class="",
                    to_class="B",
                    score=0,
                    reason="建档（初始分类）",
                    changed_at=start,
                )
            )
            current, seen = "B", []
            for r in sorted(by_entity.get(e.uscc, []), key=lambda r: r.decided_on):
                seen.append(r)
                result = assess(seen, on=r.decided_on, rules=rules)
                if result.risk_class != current:
                    changes.append(
                        RiskClassChange(
                            entity=e,
                            region_id=e.town_id or e.region_id,
                            from_class=current,
                            to_class=result.risk_class,
                            score=result.score,
                            reason=f"新增{r.get_kind_display()}",
                            changed_at=_at(r.decided_on, 16),
                        )
                    )
                    current = result.risk_class
            final = assess(seen, on=self.today, rules=rules).risk_class
            if final != current:
                changes.append(
                    RiskClassChange(
                        entity=e,
                        region_id=e.town_id or e.region_id,
                        from_class=current,
                        to_class=final,
                        score=assess(seen, on=self.today, rules=rules).score,
                        reason="信用记录公示期届满",
                        changed_at=_at(self.today, 2),
                    )
                )
                current = final
            e.risk_class = current
        return changes

    # --- clues, repairs, financing ------------------------------------------------------------------

    def clues(self, entities, records):
        from yiwang.credit.conf import credit_setting
        from yiwang.credit.models import Clue
        from yiwang.workdays.models import Clock
        from yiwang.workdays.selectors import add_workdays

        rng, days = self.rng, int(credit_setting("CLUE_HANDLE_WORKDAYS"))
        rules = {r["code"]: r for r in credit_setting("CLUE_RULES")}
        pushed = []
        for r in records:
            if (
                r.entity is None
                or r.kind not in ("dishonesty", "blacklist", "penalty")
                or (r.kind == "penalty" and rng.random() < 0.75)
            ):
                continue
            rule = rules["dishonesty"] if r.kind != "penalty" else rules["repeat-penalty"]
            key = f"{rule['code']}:{r.entity.pk}:{r.decided_on.year}Q{(r.decided_on.month - 1) // 3 + 1}"
            if any(c.dedupe_key == key for c in pushed):
                continue
            pushed_on = r.decided_on
            due = add_workdays(pushed_on, days).due
            clue = Clue(
                entity=r.entity,
                region_id=r.region_id,
                department=r.department,
                rule_code=rule["code"],
                rule_label=rule["label"],
                summary=f"{r.entity.name}：{r.title}。",
                evidence={"record": r.pk},
                dedupe_key=key,
                pushed_at=_at(pushed_on, 11),
                due_on=due,
            )
            age = (self.today - pushed_on).days
            if age > 20 or (age > 5 and rng.random() < 0.5):
                handled = min(self.today, pushed_on + dt.timedelta(days=rng.randint(1, 9)))
                back = min(self.today, handled + dt.timedelta(days=rng.choice([1, 2, 3, 5, 12])))
                clue.state, clue.measures_taken, clue.handled_at = (
                    "fed_back",
                    rng.choice(["约谈负责人并现场检查", "责令限期整改，已复查", "纳入重点监管，提高抽查频次"]),
                    _at(handled, 15),
                )
                clue.finding = "confirmed" if rng.random() < 0.8 else "not_confirmed"
                clue.feedback, clue.fed_back_at = "已按要求处置并反馈", _at(back, 17)
                clue.handled_on_time = back <= due
            pushed.append(clue)
        Clue.objects.bulk_create(pushed, batch_size=500)
        ct = ContentType.objects.get_for_model(Clue)
        clocks = []
        for c in pushed:
            stopped = c.state == "fed_back"
            clocks.append(
                Clock(
                    label=f"风险预警线索处置反馈：{c.entity.name}"[:200],
                    started_at=c.pushed_at,
                    days=days,
                    due_on=c.due_on,
                    state="stopped" if stopped else "running",
                    stopped_on=c.fed_back_at.date() if stopped else None,
                    region_code=COUNTY,
                    content_type=ct,
                    object_id=c.pk,
                )
            )
        Clock.objects.bulk_create(clocks, batch_size=500)
        by_pk = {clock.object_id: clock.pk for clock in Clock.objects.filter(content_type=ct)}
        for c in pushed:
            c.clock_id = by_pk.get(c.pk)
        Clue.objects.bulk_update(pushed, ["clock"], batch_size=500)
        return pushed

    def repairs(self, records):
        from yiwang.credit.models import CreditRepair
        from yiwang.credit.services.repair import repair_earliest
        from yiwang.workdays.selectors import add_workdays

        rng, out = self.rng, []
        for r in records:
            if r.entity is None or r.kind not in ("penalty", "dishonesty") or r.state != "effective":
                continue
            if repair_earliest(r) > self.today - dt.timedelta(days=10) or rng.random() > 0.35:
                continue
            asked = repair_earliest(r) + dt.timedelta(days=rng.randint(0, 20))
            asked = min(asked, self.today - dt.timedelta(days=1))
            due = add_workdays(asked, 5).due
            approved = rng.random() < 0.8 and asked < self.today - dt.timedelta(days=7)
            repair = CreditRepair(
                record=r,
                department=r.department,
                region_id=r.region_id,
                statement="已按处罚决定整改到位、缴清罚款，并签署信用承诺书",
                commitment=True,
                requested_at=_at(asked, 9),
                due_on=due,
            )
            if approved:
                repair.state, repair.decided_at, repair.opinion = (
                    "approved",
                    _at(min(due, self.today), 16),
                    "经核实已纠正失信行为，同意修复",
                )
                r.state, r.ended_at = "repaired", repair.decided_at
            out.append(repair)
        return out

    def financing(self, entities):
        from yiwang.credit.models import FinancingNeed, LoanMatch, LoanProduct
        from yiwang.credit.services.financing import product_fits

        rng = self.rng
        products = [
            LoanProduct(
                bank=b,
                name=n,
                region=self.county,
                min_amount=lo,
                max_amount=hi,
                term_months=t,
                rate_text=rate,
                industries=ind,
                classes=cls,
                collateral_free=free,
                published_at=_at(self.today - dt.timedelta(days=360)),
            )
            for b, n, lo, hi, t, rate, ind, cls, free in BANKS
        ]
        LoanProduct.objects.bulk_create(products)
        needs, matches = [], []
        candidates = [e for e in entities if e.kind != "individual" or rng.random() < 0.06]
        for e in rng.sample(candidates, min(320, len(candidates))):
            amount = (
                rng.choice([5, 10, 20, 30, 50, 80, 100, 200])
                if e.kind != "individual"
                else rng.choice([2, 3, 5, 10, 20])
            )
            term = rng.choice([6, 12, 12, 24, 36])
            published = self.today - dt.timedelta(days=rng.randint(1, 360))
            fitting = [
                p
                for p in products
                if product_fits(
                    p, amount=amount, term_months=term, industry_code=e.industry_code, risk_class=e.risk_class
                )
            ]
            need = FinancingNeed(
                entity=e,
                region_id=e.town_id or e.region_id,
                industry_section=e.industry_code[:1],
                amount=amount,
                term_months=term,
                purpose=rng.choice(
                    [
                        "新建果品冷库",
                        "收购猕猴桃周转资金",
                        "购置农资",
                        "农家乐改造提升",
                        "购置设备",
                        "店面装修",
                        "流动资金",
                    ]
                ),
                published_at=_at(published, 10),
                match_count=len(fitting),
                state="matched" if fitting else "open",
            )
            if fitting and published < self.today - dt.timedelta(days=10) and rng.random() < 0.6:
                product = rng.choice(fitting)
                need.state, need.granted_product = "granted", product
                need.granted_amount = max(1, int(amount * rng.choice([1, 1, 0.8, 0.5])))
                need.granted_at = _at(published + dt.timedelta(days=rng.randint(3, 10)), 15)
            needs.append((need, fitting))
        FinancingNeed.objects.bulk_create([n for n, _ in needs], batch_size=500)
        for need, fitting in needs:
            matches += [
                LoanMatch(need=need, product=p, risk_class=need.entity.risk_class, matched_at=need.published_at)
                for p in fitting
            ]
        LoanMatch.objects.bulk_create(matches, batch_size=1000)
        return len(needs), sum(1 for n, _ in needs if n.state == "granted")

    # --- run ---------------------------------------------------------------------------------------

    def run(self):
        from yiwang.credit import measures
        from yiwang.credit.models import CreditRecord, CreditRepair, Entity, RiskClassChange
        from yiwang.credit.services import false_pledges_import
        from yiwang.measures.services import measures_rebuild

        with transaction.atomic():
            entities = self.entities()
            records = self.records(entities)
            changes = self.history(entities, records)  # sets each entity's class before it is inserted
            Entity.objects.bulk_create(entities, batch_size=1000)
            if entities and entities[0].pk is None:
                ids = dict(Entity.objects.values_list("uscc", "pk"))
                for e in entities:
                    e.pk = ids[e.uscc]
            CreditRecord.objects.bulk_create(records, batch_size=1000)
            repairs = self.repairs(records)
            CreditRepair.objects.bulk_create(repairs, batch_size=500)
            CreditRecord.objects.bulk_update([r for r in records if r.state == "repaired"], ["state", "ended_at"])
            # a repair ends the record's effect: recompute those entities' current class
            repaired_changes = self._after_repair(entities, records)
            changes += repaired_changes
            RiskClassChange.objects.bulk_create(changes, batch_size=1000)
            changed = {c.entity.pk for c in repaired_changes}
            Entity.objects.bulk_update([e for e in entities if e.pk in changed], ["risk_class"], batch_size=500)
            clues = self.clues(entities, records)
            needs, granted = self.financing(entities)
            audit_record(
                actor=None, action="credit.demo_seeded", details={"entities": len(entities), "records": len(records)}
            )
        pledges = false_pledges_import()
        measures_rebuild(metrics=[measures.RECORDS, measures.CLASS_MOVES, measures.CLUES, measures.FINANCING])
        classes = defaultdict(int)
        for e in entities:
            classes[e.risk_class] += 1
        kinds = defaultdict(int)
        for r in records:
            kinds[r.get_kind_display()] += 1
        _write(
            self.stdout,
            f"市场主体 {len(entities)} 户（A {classes['A']}，B {classes['B']}，C {classes['C']}，D {classes['D']}）；分类变更 {len(changes)} 条",
        )
        _write(
            self.stdout,
            "信用记录："
            + "，".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]))
            + f"；虚假承诺转入 {pledges}",
        )
        _write(
            self.stdout,
            f"信用修复 {len(repairs)} 件；风险预警线索 {len(clues)} 条；融资需求 {needs} 笔（放款 {granted}）",
        )

    def _after_repair(self, entities, records):
        from yiwang.credit.models import RiskClassChange
        from yiwang.credit.services.records import assess

        by_entity = defaultdict(list)
        for r in records:
            if r.entity is not None:
                by_entity[r.entity.pk].append(r)
        changes = []
        for e in entities:
            mine = by_entity.get(e.pk)
            if not mine or not any(r.state == "repaired" for r in mine):
                continue
            result = assess(mine, on=self.today)
            if result.risk_class != e.risk_class:
                ended = max(r.ended_at for r in mine if r.state == "repaired")
                changes.append(
                    RiskClassChange(
                        entity=e,
                        region_id=e.town_id or e.region_id,
                        from_class=e.risk_class,
                        to_class=result.risk_class,
                        score=result.score,
                        reason="信用修复",
                        changed_at=ended,
                    )
                )
                e.risk_class = result.risk_class
        return changes
