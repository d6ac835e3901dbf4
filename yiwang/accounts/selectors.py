"""Every read of applicant accounts: one's own appeals, authorisations, the clerk's confirmation queue."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from yiwang.accounts.models import ApplicantAccount, EnterpriseAuthorisation
from yiwang.core.pii import pii_lookup_hash
from yiwang.hotline.models import Appeal


def applicant_account(user) -> ApplicantAccount | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return ApplicantAccount.objects.filter(user=user).first()


def my_appeals(user) -> QuerySet[Appeal]:
    """The appeals a person raised: submitted while signed in, or left with the mobile number this
    account has proved it holds (SMS code). Anyone else's appeal is not in the set."""
    if not getattr(user, "is_authenticated", False):
        return Appeal.objects.none()
    condition = Q(submitted_by=user)
    account = applicant_account(user)
    if account is not None:
        condition |= Q(contact_phone_hash=pii_lookup_hash(account.phone))
    return (
        Appeal.objects.filter(condition)
        .select_related("category", "lead_department", "merged_into")
        .order_by("-received_at", "-id")
    )


def my_appeal(user, code: str) -> Appeal | None:
    return my_appeals(user).filter(code=(code or "").strip().upper()).first()


def my_authorisations(user) -> QuerySet[EnterpriseAuthorisation]:
    return EnterpriseAuthorisation.objects.filter(user=user).order_by("-requested_at", "-id")


def authorisation_queue(*, state: str = EnterpriseAuthorisation.State.PENDING) -> QuerySet[EnterpriseAuthorisation]:
    return (
        EnterpriseAuthorisation.objects.filter(state=state)
        .select_related("user", "decided_by")
        .order_by("requested_at", "id")
    )
