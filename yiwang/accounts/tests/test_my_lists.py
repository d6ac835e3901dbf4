"""我的办件 and 我的诉求 list only one's own: another person's case or appeal is a 404, and an ID number
typed at sign-up does not by itself open cases filed elsewhere under it."""

import pytest

from yiwang.accounts import services as account_services
from yiwang.cases import services as case_services
from yiwang.cases.models import ApplicantKind
from yiwang.cases.services import ApplicantInput
from yiwang.cases.tests.factories import CITIZEN_ID, OTHER_ID, elements, publish
from yiwang.core.pii import pii_lookup_hash
from yiwang.hotline import services as hotline_services
from yiwang.hotline.models import Appeal
from yiwang.org.models import User

from .conftest import sign_up

pytestmark = pytest.mark.django_db
MINE, THEIRS = "13991712001", "13991712002"


@pytest.fixture
def item(admin_user, dept_a):
    return publish(admin_user, elements("610326-XK-0201", "食品经营许可（新办）", dept_a))[0]


def _case(item, *, actor, id_number, phone, name="王秀兰"):
    applicant = ApplicantInput(kind=ApplicantKind.PERSON, name=name, id_number=id_number, phone=phone, user=actor)
    return case_services.case_submit(
        actor=actor, applicant=applicant, item=item, form_data={"applicant_address": "眉县首善街道东关社区"}
    )


def _appeal(*, actor=None, phone, title):
    return hotline_services.appeal_submit(
        channel=Appeal.Channel.PORTAL if actor else Appeal.Channel.PHONE,
        kind=Appeal.Kind.COMPLAINT,
        title=title,
        content=f"{title}，已经一个多星期了，请尽快处理。",
        actor=actor,
        contact_name="王秀兰",
        contact_phone=phone,
        confirm_not_emergency=True,
    )


def _account(client, phone, *, id_number):
    sign_up(client, phone)
    user = User.objects.get(applicant_account__phone_hash=pii_lookup_hash(phone))
    account_services.account_set_real_name(user=user, name="王秀兰", id_number=id_number)
    user.refresh_from_db()
    return user


def test_my_cases_list_only_my_own_and_another_persons_case_is_404(client, meixian, item, clerk):
    me = _account(client, MINE, id_number=CITIZEN_ID)
    mine = _case(item, actor=me, id_number=CITIZEN_ID, phone=MINE)
    theirs = _case(item, actor=clerk, id_number=OTHER_ID, phone=THEIRS, name="李娜")
    page = client.get("/cases/mine/").content.decode()
    assert mine.number in page and theirs.number not in page
    assert client.get(f"/cases/mine/{mine.number}/").status_code == 200
    detail = client.get(f"/cases/mine/{theirs.number}/")
    assert detail.status_code == 404 and "李娜" not in detail.content.decode()


def test_a_counter_case_under_my_id_shows_only_with_my_proven_phone(client, meixian, item, clerk):
    # Someone signs up and types another person's ID number: the check character is right, but
    # the counter case filed under that number with the holder's own phone stays hidden.
    _account(client, MINE, id_number=CITIZEN_ID)
    holders_case = _case(item, actor=clerk, id_number=CITIZEN_ID, phone=THEIRS)
    assert holders_case.number not in client.get("/cases/mine/").content.decode()
    assert client.get(f"/cases/mine/{holders_case.number}/").status_code == 404
    # The same ID number and the account's own phone: the person's counter case is theirs.
    counter_case = _case(item, actor=clerk, id_number=CITIZEN_ID, phone=MINE)
    assert counter_case.number in client.get("/cases/mine/").content.decode()


def test_my_appeals_list_mine_with_their_timeline_and_another_is_404(client, meixian, dispatcher):
    me = _account(client, MINE, id_number=CITIZEN_ID)
    online = _appeal(actor=me, phone=MINE, title="东关社区路灯不亮")
    by_phone = _appeal(actor=dispatcher, phone=MINE, title="首善街道下水道堵塞")
    theirs = _appeal(actor=dispatcher, phone=THEIRS, title="槐芽镇农贸市场噪音扰民")
    page = client.get("/account/appeals/").content.decode()
    assert online.code in page and by_phone.code in page and theirs.code not in page
    assert "槐芽镇农贸市场" not in page
    assert 'data-testid="timeline"' in page and "受理" in page
    assert client.get(f"/account/appeals/{online.code}/").status_code == 200
    assert client.get(f"/account/appeals/{theirs.code}/").status_code == 404
    assert client.get(f"/account/appeals/{theirs.code.lower()}/").status_code == 404


def test_signed_out_the_lists_send_to_the_applicant_sign_in(client, meixian):
    for url in ("/cases/mine/", "/account/appeals/", "/account/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/account/sign-in/?next=")
