"""Acceptance (受理), correction (一次性补正), rejection and withdrawal; bundles fan out here.

行政许可法 Art. 32: accept, reject with reasons, or list everything to correct once."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone

from yiwang.cases import selectors
from yiwang.cases.conf import cases_setting
from yiwang.cases.credit import CreditSubject, get_credit_policy
from yiwang.cases.measures import case_facts, on_case_changed, on_case_submitted
from yiwang.cases.models import (
    Case,
    CaseMaterial,
    CorrectionEntry,
    CorrectionRequest,
    DeferredMaterial,
    MaterialStatus,
    NoticeKind,
    Pledge,
    ReviewChain,
    ReviewStep,
    StepRole,
)
from yiwang.cases.services import _common
from yiwang.cases.services._common import (
    DEFAULT_PLEDGE_TEXT,
    S,
    _acceptance_place,
    _audit,
    _check_applicant_side,
    _check_clerk,
    _conflict,
    _event,
    _forbidden,
    _issue_notice,
    _issuer,
    _item_legal_basis,
    _locked,
    _notify_applicant,
    _notify_department,
    _remedies_text,
    _required,
    _set_due,
    _snap,
    _stop_clock,
)
from yiwang.cases.workflow import check_case_transition
from yiwang.catalog.models import LimitUnit, ServiceItem, ServiceItemVersion
from yiwang.catalog.selectors import bundle_detail, item_spec
from yiwang.core.audit import audit_record
from yiwang.core.errors import ApplicationError
from yiwang.core.limits import text_check
from yiwang.workdays.models import Clock
from yiwang.workdays.selectors import count_workdays, is_workday
from yiwang.workdays.services import clock_pause, clock_resume, clock_start


def _credit_subject(case: Case) -> CreditSubject:
    return CreditSubject(name=case.applicant_name, id_number=case.applicant_id_number or "", uscc=case.applicant_uscc)


def _chain_for(item: ServiceItem | None) -> list[dict]:
    if item is not None:
        chain = ReviewChain.objects.filter(item=item).first()
        if chain is not None:
            return chain.steps
    return list(cases_setting("DEFAULT_CHAIN"))


def _step_days(chain: list[dict], promised: int) -> list[int]:
    """Each step's working days: its cumulative share of the promised days, rounded, minus the previous."""
    days, cumulative, previous = [], 0.0, 0
    for step in chain:
        cumulative += float(step["share"])
        upto = round(cumulative * promised)
        days.append(max(0, upto - previous))
        previous = upto
    if days:
        days[-1] += promised - sum(days)
    return days


def _limit_unit(case: Case) -> str:
    """The unit of the item version the case was filed under, not of the item as it stands today."""
    if case.item_version_id is None:  # a bundle's parent counts working days
        return LimitUnit.WORKDAYS
    return item_spec(version=case.item_version).limit_unit


def _clock_days(promised_days: int, limit_unit: str, started_at: dt.datetime) -> int:
    """The promised limit in working days for the clock.

    A limit in calendar days (自然日) ends N calendar days after the start day; when that day is not a
    working day the limit runs to the next working day (民法典 Art. 203). The clock counts the working
    days up to that end, so pauses and the sweep work as for any other deadline.
    """
    if limit_unit != LimitUnit.CALENDAR_DAYS or not promised_days:
        return promised_days
    start = timezone.localtime(started_at).date() if timezone.is_aware(started_at) else started_at.date()
    end = start + dt.timedelta(days=promised_days)
    while not is_workday(end):
        end += dt.timedelta(days=1)
    return count_workdays(start, end)


def _start_clock_for_case(case: Case, *, actor, started_at: dt.datetime) -> Clock:
    return clock_start(
        label=f"{case.number} 办理期限",
        started_at=started_at,
        days=_clock_days(case.promised_days, _limit_unit(case), started_at),
        actor=actor,
        owner=case,
        region_code=case.region.code,
    )


