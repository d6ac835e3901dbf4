"""Every write in ``org``: regions, departments, halls, windows, users, memberships and sign-in.

Each service runs in one transaction, locks what it changes and writes its audit event there.
"""

import json
import math
import re
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.core.audit import audit_record, snapshot
from yiwang.core.errors import ApplicationError
from yiwang.core.identifiers import validate_id_number, validate_uscc
from yiwang.org.models import (
    DEPARTMENT_ROLES,
    HALL_ROLES,
    REGION_ROLES,
    STAFF_ROLES,
    Department,
    DepartmentAlias,
    LoginThrottle,
    Membership,
    Region,
    Role,
    ServiceHall,
    User,
    Window,
)
from yiwang.org.names import normalize_department_name
from yiwang.org.scoping import scope_forget

DATA_DIR = Path(__file__).resolve().parent / "data"
REGIONS_FILE = DATA_DIR / "meixian_regions.json"
DEPARTMENTS_FILE = DATA_DIR / "meixian_departments.json"

LEVEL_RANK = {
    Region.Level.PROVINCE: 0,
    Region.Level.CITY: 1,
    Region.Level.COUNTY: 2,
    Region.Level.TOWN: 3,
    Region.Level.VILLAGE: 4,
}
# How many leading digits of a child's code repeat its parent's code, by the parent's level
# (GB/T 2260: 61 province, 6103 city, 610326 county; then 3 digits per level below).
PARENT_PREFIX_DIGITS = {
    Region.Level.PROVINCE: 2,
    Region.Level.CITY: 4,
    Region.Level.COUNTY: 6,
    Region.Level.TOWN: 9,
}
HALL_REGION_LEVELS = {
    ServiceHall.Kind.COUNTY_HALL: {Region.Level.COUNTY},
    ServiceHall.Kind.TOWN_CENTRE: {Region.Level.TOWN},
    ServiceHall.Kind.VILLAGE_STATION: {Region.Level.VILLAGE},
    ServiceHall.Kind.ZONE_CENTRE: {Region.Level.COUNTY, Region.Level.TOWN},
}
WINDOW_DEFAULT_LABELS = {
    Window.Kind.COMPREHENSIVE: "综合受理窗口",
    Window.Kind.DELIVERY: "出件窗口",
    Window.Kind.SPECIALISED: "专业窗口",
}
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")

REGION_FIELDS = ["code", "name", "level", "parent", "path", "is_illustrative"]
DEPARTMENT_FIELDS = ["code", "name", "short_name", "kind", "region", "is_active"]
HALL_FIELDS = ["name", "kind", "region", "address", "opening_hours", "phone", "is_illustrative"]
WINDOW_FIELDS = ["hall", "number", "label", "kind", "is_active"]
MEMBERSHIP_FIELDS = ["user", "role", "department", "region", "hall", "window"]
USER_FIELDS = ["username", "display_name", "uscc", "is_active", "is_staff", "is_superuser"]
LOCK_FIELDS = ["failed_login_count", "locked_until", "last_failed_login_at"]


# --- regions -------------------------------------------------------------------------------------


def region_create(
    *,
    code: str,
    name: str,
    level: str,
    parent: Region | None = None,
    is_illustrative: bool = False,
    actor: User | None,
) -> Region:
    """Add a division under ``parent``.

    Rule (GB/T 2260 and the statistics bureau's division codes): 6 digits for province, city and
    county, 9 for a town, 12 for a village; a child sits below its parent's level and its code
    starts with the parent's significant digits.
    """
    code = (code or "").strip()
    name = (name or "").strip()
    if level not in Region.Level.values:
        raise ApplicationError("org.region_level_invalid", _("区划层级无效：%(level)s") % {"level": level})
    expected = Region.CODE_LENGTHS[level]
    if not (code.isascii() and code.isdigit() and len(code) == expected):
        raise ApplicationError(
            "org.region_code_invalid",
            _("区划代码应为 %(n)d 位数字（%(level)s）：%(code)s")
            % {"n": expected, "level": Region.Level(level).label, "code": code},
            details={"field": "code"},
        )
    if not name:
        raise ApplicationError("org.region_name_required", _("请填写区划名称"), details={"field": "name"})
    if parent is not None:
        if LEVEL_RANK[level] <= LEVEL_RANK[parent.level]:
            raise ApplicationError(
                "org.region_parent_invalid",
                _("%(child)s不能设在%(parent)s（%(plevel)s）之下")
                % {"child": Region.Level(level).label, "parent": parent.name, "plevel": parent.get_level_display()},
                details={"field": "parent"},
            )
        digits = PARENT_PREFIX_DIGITS[parent.level]
        if code[:digits] != parent.code[:digits]:
            raise ApplicationError(
                "org.region_code_outside_parent",
                _("区划代码 %(code)s 与上级 %(parent)s（%(pcode)s）不符")
                % {"code": code, "parent": parent.name, "pcode": parent.code},
                details={"field": "code"},
            )
    elif level != Region.Level.PROVINCE:
        raise ApplicationError("org.region_parent_required", _("除省级外，区划须有上级"), details={"field": "parent"})
    with transaction.atomic():
        if Region.objects.filter(code=code).exists():
            raise ApplicationError("org.region_exists", _("区划代码已存在：%(code)s") % {"code": code}, status=409)
        region = Region(code=code, name=name, level=level, parent=parent, is_illustrative=is_illustrative)
        region.path = f"{parent.path if parent else ''}{code}/"
        region.save()
        audit_record(
            actor=actor,
            action="org.region_created",
            obj=region,
            after=snapshot(region, REGION_FIELDS),
            region_code=region.code,
        )
    return region


