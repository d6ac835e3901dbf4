"""Appeals pushed in batches by a partner system (a call centre's work-order system, the city's or the
province's 12345 platform): many appeals in one request and one transaction, each with its own key.

Each appeal is checked by the same rules as ``appeal_submit`` and gets the same rows: the appeal, its
timeline event, its count in the monthly roll-up, its audit event and the citizen's SMS. What one
request for each would do statement by statement is done here a few statements for the batch: one
read per kind of code (towns, villages, categories) and of the keys already used, one insert of the
appeals, one of the events, one of the audit events, one routing prediction per router.

Outcomes are per appeal: an appeal that breaks a rule is reported with its error code and is not
registered, the others are; an appeal whose key the same account registered before (a retried push)
is answered with that appeal and registers nothing; a key another account registered is refused. The
appeals are inserted in the order of their keys, so two pushes with keys in common wait for each
other rather than deadlock. A batch larger than ``INTAKE_BATCH_MAX`` (县级默认值) or empty is refused
whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.core.audit import AuditEntry, audit_record_many, snapshot
from yiwang.core.errors import ApplicationError
from yiwang.hotline import measures, similar
from yiwang.hotline.conf import conf
from yiwang.hotline.models import Appeal, AppealEvent, Category
from yiwang.hotline.services._common import (
    Kind,
    State,
    _county,
    _error,
    _notify_citizen,
    _require,
)
from yiwang.hotline.services.intake import (
    CODE_ATTEMPTS,
    RECEIVED_AUDIT_FIELDS,
    _checked,
    _Draft,
    _draw_code,
    _suggest_later,
    _unsaved,
    routing_after_commit,
)
from yiwang.org.models import Region

KEY_MAX = Appeal._meta.get_field("submission_key").max_length
# The fields an item may carry besides its key (those of ``appeal_submit``, regions and category by code).
ITEM_FIELDS = frozenset(
    {
        "kind",
        "title",
        "content",
        "channel",
        "town_code",
        "village_code",
        "address",
        "latitude",
        "longitude",
        "anonymous",
        "contact_name",
        "contact_phone",
        "public_consent",
        "category_code",
        "tier",
        "confirm_not_emergency",
    }
)
TEXT_FIELDS = ("kind", "title", "content", "channel", "town_code", "village_code", "address")
TEXT_FIELDS += ("contact_name", "contact_phone", "category_code", "tier")
FLAG_FIELDS = ("anonymous", "public_consent", "confirm_not_emergency")


@dataclass
class BatchOutcome:
    """What became of one item: ``created`` (registered now), ``existing`` (its key was registered
    before, by an earlier push or earlier in this batch) or ``error`` (not registered: ``error``)."""

    index: int
    key: str
    status: str = ""
    appeal: Appeal | None = None
    error: ApplicationError | None = None


def _by_code(model, codes: set[str], **filters) -> dict:
    if not codes:
        return {}
    rows = model.objects.filter(code__in=codes, **filters)
    if model is Region:
        rows = rows.select_related("parent")
    return {row.code: row for row in rows}


def _draft(item: Mapping, *, actor, county: Region, towns: dict, villages: dict, categories: dict) -> _Draft:
    """One item checked: codes resolved from the batch's reads, then ``appeal_submit``'s rules."""
    unknown = sorted(set(item) - ITEM_FIELDS - {"key"})
    if unknown:
        raise _error("appeal.unknown_field", f"不认识的字段：{'、'.join(unknown)}", field=unknown[0])
    # The API's schema gives these types; a caller of the service may not (a flag "false" reads true).
    for name in TEXT_FIELDS:
        value = item.get(name)
        if value is not None and (not isinstance(value, str) or "\x00" in value):
            raise _error("appeal.bad_value", f"字段 {name} 应为不含空字符的文本", field=name)
    for name in FLAG_FIELDS:
        if item.get(name) is not None and not isinstance(item.get(name), bool):
            raise _error("appeal.bad_value", f"字段 {name} 应为 true 或 false", field=name)
    town_code, village_code, category_code = (
        item.get(f) or None for f in ("town_code", "village_code", "category_code")
    )
    town = towns.get(town_code) if town_code else None
    if town_code and town is None:
        raise _error("appeal.unknown_region", f"未知的区划代码：{town_code}", field="town_code")
    village = villages.get(village_code) if village_code else None
    if village_code and village is None:
        raise _error("appeal.unknown_region", f"未知的区划代码：{village_code}", field="village_code")
    category = categories.get(category_code) if category_code else None
    if category_code and category is None:
        raise _error("appeal.unknown_category", f"未知的类别编码：{category_code}", field="category_code")
    channel = item.get("channel") or Appeal.Channel.API
    draft = _checked(
        channel=channel,
        kind=item.get("kind") or "",
        title=item.get("title") or "",
        content=item.get("content") or "",
        actor=actor,
        town=town,
        village=village,
        address=item.get("address") or "",
        latitude=item.get("latitude"),
        longitude=item.get("longitude"),
        anonymous=bool(item.get("anonymous")),
        contact_name=item.get("contact_name") or "",
        contact_phone=item.get("contact_phone") or "",
        public_consent=bool(item.get("public_consent")),
        category=category,
        tier=item.get("tier"),
        confirm_not_emergency=bool(item.get("confirm_not_emergency")),
        county=county,
    )
    # Whoever pushes registers the appeal: the intake action, and a town's clerk only for their town.
    _require(actor, "appeal.intake", "无权登记该镇（街道）的诉求", region=draft.town or county)
    return draft


def appeal_submit_many(
    *, items: Sequence[Mapping], actor, received_at: dt.datetime | None = None
) -> list[BatchOutcome]:
    """Register a batch of appeals (plan 二(四): 统一受理, from partner systems); one outcome per item,
    in the order given. Each item is a mapping with ``key`` (its submission key, required) and the
    fields of ``ITEM_FIELDS``.

    Errors for the whole batch (nothing registered): ``appeal.forbidden`` without the intake
    action, ``appeal.batch_empty``, ``appeal.batch_too_large``. Per item: any error of
    ``appeal_submit``, ``appeal.key_required``, ``appeal.unknown_field``, ``appeal.bad_value`` (a value
    of the wrong type, or text with a NUL), ``appeal.unknown_region``, ``appeal.unknown_category``,
    ``appeal.key_conflict`` (the key is an appeal another account registered: keys are unique per
    partner system, not across them, so that is no retry).
    """
    _require(actor, "appeal.intake", "只有话务员、派单员或窗口工作人员可以批量登记诉求")
    items = list(items)
    if not items:
        raise _error("appeal.batch_empty", "请至少提交一条诉求", field="appeals")
    limit = conf("INTAKE_BATCH_MAX")
    if len(items) > limit:
        raise _error("appeal.batch_too_large", f"每批最多 {limit} 条诉求，本批 {len(items)} 条", field="appeals")

    outcomes = [BatchOutcome(index=i, key="") for i in range(len(items))]
    first_of_key: dict[str, int] = {}
    for outcome, item in zip(outcomes, items, strict=True):
        key = item.get("key") if isinstance(item, Mapping) else None
        key = key.strip() if isinstance(key, str) else ""
        outcome.key = key
        if not isinstance(item, Mapping):
            outcome.error = _error("appeal.bad_item", "每条诉求应为一个对象", field="appeals")
        elif not key or len(key) > KEY_MAX or "\x00" in key:
            outcome.error = _error(
                "appeal.key_required", f"每条诉求须带提交标识 key（1–{KEY_MAX} 个字符），重发时不变", field="key"
            )
        elif key in first_of_key:
            outcome.status = "existing"  # the same appeal twice in one batch: registered once
        else:
            first_of_key[key] = outcome.index

    earlier = {a.submission_key: a for a in Appeal.objects.filter(submission_key__in=list(first_of_key))}
    for key, index in first_of_key.items():
        if key in earlier:
            _registered_before(outcomes[index], earlier[key], actor=actor)

    fresh = [o for o in outcomes if not o.error and not o.status]
    county = _county()
    fields = [items[o.index] for o in fresh]
    towns = _by_code(Region, {f.get("town_code") for f in fields if f.get("town_code")})
    villages = _by_code(Region, {f.get("village_code") for f in fields if f.get("village_code")})
    categories = _by_code(Category, {f.get("category_code") for f in fields if f.get("category_code")}, is_active=True)
    drafts: dict[int, _Draft] = {}
    for outcome in fresh:
        try:
            drafts[outcome.index] = _draft(
                items[outcome.index],
                actor=actor,
                county=county,
                towns=towns,
                villages=villages,
                categories=categories,
            )
        except ApplicationError as error:
            outcome.error = error
    if drafts:
        _register(drafts, outcomes, actor=actor, at=received_at or timezone.now())

    for outcome in outcomes:  # a key given twice answers with what became of its first item
        if outcome.status == "existing" and outcome.appeal is None and not outcome.error:
            first = outcomes[first_of_key[outcome.key]] if outcome.key in first_of_key else None
            if first is not None:
                outcome.appeal, outcome.error = first.appeal, first.error
                outcome.status = "existing" if first.appeal is not None else "error"
        if outcome.error is not None:
            outcome.status = "error"
    return outcomes


def _registered_before(outcome: BatchOutcome, appeal: Appeal, *, actor) -> None:
    """An item whose key is an appeal's already: the pusher's own (a retried push) answers with it;
    another's (each partner numbers its own work orders) is refused, its appeal not shown."""
    if getattr(actor, "pk", None) is not None and actor.pk in (appeal.submitted_by_id, appeal.received_by_id):
        outcome.status, outcome.appeal = "existing", appeal
        return
    outcome.status, outcome.error = (
        "error",
        _error(
            "appeal.key_conflict",
            f"提交标识 {outcome.key} 已被其他提交方使用，请使用本系统内唯一的编号",
            status=409,
            field="key",
        ),
    )


