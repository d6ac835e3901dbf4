"""Similar open appeals (possible duplicates, 合并候选): same place, similar text, recent.

The rule (unchanged): another appeal is similar when it is open or replied (not yet revisited), was
received at most ``SIMILAR_LOOKBACK_DAYS`` calendar days before this one (or any time after), is
about the same place — the same village, else the same town (an appeal without a village matches
the whole town, one without a town only others without a town) — and its text scores at least
``SIMILARITY_THRESHOLD``: the cosine of character-bigram counts of title and content (punctuation
and spaces ignored, the first ``ANALYSIS_PREFIX`` characters read), weighted 0.8 with 0.2 for the
addresses when both have one.

Where the candidates come from:

* PostgreSQL: a trigram index (pg_trgm, GIN, keyed by town first through btree_gin) on the text
  of open and replied appeals only — a partial index, so it grows with the open work, not with
  history, and a look-up reads only its own town's part of it. The index proposes the
  nearest ``CANDIDATES`` texts of the same place and window (trigram similarity at least
  ``TRIGRAM_FLOOR``: below what the bigram score needs on the demo's texts, not on real messages —
  see ``TRIGRAM_FLOOR``); the bigram score above then decides
  and is what the pages show. A whole page of the dispatch queue is one query (a LATERAL join), so
  the queue costs the same number of queries however many appeals wait.
* SQLite (the embedded default), or a PostgreSQL whose locale gives Chinese text no trigrams: the
  same place/window/state filter through a partial (town, received_at) index, the most recent
  ``FALLBACK_CANDIDATES`` of each appeal scored in Python — one query per page as well.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q

from yiwang.core.limits import analysis_prefix
from yiwang.hotline.conf import conf
from yiwang.hotline.models import OPEN_STATES, Appeal

# States an appeal can be merged from or into: open, or replied and waiting for the revisit.
CANDIDATE_STATES = tuple(sorted({*OPEN_STATES, Appeal.State.REPLIED}))
# The index's text: the same as the migrations' expression (an index on an expression is used only
# by a query that writes the expression identically).
INDEXED_TEXT_SQL = "left({t}.title || ' ' || {t}.content, 2000)"
# Trigram similarity (pg_trgm) a text needs to be proposed at all, and how many per appeal: the
# bigram score decides among them. bench/hotline.py --similar-calibrate: over the demo's distinct texts
# (927, short) every pair whose texts score ≥ 0.3 has trigram similarity ≥ 0.073, so 0.05 keeps them
# all — but over real citizen messages (../shared/data) it does not: of their pairs scoring ≥ 0.3,
# 68 of 79 (TipDM sample, raw text) and 39,350 of 40,770 (TipDM training messages) are below 0.05, and
# 113 of the latter share no trigram at all, so no floor above 0 keeps them. On long real texts a pair
# reaches the bigram score through a few bigrams it repeats (公务员 …) while sharing few trigrams: the
# floor is no bound on the score there, and the index proposes only part of what the rule calls
# similar. A pair that reaches the threshold only through its addresses (text 0.125…0.3, addresses
# alike) is proposed when its texts reach the floor (40 % of such demo pairs do not).
TRIGRAM_FLOOR = 0.05
CANDIDATES = 20
FALLBACK_CANDIDATES = 500
# Encrypted contact details no list of similar appeals shows: not read (each costs a decryption).
UNSHOWN_FIELDS = ("contact_name", "contact_phone", "contact_email", "pii_originals")

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def _bigrams(text: str) -> Counter:
    text = _PUNCT.sub("", text or "")
    return Counter(text[i : i + 2] for i in range(len(text) - 1))


def _cosine(ca: Counter, cb: Counter) -> float:
    if not ca or not cb:
        return 0.0
    if len(cb) < len(ca):
        ca, cb = cb, ca
    dot = sum(v * cb.get(k, 0) for k, v in ca.items())
    return dot / (math.sqrt(sum(v * v for v in ca.values())) * math.sqrt(sum(v * v for v in cb.values())))


def text_similarity(a: str, b: str) -> float:
    """Cosine similarity of character-bigram counts (0…1); robust for short Chinese texts. Reads the
    first ``ANALYSIS_PREFIX`` characters of each text only, so a very long one costs no more."""
    return _cosine(_bigrams(analysis_prefix(a)), _bigrams(analysis_prefix(b)))


@dataclass
class SimilarAppeal:
    appeal: Appeal
    score: float


class _Scorer:
    """The bigram score of two appeals, each text's bigrams counted once per call."""

    def __init__(self):
        self._texts: dict[int, Counter] = {}
        self._addresses: dict[int, Counter] = {}

    def _text(self, appeal: Appeal) -> Counter:
        if appeal.pk not in self._texts:
            self._texts[appeal.pk] = _bigrams(analysis_prefix(f"{appeal.title} {appeal.content}"))
        return self._texts[appeal.pk]

    def _address(self, appeal: Appeal) -> Counter:
        if appeal.pk not in self._addresses:
            self._addresses[appeal.pk] = _bigrams(analysis_prefix(appeal.address))
        return self._addresses[appeal.pk]

    def score(self, a: Appeal, b: Appeal) -> float:
        score = _cosine(self._text(a), self._text(b))
        if a.address and b.address:
            score = 0.8 * score + 0.2 * _cosine(self._address(a), self._address(b))
        return score


