"""Every write of the policies app: the library, rules, publication, matching and push, applications, grants.

Plan 五(三): explain policies and push them precisely to the enterprises they help. A match is made
once per policy and entity (a unique constraint) and pushed once (``notified_at`` and the notifier's
idempotent key ``policies:<policy>:<entity>:matched``): re-publishing a policy or re-matching an
entity whose attributes changed never pushes twice.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from yiwang.core.audit import AuditEntry, audit_record, audit_record_many, snapshot
from yiwang.core.errors import ApplicationError
from yiwang.core.notify import ToPhone, ToUser, notify
from yiwang.credit.models import Entity
from yiwang.measures.services import measure_add, measures_apply
from yiwang.org.models import Region

from . import measures
from .conf import policies_setting
from .models import Policy, PolicyMatch, PolicyState
from .rules import RuleError, entities_for_rules, rules_evaluate, rules_q, rules_validate
from .workflow import check_policy_transition

POLICY_FIELDS = (
    "title",
    "issuer",
    "document_number",
    "level",
    "issued_on",
    "effective_on",
    "expires_on",
    "full_text",
    "interpretation",
    "steps",
    "benefit_kind",
    "benefit_amount",
    "benefit_note",
    "no_application",
    "catalog_item",
)
AUDITED = (*POLICY_FIELDS, "state", "rules", "published_at", "expired_at")


def valid_town_codes() -> set[str]:
    return set(Region.objects.filter(level=Region.Level.TOWN).values_list("code", flat=True))


def town_names() -> dict[str, str]:
    return dict(Region.objects.filter(level=Region.Level.TOWN).values_list("code", "name"))


def _check_values(values: dict) -> dict:
    unknown = sorted(set(values) - set(POLICY_FIELDS))
    if unknown:
        raise ApplicationError("policy.unknown_field", f"未知的政策字段：{'、'.join(unknown)}")
    expires, effective = values.get("expires_on"), values.get("effective_on")
    if expires and effective and expires < effective:
        raise ApplicationError(
            "policy.dates_invalid", "截止日期不能早于生效日期", details={"field": "expires_on"}, status=400
        )
    steps = values.get("steps")
    if steps is not None:
        if not isinstance(steps, list) or any(not isinstance(s, str) or not s.strip() for s in steps):
            raise ApplicationError("policy.steps_invalid", "办理流程的每一步都要填写文字", details={"field": "steps"})
        values["steps"] = [s.strip() for s in steps]
    amount = values.get("benefit_amount")
    if amount is not None and amount < 0:
        raise ApplicationError("policy.amount_invalid", "扶持标准不能为负数", details={"field": "benefit_amount"})
    return values


def policy_create(*, actor, department, values: dict) -> Policy:
    """A draft policy of ``department`` (its region is the department's, the 承办部门's jurisdiction)."""
    values = _check_values(dict(values))
    with transaction.atomic():
        policy = Policy(department=department, region=department.region, created_by=actor, **values)
        policy.full_clean(exclude=["rules", "created_by"])
        policy.save()
        audit_record(actor=actor, action="policy.created", obj=policy, after=snapshot(policy, AUDITED))
    return policy


def _locked(policy: Policy) -> Policy:
    return Policy.objects.select_for_update(of=("self",)).select_related("region", "department").get(pk=policy.pk)


def policy_update(*, policy: Policy, actor, values: dict) -> Policy:
    """Change a policy's document fields (draft or published; an expired policy is history)."""
    values = _check_values(dict(values))
    with transaction.atomic():
        policy = _locked(policy)
        if policy.state == PolicyState.EXPIRED:
            raise ApplicationError("policy.expired", "已失效的政策不能修改", status=409)
        before = snapshot(policy, AUDITED)
        for name, value in values.items():
            setattr(policy, name, value)
        policy.full_clean(exclude=["rules", "created_by"])
        policy.save()
        audit_record(actor=actor, action="policy.updated", obj=policy, before=before, after=snapshot(policy, AUDITED))
    return policy


def rules_error(error: RuleError) -> ApplicationError:
    return ApplicationError(
        "policy.rules_invalid",
        error.errors[0][1] if len(error.errors) == 1 else f"享受条件有 {len(error.errors)} 处错误：{error}",
        details={"errors": [{"condition": index, "message": message} for index, message in error.errors]},
    )


