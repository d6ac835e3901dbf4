"""``/api/licences/``: public verification, the holder's licences and uses, staff issue and revoke.

Verification is public and says the same as the QR page (genuine / tampered / expired / revoked /
unknown, a person's name masked, no ID number). Issuing honours ``Idempotency-Key``. Staff
operations ask the same actions as the pages (``licence.read``, ``licence.issue``,
``licence.revoke``); a licence outside the caller's departments is 404. Errors are
``{"code", "message", "details"}``.
"""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from yiwang.core.errors import ApplicationError
from yiwang.core.idempotency import idempotent
from yiwang.core.lookups import MAX_ID
from yiwang.core.paging import window
from yiwang.core.ratelimits import rate_limit
from yiwang.org.models import Department
from yiwang.org.permissions import api_action_required, require_action

from . import selectors, services
from .models import Licence, LicenceType

router = Router(tags=["电子证照"])


class VerificationOut(Schema):
    verdict: str = Field(..., description="genuine / tampered / expired / revoked / unknown")
    label: str
    signature_ok: bool
    number: str | None = None
    licence_type: str | None = None
    holder_kind: str | None = None
    holder_name: str | None = Field(None, description="a person's name masked (张*)")
    holder_uscc: str | None = None
    issued_on: str | None = None
    valid_until: str | None = None
    department: str | None = None
    key_id: str | None = None
    revoked_on: str | None = None


class LicenceOut(Schema):
    id: int
    number: str
    licence_type: str
    licence_type_code: str
    holder_kind: str
    holder_name: str
    holder_uscc: str
    fields: dict[str, str]
    issued_on: dt.date
    valid_until: dt.date | None
    department: str
    state: str
    revoked_reason: str
    key_id: str
    signature: str
    case_number: str | None


class UseOut(Schema):
    licence_number: str
    licence_type: str
    department: str | None
    purpose: str
    used_at: dt.datetime


class LicenceIn(Schema):
    licence_type: str = Field(..., max_length=40, description="licence type code")
    holder_name: str = Field(..., max_length=200)
    holder_id_number: str = Field("", max_length=18)
    holder_uscc: str = Field("", max_length=18)
    fields: dict[str, str] = Field(default_factory=dict)
    department_code: str = Field(..., max_length=64)
    valid_until: dt.date | None = None


class RevokeIn(Schema):
    reason: str = Field(..., max_length=500)


class StaffQuery(Schema):
    state: str = Field("", max_length=10)
    q: str = Field("", max_length=100)
    licence_type: str = Field("", max_length=40)
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=100_000)


def _out(licence: Licence) -> LicenceOut:
    return LicenceOut(
        id=licence.pk,
        number=licence.number,
        licence_type=licence.licence_type.name,
        licence_type_code=licence.licence_type.code,
        holder_kind=licence.holder_kind,
        holder_name=licence.holder_name,
        holder_uscc=licence.holder_uscc,
        fields=licence.fields,
        issued_on=licence.issued_on,
        valid_until=licence.valid_until,
        department=licence.department.name,
        state=licence.state,
        revoked_reason=licence.revoked_reason,
        key_id=licence.key.key_id,
        signature=licence.signature,
        case_number=licence.case.number if licence.case_id else None,
    )


class LicenceTypeOut(Schema):
    code: str
    name: str
    validity_years: int | None
    fields_schema: list[dict]
    item_codes: list[str]


@router.get("/types", response=list[LicenceTypeOut], auth=None)
def list_types(request):
    """Public: the active licence types, their fields and the items whose approval issues them."""
    return list(LicenceType.objects.filter(is_active=True).order_by("code"))


@router.get("/verify/{number}", response=VerificationOut, auth=None)
def verify(request, number: str, c: str | None = None):
    """Public verification of a licence number (and optionally the QR check code ``c``)."""
    rate_limit(request, "licences.verify", target=number[:64])  # 429 rate_limited: numbers are not to be guessed
    return selectors.licence_verify_number(number[:64], check=c[:64] if c else None).public()


class DocumentIn(Schema):
    content: dict = Field(..., description="the licence's canonical content (see yiwang.licences.signing)")
    signature: str = Field(..., max_length=200)


