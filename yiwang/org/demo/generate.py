"""Meixian demo data for ``org``: regions, departments, halls and windows, one account per role.

Every row goes through the org services (``region_load_from_data``, ``hall_create``,
``window_create``, ``user_create``, ``membership_grant``); the windows and users come from
``data/windows.json`` and ``data/users.json``.

Idempotent: a second run creates nothing. Passwords are generated on first creation and printed
once; they are not stored anywhere else, so a forgotten one is reset with
``manage.py changepassword USERNAME``.
"""

import secrets
import unicodedata

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from yiwang.core.identifiers import make_id_number, make_uscc
from yiwang.org import services
from yiwang.org.models import Department, Membership, Region, Role, ServiceHall, User

from .dataset import COUNTY_WINDOWS, DEMO_USERS, TOWN_WINDOWS, ZONE_WINDOWS, DemoUser

COUNTY_CODE = "610326"
COUNTY_HALL_NAME = "眉县政务服务中心"
ZONE_CENTRE_NAME = "眉县经开区综合服务中心"
HALL_HOURS = "周一至周五 上午 8:30–12:00，下午 14:30–18:00（冬季 14:00–17:30）；7×24 小时自助服务区"
TOWN_HOURS = "周一至周五 上午 8:30–12:00，下午 14:30–18:00"
STATION_HOURS = "周一至周五 上午 9:00–12:00，下午 15:00–17:30；代办帮办可预约"

PASSWORD_CLASSES = (
    "ABCDEFGHJKLMNPQRSTUVWXYZ",  # no I/O: easy to read aloud and type
    "abcdefghijkmnpqrstuvwxyz",  # no l
    "23456789",  # no 0/1
    "#%+=@!?",
)


def generate_password(length: int = 14) -> str:
    """A random password with every character class (等保 complexity), easy to type."""
    rng = secrets.SystemRandom()
    while True:
        chars = [secrets.choice(group) for group in PASSWORD_CLASSES]
        chars += [secrets.choice("".join(PASSWORD_CLASSES)) for _ in range(length - len(chars))]
        rng.shuffle(chars)
        password = "".join(chars)
        try:
            validate_password(password)
        except ValidationError:
            continue
        return password


def _pad(text: str, width: int) -> str:
    # CJK characters take two terminal columns; str.ljust counts them as one.
    columns = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(1, width - columns)


def _row(username: str, role: str, name: str, password: str) -> str:
    return _pad(username, 14) + _pad(role, 14) + _pad(name, 8) + password


def _write(stdout, text: str = "") -> None:
    # Django's OutputWrapper adds the newline only when missing, so a plain file works too.
    stdout.write(text + "\n")


def seed(*, stdout) -> None:
    """Load the Meixian org demo; prints what it created and, once, the demo passwords."""
    regions = services.region_load_from_data(actor=None)
    _write(stdout, f"行政区划：新建 {regions['created']}，更新 {regions['updated']}，未变 {regions['unchanged']}")
    departments = services.department_load_from_data(actor=None)
    _write(
        stdout,
        f"部门：新建 {departments['departments_created']}，更新 {departments['departments_updated']}，"
        f"新增别名 {departments['aliases_created']}",
    )
    halls, windows = _seed_halls()
    _write(stdout, f"服务大厅/站点：新建 {halls}；窗口：新建 {windows}")
    created = _seed_users()
    if created:
        _write(stdout, "")
        _write(stdout, "演示账户（密码只显示这一次，请妥善保存）：")
        _write(stdout, _row("用户名", "角色", "姓名", "密码"))
        for username, role_label, name, password in created:
            _write(stdout, _row(username, role_label, name, password))
        _write(stdout, "")
    existing = len(DEMO_USERS) - len(created)
    if existing:
        _write(
            stdout,
            f"演示账户已存在 {existing} 个，密码不再显示；如需重置：python manage.py changepassword 用户名",
        )


def _seed_halls() -> tuple[int, int]:
    county = Region.objects.get(code=COUNTY_CODE)
    halls_created = windows_created = 0

    def ensure_hall(name, kind, region, address, hours, phone, windows):
        nonlocal halls_created, windows_created
        hall = ServiceHall.objects.filter(region=region, name=name).first()
        if hall is None:
            hall = services.hall_create(
                name=name,
                kind=kind,
                region=region,
                address=address,
                opening_hours=hours,
                phone=phone,
                is_illustrative=True,
                actor=None,
            )
            halls_created += 1
        existing = set(hall.windows.values_list("number", flat=True))
        for number, window_kind, label in windows:
            if number not in existing:
                services.window_create(hall=hall, number=number, kind=window_kind, label=label, actor=None)
                windows_created += 1
        return hall

    ensure_hall(
        COUNTY_HALL_NAME,
        ServiceHall.Kind.COUNTY_HALL,
        county,
        "眉县首善街道 县政务服务中心大楼一层",
        HALL_HOURS,
        "0917-5541234",
        COUNTY_WINDOWS,
    )
    ensure_hall(
        ZONE_CENTRE_NAME,
        ServiceHall.Kind.ZONE_CENTRE,
        county,
        "眉县经济技术开发区管委会一楼",
        TOWN_HOURS,
        "0917-5546789",
        ZONE_WINDOWS,
    )
    for index, town in enumerate(county.children.filter(level=Region.Level.TOWN).order_by("code"), start=1):
        ensure_hall(
            f"{town.name}便民服务中心",
            ServiceHall.Kind.TOWN_CENTRE,
            town,
            f"眉县{town.name}政府院内",
            TOWN_HOURS,
            f"0917-55{index:02d}100",
            TOWN_WINDOWS,
        )
        for village in town.children.filter(level=Region.Level.VILLAGE).order_by("code"):
            ensure_hall(
                f"{village.name}便民服务站",
                ServiceHall.Kind.VILLAGE_STATION,
                village,
                f"眉县{town.name}{village.name}{'居委会' if village.name.endswith('社区') else '村委会'}",
                STATION_HOURS,
                "",
                [],
            )
    return halls_created, windows_created


def _seed_users() -> list[tuple[str, str, str, str]]:
    created = []
    for index, spec in enumerate(DEMO_USERS, start=1):
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            password = generate_password()
            user = services.user_create(
                username=spec.username,
                password=password,
                display_name=spec.display_name,
                phone=spec.phone or f"139917{index:05d}",
                id_number=make_id_number(COUNTY_CODE, spec.birth, spec.seq),
                uscc=make_uscc(spec.uscc_body) if spec.uscc_body else "",
                is_staff=spec.superuser,
                is_superuser=spec.superuser,
                actor=None,
            )
            created.append((spec.username, str(Role(spec.role).label), spec.display_name, password))
        _ensure_membership(user, spec)
    return created


def _ensure_membership(user: User, spec: DemoUser) -> Membership:
    department = Department.objects.get(code=spec.department) if spec.department else None
    region = Region.objects.get(code=spec.region) if spec.region else None
    hall = ServiceHall.objects.filter(name=spec.hall).order_by("pk").first() if spec.hall else None
    window = hall.windows.get(number=spec.window) if hall and spec.window else None
    existing = Membership.objects.filter(
        user=user, role=spec.role, department=department, region=region, hall=hall, window=window
    ).first()
    if existing:
        return existing
    return services.membership_grant(
        user=user, role=spec.role, department=department, region=region, hall=hall, window=window, actor=None
    )
