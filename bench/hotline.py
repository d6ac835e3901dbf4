"""Hotline benchmark: appeal intake per second through the API, routing latency (p50/p95), and the
raw database insert rate measured in the same run for comparison.

    DEBUG=1 .venv/bin/python bench/hotline.py [--intakes 300] [--suggestions 300] [--rows 5000]

Runs on a temporary SQLite database built for the run (migrated, seeded with a county, towns,
departments, a dispatcher and categories, and a router trained on generated history); set
BENCH_DATABASE_URL to run against another database instead (e.g. a scratch PostgreSQL) — the
bench's rows there carry the submission key prefix ``bench:`` and are deleted at the end.
Prints figures; asserts nothing.

    DEBUG=1 BENCH_DATABASE_URL=postgres://…/scale .venv/bin/python bench/hotline.py --similar [--requests 20]

Similar appeals on an existing database (``manage.py demo``, then ``bench/generate.py`` on PostgreSQL):
the dispatch queue and an appeal page as the demo dispatcher (wall p50/p95, CPU of this process per
request, queries per request), the page's similar-appeal look-up beside the Python loop it replaced
and whether they agree, EXPLAIN ANALYZE of the candidate query, and a ``SELECT 1`` loop as the raw
baseline measured in the same run. ``--similar-calibrate`` compares, over every pair of distinct appeal
texts in the database and of the real messages in ../shared/data (skipped when absent), the bigram score
with pg_trgm's trigram similarity on the expression the trigram index of hotline 0008 proposed
candidates by, at its floor (why 0011 dropped it); ``--text-sql`` and ``--floor`` try another. ``--similar-rule`` compares the similar appeals the
pages show (the dispatch queue's first page, every open or replied appeal) with the rule computed
exhaustively (every open appeal of the place and window scored).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.models import Q

    from yiwang.hotline.models import Appeal

ROOT = Path(__file__).resolve().parent.parent
# Real citizen messages (TipDM 2020) in the shared data folder, read there for --similar-calibrate.
REAL_MESSAGES = ("appeals-sample-tipdm2020.csv", "appeals-tipdm2020-train.csv")
# --similar-calibrate: the text and floor of the trigram index hotline 0008 built and 0011 dropped
# (what it proposed candidates by), kept to show why it was dropped.
TRIGRAM_TEXT_SQL = "left({t}.title || ' ' || {t}.content, 2000)"
TRIGRAM_FLOOR = 0.05
sys.path.insert(0, str(ROOT))


def setup_django() -> tuple[str, bool]:
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    url = os.environ.get("BENCH_DATABASE_URL")
    temporary = not url
    if temporary:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='yiwang-bench-')}/bench.sqlite3"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("SMS_BACKEND", "locmem")  # the outbox still delivers (eagerly), silently
    import django

    django.setup()
    return url, temporary


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def build_world():
    """County, towns, departments, a dispatcher, categories with their mapping; a trained router."""
    from django.core.management import call_command

    from yiwang.hotline import routing
    from yiwang.hotline.demo import dataset as demo_data
    from yiwang.hotline.demo import ensure_reference as _ensure_reference
    from yiwang.hotline.models import Category, RoutingModel
    from yiwang.org import services as org_services
    from yiwang.org.models import Department, Membership, Region, Role, User

    call_command("migrate", verbosity=0)
    org_services.region_load_from_data(actor=None)
    org_services.department_load_from_data(actor=None)
    _ensure_reference()
    user, _ = User.objects.get_or_create(username="bench-dispatcher", defaults={"display_name": "压测派单员"})
    Membership.objects.get_or_create(
        user=user, role=Role.DISPATCHER, department=Department.objects.get(code="information-centre")
    )
    county = Region.objects.get(code="610326")
    if not RoutingModel.objects.filter(is_active=True, target="department").exists():
        texts, labels = synthetic_history(demo_data, 1500)
        codes = {c.code: c for c in Category.objects.all()}
        mapping = {c: m.department.code for c in codes.values() for m in c.mappings.filter(town__isnull=True)}
        departments = [mapping.get(codes[label], "government-office") for label in labels]
        for target, y in (("department", departments), ("category", labels)):
            router = routing.TextRouter.fit(texts, y)
            RoutingModel.objects.create(
                target=target, region=county, blob=router.dumps(), labels=router.labels, n_samples=len(texts)
            )
    return user, county


def synthetic_history(demo_data, n: int) -> tuple[list[str], list[str]]:
    import random

    from yiwang.hotline.routing import appeal_document

    rng = random.Random(7)
    towns = ["首善街道", "横渠镇", "槐芽镇", "汤峪镇", "常兴镇", "金渠镇", "营头镇", "齐镇"]
    codes = list(demo_data.TEMPLATES)
    texts, labels = [], []
    for _ in range(n):
        code = rng.choice(codes)
        title, body = rng.choice(demo_data.TEMPLATES[code])
        slots = dict(
            town=rng.choice(towns),
            village=rng.choice(["红河谷村", "槐芽村", "北兴村", "三寨村"]),
            company=rng.choice(demo_data.COMPANIES),
            n=rng.randint(2, 9),
            month=rng.randint(1, 12),
            day=rng.randint(1, 28),
            money=rng.randint(3000, 20000),
            road=rng.choice(demo_data.ROADS),
            school="中心小学",
            community=rng.choice(demo_data.COMMUNITIES),
            place="眉县",
        )
        texts.append(appeal_document(title.format(**slots), body.format(**slots)))
        labels.append(code)
    return texts, labels


def bench_intake(user, n: int) -> tuple[float, list[float]]:
    """POST /api/hotline/appeals with an Idempotency-Key each, as a logged-in operator (in-process)."""
    import json

    from django.test import Client

    from yiwang.hotline.demo import dataset as demo_data

    client = Client()
    client.force_login(user)
    texts, _ = synthetic_history(demo_data, n)
    latencies = []
    started = time.perf_counter()
    for i, text in enumerate(texts):
        payload = {
            "kind": "complaint",
            "channel": "phone",
            "title": text.split("。")[0][:60],
            "content": text,
            "town_code": "610326105",
            "contact_name": "张建国",
            "contact_phone": f"139{i:08d}",
        }
        t0 = time.perf_counter()
        response = client.post(
            "/api/hotline/appeals",
            data=json.dumps(payload),
            content_type="application/json",
            headers={"Idempotency-Key": f"bench:{time.time_ns()}:{i}"},
        )
        latencies.append(time.perf_counter() - t0)
        if response.status_code != 201:
            raise SystemExit(f"intake failed: {response.status_code} {response.content[:300]!r}")
    elapsed = time.perf_counter() - started
    return n / elapsed, latencies


def bench_routing(n: int) -> list[float]:
    from yiwang.hotline.demo import dataset as demo_data
    from yiwang.hotline.selectors import routing_suggest

    texts, _ = synthetic_history(demo_data, n)
    routing_suggest(title="预热", content="通村路坑洼积水")  # load the model once
    latencies = []
    for text in texts:
        t0 = time.perf_counter()
        routing_suggest(title=text[:30], content=text)
        latencies.append(time.perf_counter() - t0)
    return latencies


def bench_raw_inserts(county, rows: int) -> tuple[float, float]:
    """The same table written directly: bulk_create batches, and single-row saves in one transaction."""
    from django.db import transaction
    from django.utils import timezone

    from yiwang.hotline.models import Appeal

    def row(i):
        return Appeal(
            code=f"BN{i:011d}",
            region=county,
            channel="api",
            kind="complaint",
            title="压测诉求",
            content="通村路坑洼积水，车辆通行困难。",
            contact_name="张建国",
            contact_phone="13991712345",
            submission_key=f"bench:raw:{i}",
            received_at=timezone.now(),
        )

    started = time.perf_counter()
    with transaction.atomic():
        Appeal.objects.bulk_create([row(i) for i in range(rows)], batch_size=500)
    bulk_rate = rows / (time.perf_counter() - started)
    single = max(200, rows // 10)
    started = time.perf_counter()
    with transaction.atomic():
        for i in range(rows, rows + single):
            row(i).save(force_insert=True)
    single_rate = single / (time.perf_counter() - started)
    return bulk_rate, single_rate


# --- similar appeals (hotline.similar) -------------------------------------------------------------


def old_similar_open_appeals(appeal, *, limit: int = 5):
    """The per-appeal Python loop the index replaced (up to 500 recent candidates scored in Python)."""
    import datetime as dt

    from django.db.models import Q

    from yiwang.hotline.conf import conf
    from yiwang.hotline.models import OPEN_STATES, Appeal
    from yiwang.hotline.similar import text_similarity

    since = appeal.received_at - dt.timedelta(days=conf("SIMILAR_LOOKBACK_DAYS"))
    candidates = Appeal.objects.filter(
        state__in=[*OPEN_STATES, Appeal.State.REPLIED], received_at__gte=since, region_id=appeal.region_id
    ).exclude(pk=appeal.pk)
    if appeal.village_id:
        candidates = candidates.filter(
            Q(village_id=appeal.village_id) | Q(village__isnull=True, town_id=appeal.town_id)
        )
    elif appeal.town_id:
        candidates = candidates.filter(town_id=appeal.town_id)
    else:
        candidates = candidates.filter(town__isnull=True)
    text, scored = f"{appeal.title} {appeal.content}", []
    for other in candidates.select_related("lead_department", "town", "village").order_by("-received_at")[:500]:
        score = text_similarity(text, f"{other.title} {other.content}")
        if appeal.address and other.address:
            score = 0.8 * score + 0.2 * text_similarity(appeal.address, other.address)
        if score >= conf("SIMILARITY_THRESHOLD"):
            scored.append((other.pk, round(score, 3)))
    scored.sort(key=lambda s: -s[1])
    return scored[:limit]


def _timed(fn, n: int) -> tuple[list[float], list[float], int]:
    """Wall and CPU (this process) seconds of ``n`` calls after one warm-up, and queries per call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()
    walls, cpus = [], []
    with CaptureQueriesContext(connection) as captured:
        for _ in range(n):
            w0, c0 = time.perf_counter(), time.process_time()
            fn()
            walls.append(time.perf_counter() - w0)
            cpus.append(time.process_time() - c0)
    return walls, cpus, len(captured) // n


