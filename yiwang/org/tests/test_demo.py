import io
import re

from django.db import connection

from yiwang.core.identifiers import is_valid_id_number, is_valid_uscc
from yiwang.org import demo
from yiwang.org.models import Department, DepartmentAlias, Membership, Region, Role, ServiceHall, User, Window
from yiwang.org.selectors import user_roles

MODELS = [Region, Department, DepartmentAlias, ServiceHall, Window, User, Membership]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_it_seeds_once_and_a_second_run_creates_nothing(db):
    first_out = io.StringIO()
    demo.seed(stdout=first_out)
    after_first = counts()
    second_out = io.StringIO()
    demo.seed(stdout=second_out)
    assert counts() == after_first

    first, second = first_out.getvalue(), second_out.getvalue()
    # Passwords are printed once, as a table, and never again.
    table = first.split("演示账户（密码只显示这一次")[1]
    rows = re.findall(r"^([a-z]\w*)\s+\S+\s+\S+\s+(\S+)$", table, re.M)
    assert {username for username, _ in rows} == {spec.username for spec in demo.DEMO_USERS}
    password = dict(rows)["liufang"]
    assert User.objects.get(username="liufang").check_password(password)
    assert password not in second
    assert "密码不再显示" in second and "manage.py changepassword" in second
    assert "新建 0" in second


def test_it_builds_the_meixian_world(db):
    demo.seed(stdout=io.StringIO())
    county_hall = ServiceHall.objects.get(name="眉县政务服务中心")
    kinds = list(county_hall.windows.values_list("kind", flat=True))
    assert len(kinds) == 24
    assert kinds.count(Window.Kind.COMPREHENSIVE) == 18
    assert {Window.Kind.DELIVERY, Window.Kind.SPECIALISED} <= set(kinds)
    assert ServiceHall.objects.filter(kind=ServiceHall.Kind.TOWN_CENTRE).count() == 8
    assert ServiceHall.objects.get(name="槐芽镇便民服务中心").windows.count() == 3
    assert (
        ServiceHall.objects.filter(kind=ServiceHall.Kind.VILLAGE_STATION).count()
        == Region.objects.filter(level=Region.Level.VILLAGE).count()
    )
    assert ServiceHall.objects.filter(kind=ServiceHall.Kind.ZONE_CENTRE, name="眉县经开区综合服务中心").exists()


def test_it_gives_every_role_an_account_with_valid_encrypted_identity(db):
    demo.seed(stdout=io.StringIO())
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    handler_departments = set(
        Membership.objects.filter(role=Role.HANDLER).values_list("department__short_name", flat=True)
    )
    assert {"县行政审批服务局", "县市场监管局", "县住建局"} <= handler_departments
    assert Membership.objects.get(role=Role.DISPATCHER).department.short_name == "县信息中心"
    assert Membership.objects.get(role=Role.SUPERVISOR).department.short_name == "县政府督查室"
    assert Membership.objects.filter(role=Role.CLERK, hall__name="槐芽镇便民服务中心").exists()

    enterprise = User.objects.get(username="zhaohaitao")
    assert is_valid_uscc(enterprise.uscc)
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser and "admin" in user_roles(admin)
    for user in User.objects.all():
        assert is_valid_id_number(user.id_number) and user.id_number.startswith("610326")
        assert re.fullmatch(r"1[3-9]\d{9}", user.phone)
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, id_number FROM org_user")
        for phone, id_number in cursor.fetchall():
            assert phone.startswith("sm4$") and id_number.startswith("sm4$")


def test_it_generates_passwords_that_pass_every_validator():
    from django.contrib.auth.password_validation import validate_password

    passwords = {demo.generate_password() for _ in range(20)}
    assert len(passwords) == 20
    for password in passwords:
        validate_password(password)