def _acceptance_opinion(deferred: list[DeferredMaterial], pledged: list[CaseMaterial]) -> str:
    """The 受理 step's opinion: what the window actually found — deferred materials are named with their
    due dates, pledged ones as replaced; "材料齐全" only when nothing is owed."""
    if not deferred and not pledged:
        return "材料齐全，符合法定形式，予以受理"
    parts = []
    if deferred:
        owed = "；".join(f"{d.material.name}（{d.due_on:%Y年%m月%d日}前补交）" for d in deferred)
        parts.append(f"关键材料齐全，以下非关键材料容缺受理：{owed}")
    else:
        parts.append("材料齐全，符合法定形式")
    if pledged:
        parts.append(f"以告知承诺替代：{'、'.join(m.name for m in pledged)}")
    return "；".join(parts) + "，予以受理"


def _create_steps(
    case: Case, *, actor, at: dt.datetime, deferred: list | None = None, pledged: list | None = None
) -> list[ReviewStep]:
    chain = _chain_for(case.item)
    days = _step_days(chain, case.promised_days)
    steps = []
    for position, (spec, step_days) in enumerate(zip(chain, days, strict=True), start=1):
        step = ReviewStep(
            case=case,
            region_id=case.region_id,
            position=position,
            name=spec["name"],
            role=spec["role"],
            share=float(spec["share"]),
            days=step_days,
        )
        if position == 1 and spec["role"] == StepRole.CLERK:
            # 受理 is done at the window by the acceptance itself.
            step.state = ReviewStep.State.DONE
            step.started_at = case.submitted_at
            step.completed_at = at
            step.completed_by = actor if getattr(actor, "is_authenticated", False) else None
            step.opinion = _acceptance_opinion(deferred or [], pledged or [])
        steps.append(step)
    ReviewStep.objects.bulk_create(steps)
    return steps


def _activate_next_step(case: Case, *, actor, at: dt.datetime) -> ReviewStep | None:
    step = case.steps.filter(state=ReviewStep.State.PENDING).order_by("position").first()
    if step is None:
        return None
    step.state = ReviewStep.State.ACTIVE
    step.started_at = at
    step.clock = clock_start(
        label=f"{case.number} {step.name}",
        started_at=at,
        days=step.days,
        actor=actor,
        owner=case,
        region_code=case.region.code,
    )
    step.due_on = step.clock.due_on
    step.save(update_fields=["state", "started_at", "clock", "due_on"])
    return step


def _acceptance_content(case: Case, deferred: list[DeferredMaterial], pledged: list[CaseMaterial]) -> dict:
    submitted = f"你（单位）于{timezone.localtime(case.submitted_at):%Y年%m月%d日}提出的“{case.title}”申请，"
    if deferred:
        names = "、".join(d.material.name for d in deferred)
        opening = (
            f"{submitted}关键材料齐全，{names}等非关键材料尚未提交。根据《中华人民共和国行政许可法》第三十二条"
            "和本县容缺受理制度，决定予以容缺受理，所缺材料须在下列期限前补交。"
        )
    else:
        opening = (
            f"{submitted}申请材料齐全、符合法定形式，根据《中华人民共和国行政许可法》第三十二条的规定，决定予以受理。"
        )
    paragraphs = [opening]
    if case.instant:
        paragraphs.append("本事项为即办件，当日办结。")
    else:
        provisional = "（含尚未公布的节假日安排，为临时推算）" if case.due_provisional else ""
        paragraphs.append(
            f"承诺办结时限为{case.promised_limit_text}（自受理次日起算），预计于{case.due_on:%Y年%m月%d日}前办结{provisional}。"
        )
    table = []
    if deferred:
        paragraphs.append(
            "以下非关键材料实行容缺受理，请于补交期限前到受理窗口提交或在“一网”上传（补交期限不晚于承诺办结日）；"
            "材料补齐前不作出准予决定，逾期未补交的将影响办理结果："
        )
        table = [["序号", "容缺材料", "补交期限"]] + [
            [str(n), d.material.name, f"{d.due_on:%Y年%m月%d日}"] for n, d in enumerate(deferred, start=1)
        ]
    if pledged:
        names = "、".join(m.name for m in pledged)
        paragraphs.append(f"申请人已签署告知承诺书，以承诺替代以下材料：{names}。行政机关将依法开展事中事后核查。")
    return {
        "paragraphs": paragraphs,
        "table": table,
        "facts": [
            ("办件编号", case.number),
            ("查询码", case.verification_code),
            ("受理机关", _issuer(case)),
            ("办理部门", str(case.department)),
            ("受理地点", _acceptance_place(case)),
        ],
    }


