"""Periodic work: the one deadline sweep (scheduled in CELERY_BEAT_SCHEDULE as "workdays-sweep")."""

from celery import shared_task

from yiwang.workdays.sweep import clocks_sweep


@shared_task(name="workdays.sweep_deadlines")
def sweep_deadlines() -> dict:
    """Update every owned clock's deadline status and call its owner's handler on a change."""
    return clocks_sweep().as_dict()
