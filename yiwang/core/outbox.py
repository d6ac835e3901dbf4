"""Notifications through an outbox: written in the sender's transaction, delivered by a worker.

A message exists only if the change that caused it committed, and a slow or failing SMS gateway
never holds a business transaction open. With a worker (a Celery broker configured) the periodic task
``core.deliver_outbox`` drains the queue in batches every few seconds and a commit queues nothing;
with tasks run in-process (no broker: the embedded default and the tests) delivery runs right after
the commit that queued the message, as there is no worker to do it. Delivery is at-least-once: a worker that dies after the
gateway accepted a message but before recording it will send it again.

Channels: ``sms`` goes through the SMS gateway (``yiwang.core.sms``), ``email`` through Django's
mail (``EMAIL_BACKEND``), ``inapp`` needs no transport — the row itself is the in-app message and
delivering it marks it visible (sent).
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models.constants import OnConflict
from django.utils import timezone

from yiwang.core.models import OutboxMessage
from yiwang.core.sms import get_sms_backend

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def outbox_enqueue(
    *,
    channel: str,
    recipient: str,
    body: str,
    subject: str = "",
    dedupe_key: str | None = None,
    region_code: str = "",
) -> OutboxMessage:
    """Queue a message inside the caller's transaction; delivery starts after it commits.

    ``dedupe_key`` makes the message unique: enqueuing the same key again returns the existing
    message instead of a second one (e.g. ``f"case:{case.pk}:accepted"``). ``region_code`` is the
    region of the case or appeal the message is about (the sharding key, docs/scale.md).
    """
    return outbox_enqueue_once(
        channel=channel,
        recipient=recipient,
        body=body,
        subject=subject,
        dedupe_key=dedupe_key,
        region_code=region_code,
    )[0]


def outbox_enqueue_once(
    *,
    channel: str,
    recipient: str,
    body: str,
    subject: str = "",
    dedupe_key: str | None = None,
    region_code: str = "",
) -> tuple[OutboxMessage, bool]:
    """``outbox_enqueue``, also telling whether this call queued the message (False: the key had one).

    With a key, one ``INSERT … ON CONFLICT DO NOTHING RETURNING id``; only when the key had a message is
    it read. A concurrent enqueue of the same key waits on the unique index for the other transaction
    and then finds its message.
    """
    if channel not in OutboxMessage.Channel.values:
        raise ValueError(f"unknown outbox channel {channel!r}; use one of {OutboxMessage.Channel.values}")
    if not recipient or not str(recipient).strip():
        raise ValueError("an outbox message needs a recipient")
    message = OutboxMessage(
        channel=channel,
        recipient=str(recipient).strip(),
        subject=subject,
        body=body,
        dedupe_key=dedupe_key,
        region_code=region_code or "",
    )
    if dedupe_key is None:
        message.save(force_insert=True)
        created = True
    else:
        created = _insert_unless_queued(message)
        if not created:
            message = OutboxMessage.objects.get(dedupe_key=dedupe_key)
    if created:
        _deliver_after_commit()
    return message, created


def _insert_unless_queued(message: OutboxMessage) -> bool:
    """Insert the message unless its ``dedupe_key`` has one; whether it went in (then its pk is set)."""
    meta = OutboxMessage._meta
    connection = transaction.get_connection()
    rows = OutboxMessage._base_manager._insert(
        [message],
        fields=[f for f in meta.concrete_fields if not f.primary_key],
        returning_fields=[meta.pk],
        using=connection.alias,
        on_conflict=OnConflict.IGNORE,
    )
    if not rows or rows[0] is None:
        return False
    message.pk = rows[0][0]
    message._state.adding, message._state.db = False, connection.alias
    return True


def _deliver_after_commit() -> None:
    if not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return  # the periodic task drains the queue
    connection = transaction.get_connection()
    if any(callback is _schedule_delivery for _, callback, _ in connection.run_on_commit):
        return  # once per transaction, however many messages it queued
    transaction.on_commit(_schedule_delivery, robust=True)


def _schedule_delivery() -> None:
    from yiwang.core.tasks import deliver_outbox

    deliver_outbox.delay()


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def _send(message: OutboxMessage) -> None:
    if message.channel == OutboxMessage.Channel.SMS:
        get_sms_backend().send(phone=message.recipient, body=message.body)
    elif message.channel == OutboxMessage.Channel.EMAIL:
        from yiwang.core.notify import email_subject  # notify builds on this module

        send_mail(
            message.subject or email_subject(),
            message.body,
            settings.DEFAULT_FROM_EMAIL,
            [message.recipient],
            fail_silently=False,
        )
    # inapp: the row is the message; nothing to transmit.


def _retry_delay(attempts: int) -> dt.timedelta:
    # 2, 4, 8, 16 … minutes, at most an hour (transport retry timing, not a business deadline).
    return dt.timedelta(minutes=min(2**attempts, 60))


def outbox_deliver(*, batch: int = 100) -> DeliveryReport:
    """Deliver due pending messages, each under its own row lock and transaction.

    ``select_for_update(skip_locked=True)`` lets several workers share the queue without sending a
    message twice; re-reading the state under the lock makes a second run a no-op for messages a
    first run already sent. A failure counts an attempt and schedules a retry; after
    ``MAX_ATTEMPTS`` the message is marked failed.
    """
    report = DeliveryReport()
    now = timezone.now()
    due = OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING, next_attempt_at__lte=now)
    candidate_ids = list(due.order_by("next_attempt_at", "id").values_list("id", flat=True)[:batch])
    for message_id in candidate_ids:
        with transaction.atomic():
            message = due.select_for_update(skip_locked=True).filter(pk=message_id).first()
            if message is None:  # another worker has it, or already sent it
                continue
            try:
                _send(message)
            except Exception as exc:
                logger.warning("outbox message %s: delivery failed: %s", message.pk, exc)
                message.attempts += 1
                message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                if message.attempts >= MAX_ATTEMPTS:
                    message.state = OutboxMessage.State.FAILED
                    report.failed += 1
                else:
                    message.next_attempt_at = timezone.now() + _retry_delay(message.attempts)
                    report.retried += 1
            else:
                message.attempts += 1
                message.state = OutboxMessage.State.SENT
                message.sent_at = timezone.now()
                report.sent += 1
            message.save(update_fields=["attempts", "last_error", "state", "next_attempt_at", "sent_at", "updated_at"])
    return report


def outbox_requeue(*, message: OutboxMessage) -> OutboxMessage:
    """Give a failed message a fresh round of attempts (an administrator's action)."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if message.state == OutboxMessage.State.FAILED:
            message.state = OutboxMessage.State.PENDING
            message.attempts = 0
            message.next_attempt_at = timezone.now()
            message.save(update_fields=["state", "attempts", "next_attempt_at", "updated_at"])
    return message
