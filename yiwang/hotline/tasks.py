"""Periodic hotline work (schedule in CELERY_BEAT_SCHEDULE): retraining the router.

Every deadline — working-day clocks and the urgent appeals counted in hours (a sweep hook) — is
swept by ``workdays.sweep_deadlines``; ``hotline.sweep`` runs the urgent part alone, on demand."""

from dataclasses import asdict

from celery import shared_task

from yiwang.core.coalesce import run_started
from yiwang.hotline import services


@shared_task(name="hotline.sweep")
def sweep() -> dict:
    """Urgent (hours) 催办 before expiry and overdue notices after; safe to run as often as wanted."""
    return asdict(services.appeal_urgent_sweep())


@shared_task(name="hotline.train_routing")
def train_routing(folds: int = 5) -> list[int]:
    """Retrain the routers on the platform's history (e.g. nightly)."""
    return [model.pk for model in services.routing_model_train(actor=None, folds=folds)]


@shared_task(name="hotline.suggest_routing", ignore_result=True)
def suggest_routing(appeal_id: int) -> None:
    """The routing suggestion of one appeal (tasks queued one per appeal before batching)."""
    services.appeal_suggest(appeal_id=appeal_id)


@shared_task(name="hotline.suggest_pending_routing", ignore_result=True)
def suggest_pending_routing() -> int:
    """The routing suggestions of every online appeal waiting for one, in batches: queued by an
    online intake's commit unless a batch is already queued (``services.intake._suggest_later``).
    The flag is cleared before reading, so an appeal committed after this point queues a new batch
    and one committed before it is read here. A retried task stores and audits nothing twice."""
    from yiwang.hotline.services.intake import SUGGEST_PENDING_KEY

    run_started(SUGGEST_PENDING_KEY)
    return services.appeal_suggest_pending()


@shared_task(name="hotline.suggest_missing_routing", ignore_result=True)
def suggest_missing_routing() -> int:
    """Catch-up for online appeals whose after-commit suggestion was lost (every few minutes)."""
    return services.appeal_suggest_missing()


@shared_task(name="hotline.index_similar", ignore_result=True)
def index_similar() -> int:
    """Store the similar pairs of the open and replied appeals not marked yet (``similar.index``):
    queued after a commit unless a run is queued already, and run every few minutes for what a
    lost task left. The flag is cleared before reading, so a later commit queues a new run."""
    from yiwang.hotline import similar

    run_started(similar.PENDING_KEY)
    return similar.index()