def region_load_from_data(*, actor: User | None = None, path: Path = REGIONS_FILE) -> dict[str, int]:
    """Upsert the region tree kept in ``data/meixian_regions.json`` (idempotent).

    Parents come before children in the file. Existing rows keep their code and parent; a changed
    name or illustrative flag is updated.
    """
    rows = json.loads(Path(path).read_text(encoding="utf-8"))["regions"]
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for row in rows:
        with transaction.atomic():
            region = Region.objects.select_for_update().filter(code=row["code"]).first()
            is_illustrative = bool(row.get("is_illustrative", False))
            if region is None:
                parent = Region.objects.get(code=row["parent"]) if row.get("parent") else None
                region_create(
                    code=row["code"],
                    name=row["name"],
                    level=row["level"],
                    parent=parent,
                    is_illustrative=is_illustrative,
                    actor=actor,
                )
                counts["created"] += 1
            elif region.name != row["name"] or region.is_illustrative != is_illustrative:
                before = snapshot(region, REGION_FIELDS)
                region.name = row["name"]
                region.is_illustrative = is_illustrative
                region.save(update_fields=["name", "is_illustrative"])
                audit_record(
                    actor=actor,
                    action="org.region_updated",
                    obj=region,
                    before=before,
                    after=snapshot(region, REGION_FIELDS),
                    region_code=region.code,
                )
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
    return counts


# --- departments ---------------------------------------------------------------------------------


def _department_keys(row: dict) -> set[str]:
    return {normalize_department_name(n) for n in [row["name"], row["short_name"], *row.get("aliases", [])]}


