"""Reads of the e-licence app: verification, the holder's licences and uses, staff lists, figures."""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from yiwang.core.gm import sm3_hex
from yiwang.measures.selectors import facts
from yiwang.org.scoping import scope_for

from . import measures
from .conf import licences_setting
from .models import HolderKind, Licence, LicenceState, LicenceUse
from .signing import canonical_bytes, canonical_dict, sm2_verify


class Verdict:
    GENUINE = "genuine"  # signature verifies, licence valid today
    TAMPERED = "tampered"  # the record (or the printed check code) does not match its signature
    EXPIRED = "expired"  # genuine, but past its last valid day
    REVOKED = "revoked"  # genuine, but revoked (注销)
    UNKNOWN = "unknown"  # no licence with that number

    LABELS = {
        GENUINE: "有效",
        TAMPERED: "验证失败：证照内容与签名不符",
        EXPIRED: "已过期",
        REVOKED: "已注销",
        UNKNOWN: "查无此证",
    }


@dataclass(frozen=True)
class Verification:
    verdict: str
    licence: Licence | None = None
    signature_ok: bool = False

    @property
    def label(self) -> str:
        return Verdict.LABELS[self.verdict]

    def public(self) -> dict:
        """What a public verification shows: never an ID number; a person's name masked."""
        data = {"verdict": self.verdict, "label": self.label, "signature_ok": self.signature_ok}
        licence = self.licence
        if licence is not None and self.verdict != Verdict.TAMPERED:
            data.update(
                number=licence.number,
                licence_type=licence.licence_type.name,
                holder_kind=licence.get_holder_kind_display(),
                holder_name=licence.public_holder_name,
                holder_uscc=licence.holder_uscc if licence.holder_kind == HolderKind.ENTERPRISE else "",
                issued_on=licence.issued_on.isoformat(),
                valid_until=licence.valid_until.isoformat() if licence.valid_until else None,
                department=licence.department.name,
                key_id=licence.key.key_id,
                revoked_on=timezone.localdate(licence.revoked_at).isoformat() if licence.revoked_at else None,
            )
        elif licence is not None:
            data.update(number=licence.number)
        return data


def check_code(licence: Licence) -> str:
    """The short code printed in the QR URL: leading hex digits of SM3(signature)."""
    return sm3_hex(licence.signature.encode("ascii"))[: int(licences_setting("QR_CHECK_LENGTH"))]


def signature_valid(licence: Licence) -> bool:
    """Whether the stored signature verifies over the stored content under the stored key."""
    data = canonical_bytes(canonical_dict(licence))
    return sm2_verify(public_key=licence.key.public_key, signature=licence.signature, data=data)


def licence_verify(licence: Licence, *, check: str | None = None, today: dt.date | None = None) -> Verification:
    """Genuine, tampered, expired or revoked. Tampered wins: content that fails its signature (or a
    printed check code that does not match the signature on record) is never reported valid. Then
    revoked, then expired (by state or by date, so a licence past its day is expired before the
    nightly sweep marks it)."""
    today = today or timezone.localdate()
    ok = signature_valid(licence)
    if ok and check is not None and not hmac.compare_digest(check.lower(), check_code(licence)):
        ok = False
    if not ok:
        return Verification(Verdict.TAMPERED, licence, False)
    if licence.state == LicenceState.REVOKED:
        return Verification(Verdict.REVOKED, licence, True)
    if licence.state == LicenceState.EXPIRED or (licence.valid_until is not None and licence.valid_until < today):
        return Verification(Verdict.EXPIRED, licence, True)
    return Verification(Verdict.GENUINE, licence, True)


def licence_verify_number(number: str, *, check: str | None = None) -> Verification:
    licence = (
        Licence.objects.select_related("licence_type", "department", "key")
        .filter(number=(number or "").strip())
        .first()
    )
    if licence is None:
        return Verification(Verdict.UNKNOWN)
    return licence_verify(licence, check=check)


