import json

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yiwang.core.models import OutboxMessage
from yiwang.core.outbox import MAX_ATTEMPTS, outbox_deliver, outbox_enqueue, outbox_enqueue_once, outbox_requeue
from yiwang.core.pii import pii_lookup
from yiwang.core.sms import FileSmsBackend, SmsDeliveryError, get_sms_backend
from yiwang.core.tasks import deliver_outbox

pytestmark = pytest.mark.django_db


class Refused(Exception):
    pass


def enqueue(**kwargs) -> OutboxMessage:
    kwargs = {"channel": "sms", "recipient": "13812345678", "body": "您的办件已受理", **kwargs}
    with transaction.atomic():
        return outbox_enqueue(**kwargs)


def test_it_leaves_nothing_when_the_transaction_rolls_back():
    with pytest.raises(Refused), transaction.atomic():
        outbox_enqueue(channel="sms", recipient="13812345678", body="您的办件已受理")
        raise Refused
    assert not OutboxMessage.objects.exists()


def test_it_delivers_once_even_when_called_twice(sms_outbox):
    message = enqueue()
    first = outbox_deliver()
    second = outbox_deliver()

    assert (first.sent, second.sent) == (1, 0)
    assert [(s.phone, s.body) for s in sms_outbox] == [("13812345678", "您的办件已受理")]
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT
    assert message.sent_at is not None and message.attempts == 1


def test_it_starts_delivery_when_the_transaction_commits(sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue()
    assert len(sms_outbox) == 1
    assert OutboxMessage.objects.get().state == OutboxMessage.State.SENT


def test_it_keeps_one_message_per_dedupe_key():
    first = enqueue(dedupe_key="case:1:accepted")
    again = enqueue(dedupe_key="case:1:accepted", body="重复")
    assert again.pk == first.pk
    assert OutboxMessage.objects.get().body == "您的办件已受理"


def test_it_retries_a_failed_delivery_then_gives_up(settings, monkeypatch):
    settings.SMS_BACKEND = "locmem"

    def refuse(self, *, phone, body):
        raise SmsDeliveryError("网关拒绝：余额不足")

    monkeypatch.setattr("yiwang.core.sms.LocmemSmsBackend.send", refuse)
    message = enqueue()

    report = outbox_deliver()
    message.refresh_from_db()
    assert (report.retried, message.state, message.attempts) == (1, OutboxMessage.State.PENDING, 1)
    assert "余额不足" in message.last_error
    assert message.next_attempt_at > timezone.now()
    assert outbox_deliver().retried == 0  # not due yet

    for _ in range(MAX_ATTEMPTS - 1):
        OutboxMessage.objects.update(next_attempt_at=timezone.now())
        outbox_deliver()
    message.refresh_from_db()
    assert (message.state, message.attempts) == (OutboxMessage.State.FAILED, MAX_ATTEMPTS)

    outbox_requeue(message=message)
    message.refresh_from_db()
    assert (message.state, message.attempts) == (OutboxMessage.State.PENDING, 0)


def test_it_sends_email_and_marks_inapp_messages(sms_outbox):
    enqueue(channel="email", recipient="zhang@example.com", subject="受理通知", body="已受理")
    enqueue(channel="inapp", recipient="42", body="有新的待办")
    assert outbox_deliver().sent == 2
    assert [(m.subject, m.to) for m in mail.outbox] == [("受理通知", ["zhang@example.com"])]
    assert sms_outbox == []
    assert OutboxMessage.objects.filter(**pii_lookup("recipient", "42")).get().state == OutboxMessage.State.SENT


def test_it_refuses_unknown_channels_and_empty_recipients():
    with pytest.raises(ValueError, match="channel"):
        enqueue(channel="fax")
    with pytest.raises(ValueError, match="recipient"):
        enqueue(recipient="  ")


def test_it_delivers_in_batches(sms_outbox):
    for n in range(3):
        enqueue(recipient=f"1380000000{n}")
    assert outbox_deliver(batch=2).sent == 2
    assert deliver_outbox.delay(batch=2).get() == {"sent": 1, "retried": 0, "failed": 0}
    assert len(sms_outbox) == 3


def test_it_writes_sms_to_a_file(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SMS_BACKEND = "file"
    enqueue()
    outbox_deliver()
    [line] = (tmp_path / "outbox" / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["phone"] == "13812345678"
    assert json.loads(line)["body"] == "您的办件已受理"
    assert isinstance(get_sms_backend(), FileSmsBackend)


def test_it_prints_sms_to_the_console_with_the_number_masked(settings, capsys):
    settings.SMS_BACKEND = "console"
    settings.DEBUG = True
    enqueue()
    outbox_deliver()
    out = capsys.readouterr().out
    assert "[短信] 138****5678: 您的办件已受理" in out
    assert "13812345678" not in out


def test_it_queues_a_keyed_message_in_one_statement_without_reading_it_back(sms_outbox):
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            message, created = outbox_enqueue_once(
                channel="sms", recipient="13812345678", body="您的办件已受理", dedupe_key="case:7:accepted"
            )
        again, created_again = outbox_enqueue_once(
            channel="sms", recipient="13812345678", body="重复", dedupe_key="case:7:accepted"
        )

    assert [q["sql"].split()[0] for q in queries.captured_queries if "core_outboxmessage" in q["sql"]] == ["INSERT"]
    assert created and not created_again
    assert again.pk == message.pk == OutboxMessage.objects.get().pk
    assert again.body == "您的办件已受理"
    assert outbox_deliver().sent == 1  # the row as inserted is a deliverable message
    assert [(s.phone, s.body) for s in sms_outbox] == [("13812345678", "您的办件已受理")]
