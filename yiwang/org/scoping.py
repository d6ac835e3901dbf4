"""One scope and one permission rule: which roles may do which action, and where.

DESIGN.md, department scoping: a handler sees and acts on only their department's work; a town
station only its town. Every app asks this module, web views and API alike, and never queries
memberships itself.

The rule is data. ``ACTIONS`` maps an action name ("case.decide") to the roles that may do it and,
for each role, the *anchor* that limits where:

========================  ==========================================================================
anchor                    the objects a membership reaches
========================  ==========================================================================
``platform``              anywhere (self-service actions whose ownership the owning app checks)
``hall``                  the membership's hall; an object not yet at any hall (an online case) when
                          its region lies within the hall's region
``town``                  the hall's region subtree (a town centre serves its town, the county hall
                          the county)
``department``            the membership's department
``department_region``     the subtree of the department's region
``department_county``     the subtree of the county the department belongs to (the 12345 centre
                          serves the whole county)
``region``                the membership's region subtree
========================  ==========================================================================

Administrators are implicit in every action (unless registered with ``admin=False``): a platform
administrator (a superuser, or an ``admin`` membership without a region) may do everything; a
region administrator acts within the region's subtree.

Usage::

    scope = scope_for(request.user)
    scope.can("case.decide", department=case.department)           # object level
    scope.filter(Case.objects.all(), "case.read", hall="hall")      # querysets, never leaks
    scope.can("appeal.dispatch")                                    # role level (no object)

New modules (ratings, inspections, supervision…) add their rows from their own app with
``register_action`` (e.g. in ``AppConfig.ready``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from types import MappingProxyType

from django.db import models
from django.db.models import Q, QuerySet

from yiwang.org.models import Department, Membership, Region, Role, ServiceHall


class Anchor:
    """Where a role's grant reaches (see the module docstring)."""

    PLATFORM = "platform"
    HALL = "hall"
    TOWN = "town"
    DEPARTMENT = "department"
    DEPARTMENT_REGION = "department_region"
    DEPARTMENT_COUNTY = "department_county"
    REGION = "region"

    ALL = frozenset({PLATFORM, HALL, TOWN, DEPARTMENT, DEPARTMENT_REGION, DEPARTMENT_COUNTY, REGION})


@dataclass(frozen=True)
class Action:
    """One row of the table: ``grants`` maps a role to its anchor; ``admin`` adds administrators."""

    name: str
    label: str
    grants: Mapping[str, str]
    admin: bool = True

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(self.grants) | ({Role.ADMIN.value} if self.admin else set())


ACTIONS: dict[str, Action] = {}


def register_action(
    name: str, *, roles: Iterable[str] | Mapping[str, str], anchor: str | None = None, label: str, admin: bool = True
) -> Action:
    """Add one action to ``ACTIONS``.

    ``roles`` is either an iterable of roles that all share ``anchor``, or a mapping role → anchor
    (then ``anchor`` is not given). Administrators need not be listed (see ``admin``). A duplicate
    name, an unknown role or an unknown anchor raises ``ValueError`` at import time.
    """
    if name in ACTIONS:
        raise ValueError(f"action {name!r} is already registered")
    if isinstance(roles, Mapping):
        if anchor is not None:
            raise ValueError("pass either a role → anchor mapping or one anchor, not both")
        grants = dict(roles)
    else:
        grants = {role: anchor for role in roles}
    for role, role_anchor in grants.items():
        if role not in Role.values:
            raise ValueError(f"action {name!r}: unknown role {role!r}")
        if role == Role.ADMIN:
            raise ValueError(f"action {name!r}: administrators are implicit (use admin=False to exclude them)")
        if role_anchor not in Anchor.ALL:
            raise ValueError(f"action {name!r}: unknown anchor {role_anchor!r} for {role!r}")
    action = Action(
        name=name, label=label, grants=MappingProxyType({str(r): a for r, a in grants.items()}), admin=admin
    )
    ACTIONS[name] = action
    return action


# --- the table -----------------------------------------------------------------------------------
# Derived from what cases, hotline, catalog and workdays check today, with one fix from the security
# review: inspectors inspect (and verify pledges, 事中事后核查); they do not decide cases, sign off or
# reply appeals, nor read a citizen's unmasked contact data.

