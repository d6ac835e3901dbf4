import datetime as dt

import pytest
from django.db import connection

from yiwang.core.errors import ApplicationError
from yiwang.core.identifiers import make_id_number
from yiwang.core.models import AuditEvent
from yiwang.core.pii import pii_lookup
from yiwang.org.models import User
from yiwang.org.services import user_create, user_set_password, user_unlock
from yiwang.org.tests.factories import TEST_PASSWORD

ID_NUMBER = make_id_number("610326", dt.date(1968, 3, 12), "042")


def test_it_creates_a_user_with_phone_and_id_number_encrypted(db, admin_user):
    user = user_create(
        username="wangxiulan",
        password=TEST_PASSWORD,
        display_name="王秀兰",
        phone="13891760231",
        id_number=ID_NUMBER,
        actor=admin_user,
    )
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
    assert user.phone == "13891760231"
    assert user.id_number == ID_NUMBER
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, id_number FROM org_user WHERE id = %s", [user.pk])
        raw_phone, raw_id = cursor.fetchone()
    assert raw_phone.startswith("sm4$") and "13891760231" not in raw_phone
    assert raw_id.startswith("sm4$") and ID_NUMBER not in raw_id
    assert User.objects.get(**pii_lookup("phone", "138 9176 0231")) == user
    assert User.objects.get(**pii_lookup("id_number", ID_NUMBER)) == user

    event = AuditEvent.objects.get(action="org.user_created", object_id=str(user.pk))
    assert event.actor_id == admin_user.pk
    assert "13891760231" not in str(event.after) and ID_NUMBER not in str(event.after)
    assert event.after["has_phone"] is True


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Ab1!", "密码长度太短：至少需要 8 个字符"),
        ("meixian2021", "至少 3 类"),
        ("12345678901", "密码只包含数字"),
        ("password", "常见"),
    ],
)
def test_it_refuses_a_weak_password_with_the_chinese_reason(db, password, reason):
    with pytest.raises(ApplicationError) as excinfo:
        user_create(username="weak", password=password, display_name="弱密码", actor=None)
    assert excinfo.value.code == "org.password_weak"
    assert reason in excinfo.value.message
    assert excinfo.value.details["field"] == "password"
    assert not User.objects.filter(username="weak").exists()


def test_it_refuses_a_password_like_the_username(db):
    with pytest.raises(ApplicationError) as excinfo:
        user_create(username="meixiankiwi", password="Meixiankiwi1", display_name="相似", actor=None)
    assert excinfo.value.code == "org.password_weak"
    assert "相似" in excinfo.value.message


def test_it_refuses_a_taken_username_case_insensitively(citizen):
    with pytest.raises(ApplicationError) as excinfo:
        user_create(username="Citizen", password=TEST_PASSWORD, display_name="重复", actor=None)
    assert excinfo.value.code == "org.username_taken"
    assert excinfo.value.status == 409


@pytest.mark.parametrize(
    ("fields", "code", "text"),
    [
        ({"phone": "0917-554123"}, "org.phone_invalid", "手机号"),
        ({"id_number": ID_NUMBER[:17] + ("0" if ID_NUMBER[17] != "0" else "1")}, "org.id_number_invalid", "校验位"),
        ({"id_number": "61032619681312042X"}, "org.id_number_invalid", "出生日期"),
        ({"uscc": "91610326MA6X8Q2L70"}, "org.uscc_invalid", "校验位"),
        ({"uscc": "91610326MA6X8Q2L7"}, "org.uscc_invalid", "18位"),
    ],
)
def test_it_refuses_a_malformed_identifier(db, fields, code, text):
    with pytest.raises(ApplicationError) as excinfo:
        user_create(username="bad", password=TEST_PASSWORD, display_name="错误", actor=None, **fields)
    assert excinfo.value.code == code
    assert text in excinfo.value.message
    assert not User.objects.filter(username="bad").exists()


def test_it_requires_a_display_name(db):
    with pytest.raises(ApplicationError) as excinfo:
        user_create(username="noname", password=TEST_PASSWORD, display_name="  ", actor=None)
    assert excinfo.value.code == "org.display_name_required"


def test_it_changes_a_password_and_clears_the_lockout(citizen):
    User.objects.filter(pk=citizen.pk).update(failed_login_count=5)
    user_set_password(user=citizen, password="Kiwi#Orchard2026", actor=citizen)
    citizen.refresh_from_db()
    assert citizen.check_password("Kiwi#Orchard2026")
    assert citizen.failed_login_count == 0
    assert AuditEvent.objects.filter(action="auth.password_changed", object_id=str(citizen.pk)).exists()


def test_it_refuses_a_weak_new_password(citizen):
    with pytest.raises(ApplicationError) as excinfo:
        user_set_password(user=citizen, password="kiwikiwi", actor=citizen)
    assert excinfo.value.code == "org.password_weak"
    citizen.refresh_from_db()
    assert citizen.check_password(TEST_PASSWORD)


def test_it_unlocks_a_locked_user(citizen, admin_user):
    from django.utils import timezone

    User.objects.filter(pk=citizen.pk).update(
        failed_login_count=5, locked_until=timezone.now() + dt.timedelta(minutes=9)
    )
    user_unlock(user=citizen, actor=admin_user)
    citizen.refresh_from_db()
    assert citizen.locked_until is None and citizen.failed_login_count == 0
    event = AuditEvent.objects.get(action="auth.unlocked")
    assert event.actor_id == admin_user.pk
    assert event.before["failed_login_count"] == 5
