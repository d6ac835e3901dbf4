import datetime as dt

from django.test import Client

from yiwang.licences.models import Licence, LicenceState
from yiwang.licences.selectors import check_code
from yiwang.licences.services import licence_record_use


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_qr_url_shows_valid(company_licence):
    response = Client().get(f"/licences/verify/{company_licence.number}/?c={check_code(company_licence)}")
    body = response.content.decode()
    assert response.status_code == 200 and "有效" in body and "眉县秦岭猕猴桃专业合作社" in body
    assert "眉县行政审批服务局" in body


def test_a_tampered_record_shows_the_failure(company_licence):
    Licence.objects.filter(pk=company_licence.pk).update(fields={"entity_name": "x", "scope": "全部"})
    body = Client().get(f"/licences/verify/{company_licence.number}/").content.decode()
    assert "验证失败" in body and "全部" not in body


def test_the_verify_form_redirects_to_the_number(company_licence):
    response = Client().get("/licences/verify/", {"number": f" {company_licence.number} "})
    assert response.status_code == 302 and response["Location"].endswith(f"/licences/verify/{company_licence.number}/")
    assert "查无此证" in Client().get("/licences/verify/NO-SUCH/").content.decode()


def test_my_licences_lists_licences_and_their_uses(person_licence, citizen, handler_b):
    Licence.objects.filter(pk=person_licence.pk).update(holder_user=citizen)
    licence_record_use(licence=person_licence, purpose="食品经营许可延续核验", actor=handler_b)
    body = _client(citizen).get("/licences/mine/").content.decode()
    assert person_licence.number in body and "食品经营许可证" in body
    assert "食品经营许可延续核验" in body and "县市场监管局" in body


def test_my_licences_needs_sign_in(db):
    assert Client().get("/licences/mine/").status_code == 302


def test_staff_revoke_page_revokes_and_refuses_an_empty_reason(company_licence, handler_a):
    client = _client(handler_a)
    response = client.post(f"/licences/staff/{company_licence.pk}/revoke/", {"reason": " "}, follow=True)
    assert "注销证照须写明原因" in response.content.decode()
    assert Licence.objects.get(pk=company_licence.pk).state == LicenceState.VALID
    response = client.post(f"/licences/staff/{company_licence.pk}/revoke/", {"reason": "企业申请注销"}, follow=True)
    assert "已注销" in response.content.decode()
    assert Licence.objects.get(pk=company_licence.pk).state == LicenceState.REVOKED


def test_staff_list_shows_only_the_department(company_licence, person_licence, handler_a, leader):
    body = _client(handler_a).get("/licences/staff/").content.decode()
    assert company_licence.number in body and person_licence.number not in body
    body = _client(leader).get("/licences/staff/").content.decode()
    assert company_licence.number in body and person_licence.number in body
    assert _client(leader).get("/licences/staff/figures/").status_code == 200


