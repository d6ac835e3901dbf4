"""E-licence signatures and verifications per second, beside raw baselines measured in the same run.

    DEBUG=1 .venv/bin/python bench/licences.py               # crypto only (no database)
    DEBUG=1 .venv/bin/python bench/licences.py --db          # plus issue / verify through the services
    DEBUG=1 .venv/bin/python bench/licences.py --count 300

Crypto (over the canonical form of a realistic licence, ~400 bytes of UTF-8 JSON):

* baseline: SM3 hashes per second of the same bytes (``yiwang.core.gm``), and gmssl's own
  ``sign_with_sm3`` (pure-Python SM3 for Z and e) for comparison with ours (OpenSSL SM3, gmssl curve);
* ``sm2_sign`` and ``sm2_verify`` per second, and their ratio to the SM3 baseline.

With ``--db`` (a temporary SQLite file, migrated): ``licence_issue`` per second (insert, number, sign,
audit event, roll-up increment) beside a raw insert loop into a scratch table, one row per
transaction; ``licence_verify_number`` per second (read, canonical form, verify) beside a raw
primary-key read loop. Prints figures; asserts nothing.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def timed(fn, count: int) -> float:
    started = time.perf_counter()
    for i in range(count):
        fn(i)
    return rate(count, time.perf_counter() - started)


def line(label: str, value: float, baseline: float, baseline_label: str) -> None:
    print(f"  {label:<44} {value:>10.1f}/s   {baseline_label}: {baseline:>10.1f}/s   ratio {value / baseline:.5f}")


def crypto(count: int) -> None:
    import datetime as dt
    import secrets

    from gmssl import sm2

    from yiwang.core.gm import USE_OPENSSL, sm3_digest
    from yiwang.licences.signing import canonical_bytes, sm2_keypair, sm2_sign, sm2_verify

    content = {
        "v": 1,
        "number": "610326-SPJY-2026-0001234",
        "type": "spjy",
        "holder_kind": "enterprise",
        "holder_name": "眉县齐峰猕猴桃果业有限公司",
        "holder_id": "91610326MA6Y3K5P2X",
        "fields": {
            "scope": "预包装食品销售、散装食品销售、热食类食品制售",
            "address": "眉县首善街道东关社区迎宾路12号",
        },
        "issued_on": dt.date(2026, 11, 30).isoformat(),
        "valid_until": dt.date(2031, 11, 29).isoformat(),
        "department": "admin-approval",
        "key_id": "admin-approval-20261130-01-ab12",
    }
    data = canonical_bytes(content)
    private, public = sm2_keypair()
    print(
        f"Crypto ({count} operations each; canonical form {len(data)} bytes; SM3 by {'OpenSSL' if USE_OPENSSL else 'gmssl'})"
    )
    sm3_rate = timed(lambda i: sm3_digest(data), count * 20)
    print(f"  {'baseline: SM3 of the canonical form':<44} {sm3_rate:>10.1f}/s")
    signatures = []
    sign_rate = timed(lambda i: signatures.append(sm2_sign(private_key=private, public_key=public, data=data)), count)
    line("sm2_sign (ours)", sign_rate, sm3_rate, "SM3")
    verify_rate = timed(lambda i: sm2_verify(public_key=public, signature=signatures[i], data=data), count)
    line("sm2_verify", verify_rate, sm3_rate, "SM3")
    reference = sm2.CryptSM2(private_key=private, public_key="")
    reference.public_key = public
    small = max(10, count // 5)
    gm_rate = timed(lambda i: reference.sign_with_sm3(data, secrets.token_hex(32)), small)
    line("gmssl sign_with_sm3 (pure-Python SM3)", gm_rate, sm3_rate, "SM3")
    print(f"  ours vs gmssl sign_with_sm3: {sign_rate / gm_rate:.2f}x")


def database(count: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from yiwang.core.identifiers import make_uscc
    from yiwang.licences.models import LicenceType
    from yiwang.licences.selectors import licence_verify_number
    from yiwang.licences.services import licence_issue
    from yiwang.org.models import Department
    from yiwang.org.tests.factories import meixian_county

    print("\nThrough the services (temporary SQLite file; migrating…)")
    call_command("migrate", verbosity=0)
    county = meixian_county()
    department = Department.objects.create(
        code="admin-approval", name="眉县行政审批服务局", short_name="审批局", region=county
    )
    licence_type = LicenceType.objects.create(
        code="spjy", name="食品经营许可证", validity_years=5, fields_schema=[{"key": "scope", "label": "经营项目"}]
    )
    usccs = [make_uscc(f"91610326MA6{i:06d}") for i in range(count)]

    numbers = []

    def issue(i):
        numbers.append(
            licence_issue(
                licence_type=licence_type,
                holder_name=f"眉县第{i}号食品店",
                holder_uscc=usccs[i],
                fields={"scope": "预包装食品销售"},
                department=department,
                actor=None,
            ).number
        )

    issue_rate = timed(issue, count)
    with connection.cursor() as cursor:
        cursor.execute("create table bench_raw (id integer primary key, number text, holder text, signature text)")

    def raw_insert(i):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "insert into bench_raw (number, holder, signature) values (%s, %s, %s)", [f"N{i}", f"H{i}", "0" * 128]
            )

    raw_rate = timed(raw_insert, count * 5)
    line("licence_issue (sign, audit, roll-up)", issue_rate, raw_rate, "raw insert/txn")
    verify_rate = timed(lambda i: licence_verify_number(numbers[i]), count)

    def raw_read(i):
        with connection.cursor() as cursor:
            cursor.execute("select number, holder, signature from bench_raw where id = %s", [i + 1])
            cursor.fetchone()

    read_rate = timed(raw_read, count * 5)
    line("licence_verify_number (read + verify)", verify_rate, read_rate, "raw pk read")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--db", action="store_true", help="also issue and verify through the services")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if args.db:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='bench-licences-')}/bench.sqlite3"
    import django

    django.setup()
    crypto(args.count)
    if args.db:
        database(args.count)


if __name__ == "__main__":
    main()
