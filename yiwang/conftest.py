"""Shared fixtures for every app's tests: a slice of Meixian and one user per role.

    def test_it_hides_other_departments(handler_a, dept_b): ...

Every user's password is ``TEST_PASSWORD``; ``client.force_login(clerk)`` or a real login
through ``/login/`` both work. Rows are made by factories, so no audit events are written here.
"""

from types import SimpleNamespace

import pytest

from yiwang.org.models import Department, Region, Role, ServiceHall, Window
from yiwang.org.tests.factories import (
    TEST_PASSWORD,
    DepartmentFactory,
    MembershipFactory,
    ServiceHallFactory,
    UserFactory,
    WindowFactory,
    meixian_county,
    region_chain,
)

__all__ = ["TEST_PASSWORD"]


@pytest.fixture
def test_password() -> str:
    return TEST_PASSWORD


@pytest.fixture
def meixian(db) -> SimpleNamespace:
    """陕西省 → 宝鸡市 → 眉县, 首善街道 with 东关社区, 槐芽镇 with 槐芽村, 营头镇 with 红河谷村."""
    county = meixian_county()
    county_path = (
        ("610000", "陕西省", Region.Level.PROVINCE),
        ("610300", "宝鸡市", Region.Level.CITY),
        ("610326", "眉县", Region.Level.COUNTY),
    )
    shoushan = region_chain(*county_path, ("610326001", "首善街道", Region.Level.TOWN))
    huaiya = region_chain(*county_path, ("610326101", "槐芽镇", Region.Level.TOWN))
    yingtou = region_chain(*county_path, ("610326105", "营头镇", Region.Level.TOWN))
    return SimpleNamespace(
        province=county.parent.parent,
        city=county.parent,
        county=county,
        shoushan=shoushan,
        dongguan=region_chain(
            *county_path,
            ("610326001", "首善街道", Region.Level.TOWN),
            ("610326001001", "东关社区", Region.Level.VILLAGE),
        ),
        huaiya=huaiya,
        huaiya_village=region_chain(
            *county_path,
            ("610326101", "槐芽镇", Region.Level.TOWN),
            ("610326101201", "槐芽村", Region.Level.VILLAGE),
        ),
        yingtou=yingtou,
        honghegu=region_chain(
            *county_path,
            ("610326105", "营头镇", Region.Level.TOWN),
            ("610326105205", "红河谷村", Region.Level.VILLAGE),
        ),
    )


@pytest.fixture
def dept_a(meixian) -> Department:
    """县行政审批服务局."""
    department = DepartmentFactory(
        code="admin-approval", name="眉县行政审批服务局", short_name="县行政审批服务局", region=meixian.county
    )
    department.aliases.get_or_create(alias="行政审批服务局")
    return department


@pytest.fixture
def dept_b(meixian) -> Department:
    """县市场监管局."""
    department = DepartmentFactory(
        code="market-regulation", name="眉县市场监督管理局", short_name="县市场监管局", region=meixian.county
    )
    department.aliases.get_or_create(alias="市场监管局")
    return department


@pytest.fixture
def dept_hotline(meixian) -> Department:
    """县信息中心, which runs the 12345 hotline (plan 二(四))."""
    return DepartmentFactory(
        code="information-centre", name="眉县信息中心", short_name="县信息中心", region=meixian.county
    )


@pytest.fixture
def dept_town(meixian) -> Department:
    """槐芽镇人民政府, a department in a town (for town-level scoping)."""
    return DepartmentFactory(
        code="huaiya-town",
        name="眉县槐芽镇人民政府",
        short_name="槐芽镇",
        kind=Department.Kind.TOWN,
        region=meixian.huaiya,
    )


@pytest.fixture
def county_hall(meixian) -> ServiceHall:
    """眉县政务服务中心 with windows 1–2 (综合) and 3 (出件)."""
    hall = ServiceHallFactory(name="眉县政务服务中心", kind=ServiceHall.Kind.COUNTY_HALL, region=meixian.county)
    WindowFactory(hall=hall, number=1, label="1号 综合受理窗口")
    WindowFactory(hall=hall, number=2, label="2号 综合受理窗口")
    WindowFactory(hall=hall, number=3, label="3号 出件窗口", kind=Window.Kind.DELIVERY)
    return hall


@pytest.fixture
def town_hall(meixian) -> ServiceHall:
    """槐芽镇便民服务中心 with one comprehensive window."""
    hall = ServiceHallFactory(name="槐芽镇便民服务中心", kind=ServiceHall.Kind.TOWN_CENTRE, region=meixian.huaiya)
    WindowFactory(hall=hall, number=1, label="1号 综合受理窗口")
    return hall


def _user(username: str, display_name: str, role: str, **anchors):
    extra = anchors.pop("user_fields", {})
    user = UserFactory(username=username, display_name=display_name, **extra)
    MembershipFactory(user=user, role=role, **anchors)
    return user


@pytest.fixture
def citizen(meixian):
    return _user("citizen", "王秀兰", Role.CITIZEN, user_fields={"phone": "13891712345"})


@pytest.fixture
def enterprise_user(meixian):
    # A valid GB 32100 code (GB 11714 and GB 32100 check characters), so services that validate it accept the account.
    return _user("enterprise", "赵海涛", Role.ENTERPRISE, user_fields={"uscc": "91610326MA6X8Q2L79"})


@pytest.fixture
def clerk(county_hall):
    return _user("clerk", "刘芳", Role.CLERK, hall=county_hall, window=county_hall.windows.get(number=1))


@pytest.fixture
def handler_a(dept_a):
    return _user("handler_a", "周敏", Role.HANDLER, department=dept_a)


@pytest.fixture
def handler_b(dept_b):
    return _user("handler_b", "吴刚", Role.HANDLER, department=dept_b)


@pytest.fixture
def dispatcher(dept_hotline):
    return _user("dispatcher", "郭婷", Role.DISPATCHER, department=dept_hotline)


@pytest.fixture
def inspector(dept_b):
    return _user("inspector", "何军", Role.INSPECTOR, department=dept_b)


@pytest.fixture
def supervisor(meixian):
    office = DepartmentFactory(
        code="government-inspection-office", name="眉县人民政府督查室", short_name="县政府督查室", region=meixian.county
    )
    return _user("supervisor", "高洁", Role.SUPERVISOR, region=meixian.county, department=office)


@pytest.fixture
def leader(meixian):
    return _user("leader", "罗志强", Role.LEADER, region=meixian.county)


@pytest.fixture
def admin_user(meixian):
    return _user(
        "admin",
        "林涛",
        Role.ADMIN,
        region=meixian.county,
        user_fields={"is_staff": True, "is_superuser": True},
    )


@pytest.fixture
def calendar_checked_once(monkeypatch):
    """The calendar's version is checked at most once a second: on a slow machine that check would
    land in one request and not the other. For tests counting a page's own reads."""
    from yiwang.workdays import calendar

    monkeypatch.setattr(calendar, "VERSION_CHECK_SECONDS", 3600.0)
