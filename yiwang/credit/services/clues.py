"""Risk-warning clues (互联网+监管 风险预警, plan 四(十七)2): 线索推送、处置和反馈.

Configured rules (``CLUE_RULES``) raise a clue for an entity; the clue is pushed to the responsible
department with a working-day deadline (``CLUE_HANDLE_WORKDAYS``, county default) through the shared
deadline engine; the department records what it did (处置) and feeds back its finding (反馈); the
sweep tells the department when a clue is overdue. One clue per rule, entity and quarter.

What each source is (three sources; ratings are deliberately not one):

- ``records`` — credit records of the rule's kinds made in the window (``clues_for_record``, run when a
  record is made). **Inspection results arrive here**: a published 双随机 result with problems
  (problems found, not found at the registered address, refused) becomes a credit record of kind
  ``inspection`` with source ``inspections.task:<id>`` (``inspections.services.tasks._credit_record``,
  once per task), so the rule ``repeat-penalty`` (kinds penalty + inspection) counts them beside
  penalties. A separate rule reading ``inspections.Task`` directly would count the same results
  twice, and would see unpublished results the entity has not yet been told of; a normal result is
  not a risk signal. So records suffice and the inspections app stays a producer of records only.
- ``class`` — a change of the entity's risk class into the rule's classes (``clues_for_class_change``).
- ``appeals`` — complaints and reports (投诉/举报) in the 12345 hotline naming the entity, matched
  incrementally by the daily sweep (``clues_scan_appeals``).
- ratings (好差评) are **not** a source, on purpose: a rating judges a government service (the
  department's handling of a case or call), not the applicant. Many bad ratings on the cases of one
  enterprise applicant say that the enterprise was badly served, not that it is a risk; turning them
  into a clue against it would punish the complainant. Ratings feed the ratings app's own
  rectification loop instead.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from yiwang.core.audit import audit_record, snapshot
from yiwang.core.errors import ApplicationError
from yiwang.core.notify import ToDepartment, notify
from yiwang.credit import measures
from yiwang.credit.conf import credit_setting
from yiwang.credit.models import Clue, CreditRecord, Entity
from yiwang.org.models import Department
from yiwang.org.scoping import scope_for
from yiwang.workdays.services import clock_start, clock_stop

CLUE_FIELDS = ["entity", "department", "rule_code", "state", "due_on", "measures_taken", "finding", "feedback"]
_CLUE_ROLES = ("handler", "inspector")


def _err(code, message, field=None, status=400):
    return ApplicationError(code, message, details={"field": field} if field else {}, status=status)


def _rules(source: str) -> list[dict]:
    return [r for r in credit_setting("CLUE_RULES") if r.get("source") == source]


def _quarter(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _default_department():
    return Department.objects.filter(code=credit_setting("CLUE_DEFAULT_DEPARTMENT")).first()


def clue_push(*, entity: Entity, rule: dict, summary: str, department, evidence: dict, on: dt.date, actor=None):
    """Push one clue (idempotent per rule, entity and quarter); returns the clue or None if already pushed."""
    if department is None:
        return None
    key = f"{rule['code']}:{entity.pk}:{_quarter(on)}"
    with transaction.atomic():
        if Clue.objects.filter(dedupe_key=key).exists():
            return None
        now = timezone.now()
        clue = Clue.objects.create(
            entity=entity,
            region_id=entity.town_id or entity.region_id,
            department=department,
            rule_code=rule["code"],
            rule_label=rule["label"],
            summary=summary[:300],
            evidence=evidence,
            dedupe_key=key,
            pushed_at=now,
            due_on=on,
        )
        clock = clock_start(
            label=f"风险预警线索处置反馈：{entity.name}"[:200],
            started_at=now,
            days=int(credit_setting("CLUE_HANDLE_WORKDAYS")),
            actor=actor,
            owner=clue,
        )
        clue.clock, clue.due_on = clock, clock.due_on
        clue.save(update_fields=["clock", "due_on"])
        audit_record(actor=actor, action="credit.clue_pushed", obj=clue, after=snapshot(clue, CLUE_FIELDS))
        measures.on_clue_changed(clue, before=[])
        notify(
            to=ToDepartment(department.pk, roles=_CLUE_ROLES),
            template="credit.clue_pushed",
            context={
                "entity": entity.name,
                "rule": rule["label"],
                "summary": summary,
                "due_on": f"{clue.due_on:%Y-%m-%d}",
            },
            key=f"credit:clue:{clue.pk}:pushed",
            link=reverse("credit:clue", args=[clue.pk]),
        )
    return clue


def clues_for_record(record: CreditRecord) -> list[Clue]:
    """Rules over credit records, run when a record is made."""
    made = []
    for rule in _rules("records"):
        if record.kind not in rule.get("kinds", []):
            continue
        since = record.decided_on - dt.timedelta(days=int(rule.get("window_days", 365)))
        matching = CreditRecord.objects.filter(
            entity_id=record.entity_id, kind__in=rule["kinds"], decided_on__gte=since
        ).exclude(state=CreditRecord.State.REVOKED)
        count = matching.count()
        if count < int(rule.get("threshold", 1)):
            continue
        summary = (
            f"{record.entity.name}近{rule.get('window_days', 365)}天内有{count}条相关记录，最近一条：{record.title}。"
        )
        clue = clue_push(
            entity=record.entity,
            rule=rule,
            summary=summary,
            department=record.department,
            evidence={"records": list(matching.values_list("pk", flat=True)[:20])},
            on=timezone.localdate(),
        )
        if clue:
            made.append(clue)
    return made


def clues_for_class_change(change) -> list[Clue]:
    """Rules over risk-class changes (e.g. a fall into class D)."""
    made = []
    for rule in _rules("class"):
        if change.to_class not in rule.get("classes", []):
            continue
        entity = change.entity
        last = CreditRecord.objects.filter(entity=entity).order_by("-decided_on", "-id").first()
        department = last.department if last else _default_department()
        clue = clue_push(
            entity=entity,
            rule=rule,
            summary=f"{entity.name}信用风险分类由{change.from_class or '—'}类变为{change.to_class}类（风险分值{change.score}）。",
            department=department,
            evidence={"class_change": change.pk},
            on=timezone.localdate(),
        )
        if clue:
            made.append(clue)
    return made


_SCAN = "credit.appeal_clues"
_MENTION_KINDS = ("complaint", "report")
_MIN_NAME = 4  # names shorter than this are too ambiguous to match in free text


class _NameIndex:
    """Entity names by their first ``_MIN_NAME`` characters: a text is read once, left to right, and
    each position is one dictionary look-up, so matching costs the length of the text whatever the
    number of entities (a join of every appeal with every name costs their product: 1 M appeals ×
    5,000 entities is 5 billion ``LIKE`` tests). The test is a plain substring, as ``LIKE '%name%'``
    was, without ``LIKE``'s wildcards (a ``_`` or ``%`` in a name is a character)."""

    def __init__(self, entities):
        self.by_head: dict[str, list[tuple[str, int]]] = {}
        for pk, name in entities:
            name = (name or "").strip()
            if len(name) >= _MIN_NAME:
                self.by_head.setdefault(name[:_MIN_NAME], []).append((name, pk))

    def __bool__(self) -> bool:
        return bool(self.by_head)

    def find(self, text: str) -> set[int]:
        found: set[int] = set()
        heads = self.by_head
        for i in range(len(text) - _MIN_NAME + 1):
            candidates = heads.get(text[i : i + _MIN_NAME])
            if candidates:
                for name, pk in candidates:
                    if text.startswith(name, i):
                        found.add(pk)
        return found


