"""Periodic work: the deadline sweep (schedule it in CELERY_BEAT_SCHEDULE, e.g. every 30 minutes)."""

from celery import shared_task

from .services import cases_sweep


@shared_task(name="cases.sweep_deadlines")
def sweep_deadlines() -> dict:
    """Mark warning / due / overdue on every open case, overdue deferred materials and verifications."""
    return cases_sweep().as_dict()
