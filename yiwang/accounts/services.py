"""Every write of applicant accounts: SMS codes, sign-up/sign-in, real-name details, enterprise authorisations.

Codes (county defaults in ``accounts.conf``, the plan gives none): a code is 6 random digits, stored as
an HMAC keyed with the secret key, valid ``CODE_TTL_MINUTES``, void after ``CODE_MAX_ATTEMPTS`` wrong
tries, used once; a new code for the same number is sent no sooner than ``RESEND_SECONDS`` after the
last. The same answer goes to every number, with or without an account, so the page tells nobody
whether a number is registered (no user enumeration). Requests per client and per number are also
rate-limited in the views (``core.ratelimits``: ``accounts.code_request``, ``accounts.code_verify``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from yiwang.accounts.conf import accounts_settings
from yiwang.accounts.models import ApplicantAccount, EnterpriseAuthorisation, SignInCode
from yiwang.core.audit import audit_record
from yiwang.core.errors import ApplicationError
from yiwang.core.identifiers import validate_uscc
from yiwang.core.inputs import clean_id_number, clean_mobile, clean_person_name, compact
from yiwang.core.notify import ToPhone, ToUser, notify
from yiwang.core.pii import pii_lookup, pii_lookup_hash
from yiwang.org.models import Membership, Role, User
from yiwang.org.scoping import scope_forget

COUNTY_REGION = "610326"


def _code_hash(code_id_salt: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"accounts.code:{code_id_salt}:{code}".encode(), hashlib.sha256).hexdigest()


def _phone(value) -> str:
    try:
        return clean_mobile(value)
    except ValidationError as error:
        raise ApplicationError("account.phone_invalid", error.messages[0], details={"field": "phone"}) from None


def sign_in_code_send(*, phone: str, ip: str = "") -> SignInCode:
    """Send a one-time code to ``phone`` through the SMS outbox (``accounts.sign_in_code``).

    ``account.resend_too_soon`` (429, ``details["retry_after"]`` seconds) when the last code to this
    number is younger than ``RESEND_SECONDS``.
    """
    phone = _phone(phone)
    now = timezone.now()
    ttl = int(accounts_settings.get("CODE_TTL_MINUTES"))
    resend = int(accounts_settings.get("RESEND_SECONDS"))
    length = int(accounts_settings.get("CODE_LENGTH"))
    with transaction.atomic():
        last = (
            SignInCode.objects.select_for_update()
            .filter(**pii_lookup("phone", phone))
            .order_by("-created_at", "-id")
            .first()
        )
        if last is not None and (now - last.created_at).total_seconds() < resend:
            wait = resend - int((now - last.created_at).total_seconds())
            raise ApplicationError(
                "account.resend_too_soon",
                f"验证码已发送，请 {wait} 秒后再重新获取",
                details={"field": "phone", "retry_after": wait},
                status=429,
            )
        code = "".join(secrets.choice("0123456789") for _ in range(length))
        salt = secrets.token_hex(8)
        row = SignInCode.objects.create(
            phone=phone,
            code_hash=f"{salt}${_code_hash(salt, code)}",
            created_at=now,
            expires_at=now + dt.timedelta(minutes=ttl),
            ip=(ip or "")[:45],
        )
        # Earlier unused codes to this number stop working: only the newest one counts.
        SignInCode.objects.filter(phone_hash=row.phone_hash, used_at__isnull=True).exclude(pk=row.pk).update(
            used_at=now
        )
        notify(
            to=ToPhone(phone),
            template="accounts.sign_in_code",
            context={"code": code, "minutes": ttl},
            key=f"accounts:code:{row.pk}",
        )
    return row


def _code_matches(row: SignInCode, code: str) -> bool:
    salt, _, digest = row.code_hash.partition("$")
    return hmac.compare_digest(digest, _code_hash(salt, code))


def sign_in_code_verify(*, phone: str, code: str, ip: str = "") -> tuple[User, bool]:
    """Check the code sent to ``phone``; return the applicant account's user (created on first
    sign-in, role 群众) and whether it was created.

    Errors: ``account.code_invalid`` (no code waiting, or wrong — with the tries left),
    ``account.code_expired``, ``account.code_locked`` (too many wrong tries). A wrong try is counted
    even though the request fails.
    """
    phone = _phone(phone)
    code = compact(code)
    now = timezone.now()
    max_attempts = int(accounts_settings.get("CODE_MAX_ATTEMPTS"))
    error = None
    with transaction.atomic():
        row = (
            SignInCode.objects.select_for_update()
            .filter(**pii_lookup("phone", phone), used_at__isnull=True)
            .order_by("-created_at", "-id")
            .first()
        )
        if row is None:
            error = ApplicationError(
                "account.code_invalid", "验证码不正确或已失效，请重新获取", details={"field": "code"}
            )
        elif row.expires_at <= now:
            error = ApplicationError("account.code_expired", "验证码已过期，请重新获取", details={"field": "code"})
        elif row.attempts >= max_attempts:
            error = ApplicationError(
                "account.code_locked", "验证码错误次数过多，已失效，请重新获取", details={"field": "code"}
            )
        elif not (code.isdigit() and _code_matches(row, code)):
            row.attempts += 1
            row.save(update_fields=["attempts"])
            left = max_attempts - row.attempts
            error = (
                ApplicationError(
                    "account.code_invalid", f"验证码不正确，还可再试 {left} 次", details={"field": "code", "left": left}
                )
                if left > 0
                else ApplicationError(
                    "account.code_locked", "验证码错误次数过多，已失效，请重新获取", details={"field": "code"}
                )
            )
        if error is None:
            row.used_at = now
            row.save(update_fields=["used_at"])
            user, created = _account_for(phone=phone, now=now, ip=ip)
    # Outside the block: the wrong try above is committed, then refused.
    if error is not None:
        raise error
    return user, created


def _account_for(*, phone: str, now, ip: str) -> tuple[User, bool]:
    account = (
        ApplicantAccount.objects.select_for_update()
        .select_related("user")
        .filter(phone_hash=pii_lookup_hash(phone))
        .first()
    )
    if account is not None:
        if not account.user.is_active:
            raise ApplicationError("account.inactive", "该账户已停用，请到政务服务中心窗口咨询")
        account.last_sign_in_at = now
        account.save(update_fields=["last_sign_in_at"])
        audit_record(
            actor=account.user, action="account.signed_in", obj=account, region_code=COUNTY_REGION, details={"ip": ip}
        )
        return account.user, False
    user = User(username=f"app-{secrets.token_hex(6)}", phone=phone)
    user.set_unusable_password()  # no password: the staff login can never open this account
    user.save()
    Membership.objects.create(user=user, role=Role.CITIZEN)
    account = ApplicantAccount.objects.create(user=user, phone=phone, last_sign_in_at=now)
    audit_record(
        actor=user,
        action="account.signed_up",
        obj=account,
        region_code=COUNTY_REGION,
        after={"user": user.pk, "role": Role.CITIZEN.value},
        details={"ip": ip},
    )
    return user, True


def applicant_account(user) -> ApplicantAccount | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return ApplicantAccount.objects.filter(user=user).first()


def account_set_real_name(*, user: User, name: str, id_number: str) -> ApplicantAccount:
    """Record the account holder's name and 18-digit ID number (GB 11643 check character, a real birth
    date). One ID number opens one account (``account.id_number_taken``)."""
    errors = {}
    try:
        name = clean_person_name(name)
    except ValidationError as error:
        errors["name"] = error.messages[0]
    try:
        id_number = clean_id_number(id_number)
    except ValidationError as error:
        errors["id_number"] = error.messages[0]
    if errors:
        field = next(iter(errors))
        raise ApplicationError("account.real_name_invalid", errors[field], details={"field": field, "errors": errors})
    with transaction.atomic():
        account = ApplicantAccount.objects.select_for_update().select_related("user").filter(user=user).first()
        if account is None:
            raise ApplicationError("account.not_applicant", "请先用手机号登录群众和企业账户", status=403)
        id_hash = pii_lookup_hash(id_number)
        if ApplicantAccount.objects.filter(id_number_hash=id_hash).exclude(pk=account.pk).exists():
            raise ApplicationError(
                "account.id_number_taken",
                "该身份证号码已登记在另一个账户，如非本人操作，请持身份证到政务服务中心窗口处理",
                details={"field": "id_number"},
                status=409,
            )
        holder = account.user
        before = {"display_name": holder.display_name, "has_id_number": bool(holder.id_number)}
        holder.display_name = name
        holder.id_number = id_number
        holder.save(update_fields=["display_name", "id_number", "id_number_hash"])
        account.id_number_hash = id_hash
        account.real_name_at = timezone.now()
        account.save(update_fields=["id_number_hash", "real_name_at"])
        audit_record(
            actor=holder,
            action="account.real_name",
            obj=account,
            region_code=COUNTY_REGION,
            before=before,
            after={"display_name": name, "has_id_number": True},
        )
    return account


# --- enterprises -------------------------------------------------------------------------------


def authorisation_request(*, user: User, uscc: str, basis: str, letter=None) -> EnterpriseAuthorisation:
    """Ask to act for an enterprise. Needs real-name details; the code must be valid and in the register
    of market entities (``credit.Entity``) and the entity active; ``letter`` basis needs the signed
    授权委托书, ``legal_representative`` needs the account's name to match the registered representative.
    A window clerk confirms it (``authorisation_decide``)."""
    from yiwang.credit.models import Entity

    account = applicant_account(user)
    if account is None or not account.has_real_name:
        raise ApplicationError("account.real_name_required", "请先完成实名登记（姓名和身份证号码）", status=409)
    uscc = compact(uscc).upper()
    try:
        validate_uscc(uscc)
    except ValidationError as error:
        raise ApplicationError("account.uscc_invalid", error.messages[0], details={"field": "uscc"}) from None
    if basis not in EnterpriseAuthorisation.Basis.values:
        raise ApplicationError("account.basis_invalid", "请选择授权依据", details={"field": "basis"})
    entity = Entity.objects.filter(uscc=uscc).first()
    if entity is None:
        raise ApplicationError(
            "account.entity_unknown", "市场主体登记信息中没有这个统一社会信用代码，请核对", details={"field": "uscc"}
        )
    if entity.status != Entity.Status.ACTIVE:
        raise ApplicationError(
            "account.entity_inactive",
            f"该企业登记状态为“{entity.get_status_display()}”，不能办理授权",
            details={"field": "uscc"},
        )
    name_matches = bool(entity.legal_representative) and entity.legal_representative.strip() == user.display_name
    if basis == EnterpriseAuthorisation.Basis.LEGAL_REPRESENTATIVE and not name_matches:
        raise ApplicationError(
            "account.not_legal_representative",
            "您的实名姓名与该企业登记的法定代表人不一致，请选择“授权委托书”并上传企业盖章的委托书",
            details={"field": "basis"},
        )
    if basis == EnterpriseAuthorisation.Basis.LETTER and not letter:
        raise ApplicationError("account.letter_required", "请上传企业盖章的授权委托书", details={"field": "letter"})
    with transaction.atomic():
        open_one = (
            EnterpriseAuthorisation.objects.select_for_update()
            .filter(
                user=user,
                uscc=uscc,
                state__in=[EnterpriseAuthorisation.State.PENDING, EnterpriseAuthorisation.State.ACTIVE],
            )
            .first()
        )
        if open_one is not None:
            raise ApplicationError(
                "account.authorisation_exists",
                f"您对该企业已有{open_one.get_state_display()}的授权",
                details={"field": "uscc"},
                status=409,
            )
        row = EnterpriseAuthorisation(
            user=user, uscc=uscc, entity_name=entity.name, basis=basis, name_matches_register=name_matches
        )
        if letter:
            row.letter = letter
        row.save()
        audit_record(
            actor=user,
            action="account.authorisation_requested",
            obj=row,
            region_code=COUNTY_REGION,
            after={"uscc": uscc, "basis": basis, "state": row.state},
        )
    return row


def _set_enterprise(user: User) -> None:
    """The user's current enterprise and role follow their active authorisations."""
    active = list(
        EnterpriseAuthorisation.objects.filter(user=user, state=EnterpriseAuthorisation.State.ACTIVE)
        .order_by("-decided_at", "-id")
        .values_list("uscc", flat=True)
    )
    current = user.uscc if user.uscc in active else (active[0] if active else "")
    if user.uscc != current:
        user.uscc = current
        user.save(update_fields=["uscc"])
    has_role = Membership.objects.filter(user=user, role=Role.ENTERPRISE).exists()
    if active and not has_role:
        Membership.objects.create(user=user, role=Role.ENTERPRISE)
    elif not active and has_role:
        Membership.objects.filter(user=user, role=Role.ENTERPRISE).delete()
    scope_forget(user)


