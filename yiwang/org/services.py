"""Every write in ``org``: regions, departments, halls, windows, users, memberships and sign-in.

Each service runs in one transaction, locks what it changes and writes its audit event there.
"""

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
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
from yiwang.org import excel
from yiwang.org.excel import DEPARTMENT_CODE_RE, INVALID, CellError
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


def region_problems(
    *,
    code: str,
    name: str,
    level: str,
    parent_level: str | None,
    parent_code: str | None,
    parent_name: str | None = None,
) -> list[ApplicationError]:
    """Every rule a new division breaks (``details["field"]`` names the field), for one refusal or a list.

    Rule (GB/T 2260 and the statistics bureau's division codes): 6 digits for province, city and
    county, 9 for a town, 12 for a village; a child sits below its parent's level and its code
    starts with the parent's significant digits; only a province has no parent.
    """
    problems = []
    if level not in Region.Level.values:
        return [
            ApplicationError(
                "org.region_level_invalid", _("区划层级无效：%(level)s") % {"level": level}, details={"field": "level"}
            )
        ]
    expected = Region.CODE_LENGTHS[level]
    if not (code.isascii() and code.isdigit() and len(code) == expected):
        problems.append(
            ApplicationError(
                "org.region_code_invalid",
                _("区划代码应为 %(n)d 位数字（%(level)s）：%(code)s")
                % {"n": expected, "level": Region.Level(level).label, "code": code},
                details={"field": "code"},
            )
        )
    if not name:
        problems.append(ApplicationError("org.region_name_required", _("请填写区划名称"), details={"field": "name"}))
    if parent_level is not None:
        if LEVEL_RANK[level] <= LEVEL_RANK[parent_level]:
            problems.append(
                ApplicationError(
                    "org.region_parent_invalid",
                    _("%(child)s不能设在%(parent)s（%(plevel)s）之下")
                    % {
                        "child": Region.Level(level).label,
                        "parent": parent_name or parent_code,
                        "plevel": Region.Level(parent_level).label,
                    },
                    details={"field": "parent"},
                )
            )
        else:
            digits = PARENT_PREFIX_DIGITS[parent_level]
            if code[:digits] != parent_code[:digits]:
                problems.append(
                    ApplicationError(
                        "org.region_code_outside_parent",
                        _("区划代码 %(code)s 与上级 %(parent)s（%(pcode)s）不符")
                        % {"code": code, "parent": parent_name or parent_code, "pcode": parent_code},
                        details={"field": "code"},
                    )
                )
    elif level != Region.Level.PROVINCE:
        problems.append(
            ApplicationError("org.region_parent_required", _("除省级外，区划须有上级"), details={"field": "parent"})
        )
    return problems


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
    problems = region_problems(
        code=code,
        name=name,
        level=level,
        parent_level=parent.level if parent else None,
        parent_code=parent.code if parent else None,
        parent_name=parent.name if parent else None,
    )
    if problems:
        raise problems[0]
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
    """Upsert the region tree kept in ``data/meixian_regions.json`` through ``org_import`` (idempotent)."""
    rows = json.loads(Path(path).read_text(encoding="utf-8"))["regions"]
    report = org_import(regions=_data_rows(rows), departments=[], actor=actor)
    return {"created": report.regions_created, "updated": report.regions_updated, "unchanged": report.regions_unchanged}


# --- departments ---------------------------------------------------------------------------------


def department_load_from_data(*, actor: User | None = None, path: Path = DEPARTMENTS_FILE) -> dict[str, int]:
    """Upsert departments and their aliases from ``data/meixian_departments.json`` through ``org_import``.

    The data lists every unit the 2021 plan names; the regions must exist (``region_load_from_data``).
    """
    rows = json.loads(Path(path).read_text(encoding="utf-8"))["departments"]
    report = org_import(regions=[], departments=_data_rows(rows), actor=actor)
    return {
        "departments_created": report.departments_created,
        "departments_updated": report.departments_updated,
        "aliases_created": report.aliases_created,
    }