def policy_rules_set(*, policy: Policy, actor, rules: dict) -> Policy:
    """Store the eligibility rule after validating it (``rules.rules_validate``, Chinese errors).

    On a published policy the matches are recomputed after commit (new entities pushed once, those
    no longer eligible marked so; grants and applications are kept).
    """
    try:
        rules = rules_validate(rules, valid_towns=valid_town_codes())
    except RuleError as error:
        raise rules_error(error) from None
    with transaction.atomic():
        policy = _locked(policy)
        if policy.state == PolicyState.EXPIRED:
            raise ApplicationError("policy.expired", "已失效的政策不能修改", status=409)
        before = {"rules": policy.rules}
        policy.rules = rules
        policy.save(update_fields=["rules", "updated_at"])
        audit_record(actor=actor, action="policy.rules_set", obj=policy, before=before, after={"rules": rules})
        if policy.state == PolicyState.PUBLISHED:
            _schedule_match(policy)
    return policy


def _schedule_match(policy: Policy) -> None:
    from .tasks import match_policy

    policy_id = policy.pk
    transaction.on_commit(lambda: match_policy.delay(policy_id))


def policy_publish(*, policy: Policy, actor) -> Policy:
    """Publish a draft (or an expired policy again): it appears in the library and is matched.

    Needs a valid rule. Matching runs as a task after commit (eager in the embedded default).
    The first publication's time stays the policy's ``published_at`` (days to grant count from it).
    """
    with transaction.atomic():
        policy = _locked(policy)
        check_policy_transition(policy, PolicyState.PUBLISHED)
        if not (policy.rules or {}).get("conditions"):
            raise ApplicationError("policy.rules_missing", "请先设置享受条件再发布", status=409)
        if policy.expires_on and policy.expires_on < timezone.localdate():
            raise ApplicationError("policy.already_past", "政策截止日期已过，请先修改截止日期", status=409)
        before = snapshot(policy, AUDITED)
        facts_before = measures.policy_facts(policy)
        policy.state = PolicyState.PUBLISHED
        policy.published_at = policy.published_at or timezone.now()
        policy.expired_at = None
        policy.save(update_fields=["state", "published_at", "expired_at", "updated_at"])
        audit_record(actor=actor, action="policy.published", obj=policy, before=before, after=snapshot(policy, AUDITED))
        measures_apply(before=facts_before, after=measures.policy_facts(policy))
        _schedule_match(policy)
    return policy


def policy_expire(*, policy: Policy, actor) -> Policy:
    """Take a published policy out of force: no new matches; grants and applications stay."""
    with transaction.atomic():
        policy = _locked(policy)
        check_policy_transition(policy, PolicyState.EXPIRED)
        before = snapshot(policy, AUDITED)
        policy.state = PolicyState.EXPIRED
        policy.expired_at = timezone.now()
        policy.save(update_fields=["state", "expired_at", "updated_at"])
        audit_record(actor=actor, action="policy.expired", obj=policy, before=before, after=snapshot(policy, AUDITED))
    return policy


def policies_expire_due(*, today: dt.date | None = None, **_) -> int:
    """Expire every published policy whose 截止日期 has passed (a sweep hook; safe to repeat)."""
    today = today or timezone.localdate()
    count = 0
    for policy in Policy.objects.filter(state=PolicyState.PUBLISHED, expires_on__lt=today):
        policy_expire(policy=policy, actor=None)
        count += 1
    return count


# --- contacts and pushes ------------------------------------------------------------------------


def entity_contacts(usccs) -> dict[str, list]:
    """The registered contacts of entities by USCC: their enterprise accounts (in-app, and SMS to the
    account's phone). One query over the accounts that carry a USCC."""
    from yiwang.org.models import User

    usccs = set(usccs)
    contacts: dict[str, list] = {}
    if not usccs:
        return contacts
    accounts = User.objects.filter(is_active=True).exclude(uscc="")
    if len(usccs) < 500:
        accounts = accounts.filter(uscc__in=usccs)
    for user in accounts.only("pk", "uscc", "phone"):
        if user.uscc in usccs:
            recipients = contacts.setdefault(user.uscc, [])
            recipients.append(ToUser(user.pk))
            if user.phone:
                recipients.append(ToPhone(user.phone))
    return contacts


