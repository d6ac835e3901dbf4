"""Work queued after commits, one run for many: the first commit queues a task that starts a little
later, the commits meanwhile join it (they find a flag in the cache), and the task clears the flag before
it reads, so a commit after that point queues the next run. The flag expires, so a lost task holds
nothing back for long; a periodic run of the same task does what a lost one left."""

import logging

logger = logging.getLogger(__name__)


def queue_once(key: str, task, *, hold_seconds: int, countdown: int) -> None:
    """Queue ``task`` unless a run flagged by ``key`` is queued and not started. Without a cache, a run
    for every commit."""
    from django.core.cache import cache

    try:
        queue = cache.add(key, 1, timeout=hold_seconds)
    except Exception:  # no cache
        queue = True
    if queue:
        task.apply_async(countdown=countdown)


def run_started(key: str) -> None:
    """First thing in the queued task: clear the flag, so a later commit queues a new run."""
    from django.core.cache import cache

    try:
        cache.delete(key)
    except Exception:  # no cache: nothing was held back, the run goes on all the same
        logger.warning("the queued-run flag %s could not be cleared", key, exc_info=True)