def _pledge_content(case: Case, pledge: Pledge, pledged: list[CaseMaterial]) -> dict:
    """告知承诺书 (国办发〔2020〕42号): what the authority tells, what the applicant pledges, the
    consequences of a false pledge, and the lines the applicant signs."""
    elements = case.item_version.elements if case.item_version_id else {}
    conditions = str(elements.get("conditions") or "").strip() or "以办事指南公布的许可条件为准"
    basis = _item_legal_basis(case) or "见办事指南"
    return {
        "paragraphs": [
            f"一、行政机关告知：申请人申请“{case.title}”，设定依据为{basis}；许可条件：{conditions}。"
            f"申请人可以书面承诺代替提交以下证明材料：{'、'.join(m.name for m in pledged)}。",
            "二、申请人承诺：" + pledge.text,
            "三、行政机关将在作出决定后依法开展事中事后核查；经核查发现承诺不实的，依法撤销所作决定，"
            "记入申请人信用记录，此后不再适用告知承诺，并依法追究相应责任。",
            "四、本承诺书一式两份，申请人和行政机关各执一份。",
        ],
        "facts": [
            ("办件编号", case.number),
            ("申请人", case.applicant_name),
            ("告知机关", _issuer(case)),
            ("受理地点", _acceptance_place(case)),
        ],
        "signature_lines": [
            "承诺人（签字或盖章）：",
            "签署日期：\u3000\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日",
        ],
    }


def _fan_out(parent: Case, *, actor, at: dt.datetime) -> list[Case]:
    """One sub-case per item of the bundle, each in its department with its own clock and chain."""
    bundle = bundle_detail(parent.bundle.code) or parent.bundle
    children = []
    for bundle_item in bundle.bundle_items.select_related("item", "item__implementing_department", "item__region"):
        item = bundle_item.item
        version = ServiceItemVersion.objects.get(item=item, number=item.version)
        child = Case(
            number=f"T{secrets.token_hex(10)}",
            verification_code=parent.verification_code,
            region=parent.region,
            department=item.implementing_department,
            channel=parent.channel,
            hall=parent.hall,
            window=parent.window,
            pickup_hall=parent.pickup_hall,
            item=item,
            item_version=version,
            parent=parent,
            title=item.name,
            applicant_kind=parent.applicant_kind,
            applicant_name=parent.applicant_name,
            applicant_id_number=parent.applicant_id_number,
            applicant_phone=None,  # the applicant hears from the parent case only
            applicant_uscc=parent.applicant_uscc,
            form_data=parent.form_data,
            state=parent.state,
            instant=item.is_instant,
            promised_days=min(item.promised_days, parent.promised_days) if parent.promised_days else item.promised_days,
            legal_days=item.legal_days or 0,
            delivery_method=parent.delivery_method,
            postal_address=parent.postal_address,
            visits=0,
            submitted_at=parent.submitted_at,
            accepted_at=at,
            has_pledge=parent.has_pledge,
        )
        child.save(force_insert=True)
        child.number = f"{parent.number}-{bundle_item.position:02d}"
        child.clock = _start_clock_for_case(child, actor=actor, started_at=at)
        _set_due(child, child.clock)
        child.save(update_fields=["number", "clock", "due_on", "due_provisional"])
        on_case_submitted(child)
        _create_steps(child, actor=actor, at=at)
        audit_record(
            actor=actor,
            action="case.fanned_out",
            obj=child,
            after=_snap(child),
            details={"parent": parent.number, "item": item.code, "version": version.number},
        )
        _event(child, "accepted", f"由“{parent.title}”分送{child.department}办理", actor, public=False, at=at)
        _notify_department(child, "cases.fanned_out", "fanned_out", parent_title=parent.title)
        children.append(child)
    return children