_MATCH_BATCH = 2000


def _match(appeals, index: _NameIndex) -> int:
    """Store the (appeal, entity) pairs of ``appeals`` (a queryset) whose title or text names an entity
    of ``index``: the appeals are streamed in batches, the pairs written in batches."""
    from yiwang.credit.models import AppealMention

    if not index:
        return 0
    rows, written = [], 0
    for pk, title, content, received_at in appeals.values_list("pk", "title", "content", "received_at").iterator(
        chunk_size=_MATCH_BATCH
    ):
        for entity_id in index.find(title or "") | index.find(content or ""):
            rows.append(AppealMention(appeal_id=pk, entity_id=entity_id, received_at=received_at))
        if len(rows) >= _MATCH_BATCH:
            AppealMention.objects.bulk_create(rows, batch_size=_MATCH_BATCH, ignore_conflicts=True)
            written, rows = written + len(rows), []
    if rows:
        AppealMention.objects.bulk_create(rows, batch_size=_MATCH_BATCH, ignore_conflicts=True)
        written += len(rows)
    return written


def appeal_mentions_update(*, now=None) -> tuple[int, int]:
    """Bring the table of complaints naming entities up to date, incrementally.

    Only appeals whose ``updated_at`` is past the remembered mark are matched (against every active
    entity), and only entities added or changed since the last run are matched against the appeals of
    the longest rule window; each pass first drops the pairs it rewrites, so re-running is harmless.
    Each pass reads its appeals once (``_NameIndex``): the cost follows the appeals read, not appeals ×
    entities. Returns (appeals scanned, entities scanned)."""
    from django.db.models import Count, Max

    from yiwang.credit.models import AppealMention, ScanMark
    from yiwang.hotline.models import Appeal

    now = now or timezone.now()
    window = max((int(r.get("window_days", 365)) for r in _rules("appeals")), default=365)
    with transaction.atomic():
        mark, _ = ScanMark.objects.select_for_update().get_or_create(name=_SCAN)
        appeals = Appeal.objects.all()
        if mark.appeals_until:
            appeals = appeals.filter(updated_at__gt=mark.appeals_until)
        a_stats = appeals.aggregate(n=Count("id"), top=Max("updated_at"))
        entities = Entity.objects.all()
        if mark.entities_until:
            entities = entities.filter(updated_at__gt=mark.entities_until)
        e_stats = entities.aggregate(n=Count("id"), top=Max("updated_at"))
        a_top = a_stats["top"] or mark.appeals_until
        e_top = e_stats["top"] or mark.entities_until
        complaints = Appeal.objects.filter(kind__in=_MENTION_KINDS)
        active = Entity.objects.filter(status=Entity.Status.ACTIVE)
        if a_stats["n"] and mark.entities_until is not None:
            # appeals changed since the last run × every entity (on a first run the entity pass covers all)
            changed = appeals.filter(updated_at__lte=a_top)
            AppealMention.objects.filter(appeal__in=changed).delete()
            _match(
                complaints.filter(pk__in=changed.values("pk")),
                _NameIndex(active.values_list("pk", "name")),
            )
        if e_stats["n"]:
            # entities new or changed since the last run × the appeals within the longest window
            changed = entities.filter(updated_at__lte=e_top)
            AppealMention.objects.filter(entity__in=changed).delete()
            _match(
                complaints.filter(received_at__gte=now - dt.timedelta(days=window)),
                _NameIndex(active.filter(pk__in=changed.values("pk")).values_list("pk", "name")),
            )
        mark.appeals_until, mark.entities_until, mark.last_run_at = a_top, e_top, now
        mark.last_appeals, mark.last_entities = a_stats["n"], e_stats["n"]
        mark.save()
    return a_stats["n"], e_stats["n"]


