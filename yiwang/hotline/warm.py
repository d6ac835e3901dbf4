"""Routing warm at process start: the active routers and jieba's dictionary are loaded when a worker
process starts, not on the first appeal it routes (issue: province scale — 15–24 s cold start).

Called from Celery's ``worker_process_init`` (connected in ``HotlineConfig.ready``: connecting a
signal touches no database) and from gunicorn's ``post_fork`` (``deploy/gunicorn.conf.py`` calls
``yiwang.hotline.warm.routing_warm``). A failure is logged and leaves the process cold, never down:
the first suggestion then loads the router as before.
"""

from __future__ import annotations

import logging
import time

logger = logging.getLogger(__name__)


def routing_warm() -> dict[str, float | list[str]]:
    """Load jieba and every active router into this process; what was loaded and how long it took."""
    from yiwang.hotline import routing, selectors
    from yiwang.hotline.models import RoutingModel

    started = time.perf_counter()
    routing._jieba()
    routing.segment("眉县首善街道路灯不亮")  # the first segmentation builds jieba's prefix dictionary
    loaded = [target for target in RoutingModel.Target.values if selectors._active_router(target) is not None]
    seconds = time.perf_counter() - started
    logger.info("routing warm: %s in %.1f s", ", ".join(loaded) or "no active router", seconds)
    return {"targets": loaded, "seconds": seconds}


def on_worker_process_init(**kwargs) -> None:
    """Celery ``worker_process_init``: warm the routers; a failure only leaves the worker cold."""
    try:
        routing_warm()
    except Exception:  # the worker must start even if the model table is unreachable
        logger.exception("routing warm failed; the first suggestion will load the router")
    finally:
        from django.db import connections

        connections.close_all()  # the forked worker opens its own connections when it works
