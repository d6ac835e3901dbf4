"""Every write on cases. Each state change runs in one transaction, locks the case row
(``select_for_update``), checks the transition in ``workflow.py``, and writes the audit event, the
timeline entry and the outbox message there. Rules and their sources:

- 行政许可法 Art. 32: on the spot or within 5 working days the window accepts, rejects with reasons, or
  tells the applicant *once* everything to correct (一次性告知). A second correction may only repeat
  materials the first one named.
- 行政许可法 Art. 42: decide within the promised days counted from the day after acceptance
  (民法典 Art. 201); one extension of 10 working days with approval, with the reason told to the applicant.
- 行政许可法 Art. 45: hearings, tenders, testing, site inspection and expert review are not counted.
- 容缺受理 (plan 四（十五）8): non-key materials may be supplied later, by a due date, where credit allows.
- 告知承诺 (国办发〔2020〕42号): a signed pledge replaces named proofs; the department verifies after
  approval; a false pledge is recorded and bars further pledges.
- 一件事一次办 (plan 四（十五）3): one form, one material list; one sub-case per item in its department;
  the bundle completes when all do.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from yiwang.catalog.models import Bundle, BundleStatus, ItemStatus, ServiceItem, ServiceItemVersion
from yiwang.catalog.selectors import bundle_detail, bundle_merged_form, bundle_merged_materials
from yiwang.core.audit import audit_record
from yiwang.core.errors import ApplicationError
from yiwang.core.identifiers import validate_id_number, validate_uscc
from yiwang.core.outbox import outbox_enqueue
from yiwang.core.pii import pii_lookup_hash
from yiwang.org.models import Membership, Role, ServiceHall
from yiwang.org.selectors import user_can_act_for_department, user_roles
from yiwang.workdays.models import Clock
from yiwang.workdays.selectors import clock_status, clock_used_workdays, count_workdays
from yiwang.workdays.services import clock_extend, clock_pause, clock_resume, clock_start, clock_stop

from .conf import cases_setting
from .credit import CreditSubject, get_credit_policy
from .licences import Holder, get_licence_lookup
from .models import (
    HANDLING_STATES,
    AgentKind,
    ApplicantKind,
    Case,
    CaseEvent,
    CaseMaterial,
    CasePause,
    CaseState,
    CaseUpload,
    Channel,
    CorrectionEntry,
    CorrectionRequest,
    DeadlineStatus,
    Decision,
    DeferredMaterial,
    Delivery,
    DeliveryMethod,
    Extension,
    FalsePledgeRecord,
    HelpLog,
    HelpRequest,
    MaterialStatus,
    Notice,
    NoticeKind,
    PauseKind,
    Pledge,
    PledgeVerification,
    ReviewChain,
    ReviewStep,
    StepRole,
)
from .uploads import CheckedUpload, upload_check
from .workflow import check_case_transition

S = CaseState
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
# Form fields that identify the applicant: kept in the (encrypted) applicant columns, never in form_data.
IDENTITY_FIELDS = {
    "applicant_name": "name",
    "applicant_id_number": "id_number",
    "applicant_phone": "phone",
    "entity_name": "name",
    "entity_uscc": "uscc",
    "contact_phone": "phone",
}
HALL_CHANNELS = {
    ServiceHall.Kind.COUNTY_HALL: Channel.COUNTER,
    ServiceHall.Kind.ZONE_CENTRE: Channel.COUNTER,
    ServiceHall.Kind.TOWN_CENTRE: Channel.TOWN_CENTRE,
    ServiceHall.Kind.VILLAGE_STATION: Channel.VILLAGE_STATION,
}
DEFAULT_PLEDGE_TEXT = (
    "本人（单位）已知晓告知的全部内容，所填写的信息真实、准确，符合告知的条件、标准和要求，"
    "愿意承担不实承诺的法律责任，并接受行政机关的事中事后核查。"
)
DELIVERY_FLAGS = {
    DeliveryMethod.WINDOW: "delivery_window",
    DeliveryMethod.POST: "delivery_post",
    DeliveryMethod.ELECTRONIC: "delivery_electronic",
}


# --- helpers -------------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return timezone.now()


def _today() -> dt.date:
    return timezone.localdate()


def _locked(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("department", "department__region", "region", "hall", "item_version", "clock", "intake_clock")
        .get(pk=case.pk)
    )


CASE_AUDIT_FIELDS = ("state", "assigned_to", "due_on", "deadline_status", "hall", "extended", "deferred_overdue")


def _snap(case: Case) -> dict:
    return {
        "state": case.state,
        "assigned_to": case.assigned_to_id,
        "due_on": case.due_on.isoformat() if case.due_on else None,
        "deadline_status": case.deadline_status,
        "hall": case.hall_id,
        "extended": case.extended,
        "deferred_overdue": case.deferred_overdue,
    }


def _audit(*, actor, action: str, case: Case, before: dict | None, details: dict | None = None) -> None:
    audit_record(actor=actor, action=action, obj=case, before=before, after=_snap(case), details=details)


def _event(case: Case, action: str, label: str, actor=None, *, public: bool = True, at=None) -> None:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None  # the kiosk: an anonymous terminal user
    CaseEvent.objects.create(case=case, at=at or _now(), action=action, label=label[:300], public=public, actor=actor)


def _notify_applicant(case: Case, body: str, key: str) -> None:
    """SMS to the applicant's phone and an in-app message to their account (same transaction)."""
    root = case.parent or case
    if root.applicant_phone:
        outbox_enqueue(channel="sms", recipient=root.applicant_phone, body=body, dedupe_key=f"case:{root.pk}:{key}:sms")
    if root.applicant_user_id:
        outbox_enqueue(
            channel="inapp",
            recipient=f"user:{root.applicant_user_id}",
            body=body,
            dedupe_key=f"case:{root.pk}:{key}:app",
        )


def _notify_department(case: Case, body: str, key: str) -> None:
    recipient = f"user:{case.assigned_to_id}" if case.assigned_to_id else f"department:{case.department_id}"
    outbox_enqueue(channel="inapp", recipient=recipient, body=body, dedupe_key=f"case:{case.pk}:{key}:dept")


def _forbidden(code: str, message: str, **details) -> ApplicationError:
    return ApplicationError(code, message, details=details, status=403)


def _conflict(code: str, message: str, **details) -> ApplicationError:
    return ApplicationError(code, message, details=details, status=409)


def _required(code: str, message: str, field_name: str) -> ApplicationError:
    return ApplicationError(code, message, details={"field": field_name})


def _clerk_memberships(actor) -> list[Membership]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    return list(Membership.objects.filter(user=actor, role=Role.CLERK).select_related("hall", "hall__region", "window"))


def clerk_hall(actor) -> ServiceHall | None:
    """The hall a clerk works in (the first clerk membership), or None."""
    memberships = _clerk_memberships(actor)
    return memberships[0].hall if memberships else None


def _check_clerk(case: Case, actor) -> ServiceHall:
    """Rule: any clerk of the hall that took a case in acts on it (综合窗口 无差别受理); an online case
    is open to clerks of any hall whose region contains the case's region and then belongs to the first hall that acts.
    Errors: ``case.not_a_clerk`` (403), ``case.clerk_outside_hall`` (403)."""
    memberships = _clerk_memberships(actor)
    if not memberships:
        raise _forbidden("case.not_a_clerk", "只有综合窗口工作人员可以办理此操作", case=case.number)
    if case.hall_id is not None:
        for m in memberships:
            if m.hall_id == case.hall_id:
                return m.hall
        raise _forbidden(
            "case.clerk_outside_hall",
            f"该办件由{case.hall}受理，您所在大厅不能办理",
            case=case.number,
            hall=case.hall_id,
        )
    region_path = case.region.path
    for m in memberships:
        hall_path = m.hall.region.path
        # Only a hall whose region contains the case's region: a town centre never acts on a
        # county-level case, while the county hall acts on all of the county's.
        if region_path.startswith(hall_path):
            return m.hall
    raise _forbidden("case.clerk_outside_hall", "该办件不属于您所在大厅的受理范围", case=case.number)


def _check_handler(case: Case, actor) -> None:
    """Rule (DESIGN: department scoping): only the case's department acts on it. ``case.not_your_department`` (403)."""
    if not user_can_act_for_department(actor, case.department):
        raise _forbidden(
            "case.not_your_department",
            f"该办件由{case.department}办理，您无权操作",
            case=case.number,
            department=case.department.code,
        )


def _check_applicant_side(case: Case, actor) -> None:
    """The applicant's account, their agent, or a clerk who may act on the case."""
    root = case.parent or case
    if actor is not None and getattr(actor, "is_authenticated", False):
        if actor.pk in (root.applicant_user_id, root.agent_user_id):
            return
        if _clerk_memberships(actor):
            _check_clerk(root, actor)
            return
    raise _forbidden("case.not_your_case", "只有申请人本人、其代办人或受理窗口可以办理此操作", case=case.number)


def _check_not_parent(case: Case) -> None:
    if case.is_bundle_parent:
        raise _conflict(
            "case.bundle_parent_not_handled",
            "“一件事”主件由各部门分办件办理，请在分办件上操作",
            case=case.number,
        )


def _set_due(case: Case, clock: Clock | None) -> None:
    case.due_on = clock.due_on if clock else None
    case.due_provisional = clock.provisional if clock else False


