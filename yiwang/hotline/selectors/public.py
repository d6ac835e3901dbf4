"""The public column (plan 二(四) 有问必应): tracking by code, published replies and the lists the
public pages and the forms choose from."""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Q, QuerySet

from yiwang.hotline.conf import conf
from yiwang.hotline.models import REPLIED_STATES, Appeal, Category, Reply
from yiwang.org.models import Region

State = Appeal.State


# --- the public column ---------------------------------------------------------------------------


def appeal_track(*, code: str) -> Appeal | None:
    """An appeal found by its tracking code (the code is the citizen's key; personal data is
    masked on the page)."""
    code = (code or "").strip().upper()
    if not re.fullmatch(r"[A-Z0-9]{6,20}", code):
        return None
    return (
        Appeal.objects.select_related("category", "town", "village", "lead_department", "merged_into")
        .filter(code=code)
        .first()
    )


def appeal_track_public(*, code: str, phone_last4: str = "", user=None, known_codes=()) -> Appeal | None:
    """The appeal the public tracking page may show for ``code``.

    A citizen who consented to publication sees it by the code, as before. Without consent the
    code alone is not enough (codes can be guessed): the last four digits of the phone left with
    the appeal must match too, unless the visitor submitted it — signed in as its submitter, or in
    the browser session that submitted it (``known_codes``). Anything else looks like an unknown
    code, so a guess learns nothing."""
    appeal = appeal_track(code=code)
    if appeal is None or appeal.public_consent:
        return appeal
    if appeal.code in set(known_codes or ()):
        return appeal
    if user is not None and getattr(user, "pk", None) and appeal.submitted_by_id == user.pk:
        return appeal
    phone = appeal.contact_phone or ""
    if phone_last4 and len(phone) >= 4 and phone[-4:] == phone_last4:
        return appeal
    return None


def public_reply(appeal: Appeal) -> Reply | None:
    """The reply a citizen reads: the appeal's latest, or that of the appeal it was merged into."""
    source = appeal.merged_into if appeal.state == State.MERGED and appeal.merged_into_id else appeal
    if source.state not in REPLIED_STATES and source.state != State.REOPENED:
        return None
    return source.replies.select_related("department").order_by("-replied_at", "-id").first()


def _published() -> QuerySet[Appeal]:
    """Replied appeals whose citizen consented to publication (plan 二(四) 有问必应): the rows of the
    partial index ``hotline_appeal_public_replied``, in its order."""
    return Appeal.objects.filter(
        public_consent=True, state__in=sorted(REPLIED_STATES), merged_into__isnull=True
    ).order_by("-replied_at", "-pk")


def public_replies_since() -> dt.datetime | None:
    """The reply time of the oldest of the latest ``PUBLIC_REPLIES_WINDOW`` published replies, the
    column's window (county default), or None while fewer have been published: one read of the
    partial index's head, so the column's pages, filters and search stay the same size however many
    years of replies lie behind them."""
    window = conf("PUBLIC_REPLIES_WINDOW")
    return next(iter(_published().values_list("replied_at", flat=True)[window - 1 : window]), None)


def public_appeal_list(
    *,
    category: str | None = None,
    town: str | None = None,
    q: str | None = None,
    since: dt.datetime | None = None,
) -> QuerySet[Appeal]:
    """Published replies, newest first; with ``since`` (``public_replies_since``) those of the window.

    ``q`` matches the category name and the title and text. These are stored with their phone and ID
    numbers masked (``PiiTextField``), as the page shows them: a search cannot confirm that a given
    number appears in an appeal."""
    qs = _published()
    if since is not None:
        qs = qs.filter(replied_at__gte=since)
    if category:
        qs = qs.filter(category__code=category)
    if town:
        qs = qs.filter(town__code=town)
    q = (q or "").strip()
    if q:
        # A query without letters that have a case (Chinese, digits) is matched as written: the same rows,
        # without PostgreSQL upper-casing each text of the window first (59 → 27 ms over 5,000 replies).
        lookup = "contains" if q.upper() == q.lower() else "icontains"
        qs = qs.filter(
            Q(**{f"title__{lookup}": q}) | Q(**{f"content__{lookup}": q}) | Q(**{f"category__name__{lookup}": q})
        )
    return qs.select_related("category", "town", "lead_department")


def latest_replies(appeals) -> dict[int, Reply]:
    result: dict[int, Reply] = {}
    for reply in Reply.objects.filter(appeal__in=appeals).select_related("department").order_by("replied_at", "id"):
        result[reply.appeal_id] = reply
    return result


def categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("sort_order", "code")


def towns() -> QuerySet[Region]:
    return Region.objects.filter(level=Region.Level.TOWN, parent__code=conf("COUNTY_CODE")).order_by("code")


def villages(town: Region | None) -> QuerySet[Region]:
    if town is None:
        return Region.objects.none()
    return Region.objects.filter(parent=town, level=Region.Level.VILLAGE).order_by("code")
