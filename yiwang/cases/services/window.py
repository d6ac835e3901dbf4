"""At the window after acceptance: a deferred material (容缺后补) handed in at the counter, and the signed
告知承诺书 put on record.

容缺受理 (plan 四（十五）8): the applicant supplies the deferred material by its due date — at the window
(a file scanned in, or the paper received with the original checked against it) or online
(``case_material_upload``). Once every deferred material is in, the department may decide.
告知承诺制 (国办发〔2020〕42号): the pledge the window printed is signed by the applicant; the record is a
scan of the signed pledge or the clerk's confirmation that it was signed at the counter.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from yiwang.cases.models import Case, CaseMaterial, DeferredMaterial, MaterialStatus, Pledge
from yiwang.cases.services import _common
from yiwang.cases.services._common import (
    _audit,
    _check_applicant_side,
    _check_clerk,
    _conflict,
    _event,
    _forbidden,
    _locked,
    _notify_department,
    _required,
    _snap,
    _stop_clock,
)
from yiwang.cases.services.intake import _delete_files, _save_upload
from yiwang.cases.uploads import upload_check
from yiwang.org.scoping import scope_for


def deferral_supplied(*, case: Case, deferral: DeferredMaterial, actor) -> None:
    """Close one deferral: stop its clock, clear the case's overdue flag when nothing is owed any more,
    tell the department that the review can go on. Called inside the caller's transaction."""
    deferral.supplied_at = _common._now()
    deferral.supplied_by = actor if getattr(actor, "is_authenticated", False) else None
    deferral.save(update_fields=["supplied_at", "supplied_by", "original_checked"])
    if deferral.clock_id:
        _stop_clock(deferral.clock, actor=actor)
    outstanding = DeferredMaterial.objects.filter(case=case, supplied_at__isnull=True).exists()
    if not outstanding:
        case.deferred_overdue = False
        case.save(update_fields=["deferred_overdue", "updated_at"])
    targets = list(case.children.all()) if case.is_bundle_parent else [case]
    for target in targets:
        _notify_department(
            target,
            "cases.deferred_supplied",
            f"deferred_supplied:{deferral.pk}",
            material=deferral.material.name,
            outstanding="尚有其他容缺材料未补交" if outstanding else "容缺材料已全部补齐，可继续审查并作出决定",
        )


def deferred_material_receive(
    *, case: Case, material_code: str, actor, original_checked: bool = False, upload=None
) -> DeferredMaterial:
    """The window takes in a deferred material: a scan (``upload``) or the paper itself, which needs
    ``original_checked`` (原件已核验). The deferral is closed, its clock stopped, the department told.

    Errors: ``case.not_a_clerk``/``case.clerk_outside_hall`` (403), ``case.material_unknown``,
    ``case.no_deferred_materials`` (409: the case has none), ``case.material_not_deferred`` (409: this
    material was not deferred), ``case.deferred_already_supplied`` (409: received twice),
    ``case.original_not_checked`` (the paper without the original checked), the upload's own errors.
    """
    info = upload_check(upload) if upload is not None else None
    if upload is None and not original_checked:
        raise _required(
            "case.original_not_checked", "请核验原件后勾选“原件已核验”，或扫描上传该材料", "original_checked"
        )
    stored: list[str] = []
    try:
        with transaction.atomic():
            case = _locked(case)
            _check_clerk(case, actor)
            material = case.materials.filter(code=(material_code or "").strip()).first()
            if material is None:
                raise _required("case.material_unknown", f"材料编码“{material_code}”不在材料清单中", "material")
            if not DeferredMaterial.objects.filter(case=case).exists():
                raise _conflict("case.no_deferred_materials", "该办件没有容缺后补的材料", case=case.number)
            deferral = (
                DeferredMaterial.objects.select_for_update()
                .select_related("material")
                .filter(material=material)
                .first()
            )
            if deferral is None:
                raise _conflict("case.material_not_deferred", f"“{material.name}”不是容缺后补的材料", case=case.number)
            if deferral.supplied_at is not None:
                raise _conflict(
                    "case.deferred_already_supplied",
                    f"“{material.name}”已于{timezone.localtime(deferral.supplied_at):%Y-%m-%d %H:%M}补交，无需重复收取",
                    case=case.number,
                )
            before = _snap(case)
            details = {"material": material.code, "original_checked": bool(original_checked)}
            if info is not None:
                row = _save_upload(case, material, upload, info, actor, stored)
                material.status = MaterialStatus.UPLOADED
                details.update(upload=row.pk, name=info.name, sha256=info.sha256)
            else:
                material.status = MaterialStatus.RECEIVED
            material.note = "窗口收取，原件已核验" if original_checked else "窗口扫描收取"
            material.save(update_fields=["status", "note"])
            deferral.original_checked = bool(original_checked)
            deferral_supplied(case=case, deferral=deferral, actor=actor)
            _audit(actor=actor, action="case.deferred_received", case=case, before=before, details=details)
            how = "原件已核验" if original_checked else "扫描件"
            _event(case, "deferred_supplied", f"窗口收取容缺材料：{material.name}（{how}）", actor)
    except BaseException:
        _delete_files(stored)
        raise
    return deferral


