"""The draw as a pure function: exact counts, recusal, uniformity, recomputation (no database)."""

import hashlib
import json

import pytest

from yiwang.core.errors import ApplicationError
from yiwang.inspections import draw as d

RULES = {"ratio_bp": {"A": 300, "B": 500, "C": 2000, "D": 10000}, "team_size": 2, "distinct_departments": False}


def seeds(n: int, label: str = "t"):
    """Fixed, documented seeds so that statistical tests cannot flake."""
    return [hashlib.sha256(f"{label}-{i}".encode()).hexdigest() for i in range(n)]


def test_it_counts_each_class_with_the_ceiling_rule():
    # 101 A at 3 % → ceil(3.03) = 4; 40 B at 5 % → 2; 7 C at 20 % → ceil(1.4) = 2; 3 D at 100 % → 3.
    pool = [[i, "A"] for i in range(1, 102)] + [[i, "B"] for i in range(102, 142)]
    pool += [[i, "C"] for i in range(142, 149)] + [[i, "D"] for i in range(149, 152)]
    roster = [[i, 1, []] for i in range(1, 6)]
    outcome = d.run_draw(seed=seeds(1)[0], pool=pool, roster=roster, rules=RULES)
    assert outcome.pool_counts == {"A": 101, "B": 40, "C": 7, "D": 3}
    assert outcome.selected_counts == {"A": 4, "B": 2, "C": 2, "D": 3}
    rows = outcome.result["entities"]
    assert len(rows) == 11 and [r[0] for r in rows] == sorted(r[0] for r in rows)
    assert {r[0] for r in rows if r[1] == "D"} == {149, 150, 151}
    assert all(len(r[2]) == 2 and len(set(r[2])) == 2 for r in rows)


@pytest.mark.parametrize(
    ("ratio", "n", "k"),
    [(300, 0, 0), (300, 1, 1), (300, 33, 1), (300, 34, 2), (500, 20, 1), (500, 21, 2), (10000, 9, 9), (0, 50, 0)],
)
def test_it_rounds_up_and_caps_at_the_pool(ratio, n, k):
    assert d.selected_count(ratio, n) == k


def test_it_never_draws_an_inspector_with_a_conflict_over_many_seeds():
    pool = [[i, "ABCD"[i % 4]] for i in range(1, 61)]
    # Inspector i conflicts with every entity whose id ≡ i (mod 3); departments 1–3.
    roster = [[i, 1 + i % 3, [e for e in range(1, 61) if e % 3 == i % 3]] for i in range(1, 10)]
    rules = {**RULES, "ratio_bp": {"A": 5000, "B": 5000, "C": 5000, "D": 10000}}
    conflicts = {row[0]: set(row[2]) for row in roster}
    for seed in seeds(300, "conflict"):
        for entity_id, _risk, team in d.run_draw(seed=seed, pool=pool, roster=roster, rules=rules).result["entities"]:
            assert len(team) == 2 and len(set(team)) == 2
            assert all(entity_id not in conflicts[i] for i in team)


def test_it_takes_a_joint_team_from_different_departments():
    pool = [[i, "D"] for i in range(1, 41)]
    roster = [[i, 10 + i % 2, [1] if i == 2 else []] for i in range(1, 7)]
    rules = {**RULES, "distinct_departments": True}
    departments = {row[0]: row[1] for row in roster}
    for seed in seeds(50, "joint"):
        for _entity, _risk, team in d.run_draw(seed=seed, pool=pool, roster=roster, rules=rules).result["entities"]:
            assert len({departments[i] for i in team}) == 2


def test_it_refuses_a_draw_when_too_few_inspectors_are_free_of_conflict():
    pool = [[1, "D"], [2, "D"]]
    roster = [[1, 1, [2]], [2, 1, []]]
    with pytest.raises(ApplicationError) as error:
        d.run_draw(seed=seeds(1)[0], pool=pool, roster=roster, rules=RULES)
    assert error.value.code == "inspection.roster_too_small"


