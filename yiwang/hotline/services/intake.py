"""Appeal intake (phone, portal, counter, letter, API), reclassification, answers on the spot and declines."""

from __future__ import annotations

import datetime as dt
import math
import re
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from yiwang.core.audit import AuditEntry, audit_record, audit_record_many, snapshot
from yiwang.core.bulk import update_fields
from yiwang.core.coalesce import queue_once
from yiwang.core.errors import ApplicationError
from yiwang.core.limits import text_check
from yiwang.hotline import measures, similar
from yiwang.hotline.conf import conf
from yiwang.hotline.models import (
    Appeal,
    Category,
    KnowledgeEntry,
    Reply,
)
from yiwang.hotline.rules import EMERGENCY_REASONS, advice_for, screen_text
from yiwang.hotline.services._common import (
    AUDIT_FIELDS,
    CODE_ALPHABET,
    LANDLINE,
    MOBILE,
    SELF_SERVICE_CHANNELS,
    STAFF_CHANNELS,
    Kind,
    State,
    _audit,
    _county,
    _error,
    _event,
    _locked,
    _move,
    _notify_citizen,
    _require,
    _require_dispatcher,
    _require_intake,
)
from yiwang.org.models import Region

CODE_ATTEMPTS = 5


def _draw_code(prefix: str, at: dt.datetime) -> str:
    """A fresh appeal code: the prefix, the local date (yymmdd), five characters read aloud without doubt."""
    day = timezone.localtime(at).strftime("%y%m%d")
    return prefix + day + "".join(secrets.choice(CODE_ALPHABET) for _ in range(5))


def _county_of(*regions: Region | None) -> Region:
    """The county's row: the parent a town given already carries (read with it), else read here."""
    code = conf("COUNTY_CODE")
    parent_field = Region._meta.get_field("parent")
    for region in regions:
        parent = region.parent if region is not None and parent_field.is_cached(region) else None
        if parent is not None and parent.code == code:
            return parent
    return _county()


def _clean_phone(phone: str) -> str:
    phone = re.sub(r"[\s]", "", phone or "")
    if phone and not (MOBILE.match(phone) or LANDLINE.match(phone)):
        raise _error(
            "appeal.bad_phone", "联系电话格式不正确（手机号 11 位，座机如 0917-5541234）", field="contact_phone"
        )
    return phone


def _coordinates(latitude, longitude):
    """Both or neither, finite, within the globe, rounded to the six decimals stored."""
    if latitude is None and longitude is None:
        return None, None
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise _error("appeal.bad_location", "经纬度须同时填写且为数字", field="latitude")
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise _error("appeal.bad_location", "经纬度超出范围（纬度 -90～90，经度 -180～180）", field="latitude")
    return round(lat, 6), round(lon, 6)


@dataclass
class _Draft:
    """A submission checked and cleaned (``_checked``), ready to become an ``Appeal``."""

    channel: str
    kind: str
    title: str
    content: str
    county: Region
    town: Region | None
    village: Region | None
    address: str
    latitude: float | None
    longitude: float | None
    anonymous: bool
    contact_name: str
    contact_phone: str
    contact_email: str
    public_consent: bool
    category: Category | None
    tier: str | None
    screening: str