def _suggestions(drafts: dict[int, _Draft]) -> tuple[dict, list[int]]:
    """The routing suggestion of each draft registered by staff (an operator waits for it); online
    ones are suggested after the commit. One prediction per router for the batch."""
    from yiwang.hotline.selectors import Suggestion, routing_suggest_many

    later = [i for i, d in drafts.items() if routing_after_commit(d.channel)]
    now = [i for i in drafts if i not in set(later)]
    suggestions = dict.fromkeys(later, Suggestion())
    found = routing_suggest_many([(drafts[i].title, drafts[i].content, drafts[i].town) for i in now])
    suggestions.update(zip(now, found, strict=True))
    return suggestions, later


def _register(drafts: dict[int, _Draft], outcomes: list[BatchOutcome], *, actor, at: dt.datetime) -> None:
    suggestions, later = _suggestions(drafts)
    actor_user = actor if getattr(actor, "pk", None) else None
    pending = dict(drafts)
    for attempt in range(1, CODE_ATTEMPTS + 1):
        appeals = {
            i: _unsaved(
                d,
                code=_draw_code("YW", at),
                suggestion=suggestions[i],
                submission_key=outcomes[i].key,
                actor_user=actor_user,
                at=at,
            )
            for i, d in pending.items()
        }
        try:
            with transaction.atomic():
                # In the order of their keys: two pushes with keys in common take the keys' index
                # entries in one order, so one waits for the other instead of each for the other
                # (a deadlock on PostgreSQL when one batch lists them backwards).
                _insert(sorted(appeals.values(), key=lambda a: a.submission_key), actor_user=actor_user, at=at)
                if any(i in appeals for i in later):  # one batch of suggestions after the commit, as one by one
                    transaction.on_commit(_suggest_later, robust=True)
                transaction.on_commit(similar.index_later, robust=True)  # their similar pairs, stored
        except IntegrityError:
            # A code drawn twice (practically never) or a key registered meanwhile by a concurrent
            # push: those keys answer with their appeal, the rest is drawn again.
            taken = {
                a.submission_key: a
                for a in Appeal.objects.filter(submission_key__in=[outcomes[i].key for i in pending])
            }
            for i in list(pending):
                if outcomes[i].key in taken:
                    _registered_before(outcomes[i], taken[outcomes[i].key], actor=actor)
                    del pending[i]
            if not pending:
                return
            if attempt == CODE_ATTEMPTS:
                raise
            continue
        for i, appeal in appeals.items():
            outcomes[i].status, outcomes[i].appeal = "created", appeal
        return


def _insert(appeals: list[Appeal], *, actor_user, at: dt.datetime) -> None:
    """The rows ``appeal_submit`` writes for each appeal, a few statements for all of them."""
    Appeal.objects.bulk_create(appeals)
    AppealEvent.objects.bulk_create(
        AppealEvent(
            appeal=appeal,
            region_id=appeal.region_id,
            kind=Kind.RECEIVED,
            actor=actor_user,
            note=appeal.get_channel_display(),
            to_state=State.RECEIVED,
            created_at=at,
        )
        for appeal in appeals
    )
    measures.on_appeals_received(appeals)
    audit_record_many(
        actor=actor_user,
        action="hotline.appeal_received",
        entries=[
            AuditEntry(obj=appeal, after=snapshot(appeal, RECEIVED_AUDIT_FIELDS), region_code=appeal.region.code)
            for appeal in appeals
        ],
    )
    for appeal in appeals:
        _notify_citizen(appeal, "hotline.received", f"appeal:{appeal.pk}:received")


__all__ = ["ITEM_FIELDS", "BatchOutcome", "appeal_submit_many"]
