"""gunicorn for Yiwang: ``gunicorn -c deploy/gunicorn.conf.py config.wsgi`` (systemd: deploy/systemd/yiwang-web.service).

Sync workers: each request holds one database connection (through pgbouncer) for its whole length, and the
pages are short. Every value can be overridden from the environment file (deploy/yiwang.env.example).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")  # nginx in front; never exposed directly
# 2 × cores + 1 sync workers: a request spends much of its time waiting on PostgreSQL (about twenty
# statements and a commit for an intake), and another worker uses the core meanwhile; with one worker
# per core the cores idle through those waits. bench/intake.py runs this file, so the intake figures
# are this configuration's (--workers to compare another count). Threads would not help: the Python
# part of a request holds the interpreter lock.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A worker that has served this many requests is replaced (a slow leak cannot grow for ever); the jitter
# keeps the workers from restarting all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
# Longer than the slowest legitimate page (an Excel export of a year's ledger), shorter than nginx's
# proxy_read_timeout (deploy/nginx/yiwang.conf), so the proxy never answers for a worker still busy.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# Load the application once in the master: workers fork with it (faster restarts, shared memory pages).
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"
# The client address nginx saw (X-Forwarded-For) is trusted from nginx on this host only.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_protocol = False
# Logs to stdout/stderr: systemd's journal or the log files logrotate turns (deploy/logrotate/yiwang).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Remote address, time, request line, status, bytes, duration in µs, and which database served the reads.
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s bytes=%(b)s duration_us=%(D)s read_from=%({x-read-from}o)s'
# Temporary files of the worker heartbeat in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 (tmpfs, gunicorn's advice)


def post_fork(server, worker):
    """Each worker loads the appeal routers (and jieba) as it starts, so no request pays the cold start.

    Then what is loaded is frozen out of the garbage collector (``gc.freeze``): a full collection,
    which lands on a request every few dozen pages, otherwise walks the whole application heap
    (~300 000 objects: 150 ms of CPU measured, the handling queue's p95); frozen, it walks only what
    requests left behind (~50 ms). The loaded heap lives as long as the worker anyway."""
    import gc

    from django.apps import apps

    if apps.ready:  # with preload_app the application is loaded; otherwise the first request loads it
        from yiwang.hotline.warm import on_worker_process_init

        on_worker_process_init()
    gc.collect()
    gc.freeze()
