"""Routing at scale: the training sample, the fit, held-out accuracy and the warm start, beside baselines.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/scale .venv/bin/python bench/routing.py
    … bench/routing.py --folds 5 --workers          # the nightly task's cross-validation; real worker starts

PostgreSQL. Measures the history the database holds; grow it with ``bench/generate.py --appeal-texts``
so that the appeals carry real, varied citizen messages (copies of the demo's texts teach nothing).

1. The sample (``hotline.services.routing_history``): time and rows, and ``EXPLAIN (ANALYZE, BUFFERS)``
   of the largest department's query — an index scan that the LIMIT stops after about cap rows.
   Beside it, in the same run: the same number of rows read with a plain ``SELECT … LIMIT``, and the
   unbounded way (every reply of the window ranked by two window functions, as routing did before).
2. The fit (``routing_model_train``, what the nightly ``hotline.train_routing`` task runs): wall and CPU
   time, the process's peak RSS during it (Linux high-water mark, reset before), samples and classes.
3. Accuracy on messages the router never saw: the raw 495-message TipDM sample (the generator leaves
   it out unless ``--appeal-texts-with-sample``): the category router's category group against the
   message's topic, on all of them and on those with no near-copy in the training file; and generated
   appeals whose last reply is older than the window (never in the sample), drawn evenly over that
   older history (``held_out_rows``): the category on all of them, the department on those a
   department replied to (the operator's on-the-spot answers name none), with the most frequent misses.
   Optimistic: their texts are recombined from the same source messages, and their department and
   category are their template's (``bench/generate.py``).
4. Worker start: a fresh process (``django.setup`` and ``routing_warm``, what Celery's
   ``worker_process_init`` and gunicorn's ``post_fork`` run), the first suggestion after it, and the
   first suggestion of a process that was not warmed. ``--workers`` also starts a real gunicorn
   worker and a real Celery prefork worker (memory broker) and reads their warm-up log line.

5. Suggestions (``--suggestions N``): CPU per appeal of N waiting appeals suggested one by one
   (``appeal_suggest``, one task per appeal before batching) and N in one batch (``appeal_suggest_many``,
   what ``hotline.suggest_pending_routing`` runs), predictions alone and with storing and audit; their
   suggestions are cleared for the measure and everything is rolled back.

Beside every figure: the load average and a yardstick (a fixed raw loop and sparse product, wall and
CPU) measured in the same run. Printed, and with ``--json FILE`` written as JSON; ``--baseline FILE``
prints an earlier run's figures beside this run's with the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from memory import peak_rss_mb, peak_rss_reset, rss_mb  # noqa: E402

# The sample as routing read it before: every reply of the window ranked by two window functions.
UNBOUNDED_SQL = """
    WITH last AS (
        SELECT appeal_id, department_id, replied_at,
               ROW_NUMBER() OVER (PARTITION BY appeal_id ORDER BY replied_at DESC, id DESC) AS k
        FROM hotline_reply WHERE department_id IS NOT NULL AND replied_at >= %s
    ), ranked AS (
        SELECT appeal_id, department_id,
               ROW_NUMBER() OVER (PARTITION BY department_id ORDER BY replied_at DESC, appeal_id DESC) AS n
        FROM last WHERE k = 1
    )
    SELECT a.title, a.content FROM ranked JOIN hotline_appeal a ON a.id = ranked.appeal_id WHERE ranked.n <= %s
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=0, help="cross-validation folds in the fit (nightly task: 5)")
    parser.add_argument("--held-out", type=int, default=2000, help="generated appeals older than the window to score")
    parser.add_argument("--workers", action="store_true", help="also start a gunicorn and a Celery worker")
    parser.add_argument("--no-fit", action="store_true", help="no training: the sample, and the active routers")
    parser.add_argument("--suggestions", type=int, default=200, help="appeals suggested one by one and in a batch")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--baseline", help="a --json file of an earlier run: its figures printed beside, with ratios")
    return parser.parse_args(argv)


# --- memory -------------------------------------------------------------------------------------


# --- 1. the sample ------------------------------------------------------------------------------


def history_size() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM hotline_appeal")
        appeals = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM hotline_reply")
        replies = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(DISTINCT content) FROM (SELECT content FROM hotline_appeal LIMIT 100000) s")
        distinct = cursor.fetchone()[0]
    return {"appeals": appeals, "replies": replies, "distinct_texts_in_100k": distinct}