_C, _E = Role.CITIZEN.value, Role.ENTERPRISE.value
_CLERK, _HANDLER, _DISPATCHER = Role.CLERK.value, Role.HANDLER.value, Role.DISPATCHER.value
_INSPECTOR, _SUPERVISOR, _LEADER = Role.INSPECTOR.value, Role.SUPERVISOR.value, Role.LEADER.value
_STAFF = {_CLERK, _HANDLER, _DISPATCHER, _INSPECTOR, _SUPERVISOR, _LEADER}

A = Anchor
# Applications (办件)
register_action("case.apply", roles={_C, _E}, anchor=A.PLATFORM, label="在线申请办件")
register_action("case.intake", roles={_CLERK}, anchor=A.HALL, label="窗口收件")
register_action("case.accept", roles={_CLERK}, anchor=A.HALL, label="受理、不予受理、一次性告知补正")
register_action("case.review", roles={_HANDLER}, anchor=A.DEPARTMENT, label="分派与审查办件")
register_action("case.decide", roles={_HANDLER}, anchor=A.DEPARTMENT, label="作出办理决定")
register_action("case.pause", roles={_HANDLER}, anchor=A.DEPARTMENT, label="暂停与恢复计时")
register_action("case.extend", roles={_HANDLER}, anchor=A.DEPARTMENT, label="申请延期")
register_action(
    "case.approve_extension",
    roles={_HANDLER: A.DEPARTMENT, _LEADER: A.REGION},  # 行政许可法 Art. 42: 本行政机关负责人批准
    label="审批办件延期",
)
register_action("case.deliver", roles={_CLERK: A.HALL, _HANDLER: A.DEPARTMENT}, label="出件")
register_action("case.help", roles={_CLERK: A.TOWN, _HANDLER: A.DEPARTMENT_REGION}, label="远程帮办")
register_action("case.verify_pledge", roles={_HANDLER, _INSPECTOR}, anchor=A.DEPARTMENT, label="告知承诺事中事后核查")
register_action("case.configure", roles={_HANDLER}, anchor=A.DEPARTMENT, label="配置事项审批环节")
register_action(
    "case.read",
    roles={_CLERK: A.HALL, _HANDLER: A.DEPARTMENT, _INSPECTOR: A.DEPARTMENT, _LEADER: A.REGION, _SUPERVISOR: A.REGION},
    label="查看办件",
)
register_action("case.measures", roles={_LEADER, _SUPERVISOR}, anchor=A.REGION, label="办件统计与考核")
# Appeals (诉求), 12345
register_action("appeal.submit", roles={_C, _E}, anchor=A.PLATFORM, label="反映诉求")
register_action(
    "appeal.intake", roles={_CLERK: A.TOWN, _DISPATCHER: A.DEPARTMENT_COUNTY}, label="登记、直接答复、不予受理诉求"
)
register_action("appeal.dispatch", roles={_DISPATCHER}, anchor=A.DEPARTMENT_COUNTY, label="派单、改类、合并")
register_action("appeal.approve_return", roles={_DISPATCHER}, anchor=A.DEPARTMENT_COUNTY, label="审核退单")
register_action("appeal.approve_extension", roles={_DISPATCHER}, anchor=A.DEPARTMENT_COUNTY, label="审核诉求延期")
register_action("appeal.revisit", roles={_DISPATCHER}, anchor=A.DEPARTMENT_COUNTY, label="回访")
register_action("appeal.sign_off", roles={_HANDLER}, anchor=A.DEPARTMENT, label="签收诉求")
register_action("appeal.reply", roles={_HANDLER}, anchor=A.DEPARTMENT, label="答复诉求")
register_action("appeal.return", roles={_HANDLER}, anchor=A.DEPARTMENT, label="退单")
register_action("appeal.request_extension", roles={_HANDLER}, anchor=A.DEPARTMENT, label="申请诉求延期")
register_action("appeal.opinion", roles={_HANDLER}, anchor=A.DEPARTMENT, label="填写协办意见")
register_action(
    "appeal.read",
    roles={
        _HANDLER: A.DEPARTMENT,
        _INSPECTOR: A.DEPARTMENT,
        _DISPATCHER: A.DEPARTMENT_COUNTY,
        _LEADER: A.REGION,
        _SUPERVISOR: A.REGION,
    },
    label="查看诉求（联系方式脱敏）",
)
register_action(
    "appeal.read_contact",
    roles={_HANDLER: A.DEPARTMENT, _DISPATCHER: A.DEPARTMENT_COUNTY},
    label="查看诉求人姓名和电话（回访、回复用）",
)
register_action(
    "appeal.dashboard",
    roles={_DISPATCHER: A.DEPARTMENT_COUNTY, _LEADER: A.REGION, _SUPERVISOR: A.REGION},
    label="接诉即办考核数据",
)
# 办不成事
register_action("unresolved.register", roles={_CLERK: A.TOWN, _DISPATCHER: A.DEPARTMENT_COUNTY}, label="登记办不成事")
register_action(
    "unresolved.handle",
    roles={_CLERK: A.TOWN, _DISPATCHER: A.DEPARTMENT_COUNTY, _HANDLER: A.DEPARTMENT},
    label="办结办不成事",
)
register_action(
    "unresolved.read",
    roles={
        _CLERK: A.TOWN,
        _DISPATCHER: A.DEPARTMENT_COUNTY,
        _HANDLER: A.DEPARTMENT,
        _LEADER: A.REGION,
        _SUPERVISOR: A.REGION,
    },
    label="查看办不成事台账",
)
# Catalog, calendar, organisation
register_action("catalog.workspace", roles=_STAFF, anchor=A.PLATFORM, label="事项管理工作台")
register_action("catalog.propose", roles={_HANDLER}, anchor=A.DEPARTMENT, label="提出事项调整")
register_action("catalog.review", roles={_HANDLER: A.DEPARTMENT, _SUPERVISOR: A.REGION}, label="交叉审核事项调整")
register_action("catalog.withdraw", roles=(), label="撤回已发布事项")
register_action("calendar.manage", roles=(), label="维护工作日历")
register_action("org.manage", roles=(), label="维护部门、用户与角色")
# Oversight
register_action("inspect", roles={_INSPECTOR}, anchor=A.DEPARTMENT, label="执法检查")
register_action("supervise", roles={_SUPERVISOR, _LEADER}, anchor=A.REGION, label="督查督办")
# Legacy rows behind the selectors other apps still call (see org.selectors).
register_action(
    "department.read",
    roles={
        _HANDLER: A.DEPARTMENT,
        _INSPECTOR: A.DEPARTMENT,
        _DISPATCHER: A.DEPARTMENT,
        _LEADER: A.REGION,
        _SUPERVISOR: A.REGION,
    },
    label="查看部门的工作",
)
register_action("department.act", roles={_HANDLER, _DISPATCHER}, anchor=A.DEPARTMENT, label="以部门名义办理")
del A


