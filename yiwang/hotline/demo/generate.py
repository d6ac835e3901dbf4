"""Meixian hotline demo: six months of appeals in every state, 办不成事 entries, a trained router.

``seed`` runs in three steps:

1. :mod:`.reference` tops up categories, their departments and the knowledge base;
2. :mod:`.bulk` writes the history once (thousands of appeals, bypassing the services, see there);
3. this module goes through the real services for what happens "today": the router is trained on
   that history (``routing_model_train``), a few of today's calls are submitted like any new call
   (``appeal_submit``, audited), and the deadline sweep runs (``appeal_sweep``), so reminders and
   overdue notices exist.

Idempotent: a second run finds the first demo appeal (``submission_key="demo:0"``) and only tops
up reference data.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from yiwang.hotline import services
from yiwang.hotline.models import Appeal
from yiwang.org.models import Region

from .bulk import COUNTY, MARKER, History, S, bulk_write, unresolved_write
from .dataset import LIVE_CALLS
from .reference import ensure_reference


def _write(stdout, text: str) -> None:
    stdout.write(text + "\n")


def _live(history: History, stdout) -> int:
    """A few of today's calls through the real services (audited, with routing suggestions)."""
    operator = history.dispatcher
    if operator is None:
        return 0
    made = 0
    towns = {t.code: t for t in history.towns}
    for index, (channel, kind, title, content, town_code) in enumerate(LIVE_CALLS):
        name, phone = history.person()
        services.appeal_submit(
            channel=channel,
            kind=kind,
            title=title,
            content=content,
            actor=operator,
            town=towns.get(town_code),
            contact_name=name,
            contact_phone=phone,
            public_consent=True,
            submission_key=f"demo:live:{index}",
        )
        made += 1
    return made


def _refresh_suggestions(stdout) -> int:
    from yiwang.hotline.selectors import routing_suggest

    pending = list(Appeal.objects.filter(state=S.RECEIVED, submission_key__startswith="demo:").select_related("town"))
    for appeal in pending:
        suggestion = routing_suggest(title=appeal.title, content=appeal.content, town=appeal.town)
        appeal.suggested_department = suggestion.department
        appeal.suggested_category = suggestion.category
        appeal.suggestion_confidence = suggestion.confidence
        appeal.suggestion_low_confidence = suggestion.low_confidence
    Appeal.objects.bulk_update(
        pending,
        ["suggested_department", "suggested_category", "suggestion_confidence", "suggestion_low_confidence"],
        batch_size=200,
    )
    return len(pending)


def seed(*, stdout) -> None:
    """Categories, mappings and knowledge (always topped up); the history once."""
    started = time.monotonic()
    if not Region.objects.filter(code=COUNTY).exists():
        _write(stdout, "未找到眉县区划，请先运行 org 的演示数据")
        return
    categories, made_categories, made_knowledge = ensure_reference()
    _write(stdout, f"诉求类别：新建 {made_categories}；知识库：新建 {made_knowledge}")
    if Appeal.objects.filter(submission_key=MARKER).exists():
        _write(stdout, "诉求演示数据已存在，跳过")
        return
    now = timezone.now()
    today = timezone.localdate()
    history = History(now, categories)

    def progress(iterable):
        return tqdm(iterable, desc="生成诉求", unit="天", file=sys.stderr, leave=False)

    history.generate(today, progress)
    with transaction.atomic():
        counts = bulk_write(history, stdout)
        unresolved = unresolved_write(history, categories, today)
    states = defaultdict(int)
    for plan in history.plans:
        states[plan.appeal.state] += 1
    _write(
        stdout,
        f"诉求 {counts['appeals']} 件（派单 {counts['dispatches']}，答复 {counts['replies']}，回访 {counts['revisits']}，"
        f"办理记录 {counts['events']}，期限 {counts['clocks']}）；办不成事 {unresolved} 件",
    )
    _write(
        stdout,
        "状态分布："
        + "，".join(f"{Appeal.State(s).label} {n}" for s, n in sorted(states.items(), key=lambda kv: -kv[1])),
    )
    services.routing_model_train(actor=None, folds=None, stdout=stdout)
    refreshed = _refresh_suggestions(stdout)
    live = _live(history, stdout)
    report = services.appeal_sweep()
    _write(
        stdout,
        f"智能分拨建议已更新 {refreshed} 件；今日来电 {live} 件；催办 {report.reminders}，超期通报 {report.overdue}",
    )
    _write(stdout, f"诉求演示数据完成（{time.monotonic() - started:.1f} 秒）")
