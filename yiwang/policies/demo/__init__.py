"""Meixian demo for ``policies``: county, city and provincial 惠企政策 with their rules, matched against
the credit demo's market entities; pushes, applications, grants (免申即享 lists confirmed by the
officers) over the past months; and 一业一证 integrated licences for the approved 饭店 / 农家乐 bundle
cases of the cases demo, with 便利店 and 药店 bundles declared for new applications.

The policies go through the app's services (``policy_create``, ``policy_rules_set``, ``policy_publish``
and ``policy_match`` — the INSERT … SELECT of the live path —, ``policy_grants_confirm`` for the 免申即享
lists, ``policy_expire``, ``integrated_licence_issue``); the months-old applications and grants are
history, written in bulk with ``audit_record_many`` like the services' events, all in one transaction
(a commit per call is a disk flush each on SQLite). The moments are then set back to the days the policies
were issued (documents from months ago) and the roll-ups rebuilt. Policy texts, document numbers and
amounts are illustrative, modelled on the usual county notices. Idempotent: a policy is made once per
document number, an integrated licence once per case.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

RNG_SEED = 17
APPLICATIONS_MAX = 20  # per policy: enough history for the figures, quick to seed
OFFICERS = {
    # department code → (username, display name)
    "agriculture-rural": ("nongye_zhengce", "杨晓峰"),
    "taxation": ("shuiwu_zhengce", "韩丽娟"),
    "human-resources-social-security": ("renshe_zhengce", "贾文斌"),
    "culture-tourism": ("wenlv_zhengce", "曹颖"),
    "finance": ("caizheng_zhengce", "冯建军"),
    "commerce-industry-it": ("shanggong_zhengce", "薛涛"),
}


def _steps(*steps):
    return list(steps)


POLICIES = [
    {
        "title": "眉县猕猴桃产业冷库（气调库）建设补贴",
        "issuer": "眉县农业农村局 眉县财政局",
        "document_number": "眉农发〔2026〕9号",
        "level": "county",
        "department": "agriculture-rural",
        "days_ago": 240,
        "valid_days": 400,
        "benefit_kind": "subsidy",
        "benefit_amount": "30000",
        "benefit_note": "按新增库容每立方米60元补贴，单户最高30万元，标准户按3万元预拨",
        "no_application": False,
        "rules": {
            "mode": "all",
            "conditions": [
                {"attribute": "industry_code", "operator": "prefix", "values": ["A0159", "G595"]},
                {"attribute": "kind", "operator": "in", "values": ["cooperative", "enterprise"]},
                {"attribute": "registered_capital", "operator": "range", "min": "50", "max": None},
                {"attribute": "risk_class", "operator": "not_in", "values": ["D"]},
            ],
        },
        "interpretation": (
            "谁能享受：在本县从事猕猴桃种植、收购、贮藏的农民专业合作社和企业，注册资本50万元以上，信用不属于高风险（D类）。\n"
            "享受什么：新建、改扩建冷库或气调库的，按新增库容每立方米补贴60元，单户最高30万元。\n"
            "怎么办：在“一网”我的惠企政策中点“申请享受”，单位信息自动带入；镇街初审、县农业农村局现场核验后公示拨付。"
        ),
        "steps": _steps(
            "企业在线申请（信息自动带入）",
            "镇（街道）初审",
            "县农业农村局现场核验库容",
            "公示5个工作日",
            "县财政局拨付资金",
        ),
        "apply_share": 0.35,
        "grant_share": 0.8,
    },
    {
        "title": "陕西省小微企业和个体工商户“六税两费”减免",
        "issuer": "陕西省财政厅 国家税务总局陕西省税务局",
        "document_number": "陕财税〔2026〕2号",
        "level": "province",
        "department": "taxation",
        "days_ago": 300,
        "valid_days": 700,
        "benefit_kind": "tax_relief",
        "benefit_amount": "1200",
        "benefit_note": "资源税、城市维护建设税、房产税、城镇土地使用税、印花税（不含证券交易印花税）、耕地占用税和教育费附加、地方教育附加减半征收",
        "no_application": True,
        "rules": {
            "mode": "all",
            "conditions": [
                {"attribute": "size", "operator": "in", "values": ["micro", "small"]},
                {"attribute": "kind", "operator": "in", "values": ["enterprise"]},
                {"attribute": "registered_capital", "operator": "range", "min": None, "max": "100"},
            ],
        },
        "interpretation": (
            "谁能享受：注册资本100万元以下的小型微利企业（个体工商户另按省定办法享受）。\n享受什么：“六税两费”按50%的税额幅度减征。\n"
            "怎么办：免申即享——税务部门按登记信息直接计算减免，申报时自动享受，无需提交任何材料。"
        ),
        "steps": _steps("系统按登记信息比对", "税务局确认名单", "申报期内自动减征", "短信告知减免金额"),
        "grant_share": 1.0,
    },
    {
        "title": "眉县2026年失业保险稳岗返还",
        "issuer": "眉县人力资源和社会保障局 眉县财政局",
        "document_number": "眉人社发〔2026〕15号",
        "level": "county",
        "department": "human-resources-social-security",
        "days_ago": 150,
        "valid_days": 300,
        "benefit_kind": "employment",
        "benefit_amount": "2000",
        "benefit_note": "按上年度实际缴纳失业保险费的60%返还，中小微企业标准户按2000元测算",
        "no_application": True,
        "rules": {
            "mode": "all",
            "conditions": [
                {"attribute": "kind", "operator": "in", "values": ["enterprise", "cooperative"]},
                {"attribute": "risk_class", "operator": "in", "values": ["A", "B"]},
                {"attribute": "age_years", "operator": "range", "min": "1", "max": None},
                {"attribute": "registered_capital", "operator": "range", "min": "500", "max": None},
            ],
        },
        "interpretation": (
            "谁能享受：依法参加失业保险、上年度未裁员或裁员率低于规定标准、信用良好（A、B类）、成立满1年、注册资本500万元以上的企业和合作社（其余参保单位按申报办理）。\n"
            "享受什么：返还上年度实际缴纳失业保险费的60%。\n怎么办：免申即享——县人社局比对名单确认后直接拨付到单位账户。"
        ),
        "steps": _steps("系统比对参保和信用信息", "县人社局确认名单", "公示", "直接拨付到单位账户"),
        "grant_share": 1.0,
    },
    {
        "title": "眉县农家乐提升改造奖补",
        "issuer": "眉县文化和旅游局",
        "document_number": "眉文旅发〔2026〕4号",
        "level": "county",
        "department": "culture-tourism",
        "days_ago": 200,
        "valid_days": 365,
        "benefit_kind": "award",
        "benefit_amount": "5000",
        "benefit_note": "改造厨房、卫生间、客房并通过验收的，每户奖补5000元",
        "no_application": False,
        "towns": ["汤峪镇", "营头镇", "齐镇", "槐芽镇"],
        "rules": {
            "mode": "all",
            "conditions": [{"attribute": "tag", "operator": "has", "values": ["农家乐"]}],
        },
        "interpretation": (
            "谁能享受：汤峪、营头（红河谷）、齐镇、槐芽一带经营的农家乐。\n享受什么：改造厨房、卫生间、客房并通过验收的，每户奖补5000元。\n"
            "怎么办：在线申请，单位信息自动带入，县文旅局会同镇政府验收后拨付。"
        ),
        "steps": _steps("农家乐在线申请", "镇政府初审", "县文旅局验收", "公示", "拨付奖补资金"),
        "apply_share": 0.5,
        "grant_share": 0.7,
    },
    {
        "title": "眉县返乡入乡创业一次性创业补贴",
        "issuer": "眉县人力资源和社会保障局",
        "document_number": "眉人社发〔2026〕21号",
        "level": "county",
        "department": "human-resources-social-security",
        "days_ago": 120,
        "valid_days": 400,
        "benefit_kind": "employment",
        "benefit_amount": "5000",
        "benefit_note": "首次创办个体工商户、正常经营6个月以上的，一次性补贴5000元",
        "no_application": False,
        "rules": {
            "mode": "all",
            "conditions": [
                {"attribute": "kind", "operator": "in", "values": ["individual"]},
                {"attribute": "age_years", "operator": "range", "min": None, "max": "1"},
            ],
        },
        "interpretation": "谁能享受：返乡入乡人员首次创办、成立不满3年的个体工商户。\n享受什么：一次性创业补贴5000元。\n怎么办：在线申请，信息自动带入。",
        "steps": _steps("在线申请", "县就业服务中心审核", "公示", "拨付"),
        "apply_share": 0.3,
        "grant_share": 0.75,
    },
    {
        "title": "宝鸡市中小微企业流动资金贷款贴息",
        "issuer": "宝鸡市财政局 宝鸡市地方金融监督管理局",
        "document_number": "宝财金〔2026〕7号",
        "level": "city",
        "department": "finance",
        "days_ago": 90,
        "valid_days": 270,
        "benefit_kind": "loan_interest",
        "benefit_amount": "8000",
        "benefit_note": "按贷款市场报价利率的50%贴息，单户最高20万元",
        "no_application": False,
        "rules": {
            "mode": "all",
            "conditions": [
                {"attribute": "kind", "operator": "in", "values": ["enterprise"]},
                {"attribute": "size", "operator": "in", "values": ["micro", "small", "medium"]},
                {"attribute": "industry_code", "operator": "prefix", "values": ["C", "F", "G", "H"]},
                {"attribute": "risk_class", "operator": "in", "values": ["A", "B"]},
            ],
        },
        "interpretation": "谁能享受：制造、批发零售、仓储物流、住宿餐饮行业的中小微企业，信用A、B类。\n享受什么：流动资金贷款按LPR的50%贴息。\n怎么办：在线申请，附贷款合同和付息凭证。",
        "steps": _steps("企业在线申请", "合作银行核对贷款", "县财政局审核", "市财政局复核拨付"),
        "apply_share": 0.15,
        "grant_share": 0.6,
    },
    {
        "title": "眉县高新技术企业认定奖励",
        "issuer": "眉县商务和工业信息化局",
        "document_number": "眉商工发〔2026〕6号",
        "level": "county",
        "department": "commerce-industry-it",
        "days_ago": 60,
        "valid_days": 600,
        "benefit_kind": "award",
        "benefit_amount": "100000",
        "benefit_note": "首次认定为国家高新技术企业的，一次性奖励10万元",
        "no_application": True,
        "rules": {"mode": "all", "conditions": [{"attribute": "tag", "operator": "has", "values": ["高新技术企业"]}]},
        "interpretation": "谁能享受：首次认定为国家高新技术企业的本县企业。\n享受什么：一次性奖励10万元。\n怎么办：免申即享，认定结果公布后直接兑现。",
        "steps": _steps("认定结果公布", "系统比对", "确认名单", "直接兑现"),
        "grant_share": 1.0,
    },
    {
        "title": "2025年农家乐纾困经营补贴",
        "issuer": "眉县文化和旅游局 眉县财政局",
        "document_number": "眉文旅发〔2025〕11号",
        "level": "county",
        "department": "culture-tourism",
        "days_ago": 420,
        "valid_days": 160,
        "benefit_kind": "subsidy",
        "benefit_amount": "2000",
        "benefit_note": "持续经营的农家乐每户一次性补贴2000元",
        "no_application": True,
        "rules": {"mode": "all", "conditions": [{"attribute": "tag", "operator": "has", "values": ["农家乐"]}]},
        "interpretation": "谁能享受：持续经营的农家乐。\n享受什么：每户一次性补贴2000元。\n怎么办：免申即享。",
        "steps": _steps("系统比对", "确认名单", "直接拨付"),
        "grant_share": 0.9,
        "expire": True,
    },
    {
        "title": "眉县电商直播带货奖补（征求意见稿）",
        "issuer": "眉县商务和工业信息化局",
        "document_number": "眉商工函〔2026〕30号",
        "level": "county",
        "department": "commerce-industry-it",
        "days_ago": 10,
        "valid_days": 365,
        "benefit_kind": "award",
        "benefit_amount": None,
        "benefit_note": "按年度线上销售额分档奖励",
        "no_application": False,
        "rules": {
            "mode": "all",
            "conditions": [{"attribute": "industry_code", "operator": "prefix", "values": ["F52"]}],
        },
        "interpretation": "征求意见中，尚未发布。",
        "steps": _steps("在线申请", "审核", "拨付"),
        "draft": True,
    },
]

INDUSTRIES = [
    # code, name, bundle code, new bundle (name, lead, item codes) when the catalog has none
    ("fandian", "饭店", "wo-yao-kai-fandian", None),
    ("nongjiale", "农家乐", "wo-yao-kai-nongjiale", None),
    (
        "bianlidian",
        "便利店",
        "wo-yao-kai-bianlidian",
        ("我要开便利店", ["610326-QR-0008", "610326-BA-0023", "610326-XK-0131"]),
    ),
    (
        "yaodian",
        "药店",
        "wo-yao-kai-yaodian",
        ("我要开药店", ["610326-QR-0004", "610326-XK-0013", "610326-BA-0006"]),
    ),
]


def _say(stdout, text):
    if stdout is not None:
        stdout.write(text)


def _officers(stdout):
    from django.contrib.auth.password_validation import validate_password  # noqa: F401

    from yiwang.org.demo.generate import generate_password
    from yiwang.org.models import Department, Membership, Role, User
    from yiwang.org.services import membership_grant, user_create

    officers = {}
    for code, (username, name) in OFFICERS.items():
        department = Department.objects.filter(code=code).first()
        if department is None:
            continue
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(username=username, password=generate_password(), display_name=name, actor=None)
            _say(
                stdout,
                f"  政策专员账号 {username}（{name}，{department.short_name}；密码用 manage.py changepassword 设置）\n",
            )
        if not Membership.objects.filter(user=user, role=Role.HANDLER, department=department).exists():
            membership_grant(user=user, role=Role.HANDLER, department=department, actor=None)
        officers[code] = (department, user)
    return officers


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def seed(*, stdout=None) -> None:
    """Policies, matches, pushes, applications and grants; 一业一证 licences. Idempotent."""
    started = time.monotonic()
    from yiwang.credit.models import Entity

    if not Entity.objects.exists():
        _say(stdout, "  惠企政策：没有市场主体（credit 演示数据未加载），跳过\n")
        return
    from django.db import transaction

    officers = _officers(stdout)
    # One transaction for the history: a commit per service call (hundreds of them, each a disk flush on
    # SQLite) is what made the seed slow; the deliveries and tasks the services schedule run after it.
    with transaction.atomic():
        made = _policies(officers, stdout)
        issued = _integrated(stdout)
    from yiwang.measures.services import measures_rebuild

    from .. import measures

    measures_rebuild(metrics=[measures.PUBLISHED, measures.REACH, measures.GRANT_DAYS, measures.INTEGRATED])
    _say(
        stdout,
        f"惠企政策：新增 {made} 条政策，一业一证发证 {issued} 张（{time.monotonic() - started:.1f} 秒）\n",
    )


def _policies(officers, stdout) -> int:
    from yiwang.org.models import Region, User

    from .. import services
    from ..models import Policy, PolicyMatch

    rng = random.Random(RNG_SEED)
    today = timezone.localdate()
    now = timezone.now()
    towns = dict(Region.objects.filter(level=Region.Level.TOWN).values_list("name", "code"))
    accounts = {u.uscc: u for u in User.objects.exclude(uscc="")}
    made = 0
    for spec in POLICIES:
        if (
            spec["department"] not in officers
            or Policy.objects.filter(document_number=spec["document_number"]).exists()
        ):
            continue
        department, officer = officers[spec["department"]]
        issued = today - dt.timedelta(days=spec["days_ago"])
        expires = issued + dt.timedelta(days=spec["valid_days"])
        policy = services.policy_create(
            actor=officer,
            department=department,
            values={
                "title": spec["title"],
                "issuer": spec["issuer"],
                "document_number": spec["document_number"],
                "level": spec["level"],
                "issued_on": issued,
                "effective_on": issued,
                "expires_on": max(expires, today) if spec.get("expire") else expires,
                "full_text": _full_text(spec),
                "interpretation": spec["interpretation"],
                "steps": spec["steps"],
                "benefit_kind": spec["benefit_kind"],
                "benefit_amount": Decimal(spec["benefit_amount"]) if spec["benefit_amount"] else None,
                "benefit_note": spec["benefit_note"],
                "no_application": spec["no_application"],
            },
        )
        rules = spec["rules"]
        if spec.get("towns"):
            codes = [towns[name] for name in spec["towns"] if name in towns]
            rules = {
                **rules,
                "conditions": [*rules["conditions"], {"attribute": "town", "operator": "in", "values": codes}],
            }
        services.policy_rules_set(policy=policy, actor=officer, rules=rules)
        made += 1
        if spec.get("draft"):
            continue
        services.policy_publish(policy=policy, actor=officer)  # matching runs as the (eager) task after commit
        services.policy_match(policy=policy)  # and here, in case a caller holds a transaction open
        policy.refresh_from_db()
        published_at = _at(issued, 9, 30)
        matches = list(PolicyMatch.objects.filter(policy=policy).select_related("entity", "region").order_by("pk"))
        applied = _applications(policy, matches, spec, rng, accounts)
        granted = _grants(policy, matches, applied, spec, rng, officer)
        if spec.get("expire"):
            services.policy_expire(policy=policy, actor=officer)
        _backdate(policy, published_at, spec, rng, now)
        _say(
            stdout,
            f"  {policy.title}：匹配 {len(matches)} 户，申请 {len(applied)} 户，兑现 {granted} 户\n",
        )
    return made


def _full_text(spec) -> str:
    return (
        f"{spec['issuer']}关于印发《{spec['title']}实施办法》的通知\n{spec['document_number']}\n\n"
        "各镇人民政府、街道办事处，县级有关部门：\n"
        f"为贯彻落实优化营商环境有关部署，支持市场主体纾困发展，现将《{spec['title']}实施办法》印发给你们，请认真抓好落实。\n\n"
        f"第一条 扶持对象。{spec['interpretation'].splitlines()[0].removeprefix('谁能享受：')}\n"
        f"第二条 扶持标准。{spec['benefit_note']}。\n"
        "第三条 办理程序。" + "；".join(spec["steps"]) + "。\n"
        "第四条 监督管理。对弄虚作假骗取资金的，依法追回并纳入信用记录。\n"
        "第五条 本办法由承办部门负责解释，自印发之日起施行。"
    )


def _applications(policy, matches, spec, rng, accounts) -> list:
    """Months-old applications written in bulk (免填报: the registration copied in, as the service does).

    History, not live work: one UPDATE per row batch and one ``audit_record_many``, no notices (the
    enterprises were told at the time); the roll-ups are rebuilt at the end of the seed.
    """
    from yiwang.core.audit import AuditEntry, audit_record_many

    from ..models import PolicyMatch
    from ..services import application_prefill

    if policy.no_application or not matches:
        return []
    share = spec.get("apply_share", 0)
    chosen = [m for m in matches if m.entity.uscc in accounts or rng.random() < share][:APPLICATIONS_MAX]
    now = timezone.now()
    for match in chosen:
        entity = match.entity
        phone = f"1389171{rng.randint(0, 9999):04d}"
        match.applied_at = now
        match.application = {
            **application_prefill(entity),
            "contact_name": entity.legal_representative or "经办人",
            "contact_phone_masked": phone[:3] + "****" + phone[-4:],
            "note": "",
        }
    PolicyMatch.objects.bulk_update(chosen, ["applied_at", "application"], batch_size=500)
    audit_record_many(
        actor=None,
        action="policy.applied",
        entries=[AuditEntry(obj=m, after={"applied_at": now}, region_code=m.region.code) for m in chosen],
    )
    return chosen


def _grants(policy, matches, applied, spec, rng, officer) -> int:
    """免申即享 lists go through the officer's confirmation (one service call, bulk inside); grants to
    applicants are history, written in bulk and audited like ``policy_match_grant``'s."""
    from yiwang.core.audit import AuditEntry, audit_record_many

    from .. import services
    from ..models import PolicyMatch

    share = spec.get("grant_share", 0)
    if policy.no_application:
        ids = [m.pk for m in matches if rng.random() < share]
        if ids:
            return len(services.policy_grants_confirm(policy=policy, actor=officer, match_ids=ids))
        return 0
    granted = [m for m in applied if rng.random() < share]
    if not granted:
        return 0
    now = timezone.now()
    amount = policy.benefit_amount or Decimal("0")
    for match in granted:
        match.granted_at, match.amount, match.granted_by = now, amount, officer
    PolicyMatch.objects.bulk_update(granted, ["granted_at", "amount", "granted_by"], batch_size=500)
    audit_record_many(
        actor=officer,
        action="policy.granted",
        entries=[
            AuditEntry(obj=m, after={"granted_at": now, "amount": amount}, region_code=m.region.code) for m in granted
        ],
    )
    return len(granted)


