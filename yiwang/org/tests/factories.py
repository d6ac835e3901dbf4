"""factory_boy factories for org models; other apps import them for their own tests.

Factories write rows directly (no services, no audit events): they build the world a test needs,
they are not the behaviour under test.
"""

import factory
from factory.django import DjangoModelFactory

from yiwang.org.models import Department, DepartmentAlias, Membership, Region, Role, ServiceHall, User, Window

# Satisfies every validator in settings.AUTH_PASSWORD_VALIDATORS (length, 3 of 4 classes, not common).
TEST_PASSWORD = "Yiwang#2026pass"


def region_chain(*rows: tuple[str, str, str]) -> Region:
    """get_or_create a chain of (code, name, level) from the root down; returns the last one."""
    parent = None
    for code, name, level in rows:
        parent, _ = Region.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "level": level,
                "parent": parent,
                "path": f"{parent.path if parent else ''}{code}/",
            },
        )
    return parent


def meixian_county() -> Region:
    """陕西省 610000 → 宝鸡市 610300 → 眉县 610326, created on first use."""
    return region_chain(
        ("610000", "陕西省", Region.Level.PROVINCE),
        ("610300", "宝鸡市", Region.Level.CITY),
        ("610326", "眉县", Region.Level.COUNTY),
    )


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    level = Region.Level.TOWN
    parent = factory.LazyFunction(meixian_county)
    name = factory.Sequence(lambda n: f"示例镇{n}")
    code = factory.Sequence(lambda n: f"610326{200 + n % 800:03d}")
    is_illustrative = True
    path = factory.LazyAttribute(lambda o: f"{o.parent.path if o.parent else ''}{o.code}/")


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.Sequence(lambda n: f"眉县示例局{n}")
    short_name = factory.Sequence(lambda n: f"县示例局{n}")
    kind = Department.Kind.GOVERNMENT
    region = factory.LazyFunction(meixian_county)


class DepartmentAliasFactory(DjangoModelFactory):
    class Meta:
        model = DepartmentAlias

    department = factory.SubFactory(DepartmentFactory)
    alias = factory.Sequence(lambda n: f"示例别名{n}")


class ServiceHallFactory(DjangoModelFactory):
    class Meta:
        model = ServiceHall

    name = factory.Sequence(lambda n: f"示例便民服务中心{n}")
    kind = ServiceHall.Kind.COUNTY_HALL
    region = factory.LazyFunction(meixian_county)
    address = "眉县首善街道"
    opening_hours = "周一至周五 8:30–12:00，14:30–18:00"
    phone = "0917-5500000"


class WindowFactory(DjangoModelFactory):
    class Meta:
        model = Window

    hall = factory.SubFactory(ServiceHallFactory)
    number = factory.Sequence(lambda n: n + 1)
    kind = Window.Kind.COMPREHENSIVE
    label = factory.LazyAttribute(lambda o: f"{o.number}号 综合受理窗口")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.django.Password(TEST_PASSWORD)
    phone = None
    id_number = None


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.CITIZEN
