"""Meixian demo for ``ratings``: six months of ratings on the demo's finished cases and replied appeals,
rectifications in every state, and two quarterly service checks with findings.

History is written in bulk (like the cases and hotline demos): ratings and rectifications bypass the
services, which would audit and notify thousands of historical steps one by one; their deadlines
still come from the working-day calendar and their figures from a rebuild of the roll-ups, and the run
records one audit event. The two service checks go through the services (a few dozen steps), with
the first quarter's dates moved back to that quarter. Idempotent: a second run creates nothing.

Most ratings are good (非常满意 / 满意); a few per cent are bad, each with a rectification: older ones
accepted (some after a send-back, a few annulled on appeal), recent ones in every state, some overdue.
Cases nobody rated count as 基本满意 after 7 working days (the county default policy).
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from yiwang.cases.models import Case
from yiwang.core.audit import audit_record
from yiwang.hotline.models import Appeal, Reply, Revisit
from yiwang.org.models import Department, Membership, Region, Role, ServiceHall, User
from yiwang.workdays.deadlines import clock_status
from yiwang.workdays.models import Clock
from yiwang.workdays.selectors import add_workdays

from .. import measures as m
from ..conf import setting
from ..models import Level, Monitor, Rating, RatingChannel, Rectification, ServiceCheck
from ..services.ratings import (
    FINISHED_CASE_STATES,
    RATEABLE_APPEAL_STATES,
    appeal_rater_id,
    ratings_record_unrated,
)

S = Rectification.State
C = Rectification.Classification
SEED = 20261130
REBUILD_HINT = "manage.py measures rebuild " + " ".join(f"--metric {name}" for name in m.METRICS)

BAD_COMMENTS = [
    "窗口人员态度生硬，问了两遍才回答",
    "排队等了一个多小时，窗口只开了两个",
    "一次性告知不清楚，来回跑了三趟",
    "网上申请后迟迟没有人审核",
    "办事指南上的材料和窗口要求不一致",
    "电话咨询一直占线，没人接听",
    "要求提供的证明可以内部核验却让我去开",
    "自助终端坏了没人管",
]
GOOD_COMMENTS = ["办事快，态度好", "一次就办成了", "帮办代办很贴心", "不用跑腿，网上就办好了", ""]
MEASURES = [
    "对窗口人员进行批评教育，开展服务礼仪培训，纳入月度考核",
    "高峰时段增开两个综合窗口，推行弹性窗口制度",
    "重新梳理一次性告知单，与办事指南逐项核对后上墙公示",
    "明确网上申请1个工作日内预审，超时自动提醒",
    "更新办事指南材料清单，删除可内部核验的证明",
    "增设咨询专线并安排专人接听",
]
EXPLANATIONS = ["该证明为法定要件，已向群众解释依据", "所涉事项法定需现场核验原件，已解释说明"]


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def _level(rng: random.Random, bad_share: float = 0.06) -> int:
    x = rng.random()
    if x < bad_share * 0.35:
        return Level.VERY_DISSATISFIED
    if x < bad_share:
        return Level.DISSATISFIED
    if x < bad_share + 0.09:
        return Level.BASIC
    if x < bad_share + 0.39:
        return Level.SATISFIED
    return Level.VERY_SATISFIED


def seed(*, stdout=None) -> None:
    started = timezone.now()
    changed = False
    with transaction.atomic():  # one commit for the whole seed (each commit is a disk flush)
        if Rating.objects.exclude(channel=RatingChannel.DEFAULT).exists():
            _say(stdout, "好差评：演示数据已存在，跳过评价")
        else:
            counts = _seed_ratings(random.Random(SEED), now=started)
            audit_record(actor=None, action="ratings.demo_seeded", details=counts)
            _say(stdout, f"好差评：评价 {counts['ratings']} 条，差评整改 {counts['rectifications']} 件")
            changed = True
        unrated = ratings_record_unrated()  # through the services: counted in the roll-ups as it goes
        if any(unrated.values()):
            _say(stdout, f"好差评：未评价视为基本满意 {unrated['cases'] + unrated['appeals']} 件")
        changed |= _seed_checks(stdout, random.Random(SEED + 1))
    if changed:
        # The bulk history and the moved check dates are counted by the rebuild that ends
        # ``manage.py demo``; run on its own, the seed leaves that rebuild to the operator.
        _say(stdout, f"好差评：月度统计待重算（manage.py demo 最后统一重算；单独运行时请执行 {REBUILD_HINT}）")
    _say(stdout, f"好差评：完成（{(timezone.now() - started).total_seconds():.1f} 秒）")


# --- ratings and rectifications -----------------------------------------------------------------


def _hall_clerks() -> dict[int, list[int]]:
    clerks: dict[int, list[int]] = {}
    for hall_id, user_id in Membership.objects.filter(role=Role.CLERK, hall__isnull=False).values_list(
        "hall_id", "user_id"
    ):
        clerks.setdefault(hall_id, []).append(user_id)
    return clerks


def _seed_ratings(rng: random.Random, *, now: dt.datetime) -> dict:
    clerks = _hall_clerks()
    cutoff_default = now - dt.timedelta(days=12)
    ratings: list[Rating] = []
    cases = (
        Case.objects.filter(state__in=FINISHED_CASE_STATES, parent__isnull=True, decided_at__isnull=False)
        .exclude(pk__in=Rating.objects.filter(case__isnull=False).values("case_id"))
        .select_related("item")
        .only(  # the encrypted contact fields are not read (each costs a decryption)
            "number",
            "title",
            "channel",
            "region_id",
            "department_id",
            "hall_id",
            "window_id",
            "assigned_to_id",
            "item__code",
            "applicant_user_id",
            "applicant_name",
            "decided_at",
        )
        .order_by("pk")
    )
    for case in cases.iterator(chunk_size=2000):
        at_hall = case.channel != "online"  # counter, town centre, village station, kiosk: the pad
        x = rng.random()
        if x < 0.72:  # rated by the applicant
            level = _level(rng)
            channel = (
                RatingChannel.PAD
                if at_hall
                else rng.choice([RatingChannel.ONLINE, RatingChannel.APP, RatingChannel.SMS])
            )
            rated_at = min(case.decided_at + dt.timedelta(minutes=rng.randint(1, 60 * 48 if not at_hall else 10)), now)
            staff = rng.choice(clerks.get(case.hall_id) or [case.assigned_to_id]) if at_hall else case.assigned_to_id
            comment = rng.choice(BAD_COMMENTS) if level <= 2 else rng.choice(GOOD_COMMENTS)
            real = True
        elif case.decided_at < cutoff_default:  # nobody rated: 基本满意 after 7 working days
            level, channel, comment, real, staff = Level.BASIC, RatingChannel.DEFAULT, "", False, case.assigned_to_id
            rated_at = case.decided_at + dt.timedelta(days=10)
        else:
            continue  # recent and not yet rated: the applicant may still rate it
        scores = {}
        if channel != RatingChannel.DEFAULT:
            indicators = setting("INDICATORS").get(channel, {})
            scores = {k: max(1, min(5, level + rng.choice([0, 0, 0, 1, -1]))) for k in indicators}
            scores["overall"] = level
        ratings.append(
            Rating(
                case=case,
                subject_number=case.number,
                subject_title=case.title[:200],
                region_id=case.region_id,
                department_id=case.department_id,
                hall_id=case.hall_id,
                window_id=case.window_id,
                staff_id=staff,
                item_id=case.item_id,
                item_code=case.item.code if case.item_id else "",
                level=level,
                scores=scores,
                comment=comment,
                channel=channel,
                rater_id=case.applicant_user_id if real else None,
                rater_name=case.applicant_name if real else "",
                real_name=real,
                finished_at=case.decided_at,
                rated_at=rated_at,
            )
        )
    ratings += _appeal_ratings(rng, now=now, cutoff_default=cutoff_default)
    Rating.objects.bulk_create(ratings, batch_size=1000)
    bad = [r for r in ratings if r.level <= 2]
    rectifications = _rectifications(rng, bad, now=now)
    return {"ratings": len(ratings), "rectifications": rectifications}


def _appeal_ratings(rng: random.Random, *, now: dt.datetime, cutoff_default: dt.datetime) -> list[Rating]:
    appeals = (
        Appeal.objects.filter(state__in=RATEABLE_APPEAL_STATES, lead_department__isnull=False, replied_at__isnull=False)
        .exclude(pk__in=Rating.objects.filter(appeal__isnull=False).values("appeal_id"))
        .only(
            "code",
            "title",
            "channel",
            "region_id",
            "lead_department_id",
            "replied_at",
            "anonymous",
            "contact_name",
            "submitted_by_id",
        )
        .order_by("pk")
    )
    revisits = {
        r.appeal_id: r
        for r in Revisit.objects.only("appeal_id", "satisfaction", "comment").order_by("revisited_at", "id")
    }
    repliers = dict(Reply.objects.order_by("replied_at", "id").values_list("appeal_id", "replied_by_id"))
    out = []
    for appeal in appeals.iterator(chunk_size=2000):
        revisit = revisits.get(appeal.pk)
        online = appeal_rater_id(appeal) is not None and rng.random() < 0.5
        if online:
            level, channel = _level(rng), RatingChannel.ONLINE
            rated_at = min(appeal.replied_at + dt.timedelta(hours=rng.randint(1, 72)), now)
            comment = rng.choice(BAD_COMMENTS) if level <= 2 else rng.choice(GOOD_COMMENTS)
        elif revisit is not None and appeal.replied_at < cutoff_default:
            level, channel = revisit.satisfaction, RatingChannel.HOTLINE
            rated_at, comment = appeal.replied_at + dt.timedelta(days=10), str(revisit.comment or "")
        elif appeal.replied_at < cutoff_default:
            level, channel, comment = Level.BASIC, RatingChannel.DEFAULT, ""
            rated_at = appeal.replied_at + dt.timedelta(days=10)
        else:
            continue
        real = channel != RatingChannel.DEFAULT and not appeal.anonymous
        out.append(
            Rating(
                appeal=appeal,
                subject_number=appeal.code,
                subject_title=str(appeal.title)[:200],
                region_id=appeal.region_id,
                department_id=appeal.lead_department_id,
                staff_id=repliers.get(appeal.pk),
                level=level,
                scores={"overall": level} if channel == RatingChannel.HOTLINE else {},
                comment=comment,
                channel=channel,
                rater_id=appeal_rater_id(appeal) if real else None,
                rater_name=(appeal.contact_name or "") if real else "",
                real_name=real,
                finished_at=appeal.replied_at,
                rated_at=rated_at,
            )
        )
    return out


RECENT_STATES = [S.VERIFYING, S.CLASSIFYING, S.APPEALED, S.RECTIFYING, S.REPLYING, S.REVISITING, S.REVIEWING]


def _rectifications(rng: random.Random, bad: list[Rating], *, now: dt.datetime) -> int:
    days = int(setting("RECTIFICATION_WORKDAYS"))
    today = timezone.localdate(now)
    rows = []
    bad.sort(key=lambda r: r.rated_at)
    recent_from = len(bad) - len(RECENT_STATES) * 2
    for index, rating in enumerate(bad):
        opened = rating.rated_at
        due = add_workdays(opened, days)
        r = Rectification(
            number=f"ZG{opened:%Y}{index + 1:07d}",
            source=Rectification.Source.RATING,
            rating=rating,
            region_id=rating.region_id,
            department_id=rating.department_id,
            hall_id=rating.hall_id,
            summary=f"{rating.get_level_display()}：{rating.subject_title}——{rating.comment}"[:200],
            real_name=rating.real_name,
            opened_at=opened,
            due_on=due.due,
        )
        state = RECENT_STATES[(index - recent_from) % len(RECENT_STATES)] if index >= recent_from else None
        if state is None:
            state = S.ANNULLED if rng.random() < 0.05 else S.CLOSED
        _walk(rng, r, state, now=now, today=today)
        rows.append(r)
    for n, r in enumerate(rows):
        r.number = f"ZG{r.opened_at:%Y}{n + 1:07d}"
    Rectification.objects.bulk_create(rows, batch_size=1000)
    content_type = ContentType.objects.get_for_model(Rectification)
    region_codes = dict(Region.objects.values_list("pk", "code"))
    clocks = []
    for r in rows:
        stopped = r.state in (S.CLOSED, S.ANNULLED)
        paused = r.state in (S.APPEALED, S.REVIEWING)
        clock = Clock(
            label="整改期限",
            started_at=r.opened_at,
            days=days,
            due_on=r.due_on,
            state=Clock.State.STOPPED if stopped else (Clock.State.PAUSED if paused else Clock.State.RUNNING),
            paused_since=timezone.localdate(r.revisited_at or r.classified_at or now) if paused else None,
            stopped_on=timezone.localdate(r.closed_at) if stopped else None,
            region_code=region_codes.get(r.region_id, ""),
            content_type=content_type,
            object_id=r.pk,
        )
        clock.status = clock_status(clock, today)
        clocks.append(clock)
    Clock.objects.bulk_create(clocks, batch_size=1000)
    for r, clock in zip(rows, clocks, strict=True):
        r.clock_id = clock.pk
    Rectification.objects.bulk_update(rows, ["clock"], batch_size=1000)
    return len(rows)


def _at(base: dt.datetime, hours: float, now: dt.datetime) -> dt.datetime:
    return min(base + dt.timedelta(hours=hours), now)


def _walk(rng: random.Random, r: Rectification, state: str, *, now: dt.datetime, today: dt.date) -> None:
    """Fill the steps a rectification has taken to reach ``state``."""
    r.state = state
    order = [S.VERIFYING, S.CLASSIFYING, S.RECTIFYING, S.REPLYING, S.REVISITING, S.REVIEWING, S.CLOSED]
    # an overdue few among the open ones: their steps were slow
    slow = state in (S.VERIFYING, S.RECTIFYING) and rng.random() < 0.5
    t = r.opened_at
    if state == S.ANNULLED or state == S.APPEALED:
        reached = order.index(S.CLASSIFYING)
    else:
        reached = order.index(state)
    if reached >= 1:
        t = _at(t, rng.uniform(2, 20), now)
        r.called_back = rng.random() < 0.96 or not r.real_name
        r.callback_note = "已电话联系评价人，核实情况属实" if r.called_back else "电话无人接听，已短信告知"
        r.verified_at = t
    explain = rng.random() < 0.12
    if state in (S.APPEALED, S.ANNULLED):
        t = _at(t, rng.uniform(2, 20), now)
        r.classification = C.APPEAL
        r.classification_note = "调取窗口录音录像，办理过程规范，评价与事实不符"
        r.classified_at = t
        if state == S.ANNULLED:
            t = _at(t, rng.uniform(4, 30), now)
            r.appeal_decision_note = "经督查室核查，证据充分，申诉成立"
            r.closed_at = t
        return
    if reached >= 2:
        t = _at(t, rng.uniform(2, 24), now)
        r.classification = C.EXPLAIN if explain else rng.choice([C.FIX_NOW, C.FIX_WITHIN])
        r.classification_note = rng.choice(EXPLANATIONS) if explain else "诉求清楚合理，予以整改"
        r.classified_at = t
    if reached >= 3 and not explain:
        t = _at(t, rng.uniform(8, 60), now)
        r.measures_taken = rng.choice(MEASURES)
        r.rectified_at = t
    if reached >= 4:
        t = _at(t, rng.uniform(1, 12), now)
        r.reply = (
            r.measures_taken
            and f"您反映的问题已整改：{r.measures_taken}。感谢监督！"
            or "已向您解释说明相关规定，感谢理解。"
        )
        r.replied_at = t
    if reached >= 5:
        t = _at(t, rng.uniform(4, 40) * (3 if rng.random() < 0.08 else 1), now)
        r.revisit_level = rng.choice([Level.VERY_SATISFIED, Level.SATISFIED, Level.SATISFIED, Level.BASIC])
        r.revisit_note = "回访评价人，对整改结果表示认可"
        r.revisited_at = t
        r.on_time = timezone.localdate(t) <= r.due_on
    if state == S.CLOSED:
        if rng.random() < 0.08:
            r.sent_back_count = 1
        t = _at(t, rng.uniform(2, 30), now)
        r.closed_at = t
        r.review_note = "整改到位，同意办结" if not r.sent_back_count else "二次整改到位，同意办结"
    if slow:
        r.opened_at = r.opened_at - dt.timedelta(days=12)
        r.due_on = add_workdays(r.opened_at, int(setting("RECTIFICATION_WORKDAYS"))).due


# --- two quarterly service checks ---------------------------------------------------------------

MONITORS = [
    ("高洁", Monitor.Kind.SUPERVISOR, "县政府督查室"),
    ("杜文斌", Monitor.Kind.SUPERVISOR, "县营商环境建设办公室"),
    ("张建国", Monitor.Kind.CITIZEN, "营头镇红河谷村村民代表"),
    ("李秀梅", Monitor.Kind.ENTERPRISE, "眉县秦岭猕猴桃冷链有限公司"),
    ("王海波", Monitor.Kind.DEPUTY, "县人大代表"),
    ("刘晓燕", Monitor.Kind.CITIZEN, "首善街道东关社区居民代表"),
]
FINDINGS = {
    # quarter → (hall kind filter, department short name, category, severity, description, fixed?)
    3: [
        ("county_hall", "县行政审批服务局", "attitude", "general", "2号综合窗口工作人员午间提前离岗，群众等候", True),
        ("county_hall", "县行政审批服务局", "guidance", "minor", "食品经营许可办事指南未随新版实施清单更新", True),
        ("county_hall", "县市场监管局", "efficiency", "general", "个体工商户变更登记网上预审超过1个工作日", True),
        ("town_centre", "县住建局", "facilities", "minor", "镇便民服务中心自助终端故障一周未报修", True),
        ("county_hall", "县住建局", "discipline", "serious", "不动产窗口要求群众提供可内部核验的户籍证明", False),
    ],
    4: [
        ("county_hall", "县行政审批服务局", "attitude", "general", "再次发现窗口人员接待群众时使用手机", False),
        ("town_centre", "县住建局", "facilities", "minor", "便民服务中心取号机无适老化大字模式", True),
        ("county_hall", "县市场监管局", "online", "general", "网办平台食品经营许可上传材料页面频繁超时", False),
        ("county_hall", "县行政审批服务局", "guidance", "minor", "一次性告知单缺少容缺受理说明", False),
    ],
}


def _seed_checks(stdout, rng: random.Random) -> bool:
    """Two quarters' checks through the services; whether anything was created."""
    supervisor = User.objects.filter(memberships__role=Role.SUPERVISOR).order_by("pk").first()
    county = Region.objects.filter(level=Region.Level.COUNTY, code="610326").first()
    if supervisor is None or county is None:
        return False
    from ..services import (
        check_assign,
        check_close,
        check_schedule,
        finding_record,
        monitor_add,
        rectification_rectify,
        rectification_reply,
        rectification_review,
        rectification_revisit,
    )

    monitors = [
        monitor_add(region=county, name=name, kind=kind, organisation=org, actor=supervisor)
        for name, kind, org in MONITORS
    ]
    halls = list(
        ServiceHall.objects.filter(region__path__startswith=county.path).select_related("region").order_by("pk")
    )
    departments = {d.short_name: d for d in Department.objects.all()}
    year = timezone.localdate().year
    created = 0
    for quarter in (3, 4):
        if ServiceCheck.objects.filter(region=county, year=year, quarter=quarter).exists():
            continue
        check = check_schedule(region=county, year=year, quarter=quarter, actor=supervisor)
        for n, hall in enumerate(halls):
            for monitor in (monitors[n % len(monitors)], monitors[(n + 2) % len(monitors)]):
                check_assign(check=check, monitor=monitor, hall=hall, actor=supervisor)
        for kind, dept_name, category, severity, text, fixed in FINDINGS[quarter]:
            hall = next((h for h in halls if h.kind == kind), halls[0])
            department = departments.get(dept_name) or next(iter(departments.values()))
            finding = finding_record(
                check=check,
                hall=hall,
                department=department,
                category=category,
                severity=severity,
                description=text,
                monitor=rng.choice(monitors),
                window=hall.windows.order_by("number").first() if category in ("attitude", "discipline") else None,
                actor=supervisor,
            )
            created += 1
            if fixed:
                handler = User.objects.filter(
                    memberships__role=Role.HANDLER, memberships__department=department
                ).first()
                if handler is None:
                    continue
                r = finding.rectification
                r = rectification_rectify(
                    rectification=r,
                    measures_taken=f"已整改：{text.split('，')[0]}问题已纠正并建立长效机制",
                    actor=handler,
                )
                r = rectification_reply(rectification=r, reply="已按要求整改完毕，请复查", actor=handler)
                r = rectification_revisit(rectification=r, level=Level.SATISFIED, note="督查室复查合格", actor=handler)
                rectification_review(rectification=r, accept=True, note="复查合格，同意销号", actor=supervisor)
        if quarter == 3:
            check_close(check=check, actor=supervisor)
            _move_to_quarter(check, year=year, quarter=3)
    if created:
        _say(stdout, f"好差评：效能大体检 2 次，发现问题 {created} 项")
    return bool(created)


