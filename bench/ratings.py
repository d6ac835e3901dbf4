"""Ratings benchmark: satisfaction figures over 1,000,000 ratings read from the roll-ups, beside raw
baselines measured in the same run (a raw COUNT/SUM and GROUP BY over the ratings table, and a raw
insert loop), with the ratio of each.

    DEBUG=1 .venv/bin/python bench/ratings.py [--ratings 1000000] [--repeat 20] [--events 2000]

Runs on a temporary SQLite database built for the run (migrated, seeded with the county's regions,
departments and a hall); set BENCH_DATABASE_URL to use another (scratch) database — the bench's rows
there are deleted at the end. The ratings are written with a raw ``executemany`` (that is the raw insert
baseline); they point at case ids that do not exist, so foreign-key checks are off while loading on
SQLite. Prints figures; asserts nothing.
"""

import argparse
import os
import random
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
    import django

    django.setup()
    return url, temporary


def build_world():
    from django.core.management import call_command

    from yiwang.org import services as org_services
    from yiwang.org.models import Department, Region, ServiceHall, Window

    call_command("migrate", verbosity=0)
    org_services.region_load_from_data(actor=None)
    org_services.department_load_from_data(actor=None)
    county = Region.objects.get(code="610326")
    hall, _ = ServiceHall.objects.get_or_create(name="眉县政务服务中心（压测）", kind="county_hall", region=county)
    windows = [
        Window.objects.get_or_create(hall=hall, number=n, defaults={"label": f"{n}号窗口"})[0] for n in range(1, 9)
    ]
    # Each department rates in its own region (a town government in its town), as the cases do.
    departments = list(Department.objects.filter(region__path__startswith=county.path).values_list("pk", "region_id"))
    return county, hall, windows, departments