def _plan_summary(plan: dict) -> dict:
    """Node types, the rows the scans of hotline_reply returned and the buffers the query touched."""
    nodes, reply_scans = [], []

    def walk(node):
        nodes.append(node["Node Type"])
        if node.get("Relation Name") == "hotline_reply" and node["Node Type"].endswith("Scan"):
            reply_scans.append(
                {
                    "node": node["Node Type"],
                    "index": node.get("Index Name"),
                    "rows": node.get("Actual Rows", 0) * node.get("Actual Loops", 1),
                    "loops": node.get("Actual Loops", 1),
                }
            )
        for child in node.get("Plans", ()):
            walk(child)

    walk(plan["Plan"])
    buffers = plan["Plan"].get("Shared Hit Blocks", 0) + plan["Plan"].get("Shared Read Blocks", 0)
    return {
        "ms": round(plan.get("Execution Time", 0.0), 1),
        "nodes": sorted(set(nodes)),
        "reply_scans": reply_scans,
        "buffers": buffers,
        "rows": plan["Plan"].get("Actual Rows"),
    }


def explain(sql: str, params) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", params)
        (plan,) = cursor.fetchone()[0]
    return _plan_summary(plan)


def measure_sample() -> dict:
    from django.db import connection
    from django.db.models import Count

    from yiwang.hotline.models import Reply
    from yiwang.hotline.services import routing_history
    from yiwang.hotline.services.routing import routing_sample_queries, routing_sample_query, routing_sample_window

    since, cap = routing_sample_window()
    # the department with the most replies: its query is the one the cap has to stop
    department_id, department_replies = (
        Reply.objects.values("department_id").annotate(n=Count("id")).order_by("-n").values_list("department_id", "n")
    )[0]
    bounded = explain(*routing_sample_query(department_id, since, cap).query.sql_with_params())

    started, cpu = time.perf_counter(), time.process_time()
    history = routing_history()
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    texts, labels = history["department"]
    fetched = sum(len(query) for query in routing_sample_queries())

    unbounded = explain(UNBOUNDED_SQL, [since, cap])
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute("SELECT title, content FROM hotline_appeal ORDER BY id DESC LIMIT %s", [fetched])
        cursor.fetchall()
        plain = time.perf_counter() - started
    return {
        "cap": cap,
        "rows": fetched,
        "kept": len(texts),
        "classes": len(set(labels)),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "busiest": {"department_id": department_id, "replies": department_replies, "plan": bounded},
        "plain_select_seconds": round(plain, 2),
        "unbounded": unbounded,
    }


# --- 2. the fit ---------------------------------------------------------------------------------


def measure_fit(folds: int) -> dict:
    from yiwang.hotline.services import routing_model_train

    before = rss_mb()
    peak_rss_reset()
    started, cpu = time.perf_counter(), time.process_time()
    models = routing_model_train(actor=None, folds=folds or None)
    return {
        "folds": folds,
        "seconds": round(time.perf_counter() - started, 1),
        "cpu_seconds": round(time.process_time() - cpu, 1),
        "rss_before_mb": round(before),
        "peak_mb": round(peak_rss_mb()),
        "models": {
            m.target: {
                "pk": m.pk,
                "samples": m.n_samples,
                "classes": len(m.labels),
                "blob_kb": round(len(m.blob) / 1024),
                "cv_accuracy": m.metrics.get("accuracy"),
            }
            for m in models
        },
    }


# --- yardstick ----------------------------------------------------------------------------------


def yardstick() -> dict:
    """A fixed raw loop (pure Python plus a sparse matrix product), timed wall and CPU: the machine's
    speed at this moment, printed beside every figure so runs on a noisy machine compare."""
    import numpy as np
    import scipy.sparse as sp

    rng = np.random.default_rng(42)
    matrix = sp.random(20_000, 200_000, density=0.003, format="csr", random_state=rng)
    weights = rng.standard_normal((200_000, 30))
    started, cpu = time.perf_counter(), time.process_time()
    total = 0
    for i in range(3_000_000):
        total += i % 7
    for _ in range(3):
        matrix @ weights
    return {"seconds": round(time.perf_counter() - started, 2), "cpu_seconds": round(time.process_time() - cpu, 2)}