def _ms(values: list[float]) -> str:
    return f"p50 {percentile(values, 0.5) * 1000:.1f} ms，p95 {percentile(values, 0.95) * 1000:.1f} ms"


def bench_similar(requests: int, username: str) -> None:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from yiwang.hotline import similar
    from yiwang.hotline.models import Appeal
    from yiwang.org.models import User

    user = User.objects.get(username=username)
    total = Appeal.objects.count()
    live = Appeal.objects.filter(state__in=similar.CANDIDATE_STATES).count()
    waiting = list(Appeal.objects.filter(state=Appeal.State.RECEIVED).order_by("received_at", "pk")[:30])
    print(
        f"诉求 {total:,} 件，其中在办或待回访 {live:,} 件，待派单 {Appeal.objects.filter(state='received').count():,} 件；"
        "相似检索：按地点部分索引读候选，稀疏矩阵一次算全部得分"
    )

    def select_one():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")

    walls, _, _ = _timed(select_one, 200)
    print(f"对照：SELECT 1 往返 {_ms(walls)}（200 次）")

    client = Client()
    client.force_login(user)
    pages = [("派单台", reverse("hotline:dispatch_queue"))]
    if waiting:
        pages.append(("诉求详情（待派单件）", reverse("hotline:appeal", args=[waiting[0].code])))
    for label, url in pages:

        def get(url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        walls, cpus, queries = _timed(get, requests)
        print(f"{label} {url}：{_ms(walls)}；本进程 CPU {_ms(cpus)}；每次 {queries} 条查询（{requests} 次）")

    if not waiting:
        return
    walls, cpus, queries = _timed(lambda: similar.similar_open_appeals_for(waiting, limit=3), requests)
    print(f"一页 {len(waiting)} 件的相似检索：{_ms(walls)}；CPU {_ms(cpus)}；{queries} 条查询")
    walls, cpus, queries = _timed(lambda: [old_similar_open_appeals(a, limit=3) for a in waiting], 3)
    print(f"同一页，原逐件 Python 比对：{_ms(walls)}；CPU {_ms(cpus)}；{queries} 条查询（3 次）")

    sample = list(Appeal.objects.filter(state__in=similar.CANDIDATE_STATES).order_by("?")[:200])
    new = similar.similar_open_appeals_for(sample, limit=5)
    same = scores = better = 0
    for appeal in sample:
        old = [score for _, score in old_similar_open_appeals(appeal)]
        mine = [s.score for s in new[appeal.pk]]
        same += [(s.appeal.pk, s.score) for s in new[appeal.pk]] == old_similar_open_appeals(appeal)
        scores += mine == old
        better += mine != old and len(mine) >= len(old) and all(m >= o for m, o in zip(mine, old, strict=False))
    print(
        f"与原比对结果（随机 {len(sample)} 件在办诉求，前 5 条）：完全相同 {same} 件；分值序列相同 {scores} 件"
        f"（其余同分并列时取了另外几件）；分值逐项更高 {better} 件（原比对只看最近 500 件候选，漏掉了更像的）；"
        f"其余 {len(sample) - scores - better} 件"
    )

    if connection.vendor == "postgresql":
        explain_similar(waiting)


def explain_similar(appeals) -> None:
    """EXPLAIN ANALYZE of the page's candidate query (every open appeal of its towns and windows)."""
    from django.db import connection

    from yiwang.hotline import similar
    from yiwang.hotline.models import Appeal

    query = Appeal.objects.filter(similar._candidates_q(appeals), state__in=similar.CANDIDATE_STATES).order_by()
    sql, params = query.values_list(*similar.SCORED_FIELDS).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
    print(f"EXPLAIN ANALYZE（一页 {len(appeals)} 件的候选，一条查询）：")
    for line in plan:
        print("  " + line)


def _calibration_texts() -> list[tuple[str, list[tuple[str, str]]]]:
    """(label, distinct (title, content) pairs): the database's appeals, then each file of real citizen
    messages in the shared data folder (read where it is, never copied; said and skipped when absent)."""
    import csv

    from django.conf import settings

    from yiwang.hotline.models import Appeal

    sets = [("库中诉求", sorted(set(Appeal.objects.values_list("title", "content").distinct()[:3000])))]
    folder = Path(settings.SHARED_DIR) / "data"
    for name in REAL_MESSAGES:
        path = folder / name
        if not path.is_file():
            print(f"未找到真实留言 {path}：跳过（只在运行时从共享目录读取）")
            continue
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = {((r.get("title") or "").strip(), (r.get("body") or "").strip()) for r in csv.DictReader(handle)}
        sets.append((f"真实留言 {name}", sorted(r for r in rows if r[1])))
    return sets


def _bigram_rows(texts: list[str]):
    """Rows of unit length: each text's character-bigram counts as hotline.similar counts them."""
    import numpy as np
    from scipy import sparse

    from yiwang.hotline import similar

    vocabulary, indices, pointers, counts = {}, [], [0], []
    for text in texts:
        for bigram, count in similar._bigrams(text).items():
            indices.append(vocabulary.setdefault(bigram, len(vocabulary)))
            counts.append(count)
        pointers.append(len(indices))
    matrix = sparse.csr_matrix((np.array(counts, float), indices, pointers), shape=(len(texts), len(vocabulary) or 1))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    return sparse.diags(1 / norms) @ matrix


def _trigram_rows(rows: list[tuple[str, str]], text_sql: str):
    """Rows of 0/1: each (title, content)'s trigrams (pg_trgm's show_trgm) of the indexed expression."""
    import numpy as np
    from django.db import connection
    from scipy import sparse

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT show_trgm({text_sql.format(t='t')}) "  # noqa: S608 (the module's constant or an argument)
            "FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY t(title, content, i) ORDER BY i",
            [[t for t, _ in rows], [c for _, c in rows]],
        )
        sets = [row[0] for row in cursor.fetchall()]
    vocabulary, indices, pointers = {}, [], [0]
    for trigrams in sets:
        indices.extend(vocabulary.setdefault(t, len(vocabulary)) for t in trigrams)
        pointers.append(len(indices))
    return sparse.csr_matrix((np.ones(len(indices)), indices, pointers), shape=(len(sets), len(vocabulary) or 1))