def pledge_signature_record(*, case: Case, actor, upload=None, confirmed: bool = False) -> Pledge:
    """Put the signed 告知承诺书 on record: a scan of the signed pledge (the applicant, their agent or the
    window), or the window's confirmation that the applicant signed it at the counter (``confirmed``).

    Errors: ``case.no_pledge`` (409), ``case.pledge_signature_recorded`` (409: recorded before),
    ``case.pledge_signature_missing`` (neither a scan nor a confirmation), ``case.not_your_case`` /
    ``case.not_a_clerk`` (403), the upload's own errors.
    """
    info = upload_check(upload) if upload is not None else None
    if info is None and not confirmed:
        raise _required(
            "case.pledge_signature_missing", "请上传签字后的告知承诺书，或由窗口确认申请人已当面签字", "signature"
        )
    stored: list[str] = []
    try:
        with transaction.atomic():
            case = _locked(case)
            if info is None and not scope_for(actor).can("case.accept"):
                raise _forbidden("case.not_a_clerk", "当面签字只能由受理窗口确认", case=case.number)
            _check_applicant_side(case, actor)
            pledge = Pledge.objects.select_for_update().filter(case=case).first()
            if pledge is None:
                raise _conflict("case.no_pledge", "该办件没有告知承诺", case=case.number)
            if pledge.signature_recorded_at is not None:
                raise _conflict(
                    "case.pledge_signature_recorded",
                    f"告知承诺书签署已于{timezone.localtime(pledge.signature_recorded_at):%Y-%m-%d %H:%M}记录",
                    case=case.number,
                )
            before = _snap(case)
            details = {"pledge": pledge.pk}
            if info is not None:
                material: CaseMaterial = pledge.materials.order_by("position").first()
                row = _save_upload(case, material, upload, info, actor, stored)
                pledge.signature_method = "upload"
                pledge.signature_upload = row
                details.update(method="upload", upload=row.pk, name=info.name, sha256=info.sha256)
            else:
                pledge.signature_method = "confirmed"
                details["method"] = "confirmed"
            pledge.signature_recorded_at = _common._now()
            pledge.signature_recorded_by = actor
            pledge.save(
                update_fields=["signature_method", "signature_upload", "signature_recorded_at", "signature_recorded_by"]
            )
            _audit(actor=actor, action="case.pledge_signed", case=case, before=before, details=details)
            how = "已上传签字件" if info is not None else "窗口确认当面签字"
            _event(case, "pledge_signed", f"告知承诺书已签署（{how}）", actor)
    except BaseException:
        _delete_files(stored)
        raise
    return pledge