def _checked(
    *,
    channel: str,
    kind: str,
    title: str,
    content: str,
    actor=None,
    town: Region | None = None,
    village: Region | None = None,
    address: str = "",
    latitude=None,
    longitude=None,
    anonymous: bool = False,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    public_consent: bool = False,
    category: Category | None = None,
    tier: str | None = None,
    confirm_not_emergency: bool = False,
    county: Region | None = None,
) -> _Draft:
    """``appeal_submit``'s rules on one submission, writing nothing: the cleaned draft, or the
    ``ApplicationError`` of the first rule it breaks. ``county`` is the county's row when the
    caller has it (a batch reads it once)."""
    if channel not in Appeal.Channel.values:
        raise _error("appeal.bad_channel", f"未知的受理渠道：{channel}", field="channel")
    if kind not in Appeal.Kind.values:
        raise _error("appeal.bad_kind", "诉求类型应为 咨询、求助、投诉、举报 或 建议", field="kind")
    if tier is not None and tier not in Appeal.Tier.values:
        raise _error("appeal.bad_tier", f"未知的办理等级：{tier}", field="tier")
    title, content = (title or "").strip(), (content or "").strip()
    if not title:
        raise _error("appeal.title_required", "请填写诉求标题", field="title")
    if len(content) < 5:
        raise _error("appeal.content_required", "请具体描述诉求内容（至少 5 个字）", field="content")
    text_check(content, "APPEAL_CONTENT", field="content", label="诉求内容", code="appeal.content_too_long")
    text_check(address, "NOTE", field="address", label="详细地址", code="appeal.address_too_long")
    if channel in STAFF_CHANNELS:
        _require_intake(actor, "电话、窗口、来信渠道的诉求由话务员或窗口工作人员登记")
    latitude, longitude = _coordinates(latitude, longitude)
    contact_name = (contact_name or "").strip()
    name_limit = Appeal._meta.get_field("contact_name").max_length
    if len(contact_name) > name_limit:
        raise _error("appeal.contact_name_too_long", f"联系人姓名最多 {name_limit} 个字", field="contact_name")
    contact_phone = _clean_phone(contact_phone)
    if anonymous:
        contact_name = ""
    elif not contact_name or not contact_phone:
        raise _error(
            "appeal.contact_required", "实名诉求请填写联系人和联系电话（或选择匿名反映）", field="contact_phone"
        )
    county = county or _county_of(town, village)
    if town is not None and (town.level != Region.Level.TOWN or town.parent_id != county.pk):
        raise _error("appeal.bad_town", f"{town.name} 不是本县的镇（街道）", field="town")
    if village is not None:
        if village.level != Region.Level.VILLAGE:
            raise _error("appeal.bad_village", f"{village.name} 不是村（社区）", field="village")
        if town is None:
            town = village.parent
        if village.parent_id != town.pk:
            raise _error("appeal.bad_village", f"{village.name} 不属于 {town.name}", field="village")
    if channel in STAFF_CHANNELS:
        # A town centre's clerk registers the appeals of their own town; the county's operators any.
        _require(actor, "appeal.intake", "无权登记该镇（街道）的诉求", region=town or county)

    screening = screen_text(f"{title} {content}")
    if (
        screening is not None
        and screening.reason in EMERGENCY_REASONS
        and channel in SELF_SERVICE_CHANNELS
        and not confirm_not_emergency
    ):
        raise ApplicationError(
            "appeal.emergency",
            screening.advice + "如确属非紧急事项，请勾选“不是正在发生的紧急情况”后再提交。",
            details={"reason": screening.reason, "advice": screening.advice, "field": "content"},
            status=400,
        )
    return _Draft(
        channel=channel,
        kind=kind,
        title=title,
        content=content,
        county=county,
        town=town,
        village=village,
        address=address,
        latitude=latitude,
        longitude=longitude,
        anonymous=anonymous,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        public_consent=public_consent,
        category=category,
        tier=tier,
        screening=screening.reason if screening else "",
    )


def _unsaved(draft: _Draft, *, code: str, suggestion, submission_key: str | None, actor_user, at) -> Appeal:
    """The appeal row of a checked draft, not yet saved."""
    return Appeal(
        code=code,
        region=draft.county,
        channel=draft.channel,
        kind=draft.kind,
        title=draft.title[:120],
        content=draft.content,
        category=draft.category or suggestion.category,
        town=draft.town,
        village=draft.village,
        address=(draft.address or "").strip()[:200],
        latitude=draft.latitude,
        longitude=draft.longitude,
        anonymous=draft.anonymous,
        contact_name=draft.contact_name or None,
        contact_phone=draft.contact_phone or None,
        contact_email=(draft.contact_email or "").strip() or None,
        public_consent=draft.public_consent,
        tier=draft.tier or Appeal.Tier.GENERAL,
        screening=draft.screening,
        suggested_department=suggestion.department,
        suggested_category=suggestion.category,
        suggestion_confidence=suggestion.confidence,
        suggestion_low_confidence=suggestion.low_confidence,
        submission_key=submission_key or None,
        submitted_by=actor_user if draft.channel in SELF_SERVICE_CHANNELS else None,
        received_by=actor_user if draft.channel in STAFF_CHANNELS else None,
        received_at=at,
    )


RECEIVED_AUDIT_FIELDS = [*AUDIT_FIELDS, "channel", "kind", "anonymous", "contact_phone"]


