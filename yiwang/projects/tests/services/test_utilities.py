"""Utility connections: the plan's electricity limits by category (四(三)1), water and gas county
defaults, approvals run in parallel as cases with results sent to the utility (四(三)2, 3)."""

import pytest

from yiwang.core.errors import ApplicationError
from yiwang.core.models import InboxMessage
from yiwang.measures.selectors import fact_total
from yiwang.projects import services
from yiwang.projects.conf import DEFAULTS
from yiwang.projects.models import UtilityConnection
from yiwang.workdays.models import Clock
from yiwang.workdays.selectors import add_workdays

from ..conftest import BUILDER_USCC, approve, deny

pytestmark = pytest.mark.django_db

PLAN_ELECTRICITY = {"resident": 5, "low_voltage_sanling": 20, "low_voltage": 6, "high_single": 22, "high_dual": 32}


def test_it_keeps_the_plans_electricity_limits_and_says_what_each_covers():
    # Plan 四(三)1: 居民 5, 三零 低压非居民 20, 未实行三零 6, 高压单电源 22, 高压双电源 32 working days.
    assert {k: v["days"] for k, v in DEFAULTS["ELECTRICITY"].items()} == PLAN_ELECTRICITY
    assert all(v["steps"] for v in DEFAULTS["ELECTRICITY"].values())
    assert "外线工程" in DEFAULTS["ELECTRICITY"]["low_voltage_sanling"]["steps"]


@pytest.mark.parametrize("category,days", sorted(PLAN_ELECTRICITY.items()))
def test_each_electricity_category_runs_on_its_own_clock(gc_departments, handlers, meixian, category, days):
    power = handlers["state-grid-meixian"]
    connection = services.connection_apply(
        kind="electricity",
        category=category,
        applicant_name="眉县金渠镇宏达果品冷库",
        address="金渠镇",
        region=meixian.county,
        actor=power,
    )
    clock = Clock.objects.get(pk=connection.clock_id)
    assert connection.days == days == clock.days
    assert clock.due_on == add_workdays(connection.accepted_at, days).due
    assert connection.utility.code == "state-grid-meixian"
    assert connection.number.startswith("YD")


def test_water_and_gas_use_county_defaults(gc_departments, handlers, meixian):
    # County defaults (plan 四(四) gives no numbers), labelled 县级默认值 where shown.
    assert {k: v["days"] for k, v in DEFAULTS["WATER"].items()} == {"resident": 5, "non_resident": 10}
    assert {k: v["days"] for k, v in DEFAULTS["GAS"].items()} == {"resident": 5, "non_resident": 12}
    water = services.connection_apply(
        kind="water",
        category="non_resident",
        applicant_name="眉县秦岭果业有限公司",
        address="经开区",
        region=meixian.county,
        actor=handlers["meixian-water"],
    )
    gas = services.connection_apply(
        kind="gas",
        category="resident",
        applicant_name="李建军",
        address="首善街道",
        region=meixian.county,
        actor=handlers["china-gas-meixian"],
    )
    assert (water.days, water.utility.code) == (10, "meixian-water")
    assert (gas.days, gas.utility.code) == (5, "china-gas-meixian")


def test_bad_input_is_refused_and_nothing_is_stored(gc_departments, handlers, meixian):
    power = handlers["state-grid-meixian"]
    for kwargs, code in (
        ({"kind": "steam", "category": "resident"}, "utility.kind_invalid"),
        ({"kind": "electricity", "category": "medium"}, "utility.category_invalid"),
        ({"kind": "electricity", "category": "resident", "approvals": ["road_digging"]}, "utility.uscc_required"),
        ({"kind": "electricity", "category": "resident", "approvals": ["tunnel"]}, "utility.approval_invalid"),
    ):
        with pytest.raises(ApplicationError) as error:
            services.connection_apply(
                applicant_name="王秀兰", address="东关社区", region=meixian.county, actor=power, **kwargs
            )
        assert error.value.code == code
    assert not UtilityConnection.objects.exists()


def test_approvals_run_as_cases_and_results_reach_the_utility(gc_items, handlers, meixian, enterprise_user, clerk):
    power = handlers["state-grid-meixian"]
    connection = services.connection_apply(
        kind="electricity",
        category="high_single",
        applicant_name="眉县秦岭果业有限公司",
        applicant_uscc=BUILDER_USCC,
        address="眉县经开区渭河大道北侧",
        region=meixian.county,
        approvals=["road_digging", "route_planning"],
        actor=enterprise_user,
    )
    approvals = {a.kind: a for a in connection.approvals.select_related("case", "case__department")}
    assert approvals["road_digging"].case.department.code == "urban-management"
    assert approvals["route_planning"].case.department.code == "natural-resources"
    with pytest.raises(ApplicationError) as error:
        services.connection_complete(connection=connection, actor=power)
    assert error.value.code == "utility.approvals_pending"

    approve(approvals["road_digging"].case, clerk=clerk, handler=handlers["urban-management"])
    deny(approvals["route_planning"].case, clerk=clerk, handler=handlers["natural-resources"])
    results = dict(connection.approvals.values_list("kind", "result"))
    assert results == {"road_digging": "approved", "route_planning": "denied"}
    assert connection.approvals.filter(result_sent_at__isnull=False).count() == 2
    inbox = InboxMessage.objects.filter(user=power, template="projects.utility_approval_result")
    assert inbox.count() == 2
    assert any("准予许可" in m.body for m in inbox) and any("不予许可" in m.body for m in inbox)


def test_completing_counts_days_against_the_limit(gc_departments, handlers, meixian):
    power = handlers["state-grid-meixian"]
    connection = services.connection_apply(
        kind="electricity",
        category="resident",
        applicant_name="王秀兰",
        address="东关社区",
        region=meixian.county,
        actor=power,
    )
    connection = services.connection_complete(connection=connection, actor=power)
    assert connection.state == "connected" and connection.used_workdays == 0 and connection.on_time is True
    total = fact_total("projects.connections", key="electricity:resident")
    assert (total["count"], total["on_time"]) == (1, 1)
    with pytest.raises(ApplicationError) as error:
        services.connection_complete(connection=connection, actor=power)
    assert error.value.code == "utility.invalid_transition"
    with pytest.raises(ApplicationError) as error:
        services.connection_complete(connection=connection, actor=handlers["meixian-water"])
    assert error.value.code == "project.not_permitted"


def test_the_applicants_sms_carries_the_connections_county(gc_departments, handlers, meixian):
    from yiwang.core.models import OutboxMessage

    connection = services.connection_apply(
        kind="water",
        category="resident",
        applicant_name="王秀兰",
        applicant_phone="13891712345",
        address="首善街道东关社区",
        region=meixian.county,
        actor=handlers["meixian-water"],
    )
    sms = OutboxMessage.objects.get(dedupe_key__startswith=f"connection:{connection.pk}:accepted")
    assert sms.region_code == meixian.county.code  # the sharding key (docs/scale.md)