def case_accept(
    *,
    case: Case,
    actor,
    received: tuple[str, ...] | list[str] = (),
    deferred_materials: tuple[str, ...] | list[str] = (),
    pledged_materials: tuple[str, ...] | list[str] = (),
    pledge_text: str = "",
) -> Case:
    """Accept the application at the window and start the decision clock the next working day.

    ``received`` are materials checked on paper at the window; ``deferred_materials`` (容缺) must be
    non-key and deferrable and the credit policy must allow it; ``pledged_materials`` (告知承诺) must be
    pledge-replaceable in an item that allows pledges, for an applicant with no recorded false pledge.
    Every other required material must be satisfied. A bundle fans out into sub-cases.
    Errors: ``case.invalid_transition`` (409), ``case.not_a_clerk``/``case.clerk_outside_hall`` (403),
    ``case.material_unknown``, ``case.material_not_deferrable``, ``case.deferral_not_permitted``,
    ``case.material_not_pledgeable``, ``case.pledge_not_permitted``, ``case.pledge_barred``,
    ``case.materials_missing``.
    """
    received, deferred_codes, pledged_codes = set(received), set(deferred_materials), set(pledged_materials)
    with transaction.atomic():
        case = _locked(case)
        facts_before = case_facts(case)
        target = S.ACCEPTED_DEFERRED if deferred_codes else S.ACCEPTED
        check_case_transition(case, target)
        hall = _check_clerk(case, actor)
        if case.parent_id:
            raise _conflict("case.invalid_transition", "分办件随“一件事”主件一并受理")
        materials = {m.code: m for m in case.materials.all()}
        unknown = sorted((received | deferred_codes | pledged_codes) - set(materials))
        if unknown:
            raise _required("case.material_unknown", f"材料编码不在清单中：{'、'.join(unknown)}", "materials")
        for code in received:
            if not materials[code].satisfied:
                materials[code].status = MaterialStatus.RECEIVED
        not_deferrable = [materials[c].name for c in deferred_codes if not materials[c].deferrable or materials[c].key]
        if not_deferrable:
            raise _required(
                "case.material_not_deferrable",
                f"以下材料是关键要件或不可容缺，不能后补：{'、'.join(not_deferrable)}",
                "deferred_materials",
            )
        if deferred_codes:
            verdict = get_credit_policy().deferral_allowed(_credit_subject(case))
            if not verdict.allowed:
                raise _forbidden(
                    "case.deferral_not_permitted", f"申请人信用状况不适用容缺受理：{verdict.reason}", case=case.number
                )
        if pledged_codes:
            item_allows = item_spec(version=case.item_version).pledge_allowed if case.item_version_id else True
            not_pledgeable = [
                materials[c].name for c in pledged_codes if not (item_allows and materials[c].pledge_replaceable)
            ]
            if not_pledgeable:
                raise _required(
                    "case.material_not_pledgeable",
                    f"以下材料不能以告知承诺替代：{'、'.join(not_pledgeable)}",
                    "pledged_materials",
                )
            if selectors.applicant_false_pledges(case).exists():
                raise _forbidden(
                    "case.pledge_barred", "申请人有虚假承诺记录，不再适用告知承诺，请提交完整材料", case=case.number
                )
            verdict = get_credit_policy().pledge_allowed(_credit_subject(case))
            if not verdict.allowed:
                raise _forbidden("case.pledge_not_permitted", f"申请人信用状况不适用告知承诺：{verdict.reason}")
        for code in deferred_codes:
            materials[code].status = MaterialStatus.DEFERRED
        for code in pledged_codes:
            materials[code].status = MaterialStatus.PLEDGED
        missing = [
            m.name for m in materials.values() if m.required and not m.satisfied and m.status != MaterialStatus.DEFERRED
        ]
        if missing:
            raise ApplicationError(
                "case.materials_missing",
                f"以下必需材料未提交：{'、'.join(missing)}。请一次性告知补正，或对可容缺/可承诺的材料选择容缺受理或告知承诺",
                details={"field": "materials", "missing": missing},
            )
        CaseMaterial.objects.bulk_update(list(materials.values()), ["status"])

        before = _snap(case)
        now = _common._now()
        if case.hall_id is None:
            case.hall = hall
            case.pickup_hall = case.pickup_hall or hall
        _stop_clock(case.intake_clock, actor=actor)
        case.state = target
        case.accepted_at = now
        case.has_pledge = bool(pledged_codes)
        case.clock = _start_clock_for_case(case, actor=actor, started_at=now)
        _set_due(case, case.clock)
        case.save()

        deferred_rows = []
        deferral_days = _deferral_days(case, now)
        for code in sorted(deferred_codes, key=lambda c: materials[c].position):
            days = deferral_days
            clock = clock_start(
                label=f"{case.number} 容缺材料“{materials[code].name}”",
                started_at=now,
                days=days,
                actor=actor,
                owner=case,
                region_code=case.region.code,
            )
            deferred_rows.append(
                DeferredMaterial.objects.create(
                    case=case, material=materials[code], region=case.region, clock=clock, due_on=clock.due_on
                )
            )
        pledged_rows = [materials[c] for c in sorted(pledged_codes, key=lambda c: materials[c].position)]
        if pledged_rows:
            pledge = Pledge.objects.create(
                case=case,
                region_id=case.region_id,
                text=(pledge_text or "").strip() or DEFAULT_PLEDGE_TEXT,
                signed_by=case.applicant_name,
                signed_at=now,
            )
            pledge.materials.set(pledged_rows, through_defaults={"region_id": case.region_id})
            pledge_notice = _issue_notice(
                case, NoticeKind.PLEDGE, actor=actor, content=_pledge_content(case, pledge, pledged_rows)
            )

        if case.is_bundle_parent:
            children = _fan_out(case, actor=actor, at=now)
            case.state = S.IN_REVIEW
            case.save(update_fields=["state", "updated_at"])
        else:
            children = []
            _create_steps(case, actor=actor, at=now, deferred=deferred_rows, pledged=pledged_rows)
        on_case_changed(case, before=facts_before)  # after the deferred rows: 容缺 counts from them
        notice = _issue_notice(
            case,
            NoticeKind.DEFERRED if deferred_rows else NoticeKind.ACCEPTANCE,
            actor=actor,
            content=_acceptance_content(case, deferred_rows, pledged_rows),
        )
        _audit(
            actor=actor,
            action="case.accepted",
            case=case,
            before=before,
            details={
                "deferred": sorted(deferred_codes),
                "pledged": sorted(pledged_codes),
                "received": sorted(received),
                "notice": notice.number,
                "pledge_notice": pledge_notice.number if pledged_rows else None,
                "deferred_due": {d.material.code: d.due_on.isoformat() for d in deferred_rows},
                "sub_cases": [c.number for c in children],
            },
        )
        label = "容缺受理" if deferred_rows else "已受理"
        _event(case, "accepted", f"{label}（{hall}），承诺{case.promised_limit_text}，{_due_text(case)}", actor, at=now)
        if pledged_rows:
            _event(case, "pledged", f"出具告知承诺书（替代材料 {len(pledged_rows)} 项），待申请人签署", actor, at=now)
        if children:
            _event(case, "fanned_out", f"已分送 {len(children)} 个部门并联办理", None, at=now)
        _notify_applicant(case, "cases.accepted", "accepted", label=label, due_text=_due_text(case))
    return case


