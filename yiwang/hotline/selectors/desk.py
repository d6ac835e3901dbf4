"""What the intake and dispatch desk reads beside the queues: similar appeals, routing
suggestions, the knowledge base and the caller's earlier appeals."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from django.db.models import QuerySet

from yiwang.core.limits import analysis_prefix, analysis_prefixes
from yiwang.core.pii import pii_lookup
from yiwang.hotline import similar
from yiwang.hotline.conf import conf
from yiwang.hotline.models import Appeal, Category, CategoryDepartmentMapping, KnowledgeEntry, RoutingModel
from yiwang.hotline.selectors.access import scope_appeals, user_is_intake_staff
from yiwang.org.models import Department, Region

# --- similar appeals (duplicates): hotline.similar, the rule computed exactly on both engines --------

SimilarAppeal = similar.SimilarAppeal
similar_open_appeals = similar.similar_open_appeals
similar_open_appeals_for = similar.similar_open_appeals_for
text_similarity = similar.text_similarity


# --- routing suggestions -------------------------------------------------------------------------


@dataclass
class Suggestion:
    department: Department | None = None
    category: Category | None = None
    confidence: float | None = None
    low_confidence: bool = True
    source: str = "none"  # model | mapping | keywords | none
    alternatives: list[tuple[Department, float]] = field(default_factory=list)


_router_lock = threading.Lock()
# target -> (model pk, loaded router): one loaded model per target, replaced when retrained.
_routers: dict[str, tuple[int, object]] = {}


def _active_router(target: str):
    from yiwang.hotline.routing import TextRouter

    pk = RoutingModel.objects.filter(target=target, is_active=True).values_list("pk", flat=True).first()
    if pk is None:
        return None
    cached = _routers.get(target)
    if cached is not None and cached[0] == pk:
        return cached[1]
    with _router_lock:
        cached = _routers.get(target)
        if cached is None or cached[0] != pk:
            blob = RoutingModel.objects.filter(pk=pk).values_list("blob", flat=True).first()
            cached = (pk, TextRouter.loads(blob))
            _routers[target] = cached
    return cached[1]


def routing_active_model(target: str = RoutingModel.Target.DEPARTMENT) -> RoutingModel | None:
    """The model in use (without its blob), for showing when and on what it was trained."""
    return RoutingModel.objects.filter(target=target, is_active=True).defer("blob").first()


def category_department(category: Category | None, town: Region | None = None) -> Department | None:
    """The department the mapping table names for a category (town-specific first)."""
    if category is None:
        return None
    mappings = {
        m.town_id: m.department
        for m in CategoryDepartmentMapping.objects.filter(category=category).select_related("department")
    }
    if town is not None and town.pk in mappings:
        return mappings[town.pk]
    return mappings.get(None)


def _keyword_category(text: str, categories: list[Category] | None = None) -> Category | None:
    best, best_hits = None, 0
    if categories is None:
        categories = Category.objects.filter(is_active=True).exclude(keywords="")
    for category in categories:
        hits = sum(1 for k in re.split(r"[,，、\s]+", category.keywords) if k and k in text)
        if hits > best_hits:
            best, best_hits = category, hits
    return best


def routing_suggest(*, title: str, content: str, town: Region | None = None) -> Suggestion:
    """Suggest the lead department and the category for an appeal's text.

    The trained department model answers first (learned from which department finally handled
    past appeals); without one, the category model and the mapping table; without either, the
    categories' keywords. Below ``ROUTING_CONFIDENCE_THRESHOLD`` the suggestion is flagged; the
    dispatcher always decides.
    """
    return routing_suggest_many([(title, content, town)])[0]


def routing_suggest_many(texts: list[tuple[str, str, Region | None]]) -> list[Suggestion]:
    """``routing_suggest`` for many (title, content, town): the same answers, with one prediction per
    router for all of them and each lookup (routers, categories, departments, the mapping table) read
    once for the batch, not once per text."""
    from yiwang.hotline.routing import appeal_document

    if not texts:
        return []
    # A bounded prefix, whatever was stored.
    titles = analysis_prefixes(title for title, _, _ in texts)
    contents = analysis_prefixes(content for _, content, _ in texts)
    prefixes = list(zip(titles, contents, (town for _, _, town in texts), strict=True))
    documents = [appeal_document(title, content) for title, content, _ in prefixes]
    threshold = conf("ROUTING_CONFIDENCE_THRESHOLD")
    suggestions = [Suggestion() for _ in texts]
    category_router = _active_router(RoutingModel.Target.CATEGORY)
    if category_router is not None:
        predictions = category_router.predict(documents)
        categories = Category.objects.in_bulk({p.label for p in predictions}, field_name="code")
        for suggestion, prediction in zip(suggestions, predictions, strict=True):
            suggestion.category = categories.get(prediction.label)
            suggestion.confidence = prediction.confidence
            suggestion.source = "mapping"
    department_router = _active_router(RoutingModel.Target.DEPARTMENT)
    if department_router is not None:
        predictions = department_router.predict(documents)
        departments = Department.objects.in_bulk(
            {label for p in predictions for label, _ in p.ranked}, field_name="code"
        )
        for suggestion, prediction in zip(suggestions, predictions, strict=True):
            suggestion.department = departments.get(prediction.label)
            suggestion.confidence = prediction.confidence
            suggestion.alternatives = [
                (departments[label], p) for label, p in prediction.ranked if label in departments
            ]
            suggestion.source = "model"
    keyword_categories = None
    for suggestion, (title, content, _) in zip(suggestions, prefixes, strict=True):
        if suggestion.category is None:
            if keyword_categories is None:
                keyword_categories = list(Category.objects.filter(is_active=True).exclude(keywords=""))
            suggestion.category = _keyword_category(f"{title} {content}", keyword_categories)
            if suggestion.category is not None and suggestion.source == "none":
                suggestion.source = "keywords"
    mappings = _mappings({s.category.pk for s in suggestions if s.category is not None})
    for suggestion, (_, _, town) in zip(suggestions, prefixes, strict=True):
        # A town-specific mapping (a rural road in one town → that town) overrides the county model.
        by_town = mappings.get(suggestion.category.pk, {}) if suggestion.category is not None else {}
        mapped = by_town.get(town.pk) if town is not None and town.pk in by_town else by_town.get(None)
        if suggestion.department is None or (
            town is not None and mapped is not None and town.pk in by_town and (suggestion.confidence or 0) < threshold
        ):
            suggestion.department = mapped
        suggestion.low_confidence = suggestion.confidence is None or suggestion.confidence < threshold
    return suggestions


def _mappings(category_ids: set[int]) -> dict[int, dict[int | None, Department]]:
    """The mapping table for these categories: category → town (None: the whole county) → department."""
    found: dict[int, dict[int | None, Department]] = {}
    if category_ids:
        rows = CategoryDepartmentMapping.objects.filter(category_id__in=category_ids).select_related("department")
        for row in rows:
            found.setdefault(row.category_id, {})[row.town_id] = row.department
    return found


# --- knowledge base and caller history -----------------------------------------------------------


def knowledge_ranking(q: str) -> list[int]:
    """The keys of every active entry whose question or keywords share a word with ``q``, the most shared
    words first, the most used first among equals, then the oldest. Every active entry is ranked — the
    knowledge base holds hundreds, and only their question, keywords and use count are read — so a page of
    the ranking reads its entries by key; ranking only the first 50 matches could miss the best one. ``q``
    is read up to the analysis prefix, as similarity and routing read it, so a long appeal's text stays cheap."""
    q = analysis_prefix(q).strip()
    if len(q) < 2:
        return []
    from yiwang.hotline.routing import segment

    words = {w.casefold() for w in segment(q) if len(w) >= 2} or {q.casefold()}
    ranked = []
    for pk, question, keywords, use_count in KnowledgeEntry.objects.filter(is_active=True).values_list(
        "pk", "question", "keywords", "use_count"
    ):
        question, keywords = question.casefold(), keywords.casefold()
        hits = sum(1 for w in words if w in question or w in keywords)
        if hits:
            ranked.append((-hits, -use_count, pk))
    return [pk for *_, pk in sorted(ranked)]


def knowledge_search(q: str, *, limit: int = 5) -> list[KnowledgeEntry]:
    """The best ``limit`` entries of ``knowledge_ranking``, read whole."""
    best = knowledge_ranking(q)[:limit]
    entries = KnowledgeEntry.objects.select_related("department").in_bulk(best)
    return [entries[pk] for pk in best if pk in entries]


def knowledge_list() -> QuerySet[KnowledgeEntry]:
    return (
        KnowledgeEntry.objects.filter(is_active=True)
        .select_related("category", "department")
        .order_by("-use_count", "pk")
    )


def caller_history(*, user, phone: str, limit: int = 5) -> list[Appeal]:
    """Earlier appeals from the same phone number (found by its keyed hash), for the operator."""
    if not phone or not user_is_intake_staff(user):
        return []
    return list(
        scope_appeals(Appeal.objects.filter(**pii_lookup("contact_phone", phone)), user)
        .select_related("lead_department")
        .order_by("-received_at")[:limit]
    )