def department_load_from_data(*, actor: User | None = None, path: Path = DEPARTMENTS_FILE) -> dict[str, int]:
    """Upsert departments and their aliases from ``data/meixian_departments.json`` (idempotent).

    The data lists every unit the 2021 plan names. A department is matched by its ``code``;
    name, short name, kind and region follow the file; aliases in the file are added, aliases
    added by an administrator are kept. The regions must exist (``region_load_from_data``).
    Refused as a whole when one spelling would point at two departments, within the file or
    against what is already stored. One audit event per department created or changed, its new
    aliases included.
    """
    rows = json.loads(Path(path).read_text(encoding="utf-8"))["departments"]

    owner_of_key: dict[str, str] = {}
    for row in rows:
        for key in _department_keys(row):
            other = owner_of_key.setdefault(key, row["code"])
            if other != row["code"]:
                raise _alias_conflict(key, other, row["code"])
    region_codes = {row["region"] for row in rows}
    regions = {r.code: r for r in Region.objects.filter(code__in=region_codes)}
    missing = sorted(region_codes - regions.keys())
    if missing:
        raise ApplicationError(
            "org.region_missing",
            _("部门所属区划不存在，请先导入区划：%(codes)s") % {"codes": "、".join(missing)},
            details={"codes": missing},
        )

    counts = {"departments_created": 0, "departments_updated": 0, "aliases_created": 0}
    with transaction.atomic():
        stored_keys: dict[str, str] = {}
        for code, name_key, short_key in Department.objects.values_list("code", "name_key", "short_name_key"):
            stored_keys.setdefault(name_key, code)
            stored_keys.setdefault(short_key, code)
        for code, key in DepartmentAlias.objects.values_list("department__code", "key"):
            stored_keys.setdefault(key, code)
        for key, code in owner_of_key.items():
            if stored_keys.get(key, code) != code:
                raise _alias_conflict(key, stored_keys[key], code)
        stored_aliases = set(DepartmentAlias.objects.values_list("alias", flat=True))

        for row in rows:
            region = regions[row["region"]]
            wanted = {
                "name": row["name"],
                "short_name": row["short_name"],
                "kind": row["kind"],
                "region_id": region.pk,
            }
            new_aliases = [a for a in dict.fromkeys(row.get("aliases", [])) if a not in stored_aliases]
            department = Department.objects.select_for_update().filter(code=row["code"]).first()
            before = None
            if department is None:
                department = Department.objects.create(code=row["code"], **wanted)
                action = "org.department_created"
                counts["departments_created"] += 1
            elif any(getattr(department, field) != value for field, value in wanted.items()):
                before = snapshot(department, DEPARTMENT_FIELDS)
                for field, value in wanted.items():
                    setattr(department, field, value)
                department.save()
                action = "org.department_updated"
                counts["departments_updated"] += 1
            elif new_aliases:
                action = "org.department_aliases_added"
            else:
                continue
            DepartmentAlias.objects.bulk_create(
                # bulk_create skips save(), so the lookup key is set here.
                DepartmentAlias(department=department, alias=a, key=normalize_department_name(a))
                for a in new_aliases
            )
            counts["aliases_created"] += len(new_aliases)
            audit_record(
                actor=actor,
                action=action,
                obj=department,
                before=before,
                after={**snapshot(department, DEPARTMENT_FIELDS), "aliases_added": new_aliases},
                region_code=region.code,
            )
    return counts


def _alias_conflict(key: str, code_a: str, code_b: str) -> ApplicationError:
    return ApplicationError(
        "org.alias_conflict",
        _("名称“%(key)s”同时指向两个部门：%(a)s、%(b)s") % {"key": key, "a": code_a, "b": code_b},
        details={"key": key, "departments": [code_a, code_b]},
        status=409,
    )


def department_alias_add(*, department: Department, alias: str, actor: User | None) -> DepartmentAlias:
    """Record another spelling of a department. Refused when the spelling already means another one."""
    alias = (alias or "").strip()
    key = normalize_department_name(alias)
    if not key:
        raise ApplicationError("org.alias_required", _("请填写别名"), details={"field": "alias"})
    with transaction.atomic():
        department = Department.objects.select_for_update().get(pk=department.pk)
        other = (
            Department.objects.filter(Q(name_key=key) | Q(short_name_key=key) | Q(aliases__key=key))
            .exclude(pk=department.pk)
            .first()
        )
        if other is not None:
            raise ApplicationError(
                "org.alias_conflict",
                _("别名“%(alias)s”已指向%(other)s") % {"alias": alias, "other": other.name},
                details={"field": "alias", "department": other.code},
                status=409,
            )
        if DepartmentAlias.objects.filter(alias=alias).exists():
            raise ApplicationError(
                "org.alias_exists",
                _("别名已存在：%(alias)s") % {"alias": alias},
                details={"field": "alias"},
                status=409,
            )
        row = DepartmentAlias.objects.create(department=department, alias=alias)
        audit_record(
            actor=actor,
            action="org.department_alias_added",
            obj=department,
            after={"alias": alias},
            region_code=department.region.code,
        )
    return row


# --- halls and windows ---------------------------------------------------------------------------


