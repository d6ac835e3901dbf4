"""Policies benchmark: matching 100 published policies against 200,000 market entities, beside a raw
baseline measured in the same run.

    DEBUG=1 .venv/bin/python bench/policies.py [--entities 200000] [--policies 100]

Runs on a temporary SQLite database built for the run (migrated, the Meixian regions and departments,
generated entities); set BENCH_DATABASE_URL to run against another database instead (e.g. a scratch
PostgreSQL, or a kept SQLite file; the bench's entities carry USCCs starting ``91610326BENCH`` and are
deleted at the end with their policies and matches unless ``--keep``).

Figures:
- matching: ``policy_publish`` of each policy, which runs the matching task (eager) — one query for
  the eligible ids, bulk inserts of the matches, roll-ups, the audit event — timed in total;
- raw baseline: for the same rules, the eligible ids read with one hand-written SELECT per policy
  through the database cursor, plus the same number of rows inserted raw with ``executemany`` into a
  scratch table — the least any implementation must do; the ratio is matching ÷ baseline.
The entities have no accounts, so no pushes are written (a push goes to an entity's contacts).
Prints figures; asserts nothing.
"""

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PREFIX = "91610326BENCH"
INDUSTRIES = [
    ("A0159", "其他水果种植"),
    ("G5950", "低温仓储"),
    ("H6210", "正餐服务"),
    ("H6220", "快餐服务"),
    ("F5211", "百货零售"),
    ("C2032", "木门窗制造"),
    ("C1512", "白酒制造"),
    ("E4710", "房屋建筑业"),
    ("F5166", "化肥批发"),
    ("O8010", "理发及美容服务"),
]
TAGS = ["猕猴桃", "冷链", "农家乐", "小微企业", "高新技术企业", "农业产业化龙头企业"]


def setup_django() -> tuple[str, bool]:
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    url = os.environ.get("BENCH_DATABASE_URL")
    temporary = not url
    if temporary:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='yiwang-bench-')}/bench.sqlite3"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("SMS_BACKEND", "locmem")
    import django

    django.setup()
    return url, temporary


