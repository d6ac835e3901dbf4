"""Enterprises act through a person authorised for their USCC: the legal representative (name as
registered) or the holder of a 授权委托书, confirmed by a window clerk; revocable; never self-confirmed."""

import pytest

from yiwang.accounts import services
from yiwang.accounts.models import EnterpriseAuthorisation
from yiwang.cases.tests.factories import CITIZEN_ID, COMPANY_USCC, pdf_file
from yiwang.core.errors import ApplicationError
from yiwang.core.identifiers import make_uscc
from yiwang.core.models import AuditEvent, InboxMessage
from yiwang.credit.models import Entity
from yiwang.org.models import Membership, Role, User

from .conftest import sign_up

pytestmark = pytest.mark.django_db
PHONE = "13991712001"


@pytest.fixture
def company(meixian):
    return Entity.objects.create(
        uscc=COMPANY_USCC, name="眉县秦岭猕猴桃冷链有限公司", region=meixian.county, legal_representative="王秀兰"
    )


@pytest.fixture
def person(client, meixian):
    sign_up(client, PHONE)
    user = User.objects.get(applicant_account__isnull=False)
    services.account_set_real_name(user=user, name="王秀兰", id_number=CITIZEN_ID)
    user.refresh_from_db()
    return user


def test_the_legal_representative_asks_and_a_clerk_confirms(client, person, company, clerk):
    response = client.post("/account/enterprise/", {"uscc": COMPANY_USCC.lower(), "basis": "legal_representative"})
    assert response.status_code == 302
    row = EnterpriseAuthorisation.objects.get()
    assert row.state == "pending" and row.name_matches_register and row.entity_name == company.name
    person.refresh_from_db()
    assert person.uscc == "" and not Membership.objects.filter(user=person, role=Role.ENTERPRISE).exists()

    client.force_login(clerk)
    queue = client.get("/account/staff/authorisations/").content.decode()
    assert company.name in queue and "姓名与登记的法定代表人一致" in queue and CITIZEN_ID not in queue
    client.post("/account/staff/authorisations/", {"authorisation": row.pk, "decision": "approve", "note": ""})
    row.refresh_from_db()
    person.refresh_from_db()
    assert row.state == "active" and row.decided_by == clerk
    assert person.uscc == COMPANY_USCC and Membership.objects.filter(user=person, role=Role.ENTERPRISE).exists()
    assert AuditEvent.objects.filter(action="account.authorisation_decided").count() == 1
    assert InboxMessage.objects.filter(user=person, title="企业经办授权已通过").exists()


def test_someone_else_needs_an_authorisation_letter(client, person, company):
    company.legal_representative = "赵海涛"
    company.save()
    refused = client.post("/account/enterprise/", {"uscc": COMPANY_USCC, "basis": "legal_representative"})
    assert refused.status_code == 400 and "与该企业登记的法定代表人不一致" in refused.content.decode()
    no_letter = client.post("/account/enterprise/", {"uscc": COMPANY_USCC, "basis": "letter"})
    assert "请上传企业盖章的授权委托书" in no_letter.content.decode()
    assert not EnterpriseAuthorisation.objects.exists()
    ok = client.post(
        "/account/enterprise/", {"uscc": COMPANY_USCC, "basis": "letter", "letter": pdf_file("委托书.pdf")}
    )
    assert ok.status_code == 302
    row = EnterpriseAuthorisation.objects.get()
    assert row.basis == "letter" and row.letter and not row.name_matches_register


@pytest.mark.parametrize(
    ("uscc", "message"),
    [
        (COMPANY_USCC[:-1] + ("0" if COMPANY_USCC[-1] != "0" else "1"), "统一社会信用代码校验位不正确"),
        ("91610326MA6X8Q2L", "统一社会信用代码应为18位"),
        (make_uscc("91610326MA6X9K3P2"), "市场主体登记信息中没有这个统一社会信用代码"),
    ],
)
def test_a_wrong_or_unknown_code_is_refused(client, person, company, uscc, message):
    response = client.post("/account/enterprise/", {"uscc": uscc, "basis": "legal_representative"})
    assert response.status_code == 400 and not EnterpriseAuthorisation.objects.exists()
    assert message in response.content.decode()


def test_real_name_first(client, meixian, company):
    sign_up(client, PHONE)
    user = User.objects.get(applicant_account__isnull=False)
    with pytest.raises(ApplicationError) as caught:
        services.authorisation_request(user=user, uscc=COMPANY_USCC, basis="legal_representative")
    assert caught.value.code == "account.real_name_required"


def test_refusal_needs_a_reason_and_nobody_confirms_their_own(person, company, clerk):
    row = services.authorisation_request(user=person, uscc=COMPANY_USCC, basis="legal_representative")
    with pytest.raises(ApplicationError) as caught:
        services.authorisation_decide(authorisation=row, approve=False, actor=clerk)
    assert caught.value.code == "account.reason_required"
    with pytest.raises(ApplicationError) as caught:
        services.authorisation_decide(authorisation=row, approve=True, actor=person)
    assert caught.value.code == "account.self_authorisation"
    services.authorisation_decide(authorisation=row, approve=False, actor=clerk, note="委托书未加盖公章")
    row.refresh_from_db()
    assert row.state == "refused" and row.note == "委托书未加盖公章"
    person.refresh_from_db()
    assert person.uscc == ""


def test_only_a_clerk_reaches_the_confirmation_page(client, person, handler_a):
    assert client.get("/account/staff/authorisations/").status_code == 403
    client.force_login(handler_a)
    assert client.get("/account/staff/authorisations/").status_code == 403


def test_revoking_stops_acting_for_the_enterprise(client, person, company, clerk):
    row = services.authorisation_request(user=person, uscc=COMPANY_USCC, basis="legal_representative")
    services.authorisation_decide(authorisation=row, approve=True, actor=clerk)
    client.post(f"/account/enterprise/{row.pk}/revoke/")
    row.refresh_from_db()
    person.refresh_from_db()
    assert row.state == "revoked" and person.uscc == ""
    assert not Membership.objects.filter(user=person, role=Role.ENTERPRISE).exists()


def test_a_second_open_request_for_the_same_code_is_refused(person, company):
    services.authorisation_request(user=person, uscc=COMPANY_USCC, basis="legal_representative")
    with pytest.raises(ApplicationError) as caught:
        services.authorisation_request(user=person, uscc=COMPANY_USCC, basis="legal_representative")
    assert caught.value.code == "account.authorisation_exists"