def benefit_text(policy: Policy) -> str:
    if policy.benefit_amount:
        return f"{policy.get_benefit_kind_display()} {policy.benefit_amount:,.0f} 元"
    return policy.benefit_note or policy.get_benefit_kind_display()


def how_text(policy: Policy) -> str:
    if policy.no_application:
        return "本政策免申即享，无需申请，经核定后直接兑现"
    return "请登录“一网”在“我的惠企政策”中查看并申请"


def _push(policy: Policy, match: PolicyMatch, entity_name: str, recipients: list) -> bool:
    written = notify(
        to=recipients,
        template="policies.matched",
        context={"name": entity_name, "title": policy.title, "benefit": benefit_text(policy), "how": how_text(policy)},
        key=f"policies:{policy.pk}:{match.entity_id}:matched",
        link="/policies/mine/",
    )
    return written > 0 or bool(recipients)


@dataclass
class MatchReport:
    policy_id: int
    matched: int = 0
    created: int = 0
    reactivated: int = 0
    dropped: int = 0
    notified: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _region_filter(policy: Policy) -> Q:
    return Q(region__path__startswith=policy.region.path)


def policy_eligible_entities(policy: Policy, *, today: dt.date):
    """Every entity the policy's rule matches, as one queryset (never loaded whole into Python)."""
    return entities_for_rules(Entity.objects.all()).filter(rules_q(policy.rules, today=today) & _region_filter(policy))


def policy_match(*, policy: Policy, today: dt.date | None = None) -> MatchReport:
    """Match a published policy against every entity (the publish task; also after its rule changes).

    New eligible entities get a match and one push to their contacts; matches of entities no longer
    eligible are marked ``eligible=False`` (kept with their applications and grants); an entity
    eligible again is re-marked, never pushed again. The policy row is locked for the run, so one
    policy is matched by one run at a time. The new matches are written by one INSERT … SELECT over
    the rule's filter, so the eligible ids never travel through Python. Audited once per run with the counts.
    """
    today = today or timezone.localdate()
    report = MatchReport(policy_id=policy.pk)
    with transaction.atomic():
        policy = _locked(policy)
        if policy.state != PolicyState.PUBLISHED:
            return report
        eligible = policy_eligible_entities(policy, today=today)
        eligible_ids = eligible.values("pk")
        now = timezone.now()
        for rows, flag in (
            (PolicyMatch.objects.filter(policy=policy, eligible=False, entity_id__in=eligible_ids), True),
            (PolicyMatch.objects.filter(policy=policy, eligible=True).exclude(entity_id__in=eligible_ids), False),
        ):
            changed = list(rows.select_for_update())
            if not changed:
                continue
            before = [f for m in changed for f in measures.match_facts(m, policy)]
            PolicyMatch.objects.filter(pk__in=[m.pk for m in changed]).update(eligible=flag)
            for m in changed:
                m.eligible = flag
            measures_apply(before=before, after=[f for m in changed for f in measures.match_facts(m, policy)])
            if flag:
                report.reactivated = len(changed)
            else:
                report.dropped = len(changed)
        new = eligible.exclude(pk__in=PolicyMatch.objects.filter(policy=policy).values("entity_id"))
        report.created = _insert_matches(policy, new, now)
        report.notified = _push_new_matches(policy, now) if report.created else 0
        report.matched = PolicyMatch.objects.filter(policy=policy, eligible=True).count()  # an index count, no rescan
        policy.matched_at = now
        policy.save(update_fields=["matched_at"])
        audit_record(actor=None, action="policy.matched", obj=policy, details=report.as_dict())
    return report


def _insert_matches(policy: Policy, entities, now: dt.datetime) -> int:
    """INSERT … SELECT the matches of ``entities`` (a queryset) and count them in the roll-ups by region."""
    from django.db import connection
    from django.db.models.functions import Coalesce

    select = entities.annotate(match_region=Coalesce("town_id", "region_id")).values_list("pk", "match_region")
    sql, params = select.query.sql_with_params()
    table = PolicyMatch._meta.db_table
    moment = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (entity_id, region_id, policy_id, matched_at, eligible, application) "  # noqa: S608
            f"SELECT sub.*, %s, %s, %s, '{{}}' FROM ({sql}) sub",
            (policy.pk, moment, True, *params),
        )
        created = cursor.rowcount
    if created:
        new = PolicyMatch.objects.filter(policy=policy, matched_at=now)
        for row in new.values("region_id").annotate(n=Count("pk")).order_by():
            measure_add(
                metric=measures.REACH,
                on=now,
                region=row["region_id"],
                department=policy.department_id,
                key=str(policy.pk),
                count=row["n"],
                eligible=row["n"],
            )
    return created


