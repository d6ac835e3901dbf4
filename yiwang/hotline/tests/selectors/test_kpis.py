"""The three rates, on-time replies, returns, extensions and reopenings on a small fixture."""

import datetime as dt

import pytest
from django.utils import timezone

from yiwang.hotline import selectors, services
from yiwang.org.tests.factories import DepartmentFactory


@pytest.fixture
def history(make_appeal, operator, dept_a, dept_b, handler_a, handler_b, travel):
    today = timezone.localdate()
    # A: replied on time, satisfied and resolved.
    a1 = services.appeal_dispatch(appeal=make_appeal(), department=dept_a, actor=operator)
    services.appeal_sign_off(appeal=a1, actor=handler_a)
    services.appeal_reply(appeal=a1, content="已修补完毕，感谢您的反映。", actor=handler_a)
    services.appeal_revisit(appeal=a1, resolved=True, satisfaction=4, actor=operator)
    # A: extension asked; replied late; unresolved and dissatisfied within power → reopened.
    a2 = services.appeal_dispatch(appeal=make_appeal(title="第二件"), department=dept_a, actor=operator)
    services.appeal_sign_off(appeal=a2, actor=handler_a)
    ext = services.appeal_extension_request(appeal=a2, days=1, reason="需要协调施工队伍", actor=handler_a)
    services.appeal_extension_decide(extension=ext, approve=False, note="时限充足", actor=operator)
    with travel.to(travel.after_workdays(today, 7)):
        services.appeal_reply(appeal=a2, content="已处理，但还需进一步协调。", actor=handler_a)
        services.appeal_revisit(appeal=a2, resolved=False, satisfaction=1, within_power=True, actor=operator)
    # B: returned within the limit.
    b1 = services.appeal_dispatch(appeal=make_appeal(title="第三件"), department=dept_b, actor=operator)
    services.appeal_return(appeal=b1, reason="不属于本部门职责范围", actor=handler_b)
    # B: signed off late.
    b2 = services.appeal_dispatch(appeal=make_appeal(title="第四件"), department=dept_b, actor=operator)
    with travel.to(travel.after_workdays(today, 3)):
        services.appeal_sign_off(appeal=b2, actor=handler_b)
    return today


def test_it_computes_the_rates_by_department(history, leader, dept_a, dept_b, travel):
    with travel.to(travel.after_workdays(history, 8)):
        end = timezone.localdate()
        report = selectors.appeal_kpis(user=leader, start=history.replace(day=1) - dt.timedelta(days=31), end=end)
    rows = {d.code: k for d, k in report.by_department()}

    a, b = rows[dept_a.code], rows[dept_b.code]
    assert (a.dispatched, a.responded, a.response_rate) == (2, 2, 1.0)
    assert (a.revisited, a.resolved, a.satisfied) == (2, 1, 1)
    assert a.resolution_rate == a.satisfaction_rate == 0.5
    assert (a.replies, a.replies_on_time, a.on_time_rate) == (2, 1, 0.5)
    assert (a.extensions, a.reopened, a.returns) == (1, 1, 0)
    assert (b.dispatched, b.responded, b.returns) == (2, 1, 1)
    assert report.total.dispatched == 4


def test_it_shows_no_rates_to_a_handler(history, handler_a):
    report = selectors.appeal_kpis(
        user=handler_a, start=history - dt.timedelta(days=40), end=history + dt.timedelta(days=20)
    )
    assert report.total.dispatched == 0


def test_it_counts_hotspots_by_category_and_town(make_appeal, categories, meixian, leader):
    make_appeal(category=categories["roads"])
    make_appeal(category=categories["roads"])
    make_appeal(category=categories["food"], town=meixian.huaiya, title="餐馆卫生", content="槐芽镇一家餐馆卫生很差。")

    today = timezone.localdate()
    data = selectors.hotspots(user=leader, start=today - dt.timedelta(days=1), end=today)

    assert data.counts[(categories["roads"].pk, meixian.yingtou.pk)] == 2
    assert data.counts[(categories["food"].pk, meixian.huaiya.pk)] == 1
    assert data.categories[0] == categories["roads"] and data.total == 3


