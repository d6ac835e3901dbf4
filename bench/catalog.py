"""Catalog search latency over 20,000 published items.

    DEBUG=1 .venv/bin/python bench/catalog.py                       # temporary SQLite file
    DEBUG=1 .venv/bin/python bench/catalog.py --postgres postgres://postgres@127.0.0.1:5432/postgres
    DEBUG=1 .venv/bin/python bench/catalog.py --items 5000 --runs 50

Builds its own catalog in a temporary database (a SQLite file in a temp directory, or a database
created for the run on the given PostgreSQL server and dropped afterwards), then times the public
search the way the page runs it (first page of 20 plus the total count) and through the JSON API,
for queries of each kind: an exact name, an everyday word with synonyms, two terms, a fuzzy
fallback and a miss. Prints figures; asserts nothing.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = [
    ("exact name", "营业执照"),
    ("everyday words", "我要开饭店"),
    ("two terms", "食品 变更"),
    ("fuzzy fallback", "营业执照补办"),
    ("filter only (level=town)", ""),
    ("miss", "火星移民登记"),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--postgres", metavar="URL", help="PostgreSQL server URL; a temporary database is created on it"
    )
    return parser.parse_args()


def temporary_database(args) -> tuple[str, callable]:
    if not args.postgres:
        directory = tempfile.mkdtemp(prefix="bench-catalog-")
        return f"sqlite:///{directory}/bench.sqlite3", lambda: None
    import psycopg

    name = f"bench_catalog_{os.getpid()}"
    parts = urlsplit(args.postgres)
    with psycopg.connect(args.postgres, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        from django.db import connections

        connections.close_all()
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, "")), drop


def build_catalog(n_items: int) -> None:
    """``n_items`` published items: the demo county list multiplied across towns and variants."""
    from django.db import connection, transaction

    from yiwang.catalog.demo import items as demo_data
    from yiwang.catalog.models import ItemMaterial, ServiceItem
    from yiwang.catalog.search import build_search_fields, vector_write
    from yiwang.org.models import Department, Region

    province = Region.objects.create(code="610000", name="陕西省", level="province", path="610000/")
    city = Region.objects.create(code="610300", name="宝鸡市", level="city", parent=province, path="610000/610300/")
    county = Region.objects.create(
        code="610326", name="眉县", level="county", parent=city, path="610000/610300/610326/"
    )
    templates = demo_data.all_items()
    codes = {e["competent_department"] for e in templates} | {e["implementing_department"] for e in templates}
    departments = {}
    for code in sorted(codes):
        departments[code] = Department.objects.create(code=code, name=f"眉县{code}", short_name=code, region=county)
    towns = ["首善街道", "横渠镇", "槐芽镇", "汤峪镇", "常兴镇", "金渠镇", "营头镇", "齐镇"]
    fields = [f.name for f in ServiceItem._meta.concrete_fields if f.name not in ("id", "created_at", "updated_at")]
    items, materials = [], []
    for index in range(n_items):
        template = templates[index % len(templates)]
        round_ = index // len(templates)
        name = template["name"] if round_ == 0 else f"{template['name']}（{towns[round_ % len(towns)]}第{round_}批）"
        element = {k: v for k, v in template.items() if k in fields}
        element.update(
            code=f"B-{index:06d}",
            name=name,
            competent_department=departments[template["competent_department"]],
            implementing_department=departments[template["implementing_department"]],
            region=county,
            status="published",
            version=1,
        )
        body = [m["name"] for m in template["materials"]]
        element["search_name"], element["search_text"] = build_search_fields(
            name=name,
            keywords=template["keywords"],
            code=element["code"],
            departments=[template["competent_department"], template["implementing_department"]],
            body=body,
        )
        items.append(ServiceItem(**element))
        for position, m in enumerate(template["materials"], start=1):
            materials.append((index, position, m))
    with transaction.atomic():
        created = ServiceItem.objects.bulk_create(items, batch_size=2000)
        ItemMaterial.objects.bulk_create(
            [ItemMaterial(item=created[i], position=p, **m) for i, p, m in materials], batch_size=5000
        )
        vector_write(created)  # PostgreSQL's text search column, as publishing writes it
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # statistics, as autovacuum gathers them after a bulk load
            cursor.execute("ANALYZE catalog_serviceitem")


def timed(fn, runs: int) -> tuple[list[float], object]:
    result = fn()  # warm the caches once
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples, result


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    args = parse_args()
    url, cleanup = temporary_database(args)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from yiwang.catalog import selectors

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False  # no query log: measure the search, not Django's debug cursor
    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrated = time.perf_counter()
        build_catalog(args.items)
        built = time.perf_counter()
        print(f"catalog search bench — {connection.vendor}, {args.items:,} published items, {args.runs} runs per query")
        print(f"  set-up: migrate {migrated - started:.1f} s, build {built - migrated:.1f} s")
        print(f"  {'query':<28}{'hits':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}   {'API p50 ms':>10}")
        client = Client()

        def raw_page():  # the yardstick: a count and a first page of the table in plain SQL, no search
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM catalog_serviceitem WHERE status = 'published'")
                cursor.fetchone()
                cursor.execute("SELECT id, code, name FROM catalog_serviceitem ORDER BY code LIMIT 20")
                return cursor.fetchall()

        raw_samples, _rows = timed(raw_page, args.runs)
        raw_p50 = statistics.median(raw_samples)
        print(f"  {'raw SQL count + first page':<28}{'':>7}{raw_p50:>9.1f}{percentile(raw_samples, 95):>9.1f}")
        for label, query in QUERIES:
            filters = {"level": "town"} if label.startswith("filter") else {}

            def page_of_results(query=query, filters=filters):
                outcome = selectors.item_search(query=query, **filters)
                first_page = list(outcome.page(1, 20).object_list)
                return outcome.count, first_page

            samples, (hits, _page) = timed(page_of_results, args.runs)
            api_params = {"q": query, **filters}
            api_samples, _response = timed(
                lambda params=api_params: client.get("/api/catalog/items", params), args.runs
            )
            title = f"{label} {query!r}" if query else label
            print(
                f"  {title:<28}{hits:>7}{statistics.median(samples):>9.1f}"
                f"{percentile(samples, 95):>9.1f}{max(samples):>9.1f}   {statistics.median(api_samples):>10.1f}"
                f"   ×{statistics.median(samples) / raw_p50:.1f} raw"
            )
    finally:
        cleanup()


if __name__ == "__main__":
    main()
