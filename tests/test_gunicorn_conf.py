"""A gunicorn worker freezes what it loaded at start out of the garbage collector (deploy/gunicorn.conf.py)."""

import gc
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_worker_freezes_its_loaded_heap_after_the_warm_up(monkeypatch):
    from yiwang.hotline import warm

    warmed = []
    monkeypatch.setattr(warm, "on_worker_process_init", lambda **kwargs: warmed.append(True))
    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    before = gc.get_freeze_count()
    try:
        conf["post_fork"](server=None, worker=None)
        assert warmed == [True]  # the routers first, then the freeze covers them too
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