def _backdate(policy, published_at, spec, rng, now):
    """Set the moments back to when the document was issued and worked through (the services wrote now)."""
    from ..models import Policy, PolicyMatch

    latest = now - dt.timedelta(hours=1)
    matched_at = published_at + dt.timedelta(minutes=5)
    expired_at = None
    if spec.get("expire"):
        expired_at = min(_at(policy.issued_on + dt.timedelta(days=spec["valid_days"]), 0, 5), latest)
    Policy.objects.filter(pk=policy.pk).update(
        published_at=published_at,
        matched_at=matched_at,
        expired_at=expired_at,
        expires_on=policy.issued_on + dt.timedelta(days=spec["valid_days"]),
    )
    horizon = (expired_at or latest) - matched_at
    matches = PolicyMatch.objects.filter(policy=policy)
    matches.update(matched_at=matched_at)
    matches.filter(notified_at__isnull=False).update(notified_at=matched_at)
    # Applications and grants spread over the following weeks: one UPDATE per day offset, not per row.
    applied_on: dict[int, dt.datetime] = {}
    for pk in matches.filter(applied_at__isnull=False).values_list("pk", flat=True):
        applied_on[pk] = min(
            matched_at + dt.timedelta(days=rng.randint(2, 40), hours=rng.randint(0, 8)), matched_at + horizon
        )
    granted_on: dict[int, dt.datetime] = {}
    if policy.no_application:  # the officer confirmed the whole list on one day
        confirmed = min(matched_at + dt.timedelta(days=rng.randint(7, 25), hours=rng.randint(1, 6)), latest)
        matches.filter(granted_at__isnull=False).update(granted_at=confirmed)
        return
    for pk in matches.filter(granted_at__isnull=False).values_list("pk", flat=True):
        start = applied_on.get(pk, matched_at)
        days = rng.randint(5, 30) if pk in applied_on else rng.randint(3, 25)
        granted_on[pk] = min(start + dt.timedelta(days=days, hours=rng.randint(0, 6)), latest)
    for field, moments in (("applied_at", applied_on), ("granted_at", granted_on)):
        by_moment: dict[dt.datetime, list[int]] = {}
        for pk, moment in moments.items():
            by_moment.setdefault(moment, []).append(pk)
        for moment, pks in by_moment.items():
            PolicyMatch.objects.filter(pk__in=pks).update(**{field: moment})


