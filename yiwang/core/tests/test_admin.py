import pytest
from django.db import transaction

from yiwang.core.audit import audit_record
from yiwang.core.models import AuditEvent, OutboxMessage

pytestmark = [pytest.mark.django_db, pytest.mark.urls("yiwang.core.tests.admin_urls")]


def test_it_shows_the_audit_log_read_only(admin_client):
    with transaction.atomic():
        audit_record(actor=None, action="case.accept", region_code="610326")
    event = AuditEvent.objects.get()

    listing = admin_client.get("/admin/core/auditevent/")
    assert listing.status_code == 200
    assert "case.accept" in listing.content.decode()
    assert admin_client.get("/admin/core/auditevent/add/").status_code == 403
    assert admin_client.get(f"/admin/core/auditevent/{event.pk}/delete/").status_code == 403
    detail = admin_client.post(f"/admin/core/auditevent/{event.pk}/change/", {"action": "case.reject"})
    assert detail.status_code == 403
    assert AuditEvent.objects.get().action == "case.accept"


def test_it_masks_sms_recipients_and_requeues_failed_messages(admin_client):
    message = OutboxMessage.objects.create(channel="sms", recipient="13812345678", body="已受理", state="failed")

    listing = admin_client.get("/admin/core/outboxmessage/").content.decode()
    assert "138****5678" in listing
    assert "13812345678" not in listing

    admin_client.post(
        "/admin/core/outboxmessage/", {"action": "requeue", "_selected_action": [message.pk]}, follow=True
    )
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.PENDING
