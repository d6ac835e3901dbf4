import pytest

from yiwang.cases import notices, services
from yiwang.cases.models import ReviewChain
from yiwang.core.errors import ApplicationError

from ..conftest import FORM

pytestmark = pytest.mark.django_db


def test_a_notice_renders_as_pdf_with_a_system_cjk_font(accepted_case):
    notice = accepted_case.notices.get()
    body = notices.notice_pdf(notice.content, status_url="http://127.0.0.1/cases/status/?number=X&code=Y")
    assert body.startswith(b"%PDF") and b"/FontFile2" in body  # an embedded TrueType (CJK) font


def test_it_fails_clearly_without_a_cjk_font(monkeypatch, tmp_path):
    monkeypatch.setattr(notices, "FONT_DIRS", (tmp_path,))
    notices.notice_font.cache_clear()
    try:
        with pytest.raises(notices.NoticeFontMissing) as error:
            notices.notice_font()
        assert "fonts-wqy-microhei" in str(error.value)
    finally:
        notices.notice_font.cache_clear()


def test_a_configured_review_chain_is_used_at_acceptance(food_item, dept_a, handler_a, citizen, person, clerk):
    steps = [
        {"name": "受理", "role": "clerk", "share": 0.1},
        {"name": "审查", "role": "handler", "share": 0.5},
        {"name": "审批", "role": "handler", "share": 0.4},
    ]
    services.review_chain_set(item=food_item, steps=steps, actor=handler_a)
    case = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
    services.case_accept(case=case, actor=clerk, received=("M01", "M02", "M03", "M04"))
    assert [(s.name, s.days) for s in case.steps.order_by("position")] == [("受理", 1), ("审查", 5), ("审批", 4)]


@pytest.mark.parametrize(
    "steps",
    [
        [],
        [{"name": "审查", "role": "handler", "share": 0.5}],
        [{"name": "受理", "role": "clerk", "share": 0.5}, {"name": "审批", "role": "clerk", "share": 0.5}],
        [{"name": "审查", "role": "boss", "share": 1}],
    ],
)
def test_it_refuses_a_malformed_chain(food_item, handler_a, steps):
    with pytest.raises(ApplicationError) as error:
        services.review_chain_set(item=food_item, steps=steps, actor=handler_a)
    assert error.value.code == "case.chain_invalid"
    assert not ReviewChain.objects.exists()


def test_only_the_department_configures_its_chain(food_item, handler_b):
    with pytest.raises(ApplicationError) as error:
        services.review_chain_set(
            item=food_item, steps=[{"name": "审批", "role": "handler", "share": 1}], actor=handler_b
        )
    assert error.value.code == "case.not_your_department"