def action_get(name: str) -> Action:
    """The registered action; an unknown name is a programming error (``KeyError`` with the name)."""
    try:
        return ACTIONS[name]
    except KeyError:
        raise KeyError(f"unknown action {name!r}; register it with yiwang.org.scoping.register_action") from None


# --- the scope -----------------------------------------------------------------------------------

# "not passed" differs from None: an omitted anchor means the object has no such field (a grant on
# it cannot match); None means the object has the field and it is empty (an online case at no hall).
UNSET = object()


@dataclass(frozen=True)
class _Grant:
    """One membership, reduced to what the rule needs."""

    role: str
    department_id: int | None = None
    department_region_path: str | None = None
    department_county_path: str | None = None
    region_path: str | None = None  # None for a region role means the whole platform (admin only)
    hall_id: int | None = None
    hall_region_path: str | None = None


def _county_path(path: str | None, level: str | None) -> str | None:
    """The path of the county above a town or village (``path`` holds the chain of codes)."""
    if path is None:
        return None
    if level not in (Region.Level.TOWN, Region.Level.VILLAGE):
        return path
    codes = [c for c in path.split("/") if c]
    return "".join(f"{c}/" for c in codes[:3]) if len(codes) >= 3 else path


def _under(path: str | None, prefix: str | None) -> bool:
    # The one place a region-subtree test on Python objects lives (querysets: ``_subtree_q``).
    return path is not None and prefix is not None and path.startswith(prefix)