def similar_calibrate(text_sql: str | None = None, floor: float | None = None) -> None:
    """Every pair of distinct appeal texts — of the database, and of the real messages in the shared
    data folder — with its bigram score (what decides) beside its trigram similarity on the indexed
    expression (what the index proposes by). A pair whose trigram similarity is below the floor is
    never proposed, so never shown, whatever its score. ``text_sql``/``floor`` try another expression
    or floor than the module's before a migration changes them."""
    import numpy as np

    from yiwang.core.limits import analysis_prefix
    from yiwang.hotline import similar

    text_sql = text_sql or TRIGRAM_TEXT_SQL
    floor = TRIGRAM_FLOOR if floor is None else floor
    threshold = similar.conf("SIMILARITY_THRESHOLD")
    with_address = (threshold - 0.2) / 0.8  # identical addresses add 0.2: a text score this low reaches the threshold
    print(f"索引文本 {text_sql.format(t='appeal')}，三元组下限 {floor}，相似阈值 {threshold}")
    for label, rows in _calibration_texts():
        bigrams = _bigram_rows([analysis_prefix(f"{title} {content}") for title, content in rows])
        trigrams = _trigram_rows(rows, text_sql)
        sizes = np.asarray(trigrams.sum(axis=1)).ravel()
        firsts, seconds, scores = [], [], []
        for start in range(0, len(rows), 500):  # in blocks: the whole product of 8,000 texts is 500 MB
            block = (bigrams[start : start + 500] @ bigrams.T).tocoo()
            i, j = block.row + start, block.col
            keep = (i < j) & (block.data >= with_address - 1e-9)
            firsts.append(i[keep])
            seconds.append(j[keep])
            scores.append(block.data[keep])
        i, j, score = np.concatenate(firsts), np.concatenate(seconds), np.concatenate(scores)
        shared = np.asarray(trigrams[i].multiply(trigrams[j]).sum(axis=1)).ravel()
        union = sizes[i] + sizes[j] - shared
        trigram = (shared / np.where(union > 0, union, 1)).astype(np.float32)  # pg_trgm: float4
        for least, what in ((threshold, "文本得分"), (with_address, "地址相同时可达阈值（文本得分")):
            m = score >= least - 1e-9
            lost = int((trigram[m] < np.float32(floor)).sum())
            lowest = f"{trigram[m].min():.4f}" if m.any() else "—"
            closing = "）" if "（" in what else ""
            print(
                f"  {label}：{len(rows):,} 段不同文本；{what} ≥ {least:.3f}{closing} 的 {int(m.sum()):,} 对，三元组相似度最低 "
                f"{lowest}，低于下限 {lost:,} 对（{lost / max(1, int(m.sum())):.1%}；无一个共同三元组 {int((shared[m] == 0).sum()):,} 对）"
            )