def _issue_notice(case: Case, kind: str, *, actor, content: dict) -> Notice:
    now = _now()
    notice = Notice(
        case=case, kind=kind, number=f"tmp-{secrets.token_hex(8)}", content={}, issued_by=actor, issued_at=now
    )
    notice.save(force_insert=True)
    notice.number = f"眉政服{NOTICE_PREFIX[kind]}〔{timezone.localtime(now).year}〕{notice.pk:06d}号"
    base = {
        "title": str(NoticeKind(kind).label),
        "number": notice.number,
        "case_number": case.number,
        "issuer": _issuer(case),
        "addressee": case.applicant_name,
        "date": f"{timezone.localtime(now):%Y年%m月%d日}",
    }
    notice.content = {**base, **content}
    notice.save(update_fields=["number", "content"])
    return notice


NOTICE_PREFIX = {
    NoticeKind.ACCEPTANCE: "受字",
    NoticeKind.CORRECTION: "补字",
    NoticeKind.REJECTION: "不受字",
    NoticeKind.DEFERRED: "容字",
    NoticeKind.DECISION: "决字",
}


def _issuer(case: Case) -> str:
    if case.hall_id:
        return str(case.hall)
    return f"{case.region.name}政务服务中心"


def _version_elements(case: Case) -> dict:
    if case.item_version_id:
        return case.item_version.elements
    return {}


def _stop_clock(clock: Clock | None, *, actor, on: dt.date | None = None) -> Clock | None:
    if clock is not None and clock.state != Clock.State.STOPPED:
        return clock_stop(clock=clock, actor=actor, on=on)
    return clock


# --- submission ----------------------------------------------------------------------------------


@dataclass
class ApplicantInput:
    """Who applies: a person by ID number, or an enterprise by USCC (with its contact)."""

    kind: str
    name: str
    id_number: str = ""
    uscc: str = ""
    phone: str = ""
    user: object | None = None


@dataclass
class SubmissionFiles:
    """Files sent with a submission, by material code (checked before anything is stored)."""

    by_code: dict[str, list] = field(default_factory=dict)


def _clean_applicant(applicant: ApplicantInput, audience: str) -> ApplicantInput:
    name = (applicant.name or "").strip()
    if applicant.kind not in ApplicantKind.values:
        raise _required("case.applicant_kind_invalid", "请选择申请人类型（自然人或企业）", "applicant_kind")
    if not name:
        raise _required("case.applicant_name_required", "请填写申请人名称", "applicant_name")
    id_number = (applicant.id_number or "").strip().upper()
    uscc = (applicant.uscc or "").strip().upper()
    phone = (applicant.phone or "").strip()
    if applicant.kind == ApplicantKind.PERSON or id_number:
        try:
            validate_id_number(id_number)
        except ValidationError as error:
            raise ApplicationError(
                "case.id_number_invalid",
                f"身份证号不正确：{error.messages[0]}",
                details={"field": "applicant_id_number"},
            ) from None
    if applicant.kind == ApplicantKind.ENTERPRISE:
        try:
            validate_uscc(uscc)
        except ValidationError as error:
            raise ApplicationError(
                "case.uscc_invalid", f"统一社会信用代码不正确：{error.messages[0]}", details={"field": "applicant_uscc"}
            ) from None
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
        raise _required("case.phone_invalid", "联系电话应为 7–12 位数字", "applicant_phone")
    if audience == "enterprise" and applicant.kind != ApplicantKind.ENTERPRISE:
        raise _required("case.audience_mismatch", "该事项仅面向企业（法人），请以企业身份申请", "applicant_kind")
    if audience == "person" and applicant.kind != ApplicantKind.PERSON:
        raise _required("case.audience_mismatch", "该事项仅面向自然人，请以个人身份申请", "applicant_kind")
    return ApplicantInput(applicant.kind, name, id_number, uscc, phone, applicant.user)


def _check_form(form_fields: list[dict], form_data: dict) -> dict:
    """Required fields filled; identity fields dropped (they live in the encrypted applicant columns)."""
    clean = {
        k: (str(v).strip() if v is not None else "") for k, v in (form_data or {}).items() if k not in IDENTITY_FIELDS
    }
    missing = [
        f["label"]
        for f in form_fields
        if f.get("required") and f["key"] not in IDENTITY_FIELDS and not clean.get(f["key"])
    ]
    if missing:
        raise ApplicationError(
            "case.form_incomplete",
            f"申请表未填写完整：{'、'.join(missing)}",
            details={"field": "form_data", "missing": missing},
        )
    known = {f["key"] for f in form_fields}
    return {k: v for k, v in clean.items() if k in known and v}


def _delivery_allowed(elements_list: list[dict], method: str) -> bool:
    flag = DELIVERY_FLAGS.get(method)
    return flag is not None and all(e.get(flag) for e in elements_list)


def _material_rows(case: Case, *, version: ServiceItemVersion | None, bundle: Bundle | None) -> list[CaseMaterial]:
    rows = []
    if version is not None:
        for position, m in enumerate(version.materials, start=1):
            rows.append(
                CaseMaterial(
                    case=case,
                    position=position,
                    code=m["code"],
                    name=m["name"],
                    required=m.get("required", True),
                    key=m.get("key", False),
                    deferrable=m.get("deferrable", False) and not m.get("key", False),
                    pledge_replaceable=m.get("pledge_replaceable", False),
                    licence_type=m.get("licence_type", ""),
                    sources=[[version.elements.get("code", ""), m["code"]]],
                )
            )
    else:
        for position, m in enumerate(bundle_merged_materials(bundle), start=1):
            rows.append(
                CaseMaterial(
                    case=case,
                    position=position,
                    code=f"B{position:02d}",
                    name=m.name,
                    required=m.required,
                    key=m.key,
                    deferrable=m.deferrable and not m.key,
                    pledge_replaceable=m.pledge_replaceable,
                    licence_type=m.licence_type,
                    sources=[list(s) for s in m.sources],
                )
            )
    for row in rows:
        if not row.required:
            row.status = MaterialStatus.NOT_REQUIRED
    return rows


def _apply_licences(case: Case, rows: list[CaseMaterial]) -> int:
    """Mark materials the applicant holds as valid e-licences (the ``licences`` hook) as satisfied."""
    lookup = get_licence_lookup()
    holder = Holder(name=case.applicant_name, id_number=case.applicant_id_number or "", uscc=case.applicant_uscc)
    today = _today()
    found = 0
    for row in rows:
        if not row.licence_type:
            continue
        ref = lookup.find(holder=holder, licence_type=row.licence_type)
        if ref is not None and ref.valid_on(today):
            row.status = MaterialStatus.LICENCE
            row.licence_ref = ref.number[:100]
            row.note = f"已调取电子证照：{ref.licence_type}（{ref.number}）"[:500]
            found += 1
    return found


def _check_files(files: SubmissionFiles | None) -> dict[str, list[tuple]]:
    checked: dict[str, list[tuple]] = {}
    for code, uploads in (files.by_code if files else {}).items():
        for upload in uploads:
            checked.setdefault(code, []).append((upload, upload_check(upload)))
    return checked


def _save_upload(case: Case, material: CaseMaterial, upload, checked: CheckedUpload, actor, stored: list) -> CaseUpload:
    row = CaseUpload(
        case=case,
        material=material,
        original_name=checked.name,
        file_type=checked.file_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    row.file.save(checked.name, upload, save=False)
    stored.append(row.file.name)
    row.save()
    return row


def _delete_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)


