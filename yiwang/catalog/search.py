"""Chinese keyword search that runs the same on SQLite and PostgreSQL.

Chinese text has no spaces, so full-text engines need a segmenter (and PostgreSQL's has none for
Chinese). The catalog is small enough (a county publishes hundreds of items; the bench runs 20,000) to
match normalised substrings instead:

1. the query is normalised (NFKC, lower case), split on spaces/punctuation, and filler words people
   type ("我要", "怎么办理") are dropped;
2. each term also matches its everyday synonyms ("开饭店" → 餐饮, 食品经营);
3. strict pass: every term must occur; rank by where it occurs (name ≫ keywords ≫ departments,
   materials, conditions);
4. if nothing has every term, each term is cut into the longest pieces the catalog contains
   ("营业执照补办" → 营业执照 + 补办), which must all occur; failing that, any of them may, ranked by
   how many occur and where.

That substring path is the embedded default (SQLite). On PostgreSQL the same terms and synonyms are
cut into words by jieba and matched with ``to_tsquery('simple', …)`` against ``search_vector``, a
``tsvector`` of the item's jieba-segmented words (name weight A, keywords B, the rest C) with a GIN
index, written by the service when a version is published — every search is an index lookup (read
through the index even when a common word matches much of the catalog), ranked on the name and
keyword words (``search_head``), counted once, with the fallback's words looked up in one query.
"""

import functools
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Case, IntegerField, Max, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, StrIndex
from django.db.models.lookups import GreaterThan

# Phrases that carry no meaning for the search, longest first.
FILLER_WORDS = sorted(
    [
        "我要",
        "我想",
        "想要",
        "怎么办理",
        "如何办理",
        "怎样办理",
        "怎么办",
        "怎么",
        "如何",
        "怎样",
        "在哪里",
        "在哪儿",
        "在哪",
        "哪里",
        "需要什么材料",
        "需要哪些材料",
        "需要什么",
        "需要",
        "手续",
        "流程",
        "请问",
        "一下",
        "的",
        "了",
        "吗",
        "呢",
    ],
    key=len,
    reverse=True,
)

# Everyday words → the words the catalog uses.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "开饭店": ("餐饮", "食品经营"),
    "饭店": ("餐饮", "食品经营"),
    "餐馆": ("餐饮", "食品经营"),
    "开餐馆": ("餐饮", "食品经营"),
    "农家乐": ("农家乐", "餐饮", "食品经营"),
    "开店": ("个体工商户", "设立登记"),
    "开公司": ("企业开办", "设立登记"),
    "办执照": ("营业执照", "设立登记"),
    "执照": ("营业执照",),
    "营业执照": ("营业执照", "设立登记"),
    "补办": ("补领", "补发", "补证", "遗失"),
    "丢了": ("补领", "补发", "遗失"),
    "到期": ("延续", "换领", "换证"),
    "注销公司": ("企业注销", "注销登记"),
    "生孩子": ("出生", "生育"),
    "生娃": ("出生", "生育"),
    "上户口": ("户口", "户籍", "出生登记"),
    "落户": ("户口", "户籍"),
    "结婚": ("婚姻登记", "结婚登记"),
    "离婚": ("婚姻登记", "离婚登记"),
    "退休": ("养老", "退休"),
    "养老金": ("养老保险", "养老金"),
    "盖房": ("宅基地", "建房"),
    "建房": ("宅基地", "建房"),
    "低保": ("最低生活保障",),
    "社保": ("社会保险", "养老保险", "医疗保险"),
    "医保": ("医疗保险", "医保"),
    "公积金": ("住房公积金",),
    "刻章": ("印章", "刻制"),
    "发票": ("发票", "税控"),
    "残疾证": ("残疾人证",),
    "工资": ("工资", "欠薪"),
    "欠薪": ("工资", "欠薪"),
    "冷库": ("冷库", "冷藏"),
    "猕猴桃": ("猕猴桃", "果品", "农产品"),
    "民宿": ("民宿", "旅馆", "住宿"),
    "打井": ("取水", "水井"),
    "用水": ("供水", "用水报装"),
    "用电": ("用电报装", "供电"),
    "用气": ("燃气", "用气报装"),
}

