"""Meixian demo for 企业开办 of companies that did not exist yet (plan 四（一）1, 三、2).

Unlike the bulk history (:mod:`.bulk`), each founding here goes through the services at a moment in
the past working days (the one form, the window's acceptance, each department's decision), so the
code each company holds was assigned by the registration's approval from the county's range, a
``credit.Entity`` exists for it, and its time is measured as on any day: most are done within one
working day, a few are not — and say which sub-case was late. The companies are illustrative.

The 企业开办 items are handled in one step after acceptance (受理 → 核准, one person: 企业开办专区
一窗通办); the departments without a demo handler get one back-office account (password not shown;
``manage.py changepassword`` sets one). Idempotent: a company already applied for is skipped.
"""

from __future__ import annotations

import datetime as dt
import secrets
from contextlib import contextmanager
from unittest import mock
from zoneinfo import ZoneInfo

from django.utils import timezone

from yiwang.cases import services
from yiwang.cases.founding_models import Founding
from yiwang.cases.founding_selectors import opening_target_days
from yiwang.cases.models import ApplicantKind, ReviewChain
from yiwang.cases.services import ApplicantInput
from yiwang.cases.services.founding import FoundingInput, ShareholderInput, founding_submit, opening_bundle
from yiwang.core.identifiers import make_id_number
from yiwang.org.models import Department, Membership, Region, Role, ServiceHall, User
from yiwang.workdays.selectors import add_workdays, is_workday

SHANGHAI = ZoneInfo("Asia/Shanghai")
ONE_STEP = [{"name": "受理", "role": "clerk", "share": 0.0}, {"name": "核准", "role": "handler", "share": 1.0}]
BACK_OFFICE = {
    # department code → (username, name) of the person handling 企业开办 sub-cases there
    "public-security": ("chenxiaodong", "陈晓东"),
    "taxation": ("wanglina", "王丽娜"),
    "human-resources-social-security": ("liuyang", "刘洋"),
    "housing-provident-fund": ("songjia", "宋佳"),
    "pboc-meixian": ("xuehui", "薛慧"),
    "admin-approval": ("zhoumin", "周敏"),
}

# name, town, address, scope, capital (万元), founder (name, birth, seq), partner or None, working days
# back, {sub-case title: working days after submission it completes} (missing = the same day), why late
COMPANIES = [
    (
        "眉县齐峰猕猴桃冷链仓储有限公司",
        "齐镇",
        "齐镇齐镇村五组果品交易市场东侧",
        "农产品冷藏保鲜服务；普通货物仓储服务；新鲜水果批发",
        "300",
        ("齐卫东", "1979-04-18", "015"),
        ("齐小梅", "1983-10-02", "026"),
        18,
        {"企业银行基本存款账户开立": 1},
    ),
    (
        "眉县红河谷云栖农家乐有限公司",
        "营头镇",
        "营头镇红河谷村二组18号",
        "餐饮服务；住宿服务；农产品零售；休闲观光活动",
        "30",
        ("杨建红", "1985-06-21", "037"),
        None,
        15,
        {},
    ),
    (
        "眉县秦岭果仓电子商务有限公司",
        "首善街道",
        "首善街道滨河社区电商孵化园3楼306室",
        "互联网销售（除销售需要许可的商品）；新鲜水果零售；农产品的生产、销售、加工、运输、贮藏及其他相关服务",
        "50",
        ("李建军", "1988-02-09", "051"),
        ("赵欣然", "1992-12-30", "062"),
        12,
        {},
    ),
    (
        "眉县汤峪温泉山居农家乐有限公司",
        "汤峪镇",
        "汤峪镇汤峪村温泉路66号",
        "餐饮服务；住宿服务；洗浴服务",
        "80",
        ("汤立新", "1976-08-11", "019"),
        None,
        10,
        {"印章刻制备案": 2},
    ),
    (
        "眉县金渠金果猕猴桃气调库有限公司",
        "金渠镇",
        "金渠镇宁渠村冷库园区12号",
        "农产品冷藏保鲜服务；普通货物仓储服务；果品收购",
        "500",
        ("王金渠", "1972-01-25", "013"),
        ("王磊", "1996-05-17", "035"),
        8,
        {},
    ),
    (
        "眉县常兴优果农产品电子商务有限公司",
        "常兴镇",
        "常兴镇常兴村电商服务站二楼",
        "互联网销售（除销售需要许可的商品）；农副产品销售；包装服务",
        "20",
        ("常雪", "1994-09-03", "048"),
        None,
        6,
        {},
    ),
    (
        "眉县槐芽鲜果冷链物流有限公司",
        "槐芽镇",
        "槐芽镇槐芽村三组冷库园区8号",
        "道路货物运输（不含危险货物）；农产品冷藏保鲜服务；新鲜水果批发",
        "200",
        ("张海峰", "1986-09-14", "035"),
        ("李文静", "1990-02-28", "046"),
        4,
        {},
    ),
    (
        "眉县横渠书院研学旅行有限公司",
        "横渠镇",
        "横渠镇横渠村书院街9号",
        "旅行社服务网点旅游招徕、咨询服务；组织文化艺术交流活动",
        "10",
        ("张横渠", "1981-11-11", "057"),
        None,
        3,
        {"新办纳税人涉税信息确认": 2, "发票领用及税控设备发行": 2},
    ),
]


