import pytest
from django.db import connection

from yiwang.core.audit import AuditEvent
from yiwang.core.errors import ApplicationError
from yiwang.licences.models import Licence, LicenceState, SigningKey
from yiwang.licences.services import licence_revoke


def test_it_revokes_with_a_reason_and_audits(company_licence, handler_a):
    licence_revoke(licence=company_licence, actor=handler_a, reason="营业执照被吊销")
    licence = Licence.objects.get(pk=company_licence.pk)
    assert licence.state == LicenceState.REVOKED and licence.revoked_reason == "营业执照被吊销"
    event = AuditEvent.objects.get(action="licence.revoked", object_id=str(licence.pk))
    assert event.before["state"] == "valid" and event.after["state"] == "revoked" and event.actor_id == handler_a.pk


@pytest.mark.parametrize("reason, code", [("  ", "licence.reason_required"), ("长" * 501, "licence.reason_too_long")])
def test_it_needs_a_reason(company_licence, handler_a, reason, code):
    with pytest.raises(ApplicationError) as caught:
        licence_revoke(licence=company_licence, actor=handler_a, reason=reason)
    assert caught.value.code == code
    assert Licence.objects.get(pk=company_licence.pk).state == LicenceState.VALID


def test_only_the_issuing_department_revokes(company_licence, handler_b):
    with pytest.raises(ApplicationError) as caught:
        licence_revoke(licence=company_licence, actor=handler_b, reason="误发")
    assert caught.value.code == "licence.forbidden" and caught.value.status == 403
    assert Licence.objects.get(pk=company_licence.pk).state == LicenceState.VALID


def test_a_revoked_licence_cannot_be_revoked_again(company_licence, handler_a):
    licence_revoke(licence=company_licence, actor=handler_a, reason="误发")
    with pytest.raises(ApplicationError) as caught:
        licence_revoke(licence=company_licence, actor=handler_a, reason="再次注销")
    assert caught.value.code == "licence.invalid_transition" and caught.value.status == 409
    assert AuditEvent.objects.filter(action="licence.revoked").count() == 1


def test_the_private_key_is_encrypted_at_rest(company_licence):
    key = SigningKey.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("select private_key, public_key from licences_signingkey where id = %s", [key.pk])
        stored, public = cursor.fetchone()
    assert stored.startswith("sm4$1$") and key.private_key not in stored
    assert len(key.private_key) == 64 and public == key.public_key and len(public) == 128


def test_the_holder_is_told_of_issue_revocation_and_coming_expiry(food_type, dept_b, handler_b, citizen):
    import datetime as dt

    from django.utils import timezone

    from yiwang.core.models import InboxMessage
    from yiwang.licences.services import licence_issue, licences_warn_expiring
    from yiwang.licences.tests.conftest import PERSON_ID

    today = timezone.localdate()
    licence = licence_issue(
        licence_type=food_type,
        holder_name="王秀兰",
        holder_id_number=PERSON_ID,
        fields={"scope": "预包装食品销售"},
        department=dept_b,
        valid_until=today + dt.timedelta(days=30),
        holder_user=citizen,
        actor=None,
    )
    assert InboxMessage.objects.get(user=citizen, key=f"licence:{licence.pk}:issued").title == "电子证照已生成"
    assert licences_warn_expiring(today=today - dt.timedelta(days=1)) == 0  # 31 days ahead: not yet
    assert licences_warn_expiring(today=today) == 1  # 30 days (county default)
    assert licences_warn_expiring(today=today) == 0  # once
    message = InboxMessage.objects.get(user=citizen, key=f"licence:{licence.pk}:expiring")
    assert f"{licence.valid_until:%Y-%m-%d}" in message.body
    licence_revoke(licence=licence, actor=handler_b, reason="经营场所已拆除")
    assert "经营场所已拆除" in InboxMessage.objects.get(user=citizen, key=f"licence:{licence.pk}:revoked").body
