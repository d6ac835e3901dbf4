"""One appeal as the staff page shows it: its records, pending requests, deadlines and timeline."""

from __future__ import annotations

from django.utils import timezone

from yiwang.hotline import deadlines
from yiwang.hotline.models import Appeal, AppealEvent, Dispatch, ExtensionRequest, ReturnRequest

# --- one appeal, for the staff page -------------------------------------------------------------


def appeal_by_submission_key(key: str | None) -> Appeal | None:
    """The appeal a form submission already created (a resent form must not register it twice)."""
    return Appeal.objects.filter(submission_key=key).first() if key else None


def appeal_last_intake(*, user, code: str | None) -> Appeal | None:
    """The call the operator registered last, shown above the intake form: only one they took."""
    if not code or not getattr(user, "pk", None):
        return None
    return Appeal.objects.filter(code=code, received_by=user).first()


def appeal_pending_return(appeal: Appeal) -> ReturnRequest | None:
    return appeal.returns.filter(state=ReturnRequest.State.PENDING).select_related("department").first()


def appeal_pending_extension(appeal: Appeal) -> ExtensionRequest | None:
    return appeal.extensions.filter(state=ExtensionRequest.State.PENDING).select_related("department").first()


def appeal_records(appeal: Appeal) -> dict:
    """What the staff page lists besides the timeline: replies, revisits, merged duplicates and the
    pending return and extension requests."""
    return {
        "replies": list(appeal.replies.select_related("department", "replied_by").order_by("replied_at")),
        "revisits": list(appeal.revisits.select_related("department").order_by("revisited_at")),
        "merged": list(appeal.merged_appeals.order_by("received_at")),
        "pending_return": appeal_pending_return(appeal),
        "pending_extension": appeal_pending_extension(appeal),
    }


def appeal_deadlines(appeal: Appeal, now=None) -> dict:
    now = now or timezone.now()
    dispatch = appeal.dispatches.filter(state=Dispatch.State.ACTIVE).select_related("sign_off_clock").first()
    return {
        "reply": deadlines.reply_deadline(appeal, now),
        "sign_off": deadlines.sign_off_deadline(dispatch, now) if dispatch and not dispatch.signed_off_at else None,
        "dispatch": dispatch,
    }


def appeal_timeline(appeal: Appeal, *, public: bool = False) -> list[AppealEvent]:
    # With the appeal's region, which each of its events carries: the appeal's shard (docs/scale.md, step 3).
    qs = appeal.events.filter(region_id=appeal.region_id).select_related("actor", "department")
    qs = qs.order_by("created_at", "pk")
    if public:
        qs = qs.filter(kind__in=AppealEvent.PUBLIC_KINDS)
    return list(qs)