def load_ratings(n: int, hall, windows, departments) -> float:
    """Insert ``n`` ratings with a raw executemany (the raw insert baseline); rows per second."""
    import datetime as dt

    from django.db import connection, transaction
    from django.utils import timezone

    from yiwang.ratings.models import Rating

    rng = random.Random(1)
    table = Rating._meta.db_table
    columns = [
        "case_id",
        "subject_number",
        "subject_title",
        "region_id",
        "department_id",
        "hall_id",
        "window_id",
        "item_code",
        "level",
        "scores",
        "comment",
        "channel",
        "rater_name",
        "real_name",
        "finished_at",
        "rated_at",
    ]
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    start_at = timezone.now() - dt.timedelta(days=365)
    levels = [5] * 55 + [4] * 30 + [3] * 9 + [2] * 4 + [1] * 2
    channels = ["pad", "online", "app", "sms", "hotline", "default"]
    base = 10_000_000  # case ids that exist nowhere (foreign-key checks are off while loading)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys = OFF")
    started = time.perf_counter()
    batch = []
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        with connection.cursor() as cursor:
            for i in range(n):
                moment = start_at + dt.timedelta(seconds=i * 31_536_000 // max(n, 1))
                level = rng.choice(levels)
                d = rng.randrange(len(departments))
                department, region = departments[d]
                batch.append(
                    (
                        base + i,
                        f"BENCH{i:09d}",
                        "压测事项",
                        region,
                        department,
                        hall.pk,
                        rng.choice(windows).pk,
                        f"610326-XK-{d:02d}{rng.randrange(10):02d}",  # ten items per department
                        level,
                        "{}",
                        "",
                        rng.choice(channels),
                        "",
                        True,
                        moment,
                        moment,
                    )
                )
                if len(batch) == 20_000:
                    cursor.executemany(sql, batch)
                    batch.clear()
            if batch:
                cursor.executemany(sql, batch)
    elapsed = time.perf_counter() - started
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys = ON")
    return n / elapsed


def timed(fn, repeat: int) -> tuple[float, object]:
    result = None
    started = time.perf_counter()
    for _ in range(repeat):
        result = fn()
    return (time.perf_counter() - started) / repeat * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ratings", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    url, temporary = setup_django()

    import datetime as dt

    from django.db import connection, transaction
    from django.db.models import Count, Sum
    from django.utils import timezone

    from yiwang.measures.services import measures_rebuild
    from yiwang.ratings import measures as m
    from yiwang.ratings import selectors
    from yiwang.ratings.models import Rating

    print(f"数据库：{connection.vendor}（{'临时' if temporary else url}）")
    t0 = time.perf_counter()
    county, hall, windows, departments = build_world()
    print(f"建库与基础数据：{time.perf_counter() - t0:.1f} 秒")

    raw_rate = load_ratings(args.ratings, hall, windows, departments)
    print(f"原始插入（executemany，基线）：{args.ratings:,} 条评价，{raw_rate:,.0f} 条/秒")

    t0 = time.perf_counter()
    written = measures_rebuild(metrics=[m.RATED, m.BY_HALL, m.BY_WINDOW, m.BY_ITEM, m.BY_STAFF])
    print(f"由明细重建月度汇总：{time.perf_counter() - t0:.1f} 秒，汇总行 {sum(written.values()):,}")

    rows = []

    def compare(label, rollup, raw):
        fast, a = timed(rollup, args.repeat)
        slow, b = timed(raw, max(1, args.repeat // 5))
        rows.append((label, fast, slow))
        print(f"{label}：汇总 {fast:8.2f} 毫秒 | 明细基线 {slow:9.2f} 毫秒 | 明细/汇总 {slow / fast:8.1f} 倍")
        return a, b

    a, b = compare(
        "全县满意度（总数、等级和、差评）",
        lambda: selectors.rating_totals(),
        lambda: Rating.objects.aggregate(n=Count("id"), s=Sum("level")),
    )
    assert a["count"] == b["n"] and a["level_sum"] == b["s"], "roll-up and raw totals differ"
    compare(
        "按部门满意度",
        lambda: selectors.satisfaction_by("department"),
        lambda: list(Rating.objects.values("department_id").annotate(n=Count("id"), s=Sum("level")).order_by()),
    )
    compare(
        "按窗口满意度",
        lambda: selectors.satisfaction_by("window"),
        lambda: list(Rating.objects.values("window_id").annotate(n=Count("id"), s=Sum("level")).order_by()),
    )
    since = timezone.make_aware(dt.datetime.combine(selectors.default_months()[0], dt.time.min))
    compare(
        "按月满意度（近12个月）",
        lambda: selectors.satisfaction_by("month", months=selectors.default_months()),
        lambda: list(
            Rating.objects.filter(rated_at__gte=since)
            .values("rated_at__year", "rated_at__month")
            .annotate(n=Count("id"), s=Sum("level"))
            .order_by()
        ),
    )

    # Incremental facts: the cost a rating's event adds (five fact increments) beside a raw insert.
    sample = list(Rating.objects.order_by("pk")[: args.events])
    started = time.perf_counter()
    with transaction.atomic():
        for rating in sample:
            m.on_ratings_recorded([rating])
        transaction.set_rollback(True)
    per_event = (time.perf_counter() - started) / len(sample) * 1000
    # The raw insert loop: one INSERT per rating (cursor.execute), the per-row cost a service pays anyway.
    columns = (
        "case_id, subject_number, subject_title, region_id, department_id, level, scores, comment, channel, "
        "rater_name, real_name, finished_at, rated_at, item_code"
    )
    sql = f"INSERT INTO {Rating._meta.db_table} ({columns}) VALUES ({', '.join(['%s'] * 14)})"
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for n, rating in enumerate(sample):
            cursor.execute(
                sql,
                [
                    50_000_000 + n,
                    "RAWLOOP",
                    "压测",
                    rating.region_id,
                    rating.department_id,
                    rating.level,
                    "{}",
                    "",
                    "online",
                    "",
                    True,
                    rating.rated_at,
                    rating.rated_at,
                    "",
                ],
            )
        transaction.set_rollback(True)
    per_row = (time.perf_counter() - started) / len(sample) * 1000
    print(f"原始逐条插入（cursor.execute 循环，基线）：{per_row:.3f} 毫秒/条")
    print(
        f"每条评价的汇总增量（5 项事实）：{per_event:.3f} 毫秒 | 原始逐条插入一条评价 {per_row:.3f} 毫秒 | "
        f"比值 {per_event / per_row:.1f} 倍（批量插入 {1000 / raw_rate:.3f} 毫秒/条）"
    )

    if not temporary:
        Rating.objects.filter(subject_number__startswith="BENCH").delete()
        measures_rebuild(metrics=[m.RATED, m.BY_HALL, m.BY_WINDOW, m.BY_ITEM, m.BY_STAFF])


if __name__ == "__main__":
    main()
