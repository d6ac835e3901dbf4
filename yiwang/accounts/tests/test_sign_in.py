"""Sign-up and sign-in with a mobile number and an SMS code: wrong, expired, too many tries, resend too
soon, rate limits, no user enumeration, kept apart from the staff login."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from yiwang.accounts import services
from yiwang.accounts.models import ApplicantAccount, SignInCode
from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent, OutboxMessage
from yiwang.org.models import Membership, Role, User

from .conftest import code_from_outbox, sign_up

pytestmark = pytest.mark.django_db
PHONE = "13991712001"


def test_it_sends_the_code_through_the_outbox_and_stores_only_its_hash(meixian):
    row = services.sign_in_code_send(phone=PHONE)
    sms = OutboxMessage.objects.get()
    code = code_from_outbox(PHONE)
    assert sms.channel == "sms" and sms.recipient == PHONE and "【眉县政务服务】" in sms.body
    assert "5分钟内有效" in sms.body  # CODE_TTL_MINUTES, county default
    assert code not in row.code_hash and len(code) == 6
    assert row.expires_at - row.created_at == dt.timedelta(minutes=5)


def test_the_first_right_code_opens_a_citizen_account_and_the_next_signs_in(client, meixian):
    sign_up(client, PHONE)
    user = User.objects.get(applicant_account__isnull=False)
    assert user.phone == PHONE and not user.has_usable_password()
    assert list(Membership.objects.filter(user=user).values_list("role", flat=True)) == [Role.CITIZEN]
    assert AuditEvent.objects.filter(action="account.signed_up").count() == 1
    assert client.get("/account/").status_code == 200
    client.post("/logout/")
    SignInCode.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))
    # Full-width digits and spaces: the same number, the same account.
    sign_up_again = client.post("/account/sign-in/", {"phone": "１３９ ９１７１ ２００１"})
    assert sign_up_again.status_code == 302
    response = client.post("/account/sign-in/code/", {"phone": PHONE, "code": code_from_outbox(PHONE)})
    assert response.status_code == 302 and response.url == "/account/"
    assert User.objects.filter(applicant_account__isnull=False).count() == 1
    assert AuditEvent.objects.filter(action="account.signed_in").count() == 1


def test_the_code_page_states_the_county_defaults(client, meixian):
    client.post("/account/sign-in/", {"phone": PHONE})
    page = client.get("/account/sign-in/code/").content.decode()
    assert "验证码 5 分钟内有效，输错 5 次即失效，60 秒后可重新获取（县级默认）" in page


def test_a_wrong_code_is_refused_with_the_tries_left_and_counted(client, meixian):
    client.post("/account/sign-in/", {"phone": PHONE})
    right = code_from_outbox(PHONE)
    wrong = "000000" if right != "000000" else "111111"
    response = client.post("/account/sign-in/code/", {"phone": PHONE, "code": wrong})
    assert response.status_code == 400 and "验证码不正确，还可再试 4 次" in response.content.decode()
    assert SignInCode.objects.get().attempts == 1 and not ApplicantAccount.objects.exists()
    assert "_auth_user_id" not in client.session


def test_five_wrong_codes_void_the_code_even_for_the_right_one(meixian):
    services.sign_in_code_send(phone=PHONE)
    right = code_from_outbox(PHONE)
    wrong = "000000" if right != "000000" else "111111"
    codes = []
    for _ in range(5):
        with pytest.raises(ApplicationError) as caught:
            services.sign_in_code_verify(phone=PHONE, code=wrong)
        codes.append(caught.value.code)
    assert codes == ["account.code_invalid"] * 4 + ["account.code_locked"]
    with pytest.raises(ApplicationError) as caught:
        services.sign_in_code_verify(phone=PHONE, code=right)
    assert caught.value.code == "account.code_locked" and "错误次数过多" in caught.value.message
    assert not ApplicantAccount.objects.exists()


def test_an_expired_code_is_refused(client, meixian):
    client.post("/account/sign-in/", {"phone": PHONE})
    SignInCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.post("/account/sign-in/code/", {"phone": PHONE, "code": code_from_outbox(PHONE)})
    assert response.status_code == 400 and "验证码已过期，请重新获取" in response.content.decode()
    assert not ApplicantAccount.objects.exists()


@override_settings(YIWANG_ACCOUNTS={"CODE_TTL_MINUTES": 2})
def test_the_lifetime_is_a_county_setting(meixian):
    row = services.sign_in_code_send(phone=PHONE)
    assert row.expires_at - row.created_at == dt.timedelta(minutes=2)
    assert "2分钟内有效" in OutboxMessage.objects.get().body


def test_a_resend_within_sixty_seconds_is_refused_and_sends_nothing(client, meixian):
    client.post("/account/sign-in/", {"phone": PHONE})
    again = client.post("/account/sign-in/", {"phone": PHONE}, follow=True)
    assert "验证码已发送，请" in again.content.decode() and "秒后再重新获取" in again.content.decode()
    assert OutboxMessage.objects.count() == 1 and SignInCode.objects.count() == 1
    with pytest.raises(ApplicationError) as caught:
        services.sign_in_code_send(phone=PHONE)
    assert caught.value.code == "account.resend_too_soon" and caught.value.status == 429
    assert 0 < caught.value.details["retry_after"] <= 60


def test_a_new_code_after_the_wait_voids_the_old_one(meixian):
    services.sign_in_code_send(phone=PHONE)
    old = code_from_outbox(PHONE)
    SignInCode.objects.update(created_at=timezone.now() - dt.timedelta(seconds=61))
    services.sign_in_code_send(phone=PHONE)
    new = code_from_outbox(PHONE)
    if old != new:
        with pytest.raises(ApplicationError):
            services.sign_in_code_verify(phone=PHONE, code=old)
    user, created = services.sign_in_code_verify(phone=PHONE, code=new)
    assert created and user.phone == PHONE


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1399171200", "手机号应为11位数字（您填写了10位）"),
        ("12991712001", "手机号应以13至19开头"),
        ("139917l2001", "手机号只能由数字组成"),
        ("", "请填写手机号"),
    ],
)
def test_a_bad_number_gets_a_specific_message_and_no_sms(client, meixian, typed, message):
    response = client.post("/account/sign-in/", {"phone": typed})
    assert response.status_code == 400 and message in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_the_answer_is_the_same_for_registered_and_unknown_numbers(client, meixian):
    sign_up(client, PHONE)
    client.post("/logout/")
    other = "13991712002"
    SignInCode.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))
    known = client.post("/account/sign-in/", {"phone": PHONE}, follow=True)
    unknown = client.post("/account/sign-in/", {"phone": other}, follow=True)
    assert known.status_code == unknown.status_code == 200
    assert _page_without_tokens(known) == _page_without_tokens(unknown)
    assert "验证码已发送至 X，5 分钟内有效" in _page_without_tokens(unknown)


def _page_without_tokens(response) -> str:
    import re

    text = response.content.decode().replace("139****2001", "X").replace("139****2002", "X")
    text = text.replace(PHONE, "N").replace("13991712002", "N")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"', "", text)


@override_settings(YIWANG_RATELIMITS={"accounts.code_request": {"ip": "100/h", "target": "2/h"}})
def test_codes_per_number_are_rate_limited(client, meixian):
    for _ in range(2):
        client.post("/account/sign-in/", {"phone": PHONE})
        SignInCode.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))
    refused = client.post("/account/sign-in/", {"phone": PHONE})
    assert refused.status_code == 429 and "操作过于频繁" in refused.content.decode()
    assert SignInCode.objects.count() == 2


@override_settings(YIWANG_RATELIMITS={"accounts.code_verify": {"ip": "100/10m", "target": "3/10m"}})
def test_code_tries_are_rate_limited_per_number(client, meixian):
    client.post("/account/sign-in/", {"phone": PHONE})
    for _ in range(3):
        client.post("/account/sign-in/code/", {"phone": PHONE, "code": "000000"})
    refused = client.post("/account/sign-in/code/", {"phone": PHONE, "code": code_from_outbox(PHONE)})
    assert refused.status_code == 429 and not ApplicantAccount.objects.exists()


def test_the_staff_login_cannot_open_an_applicant_account_and_staff_get_their_own(client, meixian, clerk):
    clerk.phone = PHONE
    clerk.save(update_fields=["phone", "phone_hash"])
    sign_up(client, PHONE)
    applicant = User.objects.get(applicant_account__isnull=False)
    assert applicant.pk != clerk.pk and not Membership.objects.filter(user=applicant, role=Role.CLERK).exists()
    client.post("/logout/")
    page = client.post("/login/", {"username": applicant.username, "password": ""})
    assert "_auth_user_id" not in client.session and page.status_code in (200, 400)
    # A staff member signed in with the password has no applicant pages.
    client.force_login(clerk)
    assert client.get("/account/").status_code == 302
