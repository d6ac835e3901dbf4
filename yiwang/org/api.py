"""``/api/org/``: who am I, the region tree, departments and name resolution.

Regions and departments are public reference data (auth=None). ``me`` needs a session and never
returns a phone or ID number unmasked.
"""

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from yiwang.api.schemas import ErrorOut
from yiwang.core.errors import ApplicationError
from yiwang.core.pii import mask_id_number, mask_phone
from yiwang.org import selectors
from yiwang.org.models import Department, Membership, Region

router = Router(tags=["org"])

SEARCH_MAX = 100  # characters of a name or search query


class RegionOut(Schema):
    code: str
    name: str
    level: str
    level_label: str
    parent_code: str | None
    path: str
    is_illustrative: bool

    @staticmethod
    def from_region(region: Region) -> "RegionOut":
        return RegionOut(
            code=region.code,
            name=region.name,
            level=region.level,
            level_label=str(region.get_level_display()),
            parent_code=region.path.rstrip("/").split("/")[-2] if region.parent_id else None,
            path=region.path,
            is_illustrative=region.is_illustrative,
        )


class DepartmentOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    kind_label: str
    region_code: str
    region_name: str
    aliases: list[str]
    is_active: bool

    @staticmethod
    def from_department(department: Department) -> "DepartmentOut":
        return DepartmentOut(
            code=department.code,
            name=department.name,
            short_name=department.short_name,
            kind=department.kind,
            kind_label=str(department.get_kind_display()),
            region_code=department.region.code,
            region_name=department.region.name,
            aliases=[a.alias for a in department.aliases.all()],
            is_active=department.is_active,
        )


class DepartmentBrief(Schema):
    code: str
    name: str
    short_name: str


class MembershipOut(Schema):
    role: str
    role_label: str
    department: DepartmentBrief | None
    region_code: str | None
    region_name: str | None
    hall: str | None
    window: str | None

    @staticmethod
    def from_membership(m: Membership) -> "MembershipOut":
        return MembershipOut(
            role=m.role,
            role_label=str(m.get_role_display()),
            department=DepartmentBrief(
                code=m.department.code, name=m.department.name, short_name=m.department.short_name
            )
            if m.department
            else None,
            region_code=m.region.code if m.region else None,
            region_name=m.region.name if m.region else None,
            hall=m.hall.name if m.hall else None,
            window=m.window.label if m.window else None,
        )


class MeOut(Schema):
    username: str
    display_name: str
    phone_masked: str | None
    id_number_masked: str | None
    uscc: str | None
    roles: list[str]
    memberships: list[MembershipOut]
    departments: list[DepartmentBrief]


@router.get("/me", response=MeOut, summary="当前用户：角色与所属部门（手机号、身份证号仅脱敏显示）")
def me(request):
    user = request.user
    return MeOut(
        username=user.username,
        display_name=user.name,
        phone_masked=mask_phone(user.phone) if user.phone else None,
        id_number_masked=mask_id_number(user.id_number) if user.id_number else None,
        uscc=user.uscc or None,
        roles=sorted(selectors.user_roles(user)),
        memberships=[MembershipOut.from_membership(m) for m in selectors.user_memberships(user)],
        departments=[
            DepartmentBrief(code=d.code, name=d.name, short_name=d.short_name) for d in selectors.user_departments(user)
        ],
    )


@router.get(
    "/regions",
    response={200: list[RegionOut], 404: ErrorOut},
    auth=None,
    summary="行政区划：某区划的下级（不传 parent 返回省级）",
)
def regions(request, parent: str | None = Query(None, max_length=12)):  # noqa: B008 — ninja declares parameters this way
    parent_region = None
    if parent:
        parent_region = selectors.region_get(parent)
        if parent_region is None:
            raise ApplicationError(
                "org.region_unknown",
                _("区划代码不存在：%(code)s") % {"code": parent},
                details={"code": parent},
                status=404,
            )
    return [RegionOut.from_region(r) for r in selectors.region_children(parent_region)]


@router.get(
    "/departments", response=list[DepartmentOut], auth=None, summary="部门列表（含别名），q 按名称/简称/别名查找"
)
def departments(request, q: str | None = Query(None, max_length=SEARCH_MAX)):  # noqa: B008
    return [DepartmentOut.from_department(d) for d in selectors.department_list(q=q)]


@router.get(
    "/departments/resolve",
    response={200: DepartmentOut, 404: ErrorOut},
    auth=None,
    summary="把文件中的单位写法解析为部门（如“县法院”）",
)
def departments_resolve(request, name: str = Query(..., max_length=SEARCH_MAX)):  # noqa: B008
    department = selectors.department_resolve(name)
    if department is None:
        raise ApplicationError(
            "org.department_unknown",
            _("无法识别的单位名称：%(name)s") % {"name": name},
            details={"name": name},
            status=404,
        )
    return DepartmentOut.from_department(department)