# --- suggestions: one by one and in a batch ------------------------------------------------------


class _Rollback(Exception):
    pass


def measure_suggestions(n: int) -> dict:
    """CPU per suggestion of the active routers, appeal by appeal (``appeal_suggest``, one task per
    appeal before batching) and in one batch (``appeal_suggest_many``, what the batched task runs),
    on appeals waiting for dispatch whose suggestion is cleared for the measure — all rolled back.
    Also the predictions alone (``routing_suggest`` one by one and within ``batched_predictions``)."""
    from django.db import transaction

    from yiwang.core.limits import analysis_prefix
    from yiwang.hotline import routing, selectors, services
    from yiwang.hotline.models import Appeal

    appeals = list(Appeal.objects.filter(state="received").select_related("town").order_by("-pk")[: 2 * n])
    if len(appeals) < 2:
        return {"error": "no appeals waiting for dispatch"}
    half = len(appeals) // 2
    one, many = appeals[:half], appeals[half:]
    selectors.routing_suggest(title="眉县首善街道路灯不亮", content="路灯不亮")  # routers loaded, jieba ready
    result = {"n": half}

    def cpu_of(work) -> float:
        cpu = time.process_time()
        work()
        return time.process_time() - cpu

    def suggest_alone(batch):
        for a in batch:
            selectors.routing_suggest(title=a.title, content=a.content, town=a.town)

    def suggest_batched(batch):
        documents = [routing.appeal_document(analysis_prefix(a.title), analysis_prefix(a.content)) for a in batch]
        with routing.batched_predictions(documents):
            suggest_alone(batch)

    result["predict_one_ms"] = round(cpu_of(lambda: suggest_alone(one)) / half * 1000, 2)
    result["predict_batch_ms"] = round(cpu_of(lambda: suggest_batched(many)) / half * 1000, 2)
    try:
        with transaction.atomic():
            Appeal.objects.filter(pk__in=[a.pk for a in appeals]).update(
                suggested_department=None, suggested_category=None
            )
            result["store_one_ms"] = round(
                cpu_of(lambda: [services.appeal_suggest(appeal_id=a.pk) for a in one]) / half * 1000, 2
            )
            result["store_batch_ms"] = round(
                cpu_of(lambda: services.appeal_suggest_many(appeal_ids=[a.pk for a in many])) / half * 1000, 2
            )
            raise _Rollback
    except _Rollback:
        pass
    return result


# --- 3. accuracy --------------------------------------------------------------------------------


