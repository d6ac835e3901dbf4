"""The applicant's and the staff case pages link the licence issued with the case (number, state,
verify link, PDF); on the staff page of an approved case "以电子证照出件" delivers electronically."""

import pytest
from django.test import Client

from yiwang.cases import services as case_services
from yiwang.cases.models import CaseState
from yiwang.cases.tests.conftest import complete_steps
from yiwang.licences.models import Licence, LicenceType
from yiwang.licences.selectors import check_code
from yiwang.licences.services import licence_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved_case(food_item, review_case, handler_a):
    LicenceType.objects.create(
        code="spjy",
        name="食品经营许可证",
        fields_schema=[{"key": "applicant_address", "label": "经营场所", "required": True}],
        validity_years=5,
        item_codes=[food_item.code],
    )
    case = complete_steps(review_case, handler_a)
    case_services.case_decide(case=case, actor=handler_a, outcome="approved", reasons="符合条件")
    return case


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_applicant_sees_the_licence_with_its_links(approved_case, citizen):
    licence = Licence.objects.get(case=approved_case)

    html = client_for(citizen).get(f"/cases/mine/{approved_case.number}/").content.decode()

    assert 'data-testid="case-licences"' in html and licence.number in html and "有效" in html
    assert f"/licences/verify/{licence.number}/?c={check_code(licence)}" in html
    assert f"/licences/download/{licence.number}/" in html
    assert "以电子证照出件" not in html
    assert client_for(citizen).get(f"/licences/download/{licence.number}/").status_code == 200


def test_the_staff_page_offers_delivery_by_e_licence(approved_case, handler_a):
    licence = Licence.objects.get(case=approved_case)
    client = client_for(handler_a)
    url = f"/cases/handling/case/{approved_case.number}/"

    html = client.get(url).content.decode()
    assert licence.number in html and "以电子证照出件" in html

    client.post(url, {"action": "deliver", "method": "electronic"})
    approved_case.refresh_from_db()
    assert approved_case.delivery.method == "electronic" and approved_case.state != CaseState.DECIDED_APPROVED
    assert "以电子证照出件" not in client.get(url).content.decode()


def test_a_revoked_licence_is_shown_as_revoked_and_not_offered(approved_case, handler_a):
    licence = Licence.objects.get(case=approved_case)
    licence_revoke(licence=licence, actor=handler_a, reason="申请人主动注销")

    html = client_for(handler_a).get(f"/cases/handling/case/{approved_case.number}/").content.decode()

    assert licence.number in html and "已注销" in html and "以电子证照出件" not in html


def test_a_case_without_a_licence_shows_no_licence_panel(review_case, handler_a):
    html = client_for(handler_a).get(f"/cases/handling/case/{review_case.number}/").content.decode()
    assert 'data-testid="case-licences"' not in html
