"""Roll-ups: licences issued, reused and revoked per month, type and department; the incremental
facts equal a rebuild from the rows."""

import datetime as dt

from django.utils import timezone

from yiwang.licences import measures
from yiwang.licences.selectors import licence_figures
from yiwang.licences.services import licence_issue, licence_record_use, licence_revoke
from yiwang.licences.tests.conftest import COMPANY_USCC
from yiwang.measures.selectors import fact_total, measures_check
from yiwang.measures.services import measures_fold, measures_rebuild

METRICS = [measures.ISSUED, measures.REUSED, measures.REVOKED]


def test_incremental_facts_equal_a_rebuild(company_licence, person_licence, business_type, dept_a, handler_a, leader):
    older = licence_issue(
        licence_type=business_type,
        holder_name="眉县金渠镇宏达农资店",
        holder_uscc=COMPANY_USCC,
        fields={"entity_name": "眉县金渠镇宏达农资店", "scope": "化肥、农药零售"},
        department=dept_a,
        issued_on=timezone.localdate() - dt.timedelta(days=90),
        actor=None,
    )
    licence_record_use(licence=company_licence, purpose="银行开户核验", actor=handler_a, department=dept_a)
    licence_record_use(licence=company_licence, purpose="招投标资格审查", actor=handler_a, department=dept_a)
    licence_revoke(licence=older, actor=handler_a, reason="企业注销")

    assert measures_check(metrics=METRICS) == []
    assert fact_total(measures.ISSUED)["count"] == 3
    assert fact_total(measures.ISSUED, key="yyzz")["count"] == 2
    assert fact_total(measures.REUSED, department=dept_a)["count"] == 2
    assert fact_total(measures.REVOKED)["count"] == 1
    measures_fold()
    assert measures_check(metrics=METRICS) == []
    measures_rebuild(metrics=METRICS)
    assert measures_check(metrics=METRICS) == []
    assert fact_total(measures.ISSUED)["count"] == 3

    figures = licence_figures(leader)
    assert sum(r["count"] for r in figures["issued"]) == 3
    assert sum(r["count"] for r in figures["reused"]) == 2


def test_a_handler_sees_only_their_departments_figures(company_licence, person_licence, handler_a):
    figures = licence_figures(handler_a)
    assert [(r["key"], r["count"]) for r in figures["issued"]] == [("yyzz", 1)]


def test_the_figures_count_the_licences_of_the_readers_list(business_type, meixian, dept_a, dept_town, leader):
    """A supervisor's or leader's figures once summed the licences of the departments seated in their
    region: a town's supervisor, whose list holds the town's licences issued by county departments,
    saw only the town government's own."""
    from yiwang.licences.models import Licence
    from yiwang.licences.selectors import licences_for_staff
    from yiwang.org.models import Region, Role
    from yiwang.org.tests.factories import DepartmentFactory, MembershipFactory, UserFactory, region_chain

    qishan = region_chain(
        ("610000", "陕西省", Region.Level.PROVINCE),
        ("610300", "宝鸡市", Region.Level.CITY),
        ("610323", "岐山县", Region.Level.COUNTY),
    )
    qishan_bureau = DepartmentFactory(code="qishan-approval", name="岐山县行政审批服务局", region=qishan)

    def issue(department, region) -> None:
        licence = licence_issue(
            licence_type=business_type,
            holder_name="示例合作社",
            holder_uscc=COMPANY_USCC,
            fields={"entity_name": "示例合作社", "scope": "猕猴桃种植"},
            department=department,
            actor=None,
        )
        Licence.objects.filter(pk=licence.pk).update(region=region)  # as for a case of that region

    for department, region in (
        (dept_a, meixian.huaiya),  # a Huaiya applicant's case decided by the county bureau
        (dept_a, meixian.huaiya_village),
        (dept_town, meixian.huaiya),
        (dept_a, meixian.yingtou),
        (dept_a, meixian.county),
        (qishan_bureau, qishan),
    ):
        issue(department, region)
    measures_rebuild(metrics=METRICS)
    town_supervisor = UserFactory(username="huaiya-supervisor")
    MembershipFactory(user=town_supervisor, role=Role.SUPERVISOR, region=meixian.huaiya)
    qishan_leader = UserFactory(username="qishan-leader")
    MembershipFactory(user=qishan_leader, role=Role.LEADER, region=qishan)

    def issued(user) -> tuple[int, int]:
        return sum(r["count"] for r in licence_figures(user)["issued"]), licences_for_staff(user).count()

    assert issued(town_supervisor) == (3, 3)
    assert issued(leader) == (5, 5)
    assert issued(qishan_leader) == (1, 1)
