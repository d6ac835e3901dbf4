"""Periodic work of the safety rails (schedule in CELERY_BEAT_SCHEDULE)."""

import time
from dataclasses import asdict

from celery import shared_task

from yiwang.core.audit import audit_seal
from yiwang.core.idempotency import purge_idempotency_records as _purge_idempotency_records
from yiwang.core.outbox import DeliveryReport, outbox_deliver


@shared_task(name="core.deliver_outbox")
def deliver_outbox(batch: int = 100, budget_seconds: float = 50.0) -> dict:
    """Drain the due messages batch after batch (periodic: every few seconds), within a time budget."""
    total = DeliveryReport()
    started = time.monotonic()
    while True:
        report = outbox_deliver(batch=batch)
        total.sent, total.retried, total.failed = (
            total.sent + report.sent,
            total.retried + report.retried,
            total.failed + report.failed,
        )
        if report.sent + report.retried + report.failed < batch or time.monotonic() - started > budget_seconds:
            return asdict(total)


@shared_task(name="core.purge_idempotency_records")
def purge_idempotency_records(older_than_hours: int = 24) -> int:
    return _purge_idempotency_records(older_than_hours=older_than_hours)


@shared_task(name="core.seal_audit", ignore_result=True)
def seal_audit() -> int:
    """Link the audit events committed since the last run into their streams' chains (every second)."""
    return audit_seal()
