"""Benchmark: deadline arithmetic with the working-day engine vs a naive day-by-day loop.

    DEBUG=1 .venv/bin/python bench/workdays.py [--n 20000] [--seed 2021]

The engine is built in memory from the chinese_calendar data (no database needed) with the same
loader the cross-check tests use. Random start days 2010-01-01 … 2026-09-30 and 1 … 60 working
days, so every due day stays inside chinese_calendar's data (it knows 2004–2026 only). Both
methods must agree on the samples computed both ways; the target is a speed-up of at least 50×.
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

import chinese_calendar  # noqa: E402

from yiwang.workdays.calendar import load_from_chinese_calendar  # noqa: E402

TARGET_SPEEDUP = 50.0
FIRST_START = dt.date(2010, 1, 1)
LAST_START = dt.date(2026, 9, 30)


def naive_add_workdays(start: dt.date, n: int) -> dt.date:
    day = start
    counted = 0
    while counted < n:
        day += dt.timedelta(days=1)
        if chinese_calendar.is_workday(day):
            counted += 1
    return day


def samples(count: int, seed: int) -> list[tuple[dt.date, int]]:
    rng = random.Random(seed)
    span = (LAST_START - FIRST_START).days
    return [(FIRST_START + dt.timedelta(days=rng.randrange(span + 1)), rng.randint(1, 60)) for _ in range(count)]


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000, help="number of deadline computations (engine)")
    parser.add_argument("--naive", type=int, default=1000, help="how many of them the slow loop repeats")
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args()

    started = time.perf_counter()
    engine = load_from_chinese_calendar()
    build = time.perf_counter() - started
    work = samples(args.n, args.seed)

    started = time.perf_counter()
    fast = [engine.add_workdays(start, n).due for start, n in work]
    fast_seconds = time.perf_counter() - started

    started = time.perf_counter()
    checked = work[: max(1, min(args.naive, args.n))]
    slow = [naive_add_workdays(start, n) for start, n in checked]
    slow_seconds = time.perf_counter() - started

    mismatches = [(s, n, a, b) for (s, n), a, b in zip(checked, fast, slow, strict=False) if a != b]
    fast_rate, slow_rate = rate(len(work), fast_seconds), rate(len(checked), slow_seconds)
    speedup = fast_rate / slow_rate

    print(f"workdays bench: {args.n} deadlines, starts {FIRST_START}…{LAST_START}, n = 1…60 working days")
    print(f"  engine build (once per process): {build * 1000:.1f} ms")
    print(f"  engine add_workdays:  {fast_rate:>12,.0f} computations/s")
    print(
        f"  naive day-by-day loop: {slow_rate:>11,.0f} computations/s"
        f" (chinese_calendar.is_workday, first {len(checked)} samples)"
    )
    print(f"  speed-up: {speedup:.1f}× (target ≥ {TARGET_SPEEDUP:.0f}×)")
    if mismatches:
        print(f"FAIL: {len(mismatches)} results differ, e.g. {mismatches[:3]}")
        return 1
    print(f"  results: identical on all {len(checked)} samples computed both ways")
    if speedup >= TARGET_SPEEDUP:
        print("PASS")
        return 0
    print("FAIL: speed-up below target")
    return 1


if __name__ == "__main__":
    sys.exit(main())
