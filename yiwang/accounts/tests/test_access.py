"""Who may use each object route of the applicant accounts (rows of the access matrix, driven here).

Read by ``yiwang/org/tests/test_access_matrix.py``: every object route has a row somewhere.
"""

import pytest

from yiwang.accounts import services
from yiwang.accounts.models import EnterpriseAuthorisation
from yiwang.cases.tests.factories import CITIZEN_ID, COMPANY_USCC, OTHER_ID, pdf_file
from yiwang.credit.models import Entity
from yiwang.hotline import services as hotline_services
from yiwang.hotline.models import Appeal
from yiwang.org.models import User

from .conftest import sign_up

pytestmark = pytest.mark.django_db

ACCESS_ROUTES = {
    "account/appeals/<str:code>/": "the applicant account that raised the appeal (or proved its phone); other "
    "accounts and staff 404; anonymous → the applicant sign-in",
    "account/enterprise/<int:pk>/revoke/": "the authorisation's holder (POST); other accounts 404; staff and "
    "anonymous → the applicant sign-in",
    "account/staff/authorisations/<int:pk>/letter/": "window clerks (account.authorise); other roles 403; "
    "anonymous → login",
}

MINE, THEIRS = "13991712001", "13991712002"


@pytest.fixture
def world(client, meixian):
    """Two applicant accounts (the first with an appeal and a pending letter authorisation) — each
    signed up through the pages, then the client signed out."""
    Entity.objects.create(uscc=COMPANY_USCC, name="眉县秦岭猕猴桃冷链有限公司", region=meixian.county)
    sign_up(client, MINE)
    mine = User.objects.get(username__isnull=False, applicant_account__isnull=False)
    services.account_set_real_name(user=mine, name="王秀兰", id_number=CITIZEN_ID)
    client.post("/account/enterprise/", {"uscc": COMPANY_USCC, "basis": "letter", "letter": pdf_file("委托书.pdf")})
    appeal = hotline_services.appeal_submit(
        channel=Appeal.Channel.PORTAL,
        kind=Appeal.Kind.COMPLAINT,
        title="小区路灯不亮",
        content="小区路灯不亮，已经一个多星期了，请尽快处理。",
        actor=mine,
        contact_name="王秀兰",
        contact_phone=MINE,
        confirm_not_emergency=True,
    )
    client.logout()
    sign_up(client, THEIRS)
    theirs = User.objects.exclude(pk=mine.pk).get(applicant_account__isnull=False)
    services.account_set_real_name(user=theirs, name="杨建华", id_number=OTHER_ID)
    client.logout()
    return {"mine": mine, "theirs": theirs, "appeal": appeal, "letter": EnterpriseAuthorisation.objects.get()}


def test_an_appeal_page_opens_for_its_own_account_only(client, world, handler_a):
    url = f"/account/appeals/{world['appeal'].code}/"
    assert client.get(url).url.startswith("/account/sign-in/")
    client.force_login(world["theirs"])
    assert client.get(url).status_code == 404
    client.force_login(handler_a)
    assert client.get(url).status_code == 404
    client.force_login(world["mine"])
    page = client.get(url)
    assert page.status_code == 200 and "小区路灯不亮" in page.content.decode()


def test_only_the_holder_revokes_an_authorisation(client, world, clerk):
    row = world["letter"]
    url = f"/account/enterprise/{row.pk}/revoke/"
    assert client.post(url).url.startswith("/account/sign-in/")
    client.force_login(clerk)
    assert client.post(url).url.startswith("/account/sign-in/")
    client.force_login(world["theirs"])
    assert client.post(url).status_code == 404
    row.refresh_from_db()
    assert row.state == "pending"
    client.force_login(world["mine"])
    assert client.post(url).status_code == 302
    row.refresh_from_db()
    assert row.state == "revoked"


def test_the_letter_is_read_by_window_clerks_only(client, world, clerk, handler_a, leader):
    url = f"/account/staff/authorisations/{world['letter'].pk}/letter/"
    assert client.get(url).status_code == 302  # → login
    for user in (world["mine"], world["theirs"], handler_a, leader):
        client.force_login(user)
        assert client.get(url).status_code == 403, user
    client.force_login(clerk)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
