"""Periodic hotline work (schedule in CELERY_BEAT_SCHEDULE): the urgent deadlines and retraining.

Working-day deadlines (clocks) are swept by ``workdays.sweep_deadlines``, which calls the handlers
the hotline registers; urgent deadlines are wall-clock hours and are checked here."""

from dataclasses import asdict

from celery import shared_task

from yiwang.hotline import services


@shared_task(name="hotline.sweep")
def sweep() -> dict:
    """Urgent (hours) 催办 before expiry and overdue notices after; safe to run as often as wanted."""
    return asdict(services.appeal_urgent_sweep())


@shared_task(name="hotline.train_routing")
def train_routing(folds: int = 5) -> list[int]:
    """Retrain the routers on the platform's history (e.g. nightly)."""
    return [model.pk for model in services.routing_model_train(actor=None, folds=folds)]
