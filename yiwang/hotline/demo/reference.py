"""Hotline reference data for the demo: categories, who handles them, knowledge-base answers.

Read from ``data/categories.json``, ``data/town_mapping.json`` and ``data/knowledge.json`` and
written with ``get_or_create`` (there is no service for reference data: categories and the
knowledge base are configuration, not audited actions). Topped up on every run.
"""

from __future__ import annotations

from yiwang.hotline.models import Category, CategoryDepartmentMapping, KnowledgeEntry
from yiwang.org.models import Department, Region

from . import dataset as data


def ensure_reference() -> tuple[dict[str, Category], int, int]:
    departments = {d.code: d for d in Department.objects.all()}
    categories = {}
    created = 0
    for order, (code, name, group, keywords, dept_code, description) in enumerate(data.CATEGORIES, start=1):
        category, made = Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "group": group,
                "keywords": keywords,
                "description": description,
                "sort_order": order,
            },
        )
        created += made
        categories[code] = category
        if dept_code in departments:
            CategoryDepartmentMapping.objects.get_or_create(
                category=category, town=None, defaults={"department": departments[dept_code]}
            )
    towns = {r.code: r for r in Region.objects.filter(code__in=data.TOWN_DEPARTMENTS)}
    for code in data.TOWN_MAPPED:
        for town_code, dept_code in data.TOWN_DEPARTMENTS.items():
            if town_code in towns and dept_code in departments:
                CategoryDepartmentMapping.objects.get_or_create(
                    category=categories[code], town=towns[town_code], defaults={"department": departments[dept_code]}
                )
    knowledge = 0
    for question, answer, keywords, category_code, dept_code in data.KNOWLEDGE:
        _, made = KnowledgeEntry.objects.get_or_create(
            question=question,
            defaults={
                "answer": answer,
                "keywords": keywords,
                "category": categories.get(category_code),
                "department": departments.get(dept_code),
            },
        )
        knowledge += made
    return categories, created, knowledge