def _deferral_days(case: Case, accepted_at: dt.datetime) -> int:
    """Working days given to supply deferred materials: the county default (``DEFERRED_DAYS``, 县级默认
    10), capped so the deferral is due no later than the case's promised completion date — a material
    owed after the decision is due would hold the decision past its deadline."""
    days = int(cases_setting("DEFERRED_DAYS"))
    if case.due_on is None:
        return days
    return max(0, min(days, count_workdays(accepted_at, case.due_on)))


def _due_text(case: Case) -> str:
    if case.due_on is None:
        return ""
    if case.instant:
        return "当日办结"
    suffix = "（临时推算）" if case.due_provisional else ""
    return f"预计{case.due_on:%Y年%m月%d日}前办结{suffix}"


def case_correction_request(*, case: Case, actor, entries: list[dict], note: str = "") -> CorrectionRequest:
    """一次性告知: list every missing or defective material at once and wait for the applicant.

    ``entries``: ``[{"code": "M02", "problem": "missing"|"defective", "note": "…"}]``. A second request
    may only name materials an earlier request named (行政许可法 Art. 32(4): 一次告知). The intake clock
    pauses while the applicant corrects. Errors: ``case.invalid_transition`` (409),
    ``case.not_a_clerk``/``case.clerk_outside_hall`` (403), ``case.correction_empty``,
    ``case.material_unknown``, ``case.correction_problem_invalid``, ``case.correction_not_listed_before`` (409).
    """
    if not entries:
        raise _required("case.correction_empty", "请至少列出一项需要补正的材料", "entries")
    with transaction.atomic():
        case = _locked(case)
        check_case_transition(case, S.CORRECTION_REQUESTED)
        hall = _check_clerk(case, actor)
        materials = {m.code: m for m in case.materials.all()}
        codes = [e.get("code") for e in entries]
        unknown = sorted({c for c in codes if c not in materials})
        if unknown:
            raise _required("case.material_unknown", f"材料编码不在清单中：{'、'.join(map(str, unknown))}", "entries")
        if len(set(codes)) != len(codes):
            raise _required("case.correction_duplicate", "同一材料只能列出一次", "entries")
        problems = {e.get("problem", CorrectionEntry.Problem.MISSING) for e in entries}
        if not problems <= set(CorrectionEntry.Problem.values):
            raise _required("case.correction_problem_invalid", "补正问题类型应为“缺少”或“不符合要求”", "entries")
        previous = list(case.corrections.filter(region_id=case.region_id))  # the case's shard
        if previous:
            listed = set(
                CorrectionEntry.objects.filter(correction__case=case, region_id=case.region_id).values_list(
                    "material__code", flat=True
                )
            )
            new = [materials[c].name for c in codes if c not in listed]
            if new:
                raise _conflict(
                    "case.correction_not_listed_before",
                    f"一次性告知：以下材料在首次补正告知中未列出，不能再次要求补正：{'、'.join(new)}",
                    materials=new,
                )
        before = _snap(case)
        now = _common._now()
        if case.hall_id is None:
            case.hall = hall
            case.pickup_hall = case.pickup_hall or hall
        correction = CorrectionRequest.objects.create(
            case=case,
            region_id=case.region_id,
            round=len(previous) + 1,
            note=(note or "").strip(),
            issued_by=actor,
            issued_at=now,
        )
        rows = []
        for entry in entries:
            material = materials[entry["code"]]
            problem = entry.get("problem", CorrectionEntry.Problem.MISSING)
            rows.append(
                CorrectionEntry(
                    correction=correction,
                    region_id=case.region_id,
                    material=material,
                    problem=problem,
                    note=(entry.get("note") or "")[:500],
                )
            )
            material.status = (
                MaterialStatus.DEFECTIVE if problem == CorrectionEntry.Problem.DEFECTIVE else MaterialStatus.MISSING
            )
            material.save(update_fields=["status"])
        CorrectionEntry.objects.bulk_create(rows)
        if case.intake_clock and case.intake_clock.state == Clock.State.RUNNING:
            case.intake_clock = clock_pause(
                clock=case.intake_clock, on=_common._today(), reason="一次性告知补正，等待申请人补正", actor=actor
            )
        case.state = S.CORRECTION_REQUESTED
        case.save()
        table = [["序号", "材料名称", "问题", "具体要求"]] + [
            [str(n), r.material.name, str(CorrectionEntry.Problem(r.problem).label), r.note or "—"]
            for n, r in enumerate(rows, start=1)
        ]
        notice = _issue_notice(
            case,
            NoticeKind.CORRECTION,
            actor=actor,
            content={
                "paragraphs": [
                    f"你（单位）提出的“{case.title}”申请，经审查，申请材料不齐全或者不符合法定形式。"
                    "根据《中华人民共和国行政许可法》第三十二条的规定，现一次性告知需要补正的全部内容如下：",
                    *([correction.note] if correction.note else []),
                ],
                "table": table,
                "facts": [
                    ("办件编号", case.number),
                    ("补正方式", "登录“一网”在线上传，或到受理窗口提交"),
                    ("说明", "补正材料齐全后即予受理；本告知之外不再要求补正其他材料"),
                ],
            },
        )
        _audit(
            actor=actor,
            action="case.correction_requested",
            case=case,
            before=before,
            details={"round": correction.round, "materials": codes, "notice": notice.number},
        )
        _event(
            case, "correction_requested", f"一次性告知补正（第{correction.round}次）：{len(rows)} 项材料", actor, at=now
        )
        _notify_applicant(case, "cases.correction_requested", f"correction:{correction.round}", count=len(rows))
    return correction