def _area_prefix(grant: _Grant, anchor: str) -> str | None:
    """The region path under which an area anchor (town, department region/county, region) reaches."""
    return {
        Anchor.HALL: grant.hall_region_path,
        Anchor.TOWN: grant.hall_region_path,
        Anchor.DEPARTMENT_REGION: grant.department_region_path,
        Anchor.DEPARTMENT_COUNTY: grant.department_county_path,
        Anchor.REGION: grant.region_path,
    }.get(anchor)


def _covers(grant: _Grant, anchor: str, department, region_path: str | None, hall) -> bool:
    """Whether one grant reaches an object (``UNSET`` = the object has no such field)."""
    if anchor == Anchor.PLATFORM:
        return True
    if anchor == Anchor.DEPARTMENT:
        return department not in (UNSET, None) and department.pk == grant.department_id
    if anchor == Anchor.HALL:
        if hall is UNSET:
            return False
        if hall is not None:
            return hall.pk == grant.hall_id
        return _under(region_path, grant.hall_region_path)  # not at any hall yet: the hall's region
    return _under(region_path, _area_prefix(grant, anchor))


def _join(prefix: str, rest: str) -> str:
    return f"{prefix}__{rest}" if prefix else rest


class _InRegions(models.Func):
    """``region_id IN (the subtree's ids)`` — on PostgreSQL written ``region_id = ANY(ARRAY(SELECT …))``.

    The planner estimates ``path LIKE 'prefix%'`` on the region table at one row whatever the subtree
    holds (a county: 47). With the ids as an ``IN (SELECT …)`` it may then put the region table on the
    outside of a nested loop and read the big table's matching rows once per region: the leader page's
    late 企业开办 read the 19,695 openings of its period 47 times (5.9 s at 10 M cases). ``ARRAY(SELECT
    …)`` is evaluated once, before the statement runs (an InitPlan), and the row's region is then one
    filter or index condition on the ids; SQLite keeps ``IN (SELECT …)``."""

    output_field = models.BooleanField()
    conditional = True

    def as_sql(self, compiler, connection, **extra_context):
        (column, subtree) = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        subtree_sql, subtree_params = compiler.compile(subtree)
        if connection.vendor == "postgresql":
            return f"{column_sql} = ANY(ARRAY{subtree_sql})", (*column_params, *subtree_params)
        return f"{column_sql} IN {subtree_sql}", (*column_params, *subtree_params)


def _subtree_q(region_path: str, prefix: str) -> Q:
    """Rows whose region (at field path ``region_path``, "" = the Region itself) lies under ``prefix``.

    On another model the test is on the row's indexed region id against the subtree's ids, the prefix
    matched in the small region table only (``_InRegions``) — never a join to the region table with the
    ``LIKE`` on the big one's side, which the planner estimates at one region and answers by reading
    every row (issue: province scale)."""
    if not region_path:
        return Q(path__startswith=prefix)
    subtree = models.Subquery(Region.objects.filter(path__startswith=prefix).order_by().values("pk"))
    return Q(_InRegions(models.F(region_path), subtree))


