import pytest
from django.test import override_settings

from yiwang.cases import services
from yiwang.cases.licences import LicenceRef
from yiwang.cases.models import Case, CaseState, CaseUpload, Channel, MaterialStatus
from yiwang.cases.services import ApplicantInput, SubmissionFiles
from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent, InboxMessage, OutboxMessage
from yiwang.core.pii import pii_lookup

from ..conftest import FORM
from ..factories import CITIZEN_ID, exe_file, pdf_file

pytestmark = pytest.mark.django_db


class FoundLicences:
    def find(self, *, holder, licence_type):
        if holder.id_number == CITIZEN_ID and licence_type == "营业执照":
            return LicenceRef(licence_type, "DZZZ-610326-0001", holder.name)
        return None


def test_it_files_the_current_version_and_starts_the_intake_clock(citizen, person, food_item):
    case = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)

    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    assert case.number.startswith("YW") and len(case.verification_code) == 6
    assert case.item_version.number == food_item.version
    assert case.channel == Channel.ONLINE and case.visits == 0 and case.applicant_user == citizen
    assert [m.code for m in case.materials.all()] == ["M01", "M02", "M03", "M04", "M05"]
    assert case.materials.get(code="M05").status == MaterialStatus.NOT_REQUIRED
    assert case.intake_clock.days == 5
    # ID number encrypted at rest, found through its hash; never in form_data.
    assert Case.objects.filter(**pii_lookup("applicant_id_number", CITIZEN_ID)).get() == case
    assert "applicant_id_number" not in case.form_data
    assert AuditEvent.objects.filter(action="case.submitted", object_id=str(case.pk)).exists()
    # The applicant hears by SMS (signed with the county's name from settings) and in the inbox.
    sms = OutboxMessage.objects.get(dedupe_key__startswith=f"case:{case.pk}:submitted:sms")
    assert sms.channel == "sms" and sms.body.startswith("【眉县政务服务】") and case.number in sms.body
    inbox = InboxMessage.objects.get(user=citizen, key=f"case:{case.pk}:submitted")
    assert inbox.template == "cases.submitted" and case.verification_code in inbox.body
    assert inbox.link == f"/cases/mine/{case.number}/"


def test_it_keeps_uploads_and_marks_their_materials(citizen, person, food_item):
    files = SubmissionFiles({"M01": [pdf_file("申请书.pdf")]})
    case = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM, files=files)

    upload = CaseUpload.objects.get(case=case)
    assert upload.material.code == "M01" and upload.file_type == "pdf" and upload.size > 0
    assert case.materials.get(code="M01").status == MaterialStatus.UPLOADED


@override_settings(YIWANG_CASES={"LICENCE_LOOKUP": "yiwang.cases.tests.services.test_case_submit.FoundLicences"})
def test_it_marks_materials_held_as_e_licences(citizen, person, food_item):
    case = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)

    licence = case.materials.get(code="M02")
    assert licence.status == MaterialStatus.LICENCE and licence.licence_ref == "DZZZ-610326-0001"


def test_it_finds_no_licence_by_default(citizen, person, food_item):
    case = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
    assert case.materials.get(code="M02").status == MaterialStatus.MISSING


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"id_number": "610326196803120421"}, "case.id_number_invalid"),
        ({"kind": "enterprise", "uscc": "91610326MA6X8Q2L70"}, "case.uscc_invalid"),
        ({"name": " "}, "case.applicant_name_required"),
        ({"phone": "12-34"}, "case.phone_invalid"),
    ],
)
def test_it_refuses_bad_applicants_and_creates_nothing(citizen, person, food_item, change, code):
    applicant = ApplicantInput(**{**person.__dict__, **change})
    with pytest.raises(ApplicationError) as error:
        services.case_submit(actor=citizen, applicant=applicant, item=food_item, form_data=FORM)
    assert error.value.code == code
    assert Case.objects.count() == 0


def test_it_refuses_an_incomplete_form(citizen, person, food_item):
    with pytest.raises(ApplicationError) as error:
        services.case_submit(actor=citizen, applicant=person, item=food_item, form_data={})
    assert error.value.code == "case.form_incomplete" and error.value.details["missing"] == ["住址"]
    assert Case.objects.count() == 0


def test_it_refuses_a_bad_upload_and_stores_nothing(citizen, person, food_item):
    files = SubmissionFiles({"M01": [exe_file()]})
    with pytest.raises(ApplicationError) as error:
        services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM, files=files)
    assert error.value.code == "case.upload_content_mismatch"
    assert Case.objects.count() == 0 and CaseUpload.objects.count() == 0


def test_it_refuses_a_duplicate_submission_token(citizen, person, food_item):
    first = services.case_submit(
        actor=citizen, applicant=person, item=food_item, form_data=FORM, submission_token="t-1"
    )
    with pytest.raises(ApplicationError) as error:
        services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM, submission_token="t-1")
    assert error.value.code == "case.duplicate_submission" and error.value.details["number"] == first.number
    assert Case.objects.count() == 1


def test_it_refuses_online_submission_of_a_counter_only_item(citizen, person, counter_item):
    with pytest.raises(ApplicationError) as error:
        services.case_submit(actor=citizen, applicant=person, item=counter_item, form_data=FORM)
    assert error.value.code == "case.item_not_online"


def test_it_takes_counter_intake_in_the_clerks_hall(clerk, person, counter_item, county_hall):
    case = services.case_submit(
        actor=clerk, applicant=person, item=counter_item, form_data=FORM, channel=Channel.COUNTER, hall=county_hall
    )
    assert case.channel == Channel.COUNTER and case.hall == county_hall and case.visits == 1
    assert case.window.number == 1 and case.applicant_user is None


def test_it_refuses_counter_intake_outside_the_clerks_hall(clerk, person, counter_item, town_hall):
    with pytest.raises(ApplicationError) as error:
        services.case_submit(
            actor=clerk, applicant=person, item=counter_item, form_data=FORM, channel=Channel.COUNTER, hall=town_hall
        )
    assert error.value.code == "case.clerk_outside_hall" and error.value.status == 403


def test_it_refuses_the_kiosk_for_items_not_enabled(citizen, person, counter_item, county_hall):
    with pytest.raises(ApplicationError) as error:
        services.case_submit(
            actor=citizen, applicant=person, item=counter_item, form_data=FORM, channel=Channel.KIOSK, hall=county_hall
        )
    assert error.value.code == "case.item_not_on_kiosk"


def test_it_needs_an_address_for_postal_delivery(citizen, person, food_item):
    with pytest.raises(ApplicationError) as error:
        services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM, delivery_method="post")
    assert error.value.code == "case.postal_address_required"


def test_it_submits_a_bundle_with_the_merged_material_list(enterprise_user, company, opening_bundle):
    case = services.case_submit(
        actor=enterprise_user, applicant=company, bundle=opening_bundle, form_data={"entity_address": "眉县常兴镇"}
    )
    names = [m.name for m in case.materials.all()]
    assert names == ["公司登记（备案）申请书", "公司章程", "印模"]  # the shared form once
    assert case.materials.get(name="公司登记（备案）申请书").sources == [
        ["610326-DJ-0010", "M01"],
        ["610326-BA-0011", "M01"],
    ]
    assert case.promised_days == 1 and case.item_version is None


def test_it_refuses_a_person_for_an_enterprise_bundle(citizen, person, opening_bundle):
    with pytest.raises(ApplicationError) as error:
        services.case_submit(actor=citizen, applicant=person, bundle=opening_bundle, form_data={"entity_address": "x"})
    assert error.value.code == "case.audience_mismatch"
