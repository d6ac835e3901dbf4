"""What one application through the API costs the database, and its answer written from what it stored.

The answer to a submission is built from the case ``case_submit`` just wrote (no second read of the
case, its checklist, its sub-cases and its clock); it must say exactly what reading the case again says.
The query bound is today's count: a new query on this path fails here and must be paid for on purpose.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiwang.cases.models import Case, CaseMaterial
from yiwang.cases.services import submitted_materials

from ..factories import CITIZEN_ID

pytestmark = pytest.mark.django_db
URL = "/api/cases/cases"
# Statements of one application by vendor (transaction control included).
MAX_QUERIES = {"postgresql": 25, "sqlite": 25}


def _payload(item, n: int = 0) -> dict:
    return {
        "item_code": item.code,
        "applicant": {"kind": "person", "name": "王秀兰", "id_number": CITIZEN_ID, "phone": "13891712345"},
        "form_data": {"applicant_address": f"眉县首善街道东关社区{n}号"},
        "delivery_method": "electronic",
    }


@pytest.fixture
def citizen_client(client, citizen, food_item):
    client.force_login(citizen)
    warm = client.post(URL, _payload(food_item), content_type="application/json", headers={"Idempotency-Key": "w"})
    assert warm.status_code == 201, warm.content  # the first request of a process loads what later ones reuse
    return client


def test_one_application_through_the_api_stays_within_its_queries(citizen_client, food_item):
    with CaptureQueriesContext(connection) as queries:
        response = citizen_client.post(
            URL, _payload(food_item, 1), content_type="application/json", headers={"Idempotency-Key": "count-1"}
        )

    assert response.status_code == 201, response.content
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) <= MAX_QUERIES[connection.vendor], "\n".join(statements)
    # The item is read once, and the case is not read back for the answer.
    assert len([s for s in statements if s.startswith("SELECT") and 'FROM "catalog_serviceitem"' in s]) == 1
    assert not [s for s in statements if s.startswith("SELECT") and 'FROM "cases_case"' in s], statements
    # A new case has no deferred materials to look for.
    assert not [s for s in statements if "cases_deferredmaterial" in s], statements


def test_the_answer_is_what_reading_the_case_again_says(citizen_client, food_item):
    created = citizen_client.post(
        URL, _payload(food_item, 2), content_type="application/json", headers={"Idempotency-Key": "same-1"}
    )
    assert created.status_code == 201, created.content

    read = citizen_client.get(f"{URL}/{created.json()['number']}")

    assert read.status_code == 200
    assert created.json() == read.json()
    assert [m["code"] for m in created.json()["materials"]] == list(
        CaseMaterial.objects.filter(case__number=created.json()["number"])
        .order_by("position")
        .values_list("code", flat=True)
    )


def test_submitted_materials_of_any_other_case_object_are_read(citizen_client, food_item):
    case = Case.objects.get()  # a fresh object, not the one case_submit returned

    rows = submitted_materials(case)

    assert [m.position for m in rows] == sorted(m.position for m in rows) and len(rows) == 5