def case_submit(
    *,
    actor,
    applicant: ApplicantInput,
    item: ServiceItem | None = None,
    bundle: Bundle | None = None,
    channel: str = Channel.ONLINE,
    hall: ServiceHall | None = None,
    window=None,
    form_data: dict | None = None,
    delivery_method: str = DeliveryMethod.WINDOW,
    postal_address: str = "",
    pickup_hall: ServiceHall | None = None,
    agent_kind: str = "",
    submission_token: str | None = None,
    files: SubmissionFiles | None = None,
) -> Case:
    """File an application of the item's current version (or a bundle) and start the intake clock.

    Rules: the item is published; online needs online depth ≥ III (网上受理), the kiosk needs a
    kiosk-enabled item; a counter intake is done by a clerk of that hall (channel from the hall's
    kind); a person is identified by a valid ID number (GB 11643), an enterprise by a valid USCC
    (GB 32100); the form's required fields are filled; the delivery method is one the item offers;
    a submission token is used once. Materials held as valid e-licences are satisfied without upload.
    Errors: ``case.item_required``, ``case.item_not_available``, ``case.item_not_online``,
    ``case.item_not_on_kiosk``, ``case.hall_required``, ``case.not_a_clerk``, ``case.clerk_outside_hall``,
    ``case.id_number_invalid``, ``case.uscc_invalid``, ``case.audience_mismatch``, ``case.form_incomplete``,
    ``case.delivery_method_unavailable``, ``case.postal_address_required``, ``case.duplicate_submission``,
    ``case.material_unknown`` and the upload errors.
    """
    if (item is None) == (bundle is None):
        raise _required("case.item_required", "请选择一个事项或一件事", "item")
    version = None
    if item is not None:
        item = ServiceItem.objects.select_related("region", "implementing_department").get(pk=item.pk)
        if item.status != ItemStatus.PUBLISHED or item.version < 1:
            raise _conflict("case.item_not_available", f"事项“{item.name}”当前不可申请", item=item.code)
        version = ServiceItemVersion.objects.get(item=item, number=item.version)
        elements_list = [version.elements]
        audience, form_fields = version.elements.get("audience", "both"), version.elements.get("form_fields", [])
        region, department, title = item.region, item.implementing_department, item.name
        promised, legal, instant = item.promised_days, item.legal_days, item.is_instant
    else:
        bundle = bundle_detail(bundle.code) if bundle.status == BundleStatus.PUBLISHED else None
        if bundle is None:
            raise _conflict("case.item_not_available", "该“一件事”当前不可申请")
        items = [bi.item for bi in bundle.bundle_items.all()]
        if any(i.status != ItemStatus.PUBLISHED for i in items):
            raise _conflict("case.item_not_available", f"“{bundle.name}”中有事项已停用，暂不可申请", bundle=bundle.code)
        elements_list = [{k: getattr(i, k) for k in ("online_depth", *DELIVERY_FLAGS.values())} for i in items]
        audience, form_fields = bundle.audience, bundle_merged_form(bundle)
        region, department, title = bundle.region, bundle.lead_department, bundle.name
        promised = bundle.target_days or max(i.promised_days for i in items)
        legal = max(i.legal_days for i in items)
        instant = False

    if channel == Channel.ONLINE:
        if any(e["online_depth"] < 3 for e in elements_list):
            raise _conflict("case.item_not_online", f"“{title}”暂不支持网上申请，请到窗口办理", item=title)
        hall = None
    elif channel == Channel.KIOSK:
        if item is None or not item.kiosk_available:
            raise _conflict("case.item_not_on_kiosk", f"“{title}”不能在自助终端办理", item=title)
        if hall is None:
            raise _required("case.hall_required", "请指明自助终端所在大厅", "hall")
    else:
        if hall is None:
            raise _required("case.hall_required", "请选择受理大厅", "hall")
        memberships = _clerk_memberships(actor)
        if not memberships:
            raise _forbidden("case.not_a_clerk", "只有综合窗口工作人员可以在窗口收件")
        if hall.pk not in {m.hall_id for m in memberships}:
            raise _forbidden("case.clerk_outside_hall", f"您不是{hall}的窗口工作人员，不能在该大厅收件", hall=hall.pk)
        channel = HALL_CHANNELS[hall.kind]
        if window is None:
            window = next((m.window for m in memberships if m.hall_id == hall.pk and m.window_id), None)

    applicant = _clean_applicant(applicant, audience)
    clean_form = _check_form(form_fields, form_data or {})
    if delivery_method not in DeliveryMethod.values or not _delivery_allowed(elements_list, delivery_method):
        raise _required("case.delivery_method_unavailable", "该事项不支持所选的出件方式", "delivery_method")
    postal_address = (postal_address or "").strip()
    if delivery_method == DeliveryMethod.POST and not postal_address:
        raise _required("case.postal_address_required", "选择邮寄送达时请填写邮寄地址", "postal_address")
    if agent_kind and agent_kind not in AgentKind.values:
        raise _required("case.agent_kind_invalid", "代办/帮办类型不正确", "agent_kind")
    if submission_token and Case.objects.filter(submission_token=submission_token).exists():
        existing = Case.objects.get(submission_token=submission_token)
        raise _conflict(
            "case.duplicate_submission",
            f"该申请已提交过（办件编号 {existing.number}），请勿重复提交",
            number=existing.number,
        )
    checked = _check_files(files)

    now = _now()
    staff_intake = channel not in (Channel.ONLINE, Channel.KIOSK)
    is_staff_agent = staff_intake or (agent_kind == AgentKind.REMOTE)
    applicant_user = applicant.user
    if applicant_user is None and not is_staff_agent and getattr(actor, "is_authenticated", False):
        applicant_user = actor
    stored: list[str] = []
    try:
        with transaction.atomic():
            case = Case(
                number=f"T{secrets.token_hex(10)}",
                verification_code="".join(secrets.choice(CODE_ALPHABET) for _ in range(6)),
                region=region,
                department=department,
                channel=channel,
                hall=hall,
                window=window,
                pickup_hall=pickup_hall or hall,
                item=item,
                item_version=version,
                bundle=bundle,
                title=title,
                applicant_kind=applicant.kind,
                applicant_name=applicant.name,
                applicant_id_number=applicant.id_number or None,
                applicant_phone=applicant.phone or None,
                applicant_uscc=applicant.uscc,
                applicant_user=applicant_user,
                agent_kind=agent_kind or (AgentKind.PROXY if channel == Channel.VILLAGE_STATION else ""),
                agent_user=actor if (agent_kind or channel == Channel.VILLAGE_STATION) else None,
                form_data=clean_form,
                state=S.SUBMITTED,
                instant=instant,
                promised_days=promised,
                legal_days=legal,
                delivery_method=delivery_method,
                postal_address=postal_address,
                visits=0 if channel == Channel.ONLINE else 1,
                submission_token=submission_token or None,
                submitted_at=now,
            )
            case.save(force_insert=True)
            case.number = f"YW{timezone.localtime(now):%Y%m%d}{case.pk:07d}"
            case.save(update_fields=["number"])
            rows = _material_rows(case, version=version, bundle=bundle)
            licences = _apply_licences(case, rows)
            CaseMaterial.objects.bulk_create(rows)
            by_code = {m.code: m for m in case.materials.all()}
            for code, pairs in checked.items():
                material = by_code.get(code)
                if material is None:
                    raise _required("case.material_unknown", f"材料编码“{code}”不在材料清单中", "files")
                for upload, info in pairs:
                    _save_upload(case, material, upload, info, actor, stored)
                material.status = MaterialStatus.UPLOADED
                material.save(update_fields=["status"])
            case.intake_clock = clock_start(
                label=f"{case.number} 受理期限",
                started_at=now,
                days=int(cases_setting("INTAKE_DAYS")),
                actor=actor,
                owner=case,
                warning_ratio=float(cases_setting("WARNING_RATIO")),
                region_code=region.code,
            )
            case.save(update_fields=["intake_clock"])
            audit_record(
                actor=actor,
                action="case.submitted",
                obj=case,
                after=_snap(case),
                details={
                    "channel": channel,
                    "item": item.code if item else None,
                    "version": version.number if version else None,
                    "bundle": bundle.code if bundle else None,
                    "licences": licences,
                    "uploads": sum(len(v) for v in checked.values()),
                },
            )
            where = f"（{hall}）" if hall else ""
            _event(case, "submitted", f"提交申请：{Channel(channel).label}{where}", actor, at=now)
            if licences:
                _event(case, "licences", f"已自动调取电子证照 {licences} 份，免于提交", None, at=now)
            _notify_applicant(
                case,
                f"【眉县政务服务】您的申请“{title}”已提交，办件编号{case.number}，查询码{case.verification_code}。",
                "submitted",
            )
    except IntegrityError:
        _delete_files(stored)
        if submission_token and Case.objects.filter(submission_token=submission_token).exists():
            existing = Case.objects.get(submission_token=submission_token)
            raise _conflict(
                "case.duplicate_submission",
                f"该申请已提交过（办件编号 {existing.number}），请勿重复提交",
                number=existing.number,
            ) from None
        raise
    except BaseException:
        _delete_files(stored)
        raise
    return case


def case_material_upload(*, case: Case, material_code: str, upload, actor) -> CaseUpload:
    """Add a file to one material of the case.

    Rules: the applicant, their agent or the case's window; before acceptance any material, after
    acceptance only a deferred material still owed (容缺后补), which the upload then supplies. Errors:
    the upload errors (nothing stored), ``case.not_your_case`` (403), ``case.material_unknown``,
    ``case.materials_locked`` (409).
    """
    info = upload_check(upload)
    stored: list[str] = []
    try:
        with transaction.atomic():
            case = _locked(case)
            _check_applicant_side(case, actor)
            material = case.materials.filter(code=material_code).first()
            if material is None:
                raise _required("case.material_unknown", f"材料编码“{material_code}”不在材料清单中", "material")
            deferral = DeferredMaterial.objects.filter(material=material, supplied_at__isnull=True).first()
            if case.state not in (S.SUBMITTED, S.CORRECTION_REQUESTED) and deferral is None:
                raise _conflict(
                    "case.materials_locked", "办件已受理，材料不能再更改（容缺后补的材料除外）", case=case.number
                )
            row = _save_upload(case, material, upload, info, actor, stored)
            before = _snap(case)
            material.status = MaterialStatus.UPLOADED
            material.save(update_fields=["status"])
            details = {"material": material.code, "name": info.name, "size": info.size, "sha256": info.sha256}
            if deferral is not None:
                deferral.supplied_at = _now()
                deferral.save(update_fields=["supplied_at"])
                if deferral.clock_id:
                    _stop_clock(deferral.clock, actor=actor)
                details["deferred_supplied"] = True
                if not DeferredMaterial.objects.filter(case=case, supplied_at__isnull=True).exists():
                    case.deferred_overdue = False
                    case.save(update_fields=["deferred_overdue", "updated_at"])
                _event(case, "deferred_supplied", f"补交容缺材料：{material.name}", actor)
            else:
                _event(case, "uploaded", f"上传材料：{material.name}", actor, public=True)
            _audit(actor=actor, action="case.material_uploaded", case=case, before=before, details=details)
    except BaseException:
        _delete_files(stored)
        raise
    return row


# --- acceptance ----------------------------------------------------------------------------------


def _credit_subject(case: Case) -> CreditSubject:
    return CreditSubject(name=case.applicant_name, id_number=case.applicant_id_number or "", uscc=case.applicant_uscc)


def applicant_false_pledges(case: Case):
    """False pledges recorded against this case's applicant (by USCC, else by ID number hash)."""
    condition = Q()
    if case.applicant_uscc:
        condition |= Q(applicant_uscc=case.applicant_uscc)
    if case.applicant_id_number:
        condition |= Q(applicant_id_number_hash=pii_lookup_hash(case.applicant_id_number))
    if not condition:
        return FalsePledgeRecord.objects.none()
    return FalsePledgeRecord.objects.filter(condition)


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