def hall_create(
    *,
    name: str,
    kind: str,
    region: Region,
    address: str = "",
    opening_hours: str = "",
    phone: str = "",
    is_illustrative: bool = False,
    actor: User | None,
) -> ServiceHall:
    """Open a service hall. The county hall sits in a county, a town centre in a town, a village
    station in a village (plan highlight 1: 县镇村“三级”政务服务)."""
    name = (name or "").strip()
    if not name:
        raise ApplicationError("org.hall_name_required", _("请填写大厅名称"), details={"field": "name"})
    if kind not in ServiceHall.Kind.values:
        raise ApplicationError("org.hall_kind_invalid", _("大厅类别无效：%(kind)s") % {"kind": kind})
    if region.level not in HALL_REGION_LEVELS[kind]:
        raise ApplicationError(
            "org.hall_region_mismatch",
            _("%(kind)s不能设在%(region)s（%(level)s）")
            % {"kind": ServiceHall.Kind(kind).label, "region": region.name, "level": region.get_level_display()},
            details={"field": "region"},
        )
    with transaction.atomic():
        Region.objects.select_for_update().get(pk=region.pk)
        if ServiceHall.objects.filter(region=region, name=name).exists():
            raise ApplicationError(
                "org.hall_exists",
                _("%(region)s已有同名大厅：%(name)s") % {"region": region.name, "name": name},
                status=409,
            )
        hall = ServiceHall.objects.create(
            name=name,
            kind=kind,
            region=region,
            address=address,
            opening_hours=opening_hours,
            phone=phone,
            is_illustrative=is_illustrative,
        )
        audit_record(
            actor=actor,
            action="org.hall_created",
            obj=hall,
            after=snapshot(hall, HALL_FIELDS),
            region_code=region.code,
        )
    return hall


def window_create(
    *,
    hall: ServiceHall,
    number: int,
    kind: str = Window.Kind.COMPREHENSIVE,
    label: str = "",
    actor: User | None,
) -> Window:
    """Open a numbered window in a hall; numbers are unique within the hall.

    The label defaults to "N号 综合受理窗口" (出件窗口 / 专业窗口 for the other kinds).
    """
    if kind not in Window.Kind.values:
        raise ApplicationError("org.window_kind_invalid", _("窗口类别无效：%(kind)s") % {"kind": kind})
    if not isinstance(number, int) or number < 1:
        raise ApplicationError("org.window_number_invalid", _("窗口号须为正整数"), details={"field": "number"})
    label = (label or "").strip() or f"{number}号 {WINDOW_DEFAULT_LABELS[Window.Kind(kind)]}"
    with transaction.atomic():
        # The hall lock serialises two administrators numbering windows at once.
        hall = ServiceHall.objects.select_for_update().select_related("region").get(pk=hall.pk)
        if Window.objects.filter(hall=hall, number=number).exists():
            raise ApplicationError(
                "org.window_exists",
                _("%(hall)s已有 %(n)d 号窗口") % {"hall": hall.name, "n": number},
                details={"field": "number"},
                status=409,
            )
        window = Window.objects.create(hall=hall, number=number, kind=kind, label=label)
        audit_record(
            actor=actor,
            action="org.window_created",
            obj=window,
            after=snapshot(window, WINDOW_FIELDS),
            region_code=hall.region.code,
        )
    return window


# --- users ---------------------------------------------------------------------------------------


def _join_reasons(messages: list[str]) -> str:
    """Join validator messages into one sentence: 这个密码太常见了；密码只包含数字。"""
    return "；".join(m.rstrip("。.") for m in messages) + "。"


def _password_error(password: str, user: User) -> ApplicationError | None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        messages = list(exc.messages)
        return ApplicationError(
            "org.password_weak",
            _join_reasons(messages),
            details={"field": "password", "errors": messages},
        )
    return None


def _identifier_error(code: str, field: str, validator, value: str) -> ApplicationError | None:
    try:
        validator(value)
    except ValidationError as exc:
        return ApplicationError(code, _join_reasons(list(exc.messages)), details={"field": field})
    return None


def _clean_identity(*, phone: str | None, id_number: str | None, uscc: str) -> tuple[str | None, str | None, str]:
    phone = (phone or "").strip() or None
    id_number = (id_number or "").strip().upper() or None
    uscc = (uscc or "").strip().upper()
    if phone is not None and not PHONE_RE.match(phone):
        raise ApplicationError(
            "org.phone_invalid", _("手机号格式不正确：应为 11 位数字，以 1 开头"), details={"field": "phone"}
        )
    if id_number is not None:
        error = _identifier_error("org.id_number_invalid", "id_number", validate_id_number, id_number)
        if error:
            raise error
    if uscc:
        error = _identifier_error("org.uscc_invalid", "uscc", validate_uscc, uscc)
        if error:
            raise error
    return phone, id_number, uscc