def _data_rows(rows: list[dict]) -> list[dict]:
    # The JSON files number their entries from 1, as a sheet numbers its rows.
    return [{**row, "_row": index} for index, row in enumerate(rows, start=1)]


# --- import (the Excel workbook and the project's data files alike) ----------------------------------


@dataclass
class OrgImportReport:
    """What an import did; ``changed`` is False when the file matched what is stored."""

    regions_created: int = 0
    regions_updated: int = 0
    regions_unchanged: int = 0
    departments_created: int = 0
    departments_updated: int = 0
    departments_unchanged: int = 0
    aliases_created: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.regions_created
            + self.regions_updated
            + self.departments_created
            + self.departments_updated
            + self.aliases_created
        )

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def _department_keys(row: dict) -> set[str]:
    names = [row.get("name"), row.get("short_name"), *(row.get("aliases") or [])]
    keys = {normalize_department_name(n) for n in names if isinstance(n, str)}
    keys.discard("")
    return keys


def _region_plan(rows: list[dict], errors: list[CellError]) -> tuple[list[dict], dict[str, tuple[str, str, str]]]:
    """Check the region rows; return them parents first, and every known code's (level, name, path-less parent)."""
    sheet = excel.SHEET_REGIONS
    header = excel.HEADERS[sheet]

    def error(row: dict, key: str | None, message: str, code: str) -> None:
        errors.append(CellError(sheet, row.get("_row"), header.get(key) if key else None, message, code))

    stored = {
        code: (level, name, parent_code)
        for code, level, name, parent_code in Region.objects.values_list("code", "level", "name", "parent__code")
    }
    in_file: dict[str, dict] = {}
    for row in rows:
        for key in ("code", "name", "level"):
            if row.get(key) is None:
                error(row, key, "不能为空", "org.import_required")
        code = row.get("code")
        if isinstance(code, str) and code:
            if code in in_file:
                error(row, "code", f"区划代码“{code}”与第{in_file[code]['_row']}行重复", "org.import_duplicate_code")
            else:
                in_file[code] = row
    known = {**stored, **{code: (r.get("level"), r.get("name"), r.get("parent")) for code, r in in_file.items()}}

    for code, row in in_file.items():
        level, name, parent_code = row.get("level"), row.get("name"), row.get("parent")
        if INVALID in (level, name, parent_code) or None in (level, name):
            continue
        if code in stored:
            old_level, _old_name, old_parent = stored[code]
            if old_level != level:
                error(
                    row,
                    "level",
                    f"区划 {code} 已是{Region.Level(old_level).label}，层级不能通过导入修改",
                    "org.region_level_fixed",
                )
            if (old_parent or None) != (parent_code or None):
                error(
                    row,
                    "parent",
                    f"区划 {code} 的上级已是 {old_parent or '（无）'}，不能通过导入修改",
                    "org.region_parent_fixed",
                )
            continue
        parent_level = parent_name = None
        if parent_code:
            if parent_code not in known:
                error(row, "parent", f"上级区划“{parent_code}”不在本表中，也不在系统中", "org.region_parent_missing")
                continue
            parent_level, parent_name, _ = known[parent_code]
            if parent_level is None or parent_level is INVALID:
                continue
        for problem in region_problems(
            code=code,
            name=name,
            level=level,
            parent_level=parent_level,
            parent_code=parent_code,
            parent_name=parent_name,
        ):
            field_name = problem.details.get("field")
            error(row, field_name, problem.message, problem.code)

    # Parents first, whatever the order of the sheet.
    ordered, placed = [], set()

    def place(code: str, seen: tuple = ()) -> None:
        if code in placed or code not in in_file or code in seen:
            return
        parent_code = in_file[code].get("parent")
        if isinstance(parent_code, str):
            place(parent_code, (*seen, code))
        placed.add(code)
        ordered.append(in_file[code])

    for code in in_file:
        place(code)
    return ordered, known