def case_correction_supply(*, case: Case, actor) -> Case:
    """The applicant (or the window) reports the correction done: every listed material is now provided.

    Errors: ``case.invalid_transition`` (409), ``case.not_your_case`` (403), ``case.correction_incomplete``.
    """
    with transaction.atomic():
        case = _locked(case)
        check_case_transition(case, S.SUBMITTED)
        _check_applicant_side(case, actor)
        correction = case.corrections.filter(region_id=case.region_id).order_by("-round").first()
        outstanding = [
            e.material.name
            for e in correction.entries.filter(region_id=case.region_id).select_related("material")
            if e.material.status not in (MaterialStatus.UPLOADED, MaterialStatus.RECEIVED, MaterialStatus.LICENCE)
        ]
        if outstanding:
            raise ApplicationError(
                "case.correction_incomplete",
                f"以下补正材料尚未提交：{'、'.join(outstanding)}",
                details={"field": "materials", "missing": outstanding},
            )
        before = _snap(case)
        correction.fulfilled_at = _common._now()
        correction.save(update_fields=["fulfilled_at"])
        if case.intake_clock and case.intake_clock.state == Clock.State.PAUSED:
            case.intake_clock = clock_resume(clock=case.intake_clock, on=_common._today(), actor=actor)
        case.state = S.SUBMITTED
        case.save()
        _audit(
            actor=actor,
            action="case.correction_supplied",
            case=case,
            before=before,
            details={"round": correction.round},
        )
        _event(case, "correction_supplied", "已补正材料，等待窗口受理", actor)
    return case