def appeal_submit(
    *,
    channel: str,
    kind: str,
    title: str,
    content: str,
    actor=None,
    town: Region | None = None,
    village: Region | None = None,
    address: str = "",
    latitude=None,
    longitude=None,
    anonymous: bool = False,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    public_consent: bool = False,
    category: Category | None = None,
    tier: str | None = None,
    confirm_not_emergency: bool = False,
    submission_key: str | None = None,
    received_at: dt.datetime | None = None,
) -> Appeal:
    """Register an appeal from any channel (plan 二(四): 统一受理).

    Rules: types 咨询/求助/投诉/举报/建议; a named appeal needs a name and a phone number (for the
    reply and the revisit), an anonymous one keeps no name; staff channels (phone, counter,
    letter) are registered by an operator or clerk. An online submission that reads like an
    emergency in progress is turned away with the 110/119/120/122 advice unless the person
    confirms it is not one; other out-of-scope hints are kept for the dispatcher
    (``screening``). A repeated ``submission_key`` returns the first appeal (double submit).
    """
    if submission_key:
        existing = Appeal.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    draft = _checked(
        channel=channel,
        kind=kind,
        title=title,
        content=content,
        actor=actor,
        town=town,
        village=village,
        address=address,
        latitude=latitude,
        longitude=longitude,
        anonymous=anonymous,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        public_consent=public_consent,
        category=category,
        tier=tier,
        confirm_not_emergency=confirm_not_emergency,
    )

    from yiwang.hotline.selectors import Suggestion, routing_suggest  # the router reads; no cycle at import

    # Online submissions wait for no one: their suggestion follows the commit (``appeal_suggest``).
    later = routing_after_commit(channel)
    suggestion = Suggestion() if later else routing_suggest(title=draft.title, content=draft.content, town=draft.town)
    at = received_at or timezone.now()
    actor_user = actor if getattr(actor, "pk", None) else None

    def register(code: str) -> Appeal:
        with transaction.atomic():
            appeal = _unsaved(
                draft, code=code, suggestion=suggestion, submission_key=submission_key, actor_user=actor_user, at=at
            )
            appeal.save(force_insert=True)
            _event(
                appeal,
                Kind.RECEIVED,
                actor=actor_user,
                to_state=State.RECEIVED,
                note=appeal.get_channel_display(),
                at=at,
            )
            measures.on_appeal_received(appeal)
            audit_record(
                actor=actor_user,
                action="hotline.appeal_received",
                obj=appeal,
                after=snapshot(appeal, RECEIVED_AUDIT_FIELDS),
                region_code=draft.county.code,
            )
            _notify_citizen(appeal, "hotline.received", f"appeal:{appeal.pk}:received")
            if later:
                transaction.on_commit(_suggest_later, robust=True)
            transaction.on_commit(similar.index_later, robust=True)  # its similar pairs, stored
        return appeal

    # The code is drawn without reading first: the unique index refuses one already taken, and another
    # is drawn then (32**5 codes a day: practically never).
    for attempt in range(1, CODE_ATTEMPTS + 1):
        code = _draw_code("YW", at)
        try:
            return register(code)
        except IntegrityError:
            # A concurrent double submit with the same key won the race: answer with its appeal.
            if submission_key:
                existing = Appeal.objects.filter(submission_key=submission_key).first()
                if existing is not None:
                    return existing
            if attempt < CODE_ATTEMPTS and Appeal.objects.filter(code=code).exists():
                continue
            raise
    raise AssertionError("unreachable: the last attempt returns or raises")


def routing_after_commit(channel: str) -> bool:
    """Whether an appeal's routing suggestion is computed after its intake commits (in a task) rather
    than on the request: for online channels, where no operator waits for it, when a worker runs the
    tasks (``HOTLINE_ROUTING_AFTER_COMMIT``, default: when Celery has a broker). The dispatcher's
    queue shows the suggestion once it is there."""
    from django.conf import settings

    enabled = getattr(settings, "HOTLINE_ROUTING_AFTER_COMMIT", None)
    if enabled is None:
        enabled = not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", True)
    return bool(enabled) and channel in SELF_SERVICE_CHANNELS


# Set while a batch of suggestions is queued and not yet started: the commits that follow join it.
SUGGEST_PENDING_KEY = "hotline:routing:suggest-pending"