def authorisation_decide(
    *, authorisation: EnterpriseAuthorisation, approve: bool, actor, note: str = ""
) -> EnterpriseAuthorisation:
    """A window clerk confirms (or refuses, with a reason) a pending authorisation."""
    note = (note or "").strip()[:500]
    if not approve and not note:
        raise ApplicationError("account.reason_required", "不予确认的，请写明原因", details={"field": "note"})
    with transaction.atomic():
        row = EnterpriseAuthorisation.objects.select_for_update().select_related("user").get(pk=authorisation.pk)
        if row.state != EnterpriseAuthorisation.State.PENDING:
            raise ApplicationError(
                "account.authorisation_not_pending", f"该授权已{row.get_state_display()}，不能再次确认", status=409
            )
        if row.user_id == getattr(actor, "pk", None):
            raise ApplicationError("account.self_authorisation", "不能确认自己的授权申请", status=403)
        before = row.state
        row.state = EnterpriseAuthorisation.State.ACTIVE if approve else EnterpriseAuthorisation.State.REFUSED
        row.decided_by = actor
        row.decided_at = timezone.now()
        row.note = note
        row.save(update_fields=["state", "decided_by", "decided_at", "note"])
        _set_enterprise(row.user)
        audit_record(
            actor=actor,
            action="account.authorisation_decided",
            obj=row,
            region_code=COUNTY_REGION,
            before={"state": before},
            after={"state": row.state, "note": note},
        )
        notify(
            to=ToUser(row.user_id),
            template="accounts.authorisation_decided",
            context={"entity": row.entity_name, "result": "已通过" if approve else "未通过", "note": note},
            key=f"accounts:authorisation:{row.pk}:decided",
            link="/account/",
        )
    return row


