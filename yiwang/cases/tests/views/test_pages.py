import pytest
from django.test import override_settings
from openpyxl import load_workbook

from yiwang.cases import services
from yiwang.cases.models import Case, CaseState, Notice
from yiwang.cases.printing import MemoryReceiptPrinter

from ..conftest import complete_steps
from ..factories import CITIZEN_ID, pdf_file

pytestmark = pytest.mark.django_db


def _apply_data(token="tok-1", **extra):
    data = {
        "applicant_kind": "person",
        "applicant_name": "王秀兰",
        "applicant_id_number": CITIZEN_ID,
        "applicant_phone": "13891712345",
        "f_applicant_address": "眉县首善街道东关社区",
        "delivery_method": "window",
        "postal_address": "",
        "submission_token": token,
    }
    data.update(extra)
    return data


def test_the_guide_leads_from_a_life_event_to_items_and_checklist(client, food_item):
    page = client.get("/cases/guide/kai-fandian/", {"subject": "individual", "size": "large", "sign": "no"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "您需要办理" in text
    first = client.get("/cases/guide/kai-fandian/")
    assert "您打算以什么身份经营？" in first.content.decode()


def test_the_guide_answers_htmx_with_the_partial_only(client):
    page = client.get("/cases/guide/kai-fandian/", {"subject": "individual"}, headers={"HX-Request": "true"})
    text = page.content.decode()
    assert "经营场所有多大？" in text and "<html" not in text


def test_a_citizen_applies_online_with_an_upload(client, citizen, food_item):
    client.force_login(citizen)
    url = f"/cases/apply/item/{food_item.code}/"
    assert "在线申请：食品经营许可（新办）" in client.get(url).content.decode()
    response = client.post(url, {**_apply_data(), "m_M01": pdf_file("申请书.pdf")})
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == f"/cases/mine/{case.number}/"
    assert case.uploads.count() == 1
    detail = client.get(response.url).content.decode()
    assert case.number in detail and "待受理" in detail


def test_a_resubmitted_form_goes_to_the_existing_case(client, citizen, food_item):
    client.force_login(citizen)
    url = f"/cases/apply/item/{food_item.code}/"
    client.post(url, _apply_data(token="same"))
    again = client.post(url, _apply_data(token="same"))
    assert Case.objects.count() == 1 and again.status_code == 302


def test_the_form_shows_the_service_error_and_creates_nothing(client, citizen, food_item):
    client.force_login(citizen)
    response = client.post(
        f"/cases/apply/item/{food_item.code}/", _apply_data(applicant_id_number="610326196803120421")
    )
    assert response.status_code == 200 and "身份证号不正确" in response.content.decode()
    assert Case.objects.count() == 0


def test_a_bad_upload_is_refused_on_the_form(client, citizen, food_item):
    client.force_login(citizen)
    response = client.post(f"/cases/apply/item/{food_item.code}/", {**_apply_data(), "m_M01": pdf_file("a.gif")})
    assert "只能上传" in response.content.decode() and Case.objects.count() == 0


def test_the_clerk_accepts_at_the_counter_and_prints_the_notice(client, clerk, submitted_case):
    client.force_login(clerk)
    page = client.get(f"/cases/counter/case/{submitted_case.number}/")
    assert "材料核验" in page.content.decode()
    data = {"action": "accept", "check_M01": "ok", "check_M02": "ok", "check_M03": "deferred", "check_M04": "pledged"}
    client.post(f"/cases/counter/case/{submitted_case.number}/", data)
    submitted_case.refresh_from_db()
    assert submitted_case.state == CaseState.ACCEPTED_DEFERRED and submitted_case.has_pledge
    kinds = sorted(Notice.objects.filter(case=submitted_case).values_list("kind", flat=True))
    assert kinds == ["deferred", "pledge"]  # the 容缺受理通知书 and the 告知承诺书 to sign
    notice = Notice.objects.get(case=submitted_case, kind="deferred")
    pdf = client.get(f"/cases/notices/{notice.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_the_public_can_read_a_notice_only_with_the_code(client, accepted_case):
    notice = Notice.objects.get(case=accepted_case)
    assert client.get(f"/cases/notices/{notice.pk}.pdf").status_code == 302  # to login
    ok = client.get(f"/cases/notices/{notice.pk}.pdf", {"code": accepted_case.verification_code})
    assert ok.status_code == 200


def test_the_status_page_shows_progress_without_personal_data(client, accepted_case):
    page = client.get("/cases/status/", {"number": accepted_case.number, "code": accepted_case.verification_code})
    text = page.content.decode()
    assert "已受理" in text and "王秀兰" not in text and CITIZEN_ID not in text
    wrong = client.get("/cases/status/", {"number": accepted_case.number, "code": "ZZZZZZ"})
    assert "没有找到该办件" in wrong.content.decode()


def test_the_handler_queue_is_sorted_by_deadline_and_scoped(client, handler_a, handler_b, review_case):
    client.force_login(handler_a)
    assert review_case.number in client.get("/cases/handling/").content.decode()
    client.force_login(handler_b)
    assert review_case.number not in client.get("/cases/handling/").content.decode()
    assert client.get(f"/cases/handling/case/{review_case.number}/").status_code == 404


def test_the_handler_decides_on_the_page(client, handler_a, review_case):
    complete_steps(review_case, handler_a)
    client.force_login(handler_a)
    url = f"/cases/handling/case/{review_case.number}/"
    page = client.post(url, {"action": "decide", "outcome": "approved", "reasons": ""}, follow=True)
    assert "作出决定必须写明理由" in page.content.decode()
    client.post(url, {"action": "decide", "outcome": "approved", "reasons": "符合条件"})
    review_case.refresh_from_db()
    assert review_case.state == CaseState.DECIDED_APPROVED


def test_the_leader_page_and_export(client, leader, review_case, handler_a):
    complete_steps(review_case, handler_a)
    services.case_decide(case=review_case, actor=handler_a, outcome="approved", reasons="符合条件")
    client.force_login(leader)
    page = client.get("/cases/leader/").content.decode()
    assert "按时办结率" in page and "企业开办" in page and "echarts.min.js" in page
    export = client.get("/cases/leader/export.xlsx")
    book = load_workbook(__import__("io").BytesIO(export.content))
    assert book.sheetnames == ["总体", "按部门", "按事项", "按月按渠道"]
    rows = {r[0].value: r[1].value for r in book["总体"].iter_rows(min_row=2)}
    assert rows["办结件数"] == 1 and rows["按时办结率"] == 100.0


def test_a_citizen_cannot_open_the_leader_page(client, citizen):
    client.force_login(citizen)
    assert client.get("/cases/leader/").status_code == 403


@override_settings(YIWANG_CASES={"RECEIPT_PRINTER": "yiwang.cases.printing.MemoryReceiptPrinter"})
def test_the_kiosk_identifies_applies_and_prints(client, food_item, county_hall):
    MemoryReceiptPrinter.printed.clear()
    client.post("/cases/kiosk/identify/", {"id_number": CITIZEN_ID, "name": "王秀兰"})
    assert "食品经营许可（新办）" in client.get("/cases/kiosk/items/").content.decode()
    response = client.post(
        f"/cases/kiosk/apply/{food_item.code}/",
        {**_apply_data(token="kiosk-1"), "delivery_method": "window"},
    )
    case = Case.objects.get()
    assert response.status_code == 302 and case.channel == "kiosk" and case.hall == county_hall
    client.post(f"/cases/kiosk/receipt/{case.number}/print/")
    assert MemoryReceiptPrinter.printed[-1].lines[0] == f"办件编号：{case.number}"
    assert case.number in client.get("/cases/kiosk/cases/").content.decode()


def test_the_kiosk_refuses_a_bad_id_number(client):
    page = client.post("/cases/kiosk/identify/", {"id_number": "123", "name": "张三"})
    assert "身份证号不正确" in page.content.decode()


def test_the_applicant_supplies_a_correction_on_the_page(client, citizen, clerk, submitted_case):
    services.case_correction_request(
        case=submitted_case, actor=clerk, entries=[{"code": "M03", "problem": "missing", "note": "租赁合同"}]
    )
    client.force_login(citizen)
    page = client.get(f"/cases/mine/{submitted_case.number}/").content.decode()
    assert "还需要您提交" in page and "经营场所使用证明" in page and "租赁合同" in page
    client.post(f"/cases/mine/{submitted_case.number}/upload/", {"material": "M03", "file": pdf_file()})
    client.post(f"/cases/mine/{submitted_case.number}/supplied/")
    submitted_case.refresh_from_db()
    assert submitted_case.state == CaseState.SUBMITTED


def test_remote_help_request_and_queue(client, citizen, clerk):
    client.force_login(citizen)
    client.post(
        "/cases/help/", {"name": "王秀兰", "phone": "13891712345", "topic": "开农家乐要办什么", "description": ""}
    )
    client.force_login(clerk)
    page = client.get("/cases/help/queue/").content.decode()
    assert "开农家乐要办什么" in page


def test_the_counter_takes_in_any_item(client, clerk, counter_item):
    client.force_login(clerk)
    response = client.post(f"/cases/counter/new/item/{counter_item.code}/", _apply_data(token="c-1"))
    case = Case.objects.get()
    assert response.status_code == 302 and case.channel == "counter" and case.visits == 1


def test_the_leader_page_shows_the_busiest_items_and_the_workbook_every_item(client, leader, meixian, dept_a):
    """35 items decided this month: the page's 按事项 table lists the busiest 30 and says there are 35;
    the workbook's 按事项 sheet holds all 35 (it once held the page's 30, cut without a word)."""
    import datetime as dt
    import io

    from django.db import transaction
    from django.utils import timezone

    from yiwang.cases.measures import DECIDED
    from yiwang.measures.services import measure_add

    today = timezone.localdate()
    with transaction.atomic():
        for n in range(35):
            measure_add(
                metric=DECIDED,
                on=today,
                region=meixian.county,
                department=dept_a,
                key=f"610326-XK-{n:03d}",
                count=40 - n,
                on_time=40 - n,
            )
    client.force_login(leader)
    month = today.replace(day=1)
    period = {"start": month.isoformat(), "end": (month + dt.timedelta(days=27)).isoformat()}
    page = client.get("/cases/leader/", period).content.decode()
    assert "办件量前 30 项，共 35 项" in page
    assert "610326-XK-029" in page and "610326-XK-030" not in page

    book = load_workbook(io.BytesIO(client.get("/cases/leader/export.xlsx", period).content))
    items = [row[0].value for row in book["按事项"].iter_rows(min_row=2)]
    assert items == [f"610326-XK-{n:03d}" for n in range(35)]