@dataclass(frozen=True)
class Scope:
    """Where one user may do which action. Immutable; build it with ``scope_for``.

    ``roles`` are the role values held ("admin" for a superuser too); ``is_platform_admin`` is true
    for a superuser or an administrator granted without a region.
    """

    user_id: int | None = None
    roles: frozenset[str] = frozenset()
    is_platform_admin: bool = False
    grants: tuple[_Grant, ...] = field(default=())

    # -- which grants count for an action

    def _anchored(self, action: str) -> list[tuple[_Grant, str]]:
        row = action_get(action)
        out = []
        for grant in self.grants:
            if grant.role == Role.ADMIN:
                if row.admin:
                    out.append((grant, Anchor.PLATFORM if grant.region_path is None else Anchor.REGION))
            elif grant.role in row.grants:
                out.append((grant, row.grants[grant.role]))
        return out

    def allows_everywhere(self, action: str) -> bool:
        """Whether the user may do ``action`` on any object (a platform administrator, a platform anchor)."""
        return any(anchor == Anchor.PLATFORM for _, anchor in self._anchored(action))

    # -- object level

    def can(self, action: str, *, department=UNSET, region=UNSET, hall=UNSET) -> bool:
        """Whether the user may do ``action`` here.

        With no object (``can("appeal.dispatch")``) the answer is role level: does the user hold a
        role the action grants. With an object, pass the object's department, region and hall
        (None when its field is empty, omit an anchor the model lacks); the answer is true when one
        grant's anchor covers the object. Leaders and supervisors are granted reads and
        supervision, never a department's acts.
        """
        anchored = self._anchored(action)
        if department is UNSET and region is UNSET and hall is UNSET:
            return bool(anchored)
        obj_region = region if region is not UNSET else None
        if obj_region is None and department not in (UNSET, None):
            obj_region = department.region
        if obj_region is None and hall not in (UNSET, None):
            obj_region = hall.region
        region_path = obj_region.path if obj_region is not None else None
        return any(_covers(grant, anchor, department, region_path, hall) for grant, anchor in anchored)

    # -- querysets

    def q(self, action: str, *, department: str | None = "department", region: str | None = "region", hall=None):
        """The ``Q`` behind ``filter``; None when nothing qualifies. Field paths as in ``filter``."""
        conditions: list[Q] = []
        # Where the row's region is read from: its own region, else its department's, else its hall's.
        if region is not None:
            region_at = region
        elif department is not None:
            region_at = _join(department, "region")
        elif hall is not None:
            region_at = _join(hall, "region")
        else:
            region_at = None
        for grant, anchor in self._anchored(action):
            if anchor == Anchor.PLATFORM:
                return Q()
            if anchor == Anchor.DEPARTMENT:
                if department is not None and grant.department_id:
                    conditions.append(Q(**{_join(department, "pk"): grant.department_id}))
            elif anchor == Anchor.HALL:
                if hall is None or not grant.hall_id:
                    continue
                conditions.append(Q(**{_join(hall, "pk"): grant.hall_id}))
                if region_at is not None and hall:  # rows at no hall yet, within the hall's region
                    conditions.append(Q(**{f"{hall}__isnull": True}) & _subtree_q(region_at, grant.hall_region_path))
            else:
                prefix = _area_prefix(grant, anchor)
                if region_at is not None and prefix:
                    conditions.append(_subtree_q(region_at, prefix))
        if not conditions:
            return None
        return reduce(or_, conditions)

    def filter(
        self,
        qs: QuerySet,
        action: str,
        *,
        department: str | None = "department",
        region: str | None = "region",
        hall: str | None = None,
    ) -> QuerySet:
        """``qs`` narrowed to the rows where the user may do ``action``.

        Field paths may follow relations (``department="case__department"``); "" means the
        queryset's own model is that entity (a Department, Region or ServiceHall queryset); None
        means the model lacks that anchor, so grants anchored on it match nothing. A row's region
        is read from ``region``, else from its department's, else from its hall's. Signed out or
        without a qualifying role: ``qs.none()``. The filter adds no joins of its own beyond the paths
        given, so a path along forward foreign keys never duplicates rows (no ``distinct`` needed).
        """
        condition = self.q(action, department=department, region=region, hall=hall)
        if condition is None:
            return qs.none()
        if not condition:
            return qs
        return qs.filter(condition)

    # -- where, as sets

    def departments(self, action: str) -> QuerySet[Department]:
        """Departments the user may do ``action`` for (their own; all in a region subtree for region grants)."""
        return self.filter(Department.objects.all(), action, department="", region="region")

    def halls(self, action: str) -> QuerySet[ServiceHall]:
        """Halls the user may do ``action`` at (their own hall; those in a subtree for area grants)."""
        return self.filter(ServiceHall.objects.all(), action, department=None, region="region", hall="")

    def regions(self, action: str) -> QuerySet[Region]:
        """Regions the user may do ``action`` in: the subtree of each area grant, a hall's region for a
        hall grant and a department's own region for a department grant."""
        anchored = self._anchored(action)
        if any(anchor == Anchor.PLATFORM for _, anchor in anchored):
            return Region.objects.all()
        conditions = []
        for grant, anchor in anchored:
            if anchor == Anchor.DEPARTMENT:
                if grant.department_region_path:
                    conditions.append(Q(path=grant.department_region_path))
                continue
            prefix = _area_prefix(grant, anchor)
            if prefix:
                conditions.append(_subtree_q("", prefix))
        if not conditions:
            return Region.objects.none()
        return Region.objects.filter(reduce(or_, conditions))

    def towns(self, action: str) -> QuerySet[Region]:
        """The towns (镇/街道) among ``regions(action)``."""
        return self.regions(action).filter(level=Region.Level.TOWN)


