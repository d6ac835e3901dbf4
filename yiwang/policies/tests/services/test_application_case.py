"""A policy application made through a catalog item links back to the case it became (PolicyMatch.case)."""

import pytest

from yiwang.cases import services as cases
from yiwang.cases.models import ApplicantKind
from yiwang.cases.services import ApplicantInput
from yiwang.cases.tests.conftest import fresh_calendar  # noqa: F401 — fixture
from yiwang.cases.tests.factories import ENTERPRISE_FIELDS, elements, material, publish
from yiwang.core.models import AuditEvent
from yiwang.policies import services
from yiwang.policies.models import PolicyMatch

pytestmark = pytest.mark.django_db


def test_the_case_submitted_for_the_policys_item_is_recorded_on_the_application(
    admin_user, dept_a, draft_policy, officer, entities, enterprise_user, django_capture_on_commit_callbacks
):
    (item,) = publish(
        admin_user,
        elements(
            "610326-QT-0901",
            "猕猴桃冷库建设补贴申请",
            dept_a,
            materials=[material("M01", "申请表", key=True)],
            audience="enterprise",
            reform_mode="",
            pledge_allowed=False,
            form_fields=[dict(f) for f in ENTERPRISE_FIELDS],
        ),
    )
    draft_policy.catalog_item = item
    draft_policy.save(update_fields=["catalog_item"])
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_publish(policy=draft_policy, actor=officer)
    match = PolicyMatch.objects.get(policy=draft_policy, entity__uscc=enterprise_user.uscc)
    services.policy_match_apply(match=match, actor=enterprise_user, contact_name="赵海涛", contact_phone="13891712345")
    applicant = ApplicantInput(
        kind=ApplicantKind.ENTERPRISE, name=match.entity.name, uscc=enterprise_user.uscc, phone="13891712345"
    )
    with django_capture_on_commit_callbacks(execute=True):
        case = cases.case_submit(
            actor=enterprise_user, applicant=applicant, item=item, form_data={"entity_address": "眉县槐芽镇"}
        )
    match.refresh_from_db()
    assert match.case_id == case.pk
    assert AuditEvent.objects.filter(action="policy.application_case", object_id=str(match.pk)).count() == 1
    # a second case of the same item is not the application's (the first stands)
    with django_capture_on_commit_callbacks(execute=True):
        cases.case_submit(actor=enterprise_user, applicant=applicant, item=item, form_data={"entity_address": "眉县"})
    match.refresh_from_db()
    assert match.case_id == case.pk
