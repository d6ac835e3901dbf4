"""The demo's data files: every one parses, and the loaders rebuild the shapes the generators use."""

import json
from pathlib import Path

import yiwang
from yiwang.cases.demo import dataset as cases_data
from yiwang.catalog.demo import dataset as catalog_data
from yiwang.catalog.demo import items
from yiwang.hotline.demo import dataset as hotline_data
from yiwang.org.demo import dataset as org_data

APPS = ("org", "catalog", "cases", "hotline")


def test_it_parses_every_data_file():
    files = sorted(
        path for app in APPS for path in (Path(yiwang.__file__).parent / app / "demo" / "data").glob("*.json")
    )
    assert len(files) == 23
    for path in files:
        assert json.loads(path.read_text(encoding="utf-8")), path


def test_it_loads_org_halls_and_users():
    assert len(org_data.DEMO_USERS) == 15
    assert len({user.username for user in org_data.DEMO_USERS}) == 15
    assert [len(org_data.COUNTY_WINDOWS), len(org_data.TOWN_WINDOWS), len(org_data.ZONE_WINDOWS)] == [24, 3, 3]
    assert all(isinstance(row, tuple) and len(row) == 3 for row in org_data.COUNTY_WINDOWS)


def test_it_builds_the_plans_catalog_counts():
    assert len(items.county_items()) == 322
    assert len(items.town_items()) == 75
    assert len(items.village_items()) == 52
    assert len(catalog_data.BUNDLES) == 7
    used = {key for base in catalog_data.COUNTY_BASES for key in base.materials}
    used |= {key for row in (*catalog_data.TOWN_ITEMS, *catalog_data.VILLAGE_ITEMS) for key in row[6]}
    assert used <= set(catalog_data.MATERIALS)
    assert all(isinstance(base.variants, tuple) for base in catalog_data.COUNTY_BASES)
    county_names = {item["name"] for item in items.county_items()}
    assert all(name in county_names for bundle in catalog_data.BUNDLES for name in bundle["items"])


def test_it_loads_cases_names_and_reasons():
    assert len(cases_data.VILLAGES) == 14
    assert all(len(row) == 3 for row in cases_data.COMPANIES)
    assert len(cases_data.PAUSE_REASONS) == 4
    assert cases_data.POPULAR


def test_it_loads_hotline_categories_and_templates():
    codes = [row[0] for row in hotline_data.CATEGORIES]
    assert len(codes) == 30  # 27 + street lights, drains and town roads
    assert set(hotline_data.WEIGHTS) == set(codes)
    assert set(hotline_data.TEMPLATES) == set(codes)
    assert all(isinstance(pair, tuple) for rows in hotline_data.TEMPLATES.values() for pair in rows)
    assert set(hotline_data.TOWN_MAPPED) <= set(codes)
    assert len(hotline_data.KNOWLEDGE) == 12
    assert len(hotline_data.LIVE_CALLS) == 5
