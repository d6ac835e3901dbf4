import datetime as dt

import pytest
from django.urls import reverse

from yiwang.credit import services
from yiwang.credit.tests.factories import EntityFactory

TODAY = dt.date.today()


@pytest.fixture
def farm(meixian, dept_a, handler_a):
    entity = EntityFactory(
        name="眉县营头镇红河谷农家乐",
        kind="individual",
        legal_representative="王建国",
        region=meixian.county,
        town=meixian.yingtou,
    )
    services.credit_record_create(
        entity=entity,
        kind="blacklist",
        named_list="wage_arrears",
        title="拖欠农民工工资",
        department=dept_a,
        decided_on=TODAY,
        actor=handler_a,
    )
    return entity


@pytest.mark.parametrize("name", ["public", "first_offences", "financing"])
def test_public_pages_open_to_anyone(client, farm, name):
    response = client.get(reverse(f"credit:{name}"))
    assert response.status_code == 200


def test_the_lists_filter_the_announcement(client, farm):
    assert "<td>拖欠农民工工资</td>" in client.get(reverse("credit:public") + "?list=wage_arrears").content.decode()
    assert "<td>拖欠农民工工资" not in client.get(reverse("credit:public") + "?list=bidding").content.decode()


def test_each_list_names_its_plan_section_in_chinese(client, farm):
    body = client.get(reverse("credit:public")).content.decode()
    assert "诚信红名单 <small>（二(五)）</small>" in body
    assert "plan" not in body.split("<main", 1)[-1]  # the public page speaks Chinese only


def test_staff_pages_for_a_handler(client, farm, handler_a):
    client.force_login(handler_a)
    for name in ["staff", "entities", "clues", "repairs", "staff_financing", "import"]:
        assert client.get(reverse(f"credit:{name}")).status_code == 200, name
    report = client.get(reverse("credit:entity", args=[farm.uscc])).content.decode()
    assert "D类（高风险）" in report and "拖欠农民工工资" in report and "王建国" in report  # staff see the operator


def test_leaders_see_the_overview_without_acting_tabs(client, farm, leader):
    client.force_login(leader)
    body = client.get(reverse("credit:staff")).content.decode()
    assert "D 1" in body or "D 1 " in body or ">1<" in body
    assert reverse("credit:import") not in body
    assert client.get(reverse("credit:import")).status_code == 403


def test_a_bad_record_form_shows_the_error_and_changes_nothing(client, farm, handler_a):
    client.force_login(handler_a)
    response = client.post(
        reverse("credit:record_add", args=[farm.uscc]),
        {
            "form": "record",
            "kind": "blacklist",
            "severity": "general",
            "title": "串通投标",
            "decided_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 400
    assert "严重失信主体须注明所列名单" in response.content.decode()
    assert farm.credit_records.count() == 1


def test_the_import_template_downloads(client, handler_a):
    client.force_login(handler_a)
    response = client.get(reverse("credit:import_template"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_government_dishonesty_is_recorded_and_published(client, dept_a, dept_b, handler_a):
    client.force_login(handler_a)
    response = client.post(
        reverse("credit:government"),
        {"subject_department": dept_b.pk, "title": "承诺的招商奖励逾期未兑现", "decided_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    client.logout()
    body = client.get(reverse("credit:public") + "?list=government").content.decode()
    assert "承诺的招商奖励逾期未兑现" in body and dept_b.name in body


def test_staff_of_two_departments_choose_which_one_records(client, farm, dept_a, dept_b, handler_a, meixian):
    from yiwang.org.models import Role
    from yiwang.org.tests.factories import DepartmentFactory, MembershipFactory

    MembershipFactory(user=handler_a, role=Role.HANDLER, department=dept_b)
    stranger = DepartmentFactory(code="stranger-dept", name="眉县其他局", region=meixian.county)
    client.force_login(handler_a)
    page = client.get(reverse("credit:entity", args=[farm.uscc])).content.decode()
    assert 'name="department"' in page and f">{dept_a}<" in page and f">{dept_b}<" in page
    assert f">{stranger}<" not in page  # the select is limited to the user's own departments
    data = {"form": "record", "kind": "penalty", "severity": "general", "title": "超范围经营"}
    data["decided_on"] = TODAY.isoformat()
    response = client.post(reverse("credit:record_add", args=[farm.uscc]), data)
    assert response.status_code == 400 and "请选择录入部门" in response.content.decode()
    response = client.post(reverse("credit:record_add", args=[farm.uscc]), {**data, "department": stranger.pk})
    assert response.status_code == 400 and farm.credit_records.count() == 1
    response = client.post(reverse("credit:record_add", args=[farm.uscc]), {**data, "department": dept_b.pk})
    assert response.status_code == 302
    assert farm.credit_records.get(title="超范围经营").department == dept_b
    # the API: a code is required when the caller belongs to several departments
    url = f"/api/credit/entities/{farm.uscc}/records"
    body = {"kind": "penalty", "title": "未按规定公示年报", "decided_on": TODAY.isoformat()}
    answer = client.post(url, body, content_type="application/json")
    assert answer.status_code == 400 and answer.json()["code"] == "credit.department_required"
    answer = client.post(url, {**body, "department": stranger.code}, content_type="application/json")
    assert answer.status_code == 403
    answer = client.post(url, {**body, "department": dept_a.code}, content_type="application/json")
    assert answer.status_code == 201 and answer.json()["department"] == dept_a.name


def test_staff_of_one_department_see_no_select(client, farm, handler_a):
    client.force_login(handler_a)
    page = client.get(reverse("credit:entity", args=[farm.uscc])).content.decode()
    assert 'type="hidden" name="department"' in page