def test_it_summarises_the_unresolved_register_by_month(clerk, meixian):
    services.unresolved_register(
        channel="window",
        summary="社保卡激活失败",
        description="老人社保卡激活反复失败，跑了两次。",
        tier="simple",
        actor=clerk,
        resolution="solved",
        resolution_note="现场协助激活成功",
    )
    services.unresolved_register(
        channel="phone",
        summary="不动产登记材料",
        description="要求提供已遗失的原始合同。",
        tier="complex",
        department=DepartmentFactory(code="natural-resources", name="眉县自然资源局"),
        actor=clerk,
    )

    (month, *_rest) = selectors.unresolved_monthly_summary()

    assert month.total == 2 and month.resolved == 1 and month.on_time_rate == 1.0
    assert month.by_tier == {"简单（现场解决）": 1, "一般（1个工作日）": 0, "复杂（7个工作日）": 1}


def _scanned(start, end, now):
    """The figures as the dashboard computed them before the roll-ups: a scan of the history rows."""
    from collections import defaultdict

    from django.db.models import Count, Q
    from django.db.models.functions import TruncMonth

    from yiwang.hotline.models import Dispatch, ExtensionRequest, Reply, ReturnRequest, Revisit

    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start.replace(day=1), dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    today = timezone.localtime(now).date()
    cells = defaultdict(lambda: defaultdict(int))

    def grouped(qs, field, **counts):
        rows = qs.filter(**{f"{field}__gte": lo, f"{field}__lt": hi}).annotate(month=TruncMonth(field, tzinfo=tz))
        for row in rows.values("department_id", "month").annotate(**counts).order_by():
            yield cells[(row["department_id"], timezone.localtime(row["month"]).date())], row

    dispatches = Dispatch.objects.exclude(state="closed", responded_on_time__isnull=True).filter(
        Q(responded_on_time__isnull=False) | Q(sign_off_clock__due_on__lt=today) | Q(sign_off_due_at__lt=now)
    )
    for cell, row in grouped(
        dispatches, "dispatched_at", n=Count("id"), ok=Count("id", filter=Q(responded_on_time=True))
    ):
        cell["dispatched"] += row["n"]
        cell["responded"] += row["ok"]
    revisits = Revisit.objects.filter(department__isnull=False)
    for cell, row in grouped(
        revisits,
        "revisited_at",
        n=Count("id"),
        resolved=Count("id", filter=Q(resolved=True)),
        satisfied=Count("id", filter=Q(satisfaction__gte=3)),
        reopened=Count("id", filter=Q(outcome="reopened")),
    ):
        cell["revisited"] += row["n"]
        for name in ("resolved", "satisfied", "reopened"):
            cell[name] += row[name]
    replies = Reply.objects.filter(department__isnull=False)
    for cell, row in grouped(replies, "replied_at", n=Count("id"), ok=Count("id", filter=Q(on_time=True))):
        cell["replies"] += row["n"]
        cell["replies_on_time"] += row["ok"]
    for cell, row in grouped(ReturnRequest.objects.all(), "requested_at", n=Count("id")):
        cell["returns"] += row["n"]
    for cell, row in grouped(ExtensionRequest.objects.all(), "requested_at", n=Count("id")):
        cell["extensions"] += row["n"]
    return {key: dict(values) for key, values in cells.items()}


def test_the_roll_ups_give_the_figures_a_scan_of_the_history_gave(
    history, client, leader, dispatcher, make_appeal, operator, dept_a, dept_b, travel
):
    from dataclasses import asdict

    from django.urls import reverse

    from yiwang.measures.services import measures_rebuild

    # An unsigned dispatch past its sign-off limit counts as due and not answered.
    services.appeal_dispatch(appeal=make_appeal(title="第五件"), department=dept_a, actor=operator)
    with travel.to(travel.after_workdays(history, 8)) as now:
        start, end = history.replace(day=1) - dt.timedelta(days=31), timezone.localdate()
        expected = _scanned(start, end, now)
        for user in (leader, dispatcher):
            report = selectors.appeal_kpis(user=user, start=start, end=end)
            got = {key: {k: v for k, v in asdict(kpi).items() if v} for key, kpi in report.cells.items()}
            assert got == {key: {k: v for k, v in values.items() if v} for key, values in expected.items()}
        assert report.total.dispatched == 5 and report.total.responded == 3
        measures_rebuild()
        assert selectors.appeal_kpis(user=leader, start=start, end=end).cells == report.cells

        client.force_login(leader)
        page = client.get(reverse("hotline:dashboard"), {"start": start.strftime("%Y-%m")}).content.decode()
    assert "3 ÷ 5 次派单" in page  # responded on time / due or done
    assert "1 ÷ 2 次回访" in page  # resolved / revisited
