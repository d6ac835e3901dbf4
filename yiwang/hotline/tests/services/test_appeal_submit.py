import pytest

from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent, OutboxMessage
from yiwang.hotline.models import Appeal, AppealEvent
from yiwang.hotline.tests.conftest import submit


def test_it_registers_a_phone_appeal_with_encrypted_contact(make_appeal, operator):
    appeal = make_appeal()

    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.RECEIVED
    assert appeal.code.startswith("YW") and len(appeal.code) == 13
    assert appeal.contact_phone == "13991712345"
    assert appeal.received_by == operator
    raw = Appeal.objects.filter(pk=appeal.pk).values_list("contact_phone", flat=True).get()
    # values_list reads through the field, so check the stored column directly.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone, contact_name FROM hotline_appeal WHERE id = %s", [appeal.pk])
        stored_phone, stored_name = cursor.fetchone()
    assert raw == "13991712345"
    assert stored_phone.startswith("sm4$1$") and "13991712345" not in stored_phone
    assert stored_name.startswith("sm4$1$")
    assert AppealEvent.objects.filter(appeal=appeal, kind="received").count() == 1
    assert AuditEvent.objects.filter(action="hotline.appeal_received", object_id=str(appeal.pk)).exists()
    sms = OutboxMessage.objects.get(dedupe_key__startswith=f"appeal:{appeal.pk}:received:sms:")
    assert appeal.code in sms.body and sms.body.startswith("【眉县12345】")


def test_it_keeps_no_name_for_an_anonymous_appeal(make_appeal):
    appeal = make_appeal(anonymous=True, contact_name="张建国", contact_phone="")

    appeal.refresh_from_db()
    assert appeal.anonymous and appeal.contact_name is None


def test_it_requires_contact_for_a_named_appeal(make_appeal):
    with pytest.raises(ApplicationError) as error:
        make_appeal(contact_phone="")
    assert error.value.code == "appeal.contact_required"
    assert Appeal.objects.count() == 0


def test_it_refuses_a_bad_phone_number(make_appeal):
    with pytest.raises(ApplicationError) as error:
        make_appeal(contact_phone="12345")
    assert error.value.code == "appeal.bad_phone"
    assert Appeal.objects.count() == 0


def test_it_refuses_an_unknown_type(make_appeal):
    with pytest.raises(ApplicationError) as error:
        make_appeal(kind="gossip")
    assert error.value.code == "appeal.bad_kind"


def test_it_refuses_a_village_outside_the_town(make_appeal, meixian):
    with pytest.raises(ApplicationError) as error:
        make_appeal(town=meixian.huaiya, village=meixian.honghegu)
    assert error.value.code == "appeal.bad_village"


def test_it_lets_only_staff_register_phone_appeals(citizen, categories):
    with pytest.raises(ApplicationError) as error:
        submit(actor=citizen)
    assert error.value.code == "appeal.forbidden"
    assert error.value.status == 403


def test_it_turns_away_an_online_emergency_with_the_advice(citizen, categories):
    with pytest.raises(ApplicationError) as error:
        submit(actor=citizen, channel=Appeal.Channel.PORTAL, title="楼下着火了", content="我家楼下饭馆着火了，火势很大")

    assert error.value.code == "appeal.emergency"
    assert "119" in error.value.message
    assert Appeal.objects.count() == 0


def test_it_accepts_a_confirmed_non_emergency_with_a_screening_hint(citizen, categories):
    appeal = submit(
        actor=citizen,
        channel=Appeal.Channel.PORTAL,
        title="上月饭馆着火了，消防通道至今堵塞",
        content="上月饭馆着火了，现在消防通道仍被杂物堵塞，请督促清理。",
        confirm_not_emergency=True,
    )
    assert appeal.state == Appeal.State.RECEIVED
    assert appeal.screening == Appeal.DeclineReason.FIRE_119


def test_it_returns_the_first_appeal_for_a_repeated_submission_key(citizen, categories):
    first = submit(actor=citizen, channel=Appeal.Channel.PORTAL, submission_key="k-123")
    second = submit(actor=citizen, channel=Appeal.Channel.PORTAL, submission_key="k-123")

    assert first.pk == second.pk
    assert Appeal.objects.count() == 1


def test_it_suggests_a_department_from_the_category_keywords(make_appeal, dept_b, categories):
    appeal = make_appeal(title="餐馆出售过期食品", content="常兴镇一家餐馆出售过期食品，吃后肚子疼。")

    assert appeal.suggested_category == categories["food"]
    assert appeal.suggested_department == dept_b
    assert appeal.suggestion_low_confidence is True  # no trained model yet: always flagged
