"""Catalog Excel export and import time at 5,000 and 20,000 items, beside raw openpyxl baselines.

    DEBUG=1 .venv/bin/python bench/catalog_excel.py                    # temporary SQLite file
    DEBUG=1 .venv/bin/python bench/catalog_excel.py --items 5000 20000
    DEBUG=1 .venv/bin/python bench/catalog_excel.py --postgres postgres://postgres@127.0.0.1:5432/postgres

For each size: builds a catalog of generated published items (bulk insert, the generator of
``bench/catalog.py``), then times

- export: ``excel.workbook_export`` + save, beside a raw openpyxl write-only workbook of the same
  cells (the floor for writing that many cells);
- import: ``services.catalog_import(baseline=True)`` of the exported file with every code renamed
  (so each row is a new item, published as version 1, audited), beside a raw openpyxl read and a raw
  calamine read of the same file (the importers read with calamine: its time is the floor).

Prints figures and ratios; asserts nothing.
"""

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PROFILE = "--profile" in sys.argv  # print where the import spends its time (cProfile, top 30)

from catalog import build_catalog, temporary_database  # noqa: E402  (bench/catalog.py)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, nargs="+", default=[5_000, 20_000])
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL server URL; a temporary database per size")
    parser.add_argument("--profile", action="store_true", help="print where the import spends its time")
    return parser.parse_args()


def raw_write(sheets: list[list[list]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for rows in sheets:
        ws = wb.create_sheet()
        for row in rows:
            ws.append(row)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def raw_read(data: bytes) -> int:
    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(data), read_only=True, data_only=True)
    cells = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            cells += len(row)
    wb.close()
    return cells


def calamine_read(data: bytes) -> int:
    """The floor for reading with the importers' own reader (``core.xlsx.read_workbook``'s library)."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(BytesIO(data))
    return sum(len(row) for name in wb.sheet_names for row in wb.get_sheet_by_name(name).to_python())


def renamed(data: bytes, prefix: str) -> bytes:
    """The exported file with every item code prefixed (items, materials and form fields sheets)."""
    from openpyxl import load_workbook

    from yiwang.catalog import excel

    wb = load_workbook(BytesIO(data))
    for name in (excel.SHEET_ITEMS, excel.SHEET_MATERIALS, excel.SHEET_FORM_FIELDS):
        ws = wb[name]
        for (cell,) in ws.iter_rows(min_row=2, min_col=1, max_col=1):
            if cell.value:
                cell.value = f"{prefix}{cell.value}"
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def line(label: str, seconds: float, raw_label: str, raw_seconds: float) -> str:
    ratio = seconds / raw_seconds if raw_seconds else float("inf")
    return f"  {label:<34}{seconds:>8.2f} s   {raw_label:<30}{raw_seconds:>8.2f} s   ×{ratio:.1f}"


def run(n_items: int) -> None:
    from django.core.management import call_command
    from django.db import connection, connections

    from yiwang.catalog import excel, services
    from yiwang.catalog.models import ServiceItem
    from yiwang.org.models import Membership, Role, User

    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        build_catalog(n_items)
        built = time.perf_counter() - started
        admin = User.objects.create(username="bench-admin", display_name="管理员")
        Membership.objects.create(user=admin, role=Role.ADMIN, region=ServiceItem.objects.first().region)

        print(f"catalog Excel bench — {connection.vendor}, {n_items:,} items (built in {built:.1f} s)")
        started = time.perf_counter()
        wb = excel.workbook_export(ServiceItem.objects.order_by("code"))
        data = excel.workbook_bytes(wb)
        exported = time.perf_counter() - started
        sheets = [
            [list(r) for r in wb[name].iter_rows(values_only=True)]
            for name in (excel.SHEET_ITEMS, excel.SHEET_MATERIALS, excel.SHEET_FORM_FIELDS)
        ]
        cells = sum(len(r) for rows in sheets for r in rows)
        started = time.perf_counter()
        raw_write(sheets)
        raw_written = time.perf_counter() - started
        print(line("export (workbook_export + save)", exported, f"raw openpyxl write {cells:,} cells", raw_written))

        data = renamed(data, "N")
        started = time.perf_counter()
        raw_read(data)
        raw_read_s = time.perf_counter() - started
        started = time.perf_counter()
        calamine_read(data)
        calamine_s = time.perf_counter() - started
        profiler = cProfile.Profile() if PROFILE else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        report = services.catalog_import(file=BytesIO(data), actor=admin, reason="基准测试", baseline=True)
        imported = time.perf_counter() - started
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        assert len(report.published) == n_items, report.total
        print(line(f"import (baseline, {len(report.published):,} new)", imported, "raw openpyxl read", raw_read_s))
        print(line("", imported, "raw calamine read", calamine_s))
        print(f"  file size {len(data) / 1e6:.1f} MB, warnings {len(report.warnings)}")
    finally:
        connections.close_all()


def main() -> None:
    args = parse_args()
    if len(args.items) > 1:  # one process (and one temporary database) per size
        for n_items in args.items:
            command = [sys.executable, __file__, "--items", str(n_items)] + (["--profile"] if args.profile else [])
            subprocess.run(command + (["--postgres", args.postgres] if args.postgres else []), check=True)
        return
    url, cleanup = temporary_database(args)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log
    try:
        run(args.items[0])
    finally:
        cleanup()


if __name__ == "__main__":
    main()