def clues_scan_appeals(*, now=None, **_) -> int:
    """Complaints and reports (投诉/举报) naming an entity ≥ threshold times in the window raise a clue.

    Registered as a sweep hook. The matching is incremental (``appeal_mentions_update``); the count per
    entity is one grouped query over the stored mentions, so an entity still above the threshold in a
    new quarter is pushed again, as before. Names shorter than 4 characters are ignored (too ambiguous).
    """
    from django.db.models import Count

    from yiwang.credit.models import AppealMention

    rules = _rules("appeals")
    if not rules:
        return 0
    appeal_mentions_update(now=now)
    moment = now or timezone.now()
    on = timezone.localdate(moment)
    department = _default_department()
    made = 0
    for rule in rules:
        since = moment - dt.timedelta(days=int(rule.get("window_days", 365)))
        pushed = Clue.objects.filter(rule_code=rule["code"], dedupe_key__endswith=f":{_quarter(on)}")
        over = (
            AppealMention.objects.filter(received_at__gte=since, entity__status=Entity.Status.ACTIVE)
            .exclude(entity__in=pushed.values("entity"))
            .values("entity")
            .annotate(n=Count("id"))
            .filter(n__gte=int(rule.get("threshold", 1)))
        )
        counts = {row["entity"]: row["n"] for row in over}
        for entity in Entity.objects.filter(pk__in=list(counts)):
            hits = list(
                AppealMention.objects.filter(entity=entity, received_at__gte=since)
                .order_by("received_at")
                .values_list("appeal_id", flat=True)[:20]
            )
            if clue_push(
                entity=entity,
                rule=rule,
                summary=f"12345热线近{rule.get('window_days', 365)}天内有{counts[entity.pk]}件投诉举报涉及{entity.name}。",
                department=department,
                evidence={"appeals": hits},
                on=on,
            ):
                made += 1
    return made