def _move_to_quarter(check: ServiceCheck, *, year: int, quarter: int) -> None:
    """Date a check's rows in its own quarter (the services stamp today)."""
    start = timezone.make_aware(dt.datetime(year, 3 * quarter - 2, 1, 9)) + dt.timedelta(days=20)
    ServiceCheck.objects.filter(pk=check.pk).update(scheduled_at=start - dt.timedelta(days=10))
    for n, finding in enumerate(check.findings.select_related("rectification")):
        at = start + dt.timedelta(days=n, hours=n)
        type(finding).objects.filter(pk=finding.pk).update(recorded_at=at)
        r = finding.rectification
        shift = at - r.opened_at
        due = add_workdays(at, r.clock.days if r.clock_id else 5).due
        fields = {"opened_at": at, "due_on": due}
        for name in ("rectified_at", "replied_at", "revisited_at", "closed_at"):
            value = getattr(r, name)
            if value is not None:
                fields[name] = value + shift + dt.timedelta(days=2)
        if r.revisited_at is not None:
            fields["on_time"] = timezone.localdate(fields["revisited_at"]) <= due
        Rectification.objects.filter(pk=r.pk).update(**fields)
        if r.clock_id:
            Clock.objects.filter(pk=r.clock_id).update(
                started_at=at,
                due_on=due,
                stopped_on=timezone.localdate(fields["closed_at"]) if "closed_at" in fields else None,
            )
