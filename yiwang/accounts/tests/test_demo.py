"""The accounts demo: residents own some of the demo's applications and appeals, the enterprise's
legal representative is authorised by a clerk, everyone is printed with their sign-in number; a
second run changes nothing."""

import io

import pytest

from yiwang.accounts.demo import REPRESENTATIVE_PHONE, RESIDENTS, seed
from yiwang.accounts.models import ApplicantAccount, EnterpriseAuthorisation
from yiwang.cases import selectors as case_selectors
from yiwang.cases import services as case_services
from yiwang.cases.models import ApplicantKind
from yiwang.cases.services import ApplicantInput
from yiwang.cases.tests.factories import COMPANY_USCC, OTHER_ID, elements, publish
from yiwang.credit.models import Entity
from yiwang.hotline import services as hotline_services
from yiwang.hotline.models import Appeal
from yiwang.org.models import Membership, Role
from yiwang.org.tests.factories import MembershipFactory, UserFactory

from ..selectors import my_appeals

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(admin_user, dept_a, county_hall, dispatcher):
    clerk = UserFactory(username="liufang", display_name="刘芳")
    MembershipFactory(user=clerk, role=Role.CLERK, hall=county_hall)
    item = publish(admin_user, elements("610326-XK-0301", "食品经营许可（新办）", dept_a))[0]
    for n in range(4):
        person = ApplicantInput(kind=ApplicantKind.PERSON, name="李娜", id_number=OTHER_ID, phone=f"1399171230{n}")
        case_services.case_submit(actor=clerk, applicant=person, item=item, form_data={"applicant_address": "眉县"})
    company = ApplicantInput(kind=ApplicantKind.ENTERPRISE, name="眉县秦岭猕猴桃冷链有限公司", uscc=COMPANY_USCC)
    case_services.case_submit(actor=clerk, applicant=company, item=item, form_data={"applicant_address": "眉县"})
    Entity.objects.create(
        uscc=COMPANY_USCC, name="眉县秦岭猕猴桃冷链有限公司", region=dept_a.region, legal_representative="赵海涛"
    )
    for n in range(4):
        hotline_services.appeal_submit(
            channel=Appeal.Channel.PHONE,
            kind=Appeal.Kind.COMPLAINT,
            title=f"首善街道路灯不亮{n}",
            content="东关社区路灯连续一周不亮，晚上出行不便。",
            actor=dispatcher,
            contact_name="李娜",
            contact_phone=f"1399171231{n}",
            confirm_not_emergency=True,
        )


def test_it_creates_accounts_that_own_demo_cases_and_appeals(world):
    out = io.StringIO()
    seed(stdout=out)
    text = out.getvalue()
    assert ApplicantAccount.objects.count() == 3
    for phone, name, _birth, _seq, _cases, _appeals in RESIDENTS:
        assert phone in text and name in text
    first = ApplicantAccount.objects.get(user__display_name="孙丽娟").user
    assert first.applicant_account.has_real_name
    assert case_selectors.applicant_cases(first).count() == 3
    assert my_appeals(first).count() == 2
    representative = ApplicantAccount.objects.get(user__display_name="赵海涛").user
    assert REPRESENTATIVE_PHONE in text and "眉县秦岭猕猴桃冷链有限公司，办件 1 件" in text
    assert EnterpriseAuthorisation.objects.get(user=representative).state == "active"
    assert representative.uscc == COMPANY_USCC
    assert Membership.objects.filter(user=representative, role=Role.ENTERPRISE).exists()
    assert case_selectors.applicant_cases(representative).count() == 1

    again = io.StringIO()
    seed(stdout=again)
    assert "账户已存在，未改动" in again.getvalue() and ApplicantAccount.objects.count() == 3
    assert EnterpriseAuthorisation.objects.count() == 1