# --- the rule one pair at a time: the reference the pages' batch scoring is compared with ------------


class Scorer:
    """The bigram score of two appeals one pair at a time (the rule as written; the pages score a
    whole page at once with ``_bigram_matrix``)."""

    def __init__(self):
        from yiwang.core.limits import analysis_prefix
        from yiwang.hotline import similar

        self.analysis_prefix, self.similar = analysis_prefix, similar
        self._texts: dict[int, Counter] = {}
        self._addresses: dict[int, Counter] = {}

    def _text(self, appeal: Appeal) -> Counter:
        if appeal.pk not in self._texts:
            self._texts[appeal.pk] = self.similar._bigrams(self.analysis_prefix(f"{appeal.title} {appeal.content}"))
        return self._texts[appeal.pk]

    def _address(self, appeal: Appeal) -> Counter:
        if appeal.pk not in self._addresses:
            self._addresses[appeal.pk] = self.similar._bigrams(self.analysis_prefix(appeal.address))
        return self._addresses[appeal.pk]

    def score(self, a: Appeal, b: Appeal) -> float:
        score = self.similar._cosine(self._text(a), self._text(b))
        if a.address and b.address:
            score = 0.8 * score + 0.2 * self.similar._cosine(self._address(a), self._address(b))
        return score


def same_place(appeal: Appeal, other: Appeal) -> bool:
    if other.region_id != appeal.region_id:
        return False
    if appeal.village_id:
        return other.village_id == appeal.village_id or (other.village_id is None and other.town_id == appeal.town_id)
    if appeal.town_id:
        return other.town_id == appeal.town_id
    return other.town_id is None