def _suggest_later() -> None:
    """After an online intake commits: queue one batch of suggestions (``appeal_suggest_pending``)
    unless one is already queued and not yet started, which will find this appeal too
    (``core.coalesce``; the flag expires after ``ROUTING_SUGGEST_PENDING_SECONDS``), and the
    catch-up task suggests what a lost task left."""
    from yiwang.hotline.tasks import suggest_pending_routing

    queue_once(
        SUGGEST_PENDING_KEY,
        suggest_pending_routing,
        hold_seconds=conf("ROUTING_SUGGEST_PENDING_SECONDS"),
        countdown=conf("ROUTING_SUGGEST_DELAY_SECONDS"),
    )


def appeal_suggest(*, appeal_id: int) -> Appeal | None:
    """The router's suggestion for an appeal registered without one (online intake, after commit).

    The text is classified outside any transaction; then, under the appeal's lock, the suggestion is
    stored if the appeal still waits for dispatch and has none yet, and a missing category is filled
    from it (counted in the monthly roll-ups and audited like a reclassification). Running it twice
    (a retried task) changes and audits nothing more.
    """
    from yiwang.hotline.selectors import routing_suggest

    appeal = Appeal.objects.select_related("town").filter(pk=appeal_id).first()
    if appeal is None or appeal.state != State.RECEIVED:
        return appeal
    suggestion = routing_suggest(title=appeal.title, content=appeal.content, town=appeal.town)
    return _suggestion_store(appeal, suggestion)


def appeal_suggest_many(*, appeal_ids: list[int]) -> list[Appeal]:
    """``appeal_suggest`` for many appeals: one prediction per router for all of them
    (``selectors.routing_suggest_many``), then one transaction that locks them, stores each
    suggestion and writes the roll-up changes and audit events together; the same rows as one by one."""
    from yiwang.hotline.selectors import routing_suggest_many

    appeals = list(
        Appeal.objects.select_related("town")
        .defer(*CONTACT_FIELDS)
        .filter(pk__in=appeal_ids, state=State.RECEIVED)
        .order_by("pk")
    )
    suggestions = routing_suggest_many([(a.title, a.content, a.town) for a in appeals])
    found = {a.pk: s for a, s in zip(appeals, suggestions, strict=True) if s.department or s.category}
    if not found:
        return appeals  # the router has nothing to say: nothing to store or audit
    stored = []
    with transaction.atomic():
        locked = (
            Appeal.objects.select_for_update(of=("self",))
            .select_related("region", "category", "town")
            .defer(*CONTACT_FIELDS)
            .filter(pk__in=list(found), state=State.RECEIVED)
            .filter(suggested_department__isnull=True, suggested_category__isnull=True)  # not twice
            .order_by("pk")
        )
        facts_before, entries = [], []
        for appeal in locked:
            suggestion = found[appeal.pk]
            before = snapshot(appeal, AUDIT_FIELDS)
            facts_before += measures.appeal_facts(appeal)
            fields = _apply_suggestion(appeal, suggestion)
            entries.append(
                AuditEntry(
                    obj=appeal,
                    before=before,
                    after=snapshot(appeal, AUDIT_FIELDS),
                    region_code=appeal.region.code,
                    details=_suggestion_details(suggestion),
                )
            )
            stored.append((appeal, fields))
        for fields in {tuple(f) for _, f in stored}:
            update_fields([a for a, f in stored if tuple(f) == fields], [*fields, "updated_at"])
        measures.on_appeals_changed([a for a, _ in stored], before=facts_before)
        audit_record_many(actor=None, action="hotline.appeal_routing_suggested", entries=entries)
    done = {a.pk: a for a, _ in stored}
    return [done.get(a.pk, a) for a in appeals]


# Encrypted contact details a suggestion neither reads nor writes: not decrypted for nothing.
CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")


def _apply_suggestion(appeal: Appeal, suggestion) -> list[str]:
    """Set the suggestion on the appeal (and a missing category from it); the fields changed."""
    appeal.suggested_department = suggestion.department
    appeal.suggested_category = suggestion.category
    appeal.suggestion_confidence = suggestion.confidence
    appeal.suggestion_low_confidence = suggestion.low_confidence
    appeal.updated_at = timezone.now()
    fields = ["suggested_department", "suggested_category", "suggestion_confidence", "suggestion_low_confidence"]
    if appeal.category_id is None and suggestion.category is not None:
        appeal.category = suggestion.category
        fields.append("category")
    return fields


