"""The few rows the real-stack test needs, on a freshly migrated database (run through ``manage.py shell``).

The county's regions and departments from the project's data, one published online item (食品经营许可), the
12345 category of village roads, and three people: a citizen, the county leader and an administrator.
"""

from yiwang.cases.tests.factories import elements, publish
from yiwang.hotline.models import Category
from yiwang.org.models import Department, Region, Role
from yiwang.org.services import department_load_from_data, region_load_from_data
from yiwang.org.tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory

ITEM_CODE = "610326-XK-0001"
CATEGORY_CODE = "rural-roads"


def _user(username, display_name, role, **fields):
    anchors = fields.pop("anchors", {})
    user = UserFactory(username=username, display_name=display_name, **fields)
    MembershipFactory(user=user, role=role, **anchors)
    return user


def seed() -> None:
    region_load_from_data()
    department_load_from_data()
    county = Region.objects.get(code="610326")
    admin = _user("admin", "林涛", Role.ADMIN, is_staff=True, is_superuser=True, anchors={"region": county})
    _user("citizen", "王秀兰", Role.CITIZEN, phone="13891712345")
    _user("leader", "罗志强", Role.LEADER, anchors={"region": county})
    department = Department.objects.filter(region=county).order_by("code").first()
    publish(admin, elements(ITEM_CODE, "食品经营许可（新办）", department))
    Category.objects.create(code=CATEGORY_CODE, name="农村道路", group="交通运输", keywords="道路,村道")
    print(f"seeded: password={TEST_PASSWORD!r} item={ITEM_CODE} department={department.code}")