_SPLIT = re.compile(r"[\s\u3000,，、;；:：.。!！?？/|()（）\[\]【】<>《》\"'“”‘’+&]+")


def normalize(text: str) -> str:
    """NFKC (full-width → half-width), lower case, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text or "").lower().split())


def query_terms(query: str) -> list[str]:
    """The meaningful terms of a query, filler words removed, duplicates dropped."""
    terms: list[str] = []
    for chunk in _SPLIT.split(normalize(query)):
        for filler in FILLER_WORDS:
            if chunk != filler and len(chunk) > len(filler):
                chunk = chunk.replace(filler, " ")
            elif chunk == filler:
                chunk = ""
        for part in chunk.split():
            if part and part not in terms:
                terms.append(part)
    return terms


def term_variants(term: str) -> list[str]:
    variants = [term]
    for synonym in SYNONYMS.get(term, ()):
        if synonym not in variants:
            variants.append(synonym)
    return variants


def build_search_fields(
    *, name: str, keywords: str, code: str, departments: list[str], body: list[str]
) -> tuple[str, str]:
    """(search_name, search_text) stored on an item: name first so a name hit is also a text hit.

    ``search_text`` is "name | keywords | code | departments | body" normalised; the name and the
    keyword segments are ranked above the rest by matching them separately.
    """
    search_name = normalize(name)
    parts = [
        search_name,
        normalize(keywords),
        normalize(code),
        normalize(" ".join(departments)),
        normalize(" ".join(body)),
    ]
    return search_name[:255], " | ".join(parts)


@dataclass
class SearchOutcome:
    """The ranked queryset, the terms used, whether it is a fallback, and the number of hits
    (counted once here: each count is a pass over the catalog)."""

    queryset: QuerySet
    terms: list[str]
    fuzzy: bool = False
    count: int = 0

    def page(self, number, per_page: int):
        """A Paginator page that reuses the count instead of counting again; its rows are read here
        (with their departments), through the text index on PostgreSQL."""
        paginator = Paginator(self.queryset, per_page)
        paginator.__dict__["count"] = self.count  # Paginator.count is a cached_property
        page = paginator.get_page(number)
        with text_index_scans(bool(self.terms)):
            page.object_list = list(page.object_list)
        return page


def _contains(field: str, text: str) -> Q:
    # INSTR (SQLite) / STRPOS (PostgreSQL): a plain substring test. Both sides are normalised to
    # lower case already, so LIKE's case folding (slow on non-ASCII text in SQLite) is not needed.
    return Q(GreaterThan(StrIndex(field, Value(text)), 0))


def _hit(field: str, variants: list[str]) -> Q:
    condition = Q()
    for variant in variants:
        condition |= _contains(field, variant)
    return condition


def _flag(condition: Q, weight: int):
    return Case(When(condition, then=Value(weight)), default=Value(0), output_field=IntegerField())


# County items first among equals: they are what most searches are about; town and village items
# (often the same service handled nearer home) follow.
_LEVEL_ORDER = Case(
    When(level="county", then=Value(0)),
    When(level="town", then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _ranked(queryset: QuerySet, terms: list[str], *, require_all: bool) -> QuerySet:
    """Items with every term (or, with ``require_all=False``, any), ranked by where the terms occur.

    The rank reads the short name and keyword columns only; the long text is scanned once, by the
    filter (and, when any term may be missing, once more to count the terms that are present).
    """
    condition = Q()
    score = Value(0)
    for term in terms:
        variants = term_variants(term)
        hit = _hit("search_text", variants)
        condition = (condition & hit) if require_all else (condition | hit)
        score = (
            score
            + _flag(_hit("search_name", [term]), 100)
            + _flag(_hit("search_name", variants), 40)
            + _flag(_hit("keywords", variants), 20)
        )
        if not require_all:
            score = score + _flag(hit, 10)
    return (
        queryset.filter(condition)
        .annotate(search_rank=Coalesce(score, Value(0)), search_level=_LEVEL_ORDER)
        .order_by("-search_rank", "search_level", "code")
    )


def _segments(queryset: QuerySet, term: str) -> list[str]:
    """The longest pieces of ``term`` that occur in the catalog, left to right ("营业执照补办" →
    ["营业执照", "补办"] when 补办's synonyms occur); single leftover characters are dropped.

    Which pieces occur is asked in one pass over the catalog (one aggregate with a flag per piece),
    not one query per piece.
    """
    term = term[:12]
    candidates = [term[i:j] for i in range(len(term) - 1) for j in range(i + 2, len(term) + 1)]
    flags = {f"p{n}": Max(_flag(_hit("search_text", term_variants(piece)), 1)) for n, piece in enumerate(candidates)}
    found = queryset.order_by().aggregate(**flags)
    present = {piece for n, piece in enumerate(candidates) if found[f"p{n}"]}
    pieces: list[str] = []
    i = 0
    while i < len(term) - 1:
        for j in range(len(term), i + 1, -1):
            if term[i:j] in present:
                pieces.append(term[i:j])
                i = j
                break
        else:
            i += 1
    return pieces


# --- PostgreSQL: jieba words in a tsvector ----------------------------------------------------------

_WORD = re.compile(r"\w", re.UNICODE)


def segment(text: str, *, for_search: bool = True) -> list[str]:
    """The words of normalised ``text`` (jieba; for documents also the shorter words inside long ones,
    so "营业执照" is found by 营业执照, 营业 and 执照).

    jieba cuts each run of characters between separators on its own, whitespace being a separator, so
    the text is cut chunk by chunk with the same result — and a catalog repeats its chunks (material
    names, laws, departments) item after item: each distinct chunk is cut once per process.
    """
    words: list[str] = []
    for chunk in normalize(text).split(" "):
        if chunk:
            words += _segment_chunk(chunk, for_search)
    return words


@functools.lru_cache(maxsize=50_000)
def _segment_chunk(chunk: str, for_search: bool) -> tuple[str, ...]:
    import jieba

    jieba.setLogLevel(60)
    words = jieba.cut_for_search(chunk) if for_search else jieba.cut(chunk)
    return tuple(w for w in (w.strip() for w in words) if w and _WORD.search(w))


def vector_sources(*, search_name: str, keywords: str, search_text: str) -> tuple[str, str, str]:
    """The segmented text of weights A (name), B (keywords) and C (everything), space-joined."""
    return (
        " ".join(segment(search_name)),
        " ".join(segment(keywords)),
        " ".join(segment(search_text)),
    )


_VECTOR_BATCH = 500
_VECTOR_UPDATE = (
    "UPDATE catalog_serviceitem AS item SET search_vector ="
    " setweight(to_tsvector('simple', v.name), 'A') || setweight(to_tsvector('simple', v.keywords), 'B')"
    " || setweight(to_tsvector('simple', v.text), 'C')"
    " FROM (VALUES {values}) AS v(name, keywords, text, id) WHERE item.id = v.id"
)


FTS_TABLE = "catalog_item_fts"  # SQLite: the same words in an FTS5 table (migration 0006)
_FTS_MATCH = "catalog_serviceitem.id IN (SELECT rowid FROM catalog_item_fts WHERE catalog_item_fts MATCH %s)"


def text_index() -> str | None:
    """Which text index this database searches: "postgresql" (tsvector + GIN), "sqlite" (FTS5), or
    ``None`` for a SQLite built without FTS5 (then the substring search runs)."""
    if connection.vendor == "postgresql":
        return "postgresql"
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [FTS_TABLE])
            return "sqlite" if cursor.fetchone() else None
    return None


def vector_write(items) -> None:
    """Write the text index's words of these saved items (call in the publishing transaction).

    PostgreSQL: one ``UPDATE … FROM (VALUES …)`` per 500 items (a 5,000-item import made 5,000 round
    trips before). SQLite: the items' rows of the FTS5 table replaced.
    """
    index = text_index()
    if index is None:
        return
    rows = [
        (*vector_sources(search_name=i.search_name, keywords=i.keywords, search_text=i.search_text), i.pk)
        for i in items
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _VECTOR_BATCH):
            batch = rows[start : start + _VECTOR_BATCH]
            if index == "sqlite":
                ids = [row[3] for row in batch]
                marks = ", ".join(["%s"] * len(ids))
                cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", ids)  # noqa: S608 (placeholders)
                cursor.executemany(
                    f"INSERT INTO {FTS_TABLE} (rowid, name, keywords, body) VALUES (%s, %s, %s, %s)",  # noqa: S608
                    [(pk, name, keywords, body) for name, keywords, body, pk in batch],
                )
                continue
            values = ", ".join(["(%s::text, %s::text, %s::text, %s::bigint)"] * len(batch))
            sql = _VECTOR_UPDATE.format(values=values)  # placeholders only: the values go as parameters
            cursor.execute(sql, [value for row in batch for value in row])


def _quote(word: str, index: str = "postgresql") -> str:
    if index == "sqlite":
        return '"' + word.replace('"', '""') + '"'
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


_AND = {"postgresql": " & ", "sqlite": " AND "}
_OR = {"postgresql": " | ", "sqlite": " OR "}


def _term_query(term: str, index: str = "postgresql") -> str:
    """One term as a text query (a tsquery, or an FTS5 query): any of its variants, each variant all
    of its words."""
    alternatives = []
    for variant in term_variants(term):
        words = segment(variant, for_search=False)
        if words:
            alternatives.append("(" + _AND[index].join(_quote(w, index) for w in dict.fromkeys(words)) + ")")
    return "(" + _OR[index].join(alternatives) + ")" if alternatives else ""


def _matching(queryset: QuerySet, query: str, index: str, *, ranked: bool = False) -> QuerySet:
    """``queryset`` narrowed to the items matching the text query, with ``search_rank`` if asked."""
    if index == "sqlite":
        # The FTS5 query runs once, as a subquery; ``_index_ranked`` ranks the hits on their name and
        # keyword columns (a join to the FTS table for bm25 made SQLite run the match once per item).
        return queryset.extra(  # noqa: S610 (fixed SQL; the query is a parameter)
            where=[_FTS_MATCH],
            params=[query],
        )
    return queryset.extra(  # noqa: S610 (fixed SQL; the query is a parameter)
        where=["catalog_serviceitem.search_vector @@ to_tsquery('simple', %s)"],
        params=[query],
        # Ranked on the name and keyword words only (``search_head``, weights A and B, a column the
        # database derives from ``search_vector``): ranking the full vectors of thousands of hits
        # unpacks each of them. Hits only in the rest of the text rank equal, by level and code.
        select={"search_rank": "coalesce(ts_rank(catalog_serviceitem.search_head, to_tsquery('simple', %s)), 0)"}
        if ranked
        else None,
        select_params=[query] if ranked else None,
    )


def _index_ranked(queryset: QuerySet, terms: list[str], *, require_all: bool, index: str) -> QuerySet:
    parts = [q for q in (_term_query(t, index) for t in terms) if q]
    if not parts:
        return queryset.none()
    query = (_AND if require_all else _OR)[index].join(parts)
    found = _matching(queryset, query, index, ranked=index == "postgresql")
    if index == "sqlite":
        # Like PostgreSQL's rank on the name and keyword words: where the terms occur in those two short
        # columns (a substring test on them only; the long text is matched by the index).
        score = Value(0)
        for term in terms:
            variants = term_variants(term)
            score = (
                score
                + _flag(_hit("search_name", [term]), 100)
                + _flag(_hit("search_name", variants), 40)
                + _flag(_hit("keywords", variants), 20)
            )
        found = found.annotate(search_rank=score)
    return found.annotate(search_level=_LEVEL_ORDER).order_by("-search_rank", "search_level", "code")


@contextmanager
def text_index_scans(active: bool = True):
    """On PostgreSQL, read matches through the GIN index rather than the table.

    A common word ("营业执照") matches a large share of the catalog, and the planner then prefers a
    sequential scan, which unpacks every item's ``search_vector`` to test it (50 ms at 20,000 items);
    the index answers the same from its posting lists (a few ms). The setting is local to a
    savepoint-wrapped block and put back before the block ends.
    """
    if not active or connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)")
            previous = cursor.fetchone()[0]
        yield
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [previous])


def _known_words(queryset: QuerySet, words: list[str], index: str) -> list[str]:
    """The words that occur (themselves or a synonym) in at least one item of ``queryset``, asked in
    one query."""
    words = [w for w in words if _term_query(w, index)]
    if not words:
        return []
    parts, params = [], []
    for word in words:
        sql, word_params = (
            _matching(queryset.order_by(), _term_query(word, index), index).values("pk")[:1].query.sql_with_params()
        )
        parts.append(f"EXISTS({sql})")
        params += word_params
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        flags = cursor.fetchone()
    return [word for word, flag in zip(words, flags, strict=True) if flag]


def _index_search(queryset: QuerySet, terms: list[str], index: str) -> SearchOutcome:
    found = _index_ranked(queryset, terms, require_all=True, index=index)
    count = found.count()
    if count:
        return SearchOutcome(found, terms, count=count)
    # Nothing has every term: the words of each term that the catalog knows, covering at least half
    # of the term (a word the catalog barely knows says nothing).
    words_of = {t: [w for w in dict.fromkeys(segment(t, for_search=False)) if len(w) > 1] for t in terms}
    known_words = set(_known_words(queryset, list(dict.fromkeys(w for ws in words_of.values() for w in ws)), index))
    pieces: list[str] = []
    for term in terms:
        known = [w for w in words_of[term] if w in known_words]
        if sum(len(w) for w in known) * 2 < len(term):
            continue
        pieces += [w for w in known if w not in pieces]
    if not pieces:
        return SearchOutcome(queryset.none(), terms, fuzzy=True, count=0)
    for require_all in (True, False):
        found = _index_ranked(queryset, pieces, require_all=require_all, index=index)
        count = found.count()
        if count:
            return SearchOutcome(found, pieces, fuzzy=True, count=count)
    return SearchOutcome(found, pieces, fuzzy=True, count=0)


def rank_and_filter(queryset: QuerySet, query: str) -> SearchOutcome:
    """Filter ``queryset`` (of ServiceItem) by ``query`` and order it by relevance, then level and code."""
    terms = query_terms(query)
    if not terms:
        return SearchOutcome(queryset, terms, count=queryset.count())
    index = text_index()
    if index is not None:
        with text_index_scans():
            return _index_search(queryset, terms, index)
    # A SQLite without FTS5: normalised substrings.
    found = _ranked(queryset, terms, require_all=True)
    count = found.count()
    if count:
        return SearchOutcome(found, terms, count=count)
    # Nothing has every term: cut unknown words down to the pieces the catalog knows.
    pieces: list[str] = []
    for term in terms:
        found_pieces = _segments(queryset, term) if len(term) > 2 else [term]
        # A word the catalog barely knows ("xyz不存在") says nothing: keep pieces only when they
        # cover at least half of it; single characters are too common to mean anything here.
        if sum(len(p) for p in found_pieces) * 2 < len(term):
            continue
        for piece in found_pieces:
            if len(piece) > 1 and piece not in pieces:
                pieces.append(piece)
    if not pieces:
        return SearchOutcome(queryset.none(), terms, fuzzy=True, count=0)
    for require_all in (True, False):
        found = _ranked(queryset, pieces, require_all=require_all)
        count = found.count()
        if count:
            return SearchOutcome(found, pieces, fuzzy=True, count=count)
    return SearchOutcome(found, pieces, fuzzy=True, count=0)