def _locked_clue(clue: Clue, actor) -> Clue:
    clue = Clue.objects.select_for_update(of=("self",)).select_related("department", "entity").get(pk=clue.pk)
    if not scope_for(actor).can("credit.clue", department=clue.department):
        raise _err("credit.not_your_department", f"该线索由{clue.department}处置", status=403)
    return clue


def clue_handle(*, clue: Clue, measures_taken: str, actor) -> Clue:
    """处置: the department records what it did. Errors: ``credit.measures_required``, ``credit.clue_state`` (409)."""
    measures_taken = (measures_taken or "").strip()
    if not measures_taken:
        raise _err("credit.measures_required", "请填写处置措施", "measures_taken")
    with transaction.atomic():
        clue = _locked_clue(clue, actor)
        if clue.state != Clue.State.PUSHED:
            raise _err("credit.clue_state", "该线索已处置", status=409)
        before_facts = measures.clue_facts(clue)
        before = snapshot(clue, ["state"])
        clue.state, clue.measures_taken = Clue.State.HANDLED, measures_taken
        clue.handled_by, clue.handled_at = actor, timezone.now()
        clue.save(update_fields=["state", "measures_taken", "handled_by", "handled_at"])
        audit_record(
            actor=actor, action="credit.clue_handled", obj=clue, before=before, after=snapshot(clue, CLUE_FIELDS)
        )
        measures.on_clue_changed(clue, before=before_facts)
    return clue


def clue_feedback(*, clue: Clue, finding: str, feedback: str, actor) -> Clue:
    """反馈: the finding goes back to the platform; the deadline stops. Errors: ``credit.finding_invalid``,
    ``credit.feedback_required``, ``credit.clue_state`` (409)."""
    feedback = (feedback or "").strip()
    if finding not in Clue.Finding.values:
        raise _err("credit.finding_invalid", "请选择核查结论", "finding")
    if not feedback:
        raise _err("credit.feedback_required", "请填写反馈意见", "feedback")
    with transaction.atomic():
        clue = _locked_clue(clue, actor)
        if clue.state != Clue.State.HANDLED:
            raise _err(
                "credit.clue_state",
                "请先登记处置措施，再反馈" if clue.state == Clue.State.PUSHED else "该线索已反馈",
                status=409,
            )
        before_facts = measures.clue_facts(clue)
        before = snapshot(clue, ["state"])
        now = timezone.now()
        clue.state, clue.finding, clue.feedback, clue.fed_back_at = Clue.State.FED_BACK, finding, feedback, now
        clue.handled_on_time = timezone.localdate(now) <= clue.due_on
        clue.save(update_fields=["state", "finding", "feedback", "fed_back_at", "handled_on_time"])
        if clue.clock_id:
            clock_stop(clock=clue.clock, actor=actor)
        audit_record(
            actor=actor, action="credit.clue_fed_back", obj=clue, before=before, after=snapshot(clue, CLUE_FIELDS)
        )
        measures.on_clue_changed(clue, before=before_facts)
    return clue


def on_clue_deadline(*, clock, owner, before, after, today) -> None:
    """The sweep's handler: the department is reminded before a clue's feedback is due
    (``CLUE_REMIND_WORKDAYS``) and told once when it is overdue."""
    if owner is None or owner.state == Clue.State.FED_BACK:
        return
    if after == "reminder":
        template, key = "credit.clue_due_soon", f"credit:clue:{owner.pk}:remind:{clock.due_on:%Y%m%d}"
    elif after == "overdue":
        template, key = "credit.clue_overdue", f"credit:clue:{owner.pk}:overdue"
    else:
        return
    notify(
        to=ToDepartment(owner.department_id, roles=_CLUE_ROLES),
        template=template,
        context={"entity": owner.entity.name, "rule": owner.rule_label, "due_on": f"{clock.due_on:%Y-%m-%d}"},
        key=key,
        link=reverse("credit:clue", args=[owner.pk]),
    )
