"""The routers are loaded when a worker process starts (Celery worker_process_init, gunicorn post_fork)."""

from celery.signals import worker_process_init

from yiwang.hotline import selectors
from yiwang.hotline.warm import on_worker_process_init, routing_warm


def test_a_celery_worker_process_warms_the_routers_when_it_starts():
    receivers = [r() for _, r in worker_process_init.receivers]
    assert on_worker_process_init in receivers


def test_it_loads_the_active_routers_before_the_first_appeal(trained_routers):
    selectors._routers.clear()  # a fresh process

    warmed = routing_warm()

    assert sorted(warmed["targets"]) == ["category", "department"]
    assert {target: pk for target, (pk, _) in selectors._routers.items()} == {m.target: m.pk for m in trained_routers}


def test_a_process_with_no_trained_router_starts_cold_without_error(categories):
    selectors._routers.clear()
    assert routing_warm()["targets"] == []
    on_worker_process_init()  # the signal handler never raises
    assert selectors._routers == {}