def _suggestion_details(suggestion) -> dict:
    return {
        "suggested_department": suggestion.department.code if suggestion.department else None,
        "suggested_category": suggestion.category.code if suggestion.category else None,
        "confidence": suggestion.confidence,
    }


def _suggestion_store(appeal: Appeal, suggestion) -> Appeal:
    if suggestion.department is None and suggestion.category is None:
        return appeal  # the router has nothing to say: nothing to store or audit
    with transaction.atomic():
        appeal = _locked(appeal)
        if appeal.state != State.RECEIVED:
            return appeal
        if appeal.suggested_department_id is not None or appeal.suggested_category_id is not None:
            return appeal  # already suggested (a retried or concurrent batch): nothing twice
        before = snapshot(appeal, AUDIT_FIELDS)
        facts_before = measures.appeal_facts(appeal)
        fields = _apply_suggestion(appeal, suggestion)
        appeal.save(update_fields=[*fields, "updated_at"])
        measures.on_appeal_changed(appeal, before=facts_before)
        _audit(appeal, "routing_suggested", actor=None, before=before, details=_suggestion_details(suggestion))
    return appeal


def _waiting_for_suggestion(now: dt.datetime, grace: dt.timedelta):
    """Online appeals of the last day received at least ``grace`` ago, waiting without a suggestion
    (the (state, received_at) index reads only the day's appeals waiting for dispatch)."""
    return Appeal.objects.filter(
        state=State.RECEIVED,
        channel__in=SELF_SERVICE_CHANNELS,
        suggested_department__isnull=True,
        suggested_category__isnull=True,
        received_at__gte=now - dt.timedelta(days=1),
        received_at__lte=now - grace,
    )


def appeal_suggest_pending(*, batch: int | None = None, now: dt.datetime | None = None) -> int:
    """Suggest for every online appeal waiting without a suggestion, ``batch`` at a time
    (``ROUTING_SUGGEST_BATCH``, 县级默认值), one prediction per router per batch; what the task
    queued by the online intakes' commits runs. Returns how many appeals were looked at."""
    now = now or timezone.now()
    batch = batch or conf("ROUTING_SUGGEST_BATCH")
    waiting = _waiting_for_suggestion(now, dt.timedelta(0)).order_by("pk")
    done, last = 0, 0
    while True:
        ids = list(waiting.filter(pk__gt=last).values_list("pk", flat=True)[:batch])
        if ids:
            appeal_suggest_many(appeal_ids=ids)
            done, last = done + len(ids), ids[-1]
        if len(ids) < batch:
            return done


def appeal_suggest_missing(*, limit: int = 200, now: dt.datetime | None = None) -> int:
    """Suggest for online appeals of the last day still waiting without a suggestion a minute after
    their intake (the batch queued by their commit was lost: a broker restart, a worker crash)."""
    now = now or timezone.now()
    waiting = _waiting_for_suggestion(now, dt.timedelta(minutes=1)).order_by("received_at")
    ids = list(waiting.values_list("pk", flat=True)[:limit])
    if ids:
        appeal_suggest_many(appeal_ids=ids)
    return len(ids)


def appeal_reclassify(*, appeal: Appeal, actor, category: Category | None = None, tier: str | None = None) -> Appeal:
    """The dispatcher corrects the category or tier of an appeal not yet dispatched."""
    _require_dispatcher(actor, appeal)
    if tier is not None and tier not in Appeal.Tier.values:
        raise _error("appeal.bad_tier", f"未知的办理等级：{tier}", field="tier")
    with transaction.atomic():
        appeal = _locked(appeal)
        if appeal.state != State.RECEIVED:
            raise _error("appeal.invalid_transition", "只有待派单的诉求可以调整分类", status=409)
        before = snapshot(appeal, AUDIT_FIELDS)
        facts_before = measures.appeal_facts(appeal)
        if category is not None:
            appeal.category = category
        if tier is not None:
            appeal.tier = tier
        appeal.save(update_fields=["category", "tier", "updated_at"])
        measures.on_appeal_changed(appeal, before=facts_before)
        _event(appeal, Kind.RECLASSIFIED, actor=actor, note=f"{appeal.category or ''} {appeal.get_tier_display()}")
        _audit(appeal, "reclassified", actor=actor, before=before)
    return appeal