def _integrated(stdout) -> int:
    from yiwang.catalog.models import Bundle, ServiceItem
    from yiwang.catalog.services import bundle_create
    from yiwang.org.models import Department, User

    from ..integrated import industry_licence_type_create, integrated_cases_due, integrated_licence_issue

    department = Department.objects.filter(code="admin-approval").first()
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    if department is None:
        return 0
    for code, name, bundle_code, new in INDUSTRIES:
        bundle = Bundle.objects.filter(code=bundle_code).first()
        if bundle is None and new is not None and admin is not None:
            bundle_name, item_codes = new
            if ServiceItem.objects.filter(code__in=item_codes).count() == len(item_codes):
                bundle = bundle_create(
                    code=bundle_code,
                    name=bundle_name,
                    lead_department=department,
                    item_codes=item_codes,
                    actor=admin,
                    description=f"一业一证：开{name}所需的各项许可一次申请，办结后发放一张{name}行业综合许可证。",
                    audience="both",
                    target_days=5,
                    keywords=f"开{name} {name} 一业一证",
                )
        if bundle is not None:
            industry_licence_type_create(code=code, name=name, bundle=bundle, department=department, actor=None)
    issued = 0
    for case in integrated_cases_due().filter(~Q(decided_at=None)):
        integrated_licence_issue(case=case, actor=None, issued_at=case.decided_at)
        issued += 1
    return issued
