"""Draw time for a pool of 200,000 entities and 2,000 inspectors, beside raw baselines in the same run.

    DEBUG=1 .venv/bin/python bench/inspections.py
    DEBUG=1 .venv/bin/python bench/inspections.py --entities 200000 --inspectors 2000 --repeat 3

The pool and the roster are generated in memory (the draw is a pure function of seed, snapshots and
rules, ``yiwang.inspections.draw``): classes A 30 %, B 55 %, C 12 %, D 3 % at the county default
ratios (A 3 %, B 5 %, C 20 %, D 100 %), 20 departments, each inspector with 25 conflicting entities
(declared and recent inspections), teams of 2 from different departments. Figures:

* draw — ``run_draw`` (per-class partial shuffles, team rejection sampling, canonical JSON result
  and its SHA-256), plus the canonical JSON of both snapshots as stored;
* verify — recomputation from the stored texts (``verify``: parse, redraw, compare bytes);
* baselines — sorting the pool's ids and one SHA-256 per pool id (what hashing every entity once
  costs), and serialising the pool snapshot alone.

Prints figures; asserts nothing.
"""

import argparse
import random
import statistics
import sys
import time
from hashlib import sha256
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from yiwang.inspections import draw as d  # noqa: E402

RULES = {"ratio_bp": {"A": 300, "B": 500, "C": 2000, "D": 10000}, "team_size": 2, "distinct_departments": True}


def generate(entities: int, inspectors: int):
    rng = random.Random(20260331)  # data generation only; the draw never uses ``random``
    classes = rng.choices("ABCD", weights=[30, 55, 12, 3], k=entities)
    pool = [[i + 1, classes[i]] for i in range(entities)]
    roster = [[i + 1, 1 + i % 20, sorted(rng.sample(range(1, entities + 1), 25))] for i in range(inspectors)]
    return pool, roster


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=200_000)
    parser.add_argument("--inspectors", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    pool, roster = generate(args.entities, args.inspectors)
    secret = "00" * 32
    seed = d.seed_of(secret=secret, beacon="", plan_number="BENCH", attempt=1)

    def full_draw():
        outcome = d.run_draw(seed=seed, pool=[row[:] for row in pool], roster=roster, rules=RULES)
        pool_text = d.canonical({"entities": pool})
        roster_text = d.canonical({"inspectors": roster})
        return outcome, pool_text, roster_text

    draw_s, (outcome, pool_text, roster_text) = timed(full_draw, args.repeat)

    def verify():
        return d.verify(
            commitment=d.commitment_of(secret),
            secret=secret,
            beacon="",
            plan_number="BENCH",
            attempt=1,
            seed=seed,
            pool_text=pool_text,
            roster_text=roster_text,
            rules=RULES,
            result_text=outcome.result_text,
            result_hash=outcome.result_hash,
        )

    verify_s, verification = timed(verify, args.repeat)

    ids = [row[0] for row in pool]
    sort_s, _ = timed(lambda: sorted(ids, reverse=True), args.repeat)
    hash_s, _ = timed(lambda: [sha256(i.to_bytes(8, "big")).digest() for i in ids], args.repeat)
    json_s, _ = timed(lambda: d.canonical({"entities": pool}), args.repeat)
    baseline = sort_s + hash_s

    drawn = sum(outcome.selected_counts.values())
    print(f"pool {args.entities:,} entities {outcome.pool_counts}, roster {args.inspectors:,} inspectors")
    print(f"drawn {drawn:,} entities {outcome.selected_counts}, {drawn * 2:,} assignments, median of {args.repeat}")
    print(f"draw (incl. snapshot texts)   {draw_s * 1000:9.1f} ms")
    print(
        f"verify (recompute, compare)   {verify_s * 1000:9.1f} ms   {'一致' if verification.consistent else '不一致'}"
    )
    print(f"baseline sort ids             {sort_s * 1000:9.1f} ms")
    print(f"baseline SHA-256 per id       {hash_s * 1000:9.1f} ms")
    print(f"baseline pool snapshot JSON   {json_s * 1000:9.1f} ms")
    print(f"ratio draw / (sort + hash)    {draw_s / baseline:9.2f} ×")
    print(f"ratio verify / (sort + hash)  {verify_s / baseline:9.2f} ×")


if __name__ == "__main__":
    main()