def is_candidate(appeal: Appeal, other: Appeal) -> bool:
    from yiwang.hotline import similar

    return (
        other.pk != appeal.pk
        and other.state in similar.CANDIDATE_STATES
        and other.received_at >= similar._window_start(appeal)
        and same_place(appeal, other)
    )


def place_q(appeal: Appeal) -> Q:
    from django.db.models import Q

    from yiwang.hotline import similar

    q = Q(region_id=appeal.region_id, received_at__gte=similar._window_start(appeal))
    if appeal.village_id:
        # a village lies in its town (intake checks it): the town term lets the partial index serve
        village = Q(village_id=appeal.village_id) | Q(village__isnull=True)
        return q & Q(town_id=appeal.town_id) & village
    if appeal.town_id:
        return q & Q(town_id=appeal.town_id)
    return q & Q(town__isnull=True)


def rule_similar_open_appeals(appeal, *, limit: int, scorer) -> list[tuple[int, float]]:
    """The module's rule with nothing left out: every open or replied appeal of the place and window
    scored (no index, no floor, no number of candidates), best first as the pages order them."""
    from yiwang.hotline import similar
    from yiwang.hotline.models import Appeal

    threshold = similar.conf("SIMILARITY_THRESHOLD")
    others = Appeal.objects.filter(place_q(appeal), state__in=similar.CANDIDATE_STATES).defer(*similar.UNSHOWN_FIELDS)
    scored = [(scorer.score(appeal, o), o) for o in others if is_candidate(appeal, o)]
    scored = sorted(
        ((round(s, 3), o) for s, o in scored if s >= threshold),
        key=lambda p: (-p[0], -p[1].received_at.timestamp(), -p[1].pk),
    )
    return [(o.pk, s) for s, o in scored[:limit]]