def authorisation_revoke(*, authorisation: EnterpriseAuthorisation, actor) -> EnterpriseAuthorisation:
    """The holder gives up an authorisation (or withdraws a pending request); they stop acting for it."""
    with transaction.atomic():
        row = EnterpriseAuthorisation.objects.select_for_update().select_related("user").get(pk=authorisation.pk)
        if row.state not in (EnterpriseAuthorisation.State.PENDING, EnterpriseAuthorisation.State.ACTIVE):
            raise ApplicationError("account.authorisation_closed", f"该授权已{row.get_state_display()}", status=409)
        before = row.state
        row.state = EnterpriseAuthorisation.State.REVOKED
        row.decided_at = row.decided_at or timezone.now()
        row.save(update_fields=["state", "decided_at"])
        _set_enterprise(row.user)
        audit_record(
            actor=actor,
            action="account.authorisation_revoked",
            obj=row,
            region_code=COUNTY_REGION,
            before={"state": before},
            after={"state": row.state},
        )
    return row


def account_switch_enterprise(*, user: User, uscc: str) -> User:
    """Choose which of one's authorised enterprises one acts for now ("" = as oneself)."""
    with transaction.atomic():
        if (
            uscc
            and not EnterpriseAuthorisation.objects.filter(
                user=user, uscc=uscc, state=EnterpriseAuthorisation.State.ACTIVE
            ).exists()
        ):
            raise ApplicationError("account.not_authorised", "您没有代表该企业办事的授权", status=403)
        before = user.uscc
        user.uscc = uscc
        user.save(update_fields=["uscc"])
        audit_record(
            actor=user,
            action="account.enterprise_switched",
            obj=user,
            region_code=COUNTY_REGION,
            before={"uscc": before},
            after={"uscc": uscc},
        )
    return user