def build_entities(n: int, rng: random.Random) -> tuple[list, object]:
    from django.core.management import call_command

    from yiwang.core.identifiers import USCC_ALPHABET, make_uscc
    from yiwang.credit.models import Entity
    from yiwang.org import services as org_services
    from yiwang.org.models import Department, Region

    call_command("migrate", verbosity=0)
    if not Region.objects.filter(code="610326").exists():
        org_services.region_load_from_data(actor=None)
        org_services.department_load_from_data(actor=None)
    county = Region.objects.get(code="610326")
    towns = list(Region.objects.filter(level=Region.Level.TOWN, path__startswith=county.path))
    existing = Entity.objects.filter(uscc__startswith=PREFIX).count()
    today = dt.date.today()
    batch = []
    for i in range(existing, n):
        body = PREFIX + "".join(USCC_ALPHABET[(i // 31**k) % 31] for k in range(4))
        code, name = rng.choice(INDUSTRIES)
        kind = rng.choices(["individual", "enterprise", "cooperative"], weights=[6, 3, 1])[0]
        batch.append(
            Entity(
                uscc=make_uscc(body),
                name=f"压测市场主体{i}",
                kind=kind,
                industry_code=code,
                industry_name=name,
                region=county,
                town=rng.choice(towns),
                registered_capital=Decimal(rng.choice([1, 3, 10, 50, 100, 200, 500, 1000])),
                established_on=today - dt.timedelta(days=rng.randint(30, 8000)),
                size=rng.choice(["micro", "micro", "small", "medium"]),
                tags=rng.sample(TAGS, rng.randint(0, 2)),
                risk_class=rng.choices("ABCD", weights=[5, 80, 12, 3])[0],
            )
        )
        if len(batch) == 5000:
            Entity.objects.bulk_create(batch)
            batch = []
    if batch:
        Entity.objects.bulk_create(batch)
    return towns, Department.objects.get(code="agriculture-rural")


def random_rule(rng: random.Random, towns) -> dict:
    """One narrow condition, as every real policy has (an industry, a tag or a few towns), and two or
    three broad ones (kind, size, capital, age, credit class): each rule matches about 1–5 % of the entities."""
    narrow = [
        {"attribute": "industry_code", "operator": "prefix", "values": [rng.choice(INDUSTRIES)[0][:4]]},
        {"attribute": "town", "operator": "in", "values": [t.code for t in rng.sample(towns, 2)]},
        {"attribute": "tag", "operator": "has", "values": rng.sample(TAGS, 1)},
    ]
    broad = [
        {"attribute": "kind", "operator": "in", "values": rng.sample(["individual", "enterprise", "cooperative"], 2)},
        {"attribute": "size", "operator": "in", "values": rng.sample(["micro", "small", "medium"], 2)},
        {"attribute": "registered_capital", "operator": "range", "min": str(rng.choice([10, 50, 100])), "max": None},
        {"attribute": "age_years", "operator": "range", "min": "1", "max": str(rng.choice([5, 10, 20]))},
        {"attribute": "risk_class", "operator": "in", "values": ["A", "B"]},
    ]
    return {"mode": "all", "conditions": [rng.choice(narrow), *rng.sample(broad, rng.randint(2, 3))]}


def raw_sql(rules: dict, today: dt.date) -> tuple[str, list]:
    """The same rule hand-written as SQL (the baseline's query)."""
    from django.db import connection

    where, params = ["e.status = %s"], ["active"]
    for c in rules["conditions"]:
        a = c["attribute"]
        if a == "industry_code":
            where.append("(" + " OR ".join("e.industry_code LIKE %s" for _ in c["values"]) + ")")
            params += [v + "%" for v in c["values"]]
        elif a == "town":
            where.append(f"t.code IN ({', '.join(['%s'] * len(c['values']))})")
            params += c["values"]
        elif a in ("kind", "size", "risk_class"):
            where.append(f"e.{a} IN ({', '.join(['%s'] * len(c['values']))})")
            params += c["values"]
        elif a == "registered_capital":
            where.append("e.registered_capital >= %s")
            params.append(Decimal(c["min"]))
        elif a == "age_years":
            where.append("e.established_on <= %s AND e.established_on > %s")
            params += [
                today.replace(year=today.year - int(c["min"])),
                today.replace(year=today.year - int(c["max"]) - 1),
            ]
        elif a == "tag":
            if connection.vendor == "postgresql":
                where.append("e.tags @> %s::jsonb")
                params.append(f'["{c["values"][0]}"]')
            else:
                import json

                where.append("CAST(e.tags AS TEXT) LIKE %s")
                params.append("%" + json.dumps(c["values"][0]) + "%")
    sql = "SELECT e.id FROM credit_entity e LEFT JOIN org_region t ON t.id = e.town_id WHERE " + " AND ".join(where)
    return sql, params


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=200_000)
    parser.add_argument("--policies", type=int, default=100)
    parser.add_argument("--keep", action="store_true", help="keep the generated entities (BENCH_DATABASE_URL)")
    args = parser.parse_args()
    url, temporary = setup_django()

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from yiwang.credit.models import Entity
    from yiwang.policies import services
    from yiwang.policies.models import Policy, PolicyMatch

    call_command("migrate", verbosity=0)  # a temporary database starts empty
    rng = random.Random(2026)
    # A previous run's policies (a kept database) are removed first.
    old = Policy.objects.filter(title__startswith="压测政策")
    PolicyMatch.objects.filter(policy__in=old).delete()
    old.delete()
    print(f"数据库：{connection.vendor}（{'临时' if temporary else url.split('@')[-1]}）")
    started = time.perf_counter()
    towns, department = build_entities(args.entities, rng)
    print(f"市场主体：{Entity.objects.count():,} 户（生成 {time.perf_counter() - started:.1f} 秒）")

    today = timezone.localdate()
    policies = []
    for i in range(args.policies):
        policy = services.policy_create(
            actor=None,
            department=department,
            values={
                "title": f"压测政策{i}",
                "issuer": "眉县农业农村局",
                "document_number": f"压测〔2026〕{i + 1}号",
                "issued_on": today,
                "effective_on": today,
                "full_text": "……",
                "interpretation": "……",
                "benefit_kind": "subsidy",
                "benefit_amount": Decimal("1000"),
            },
        )
        services.policy_rules_set(policy=policy, actor=None, rules=random_rule(rng, towns))
        policies.append(policy)

    # --- matching through the app (publish runs the matching task, eager) ---
    started, cpu = time.perf_counter(), time.process_time()
    for policy in policies:
        services.policy_publish(policy=policy, actor=None)
    matching, matching_cpu = time.perf_counter() - started, time.process_time() - cpu
    matches = PolicyMatch.objects.filter(policy__in=policies).count()

    # --- raw baseline: the same rules as hand-written SELECTs, and the same rows inserted raw ---
    started, cpu = time.perf_counter(), time.process_time()
    selected = 0
    with connection.cursor() as cursor:
        for policy in policies:
            sql, params = raw_sql(Policy.objects.get(pk=policy.pk).rules, today)
            cursor.execute(sql, params)
            selected += len(cursor.fetchall())
    raw_select = time.perf_counter() - started
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_raw_match (policy_id integer, entity_id integer, matched_at text)")
        rows = list(PolicyMatch.objects.filter(policy__in=policies).values_list("policy_id", "entity_id"))
        now = timezone.now().isoformat()
        for start in range(0, len(rows), 5000):
            cursor.executemany(
                "INSERT INTO bench_raw_match VALUES (%s, %s, %s)", [(p, e, now) for p, e in rows[start : start + 5000]]
            )
        cursor.execute("DROP TABLE bench_raw_match")
    raw_insert = time.perf_counter() - started - raw_select
    baseline, baseline_cpu = raw_select + raw_insert, time.process_time() - cpu

    print(
        f"政策：{len(policies)} 条；匹配 {matches:,} 户次（原始查询选出 {selected:,} 户次{'，一致' if selected == matches else '，不一致！'}）"
    )
    print(f"匹配（发布 → 匹配任务，含写入、统计、审计）：{matching:.2f} 秒（目标 60 秒内）")
    print(f"原始基线：SELECT {raw_select:.2f} 秒 + 原始插入 {raw_insert:.2f} 秒 = {baseline:.2f} 秒")
    print(f"比值（匹配 ÷ 基线）：{matching / baseline:.1f}")
    # On a shared machine the wall clock counts other people's work too; the process's CPU time
    # (SQLite runs in-process, so it includes the database's work) does not.
    print(
        f"本进程 CPU 时间：匹配 {matching_cpu:.2f} 秒，基线 {baseline_cpu:.2f} 秒，比值 {matching_cpu / max(baseline_cpu, 1e-9):.1f}"
        f"（系统负载 {os.getloadavg()[0]:.1f}）"
    )
    print(
        f"每条政策平均：{matching / len(policies) * 1000:.0f} 毫秒；每匹配一户：{matching / max(matches, 1) * 1e6:.1f} 微秒"
    )

    if not temporary:
        PolicyMatch.objects.filter(policy__in=policies).delete()
        Policy.objects.filter(pk__in=[p.pk for p in policies]).delete()
        if not args.keep:
            Entity.objects.filter(uscc__startswith=PREFIX).delete()


if __name__ == "__main__":
    main()
