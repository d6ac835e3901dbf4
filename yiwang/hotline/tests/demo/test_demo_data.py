"""The demo's categories, texts and replies fit together: municipal facilities and the education
bureau exist so routing can learn them, and every reply names its appeal and fits its result."""

import json

from yiwang.hotline.demo import dataset as data
from yiwang.org.services import DEPARTMENTS_FILE

DEPARTMENTS = {row["code"] for row in json.loads(DEPARTMENTS_FILE.read_text(encoding="utf-8"))["departments"]}
CATEGORIES = {row[0]: row for row in data.CATEGORIES}


def test_municipal_facilities_and_schools_have_their_categories_and_departments():
    assert {"street-lights", "drainage", "town-roads"} <= set(CATEGORIES)
    assert "education-sports" in DEPARTMENTS
    assert CATEGORIES["schools"][4] == "education-sports"
    for code in ("street-lights", "drainage", "town-roads", "schools"):
        assert CATEGORIES[code][4] in DEPARTMENTS


def test_every_category_has_texts_a_weight_and_its_own_reply_naming_the_appeal():
    for code in CATEGORIES:
        assert data.TEMPLATES.get(code), code
        assert data.WEIGHTS.get(code, 0) > 0, code
        replies = data.REPLY_TEMPLATES.get(code)
        assert replies, f"{code} has no reply of its own"
        assert all("{title}" in r for r in replies), code
    for result in ("explained", "unresolvable"):
        assert all("{title}" in r for r in data.REPLY_TEMPLATES[result])


def test_schools_go_to_the_education_bureau_in_every_town():
    assert "schools" not in data.TOWN_MAPPED