def test_it_draws_entities_uniformly_chi_square():
    # 20 entities, 25 % drawn (5 each time), 2,000 fixed seeds: each entity expected 500 times.
    # χ² with 19 degrees of freedom must stay under 43.82 (p = 0.001); the seeds are fixed, so the
    # test cannot flake; a biased draw (e.g. modulo bias or a sticky shuffle) exceeds it.
    pool = [[i, "B"] for i in range(1, 21)]
    roster = [[i, 1, []] for i in range(1, 4)]
    rules = {**RULES, "ratio_bp": {"B": 2500}}
    counts = dict.fromkeys(range(1, 21), 0)
    for seed in seeds(2000, "uniform"):
        for entity_id, _r, _t in d.run_draw(seed=seed, pool=pool, roster=roster, rules=rules).result["entities"]:
            counts[entity_id] += 1
    expected = 2000 * 5 / 20
    chi2 = sum((o - expected) ** 2 / expected for o in counts.values())
    assert chi2 < 43.82, (chi2, counts)


def test_it_draws_inspectors_uniformly_chi_square():
    # 10 inspectors, teams of 2 for 2,000 entities: each inspector expected 400 times; χ², 9 df, p = 0.001: 27.88.
    pool = [[i, "D"] for i in range(1, 2001)]
    roster = [[i, 1, []] for i in range(1, 11)]
    counts = dict.fromkeys(range(1, 11), 0)
    for _e, _r, team in d.run_draw(seed=seeds(1, "inspectors")[0], pool=pool, roster=roster, rules=RULES).result[
        "entities"
    ]:
        for i in team:
            counts[i] += 1
    chi2 = sum((o - 400) ** 2 / 400 for o in counts.values())
    assert chi2 < 27.88, (chi2, counts)


def test_it_recomputes_a_draw_bit_for_bit_and_notices_any_change():
    secret = "5a" * 32
    commitment = d.commitment_of(secret)
    seed = d.seed_of(secret=secret, beacon="2026-03-31 福彩3D 415", plan_number="SJ-2026-01", attempt=1)
    pool = [[i, "ABCD"[i % 4]] for i in range(1, 201)]
    roster = [[i, 1 + i % 2, [i * 3]] for i in range(1, 9)]
    outcome = d.run_draw(seed=seed, pool=pool, roster=roster, rules=RULES)
    stored = {
        "commitment": commitment,
        "secret": secret,
        "beacon": "2026-03-31 福彩3D 415",
        "plan_number": "SJ-2026-01",
        "attempt": 1,
        "seed": seed,
        "pool_text": d.canonical({"entities": pool}),
        "roster_text": d.canonical({"inspectors": roster}),
        "rules": RULES,
        "result_text": outcome.result_text,
        "result_hash": outcome.result_hash,
    }
    assert d.verify(**stored).consistent
    again = d.run_draw(seed=seed, pool=json.loads(stored["pool_text"])["entities"], roster=roster, rules=RULES)
    assert again.result_text.encode() == outcome.result_text.encode()

    tampered_pool = [row if row[0] != 5 else [5, "D"] for row in pool]
    assert not d.verify(**{**stored, "pool_text": d.canonical({"entities": tampered_pool})}).consistent
    assert not d.verify(**{**stored, "secret": "5b" * 32}).consistent
    assert not d.verify(**{**stored, "beacon": "other"}).consistent
    swapped = json.loads(outcome.result_text)
    swapped["entities"][0][2].reverse()
    assert not d.verify(**{**stored, "result_text": d.canonical(swapped)}).consistent


def test_it_fixes_the_stream_algorithm():
    # A change of the PRNG would make published draws unverifiable: pin its first outputs.
    stream = d.HashStream("00" * 32, "entities:A")
    block = hashlib.sha256(bytes(32) + b"entities:A" + (0).to_bytes(8, "big")).digest()
    assert stream.word() == int.from_bytes(block[:8], "big")
    assert stream.word() == int.from_bytes(block[8:16], "big")
    assert d.commitment_of("00" * 32) == "e0bab8f4d8172ba245190d13c94117e93b82166c25b2b69883350c192c905140"