def case_reject(*, case: Case, actor, reason: str, legal_basis: str) -> Case:
    """不予受理 with the reason and the legal basis, in a written notice (行政许可法 Art. 32(1)(2)).

    Errors: ``case.reason_required``, ``case.legal_basis_required``, ``case.invalid_transition`` (409),
    ``case.not_a_clerk``/``case.clerk_outside_hall`` (403).
    """
    reason, legal_basis = (reason or "").strip(), (legal_basis or "").strip()
    text_check(reason, "NOTE", field="reason", label="不予受理理由")
    text_check(legal_basis, "NOTE", field="legal_basis", label="法律依据")
    if not reason:
        raise _required("case.reason_required", "不予受理必须说明理由", "reason")
    if not legal_basis:
        raise _required("case.legal_basis_required", "不予受理必须写明依据", "legal_basis")
    with transaction.atomic():
        case = _locked(case)
        facts_before = case_facts(case)
        check_case_transition(case, S.REJECTED)
        hall = _check_clerk(case, actor)
        before = _snap(case)
        now = _common._now()
        if case.hall_id is None:
            case.hall = hall
        _stop_clock(case.intake_clock, actor=actor)
        case.state = S.REJECTED
        case.closed_at = now
        case.save()
        on_case_changed(case, before=facts_before)
        notice = _issue_notice(
            case,
            NoticeKind.REJECTION,
            actor=actor,
            content={
                "paragraphs": [
                    f"你（单位）提出的“{case.title}”申请，经审查，决定不予受理。",
                    f"理由：{reason}",
                    f"依据：{legal_basis}",
                    _remedies_text(case, "通知书"),
                ],
                "facts": [("办件编号", case.number), ("受理地点", _acceptance_place(case))],
            },
        )
        _audit(
            actor=actor,
            action="case.rejected",
            case=case,
            before=before,
            details={"reason": reason, "legal_basis": legal_basis, "notice": notice.number},
        )
        _event(case, "rejected", f"不予受理：{reason}", actor, at=now)
        _notify_applicant(case, "cases.rejected", "rejected", reason=reason[:60])
    return case


def case_withdraw(*, case: Case, actor, reason: str = "") -> Case:
    """The applicant withdraws an application not yet accepted. Errors: ``case.invalid_transition``, ``case.not_your_case``."""
    with transaction.atomic():
        case = _locked(case)
        facts_before = case_facts(case)
        check_case_transition(case, S.WITHDRAWN)
        _check_applicant_side(case, actor)
        before = _snap(case)
        _stop_clock(case.intake_clock, actor=actor)
        case.state = S.WITHDRAWN
        case.closed_at = _common._now()
        case.save()
        on_case_changed(case, before=facts_before)
        _audit(
            actor=actor, action="case.withdrawn", case=case, before=before, details={"reason": (reason or "").strip()}
        )
        _event(case, "withdrawn", "申请人撤回申请", actor)
    return case