def document_verify(content: dict, signature: str) -> Verification:
    """Verify a licence document held outside the register (its canonical content and signature, as
    ``licence_document`` gives them): the signature must verify under the key named in the content,
    and the content must equal the register's record of that number (so an edited copy, or a copy
    signed by a key the register never used for it, is tampered); then revoked / expired as usual."""
    from .models import SigningKey

    if not isinstance(content, dict) or not isinstance(signature, str):
        return Verification(Verdict.TAMPERED)
    key = SigningKey.objects.filter(key_id=str(content.get("key_id", ""))[:80]).first()
    try:
        data = canonical_bytes(content)
    except (TypeError, ValueError):
        return Verification(Verdict.TAMPERED)
    if key is None or not sm2_verify(public_key=key.public_key, signature=signature, data=data):
        return Verification(Verdict.TAMPERED)
    licence = (
        Licence.objects.select_related("licence_type", "department", "key")
        .filter(number=str(content.get("number", ""))[:64])
        .first()
    )
    if licence is None:
        return Verification(Verdict.UNKNOWN)
    if canonical_bytes(canonical_dict(licence)) != data:
        return Verification(Verdict.TAMPERED, licence, False)
    return licence_verify(licence)


def licence_document(licence: Licence) -> dict:
    """The signed document of a licence: its canonical content and the SM2 signature over it."""
    return {"content": canonical_dict(licence), "signature": licence.signature, "algorithm": "SM2-SM3"}


# --- holders and staff --------------------------------------------------------------------------


def licences_of_user(user) -> QuerySet[Licence]:
    """The licences a signed-in holder sees: issued to their account, to their ID number, or to an
    enterprise whose USCC their account carries."""
    q = Q(holder_user=user)
    id_number = getattr(user, "id_number", None)
    if id_number:
        from yiwang.core.pii import pii_lookup_hash

        q |= Q(holder_kind=HolderKind.PERSON, holder_id_number_hash=pii_lookup_hash(id_number))
    uscc = getattr(user, "uscc", "") or ""
    if uscc:
        q |= Q(holder_kind=HolderKind.ENTERPRISE, holder_uscc=uscc)
    return Licence.objects.filter(q).select_related("licence_type", "department").order_by("-issued_on", "-id")


def uses_of_user(user) -> QuerySet[LicenceUse]:
    return (
        LicenceUse.objects.filter(licence__in=licences_of_user(user).values("pk"))
        .select_related("licence__licence_type", "case", "department")
        .order_by("-used_at", "-id")
    )


def licences_for_staff(
    user, *, state: str = "", q: str = "", licence_type: str = "", issued_month: dt.date | None = None
) -> QuerySet[Licence]:
    """Licences of the departments the user may read (``licence.read``), newest first; ``issued_month``
    (its first day) keeps those issued in that month."""
    qs = scope_for(user).filter(Licence.objects.all(), "licence.read", department="department", region="region")
    if issued_month is not None:
        after = (issued_month + dt.timedelta(days=32)).replace(day=1)
        qs = qs.filter(issued_on__gte=issued_month, issued_on__lt=after)
    if state:
        qs = qs.filter(state=state)
    if licence_type:
        qs = qs.filter(licence_type__code=licence_type)
    if q:
        q = q.strip()
        qs = qs.filter(Q(number__icontains=q) | Q(holder_name__icontains=q) | Q(holder_uscc=q.upper()))
    return qs.select_related("licence_type", "department").order_by("-issued_on", "-id")


def licence_for_staff(user, pk: int) -> Licence | None:
    return (
        scope_for(user)
        .filter(Licence.objects.all(), "licence.read", department="department", region="region")
        .select_related("licence_type", "department", "key", "case")
        .filter(pk=pk)
        .first()
    )


def licence_figures(user, *, months: tuple[dt.date, dt.date] | None = None) -> dict:
    """Issued, reused and revoked per month and per licence type (from the roll-ups), within what the
    user's licence list holds (``licence.read`` on the fact's department and region, as
    ``licences_for_staff``: a handler's departments, a leader's or supervisor's region subtree — a
    town's licences issued by county departments included); a use counts where it was made."""
    scope = scope_for(user)
    result = {}
    for name, metric in (("issued", measures.ISSUED), ("reused", measures.REUSED), ("revoked", measures.REVOKED)):
        result[name] = facts(metric, months=months, group_by=("month", "key"), scope=scope, action="licence.read")
    return result
