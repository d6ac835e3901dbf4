import pytest

from yiwang.cases import services
from yiwang.cases.models import CaseState, CorrectionRequest, MaterialStatus, Notice, NoticeKind
from yiwang.core.errors import ApplicationError
from yiwang.workdays.models import Clock

from ..factories import pdf_file

pytestmark = pytest.mark.django_db
ENTRIES = [
    {"code": "M03", "problem": "missing", "note": "请提供房屋租赁合同"},
    {"code": "M04", "problem": "defective", "note": "健康证明已过期"},
]


def test_it_lists_everything_at_once_and_pauses_the_intake_clock(submitted_case, clerk):
    correction = services.case_correction_request(case=submitted_case, actor=clerk, entries=ENTRIES)

    case = correction.case
    case.refresh_from_db()
    assert case.state == CaseState.CORRECTION_REQUESTED
    assert case.intake_clock.state == Clock.State.PAUSED
    assert [e.material.code for e in correction.entries.all()] == ["M03", "M04"]
    assert case.materials.get(code="M04").status == MaterialStatus.DEFECTIVE
    notice = Notice.objects.get(case=case, kind=NoticeKind.CORRECTION)
    assert [row[1] for row in notice.content["table"][1:]] == ["经营场所使用证明", "从业人员健康证明"]


def test_the_applicant_supplies_and_the_case_returns_to_the_window(submitted_case, clerk, citizen):
    services.case_correction_request(case=submitted_case, actor=clerk, entries=ENTRIES)
    services.case_material_upload(
        case=submitted_case, material_code="M03", upload=pdf_file("租赁合同.pdf"), actor=citizen
    )
    services.case_material_upload(
        case=submitted_case, material_code="M04", upload=pdf_file("健康证.pdf"), actor=citizen
    )

    case = services.case_correction_supply(case=submitted_case, actor=citizen)
    assert case.state == CaseState.SUBMITTED
    assert case.intake_clock.state == Clock.State.RUNNING
    assert CorrectionRequest.objects.get(case=case).fulfilled_at is not None


def test_it_refuses_to_report_an_incomplete_correction(submitted_case, clerk, citizen):
    services.case_correction_request(case=submitted_case, actor=clerk, entries=ENTRIES)
    services.case_material_upload(case=submitted_case, material_code="M03", upload=pdf_file(), actor=citizen)
    with pytest.raises(ApplicationError) as error:
        services.case_correction_supply(case=submitted_case, actor=citizen)
    assert error.value.code == "case.correction_incomplete" and error.value.details["missing"] == ["从业人员健康证明"]
    submitted_case.refresh_from_db()
    assert submitted_case.state == CaseState.CORRECTION_REQUESTED


def test_a_second_request_may_repeat_but_not_add(submitted_case, clerk, citizen):
    services.case_correction_request(case=submitted_case, actor=clerk, entries=ENTRIES)
    for code in ("M03", "M04"):
        services.case_material_upload(case=submitted_case, material_code=code, upload=pdf_file(), actor=citizen)
    services.case_correction_supply(case=submitted_case, actor=citizen)

    with pytest.raises(ApplicationError) as error:
        services.case_correction_request(
            case=submitted_case,
            actor=clerk,
            entries=[{"code": "M01", "problem": "defective"}, {"code": "M04", "problem": "defective"}],
        )
    assert error.value.code == "case.correction_not_listed_before" and error.value.details["materials"] == [
        "食品经营许可申请书"
    ]
    assert CorrectionRequest.objects.filter(case=submitted_case).count() == 1

    second = services.case_correction_request(
        case=submitted_case, actor=clerk, entries=[{"code": "M04", "problem": "defective"}]
    )
    assert second.round == 2


def test_it_refuses_an_empty_request(submitted_case, clerk):
    with pytest.raises(ApplicationError) as error:
        services.case_correction_request(case=submitted_case, actor=clerk, entries=[])
    assert error.value.code == "case.correction_empty"


def test_it_refuses_an_unknown_material(submitted_case, clerk):
    with pytest.raises(ApplicationError) as error:
        services.case_correction_request(case=submitted_case, actor=clerk, entries=[{"code": "M99"}])
    assert error.value.code == "case.material_unknown"
    submitted_case.refresh_from_db()
    assert submitted_case.state == CaseState.SUBMITTED


def test_uploads_are_locked_after_acceptance_except_deferred(accepted_case, citizen):
    with pytest.raises(ApplicationError) as error:
        services.case_material_upload(case=accepted_case, material_code="M03", upload=pdf_file(), actor=citizen)
    assert error.value.code == "case.materials_locked"


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (lambda: __import__("yiwang.cases.tests.factories", fromlist=["x"]).exe_file(), "case.upload_content_mismatch"),
        (
            lambda: __import__("yiwang.cases.tests.factories", fromlist=["x"]).pdf_file("a.docx"),
            "case.upload_type_not_allowed",
        ),
        (
            lambda: __import__("yiwang.cases.tests.factories", fromlist=["x"]).pdf_file(
                "big.pdf", size=11 * 1024 * 1024
            ),
            "case.upload_too_large",
        ),
    ],
)
def test_it_refuses_bad_uploads_and_stores_nothing(submitted_case, citizen, upload, code):
    with pytest.raises(ApplicationError) as error:
        services.case_material_upload(case=submitted_case, material_code="M03", upload=upload(), actor=citizen)
    assert error.value.code == code
    assert submitted_case.uploads.count() == 0
    assert submitted_case.materials.get(code="M03").status == MaterialStatus.MISSING