def _same_place(appeal: Appeal, other: Appeal) -> bool:
    if other.region_id != appeal.region_id:
        return False
    if appeal.village_id:
        return other.village_id == appeal.village_id or (other.village_id is None and other.town_id == appeal.town_id)
    if appeal.town_id:
        return other.town_id == appeal.town_id
    return other.town_id is None


def _window_start(appeal: Appeal) -> dt.datetime:
    return appeal.received_at - dt.timedelta(days=conf("SIMILAR_LOOKBACK_DAYS"))


def _is_candidate(appeal: Appeal, other: Appeal) -> bool:
    return (
        other.pk != appeal.pk
        and other.state in CANDIDATE_STATES
        and other.received_at >= _window_start(appeal)
        and _same_place(appeal, other)
    )


# --- where candidates come from -------------------------------------------------------------------

_trigram_ready: dict[tuple[str, str], bool] = {}


def trigram_search_available() -> bool:
    """PostgreSQL with pg_trgm that makes trigrams of Chinese text (a database whose character
    classification is plain ``C`` makes none: pg_trgm then sees no words in it)."""
    if connection.vendor != "postgresql":
        return False
    key = (connection.alias, str(connection.settings_dict.get("NAME")))
    if key not in _trigram_ready:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            ready = cursor.fetchone() is not None
            if ready:
                cursor.execute("SELECT array_length(show_trgm('路灯不亮'), 1)")
                ready = bool(cursor.fetchone()[0])
        _trigram_ready[key] = ready
    return _trigram_ready[key]


_PLACE_SQL = """(
    CASE WHEN q.village_id IS NOT NULL
              THEN c.village_id = q.village_id OR (c.village_id IS NULL AND c.town_id IS NOT DISTINCT FROM q.town_id)
         WHEN q.town_id IS NOT NULL THEN c.town_id = q.town_id
         ELSE c.town_id IS NULL END)"""


def trigram_query(appeal_ids: list[int], per_appeal: int) -> tuple[str, list]:
    """SQL and parameters: for each appeal id, the ids of up to ``per_appeal`` candidates with the
    nearest texts (run with ``pg_trgm.similarity_threshold`` at ``TRIGRAM_FLOOR``)."""
    states = ", ".join(["%s"] * len(CANDIDATE_STATES))
    c_text, q_text = INDEXED_TEXT_SQL.format(t="c"), INDEXED_TEXT_SQL.format(t="q")
    sql = f"""
        SELECT q.id, near.id
        FROM hotline_appeal q
        CROSS JOIN LATERAL (
            SELECT c.id
            FROM hotline_appeal c
            WHERE c.state IN ({states})
              AND coalesce(c.town_id, 0) = coalesce(q.town_id, 0)  -- the index's first key; a village lies in its town
              AND {c_text} %% {q_text}
              AND c.region_id = q.region_id
              AND c.received_at >= q.received_at - make_interval(days => %s)
              AND c.id <> q.id
              AND {_PLACE_SQL}
            ORDER BY similarity({c_text}, {q_text}) DESC, c.received_at DESC, c.id DESC
            LIMIT %s
        ) near
        WHERE q.id = ANY(%s)
    """  # noqa: S608 (constants and placeholders only)
    return sql, [*CANDIDATE_STATES, conf("SIMILAR_LOOKBACK_DAYS"), per_appeal, list(appeal_ids)]


