"""Writes of the e-licence app: issue, revoke, expire, rotate keys, record uses.

Every service changes its rows under a row lock in one transaction with its audit event and its
roll-up increment (``yiwang.licences.measures``).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.core.audit import AuditEntry, audit_record, audit_record_many
from yiwang.core.errors import ApplicationError
from yiwang.core.identifiers import is_valid_id_number, is_valid_uscc
from yiwang.core.notify import ToUser, notify
from yiwang.org.models import Department
from yiwang.org.scoping import scope_for

from . import measures
from .conf import licences_setting
from .models import HolderKind, Licence, LicenceState, LicenceType, LicenceUse, SigningKey
from .signing import canonical_bytes, canonical_dict, sm2_keypair, sm2_sign
from .workflow import check_licence_transition

FIELD_VALUE_MAX = 500


def _error(code: str, message: str, *, status: int = 400, **details) -> ApplicationError:
    return ApplicationError(code, message, details=details, status=status)


def _now() -> dt.datetime:
    return timezone.now()


def _snap(licence: Licence) -> dict:
    return {
        "number": licence.number,
        "type": licence.licence_type.code,
        "state": licence.state,
        "valid_until": licence.valid_until,
        "revoked_reason": licence.revoked_reason,
    }


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` plus whole calendar years (29 February → 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def default_valid_until(licence_type: LicenceType, issued_on: dt.date) -> dt.date | None:
    """The type's validity, else the county default; None = 长期有效. A licence valid N years ends
    the day before the anniversary of its issue."""
    years = licence_type.validity_years or licences_setting("DEFAULT_VALIDITY_YEARS")
    if not years:
        return None
    return add_years(issued_on, int(years)) - dt.timedelta(days=1)


# --- signing keys -------------------------------------------------------------------------------


def _new_key(department: Department, now: dt.datetime) -> SigningKey:
    private, public = sm2_keypair()
    serial = SigningKey.objects.filter(department=department).count() + 1
    return SigningKey.objects.create(
        department=department,
        key_id=f"{department.code}-{now:%Y%m%d}-{serial:02d}-{secrets.token_hex(2)}",
        private_key=private,
        public_key=public,
        active=True,
        created_at=now,
    )


def signing_key_for(department: Department, *, actor=None) -> SigningKey:
    """The department's active key; the first use creates it (audited). Runs in the caller's
    transaction; a concurrent first use is resolved by the one-active-key constraint."""
    key = SigningKey.objects.filter(department=department, active=True).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            key = _new_key(department, _now())
            audit_record(
                actor=actor,
                action="licence.key_created",
                obj=key,
                region_code=department.region.code,
                details={"department": department.code, "key_id": key.key_id, "public_key": key.public_key},
            )
            return key
    except IntegrityError:
        return SigningKey.objects.get(department=department, active=True)


def signing_key_rotate(*, department: Department, actor) -> SigningKey:
    """Retire the department's active key and create a new one. The old key is kept (inactive) so
    every licence it signed still verifies. Error: ``licence.forbidden`` (403)."""
    if actor is not None and not scope_for(actor).can("licence.manage_keys", department=department):
        raise _error("licence.forbidden", "无权更换该部门的签章密钥", status=403)
    with transaction.atomic():
        now = _now()
        old = list(SigningKey.objects.select_for_update().filter(department=department, active=True))
        for key in old:
            key.active = False
            key.retired_at = now
            key.save(update_fields=["active", "retired_at"])
        key = _new_key(department, now)
        audit_record(
            actor=actor,
            action="licence.key_rotated",
            obj=key,
            region_code=department.region.code,
            details={"department": department.code, "retired": [k.key_id for k in old], "key_id": key.key_id},
        )
    return key


# --- issue --------------------------------------------------------------------------------------


def _clean_fields(licence_type: LicenceType, fields) -> dict[str, str]:
    if fields is None:
        fields = {}
    if not isinstance(fields, dict):
        raise _error("licence.fields_invalid", "证照内容应为“字段: 值”的对象", field="fields")
    labels = licence_type.field_labels
    unknown = sorted(set(map(str, fields)) - set(labels))
    if unknown:
        raise _error(
            "licence.field_unknown",
            f"证照类型“{licence_type.name}”没有字段：{'、'.join(unknown)}",
            field="fields",
            unknown=unknown,
        )
    clean = {}
    for key, value in fields.items():
        text = "" if value is None else str(value).strip()
        if len(text) > FIELD_VALUE_MAX:
            raise _error(
                "licence.field_too_long", f"“{labels[key]}”不能超过{FIELD_VALUE_MAX}个字", field=f"fields.{key}"
            )
        if text:
            clean[str(key)] = text
    missing = [
        f.get("label", f["key"])
        for f in licence_type.fields_schema or []
        if f.get("required") and f["key"] not in clean
    ]
    if missing:
        raise _error("licence.field_missing", f"请填写证照内容：{'、'.join(missing)}", field="fields", missing=missing)
    return clean


def _holder(holder_name: str, holder_id_number: str, holder_uscc: str) -> tuple[str, str, str, str]:
    name = (holder_name or "").strip()
    id_number = (holder_id_number or "").strip().upper()
    uscc = (holder_uscc or "").strip().upper()
    if not name:
        raise _error("licence.holder_required", "请填写持证主体名称", field="holder_name")
    if len(name) > 200:
        raise _error("licence.holder_too_long", "持证主体名称不能超过200个字", field="holder_name")
    if uscc:
        if not is_valid_uscc(uscc):
            raise _error("licence.uscc_invalid", f"统一社会信用代码“{uscc}”校验不通过", field="holder_uscc")
        return HolderKind.ENTERPRISE, name, "", uscc
    if id_number:
        if not is_valid_id_number(id_number):
            raise _error("licence.id_number_invalid", "身份证号码校验不通过", field="holder_id_number")
        return HolderKind.PERSON, name, id_number, ""
    raise _error(
        "licence.holder_id_required",
        "持证主体须有身份证号码（自然人）或统一社会信用代码（企业）",
        field="holder_id_number",
    )


def licence_issue(
    *,
    licence_type: LicenceType,
    holder_name: str,
    holder_id_number: str = "",
    holder_uscc: str = "",
    fields: dict,
    department: Department,
    case=None,
    valid_until: dt.date | None = None,
    actor,
    issued_on: dt.date | None = None,
    holder_user=None,
) -> Licence:
    """Issue, number and sign one e-licence with the department's active SM2 key.

    Rules: the type is active; a person holder is identified by a valid ID number (GB 11643), an
    enterprise by a valid USCC (GB 32100; the USCC wins when both are given); the fields are the
    type's, required ones filled; ``valid_until`` defaults to the type's validity (长期有效 when
    none) and is not before the day of issue; an acting user needs ``licence.issue`` in the
    department (``actor=None`` is the system, e.g. issuance at approval). One licence of a type per
    case: issuing again for the same case returns the first (a retried approval never issues twice).
    Number: ``<region>-<TYPE>-<year>-<7 digits>``. Runs in the caller's transaction when there is one.
    Errors: ``licence.type_inactive``, ``licence.holder_required``, ``licence.uscc_invalid``,
    ``licence.holder_too_long``, ``licence.id_number_invalid``, ``licence.holder_id_required``, ``licence.fields_invalid``,
    ``licence.field_unknown``, ``licence.field_missing``, ``licence.field_too_long``,
    ``licence.validity_invalid``, ``licence.forbidden`` (403).
    """
    if not licence_type.is_active:
        raise _error("licence.type_inactive", f"证照类型“{licence_type.name}”已停用", field="licence_type")
    kind, name, id_number, uscc = _holder(holder_name, holder_id_number, holder_uscc)
    clean = _clean_fields(licence_type, fields)
    if actor is not None and not scope_for(actor).can("licence.issue", department=department):
        raise _error("licence.forbidden", "无权以该部门名义签发证照", status=403)
    now = _now()
    issued_on = issued_on or timezone.localdate(now)
    if valid_until is None:
        valid_until = default_valid_until(licence_type, issued_on)
    elif valid_until < issued_on:
        raise _error("licence.validity_invalid", "有效期截止日不能早于发证日期", field="valid_until")
    with transaction.atomic():
        if case is not None:
            existing = Licence.objects.filter(case=case, licence_type=licence_type).first()
            if existing is not None:
                return existing
        key = signing_key_for(department, actor=actor)
        region = case.region if case is not None else department.region
        licence = Licence.objects.create(
            number=f"tmp-{secrets.token_hex(12)}",
            licence_type=licence_type,
            holder_kind=kind,
            holder_name=name,
            holder_id_number=id_number or None,
            holder_uscc=uscc,
            holder_user=holder_user,
            fields=clean,
            issued_on=issued_on,
            valid_until=valid_until,
            department=department,
            region=region,
            case=case,
            state=LicenceState.VALID if valid_until is None or valid_until >= issued_on else LicenceState.EXPIRED,
            signature="",
            key=key,
            issued_by=actor,
            created_at=now,
        )
        licence.number = f"{region.code}-{licence_type.code.upper()}-{issued_on.year}-{licence.pk:07d}"
        licence.signature = sm2_sign(
            private_key=key.private_key, public_key=key.public_key, data=canonical_bytes(canonical_dict(licence))
        )
        licence.save(update_fields=["number", "signature"])
        audit_record(
            actor=actor,
            action="licence.issued",
            obj=licence,
            after=_snap(licence),
            details={"case": case.number if case is not None else None, "key_id": key.key_id},
        )
        measures.on_issued(licence)
        _tell_holder(licence, "licences.issued", "issued")
    return licence


def _tell_holder(licence: Licence, template: str, event: str, **context) -> int:
    """An inbox message to the holder's account (if the licence has one), once per event; returns
    the messages written (0 when already told)."""
    if licence.holder_user_id is None:
        return 0
    return notify(
        to=ToUser(licence.holder_user_id),
        template=template,
        context={"name": licence.licence_type.name, "number": licence.number, **context},
        key=f"licence:{licence.pk}:{event}",
        link="/licences/mine/",
    )


# --- revoke and expire --------------------------------------------------------------------------


def _locked(licence: Licence) -> Licence:
    return Licence.objects.select_for_update(of=("self",)).select_related("licence_type").get(pk=licence.pk)


def licence_revoke(*, licence: Licence, actor, reason: str) -> Licence:
    """Revoke (注销) a licence, with a reason; it then verifies as 已注销 and is never reused.

    Only the issuing department (``licence.revoke``) or the system. A valid or expired licence can be
    revoked; a revoked one cannot. Errors: ``licence.reason_required``, ``licence.reason_too_long``, ``licence.forbidden`` (403),
    ``licence.invalid_transition`` (409).
    """
    reason = (reason or "").strip()
    if not reason:
        raise _error("licence.reason_required", "注销证照须写明原因", field="reason")
    if len(reason) > 500:
        raise _error("licence.reason_too_long", f"注销原因不能超过500个字（现为{len(reason)}个字）", field="reason")
    if actor is not None and not scope_for(actor).can("licence.revoke", department=licence.department):
        raise _error("licence.forbidden", "只有发证部门可以注销该证照", status=403)
    with transaction.atomic():
        licence = _locked(licence)
        before = _snap(licence)
        check_licence_transition(licence, LicenceState.REVOKED)
        licence.state = LicenceState.REVOKED
        licence.revoked_reason = reason
        licence.revoked_at = _now()
        licence.save(update_fields=["state", "revoked_reason", "revoked_at"])
        audit_record(actor=actor, action="licence.revoked", obj=licence, before=before, after=_snap(licence))
        measures.on_revoked(licence)
        _tell_holder(licence, "licences.revoked", "revoked", reason=reason)
    return licence


def licences_expire(*, today: dt.date | None = None, batch: int = 1000) -> int:
    """Mark every valid licence whose last valid day has passed as expired (the daily sweep hook).

    Idempotent: a second run the same day finds nothing. One audit event per licence, written
    together with the change in batches. Returns the number expired."""
    today = today or timezone.localdate()
    total = 0
    while True:
        with transaction.atomic():
            rows = list(
                Licence.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("licence_type")
                .filter(state=LicenceState.VALID, valid_until__lt=today)
                .order_by("pk")[:batch]
            )
            if not rows:
                return total
            befores = [_snap(r) for r in rows]
            Licence.objects.filter(pk__in=[r.pk for r in rows]).update(state=LicenceState.EXPIRED)
            for row in rows:
                row.state = LicenceState.EXPIRED
            audit_record_many(
                actor=None,
                action="licence.expired",
                entries=[
                    AuditEntry(obj=row, before=before, after=_snap(row))
                    for row, before in zip(rows, befores, strict=True)
                ],
            )
        total += len(rows)


def licences_warn_expiring(*, today: dt.date | None = None) -> int:
    """Tell each holder (inbox) once that a valid licence ends within ``EXPIRY_WARNING_DAYS``
    calendar days (县级默认值 30). Idempotent: one message per licence (its notification key)."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=int(licences_setting("EXPIRY_WARNING_DAYS")))
    due = (
        Licence.objects.filter(
            state=LicenceState.VALID, valid_until__gte=today, valid_until__lte=horizon, holder_user__isnull=False
        )
        .select_related("licence_type")
        .order_by("pk")
    )
    sent = 0
    for licence in due.iterator(chunk_size=500):
        with transaction.atomic():
            sent += _tell_holder(
                licence, "licences.expiring", "expiring", valid_until=f"{licence.valid_until:%Y-%m-%d}"
            )
    return sent


def expiry_sweep_hook(*, now=None, **_) -> int:
    today = timezone.localdate(now) if now else None
    expired = licences_expire(today=today)
    licences_warn_expiring(today=today)
    return expired


# --- uses ---------------------------------------------------------------------------------------


def licence_record_use(*, licence: Licence, case=None, actor=None, purpose: str, department=None) -> LicenceUse:
    """Log one use of a licence (调用共享): who used it, for which case and what. The holder sees the
    log on 我的证照. Counted in ``licences.reused``. Runs in the caller's transaction."""
    purpose = (purpose or "").strip()[:300] or "调用证照"
    if department is None and case is not None:
        department = case.department
    with transaction.atomic():
        use = LicenceUse.objects.create(
            licence=licence,
            case=case,
            actor=actor,
            department=department,
            region=case.region if case is not None else licence.region,
            purpose=purpose,
            used_at=_now(),
        )
        audit_record(
            actor=actor,
            action="licence.used",
            obj=licence,
            region_code=use.region.code,
            details={"case": case.number if case is not None else None, "purpose": purpose},
        )
        measures.on_used(use, licence)
    return use