# Why a sub-case of the demo finished after the target (shown with the decision).
LATE_REASONS = {
    "企业银行基本存款账户开立": "法定代表人须到银行面签核实开户意愿，按预约次日办结",
    "印章刻制备案": "刻章企业当日产能已满，顺延两个工作日交付印章",
    "单位住房公积金缴存登记": "单位经办人身份信息需补充核实，次日办结",
    "新办纳税人涉税信息确认": "税务UKey发行系统升级暂停，恢复后办结",
    "发票领用及税控设备发行": "税务UKey发行系统升级暂停，恢复后办结",
}


@contextmanager
def _at(moment: dt.datetime):
    with (
        mock.patch("yiwang.cases.services._common._now", return_value=moment),
        mock.patch("yiwang.cases.services._common._today", return_value=moment.date()),
    ):
        yield


def _workdays_back(today: dt.date, n: int) -> dt.date:
    day = today
    while n > 0:
        day -= dt.timedelta(days=1)
        if is_workday(day):
            n -= 1
    return day


def _back_office(stdout) -> dict[int, User]:
    """One handler per 企业开办 department (existing demo handlers first)."""
    handlers = {}
    for code, (username, name) in BACK_OFFICE.items():
        department = Department.objects.filter(code=code).first()
        if department is None:
            continue
        member = Membership.objects.filter(role=Role.HANDLER, department=department).select_related("user").first()
        if member is None:
            user = User.objects.filter(username=username).first()
            if user is None:
                from yiwang.org.services import user_create

                user = user_create(
                    username=username, password=secrets.token_urlsafe(16) + "Aa1!", display_name=name, actor=None
                )
            member = Membership.objects.create(user=user, role=Role.HANDLER, department=department)
            stdout.write(
                f"  企业开办专区经办人 {username}（{name}，{department.short_name}；密码用 manage.py changepassword 设置）"
            )
        handlers[department.pk] = member.user
    return handlers


