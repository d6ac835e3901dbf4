"""The work queues: a department's open appeals by deadline, the 12345 dispatcher's queue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from yiwang.hotline import deadlines, similar
from yiwang.hotline.models import Appeal, Dispatch, ExtensionRequest, ReturnRequest
from yiwang.hotline.selectors.access import scope_appeals, user_departments_ids, user_is_dispatcher
from yiwang.workdays.deadlines import DeadlineStatus, worst

State = Appeal.State


# --- deadlines and queues ------------------------------------------------------------------------


@dataclass
class QueueRow:
    appeal: Appeal
    deadline: deadlines.Deadline | None
    sign_off: deadlines.Deadline | None = None
    role: str = "lead"  # lead | co

    @property
    def status(self) -> str:
        most = worst([self.deadline, self.sign_off])
        return most.status if most is not None else DeadlineStatus.NORMAL

    @property
    def sort_key(self):
        d = self.sign_off if self.appeal.state == State.DISPATCHED and self.sign_off else self.deadline
        return d.sort_key if d else timezone.make_aware(dt.datetime.max - dt.timedelta(days=2))


HANDLER_STATES = (State.DISPATCHED, State.SIGNED_OFF, State.REOPENED, State.RETURNED)


def handler_queue(*, user, sort: str = "deadline", state: str | None = None, now=None) -> list[QueueRow]:
    """The department's open appeals (lead and co-handled) with deadline status, sorted by the
    nearest deadline (default), by intake time or by state."""
    now = now or timezone.now()
    department_ids = user_departments_ids(user)
    co_handled = Dispatch.objects.filter(state=Dispatch.State.ACTIVE, co_departments__in=department_ids)
    qs = (
        scope_appeals(Appeal.objects.filter(state__in=HANDLER_STATES), user)
        .filter(Q(lead_department_id__in=department_ids) | Q(pk__in=co_handled.values("appeal_id")))
        .select_related("category", "town", "handling_clock", "lead_department")
    )
    if state:
        qs = qs.filter(state=state)
    appeals = list(qs)
    active = {
        d.appeal_id: d
        for d in Dispatch.objects.filter(appeal__in=appeals, state=Dispatch.State.ACTIVE).select_related(
            "sign_off_clock"
        )
    }
    rows = []
    for appeal in appeals:
        dispatch = active.get(appeal.pk)
        rows.append(
            QueueRow(
                appeal=appeal,
                deadline=deadlines.reply_deadline(appeal, now),
                sign_off=deadlines.sign_off_deadline(dispatch, now)
                if dispatch and not dispatch.signed_off_at
                else None,
                role="lead" if appeal.lead_department_id in department_ids else "co",
            )
        )
    if sort == "received":
        rows.sort(key=lambda r: r.appeal.received_at, reverse=True)
    elif sort == "status":
        order = {"overdue": 0, "due": 1, "warning": 2, "normal": 3}
        rows.sort(key=lambda r: (order[r.status], r.sort_key))
    else:
        rows.sort(key=lambda r: (r.sort_key, r.appeal.pk))
    return rows


@dataclass
class DispatcherQueue:
    received: QuerySet[Appeal] | list[Appeal]  # every waiting appeal, oldest first (a query: pages slice it)
    returns: list[ReturnRequest]
    extensions: list[ExtensionRequest]
    revisits: QuerySet[Appeal] | list[Appeal]  # every replied appeal awaiting a revisit, oldest first (a query)
    flagged: int = 0


def dispatcher_queue(*, user) -> DispatcherQueue:
    """待派单 (oldest first), pending returns and extensions, replied appeals awaiting a revisit."""
    if not user_is_dispatcher(user):
        return DispatcherQueue([], [], [], [])
    scoped = scope_appeals(Appeal.objects.all(), user)
    # Every waiting appeal, oldest first, as a query: the page reads its 30 rows (and counts all),
    # not every waiting appeal with its five related rows.
    waiting = scoped.filter(state=State.RECEIVED)
    received = (
        waiting.select_related("category", "town", "village", "suggested_department", "suggested_category")
        .defer(*similar.UNSHOWN_FIELDS)
        .order_by("received_at", "pk")
    )
    # The few pending requests first (hotline_return_pending, hotline_extension_one_pending), each
    # checked against the scope by its appeal's key: SQLite plans ``appeal_id IN (the scoped appeals)``
    # as a walk over every appeal of the region probing the requests' appeal index (285 and 157 ms at
    # 102 k appeals, 7 and 11 ms so).
    in_scope = Exists(scoped.filter(pk=OuterRef("appeal_id")))
    returns = list(
        ReturnRequest.objects.filter(in_scope, state=ReturnRequest.State.PENDING)
        .select_related("appeal", "department", "appeal__suggested_department")
        .order_by("requested_at")
    )
    extensions = list(
        ExtensionRequest.objects.filter(in_scope, state=ExtensionRequest.State.PENDING)
        .select_related("appeal", "department")
        .order_by("requested_at")
    )
    # Every replied appeal awaiting a revisit, oldest reply first, as a query: the page counts them all and
    # reads its own (the list once showed the oldest 30 as the whole list).
    revisits = (
        scoped.filter(state=State.REPLIED)
        .select_related("lead_department", "category")
        .defer(*similar.UNSHOWN_FIELDS)
        .order_by("replied_at", "pk")
    )
    return DispatcherQueue(
        received, returns, extensions, revisits, flagged=waiting.filter(suggestion_low_confidence=True).count()
    )
