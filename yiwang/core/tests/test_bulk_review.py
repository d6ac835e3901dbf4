"""``core.bulk.update_fields`` on what ``save(update_fields=…)`` does per row: each field's own
``pre_save`` (masking of phone and ID numbers in free text), the companion columns of encrypted
fields, every column type on both databases, a row given twice, rows that are gone."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from yiwang.core.bulk import update_fields
from yiwang.core.fields import revealed
from yiwang.core.models import IdempotencyRecord, OutboxMessage
from yiwang.core.pii import pii_lookup
from yiwang.hotline.models import Appeal

PHONE = "13912345678"


def appeal(meixian, n: int = 1) -> Appeal:
    return Appeal.objects.create(
        code=f"YW261201BLK{n:02d}",
        region=meixian.county,
        channel=Appeal.Channel.PHONE,
        kind=Appeal.Kind.COMPLAINT,
        title="村道坑洼",
        content="营头镇红河谷村的村道坑洼不平，请修补。",
        anonymous=True,
    )


def stored_column(model, pk: int, column: str):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_free_text_is_stored_masked_with_its_originals_as_save_stores_it(meixian):
    row = appeal(meixian)
    row.content = f"村道坑洼，请联系我 {PHONE}，白天都在。"

    update_fields([row], ["content", "pii_originals"])

    raw = stored_column(Appeal, row.pk, "content")
    assert PHONE not in raw, raw  # a number typed into free text is never stored in clear
    assert "139****5678" in raw
    reread = Appeal.objects.get(pk=row.pk)
    assert revealed(reread, "content") == f"村道坑洼，请联系我 {PHONE}，白天都在。"  # the handler sees it as typed


def test_a_masked_text_without_its_originals_field_is_refused(meixian):
    row = appeal(meixian)
    row.content = f"请回电 {PHONE}"

    with pytest.raises(ValueError, match="pii_originals"):
        update_fields([row], ["content"])

    assert Appeal.objects.get(pk=row.pk).content == "营头镇红河谷村的村道坑洼不平，请修补。"


def test_an_encrypted_field_without_its_lookup_hash_is_refused_and_with_it_is_found(db):
    message = OutboxMessage.objects.create(channel=OutboxMessage.Channel.SMS, recipient="13900000001", body="x")
    message.recipient = "13900000002"

    with pytest.raises(ValueError, match="recipient_hash"):
        update_fields([message], ["recipient"])
    assert OutboxMessage.objects.filter(**pii_lookup("recipient", "13900000001")).exists()

    update_fields([message], ["recipient", "recipient_hash"])
    assert OutboxMessage.objects.get(**pii_lookup("recipient", "13900000002")).pk == message.pk
    assert stored_column(OutboxMessage, message.pk, "recipient").startswith("sm4$")  # encrypted at rest


def test_each_column_type_reads_back_as_written(meixian):
    rows = [appeal(meixian, n) for n in (1, 2)]
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    values = [
        (Decimal("34.274567"), Decimal("-180.000000"), True, dt.datetime(2026, 12, 1, 8, 30, 15, 123456, shanghai)),
        (None, None, False, dt.datetime(2026, 1, 1, 0, 0, tzinfo=dt.UTC)),
    ]
    for row, (lat, lon, public, replied) in zip(rows, values, strict=True):
        row.latitude, row.longitude, row.public_consent, row.replied_at = lat, lon, public, replied
        row.suggestion_confidence = 0.125 if public else None

    update_fields(rows, ["latitude", "longitude", "public_consent", "replied_at", "suggestion_confidence"])

    for row, (lat, lon, public, replied) in zip(rows, values, strict=True):
        got = Appeal.objects.get(pk=row.pk)
        assert (got.latitude, got.longitude, got.public_consent, got.replied_at) == (lat, lon, public, replied)
        assert got.suggestion_confidence == (0.125 if public else None)


def test_json_binary_and_none_read_back_as_written(db):
    record = IdempotencyRecord.objects.create(
        key="k", method="POST", path="/api/x", request_fingerprint="f", claim_token="t"
    )
    record.response_headers = {"Content-Type": "application/json", "列表": [1, 2.5, None, True]}
    record.response_body = b"\x00\x01binary\xff"
    record.status_code = None
    record.locked_at = timezone.make_aware(dt.datetime(2026, 12, 1, 7, 0))

    update_fields([record], ["response_headers", "response_body", "status_code", "locked_at"])

    got = IdempotencyRecord.objects.get(pk=record.pk)
    assert got.response_headers == {"Content-Type": "application/json", "列表": [1, 2.5, None, True]}
    assert bytes(got.response_body) == b"\x00\x01binary\xff"
    assert got.status_code is None and got.locked_at == record.locked_at


def test_a_row_given_twice_keeps_its_last_values_as_two_saves_would(db):
    message = OutboxMessage.objects.create(channel=OutboxMessage.Channel.SMS, recipient="13900000001", body="x")
    first = OutboxMessage.objects.get(pk=message.pk)
    second = OutboxMessage.objects.get(pk=message.pk)
    first.attempts, second.attempts = 1, 2

    update_fields([first, second], ["attempts"])

    assert OutboxMessage.objects.get(pk=message.pk).attempts == 2


def test_a_row_deleted_meanwhile_is_not_counted_as_written(db):
    kept, gone = (
        OutboxMessage.objects.create(channel=OutboxMessage.Channel.SMS, recipient=f"1390000000{i}", body="x")
        for i in (1, 2)
    )
    OutboxMessage.objects.filter(pk=gone.pk).delete()
    kept.attempts = gone.attempts = 3

    assert update_fields([kept, gone], ["attempts"]) == 1


def test_an_unsaved_object_or_a_primary_key_field_is_refused(db):
    message = OutboxMessage.objects.create(channel=OutboxMessage.Channel.SMS, recipient="13900000001", body="x")
    with pytest.raises(ValueError):
        update_fields([OutboxMessage(channel="sms", recipient="1", body="y")], ["body"])
    with pytest.raises(ValueError):
        update_fields([message], ["id"])
