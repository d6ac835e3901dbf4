"""Periodic work: fold pending increments into the monthly facts (scheduled as "measures-fold")."""

from celery import shared_task

from yiwang.measures.services import measures_fold


@shared_task(name="measures.fold")
def fold_pending_increments() -> int:
    """Add the increments events appended since the last run into their facts; the number folded."""
    return measures_fold()