def _push_new_matches(policy: Policy, now: dt.datetime) -> int:
    """Push the matches just made whose entity has a registered contact (an account); once each."""
    from yiwang.org.models import User

    usccs = set(User.objects.filter(is_active=True).exclude(uscc="").values_list("uscc", flat=True))
    if not usccs:
        return 0
    fresh = list(
        PolicyMatch.objects.filter(policy=policy, matched_at=now, entity__uscc__in=usccs).select_related("entity")
    )
    contacts = entity_contacts(m.entity.uscc for m in fresh)
    pushed = [
        m for m in fresh if m.entity.uscc in contacts and _push(policy, m, m.entity.name, contacts[m.entity.uscc])
    ]
    if pushed:
        PolicyMatch.objects.filter(pk__in=[m.pk for m in pushed]).update(notified_at=now)
        _count_notified(policy, [m.region_id for m in pushed], now)
    return len(pushed)


def _count_notified(policy: Policy, region_ids: list[int], now: dt.datetime) -> None:
    for region_id, n in Counter(region_ids).items():
        measure_add(
            metric=measures.REACH,
            on=now,
            region=region_id,
            department=policy.department_id,
            key=str(policy.pk),
            notified=n,
        )


def policies_rematch_entity(entity: Entity, *, today: dt.date | None = None) -> list[PolicyMatch]:
    """Re-match one entity against every published policy after its attributes changed.

    Called on ``credit.Entity`` save (the receiver in ``receivers.py``, after commit) and by any code
    that changes entities in bulk (``queryset.update`` sends no signal): new matches are pushed once,
    matches no longer eligible are marked so. Returns the matches created.
    """
    today = today or timezone.localdate()
    entity = Entity.objects.select_related("town", "region").get(pk=entity.pk)
    created = []
    published = Policy.objects.filter(state=PolicyState.PUBLISHED).select_related("region")
    existing = {m.policy_id: m for m in PolicyMatch.objects.filter(entity=entity)}
    for policy in published:
        ok = entity.region.path.startswith(policy.region.path) and (
            rules_evaluate(policy.rules, entity, today=today).eligible
        )
        match = existing.get(policy.pk)
        if match is None and not ok:
            continue
        if match is not None and match.eligible == ok:
            continue
        with transaction.atomic():
            policy = _locked(policy)
            if policy.state != PolicyState.PUBLISHED:
                continue
            match = PolicyMatch.objects.select_for_update().filter(policy=policy, entity=entity).first()
            now = timezone.now()
            if match is None:
                match = PolicyMatch(
                    policy=policy, entity=entity, region_id=entity.town_id or entity.region_id, matched_at=now
                )
                try:
                    with transaction.atomic():
                        match.save()
                except IntegrityError:  # a concurrent run made it
                    continue
                contacts = entity_contacts([entity.uscc]).get(entity.uscc, [])
                if contacts and _push(policy, match, entity.name, contacts):
                    match.notified_at = now
                    match.save(update_fields=["notified_at"])
                measures_apply(after=measures.match_facts(match, policy))
                audit_record(actor=None, action="policy.match_created", obj=match, region_code=_region_code(match))
                created.append(match)
            elif match.eligible != ok:
                before = measures.match_facts(match, policy)
                match.eligible = ok
                match.save(update_fields=["eligible"])
                measures_apply(before=before, after=measures.match_facts(match, policy))
                audit_record(
                    actor=None,
                    action="policy.match_eligibility",
                    obj=match,
                    before={"eligible": not ok},
                    after={"eligible": ok},
                    region_code=_region_code(match),
                )
    return created


def _region_code(match: PolicyMatch) -> str:
    return Region.objects.only("code").get(pk=match.region_id).code


# --- applications and grants --------------------------------------------------------------------


def _locked_match(match: PolicyMatch) -> PolicyMatch:
    return (
        PolicyMatch.objects.select_for_update(of=("self",))
        .select_related("policy", "entity", "region")
        .get(pk=match.pk)
    )


