import pytest
from django.utils import timezone

from yiwang.core.errors import ApplicationError
from yiwang.hotline import services
from yiwang.hotline.models import UnresolvedMatter
from yiwang.org.tests.factories import DepartmentFactory
from yiwang.workdays.selectors import add_workdays


def register(actor, **overrides):
    values = {
        "channel": "window",
        "summary": "异地医保备案不会在手机上操作",
        "description": "老人在窗口反映异地就医备案手机操作不会，窗口让回医保局办理，跑了两趟没办成。",
        "tier": "general",
        "reporter_name": "王秀兰",
        "reporter_phone": "13891760231",
    }
    values.update(overrides)
    if "department" not in values and not values.get("resolution"):
        values["department"] = DepartmentFactory(code="medical-security", name="眉县医疗保障局")
    return services.unresolved_register(actor=actor, **values)


@pytest.mark.parametrize(("tier", "days"), [("simple", 0), ("general", 1), ("complex", 7)])
def test_it_sets_the_plan_limit_per_tier(clerk, meixian, tier, days):
    matter = register(clerk, tier=tier)

    assert matter.clock.due_on == add_workdays(timezone.localdate(), days).due
    assert matter.state == UnresolvedMatter.State.OPEN


def test_it_resolves_a_simple_matter_on_the_spot(clerk, meixian):
    matter = register(clerk, tier="simple", resolution="solved", resolution_note="现场帮助老人完成手机备案")

    assert matter.state == UnresolvedMatter.State.RESOLVED and matter.on_time is True


def test_it_records_a_late_resolution(clerk, meixian, travel):
    matter = register(clerk, tier="general")
    with travel.to(travel.after_workdays(timezone.localdate(), 3)):
        matter = services.unresolved_resolve(
            matter=matter, resolution="explained", note="已电话解释办理流程", actor=clerk
        )
    assert matter.on_time is False


def test_it_refuses_a_matter_without_description(clerk, meixian):
    with pytest.raises(ApplicationError) as error:
        register(clerk, description="")
    assert error.value.code == "unresolved.description_required"
    assert not UnresolvedMatter.objects.exists()


def test_it_refuses_registration_by_a_citizen(citizen, meixian):
    with pytest.raises(ApplicationError) as error:
        register(citizen)
    assert error.value.code == "appeal.forbidden"


def test_it_refuses_resolving_twice(clerk, meixian):
    matter = register(clerk, tier="simple", resolution="solved", resolution_note="现场办结完毕")
    with pytest.raises(ApplicationError) as error:
        services.unresolved_resolve(matter=matter, resolution="solved", note="再次办结一下", actor=clerk)
    assert error.value.code == "unresolved.already_resolved"


def test_a_matter_not_solved_on_the_spot_needs_a_responsible_department(clerk, meixian):
    with pytest.raises(ApplicationError) as error:
        register(clerk, department=None)

    assert error.value.code == "unresolved.department_required"
    assert error.value.details.get("field") == "department"
    assert not UnresolvedMatter.objects.exists()