def user_create(
    *,
    username: str,
    password: str,
    display_name: str,
    phone: str | None = None,
    id_number: str | None = None,
    uscc: str = "",
    email: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    actor: User | None,
) -> User:
    """Create an account.

    The password must pass settings.AUTH_PASSWORD_VALIDATORS (等保 level 3: length ≥ 8, three of
    four character classes, not common, not all digits, not like the username); the refusal
    carries Django's Chinese reasons. Phone and ID number are stored encrypted.
    """
    username = (username or "").strip()
    display_name = (display_name or "").strip()
    if not username:
        raise ApplicationError("org.username_required", _("请填写用户名"), details={"field": "username"})
    if not display_name:
        raise ApplicationError("org.display_name_required", _("请填写姓名"), details={"field": "display_name"})
    phone, id_number, uscc = _clean_identity(phone=phone, id_number=id_number, uscc=uscc)
    user = User(
        username=username,
        display_name=display_name,
        email=(email or "").strip(),
        phone=phone,
        id_number=id_number,
        uscc=uscc,
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
    )
    error = _password_error(password, user)
    if error:
        raise error
    user.set_password(password)
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise ApplicationError(
                "org.username_taken",
                _("用户名已被使用：%(username)s") % {"username": username},
                details={"field": "username"},
                status=409,
            )
        user.save()
        audit_record(
            actor=actor,
            action="org.user_created",
            obj=user,
            after={
                **snapshot(user, USER_FIELDS),
                "has_phone": phone is not None,
                "has_id_number": id_number is not None,
            },
        )
    return user


def user_set_password(*, user: User, password: str, actor: User | None) -> User:
    """Change a password (same rules as ``user_create``); a new password also clears a lockout."""
    error = _password_error(password, user)
    if error:
        raise error
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.set_password(password)
        user.failed_login_count = 0
        user.locked_until = None
        user.save(update_fields=["password", "failed_login_count", "locked_until"])
        LoginThrottle.objects.filter(username=user.username).delete()
        audit_record(actor=actor, action="auth.password_changed", obj=user, details={"username": user.username})
    return user