def test_the_pdf_carries_the_licence(company_licence, handler_a):
    response = _client(handler_a).get(f"/licences/download/{company_licence.number}/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_register_exports_to_excel_for_the_department_only(company_licence, person_licence, handler_a):
    from io import BytesIO

    from openpyxl import load_workbook

    response = _client(handler_a).get("/licences/staff/export.xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content)).active.values)
    assert rows[0][0] == "证照编号" and [r[0] for r in rows[1:]] == [company_licence.number]


def test_a_handler_issues_a_licence_from_the_form_once(business_type, dept_a, handler_a):
    from yiwang.licences.tests.conftest import COMPANY_USCC

    client = _client(handler_a)
    assert "经营范围" in client.get("/licences/staff/issue/?type=yyzz").content.decode()
    form = {
        "licence_type": "yyzz",
        "holder_name": "眉县横渠书院文化旅游有限公司",
        "holder_uscc": COMPANY_USCC,
        "field_entity_name": "眉县横渠书院文化旅游有限公司",
        "field_scope": "文化旅游服务",
        "department": str(dept_a.pk),
    }
    first = client.post("/licences/staff/issue/", form)
    second = client.post("/licences/staff/issue/", form)  # a double click
    licence = Licence.objects.get()
    assert first.status_code == 302 and first["Location"] == f"/licences/staff/{licence.pk}/"
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert licence.issued_by == handler_a and licence.fields["scope"] == "文化旅游服务"


def test_the_issue_form_shows_a_refusal_and_issues_nothing(business_type, dept_a, handler_a):
    response = _client(handler_a).post(
        "/licences/staff/issue/",
        {"licence_type": "yyzz", "holder_name": "某公司", "holder_uscc": "123", "department": str(dept_a.pk)},
    )
    assert response.status_code == 400 and "统一社会信用代码“123”校验不通过" in response.content.decode()
    assert not Licence.objects.exists()


def test_the_pdf_prints_the_fields_in_the_types_order_and_masks_the_id_number(company_licence, person_licence):
    from yiwang.licences.pdf import licence_rows

    labels = [label for label, _value in licence_rows(company_licence)]
    assert labels == [
        "证照编号",
        "持证主体",
        "统一社会信用代码",
        "名称",
        "经营范围",
        "发证日期",
        "有效期至",
        "发证机关",
    ]
    person_rows = dict(licence_rows(person_licence))
    assert person_rows["身份证号码"].startswith("6103") and "*" in person_rows["身份证号码"]
    assert person_rows["有效期至"].endswith("日") and person_rows["发证机关"] == person_licence.department.name


def test_an_export_larger_than_a_workbook_holds_is_refused_and_says_how_to_narrow_it(
    monkeypatch, company_licence, handler_a
):
    import copy
    from io import BytesIO

    from openpyxl import load_workbook

    from yiwang.licences import views

    monkeypatch.setattr(views, "EXPORT_MAX", 2)
    copies = [copy.copy(company_licence) for _ in range(2)]
    for i, row in enumerate(copies):
        row.pk, row.number = None, f"{company_licence.number}-{i}"
    copies[1].state = "revoked"
    copies[1].issued_on = dt.date(2024, 3, 31)
    Licence.objects.bulk_create(copies)
    client = _client(handler_a)

    refused = client.get("/licences/staff/export.xlsx", {"q": "猕猴桃", "type": "", "state": ""})
    assert refused.status_code == 302
    assert refused["Location"] == "/licences/staff/?q=%E7%8C%95%E7%8C%B4%E6%A1%83&type=&state="
    shown = client.get(refused["Location"]).content.decode()
    assert "筛选后的证照超过 2 张，一次导出放不下，未导出。请按发证月份、证照类型或状态筛选后分批导出。" in shown

    # narrowed to what a workbook holds: every licence of the filter, none cut
    response = client.get("/licences/staff/export.xlsx", {"state": "valid"})
    rows = list(load_workbook(BytesIO(response.content)).active.values)
    assert sorted(r[0] for r in rows[1:]) == sorted([company_licence.number, copies[0].number])

    # the month it was issued narrows both the list and the export
    listed = client.get("/licences/staff/", {"issued": "2024-03"}).content.decode()
    assert 'data-testid="list-total">共 1 份。' in listed and copies[1].number in listed
    assert "issued=2024-03" in listed  # the export button exports what is listed
    response = client.get("/licences/staff/export.xlsx", {"issued": "2024-03"})
    assert [r[0] for r in list(load_workbook(BytesIO(response.content)).active.values)[1:]] == [copies[1].number]


def test_an_issued_month_that_is_not_one_is_said_so_and_exports_nothing(company_licence, handler_a):
    client = _client(handler_a)
    listed = client.get("/licences/staff/", {"issued": "9999-12"}).content.decode()
    assert 'data-testid="month-error">“9999-12”不是可查询的月份' in listed
    assert 'data-testid="list-total">共 1 份。' in listed
    refused = client.get("/licences/staff/export.xlsx", {"issued": "2026-13"})
    assert refused.status_code == 302
    shown = client.get(refused["Location"]).content.decode()
    assert "“2026-13”不是可查询的月份，请按“年-月”填写，例如 2026-05；未导出。" in shown
