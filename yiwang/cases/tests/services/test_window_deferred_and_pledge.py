"""容缺 and 告知承诺 at the window: the deferred material received at the counter, the deferral capped at the
promised completion date (hand-counted working days), the notices saying what is deferred and by when,
the 告知承诺书 produced as a PDF and its signature recorded."""

import datetime as dt
from io import BytesIO

import pypdf
import pytest

from yiwang.cases import notices, services
from yiwang.cases.models import CaseState, CaseUpload, DeferredMaterial, MaterialStatus, NoticeKind, ReviewStep
from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent, InboxMessage
from yiwang.workdays.models import Clock

from ..clock import at
from ..conftest import FORM, colleague
from ..factories import elements, pdf_file, publish

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 30)


def pdf_text(notice) -> str:
    body = notices.notice_pdf(notice.content, status_url="http://127.0.0.1/cases/status/?number=X&code=Y")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(BytesIO(body)).pages)
    return "".join(line.strip() for line in text.splitlines())  # lines wrapped by the layout, joined


@pytest.fixture
def five_day_item(admin_user, dept_a):
    """承诺 5 个工作日, like the case the deferral outlived (due 12-07, deferral 12-14)."""
    return publish(admin_user, elements("610326-XK-0105", "食品小作坊登记", dept_a, promised_days=5))[0]


@pytest.fixture
def deferred_case(five_day_item, citizen, person, clerk):
    """Accepted on Monday 2026-11-30 with 经营场所使用证明 (M03) deferred."""
    with at(MONDAY):
        case = services.case_submit(actor=citizen, applicant=person, item=five_day_item, form_data=FORM)
        return services.case_accept(case=case, actor=clerk, received=("M01", "M02", "M04"), deferred_materials=("M03",))


def test_the_deferral_is_due_no_later_than_the_promised_completion_date(deferred_case):
    # Accepted Mon 11-30; 5 working days: 12-01, 12-02, 12-03, 12-04, 12-07 → due 12-07 (a Monday).
    # The county default of 10 working days would end 12-14 (12-08…12-11, 12-14): capped at 12-07.
    assert deferred_case.due_on == dt.date(2026, 12, 7)
    deferral = DeferredMaterial.objects.get(case=deferred_case)
    assert deferral.due_on == dt.date(2026, 12, 7)
    assert deferral.clock.days == 5


def test_a_long_case_keeps_the_county_default_of_ten_working_days(food_item, citizen, person, clerk):
    with at(MONDAY):
        case = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
        case = services.case_accept(case=case, actor=clerk, received=("M01", "M02", "M04"), deferred_materials=("M03",))
    # promised 10: due 12-14; the deferral's 10 working days end the same day, not later.
    assert case.due_on == dt.date(2026, 12, 14)
    assert DeferredMaterial.objects.get(case=case).due_on == dt.date(2026, 12, 14)


def test_the_notice_and_the_opinion_say_what_is_deferred_and_by_when(deferred_case):
    notice = deferred_case.notices.get(kind=NoticeKind.DEFERRED)
    text = "".join(notice.content["paragraphs"])
    assert "申请材料齐全" not in text
    assert "经营场所使用证明" in text and "容缺受理" in text
    assert ["1", "经营场所使用证明", "2026年12月07日"] in notice.content["table"]
    opinion = deferred_case.steps.get(position=1).opinion
    assert "材料齐全，符合法定形式" not in opinion
    assert "经营场所使用证明（2026年12月07日前补交）" in opinion
    pdf = pdf_text(notice)
    assert "容缺受理通知书" in pdf and "经营场所使用证明" in pdf and "2026年12月07日" in pdf
    assert "申请材料齐全" not in pdf


def test_a_plain_acceptance_still_says_the_materials_are_complete(accepted_case):
    notice = accepted_case.notices.get(kind=NoticeKind.ACCEPTANCE)
    assert "申请材料齐全、符合法定形式" in notice.content["paragraphs"][0]
    assert accepted_case.steps.get(position=1).opinion == "材料齐全，符合法定形式，予以受理"


