"""The window's pages after acceptance: find a case by its number, receive a deferred material, record the
signed pledge; the handler's page says whether the deferred materials are in."""

import pytest

from yiwang.cases import services
from yiwang.cases.models import DeferredMaterial, MaterialStatus
from yiwang.org.models import Membership, Role
from yiwang.org.tests.factories import UserFactory

from ..conftest import FORM
from ..factories import pdf_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def deferred_case(submitted_case, clerk):
    return services.case_accept(
        case=submitted_case, actor=clerk, received=("M01", "M02", "M04"), deferred_materials=("M03",)
    )


def test_the_clerk_finds_a_case_by_its_number(client, clerk, deferred_case):
    client.force_login(clerk)
    page = client.get("/cases/counter/", {"number": f" {deferred_case.number.lower()} "})
    assert page.status_code == 302 and page["Location"] == f"/cases/counter/case/{deferred_case.number}/"
    case_page = client.get(page["Location"]).content.decode()
    assert "容缺后补材料" in case_page and "待补交" in case_page
    assert "承诺 10个工作日" in case_page and "受理期限" not in case_page


def test_an_unknown_number_says_so_and_stays_on_the_counter(client, clerk, county_hall):
    client.force_login(clerk)
    page = client.get("/cases/counter/", {"number": "YW2026113099999"}, follow=True)
    assert page.redirect_chain == []
    assert "没有找到办件“YW2026113099999”" in page.content.decode()


def test_a_town_clerk_does_not_find_the_county_halls_case(client, deferred_case, town_hall):
    town_clerk = UserFactory(username="town_clerk")
    Membership.objects.create(user=town_clerk, role=Role.CLERK, hall=town_hall)
    client.force_login(town_clerk)
    page = client.get("/cases/counter/", {"number": deferred_case.number})
    assert page.status_code == 200 and "没有找到办件" in page.content.decode()


def test_receiving_at_the_window_through_the_page(client, clerk, deferred_case):
    client.force_login(clerk)
    url = f"/cases/counter/case/{deferred_case.number}/"
    refused = client.post(url, {"action": "receive_deferred", "material": "M03"}, follow=True)
    assert "请核验原件后勾选" in refused.content.decode()
    assert DeferredMaterial.objects.get(case=deferred_case).supplied_at is None
    page = client.post(
        url, {"action": "receive_deferred", "material": "M03", "file_M03": pdf_file("租赁合同.pdf")}, follow=True
    )
    assert "已收取容缺材料“经营场所使用证明”" in page.content.decode()
    assert deferred_case.materials.get(code="M03").status == MaterialStatus.UPLOADED
    again = client.post(url, {"action": "receive_deferred", "material": "M03", "original_M03": "1"}, follow=True)
    assert "无需重复收取" in again.content.decode()


def test_the_handler_sees_whether_the_deferred_materials_are_in(client, clerk, handler_a, deferred_case):
    client.force_login(handler_a)
    url = f"/cases/handling/case/{deferred_case.number}/"
    assert "容缺材料待补交：经营场所使用证明" in client.get(url).content.decode()
    services.deferred_material_receive(case=deferred_case, material_code="M03", actor=clerk, original_checked=True)
    assert "容缺材料已全部补交" in client.get(url).content.decode()


def test_the_clerk_records_the_signed_pledge(client, clerk, citizen, person, food_item):
    case = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
    case = services.case_accept(case=case, actor=clerk, received=("M01", "M02", "M03"), pledged_materials=("M04",))
    client.force_login(clerk)
    url = f"/cases/counter/case/{case.number}/"
    page = client.get(url).content.decode()
    assert "告知承诺书" in page and "记录承诺书签署" in page
    page = client.post(url, {"action": "pledge_signed", "pledge_confirmed": "1"}, follow=True).content.decode()
    assert "告知承诺书签署已记录" in page and "窗口确认签字" in page
    case.pledge.refresh_from_db()
    assert case.pledge.signature_recorded_by == clerk