def application_prefill(entity: Entity) -> dict:
    """What the enterprise would otherwise type (免填报): read from its registration."""
    return {
        "name": entity.name,
        "uscc": entity.uscc,
        "legal_representative": entity.legal_representative,
        "address": entity.address,
        "industry": f"{entity.industry_code} {entity.industry_name}".strip(),
        "registered_capital": str(entity.registered_capital) if entity.registered_capital is not None else "",
    }


def policy_match_apply(
    *, match: PolicyMatch, actor, contact_name: str, contact_phone: str, note: str = ""
) -> PolicyMatch:
    """A matched enterprise applies (免填报: the registration data are copied in, not typed).

    ``actor`` is the enterprise's account, or None for a paper application recorded at a window.

    Refused for a 免申即享 policy (``policy.no_application_needed``), an expired policy or a match no
    longer eligible; applying again changes nothing (the first application stands).
    """
    if not contact_name.strip() or not contact_phone.strip():
        raise ApplicationError("policy.contact_missing", "请填写联系人和联系电话", details={"field": "contact_name"})
    with transaction.atomic():
        match = _locked_match(match)
        policy = match.policy
        if match.applied_at is not None:
            return match
        if policy.no_application:
            raise ApplicationError("policy.no_application_needed", "本政策免申即享，无需申请，将直接兑现", status=409)
        if policy.state != PolicyState.PUBLISHED:
            raise ApplicationError("policy.not_published", "该政策已失效，不能再申请", status=409)
        if not match.eligible:
            raise ApplicationError("policy.not_eligible", "贵单位当前不符合该政策的享受条件", status=409)
        before = measures.match_facts(match, policy)
        match.applied_at = timezone.now()
        match.application = {
            **application_prefill(match.entity),
            "contact_name": contact_name.strip(),
            "contact_phone_masked": _mask_phone(contact_phone.strip()),
            "note": note.strip(),
        }
        match.save(update_fields=["applied_at", "application"])
        audit_record(
            actor=actor,
            action="policy.applied",
            obj=match,
            after={"applied_at": match.applied_at},
            region_code=match.region.code,
        )
        measures_apply(before=before, after=measures.match_facts(match, policy))
        notify(
            to=[*([ToUser(actor.pk)] if actor is not None else []), ToPhone(contact_phone.strip())],
            template="policies.applied",
            context={"name": match.entity.name, "title": policy.title},
            key=f"policies:{policy.pk}:{match.entity_id}:applied",
            link="/policies/mine/",
        )
    return match


def _mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


def _amount(value, policy: Policy) -> Decimal:
    if value in (None, ""):
        value = policy.benefit_amount
    if value in (None, ""):
        raise ApplicationError("policy.amount_missing", "请填写兑现金额", details={"field": "amount"})
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ApplicationError("policy.amount_invalid", "兑现金额必须是数字", details={"field": "amount"}) from None
    if not amount.is_finite() or amount < 0:
        raise ApplicationError("policy.amount_invalid", "兑现金额不能为负数", details={"field": "amount"})
    return amount.quantize(Decimal("0.01"))


def _tell_granted(policy: Policy, match: PolicyMatch, recipients: list) -> None:
    if recipients:
        notify(
            to=recipients,
            template="policies.granted",
            context={
                "name": match.entity.name,
                "title": policy.title,
                "amount": f"{match.amount:,.2f}",
                "how": "请注意查收" if policy.benefit_kind != "tax_relief" else "已在申报期内直接减免",
            },
            key=f"policies:{policy.pk}:{match.entity_id}:granted",
            link="/policies/mine/",
        )


def policy_match_grant(*, match: PolicyMatch, actor, amount=None) -> PolicyMatch:
    """Record the benefit granted to an applicant (amount defaults to the policy's standard).

    Needs an application (``policy.not_applied``) unless the policy is 免申即享; a second grant is
    refused (``policy.already_granted``).
    """
    with transaction.atomic():
        match = _locked_match(match)
        policy = match.policy
        if match.granted_at is not None:
            raise ApplicationError("policy.already_granted", "该企业已兑现，不能重复兑现", status=409)
        if not policy.no_application and match.applied_at is None:
            raise ApplicationError("policy.not_applied", "企业尚未申请，不能兑现", status=409)
        value = _amount(amount, policy)
        before = measures.match_facts(match, policy)
        match.granted_at, match.amount, match.granted_by = timezone.now(), value, actor
        match.save(update_fields=["granted_at", "amount", "granted_by"])
        audit_record(
            actor=actor,
            action="policy.granted",
            obj=match,
            after={"granted_at": match.granted_at, "amount": value},
            region_code=match.region.code,
        )
        measures_apply(before=before, after=measures.match_facts(match, policy))
        _tell_granted(policy, match, entity_contacts([match.entity.uscc]).get(match.entity.uscc, []))
    return match


