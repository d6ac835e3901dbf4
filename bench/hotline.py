"""Hotline benchmark: appeal intake per second through the API, routing latency (p50/p95), and the
raw database insert rate measured in the same run for comparison.

    DEBUG=1 .venv/bin/python bench/hotline.py [--intakes 300] [--suggestions 300] [--rows 5000]

Runs on a temporary SQLite database built for the run (migrated, seeded with a county, towns,
departments, a dispatcher and categories, and a router trained on generated history); set
BENCH_DATABASE_URL to run against another database instead (e.g. a scratch PostgreSQL) — the
bench's rows there carry the submission key prefix ``bench:`` and are deleted at the end.
Prints figures; asserts nothing.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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


def cleanup() -> None:
    from yiwang.hotline.models import Appeal

    Appeal.objects.filter(submission_key__startswith="bench:").delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intakes", type=int, default=300)
    parser.add_argument("--suggestions", type=int, default=300)
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()

    url, temporary = setup_django()
    from django.db import connection

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