def similar_rule(limit: int = 5) -> None:
    """The similar appeals the pages show beside the rule computed exhaustively, for the dispatch
    queue's first page and for every open or replied appeal: how many lists are equal, how many
    similar appeals each shows."""
    from yiwang.hotline import similar
    from yiwang.hotline.models import Appeal

    waiting = list(Appeal.objects.filter(state=Appeal.State.RECEIVED).order_by("received_at", "pk")[:30])
    live = list(Appeal.objects.filter(state__in=similar.CANDIDATE_STATES).order_by("pk")[:3000])
    scorer = Scorer()
    for label, appeals in (("派单台第一页", waiting), ("全部在办或待回访（至多 3,000 件）", live)):
        shown = similar.similar_open_appeals_for(appeals, limit=limit)
        rule = {a.pk: rule_similar_open_appeals(a, limit=limit, scorer=scorer) for a in appeals}
        equal = sum([(s.appeal.pk, s.score) for s in shown[a.pk]] == rule[a.pk] for a in appeals)
        print(
            f"{label} {len(appeals)} 件（每件前 {limit} 条）：与规则逐件穷举相同 {equal} 件；页面显示相似诉求 "
            f"{sum(len(v) for v in shown.values())} 条，规则应显示 {sum(len(v) for v in rule.values())} 条"
        )


