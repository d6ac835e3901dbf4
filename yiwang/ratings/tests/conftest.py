"""Fixtures for 好差评: a finished online case, a finished counter case and a replied appeal,
built through the cases and hotline services (the last step of a case is set directly)."""

import pytest
from django.utils import timezone

from yiwang.cases import services as case_services
from yiwang.cases.models import ApplicantKind, Case, CaseState
from yiwang.cases.services import ApplicantInput
from yiwang.cases.tests.factories import CITIZEN_ID, elements, publish
from yiwang.hotline import services as hotline_services
from yiwang.hotline.models import Appeal, Category, CategoryDepartmentMapping
from yiwang.workdays import calendar
from yiwang.workdays.seeding import seed_official_calendar


@pytest.fixture(autouse=True)
def fresh_calendar(request):
    calendar.reset()
    if request.node.get_closest_marker("django_db") or "db" in request.fixturenames:
        seed_official_calendar()
    yield
    calendar.reset()


@pytest.fixture
def food_item(admin_user, dept_a):
    return publish(admin_user, elements("610326-XK-0001", "食品经营许可（新办）", dept_a))[0]


def _finish(case: Case, handler, **extra) -> Case:
    Case.objects.filter(pk=case.pk).update(
        state=CaseState.DECIDED_APPROVED, decided_at=timezone.now(), assigned_to=handler, **extra
    )
    case.refresh_from_db()
    return case


@pytest.fixture
def make_case(citizen, food_item, handler_a):
    def factory(*, finished=True, **extra):
        applicant = ApplicantInput(kind=ApplicantKind.PERSON, name="王秀兰", id_number=CITIZEN_ID, phone="13891712345")
        case = case_services.case_submit(
            actor=citizen, applicant=applicant, item=food_item, form_data={"applicant_address": "眉县首善街道东关社区"}
        )
        return _finish(case, handler_a, **extra) if finished else case

    return factory


@pytest.fixture
def finished_case(make_case):
    return make_case()


@pytest.fixture
def counter_case(make_case, county_hall):
    window = county_hall.windows.get(number=1)
    return make_case(channel="counter", hall=county_hall, window=window)


@pytest.fixture
def replied_appeal(citizen, dispatcher, handler_a, dept_a, meixian):
    roads = Category.objects.create(code="rural-roads", name="农村道路", group="交通运输", keywords="道路")
    CategoryDepartmentMapping.objects.create(category=roads, department=dept_a)
    appeal = hotline_services.appeal_submit(
        actor=citizen,
        channel=Appeal.Channel.PORTAL,
        kind=Appeal.Kind.COMPLAINT,
        title="营头镇红河谷村通村路坑洼严重",
        content="红河谷村到营头镇的通村路多处坑洼，下雨积水，请尽快修补。",
        contact_name="王秀兰",
        contact_phone="13891712345",
        town=meixian.yingtou,
    )
    appeal = hotline_services.appeal_dispatch(appeal=appeal, department=dept_a, actor=dispatcher, category=roads)
    appeal = hotline_services.appeal_sign_off(appeal=appeal, actor=handler_a)
    hotline_services.appeal_reply(
        appeal=appeal, content="已安排施工队于本周内修补坑洼路段，感谢反映。", actor=handler_a
    )
    appeal.refresh_from_db()
    return appeal


@pytest.fixture
def huaiya_supervisor(make_case, citizen, meixian):
    """Huaiya town's supervisor, beside five online ratings: two in Huaiya (levels 1 and 5, one of them in
    a village of the town), one in Yingtou (2) and two at the county (5 and 1). Their area holds 2 ratings, 1 bad;
    the county's leader reads all 5, 3 bad."""
    from yiwang.org.models import Role
    from yiwang.org.tests.factories import MembershipFactory, UserFactory
    from yiwang.ratings.services import rating_submit

    for region, level in (
        (meixian.huaiya, 1),
        (meixian.huaiya_village, 5),
        (meixian.yingtou, 2),
        (meixian.county, 5),
        (meixian.county, 1),
    ):
        rating_submit(actor=citizen, case=make_case(region=region), level=level, channel="online", comment="评价")
    supervisor = UserFactory(username="huaiya-supervisor")
    MembershipFactory(user=supervisor, role=Role.SUPERVISOR, region=meixian.huaiya)
    return supervisor