def held_out_rows(since, n: int) -> list[tuple]:
    """``n`` appeals whose last reply is older than the window (never in the sample), spread evenly
    over that older history: every k-th by reply time. Rows: title, content, the replying department's
    code (None: the operator answered from the knowledge base), category code.

    Not the latest ``n`` before the window: at millions of appeals they are the last hours or day before
    it, and which hours depends on the time the bench runs (the window opens 24 months before now). In
    the evening and at weekends departments do not reply but the operator still answers consultations
    on the spot, from the knowledge base, naming no department: 6.8 % of all old last replies at 1 M
    appeals, 19 % of the latest 200 before a window opening on a Sunday morning."""
    from django.db.models import Exists, OuterRef, Q

    from yiwang.hotline.models import Reply

    later = Reply.objects.filter(appeal_id=OuterRef("appeal_id")).filter(
        Q(replied_at__gt=OuterRef("replied_at")) | Q(replied_at=OuterRef("replied_at"), pk__gt=OuterRef("pk"))
    )
    last = Reply.objects.filter(replied_at__lt=since).exclude(Exists(later))
    ids = list(last.order_by("replied_at", "pk").values_list("pk", flat=True))
    if not ids or n <= 0:
        return []
    step = max(1, len(ids) // n)
    chosen = ids[step // 2 :: step][:n]
    return list(
        Reply.objects.filter(pk__in=chosen)
        .order_by("replied_at", "pk")
        .values_list("appeal__title", "appeal__content", "department__code", "appeal__category__code")
    )


def measure_accuracy(held_out: int) -> dict:
    from collections import Counter

    from django.conf import settings

    from yiwang.hotline import routing, selectors
    from yiwang.hotline.models import Category
    from yiwang.hotline.services.routing import routing_sample_window

    result = {}
    category_router = selectors._active_router("category")
    department_router = selectors._active_router("department")
    groups = dict(Category.objects.values_list("code", "group"))
    data = Path(settings.SHARED_DIR) / "data"
    if category_router is not None and (data / routing.TIPDM_SAMPLE).exists():
        texts, labels = routing.read_labelled_file(data / routing.TIPDM_SAMPLE)
        predicted = [groups.get(p.label) for p in category_router.predict(texts)]
        right = [p == t for p, t in zip(predicted, labels, strict=True)]
        result["tipdm_sample"] = {"n": len(right), "accuracy": round(sum(right) / len(right), 4)}
        if (data / routing.TIPDM_TRAIN).exists():
            train_texts, _ = routing.read_labelled_file(data / routing.TIPDM_TRAIN)
            unseen = [r for r, copy in zip(right, routing.near_copies(train_texts, texts), strict=True) if not copy]
            result["tipdm_unseen"] = {"n": len(unseen), "accuracy": round(sum(unseen) / max(1, len(unseen)), 4)}
    else:
        result["tipdm_sample"] = f"no category router or no {data / routing.TIPDM_SAMPLE}"

    since, _ = routing_sample_window()
    rows = held_out_rows(since, held_out)
    if rows and department_router is not None:
        documents = [routing.appeal_document(t, c) for t, c, _, _ in rows]
        # The department router learns from departments' replies (the sample reads nothing else): an
        # appeal the operator answered on the spot has no department to get right and is not scored.
        handled = [(d, r[2]) for d, r in zip(documents, rows, strict=True) if r[2]]
        departments = [p.label for p in department_router.predict([d for d, _ in handled])] if handled else []
        misses = Counter((truth, p) for p, (_, truth) in zip(departments, handled, strict=True) if p != truth)
        entry = {
            "n": len(rows),
            "by_department": len(handled),
            "answered_by_operator": len(rows) - len(handled),
            "department": round(sum(p == t for p, (_, t) in zip(departments, handled, strict=True)) / len(handled), 4)
            if handled
            else None,
            "department_misses": [[t, p, k] for (t, p), k in misses.most_common(5)],
        }
        if category_router is not None:
            categories = [p.label for p in category_router.predict(documents)]
            scored = [(p, r[3]) for p, r in zip(categories, rows, strict=True) if r[3]]
            entry["category"] = round(sum(p == t for p, t in scored) / max(1, len(scored)), 4)
        result["older_than_window"] = entry
    return result


# --- 4. worker start ----------------------------------------------------------------------------

CHILD = r"""
import json, os, sys, time
t0 = time.perf_counter()
import django
django.setup()
t1 = time.perf_counter()
from yiwang.hotline import selectors
from yiwang.hotline.warm import routing_warm
from yiwang.hotline.models import Appeal
warm = routing_warm() if sys.argv[1] == "warm" else {"targets": [], "seconds": 0.0}
t2 = time.perf_counter()
appeal = Appeal.objects.order_by("-id").first()
t3 = time.perf_counter()
selectors.routing_suggest(title=appeal.title, content=appeal.content)
t4 = time.perf_counter()
selectors.routing_suggest(title=appeal.title, content=appeal.content[::-1])
t5 = time.perf_counter()
print(json.dumps({"setup": t1 - t0, "warm": t2 - t1, "targets": warm["targets"], "first_suggestion": t4 - t3,
                  "second_suggestion": t5 - t4}))
"""


def measure_start() -> dict:
    result = {}
    for mode in ("warm", "cold"):
        out = subprocess.run(
            [sys.executable, "-c", CHILD, mode], cwd=ROOT, capture_output=True, text=True, check=True, env=os.environ
        )
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        result[mode] = {k: (round(v, 2) if isinstance(v, float) else v) for k, v in figures.items()}
    return result


WARM_LINE = re.compile(r"routing warm: (?P<targets>.+?) in (?P<seconds>[\d.]+) s")


def _wait_for_line(process, pattern, timeout: float) -> tuple[re.Match | None, float, list[str]]:
    """The first line of ``process``'s output matching ``pattern`` and how long after ``process``
    started it came (a reader thread: the pipe is read line by line as it comes)."""
    import queue
    import threading

    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    started, seen = time.perf_counter(), []
    while time.perf_counter() - started < timeout:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            if process.poll() is not None:
                break
            continue
        seen.append(line.rstrip())
        match = pattern.search(line)
        if match:
            return match, time.perf_counter() - started, seen
    return None, time.perf_counter() - started, seen


def measure_workers() -> dict:
    """A real gunicorn worker (post_fork) and a real Celery prefork worker (worker_process_init)."""
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "GUNICORN_WORKERS": "1", "GUNICORN_BIND": "127.0.0.1:8765", "GUNICORN_ACCESS_LOG": "-"}
    commands = {
        "gunicorn": [str(bin_dir / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
        "celery": [
            str(bin_dir / "celery"),
            "-A",
            "config",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
    }
    result = {}
    for name, command in commands.items():
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**env, "CELERY_BROKER_URL": "memory://"} if name == "celery" else env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            match, seconds, seen = _wait_for_line(process, WARM_LINE, timeout=300)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if match:
            result[name] = {
                "targets": match["targets"],
                "warm_seconds": float(match["seconds"]),
                "since_spawn_seconds": round(seconds, 1),
            }
        else:
            result[name] = {"error": "no warm-up line", "log": seen[-15:]}
    return result


# --- report -------------------------------------------------------------------------------------


def report(figures: dict) -> str:
    h, s, f = figures["history"], figures["sample"], figures["fit"]
    b, u = s["busiest"], s["unbounded"]
    lines = [
        f"history: {h['appeals']:,} appeals, {h['replies']:,} replies; distinct texts in 100 k appeals: "
        f"{h['distinct_texts_in_100k']:,}",
        f"sample: {s['rows']:,} rows (cap {s['cap']} per department) in {s['seconds']} s (CPU {s['cpu_seconds']} s); kept {s['kept']:,} distinct texts, {s['classes']} classes",
        f"  busiest department ({b['replies']:,} replies): {b['plan']['ms']} ms, nodes {', '.join(b['plan']['nodes'])}; "
        f"reply scans {b['plan']['reply_scans']}; {b['plan']['buffers']:,} buffers",
        f"  baseline, the same {s['rows']:,} rows by a plain SELECT … LIMIT: {s['plain_select_seconds']} s",
        f"  before, window functions over the window: {u['ms']} ms, reply rows read "
        f"{sum(x['rows'] for x in u['reply_scans']):,}, {u['buffers']:,} buffers",
    ]
    if f is None:
        lines.append("fit: not run (--no-fit); accuracy and start are the active routers'")
    else:
        lines.append(
            f"fit (folds {f['folds'] or 'none'}): {f['seconds']} s wall, {f['cpu_seconds']} s CPU; "
            f"RSS {f['rss_before_mb']} MB before, peak {f['peak_mb']} MB"
        )
    for target, m in (f or {}).get("models", {}).items():
        lines.append(
            f"  {target}: {m['samples']:,} samples, {m['classes']} classes, {m['blob_kb']:,} KB"
            + (f", CV accuracy {m['cv_accuracy']}" if m.get("cv_accuracy") is not None else "")
        )
    a = figures["accuracy"]
    if isinstance(a.get("tipdm_sample"), dict):
        lines.append(
            f"held out: TipDM raw sample {a['tipdm_sample']['accuracy']} (n {a['tipdm_sample']['n']}, category group)"
            + (
                f", with no near-copy in the training file {a['tipdm_unseen']['accuracy']} (n {a['tipdm_unseen']['n']})"
                if "tipdm_unseen" in a
                else ""
            )
        )
    else:
        lines.append(f"held out: {a.get('tipdm_sample')}")
    if "older_than_window" in a:
        o = a["older_than_window"]
        misses = ", ".join(f"{t}→{p} {k}" for t, p, k in o["department_misses"]) or "none"
        lines.append(
            f"held out: {o['n']:,} generated appeals older than the window, spread over it (same source messages "
            f"and template labels: optimistic): department {o['department']} on the {o['by_department']:,} a "
            f"department replied to ({o['answered_by_operator']:,} answered by the operator, no department), "
            f"category {o.get('category')} on all; department misses: {misses}"
        )
    st = figures["start"]
    lines.append(
        f"worker start: django.setup {st['warm']['setup']} s, routing_warm {st['warm']['warm']} s ({st['warm']['targets']}); "
        f"first suggestion warm {st['warm']['first_suggestion']} s, cold {st['cold']['first_suggestion']} s "
        f"(second: {st['cold']['second_suggestion']} s)"
    )
    g = figures.get("suggestions") or {}
    if "error" in g:
        lines.append(f"suggestions: {g['error']}")
    elif g:
        lines.append(
            f"suggestions ({g['n']} appeals each way), CPU per appeal: predict one by one {g['predict_one_ms']} ms, "
            f"in one batch {g['predict_batch_ms']} ms; with storing and audit one by one {g['store_one_ms']} ms, "
            f"in one batch {g['store_batch_ms']} ms"
        )
    for name, w in figures.get("workers", {}).items():
        if "error" in w:
            lines.append(f"  {name}: {w['error']}: " + " | ".join(w["log"]))
        else:
            lines.append(
                f"  {name}: warm in the worker {w['warm_seconds']} s ({w['targets']}), {w['since_spawn_seconds']} s "
                "after the command started"
            )
    return "\n".join(lines)


COMPARED = [
    ("yardstick wall s", ("yardstick", "seconds")),
    ("yardstick CPU s", ("yardstick", "cpu_seconds")),
    ("sample rows", ("sample", "rows")),
    ("fit wall s", ("fit", "seconds")),
    ("fit CPU s", ("fit", "cpu_seconds")),
    ("fit peak RSS MB", ("fit", "peak_mb")),
    ("department model KB", ("fit", "models", "department", "blob_kb")),
    ("category model KB", ("fit", "models", "category", "blob_kb")),
    ("routing_warm s", ("start", "warm", "warm")),
    ("TipDM sample accuracy", ("accuracy", "tipdm_sample", "accuracy")),
    ("TipDM unseen accuracy", ("accuracy", "tipdm_unseen", "accuracy")),
    ("older-than-window department", ("accuracy", "older_than_window", "department")),
    ("older-than-window category", ("accuracy", "older_than_window", "category")),
    ("predict CPU ms/appeal, one by one", ("suggestions", "predict_one_ms")),
    ("predict CPU ms/appeal, batch", ("suggestions", "predict_batch_ms")),
    ("suggest+store CPU ms/appeal, one by one", ("suggestions", "store_one_ms")),
    ("suggest+store CPU ms/appeal, batch", ("suggestions", "store_batch_ms")),
]


def _dig(figures: dict, path: tuple):
    for key in path:
        if not isinstance(figures, dict) or key not in figures:
            return None
        figures = figures[key]
    return figures


def compare(before: dict, after: dict) -> str:
    """The earlier run's figures beside this run's, with the ratio now / before."""
    lines = [f"{'':42} {'baseline':>12} {'now':>12} {'now/baseline':>13}"]
    lines.append(f"{'load average (1 min) at start':42} {before['load'][0]:>12} {after['load'][0]:>12}")
    for label, path in COMPARED:
        b, a = _dig(before, path), _dig(after, path)
        if b is None and a is None:
            continue
        ratio = f"{a / b:.2f}" if isinstance(a, int | float) and isinstance(b, int | float) and b else ""
        lines.append(f"{label:42} {b if b is not None else '-':>12} {a if a is not None else '-':>12} {ratio:>13}")
    return "\n".join(lines)


def main(argv=None) -> dict:
    args = parse_args(argv)
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("bench/routing.py reads PostgreSQL plans: set DATABASE_URL to a PostgreSQL database")
    load = os.getloadavg()
    figures = {"load": [round(x, 1) for x in load], "yardstick": yardstick(), "history": history_size()}
    figures["sample"] = measure_sample()
    figures["fit"] = None if args.no_fit else measure_fit(args.folds)
    figures["accuracy"] = measure_accuracy(args.held_out)
    figures["start"] = measure_start()
    if args.suggestions:
        figures["suggestions"] = measure_suggestions(args.suggestions)
    if args.workers:
        figures["workers"] = measure_workers()
    figures["load_after"] = [round(x, 1) for x in os.getloadavg()]
    y = figures["yardstick"]
    print(
        f"load average {figures['load']} (after: {figures['load_after']}); yardstick (raw loop) {y['seconds']} s wall, "
        f"{y['cpu_seconds']} s CPU"
    )
    print(report(figures))
    if args.baseline:
        print(compare(json.loads(Path(args.baseline).read_text()), figures))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=2, default=str))
    return figures


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    main()