def _start_clock_for_case(case: Case, *, actor, started_at: dt.datetime) -> Clock:
    return clock_start(
        label=f"{case.number} 办理期限",
        started_at=started_at,
        days=case.promised_days,
        actor=actor,
        owner=case,
        warning_ratio=float(cases_setting("WARNING_RATIO")),
        region_code=case.region.code,
    )


def _create_steps(case: Case, *, actor, at: dt.datetime) -> list[ReviewStep]:
    chain = _chain_for(case.item)
    days = _step_days(chain, case.promised_days)
    steps = []
    for position, (spec, step_days) in enumerate(zip(chain, days, strict=True), start=1):
        step = ReviewStep(
            case=case,
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
            step.opinion = "材料齐全，符合法定形式，予以受理"
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
        warning_ratio=float(cases_setting("WARNING_RATIO")),
        region_code=case.region.code,
    )
    step.due_on = step.clock.due_on
    step.save(update_fields=["state", "started_at", "clock", "due_on"])
    return step


def _acceptance_content(case: Case, deferred: list[DeferredMaterial], pledged: list[CaseMaterial]) -> dict:
    paragraphs = [
        f"你（单位）于{timezone.localtime(case.submitted_at):%Y年%m月%d日}提出的“{case.title}”申请，"
        "申请材料齐全、符合法定形式，根据《中华人民共和国行政许可法》第三十二条的规定，决定予以受理。",
    ]
    if case.instant:
        paragraphs.append("本事项为即办件，当日办结。")
    else:
        provisional = "（含尚未公布的节假日安排，为临时推算）" if case.due_provisional else ""
        paragraphs.append(
            f"承诺办结时限为{case.promised_days}个工作日（自受理次日起算），预计于{case.due_on:%Y年%m月%d日}前办结{provisional}。"
        )
    table = []
    if deferred:
        paragraphs.append("以下非关键材料实行容缺受理，请于补交期限前提交，逾期未补交的将影响办理结果：")
        table = [["序号", "容缺材料", "补交期限"]] + [
            [str(n), d.material.name, f"{d.due_on:%Y年%m月%d日}"] for n, d in enumerate(deferred, start=1)
        ]
    if pledged:
        names = "、".join(m.name for m in pledged)
        paragraphs.append(f"申请人已签署告知承诺书，以承诺替代以下材料：{names}。行政机关将依法开展事中事后核查。")
    return {
        "paragraphs": paragraphs,
        "table": table,
        "facts": [("办件编号", case.number), ("查询码", case.verification_code), ("办理部门", str(case.department))],
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
            legal_days=item.legal_days,
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
        _create_steps(child, actor=actor, at=at)
        audit_record(
            actor=actor,
            action="case.fanned_out",
            obj=child,
            after=_snap(child),
            details={"parent": parent.number, "item": item.code, "version": version.number},
        )
        _event(child, "accepted", f"由“{parent.title}”分送{child.department}办理", actor, public=False, at=at)
        _notify_department(child, f"新办件待办：{child.number} {child.title}（{parent.title}）", "fanned_out")
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
            item_allows = case.item_version.elements.get("pledge_allowed", False) if case.item_version_id else True
            not_pledgeable = [
                materials[c].name for c in pledged_codes if not (item_allows and materials[c].pledge_replaceable)
            ]
            if not_pledgeable:
                raise _required(
                    "case.material_not_pledgeable",
                    f"以下材料不能以告知承诺替代：{'、'.join(not_pledgeable)}",
                    "pledged_materials",
                )
            if applicant_false_pledges(case).exists():
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
        now = _now()
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
        for code in sorted(deferred_codes, key=lambda c: materials[c].position):
            days = int(cases_setting("DEFERRED_DAYS"))
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
                text=(pledge_text or "").strip() or DEFAULT_PLEDGE_TEXT,
                signed_by=case.applicant_name,
                signed_at=now,
            )
            pledge.materials.set(pledged_rows)

        if case.is_bundle_parent:
            children = _fan_out(case, actor=actor, at=now)
            case.state = S.IN_REVIEW
            case.save(update_fields=["state", "updated_at"])
        else:
            children = []
            _create_steps(case, actor=actor, at=now)
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
                "sub_cases": [c.number for c in children],
            },
        )
        label = "容缺受理" if deferred_rows else "已受理"
        _event(
            case, "accepted", f"{label}（{hall}），承诺{case.promised_days}个工作日，{_due_text(case)}", actor, at=now
        )
        if pledged_rows:
            _event(case, "pledged", f"签署告知承诺书，替代材料 {len(pledged_rows)} 项", actor, at=now)
        if children:
            _event(case, "fanned_out", f"已分送 {len(children)} 个部门并联办理", None, at=now)
        _notify_applicant(
            case,
            f"【眉县政务服务】您的申请{case.number}（{case.title}）已{label}，{_due_text(case)}。",
            "accepted",
        )
    return case


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
        previous = list(case.corrections.all())
        if previous:
            listed = set(CorrectionEntry.objects.filter(correction__case=case).values_list("material__code", flat=True))
            new = [materials[c].name for c in codes if c not in listed]
            if new:
                raise _conflict(
                    "case.correction_not_listed_before",
                    f"一次性告知：以下材料在首次补正告知中未列出，不能再次要求补正：{'、'.join(new)}",
                    materials=new,
                )
        before = _snap(case)
        now = _now()
        if case.hall_id is None:
            case.hall = hall
            case.pickup_hall = case.pickup_hall or hall
        correction = CorrectionRequest.objects.create(
            case=case, round=len(previous) + 1, note=(note or "").strip(), issued_by=actor, issued_at=now
        )
        rows = []
        for entry in entries:
            material = materials[entry["code"]]
            problem = entry.get("problem", CorrectionEntry.Problem.MISSING)
            rows.append(
                CorrectionEntry(
                    correction=correction, material=material, problem=problem, note=(entry.get("note") or "")[:500]
                )
            )
            material.status = (
                MaterialStatus.DEFECTIVE if problem == CorrectionEntry.Problem.DEFECTIVE else MaterialStatus.MISSING
            )
            material.save(update_fields=["status"])
        CorrectionEntry.objects.bulk_create(rows)
        if case.intake_clock and case.intake_clock.state == Clock.State.RUNNING:
            case.intake_clock = clock_pause(
                clock=case.intake_clock, on=_today(), reason="一次性告知补正，等待申请人补正", actor=actor
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
        _notify_applicant(
            case,
            f"【眉县政务服务】您的申请{case.number}需补正 {len(rows)} 项材料，请登录“一网”查看补正告知书并上传。",
            f"correction:{correction.round}",
        )
    return correction


def case_correction_supply(*, case: Case, actor) -> Case:
    """The applicant (or the window) reports the correction done: every listed material is now provided.

    Errors: ``case.invalid_transition`` (409), ``case.not_your_case`` (403), ``case.correction_incomplete``.
    """
    with transaction.atomic():
        case = _locked(case)
        check_case_transition(case, S.SUBMITTED)
        _check_applicant_side(case, actor)
        correction = case.corrections.order_by("-round").first()
        outstanding = [
            e.material.name
            for e in correction.entries.select_related("material")
            if e.material.status not in (MaterialStatus.UPLOADED, MaterialStatus.RECEIVED, MaterialStatus.LICENCE)
        ]
        if outstanding:
            raise ApplicationError(
                "case.correction_incomplete",
                f"以下补正材料尚未提交：{'、'.join(outstanding)}",
                details={"field": "materials", "missing": outstanding},
            )
        before = _snap(case)
        correction.fulfilled_at = _now()
        correction.save(update_fields=["fulfilled_at"])
        if case.intake_clock and case.intake_clock.state == Clock.State.PAUSED:
            case.intake_clock = clock_resume(clock=case.intake_clock, on=_today(), actor=actor)
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
    if not reason:
        raise _required("case.reason_required", "不予受理必须说明理由", "reason")
    if not legal_basis:
        raise _required("case.legal_basis_required", "不予受理必须写明依据", "legal_basis")
    with transaction.atomic():
        case = _locked(case)
        check_case_transition(case, S.REJECTED)
        hall = _check_clerk(case, actor)
        before = _snap(case)
        now = _now()
        if case.hall_id is None:
            case.hall = hall
        _stop_clock(case.intake_clock, actor=actor)
        case.state = S.REJECTED
        case.closed_at = now
        case.save()
        notice = _issue_notice(
            case,
            NoticeKind.REJECTION,
            actor=actor,
            content={
                "paragraphs": [
                    f"你（单位）提出的“{case.title}”申请，经审查，决定不予受理。",
                    f"理由：{reason}",
                    f"依据：{legal_basis}",
                    "如不服本决定，可以自收到本通知书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。",
                ],
                "facts": [("办件编号", case.number)],
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
        _notify_applicant(case, f"【眉县政务服务】您的申请{case.number}不予受理，理由：{reason[:60]}。", "rejected")
    return case


def case_withdraw(*, case: Case, actor, reason: str = "") -> Case:
    """The applicant withdraws an application not yet accepted. Errors: ``case.invalid_transition``, ``case.not_your_case``."""
    with transaction.atomic():
        case = _locked(case)
        check_case_transition(case, S.WITHDRAWN)
        _check_applicant_side(case, actor)
        before = _snap(case)
        _stop_clock(case.intake_clock, actor=actor)
        case.state = S.WITHDRAWN
        case.closed_at = _now()
        case.save()
        _audit(
            actor=actor, action="case.withdrawn", case=case, before=before, details={"reason": (reason or "").strip()}
        )
        _event(case, "withdrawn", "申请人撤回申请", actor)
    return case


# --- handling ------------------------------------------------------------------------------------


def _is_department_handler(user, department) -> bool:
    return Membership.objects.filter(user=user, role=Role.HANDLER, department=department).exists()


def case_assign(*, case: Case, actor, handler=None) -> Case:
    """Assign the case to a handler of its department (后台分类办理); the first assignment starts the review.

    Errors: ``case.not_your_department`` (403), ``case.assignee_outside_department`` (403),
    ``case.bundle_parent_not_handled`` (409), ``case.invalid_transition`` (409).
    """
    handler = handler or actor
    with transaction.atomic():
        case = _locked(case)
        _check_not_parent(case)
        _check_handler(case, actor)
        if not _is_department_handler(handler, case.department):
            raise _forbidden(
                "case.assignee_outside_department", f"{handler}不是{case.department}的经办人员", case=case.number
            )
        before = _snap(case)
        now = _now()
        if case.state in (S.ACCEPTED, S.ACCEPTED_DEFERRED):
            check_case_transition(case, S.IN_REVIEW)
            case.state = S.IN_REVIEW
            case.assigned_to = handler
            case.save()
            step = _activate_next_step(case, actor=actor, at=now)
            label = f"{case.department}开始办理" + (f"（{step.name}）" if step else "")
        elif case.state in (S.IN_REVIEW, S.PAUSED):
            case.assigned_to = handler
            case.save()
            label = f"{case.department}调整经办人"
        else:
            check_case_transition(case, S.IN_REVIEW)
        _audit(actor=actor, action="case.assigned", case=case, before=before, details={"handler": handler.pk})
        _event(case, "assigned", label, actor, at=now)
        if case.parent_id:
            _event(case.parent, "sub_assigned", f"{case.title}：{label}", actor, at=now)
        if handler.pk != getattr(actor, "pk", None):
            outbox_enqueue(
                channel="inapp",
                recipient=f"user:{handler.pk}",
                body=f"办件 {case.number}（{case.title}）已分配给您，{_due_text(case)}。",
                dedupe_key=f"case:{case.pk}:assigned:{handler.pk}:{now.timestamp():.0f}",
            )
    return case


def _require_in_review(case: Case) -> None:
    if case.state != S.IN_REVIEW:
        raise _conflict(
            "case.not_in_review",
            f"办件当前状态为“{CaseState(case.state).label}”，不能办理审批环节",
            case=case.number,
            state=case.state,
        )


def review_step_complete(*, case: Case, actor, opinion: str) -> ReviewStep:
    """Complete the active review step with an opinion and start the next one (the last step is the decision).

    Errors: ``case.opinion_required``, ``case.not_your_department`` (403), ``case.not_in_review`` (409),
    ``case.decision_required`` (409: the active step is the last one).
    """
    opinion = (opinion or "").strip()
    if not opinion:
        raise _required("case.opinion_required", "请填写本环节的办理意见", "opinion")
    with transaction.atomic():
        case = _locked(case)
        _check_not_parent(case)
        _check_handler(case, actor)
        _require_in_review(case)
        step = case.steps.select_for_update().filter(state=ReviewStep.State.ACTIVE).first()
        if step is None or not case.steps.filter(state=ReviewStep.State.PENDING).exists():
            raise _conflict("case.decision_required", "最后一个环节须作出办理决定", case=case.number)
        before = _snap(case)
        now = _now()
        step.state = ReviewStep.State.DONE
        step.completed_at = now
        step.completed_by = actor
        step.opinion = opinion
        step.save(update_fields=["state", "completed_at", "completed_by", "opinion"])
        step.clock = _stop_clock(step.clock, actor=actor)
        following = _activate_next_step(case, actor=actor, at=now)
        _audit(
            actor=actor,
            action="case.step_completed",
            case=case,
            before=before,
            details={"step": step.name, "next": following.name if following else None, "opinion": opinion[:500]},
        )
        _event(
            case, "step_completed", f"{step.name}完成" + (f"，转{following.name}" if following else ""), actor, at=now
        )
    return step


def case_pause(*, case: Case, actor, kind: str, reason: str) -> CasePause:
    """Stop the clock for a hearing, tender, testing, site inspection or expert review (行政许可法 Art. 45).

    Errors: ``case.pause_kind_invalid``, ``case.reason_required``, ``case.not_your_department`` (403),
    ``case.invalid_transition`` (409).
    """
    reason = (reason or "").strip()
    if kind not in PauseKind.values:
        raise _required(
            "case.pause_kind_invalid", "暂停事由应为听证、招标拍卖、检验检测检疫、现场勘验或专家评审", "kind"
        )
    if not reason:
        raise _required("case.reason_required", "请说明暂停计时的具体情况", "reason")
    with transaction.atomic():
        case = _locked(case)
        _check_not_parent(case)
        _check_handler(case, actor)
        check_case_transition(case, S.PAUSED)
        before = _snap(case)
        today = _today()
        label = f"{PauseKind(kind).label}：{reason}"
        case.clock = clock_pause(clock=case.clock, on=today, reason=label, actor=actor)
        step = case.steps.filter(state=ReviewStep.State.ACTIVE).select_related("clock").first()
        if step and step.clock and step.clock.state == Clock.State.RUNNING:
            clock_pause(clock=step.clock, on=today, reason=label, actor=actor)
        pause = CasePause.objects.create(case=case, kind=kind, reason=reason, paused_on=today, paused_by=actor)
        case.state = S.PAUSED
        case.save()
        _audit(actor=actor, action="case.paused", case=case, before=before, details={"kind": kind, "reason": reason})
        _event(case, "paused", f"进入{PauseKind(kind).label}程序，期间不计入办理时限", actor)
        _notify_applicant(
            case,
            f"【眉县政务服务】您的办件{case.number}进入{PauseKind(kind).label}程序，所需时间不计入办理时限。",
            f"paused:{pause.pk}",
        )
    return pause


def case_resume(*, case: Case, actor) -> Case:
    """Resume the clock; the due day moves by the working days paused. Errors as for ``case_pause``."""
    with transaction.atomic():
        case = _locked(case)
        _check_not_parent(case)
        _check_handler(case, actor)
        check_case_transition(case, S.IN_REVIEW)
        before = _snap(case)
        today = _today()
        pause = case.pauses.select_for_update().get(resumed_on__isnull=True)
        case.clock = clock_resume(clock=case.clock, on=today, actor=actor)
        step = case.steps.filter(state=ReviewStep.State.ACTIVE).select_related("clock").first()
        if step and step.clock and step.clock.state == Clock.State.PAUSED:
            step_clock = clock_resume(clock=step.clock, on=today, actor=actor)
            step.due_on = step_clock.due_on
            step.save(update_fields=["due_on"])
        pause.resumed_on = today
        pause.workdays = count_workdays(pause.paused_on, today)
        pause.save(update_fields=["resumed_on", "workdays"])
        _set_due(case, case.clock)
        case.state = S.IN_REVIEW
        case.save()
        _audit(
            actor=actor,
            action="case.resumed",
            case=case,
            before=before,
            details={"kind": pause.kind, "workdays": pause.workdays},
        )
        _event(
            case,
            "resumed",
            f"{pause.get_kind_display()}结束，恢复计时（扣除{pause.workdays}个工作日），{_due_text(case)}",
            actor,
        )
    return case


def case_extension_request(*, case: Case, actor, reason: str) -> Extension:
    """Ask for the one extension of 10 working days (行政许可法 Art. 42), before the deadline passes.

    Errors: ``case.reason_required``, ``case.not_your_department`` (403), ``case.not_in_review`` (409),
    ``case.instant_not_extendable`` (409), ``case.extension_used`` (409), ``case.extension_too_late`` (409).
    """
    reason = (reason or "").strip()
    if not reason:
        raise _required("case.reason_required", "请说明延期理由", "reason")
    with transaction.atomic():
        case = _locked(case)
        _check_not_parent(case)
        _check_handler(case, actor)
        if case.state not in (S.IN_REVIEW, S.PAUSED):
            raise _conflict("case.not_in_review", "只有办理中的办件可以申请延期", case=case.number)
        if case.instant:
            raise _conflict("case.instant_not_extendable", "即办件不能延期")
        if case.extensions.filter(state__in=[Extension.State.REQUESTED, Extension.State.APPROVED]).exists():
            raise _conflict("case.extension_used", "每个办件只能延期一次（行政许可法第四十二条）", case=case.number)
        if case.due_on and _today() > case.due_on:
            raise _conflict("case.extension_too_late", "办理期限已过，不能再申请延期", case=case.number)
        days = int(cases_setting("EXTENSION_DAYS"))
        extension = Extension.objects.create(
            case=case, days=days, reason=reason, requested_by=actor, requested_at=_now()
        )
        audit_record(
            actor=actor,
            action="case.extension_requested",
            obj=case,
            after=_snap(case),
            details={"extension": extension.pk, "days": days, "reason": reason},
        )
        _event(case, "extension_requested", f"申请延期{days}个工作日", actor, public=False)
        outbox_enqueue(
            channel="inapp",
            recipient=f"department:{case.department_id}",
            body=f"办件 {case.number} 申请延期{days}个工作日，待审批：{reason[:60]}",
            dedupe_key=f"case:{case.pk}:extension:{extension.pk}",
        )
    return extension


def _may_approve_extension(actor, case: Case) -> bool:
    if user_can_act_for_department(actor, case.department):
        return True
    memberships = Membership.objects.filter(user=actor, role=Role.LEADER).select_related("region")
    return any(case.region.path.startswith(m.region.path) for m in memberships if m.region_id)


def case_extension_decide(*, extension: Extension, actor, approve: bool, note: str = "") -> Extension:
    """Approve (the clock gets +10 working days and the applicant is told why) or refuse (with a note).

    The approver is someone other than the requester who acts for the department, or a leader of the
    region (本行政机关负责人批准). Errors: ``case.extension_closed`` (409), ``case.extension_self_approval``
    (403), ``case.extension_not_permitted`` (403), ``case.note_required``.
    """
    note = (note or "").strip()
    if not approve and not note:
        raise _required("case.note_required", "不批准延期时请写明意见", "note")
    with transaction.atomic():
        extension = Extension.objects.select_for_update().get(pk=extension.pk)
        case = _locked(extension.case)
        if extension.state != Extension.State.REQUESTED:
            raise _conflict("case.extension_closed", "该延期申请已处理")
        if extension.requested_by_id == getattr(actor, "pk", None):
            raise _forbidden("case.extension_self_approval", "延期申请须由他人审批")
        if not _may_approve_extension(actor, case):
            raise _forbidden("case.extension_not_permitted", "只有本部门负责人或县领导可以审批延期")
        before = _snap(case)
        extension.state = Extension.State.APPROVED if approve else Extension.State.REFUSED
        extension.decided_by = actor
        extension.decided_at = _now()
        extension.note = note
        extension.save(update_fields=["state", "decided_by", "decided_at", "note"])
        if approve:
            case.clock = clock_extend(clock=case.clock, days=extension.days, reason=extension.reason, actor=actor)
            _set_due(case, case.clock)
            case.extended = True
            case.deadline_status = DeadlineStatus.NORMAL
            case.save()
            _event(
                case, "extended", f"经批准延期{extension.days}个工作日：{extension.reason}，{_due_text(case)}", actor
            )
            _notify_applicant(
                case,
                f"【眉县政务服务】您的办件{case.number}经批准延长{extension.days}个工作日，理由：{extension.reason[:50]}；{_due_text(case)}。",
                f"extended:{extension.pk}",
            )
        _audit(
            actor=actor,
            action="case.extension_approved" if approve else "case.extension_refused",
            case=case,
            before=before,
            details={"extension": extension.pk, "note": note},
        )
    return extension


def _relevant_deferred(case: Case):
    root = case.parent or case
    outstanding = DeferredMaterial.objects.filter(case=root, supplied_at__isnull=True).select_related("material")
    if not case.parent_id:
        return list(outstanding)
    code = case.item.code if case.item_id else ""
    return [d for d in outstanding if any(src[0] == code for src in d.material.sources)]


def case_decide(*, case: Case, actor, outcome: str, reasons: str, legal_basis: str = "") -> Decision:
    """Decide: approve or deny, with reasons (行政许可法 Art. 38: a denial states reasons; here every decision does).

    The last review step is the decision; earlier steps must be done. Approval needs every deferred
    material supplied (容缺后补 before the result). Concurrent decisions: the row lock serialises them
    and the second finds the case decided (``case.invalid_transition``).
    Errors: ``case.outcome_invalid``, ``case.reasons_required``, ``case.not_your_department`` (403),
    ``case.invalid_transition`` (409), ``case.steps_incomplete`` (409), ``case.deferred_outstanding`` (409).
    """
    reasons, legal_basis = (reasons or "").strip(), (legal_basis or "").strip()
    if outcome not in Decision.Outcome.values:
        raise _required("case.outcome_invalid", "办理决定应为“准予”或“不予”", "outcome")
    if not reasons:
        raise _required("case.reasons_required", "作出决定必须写明理由", "reasons")
    target = S.DECIDED_APPROVED if outcome == Decision.Outcome.APPROVED else S.DECIDED_DENIED
    with transaction.atomic():
        case = _locked(case)
        _check_not_parent(case)
        _check_handler(case, actor)
        check_case_transition(case, target)
        steps = list(case.steps.select_for_update().order_by("position"))
        active = [s for s in steps if s.state == ReviewStep.State.ACTIVE]
        pending = [s for s in steps if s.state == ReviewStep.State.PENDING]
        if pending or (steps and not active):
            names = "、".join([s.name for s in steps if s.state != ReviewStep.State.DONE][:-1])
            raise _conflict("case.steps_incomplete", f"尚有审批环节未完成：{names}", case=case.number)
        if target == S.DECIDED_APPROVED:
            owed = _relevant_deferred(case)
            if owed:
                names = "、".join(d.material.name for d in owed)
                raise _conflict(
                    "case.deferred_outstanding", f"容缺材料尚未补齐，不能作出准予决定：{names}", case=case.number
                )
        before = _snap(case)
        now = _now()
        today = timezone.localdate(now)
        if active:
            step = active[0]
            step.state = ReviewStep.State.DONE
            step.completed_at = now
            step.completed_by = actor
            step.opinion = reasons
            step.save(update_fields=["state", "completed_at", "completed_by", "opinion"])
            _stop_clock(step.clock, actor=actor)
        decision = Decision.objects.create(
            case=case, outcome=outcome, reasons=reasons, legal_basis=legal_basis, decided_by=actor, decided_at=now
        )
        _finish(case, target, actor=actor, now=now, today=today)
        _decision_notice(case, decision, actor=actor)
        _audit(
            actor=actor,
            action="case.decided",
            case=case,
            before=before,
            details={"outcome": outcome, "reasons": reasons[:500], "on_time": case.on_time},
        )
        if case.parent_id:
            _event(case.parent, "sub_decided", f"{case.title}：{Decision.Outcome(outcome).label}", actor, at=now)
            _complete_bundle_if_done(case.parent, actor=actor, now=now)
        else:
            _open_verification_if_pledged(case, actor=actor)
            _notify_applicant(
                case,
                f"【眉县政务服务】您的办件{case.number}（{case.title}）已办结：{Decision.Outcome(outcome).label}。{_delivery_text(case)}",
                "decided",
            )
    return decision


def _finish(case: Case, target: str, *, actor, now: dt.datetime, today: dt.date) -> None:
    """Stop the clock and measure: working days used, on time, elapsed since submission."""
    clock = case.clock
    if clock is not None:
        used = clock_used_workdays(clock, today)
        on_time = today <= clock.due_on
        _stop_clock(clock, actor=actor, on=today)
        clock.refresh_from_db()
        _set_due(case, clock)
    else:
        used, on_time = 0, True
    case.state = target
    case.decided_at = now
    case.decided_workdays = used
    case.on_time = on_time
    case.elapsed_seconds = max(0, int((now - case.submitted_at).total_seconds()))
    case.elapsed_workdays = max(0, count_workdays(case.submitted_at, today))
    case.deadline_status = DeadlineStatus.NORMAL if on_time else DeadlineStatus.OVERDUE
    case.save()
    label = "准予" if target == S.DECIDED_APPROVED else "不予许可"
    _event(case, "decided", f"作出决定：{label}（用时{used}个工作日）", actor, at=now)


def _decision_notice(case: Case, decision: Decision, *, actor) -> Notice:
    approved = decision.outcome == Decision.Outcome.APPROVED
    paragraphs = [
        f"你（单位）于{timezone.localtime(case.submitted_at):%Y年%m月%d日}提出的“{case.title}”申请，"
        f"本机关于{timezone.localtime(case.accepted_at or case.submitted_at):%Y年%m月%d日}受理，经审查，"
        + ("决定准予。" if approved else "决定不予许可。"),
        f"理由：{decision.reasons}",
    ]
    if decision.legal_basis:
        paragraphs.append(f"依据：{decision.legal_basis}")
    if not approved:
        paragraphs.append(
            "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。"
        )
    return _issue_notice(
        case,
        NoticeKind.DECISION,
        actor=actor,
        content={
            "paragraphs": paragraphs,
            "facts": [
                ("办件编号", case.number),
                ("办理部门", str(case.department)),
                ("出件方式", _delivery_text(case)),
            ],
        },
    )


def _delivery_text(case: Case) -> str:
    root = case.parent or case
    if root.delivery_method == DeliveryMethod.POST:
        return "结果将邮寄送达"
    if root.delivery_method == DeliveryMethod.ELECTRONIC:
        return "结果将电子送达，可在“一网”下载"
    hall = root.pickup_hall or root.hall
    return f"请到{hall or '政务服务中心'}出件窗口领取"


def _complete_bundle_if_done(parent: Case, *, actor, now: dt.datetime) -> None:
    """A bundle is decided when every sub-case is: approved if all are, denied otherwise."""
    parent = _locked(parent)
    children = list(parent.children.select_related("decision").order_by("number"))
    if any(c.state not in (S.DECIDED_APPROVED, S.DECIDED_DENIED) for c in children):
        return
    denied = [c for c in children if c.state == S.DECIDED_DENIED]
    target = S.DECIDED_DENIED if denied else S.DECIDED_APPROVED
    before = _snap(parent)
    today = timezone.localdate(now)
    if denied:
        reasons = "；".join(f"{c.title}：不予许可（{c.decision.reasons}）" for c in denied)
    else:
        reasons = f"“{parent.title}”所含 {len(children)} 个事项均已准予办结"
    decision = Decision.objects.create(
        case=parent,
        outcome=Decision.Outcome.DENIED if denied else Decision.Outcome.APPROVED,
        reasons=reasons,
        legal_basis="一件事一次办：各事项办理决定见分办件",
        decided_by=None,
        decided_at=now,
    )
    _finish(parent, target, actor=None, now=now, today=today)
    _decision_notice(parent, decision, actor=None)
    _audit(
        actor=None,
        action="case.bundle_completed",
        case=parent,
        before=before,
        details={
            "outcome": decision.outcome,
            "elapsed_seconds": parent.elapsed_seconds,
            "elapsed_workdays": parent.elapsed_workdays,
        },
    )
    _open_verification_if_pledged(parent, actor=None)
    _notify_applicant(
        parent,
        f"【眉县政务服务】您的“{parent.title}”（{parent.number}）已全部办结。{_delivery_text(parent)}",
        "decided",
    )


def _open_verification_if_pledged(case: Case, *, actor) -> PledgeVerification | None:
    """告知承诺: after approval the department verifies the pledge within the configured working days."""
    if case.state != S.DECIDED_APPROVED:
        return None
    pledge = Pledge.objects.filter(case=case).first()
    if pledge is None or hasattr(pledge, "verification"):
        return None
    days = int(cases_setting("PLEDGE_VERIFICATION_DAYS"))
    clock = clock_start(
        label=f"{case.number} 告知承诺核查",
        started_at=case.decided_at,
        days=days,
        actor=actor,
        owner=case,
        region_code=case.region.code,
    )
    verification = PledgeVerification.objects.create(
        pledge=pledge, case=case, department=case.department, region=case.region, clock=clock, due_on=clock.due_on
    )
    audit_record(
        actor=actor,
        action="case.verification_opened",
        obj=case,
        after=_snap(case),
        details={"verification": verification.pk, "due_on": verification.due_on.isoformat()},
    )
    _event(
        case,
        "verification_opened",
        f"告知承诺事中事后核查，{verification.due_on:%Y年%m月%d日}前完成",
        None,
        public=False,
    )
    outbox_enqueue(
        channel="inapp",
        recipient=f"department:{case.department_id}",
        body=f"告知承诺核查任务：{case.number}（{case.title}），{verification.due_on:%Y-%m-%d}前完成。",
        dedupe_key=f"case:{case.pk}:verification",
    )
    return verification


def pledge_verification_complete(
    *, verification: PledgeVerification, actor, truthful: bool, finding: str
) -> PledgeVerification:
    """Record the result of 事中事后核查; a false pledge is recorded against the applicant (and bars pledges).

    Errors: ``case.finding_required``, ``case.not_your_department`` (403), ``case.verification_closed`` (409).
    """
    finding = (finding or "").strip()
    if not finding:
        raise _required("case.finding_required", "请填写核查结论", "finding")
    with transaction.atomic():
        verification = (
            PledgeVerification.objects.select_for_update().select_related("department").get(pk=verification.pk)
        )
        case = _locked(verification.case)
        if not user_can_act_for_department(actor, verification.department):
            raise _forbidden("case.not_your_department", f"该核查任务由{verification.department}负责")
        if verification.state != PledgeVerification.State.PENDING:
            raise _conflict("case.verification_closed", "该核查任务已完成")
        now = _now()
        verification.state = PledgeVerification.State.CONFIRMED if truthful else PledgeVerification.State.FALSE
        verification.finding = finding
        verification.verified_by = actor
        verification.verified_at = now
        verification.save(update_fields=["state", "finding", "verified_by", "verified_at"])
        if verification.clock_id:
            _stop_clock(verification.clock, actor=actor)
        details = {"verification": verification.pk, "truthful": truthful, "finding": finding[:500]}
        if not truthful:
            record = FalsePledgeRecord.objects.create(
                applicant_name=case.applicant_name,
                applicant_id_number_hash=pii_lookup_hash(case.applicant_id_number) if case.applicant_id_number else "",
                applicant_uscc=case.applicant_uscc,
                case=case,
                verification=verification,
                region=case.region,
                finding=finding,
                recorded_at=now,
            )
            details["false_record"] = record.pk
            _notify_applicant(
                case,
                f"【眉县政务服务】经核查，您在办件{case.number}中的告知承诺与实际不符，已依法记录，请按要求整改。",
                "pledge_false",
            )
        audit_record(
            actor=actor,
            action="case.pledge_verified" if truthful else "case.pledge_false",
            obj=case,
            after=_snap(case),
            details=details,
        )
        _event(
            case, "verified", "告知承诺核查：" + ("承诺属实" if truthful else "承诺不实，已记录"), actor, public=False
        )
    return verification


# --- delivery ------------------------------------------------------------------------------------


def _check_deliverer(case: Case, actor) -> None:
    """Post or electronic delivery: a clerk must be one who may act on the case (its hall); anyone else
    must be of the case's department."""
    if _clerk_memberships(actor):
        _check_clerk(case, actor)
    else:
        _check_handler(case, actor)


def case_deliver(
    *, case: Case, actor, method: str | None = None, tracking_number: str = "", recipient: str = ""
) -> Delivery:
    """统一窗口出件: hand out the result at the window, post it with a tracking number, or deliver it electronically.

    Window pickup is done by a clerk of the pickup hall; a bundle is delivered as one (its sub-cases
    with it). Errors: ``case.invalid_transition`` (409), ``case.bundle_delivered_together`` (409),
    ``case.delivery_method_unavailable``, ``case.tracking_number_required``, ``case.clerk_outside_hall``
    (403), ``case.not_a_clerk`` (403), ``case.not_your_department`` (403).
    """
    tracking_number, recipient = (tracking_number or "").strip(), (recipient or "").strip()
    with transaction.atomic():
        case = _locked(case)
        if case.parent_id:
            raise _conflict("case.bundle_delivered_together", "“一件事”的结果随主件统一出件", case=case.number)
        check_case_transition(case, S.DELIVERED)
        method = method or case.delivery_method
        if method not in DeliveryMethod.values:
            raise _required("case.delivery_method_unavailable", "出件方式不正确", "method")
        if case.item_version_id and not case.item_version.elements.get(DELIVERY_FLAGS[method], False):
            raise _required("case.delivery_method_unavailable", "该事项不支持所选的出件方式", "method")
        hall = None
        if method == DeliveryMethod.WINDOW:
            memberships = _clerk_memberships(actor)
            if not memberships:
                raise _forbidden("case.not_a_clerk", "窗口出件须由出件窗口工作人员办理")
            pickup = case.pickup_hall_id or case.hall_id
            if pickup is None:
                # No hall took the case in: the clerk must be one who may act on it at all.
                hall = _check_clerk(case, actor)
            else:
                hall = next((m.hall for m in memberships if m.hall_id == pickup), None)
            if hall is None:
                raise _forbidden(
                    "case.clerk_outside_hall", f"该办件在{case.pickup_hall or case.hall}领取", case=case.number
                )
        elif method == DeliveryMethod.POST:
            if not tracking_number:
                raise _required("case.tracking_number_required", "邮寄送达须填写邮件单号", "tracking_number")
            _check_deliverer(case, actor)
        else:
            _check_deliverer(case, actor)
        before = _snap(case)
        now = _now()
        delivery = Delivery.objects.create(
            case=case,
            method=method,
            tracking_number=tracking_number,
            recipient=recipient or (case.applicant_name if method == DeliveryMethod.WINDOW else ""),
            hall=hall,
            delivered_by=actor,
            delivered_at=now,
        )
        for target in [case, *case.children.select_for_update()]:
            target.state = S.DELIVERED
            target.delivered_at = now
            target.closed_at = now
            if target.pk == case.pk and method == DeliveryMethod.WINDOW:
                target.visits += 1
            target.save()
        _audit(
            actor=actor,
            action="case.delivered",
            case=case,
            before=before,
            details={"method": method, "tracking_number": tracking_number},
        )
        text = {
            DeliveryMethod.WINDOW: f"已在{hall}出件窗口领取",
            DeliveryMethod.POST: f"已邮寄送达（单号 {tracking_number}）",
            DeliveryMethod.ELECTRONIC: "已电子送达，可在线下载",
        }[method]
        _event(case, "delivered", text, actor, at=now)
        _notify_applicant(case, f"【眉县政务服务】您的办件{case.number}{text}。", "delivered")
    return delivery


# --- configuration -------------------------------------------------------------------------------


def review_chain_validate(steps: list[dict]) -> list[dict]:
    """Shape and shares of a review chain. Errors: ``case.chain_invalid`` naming the problem."""
    if not steps:
        raise _required("case.chain_invalid", "审批环节不能为空", "steps")
    clean = []
    for n, step in enumerate(steps, start=1):
        name = str(step.get("name", "")).strip()
        role = step.get("role")
        try:
            share = float(step.get("share"))
        except (TypeError, ValueError):
            raise _required("case.chain_invalid", f"第{n}个环节的时限占比不是数字", "steps") from None
        if not name:
            raise _required("case.chain_invalid", f"第{n}个环节缺少名称", "steps")
        if role not in StepRole.values:
            raise _required("case.chain_invalid", f"第{n}个环节的办理角色不正确", "steps")
        if role == StepRole.CLERK and n != 1:
            raise _required("case.chain_invalid", "只有第一个环节（受理）由综合窗口办理", "steps")
        if not 0 <= share <= 1:
            raise _required("case.chain_invalid", f"第{n}个环节的时限占比应在 0 到 1 之间", "steps")
        clean.append({"name": name, "role": role, "share": share})
    if abs(sum(s["share"] for s in clean) - 1) > 0.001:
        raise _required("case.chain_invalid", "各环节时限占比之和应为 100%", "steps")
    if clean[-1]["role"] != StepRole.HANDLER:
        raise _required("case.chain_invalid", "最后一个环节（决定）须由部门办理", "steps")
    return clean


def review_chain_set(*, item: ServiceItem, steps: list[dict], actor) -> ReviewChain:
    """Configure the review chain of an item (its department or an administrator)."""
    clean = review_chain_validate(steps)
    if not (user_can_act_for_department(actor, item.implementing_department) or Role.ADMIN in user_roles(actor)):
        raise _forbidden("case.not_your_department", "只有实施部门或管理员可以配置审批环节")
    with transaction.atomic():
        chain = ReviewChain.objects.select_for_update().filter(item=item).first()
        before = {"steps": chain.steps} if chain else None
        if chain is None:
            chain = ReviewChain.objects.create(item=item, steps=clean)
        else:
            chain.steps = clean
            chain.save(update_fields=["steps", "updated_at"])
        audit_record(
            actor=actor,
            action="case.review_chain_set",
            obj=chain,
            before=before,
            after={"steps": clean},
            region_code=item.region.code,
        )
    return chain


# --- remote help (远程帮办) ----------------------------------------------------------------------


def _help_log(help_request: HelpRequest, actor, action: str, note: str = "") -> None:
    HelpLog.objects.create(help_request=help_request, at=_now(), actor=actor, action=action, note=note)


def help_request_create(
    *, actor, region, name: str, phone: str, topic: str, description: str = "", item=None, bundle=None
) -> HelpRequest:
    """Someone asks for remote help with an application. Errors: ``case.field_required``, ``case.phone_invalid``."""
    name, phone, topic = (name or "").strip(), (phone or "").strip(), (topic or "").strip()
    if not name or not topic:
        raise _required("case.field_required", "请填写姓名和想办理的事", "topic" if name else "name")
    if not (phone.isdigit() and 7 <= len(phone) <= 12):
        raise _required("case.phone_invalid", "请填写正确的联系电话", "phone")
    with transaction.atomic():
        help_request = HelpRequest.objects.create(
            region=region,
            requester=actor if getattr(actor, "is_authenticated", False) else None,
            name=name,
            phone=phone,
            topic=topic,
            description=(description or "").strip(),
            item=item,
            bundle=bundle,
            created_at=_now(),
        )
        _help_log(help_request, help_request.requester, "created", topic)
        audit_record(actor=actor, action="case.help_requested", obj=help_request, after={"topic": topic})
        outbox_enqueue(
            channel="inapp",
            recipient=f"region:{region.code}:helpdesk",
            body=f"远程帮办请求：{name}，{topic}",
            dedupe_key=f"help:{help_request.pk}:created",
        )
    return help_request


def _check_staff(actor) -> None:
    roles = user_roles(actor)
    if not roles & {Role.CLERK, Role.HANDLER, Role.ADMIN}:
        raise _forbidden("case.not_staff", "只有窗口或部门工作人员可以提供帮办")


def help_request_take(*, help_request: HelpRequest, actor) -> HelpRequest:
    """A staff member takes an open request. Errors: ``case.not_staff`` (403), ``case.help_not_open`` (409)."""
    _check_staff(actor)
    with transaction.atomic():
        help_request = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
        if help_request.state != HelpRequest.State.OPEN:
            raise _conflict("case.help_not_open", "该帮办请求已有人响应或已结束")
        help_request.state = HelpRequest.State.TAKEN
        help_request.helper = actor
        help_request.taken_at = _now()
        help_request.save(update_fields=["state", "helper", "taken_at"])
        _help_log(help_request, actor, "taken", "已联系求助人")
        audit_record(actor=actor, action="case.help_taken", obj=help_request, after={"state": help_request.state})
        outbox_enqueue(
            channel="sms",
            recipient=help_request.phone,
            body=f"【眉县政务服务】您的帮办请求“{help_request.topic}”已由{actor}受理，将与您联系。",
            dedupe_key=f"help:{help_request.pk}:taken",
        )
    return help_request


def help_request_note(*, help_request: HelpRequest, actor, note: str) -> HelpLog:
    note = (note or "").strip()
    if not note:
        raise _required("case.note_required", "请填写帮办记录", "note")
    with transaction.atomic():
        help_request = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
        if help_request.helper_id != getattr(actor, "pk", None):
            raise _forbidden("case.not_your_help", "只有帮办人可以记录")
        log = HelpLog.objects.create(help_request=help_request, at=_now(), actor=actor, action="note", note=note)
        audit_record(actor=actor, action="case.help_noted", obj=help_request, details={"note": note[:300]})
    return log


def help_request_complete(*, help_request: HelpRequest, actor, case: Case | None = None, note: str = "") -> HelpRequest:
    """Close a taken request, optionally linking the case filled with the requester (as agent).

    Errors: ``case.not_your_help`` (403), ``case.help_not_taken`` (409).
    """
    with transaction.atomic():
        help_request = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
        if help_request.state != HelpRequest.State.TAKEN:
            raise _conflict("case.help_not_taken", "只有帮办中的请求可以办结")
        if help_request.helper_id != getattr(actor, "pk", None):
            raise _forbidden("case.not_your_help", "只有帮办人可以办结")
        help_request.state = HelpRequest.State.DONE
        help_request.case = case
        help_request.closed_at = _now()
        help_request.save(update_fields=["state", "case", "closed_at"])
        _help_log(
            help_request, actor, "done", (note or "").strip() or (f"代为填报办件 {case.number}" if case else "已解答")
        )
        audit_record(
            actor=actor,
            action="case.help_done",
            obj=help_request,
            after={"state": help_request.state, "case": case.number if case else None},
        )
    return help_request


# --- deadline sweep ------------------------------------------------------------------------------


@dataclass
class SweepReport:
    checked: int = 0
    marked: dict = field(default_factory=dict)
    deferred_overdue: int = 0
    verifications_overdue: int = 0

    def as_dict(self) -> dict:
        return {
            "checked": self.checked,
            "marked": dict(self.marked),
            "deferred_overdue": self.deferred_overdue,
            "verifications_overdue": self.verifications_overdue,
        }


ALARM_TEXT = {
    DeadlineStatus.WARNING: "已用去80%以上时限，请抓紧办理",
    DeadlineStatus.DUE: "今日到期",
    DeadlineStatus.OVERDUE: "已超期",
}


def cases_sweep(*, today: dt.date | None = None, batch: int = 500) -> SweepReport:
    """Mark every open case's deadline (normal → warning at 80 % → due → overdue) and notify on change;
    flag overdue deferred materials and overdue pledge verifications. Idempotent for a given day."""
    today = today or _today()
    report = SweepReport()
    open_cases = (
        Case.objects.filter(state__in=[S.SUBMITTED, *HANDLING_STATES]).order_by("pk").values_list("pk", flat=True)
    )
    ids = list(open_cases)
    for start in range(0, len(ids), batch):
        for case in Case.objects.filter(pk__in=ids[start : start + batch]).select_related("clock", "intake_clock"):
            report.checked += 1
            clock = case.intake_clock if case.state == S.SUBMITTED else case.clock
            if clock is None:
                continue
            status = clock_status(clock, today)
            if status != case.deadline_status or clock.due_on != case.due_on and case.state != S.SUBMITTED:
                _mark_deadline(case, status, clock=clock, today=today)
                if status != DeadlineStatus.NORMAL:
                    report.marked[status] = report.marked.get(status, 0) + 1
    owed = DeferredMaterial.objects.filter(supplied_at__isnull=True, overdue=False, due_on__lt=today).select_related(
        "case"
    )
    for deferral in owed:
        with transaction.atomic():
            case = _locked(deferral.case)
            deferral = DeferredMaterial.objects.select_for_update().select_related("material").get(pk=deferral.pk)
            if deferral.overdue or deferral.supplied_at:
                continue
            before = _snap(case)
            deferral.overdue = True
            deferral.save(update_fields=["overdue"])
            case.deferred_overdue = True
            case.save(update_fields=["deferred_overdue", "updated_at"])
            _audit(
                actor=None,
                action="case.deferred_overdue",
                case=case,
                before=before,
                details={"material": deferral.material.code},
            )
            _event(case, "deferred_overdue", f"容缺材料“{deferral.material.name}”逾期未补交", None)
            _notify_applicant(
                case,
                f"【眉县政务服务】您的办件{case.number}容缺材料“{deferral.material.name}”已逾期，请尽快补交。",
                f"deferred:{deferral.pk}",
            )
            _notify_department(case, f"办件 {case.number} 容缺材料逾期未补交", f"deferred:{deferral.pk}")
            report.deferred_overdue += 1
    late = PledgeVerification.objects.filter(state=PledgeVerification.State.PENDING, overdue=False, due_on__lt=today)
    for verification in late.select_related("case"):
        with transaction.atomic():
            verification = PledgeVerification.objects.select_for_update().get(pk=verification.pk)
            if verification.overdue:
                continue
            verification.overdue = True
            verification.save(update_fields=["overdue"])
            audit_record(
                actor=None,
                action="case.verification_overdue",
                obj=verification.case,
                details={"verification": verification.pk},
            )
            outbox_enqueue(
                channel="inapp",
                recipient=f"department:{verification.department_id}",
                body=f"告知承诺核查已超期：{verification.case.number}",
                dedupe_key=f"verification:{verification.pk}:overdue",
            )
            report.verifications_overdue += 1
    return report


def _mark_deadline(case: Case, status: str, *, clock: Clock, today: dt.date) -> None:
    with transaction.atomic():
        case = _locked(case)
        before = _snap(case)
        case.deadline_status = status
        if case.state != S.SUBMITTED:
            _set_due(case, clock)
        case.save(update_fields=["deadline_status", "due_on", "due_provisional", "updated_at"])
        _audit(
            actor=None, action="case.deadline_marked", case=case, before=before, details={"today": today.isoformat()}
        )
        if status in ALARM_TEXT:
            text = f"办件 {case.number}（{case.title}）{ALARM_TEXT[status]}，到期日 {clock.due_on:%Y-%m-%d}。"
            if case.state == S.SUBMITTED:
                outbox_enqueue(
                    channel="inapp",
                    recipient=f"region:{case.region.code}:intake",
                    body=text,
                    dedupe_key=f"case:{case.pk}:{status}:{clock.due_on.isoformat()}:intake",
                )
            else:
                _notify_department(case, text, f"{status}:{clock.due_on.isoformat()}")