EMPTY_SCOPE = Scope()

_MEMO = "_yiwang_scope"


def _anchor_paths(*, departments: set, regions: set, halls: set) -> dict[tuple[str, int], tuple]:
    """(kind, id) → (region path, region level) of the departments', halls' and regions' regions, in one
    query (a UNION ALL of the parts needed), or none when there is nothing to look up."""
    kind = models.CharField()
    parts = []
    if departments:
        parts.append(
            Department.objects.filter(pk__in=departments)
            .order_by()
            .values_list(models.Value("department", output_field=kind), "pk", "region__path", "region__level")
        )
    if halls:
        parts.append(
            ServiceHall.objects.filter(pk__in=halls)
            .order_by()
            .values_list(models.Value("hall", output_field=kind), "pk", "region__path", "region__level")
        )
    if regions:
        parts.append(
            Region.objects.filter(pk__in=regions)
            .order_by()
            .values_list(models.Value("region", output_field=kind), "pk", "path", "level")
        )
    if not parts:
        return {}
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return {(row_kind, pk): (path, level) for row_kind, pk, path, level in query}


def scope_build(user) -> Scope:
    """A fresh Scope from the database (two queries at most); prefer ``scope_for``."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY_SCOPE
    # The memberships alone first (an index read, next to nothing to plan): a citizen's ends here. The
    # paths of the anchors, when there are any, come in a second query of small two-table joins: one
    # query joining the memberships to all five rows took ~1.7 ms to plan, more than reading them.
    rows = list(Membership.objects.filter(user_id=user.pk).values_list("role", "department_id", "region_id", "hall_id"))
    paths = _anchor_paths(
        departments={r[1] for r in rows if r[1]},
        regions={r[2] for r in rows if r[2]},
        halls={r[3] for r in rows if r[3]},
    )
    grants = []
    for role, department_id, region_id, hall_id in rows:
        department_region_path, department_region_level = paths.get(("department", department_id), (None, None))
        grants.append(
            _Grant(
                role=role,
                department_id=department_id,
                department_region_path=department_region_path,
                department_county_path=_county_path(department_region_path, department_region_level),
                region_path=paths.get(("region", region_id), (None, None))[0],
                hall_id=hall_id,
                hall_region_path=paths.get(("hall", hall_id), (None, None))[0],
            )
        )
    platform_admin = user.is_superuser or any(g.role == Role.ADMIN and g.region_path is None for g in grants)
    if user.is_superuser:
        grants.append(_Grant(role=Role.ADMIN.value))
    if platform_admin:
        # One unbounded admin grant makes the bounded ones redundant.
        grants = [g for g in grants if g.role != Role.ADMIN] + [_Grant(role=Role.ADMIN.value)]
    roles = frozenset(str(g.role) for g in grants)
    return Scope(user_id=user.pk, roles=roles, is_platform_admin=platform_admin, grants=tuple(grants))


def scope_for(user) -> Scope:
    """The user's Scope, built once and memoised on the user object (i.e. for one request).

    Anonymous, inactive or missing users get an empty scope that can do nothing. Code that changes a
    user's memberships and reads the scope again on the same object calls ``scope_forget`` first.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return EMPTY_SCOPE
    scope = getattr(user, _MEMO, None)
    if scope is None or scope.user_id != user.pk:
        scope = scope_build(user)
        with contextlib.suppress(AttributeError):  # a user-like object without a __dict__
            setattr(user, _MEMO, scope)
    return scope


def scope_forget(user) -> None:
    """Drop the memoised Scope (after granting or revoking a membership of this user object)."""
    if user is not None and hasattr(user, _MEMO):
        delattr(user, _MEMO)
