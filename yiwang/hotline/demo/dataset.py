"""The hotline demo's data, read from ``data/*.json``. Illustrative: names, places and cases are made
up to sound like Meixian (kiwi orchards, cold storage, 农家乐, 太白山/汤峪 tourism, rural roads…).

- ``categories.json``: ``[code, name, group, keywords, department code, description]``;
- ``town_mapping.json``: categories whose town-level matters go to the town government, and the
  town government of each town (→ ``CategoryDepartmentMapping``);
- ``weights.json``: how often each category comes up;
- ``templates.json``: ``[title, body]`` text templates per category, with the slots {town} {village}
  {place} {company} {n} {month} {day} {money} {road} {school} {community};
- ``reply_templates.json``: replies per category (``default`` for the rest), with a {date} slot;
- ``knowledge.json``: ``[question, answer, keywords, category code, department code]``;
- ``names.json``: companies, communities, schools, roads, surnames and given names for the slots;
- ``unresolved.json``: 办不成事 summaries as ``[summary, category code, department code]``;
- ``live_calls.json``: today's calls the demo submits through the services, as
  ``[channel, kind, title, content, town code]``.

JSON has no tuples; this module rebuilds them where the generator expects them.
"""

import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def read(name: str):
    """One data file, parsed (``name`` without the ``.json``)."""
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


# (code, name, group, keywords, department code, description)
CATEGORIES: list[tuple[str, str, str, str, str, str]] = [tuple(row) for row in read("categories")]

# Categories whose town-level matters go to the town government (data: CategoryDepartmentMapping).
_towns = read("town_mapping")
TOWN_MAPPED: tuple[str, ...] = tuple(_towns["mapped_categories"])
TOWN_DEPARTMENTS: dict[str, str] = _towns["town_departments"]

# How often each category comes up (kiwi county: orchards, roads, wages and tourism are frequent).
WEIGHTS: dict[str, int] = read("weights")

TEMPLATES: dict[str, list[tuple[str, str]]] = {
    code: [tuple(row) for row in rows] for code, rows in read("templates").items()
}
REPLY_TEMPLATES: dict[str, list[str]] = read("reply_templates")

# (question, answer, keywords, category code, department code)
KNOWLEDGE: list[tuple[str, str, str, str, str]] = [tuple(row) for row in read("knowledge")]

_names = read("names")
COMPANIES: list[str] = _names["companies"]
COMMUNITIES: list[str] = _names["communities"]
SCHOOLS: list[str] = _names["schools"]
ROADS: list[str] = _names["roads"]
NAMES_SURNAME: str = _names["surnames"]
NAMES_GIVEN: list[str] = _names["given"]

# (summary, category code, department code)
UNRESOLVED: list[tuple[str, str, str]] = [tuple(row) for row in read("unresolved")]

# (channel, kind, title, content, town code)
LIVE_CALLS: list[tuple[str, str, str, str, str]] = [tuple(row) for row in read("live_calls")]
