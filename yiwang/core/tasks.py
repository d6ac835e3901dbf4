"""Periodic work of the safety rails (schedule in CELERY_BEAT_SCHEDULE)."""

from dataclasses import asdict

from celery import shared_task

from yiwang.core.idempotency import purge_idempotency_records as _purge_idempotency_records
from yiwang.core.outbox import outbox_deliver


@shared_task(name="core.deliver_outbox")
def deliver_outbox(batch: int = 100) -> dict:
    return asdict(outbox_deliver(batch=batch))


@shared_task(name="core.purge_idempotency_records")
def purge_idempotency_records(older_than_hours: int = 24) -> int:
    return _purge_idempotency_records(older_than_hours=older_than_hours)