class DocumentOut(Schema):
    content: dict
    signature: str
    algorithm: str


@router.post("/verify-document", response=VerificationOut, auth=None)
def verify_document(request, payload: DocumentIn):
    """Public: verify a licence document (content + signature) received from its holder."""
    number = payload.content.get("number")
    rate_limit(request, "licences.verify", target=number[:64] if isinstance(number, str) else None)
    return selectors.document_verify(payload.content, payload.signature).public()


@router.get("/mine", response=list[LicenceOut])
@api_action_required("licence.hold", "licence.read")
def mine(request):
    """The caller's own licences (as holder)."""
    return [_out(lic) for lic in selectors.licences_of_user(request.user).select_related("key", "case")]


@router.get("/mine/uses", response=list[UseOut])
@api_action_required("licence.hold", "licence.read")
def mine_uses(request, limit: int = 500, offset: int = 0):
    """Every use of the caller's licences (who used which licence for what), newest first, ``limit`` (at
    most 500) from ``offset``: page on with ``offset``."""
    return [
        UseOut(
            licence_number=u.licence.number,
            licence_type=u.licence.licence_type.name,
            department=u.department.name if u.department_id else None,
            purpose=u.purpose,
            used_at=u.used_at,
        )
        for u in window(selectors.uses_of_user(request.user), offset=offset, limit=limit, most=500)
    ]


@router.get("/mine/{number}/document", response=DocumentOut)
@api_action_required("licence.hold", "licence.read")
def mine_document(request, number: str):
    """The signed document of one of the caller's licences, to hand to a third party."""
    licence = (
        selectors.licences_of_user(request.user)
        .select_related("key", "licence_type", "department")
        .filter(number=number[:64])
        .first()
    )
    if licence is None:
        raise ApplicationError("licence.not_found", "没有该证照", status=404)
    return selectors.licence_document(licence)


@router.get("/licences", response=list[LicenceOut])
@api_action_required("licence.read")
def list_licences(request, query: Query[StaffQuery]):
    qs = selectors.licences_for_staff(request.user, state=query.state, q=query.q, licence_type=query.licence_type)
    return [_out(lic) for lic in qs.select_related("key", "case")[query.offset : query.offset + query.limit]]


def _staff_licence(request, pk: int) -> Licence:
    if not 0 < pk <= MAX_ID:
        raise ApplicationError("licence.not_found", "没有该证照", status=404)
    licence = selectors.licence_for_staff(request.user, pk)
    if licence is None:
        raise ApplicationError("licence.not_found", "没有该证照", status=404)
    return licence


@router.get("/licences/{pk}", response=LicenceOut)
@api_action_required("licence.read")
def get_licence(request, pk: int):
    return _out(_staff_licence(request, pk))


@router.post("/licences", response={201: LicenceOut})
@idempotent
@api_action_required("licence.issue")
def issue(request, payload: LicenceIn):
    """Issue a licence in the caller's department (outside a case, e.g. a licence of 一业一证)."""
    licence_type = LicenceType.objects.filter(code=payload.licence_type).first()
    if licence_type is None:
        raise ApplicationError(
            "licence.type_unknown", f"没有证照类型“{payload.licence_type}”", details={"field": "licence_type"}
        )
    department = get_object_or_404(Department, code=payload.department_code)
    require_action(request, "licence.issue", department=department)
    licence = services.licence_issue(
        licence_type=licence_type,
        holder_name=payload.holder_name,
        holder_id_number=payload.holder_id_number,
        holder_uscc=payload.holder_uscc,
        fields=payload.fields,
        department=department,
        valid_until=payload.valid_until,
        actor=request.user,
    )
    return Status(201, _out(licence))


@router.post("/licences/{pk}/revoke", response=LicenceOut)
@api_action_required("licence.revoke")
def revoke(request, pk: int, payload: RevokeIn):
    licence = _staff_licence(request, pk)
    require_action(request, "licence.revoke", department=licence.department)
    return _out(services.licence_revoke(licence=licence, actor=request.user, reason=payload.reason))
