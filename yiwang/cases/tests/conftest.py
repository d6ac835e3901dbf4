"""Fixtures for the applications app: published items and bundles, a case at each stage."""

import pytest

from yiwang.cases import services
from yiwang.cases.models import ApplicantKind
from yiwang.cases.services import ApplicantInput
from yiwang.workdays import calendar
from yiwang.workdays.seeding import seed_official_calendar

from .factories import CITIZEN_ID, COMPANY_USCC, ENTERPRISE_FIELDS, elements, make_bundle, material, publish


@pytest.fixture(autouse=True)
def fresh_calendar(request):
    """Each test counts on the official calendar its database holds (2004–2026 seeded; 2027 provisional)."""
    calendar.reset()
    if request.node.get_closest_marker("django_db") or "db" in request.fixturenames:
        seed_official_calendar()
    yield
    calendar.reset()


@pytest.fixture
def food_item(admin_user, dept_a):
    """食品经营许可（新办）: 10 promised working days, online depth IV, every kind of material."""
    return publish(admin_user, elements("610326-XK-0001", "食品经营许可（新办）", dept_a))[0]


@pytest.fixture
def instant_item(admin_user, dept_a):
    data = elements(
        "610326-QR-0002",
        "个体工商户名称自主申报",
        dept_a,
        promised_days=0,
        legal_days=0,
        handling_type="instant",
        kind="confirmation",
        reform_mode="",
        pledge_allowed=False,
        materials=[material("M01", "申报表", key=True)],
    )
    return publish(admin_user, data)[0]


@pytest.fixture
def counter_item(admin_user, dept_b):
    """An item that cannot be applied for online (depth II), handled by department B."""
    data = elements(
        "610326-XK-0003",
        "特种设备使用登记",
        dept_b,
        online_depth=2,
        visits_required=1,
        visits_reason="需现场核验原件",
        kiosk_available=False,
        reform_mode="",
        pledge_allowed=False,
        materials=[material("M01", "使用登记表", key=True), material("M02", "产品合格证")],
    )
    return publish(admin_user, data)[0]


@pytest.fixture
def opening_bundle(admin_user, dept_a, dept_b):
    """企业开办: registration (dept A) and seal filing (dept B), target 1 working day."""
    registration = elements(
        "610326-DJ-0010",
        "有限责任公司设立登记",
        dept_a,
        audience="enterprise",
        promised_days=1,
        legal_days=3,
        reform_mode="",
        pledge_allowed=False,
        materials=[material("M01", "公司登记（备案）申请书", key=True), material("M02", "公司章程", key=True)],
        form_fields=[dict(f) for f in ENTERPRISE_FIELDS],
    )
    seal = elements(
        "610326-BA-0011",
        "印章刻制备案",
        dept_b,
        kind="filing",
        audience="enterprise",
        promised_days=1,
        legal_days=1,
        reform_mode="",
        pledge_allowed=False,
        materials=[material("M01", "公司登记（备案）申请书", key=True), material("M02", "印模", deferrable=True)],
        form_fields=[dict(f) for f in ENTERPRISE_FIELDS],
    )
    items = publish(admin_user, registration, seal)
    return make_bundle(admin_user, dept_a, items)


@pytest.fixture
def person(citizen):
    return ApplicantInput(kind=ApplicantKind.PERSON, name="王秀兰", id_number=CITIZEN_ID, phone="13891712345")


@pytest.fixture
def company(enterprise_user):
    return ApplicantInput(
        kind=ApplicantKind.ENTERPRISE, name="眉县秦岭猕猴桃冷链有限公司", uscc=COMPANY_USCC, phone="18292731065"
    )


FORM = {"applicant_address": "眉县首善街道东关社区"}


@pytest.fixture
def submitted_case(citizen, person, food_item):
    return services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)


@pytest.fixture
def accepted_case(submitted_case, clerk):
    return services.case_accept(case=submitted_case, actor=clerk, received=("M01", "M02", "M03", "M04"))


@pytest.fixture
def review_case(accepted_case, handler_a):
    return services.case_assign(case=accepted_case, actor=handler_a)


def colleague(department, position: int):
    """Another handler of the department (审查、审核、审批 are done by different people)."""
    from yiwang.org.models import Membership, Role, User
    from yiwang.org.tests.factories import UserFactory

    username = f"{department.code}-reviewer-{position}"
    user = User.objects.filter(username=username).first() or UserFactory(username=username)
    Membership.objects.get_or_create(user=user, role=Role.HANDLER, department=department)
    return user


def complete_steps(case, handler):
    """Walk through every review step but the last (the decision), each by another colleague of the
    case's department, so that ``handler`` may then decide (separation of duties)."""
    from yiwang.cases.models import ReviewStep

    while step := case.steps.filter(state=ReviewStep.State.ACTIVE).first():
        if not case.steps.filter(state=ReviewStep.State.PENDING).exists():
            break
        actor = colleague(case.department, step.position)
        services.review_step_complete(case=case, actor=actor, opinion="符合条件，同意")
    case.refresh_from_db()
    return case
