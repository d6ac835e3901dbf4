"""Every read in ``org``, and the department scoping other apps apply to their own querysets.

DESIGN.md, department scoping: a handler sees and acts on only their department's work; a town
station only its town; the check lives here, on querysets, never only in templates.
"""

from django.db.models import Prefetch, Q, QuerySet

from yiwang.org.models import (
    Department,
    DepartmentAlias,
    Membership,
    Region,
    ServiceHall,
    User,
)
from yiwang.org.names import fold_name, normalize_department_name, region_qualified_names, region_short_prefix
from yiwang.org.scoping import scope_build

# --- regions -------------------------------------------------------------------------------------


def region_get(code: str) -> Region | None:
    return Region.objects.filter(code=code).first()


def region_children(parent: Region | None) -> QuerySet[Region]:
    """Direct children of ``parent``; the roots (provinces) when ``parent`` is None."""
    return Region.objects.filter(parent=parent).order_by("code")


def region_subtree(region: Region, *, include_self: bool = True) -> QuerySet[Region]:
    """``region`` and everything below it, at any depth (one indexed prefix query on ``path``)."""
    qs = Region.objects.filter(path__startswith=region.path)
    return qs if include_self else qs.exclude(pk=region.pk)


def region_ancestors(region: Region) -> QuerySet[Region]:
    """From the root down to ``region`` itself, read off the materialised path."""
    codes = [code for code in region.path.split("/") if code]
    return Region.objects.filter(code__in=codes).order_by("path")


# --- departments ---------------------------------------------------------------------------------


def department_list(*, q: str | None = None, include_inactive: bool = False) -> QuerySet[Department]:
    """Departments with their aliases, optionally searched.

    ``q`` matches a substring of the full name, the short name or any alias, and also the
    normalised key (so 眉县市场监管局 finds 县市场监管局).
    """
    qs = Department.objects.select_related("region").prefetch_related(
        Prefetch("aliases", queryset=DepartmentAlias.objects.order_by("alias"))
    )
    if not include_inactive:
        qs = qs.filter(is_active=True)
    q = (q or "").strip()
    if q:
        key = normalize_department_name(q)
        condition = Q(name__icontains=q) | Q(short_name__icontains=q) | Q(aliases__alias__icontains=q)
        if key:
            condition |= Q(name_key__contains=key) | Q(short_name_key__contains=key) | Q(aliases__key__contains=key)
        qs = qs.filter(condition).distinct()
    return qs.order_by("kind", "code")


def _unique_department(matches: QuerySet[Department]) -> tuple[bool, Department | None]:
    """(found anything, the one department): active ones win; two of the same standing are ambiguous."""
    for candidates in (matches.filter(is_active=True), matches.filter(is_active=False)):
        found = list(candidates[:2])
        if found:
            return True, found[0] if len(found) == 1 else None
    return False, None


def _key_matches(keys: set[str]) -> QuerySet[Department]:
    return Department.objects.filter(
        Q(name_key__in=keys) | Q(short_name_key__in=keys) | Q(aliases__key__in=keys)
    ).distinct()


def department_resolve(name: str, *, region: Region | None = None) -> Department | None:
    """The department a written name means, or None.

    The name is normalised (whitespace and punctuation dropped, full-width folded, one leading
    眉县/县 removed; see ``names.normalize_department_name``) and looked up in full names, short
    names and aliases. Active departments win over inactive ones; a name that still points at
    two departments is ambiguous and resolves to None.

    With ``region`` (where the document comes from) the region's prefix rules apply first
    (``names.region_qualified_names``): in a 广安区 list 区人社局 and 人社局 mean 广安区人社局, looked up
    among the units of 广安区 and below; then the same for each higher region (市人社局 → 广安市人社局);
    then the name as written. A name written with the region's own prefix (区…) never resolves to
    another region's unit.
    """
    key = normalize_department_name(name)
    if not key:
        return None
    if region is not None:
        chain = list(region_ancestors(region).order_by("-path"))
        for level in chain:
            # The name as written counts too: 区人社局 may be a stored short name of 广安区's unit.
            keys = {key, *(normalize_department_name(n) for n in region_qualified_names(name, level.name))}
            keys.discard("")
            matches = _key_matches(keys).filter(region__path__startswith=level.path)
            found, department = _unique_department(matches)
            if found:
                return department
        prefix = region_short_prefix(region.name)
        if prefix and fold_name(name).startswith(prefix) and not fold_name(name).startswith(fold_name(region.name)):
            return None
    return _unique_department(_key_matches({key}))[1]


# --- halls ---------------------------------------------------------------------------------------


def hall_list(*, region: Region | None = None, kind: str | None = None) -> QuerySet[ServiceHall]:
    qs = ServiceHall.objects.select_related("region")
    if region is not None:
        qs = qs.filter(region__path__startswith=region.path)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("region__code", "name")


# --- users and scoping ---------------------------------------------------------------------------


def user_memberships(user: User) -> QuerySet[Membership]:
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user)
        .select_related("department", "region", "hall", "hall__region", "window")
        .order_by("role", "pk")
    )


def user_roles(user: User) -> set[str]:
    """The role values a user holds. A superuser is an administrator even without a membership."""
    return set(scope_build(user).roles)


def user_departments(user: User) -> QuerySet[Department]:
    """Departments the user works for (any membership naming a department)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Department.objects.none()
    return Department.objects.filter(memberships__user=user).distinct().order_by("code")


def user_regions(user: User) -> QuerySet[Region]:
    """Regions the user looks over: those named on a membership, and the region of their hall
    (a clerk at a town centre works for that town)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Region.objects.none()
    return (
        Region.objects.filter(Q(memberships__user=user) | Q(halls__memberships__user=user)).distinct().order_by("code")
    )


# The three functions below predate ``yiwang.org.scoping`` and are kept for the apps that still call
# them; they read one fresh Scope (not the memoised one: callers may change memberships in between),
# so the rule lives in one place. New code calls ``scope_for(user).filter/can`` with a named action.


def scope_to_user_departments(qs: QuerySet, user: User, field: str = "department") -> QuerySet:
    """Narrow ``qs`` to the rows the user may see, by the department in ``field``.

    Rule: the ``department.read`` action of ``yiwang.org.scoping`` — administrators, leaders and
    supervisors see the departments in their region's subtree (an administrator with no region, or
    a superuser, sees all); handlers, inspectors and dispatchers see only their own departments;
    everyone else, and anyone signed out, sees nothing. ``field`` may follow relations
    ("case__department"); pass ``field=""`` when ``qs`` is a Department queryset itself.
    """
    region = "region" if field == "" else None  # otherwise read off the department's region
    return scope_build(user).filter(qs, "department.read", department=field, region=region)


def user_can_see_department(user: User, department: Department) -> bool:
    """Whether ``department`` is within ``scope_to_user_departments`` for this user."""
    return scope_build(user).can("department.read", department=department)


def user_can_act_for_department(user: User, department: Department) -> bool:
    """Whether the user may act (handle, reply, dispatch) in the department's name.

    Rule: the ``department.act`` action — a handler or dispatcher of that department may; so may an
    administrator whose region covers it (or an administrator of the whole platform). Inspectors
    inspect but do not act for a department (security review); leaders and supervisors read and
    urge (督办) but do not act for one either.
    """
    if department is None:
        return False
    return scope_build(user).can("department.act", department=department)


def user_by_username(username: str) -> User | None:
    return User.objects.filter(username=username).first()