def test_the_window_receives_the_deferred_material_and_the_review_goes_on(deferred_case, clerk, handler_a):
    case = services.case_assign(case=deferred_case, actor=handler_a)
    deferral = services.deferred_material_receive(case=case, material_code="M03", actor=clerk, original_checked=True)
    deferral.refresh_from_db()
    assert deferral.supplied_at is not None and deferral.supplied_by == clerk and deferral.original_checked
    assert deferral.clock.state == Clock.State.STOPPED
    material = case.materials.get(code="M03")
    assert material.status == MaterialStatus.RECEIVED and "原件已核验" in material.note
    event = AuditEvent.objects.get(action="case.deferred_received")
    assert event.details["material"] == "M03" and event.details["original_checked"] is True
    assert InboxMessage.objects.filter(user=handler_a, template="cases.deferred_supplied").exists()
    # The review chain goes on and, every deferred material in, the department may approve.
    services.review_step_complete(case=case, actor=colleague(case.department, 2), opinion="审查：原件已核验")
    services.review_step_complete(case=case, actor=colleague(case.department, 3), opinion="审核：同意")
    services.case_decide(case=case, actor=handler_a, outcome="approved", reasons="容缺材料已补齐，准予许可")
    case.refresh_from_db()
    assert case.state == CaseState.DECIDED_APPROVED


def test_approval_waits_for_the_deferred_material(deferred_case, handler_a):
    case = services.case_assign(case=deferred_case, actor=handler_a)
    services.review_step_complete(case=case, actor=colleague(case.department, 2), opinion="审查：同意")
    services.review_step_complete(case=case, actor=colleague(case.department, 3), opinion="审核：同意")
    with pytest.raises(ApplicationError) as error:
        services.case_decide(case=case, actor=handler_a, outcome="approved", reasons="符合条件")
    assert error.value.code == "case.deferred_outstanding"


def test_a_scan_at_the_window_supplies_it_too(deferred_case, clerk):
    services.deferred_material_receive(
        case=deferred_case, material_code="M03", actor=clerk, upload=pdf_file("租赁合同.pdf")
    )
    assert deferred_case.materials.get(code="M03").status == MaterialStatus.UPLOADED
    assert CaseUpload.objects.get(material__code="M03").original_name == "租赁合同.pdf"
    assert not DeferredMaterial.objects.filter(case=deferred_case, supplied_at__isnull=True).exists()


def test_receiving_twice_is_refused(deferred_case, clerk):
    services.deferred_material_receive(case=deferred_case, material_code="M03", actor=clerk, original_checked=True)
    first = DeferredMaterial.objects.get(case=deferred_case).supplied_at
    with pytest.raises(ApplicationError) as error:
        services.deferred_material_receive(case=deferred_case, material_code="M03", actor=clerk, original_checked=True)
    assert error.value.code == "case.deferred_already_supplied" and error.value.status == 409
    assert DeferredMaterial.objects.get(case=deferred_case).supplied_at == first
    assert AuditEvent.objects.filter(action="case.deferred_received").count() == 1


def test_a_case_with_nothing_deferred_has_nothing_to_receive(accepted_case, clerk):
    before = accepted_case.materials.get(code="M03")
    with pytest.raises(ApplicationError) as error:
        services.deferred_material_receive(case=accepted_case, material_code="M03", actor=clerk, original_checked=True)
    assert error.value.code == "case.no_deferred_materials" and error.value.status == 409
    after = accepted_case.materials.get(code="M03")
    assert (after.status, after.note) == (before.status, before.note)
    assert not AuditEvent.objects.filter(action="case.deferred_received").exists()