def cleanup() -> None:
    from yiwang.hotline.models import Appeal

    Appeal.objects.filter(submission_key__startswith="bench:").delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intakes", type=int, default=300)
    parser.add_argument("--suggestions", type=int, default=300)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--similar", action="store_true", help="similar appeals on BENCH_DATABASE_URL's data")
    parser.add_argument("--similar-calibrate", action="store_true", help="bigram score vs trigram similarity")
    parser.add_argument("--similar-rule", action="store_true", help="shown similar appeals vs the rule, exhaustively")
    parser.add_argument("--text-sql", help="--similar-calibrate: another indexed expression ({t}.title, {t}.content)")
    parser.add_argument("--floor", type=float, help="--similar-calibrate: another trigram floor")
    parser.add_argument("--requests", type=int, default=20, help="requests per page (--similar)")
    parser.add_argument("--user", default="guoting", help="the dispatcher whose pages are timed (--similar)")
    args = parser.parse_args()

    url, temporary = setup_django()
    from django.db import connection

    if args.similar or args.similar_calibrate or args.similar_rule:
        if temporary:
            raise SystemExit("--similar reads existing data: set BENCH_DATABASE_URL (after manage.py demo)")
        print(f"数据库：{connection.vendor}（{url.split('@')[-1]}）", flush=True)
        if args.similar_calibrate:
            similar_calibrate(args.text_sql, args.floor)
        if args.similar_rule:
            similar_rule()
        if args.similar:
            bench_similar(args.requests, args.user)
        return

    print(f"数据库：{connection.vendor}（{'临时' if temporary else url.split('@')[-1]}）", flush=True)
    t0 = time.perf_counter()
    user, county = build_world()
    print(f"准备数据（迁移、区划部门、训练分拨模型）：{time.perf_counter() - t0:.1f} s", flush=True)

    rate, latencies = bench_intake(user, args.intakes)
    print(
        f"诉求受理（API，含智能分拨、审计、期限、短信出站）：{rate:.1f} 件/秒；"
        f"单件 p50 {percentile(latencies, 0.5) * 1000:.1f} ms，p95 {percentile(latencies, 0.95) * 1000:.1f} ms"
        f"（{args.intakes} 件）"
    )
    routing = bench_routing(args.suggestions)
    print(
        f"智能分拨建议延迟：p50 {percentile(routing, 0.5) * 1000:.1f} ms，p95 {percentile(routing, 0.95) * 1000:.1f} ms，"
        f"平均 {statistics.mean(routing) * 1000:.1f} ms（{args.suggestions} 次）"
    )
    bulk_rate, single_rate = bench_raw_inserts(county, args.rows)
    print(f"同表直接写入（对照）：bulk_create {bulk_rate:,.0f} 行/秒；逐行 save {single_rate:,.0f} 行/秒")
    print(f"受理吞吐 / 逐行写入 = {rate / single_rate:.3f}（每件受理还写事件、审计链、出站消息并运行分拨模型）")
    if not temporary:
        cleanup()


if __name__ == "__main__":
    main()
