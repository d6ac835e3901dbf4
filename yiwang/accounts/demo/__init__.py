"""Meixian demo for ``accounts``: three applicant accounts that sign in with an SMS code.

Two residents with real-name details, each owning a few of the demo's applications (at different
stages) and 12345 appeals; and the legal representative of an enterprise that applied in the cases
demo, authorised for its code by a window clerk, so its applications show in 我的办件. The people are
illustrative. Idempotent: a second run finds the accounts and changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Q

from yiwang.accounts import services
from yiwang.accounts.models import ApplicantAccount, EnterpriseAuthorisation
from yiwang.cases.models import ApplicantKind, Case
from yiwang.core.identifiers import make_id_number
from yiwang.core.pii import pii_lookup_hash
from yiwang.hotline.models import Appeal
from yiwang.org.models import Membership, Role, User

COUNTY = "610326"
RESIDENTS = [
    # phone, name, birth, sequence, cases, appeals
    ("13709171101", "孙丽娟", dt.date(1985, 7, 15), "024", 3, 2),
    ("15191772208", "杨建华", dt.date(1972, 1, 9), "013", 2, 2),
]
REPRESENTATIVE_PHONE = "18009173306"
CLERK = "liufang"


def _write(stdout, text: str = "") -> None:
    stdout.write(text + "\n")


def _account(phone: str) -> User:
    account = ApplicantAccount.objects.filter(phone_hash=pii_lookup_hash(phone)).select_related("user").first()
    if account is not None:
        return account.user
    with transaction.atomic():
        user, _ = services._account_for(phone=phone, now=_now(), ip="")
    return user


def _now():
    from django.utils import timezone

    return timezone.now()


def _own_cases(user: User, count: int) -> int:
    """Give the resident ``count`` person applications of the demo, one per state where possible."""
    # Cases no applicant account owns (walk-ins, or filed by staff for someone without an account).
    applicants = Membership.objects.filter(role__in=[Role.CITIZEN, Role.ENTERPRISE]).values("user_id")
    pool = Case.objects.filter(
        Q(applicant_user__isnull=True) | ~Q(applicant_user__in=applicants),
        applicant_kind=ApplicantKind.PERSON,
        parent__isnull=True,
    ).order_by("-submitted_at", "-id")
    candidates = list(pool[:400])
    chosen, states = [], set()
    for case in candidates:  # one per state first, so the list shows a case's whole path
        if case.state not in states and len(chosen) < count:
            chosen.append(case)
            states.add(case.state)
    chosen += [case for case in candidates if case not in chosen][: count - len(chosen)]
    for case in chosen:
        case.applicant_user = user
        case.applicant_name = user.display_name
        case.applicant_id_number = user.id_number
        case.applicant_phone = user.phone
        case.save(
            update_fields=[
                "applicant_user",
                "applicant_name",
                "applicant_id_number",
                "applicant_id_number_hash",
                "applicant_phone",
                "applicant_phone_hash",
            ]
        )
    return len(chosen)


def _own_appeals(user: User, count: int) -> int:
    applicants = Membership.objects.filter(role__in=[Role.CITIZEN, Role.ENTERPRISE]).values("user_id")
    pool = Appeal.objects.filter(
        Q(submitted_by__isnull=True) | ~Q(submitted_by__in=applicants), anonymous=False
    ).order_by("-received_at", "-id")
    # One answered and revisited (its whole path on the timeline), then one still being handled.
    chosen = []
    for states in (["closed", "revisited"], ["signed_off", "dispatched"], ["replied", "received"]):
        chosen += [a for a in pool.filter(state__in=states)[:count] if a not in chosen][:1]
    chosen = chosen[:count]
    chosen += [a for a in pool[: count * 2] if a not in chosen][: count - len(chosen)]
    for appeal in chosen:
        appeal.submitted_by = user
        appeal.contact_name = user.display_name
        appeal.contact_phone = user.phone
        appeal.save(update_fields=["submitted_by", "contact_name", "contact_phone", "contact_phone_hash"])
    return len(chosen)


def seed(*, stdout) -> None:
    from yiwang.credit.models import Entity

    rows = []
    new = False
    for phone, name, birth, seq, cases, appeals in RESIDENTS:
        user = _account(phone)
        if user.applicant_account.has_real_name:
            rows.append((phone, "群众", name, "已有"))
            continue
        new = True
        services.account_set_real_name(user=user, name=name, id_number=make_id_number(COUNTY, birth, seq))
        user.refresh_from_db()
        owned = _own_cases(user, cases)
        raised = _own_appeals(user, appeals)
        rows.append((phone, "群众", name, f"办件 {owned} 件，诉求 {raised} 件"))

    # The legal representative of an enterprise that applied in the cases demo.
    applied = (
        Case.objects.filter(applicant_kind=ApplicantKind.ENTERPRISE, parent__isnull=True)
        .values("applicant_uscc")
        .annotate(n=Count("id"))
        .order_by("-n", "applicant_uscc")
    )
    usccs = [row["applicant_uscc"] for row in applied[:50]]
    candidates = {
        e.uscc: e
        for e in Entity.objects.filter(uscc__in=usccs, status=Entity.Status.ACTIVE).exclude(legal_representative="")
    }
    # The one with the most applications, so 我的办件 shows several.
    entity = next((candidates[u] for u in usccs if u in candidates), None)
    clerk = User.objects.filter(username=CLERK).first()
    earlier = (
        EnterpriseAuthorisation.objects.filter(
            user__applicant_account__phone_hash=pii_lookup_hash(REPRESENTATIVE_PHONE)
        )
        .order_by("id")
        .first()
    )
    if earlier is not None:  # a second run keeps the enterprise the first one chose
        entity = Entity.objects.filter(uscc=earlier.uscc).first()
    if entity is not None and clerk is not None:
        user = _account(REPRESENTATIVE_PHONE)
        if not user.applicant_account.has_real_name:
            new = True
            services.account_set_real_name(
                user=user,
                name=entity.legal_representative,
                id_number=make_id_number(COUNTY, dt.date(1980, 10, 3), "035"),
            )
            user.refresh_from_db()
        if not EnterpriseAuthorisation.objects.filter(user=user, uscc=entity.uscc).exists():
            row = services.authorisation_request(
                user=user, uscc=entity.uscc, basis=EnterpriseAuthorisation.Basis.LEGAL_REPRESENTATIVE
            )
            services.authorisation_decide(authorisation=row, approve=True, actor=clerk, note="窗口核验身份证件")
        count = Case.objects.filter(applicant_uscc=entity.uscc, parent__isnull=True).count()
        rows.append((REPRESENTATIVE_PHONE, "企业", entity.legal_representative, f"{entity.name}，办件 {count} 件"))

    _write(stdout, "群众和企业账户（/account/sign-in/，手机号 + 短信验证码；开发环境验证码打印在控制台）：")
    for phone, role, name, note in rows:
        _write(stdout, f"  {phone}  {role}  {name}  {note}")
    if not new:
        _write(stdout, "  账户已存在，未改动")
