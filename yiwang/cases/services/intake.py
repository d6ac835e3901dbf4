"""Submission (online, counter, station, kiosk) and material uploads."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.cases import selectors
from yiwang.cases.conf import cases_setting
from yiwang.cases.licences import Holder, get_licence_lookup
from yiwang.cases.measures import on_case_submitted
from yiwang.cases.models import (
    AgentKind,
    ApplicantKind,
    Case,
    CaseMaterial,
    CaseUpload,
    Channel,
    DeferredMaterial,
    DeliveryMethod,
    MaterialStatus,
)
from yiwang.cases.services import _common
from yiwang.cases.services._common import (
    CODE_ALPHABET,
    HALL_CHANNELS,
    IDENTITY_FIELDS,
    S,
    _audit,
    _check_applicant_side,
    _conflict,
    _event,
    _forbidden,
    _locked,
    _notify_applicant,
    _required,
    _snap,
)
from yiwang.cases.uploads import CheckedUpload, upload_check
from yiwang.catalog.models import Bundle, BundleStatus, ItemStatus, ServiceItem, ServiceItemVersion
from yiwang.catalog.selectors import ItemSpec, bundle_detail, bundle_merged_form, bundle_merged_materials, item_spec
from yiwang.core.audit import audit_record
from yiwang.core.errors import ApplicationError
from yiwang.core.identifiers import validate_id_number, validate_uscc
from yiwang.core.limits import text_limit
from yiwang.org.models import Department, ServiceHall
from yiwang.org.scoping import scope_for
from yiwang.workdays.services import clock_start


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


# Characters a single-line answer may have; a multi-line one has ``YIWANG_TEXT_LIMITS["FORM_FIELD"]``.
FORM_TEXT_MAX = 200
PHONE_RE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def _form_value_error(field: dict, value: str) -> str | None:
    """Why ``value`` does not fit the field's type in the item's form definition (``FormFieldSpec.type``)."""
    kind, label = field.get("type") or "text", field.get("label") or field["key"]
    limit = int(field.get("max_length") or (text_limit("FORM_FIELD") if kind == "textarea" else FORM_TEXT_MAX))
    if len(value) > limit:
        return f"{label}不能超过 {limit} 个字"
    if kind == "number":
        try:
            number = Decimal(value.replace(",", ""))
        except InvalidOperation:
            return f"{label}应为数字"
        if not number.is_finite() or abs(number) >= Decimal("1e15"):
            return f"{label}应为有效的数字"
    elif kind == "date":
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return f"{label}应为存在的日期（如 2026-03-01）"
        if not 1900 <= day.year <= 2100:
            return f"{label}的年份应在 1900 至 2100 之间"
    elif kind in ("id_number", "uscc"):
        try:
            (validate_id_number if kind == "id_number" else validate_uscc)(value.upper())
        except ValidationError as error:
            return f"{label}：{error.messages[0]}"
    elif kind == "phone" and not PHONE_RE.match(value.replace(" ", "")):
        return f"{label}应为11位手机号或带区号的固话"
    return None


def _check_form(form_fields: list[dict], form_data: dict) -> dict:
    """Required fields filled, each value fits its field's type (numbers, dates that exist, ID numbers,
    lengths); identity fields dropped (they live in the encrypted applicant columns).

    Errors: ``case.form_incomplete`` (the missing labels) and ``case.form_field_invalid`` (one message
    per field in ``details["errors"]``, keyed by the field).
    """
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
    errors = {}
    for f in form_fields:
        value = clean.get(f["key"])
        if value and f["key"] not in IDENTITY_FIELDS:
            problem = _form_value_error(f, value)
            if problem:
                errors[f["key"]] = problem
    if errors:
        raise ApplicationError(
            "case.form_field_invalid",
            "申请表填写有误：" + "；".join(errors.values()),
            details={"field": "form_data", "errors": errors},
        )
    known = {f["key"] for f in form_fields}
    return {k: v for k, v in clean.items() if k in known and v}


def _material_rows(case: Case, *, spec: ItemSpec | None, bundle: Bundle | None) -> list[CaseMaterial]:
    rows = []
    if spec is not None:
        for position, m in enumerate(spec.materials, start=1):
            rows.append(
                CaseMaterial(
                    case=case,
                    region_id=case.region_id,
                    position=position,
                    code=m.code,
                    name=m.name,
                    required=m.required,
                    key=m.key,
                    deferrable=m.deferrable,  # never a key material (MaterialSpec)
                    pledge_replaceable=m.pledge_replaceable,
                    licence_type=m.licence_type,
                    sources=[[spec.code, m.code]],
                )
            )
    else:
        for position, m in enumerate(bundle_merged_materials(bundle), start=1):
            rows.append(
                CaseMaterial(
                    case=case,
                    region_id=case.region_id,
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


def _apply_licences(case: Case, rows: list[CaseMaterial], actor=None) -> int:
    """Mark materials the applicant holds as valid e-licences (the ``licences`` hook) as satisfied;
    each use is logged through the hook's optional ``record_use``."""
    lookup = get_licence_lookup()
    record_use = getattr(lookup, "record_use", None)
    holder = Holder(name=case.applicant_name, id_number=case.applicant_id_number or "", uscc=case.applicant_uscc)
    today = _common._today()
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
            if record_use is not None:
                record_use(ref=ref, case=case, actor=actor, material=row.name)
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
        region_id=case.region_id,
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


