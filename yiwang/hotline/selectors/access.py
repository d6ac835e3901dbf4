"""Who may read and act on which appeal: the scope of ``yiwang.org.scoping`` applied to appeals.

Scoping (DESIGN: department scoping) is enforced here, on querysets: a handler sees only appeals
of their department (as lead, co-department or an earlier dispatch); a dispatcher sees the
county's appeals; leaders, supervisors and administrators their region.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from yiwang.core.errors import ApplicationError
from yiwang.hotline.models import Appeal, Dispatch
from yiwang.hotline.workflow import EXTENSION_STATES, can_transition
from yiwang.org.scoping import Anchor, action_get, scope_for

State = Appeal.State


# --- who may see what ----------------------------------------------------------------------------
# One scope (``yiwang.org.scoping``): the action names are those of its table.


def user_is_dispatcher(user) -> bool:
    return scope_for(user).can("appeal.dispatch")


def user_is_intake_staff(user) -> bool:
    return scope_for(user).can("appeal.intake")


def user_sees_dashboard(user) -> bool:
    return scope_for(user).can("appeal.dashboard")


def user_is_handler(user) -> bool:
    """Acts on appeals for a department (signs off, replies); inspectors only read."""
    return scope_for(user).can("appeal.sign_off")


def appeal_can(user, action: str, appeal: Appeal) -> bool:
    """Whether ``user`` may do ``action`` on this appeal: department-anchored grants by the lead
    department, the 12345 centre and leaders by the appeal's region (intake: its town's too, so a
    town's clerks act for their town)."""
    scope = scope_for(user)
    where = {"department": appeal.lead_department, "region": appeal.region}
    if scope.can(action, **where):
        return True
    return action == "appeal.intake" and appeal.town_id is not None and scope.can(action, region=appeal.town)


def _reading_departments(scope) -> list[int]:
    """The departments whose appeals the scope reads by a department grant (``appeal.read`` anchored
    on the department: handlers and inspectors)."""
    grants = action_get("appeal.read").grants
    return sorted(
        {g.department_id for g in scope.grants if g.department_id and grants.get(g.role) == Anchor.DEPARTMENT}
    )


def scope_appeals(qs: QuerySet, user) -> QuerySet:
    """Narrow an Appeal queryset to what ``user`` may read (``appeal.read``): the region's appeals
    for the 12345 centre, leaders and supervisors; for a department, the appeals it leads or was
    ever dispatched (as lead or co-department), so it keeps reading its history after a return."""
    scope = scope_for(user)
    condition = scope.q("appeal.read", department="lead_department", region="region")
    if condition is None:
        return qs.none()
    if not condition:
        return qs
    department_ids = _reading_departments(scope)
    if department_ids:
        # Earlier and co-department dispatches (area grants already cover them by the appeal's region),
        # each found by its own indexed department column: an OR across the join to the co-departments
        # would read every dispatch there is (issue: province scale).
        led = Dispatch.objects.filter(department_id__in=department_ids).values("appeal_id")
        helped = Dispatch.co_departments.through.objects.filter(department_id__in=department_ids)
        condition |= Q(pk__in=led) | Q(pk__in=helped.values("dispatch__appeal_id"))
    return qs.filter(condition)


def appeal_get_for_user(*, user, code: str) -> Appeal:
    """The appeal if ``user`` may see it; 404 ``appeal.not_found`` otherwise (no hint that it exists)."""
    appeal = (
        scope_appeals(Appeal.objects.all(), user)
        .select_related(
            "region",
            "category",
            "town",
            "village",
            "lead_department",
            "lead_department__region",
            "handling_clock",
            "merged_into",
            "suggested_department",
        )
        .filter(code=code)
        .first()
    )
    if appeal is None:
        raise ApplicationError("appeal.not_found", f"未找到诉求 {code}", details={"code": code}, status=404)
    return appeal


def user_departments_ids(user, action: str = "appeal.opinion") -> set[int]:
    """The departments ``user`` acts for on appeals (their own department; an administrator's region)."""
    return set(scope_for(user).departments(action).values_list("pk", flat=True))


def appeal_allowed_actions(*, user, appeal: Appeal) -> set[str]:
    """What the page offers this user on this appeal (the services check again)."""

    def can(action: str) -> bool:
        return appeal_can(user, action, appeal)

    actions: set[str] = set()
    if appeal.state == State.RECEIVED:
        if can("appeal.dispatch"):
            actions |= {"dispatch", "merge", "reclassify"}
        if can("appeal.intake"):
            actions |= {"decline"} | ({"answer"} if appeal.kind == Appeal.Kind.CONSULTATION else set())
    if appeal.state == State.DISPATCHED:
        if can("appeal.sign_off"):
            actions.add("sign_off")
        if can("appeal.return"):
            actions.add("return")
        if can("appeal.dispatch"):
            actions.add("merge")
    if appeal.state == State.RETURNED and can("appeal.approve_return"):
        actions.add("decide_return")
    if appeal.state in EXTENSION_STATES:
        if can("appeal.reply"):
            actions.add("reply")
        pending = appeal.extensions.filter(state="pending").exists()
        if can("appeal.request_extension"):
            actions.add("withdraw_extension" if pending else "extend")
        if can("appeal.approve_extension") and pending:
            actions.add("decide_extension")
    if can_transition(appeal, State.REVISITED) and can("appeal.revisit"):
        actions.add("revisit")
    if appeal.is_open and appeal.state != State.RECEIVED:
        co = Dispatch.objects.filter(
            appeal=appeal, state=Dispatch.State.ACTIVE, co_departments__in=user_departments_ids(user)
        )
        if can("appeal.opinion") or co.exists():
            actions.add("opinion")
    return actions


def user_sees_contact(*, user, appeal: Appeal) -> bool:
    """Full name and phone only for the 12345 staff and the lead department (to call back):
    ``appeal.read_contact``. Inspectors, leaders, supervisors and co-departments see them masked."""
    return appeal_can(user, "appeal.read_contact", appeal)