def user_unlock(*, user: User, actor: User | None) -> User:
    """Lift a lockout before it runs out (an administrator's decision, audited)."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = snapshot(user, LOCK_FIELDS)
        user.failed_login_count = 0
        user.locked_until = None
        user.save(update_fields=["failed_login_count", "locked_until"])
        LoginThrottle.objects.filter(username=user.username).delete()
        audit_record(actor=actor, action="auth.unlocked", obj=user, before=before, after=snapshot(user, LOCK_FIELDS))
    return user


def _invalid_credentials() -> ApplicationError:
    # One message for a wrong password, an unknown user and a disabled account: no enumeration.
    return ApplicationError("auth.invalid_credentials", _("用户名或密码不正确"), status=401)


def _locked(locked_until: datetime, now: datetime) -> ApplicationError:
    minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))
    until = timezone.localtime(locked_until).strftime("%H:%M")
    return ApplicationError(
        "auth.locked",
        _("账户因连续登录失败已被锁定，请 %(minutes)d 分钟后（%(until)s 之后）再试")
        % {"minutes": minutes, "until": until},
        details={"locked_until": locked_until.isoformat(), "minutes": minutes},
        status=423,
    )


def _throttle(username: str, ip: str | None) -> LoginThrottle:
    """The (username, IP) counter row, locked for this transaction."""
    throttle, _created = LoginThrottle.objects.select_for_update().get_or_create(username=username, ip=ip or "")
    return throttle


def _active_lock(user: User | None, throttle: LoginThrottle, now: datetime) -> datetime | None:
    """The lock that refuses this attempt: the account's own, or this username's from this address."""
    locks = [
        until
        for until in (user.locked_until if user else None, throttle.locked_until)
        if until is not None and until > now
    ]
    return max(locks) if locks else None


def _clear_expired(user: User | None, throttle: LoginThrottle, now: datetime) -> None:
    # The first attempt after a lock runs out starts a fresh count.
    if user is not None and user.locked_until is not None and user.locked_until <= now:
        user.locked_until = None
        user.failed_login_count = 0
    if throttle.locked_until is not None and throttle.locked_until <= now:
        throttle.locked_until = None
        throttle.failures = 0


def _count_failure(
    *,
    user: User | None,
    throttle: LoginThrottle,
    username: str,
    ip: str | None,
    now: datetime,
    reason: str,
    action: str,
) -> ApplicationError | None:
    """Count one failure for (username, IP) and for the account; lock what reaches its limit and
    audit each lock. Returns the lock refusal, or None when nothing is locked yet."""
    until = now + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    locked = None
    throttle.failures += 1
    throttle.last_failed_at = now
    details = {"username": username, "ip": ip, "reason": reason}
    if user is not None:
        user.failed_login_count += 1
        user.last_failed_login_at = now
        details.update(failures=user.failed_login_count, ip_failures=throttle.failures)
    audit_record(actor=user, action=action, obj=user, details=details)
    if throttle.failures >= settings.LOGIN_MAX_FAILURES:
        throttle.locked_until = until
        audit_record(
            actor=user,
            action="auth.locked",
            obj=user,
            after={"locked_until": until.isoformat()},
            details={"username": username, "ip": ip, "failures": throttle.failures, "scope": "username_ip"},
        )
        locked = _locked(until, now)
    if user is not None and user.failed_login_count >= settings.LOGIN_ACCOUNT_MAX_FAILURES:
        # Failures from many addresses: a real brute force locks the account everywhere.
        user.locked_until = until
        audit_record(
            actor=user,
            action="auth.locked",
            obj=user,
            after={"locked_until": until.isoformat()},
            details={"username": username, "ip": ip, "failures": user.failed_login_count, "scope": "account"},
        )
        locked = _locked(until, now)
    throttle.save()
    if user is not None:
        user.save(update_fields=LOCK_FIELDS)
    return locked


def user_authenticate(*, username: str, password: str, ip: str | None) -> User:
    """Check a sign-in and keep the 等保 level 3 lockout (GB/T 22239-2019 8.1.4.1 b).

    settings.LOGIN_MAX_FAILURES consecutive failures of one username from one client address lock
    that username from that address for settings.LOGIN_LOCKOUT_MINUTES, so nobody can lock another
    person's account from their own address; settings.LOGIN_ACCOUNT_MAX_FAILURES failures across all
    addresses lock the account everywhere (a real brute force from many addresses). A lock refuses
    even the right password, and attempts while locked do not extend it. A success resets the
    counters of the account and of that address; the first attempt after a lock runs out starts a
    fresh count. The user row and the (username, IP) row are locked (select_for_update) so parallel
    failures all count. Every outcome is audited (auth.login_succeeded, auth.login_failed with the
    username tried and the IP, auth.locked with its scope), and the audit rows commit even when the
    attempt is refused.
    """
    username = (username or "").strip()
    now = timezone.now()
    failure: ApplicationError
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        throttle = _throttle(username, ip)
        lock = _active_lock(user, throttle, now)
        if lock is not None:
            audit_record(
                actor=user,
                action="auth.login_failed",
                obj=user,
                details={"username": username, "ip": ip, "reason": "locked"},
            )
            failure = _locked(lock, now)
        else:
            _clear_expired(user, throttle, now)
            if user is None:
                # Hash anyway so an unknown name takes as long as a wrong password.
                User().set_password(password)
                reason = "unknown_user"
            elif user.check_password(password) and user.is_active:
                user.failed_login_count = 0
                user.save(update_fields=["failed_login_count", "locked_until"])
                throttle.delete()
                audit_record(
                    actor=user,
                    action="auth.login_succeeded",
                    obj=user,
                    details={"username": username, "ip": ip},
                )
                return user
            else:
                reason = "inactive" if not user.is_active else "wrong_password"
            locked = _count_failure(
                user=user,
                throttle=throttle,
                username=username,
                ip=ip,
                now=now,
                reason=reason,
                action="auth.login_failed",
            )
            failure = locked or _invalid_credentials()
    raise failure


def user_verify_password(*, user: User, password: str, ip: str | None) -> None:
    """Check the current password of a signed-in user (the password-change form), under the same
    lockout as sign-in: a wrong one counts for the username from this address and for the account,
    so a taken-over session cannot guess the password without limit. Refused while locked.
    Audited as auth.password_check_failed (and auth.locked)."""
    now = timezone.now()
    failure: ApplicationError
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        throttle = _throttle(user.username, ip)
        lock = _active_lock(user, throttle, now)
        if lock is not None:
            audit_record(
                actor=user,
                action="auth.password_check_failed",
                obj=user,
                details={"username": user.username, "ip": ip, "reason": "locked"},
            )
            failure = _locked(lock, now)
        else:
            _clear_expired(user, throttle, now)
            if user.check_password(password):
                return
            locked = _count_failure(
                user=user,
                throttle=throttle,
                username=user.username,
                ip=ip,
                now=now,
                reason="wrong_password",
                action="auth.password_check_failed",
            )
            failure = locked or ApplicationError(
                "auth.wrong_password", _("当前密码不正确"), details={"field": "old_password"}, status=400
            )
    raise failure


def user_record_logout(*, user: User, ip: str | None) -> None:
    """Audit a sign-out (the view ends the session)."""
    with transaction.atomic():
        audit_record(actor=user, action="auth.logout", obj=user, details={"username": user.username, "ip": ip})


# --- memberships ---------------------------------------------------------------------------------


def membership_grant(
    *,
    user: User,
    role: str,
    department: Department | None = None,
    region: Region | None = None,
    hall: ServiceHall | None = None,
    window: Window | None = None,
    actor: User | None,
) -> Membership:
    """Give a user a role where it applies.

    Handler, inspector and dispatcher work for a department; a clerk sits in a hall (at a window
    of that hall when given); leader and supervisor look over a region (a supervisor may also
    name the office they work in). Citizen and enterprise roles carry no anchor; an enterprise
    account needs its USCC. The same grant twice is refused.
    """
    if role not in Role.values:
        raise ApplicationError("org.role_invalid", _("角色无效：%(role)s") % {"role": role}, details={"field": "role"})
    role = Role(role)
    label = role.label
    if window is not None and hall is None:
        hall = window.hall
    if window is not None and window.hall_id != hall.pk:
        raise ApplicationError(
            "org.window_not_in_hall",
            _("%(window)s不属于%(hall)s") % {"window": window.label, "hall": hall.name},
            details={"field": "window"},
        )
    if role in DEPARTMENT_ROLES and department is None:
        raise ApplicationError(
            "org.membership_department_required",
            _("%(role)s须指定所属部门") % {"role": label},
            details={"field": "department"},
        )
    if role in HALL_ROLES and hall is None:
        raise ApplicationError(
            "org.membership_hall_required", _("%(role)s须指定所在大厅") % {"role": label}, details={"field": "hall"}
        )
    if role in REGION_ROLES and region is None:
        raise ApplicationError(
            "org.membership_region_required",
            _("%(role)s须指定负责的区划") % {"role": label},
            details={"field": "region"},
        )
    if role not in STAFF_ROLES and any(x is not None for x in (department, region, hall, window)):
        raise ApplicationError(
            "org.membership_anchor_unexpected",
            _("%(role)s角色不隶属部门、大厅或区划") % {"role": label},
        )
    if department is not None and not department.is_active:
        raise ApplicationError(
            "org.department_inactive",
            _("部门已停用：%(name)s") % {"name": department.name},
            details={"field": "department"},
        )
    if window is not None and not window.is_active:
        raise ApplicationError(
            "org.window_inactive", _("窗口已停用：%(label)s") % {"label": window.label}, details={"field": "window"}
        )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if role == Role.ENTERPRISE and not user.uscc:
            raise ApplicationError(
                "org.membership_uscc_required", _("企业账户须先填写统一社会信用代码"), details={"field": "uscc"}
            )
        existing = Membership.objects.filter(
            user=user, role=role, department=department, region=region, hall=hall, window=window
        )
        if existing.exists():
            raise ApplicationError(
                "org.membership_exists",
                _("%(user)s已拥有该角色：%(role)s") % {"user": user.name, "role": label},
                status=409,
            )
        membership = Membership.objects.create(
            user=user, role=role, department=department, region=region, hall=hall, window=window
        )
        audit_record(
            actor=actor,
            action="org.membership_granted",
            obj=membership,
            after=snapshot(membership, MEMBERSHIP_FIELDS),
            region_code=_membership_region_code(membership),
        )
    scope_forget(user)  # this user object's memoised scope predates the new role
    return membership


def membership_revoke(*, membership: Membership, actor: User | None) -> Membership:
    """Take a role away. The row is deleted; the audit event keeps what it was."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        before = snapshot(membership, MEMBERSHIP_FIELDS)
        region_code = _membership_region_code(membership)
        audit_record(
            actor=actor,
            action="org.membership_revoked",
            obj=membership,
            before=before,
            region_code=region_code,
        )
        membership.delete()
    return membership


def _membership_region_code(membership: Membership) -> str | None:
    if membership.region_id:
        return membership.region.code
    if membership.hall_id:
        return membership.hall.region.code
    if membership.department_id:
        return membership.department.region.code
    return None