def _submitted_with_materials(
    case: Case, rows: list[CaseMaterial], checked: dict, *, actor, stored: list, now: dt.datetime, region_code: str
) -> int:
    """The rest of a submission once its case row exists: the materials (those held as e-licences
    satisfied), the uploads saved on their materials, the intake clock started, the roll-ups told.
    Returns how many materials an e-licence satisfied."""
    licences = _apply_licences(case, rows, actor=actor)
    CaseMaterial.objects.bulk_create(rows)
    if any(row.pk is None for row in rows):  # a backend that returns no keys from a bulk insert
        rows = list(case.materials.order_by("position"))
    case._submitted_materials = rows  # the checklist as written: the submission's answer reads it
    by_code = {m.code: m for m in rows}
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
        region_code=region_code,
    )
    case.save(update_fields=["number", "intake_clock"])  # the number the caller set after the insert, too
    on_case_submitted(case)
    return licences


def submitted_materials(case: Case) -> list[CaseMaterial]:
    """The checklist of a case ``case_submit`` just returned, in position order, as it was written
    (uploads and e-licences applied); read from the database for any other case object."""
    rows = getattr(case, "_submitted_materials", None)
    return list(rows) if rows is not None else list(case.materials.order_by("position"))


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
    version = spec = None
    if item is not None:
        if not all(ServiceItem._meta.get_field(name).is_cached(item) for name in ("region", "implementing_department")):
            item = ServiceItem.objects.select_related("region", "implementing_department").get(pk=item.pk)
        if item.status != ItemStatus.PUBLISHED or item.version < 1:
            raise _conflict("case.item_not_available", f"事项“{item.name}”当前不可申请", item=item.code)
        version = ServiceItemVersion.objects.get(item=item, number=item.version)
        spec = item_spec(item, version=version)
        specs = [spec]
        audience, form_fields = spec.audience, [f.as_dict() for f in spec.form_fields]
        region, department, title = item.region, item.implementing_department, item.name
        if spec.department_id != item.implementing_department_id:
            department = Department.objects.get(pk=spec.department_id)
        # A case's legal_days is 0 where the item has no statutory limit (无法定时限).
        promised, legal, instant = spec.promised_days, spec.legal_days or 0, spec.instant
    else:
        bundle = bundle_detail(bundle.code) if bundle.status == BundleStatus.PUBLISHED else None
        if bundle is None:
            raise _conflict("case.item_not_available", "该“一件事”当前不可申请")
        items = [bi.item for bi in bundle.bundle_items.all()]
        if any(i.status != ItemStatus.PUBLISHED for i in items):
            raise _conflict("case.item_not_available", f"“{bundle.name}”中有事项已停用，暂不可申请", bundle=bundle.code)
        specs = [item_spec(i) for i in items]
        audience, form_fields = bundle.audience, bundle_merged_form(bundle)
        region, department, title = bundle.region, bundle.lead_department, bundle.name
        promised = bundle.target_days or max(i.promised_days for i in items)
        legal = max(i.legal_days or 0 for i in items)
        instant = False

    if channel == Channel.ONLINE:
        if not all(s.online for s in specs):
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
        scope = scope_for(actor)
        if not scope.can("case.intake"):
            raise _forbidden("case.not_a_clerk", "只有综合窗口工作人员可以在窗口收件")
        if not scope.can("case.intake", hall=hall):
            raise _forbidden("case.clerk_outside_hall", f"您不是{hall}的窗口工作人员，不能在该大厅收件", hall=hall.pk)
        channel = HALL_CHANNELS[hall.kind]
        if window is None:
            window = selectors.clerk_window(actor, hall)

    applicant = _clean_applicant(applicant, audience)
    clean_form = _check_form(form_fields, form_data or {})
    if delivery_method not in DeliveryMethod.values or not all(s.offers_delivery(delivery_method) for s in specs):
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

    now = _common._now()
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
            # Written with the intake clock's key, in one UPDATE (_submitted_with_materials).
            case.number = f"YW{timezone.localtime(now):%Y%m%d}{case.pk:07d}"
            rows = _material_rows(case, spec=spec, bundle=bundle)
            licences = _submitted_with_materials(
                case, rows, checked, actor=actor, stored=stored, now=now, region_code=region.code
            )
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
            _notify_applicant(case, "cases.submitted", "submitted", code=case.verification_code)
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
                from yiwang.cases.services.window import deferral_supplied  # window builds on intake

                deferral_supplied(case=case, deferral=deferral, actor=actor)
                details["deferred_supplied"] = True
                _event(case, "deferred_supplied", f"补交容缺材料：{material.name}", actor)
            else:
                _event(case, "uploaded", f"上传材料：{material.name}", actor, public=True)
            _audit(actor=actor, action="case.material_uploaded", case=case, before=before, details=details)
    except BaseException:
        _delete_files(stored)
        raise
    return row
