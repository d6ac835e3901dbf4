"""The draw (双随机): a pure function of a published seed, a pool snapshot, a roster snapshot and rules.

Nothing here reads the database or the clock, so anyone holding the published draw record can run it
again (``manage.py inspections verify-draw ID``) and must obtain the same bytes.

The seed (algorithm ``yiwang-draw-v1``)
    At publication the platform draws a 256-bit secret and publishes only its SM3 hash, the
    *commitment*. At the draw the secret is revealed; anyone checks SM3(secret) = commitment. If the
    plan declared a public random value in advance (``beacon_source``, e.g. a lottery number or an
    index close on a named day), its value enters the seed too, so even the holder of the secret
    cannot predict the draw before that value exists. seed = SHA-256 of the canonical JSON
    ``["yiwang-draw-v1", plan number, attempt, secret, beacon]``.

The random stream
    Counter-mode SHA-256: block i of stream ``label`` is SHA-256(seed ‖ label ‖ i as 8 bytes
    big-endian); each 32-byte block gives four 64-bit big-endian words. ``below(n)`` takes words
    until one is under the largest multiple of n that fits in 2^64 and returns it mod n (no modulo
    bias). Python's ``random`` is not used: its algorithm is not a published, fixed specification.

Entities
    The pool snapshot lists ``[entity id, risk class]`` sorted by id. For each class (A, B, C, D in
    that order) with n entities and a ratio of r basis points, k = ceil(r × n / 10000), capped at n,
    computed in integers as (r × n + 9999) // 10000. The k entities are the first k of a partial
    Fisher–Yates shuffle of the class's ids (ascending), driven by stream ``entities:<class>``:
    for i in 0…k−1, j = i + below(n − i), swap positions i and j.

Inspectors
    The roster snapshot lists ``[inspector id, department id, [entity ids in conflict]]`` sorted by
    id (conflicts: declared relatives' entities and former employers, and entities the inspector
    inspected within the recusal window). The selected entities are taken in ascending id; for each,
    ``team_size`` inspectors are picked from stream ``inspectors`` by rejection: pick
    ``roster[below(len(roster))]`` and reject it if it conflicts with the entity, is already in the
    team, or — with ``distinct_departments`` — belongs to a department already in the team. This is
    a uniform choice among the eligible. Before picking, the draw checks that enough eligible
    inspectors (and departments) exist; otherwise it fails with ``inspection.roster_too_small``.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass

from yiwang.core import gm
from yiwang.core.errors import ApplicationError

ALGORITHM = "yiwang-draw-v1"
CLASSES = ("A", "B", "C", "D")
_BLOCK_WORDS = 4
_TWO64 = 1 << 64


def canonical(value) -> str:
    """Canonical JSON text: sorted keys, no whitespace, UTF-8 characters kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def commitment_of(secret: str) -> str:
    """SM3 of the secret's bytes (the secret is 64 hex characters), as hex."""
    return gm.sm3_digest(bytes.fromhex(secret)).hex()


def seed_of(*, secret: str, beacon: str, plan_number: str, attempt: int) -> str:
    return sha256_hex(canonical([ALGORITHM, plan_number, attempt, secret, beacon]))


class HashStream:
    """A counter-mode SHA-256 random stream (see the module docstring)."""

    def __init__(self, seed: str, label: str):
        self._prefix = bytes.fromhex(seed) + label.encode()
        self._counter = 0
        self._words: list[int] = []

    def _refill(self) -> None:
        block = hashlib.sha256(self._prefix + self._counter.to_bytes(8, "big")).digest()
        self._counter += 1
        # reversed so that pop() yields the words in order
        self._words = [int.from_bytes(block[i : i + 8], "big") for i in range(24, -1, -8)]

    def word(self) -> int:
        if not self._words:
            self._refill()
        return self._words.pop()

    def below(self, n: int) -> int:
        """A uniform integer in [0, n)."""
        if n <= 0:
            raise ValueError("below(n) needs n > 0")
        limit = _TWO64 - (_TWO64 % n)
        while True:
            x = self.word()
            if x < limit:
                return x % n