def seed(stdout=None) -> None:
    import sys

    stdout = stdout or sys.stdout
    bundle = opening_bundle()
    county = Region.objects.filter(code="610326").first()
    hall = ServiceHall.objects.filter(kind=ServiceHall.Kind.COUNTY_HALL).order_by("pk").first()
    clerk = Membership.objects.filter(role=Role.CLERK, hall=hall).select_related("user").first() if hall else None
    if bundle is None or county is None or clerk is None:
        stdout.write("  企业开办：未发布“一件事”或缺少窗口人员，跳过")
        return
    admin = User.objects.filter(memberships__role=Role.ADMIN).order_by("pk").first()
    for bundle_item in bundle.bundle_items.select_related("item", "item__implementing_department"):
        if admin is not None and not ReviewChain.objects.filter(item=bundle_item.item).exists():
            services.review_chain_set(item=bundle_item.item, steps=ONE_STEP, actor=admin)
    handlers = _back_office(stdout)
    towns = {r.name: r for r in Region.objects.filter(level=Region.Level.TOWN, path__startswith=county.path)}
    founders = {u.display_name: u for u in User.objects.filter(memberships__role=Role.CITIZEN)}
    today = timezone.localdate()
    created = late = 0
    for name, town, address, scope, capital, person, partner, back, delays in COMPANIES:
        if Founding.objects.filter(proposed_name=name).exists() or town not in towns:
            continue
        submitted_on = _workdays_back(today, back)
        founder_id = make_id_number("610326", dt.date.fromisoformat(person[1]), person[2])
        holders = [ShareholderInput(person[0], founder_id, capital)]
        kind = "llc_sole"
        if partner is not None:
            partner_id = make_id_number("610326", dt.date.fromisoformat(partner[1]), partner[2])
            major = (int(capital) * 7) // 10
            holders = [
                ShareholderInput(person[0], founder_id, str(major)),
                ShareholderInput(partner[0], partner_id, str(int(capital) - major)),
            ]
            kind = "llc"
        user = founders.get(person[0])
        moment = dt.datetime.combine(submitted_on, dt.time(9, 20), tzinfo=SHANGHAI)
        with _at(moment):
            case = founding_submit(
                actor=user,
                founder=ApplicantInput(kind=ApplicantKind.PERSON, name=person[0], id_number=founder_id, user=user),
                data=FoundingInput(
                    proposed_name=name,
                    company_type=kind,
                    registered_capital=capital,
                    town=towns[town],
                    address_detail=address.removeprefix(town),
                    business_scope=scope,
                    legal_representative=person[0],
                    legal_representative_id_number=founder_id,
                    shareholders=holders,
                    seal_kinds=["公章", "财务专用章", "发票专用章"],
                    invoice_kinds=["增值税普通发票（电子）"],
                    invoice_monthly=25,
                    employees=3,
                    fund_ratio=5,
                    bank="陕西眉县农村商业银行" if created % 2 else "中国农业银行眉县支行",
                    bank_date=add_workdays(submitted_on, 1).due,
                ),
            )
        with _at(moment + dt.timedelta(minutes=25)):
            codes = list(case.materials.values_list("code", flat=True))
            services.case_accept(case=case, actor=clerk.user, received=codes)
        children = list(case.children.select_related("item").order_by("number"))
        # The registration first (it assigns the code), then the others; all in the order of time.
        children.sort(key=lambda c: not c.title.endswith("设立登记"))
        steps = []
        for n, child in enumerate(children):
            days = delays.get(child.title, 0)
            day = add_workdays(submitted_on, days).due if days else submitted_on
            steps.append(
                (dt.datetime.combine(day, dt.time(11 if days else 10, 5 + n * 7), tzinfo=SHANGHAI), child, days)
            )
        for at, child, days in sorted(steps, key=lambda step: step[0]):
            handler = handlers.get(child.department_id)
            if handler is None:
                continue
            with _at(at):
                services.case_assign(case=child, actor=handler)
                services.case_decide(
                    case=child,
                    actor=handler,
                    outcome="approved",
                    reasons=LATE_REASONS.get(child.title, "顺延办结") if days else "材料齐全，符合法定形式，准予办理",
                )
        case.refresh_from_db()
        created += 1
        late += (case.elapsed_workdays or 0) > opening_target_days()
    if created:
        stdout.write(f"  企业开办（一表填报、设立登记时赋码）：{created} 家，其中超出1个工作日 {late} 家")
