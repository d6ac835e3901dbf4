"""Similar open appeals (possible duplicates, 合并候选): same place, similar text, recent.

The rule: another appeal is similar when it is open or replied (not yet revisited), was received at
most ``SIMILAR_LOOKBACK_DAYS`` calendar days before this one (or any time after), is about the same
place — the same village, else the same town (an appeal without a village matches the whole town,
one without a town only others without a town) — and its text scores at least
``SIMILARITY_THRESHOLD``: the cosine of character-bigram counts of title and content (punctuation
and spaces ignored, the first ``ANALYSIS_PREFIX`` characters read), weighted 0.8 with 0.2 for the
addresses when both have one. The pages show the best ``limit``, best first (score rounded to three
places, then the latest received).

Both engines compute exactly that, with no index on the text and no cap on the candidates:

* the candidates are every open or replied appeal of the places and windows of the appeals asked
  about, read through the partial (town, received_at) btree index of open and replied appeals
  (hotline 0006) — its size follows the open work, not history; appeals of one town share their
  candidates, so a page reads each town once, and only the columns the score needs (ids, place,
  received_at, title, content, address; the state is filtered in the query);
* the scores are computed together: sparse bigram count vectors of the page's appeals and of all
  their candidates over their exact vocabulary (a bigram is its two code points, no hashing), every
  text cosine from one sparse product, the addresses' likewise; the floating-point operations are
  those of ``text_similarity``, so the scores are the same to the last bit. Only pairs sharing a
  bigram (text or address) get a score, the others score 0; no bound prunes more (a text scoring
  under 0.125 cannot reach 0.3 even with identical addresses, but the product has computed it already);
* the shown appeals are then loaded whole (one query).

Scoring a page's appeals against their towns' open work on every view was a fifth to a third of
the dispatch queue's CPU; so each open or replied appeal is scored once after its commit and its
pairs stored (``index``, below): a page reads the stored pairs of its appeals (one query) and scores
only the few appeals not stored yet, with the same result. The pg_trgm index that proposed
candidates before (hotline 0006–0010) proposed only part of what the rule calls similar on long
real messages (bench/hotline.py --similar-calibrate) and was dropped by hotline 0011.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from scipy import sparse

from yiwang.core.coalesce import queue_once
from yiwang.core.indexes import literal_in
from yiwang.core.limits import analysis_prefix, analysis_prefixes
from yiwang.hotline.conf import conf
from yiwang.hotline.models import OPEN_STATES, Appeal, SimilarIndex, SimilarPair

# States an appeal can be merged from or into: open, or replied and waiting for the revisit.
CANDIDATE_STATES = tuple(sorted({*OPEN_STATES, Appeal.State.REPLIED}))


def _candidate_states_sql() -> RawSQL:
    """``state IN (…)`` with the states written into the statement, not bound as parameters
    (``core.indexes.literal_in``): SQLite picks an index by the literal states only (bound, it read the
    candidates through the village index, every village-less appeal of history: 148 ms for the dispatch
    queue's first page at 102 k appeals, 9 ms with the literals through the (state, received_at) index).
    PostgreSQL plans both alike."""
    return literal_in(Appeal, "state", CANDIDATE_STATES)


# Encrypted contact details no list of similar appeals shows: not read (each costs a decryption).
UNSHOWN_FIELDS = ("contact_name", "contact_phone", "contact_email", "pii_originals")
# What scoring reads of a candidate (the shown ones are loaded whole afterwards).
SCORED_FIELDS = ("pk", "region_id", "town_id", "village_id", "received_at", "title", "content", "address")

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


def _window_start(appeal: Appeal) -> dt.datetime:
    return appeal.received_at - dt.timedelta(days=conf("SIMILAR_LOOKBACK_DAYS"))


# --- the candidates: every open appeal of the page's places and windows -----------------------------


def _candidates_q(appeals: list[Appeal], *, windowed: bool = True) -> Q:
    """The places and windows of all the appeals, one term per town (or town-less region): the
    earliest window of the town's appeals (none unless ``windowed``), its villages named unless one
    appeal is the whole town's."""
    towns: dict[tuple, dict] = {}
    for appeal in appeals:
        town = towns.setdefault((appeal.region_id, appeal.town_id), {"since": _window_start(appeal), "villages": set()})
        town["since"] = min(town["since"], _window_start(appeal))
        if town["villages"] is not None:
            town["villages"] = town["villages"] | {appeal.village_id} if appeal.village_id else None
    where = Q()
    for (region_id, town_id), town in towns.items():
        term = Q(region_id=region_id, received_at__gte=town["since"]) if windowed else Q(region_id=region_id)
        term &= Q(town_id=town_id) if town_id else Q(town__isnull=True)
        if town_id and town["villages"] is not None:
            term &= Q(village_id__in=sorted(town["villages"])) | Q(village__isnull=True)
        where |= term
    return where


def _candidates(appeals: list[Appeal], *, windowed: bool = True):
    """The scored columns of every open or replied appeal of the appeals' places and windows."""
    return (
        Appeal.objects.filter(_candidates_q(appeals, windowed=windowed), _candidate_states_sql())
        .order_by()
        .values_list(*SCORED_FIELDS)
    )


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICRO = dt.timedelta(microseconds=1)


def _micros(moment: dt.datetime) -> int:
    return (moment - _EPOCH) // _MICRO


def _bigram_matrix(texts: list[str]) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Each text's character-bigram counts (punctuation and spaces removed, the analysed prefix) as a
    row over the texts' exact vocabulary — a bigram is the pair of its code points, so no two share a
    column — and each row's norm, computed as ``_cosine`` computes it (exact integer sums, one sqrt)."""
    cleaned = [_PUNCT.sub("", text) for text in analysis_prefixes(texts)]
    lengths = np.fromiter((len(t) for t in cleaned), dtype=np.int64, count=len(cleaned))
    points = np.frombuffer("".join(cleaned).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    rows = np.repeat(np.arange(len(cleaned)), lengths)
    inside = rows[:-1] == rows[1:]  # a bigram does not span two texts
    codes = points[:-1][inside] * 0x110000 + points[1:][inside]
    vocabulary, columns = np.unique(codes, return_inverse=True)
    matrix = sparse.csr_matrix(
        (np.ones(len(codes)), (rows[:-1][inside], columns.ravel())), shape=(len(texts), max(1, len(vocabulary)))
    )
    matrix.sum_duplicates()
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    return matrix, norms


def _cosines(dots: sparse.csr_matrix, norms: np.ndarray, n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """The cosines of the pairs (page appeal i, candidate j): their dot product (exact: sums of integer
    counts) over the product of their norms, 0 for an empty text — the operations of ``_cosine``."""
    products = np.asarray(dots[i, j]).ravel() if len(i) else np.zeros(0)
    scale = norms[i] * norms[j + n]
    return np.divide(products, scale, out=np.zeros_like(products), where=scale > 0)


def _scores(
    appeals: list[Appeal], candidates: list[tuple], *, threshold: float, windowed: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs (page appeal index, candidate index) of the rule's place, window (unless not
    ``windowed``) and state whose texts or addresses share a bigram, with their scores (the rule's, to
    the last bit)."""
    n, m = len(appeals), len(candidates)
    texts = [f"{a.title} {a.content}" for a in appeals] + [f"{c[5]} {c[6]}" for c in candidates]
    addresses = [a.address or "" for a in appeals] + [c[7] or "" for c in candidates]
    text, text_norms = _bigram_matrix(texts)
    address, address_norms = _bigram_matrix(addresses)
    # all the dot products at once; a pair with no common bigram in text or address scores 0
    text_dots = (text[:n] @ text[n:].T).tocsr()
    address_dots = (address[:n] @ address[n:].T).tocsr()
    shared = text_dots + address_dots
    if threshold <= 0:  # every candidate qualifies: score them all
        shared = sparse.csr_matrix(np.ones((n, m)))
    shared = shared.tocoo()
    i, j = shared.row.astype(np.int64), shared.col.astype(np.int64)

    def column(values):
        return np.array([-1 if v is None else v for v in values], dtype=np.int64)

    pk, region, town, village = (
        column(a.pk for a in appeals),
        column(a.region_id for a in appeals),
        column(a.town_id for a in appeals),
        column(a.village_id for a in appeals),
    )
    since = np.array([_micros(_window_start(a)) for a in appeals], dtype=np.int64)
    c_pk, c_region, c_town, c_village = (column(c[k] for c in candidates) for k in range(4))
    c_received = np.array([_micros(c[4]) for c in candidates], dtype=np.int64)
    same_town = c_town[j] == town[i]
    place = np.where(
        village[i] >= 0,
        (c_village[j] == village[i]) | ((c_village[j] < 0) & same_town),
        np.where(town[i] >= 0, same_town, c_town[j] < 0),
    )
    keep = place & (c_region[j] == region[i]) & (c_pk[j] != pk[i])
    if windowed:
        keep &= c_received[j] >= since[i]
    i, j = i[keep], j[keep]
    score = _cosines(text_dots, text_norms, n, i, j)
    has_address = np.array([bool(a.address) for a in appeals] + [bool(c[7]) for c in candidates])
    both = has_address[i] & has_address[j + n]
    if both.any():
        score[both] = 0.8 * score[both] + 0.2 * _cosines(address_dots, address_norms, n, i[both], j[both])
    return i, j, score


# --- the stored pairs ------------------------------------------------------------------------------
#
# Scoring a page's appeals against the open work of their towns on every view costs the same again
# on the next view. So each open or replied appeal is scored once, after its commit (``index``,
# a worker), against every open or replied appeal of its place whatever their dates — the earlier
# ones see it (any time after), it sees those of its window — and the pairs at or above the
# threshold are stored both ways round (SimilarPair) and the appeal marked (``similar_at``). A page
# then reads, for its marked appeals, their stored pairs whose other appeal is still open or replied
# and within the window, and scores them live against the few appeals of their places not marked
# yet; an unmarked page appeal is scored live as before. The same pairs and scores either way:
#
# * two appeals both open or replied are paired once the later of their markings has run: each
#   marking reads every open or replied appeal committed before it (one marking at a time per place,
#   under a lock), so of two commits the later marking sees both;
# * leaving the open and replied states deletes an appeal's pairs and its mark; coming back (重办)
#   deletes them too, and it is marked afresh;
# * title, content, place and received time never change after intake.
#
# The stored pairs hold the open work's pairs only, so the table follows the open work, not history.


def index_threshold() -> float | None:
    """The threshold the stored pairs were found at, None before the first indexing."""
    return SimilarIndex.objects.order_by("-pk").values_list("threshold", flat=True).first()


def _marked(appeals: list[Appeal], threshold: float) -> set[int]:
    """The appeals whose stored pairs answer at ``threshold``: marked, open or replied, and the pairs
    found at this threshold or a lower one."""
    stored_at = index_threshold()
    if stored_at is None or stored_at > threshold:
        return set()
    return set(
        Appeal.objects.filter(_candidate_states_sql(), pk__in=[a.pk for a in appeals], similar_at__isnull=False)
        .order_by()
        .values_list("pk", flat=True)
    )


def _stored(appeals: list[Appeal], threshold: float) -> list[tuple[int, float, dt.datetime, int]]:
    """(appeal pk, score, other's received_at, other pk) of the stored pairs of marked appeals whose
    other appeal is open or replied now, within the appeal's window and at or above ``threshold``."""
    since = {a.pk: _window_start(a) for a in appeals}
    rows = (
        SimilarPair.objects.filter(appeal_id__in=list(since), other__state__in=CANDIDATE_STATES)
        .order_by()
        .values_list("appeal_id", "score", "other__received_at", "other_id")
    )
    return [row for row in rows if row[1] >= threshold and row[2] >= since[row[0]]]


def _pending(appeals: list[Appeal]):
    """The open or replied appeals of the appeals' places and windows not marked yet (hotline 0013's
    partial index: those between a commit and its marking)."""
    return _candidates(appeals).filter(similar_at__isnull=True)


def _scored(appeals: list[Appeal], candidates: list[tuple], threshold: float, *, windowed: bool = True):
    """(appeal pk, score, candidate's received_at, candidate pk) of the candidates scoring at least
    ``threshold`` against the appeals, by the rule (its window unless not ``windowed``)."""
    if not candidates:
        return []
    i, j, score = _scores(appeals, candidates, threshold=threshold, windowed=windowed)
    hits = score >= threshold
    return [
        (appeals[a].pk, s, candidates[c][4], candidates[c][0])
        for a, c, s in zip(i[hits].tolist(), j[hits].tolist(), score[hits].tolist(), strict=True)
    ]


# --- the reads ------------------------------------------------------------------------------------


def similar_open_appeals_for(
    appeals, *, limit: int = 5, threshold: float | None = None
) -> dict[int, list[SimilarAppeal]]:
    """For each appeal (pk → list, best first): the similar open appeals of the module's rule — the
    stored pairs of the marked appeals with the unmarked candidates scored, the others scored against
    their places' open work; the shown appeals loaded whole in one query."""
    appeals = list({appeal.pk: appeal for appeal in appeals}.values())
    threshold = conf("SIMILARITY_THRESHOLD") if threshold is None else threshold
    if not appeals:
        return {}
    marked_pks = _marked(appeals, threshold)
    marked = [a for a in appeals if a.pk in marked_pks]
    unmarked = [a for a in appeals if a.pk not in marked_pks]
    hits = []
    if unmarked:
        hits += _scored(unmarked, list(_candidates(unmarked)), threshold)
    if marked:
        hits += _stored(marked, threshold)
        hits += _scored(marked, list(_pending(marked)), threshold)
    found: dict[int, dict[int, tuple[float, int, int]]] = {a.pk: {} for a in appeals}
    for pk, score, received_at, other in hits:
        found[pk][other] = (round(score, 3), _micros(received_at), other)
    chosen = {pk: sorted(f.values(), key=lambda f: (-f[0], -f[1], -f[2]))[:limit] for pk, f in found.items()}
    shown = {c for best in chosen.values() for _, _, c in best}
    loaded = (
        {
            a.pk: a
            for a in Appeal.objects.filter(pk__in=shown)
            .select_related("lead_department", "town", "village")
            .defer(*UNSHOWN_FIELDS)
        }
        if shown
        else {}
    )
    return {pk: [SimilarAppeal(loaded[c], s) for s, _, c in best] for pk, best in chosen.items()}


def similar_open_appeals(appeal: Appeal, *, limit: int = 5, threshold: float | None = None) -> list[SimilarAppeal]:
    """Open appeals about the same place (same village, else same town) with similar text, received
    in the last ``SIMILAR_LOOKBACK_DAYS`` days — candidates for merging."""
    return similar_open_appeals_for([appeal], limit=limit, threshold=threshold)[appeal.pk]


# --- finding and storing the pairs ---------------------------------------------------------------

# The place's marking lock (PostgreSQL advisory lock, transaction-scoped): its first key.
_LOCK_SPACE = 0x5349  # "SI"
PENDING_KEY = "hotline:similar:pending"


def _lock_place(region_id: int, town_id: int | None) -> None:
    """One marking at a time per place (town, or a town-less region), so of two concurrent markings
    the later reads what the earlier stored. SQLite writes one transaction at a time already."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_SPACE, town_id or -region_id])


def _follow_setting(threshold: float) -> None:
    """The stored pairs are of the setting's threshold: when it changed (or before the first run),
    drop them and the marks, and record the threshold; until marked again, pages score live."""
    if index_threshold() == threshold:
        return
    with transaction.atomic():
        SimilarPair.objects.all().delete()
        Appeal.objects.filter(similar_at__isnull=False).update(similar_at=None)
        SimilarIndex.objects.all().delete()
        SimilarIndex.objects.create(threshold=threshold)


def _mark_place(place: tuple[int, int | None], pks: list[int], threshold: float, now: dt.datetime) -> int:
    """Score these appeals of one place (region, town) against every open or replied appeal of the
    place, store the pairs both ways round and mark them: one transaction, under the place's lock; an
    appeal a transition holds locked is left for the next run (skip locked), one no longer pending is
    skipped."""
    region_id, _ = place
    with transaction.atomic():
        _lock_place(*place)
        mine = list(
            Appeal.objects.select_for_update(skip_locked=True)
            .filter(_candidate_states_sql(), pk__in=pks, similar_at__isnull=True)
            .only("region", "town", "village", "received_at", "title", "content", "address")
            .order_by("pk")
        )
        if not mine:
            return 0
        pairs = []
        for pk, score, _, other in _scored(mine, list(_candidates(mine, windowed=False)), threshold, windowed=False):
            pairs.append(SimilarPair(appeal_id=pk, other_id=other, region_id=region_id, score=score))
            pairs.append(SimilarPair(appeal_id=other, other_id=pk, region_id=region_id, score=score))
        SimilarPair.objects.bulk_create(pairs, ignore_conflicts=True, batch_size=2000)
        Appeal.objects.filter(pk__in=[a.pk for a in mine]).update(similar_at=now)
        return len(mine)


def index(*, batch: int | None = None, progress=None) -> int:
    """Find and store the similar pairs of every open or replied appeal not marked yet, place by
    place, at most ``batch`` appeals a transaction; returns how many were marked. ``progress(done,
    total)`` is called after each transaction. Safe to run at any time, twice, or in two workers."""
    threshold = conf("SIMILARITY_THRESHOLD")
    batch = batch or conf("SIMILAR_INDEX_BATCH")
    _follow_setting(threshold)
    pending = Appeal.objects.filter(_candidate_states_sql(), similar_at__isnull=True).order_by()
    places: dict[tuple, list[int]] = {}
    for pk, region_id, town_id in pending.values_list("pk", "region_id", "town_id"):
        places.setdefault((region_id, town_id), []).append(pk)
    total = sum(len(pks) for pks in places.values())
    done = 0
    now = timezone.now()
    for place, pks in places.items():
        pks.sort()
        for start in range(0, len(pks), batch):
            done += _mark_place(place, pks[start : start + batch], threshold, now)
            if progress:
                progress(done, total)
    return done


def index_later() -> None:
    """After a commit that left an appeal unmarked: queue one marking run unless one is queued and not
    started, which will find this appeal too (``core.coalesce``; the flag expires after
    ``SIMILAR_INDEX_PENDING_SECONDS``); a periodic run marks what a lost task left, and until marked,
    pages score the appeal live."""
    from yiwang.hotline.tasks import index_similar

    queue_once(
        PENDING_KEY,
        index_similar,
        hold_seconds=conf("SIMILAR_INDEX_PENDING_SECONDS"),
        countdown=conf("SIMILAR_INDEX_DELAY_SECONDS"),
    )


def on_move(appeal: Appeal, source: str, target: str) -> tuple[str, ...]:
    """In a transition's transaction: an appeal leaving the open and replied states, or coming back to
    them, loses its stored pairs and its mark (a comeback is marked afresh after the commit). Returns
    the field to save with the state, if any."""
    if (source in CANDIDATE_STATES) == (target in CANDIDATE_STATES):
        return ()
    SimilarPair.objects.filter(Q(appeal=appeal) | Q(other=appeal)).delete()
    appeal.similar_at = None
    if target in CANDIDATE_STATES:
        transaction.on_commit(index_later, robust=True)
    return ("similar_at",)
