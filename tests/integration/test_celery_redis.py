"""The production path of background work: a Celery worker fed through Redis.

The embedded default runs tasks eagerly; here a real worker thread consumes a real Redis queue,
so a notification queued in a committed transaction is delivered by the worker, not in-process.
Skipped where no Redis answers, except in CI (where it must).
"""

import os
import socket
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from config.celery import app
from yiwang.core.models import OutboxMessage
from yiwang.core.outbox import outbox_enqueue
from yiwang.core.sms import LocmemSmsBackend

REDIS_URL = os.environ.get("YIWANG_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

pytestmark = pytest.mark.django_db(transaction=True)


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_worker(settings):
    if not _redis_up():
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379", pytrace=False)
        pytest.skip("Redis is not running on 127.0.0.1:6379 (start it with: redis-server --daemonize yes)")
    settings.SMS_BACKEND = "locmem"
    LocmemSmsBackend.outbox.clear()
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False)
    _drop_connection_pools(app)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        app.conf.update(saved)
        _drop_connection_pools(app)


def _drop_connection_pools(celery_app) -> None:
    """Forget pooled broker connections so the next message goes to the broker configured now."""
    celery_app._pool = None
    if "amqp" in celery_app.__dict__:
        celery_app.amqp._producer_pool = None


def test_it_delivers_a_queued_sms_through_a_redis_fed_worker(redis_worker):
    with transaction.atomic():
        message = outbox_enqueue(channel="sms", recipient="13812345678", body="您的办件已受理。")
    # The on-commit hook sent the delivery task to Redis; the worker thread picks it up.
    from yiwang.core.tasks import deliver_outbox

    result = deliver_outbox.apply_async(ignore_result=True)
    assert type(result).__name__ == "AsyncResult"  # sent through the broker, not run eagerly
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.state == OutboxMessage.State.SENT:
            break
        time.sleep(0.2)
    assert message.state == OutboxMessage.State.SENT
    assert [sms.body for sms in LocmemSmsBackend.outbox] == ["您的办件已受理。"]