def test_only_a_deferred_material_is_received_and_the_paper_needs_its_original_checked(deferred_case, clerk):
    with pytest.raises(ApplicationError) as error:
        services.deferred_material_receive(case=deferred_case, material_code="M01", actor=clerk, original_checked=True)
    assert error.value.code == "case.material_not_deferred"
    with pytest.raises(ApplicationError) as error:
        services.deferred_material_receive(case=deferred_case, material_code="M03", actor=clerk)
    assert error.value.code == "case.original_not_checked"
    with pytest.raises(ApplicationError) as error:
        services.deferred_material_receive(case=deferred_case, material_code="M99", actor=clerk, original_checked=True)
    assert error.value.code == "case.material_unknown"
    assert DeferredMaterial.objects.get(case=deferred_case).supplied_at is None


def test_a_handler_cannot_receive_at_the_window(deferred_case, handler_a):
    with pytest.raises(ApplicationError) as error:
        services.deferred_material_receive(
            case=deferred_case, material_code="M03", actor=handler_a, original_checked=True
        )
    assert error.value.code == "case.not_a_clerk" and error.value.status == 403


# --- 告知承诺书 -----------------------------------------------------------------------------------


@pytest.fixture
def pledged_case(submitted_case, clerk):
    return services.case_accept(
        case=submitted_case, actor=clerk, received=("M01", "M02", "M03"), pledged_materials=("M04",)
    )


def test_a_pledge_case_produces_the_pledge_for_the_applicant_to_sign(pledged_case):
    notice = pledged_case.notices.get(kind=NoticeKind.PLEDGE)
    assert notice.content["title"] == "告知承诺书"
    pdf = pdf_text(notice)
    for text in (
        "告知承诺书",
        "从业人员健康证明",
        "承诺人（签字或盖章）",
        "《中华人民共和国食品安全法》第三十五条",
        "眉县行政审批服务局",
    ):
        assert text in pdf, text
    assert pledged_case.pledge.signature_recorded_at is None


def test_the_clerk_records_the_signature_once(pledged_case, clerk):
    pledge = services.pledge_signature_record(case=pledged_case, actor=clerk, confirmed=True)
    assert pledge.signature_method == "confirmed" and pledge.signature_recorded_by == clerk
    assert AuditEvent.objects.get(action="case.pledge_signed").details["method"] == "confirmed"
    assert pledged_case.events.filter(action="pledge_signed").exists()
    with pytest.raises(ApplicationError) as error:
        services.pledge_signature_record(case=pledged_case, actor=clerk, confirmed=True)
    assert error.value.code == "case.pledge_signature_recorded"
    assert AuditEvent.objects.filter(action="case.pledge_signed").count() == 1


def test_the_applicant_uploads_the_signed_pledge_but_cannot_confirm_it(pledged_case, citizen):
    with pytest.raises(ApplicationError) as error:
        services.pledge_signature_record(case=pledged_case, actor=citizen, confirmed=True)
    assert error.value.code == "case.not_a_clerk"
    with pytest.raises(ApplicationError) as error:
        services.pledge_signature_record(case=pledged_case, actor=citizen)
    assert error.value.code == "case.pledge_signature_missing"
    pledge = services.pledge_signature_record(case=pledged_case, actor=citizen, upload=pdf_file("承诺书签字.pdf"))
    assert pledge.signature_method == "upload" and pledge.signature_upload.original_name == "承诺书签字.pdf"


def test_a_case_without_a_pledge_has_none_to_sign(accepted_case, clerk):
    with pytest.raises(ApplicationError) as error:
        services.pledge_signature_record(case=accepted_case, actor=clerk, confirmed=True)
    assert error.value.code == "case.no_pledge"


def test_the_steps_start_from_the_acceptance_opinion(pledged_case):
    opinion = pledged_case.steps.get(position=1).opinion
    assert opinion == "材料齐全，符合法定形式；以告知承诺替代：从业人员健康证明，予以受理"
    assert pledged_case.steps.get(position=1).state == ReviewStep.State.DONE