def _department_plan(rows: list[dict], known_regions: dict, errors: list[CellError]) -> None:
    """Check the department rows: codes, names, regions, kinds, and one spelling per unit in each region."""
    sheet = excel.SHEET_DEPARTMENTS
    header = excel.HEADERS[sheet]

    def error(row: dict, key: str | None, message: str, code: str) -> None:
        errors.append(CellError(sheet, row.get("_row"), header.get(key) if key else None, message, code))

    codes: dict[str, dict] = {}
    names: dict[str, dict] = {}
    for row in rows:
        for key in ("code", "name", "region"):
            if row.get(key) is None:
                error(row, key, "不能为空", "org.import_required")
        code, name, region = row.get("code"), row.get("name"), row.get("region")
        if isinstance(code, str):
            if not DEPARTMENT_CODE_RE.match(code):
                error(row, "code", f"“{code}”只能包含字母、数字、短横线和下划线", "org.import_cell_invalid")
            elif code in codes:
                error(row, "code", f"部门编码“{code}”与第{codes[code]['_row']}行重复", "org.import_duplicate_code")
            else:
                codes[code] = row
        if isinstance(name, str):
            if name in names:
                error(row, "name", f"部门全称“{name}”与第{names[name]['_row']}行重复", "org.import_duplicate_name")
            else:
                names[name] = row
        if isinstance(region, str) and region not in known_regions:
            error(
                row, "region", f"所属区划“{region}”不在“行政区划”表中，也不在系统中，请先导入区划", "org.region_missing"
            )
        if row.get("kind") is not None and row["kind"] is not INVALID and row["kind"] not in Department.Kind.values:
            error(row, "kind", f"类别无效：{row['kind']}", "org.import_bad_enum")

    stored_names = dict(Department.objects.filter(name__in=list(names)).values_list("name", "code"))
    for name, row in names.items():
        other = stored_names.get(name)
        if other and other != row.get("code"):
            error(row, "name", f"部门全称“{name}”已属于部门 {other}", "org.department_name_taken")

    # One spelling, one unit — within a region (区人社局 may exist in every district).
    owner: dict[tuple[str, str], dict] = {}
    for row in rows:
        region = row.get("region")
        if not isinstance(region, str) or not isinstance(row.get("code"), str):
            continue
        for key in sorted(_department_keys(row)):
            other = owner.setdefault((region, key), row)
            if other is not row and other.get("code") != row.get("code"):
                error(
                    row,
                    "aliases",
                    f"名称“{key}”同时指向第{other['_row']}行的部门 {other['code']} 和本行的部门 {row['code']}",
                    "org.alias_conflict",
                )
    file_codes = set(codes)
    stored_keys: dict[tuple[str, str], str] = {}
    for code, region, name_key, short_key in Department.objects.values_list(
        "code", "region__code", "name_key", "short_name_key"
    ):
        if code not in file_codes:  # a department in the file gets its names from the file
            stored_keys.setdefault((region, name_key), code)
            stored_keys.setdefault((region, short_key), code)
    for code, region, key in DepartmentAlias.objects.values_list("department__code", "department__region__code", "key"):
        stored_keys.setdefault((region, key), code)
    for (region, key), row in owner.items():
        other = stored_keys.get((region, key))
        if other and other != row.get("code"):
            error(row, "aliases", f"名称“{key}”已指向同一区划的部门 {other}", "org.alias_conflict")