def appeal_answer(*, appeal: Appeal, content: str, actor, knowledge_entry: KnowledgeEntry | None = None) -> Appeal:
    """直接办结: the operator answers a consultation on the spot from the knowledge base."""
    _require_intake(actor, "只有话务员或窗口工作人员可以直接办结", appeal)
    content = text_check((content or "").strip(), "REPLY", field="content", label="答复内容")
    if not content and knowledge_entry is not None:
        content = knowledge_entry.answer
    if len(content) < conf("REPLY_MIN_LENGTH"):
        raise _error("appeal.reply_content_required", "请填写答复内容（至少 10 个字）", field="content")
    with transaction.atomic():
        appeal = _locked(appeal)
        if appeal.kind != Appeal.Kind.CONSULTATION:
            raise _error(
                "appeal.answer_only_consultation", "只有咨询类诉求可以直接办结，其他诉求请派单办理", status=409
            )
        now = timezone.now()
        facts_before = measures.appeal_facts(appeal)
        appeal.replied_at = now
        appeal.closed_at = now
        before = _move(
            appeal,
            State.ANSWERED,
            actor=actor,
            kind=Kind.ANSWERED,
            note=content,
            extra_fields=["replied_at", "closed_at"],
        )
        measures.on_appeal_changed(appeal, before=facts_before)
        reply = Reply.objects.create(
            appeal=appeal,
            region_id=appeal.region_id,
            department=None,  # answered by the hotline itself: no department's reply to measure
            content=content,
            result=Reply.Result.EXPLAINED,
            knowledge_entry=knowledge_entry,
            replied_by=actor,
            replied_at=now,
            on_time=True,
        )
        measures.on_appeal_replied(reply)
        if knowledge_entry is not None:
            KnowledgeEntry.objects.filter(pk=knowledge_entry.pk).update(use_count=F("use_count") + 1)
        _audit(
            appeal,
            "answered",
            actor=actor,
            before=before,
            details={"knowledge_entry": getattr(knowledge_entry, "pk", None)},
        )
        _notify_citizen(appeal, "hotline.answered", f"appeal:{appeal.pk}:answered", content=content[:200])
    return appeal


def appeal_decline(*, appeal: Appeal, reason: str, actor, note: str = "") -> Appeal:
    """不予受理 with the advice of the proper channel (DESIGN: emergencies stay with 110/119/120/122;
    litigation, arbitration, discipline, reconsideration and 信访 follow their own procedures)."""
    _require_intake(actor, "只有话务员或窗口工作人员可以不予受理", appeal)
    if reason not in Appeal.DeclineReason.values:
        raise _error("appeal.bad_decline_reason", "请选择不予受理的原因", field="reason")
    with transaction.atomic():
        appeal = _locked(appeal)
        facts_before = measures.appeal_facts(appeal)
        appeal.decline_reason = reason
        appeal.decline_advice = advice_for(reason)
        appeal.closed_at = timezone.now()
        before = _move(
            appeal,
            State.DECLINED,
            actor=actor,
            kind=Kind.DECLINED,
            note=f"{appeal.decline_advice}{(' ' + note.strip()) if note and note.strip() else ''}",
            extra_fields=["decline_reason", "decline_advice", "closed_at"],
        )
        measures.on_appeal_changed(appeal, before=facts_before)
        _audit(appeal, "declined", actor=actor, before=before, details={"reason": reason})
        _notify_citizen(appeal, "hotline.declined", f"appeal:{appeal.pk}:declined", advice=appeal.decline_advice)
    return appeal


def appeal_intake(
    *,
    actor,
    outcome: str = "register",
    answer: str = "",
    knowledge_entry: KnowledgeEntry | None = None,
    decline_reason: str = "",
    **submission,
) -> Appeal:
    """One call taken by the operator, with its outcome: registered for dispatch (``register``),
    answered on the spot (``answer``, 直接办结) or not accepted (``decline``). One outcome per call:
    if answering or declining is refused, the registration is undone too. ``submission`` are the
    arguments of ``appeal_submit``."""
    if outcome not in ("register", "answer", "decline"):
        raise _error("appeal.bad_outcome", "请选择处理方式", field="action")
    with transaction.atomic():
        appeal = appeal_submit(actor=actor, **submission)
        if outcome == "answer":
            appeal = appeal_answer(appeal=appeal, content=answer, knowledge_entry=knowledge_entry, actor=actor)
        elif outcome == "decline":
            appeal = appeal_decline(appeal=appeal, reason=decline_reason, actor=actor)
    return appeal