def policy_grants_confirm(*, policy: Policy, actor, match_ids, amount=None) -> list[PolicyMatch]:
    """免申即享: the officer confirms the computed list; each eligible, not yet granted match in
    ``match_ids`` is granted (the policy's standard amount unless ``amount`` is given), audited and
    its enterprise told. Matches granted already are skipped, so a repeated confirmation grants nothing twice.
    """
    match_ids = sorted({int(i) for i in match_ids})
    if not match_ids:
        raise ApplicationError("policy.grant_list_empty", "请至少选择一家企业", details={"field": "matches"})
    if len(match_ids) > policies_setting("GRANT_BATCH_MAX"):
        raise ApplicationError(
            "policy.grant_list_too_long", f"一次最多确认 {policies_setting('GRANT_BATCH_MAX')} 家企业"
        )
    with transaction.atomic():
        policy = _locked(policy)
        if not policy.no_application:
            raise ApplicationError(
                "policy.not_no_application", "该政策不是免申即享政策，请在企业申请后逐户兑现", status=409
            )
        if policy.state != PolicyState.PUBLISHED:
            raise ApplicationError("policy.not_published", "只有已发布的政策才能兑现", status=409)
        value = _amount(amount, policy)
        rows = list(
            PolicyMatch.objects.select_for_update(of=("self",))
            .select_related("entity", "region")
            .filter(policy=policy, pk__in=match_ids)
            .order_by("pk")
        )
        if len(rows) != len(match_ids):
            raise ApplicationError("policy.match_unknown", "名单中有不属于该政策的企业，请刷新后重试", status=409)
        todo = [m for m in rows if m.granted_at is None and m.eligible]
        before = [f for m in todo for f in measures.match_facts(m, policy)]
        now = timezone.now()
        for m in todo:
            m.granted_at, m.amount, m.granted_by = now, value, actor
        todo_ids = [m.pk for m in todo]
        for start in range(0, len(todo_ids), 1000):  # one UPDATE per thousand: every row gets the same values
            PolicyMatch.objects.filter(pk__in=todo_ids[start : start + 1000]).update(
                granted_at=now, amount=value, granted_by=actor
            )
        audit_record_many(
            actor=actor,
            action="policy.granted",
            entries=[
                AuditEntry(obj=m, after={"granted_at": now, "amount": value}, region_code=m.region.code) for m in todo
            ],
        )
        measures_apply(before=before, after=[f for m in todo for f in measures.match_facts(m, policy)])
        contacts = entity_contacts(m.entity.uscc for m in todo)
        for m in todo:
            _tell_granted(policy, m, contacts.get(m.entity.uscc, []))
    return todo


def policy_match_link_case(case) -> PolicyMatch | None:
    """A policy application made through a catalog item links back to the case it became.

    Called when a case is submitted (the receiver on ``cases.Case``): the enterprise's applied match of
    a published policy whose 申请事项 is the case's item, with no case yet and applied before the case
    was submitted, gets ``case`` — the earliest such match (one case, one application). Audited.
    """
    if not case.item_id or not case.applicant_uscc or case.parent_id:
        return None
    with transaction.atomic():
        match = (
            PolicyMatch.objects.select_for_update(of=("self",))
            .select_related("region")
            .filter(
                policy__catalog_item_id=case.item_id,
                entity__uscc=case.applicant_uscc,
                applied_at__isnull=False,
                applied_at__lte=case.submitted_at,
                case__isnull=True,
            )
            .order_by("applied_at", "pk")
            .first()
        )
        if match is None:
            return None
        match.case = case
        match.save(update_fields=["case"])
        audit_record(
            actor=None,
            action="policy.application_case",
            obj=match,
            after={"case": case.number},
            region_code=match.region.code,
        )
    return match