def _trigram_candidates(appeal_ids: list[int], per_appeal: int) -> dict[int, list[int]]:
    """appeal id → ids of up to ``per_appeal`` candidates with the nearest texts (one query)."""
    found: dict[int, list[int]] = {pk: [] for pk in appeal_ids}
    nested = connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        # the threshold of the % operator, for this transaction only (safe behind pgbouncer)
        cursor.execute(
            "SELECT current_setting('pg_trgm.similarity_threshold', true), "
            "set_config('pg_trgm.similarity_threshold', %s, true)",
            [str(TRIGRAM_FLOOR)],
        )
        previous = cursor.fetchone()[0]
        cursor.execute(*trigram_query(appeal_ids, per_appeal))
        rows = cursor.fetchall()
        if nested:  # a local setting outlives the savepoint: the caller's transaction gets its own back
            cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [previous or "0.3"])
    for pk, other in rows:
        found[pk].append(other)
    return found


def _place_q(appeal: Appeal) -> Q:
    q = Q(region_id=appeal.region_id, received_at__gte=_window_start(appeal))
    if appeal.village_id:
        # a village lies in its town (intake checks it): the town term lets the partial index serve
        village = Q(village_id=appeal.village_id) | Q(village__isnull=True)
        return q & Q(town_id=appeal.town_id) & village
    if appeal.town_id:
        return q & Q(town_id=appeal.town_id)
    return q & Q(town__isnull=True)


def _recent_candidates(appeals: list[Appeal], per_appeal: int) -> dict[int, list[Appeal]]:
    """appeal → its most recent ``per_appeal`` candidates, all appeals' read in one query."""
    if not appeals:
        return {}
    where = Q()
    for appeal in appeals:
        where |= _place_q(appeal)
    rows = list(
        Appeal.objects.filter(where, state__in=CANDIDATE_STATES)
        .select_related("lead_department", "town", "village")
        .defer(*UNSHOWN_FIELDS)
        .order_by("-received_at", "-pk")[: per_appeal * len(appeals)]
    )
    found = {}
    for appeal in appeals:
        mine = [other for other in rows if _is_candidate(appeal, other)]
        found[appeal.pk] = mine[:per_appeal]
    return found


# --- the reads ------------------------------------------------------------------------------------


def similar_open_appeals_for(
    appeals, *, limit: int = 5, threshold: float | None = None
) -> dict[int, list[SimilarAppeal]]:
    """For each appeal (pk → list, best first): the similar open appeals of the module's rule — a
    fixed number of queries whatever the number of appeals."""
    appeals = list(appeals)
    threshold = conf("SIMILARITY_THRESHOLD") if threshold is None else threshold
    if not appeals:
        return {}
    if trigram_search_available():
        ids = _trigram_candidates([a.pk for a in appeals], max(CANDIDATES, limit * 4))
        wanted = {pk for found in ids.values() for pk in found}
        loaded = (
            Appeal.objects.filter(pk__in=wanted)
            .select_related("lead_department", "town", "village")
            .defer(*UNSHOWN_FIELDS)
        )
        by_pk = {a.pk: a for a in loaded}
        candidates = {pk: [by_pk[o] for o in found if o in by_pk] for pk, found in ids.items()}
    else:
        candidates = _recent_candidates(appeals, FALLBACK_CANDIDATES)
    scorer = _Scorer()
    result = {}
    for appeal in appeals:
        scored = []
        for other in candidates.get(appeal.pk, []):
            score = scorer.score(appeal, other)
            if score >= threshold:
                scored.append(SimilarAppeal(other, round(score, 3)))
        scored.sort(key=lambda s: (-s.score, -s.appeal.received_at.timestamp(), -s.appeal.pk))
        result[appeal.pk] = scored[:limit]
    return result


def similar_open_appeals(appeal: Appeal, *, limit: int = 5, threshold: float | None = None) -> list[SimilarAppeal]:
    """Open appeals about the same place (same village, else same town) with similar text, received
    in the last ``SIMILAR_LOOKBACK_DAYS`` days — candidates for merging."""
    return similar_open_appeals_for([appeal], limit=limit, threshold=threshold)[appeal.pk]
