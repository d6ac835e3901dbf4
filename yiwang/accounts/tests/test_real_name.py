"""Real-name details: the name and an 18-digit ID number with a real birth date and the right check
character; full-width digits and spaces understood; the legacy 15-digit number named; one ID, one account."""

import datetime as dt

import pytest

from yiwang.accounts.models import ApplicantAccount
from yiwang.cases.tests.factories import CITIZEN_ID
from yiwang.core.identifiers import make_id_number
from yiwang.core.pii import pii_lookup_hash
from yiwang.org.models import User

from .conftest import sign_up

pytestmark = pytest.mark.django_db
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def test_it_records_the_name_and_the_id_number_encrypted(signed_up):
    client = signed_up()
    typed = f"{CITIZEN_ID[:6]} {CITIZEN_ID[6:14]} {CITIZEN_ID[14:]}".translate(FULL_WIDTH).lower()
    response = client.post("/account/real-name/", {"name": " 王 秀兰 ", "id_number": typed})
    assert response.status_code == 302
    user = User.objects.get(applicant_account__isnull=False)
    assert user.display_name == "王秀兰" and user.id_number == CITIZEN_ID
    account = ApplicantAccount.objects.get()
    assert account.has_real_name and account.id_number_hash == pii_lookup_hash(CITIZEN_ID)
    page = client.get("/account/").content.decode()
    assert CITIZEN_ID not in page and CITIZEN_ID[:4] + "**********" + CITIZEN_ID[-4:] in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("610326680312042", "这是15位的旧身份证号码，请填写第二代身份证上的18位号码"),
        (CITIZEN_ID[:-1] + ("0" if CITIZEN_ID[-1] != "0" else "1"), "身份证号码校验位不正确"),
        ("61032619680230" + "0421", "身份证号码中的出生日期无效"),  # 2月30日
        ("6103261968031204", "身份证号码应为18位"),
        ("", "请填写身份证号码"),
    ],
)
def test_a_bad_id_number_is_refused_with_its_reason(signed_up, typed, message):
    client = signed_up()
    response = client.post("/account/real-name/", {"name": "王秀兰", "id_number": typed})
    assert response.status_code == 400 and message in response.content.decode()
    assert not ApplicantAccount.objects.get().has_real_name
    assert User.objects.get(applicant_account__isnull=False).id_number in (None, "")


def test_a_name_with_digits_is_refused(signed_up):
    client = signed_up()
    response = client.post("/account/real-name/", {"name": "王秀兰1", "id_number": CITIZEN_ID})
    assert response.status_code == 400 and "姓名中不能有数字" in response.content.decode()


def test_one_id_number_opens_one_account(client, meixian):
    sign_up(client, "13991712001")
    client.post("/account/real-name/", {"name": "王秀兰", "id_number": CITIZEN_ID})
    client.post("/logout/")
    sign_up(client, "13991712002")
    response = client.post("/account/real-name/", {"name": "王秀兰", "id_number": CITIZEN_ID})
    assert response.status_code == 400 and "该身份证号码已登记在另一个账户" in response.content.decode()
    other = make_id_number("610326", dt.date(1990, 5, 17), "023")
    assert client.post("/account/real-name/", {"name": "李娜", "id_number": other}).status_code == 302