def selected_count(ratio_bp: int, n: int) -> int:
    """k = ceil(ratio × n), ratio in basis points, capped at n (exact integer arithmetic)."""
    return min(n, (ratio_bp * n + 9999) // 10000)


@dataclass(frozen=True)
class DrawOutcome:
    result: dict
    result_text: str
    result_hash: str
    pool_counts: dict
    selected_counts: dict


def _roster_too_small(entity_id: int, eligible: int, needed: int, distinct: bool) -> ApplicationError:
    what = "个不同部门的" if distinct else "名"
    return ApplicationError(
        "inspection.roster_too_small",
        f"市场主体 {entity_id} 可选的无回避检查人员不足（需 {needed}{what}检查人员，仅有 {eligible}），"
        "请充实执法检查人员名录库后再抽取",
        details={"entity": entity_id, "eligible": eligible, "needed": needed},
        status=409,
    )


def run_draw(*, seed: str, pool: list, roster: list, rules: dict) -> DrawOutcome:
    """The draw: ``pool`` = [[entity id, class]…], ``roster`` = [[inspector id, department id,
    [conflicting entity ids]]…], both sorted by id; ``rules`` = {"ratio_bp": {class: bp},
    "team_size": int, "distinct_departments": bool}."""
    ratio_bp = rules["ratio_bp"]
    team_size = int(rules["team_size"])
    distinct = bool(rules["distinct_departments"])

    by_class: dict[str, list[int]] = {c: [] for c in CLASSES}
    for entity_id, risk in pool:
        by_class[risk].append(entity_id)
    chosen: list[tuple[int, str]] = []
    pool_counts, selected_counts = {}, {}
    for risk in CLASSES:
        ids = by_class[risk]
        n = len(ids)
        k = selected_count(int(ratio_bp.get(risk, 0)), n)
        stream = HashStream(seed, f"entities:{risk}")
        for i in range(k):
            j = i + stream.below(n - i)
            ids[i], ids[j] = ids[j], ids[i]
        chosen.extend((entity_id, risk) for entity_id in ids[:k])
        pool_counts[risk], selected_counts[risk] = n, k
    chosen.sort()

    inspector_ids = [row[0] for row in roster]
    departments = [row[1] for row in roster]
    department_sizes = Counter(departments)
    conflicted_by_entity: dict[int, set[int]] = {}
    for index, row in enumerate(roster):
        for entity_id in row[2]:
            conflicted_by_entity.setdefault(entity_id, set()).add(index)

    stream = HashStream(seed, "inspectors")
    m = len(roster)
    rows = []
    for entity_id, risk in chosen:
        conflicted = conflicted_by_entity.get(entity_id, set())
        if distinct:
            left = department_sizes.copy()
            for index in conflicted:
                left[departments[index]] -= 1
            eligible = sum(1 for count in left.values() if count > 0)
        else:
            eligible = m - len(conflicted)
        if eligible < team_size:
            raise _roster_too_small(entity_id, eligible, team_size, distinct)
        team: list[int] = []
        team_departments: set[int] = set()
        while len(team) < team_size:
            index = stream.below(m)
            if index in conflicted or index in team:
                continue
            if distinct and departments[index] in team_departments:
                continue
            team.append(index)
            team_departments.add(departments[index])
        rows.append([entity_id, risk, [inspector_ids[index] for index in team]])

    result = {"algorithm": ALGORITHM, "entities": rows}
    text = canonical(result)
    return DrawOutcome(
        result=result,
        result_text=text,
        result_hash=sha256_hex(text),
        pool_counts=pool_counts,
        selected_counts=selected_counts,
    )


@dataclass(frozen=True)
class Verification:
    consistent: bool
    problems: list[str]


def verify(
    *,
    commitment: str,
    secret: str,
    beacon: str,
    plan_number: str,
    attempt: int,
    seed: str,
    pool_text: str,
    roster_text: str,
    rules: dict,
    result_text: str,
    result_hash: str,
) -> Verification:
    """Recompute a stored draw from its published parts and compare bytes."""
    problems = []
    if commitment_of(secret) != commitment:
        problems.append("种子原文与事先公布的承诺值不符")
    expected_seed = seed_of(secret=secret, beacon=beacon, plan_number=plan_number, attempt=attempt)
    if expected_seed != seed:
        problems.append("随机种子与种子原文、公开随机数推算结果不符")
    pool = json.loads(pool_text)["entities"]
    roster = json.loads(roster_text)["inspectors"]
    if pool != sorted(pool) or roster != sorted(roster):
        problems.append("快照未按编号排序")
    try:
        outcome = run_draw(seed=expected_seed, pool=pool, roster=roster, rules=rules)
    except ApplicationError as error:
        problems.append(f"重算失败：{error.message}")
    else:
        if outcome.result_text != result_text:
            problems.append("重算的抽取结果与公布结果不一致")
        if sha256_hex(result_text) != result_hash:
            problems.append("公布结果的摘要不符")
    return Verification(consistent=not problems, problems=problems)