def org_import(
    *,
    regions: list[dict],
    departments: list[dict],
    actor: User | None,
    errors: list[CellError] | None = None,
    progress: Callable[[int], None] | None = None,
) -> OrgImportReport:
    """Load regions and departments (with aliases), all or nothing; one code path for the Excel
    workbook (``excel.workbook_parse``) and the project's data files.

    Every row is checked first and any error refuses the whole load with ``org.import_invalid`` and
    every error's sheet, row, column and reason in ``details["errors"]`` (``errors`` brings those the
    parse already found). Regions are matched by code: a new one is created under its parent (in the
    file or stored); an existing one takes the file's name and illustrative flag but keeps its level
    and parent. Departments are matched by code: name, short name (blank: the full name), kind
    (blank: 县政府部门) and region follow the file; aliases in the file are added, stored aliases
    kept. Within a region one spelling names one unit.

    Audited like the loaders before it: one event per created or changed row
    (``org.region_created/updated``, ``org.department_created/updated/aliases_added``), and one
    ``org.import`` summary with the counts when anything changed. The same file twice changes nothing.
    """
    errors = list(errors or [])
    ordered_regions, known_regions = _region_plan(regions, errors)
    _department_plan(departments, known_regions, errors)
    if errors:
        raise ApplicationError(
            "org.import_invalid",
            _("导入文件有%(n)d处错误，行政区划和部门未做任何修改") % {"n": len(errors)},
            details={"errors": [e.as_dict() for e in errors]},
        )

    report = OrgImportReport()
    with transaction.atomic():
        for row in ordered_regions:
            _region_upsert(row, actor, report)
            if progress:
                progress(1)
        stored_aliases = set(DepartmentAlias.objects.values_list("department__code", "alias"))
        region_ids = dict(Region.objects.filter(code__in={r["region"] for r in departments}).values_list("code", "pk"))
        for row in departments:
            _department_upsert(row, region_ids[row["region"]], stored_aliases, actor, report)
            if progress:
                progress(1)
        if report.changed:
            audit_record(actor=actor, action="org.import", obj=None, region_code=None, details=report.as_dict())
    return report


def _region_upsert(row: dict, actor: User | None, report: OrgImportReport) -> None:
    region = Region.objects.select_for_update().filter(code=row["code"]).first()
    is_illustrative = bool(row.get("is_illustrative") or False)
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
        report.regions_created += 1
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
        report.regions_updated += 1
    else:
        report.regions_unchanged += 1


def _department_upsert(
    row: dict, region_id: int, stored_aliases: set[tuple[str, str]], actor: User | None, report: OrgImportReport
) -> None:
    wanted = {
        "name": row["name"],
        "short_name": row.get("short_name") or row["name"],
        "kind": row.get("kind") or Department.Kind.GOVERNMENT,
        "region_id": region_id,
    }
    new_aliases = [a for a in dict.fromkeys(row.get("aliases") or []) if (row["code"], a) not in stored_aliases]
    department = Department.objects.select_for_update().filter(code=row["code"]).first()
    before = None
    if department is None:
        department = Department.objects.create(code=row["code"], **wanted)
        action = "org.department_created"
        report.departments_created += 1
    elif any(getattr(department, name) != value for name, value in wanted.items()):
        before = snapshot(department, DEPARTMENT_FIELDS)
        for name, value in wanted.items():
            setattr(department, name, value)
        department.save()
        action = "org.department_updated"
        report.departments_updated += 1
    elif new_aliases:
        action = "org.department_aliases_added"
        report.departments_unchanged += 1
    else:
        report.departments_unchanged += 1
        return
    DepartmentAlias.objects.bulk_create(
        # bulk_create skips save(), so the lookup key is set here.
        DepartmentAlias(department=department, alias=a, key=normalize_department_name(a))
        for a in new_aliases
    )
    stored_aliases.update((row["code"], a) for a in new_aliases)
    report.aliases_created += len(new_aliases)
    audit_record(
        actor=actor,
        action=action,
        obj=department,
        before=before,
        after={**snapshot(department, DEPARTMENT_FIELDS), "aliases_added": new_aliases},
        region_code=department.region.code,
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
            # One spelling, one unit within a region: 县人社局 may name a unit in every county.
            Department.objects.filter(Q(name_key=key) | Q(short_name_key=key) | Q(aliases__key=key))
            .filter(region_id=department.region_id)
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
        if department.aliases.filter(alias=alias).exists():
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
