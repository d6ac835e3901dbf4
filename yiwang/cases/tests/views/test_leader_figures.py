"""The leader page reads the monthly facts; on the same data it shows the figures the history gave."""

import datetime as dt
import statistics

import pytest
from django.db.models import Avg, Count, Q

from yiwang.cases import selectors, services
from yiwang.cases.models import DECIDED_STATES, Case, CaseState, Channel, DeliveryMethod
from yiwang.measures.models import MonthlyFact

from ..clock import at
from ..conftest import FORM, complete_steps

pytestmark = pytest.mark.django_db
ALL = ("M01", "M02", "M03", "M04")
MARCH = {"start": "2026-03-01", "end": "2026-03-31"}


def _decide(case, handler, day, outcome="approved"):
    with at(day):
        services.case_assign(case=case, actor=handler)
        complete_steps(case, handler)
        services.case_decide(case=case, actor=handler, outcome=outcome, reasons="符合条件")


def _opening(submitted, decided, *, enterprise_user, company, opening_bundle, clerk, handlers):
    with at(submitted):
        case = services.case_submit(
            actor=enterprise_user, applicant=company, bundle=opening_bundle, form_data={"entity_address": "眉县常兴镇"}
        )
        services.case_accept(case=case, actor=clerk, received=("B01", "B02", "B03"))
    for child, handler in zip(case.children.order_by("number"), handlers, strict=True):
        _decide(child, handler, decided)
    return case


def _from_history():
    """The figures as the page computed them from the case rows before the roll-ups (March 2026)."""
    march = Case.objects.filter(
        submitted_at__date__gte=dt.date(2026, 3, 1), submitted_at__date__lte=dt.date(2026, 3, 31)
    )
    applications = march.filter(parent__isnull=True)
    decided = Case.objects.filter(
        bundle__isnull=True,
        decided_at__date__gte=dt.date(2026, 3, 1),
        decided_at__date__lte=dt.date(2026, 3, 31),
        state__in=[*DECIDED_STATES, CaseState.DELIVERED],
    )
    totals = applications.aggregate(
        submitted=Count("pk"),
        online=Count("pk", filter=Q(channel=Channel.ONLINE)),
        fully_online=Count("pk", filter=Q(channel=Channel.ONLINE, visits=0, delivery_method=DeliveryMethod.ELECTRONIC)),
        zero_visit=Count(
            "pk", filter=Q(visits=0) & ~Q(state__in=[CaseState.SUBMITTED, CaseState.CORRECTION_REQUESTED])
        ),
        pledges=Count("pk", filter=Q(has_pledge=True)),
        deferred=Count("pk", filter=Q(deferred__isnull=False), distinct=True),
    )
    d = decided.aggregate(n=Count("pk"), on_time=Count("pk", filter=Q(on_time=True)), avg=Avg("decided_workdays"))
    by_department = [
        (row["department__short_name"], row["n"], row["on_time"])
        for row in decided.values("department__short_name")
        .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(on_time=True)))
        .order_by("-n", "department__short_name")
    ]
    opening = list(
        Case.objects.filter(bundle__code="qiye-kaiban", elapsed_workdays__isnull=False).values_list(
            "elapsed_workdays", flat=True
        )
    )
    return totals, d, by_department, opening


def test_the_leader_page_shows_the_figures_the_history_gives(
    client, leader, citizen, person, enterprise_user, company, food_item, opening_bundle, clerk, handler_a, handler_b
):
    for decide_on in (dt.date(2026, 3, 4), dt.date(2026, 3, 20)):
        with at(dt.date(2026, 3, 2)):
            case = services.case_submit(
                actor=citizen, applicant=person, item=food_item, form_data=FORM, delivery_method="electronic"
            )
            services.case_accept(case=case, actor=clerk, received=ALL)
        _decide(case, handler_a, decide_on)
    with at(dt.date(2026, 3, 3)):
        withdrawn = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
        services.case_withdraw(case=withdrawn, actor=citizen)
        deferred = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
        services.case_accept(case=deferred, actor=clerk, received=("M01", "M02", "M04"), deferred_materials=("M03",))
    # 企业开办 submitted Mon 2 Mar, done the same day, one and two working days later.
    for decided in (dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)):
        _opening(
            dt.date(2026, 3, 2),
            decided,
            enterprise_user=enterprise_user,
            company=company,
            opening_bundle=opening_bundle,
            clerk=clerk,
            handlers=(handler_a, handler_b),
        )
    assert MonthlyFact.objects.exists()  # the services kept the roll-ups

    client.force_login(leader)
    page = client.get("/cases/leader/", MARCH)
    m = page.context["m"]
    totals, d, by_department, opening = _from_history()
    assert (m.submitted, m.online, m.fully_online, m.zero_visit, m.pledges, m.deferred) == (
        totals["submitted"],
        totals["online"],
        totals["fully_online"],
        totals["zero_visit"],
        totals["pledges"],
        totals["deferred"],
    )
    assert (m.submitted, m.fully_online, m.deferred) == (7, 2, 1)
    assert (m.decided, m.on_time, m.avg_workdays) == (d["n"], d["on_time"], d["avg"])
    assert [(r["department"], r["decided"], r["on_time"]) for r in m.by_department] == by_department
    assert m.opening["completed"] == len(opening) == 3
    assert m.opening["median_workdays"] == statistics.median(opening) == 1
    text = page.content.decode()
    assert f'<span class="value">{m.submitted} <small class="fs-6">件</small></span>申请件数' in text
    assert f"{m.on_time} ÷ {m.decided} 件部门办件" in text
    assert "用时中位数 <strong>1 个工作日" in text


def test_the_opening_target_is_one_working_day_and_the_share_counts_within_it(
    leader, enterprise_user, company, opening_bundle, clerk, handler_a, handler_b
):
    # Plan 三、2: 企业开办 done within 1 working day. Same day and next day are within; two days are not.
    for decided in (dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4), dt.date(2026, 3, 4)):
        _opening(
            dt.date(2026, 3, 2),
            decided,
            enterprise_user=enterprise_user,
            company=company,
            opening_bundle=opening_bundle,
            clerk=clerk,
            handlers=(handler_a, handler_b),
        )
    opening = selectors.case_measures(leader, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31)).opening
    assert opening["target_days"] == 1
    assert (opening["completed"], opening["within_target"], opening["within_share"]) == (4, 2, 0.5)
    assert opening["median_workdays"] == 1.5  # the mean of the two middle values, as statistics.median
    assert [b["n"] for b in opening["distribution"]] == [1, 1, 2, 0, 0]


def test_the_histogram_median_is_the_exact_median():
    for values in ([0], [0, 1], [3, 0, 0, 7, 1], [2, 2, 5, 9], list(range(11))):
        histogram = {}
        for v in values:
            histogram[v] = histogram.get(v, 0) + 1
        assert selectors.histogram_median(histogram) == statistics.median(values)
    assert selectors.histogram_median({}) is None
