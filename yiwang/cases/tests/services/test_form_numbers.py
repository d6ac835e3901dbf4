"""Phone and ID numbers typed into an application form's answers are stored masked, the numbers as
typed encrypted beside them; the case's handler reads them in full, other readers masked."""

import pytest
from django.db import connection

from yiwang.cases import selectors, services
from yiwang.cases.models import Case
from yiwang.core.fields import revealed

pytestmark = pytest.mark.django_db

ADDRESS = "眉县首善街道东关社区，联系电话 1 3 8 1 2 3 4 5 6 7 8，身份证６１０３２６１９９００１０１１２３４"


def _raw_form(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT form_data FROM cases_case WHERE id = %s", [pk])
        value = cursor.fetchone()[0]
    return value if isinstance(value, str) else str(value)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def test_it_stores_form_answers_with_numbers_masked_and_originals_encrypted(citizen, person, food_item):
    case = services.case_submit(
        actor=citizen, applicant=person, item=food_item, form_data={"applicant_address": ADDRESS}
    )

    stored = _raw_form(case.pk)
    assert "12345678" not in _digits(stored) and "19900101" not in _digits(stored)
    fresh = Case.objects.get(pk=case.pk)
    assert "138****5678" in fresh.form_data["applicant_address"]
    assert revealed(fresh, "form_data") == {"applicant_address": ADDRESS}
    assert dict(selectors.form_rows(fresh))["住址"].endswith("联系电话 138****5678，身份证6103**********1234")
    assert ADDRESS in dict(selectors.form_rows(fresh, reveal=True)).values()


def test_the_handler_page_shows_the_answers_as_typed(client, citizen, person, food_item, clerk, handler_a):
    case = services.case_submit(
        actor=citizen, applicant=person, item=food_item, form_data={"applicant_address": ADDRESS}
    )
    services.case_accept(case=case, actor=clerk, received=("M01", "M02", "M03", "M04"))
    client.force_login(handler_a)

    page = client.get(f"/cases/handling/case/{case.number}/").content.decode()

    assert "1 3 8 1 2 3 4 5 6 7 8" in page
